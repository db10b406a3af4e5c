"""A real `coho server` process driven by grpcurl and by `coho archive load --server` (the README examples)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cohotest import write_yaml

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

TOKEN = "e2e-admin-token"
READER = "e2e-reader-token"
EGERIA = Path("/work/shared/egeria")
ADD_ENTITY = {"entity": {"typeName": "DataFile", "properties": {"properties": {
    "qualifiedName": {"typeName": "string", "primitive": {
        "primitiveDefCategory": "PRIMITIVE_DEF_CATEGORY_STRING", "stringValue": "file://demo/a.csv"}},
    "name": {"typeName": "string", "primitive": {
        "primitiveDefCategory": "PRIMITIVE_DEF_CATEGORY_STRING", "stringValue": "a.csv"}}}}},
    "requestId": "e2e-1"}


# grpcurl takes JSON with either spelling but prints proto field names (created_by, string_value).
def call(grpcurl: str, address: str, method: str, body: dict[str, Any] | None = None, *,
         token: str | None = TOKEN, check: bool = True) -> Any:
    args = [grpcurl, "-plaintext"]
    if token:
        args += ["-H", f"authorization: Bearer {token}"]
    args += ["-d", json.dumps(body or {}), address, method]
    done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    if not check:
        return done
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_server_over_grpcurl_and_archive_cli(tmp_path: Path, coho_process: Any, grpcurl: str) -> None:
    config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "e2e", "listen": "127.0.0.1:0", "data_dir": "data",
        "auth": {"tokens": {TOKEN: {"user": "ops", "roles": ["admin"]},
                            READER: {"user": "viewer", "roles": ["reader"]}}},
    })
    server = coho_process("server", "--config", str(config))
    address = server.wait_serving()

    assert call(grpcurl, address, "grpc.health.v1.Health/Check", token=None)["status"] == "SERVING"
    added = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/AddEntity", ADD_ENTITY)
    guid = added["entity"]["header"]["guid"]
    assert added["entity"]["header"]["created_by"] == "ops"
    again = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/AddEntity", ADD_ENTITY)
    assert again["entity"]["header"]["guid"] == guid  # same request id: the same entity
    got = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/GetEntity", {"guid": guid}, token=READER)
    assert got["entity"]["properties"]["properties"]["name"]["primitive"]["string_value"] == "a.csv"
    found = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/FindEntities",
                 {"query": {"typeName": "DataFile"}}, token=READER)
    assert [e["header"]["guid"] for e in found["entities"]] == [guid]

    by_value = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/FindEntitiesByPropertyValue",
                    {"searchCriteria": "a\\..*"})
    assert [e["header"]["guid"] for e in by_value["entities"]] == [guid]
    changes = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/ReadChangeLog",
                   {"afterSequence": 0, "pageSize": 20})
    assert changes["entries"][0]["user_id"] == "ops"
    config_reply = call(grpcurl, address, "coho.admin.v1.ServerAdminService/GetServerConfig")
    assert TOKEN not in json.dumps(config_reply) and config_reply["effective_config"]["server_name"] == "e2e"

    denied = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/AddEntity", ADD_ENTITY,
                  token=READER, check=False)
    assert denied.returncode != 0 and "PermissionDenied" in denied.stderr
    anonymous = call(grpcurl, address, "coho.omrs.v1.MetadataCollectionService/GetEntity", {"guid": guid},
                     token=None, check=False)
    assert "Unauthenticated" in anonymous.stderr

    loaded = subprocess.run(
        [sys.executable, "-m", "coho.server.cli", "archive", "load", "--server", address, "--token", TOKEN,
         "--json", str(EGERIA / "OpenMetadataTypes.omarchive"), str(EGERIA / "SimpleCatalog.omarchive")],
        capture_output=True, text=True, timeout=90, check=False)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)[1]["loaded"]["entities"] > 0
    exported = tmp_path / "export.omarchive"
    done = subprocess.run(
        [sys.executable, "-m", "coho.server.cli", "archive", "export", "--server", address, "--token", TOKEN,
         "--out", str(exported)], capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(exported.read_bytes())["archiveProperties"]

    audit = call(grpcurl, address, "coho.admin.v1.ServerAdminService/QueryAuditLog",
                 {"severities": ["AUDIT_LOG_SEVERITY_SECURITY"]})
    assert {r["action"] for r in audit["records"]} >= {"ROLE_NOT_ALLOWED", "NO_CREDENTIALS"}
    types = call(grpcurl, address, "coho.admin.v1.ServerAdminService/QueryAuditLog", {"component": "types"})
    assert types["records"][0]["action"] == "ARCHIVE_LOADED"
    status = call(grpcurl, address, "coho.admin.v1.ServerAdminService/GetServerStatus", token=READER)
    assert status["state"] == "SERVING_STATE_SERVING"
    assert server.terminate() == 0
