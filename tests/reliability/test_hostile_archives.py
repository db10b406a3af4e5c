"""Malformed, truncated and hostile archives (issue #8): `coho archive load` (a real process on --data-dir) and
TypeService.LoadArchive refuse each with a message naming the problem, and leave the store exactly as it was.

Each hostile archive is SimpleCatalog with fresh GUIDs (so a partial load would show up as new rows), broken
near its *end*: everything before the fault would have been stored by a loader that is not atomic.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from servertest import ADMIN_TOKEN, server_config

from coho.client import connect
from coho.client.errors import from_rpc_error
from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc
from coho.server.app import ServerApp

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

EGERIA = Path("/work/shared/egeria")
TYPES = EGERIA / "OpenMetadataTypes.omarchive"
SIMPLE = EGERIA / "SimpleCatalog.omarchive"
HUGE_ENTITIES = 3000  # ~9 MB of valid entities ahead of one bad one: within the 16 MiB message limit


def coho(*args: str | Path, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coho.server.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, check=False)


def fresh_copy() -> dict[str, Any]:
    """SimpleCatalog with new archive, entity and relationship GUIDs and qualified names."""
    text = SIMPLE.read_text(encoding="utf-8")
    document = json.loads(text)
    store = document["archiveInstanceStore"]
    guids = [e["guid"] for e in store["entities"]] + [r["guid"] for r in store["relationships"]]
    guids.append(document["archiveProperties"]["archiveGUID"])
    for old in guids:
        text = text.replace(old, str(uuid.uuid4()))
    text = text.replace('"qualifiedName"', '"qualifiedName"')  # values stay: the GUIDs make them new instances
    return json.loads(text)  # type: ignore[no-any-return]


def dumps(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def _mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = fresh_copy()
    change(document)
    return dumps(document)


def _last_relationship(document: dict[str, Any]) -> dict[str, Any]:
    return document["archiveInstanceStore"]["relationships"][-1]  # type: ignore[no-any-return]


def _wrong_type(document: dict[str, Any]) -> None:
    _last_relationship(document)["version"] = "2"


def _unknown_relationship_type(document: dict[str, Any]) -> None:
    _last_relationship(document)["type"].update(typeDefName="NoSuchRelationshipType", typeDefGUID=str(uuid.uuid4()))


def _deep_property(document: dict[str, Any]) -> None:
    value: dict[str, Any] = {"class": "PrimitivePropertyValue", "instancePropertyCategory": "PRIMITIVE",
                             "primitiveDefCategory": "OM_PRIMITIVE_TYPE_STRING", "primitiveValue": "x"}
    for _ in range(200):
        value = {"class": "ArrayPropertyValue", "instancePropertyCategory": "ARRAY", "arrayCount": 1,
                 "arrayValues": {"class": "InstanceProperties", "instanceProperties": {"0": value}}}
    entity = document["archiveInstanceStore"]["entities"][-1]
    entity["properties"]["instanceProperties"]["deep"] = value


def _huge_then_broken(document: dict[str, Any]) -> None:
    """A billion-laughs stand-in: JSON has no entity expansion, so the cost is sheer valid volume (within the
    limits) with the fault at the very end, where only atomicity saves the store."""
    entities = document["archiveInstanceStore"]["entities"]
    template = entities[0]
    for i in range(HUGE_ENTITIES):
        clone = copy.deepcopy(template)
        clone["guid"] = str(uuid.uuid4())
        clone["properties"]["instanceProperties"]["qualifiedName"]["primitiveValue"] = f"laugh-{i}"
        entities.append(clone)
    entities[-1]["status"] = "LAUGHING"


def _bad_json() -> bytes:
    text = dumps(fresh_copy())
    cut = text.rindex(b'"version": 1,')
    return text[:cut] + b'"version": 1,,' + text[cut + len(b'"version": 1,'):]


def _non_utf8() -> bytes:
    text = dumps(fresh_copy())
    cut = text.rindex(b'"qualifiedName"')
    return text[:cut] + b'"qualified\xffName"' + text[cut + len(b'"qualifiedName"'):]


# (name, archive bytes builder, fragment the error must contain)
CASES: list[tuple[str, Callable[[], bytes], str]] = [
    ("empty", lambda: b"", "invalid JSON"),
    ("not_an_object", lambda: b"[1, 2]", "must be a JSON object"),
    ("bad_json", _bad_json, "invalid JSON at line"),
    ("truncated", lambda: dumps(fresh_copy())[:-777], "invalid JSON at line"),
    ("non_utf8", _non_utf8, "not UTF-8"),
    ("huge_nesting", lambda: b'{"class":"OpenMetadataArchive","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "nested deeper than"),
    ("deep_property", lambda: _mutated(_deep_property), "nested deeper than"),
    ("wrong_types", lambda: _mutated(_wrong_type), "'version' must be an integer, got string"),
    ("unknown_relationship_type", lambda: _mutated(_unknown_relationship_type), "NoSuchRelationshipType"),
    ("huge_then_broken", lambda: _mutated(_huge_then_broken), "LAUGHING"),
]
CASE_IDS = [name for name, _, _ in CASES]
RPC_FRAGMENTS = {"empty": "archive_json"}  # over gRPC empty bytes are an absent field: MISSING_FIELD


def contents(data_dir: Path) -> str:
    """A digest of every row of every table of the repository, plus the row counts (for the message)."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{data_dir / 'repository.db'}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        counts = []
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            counts.append(f"{table}={len(rows)}")
            digest.update(table.encode())
            digest.update(repr(rows).encode())
    return f"{digest.hexdigest()} ({', '.join(counts)})"


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with Egeria's types and SimpleCatalog, loaded once per module."""
    data_dir = tmp_path_factory.mktemp("base") / "data"
    loaded = coho("archive", "load", "--data-dir", data_dir, TYPES, SIMPLE)
    assert loaded.returncode == 0, loaded.stderr
    return data_dir


def copy_of(base_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(base_dir, target)
    return target


def test_valid_fresh_copy_loads(base_dir: Path, tmp_path: Path) -> None:
    """The control: the unbroken variant loads, so each failure below is caused by its fault alone."""
    data_dir = copy_of(base_dir, tmp_path)
    archive = tmp_path / "fresh.omarchive"
    archive.write_bytes(dumps(fresh_copy()))
    before = contents(data_dir)
    loaded = coho("archive", "load", "--data-dir", data_dir, archive, "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)[0]["loaded"]["entities"] == 28
    assert contents(data_dir) != before


@pytest.mark.parametrize(("name", "build", "fragment"), CASES, ids=CASE_IDS)
def test_cli_refuses_hostile_archive(base_dir: Path, tmp_path: Path, name: str, build: Callable[[], bytes],
                                     fragment: str) -> None:
    data_dir = copy_of(base_dir, tmp_path)
    archive = tmp_path / f"{name}.omarchive"
    archive.write_bytes(build())
    before = contents(data_dir)
    started = time.monotonic()
    result = coho("archive", "load", "--data-dir", data_dir, archive)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr[-2000:])
    assert f"coho: archive error: {archive}: " in result.stderr, result.stderr[-2000:]
    assert fragment in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert contents(data_dir) == before
    assert elapsed < 120


async def test_load_archive_rpc_refuses_hostile_archives(base_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_of(base_dir, tmp_path)
    before = contents(data_dir)
    refused = {}
    config = server_config(tmp_path, data_dir=str(data_dir))
    async with ServerApp(config) as app, connect(app.address, ADMIN_TOKEN) as channel:
        stub = ts_grpc.TypeServiceStub(channel)
        for name, build, fragment in CASES:
            data = build()
            for validate_only in (True, False):
                try:
                    await stub.LoadArchive(ts.LoadArchiveRequest(archive_json=data, validate_only=validate_only),
                                           timeout=120)
                except grpc.aio.AioRpcError as err:
                    decoded = from_rpc_error(err)
                    refused[name] = decoded.code.name
                    assert decoded.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION), \
                        (name, decoded)
                    named = " ".join([decoded.message, *(f"{f} {d}" for f, d in decoded.field_violations)])
                    assert RPC_FRAGMENTS.get(name, fragment) in named, (name, decoded)
                else:
                    raise AssertionError(f"{name}: LoadArchive accepted a hostile archive")
        assert app.runtime is not None
    assert set(refused) == set(CASE_IDS)
    assert contents(data_dir) == before
