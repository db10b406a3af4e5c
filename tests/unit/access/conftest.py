"""Shared fixtures of the access-service core tests: a real SQLite store with the built-in types."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from coho.server.repository import Repository
from coho.server.store import open_sqlite_store
from coho.server.types import TypeRegistry


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    store = open_sqlite_store(tmp_path / "data")
    yield Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="home")
    await store.close()
