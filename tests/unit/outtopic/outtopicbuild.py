"""Builders shared by the out-topic tests (importable: pytest puts tests/ on sys.path via this directory)."""

from __future__ import annotations

import uuid
from typing import Any

from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import Caller, Repository

ALICE = Caller(user_id="alice", connector_id="conn-1", refresh_id="refresh-1", metadata_source="files-src",
               access_service="DataManager")
BOB = Caller(user_id="bob")


def string(v: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name="string",
        primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=v),
    )


def props(**values: str) -> instances_pb2.InstanceProperties:
    return instances_pb2.InstanceProperties(properties={k: string(v) for k, v in values.items()})


async def add(repo: Repository, type_name: str = "DataFile", caller: Caller = ALICE, **values: Any) -> Any:
    values.setdefault("qualifiedName", f"{type_name}:{uuid.uuid4()}")
    written = await repo.add_entity(caller, mcs.NewEntity(type_name=type_name, properties=props(**values)))
    return written.value


async def link(repo: Repository, type_name: str, one: Any, two: Any, caller: Caller = ALICE) -> Any:
    written = await repo.add_relationship(caller, mcs.NewRelationship(
        type_name=type_name, entity_one_guid=one.header.guid, entity_two_guid=two.header.guid))
    return written.value
