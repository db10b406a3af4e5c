"""A bound on what compiling a caller's regular expression costs, checked before it is compiled.

The ``regex`` module unrolls counted repeats when it compiles: ``a{99999999}`` takes ~24 GB and seconds of CPU
before any matching (and before the per-match timeout can help), ``(a{9999}){9999}`` as much. One such request
could take the server down, so patterns whose counted repeats expand past :data:`MAX_EXPANSION` units are
refused up front. The estimate is an upper bound: nested repeats multiply, alternatives and sequences add.
"""

from __future__ import annotations

import re

from google.protobuf.message import Message

from coho.omrs.v1 import common_pb2
from coho.server.errors import InvalidArgument
from coho.server.store.regexes import skip_class

MAX_EXPANSION = 10_000
"""Largest unrolled size (≈ atoms after expanding every {m,n}) a pattern may have; ~3 MB compiled."""

_COUNTED = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


def expansion(pattern: str) -> int:
    """Upper bound of the pattern's size once counted repeats are unrolled (1 per atom)."""
    # Each open group keeps [sequence total so far, best alternative so far, size of its last item].
    stack: list[list[int]] = [[0, 0, 0]]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if pattern.startswith("\\Q", i):
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end
                _atom(stack[-1], max(1, end - i - 2))
                i = end + 2
                continue
            i += 2
            _atom(stack[-1], 1)
        elif c == "[":
            i = skip_class(pattern, i)
            _atom(stack[-1], 1)
        elif c == "(":
            stack.append([0, 0, 0])
            i += 1
        elif c == ")" and len(stack) > 1:
            total, best, _ = stack.pop()
            _atom(stack[-1], max(total, best))
            i += 1
        elif c == "|":
            frame = stack[-1]
            frame[1] = max(frame[1], frame[0])
            frame[0], frame[2] = 0, 0
            i += 1
        elif c == "{" and (m := _COUNTED.match(pattern, i)) is not None:
            low = int(m.group(1) or 0)
            high = int(m.group(3)) if m.group(3) else low + 1 if m.group(2) else low
            frame = stack[-1]
            # The last item is replaced by its repetition: its size times the (largest) count.
            frame[0] += frame[2] * (max(low, high, 1) - 1)
            frame[2] *= max(low, high, 1)
            i = m.end()
        else:
            _atom(stack[-1], 1)
            i += 1
        if stack[-1][0] > MAX_EXPANSION:
            return stack[-1][0]
    while len(stack) > 1:  # unbalanced: let the compiler report it; count what was seen
        total, best, _ = stack.pop()
        _atom(stack[-1], max(total, best))
    return max(stack[0][0], stack[0][1])


def _atom(frame: list[int], size: int) -> None:
    frame[0] += size
    frame[2] = size


def check_expansion(pattern: str, field: str) -> None:
    """Raise InvalidArgument (REGEX_TOO_COMPLEX) for a pattern too costly to compile."""
    size = expansion(pattern)
    if size > MAX_EXPANSION:
        problem = f"regular expression too costly: its counted repeats expand past {MAX_EXPANSION} elements"
        raise InvalidArgument(message=f"{field}: {problem}", reason="REGEX_TOO_COMPLEX",
                              field_violations=[(field, problem)], metadata={"limit": str(MAX_EXPANSION)})


_LIKE_OPERATORS = frozenset({common_pb2.PROPERTY_COMPARISON_OPERATOR_LIKE,
                             common_pb2.PROPERTY_COMPARISON_OPERATOR_NOT_LIKE})


def check_search_patterns(search: Message | None, path: str) -> None:
    """check_expansion for every LIKE / NOT_LIKE pattern in search conditions (nested ones included), which the
    store compiles as regular expressions."""
    if search is None:
        return
    if isinstance(search, common_pb2.PropertyCondition):
        if search.operator in _LIKE_OPERATORS and search.value.primitive.WhichOneof("value") == "string_value":
            check_expansion(search.value.primitive.string_value, f"{path}.value")
        if search.HasField("nested_conditions"):
            check_search_patterns(search.nested_conditions, f"{path}.nested_conditions")
        return
    for fd, value in search.ListFields():
        if fd.message_type is None or fd.message_type.GetOptions().map_entry:
            continue
        if fd.is_repeated:
            for index, item in enumerate(value):
                check_search_patterns(item, f"{path}.{fd.name}[{index}]")
        elif fd.message_type.name in ("SearchProperties", "PropertyCondition", "ClassificationCondition",
                                      "SearchClassifications"):
            check_search_patterns(value, f"{path}.{fd.name}")
