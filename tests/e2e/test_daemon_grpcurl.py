"""Real `coho server` and `coho daemon` processes; the daemon hosts the bundled FolderMonitor and is driven
from grpcurl: status, refresh, reports, configuration update, restart, then a clean SIGTERM shutdown."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from cohotest import write_yaml

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SERVER_ADMIN = "e2e-server-admin"
DAEMON_CONNECTOR = "e2e-daemon-connector"
DAEMON_ADMIN = "e2e-daemon-admin"
SERVICE = "coho.integration.v1.IntegrationDaemonService"


def call(grpcurl: str, address: str, method: str, body: dict[str, Any] | None = None,
         token: str = DAEMON_ADMIN) -> Any:
    args = [grpcurl, "-plaintext", "-H", f"authorization: Bearer {token}", "-d", json.dumps(body or {}),
            address, method]
    done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def reports(grpcurl: str, address: str, count: int) -> list[dict[str, Any]]:
    """Poll ListIntegrationReports until there are ``count`` reports (newest first)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = call(grpcurl, address, f"{SERVICE}/ListIntegrationReports").get("reports", [])
        if len(found) >= count:
            return list(found)
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} reports")


def test_daemon_process_from_grpcurl(tmp_path: Path, coho_process: Any, grpcurl: str) -> None:
    landing, other = tmp_path / "landing", tmp_path / "other"
    landing.mkdir()
    other.mkdir()
    (landing / "a.csv").write_text("1")
    (landing / "b.csv").write_text("2")
    (other / "c.csv").write_text("3")
    server_config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "e2e", "listen": "127.0.0.1:0", "data_dir": "data",
        "auth": {"tokens": {SERVER_ADMIN: {"user": "ops", "roles": ["admin"]},
                            DAEMON_CONNECTOR: {"user": "daemon", "roles": ["connector"]}}}})
    server = coho_process("server", "--config", str(server_config))
    server_address = server.wait_serving()
    daemon_config = write_yaml(tmp_path / "daemon.yaml", {
        "daemon_name": "e2e-daemon", "listen": "127.0.0.1:0", "user": "daemon",
        "server": {"address": server_address, "token": DAEMON_CONNECTOR},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]}}},
        "integration_services": [{"name": "files-integrator", "kind": "files", "connectors": [{
            "name": "landing", "entry_point": "coho.daemon.connectors.files:FolderMonitor",
            "refresh_interval_seconds": 3600, "metadata_source": "fs:e2e",
            # No live watching: every change below must land in the refresh the test asks for.
            "configuration_properties": {"folder": str(landing), "watch": False}}]}],
        "shutdown_grace_seconds": 1})
    daemon = coho_process("daemon", "--config", str(daemon_config))
    address = daemon.wait_serving()

    status = call(grpcurl, address, f"{SERVICE}/GetDaemonStatus")
    assert status["daemon_name"] == "e2e-daemon" and status["connector_count"] == 1
    (first,) = reports(grpcurl, address, 1)
    assert len(first["created_element_guids"]) == 3 and first["connector_name"] == "landing"

    (landing / "a.csv").unlink()
    (landing / "new.csv").write_text("new")
    refreshed = call(grpcurl, address, f"{SERVICE}/RefreshConnector", {"connectorName": "landing"})
    second = reports(grpcurl, address, 2)[0]
    assert second["refresh_id"] == refreshed["refresh_ids"][0]
    assert len(second["created_element_guids"]) == 1 and len(second["deleted_element_guids"]) == 1
    got = call(grpcurl, address, f"{SERVICE}/GetIntegrationReport", {"reportGuid": second["report_guid"]})
    assert got["report"] == second
    stored = call(grpcurl, server_address, "coho.omrs.v1.MetadataCollectionService/GetEntity",
                  {"guid": second["report_guid"]}, token=SERVER_ADMIN)
    assert stored["entity"]["header"]["type"]["type_def_name"] == "IntegrationReport"

    updated = call(grpcurl, address, f"{SERVICE}/UpdateConnectorConfiguration",
                   {"connectorName": "landing", "configurationProperties": {"folder": str(other)}})
    assert updated["connector"]["config"]["configuration_properties"] == {"folder": str(other)}
    third = reports(grpcurl, address, 3)[0]  # the reinitialized connector's first refresh
    assert len(third["created_element_guids"]) == 2  # the other folder and its file

    restarted = call(grpcurl, address, f"{SERVICE}/RestartConnector", {})
    assert restarted["restarted_connector_names"] == ["landing"]
    connector = call(grpcurl, address, f"{SERVICE}/GetConnector", {"connectorName": "landing"})["connector"]
    assert connector["connector_id"] == "e2e-daemon.landing"

    started = time.monotonic()
    assert daemon.terminate() == 0
    assert time.monotonic() - started < 10
