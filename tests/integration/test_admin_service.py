"""ServerAdminService over real gRPC: status, effective config without secrets, cohorts, the audit log; TLS."""

from __future__ import annotations

import datetime
from pathlib import Path

import grpc
import pytest
from cohotest import poll
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from servertest import ADMIN_TOKEN, TOKENS, client, expect, running

from coho.admin.v1 import server_admin_service_pb2 as pb
from coho.client import ClientTls, connect
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

Code = grpc.StatusCode
COHORTS = [{"name": "cocoCohort", "seeds": ["127.0.0.1:1"], "token": "cohort-secret-token"}]


async def test_status_config_and_cohorts(tmp_path: Path) -> None:
    async with running(tmp_path, cohorts=COHORTS) as app, client(app) as s:
        await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
        status = await s.admin.GetServerStatus(pb.GetServerStatusRequest())
        assert status.server_name == "test-server" and status.state == pb.SERVING_STATE_SERVING
        assert status.metadata_collection_id and status.version
        # 2: the cohort's REGISTRATION_EVENT (logged at start, so peers hear of it), then the entity.
        assert status.head_sequence == 2 and status.counts.entities == 1 and status.counts.type_defs > 0
        assert list(status.cohort_names) == ["cocoCohort"] and status.start_time.seconds > 0
        assert not status.HasField("history_floor")  # no history retention: nothing dropped
        added = await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
        await s.mcs.DeleteEntity(mcs.DeleteEntityRequest(guid=added.entity.header.guid))
        status = await s.admin.GetServerStatus(pb.GetServerStatusRequest())
        assert (status.counts.entities, status.counts.deleted_entities) == (2, 1)

        config = await s.admin.GetServerConfig(pb.GetServerConfigRequest())
        text = json_format.MessageToJson(config)
        for secret in [*TOKENS, "cohort-secret-token"]:
            assert secret not in text
        as_dict = json_format.MessageToDict(config.effective_config)
        assert as_dict["server_name"] == "test-server"
        assert {p["user"] for p in as_dict["auth"]["tokens"].values()} >= {"alice", "rita"}

        members = await s.admin.ListCohortMembers(pb.ListCohortMembersRequest(cohort_name="cocoCohort"))
        assert list(members.members) == []
        await expect(Code.NOT_FOUND, "COHORT_NOT_FOUND",
                     s.admin.ListCohortMembers(pb.ListCohortMembersRequest(cohort_name="nope")))
        left = await s.admin.LeaveCohort(pb.LeaveCohortRequest(cohort_name="cocoCohort"))
        assert left.members_notified == 0
        await expect(Code.NOT_FOUND, "COHORT_NOT_FOUND", s.admin.LeaveCohort(pb.LeaveCohortRequest(cohort_name="x")))
        await expect(Code.INVALID_ARGUMENT, "MISSING_FIELD", s.admin.LeaveCohort(pb.LeaveCohortRequest()))


async def test_audit_log_query_filters_and_paging(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        async with client(app, token="wrong-token-1234") as bad:
            for _ in range(3):
                await expect(Code.UNAUTHENTICATED, "BAD_CREDENTIALS",
                             bad.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest()))
        async with client(app, ADMIN_TOKEN) as s:
            everything = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest())
            actions = [r.action for r in everything.records]
            assert actions[-2:] == ["CONFIG_LOADED", "STARTUP"]  # newest first
            config_record = next(r for r in everything.records if r.action == "CONFIG_LOADED")
            for token in TOKENS:
                assert token not in config_record.details["config"]
            security = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(
                severities=[pb.AUDIT_LOG_SEVERITY_SECURITY], component="auth", page_size=2))
            assert len(security.records) == 2 and security.next_page_token
            rest = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(
                severities=[pb.AUDIT_LOG_SEVERITY_SECURITY], page_size=2, page_token=security.next_page_token))
            assert len(rest.records) == 1 and not rest.next_page_token
            ids = [r.id for r in [*security.records, *rest.records]]
            assert ids == sorted(ids, reverse=True)
            future = Timestamp()
            future.FromDatetime(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1))
            none = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(from_time=future))
            assert list(none.records) == []
            await expect(Code.INVALID_ARGUMENT, "BAD_PAGE_TOKEN",
                         s.admin.QueryAuditLog(pb.QueryAuditLogRequest(page_token="zzz")))
    # Shutdown is recorded, and the audit log outlives the process.
    async with running(tmp_path) as app, client(app) as s:
        shutdown = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(severities=[pb.AUDIT_LOG_SEVERITY_SHUTDOWN]))
        assert len(shutdown.records) == 1


async def test_audit_log_stays_bounded_under_a_bad_token_flood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``audit.max_records``: a client retrying with a bad token cannot grow audit.db without bound."""
    from coho.server.store import audit_sqlite

    monkeypatch.setattr(audit_sqlite, "PRUNE_EVERY", 20)
    async with running(tmp_path, audit={"max_records": 30}) as app:
        async with client(app, token="wrong-token-1234") as bad:
            for _ in range(200):
                await expect(Code.UNAUTHENTICATED, "BAD_CREDENTIALS",
                             bad.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest()))
        async with client(app, ADMIN_TOKEN) as s:
            refused = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(
                page_size=500, severities=[pb.AUDIT_LOG_SEVERITY_SECURITY]))
            assert 30 <= len(refused.records) < 30 + 20
            assert {r.action for r in refused.records} == {"BAD_CREDENTIALS"}
            # The bound is per severity: the flood did not push out the startup records.
            startup = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest(severities=[pb.AUDIT_LOG_SEVERITY_STARTUP]))
            assert [r.action for r in startup.records] == ["STARTUP"]
            config = json_format.MessageToDict((await s.admin.GetServerConfig(pb.GetServerConfigRequest()))
                                               .effective_config)
            assert config["audit"] == {"max_records": 30.0, "retention_days": None}


async def test_audit_records_age_out_on_an_idle_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``audit.retention_days``: records expire even when nothing new is recorded (no insert runs a pass)."""
    from coho.server.store import audit_sqlite

    monkeypatch.setattr(audit_sqlite, "PRUNE_SECONDS", 0.2)
    async with running(tmp_path, audit={"retention_days": 1 / 86_400}) as app, client(app, ADMIN_TOKEN) as s:
        first = await s.admin.QueryAuditLog(pb.QueryAuditLogRequest())
        assert {"STARTUP", "CONFIG_LOADED"} <= {r.action for r in first.records}

        async def emptied() -> bool | None:
            return True if not (await s.admin.QueryAuditLog(pb.QueryAuditLogRequest())).records else None

        await poll(emptied, within=10, what="the startup records to age out")


def _certificates(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def test_tls_server_answers_over_tls_and_refuses_plaintext(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    cert, key = _certificates(tmp_path)
    async with running(tmp_path, tls={"cert": str(cert), "key": str(key)}) as app:
        tls = ClientTls(ca_cert=cert, server_name="localhost")
        async with connect(app.address, ADMIN_TOKEN, tls=tls) as channel:
            reply = await channel.unary_unary(
                "/coho.admin.v1.ServerAdminService/GetServerStatus",
                request_serializer=pb.GetServerStatusRequest.SerializeToString,
                response_deserializer=pb.GetServerStatusResponse.FromString)(pb.GetServerStatusRequest(), timeout=10)
            assert reply.server_name == "test-server"
        async with client(app) as plain:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await plain.admin.GetServerStatus(pb.GetServerStatusRequest(), timeout=3)
            assert caught.value.code() in (Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED)
