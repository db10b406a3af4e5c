"""Daemon faults with real processes: the access server SIGKILLed and restarted under a running daemon, the
daemon SIGKILLed in the middle of a refresh, and a remote connector's process SIGKILLed and started again.

Already covered elsewhere (not repeated here): a server that is down when the daemon starts
(tests/e2e/test_daemon_processes.py::test_server_down_at_daemon_start_then_recovered) and a remote
connector's stream closed in-process (tests/integration/test_daemon_remote.py::
test_attach_refresh_detach_and_reattach_resumes).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from cohotest import TESTS, CohoProcess, daemon_connector, free_port, poll, status_name, write_yaml
from reliability.fault_connectors import read_events, write_source

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.client import connect
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

MODULE = "reliability.fault_connectors"
SERVER_ADMIN = "faults-server-admin"
DAEMON_CONNECTOR = "faults-daemon-connector"
DAEMON_ADMIN = "faults-daemon-admin"
REMOTE_TOKEN = "faults-remote-far"
ALIVE = ("RUNNING", "REFRESHING")


def server_yaml(directory: Path, listen: str) -> Path:
    return write_yaml(directory / "server.yaml", {
        "server_name": "faults", "listen": listen, "data_dir": str(directory / "data"),
        "shutdown_grace_seconds": 0.5,
        "auth": {"tokens": {SERVER_ADMIN: {"user": "ops", "roles": ["admin"]},
                            DAEMON_CONNECTOR: {"user": "daemon", "roles": ["connector"]}}}})


def daemon_yaml(directory: Path, server_address: str, connectors: list[dict[str, Any]]) -> Path:
    for conn in connectors:
        if conn["entry_point"] != "remote":
            conn["entry_point"] = f"{MODULE}:{conn['entry_point']}"
            conn.setdefault("configuration_properties", {})["dir"] = str(directory)
    return write_yaml(directory / "daemon.yaml", {
        "daemon_name": "faults-daemon", "listen": "127.0.0.1:0", "user": "daemon",
        "server": {"address": server_address, "token": DAEMON_CONNECTOR},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]},
                            REMOTE_TOKEN: {"user": "far", "roles": ["connector"], "connector": "far"}}},
        "integration_services": [{"name": "files", "kind": "files", "connectors": connectors}],
        "scheduler": {"retry_initial_seconds": 0.1, "retry_max_seconds": 0.5, "disconnect_timeout_seconds": 0.5,
                      "phase_spread_seconds": 0, "group_poll_seconds": 600},
        "shutdown_grace_seconds": 0.2})


def start(*args: str) -> CohoProcess:
    """A `coho` process that can import the test connectors."""
    return CohoProcess(list(args), with_tests_path=True)


@contextmanager
def processes() -> Iterator[list[CohoProcess]]:
    started: list[CohoProcess] = []
    try:
        yield started
    finally:
        for process in reversed(started):
            process.kill()




async def connector_info(address: str, name: str) -> cpb.ConnectorInfo:
    info: cpb.ConnectorInfo = await daemon_connector(address, DAEMON_ADMIN, name)
    return info


async def refresh(address: str, name: str) -> str:
    async with connect(address, DAEMON_ADMIN) as channel:
        (refresh_id,) = (await ids_grpc.IntegrationDaemonServiceStub(channel).RefreshConnector(
            ids.RefreshConnectorRequest(connector_name=name), timeout=10)).refresh_ids
    return str(refresh_id)


async def upsert_probe(address: str, name: str) -> None:
    async with connect(address, SERVER_ADMIN) as channel:
        await dm_grpc.DataManagerServiceStub(channel).UpsertElements(dm.UpsertElementsRequest(elements=[
            dm.DataElement(qualified_name=name, folder=dm.FolderElement(path_name=f"/{name}"))]), timeout=10)


async def element(address: str, name: str) -> dm.DataElementView | None:
    async with connect(address, SERVER_ADMIN) as channel:
        try:
            response = await dm_grpc.DataManagerServiceStub(channel).GetElement(
                dm.GetElementRequest(qualified_name=name), timeout=10)
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
    view: dm.DataElementView = response.element
    return view


async def stored_names(address: str, pattern: str) -> list[str]:
    """Every FileFolder whose qualified name matches ``pattern``, duplicates kept (all pages)."""
    names: list[str] = []
    token = ""
    async with connect(address, SERVER_ADMIN) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        for _ in range(100):
            response = await stub.FindElements(dm.FindElementsRequest(
                kind=dm.ELEMENT_KIND_FOLDER, name_pattern=pattern, page_size=500, page_token=token), timeout=10)
            names.extend(view.element.qualified_name for view in response.elements)
            token = response.next_page_token
            if not token:
                return names
    raise AssertionError("more pages than expected")


def events_after(directory: Path, name: str, kind: str, since: float) -> list[dict[str, Any]]:
    return [e for e in read_events(directory, name) if e["kind"] == kind and e["time"] >= since]


async def _recovered(directory: Path, address: str, name: str, since: float, count: int) -> bool:
    info = await connector_info(address, name)
    return status_name(info) in ALIVE and len(events_after(directory, name, "refreshed", since)) >= count


async def test_access_server_killed_and_restarted_under_a_running_daemon(tmp_path: Path) -> None:
    server_address = f"127.0.0.1:{free_port()}"
    write_source(tmp_path, "sync", [f"n{i}" for i in range(8)])
    connectors = [
        {"name": "ticker", "entry_point": "Ticking", "refresh_interval_seconds": 0.3},
        {"name": "sync", "entry_point": "BatchedSync", "refresh_interval_seconds": 0.5,
         "configuration_properties": {"batch": 4, "pause_seconds": 0.05}},
        {"name": "echo", "entry_point": "Echoing", "refresh_interval_seconds": 3600},
    ]
    with processes() as started:
        server = start("server", "--config", str(server_yaml(tmp_path, server_address)))
        started.append(server)
        server.wait_serving()
        daemon = start("daemon", "--config", str(daemon_yaml(tmp_path, server_address, connectors)))
        started.append(daemon)
        address = daemon.wait_serving()
        for name in ("ticker", "sync", "echo"):
            await poll(partial(_recovered, tmp_path, address, name, 0, 1), what=f"{name} refreshed")
        await upsert_probe(server_address, "probe/one")
        await poll(lambda: element(server_address, "echo/probe/one"), what="the echo before the kill")

        server.proc.kill()
        server.proc.wait()
        killed_at = time.time()
        # The daemon notices: the scheduled connectors fail their refreshes while the server is gone.
        for name in ("ticker", "sync"):
            info = await poll(partial(_failing, address, name), what=f"{name} failing without a server")
            assert info.consecutive_failures >= 1
        assert daemon.proc.poll() is None

        server = start("server", "--config", str(server_yaml(tmp_path, server_address)))
        started.append(server)
        server.wait_serving()
        restarted_at = time.time()
        # Every connector recovers on its own: alive again, and its next refreshes succeed.
        for name in ("ticker", "sync"):
            await poll(partial(_recovered, tmp_path, address, name, restarted_at, 2), within=30,
                       what=f"{name} recovered")
            info = await connector_info(address, name)
            assert info.failing_error == "" and info.consecutive_failures == 0, info
        tick = await element(server_address, "ticker/tick")
        assert tick is not None and int(tick.element.description) > 1
        refresh_id = await refresh(address, "echo")
        await poll(lambda: [e for e in events_after(tmp_path, "echo", "refreshed", killed_at)
                            if e["refresh_id"] == refresh_id], what="echo's on-demand refresh")
        assert status_name(await connector_info(address, "echo")) in ALIVE
        # The Out Topic listener re-subscribed by itself.
        await upsert_probe(server_address, "probe/two")
        await poll(lambda: element(server_address, "echo/probe/two"), within=30, what="the echo after restart")
        assert [e["kind"] for e in read_events(tmp_path, "echo")].count("start") == 1  # not restarted
        assert daemon.terminate() == 0


async def _failing(address: str, name: str) -> cpb.ConnectorInfo | None:
    info = await connector_info(address, name)
    return info if info.failing_error and info.consecutive_failures >= 1 else None


async def test_daemon_killed_mid_refresh_duplicates_nothing_and_deletes_nothing_early(tmp_path: Path) -> None:
    first = [f"n{i:02d}" for i in range(20)]
    second = [f"n{i:02d}" for i in range(5, 50)]  # n00..n04 disappear, n20..n49 appear
    write_source(tmp_path, "mirror", first)
    connectors = [{"name": "mirror", "entry_point": "BatchedSync", "refresh_interval_seconds": 3600,
                   "configuration_properties": {"batch": 5, "pause_seconds": 0.3}}]
    with processes() as started:
        server = start("server", "--config", str(server_yaml(tmp_path, "127.0.0.1:0")))
        started.append(server)
        server_address = server.wait_serving()
        config = daemon_yaml(tmp_path, server_address, connectors)
        daemon = start("daemon", "--config", str(config))
        started.append(daemon)
        address = daemon.wait_serving()
        await poll(lambda: read_events(tmp_path, "mirror")[-1:] and read_events(tmp_path, "mirror")[-1]["kind"]
                   == "refreshed", what="the first full refresh")
        assert sorted(await stored_names(server_address, "mirror/.*")) == [f"mirror/{n}" for n in first]

        write_source(tmp_path, "mirror", second)
        refresh_id = await refresh(address, "mirror")
        await poll(lambda: len([e for e in read_events(tmp_path, "mirror")
                                if e["kind"] == "batch" and e["refresh_id"] == refresh_id]) >= 2,
                   what="two batches of the second refresh")
        daemon.proc.kill()
        daemon.proc.wait()
        this_refresh = [e for e in read_events(tmp_path, "mirror") if e.get("refresh_id") == refresh_id]
        assert "enumerated" not in [e["kind"] for e in this_refresh], "killed too late: the refresh had finished"

        # Half an enumeration deleted nothing and duplicated nothing.
        names = await stored_names(server_address, "mirror/.*")
        assert len(names) == len(set(names)), sorted(names)
        assert {f"mirror/{n}" for n in first} <= set(names)
        assert set(names) <= {f"mirror/{n}" for n in first + second}

        daemon = start("daemon", "--config", str(config))
        started.append(daemon)
        address = daemon.wait_serving()
        restarted_at = time.time()
        done = await poll(lambda: events_after(tmp_path, "mirror", "deleted", restarted_at), within=30,
                          what="a complete refresh after the restart")
        assert done[0]["names"] == [f"mirror/{n}" for n in first[:5]]
        names = await stored_names(server_address, "mirror/.*")
        assert sorted(names) == [f"mirror/{n}" for n in second]  # exactly once each
        info = await connector_info(address, "mirror")
        assert status_name(info) in ALIVE and info.failing_error == ""
        assert daemon.terminate() == 0


def start_remote(address: str, directory: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", MODULE, address, REMOTE_TOKEN, "far", str(directory)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def test_remote_connector_process_killed_shows_and_reattaches(tmp_path: Path) -> None:
    connectors = [{"name": "far", "entry_point": "remote", "refresh_interval_seconds": 0.5,
                   "metadata_source": "src:far"}]
    remotes: list[subprocess.Popen[str]] = []
    with processes() as started:
        try:
            server = start("server", "--config", str(server_yaml(tmp_path, "127.0.0.1:0")))
            started.append(server)
            server_address = server.wait_serving()
            daemon = start("daemon", "--config", str(daemon_yaml(tmp_path, server_address, connectors)))
            started.append(daemon)
            address = daemon.wait_serving()
            assert status_name(await connector_info(address, "far")) == "WAITING"  # nobody attached yet

            remotes.append(start_remote(address, tmp_path))
            await poll(lambda: _remote_refreshed(address, server_address, 2), what="the remote connector refreshing")

            remotes[0].kill()
            remotes[0].wait()
            info = await poll(lambda: _detached(address), what="the daemon noticing the kill")
            assert status_name(info) == "FAILED" and "detached" in info.failing_error
            count = info.refresh_count
            await asyncio.sleep(1.5)  # several intervals: nothing runs without the connector
            assert (await connector_info(address, "far")).refresh_count == count

            remotes.append(start_remote(address, tmp_path))
            await poll(lambda: _remote_refreshed(address, server_address, count + 2), within=30,
                       what="refreshes after re-attaching")
            info = await connector_info(address, "far")
            assert info.attached and info.failing_error == ""
            assert [e["kind"] for e in read_events(tmp_path, "far")].count("attached") == 2
            assert daemon.terminate() == 0
        finally:
            for remote in remotes:
                if remote.poll() is None:
                    remote.kill()
                remote.wait()


async def _remote_refreshed(address: str, server_address: str, count: int) -> bool:
    info = await connector_info(address, "far")
    return (info.attached and status_name(info) in ALIVE and info.refresh_count >= count
            and await element(server_address, "far/marker") is not None)


async def _detached(address: str) -> cpb.ConnectorInfo | None:
    """The connector's info once the daemon has seen the stream close; its status must say so at once, not
    only after the supervisor's teardown (which reports the last event window)."""
    info = await connector_info(address, "far")
    if info.attached:
        return None
    assert status_name(info) != "RUNNING", info
    return info if info.failing_error else None
