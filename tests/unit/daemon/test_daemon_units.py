"""Daemon pieces without a server: act_as auth, report classification, backoff, phase, tagging, entry points."""

from __future__ import annotations

import grpc
import grpc.aio
import pytest

from coho.daemon.config import PermittedSynchronization
from coho.daemon.reports import classify, report_from_entity, report_properties
from coho.daemon.runner import Backoff, load_entry_point, phase_offset
from coho.daemon.tagging import CURRENT_REFRESH, ConnectorIdentity, RefreshTracker, TaggedStub
from coho.integration.v1 import connectors_pb2 as cpb
from coho.omrs.v1 import events_pb2 as ev
from coho.omrs.v1 import instances_pb2
from coho.server.config import AuthConfig
from coho.server.errors import PermissionDenied
from coho.server.rpc.auth import Authenticator
from coho.server.rpc.errors import to_grpc_status

E = ev
WRITE = "/coho.omrs.v1.MetadataCollectionService/AddEntity"


def authenticator() -> Authenticator:
    return Authenticator(AuthConfig.model_validate({"tokens": {
        "daemon-token-1": {"user": "daemon", "roles": ["connector"], "act_as": ["files-bot"]},
        "plain-token-1": {"user": "plain", "roles": ["connector"]},
        "reader-token-1": {"user": "rita", "roles": ["reader"]}}}))


def test_act_as_credits_only_listed_users() -> None:
    auth = authenticator()
    acting = auth.identify(WRITE, {"authorization": "Bearer daemon-token-1", "x-coho-user-id": "files-bot"})
    assert acting.caller.user_id == "files-bot"
    own = auth.identify(WRITE, {"authorization": "Bearer daemon-token-1", "x-coho-user-id": "daemon"})
    assert own.caller.user_id == "daemon"
    with pytest.raises(PermissionDenied) as refused:
        auth.identify(WRITE, {"authorization": "Bearer daemon-token-1", "x-coho-user-id": "root"})
    assert refused.value.reason == "ACT_AS_NOT_ALLOWED"
    with pytest.raises(PermissionDenied):
        auth.identify(WRITE, {"authorization": "Bearer plain-token-1", "x-coho-user-id": "files-bot"})
    with pytest.raises(PermissionDenied) as reader:
        auth.identify("/coho.omrs.v1.MetadataCollectionService/GetEntity",
                      {"authorization": "Bearer reader-token-1", "x-coho-user-id": "rita"})
    assert reader.value.reason == "CONNECTOR_TAGS_NOT_ALLOWED"


def entry(seq: int, kind: int, guid: str) -> ev.SequencedEvent:
    return ev.SequencedEvent(sequence=seq, event=ev.OmrsEvent(
        instance=ev.InstanceEventSection(event_type=kind, instance_guid=guid)))  # type: ignore[arg-type]


def test_classify_reports_each_element_once() -> None:
    entries = [
        entry(1, E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT, "a"),
        entry(2, E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, "a"),  # created in the span: created only
        entry(3, E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, "b"),
        entry(4, E.INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT, "b"),
        entry(5, E.INSTANCE_EVENT_TYPE_NEW_RELATIONSHIP_EVENT, "r"),  # relationships are not elements
        entry(6, E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, "c"),
        entry(7, E.INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT, "c"),  # updated then deleted: deleted only
        entry(8, E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT, "d"),
    ]
    assert classify(entries) == (["a"], ["b"], ["c", "d"])


def test_stored_report_round_trips() -> None:
    report = cpb.IntegrationReport(refresh_id="r1", connector_id="d.c", connector_name="c", daemon_name="d",
                                   created_element_guids=["a"], deleted_element_guids=["b", "c"],
                                   first_sequence=3, last_sequence=9, event_driven=True, error="boom")
    report.refresh_start.FromMilliseconds(1000)
    report.refresh_end.FromMilliseconds(2000)
    entity = instances_pb2.EntityDetail(properties=report_properties(report))
    entity.header.guid = "g1"
    report.report_guid = "g1"
    assert report_from_entity(entity) == report


def test_backoff_is_capped_exponential() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next() == 0.5


def test_phase_offset_is_stable_and_bounded() -> None:
    assert phase_offset("a", 5, 1.0) == phase_offset("a", 5, 1.0)
    assert all(0 <= phase_offset(f"c{i}", 5, 1.0) < 0.5 for i in range(200))
    assert phase_offset("a", 5, 0.0) == 0.0


def identity(sync: PermittedSynchronization, user: str = "daemon", overridden: bool = False) -> ConnectorIdentity:
    return ConnectorIdentity(connector_id="d.c", connector_name="c", daemon_name="d", user_id=user,
                             user_overridden=overridden, metadata_source="src", permitted_synchronization=sync)


def test_tagged_stub_tags_every_call_with_identity_and_direction() -> None:
    tracker = RefreshTracker()
    stub = TaggedStub(object(), "coho.access.v1.DataManagerService",
                      identity(PermittedSynchronization.TO_THIRD_PARTY, "bot", True), tracker)
    tags = dict(stub.metadata())
    assert tags == {"x-coho-connector-id": "d.c", "x-coho-refresh-id": tracker.window.refresh_id,
                    "x-coho-metadata-source": "src", "x-coho-user-id": "bot",
                    "x-coho-permitted-synchronization": "TO_THIRD_PARTY"}
    token = CURRENT_REFRESH.set("refresh-1")
    try:
        assert dict(stub.metadata())["x-coho-refresh-id"] == "refresh-1"
    finally:
        CURRENT_REFRESH.reset(token)
    stewardship = TaggedStub(object(), "coho.access.v1.StewardshipActionService",
                             identity(PermittedSynchronization.BOTH_DIRECTIONS), tracker)
    assert "x-coho-user-id" not in dict(stewardship.metadata())


async def test_server_refusal_of_a_forbidden_direction_surfaces_as_permission_denied() -> None:
    # The server enforces the direction (and audit-logs it); the SDK turns its refusal into the same
    # PermissionDenied a connector author catches, and counts it.
    status = to_grpc_status(PermissionDenied(message="TO_THIRD_PARTY", reason="SYNC_DIRECTION_FORBIDDEN"))
    error = grpc.aio.AioRpcError(status.code, grpc.aio.Metadata(), grpc.aio.Metadata(*status.trailing_metadata),
                                 status.details)

    class RefusingStub:
        def UpsertElements(self, request: object, **kwargs: object) -> object:
            async def refuse() -> None:
                raise error
            return refuse()

    denied: list[str] = []
    stub = TaggedStub(RefusingStub(), "coho.access.v1.DataManagerService",
                      identity(PermittedSynchronization.TO_THIRD_PARTY), RefreshTracker(), denied.append)
    with pytest.raises(PermissionDenied) as err:
        await stub.UpsertElements(object())
    assert err.value.reason == "SYNC_DIRECTION_FORBIDDEN"
    assert denied == ["/coho.access.v1.DataManagerService/UpsertElements"]


def test_entry_points_must_name_connectors() -> None:
    assert load_entry_point("coho.daemon.connectors.files:FolderMonitor").__name__ == "FolderMonitor"
    with pytest.raises(TypeError):
        load_entry_point("coho.daemon.runner:Backoff")
    with pytest.raises(ModuleNotFoundError):
        load_entry_point("no.such.module:X")
