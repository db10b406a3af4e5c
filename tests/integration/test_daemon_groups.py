"""Integration groups over real gRPC: a daemon follows a group on the server and reconciles its connectors.

Group connectors start, reconfigure and stop from server-side edits alone (Out Topic events), without a
daemon restart; config-file connectors are untouched. The safety-net poll is set far beyond the test, so
every change here is event-driven.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cohotest import free_port
from google.protobuf import struct_pb2
from servertest import ADMIN_TOKEN, running
from unit.daemon import sample_connectors as sc
from unit.daemon.daemontest import DAEMON_ADMIN, MODULE, connector, daemon_config

from coho.access.v1 import elements_pb2
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.client import connect
from coho.daemon.app import DaemonApp
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
S = cpb.ConnectorStatus
WITHIN = 5.0


@pytest.fixture(autouse=True)
def _clean() -> None:
    sc.reset()


@dataclass
class Pair:
    server: ge_grpc.GovernanceEngineServiceStub
    admin: ids_grpc.IntegrationDaemonServiceStub
    app: DaemonApp


SCHEDULER = {"retry_initial_seconds": 0.1, "retry_max_seconds": 0.4, "disconnect_timeout_seconds": 0.5,
             "group_poll_seconds": 600, "group_debounce_seconds": 0.1}


@asynccontextmanager
async def server_and_daemon(tmp_path: Path, groups: list[str]) -> AsyncIterator[Pair]:
    async with running(tmp_path) as server:
        config = daemon_config(server.address, [connector("file-one", "Counting", 60)],
                               integration_groups=groups, scheduler=SCHEDULER)
        async with DaemonApp(config) as app, connect(server.address, ADMIN_TOKEN) as to_server, \
                connect(app.address, DAEMON_ADMIN) as to_daemon:
            yield Pair(ge_grpc.GovernanceEngineServiceStub(to_server),
                       ids_grpc.IntegrationDaemonServiceStub(to_daemon), app)


async def poll(check: Callable[[], Awaitable[bool]], what: str, within: float = WITHIN) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def listed(pair: Pair) -> dict[str, cpb.ConnectorInfo]:
    reply = await pair.admin.ListConnectors(ids.ListConnectorsRequest())
    return {c.config.connector_name: c for c in reply.connectors}


async def summary(pair: Pair) -> dict[str, ids.IntegrationGroupSummary]:
    reply = await pair.admin.GetIntegrationGroupsSummary(ids.GetIntegrationGroupsSummaryRequest())
    return {g.group_name: g for g in reply.groups}


def struct(**values: object) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(values)
    return result


async def create_connector(pair: Pair, name: str, **config: object) -> ge.IntegrationConnector:
    reply = await pair.server.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(qualified_name=name, entry_point=f"{MODULE}:Counting",
                                          integration_service="files", configuration_properties=struct(**config),
                                          catalog_targets=["t1"])))
    return reply.connector


async def test_group_connectors_follow_server_edits(tmp_path: Path) -> None:
    async with server_and_daemon(tmp_path, ["grp", "missing"]) as pair:
        # Neither group exists yet: both reported, not found, and nothing crashes.
        await poll(lambda: _reconciled(pair, "grp"), "first reconciliation")
        groups = await summary(pair)
        assert [(g.group_name, g.found, len(g.connectors)) for g in groups.values()] == [
            ("grp", False, 0), ("missing", False, 0)]

        group = (await pair.server.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
            group=ge.IntegrationGroup(qualified_name="grp")))).group
        await poll(lambda: _found(pair, "grp"), "group found after its creation event")
        made = await create_connector(pair, "counting-connector", root="/data")
        reg = (await pair.server.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(
            registration=ge.RegisteredConnector(
                group_guid=group.guid, connector_guid=made.guid, connector_name="from-group",
                connector_user_id="group-user", metadata_source_qualified_name="src",
                refresh_time_interval_seconds=60, generate_integration_report=True,
                permitted_synchronization=elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY)))).registration

        await poll(lambda: _status(pair, "from-group", S.CONNECTOR_STATUS_RUNNING), "group connector running")
        info = (await listed(pair))["from-group"]
        assert (info.config.entry_point, info.config.integration_service) == (f"{MODULE}:Counting", "files")
        assert (info.config.user_id, info.config.metadata_source_qualified_name) == ("group-user", "src")
        assert info.config.refresh_interval_seconds == 60 and list(info.config.catalog_targets) == ["t1"]
        assert info.config.permitted_synchronization == elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY
        assert dict(info.config.configuration_properties) == {"root": "/data"}
        groups = await summary(pair)
        assert groups["grp"].found and groups["grp"].group_guid == group.guid
        assert [c.config.connector_name for c in groups["grp"].connectors] == ["from-group"]
        assert groups["grp"].last_reconciled.seconds >= int(time.time()) - 10 and not groups["missing"].found

        # The registration's refresh interval changes: the connector is reconfigured (restarted) in place.
        await pair.server.UpdateRegisteredConnector(ge.UpdateRegisteredConnectorRequest(
            registration=ge.RegisteredConnector(guid=reg.guid, refresh_time_interval_seconds=120),
            update_fields=["refresh_time_interval_seconds"]))
        await poll(lambda: _interval(pair, "from-group", 120), "new refresh interval")
        await poll(lambda: _status(pair, "from-group", S.CONNECTOR_STATUS_RUNNING), "running again")
        assert sc.STARTS["from-group"] == 2 and sc.DISCONNECTS["from-group"] == 1

        # The IntegrationConnector's configuration changes: the connector restarts with it.
        await pair.server.UpdateIntegrationConnector(ge.UpdateIntegrationConnectorRequest(
            connector=ge.IntegrationConnector(guid=made.guid, configuration_properties=struct(root="/other")),
            update_fields=["configuration_properties"]))
        await poll(lambda: _seen_config(sc.SEEN_CONFIG["from-group"], {"root": "/other"}), "new configuration")

        # Unlinked: stopped and gone.
        await pair.server.UnlinkConnectorFromGroup(ge.UnlinkConnectorFromGroupRequest(guid=reg.guid))
        await poll(lambda: _absent(pair, "from-group"), "group connector removed")
        assert sc.DISCONNECTS["from-group"] == 3
        assert (await summary(pair))["grp"].connectors == []

        # The config-file connector was never touched.
        assert sc.STARTS["file-one"] == 1 and sc.DISCONNECTS["file-one"] == 0
        assert list(await listed(pair)) == ["file-one"]


async def test_refresh_rpc_dates_and_name_clashes(tmp_path: Path) -> None:
    async with server_and_daemon(tmp_path, ["grp"]) as pair:
        group = (await pair.server.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
            group=ge.IntegrationGroup(qualified_name="grp")))).group
        now = time.time()

        async def link(name: str, **dates: float) -> None:
            # One IntegrationConnector per link: the server allows one registration per (group, connector).
            made = await create_connector(pair, f"connector-{name}")
            reg = ge.RegisteredConnector(group_guid=group.guid, connector_guid=made.guid, connector_name=name,
                                         refresh_time_interval_seconds=30)
            for field, seconds in dates.items():
                getattr(reg, field).FromNanoseconds(int(seconds * 1e9))
            await pair.server.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=reg))

        await link("expired", stop_date=now - 60)
        await link("later", start_date=now + 1.5)
        await link("file-one")  # clashes with the config-file connector: skipped, the file one kept
        await link("now")

        refreshed = await pair.admin.RefreshIntegrationGroups(ids.RefreshIntegrationGroupsRequest(group_name="grp"))
        assert [g.group_name for g in refreshed.groups] == ["grp"] and refreshed.groups[0].found
        assert [c.config.connector_name for c in refreshed.groups[0].connectors] == ["now"]
        assert sorted(await listed(pair)) == ["file-one", "now"]
        assert (await listed(pair))["file-one"].config.refresh_interval_seconds == 60

        # The start date arrives: the daemon starts the connector by itself.
        await poll(lambda: _status(pair, "later", S.CONNECTOR_STATUS_RUNNING), "start date reached")
        assert "expired" not in await listed(pair)

        with pytest.raises(grpc.aio.AioRpcError) as info:
            await pair.admin.RefreshIntegrationGroups(ids.RefreshIntegrationGroupsRequest(group_name="other"))
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_server_down_at_start_then_group_applied(tmp_path: Path) -> None:
    port = free_port()
    address = f"127.0.0.1:{port}"
    # The group and its link exist in the server's store before the daemon starts; then the server goes away.
    async with running(tmp_path, listen=address) as server, connect(server.address, ADMIN_TOKEN) as channel:
        stub = ge_grpc.GovernanceEngineServiceStub(channel)
        group = (await stub.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
            group=ge.IntegrationGroup(qualified_name="grp")))).group
        made = (await stub.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
            connector=ge.IntegrationConnector(qualified_name="c", entry_point=f"{MODULE}:Counting",
                                              integration_service="files")))).connector
        await stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
            group_guid=group.guid, connector_guid=made.guid, connector_name="patient-group",
            refresh_time_interval_seconds=30)))
    config = daemon_config(address, [], integration_groups=["grp"], scheduler=SCHEDULER)
    async with DaemonApp(config) as app:
        await asyncio.sleep(0.5)
        assert not app.connectors.groups.summary("grp").found and "patient-group" not in app.connectors.runners
        async with running(tmp_path, listen=address):
            # Retried with backoff (capped at 0.4 s here), not left for the 600 s safety net.
            deadline = time.monotonic() + WITHIN
            while "patient-group" not in app.connectors.runners:
                assert time.monotonic() < deadline, "group not applied after the server came back"
                await asyncio.sleep(0.05)
            assert app.connectors.groups.summary("grp").found


async def _reconciled(pair: Pair, name: str) -> bool:
    return (await summary(pair))[name].HasField("last_reconciled")


async def _found(pair: Pair, name: str) -> bool:
    return (await summary(pair))[name].found


async def _status(pair: Pair, name: str, status: int) -> bool:
    found = (await listed(pair)).get(name)
    return found is not None and found.status == status


async def _interval(pair: Pair, name: str, seconds: int) -> bool:
    found = (await listed(pair)).get(name)
    return found is not None and found.config.refresh_interval_seconds == seconds


async def _absent(pair: Pair, name: str) -> bool:
    return name not in await listed(pair)


async def _seen_config(seen: list[dict[str, object]], wanted: dict[str, object]) -> bool:
    return bool(seen) and seen[-1] == wanted
