"""Auth over real gRPC: tokens, role policy, connector tags and the credited user."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from contract.builders import new_entity
from grpc_health.v1 import health_pb2, health_pb2_grpc
from servertest import (
    ADMIN_TOKEN,
    CONNECTOR_TOKEN,
    PEER_TOKEN,
    PINNED_TOKEN,
    READER_TOKEN,
    client,
    expect,
    running,
)

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.client import connect
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.rpc.auth import READ_ONLY_METHODS, allowed_roles
from coho.server.rpc.hosting import discover_services

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

UNAUTH = grpc.StatusCode.UNAUTHENTICATED
DENIED = grpc.StatusCode.PERMISSION_DENIED
READ_PREFIXES = ("Get", "Find", "List", "Read", "Verify", "Query")


def test_every_read_looking_rpc_is_listed_as_read_only() -> None:
    # The read-only sets are maintained by hand so a new RPC defaults to the write policy; this keeps a
    # Get/Find/List RPC from being write-protected by oversight.
    for spec in discover_services(["coho.omrs.v1", "coho.access.v1"]):
        listed = READ_ONLY_METHODS.get(spec.full_name)
        if listed is None:
            continue
        for method in spec.descriptor.methods:
            if method.name.startswith(READ_PREFIXES):
                assert method.name in listed, f"{spec.full_name}/{method.name}"
    assert allowed_roles("/coho.omrs.v1.MetadataCollectionService/SomethingNew") == {"admin", "connector"}
    assert allowed_roles("/coho.nope.v1.NopeService/Get") == {"admin"}


async def test_missing_and_bad_tokens_are_unauthenticated_and_audited(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        async with client(app, token=None) as anon:
            await expect(UNAUTH, "NO_CREDENTIALS",
                         anon.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest()))
            # Health needs no credentials.
            health = health_pb2_grpc.HealthStub(anon.channel)
            reply = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        async with client(app, token="not-a-real-token") as bad:
            await expect(UNAUTH, "BAD_CREDENTIALS", bad.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity())))
        async with connect(app.address) as channel:
            call = channel.unary_unary("/coho.omrs.v1.MetadataCollectionService/GetMetadataCollectionId",
                                       request_serializer=lambda m: m.SerializeToString(),
                                       response_deserializer=mcs.GetMetadataCollectionIdResponse.FromString)
            await expect(UNAUTH, "BAD_CREDENTIALS",
                         call(mcs.GetMetadataCollectionIdRequest(), metadata=[("authorization", "Basic abc")]))
        async with client(app) as admin:
            reply = await admin.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(
                severities=[admin_pb.AUDIT_LOG_SEVERITY_SECURITY]))
            actions = [r.action for r in reply.records]
            assert "NO_CREDENTIALS" in actions and "BAD_CREDENTIALS" in actions
            for record in reply.records:
                assert "not-a-real-token" not in str(record)


async def test_role_policy(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        async with client(app, READER_TOKEN) as reader:
            await reader.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest())
            await expect(DENIED, "ROLE_NOT_ALLOWED", reader.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity())))
            status = await reader.admin.GetServerStatus(admin_pb.GetServerStatusRequest())
            assert status.server_name == "test-server"
            await expect(DENIED, "ROLE_NOT_ALLOWED", reader.admin.GetServerConfig(admin_pb.GetServerConfigRequest()))
            await expect(DENIED, "ROLE_NOT_ALLOWED", reader.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest()))
        async with client(app, CONNECTOR_TOKEN) as connector:
            await connector.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()))
            await expect(DENIED, "ROLE_NOT_ALLOWED",
                         connector.admin.GetServerConfig(admin_pb.GetServerConfigRequest()))
        async with client(app, PEER_TOKEN) as peer:
            await expect(DENIED, "ROLE_NOT_ALLOWED", peer.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity())))
        async with client(app) as admin:
            reply = await admin.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(action="ROLE_NOT_ALLOWED"))
            assert {r.user_id for r in reply.records} >= {"rita", "conn", "peer1"}


async def test_connector_tags_reach_the_change_log_and_user_is_credited(tmp_path: Path) -> None:
    tags = [("x-coho-connector-id", "dbconn"), ("x-coho-refresh-id", "r-42"),
            ("x-coho-metadata-source", "crm-db")]
    async with running(tmp_path) as app:
        async with client(app, CONNECTOR_TOKEN) as connector:
            added = await connector.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()), metadata=tags)
            assert added.entity.header.created_by == "conn"
            changes = await connector.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=0))
            entry = next(e for e in changes.entries if e.sequence == added.header.sequence)
            assert (entry.user_id, entry.connector_id, entry.refresh_id, entry.metadata_source) == \
                ("conn", "dbconn", "r-42", "crm-db")
        async with client(app, PINNED_TOKEN) as pinned:
            added = await pinned.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()))
            changes = await pinned.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=0))
            entry = next(e for e in changes.entries if e.sequence == added.header.sequence)
            assert (entry.user_id, entry.connector_id) == ("filesconn", "files")
            await expect(DENIED, "CONNECTOR_ID_MISMATCH", pinned.mcs.AddEntity(
                mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-coho-connector-id", "other")]))
        async with client(app, ADMIN_TOKEN) as admin:
            await expect(DENIED, "CONNECTOR_TAGS_NOT_ALLOWED", admin.mcs.AddEntity(
                mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-coho-refresh-id", "r-1")]))
            updated = await admin.mcs.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
                guid=added.entity.header.guid, properties=new_entity().properties))
            assert updated.entity.header.updated_by == "alice"
        async with client(app, READER_TOKEN) as reader:
            await expect(DENIED, "CONNECTOR_TAGS_NOT_ALLOWED", reader.mcs.GetMetadataCollectionId(
                mcs.GetMetadataCollectionIdRequest(), metadata=[("x-coho-connector-id", "x")]))


async def test_to_third_party_connector_may_read_but_not_write_and_denials_are_audited(tmp_path: Path) -> None:
    direction = [("x-coho-connector-id", "exporter"), ("x-coho-permitted-synchronization", "TO_THIRD_PARTY")]
    async with running(tmp_path) as app:
        async with client(app, token=CONNECTOR_TOKEN) as conn:
            await conn.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest(), metadata=direction)
            await expect(grpc.StatusCode.PERMISSION_DENIED, "SYNC_DIRECTION_FORBIDDEN",
                         conn.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()), metadata=direction))
            both = [("x-coho-permitted-synchronization", "BOTH_DIRECTIONS")]
            await conn.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()), metadata=both)
            await expect(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PERMITTED_SYNCHRONIZATION",
                         conn.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()),
                                            metadata=[("x-coho-permitted-synchronization", "SIDEWAYS")]))
        async with client(app, token=READER_TOKEN) as reader:
            # Like every x-coho tag, the direction is for connector tokens only.
            await expect(grpc.StatusCode.PERMISSION_DENIED, "CONNECTOR_TAGS_NOT_ALLOWED",
                         reader.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest(), metadata=direction))
        async with client(app) as admin:
            reply = await admin.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(
                severities=[admin_pb.AUDIT_LOG_SEVERITY_SECURITY]))
            denials = [r for r in reply.records if r.action == "SYNC_DIRECTION_FORBIDDEN"]
            assert len(denials) == 1
            assert "AddEntity" in denials[0].details["method"]
