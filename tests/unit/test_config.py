"""Server configuration: good files load; each kind of bad key is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
from cohotest import write_config

from coho.server.config import (
    REDACTED,
    ConfigError,
    ServerConfig,
    effective_config_dict,
    load_server_config,
    token_fingerprint,
)

FULL = """
server_name: alpha
organization: Coco Pharmaceuticals
metadata_collection_name: alpha collection
listen: 0.0.0.0:6000
data_dir: data
auth:
  tokens:
    admin-token-123:
      user: garygeeke
      roles: [admin, reader]
    peer-token-4567:
      user: beta
      roles: [peer]
cohorts:
  - name: cocoCohort
    seeds: ["127.0.0.1:6001", "[::1]:6002"]
    token: cohort-secret
tls:
  cert: certs/server.pem
  key: certs/server.key
  client_ca: /abs/ca.pem
metrics_port: 9100
max_message_bytes: 8388608
shutdown_grace_seconds: 2.5
logging: {level: DEBUG, format: text}
store: {synchronous: FULL, change_log_retention: 1000000, change_log_retention_days: 7,
        history_retention_days: 90, deleted_retention_days: 30, indexed_properties: [qualifiedName, pathName]}
audit: {max_records: 5000, retention_days: 365}
"""


def test_defaults_from_empty_file(tmp_path: Path) -> None:
    config = load_server_config(write_config(tmp_path, ""))
    assert config.listen == "127.0.0.1:50051"
    assert config.shutdown_grace_seconds == 5
    assert config.data_dir == tmp_path / "coho-data"
    assert config.tls is None and config.cohorts == [] and config.auth.tokens == {}
    assert config.store.synchronous == "NORMAL"
    assert config.store.change_log_retention is None and config.store.indexed_properties is None
    assert config.store.request_retention_days == 7 and config.store.history_retention_days is None
    assert config.audit.max_records == 100_000 and config.audit.retention_days is None


def test_full_file_loads_and_resolves_relative_paths(tmp_path: Path) -> None:
    config = load_server_config(write_config(tmp_path, FULL))
    assert config.server_name == "alpha"
    assert config.auth.tokens["admin-token-123"].roles == ["admin", "reader"]
    assert config.cohorts[0].seeds == ["127.0.0.1:6001", "[::1]:6002"]
    assert config.data_dir == tmp_path / "data"
    assert config.tls is not None
    assert config.tls.cert == tmp_path / "certs/server.pem"
    assert config.tls.client_ca == Path("/abs/ca.pem")
    assert config.logging.format == "text"
    assert config.collection_name == "alpha collection"
    assert config.store.synchronous == "FULL" and config.store.change_log_retention == 1_000_000
    assert config.store.change_log_retention_days == 7 and config.store.history_retention_days == 90
    assert config.store.deleted_retention_days == 30
    assert config.audit.max_records == 5000 and config.audit.retention_days == 365
    assert config.store.indexed_properties == ["qualifiedName", "pathName"]


def test_json_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    path.write_text('{"server_name": "j", "listen": "127.0.0.1:0"}')
    assert load_server_config(path).listen == "127.0.0.1:0"


def issues(tmp_path: Path, text: str) -> dict[str, str]:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_server_config(path)
    assert caught.value.file == str(path)
    for line in str(caught.value).splitlines():
        assert line.startswith(f"{path}: ")
    return dict(caught.value.issues)


def test_unknown_top_level_key_lists_allowed_keys(tmp_path: Path) -> None:
    found = issues(tmp_path, "server_name: a\nlisten_addr: 1.2.3.4:5\n")
    assert found["listen_addr"].startswith("unknown key; expected one of: server_name,")
    assert "listen" in found["listen_addr"]


def test_unknown_nested_key_names_full_path(tmp_path: Path) -> None:
    found = issues(tmp_path, "auth:\n  tokens:\n    abcdefgh1:\n      user: u\n      roles: [admin]\n"
                             "      role: admin\n")
    # The token is a secret: the path shows its fingerprint, never the token itself.
    fingerprint = token_fingerprint("abcdefgh1")
    assert found[f"auth.tokens.{fingerprint}.role"] == "unknown key; expected one of: user, roles, connector, act_as"
    assert not any("abcdefgh1" in key for key in found)


def test_bad_role_names_index_and_choices(tmp_path: Path) -> None:
    found = issues(tmp_path, "auth:\n  tokens:\n    abcdefgh1: {user: u, roles: [superuser]}\n")
    assert found == {
        f"auth.tokens.{token_fingerprint('abcdefgh1')}.roles[0]":
            "'superuser' is not one of admin, connector, reader, peer"
    }


def test_missing_required_and_wrong_types(tmp_path: Path) -> None:
    found = issues(tmp_path, "cohorts:\n  - seeds: [a:1]\nmetrics_port: lots\nshutdown_grace_seconds: -1\n")
    assert found["cohorts[0].name"] == "required key is missing"
    assert "integer" in found["metrics_port"]
    assert "greater than or equal to 0" in found["shutdown_grace_seconds"]


def test_bad_addresses(tmp_path: Path) -> None:
    found = issues(tmp_path, "listen: localhost\ncohorts:\n  - name: c\n    seeds: ['h:0', 'h:70000']\n")
    assert found["listen"] == "'localhost' is not host:port"
    assert found["cohorts[0].seeds"] == "port 0 is not in 1..65535"


def test_duplicate_cohort_names(tmp_path: Path) -> None:
    found = issues(tmp_path, "cohorts:\n  - name: c\n  - name: c\n")
    assert found["(root)"] == "cohort name 'c' is used more than once"


def test_short_token_rejected(tmp_path: Path) -> None:
    found = issues(tmp_path, "auth:\n  tokens:\n    x: {user: u, roles: [admin]}\n")
    assert "at least 8" in found["auth.tokens"]


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    found = issues(tmp_path, "server_name: a\nlisten: [unclosed\n")
    [(where, problem)] = found.items()
    assert where.startswith("line ")
    assert problem.startswith("invalid YAML")


def test_non_mapping_root_and_missing_file(tmp_path: Path) -> None:
    assert issues(tmp_path, "- a\n- b\n") == {"(root)": "expected a mapping of keys, got list"}
    with pytest.raises(ConfigError) as caught:
        load_server_config(tmp_path / "nope.yaml")
    assert caught.value.issues[0][0] == "(file)"


def test_effective_config_hides_secrets(tmp_path: Path) -> None:
    config = load_server_config(write_config(tmp_path, FULL))
    shown = effective_config_dict(config)
    text = repr(shown)
    for secret in ("admin-token-123", "peer-token-4567", "cohort-secret"):
        assert secret not in text
    assert shown["auth"]["tokens"][token_fingerprint("admin-token-123")]["user"] == "garygeeke"
    assert shown["cohorts"][0]["token"] == REDACTED
    assert shown["listen"] == "0.0.0.0:6000"


def test_models_are_frozen() -> None:
    with pytest.raises(ValueError):
        ServerConfig().listen = "x"  # type: ignore[misc]


def test_bad_store_settings(tmp_path: Path) -> None:
    found = issues(tmp_path, "store:\n  synchronous: SOMETIMES\n  change_log_retention: 0\n  indexed_properties: []\n"
                             "  change_log_retention_days: -1\n  history_retention_days: 0\n")
    assert found["store.synchronous"] == "'SOMETIMES' is not one of NORMAL, FULL, EXTRA"
    assert "greater than or equal to 1" in found["store.change_log_retention"]
    assert "at least one property name" in found["store.indexed_properties"]
    assert "greater than 0" in found["store.change_log_retention_days"]
    assert "greater than 0" in found["store.history_retention_days"]
    found = issues(tmp_path, "store: {indexed_properties: some}\n")
    assert found == {"store.indexed_properties": "expected a list of property names or \"all\", got 'some'"}
