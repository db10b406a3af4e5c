"""A test harness for connector authors: one connector, a real in-process access server, real gRPC.

    async with run_connector(MyConnector, tmp_path, configuration_properties={"folder": str(d)}) as h:
        report = await h.refresh()          # an on-demand refresh; its integration report (or None)
        assert report.created_element_guids == [...]

The server runs on 127.0.0.1 with a fresh SQLite home repository under ``data_dir``; the daemon hosts only
this connector, with a long refresh interval so the test drives refreshes itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc.aio

from coho.client import connect
from coho.daemon.app import DaemonApp
from coho.daemon.config import DaemonConfig
from coho.daemon.runner import ConnectorRunner
from coho.daemon.sdk import IntegrationConnector
from coho.integration.v1 import connectors_pb2 as cpb
from coho.server.app import ServerApp
from coho.server.config import ServerConfig

SERVER_ADMIN_TOKEN = "harness-server-admin"
DAEMON_TOKEN = "harness-daemon-connector"
DAEMON_ADMIN_TOKEN = "harness-daemon-admin"
DAEMON_USER = "harness-daemon"


class ConnectorHarness:
    """What a test gets: the server, the daemon, the connector and helpers to drive them."""

    def __init__(self, server: ServerApp, daemon: DaemonApp, name: str) -> None:
        self.server = server
        self.daemon = daemon
        self.name = name

    @property
    def runner(self) -> ConnectorRunner:
        return self.daemon.connectors.runner(self.name)

    @property
    def connector(self) -> IntegrationConnector[Any]:
        connector = self.runner.connector
        if connector is None:
            raise RuntimeError(f"connector {self.name!r} is not running ({self.status_name})")
        return connector

    @property
    def status_name(self) -> str:
        return cpb.ConnectorStatus.Name(self.runner.state.status).removeprefix("CONNECTOR_STATUS_")

    async def wait_status(self, status: str, within: float = 10.0) -> None:
        """Wait until the connector's status name (e.g. "RUNNING") is reached."""
        deadline = time.monotonic() + within
        while self.status_name != status:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} is {self.status_name}, not {status}: "
                                   f"{self.runner.state.failing_error}")
            await asyncio.sleep(0.02)

    async def refresh(self, within: float = 30.0) -> cpb.IntegrationReport | None:
        """Refresh now and wait for it; returns the integration report (None when nothing changed)."""
        await self.wait_status("RUNNING", within)
        refresh_id = self.daemon.connectors.refresh(self.name)[0]
        async with asyncio.timeout(within):
            return await self.runner.wait_refresh(refresh_id)

    async def flush_events(self) -> cpb.IntegrationReport | None:
        """The report of the event-driven work done since the last refresh."""
        return await self.runner.close_event_window()

    @asynccontextmanager
    async def server_channel(self, token: str = SERVER_ADMIN_TOKEN) -> AsyncIterator[grpc.aio.Channel]:
        """An admin channel to the access server, for a test's own checks."""
        async with connect(self.server.address, token) as channel:
            yield channel

    @asynccontextmanager
    async def daemon_channel(self, token: str = DAEMON_ADMIN_TOKEN) -> AsyncIterator[grpc.aio.Channel]:
        async with connect(self.daemon.address, token) as channel:
            yield channel


def harness_server_config(data_dir: Path, act_as: list[str], extra: dict[str, Any] | None = None) -> ServerConfig:
    tokens = {
        SERVER_ADMIN_TOKEN: {"user": "harness-admin", "roles": ["admin"]},
        DAEMON_TOKEN: {"user": DAEMON_USER, "roles": ["connector"], "act_as": act_as},
    }
    return ServerConfig.model_validate({
        "server_name": "harness-server", "listen": "127.0.0.1:0", "data_dir": str(data_dir),
        "auth": {"tokens": tokens}, "shutdown_grace_seconds": 0.2, **(extra or {})})


def harness_daemon_config(server_address: str, service_kind: str, connector: dict[str, Any]) -> DaemonConfig:
    return DaemonConfig.model_validate({
        "daemon_name": "harness-daemon", "listen": "127.0.0.1:0", "user": DAEMON_USER,
        "server": {"address": server_address, "token": DAEMON_TOKEN},
        "auth": {"tokens": {DAEMON_ADMIN_TOKEN: {"user": "harness-ops", "roles": ["admin"]}}},
        "integration_services": [{"name": f"{service_kind}-integrator", "kind": service_kind,
                                  "connectors": [connector]}],
        "scheduler": {"retry_initial_seconds": 0.1, "retry_max_seconds": 1.0, "engage_pause_seconds": 0.05},
        "shutdown_grace_seconds": 0.2})


def entry_point_of(connector: type[IntegrationConnector[Any]] | str) -> str:
    if isinstance(connector, str):
        return connector
    return f"{connector.__module__}:{connector.__qualname__}"


@asynccontextmanager
async def run_connector(connector: type[IntegrationConnector[Any]] | str, data_dir: Path, *,
                        service_kind: str = "files", name: str = "connector-under-test",
                        server_options: dict[str, Any] | None = None,
                        **options: Any) -> AsyncIterator[ConnectorHarness]:
    """Run one connector (a class importable by module path, or "module:Class") against a fresh server.

    ``options`` are the connector's daemon-config keys (configuration_properties, user_id, metadata_source,
    permitted_synchronization, refresh_interval_seconds, ...); ``server_options`` are server config keys
    (e.g. ``{"store": {"change_log_retention": 100}}``).
    """
    options.setdefault("refresh_interval_seconds", 3600)
    settings = {"name": name, "entry_point": entry_point_of(connector), **options}
    act_as = [options["user_id"]] if options.get("user_id") else []
    async with ServerApp(harness_server_config(data_dir, act_as, server_options)) as server:
        daemon = DaemonApp(harness_daemon_config(server.address, service_kind, settings))
        async with daemon:
            yield ConnectorHarness(server, daemon, name)
