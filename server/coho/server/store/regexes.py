"""Regular expressions with Egeria's semantics and a bounded cost.

Egeria matches a whole value against a Java regular expression, and its clients build exact, prefix and
contains searches with ``\\Q...\\E`` quoting. The ``regex`` module has per-match timeouts (so a
catastrophic pattern cannot hang the server) but no ``\\Q...\\E``; :func:`translate` rewrites it.

The literal analysis lets queries narrow candidates cheaply before running the pattern: an exact or prefix
pattern becomes an index lookup, and a literal every match must contain becomes ``instr(body, ...)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import regex  # type: ignore[import-untyped]  # no stubs in typeshed deps; pyproject is not ours

from coho.server.errors import InvalidArgument

Token = tuple[str, str]

_CLASS_ESCAPES = frozenset("dDwWsSbBAZzGhHvVR")
"""Escapes that stand for a class or an anchor and take no argument."""

_PER_MATCH_S = 0.1
"""One value may take this long before it counts as not matching (a catastrophic pattern hits it)."""


def translate(pattern: str) -> str:
    """Rewrite Java's ``\\Q...\\E`` quoting into escaped literals the regex module understands."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("\\Q", i):
            end = pattern.find("\\E", i + 2)
            stop = len(pattern) if end < 0 else end
            out.append(regex.escape(pattern[i + 2 : stop]))
            i = stop + 2 if end >= 0 else stop
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile an Egeria (Java-style) pattern; an invalid one is InvalidArgument BAD_REGEX."""
    try:
        return regex.compile(translate(pattern))
    except (regex.error, ValueError, OverflowError) as exc:
        raise InvalidArgument(
            message=f"invalid regular expression {pattern!r}: {exc}",
            reason="BAD_REGEX",
            field_violations=[("regex", str(exc))],
        ) from exc


def _tokens(pattern: str) -> list[Token] | None:
    """Depth-0 tokens: ("lit", c), ("q", quantifier), ("meta", ...), ("alt", "|"); None when unsure."""
    tokens: list[Token] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i = _escape_tokens(pattern, i, tokens)
            if i < 0:
                return None
            continue
        if c == "[":
            i = skip_class(pattern, i)
            tokens.append(("meta", "[]"))
        elif c == "(":
            if pattern.startswith("(?", i) and pattern[i + 2 : i + 3] not in (":", "=", "!", "<", ">"):
                return None  # inline flags such as (?i) change what a literal means
            i = _skip_group(pattern, i)
            if i < 0:
                return None
            tokens.append(("meta", "()"))
        elif c in "*+?":
            tokens.append(("q", c))
            i += 1
        elif c == "{":
            end = pattern.find("}", i)
            if end < 0:
                return None
            tokens.append(("q", "{"))
            i = end + 1
        elif c == "|":
            tokens.append(("alt", c))
            i += 1
        else:
            tokens.append(("meta" if c in ".^$)" else "lit", c))
            i += 1
    return tokens


def _escape_tokens(pattern: str, i: int, tokens: list[Token]) -> int:
    if i + 1 >= len(pattern):
        return -1
    d = pattern[i + 1]
    if d == "Q":
        end = pattern.find("\\E", i + 2)
        stop = len(pattern) if end < 0 else end
        tokens.extend(("lit", ch) for ch in pattern[i + 2 : stop])
        return stop + 2 if end >= 0 else stop
    if d.isalnum():
        if d not in _CLASS_ESCAPES:
            return -1  # \x41, \u00e9, \p{L}, \1, \t ...: arguments or meanings not worth modelling
        tokens.append(("meta", d))
        return i + 2
    tokens.append(("lit", d))
    return i + 2


def skip_class(pattern: str, i: int) -> int:
    """The index just past the character class that opens at ``pattern[i]`` (``[``)."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _skip_group(pattern: str, i: int) -> int:
    depth = 0
    j = i
    while j < len(pattern):
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = skip_class(pattern, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


def exact_literal(pattern: str) -> str | None:
    """The one string this pattern matches, when it is a plain or quoted literal."""
    tokens = _tokens(pattern)
    if tokens is None or any(kind != "lit" for kind, _ in tokens):
        return None
    return "".join(text for _, text in tokens)


def literal_prefix(pattern: str) -> str | None:
    """P for a pattern ``P.*`` with P literal (Egeria's startsWith), else None."""
    tokens = _tokens(pattern)
    if tokens is None or len(tokens) < 3 or tokens[-2:] != [("meta", "."), ("q", "*")]:
        return None
    head = tokens[:-2]
    if any(kind != "lit" for kind, _ in head):
        return None
    return "".join(text for _, text in head)


def required_literal(pattern: str) -> str | None:
    """The longest literal that every full match must contain, or None (then nothing can be pruned)."""
    tokens = _tokens(pattern)
    if tokens is None or any(kind == "alt" for kind, _ in tokens):
        return None
    best = ""
    run: list[str] = []
    for index, (kind, text) in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ("", "")
        if kind == "lit" and not (following[0] == "q" and following[1] in "?*{"):
            run.append(text)
            if following[0] == "q":  # "+": the char is required once, but what follows may repeat it
                best = max(best, "".join(run), key=_utf8_len)
                run = []
            continue
        best = max(best, "".join(run), key=_utf8_len)
        run = []
    best = max(best, "".join(run), key=_utf8_len)
    return best or None


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass
class RegexBudget:
    """Shared time budget of one query's regular-expression work."""

    budget_ms: int
    deadline: float = field(init=False)
    timeouts: int = 0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + max(self.budget_ms, 0) / 1000

    def fullmatch(self, pattern: regex.Pattern[str], text: str) -> bool:
        """Whether text fully matches; a value that exceeds its time slice counts as not matching."""
        timeout = max(0.001, min(_PER_MATCH_S, self.deadline - time.monotonic()))
        try:
            # concurrent=True releases the GIL while matching, so a slow scan does not stall the server.
            return pattern.fullmatch(text, concurrent=True, timeout=timeout) is not None
        except TimeoutError:
            self.timeouts += 1
            return False

    def exhausted(self) -> bool:
        return time.monotonic() >= self.deadline
