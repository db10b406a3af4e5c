"""Cohort replication between in-process members over real gRPC (DESIGN §5, issue 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cohortscenarios as scenarios
import pytest
from cohortharness import (
    ALICE,
    COHORT,
    add_entity,
    add_link,
    audit_rows,
    checksum,
    cohort_of,
    heal,
    member_id,
    members,
    partition,
    rt,
    start_member,
    until,
    wait_connected,
    wait_replicated,
)

from coho.omrs.v1 import instances_pb2, typedefs_pb2

pytestmark = pytest.mark.timeout(60)
LOCAL_COHORT = instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT


async def test_three_members_replicate_entity_lifecycle_field_by_field(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as apps:
        await scenarios.lifecycle_field_by_field(members(apps))


async def test_copies_are_read_only_and_old_versions_are_ignored(tmp_path: Path) -> None:
    from coho.server.errors import FailedPrecondition
    from coho.server.repository import refcopies

    async with cohort_of(tmp_path, 2) as (a, b):
        folder = await add_entity(a, "FileFolder")
        file = await add_entity(a, "DataFile")
        rel = await add_link(a, "NestedFile", folder.header.guid, file.header.guid)
        old_rel = rt(a).store.get_relationship(rel.header.guid)
        await rt(a).repository.update_relationship_properties(ALICE, rel.header.guid, old_rel.properties)
        await wait_replicated([a, b])
        copy = rt(b).store.get_relationship(rel.header.guid)
        assert copy.header.version == 2 and copy.header.metadata_collection_id == member_id(a)
        with pytest.raises(FailedPrecondition) as err:
            await rt(b).repository.update_entity_properties(ALICE, file.header.guid, file.properties)
        assert err.value.reason == "NOT_HOME"
        # Re-delivering version 1 (of an entity and of a relationship) changes nothing.
        outcome = await rt(b).repository.save_relationship_reference_copy(ALICE, old_rel)
        assert outcome.value == refcopies.IGNORED_OLDER_VERSION
        assert rt(b).store.get_relationship(rel.header.guid).header.version == 2


async def test_rewound_cursor_redelivers_without_duplicate_application(tmp_path: Path) -> None:
    from coho.server.cohort import registry

    async with cohort_of(tmp_path, 2) as (a, b):
        guids = [(await add_entity(a)).header.guid for _ in range(5)]
        await wait_replicated([a, b])
        b_head = rt(b).store.head_sequence()
        await partition(b)
        await rt(b).store.write(lambda txn: registry.write_cursor(txn, COHORT, member_id(a), 0))
        await heal(b)
        await wait_replicated([a, b])
        # Nothing was applied twice: no new copy events in b's log, versions unchanged.
        assert rt(b).store.head_sequence() == b_head + 1  # only b's RE_REGISTRATION_EVENT
        assert all(rt(b).store.get_entity(g).header.version == 1 for g in guids)
        await until(lambda: any("'ignored_older_version': 5" in r.details.get("outcomes", "")
                                for r in audit_rows(a, "ACK_RECEIVED")), what="the re-delivery's ack")


async def test_audit_chain_for_one_event(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as (a, b):
        entity = await add_entity(a)
        await wait_replicated([a, b])
        guid = entity.header.guid

        def has(app: Any, action: str) -> list[Any]:
            return [r for r in audit_rows(app, action) if guid in r.details.get("guids", "")
                    or action in ("ACK_SENT", "ACK_RECEIVED")]

        await until(lambda: bool(audit_rows(a, "ACK_RECEIVED")), what="ack received")
        sent = has(a, "EVENT_BATCH_SENT")
        saved = has(b, "EVENT_SAVED")
        assert sent and saved
        first, last = saved[0].details["first_sequence"], saved[0].details["last_sequence"]
        assert saved[0].details["publisher"] == member_id(a)
        assert any(r.details["first_sequence"] == first and r.details["last_sequence"] == last
                   for r in has(b, "ACK_SENT"))
        assert any(r.details["first_sequence"] == first and r.details["last_sequence"] == last
                   and r.details["subscriber"] == member_id(b) for r in has(a, "ACK_RECEIVED"))
        assert any(r.details["first_sequence"] == first for r in sent)


async def test_list_cohort_members_over_grpc(tmp_path: Path) -> None:
    from servertest import client

    from coho.admin.v1 import server_admin_service_pb2 as admin_pb

    async with cohort_of(tmp_path, 3) as apps:
        for _ in range(3):
            await add_entity(apps[1])
        await wait_replicated(apps)
        async with client(apps[0]) as stubs:
            response = await stubs.admin.ListCohortMembers(admin_pb.ListCohortMembersRequest(cohort_name=COHORT))
        members = {m.registration.server_name: m for m in response.members}
        assert set(members) == {"m1", "m2"}
        m1 = members["m1"]
        assert m1.registration.metadata_collection_id == member_id(apps[1])
        assert m1.registration.endpoint == apps[1].address
        assert m1.inbound_cursor == rt(apps[1]).store.head_sequence()
        assert m1.inbound_lag == 0
        assert m1.inbound_state == admin_pb.CONNECTION_STATE_CONNECTED
        assert m1.outbound_state == admin_pb.CONNECTION_STATE_CONNECTED
        await until(lambda: all(m.outbound_lag == 0 for m in rt(apps[0]).cohort.members(COHORT)), what="acks")
        assert m1.events_to_save.rule
        assert m1.last_heard.seconds > 0


async def test_late_joiner_catches_up_with_snapshot_then_log(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as (a, b):
        early = [(await add_entity(app)).header.guid for app in (a, b) for _ in range(3)]
        folder = await add_entity(a, "FileFolder")
        file = await add_entity(a, "DataFile")
        await add_link(a, "NestedFile", folder.header.guid, file.header.guid)
        await rt(a).repository.delete_entity(ALICE, early[0])
        c = await start_member(tmp_path, "late", [a.address])
        try:
            await wait_connected([a, b, c])
            late = (await add_entity(b)).header.guid
            await wait_replicated([a, b, c])
            homes = {member_id(a), member_id(b)}
            assert checksum(c, homes) == checksum(a, homes) == checksum(b, homes)
            assert rt(c).store.get_entity(late) is not None
            assert rt(c).store.get_entity(early[0]).header.status == typedefs_pb2.INSTANCE_STATUS_DELETED
            await until(lambda: any(r.details["snapshot"] == "True" for r in audit_rows(a, "EVENT_BATCH_SENT")),
                        what="the snapshot's audit record")
        finally:
            await c.stop()


async def test_partition_and_recovery(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as apps:
        await scenarios.partition_and_recovery(members(apps))


async def test_exchange_rules_filter_by_type_with_subtypes(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as (a, b):
        picky = await start_member(tmp_path, "picky", [a.address],
                                   events_to_save={"rule": "SELECTED_TYPES", "selected_type_names": ["DataFile"]})
        typedefs_only = await start_member(tmp_path, "types", [a.address],
                                           events_to_process={"rule": "JUST_TYPEDEFS"})
        try:
            apps = [a, b, picky, typedefs_only]
            await wait_connected(apps)
            await scenarios.exchange_rules_filter_by_type_with_subtypes(*members(apps))
        finally:
            await typedefs_only.stop()
            await picky.stop()


async def test_stream_cut_while_everyone_writes(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as apps:
        await scenarios.stream_cut_while_writing(members(apps), seconds=2.0)


async def test_deleted_retention_purges_reach_the_peers(tmp_path: Path) -> None:
    """The deleted-instance retention purges through the repository, so peers drop their copies too."""
    import time

    from coho.server.repository import sweeper

    async with cohort_of(tmp_path, 2) as (a, b):
        folder = await add_entity(a, "FileFolder")
        file = await add_entity(a, "DataFile")
        rel = await add_link(a, "NestedFile", folder.header.guid, file.header.guid)
        await rt(a).repository.delete_entity(ALICE, file.header.guid)  # takes the link along
        await wait_replicated([a, b])
        assert rt(b).store.get_entity(file.header.guid).header.status == typedefs_pb2.INSTANCE_STATUS_DELETED
        assert await sweeper.purge_deleted(rt(a).repository, before_ms=int(time.time() * 1000) + 1) == 1
        await wait_replicated([a, b])
        assert rt(b).store.get_entity(file.header.guid) is None
        assert rt(b).store.get_relationship(rel.header.guid) is None
        assert rt(b).store.get_entity(folder.header.guid) is not None
