"""Fixtures for the out-topic tests: a real SQLite store, the built-in types and a repository over them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from coho.server.outtopic.wire import annex_event
from coho.server.repository import Repository
from coho.server.store.sqlite import SqliteStore, open_sqlite_store
from coho.server.types import TypeRegistry


@pytest.fixture
def types() -> TypeRegistry:
    return TypeRegistry.with_builtin_types()


@pytest.fixture(params=["annexed", "legacy"])
async def store(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[SqliteStore]:
    """With the Out Topic's annexer (as a server runs), and without it: a change log written before the
    annexer existed, which the Out Topic must serve the same way."""
    opened = open_sqlite_store(tmp_path / "data")
    if request.param == "annexed":
        opened.set_change_annexer(annex_event)
    yield opened
    await opened.close()


@pytest.fixture
def repo(store: SqliteStore, types: TypeRegistry) -> Repository:
    return Repository(store, types, metadata_collection_name="home", server_name="home-server")
