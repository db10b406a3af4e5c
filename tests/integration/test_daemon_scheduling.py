"""Hosting and scheduling: intervals, on-demand refresh, failures, hangs, blocking code, recovery, shutdown.

A real in-process access server and daemon over gRPC on 127.0.0.1 (real SQLite)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cohotest import free_port
from grpc_health.v1 import health_pb2, health_pb2_grpc
from servertest import running, server_config
from unit.daemon import sample_connectors as sc
from unit.daemon.daemontest import connector, daemon_config, daemon_with_server, status, wait_until

from coho.client import connect
from coho.daemon.app import DaemonApp
from coho.server.app import ServerApp

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    sc.reset()
    yield
    sc.RELEASE.set()  # let blocked engage threads end


def max_gap(times: list[float]) -> float:
    return max(b - a for a, b in itertools.pairwise(times))


async def test_refreshes_follow_each_connectors_interval_and_on_demand(tmp_path: Path) -> None:
    conns = [connector("fast", "Counting", 0.2), connector("slow", "Counting", 0.6), connector("rare", "Counting", 60)]
    async with daemon_with_server(tmp_path, conns) as app:
        await wait_until(lambda: len(sc.REFRESHES["fast"]) >= 8, what="fast refreshes")
        assert 0.15 < max_gap(sc.REFRESHES["fast"]) < 0.45
        assert 2 <= len(sc.REFRESHES["slow"]) <= 4
        assert len(sc.REFRESHES["rare"]) == 1  # the refresh right after start
        (refresh_id,) = app.connectors.refresh("rare")
        report = await asyncio.wait_for(app.connectors.runner("rare").wait_refresh(refresh_id), 5)
        assert report is None and len(sc.REFRESHES["rare"]) == 2
        assert len(app.connectors.refresh()) == 3  # all


async def test_failing_hanging_and_blocking_connectors_do_not_delay_others(tmp_path: Path) -> None:
    conns = [connector("steady", "Counting", 0.2), connector("raising", "Raising", 0.2),
             connector("hanging", "Hanging", 0.2, refresh_timeout_seconds=0.3),
             connector("blocking", "Blocking", 0.2)]
    async with daemon_with_server(tmp_path, conns) as app:
        await wait_until(lambda: len(sc.REFRESHES["steady"]) >= 12, within=15, what="steady refreshes")
        assert max_gap(sc.REFRESHES["steady"]) < 0.2 + 0.25
        raising = app.connectors.runner("raising").state
        assert status(app, "raising") == "FAILED" or raising.consecutive_failures >= 1
        assert "third party said no" in raising.failing_error and len(sc.REFRESHES["raising"]) >= 3
        hanging = app.connectors.runner("hanging").state
        await wait_until(lambda: "timed out" in hanging.failing_error, what="hang recorded")
        assert len(sc.REFRESHES["hanging"]) >= 2  # cancelled, then retried with backoff
        assert sc.ENGAGED["blocking"] == 1  # still stuck in engage(), yet refreshing on schedule
        assert len(sc.REFRESHES["blocking"]) >= 8 and status(app, "blocking") in ("RUNNING", "REFRESHING")


async def test_server_down_at_start_then_recovered_without_restart(tmp_path: Path) -> None:
    port = free_port()
    async with DaemonApp(daemon_config(f"127.0.0.1:{port}", [connector("patient", "Counting", 0.2)])) as app:
        await wait_until(lambda: status(app, "patient") == "INITIALIZE_FAILED", what="INITIALIZE_FAILED")
        assert sc.STARTS["patient"] == 0
        await asyncio.sleep(0.5)
        assert app.connectors.runner("patient").state.consecutive_failures >= 2  # retried
        async with ServerApp(server_config(tmp_path, listen=f"127.0.0.1:{port}")):
            await wait_until(lambda: len(sc.REFRESHES["patient"]) >= 2, within=10, what="recovery")
            assert status(app, "patient") in ("RUNNING", "REFRESHING") and sc.STARTS["patient"] == 1


async def test_bad_entry_point_is_config_failed(tmp_path: Path) -> None:
    async with daemon_with_server(tmp_path, [connector("broken", "NoSuchClass")]) as app:
        await wait_until(lambda: status(app, "broken") == "CONFIG_FAILED", what="CONFIG_FAILED")
        assert "NoSuchClass" in app.connectors.runner("broken").state.failing_error


async def test_clean_shutdown_is_bounded_and_health_goes_not_serving(tmp_path: Path) -> None:
    conns = [connector("c1", "Counting"), connector("slowbye", "SlowDisconnect"),
             connector("hang", "Hanging", 60), connector("block", "Blocking")]
    async with running(tmp_path) as server:
        app = DaemonApp(daemon_config(server.address, conns))
        await app.start()
        await wait_until(lambda: sc.ENGAGED["block"] == 1 and len(sc.REFRESHES["hang"]) == 1, what="all up")
        async with connect(app.address) as channel:
            # A Watch opened before the stop sees the flip (new calls are refused once draining starts).
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
            started = time.monotonic()
            stopping = asyncio.create_task(app.stop())
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
            await asyncio.wait_for(stopping, 10)
        assert time.monotonic() - started < 0.2 + 0.5 + 2.5
        assert {status(app, n) for n in ("c1", "slowbye", "hang", "block")} == {"SHUTDOWN"}
        assert sc.DISCONNECTS["c1"] == 1 and sc.DISCONNECTS["hang"] == 1
