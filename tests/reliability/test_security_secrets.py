"""Secrets never leave the process: not in logs, audit records, admin responses or error messages (issue #8).

A server with mTLS and a cohort, and a daemon whose connector holds third-party credentials, are driven
through failures: unknown tokens, a token sent with the wrong scheme, a role refusal, a cohort peer with
the wrong peer token, a daemon with the wrong server token. Everything an operator or a caller could see is
collected and searched for every secret: the Python log records rendered by coho's own formatters (JSON
and key=value), grpc's native stderr output, the audit log, the admin RPCs' responses (GetServerConfig,
ListCohortMembers, QueryAuditLog, ListConnectors, GetConnector, GetDaemonStatus) and the status details and
trailers of every refused call.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from cohortharness import COHORT, until
from google.protobuf import struct_pb2
from integration.test_tls import _issue
from reliability.test_security_mtls import LOCAL_SANS
from servertest import ADMIN_TOKEN, PEER_TOKEN, READER_TOKEN, TOKENS, server_config
from unit.daemon.daemontest import DAEMON_ADMIN, DAEMON_READER, connector, daemon_config

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import ClientTls, connect
from coho.daemon.app import DaemonApp
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.server.app import ServerApp
from coho.server.config import token_fingerprint
from coho.server.logs import JsonFormatter, KeyValueFormatter

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

WRONG_TOKEN = "wrong-secret-token-4711"
INTRUDER_PEER_TOKEN = "intruder-peer-token-0815"
WRONG_SERVER_TOKEN = "daemon-wrong-server-token-42"
DB_PASSWORD = "hunter2-db-password"
NESTED_PASSWORD = "nested-connection-pw-77"
API_KEY = "api-key-value-5a5a5a"


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every Python log record at DEBUG, rendered by both of coho's formatters, as a process would print it."""
    out = io.StringIO()
    handlers = [logging.StreamHandler(out), logging.StreamHandler(out)]
    handlers[0].setFormatter(JsonFormatter())
    handlers[1].setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield out
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


def key_material(path: Path) -> list[str]:
    """The base64 lines of a PEM private key: any of them in output means the key's contents leaked."""
    return [line for line in path.read_text().splitlines() if line and not line.startswith("-----")]


def assert_no_secrets(where: str, text: str, secrets: list[str]) -> None:
    found = [secret for secret in secrets if secret in text]
    assert not found, f"{where} contains {found}"


async def refused_call(call: Any) -> str:
    """Await a call that must fail; return everything the caller gets back about the failure."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    err = caught.value
    return f"{err.code()} {err.details()} {err.debug_error_string()} {err.trailing_metadata()!r}"


async def audit_text(stub: Any) -> str:
    pages, token = [], ""
    for _ in range(100):  # bounded: a handful of pages at most
        reply = await stub.QueryAuditLog(admin_pb.QueryAuditLogRequest(page_size=500, page_token=token), timeout=10)
        pages.append(str(reply))
        token = reply.next_page_token
        if not token:
            break
    return "\n".join(pages)


async def test_server_secrets_stay_out_of_logs_audit_responses_and_errors(
    tmp_path: Path, captured_logs: io.StringIO, capfd: pytest.CaptureFixture[str]
) -> None:
    pki = tmp_path / "pki"
    pki.mkdir()
    ca = _issue(pki, "ca", ca=True)
    issued = {name: _issue(pki, name, issuer=ca, sans=LOCAL_SANS) for name in ("m0", "intruder", "client")}
    keys = [line for each in issued.values() for line in key_material(each.key)]
    secrets = [*TOKENS, WRONG_TOKEN, INTRUDER_PEER_TOKEN, *keys]

    def member(name: str, seeds: list[str], peer_token: str) -> ServerApp:
        tls = {"cert": str(issued[name].cert), "key": str(issued[name].key), "client_ca": str(ca.cert)}
        cohorts = [{"name": COHORT, "seeds": seeds, "token": peer_token, "heartbeat_seconds": 0.5,
                    "reconnect_max_seconds": 0.5}]
        config = server_config(tmp_path / name, server_name=name, tls=tls, cohorts=cohorts)
        return ServerApp(config)

    client_tls = ClientTls(ca_cert=ca.cert, client_cert=issued["client"].cert, client_key=issued["client"].key)
    seen: list[tuple[str, str]] = []
    async with member("m0", [], PEER_TOKEN) as m0:
        # The intruder passes TLS (its certificate is from the cohort CA) but holds a peer token m0 never issued.
        async with member("intruder", [m0.address], INTRUDER_PEER_TOKEN) as intruder:
            assert intruder.runtime is not None
            subscription = intruder.runtime.cohort.membership(COHORT).subscriptions[0]
            await until(lambda: bool(subscription.status.last_error), 30, "the intruder to be refused")
            assert "UNAUTHENTICATED" in subscription.status.last_error
            seen.append(("intruder subscription error", subscription.status.last_error))
            async with connect(intruder.address, ADMIN_TOKEN, tls=client_tls) as channel:
                seen.append(("intruder audit log", await audit_text(admin_grpc.ServerAdminServiceStub(channel))))

        for metadata in ([("authorization", f"Bearer {WRONG_TOKEN}")], [("authorization", f"Basic {ADMIN_TOKEN}")],
                         [("authorization", f"Bearer {READER_TOKEN}")], [("authorization", ADMIN_TOKEN)]):
            async with connect(m0.address, tls=client_tls) as channel:
                admin = admin_grpc.ServerAdminServiceStub(channel)
                seen.append(("refusal", await refused_call(admin.GetServerConfig(
                    admin_pb.GetServerConfigRequest(), metadata=metadata, timeout=10))))
        async with connect(m0.address, ADMIN_TOKEN, tls=client_tls) as channel:
            admin = admin_grpc.ServerAdminServiceStub(channel)
            config = await admin.GetServerConfig(admin_pb.GetServerConfigRequest(), timeout=10)
            # The effective config names every token by fingerprint, so operators can still tell them apart.
            assert token_fingerprint(ADMIN_TOKEN) in str(config) and "client_ca" in str(config)
            assert "<redacted>" in str(config)  # the cohort's peer token
            seen.append(("GetServerConfig", str(config)))
            members = await admin.ListCohortMembers(admin_pb.ListCohortMembersRequest(cohort_name=COHORT))
            seen.append(("ListCohortMembers", str(members)))
            seen.append(("audit log", await audit_text(admin)))
            assert "BAD_CREDENTIALS" in seen[-1][1] and "ROLE_NOT_ALLOWED" in seen[-1][1]

    captured = capfd.readouterr()
    logs = captured_logs.getvalue()
    # The capture works: coho's own records are in it, in both formats.
    assert '"logger": "coho.hosting"' in logs and "logger=coho.hosting" in logs
    seen += [("python logs", logs), ("stderr", captured.err), ("stdout", captured.out)]
    for where, text in seen:
        assert_no_secrets(where, text, secrets)


def bad_credentials(app: ServerApp) -> list[Any]:
    from coho.server.store.audit_sqlite import AuditQuery

    assert app.runtime is not None
    return list(app.runtime.audit.query(AuditQuery(action="BAD_CREDENTIALS", limit=1000)))


async def test_daemon_credentials_stay_out_of_logs_admin_responses_and_errors(
    tmp_path: Path, captured_logs: io.StringIO, capfd: pytest.CaptureFixture[str]
) -> None:
    secrets = [*TOKENS, DAEMON_ADMIN, DAEMON_READER, WRONG_SERVER_TOKEN, DB_PASSWORD, NESTED_PASSWORD, API_KEY]
    properties = {"host": "db.example", "user": "sync", "password": DB_PASSWORD, "apiKey": API_KEY,
                  "connection": {"connectionPassword": NESTED_PASSWORD, "port": 5432}}
    seen: list[tuple[str, str]] = []
    async with ServerApp(server_config(tmp_path / "server")) as server:
        config = daemon_config(server.address, [connector("db-sync", "Counting", 3600,
                                                          configuration_properties=properties)])
        # The daemon presents a token the server does not know: its connectors cannot initialize.
        config = config.model_copy(update={"server": config.server.model_copy(update={"token": WRONG_SERVER_TOKEN})})
        async with DaemonApp(config) as daemon:
            runner = daemon.connectors.runner("db-sync")
            await until(lambda: bool(runner.state.failing_error), 30, "the connector to fail initializing")
            # On a busy machine the first probes may time out; wait for the server to have refused the token.
            fingerprint = token_fingerprint(WRONG_SERVER_TOKEN)
            await until(lambda: any(r.details.get("token_fingerprint") == fingerprint for r in bad_credentials(server)),
                        30, "the server to refuse the daemon's token")
            await until(lambda: "UNAUTHENTICATED" in runner.state.failing_error, 30, "the connector to see why")
            async with connect(daemon.address, DAEMON_ADMIN) as channel:
                admin = ids_grpc.IntegrationDaemonServiceStub(channel)
                got = await admin.GetConnector(ids.GetConnectorRequest(connector_name="db-sync"), timeout=10)
                shown = got.connector.config.configuration_properties
                # Keys stay visible (operators need to know a password is configured); values do not.
                assert shown["password"] == "<redacted>" and shown["apiKey"] == "<redacted>"
                assert shown["connection"]["connectionPassword"] == "<redacted>" and shown["host"] == "db.example"
                seen.append(("GetConnector", str(got)))
                listed = await admin.ListConnectors(ids.ListConnectorsRequest(), timeout=10)
                seen.append(("ListConnectors", str(listed)))
                seen.append(("GetDaemonStatus",
                             str(await admin.GetDaemonStatus(ids.GetDaemonStatusRequest(), timeout=10))))
                update = struct_pb2.Struct()
                update.update({"password": DB_PASSWORD + "-new"})
                updated = await admin.UpdateConnectorConfiguration(ids.UpdateConnectorConfigurationRequest(
                    connector_name="db-sync", configuration_properties=update, merge=True), timeout=10)
                seen.append(("UpdateConnectorConfiguration", str(updated)))
            for token in (WRONG_SERVER_TOKEN, DAEMON_READER):
                async with connect(daemon.address, token) as channel:
                    seen.append(("daemon refusal", await refused_call(ids_grpc.IntegrationDaemonServiceStub(
                        channel).ListConnectors(ids.ListConnectorsRequest(), timeout=10))))
        async with connect(server.address, ADMIN_TOKEN) as channel:
            seen.append(("server audit log", await audit_text(admin_grpc.ServerAdminServiceStub(channel))))
            assert fingerprint in seen[-1][1]

    captured = capfd.readouterr()
    seen += [("python logs", captured_logs.getvalue()), ("stderr", captured.err), ("stdout", captured.out)]
    for where, text in seen:
        assert_no_secrets(where, text, secrets)


@pytest.mark.timeout(10)
def test_log_fields_named_like_credentials_are_redacted_by_both_formatters() -> None:
    record = logging.LogRecord("coho.test", logging.INFO, __file__, 1, "connecting", None, None)
    extras = {"token": WRONG_TOKEN, "authorization": f"Bearer {ADMIN_TOKEN}", "dbPassword": DB_PASSWORD,
              "api_key": API_KEY, "token_fingerprint": token_fingerprint(ADMIN_TOKEN), "peer": "cocoMDS2"}
    for key, value in extras.items():
        setattr(record, key, value)
    for formatter in (JsonFormatter(), KeyValueFormatter()):
        line = formatter.format(record)
        assert_no_secrets(type(formatter).__name__, line, [WRONG_TOKEN, ADMIN_TOKEN, DB_PASSWORD, API_KEY])
        # Fingerprints and ordinary fields still print, and the redacted keys show that something was there.
        assert token_fingerprint(ADMIN_TOKEN) in line and "cocoMDS2" in line and "dbPassword" in line
