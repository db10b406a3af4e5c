"""A real `coho server` process driven by grpcurl and by `coho archive load --server` (the README examples)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
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


README = Path(__file__).resolve().parents[2] / "README.md"
WALKTHROUGH_MARKER = "<!-- e2e:grpcurl-walkthrough -->"
DATABASE_QN = "postgres://db.example.com:5432/sales"


def readme_walkthrough() -> list[str]:
    """The commands of the README's walk-through block: a `grpcurl` line plus its indented continuation lines."""
    text = README.read_text(encoding="utf-8")
    block = text.split(WALKTHROUGH_MARKER, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands: list[str] = []
    for line in block.splitlines():
        if line.startswith("grpcurl "):
            commands.append(line)
        elif line.startswith((" ", "\t", '"')) and commands:
            commands[-1] += "\n" + line
    return commands


def json_documents(text: str) -> list[Any]:
    """grpcurl prints one pretty JSON document per message; a stream prints several back to back."""
    decoder, found, position = json.JSONDecoder(), [], 0
    while position < len(text.rstrip()):
        while text[position].isspace():
            position += 1
        document, position = decoder.raw_decode(text, position)
        found.append(document)
    return found


def test_readme_walkthrough_runs_verbatim(tmp_path: Path, coho_process: Any, grpcurl: str) -> None:
    # The README assumes `coho up`'s layout: the token in ./coho-demo/token, the server on 127.0.0.1:50051.
    (tmp_path / "coho-demo").mkdir()
    (tmp_path / "coho-demo" / "token").write_text(TOKEN + "\n")
    config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "e2e", "listen": "127.0.0.1:0", "data_dir": "data", "metrics_port": 0,
        "auth": {"tokens": {TOKEN: {"user": "ops", "roles": ["admin"]}}},
    })
    server = coho_process("server", "--config", str(config))
    address = server.wait_serving()
    env = {**os.environ, "PATH": f"{Path(grpcurl).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    outputs: dict[str, list[Any]] = {}
    commands = readme_walkthrough()
    assert len(commands) == 6, commands
    for command in commands:
        method = command.split()[-1]
        done = subprocess.run(["bash", "-c", command.replace("127.0.0.1:50051", address)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=30, check=False)
        # Only the Out Topic stream is expected to end on its -max-time deadline.
        streaming = method.endswith("/Subscribe")
        assert done.returncode == 0 or (streaming and "DeadlineExceeded" in done.stderr), (command, done.stderr)
        outputs[method] = json_documents(done.stdout)

    assert outputs["grpc.health.v1.Health/Check"] == [{"status": "SERVING"}]
    [created] = outputs["coho.access.v1.DataManagerService/UpsertElements"][0]["results"]
    assert created["outcome"] == "UPSERT_OUTCOME_CREATED" and created["key"] == DATABASE_QN
    guid = created["guid"]
    [found] = outputs["coho.access.v1.DataManagerService/FindElements"]
    assert [e["header"]["guid"] for e in found["elements"]] == [guid]
    [got] = outputs["coho.access.v1.DataManagerService/GetElement"]
    assert got["element"]["header"]["guid"] == guid
    assert got["element"]["element"]["database"]["database_type"] == "PostgreSQL"
    events = [e for message in outputs["coho.access.v1.OutTopicService/Subscribe"] for e in message.get("events", [])]
    assert [(e["event_type"], e["element_header"]["guid"]) for e in events if not e.get("is_relationship")] == [
        ("OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED", guid)]
    [audit] = outputs["coho.admin.v1.ServerAdminService/QueryAuditLog"]
    assert {"STARTUP", "CONFIG_LOADED"} <= {r["action"] for r in audit["records"]}

    # The same process serves Prometheus metrics on the port it picked and logged.
    # Logged before "serving", so it is already among the collected lines.
    line = next(ln for ln in server.stderr_lines if '"metrics listening"' in ln)
    metrics_url = f"http://{json.loads(line)['address']}/metrics"
    with urllib.request.urlopen(metrics_url, timeout=5) as reply:
        scraped = reply.read().decode()
    assert ('grpc_server_handled_total{grpc_code="OK",grpc_method="UpsertElements",'
            'grpc_service="coho.access.v1.DataManagerService",grpc_type="unary"} 1.0') in scraped
    assert server.terminate() == 0
