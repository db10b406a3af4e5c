"""``coho archive load|export`` as a real process on temporary data directories."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coho.server.archive import parse_archive
from coho.server.store.sqlite import open_sqlite_store

pytestmark = pytest.mark.e2e

EGERIA = Path("/work/shared/egeria")
TYPES = EGERIA / "OpenMetadataTypes.omarchive"
COCO = EGERIA / "CocoBusinessSystemsArchive.omarchive"
COCO_GUID = "ac202586-4042-407b-ae51-8096dfda223e"


def coho(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coho.server.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def snapshot(data_dir: Path) -> tuple[Any, int]:
    store = open_sqlite_store(data_dir)
    try:
        return store.counts(), store.head_sequence()
    finally:
        store.close_sync()


def counts_block(stdout: str, file: Path) -> dict[str, tuple[int, int]]:
    """{label: (loaded, already present)} from the human output for one file."""
    lines = stdout.split(f"{file}: ", 1)[1].splitlines()[1:]
    block = []
    for line in lines:
        if not line.startswith("  "):
            break  # the next file's header
        block.append(line)
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in map(re.compile(r"  ([a-z ]+):\s+(\d+) loaded, (\d+) already present").fullmatch, block) if m}


def test_load_export_reload(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    loaded = coho("archive", "load", "--data-dir", one, TYPES, COCO)
    assert loaded.returncode == 0, loaded.stderr
    types_counts, coco_counts = counts_block(loaded.stdout, TYPES), counts_block(loaded.stdout, COCO)
    assert coco_counts == {"type defs": (0, 0), "attribute type defs": (0, 0), "patches": (0, 0),
                           "entities": (80, 0), "proxies": (16, 0), "relationships": (164, 0),
                           "classifications": (0, 0)}
    assert sum(types_counts["type defs"]) == 620 and types_counts["patches"] == (32, 0)
    assert sum(types_counts["attribute type defs"]) == 50

    again = coho("archive", "load", "--data-dir", one, COCO, "--json")
    assert again.returncode == 0, again.stderr
    [report] = json.loads(again.stdout)
    assert report["archive_guid"] == COCO_GUID
    assert set(report["loaded"].values()) == {0}
    assert report["already_present"]["entities"] == 80 and report["already_present"]["relationships"] == 164

    out = tmp_path / "export.omarchive"
    exported = coho("archive", "export", "--data-dir", one, "--out", out, "--include-types")
    assert exported.returncode == 0, exported.stderr
    assert "80 entities" in exported.stdout and "164 relationships" in exported.stdout

    reloaded = coho("archive", "load", "--data-dir", two, out, "--json")
    assert reloaded.returncode == 0, reloaded.stderr
    assert json.loads(reloaded.stdout)[0]["loaded"]["entities"] == 80
    first, second = tmp_path / "first.omarchive", tmp_path / "second.omarchive"
    for data_dir, file in ((one, first), (two, second)):
        result = coho("archive", "export", "--data-dir", data_dir, "--out", file, "--home", COCO_GUID)
        assert result.returncode == 0, result.stderr
    a, b = parse_archive(first.read_bytes()), parse_archive(second.read_bytes())
    assert sorted(a.entities, key=lambda e: e.header.guid) == sorted(b.entities, key=lambda e: e.header.guid)
    assert sorted(a.relationships, key=lambda r: r.header.guid) == sorted(
        b.relationships, key=lambda r: r.header.guid)
    assert len(a.entities) == 80


def test_malformed_archive_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert coho("archive", "load", "--data-dir", data, TYPES).returncode == 0
    before = snapshot(data)

    truncated = tmp_path / "truncated.omarchive"
    truncated.write_bytes(COCO.read_bytes()[:40_000])
    result = coho("archive", "load", "--data-dir", data, COCO, truncated)
    assert result.returncode == 1
    assert re.fullmatch(rf"coho: archive error: {re.escape(str(truncated))}: document: invalid JSON at line 1 "
                        r"column \d+: .*\n", result.stderr)
    assert snapshot(data) == before

    document = json.loads(COCO.read_bytes())
    entity = document["archiveInstanceStore"]["entities"][3]
    entity["type"]["typeDefName"] = "NoSuchType"
    bad = tmp_path / "bad.omarchive"
    bad.write_text(json.dumps(document))
    result = coho("archive", "load", "--data-dir", data, EGERIA / "SimpleCatalog.omarchive", bad)
    assert result.returncode == 1
    assert result.stderr == (f"coho: archive error: {bad}: archiveInstanceStore.entities[3] (guid {entity['guid']}): "
                             "type: type 'NoSuchType' is not known\n")
    assert snapshot(data) == before  # SimpleCatalog, given first, was not stored either


def test_export_needs_a_repository(tmp_path: Path) -> None:
    result = coho("archive", "export", "--data-dir", tmp_path / "nothing", "--out", tmp_path / "x.omarchive")
    assert result.returncode == 1
    assert "no repository in" in result.stderr
    assert not (tmp_path / "nothing").exists()
