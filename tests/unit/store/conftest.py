"""Fixtures for the store tests: a real SQLite store in tmp_path (builders live in storebuild.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coho.server.store import open_sqlite_store
from coho.server.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = open_sqlite_store(tmp_path / "data")
    yield s
    s.close_sync()
