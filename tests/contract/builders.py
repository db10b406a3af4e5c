"""Builders for the contract suite: property values, new instances, search conditions, remote copies."""

from __future__ import annotations

import uuid
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from coho.omrs.v1 import common_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import CohoError
from coho.server.repository import Caller, Repository
from coho.server.types import TypeRegistry

ALICE = Caller(user_id="alice", connector_id="conn-1", refresh_id="refresh-1", metadata_source="files-src")
BOB = Caller(user_id="bob")
REMOTE_ID = "remote-collection-id"
REMOTE_NAME = "remote"
BASE_MS = 1_700_000_000_000

P = typedefs_pb2
ACTIVE = P.INSTANCE_STATUS_ACTIVE
DELETED = P.INSTANCE_STATUS_DELETED
DRAFT = P.INSTANCE_STATUS_DRAFT
C = common_pb2


class Clock:
    """A clock that moves 1 ms per reading (distinct, increasing times), and jumps on demand."""

    def __init__(self) -> None:
        self.now = BASE_MS

    def __call__(self) -> int:
        self.now += 1
        return self.now

    def advance(self, ms: int) -> int:
        self.now += ms
        return self.now


def ts(ms: int) -> Timestamp:
    t = Timestamp()
    t.FromMilliseconds(ms)
    return t


def ms(t: Timestamp) -> int:
    return int(t.ToMilliseconds())


# -- property values --------------------------------------------------------------------------------
def string(v: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="string",
        primitive=instances_pb2.PrimitiveValue(primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_STRING, string_value=v),
    )


def long(v: int) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="long",
        primitive=instances_pb2.PrimitiveValue(primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_LONG, long_value=v),
    )


def integer(v: int) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="int",
        primitive=instances_pb2.PrimitiveValue(primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_INT, int_value=v),
    )


def boolean(v: bool) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="boolean",
        primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_BOOLEAN, boolean_value=v
        ),
    )


def date(v: int) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="date",
        primitive=instances_pb2.PrimitiveValue(primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_DATE, date_value=v),
    )


def strings(*vs: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="array<string>", array=instances_pb2.ArrayValue(values=[string(v) for v in vs])
    )


def enum(symbol: str, ordinal: int = 0) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(enum_value=instances_pb2.EnumValue(symbolic_name=symbol, ordinal=ordinal))


def value_of(v: Any) -> instances_pb2.PropertyValue:
    if isinstance(v, instances_pb2.PropertyValue):
        return v
    if isinstance(v, bool):
        return boolean(v)
    if isinstance(v, int):
        return long(v)
    return string(str(v))


def props(**values: Any) -> instances_pb2.InstanceProperties:
    """Strings stay strings, ints become longs, bools booleans; pass a PropertyValue for anything else."""
    return instances_pb2.InstanceProperties(properties={k: value_of(v) for k, v in values.items()})


def text(p: instances_pb2.InstanceProperties, name: str) -> str:
    return str(p.properties[name].primitive.string_value)


# -- new instances ------------------------------------------------------------------------------------
def new_entity(type_name: str = "DataFile", **values: Any) -> mcs.NewEntity:
    return mcs.NewEntity(type_name=type_name, properties=props(**values))


def new_rel(type_name: str, one: str, two: str, **values: Any) -> mcs.NewRelationship:
    return mcs.NewRelationship(
        type_name=type_name, entity_one_guid=one, entity_two_guid=two, properties=props(**values)
    )


async def add(repo: Repository, type_name: str = "DataFile", caller: Caller = ALICE, **values: Any) -> Any:
    """Add an entity; qualifiedName defaults to a fresh unique one."""
    values.setdefault("qualifiedName", f"{type_name}:{uuid.uuid4()}")
    return (await repo.add_entity(caller, new_entity(type_name, **values))).value


async def link(repo: Repository, type_name: str, one: Any, two: Any, caller: Caller = ALICE, **values: Any) -> Any:
    return (await repo.add_relationship(caller, new_rel(type_name, one.header.guid, two.header.guid, **values))).value


# -- search -------------------------------------------------------------------------------------------
def cond(name: str, op: int, value: Any = None) -> C.PropertyCondition:
    condition = C.PropertyCondition(property_name=name, operator=op)  # type: ignore[arg-type]
    if value is not None:
        condition.value.CopyFrom(value_of(value))
    return condition


def nested(*conditions: C.PropertyCondition, match: int = C.MATCH_CRITERIA_ALL) -> C.PropertyCondition:
    return C.PropertyCondition(nested_conditions=search(*conditions, match=match))


def search(*conditions: C.PropertyCondition, match: int = C.MATCH_CRITERIA_ALL) -> C.SearchProperties:
    return C.SearchProperties(conditions=list(conditions), match_criteria=match)  # type: ignore[arg-type]


def guids(items: Any) -> set[str]:
    return {item.header.guid for item in items}


# -- remote instances (reference copies) ----------------------------------------------------------------
def remote_header(
    types: TypeRegistry,
    type_name: str,
    *,
    guid: str | None = None,
    version: int = 1,
    create_ms: int = BASE_MS,
    home: str = REMOTE_ID,
    status: int = ACTIVE,
) -> instances_pb2.InstanceHeader:
    return instances_pb2.InstanceHeader(
        guid=guid or str(uuid.uuid4()),
        type=types.instance_type(type_name),
        instance_provenance_type=instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT,
        metadata_collection_id=home,
        metadata_collection_name=REMOTE_NAME,
        created_by="remote-user",
        create_time=ts(create_ms),
        update_time=ts(create_ms + version),
        version=version,
        status=status,  # type: ignore[arg-type]
    )


def remote_entity(types: TypeRegistry, type_name: str = "DataFile", **kw: Any) -> instances_pb2.EntityDetail:
    values = kw.pop("values", {})
    values.setdefault("qualifiedName", f"remote:{uuid.uuid4()}")
    return instances_pb2.EntityDetail(header=remote_header(types, type_name, **kw), properties=props(**values))


def proxy_of(types: TypeRegistry, entity: instances_pb2.EntityDetail) -> instances_pb2.EntityProxy:
    proxy = instances_pb2.EntityProxy(header=entity.header)
    for name in types.unique_properties(entity.header.type.type_def_name):
        if name in entity.properties.properties:
            proxy.unique_properties.properties[name].CopyFrom(entity.properties.properties[name])
    return proxy


def remote_relationship(
    types: TypeRegistry, type_name: str, one: instances_pb2.EntityDetail, two: instances_pb2.EntityDetail, **kw: Any
) -> instances_pb2.Relationship:
    return instances_pb2.Relationship(
        header=remote_header(types, type_name, **kw),
        entity_one_proxy=proxy_of(types, one),
        entity_two_proxy=proxy_of(types, two),
    )


def copy_of(message: Any, **header: Any) -> Any:
    """A copy of an instance with some header fields changed (version, create_ms, ...)."""
    result = type(message)()
    result.CopyFrom(message)
    for key, value in header.items():
        if key == "create_ms":
            result.header.create_time.CopyFrom(ts(value))
        elif key == "version":
            result.header.version = value
            result.header.update_time.CopyFrom(ts(ms(result.header.create_time) + value))
        else:
            setattr(result.header, key, value)
    return result


def error_of(exc: BaseException) -> tuple[str, str, list[tuple[str, str]]]:
    assert isinstance(exc, CohoError)
    return type(exc).__name__, exc.reason, exc.field_violations


# -- test-only types --------------------------------------------------------------------------------------
TEST_ASSET = "ContractTestAsset"
"""An Asset subtype with a DRAFT..ACTIVE lifecycle (initial DRAFT) and one property of each kind."""
TEST_DEPRECATED = "ContractDeprecatedAsset"
TEST_MULTI_LINK = "ContractMultiLink"


def _attr(types: TypeRegistry, name: str, type_name: str) -> typedefs_pb2.TypeDefAttribute:
    atd = types.get_attribute_type_def(type_name)
    assert atd is not None, type_name
    return typedefs_pb2.TypeDefAttribute(
        attribute_name=name, attribute_type=atd, attribute_status=P.ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE
    )


def _link(types: TypeRegistry, name: str) -> typedefs_pb2.TypeDefLink:
    td = types.get_type_def(name)
    assert td is not None, name
    return typedefs_pb2.TypeDefLink(guid=td.guid, name=td.name)


def add_test_types(types: TypeRegistry) -> TypeRegistry:
    entity = typedefs_pb2.TypeDef(
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, TEST_ASSET)),
        name=TEST_ASSET,
        status=P.TYPE_DEF_STATUS_ACTIVE_TYPEDEF,
        version=1,
        category=P.TYPE_DEF_CATEGORY_ENTITY_DEF,
        super_type=_link(types, "Asset"),
        valid_instance_statuses=[DRAFT, P.INSTANCE_STATUS_PROPOSED, ACTIVE, DELETED],
        initial_status=DRAFT,
        properties_definition=[
            _attr(types, "count", "int"),
            _attr(types, "flag", "boolean"),
            _attr(types, "when", "date"),
            _attr(types, "tags", "array<string>"),
            _attr(types, "pattern", "KeyPattern"),
        ],
        entity_def=typedefs_pb2.EntityDefDetails(),
    )
    deprecated = typedefs_pb2.TypeDef(
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, TEST_DEPRECATED)),
        name=TEST_DEPRECATED,
        status=P.TYPE_DEF_STATUS_DEPRECATED_TYPEDEF,
        version=1,
        category=P.TYPE_DEF_CATEGORY_ENTITY_DEF,
        super_type=_link(types, "Asset"),
        entity_def=typedefs_pb2.EntityDefDetails(),
    )
    multi = typedefs_pb2.TypeDef(
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, TEST_MULTI_LINK)),
        name=TEST_MULTI_LINK,
        status=P.TYPE_DEF_STATUS_ACTIVE_TYPEDEF,
        version=1,
        category=P.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF,
        properties_definition=[_attr(types, "label", "string")],
        relationship_def=typedefs_pb2.RelationshipDefDetails(
            multi_link=True,
            end_def_1=typedefs_pb2.RelationshipEndDef(
                entity_type=_link(types, "Referenceable"),
                attribute_name="from",
                attribute_cardinality=P.ATTRIBUTE_CARDINALITY_ANY_NUMBER,
            ),
            end_def_2=typedefs_pb2.RelationshipEndDef(
                entity_type=_link(types, "Referenceable"),
                attribute_name="to",
                attribute_cardinality=P.ATTRIBUTE_CARDINALITY_ANY_NUMBER,
            ),
        ),
    )
    for td in (entity, deprecated, multi):
        types.add_type_def(td)
    return types
