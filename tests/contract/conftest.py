"""Fixtures of the repository contract suite (Egeria CTS profiles, one module each).

Every test runs once per store backend in STORE_FACTORIES. A new backend (PostgreSQL) joins the suite by
adding its factory there: a callable taking a fresh directory and returning a Store (or an awaitable of one).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from contract.builders import REMOTE_ID, Clock, add_test_types

from coho.server.repository import Repository
from coho.server.store.base import Store
from coho.server.types import TypeRegistry


def _sqlite(directory: Path) -> Any:
    from coho.server.store.sqlite import open_sqlite_store

    return open_sqlite_store(directory)


STORE_FACTORIES: dict[str, Callable[[Path], Any]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store_factory(request: pytest.FixtureRequest) -> Callable[[Path], Any]:
    return STORE_FACTORIES[request.param]


async def _open(factory: Callable[[Path], Any], directory: Path) -> Store:
    store = factory(directory)
    if inspect.isawaitable(store):
        store = await store
    return store  # type: ignore[no-any-return]


@pytest.fixture
async def store(store_factory: Callable[[Path], Any], tmp_path: Path) -> AsyncIterator[Store]:
    opened = await _open(store_factory, tmp_path / "home")
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def types() -> TypeRegistry:
    return add_test_types(TypeRegistry.with_builtin_types())


@pytest.fixture
def repo(store: Store, types: TypeRegistry, clock: Clock) -> Repository:
    return Repository(store, types, metadata_collection_name="home", server_name="home-server", clock=clock)


@pytest.fixture
async def other_repo(store_factory: Callable[[Path], Any], tmp_path: Path, clock: Clock) -> AsyncIterator[Repository]:
    """A second member (another home), to produce genuine reference copies."""
    opened = await _open(store_factory, tmp_path / "other")
    yield Repository(opened, TypeRegistry.with_builtin_types(), metadata_collection_name="other", clock=clock)
    await opened.close()


@pytest.fixture
def remote_id() -> str:
    return REMOTE_ID
