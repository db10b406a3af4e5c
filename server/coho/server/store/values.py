"""Property values as the store sees them: index values for SQL, comparison values for Python, strings.

One module owns these conversions so that the SQL prefilter (``prop`` table), the Python post-filter and
the Python sort keys agree on what a value is; a disagreement would silently drop matches.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from google.protobuf import timestamp_pb2

from coho.omrs.v1 import instances_pb2

IndexValue = int | float | str
Names = frozenset[str] | None
"""Property names kept in the ``prop`` table; None keeps every top-level property."""

DEFAULT_INDEXED: frozenset[str] = frozenset(
    {"qualifiedName", "name", "displayName", "identifier", "resourceName"}
)
"""What a store indexes unless configured otherwise: the unique qualifiedName and the names searches and
sorts by most. Indexing every property made each write cost one random B-tree insert per property (the
dominant write cost); a condition on any other property is answered exactly by the post-filter (with an
``instr(body, literal)`` prefilter where the pattern allows one)."""
"""What goes in ``prop.v``: SQLite compares numbers numerically and text by UTF-8 bytes (= code points)."""

Scalar = tuple[str, object]
"""A comparable value: ("n", number) | ("s", str) | ("b", bool) | ("x", message) for arrays/maps/structs."""

_NUMERIC_FIELDS = frozenset(
    {"byte_value", "short_value", "int_value", "long_value", "float_value", "double_value", "date_value"}
)
_TEXT_FIELDS = frozenset({"string_value", "char_value", "object_json"})


def ms(ts: timestamp_pb2.Timestamp) -> int:
    """Epoch milliseconds of a Timestamp (0 when unset)."""
    return int(ts.seconds) * 1000 + int(ts.nanos) // 1_000_000


def valid_from_ms(header: instances_pb2.InstanceHeader) -> int:
    """When a version became current: its update time, or its create time for a never-updated instance."""
    updated = ms(header.update_time)
    return updated if updated else ms(header.create_time)


def _big_number(text: str) -> int | Decimal | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def scalar(value: instances_pb2.PropertyValue) -> Scalar | None:
    """The comparison value of a property value; None for an explicit null."""
    kind = value.WhichOneof("value")
    if kind == "primitive":
        return _primitive_scalar(value.primitive)
    if kind == "enum_value":
        # Enums compare by symbolic name, the only form the SQL index keeps (see index_value).
        return ("s", value.enum_value.symbolic_name)
    if kind is None:
        return None
    return ("x", getattr(value, kind))


def _primitive_scalar(primitive: instances_pb2.PrimitiveValue) -> Scalar | None:
    field = primitive.WhichOneof("value")
    if field is None:
        return None
    raw = getattr(primitive, field)
    if field in _NUMERIC_FIELDS:
        return ("n", raw)
    if field in _TEXT_FIELDS:
        return ("s", raw)
    if field == "boolean_value":
        return ("b", bool(raw))
    number = _big_number(raw)
    return ("n", number) if number is not None else ("s", raw)


def index_value(value: instances_pb2.PropertyValue) -> IndexValue | None:
    """The value kept in the ``prop`` table for a top-level property, or None when it is not indexed.

    Big numbers are kept as the nearest float; the SQL prefilter widens numeric bounds so the rounding can
    never exclude a true match, and the Python post-filter compares exactly.
    """
    found = scalar(value)
    if found is None:
        return None
    kind, raw = found
    if kind == "s":
        return raw  # type: ignore[return-value]
    if kind == "b":
        return 1 if raw else 0
    if kind == "n":
        if isinstance(raw, int) and -(2**63) <= raw < 2**63:
            return raw
        number = float(raw)  # type: ignore[arg-type]
        return None if math.isnan(number) else number
    return None


PropRow = tuple[str, IndexValue, int, str]
"""A row of the ``prop`` table: (name, value, owner entity id, scope)."""


def _add_rows(
    rows: list[PropRow], values: Mapping[str, instances_pb2.PropertyValue], names: Names, owner: int, scope: str
) -> None:
    # A batch load spends much of its Python time here (each access wraps a upb message), hence the shape:
    # look the indexed names up rather than walk the properties, and a fast path for non-empty strings
    # (a non-empty string_value means the oneof holds it, so WhichOneof is not needed). Walking a upb map
    # builds a key string per entry and costs ~8x a membership test, so the names are looked up even when
    # there are a few more of them than properties (5 default names over 5 properties: 3.1 -> 2.5 us).
    keys: Iterable[str] = values
    check: Container[str] | None = names
    if names is not None and len(names) <= 4 * len(values):
        keys, check = names, values
    for name in keys:
        if check is not None and name not in check:
            continue
        value = values[name]
        text = value.primitive.string_value
        if text:
            rows.append((name, text, owner, scope))
            continue
        indexed = index_value(value)
        if indexed is not None:
            rows.append((name, indexed, owner, scope))


def prop_rows(
    properties: instances_pb2.InstanceProperties,
    classifications: Sequence[instances_pb2.Classification],
    owner: int,
    names: Names = None,
) -> tuple[list[PropRow], list[str]]:
    """The ``prop`` rows (of ``names`` only, when given) of entity ``owner`` and its classification names."""
    rows: list[PropRow] = []
    _add_rows(rows, properties.properties, names, owner, "")
    if not classifications:
        return rows, _NO_CLASSIFICATIONS
    classified = []
    for classification in classifications:
        classified.append(classification.name)
        _add_rows(rows, classification.properties.properties, names, owner, classification.name)
    return rows, classified


_NO_CLASSIFICATIONS: list[str] = []
"""Shared by every unclassified entity (callers only read it): one list less per put."""


def index_rows(
    scope: str, properties: instances_pb2.InstanceProperties, names: Names = None
) -> list[tuple[str, IndexValue, str]]:
    """(name, value, scope) rows of the ``prop`` table for one property map (only ``names`` when given); the
    writer uses :func:`prop_rows`, which derives the same rows with their owner."""
    rows: list[PropRow] = []
    _add_rows(rows, properties.properties, names, 0, scope)
    return [(name, value, scope) for name, value, _, scope in rows]


def sort_key(value: IndexValue | bytes | None) -> tuple[int, object]:
    """A Python key ordering index values as SQLite orders them (numbers < text < the missing-value blob)."""
    if value is None or isinstance(value, bytes):
        return (3, b"")
    if isinstance(value, str):
        return (2, value)
    return (1, value)


def iter_strings(properties: Mapping[str, instances_pb2.PropertyValue]) -> Iterator[str]:
    """Every string value in a property map, including those inside arrays, maps and structs."""
    for name in properties:
        value = properties[name]
        # Top-level strings first, without the general dispatch (regex scans call this per entity).
        field = value.primitive.WhichOneof("value")
        if field == "string_value":
            yield value.primitive.string_value
        elif field is None:
            yield from _nested_strings(value)
        elif field == "char_value":
            yield value.primitive.char_value


def _nested_strings(value: instances_pb2.PropertyValue) -> Iterator[str]:
    kind = value.WhichOneof("value")
    if kind == "array":
        for item in value.array.values:
            yield from iter_strings({"": item})
    elif kind == "map":
        yield from iter_strings(value.map.values)
    elif kind == "struct_value":
        yield from iter_strings(value.struct_value.fields)
