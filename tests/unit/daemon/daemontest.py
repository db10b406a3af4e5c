"""Helpers for the daemon tests: configs, an in-process server + daemon pair, polling (test-only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from servertest import CONNECTOR_TOKEN, running

from coho.daemon.app import DaemonApp
from coho.daemon.config import DaemonConfig
from coho.integration.v1 import connectors_pb2 as cpb

S = cpb.ConnectorStatus
MODULE = "unit.daemon.sample_connectors"
DAEMON_ADMIN = "daemon-admin-123"
DAEMON_READER = "daemon-reader-123"


def connector(name: str, cls: str, interval: float = 0.3, **extra: Any) -> dict[str, Any]:
    return {"name": name, "entry_point": f"{MODULE}:{cls}", "refresh_interval_seconds": interval, **extra}


def daemon_config(address: str, connectors: list[dict[str, Any]], **extra: Any) -> DaemonConfig:
    data: dict[str, Any] = {
        "daemon_name": "sched-daemon", "listen": "127.0.0.1:0", "user": "conn",
        "server": {"address": address, "token": CONNECTOR_TOKEN},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]},
                            DAEMON_READER: {"user": "viewer", "roles": ["reader"]}}},
        "integration_services": [{"name": "files", "kind": "files", "connectors": connectors}],
        "scheduler": {"retry_initial_seconds": 0.1, "retry_max_seconds": 0.4, "engage_pause_seconds": 0.05,
                      "disconnect_timeout_seconds": 0.5},
        "shutdown_grace_seconds": 0.2,
    }
    data.update(extra)
    return DaemonConfig.model_validate(data)


@asynccontextmanager
async def daemon_with_server(tmp_path: Path, connectors: list[dict[str, Any]],
                             **extra: Any) -> AsyncIterator[DaemonApp]:
    async with running(tmp_path) as server, DaemonApp(daemon_config(server.address, connectors, **extra)) as app:
        yield app


def status(app: DaemonApp, name: str) -> str:
    return S.Name(app.connectors.runner(name).state.status).removeprefix("CONNECTOR_STATUS_")


async def wait_until(predicate: Any, within: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


