"""Shared pieces of the Egeria JSON codec: a path-tracking reader, enum name tables and time conversion.

Every problem found while reading an archive is raised as :class:`ArchiveFormatError` carrying the path of
the offending element, e.g. ``archiveInstanceStore.entities[12] (guid 6d83...): properties.instanceProperties
.name``, so an operator can find the element in a multi-megabyte document. The *element* part (up to the
first ``": "``) names the archive element (type, entity, relationship...), the rest is the path inside it.

Keys the reader is never asked about are collected as *unmodelled*: they are Egeria fields coho has no place
for, which would be lost on export. The round-trip tests assert that the real archives have none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from google.protobuf.timestamp_pb2 import Timestamp

from coho.omrs.v1 import instances_pb2, typedefs_pb2

HEADER_VERSION = 1
"""Egeria's headerVersion for every bean it writes (all current beans are at version 1)."""

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class ArchiveFormatError(Exception):
    """A malformed archive: ``path`` names the element, ``problem`` says what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass
class ReadContext:
    """State shared by every node of one parse: where unmodelled keys are reported."""

    unmodelled: list[str] = field(default_factory=list)


# Keys every Egeria bean carries that have no meaning once the bean is decoded: ``class`` selects the
# decoder and ``headerVersion`` is always 1 (checked below, then rewritten on export).
_STRUCTURAL_KEYS = frozenset({"class", "headerVersion"})


class Node:
    """A JSON object being decoded, with its path; typed accessors raise ArchiveFormatError naming the key."""

    __slots__ = ("_seen", "ctx", "data", "element", "inner")

    def __init__(self, data: Any, *, element: str, inner: tuple[str, ...] = (), ctx: ReadContext) -> None:
        self.element = element
        self.inner = inner
        self.ctx = ctx
        if not isinstance(data, dict):
            self.data: dict[str, Any] = {}
            self.fail(f"must be a JSON object, got {_json_kind(data)}")
        self.data = data
        self._seen: set[str] = set(_STRUCTURAL_KEYS)
        version = data.get("headerVersion", HEADER_VERSION)
        if type(version) is not int or version < 0:
            self.fail(f"headerVersion must be a non-negative integer, got {version!r}")

    # -- paths and failure -------------------------------------------------------------------------
    def path(self, key: str | None = None) -> str:
        inner = (*self.inner, key) if key is not None else self.inner
        return f"{self.element}: {'.'.join(inner)}" if inner else self.element

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        raise ArchiveFormatError(self.path(key), problem)

    def finish(self) -> None:
        """Report the keys nobody read: Egeria fields that coho does not model."""
        for key in self.data:
            if key not in self._seen:
                self.ctx.unmodelled.append(self.path(key))

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        """The undecoded JSON value (marked as read), for values whose JSON type depends on another key."""
        return self._get(key)

    def _get(self, key: str) -> Any:
        self._seen.add(key)
        return self.data.get(key)

    # -- nested objects ------------------------------------------------------------------------------
    def child(self, key: str) -> Node:
        value = self._get(key)
        if value is None:
            self.fail(f"'{key}' is required")
        return Node(value, element=self.element, inner=(*self.inner, key), ctx=self.ctx)

    def opt_child(self, key: str) -> Node | None:
        return self.child(key) if self._get(key) is not None else None

    def children(self, key: str) -> Iterator[Node]:
        for index, item in enumerate(self.array(key)):
            yield Node(item, element=self.element, inner=(*self.inner, f"{key}[{index}]"), ctx=self.ctx)

    def array(self, key: str) -> list[Any]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a JSON array, got {_json_kind(value)}")
        return value

    def class_name(self, *allowed: str) -> str:
        value = self.data.get("class")
        if value not in allowed:
            expected = " or ".join(repr(a) for a in allowed)
            self.fail(f"class {value!r} is not supported here (expected {expected})")
        return str(value)

    # -- scalars ---------------------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = False) -> str:
        value = self._get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.fail(f"'{key}' must be a string, got {_json_kind(value)}")
        return value

    def integer(self, key: str, *, required: bool = False, low: int = INT64_MIN, high: int = INT64_MAX) -> int:
        value = self._get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required")
            return 0
        if type(value) is not int:
            self.fail(f"'{key}' must be an integer, got {_json_kind(value)}")
        if not low <= value <= high:
            self.fail(f"'{key}' {value} is out of range [{low}, {high}]")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if value is None:
            return False
        if type(value) is not bool:
            self.fail(f"'{key}' must be true or false, got {_json_kind(value)}")
        return value

    def texts(self, key: str) -> list[str]:
        values = self.array(key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"must be a string, got {_json_kind(value)}", f"{key}[{index}]")
        return values

    def text_map(self, key: str) -> dict[str, str]:
        value = self._get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(f"'{key}' must be a JSON object of strings")
        return dict(value)

    def enum(self, key: str, table: EnumTable, *, required: bool = False) -> int:
        value = self._get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required")
            return 0
        number = table.to_proto.get(value) if isinstance(value, str) else None
        if number is None:
            self.fail(f"{key} {value!r} is unknown (expected one of {', '.join(table.to_proto)})")
        return number

    def enums(self, key: str, table: EnumTable) -> list[int]:
        result = []
        for index, value in enumerate(self.array(key)):
            number = table.to_proto.get(value) if isinstance(value, str) else None
            if number is None:
                self.fail(f"{value!r} is unknown (expected one of {', '.join(table.to_proto)})",
                          f"{key}[{index}]")
            result.append(number)
        return result

    def time(self, key: str, target: Timestamp) -> None:
        """Read epoch milliseconds into target; leave it unset (absent) when the key is missing."""
        if self._get(key) is not None:
            target.CopyFrom(ms_to_timestamp(self.integer(key)))


def _json_kind(value: Any) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


# -- enums ------------------------------------------------------------------------------------------


class EnumTable:
    """Egeria enum symbol <-> proto enum number, derived from the proto enum so the two never drift.

    The proto names are ``<PREFIX><EGERIA NAME>`` except where ``renames`` says otherwise; UNSPECIFIED has
    no Egeria symbol (it means "absent").
    """

    def __init__(self, enum: Any, prefix: str, *, egeria_prefix: str = "",
                 renames: Mapping[str, str] | None = None) -> None:
        self.to_proto: dict[str, int] = {}
        self.to_egeria: dict[int, str] = {}
        for name, number in enum.items():
            short = name.removeprefix(prefix)
            if short == "UNSPECIFIED":
                continue
            symbol = (renames or {}).get(short, egeria_prefix + short)
            self.to_proto[symbol] = int(number)
            self.to_egeria[int(number)] = symbol

    def egeria(self, number: int) -> str:
        try:
            return self.to_egeria[number]
        except KeyError:
            raise ValueError(f"enum value {number} has no Egeria symbol") from None


TYPE_DEF_CATEGORY = EnumTable(typedefs_pb2.TypeDefCategory, "TYPE_DEF_CATEGORY_")
TYPE_DEF_STATUS = EnumTable(typedefs_pb2.TypeDefStatus, "TYPE_DEF_STATUS_")
ATTRIBUTE_TYPE_DEF_CATEGORY = EnumTable(typedefs_pb2.AttributeTypeDefCategory, "ATTRIBUTE_TYPE_DEF_CATEGORY_")
PRIMITIVE_DEF_CATEGORY = EnumTable(typedefs_pb2.PrimitiveDefCategory, "PRIMITIVE_DEF_CATEGORY_",
                                   egeria_prefix="OM_PRIMITIVE_TYPE_",
                                   renames={"OBJECT": "OM_PRIMITIVE_TYPE_UNKNOWN"})
COLLECTION_DEF_CATEGORY = EnumTable(typedefs_pb2.CollectionDefCategory, "COLLECTION_DEF_CATEGORY_",
                                    egeria_prefix="OM_COLLECTION_")
ATTRIBUTE_CARDINALITY = EnumTable(typedefs_pb2.AttributeCardinality, "ATTRIBUTE_CARDINALITY_")
ATTRIBUTE_STATUS = EnumTable(typedefs_pb2.AttributeStatus, "ATTRIBUTE_STATUS_")
PROPAGATION_RULE = EnumTable(typedefs_pb2.ClassificationPropagationRule, "CLASSIFICATION_PROPAGATION_RULE_")
INSTANCE_STATUS = EnumTable(typedefs_pb2.InstanceStatus, "INSTANCE_STATUS_")
PROVENANCE = EnumTable(instances_pb2.InstanceProvenanceType, "INSTANCE_PROVENANCE_TYPE_")
CLASSIFICATION_ORIGIN = EnumTable(instances_pb2.ClassificationOrigin, "CLASSIFICATION_ORIGIN_")


# -- time ---------------------------------------------------------------------------------------------


def ms_to_timestamp(ms: int) -> Timestamp:
    # Floor division keeps nanos non-negative for dates before 1970, as Timestamp requires.
    return Timestamp(seconds=ms // 1000, nanos=(ms % 1000) * 1_000_000)


def timestamp_to_ms(ts: Timestamp) -> int:
    return int(ts.seconds) * 1000 + int(ts.nanos) // 1_000_000


def put_time(out: dict[str, Any], key: str, message: Any, field_name: str) -> None:
    """Write a Timestamp field as epoch ms, only when it is set (absent stays absent)."""
    if message.HasField(field_name):
        out[key] = timestamp_to_ms(getattr(message, field_name))


def put_str(out: dict[str, Any], key: str, value: str) -> None:
    # Egeria omits null strings; the archives never carry "" for these fields, so "" means absent.
    if value:
        out[key] = value


def put_enum(out: dict[str, Any], key: str, table: EnumTable, number: int) -> None:
    if number:
        out[key] = table.egeria(number)
