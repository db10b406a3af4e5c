"""Remote connectors: ConnectorHostService.Attach and the daemon's access-service proxy, driven by a Python
stand-in for a connector in another language (a real in-process server and daemon over gRPC on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohotest import status_name
from google.protobuf import struct_pb2
from unit.daemon.daemontest import DAEMON_ADMIN, DAEMON_READER, daemon_with_server, status, wait_until

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.client import connect
from coho.daemon.app import DaemonApp
from coho.integration.v1 import connector_host_service_pb2 as ch
from coho.integration.v1 import connector_host_service_pb2_grpc as ch_grpc
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

NODE_TOKEN = "remote-node-token"
OTHER_TOKEN = "remote-other-token"
TOKENS = {
    DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]},
    DAEMON_READER: {"user": "viewer", "roles": ["reader"]},
    NODE_TOKEN: {"user": "node", "roles": ["connector"], "connector": "node-sync"},
    OTHER_TOKEN: {"user": "other", "roles": ["connector"], "connector": "other-sync"},
}


def remote(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "entry_point": "remote", "refresh_interval_seconds": 3600,
            "metadata_source": f"src:{name}", **extra}


class FakeRemote:
    """Answers every instruction; on Refresh it upserts ``rows`` through the daemon's proxy."""

    def __init__(self, channel: grpc.aio.Channel, name: str) -> None:
        self.name = name
        self.dm = dm_grpc.DataManagerServiceStub(channel)
        self.call = ch_grpc.ConnectorHostServiceStub(channel).Attach()
        self.seen: list[str] = []
        self.rows: list[str] = []
        self.results: list[Any] = []
        self.initializes: list[ch.Initialize] = []

    async def run(self) -> None:
        await self.call.write(ch.AttachRequest(hello=ch.ConnectorHello(connector_name=self.name,
                                                                       sdk_language="python-test")))
        async for instruction in self.call:
            kind = instruction.WhichOneof("kind")
            self.seen.append(kind)
            if kind == "initialize":
                self.initializes.append(instruction.initialize)
            if kind == "refresh" and self.rows:
                response = await self.dm.UpsertElements(dm.UpsertElementsRequest(elements=[
                    dm.DataElement(qualified_name=f"row:{r}", display_name=r,
                                    file=dm.FileElement(path_name=f"/rows/{r}", file_name=r))
                    for r in self.rows]))
                self.results.append(response)
            await self.call.write(ch.AttachRequest(result=ch.InstructionResult(
                instruction_id=instruction.instruction_id, ok=True)))
            if kind == "disconnect":
                await self.call.done_writing()


async def attach(app: DaemonApp, token: str, name: str) -> tuple[FakeRemote, asyncio.Task[None], Any]:
    channel = connect(app.address, token)
    fake = FakeRemote(channel, name)
    return fake, asyncio.create_task(fake.run()), channel


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[DaemonApp]:
    async with daemon_with_server(tmp_path, [remote("node-sync"), remote("other-sync")],
                                  auth={"tokens": TOKENS}) as daemon:
        yield daemon


async def admin_refresh(app: DaemonApp, name: str) -> ids.IntegrationReport | None:
    runner = app.connectors.runner(name)
    refresh_id = app.connectors.refresh(name)[0]
    return await asyncio.wait_for(runner.wait_refresh(refresh_id), 10)


async def test_attach_refresh_detach_and_reattach_resumes(app: DaemonApp) -> None:
    assert status(app, "node-sync") == "WAITING"
    fake, task, channel = await attach(app, NODE_TOKEN, "node-sync")
    await wait_until(lambda: status(app, "node-sync") == "RUNNING", what="RUNNING after attach")
    assert fake.seen[:3] == ["initialize", "start", "refresh"]  # Egeria refreshes once right after start
    assert app.connectors.runner("node-sync").info().attached

    fake.rows = ["a.csv", "b.csv"]
    report = await admin_refresh(app, "node-sync")
    assert report is not None
    created = [r.guid for r in fake.results[-1].results]
    assert list(report.created_element_guids) == created
    assert report.connector_id == "sched-daemon.node-sync"

    await channel.close()  # the connector goes away
    await wait_until(lambda: status(app, "node-sync") == "FAILED", what="FAILED after detach")
    info = app.connectors.runner("node-sync").info()
    assert not info.attached and "detached" in info.failing_error
    task.cancel()

    again, task2, channel2 = await attach(app, NODE_TOKEN, "node-sync")
    await wait_until(lambda: status(app, "node-sync") == "RUNNING", what="RUNNING after re-attach")
    await wait_until(lambda: "refresh" in again.seen, what="schedule resumed")
    assert app.connectors.runner("node-sync").info().attached
    await channel2.close()
    task2.cancel()


async def test_a_detached_connector_shows_failed_before_its_teardown_ends(app: DaemonApp,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The status must not say RUNNING for a connector whose stream is gone while the daemon still tears it
    down (a teardown reports the last event window, a server call that can take a while)."""
    _, task, channel = await attach(app, NODE_TOKEN, "node-sync")
    await wait_until(lambda: status(app, "node-sync") == "RUNNING", what="RUNNING after attach")
    host = app.connectors
    release = asyncio.Event()
    entered = asyncio.Event()
    real_detached = host.detached

    async def slow_detached(*args: Any) -> None:
        entered.set()
        await release.wait()
        await real_detached(*args)

    monkeypatch.setattr(host, "detached", slow_detached)
    await channel.close()
    await asyncio.wait_for(entered.wait(), 10)
    info = host.runner("node-sync").info()
    assert not info.attached
    assert status_name(info) == "FAILED" and "detached" in info.failing_error
    release.set()
    await wait_until(lambda: status(app, "node-sync") == "FAILED", what="FAILED after the teardown")
    task.cancel()


async def test_proxy_reports_updates_through_the_admin_service(app: DaemonApp) -> None:
    fake, task, channel = await attach(app, NODE_TOKEN, "node-sync")
    await wait_until(lambda: status(app, "node-sync") == "RUNNING")
    fake.rows = ["x.csv"]
    await admin_refresh(app, "node-sync")
    fake.rows = ["x.csv", "y.csv"]
    report = await admin_refresh(app, "node-sync")
    assert report is not None and len(report.created_element_guids) == 1
    async with connect(app.address, DAEMON_ADMIN) as admin_channel:
        listed = await ids_grpc.IntegrationDaemonServiceStub(admin_channel).ListIntegrationReports(
            ids.ListIntegrationReportsRequest(connector_name="node-sync"))
    assert len(listed.reports) == 2
    await channel.close()
    task.cancel()


async def aiter_of(items: list[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


async def test_token_for_another_connector_and_reader_token_are_refused(app: DaemonApp) -> None:
    for token, code in ((OTHER_TOKEN, grpc.StatusCode.PERMISSION_DENIED),
                        (DAEMON_READER, grpc.StatusCode.PERMISSION_DENIED)):
        async with connect(app.address, token) as channel:
            # The hello goes through a request iterator, not call.write(): the server refuses before reading,
            # and a write racing that refusal fails in the client's core as INTERNAL, hiding the real status.
            call = ch_grpc.ConnectorHostServiceStub(channel).Attach(
                aiter_of([ch.AttachRequest(hello=ch.ConnectorHello(connector_name="node-sync"))]))
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await asyncio.wait_for(call.read(), 10)
            assert caught.value.code() == code
    # A reader cannot use the proxy either.
    async with connect(app.address, DAEMON_READER) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await dm_grpc.DataManagerServiceStub(channel).FindElements(dm.FindElementsRequest(), timeout=10)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert status(app, "node-sync") == "WAITING"


async def test_to_third_party_connector_writes_are_forbidden(tmp_path: Path) -> None:
    connectors = [remote("node-sync", permitted_synchronization="TO_THIRD_PARTY")]
    async with daemon_with_server(tmp_path, connectors, auth={"tokens": TOKENS}) as app, \
            connect(app.address, NODE_TOKEN) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await dm_grpc.DataManagerServiceStub(channel).UpsertElements(dm.UpsertElementsRequest(
                elements=[dm.DataElement(qualified_name="row:z", file=dm.FileElement(path_name="/z"))]),
                timeout=10)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "TO_THIRD_PARTY" in (denied.value.details() or "")
        # Reads still go through.
        found = await dm_grpc.DataManagerServiceStub(channel).FindElements(dm.FindElementsRequest(), timeout=10)
        assert found is not None


async def test_restart_and_config_update_reinitialize_an_attached_remote_connector(app: DaemonApp) -> None:
    fake, task, channel = await attach(app, NODE_TOKEN, "node-sync")
    await wait_until(lambda: status(app, "node-sync") == "RUNNING", what="RUNNING after attach")
    async with connect(app.address, DAEMON_ADMIN) as admin_channel:
        admin = ids_grpc.IntegrationDaemonServiceStub(admin_channel)
        properties = struct_pb2.Struct()
        properties.update({"rows_file": "/data/rows.csv"})
        await admin.UpdateConnectorConfiguration(ids.UpdateConnectorConfigurationRequest(
            connector_name="node-sync", configuration_properties=properties, merge=True))
        await wait_until(lambda: len(fake.initializes) == 2 and status(app, "node-sync") == "RUNNING",
                         what="re-initialized with the new configuration")
        assert fake.initializes[-1].config.configuration_properties["rows_file"] == "/data/rows.csv"
        restarted = await admin.RestartConnector(ids.RestartConnectorRequest(connector_name="node-sync"))
        assert list(restarted.restarted_connector_names) == ["node-sync"]
        await wait_until(lambda: len(fake.initializes) == 3 and status(app, "node-sync") == "RUNNING",
                         what="re-initialized by the restart")
    # The same stream throughout: no Disconnect was sent and the connector is still attached.
    assert "disconnect" not in fake.seen
    assert app.connectors.runner("node-sync").info().attached
    await channel.close()
    task.cancel()
