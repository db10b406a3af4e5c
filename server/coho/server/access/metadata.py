"""Shared toolkit of the access-service cores (no grpc here): property mapping and write helpers.

The stewardship and governance cores describe each message as a declarative table from message fields to
type properties (:class:`Field`, :class:`EnumSpec`) and run each mutation as ONE repository write
transaction through the same maintenance functions the Repository uses (``Repository.write`` /
``write_once``), so a mutation and its links commit together and reach the change log.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from google.protobuf.message import Message

from coho.omrs.v1 import common_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import CohoError, InvalidArgument, NotFound, not_found
from coho.server.repository import entities, relationships
from coho.server.repository.api import Caller, Written
from coho.server.repository.headers import DELETED, WriteContext, from_ts, to_ts
from coho.server.store.base import Page, WriteTxn

T = TypeVar("T")
Op = Callable[[WriteTxn, WriteContext], tuple[T, int]]
Props = dict[str, instances_pb2.PropertyValue | None]
"""Property changes: a value to set, or None to remove the property."""

_P = typedefs_pb2
_OP = common_pb2.PropertyComparisonOperator


class RepositoryLike(Protocol):
    """What the cores use of :class:`coho.server.repository.Repository` (duck-typed for the runtime)."""

    store: Any
    types: Any

    @property
    def metadata_collection_id(self) -> str: ...

    def write_context(self, caller: Caller) -> WriteContext: ...

    async def write(self, caller: Caller, op: Op[T]) -> Written[T]: ...

    async def write_once(self, caller: Caller, request_id: str, op: Op[T], encode: Callable[[T, int], bytes],
                         decode: Callable[[bytes], Written[T]]) -> Written[T]: ...

    def get_entity(self, guid: str, *, as_of_ms: int | None = None) -> instances_pb2.EntityDetail: ...

    def find_entities(self, **kwargs: Any) -> Page[instances_pb2.EntityDetail]: ...

    def relationships_for_entity(self, guid: str, **kwargs: Any) -> Page[instances_pb2.Relationship]: ...


# ---------------------------------------------------------------------------------------------- values
def _primitive(category: Any, type_name: str, **value: Any) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name=type_name, primitive=instances_pb2.PrimitiveValue(primitive_def_category=category, **value)
    )


def str_value(text: str) -> instances_pb2.PropertyValue:
    return _primitive(_P.PRIMITIVE_DEF_CATEGORY_STRING, "string", string_value=text)


def date_value(ms: int) -> instances_pb2.PropertyValue:
    return _primitive(_P.PRIMITIVE_DEF_CATEGORY_DATE, "date", date_value=ms)


def dedupe(values: Any) -> None:
    """Drop repeated GUIDs in place, keeping first occurrences (a link exists once however often named)."""
    unique = list(dict.fromkeys(values))
    del values[:]
    values.extend(unique)


def str_map(values: Mapping[str, str]) -> instances_pb2.PropertyValue:
    result = instances_pb2.PropertyValue(type_name="map<string,string>")
    for key, text in values.items():
        result.map.values[key].CopyFrom(str_value(text))
    return result


def object_map(values: Mapping[str, Any]) -> instances_pb2.PropertyValue:
    """A ``map<string,object>``: each value as JSON text, so any JSON value (a Struct's) round-trips."""
    result = instances_pb2.PropertyValue(type_name="map<string,object>")
    for key, value in values.items():
        result.map.values[key].CopyFrom(_primitive(_P.PRIMITIVE_DEF_CATEGORY_OBJECT, "object",
                                                   object_json=json.dumps(value)))
    return result


def read_object_map(value: instances_pb2.PropertyValue | None) -> dict[str, Any]:
    if value is None:
        return {}
    return {key: json.loads(item.primitive.object_json) for key, item in value.map.values.items()
            if item.primitive.WhichOneof("value") == "object_json"}


def plain_value(value: instances_pb2.PropertyValue) -> Any:
    """The Python value of a primitive, enum symbol, array or string map (None for null)."""
    kind = value.WhichOneof("value")
    if kind == "primitive":
        field = value.primitive.WhichOneof("value")
        return getattr(value.primitive, field) if field else None
    if kind == "enum_value":
        return value.enum_value.symbolic_name
    if kind == "array":
        return [plain_value(item) for item in value.array.values]
    if kind == "map":
        return {key: plain_value(item) for key, item in value.map.values.items()}
    return None


@dataclass(frozen=True)
class EnumSpec:
    """A proto enum (``PREFIX_SYMBOL``) stored as an open metadata enum (same symbols, Egeria's ordinals)."""

    type_name: str
    proto: Any
    prefix: str
    ordinals: Mapping[str, int]

    def to_value(self, number: int) -> instances_pb2.PropertyValue | None:
        symbol = self.symbol(number)
        if symbol not in self.ordinals:
            return None  # UNSPECIFIED: leave the property unset
        return instances_pb2.PropertyValue(
            type_name=self.type_name,
            enum_value=instances_pb2.EnumValue(ordinal=self.ordinals[symbol], symbolic_name=symbol),
        )

    def from_symbol(self, symbol: str) -> int:
        try:
            return int(self.proto.Value(self.prefix + symbol))
        except ValueError:
            return 0  # a symbol the proto lacks (e.g. PAUSED) reads as UNSPECIFIED

    def symbol(self, number: int) -> str:
        try:
            return str(self.proto.Name(number)).removeprefix(self.prefix)
        except ValueError as exc:  # proto3 enums are open: a client may send any number
            enum = self.proto.DESCRIPTOR.name
            raise InvalidArgument(message=f"{enum}: unknown value {number}", reason="UNKNOWN_ENUM_VALUE",
                                  field_violations=[(enum, f"unknown value {number}")]) from exc


Kind = Literal["str", "int", "long", "bool", "date", "strmap", "strarray", "enum"]


@dataclass(frozen=True)
class Field:
    """How one message field is stored: the property name and its value kind."""

    prop: str
    kind: Kind = "str"
    enum: EnumSpec | None = None


_SCALARS: dict[str, Callable[[Any], instances_pb2.PropertyValue]] = {
    "str": str_value,
    "int": lambda v: _primitive(_P.PRIMITIVE_DEF_CATEGORY_INT, "int", int_value=v),
    "long": lambda v: _primitive(_P.PRIMITIVE_DEF_CATEGORY_LONG, "long", long_value=v),
    "bool": lambda v: _primitive(_P.PRIMITIVE_DEF_CATEGORY_BOOLEAN, "boolean", boolean_value=bool(v)),
    "strmap": lambda v: str_map(dict(v)),
    "strarray": lambda v: instances_pb2.PropertyValue(
        type_name="array<string>", array=instances_pb2.ArrayValue(values=[str_value(item) for item in v])),
}


def to_property(message: Message, name: str, spec: Field) -> instances_pb2.PropertyValue | None:
    """The property value for one message field; None when the field is at its default (property removed)."""
    value = getattr(message, name)
    if spec.kind == "date":
        return date_value(from_ts(value)) if message.HasField(name) else None
    if not value:
        return None
    if spec.kind == "enum":
        assert spec.enum is not None
        return spec.enum.to_value(value)
    return _SCALARS[spec.kind](value)


def from_property(message: Message, name: str, spec: Field, value: instances_pb2.PropertyValue) -> None:
    """Set one message field from its stored property (unknown shapes are skipped, never fatal)."""
    plain = plain_value(value)
    if plain is None:
        return
    if spec.kind == "date":
        getattr(message, name).CopyFrom(to_ts(int(plain)))
    elif spec.kind == "strmap":
        getattr(message, name).update({k: str(v) for k, v in plain.items()})
    elif spec.kind == "strarray":
        getattr(message, name).extend(str(item) for item in plain)
    elif spec.kind == "enum":
        assert spec.enum is not None
        setattr(message, name, spec.enum.from_symbol(str(plain)))
    else:
        setattr(message, name, plain)


def read_fields(properties: instances_pb2.InstanceProperties, table: Mapping[str, Field], message: Message) -> None:
    for name, spec in table.items():
        value = properties.properties.get(spec.prop)
        if value is not None:
            from_property(message, name, spec, value)


def changes_for(message: Message, table: Mapping[str, Field], names: Iterable[str]) -> Props:
    return {table[name].prop: to_property(message, name, table[name]) for name in names}


def apply_changes(stored: instances_pb2.InstanceProperties, changes: Props) -> instances_pb2.InstanceProperties:
    result = instances_pb2.InstanceProperties()
    result.CopyFrom(stored)
    for prop, value in changes.items():
        if value is None:
            result.properties.pop(prop, None)
        else:
            result.properties[prop].CopyFrom(value)
    return result


def new_properties(changes: Props) -> instances_pb2.InstanceProperties:
    return apply_changes(instances_pb2.InstanceProperties(), changes)


def update_mask(update_fields: Sequence[str], settable: Sequence[str], path: str = "update_fields") -> list[str]:
    """The fields an update sets: those named, or every settable one when none are (AIP-134 full replace)."""
    if not update_fields:
        return list(settable)
    bad = [(f"{path}[{i}]", f"{name!r} is not settable (settable: {', '.join(settable)})")
           for i, name in enumerate(update_fields) if name not in settable]
    if bad:
        raise InvalidArgument(message="update_fields names fields that cannot be set", reason="BAD_UPDATE_FIELD",
                              field_violations=bad)
    return list(dict.fromkeys(update_fields))


def generated_name(type_name: str, *parts: str) -> str:
    """A unique qualified name for a caller who gave none: readable prefix, uuid for uniqueness."""
    label = "::".join(part for part in parts if part)
    return f"{type_name}::{label + '::' if label else ''}{uuid.uuid4()}"


def bad_transition(field: str, old: str, new: str) -> InvalidArgument:
    return InvalidArgument(message=f"{field} cannot change from {old} to {new}", reason="BAD_TRANSITION",
                           field_violations=[(field, f"cannot change from {old} to {new}")],
                           metadata={"from": old, "to": new})


# ---------------------------------------------------------------------------------------------- writes
def request_key(method: str, request_id: str) -> str:
    # Namespaced so an access-service request id never collides with a repository AddEntity request id.
    return f"{method}:{request_id}" if request_id else ""


def load_typed(txn: WriteTxn, ctx: WriteContext, guid: str, type_name: str, field: str = "guid"
               ) -> instances_pb2.EntityDetail:
    """The live entity of this type (or a subtype) inside a transaction; NOT_FOUND naming the type otherwise."""
    if not guid:
        raise InvalidArgument(message=f"{field} is required", reason="MISSING_FIELD",
                              field_violations=[(field, "is required")])
    entity = txn.get_entity(guid)
    if entity is None or entity.header.status == DELETED or not ctx.types.is_a(
            entity.header.type.type_def_name, type_name):
        raise not_found(type_name, guid)
    return entity


def read_typed(repo: RepositoryLike, guid: str, type_name: str) -> instances_pb2.EntityDetail:
    """As :func:`load_typed`, outside a transaction."""
    if not guid:
        raise InvalidArgument(message="guid is required", reason="MISSING_FIELD",
                              field_violations=[("guid", "is required")])
    try:
        entity = repo.get_entity(guid)
    except NotFound:
        raise not_found(type_name, guid) from None
    if entity.header.status == DELETED or not repo.types.is_a(entity.header.type.type_def_name, type_name):
        raise not_found(type_name, guid)
    return entity


def add_entity(txn: WriteTxn, ctx: WriteContext, type_name: str, properties: instances_pb2.InstanceProperties,
               path: str) -> tuple[instances_pb2.EntityDetail, int]:
    return entities.add_entity(txn, ctx, mcs.NewEntity(type_name=type_name, properties=properties), path)


def update_entity(txn: WriteTxn, ctx: WriteContext, stored: instances_pb2.EntityDetail,
                  properties: instances_pb2.InstanceProperties) -> tuple[instances_pb2.EntityDetail, int]:
    """Replace the properties (already merged by the caller); an unchanged entity is not rewritten."""
    if properties == stored.properties:
        return stored, 0
    return entities.update_properties(txn, ctx, stored.header.guid, properties, merge=False,
                                      expected_version=stored.header.version)


def linked_guids(txn: WriteTxn, guid: str, type_name: str, anchor_end: int) -> dict[str, str]:
    """{other end's guid: relationship guid} for the live links of this type with guid at anchor_end."""
    found: dict[str, str] = {}
    for rel in txn.relationships_of(guid):
        if rel.header.type.type_def_name != type_name or rel.header.status == DELETED:
            continue
        ends = (rel.entity_one_proxy.header.guid, rel.entity_two_proxy.header.guid)
        if ends[anchor_end - 1] == guid:
            found[ends[2 - anchor_end]] = rel.header.guid
    return found


def sync_links(txn: WriteTxn, ctx: WriteContext, *, anchor: str, anchor_end: int, type_name: str,
               wanted: Sequence[str], field: str) -> int:
    """Make the anchor's live links of this type go to exactly ``wanted``; returns the last sequence."""
    existing = linked_guids(txn, anchor, type_name, anchor_end)
    sequence = 0
    for index, other in enumerate(dict.fromkeys(wanted)):
        if other in existing:
            continue
        if txn.get_entity(other) is None and txn.get_proxy(other) is None:
            error = not_found("EntityDetail", other)
            error.field_violations.append((f"{field}[{index}]", "unknown element"))
            raise error
        ends = (anchor, other) if anchor_end == 1 else (other, anchor)
        new = mcs.NewRelationship(type_name=type_name, entity_one_guid=ends[0], entity_two_guid=ends[1])
        try:
            _, sequence = relationships.add_relationship(txn, ctx, new, f"{field}[{index}]")
        except CohoError as exc:
            exc.field_violations = [(f"{field}[{index}]", text) for _, text in exc.field_violations]
            raise
    for other, rel_guid in existing.items():
        if other not in wanted:
            _, sequence = relationships.delete_relationship(txn, ctx, rel_guid, expected_version=0)
    return sequence


# ---------------------------------------------------------------------------------------------- queries
def eq(prop: str, value: instances_pb2.PropertyValue) -> common_pb2.PropertyCondition:
    return common_pb2.PropertyCondition(property_name=prop, operator=_OP.PROPERTY_COMPARISON_OPERATOR_EQ, value=value)


def any_of(conditions: Sequence[common_pb2.PropertyCondition]) -> common_pb2.PropertyCondition:
    return common_pb2.PropertyCondition(nested_conditions=common_pb2.SearchProperties(
        conditions=conditions, match_criteria=common_pb2.MATCH_CRITERIA_ANY))


def filtered_page(fetch: Callable[[str], Page[T]], keep: Callable[[T], bool], page_size: int, token: str) -> Page[T]:
    """A page of the items that ``keep`` accepts, for filters the store cannot express.

    The token is the inner page token plus how many of that inner page were consumed, so paging stays exact
    while the store's own pages are scanned in order.
    """
    inner, skip = _decode_token(token)
    out: list[T] = []
    while True:
        page = fetch(inner)
        for index in range(skip, len(page.items)):
            if keep(page.items[index]):
                out.append(page.items[index])
            if len(out) == page_size:
                if index + 1 < len(page.items):
                    return Page(out, _encode_token(inner, index + 1))
                return Page(out, _encode_token(page.next_page_token, 0) if page.next_page_token else "")
        if not page.next_page_token:
            return Page(out, "")
        inner, skip = page.next_page_token, 0


def _encode_token(inner: str, skip: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([inner, skip]).encode()).decode()


def _decode_token(token: str) -> tuple[str, int]:
    if not token:
        return "", 0
    try:
        inner, skip = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(inner), int(skip)
    except (ValueError, TypeError):
        raise InvalidArgument(message="page_token is not valid", reason="BAD_PAGE_TOKEN",
                              field_violations=[("page_token", "not a token this service issued")]) from None


def page_size_or_default(page_size: int) -> int:
    if page_size < 0 or page_size > 1000:
        raise InvalidArgument(message="page_size must be 0..1000", reason="BAD_PAGE_SIZE",
                              field_violations=[("page_size", "must be 0..1000")])
    return page_size or 100
