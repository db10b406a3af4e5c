"""Builders for store tests: entities, relationships, events and search conditions from plain values."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from coho.omrs.v1 import common_pb2, events_pb2, instances_pb2, typedefs_pb2
from coho.server.store import ChangeMeta, WriteTxn, open_sqlite_store
from coho.server.store.sqlite import SqliteStore

ACTIVE = typedefs_pb2.INSTANCE_STATUS_ACTIVE
DELETED = typedefs_pb2.INSTANCE_STATUS_DELETED
OP = common_pb2.PropertyComparisonOperator
MC = common_pb2.MatchCriteria
SO = common_pb2.SequencingOrder


def value(raw: Any) -> instances_pb2.PropertyValue:
    """A PropertyValue from a Python value (str, bool, int, float, list, dict, EnumValue, None)."""
    pv = instances_pb2.PropertyValue()
    if isinstance(raw, instances_pb2.EnumValue):
        pv.enum_value.CopyFrom(raw)
    elif isinstance(raw, bool):
        pv.primitive.boolean_value = raw
    elif isinstance(raw, int) and -(2**63) <= raw < 2**63:
        pv.primitive.long_value = raw
    elif isinstance(raw, int):
        pv.primitive.big_integer_value = str(raw)
    elif isinstance(raw, float):
        pv.primitive.double_value = raw
    elif isinstance(raw, str):
        pv.primitive.string_value = raw
    elif isinstance(raw, list):
        pv.array.values.extend(value(item) for item in raw)
    elif isinstance(raw, dict):
        for key, item in raw.items():
            pv.map.values[key].CopyFrom(value(item))
    elif raw is None:
        pv.primitive.primitive_def_category = typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING
    else:
        raise TypeError(raw)
    return pv


def props(values: dict[str, Any]) -> instances_pb2.InstanceProperties:
    result = instances_pb2.InstanceProperties()
    for name, raw in values.items():
        result.properties[name].CopyFrom(value(raw))
    return result


def header(
    guid: str | None,
    type_name: str,
    *,
    version: int = 1,
    created: int = 1_000,
    updated: int = 0,
    status: int = ACTIVE,
    home: str = "home",
) -> instances_pb2.InstanceHeader:
    h = instances_pb2.InstanceHeader(
        guid=guid or str(uuid.uuid4()),
        version=version,
        status=status,
        metadata_collection_id=home,  # type: ignore[arg-type]
    )
    h.type.type_def_name = type_name
    h.create_time.FromMilliseconds(created)
    if updated:
        h.update_time.FromMilliseconds(updated)
    return h


def entity(
    guid: str | None = None,
    type_name: str = "DataSet",
    properties: dict[str, Any] | None = None,
    classifications: dict[str, dict[str, Any]] | None = None,
    **header_args: Any,
) -> instances_pb2.EntityDetail:
    e = instances_pb2.EntityDetail(header=header(guid, type_name, **header_args))
    e.properties.CopyFrom(props(properties or {}))
    for name, values in (classifications or {}).items():
        e.classifications.add(name=name, properties=props(values))
    return e


def proxy(guid: str | None = None, type_name: str = "DataSet", **unique: Any) -> instances_pb2.EntityProxy:
    p = instances_pb2.EntityProxy(header=header(guid, type_name))
    p.unique_properties.CopyFrom(props(unique))
    return p


def relationship(
    end1: str,
    end2: str,
    type_name: str = "Link",
    guid: str | None = None,
    properties: dict[str, Any] | None = None,
    **header_args: Any,
) -> instances_pb2.Relationship:
    r = instances_pb2.Relationship(header=header(guid, type_name, **header_args))
    r.properties.CopyFrom(props(properties or {}))
    r.entity_one_proxy.header.guid = end1
    r.entity_two_proxy.header.guid = end2
    return r


def event(guid: str = "") -> events_pb2.OmrsEvent:
    e = events_pb2.OmrsEvent(protocol_version="coho/1")
    e.instance.instance_guid = guid
    return e


def add(txn: WriteTxn, e: instances_pb2.EntityDetail, meta: ChangeMeta | None = None) -> int:
    """put_entity + append_change, as the repository does for a create."""
    txn.put_entity(e)
    return txn.append_change(
        event(e.header.guid),
        guid=e.header.guid,
        type_name=e.header.type.type_def_name,
        kind="entity",
        meta=meta or ChangeMeta(user_id="tester"),
    )


def cond(name: str, op: int, raw: Any = None) -> common_pb2.PropertyCondition:
    c = common_pb2.PropertyCondition(property_name=name, operator=op)  # type: ignore[arg-type]
    if raw is not None:
        c.value.CopyFrom(value(raw))
    return c


def search(
    *conditions: common_pb2.PropertyCondition, match: int = MC.MATCH_CRITERIA_ALL
) -> common_pb2.SearchProperties:
    return common_pb2.SearchProperties(conditions=list(conditions), match_criteria=match)  # type: ignore[arg-type]


def nested(inner: common_pb2.SearchProperties) -> common_pb2.PropertyCondition:
    return common_pb2.PropertyCondition(nested_conditions=inner)


def open_store(path: Path, **kwargs: Any) -> SqliteStore:
    return open_sqlite_store(path, **kwargs)
