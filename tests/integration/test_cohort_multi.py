"""One server in two cohorts at once (issue 5: membership of several cohorts), in-process over real gRPC.

X belongs to cohort A (with Y) and cohort B (with Z). X exchanges with both; each cohort keeps its own
registry, cursors, acks and exchange rules; Y and Z never see each other's instances through X, because a
member only sends the instances it is home of (Egeria: reference copies are not re-sent by a non-home).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from cohortharness import (
    add_entity,
    audit_rows,
    cohort_entry,
    member_id,
    rt,
    start_member,
    until,
    wait_connected,
    wait_replicated,
)
from servertest import client

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.server.app import ServerApp
from coho.server.cohort import registry

pytestmark = pytest.mark.timeout(90)
A, B = "cohort-a", "cohort-b"


def has(app: ServerApp, guid: str) -> bool:
    return rt(app).store.get_entity(guid) is not None


async def two_cohorts(stack: AsyncExitStack, tmp_path: Path) -> tuple[ServerApp, ServerApp, ServerApp]:
    """X in A and B (B saves only DataFiles and sends only DataFiles); Y in A; Z in B."""
    x = await start_member(tmp_path, "x", [], cohorts=[
        cohort_entry([], name=A),
        cohort_entry([], name=B, events_to_save={"rule": "SELECTED_TYPES", "selected_type_names": ["DataFile"]},
                     events_to_send={"rule": "SELECTED_TYPES", "selected_type_names": ["DataFile"]})])
    stack.push_async_callback(x.stop)
    y = await start_member(tmp_path, "y", [], cohorts=[cohort_entry([x.address], name=A)])
    stack.push_async_callback(y.stop)
    z = await start_member(tmp_path, "z", [], cohorts=[cohort_entry([x.address], name=B)])
    stack.push_async_callback(z.stop)
    await wait_connected([x, y], cohort=A)
    await wait_connected([x, z], cohort=B)
    return x, y, z


async def test_a_member_of_two_cohorts_exchanges_with_both_under_each_cohorts_rules(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        x, y, z = await two_cohorts(stack, tmp_path)
        xid, yid, zid = member_id(x), member_id(y), member_id(z)
        files = {app: (await add_entity(app, "DataFile")).header.guid for app in (x, y, z)}
        folders = {app: (await add_entity(app, "FileFolder")).header.guid for app in (x, y, z)}
        await wait_replicated([x, y], cohort=A)
        await wait_replicated([x, z], cohort=B)

        # X holds copies from both cohorts, under each cohort's save rule: B saves DataFiles only.
        assert has(x, files[y]) and has(x, folders[y])
        assert has(x, files[z]) and not has(x, folders[z])
        # X's own instances reach Y (A: ALL) and Z (B: send DataFiles only).
        assert has(y, files[x]) and has(y, folders[x])
        assert has(z, files[x]) and not has(z, folders[x])
        # Y and Z are in no common cohort: X never passes on the copies it holds of the other's instances.
        assert not has(y, files[z]) and not has(z, files[y])
        assert rt(x).store.get_entity(files[z]).header.metadata_collection_id == zid

        # Registries and cursors are per cohort: Y is only known in A, Z only in B.
        store = rt(x).store
        assert registry.read_cursor(store, A, yid) == rt(y).store.head_sequence()
        assert registry.read_cursor(store, B, zid) == rt(z).store.head_sequence()
        assert registry.read_cursor(store, B, yid) is None and registry.read_cursor(store, A, zid) is None
        assert set(registry.CohortRegistry.load(store, A).peers) == {yid}
        assert set(registry.CohortRegistry.load(store, B).peers) == {zid}
        assert set(registry.CohortRegistry.load(rt(y).store, A).peers) == {xid}  # Z is not in A's directory

        # Acks are tagged with their cohort on both sides, and the rule's outcome shows in B's acks only.
        def acks(app: ServerApp, action: str, peer_field: str, peer: str) -> list[Any]:
            return [r for r in audit_rows(app, action) if r.details.get(peer_field) == peer]

        await until(lambda: bool(acks(x, "ACK_RECEIVED", "subscriber", zid))
                    and bool(acks(x, "ACK_RECEIVED", "subscriber", yid)), what="acks from both cohorts")
        assert {r.details["cohort"] for r in acks(x, "ACK_RECEIVED", "subscriber", yid)} == {A}
        assert {r.details["cohort"] for r in acks(x, "ACK_RECEIVED", "subscriber", zid)} == {B}
        assert {r.details["cohort"] for r in acks(x, "ACK_SENT", "publisher", zid)} == {B}
        assert any("ignored_by_rule" in r.details["outcomes"] for r in acks(x, "ACK_SENT", "publisher", zid))
        assert not any("ignored_by_rule" in r.details["outcomes"] for r in acks(x, "ACK_SENT", "publisher", yid))
        assert {r.details["cohort"] for r in audit_rows(x, "REGISTRATION_EVENT")} == {A, B}

        # Admin shows the peers per cohort, each with its own cursor, state and rules.
        async with client(x) as stubs:
            every = (await stubs.admin.ListCohortMembers(admin_pb.ListCohortMembersRequest())).members
            only_a = (await stubs.admin.ListCohortMembers(admin_pb.ListCohortMembersRequest(cohort_name=A))).members
            status = await stubs.admin.GetServerStatus(admin_pb.GetServerStatusRequest())
        assert list(status.cohort_names) == [A, B]
        assert {(m.cohort_name, m.registration.server_name) for m in every} == {(A, "y"), (B, "z")}
        assert [m.registration.server_name for m in only_a] == ["y"]
        by_cohort = {m.cohort_name: m for m in every}
        assert by_cohort[A].inbound_cursor == rt(y).store.head_sequence()
        assert by_cohort[B].inbound_cursor == rt(z).store.head_sequence()
        assert by_cohort[B].events_to_save.selected_type_names == ["DataFile"]
        assert not by_cohort[A].events_to_save.selected_type_names
        assert all(m.inbound_state == admin_pb.CONNECTION_STATE_CONNECTED for m in every)


async def test_a_late_joiner_of_one_cohort_gets_no_copies_from_the_other(tmp_path: Path) -> None:
    """The snapshot a newcomer of A gets from X holds X's own instances only, not X's copies of B's."""
    async with AsyncExitStack() as stack:
        x, y, z = await two_cohorts(stack, tmp_path)
        mine = (await add_entity(x, "DataFile")).header.guid
        theirs = (await add_entity(z, "DataFile")).header.guid
        await wait_replicated([x, z], cohort=B)
        assert has(x, theirs)
        late = await start_member(tmp_path, "late", [], cohorts=[cohort_entry([x.address], name=A)])
        stack.push_async_callback(late.stop)
        await wait_connected([x, y, late], cohort=A)
        await wait_replicated([x, y, late], cohort=A)
        assert has(late, mine) and not has(late, theirs)

        def snapshots() -> list[Any]:
            return [r for r in audit_rows(x, "EVENT_BATCH_SENT")
                    if r.details["subscriber"] == member_id(late) and r.details["snapshot"] == "True"]
        await until(lambda: bool(snapshots()), what="the snapshot's audit record")
        assert {r.details["cohort"] for r in snapshots()} == {A}
        # Leaving one cohort leaves the other running.
        async with client(x) as stubs:
            await stubs.admin.LeaveCohort(admin_pb.LeaveCohortRequest(cohort_name=A))
        later = (await add_entity(x, "DataFile")).header.guid
        await until(lambda: has(z, later), what="B to keep replicating after X left A")
        assert not has(y, later)
