"""Cohort conflicts, types, membership changes and security between in-process members."""

from __future__ import annotations

from pathlib import Path

import cohortscenarios as scenarios
import pytest
from cohortharness import (
    COHORT,
    add_entity,
    audit_rows,
    cohort_of,
    member_id,
    members,
    rt,
    start_member,
    until,
    wait_connected,
    wait_replicated,
)

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.cohort.transport import GrpcTransport, StreamError

pytestmark = pytest.mark.timeout(60)
P = typedefs_pb2


async def test_new_types_propagate_and_conflicting_types_never_overwrite(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as apps:
        await scenarios.types_propagate_and_conflicts_never_overwrite(*members(apps))


async def test_guid_clash_is_a_conflict_and_the_home_re_identifies(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as apps:
        await scenarios.guid_clash_re_identifies(*members(apps))


async def test_collection_id_clash_is_refused_and_audited(tmp_path: Path) -> None:
    from servertest import PEER_TOKEN

    async with cohort_of(tmp_path, 2) as (a, b):
        impostor = events_pb2.MemberRegistration(metadata_collection_id=member_id(a), server_name="impostor",
                                                 endpoint="127.0.0.1:1")
        transport = GrpcTransport()
        try:
            stream = transport.open_subscription(b.address, PEER_TOKEN)
            await stream.send(cs.ExchangeRequest(hello=cs.Hello(cohort_name=COHORT, registration=impostor)))
            with pytest.raises(StreamError) as err:
                await stream.receive()
        finally:
            await transport.close()
        assert err.value.code == "FAILED_PRECONDITION"
        assert err.value.reason == "CONFLICTING_COLLECTION_ID"
        rows = audit_rows(b, "CONFLICTING_COLLECTION_ID")
        assert rows and rows[0].details["server_name"] == "impostor"


async def test_wrong_token_gets_nothing_and_is_audited(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 1) as (a,):
        intruder = await start_member(tmp_path, "intruder", [a.address], token="not-a-valid-token-123")
        try:
            await until(lambda: bool(audit_rows(intruder, "SUBSCRIPTION_REFUSED")), what="refusal")
            assert audit_rows(intruder, "SUBSCRIPTION_REFUSED")[0].details["code"] == "UNAUTHENTICATED"
            assert rt(a).cohort.members(COHORT) == []
            assert any(r.component == "auth" for r in rt(a).audit.query(
                __import__("coho.server.store.audit_sqlite", fromlist=["AuditQuery"]).AuditQuery(limit=1000)))
        finally:
            await intruder.stop()


async def test_leave_cohort_notifies_peers_and_keeps_copies_as_deregistered(tmp_path: Path) -> None:
    from servertest import client

    from coho.admin.v1 import server_admin_service_pb2 as admin_pb

    async with cohort_of(tmp_path, 3) as (a, b, c):
        kept = await add_entity(c)
        await wait_replicated([a, b, c])
        async with client(c) as stubs:
            response = await stubs.admin.LeaveCohort(admin_pb.LeaveCohortRequest(cohort_name=COHORT))
        assert response.members_notified == 2
        for app in (a, b):
            await until(lambda app=app: any(
                m.registration.metadata_collection_id == member_id(c)
                and m.inbound_state == admin_pb.CONNECTION_STATE_UNREGISTERED for m in rt(app).cohort.members(COHORT)),
                what="peer marked unregistered")
            await until(lambda app=app: rt(app).store.get_entity(kept.header.guid).header.instance_provenance_type
                        == instances_pb2.INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY, what="deregistered copies")
        assert audit_rows(c, "UN_REGISTRATION_EVENT")
        assert audit_rows(a, "MEMBER_UNREGISTERED")


async def test_restart_re_registers_and_resumes_from_cursor(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as (a, b):
        await add_entity(a)
        await wait_replicated([a, b])
        await b.stop()
        more = [(await add_entity(a)).header.guid for _ in range(3)]
        b2 = await start_member(tmp_path, "m1", [a.address])
        try:
            await wait_connected([a, b2])
            await wait_replicated([a, b2])
            assert all(rt(b2).store.get_entity(g) is not None for g in more)
            assert audit_rows(b2, "RE_REGISTRATION_EVENT")
            assert not [r for r in audit_rows(a, "EVENT_BATCH_SENT")
                        if r.details["subscriber"] == member_id(b2) and r.details["snapshot"] == "True"][1:]
        finally:
            await b2.stop()
