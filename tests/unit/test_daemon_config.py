"""Daemon configuration: connectors, services, groups; errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from cohotest import write_config

from coho.daemon.config import DaemonConfig, PermittedSynchronization, ServiceKind, load_daemon_config
from coho.server.config import AuthConfig, ConfigError, effective_config_dict, token_fingerprint

FULL = """
daemon_name: exchange-daemon
listen: 127.0.0.1:0
user: exchangeDL01npa
server: {address: "127.0.0.1:50051", token: server-token-1, ca_cert: ca.pem}
auth:
  tokens:
    daemon-admin-1: {user: ops, roles: [admin]}
integration_services:
  - name: files-integrator
    kind: files
    connectors:
      - name: folder-monitor
        entry_point: coho.daemon.connectors.files:FolderMonitor
        refresh_interval_seconds: 30
        configuration_properties: {folder: /data/landing, recursive: true}
        catalog_targets: [landing, {name: archive, qualified_name: "Folder::/archive"}]
      - name: java-connector
        entry_point: remote
        user_id: javaconnector
        metadata_source: ExternalCatalog
        permitted_synchronization: FROM_THIRD_PARTY
        generate_integration_report: false
        refresh_timeout_seconds: 5
  - name: db-integrator
    kind: database
integration_groups: [onboarding, nightly]
"""


def test_full_daemon_config(tmp_path: Path) -> None:
    config = load_daemon_config(write_config(tmp_path, FULL))
    assert config.server.ca_cert == tmp_path / "ca.pem"
    files, database = config.integration_services
    assert files.kind is ServiceKind.FILES and database.connectors == []
    monitor, remote = files.connectors
    assert monitor.refresh_interval_seconds == 30
    assert monitor.permitted_synchronization is PermittedSynchronization.BOTH_DIRECTIONS
    assert monitor.generate_integration_report is True
    assert [t.name for t in monitor.catalog_targets] == ["landing", "archive"]
    assert monitor.effective_refresh_timeout == 30
    assert remote.is_remote and remote.effective_refresh_timeout == 5
    assert remote.permitted_synchronization is PermittedSynchronization.FROM_THIRD_PARTY
    assert [c.name for c in config.connectors()] == ["folder-monitor", "java-connector"]


def test_defaults() -> None:
    config = DaemonConfig()
    assert config.listen == "127.0.0.1:50052"
    assert config.server.address == "127.0.0.1:50051"
    assert isinstance(config.auth, AuthConfig)


def issues(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_daemon_config(write_config(tmp_path, text))
    return dict(caught.value.issues)


def test_unknown_connector_key(tmp_path: Path) -> None:
    found = issues(tmp_path, "integration_services:\n  - name: s\n    kind: files\n    connectors:\n"
                             "      - {name: c, entry_point: remote, refresh: 5}\n")
    problem = found["integration_services[0].connectors[0].refresh"]
    assert problem.startswith("unknown key; expected one of: name, entry_point, refresh_interval_seconds")


def test_bad_kind_and_sync_and_entry_point(tmp_path: Path) -> None:
    found = issues(tmp_path, "integration_services:\n  - name: s\n    kind: filez\n    connectors:\n"
                             "      - {name: c, entry_point: 'not a path',\n"
                             "         permitted_synchronization: BOTH}\n")
    connector = "integration_services[0].connectors[0]"
    assert found["integration_services[0].kind"].startswith("'filez' is not one of api, analytics")
    assert found[f"{connector}.permitted_synchronization"] == (
        "'BOTH' is not one of BOTH_DIRECTIONS, TO_THIRD_PARTY, FROM_THIRD_PARTY")
    assert "neither 'package.module:ClassName' nor 'remote'" in found[f"{connector}.entry_point"]


def test_connector_names_unique_across_services(tmp_path: Path) -> None:
    found = issues(tmp_path, "integration_services:\n"
                             "  - {name: a, kind: files, connectors: [{name: c, entry_point: remote}]}\n"
                             "  - {name: b, kind: database, connectors: [{name: c, entry_point: remote}]}\n")
    assert found == {"(root)": "connector name 'c' is used more than once"}


def test_server_section_and_auth_reuse(tmp_path: Path) -> None:
    found = issues(tmp_path, "server: {address: nowhere, tokn: x}\n"
                             "auth: {tokens: {abcdefgh1: {user: u, roles: [root]}}}\n")
    assert found["server.address"] == "'nowhere' is not host:port"
    assert found["server.tokn"] == "unknown key; expected one of: address, token, ca_cert"
    assert found[f"auth.tokens.{token_fingerprint('abcdefgh1')}.roles[0]"].startswith("'root' is not one of admin")


def test_refresh_interval_must_be_positive(tmp_path: Path) -> None:
    found = issues(tmp_path, "integration_services:\n  - name: s\n    kind: files\n    connectors:\n"
                             "      - {name: c, entry_point: remote, refresh_interval_seconds: 0}\n")
    assert "greater than 0" in found["integration_services[0].connectors[0].refresh_interval_seconds"]


def test_effective_config_hides_server_token(tmp_path: Path) -> None:
    shown = repr(effective_config_dict(load_daemon_config(write_config(tmp_path, FULL))))
    assert "server-token-1" not in shown and "daemon-admin-1" not in shown
