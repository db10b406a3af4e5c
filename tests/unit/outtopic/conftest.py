"""Fixtures for the out-topic tests: a real SQLite store, the built-in types and a repository over them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from coho.server.repository import Repository
from coho.server.store.sqlite import SqliteStore, open_sqlite_store
from coho.server.types import TypeRegistry


@pytest.fixture
def types() -> TypeRegistry:
    return TypeRegistry.with_builtin_types()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = open_sqlite_store(tmp_path / "data")
    yield opened
    await opened.close()


@pytest.fixture
def repo(store: SqliteStore, types: TypeRegistry) -> Repository:
    return Repository(store, types, metadata_collection_name="home", server_name="home-server")
