"""Shared helpers for the archive tests: the Egeria archives and a strict JSON comparator."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

EGERIA_DIR = Path("/work/shared/egeria")
ARCHIVES = sorted(p.name for p in EGERIA_DIR.glob("*.omarchive"))

TOLERATED_DIFFERENCES: list[str] = []
"""Differences the round trip may show. Deliberately empty: key order is the only thing ignored (JSON
objects are unordered), and the comparator below is otherwise strict (bool is not int, 1 is not 1.0)."""


def json_differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Every difference between two JSON values, type-strict, ignoring only object key order."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r:.60} != {type(b).__name__} {b!r:.60}"]
    if isinstance(a, dict):
        out = [f"{path}.{k}: only in first" for k in a.keys() - b.keys()]
        out += [f"{path}.{k}: only in second" for k in b.keys() - a.keys()]
        for key in a.keys() & b.keys():
            out += json_differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in json_differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r:.60} != {b!r:.60}"]


def readme_counts() -> dict[str, dict[str, int]]:
    """The per-archive counts table of the Egeria README, keyed by file then by column name."""
    lines = (EGERIA_DIR / "README.md").read_text().splitlines()
    header = next(line for line in lines if line.startswith("| file"))
    columns = [c.strip() for c in header.strip("|").split("|")][1:]
    table = {}
    for line in lines:
        match = re.match(r"\|\s*(\S+\.omarchive)\s*\|(.*)\|\s*$", line)
        if match:
            table[match.group(1)] = dict(zip(columns, (int(c) for c in match.group(2).split("|")), strict=True))
    return table


_CACHE: dict[str, bytes] = {}


def archive_bytes(name: str) -> bytes:
    if name not in _CACHE:
        _CACHE[name] = (EGERIA_DIR / name).read_bytes()
    return _CACHE[name]


def archive_json(name: str) -> dict[str, Any]:
    return json.loads(archive_bytes(name))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Any test taking ``archive_name`` runs once per Egeria archive.
    if "archive_name" in metafunc.fixturenames:
        metafunc.parametrize("archive_name", ARCHIVES)


class ArchiveKit:
    """The helpers above, handed to tests as a fixture (test modules cannot import a sibling module)."""

    dir = EGERIA_DIR
    archives = ARCHIVES
    tolerated = TOLERATED_DIFFERENCES
    differences = staticmethod(json_differences)
    readme_counts = staticmethod(readme_counts)
    read_bytes = staticmethod(archive_bytes)
    read_json = staticmethod(archive_json)


@pytest.fixture(scope="session")
def kit() -> ArchiveKit:
    return ArchiveKit()
