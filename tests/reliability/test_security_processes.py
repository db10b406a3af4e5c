"""Real `coho server` and `coho daemon` processes at DEBUG: their whole output holds no secret (issue #8).

The in-process twin is test_security_secrets.py; this one reads what an operator's log shipper would get:
every line the processes print, from start through failures to shutdown.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohotest import poll_sync, write_yaml

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

ADMIN = "process-admin-token-31"
READER = "process-reader-token-32"
CONNECTOR = "process-connector-token-33"
DAEMON_ADMIN = "process-daemon-admin-34"
WRONG = "process-wrong-token-35"
WRONG_SERVER_TOKEN = "process-wrong-server-token-36"
PASSWORD = "process-db-password-37"
API_KEY = "process-api-key-38"
SECRETS = [ADMIN, READER, CONNECTOR, DAEMON_ADMIN, WRONG, WRONG_SERVER_TOKEN, PASSWORD, API_KEY]
DEBUG_JSON = {"level": "DEBUG", "format": "json"}


def refused(call: Any, request: Any, metadata: list[tuple[str, str]]) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, metadata=metadata, timeout=10)
    err: Any = caught.value
    return f"{err.code()} {err.details()} {err.debug_error_string()} {err.trailing_metadata()!r}"


def test_server_and_daemon_processes_print_no_secret(tmp_path: Path, coho_process: Any) -> None:
    server_config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "secrets-e2e", "listen": "127.0.0.1:0", "data_dir": "data", "shutdown_grace_seconds": 1,
        "auth": {"tokens": {ADMIN: {"user": "admin", "roles": ["admin"]},
                            READER: {"user": "rita", "roles": ["reader"]},
                            CONNECTOR: {"user": "daemon", "roles": ["connector"]}}},
        "logging": DEBUG_JSON,
    })
    server = coho_process("server", "--config", str(server_config))
    server_address = server.wait_serving()
    (tmp_path / "landing").mkdir()
    daemon_config = write_yaml(tmp_path / "daemon.yaml", {
        "daemon_name": "secrets-daemon", "listen": "127.0.0.1:0", "shutdown_grace_seconds": 1,
        "server": {"address": server_address, "token": WRONG_SERVER_TOKEN},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]}}},
        "scheduler": {"retry_initial_seconds": 0.2, "retry_max_seconds": 0.5},
        "integration_services": [{"name": "files", "kind": "files", "connectors": [{
            "name": "landing", "entry_point": "coho.daemon.connectors.files:FolderMonitor",
            "configuration_properties": {"folder": str(tmp_path / "landing"), "password": PASSWORD,
                                         "apiKey": API_KEY}}]}],
        "logging": DEBUG_JSON,
    })
    daemon = coho_process("daemon", "--config", str(daemon_config))
    daemon_address = daemon.wait_serving()

    answers: list[str] = []
    with grpc.insecure_channel(server_address) as channel:
        admin = admin_grpc.ServerAdminServiceStub(channel)
        for metadata in ([("authorization", f"Bearer {WRONG}")], [("authorization", f"Basic {ADMIN}")],
                         [("authorization", f"Bearer {READER}")], [("authorization", CONNECTOR)]):
            answers.append(refused(admin.GetServerConfig, admin_pb.GetServerConfigRequest(), metadata))
        config = admin.GetServerConfig(admin_pb.GetServerConfigRequest(), timeout=10,
                                       metadata=[("authorization", f"Bearer {ADMIN}")])
        answers.append(str(config))
    with grpc.insecure_channel(daemon_address) as channel:
        daemon_admin = ids_grpc.IntegrationDaemonServiceStub(channel)
        auth = [("authorization", f"Bearer {DAEMON_ADMIN}")]

        def failing() -> str:
            reply = daemon_admin.GetConnector(ids.GetConnectorRequest(connector_name="landing"), metadata=auth,
                                              timeout=10)
            return str(reply) if "UNAUTHENTICATED" in reply.connector.failing_error else ""

        # The daemon's token is wrong, so the connector cannot initialize; the reason is visible, the token not.
        answers.append(poll_sync(failing, 60, "the connector to report the refused token"))
        answers.append(str(daemon_admin.ListConnectors(ids.ListConnectorsRequest(), metadata=auth, timeout=10)))
        answers.append(str(daemon_admin.GetDaemonStatus(ids.GetDaemonStatusRequest(), metadata=auth, timeout=10)))
        answers.append(refused(daemon_admin.ListConnectors, ids.ListConnectorsRequest(),
                               [("authorization", f"Bearer {WRONG}")]))

    assert daemon.terminate(signal.SIGTERM, timeout=20) == 0
    assert server.terminate(signal.SIGTERM, timeout=20) == 0
    output = "\n".join([*server.stderr_lines, *server.stdout_lines, *daemon.stderr_lines, *daemon.stdout_lines])
    assert '"level": "debug"' in output  # the processes really logged at DEBUG
    for where, text in (("process output", output), *(("answer", a) for a in answers)):
        found = [secret for secret in SECRETS if secret in text]
        assert not found, f"{where} contains {found}"
