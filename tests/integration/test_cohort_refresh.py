"""Refresh requests and unknown-type copies between in-process members over real gRPC (issue 5)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from cohortharness import (
    ALICE,
    add_entity,
    add_link,
    audit_rows,
    cohort_of,
    member_id,
    rt,
    until,
    wait_replicated,
)
from servertest import client

from coho.omrs.v1 import events_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.app import ServerApp

pytestmark = pytest.mark.timeout(60)
P = typedefs_pb2
E = events_pb2


def logged(app: ServerApp, event_type: int) -> list[events_pb2.OmrsEvent]:
    records = rt(app).store.read_changes(0, 100_000)
    return [r.event for r in records if r.event.WhichOneof("section") == "instance"
            and r.event.instance.event_type == event_type]


async def test_refresh_brings_back_a_locally_purged_copy_and_only_the_home_answers(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as (home, asker, bystander):
        folder = await add_entity(home, "FileFolder")
        file = await add_entity(home, "DataFile")
        link = await add_link(home, "NestedFile", folder.header.guid, file.header.guid)
        await wait_replicated([home, asker, bystander])
        home_id = member_id(home)
        await rt(asker).repository.purge_relationship_reference_copy(ALICE, link.header.guid, home_id)
        await rt(asker).repository.purge_entity_reference_copy(ALICE, file.header.guid, home_id)
        assert rt(asker).store.get_entity(file.header.guid) is None
        assert rt(asker).store.get_relationship(link.header.guid) is None

        async with client(asker) as stubs:
            reply = await stubs.mcs.RefreshEntityReferenceCopy(mcs.RefreshEntityReferenceCopyRequest(
                guid=file.header.guid, type_name="DataFile", home_metadata_collection_id=home_id))
            assert reply.header.sequence > 0  # the request's place in the asker's log
            await stubs.mcs.RefreshRelationshipReferenceCopy(mcs.RefreshRelationshipReferenceCopyRequest(
                guid=link.header.guid, type_name="NestedFile", home_metadata_collection_id=home_id))
        await until(lambda: rt(asker).store.get_entity(file.header.guid) is not None
                    and rt(asker).store.get_relationship(link.header.guid) is not None, what="refreshed copies")
        await wait_replicated([home, asker, bystander])
        assert rt(asker).store.get_entity(file.header.guid) == rt(home).store.get_entity(file.header.guid)
        assert rt(asker).store.get_relationship(link.header.guid) == rt(home).store.get_relationship(link.header.guid)
        assert len(logged(asker, E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST)) == 1
        assert len(logged(home, E.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT)) == 1
        assert len(logged(home, E.INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT)) == 1
        # The bystander holds a copy too, but it is not the home: it never answers.
        assert not logged(bystander, E.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT)
        assert not logged(bystander, E.INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT)


def secret_type(app: ServerApp) -> typedefs_pb2.TypeDef:
    asset = rt(app).types.get_type_def("Asset")
    return typedefs_pb2.TypeDef(
        guid=str(uuid.uuid4()), name="SecretAsset", status=P.TYPE_DEF_STATUS_ACTIVE_TYPEDEF, version=1,
        category=P.TYPE_DEF_CATEGORY_ENTITY_DEF, super_type=typedefs_pb2.TypeDefLink(guid=asset.guid, name=asset.name),
        entity_def=typedefs_pb2.EntityDefDetails())


async def test_a_member_that_does_not_know_a_type_keeps_no_copy_and_acks_so(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as (a, b):
        # The type reaches a's registry without a typedef event (as from a local archive), so b never learns it.
        td = secret_type(a)
        types = rt(a).types.copy()
        types.add_type_def(td)
        await rt(a).store.write(lambda txn: txn.put_type_def(td))
        rt(a).swap_types(types)
        secret = await add_entity(a, "SecretAsset")
        known = await add_entity(a, "DataFile")
        await wait_replicated([a, b])
        assert rt(b).store.get_entity(secret.header.guid) is None
        assert rt(b).store.get_entity(known.header.guid) is not None

        def unknown_acks() -> list[object]:
            return [r for r in audit_rows(a, "ACK_RECEIVED") if r.details["subscriber"] == member_id(b)
                    and "ignored_unknown_type" in r.details["outcomes"]]

        await until(lambda: bool(unknown_acks()), what="the ack recording the unknown type")
        assert any("ignored_unknown_type" in r.details["outcomes"] for r in audit_rows(b, "ACK_SENT"))
