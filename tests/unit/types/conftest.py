"""Fixtures for the type-system tests (value builders live in each test module: conftest is not importable
under --import-mode=importlib)."""

from __future__ import annotations

import pytest

from coho.server.types import TypeRegistry


@pytest.fixture
def builtin() -> TypeRegistry:
    return TypeRegistry.with_builtin_types()
