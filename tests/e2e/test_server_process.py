"""Real `coho server` / `coho daemon` / `coho up` processes, probed with grpcurl and `coho status`."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cohotest import free_port, write_yaml

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

SERVER_SERVICES = [
    "coho.omrs.v1.MetadataCollectionService",
    "coho.omrs.v1.TypeService",
    "coho.omrs.v1.CohortService",
    "coho.access.v1.OutTopicService",
    "coho.admin.v1.ServerAdminService",
]
DAEMON_SERVICES = [
    "coho.integration.v1.IntegrationDaemonService",
    "coho.integration.v1.ConnectorHostService",
]
TOKEN = "e2e-admin-token-0123"


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)


def grpcurl_checks(grpcurl: str, address: str, services: list[str], describe: str, method: str) -> None:
    listed = run(grpcurl, "-plaintext", address, "list")
    assert listed.returncode == 0, listed.stderr
    names = set(listed.stdout.split())
    assert {*services, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names
    described = run(grpcurl, "-plaintext", address, "describe", describe)
    assert described.returncode == 0, described.stderr
    assert f"{describe} is a service" in described.stdout
    assert f"rpc {method}" in described.stdout
    health = run(grpcurl, "-plaintext", "-d", "{}", address, "grpc.health.v1.Health/Check")
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout) == {"status": "SERVING"}
    # A coho RPC is reachable with a bearer token: answered, or honestly UNIMPLEMENTED where not built yet.
    called = run(grpcurl, "-plaintext", "-H", f"authorization: Bearer {TOKEN}", "-d", "{}",
                 address, f"{describe}/{method}")
    assert called.returncode == 0 or "Unimplemented" in called.stderr, called.stderr


def test_server_process_serves_and_stops_on_sigterm(tmp_path: Path, coho_process, grpcurl: str) -> None:
    config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "e2e", "listen": "127.0.0.1:0", "data_dir": "data",
        "auth": {"tokens": {TOKEN: {"user": "admin", "roles": ["admin"]}}},
        "shutdown_grace_seconds": 2,
    })
    process = coho_process("server", "--config", str(config))
    address = process.wait_serving()
    assert (tmp_path / "data").is_dir()
    grpcurl_checks(grpcurl, address, SERVER_SERVICES, "coho.admin.v1.ServerAdminService", "GetServerStatus")
    assert process.terminate(signal.SIGTERM, timeout=10) == 0
    messages = [json.loads(line)["msg"] for line in process.stderr_lines if line.startswith("{")]
    assert messages.index("draining") < messages.index("stopped")


def test_daemon_process_serves_and_stops_on_sigterm(tmp_path: Path, coho_process, grpcurl: str) -> None:
    config = write_yaml(tmp_path / "daemon.yaml", {
        "daemon_name": "e2e-daemon", "listen": "127.0.0.1:0",
        "server": {"address": "127.0.0.1:1", "token": TOKEN},
        "auth": {"tokens": {TOKEN: {"user": "admin", "roles": ["admin"]}}},
        "integration_services": [{"name": "files", "kind": "files", "connectors": [
            {"name": "remote-one", "entry_point": "remote"}]}],
    })
    process = coho_process("daemon", "--config", str(config))
    address = process.wait_serving()
    grpcurl_checks(grpcurl, address, DAEMON_SERVICES, "coho.integration.v1.IntegrationDaemonService",
                   "ListConnectors")
    assert process.terminate(signal.SIGTERM, timeout=10) == 0


@pytest.mark.parametrize("command", ["server", "daemon"])
def test_bad_config_exits_2_naming_the_key(tmp_path: Path, command: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("listen: 127.0.0.1:0\nauth:\n  tokens:\n    abcdefgh12:\n      user: u\n"
                      "      roles: [superuser]\nbogus_key: 1\n")
    result = run(sys.executable, "-m", "coho.server.cli", command, "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert f"coho: config error: {config}: bogus_key: unknown key; expected one of: " in result.stderr
    assert (f"coho: config error: {config}: auth.tokens.sha256:7ed1d038eb26.roles[0]: "
            "'superuser' is not one of admin, connector, reader, peer") in lines


def test_up_starts_server_and_daemon_and_status_reports(tmp_path: Path, coho_process) -> None:
    port = free_port(2)
    demo = tmp_path / "demo"
    process = coho_process("up", "--dir", str(demo), "--port", str(port))
    process.wait_for(lambda stream, line: stream == "stdout" and line.startswith("coho is up"), timeout=30)
    token = (demo / "token").read_text().strip()
    assert token and (demo / "token").stat().st_mode & 0o077 == 0
    assert any(token in line for line in process.stdout_lines)
    status = run(sys.executable, "-m", "coho.server.cli", "status", "--address", f"127.0.0.1:{port}",
                 "--token", token)
    assert status.returncode == 0, status.stderr
    assert "status: SERVING" in status.stdout
    assert "coho.admin.v1.ServerAdminService" in status.stdout
    daemon = run(sys.executable, "-m", "coho.server.cli", "status", "--address", f"127.0.0.1:{port + 1}")
    assert "coho.integration.v1.IntegrationDaemonService" in daemon.stdout
    assert process.terminate(signal.SIGINT, timeout=15) == 0
    # A second run reuses the token.
    again = coho_process("up", "--dir", str(demo), "--port", str(port))
    again.wait_for(lambda stream, line: stream == "stdout" and line.startswith("coho is up"), timeout=30)
    assert (demo / "token").read_text().strip() == token
    assert again.terminate(signal.SIGTERM, timeout=15) == 0


def test_status_of_nothing_fails_cleanly() -> None:
    result = run(sys.executable, "-m", "coho.server.cli", "status", "--address", f"127.0.0.1:{free_port()}",
                 "--timeout", "1")
    assert result.returncode == 1
    assert result.stderr.startswith("coho: cannot get status of")


def test_console_script_help_and_version() -> None:
    coho = shutil.which("coho")
    assert coho, "console script `coho` not installed: pip install -e ."
    version = run(coho, "version")
    assert version.returncode == 0 and version.stdout.startswith("coho ")
    for command in ("server", "daemon", "up", "status", "version"):
        helped = run(coho, command, "--help")
        assert helped.returncode == 0, helped.stderr
        assert "usage: coho" in helped.stdout
