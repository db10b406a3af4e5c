"""Search conditions: exact evaluation in Python, and a SQL prefilter that only ever narrows candidates.

Correctness comes from :class:`Matcher`, which evaluates SearchProperties, SearchClassifications and the
find-by-value regex on decoded instances. :func:`prefilter_sql` turns what it safely can into SQL over the
``prop``/``classification`` tables (index seeks) or ``instr(body, literal)`` checks; each fragment selects
a superset of the true matches, so the post-filter keeps results exact while SQL keeps them fast.

Semantics (documented because Egeria leaves corners open):

- Empty condition lists match everything. MATCH_CRITERIA_UNSPECIFIED means ALL.
- NEQ and NOT_LIKE are the negations of EQ and LIKE, so they hold for a missing or null property.
- EQ/ordering compare numbers with numbers (any width, exactly), strings with strings; enums by symbolic
  name (as strings); booleans only with booleans; arrays/maps/structs by whole value under EQ.
- IN needs an array value: the property equals one of its elements.
- LIKE fully matches a string (or enum name) against a Java-style pattern; a value whose match exceeds
  its time slice counts as not matching.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex  # type: ignore[import-untyped]  # no stubs in typeshed deps; pyproject is not ours

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.server.errors import InvalidArgument
from coho.server.store.regexes import (
    RegexBudget,
    compile_pattern,
    exact_literal,
    literal_prefix,
    required_literal,
)
from coho.server.store.values import Scalar, iter_strings, scalar

_OP = common_pb2.PropertyComparisonOperator
_MC = common_pb2.MatchCriteria
Props = Mapping[str, instances_pb2.PropertyValue]
Sql = tuple[str, list[object]]

_ORDERING: dict[int, str] = {
    _OP.PROPERTY_COMPARISON_OPERATOR_LT: "<",
    _OP.PROPERTY_COMPARISON_OPERATOR_LTE: "<=",
    _OP.PROPERTY_COMPARISON_OPERATOR_GT: ">",
    _OP.PROPERTY_COMPARISON_OPERATOR_GTE: ">=",
}
_LIKES = (_OP.PROPERTY_COMPARISON_OPERATOR_LIKE, _OP.PROPERTY_COMPARISON_OPERATOR_NOT_LIKE)


def _bad_condition(message: str, path: str) -> InvalidArgument:
    return InvalidArgument(message=message, reason="BAD_SEARCH_CONDITION", field_violations=[(path, message)])


def _like_pattern(condition: common_pb2.PropertyCondition, path: str) -> str:
    found = scalar(condition.value)
    if found is None or found[0] != "s":
        raise InvalidArgument(
            message=f"{path}: LIKE needs a string pattern",
            reason="BAD_REGEX",
            field_violations=[(path, "LIKE needs a string pattern")],
        )
    return str(found[1])


@dataclass
class Matcher:
    """An exact predicate for one query, compiled (and validated) once before any scanning."""

    match_properties: common_pb2.SearchProperties | None = None
    match_classifications: common_pb2.SearchClassifications | None = None
    regex_text: str | None = None
    budget_ms: int = 2000
    budget: RegexBudget | None = field(init=False, default=None)
    _patterns: dict[str, regex.Pattern[str]] = field(init=False, default_factory=dict)
    _find_pattern: regex.Pattern[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.match_properties is not None:
            self._validate(self.match_properties, "match_properties")
        if self.match_classifications is not None:
            for i, cond in enumerate(self.match_classifications.conditions):
                path = f"match_classifications.conditions[{i}]"
                if not cond.name:
                    raise _bad_condition(f"{path}.name must not be empty", f"{path}.name")
                self._validate(cond.match_properties, f"{path}.match_properties")
        if self.regex_text is not None:
            self._find_pattern = compile_pattern(self.regex_text)
        if self._find_pattern is not None or self._patterns:
            self.budget = RegexBudget(self.budget_ms)

    def _validate(self, search: common_pb2.SearchProperties, path: str) -> None:
        for i, cond in enumerate(search.conditions):
            here = f"{path}.conditions[{i}]"
            if cond.HasField("nested_conditions"):
                self._validate(cond.nested_conditions, f"{here}.nested_conditions")
                continue
            if not cond.property_name:
                raise _bad_condition(f"{here}.property_name must not be empty", f"{here}.property_name")
            if cond.operator == _OP.PROPERTY_COMPARISON_OPERATOR_UNSPECIFIED or cond.operator not in _OP.values():
                raise _bad_condition(f"{here}.operator must be set", f"{here}.operator")
            if cond.operator in _LIKES:
                pattern = _like_pattern(cond, here)
                self._patterns.setdefault(pattern, compile_pattern(pattern))

    # -- evaluation -------------------------------------------------------------------------------------
    def matches(self, properties: Props, classifications: Sequence[instances_pb2.Classification]) -> bool:
        """Whether an instance with these properties (and classifications) satisfies the whole query."""
        if self.match_properties is not None and not self._search(properties, self.match_properties):
            return False
        if self.match_classifications is not None and not self._classified(classifications):
            return False
        if self._find_pattern is not None:
            assert self.budget is not None
            pattern, budget = self._find_pattern, self.budget
            return any(budget.fullmatch(pattern, text) for text in iter_strings(properties))
        return True

    def _search(self, properties: Props, search: common_pb2.SearchProperties) -> bool:
        if not search.conditions:
            return True
        results = (self._condition(properties, cond) for cond in search.conditions)
        if search.match_criteria == _MC.MATCH_CRITERIA_ANY:
            return any(results)
        if search.match_criteria == _MC.MATCH_CRITERIA_NONE:
            return not any(results)
        return all(results)

    def _classified(self, classifications: Sequence[instances_pb2.Classification]) -> bool:
        search = self.match_classifications
        assert search is not None
        if not search.conditions:
            return True
        results = (
            any(
                c.name == cond.name and self._search(c.properties.properties, cond.match_properties)
                for c in classifications
            )
            for cond in search.conditions
        )
        if search.match_criteria == _MC.MATCH_CRITERIA_ANY:
            return any(results)
        if search.match_criteria == _MC.MATCH_CRITERIA_NONE:
            return not any(results)
        return all(results)

    def _condition(self, properties: Props, cond: common_pb2.PropertyCondition) -> bool:
        if cond.HasField("nested_conditions"):
            return self._search(properties, cond.nested_conditions)
        stored = properties.get(cond.property_name)
        value = scalar(stored) if stored is not None else None
        op = cond.operator
        if op == _OP.PROPERTY_COMPARISON_OPERATOR_IS_NULL:
            return value is None
        if op == _OP.PROPERTY_COMPARISON_OPERATOR_NOT_NULL:
            return value is not None
        if op in _LIKES:
            matched = self._like(value, cond)
            return matched if op == _OP.PROPERTY_COMPARISON_OPERATOR_LIKE else not matched
        if op == _OP.PROPERTY_COMPARISON_OPERATOR_NEQ:
            return not _compare(_OP.PROPERTY_COMPARISON_OPERATOR_EQ, value, cond.value)
        return _compare(op, value, cond.value)

    def _like(self, value: Scalar | None, cond: common_pb2.PropertyCondition) -> bool:
        if value is None or value[0] != "s":
            return False
        assert self.budget is not None
        pattern = self._patterns[str(scalar(cond.value)[1])]  # type: ignore[index]
        return self.budget.fullmatch(pattern, str(value[1]))


def _compare(op: int, value: Scalar | None, wanted: instances_pb2.PropertyValue) -> bool:
    """EQ, IN and the orderings; a missing or null property satisfies none of them."""
    if value is None:
        return False
    if op == _OP.PROPERTY_COMPARISON_OPERATOR_EQ:
        return _equal(value, scalar(wanted))
    if op == _OP.PROPERTY_COMPARISON_OPERATOR_IN:
        if wanted.WhichOneof("value") != "array":
            return _equal(value, scalar(wanted))
        return any(_equal(value, scalar(item)) for item in wanted.array.values)
    return _ordered(_ORDERING[op], value, scalar(wanted))


def _equal(left: Scalar | None, right: Scalar | None) -> bool:
    if left is None or right is None or left[0] != right[0]:
        return False
    return left[1] == right[1]


def _ordered(op: str, left: Scalar, right: Scalar | None) -> bool:
    if right is None or left[0] != right[0] or left[0] not in ("n", "s"):
        return False
    a: Any = left[1]
    b: Any = right[1]
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


# -- SQL prefilter ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    """The SQL names a prefilter refers to; use_props is False where the prop index does not apply."""

    owner: str
    """The entity.id column (prop and classification rows are keyed by it)."""
    body: str
    use_props: bool
    indexed: frozenset[str] | None = None
    """Property names the prop table holds (None: all); a condition on another name has no prop prefilter."""

    def indexes(self, name: str) -> bool:
        return self.use_props and (self.indexed is None or name in self.indexed)


def _combine(parts: list[Sql | None], criteria: int) -> Sql | None:
    if criteria == _MC.MATCH_CRITERIA_NONE or not parts:
        return None
    if criteria == _MC.MATCH_CRITERIA_ANY:
        if any(part is None for part in parts):
            return None  # one unfilterable alternative means any row may match
        joiner = " OR "
    else:
        joiner = " AND "
    kept = [part for part in parts if part is not None]
    if not kept:
        return None
    params: list[object] = []
    for _, part_params in kept:
        params.extend(part_params)
    return "(" + joiner.join(sql for sql, _ in kept) + ")", params


def properties_sql(search: common_pb2.SearchProperties | None, scope: str, cols: Columns) -> Sql | None:
    """A SQL condition selecting a superset of the instances matching search, or None."""
    if search is None or not search.conditions:
        return None
    return _combine([_condition_sql(cond, scope, cols) for cond in search.conditions], search.match_criteria)


def classifications_sql(search: common_pb2.SearchClassifications | None, cols: Columns) -> Sql | None:
    """A SQL condition selecting a superset of the entities matching the classification search, or None."""
    if search is None or not search.conditions or not cols.use_props:
        return None
    parts: list[Sql | None] = []
    for cond in search.conditions:
        sql = f"{cols.owner} IN (SELECT owner FROM classification WHERE name = ?)"
        props = properties_sql(cond.match_properties, cond.name, cols)
        parts.append(_combine([(sql, [cond.name]), props], _MC.MATCH_CRITERIA_ALL))
    return _combine(parts, search.match_criteria)


def regex_sql(pattern: str | None, cols: Columns) -> Sql | None:
    """Only bodies holding the literal every full match must contain can match the find-by-value regex."""
    if pattern is None:
        return None
    literal = required_literal(pattern)
    if literal is None:
        return None
    return f"instr({cols.body}, ?) > 0", [literal.encode("utf-8", "surrogatepass")]


def _prop_sql(scope: str, name: str, test: str, params: list[object], cols: Columns) -> Sql:
    sql = f"{cols.owner} IN (SELECT owner FROM prop WHERE name = ? AND scope = ? AND ({test}))"
    return sql, [name, scope, *params]


def _condition_sql(cond: common_pb2.PropertyCondition, scope: str, cols: Columns) -> Sql | None:
    if cond.HasField("nested_conditions"):
        return properties_sql(cond.nested_conditions, scope, cols)
    op = cond.operator
    if op in _LIKES:
        return _like_sql(cond, scope, cols) if op == _OP.PROPERTY_COMPARISON_OPERATOR_LIKE else None
    if not cols.indexes(cond.property_name):
        return None
    if op == _OP.PROPERTY_COMPARISON_OPERATOR_EQ:
        test = _value_test("=", scalar(cond.value))
    elif op == _OP.PROPERTY_COMPARISON_OPERATOR_IN:
        test = _in_test(cond.value)
    elif op in _ORDERING:
        test = _value_test(_ORDERING[op], scalar(cond.value))
    else:
        return None
    return None if test is None else _prop_sql(scope, cond.property_name, test[0], test[1], cols)


def _like_sql(cond: common_pb2.PropertyCondition, scope: str, cols: Columns) -> Sql | None:
    pattern = str(scalar(cond.value)[1])  # type: ignore[index]
    if cols.indexes(cond.property_name):
        literal = exact_literal(pattern)
        if literal is not None:
            return _prop_sql(scope, cond.property_name, "v = ?", [literal], cols)
        prefix = literal_prefix(pattern)
        upper = _prefix_upper(prefix) if prefix else None
        if prefix and upper:
            return _prop_sql(scope, cond.property_name, "v >= ? AND v < ?", [prefix, upper], cols)
    literal = required_literal(pattern)
    if literal is None:
        return None
    return f"instr({cols.body}, ?) > 0", [literal.encode("utf-8", "surrogatepass")]


def _prefix_upper(prefix: str) -> str | None:
    """The smallest string above every string starting with prefix (UTF-8 order = code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF or 0xD7FF <= last <= 0xDFFF:
        return None
    return prefix[:-1] + chr(last + 1)


def _in_test(value: instances_pb2.PropertyValue) -> tuple[str, list[object]] | None:
    if value.WhichOneof("value") != "array":
        return _value_test("=", scalar(value))
    tests = [_value_test("=", scalar(item)) for item in value.array.values]
    if not tests or any(test is None for test in tests):
        return None
    params: list[object] = []
    for test in tests:
        params.extend(test[1])  # type: ignore[index]
    return " OR ".join(f"({test[0]})" for test in tests if test is not None), params


def _value_test(op: str, value: Scalar | None) -> tuple[str, list[object]] | None:
    """A test on prop.v that holds for every stored value the Python comparison accepts."""
    if value is None:
        return None
    kind, raw = value
    if kind == "s":
        return f"v {op} ?", [raw]
    if kind == "b" and op == "=":
        return "v = ?", [1 if raw else 0]
    return _number_test(op, raw) if kind == "n" else None


def _number_test(op: str, raw: object) -> tuple[str, list[object]] | None:
    number = float(raw)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return None
    # Stored big numbers are rounded to floats, so widen every bound; the post-filter is exact.
    slack = abs(number) * 1e-9 + 1e-300
    if op == "=":
        return "v BETWEEN ? AND ?", [number - slack, number + slack]
    bound = number + slack if op in ("<", "<=") else number - slack
    return f"v {op[0]}= ?", [bound]
