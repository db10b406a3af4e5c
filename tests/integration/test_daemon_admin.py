"""IntegrationDaemonService over real gRPC: status, connectors, refresh, restart, configuration, reports, auth.

Also the event-driven path: a connector reacting to Out Topic events, and its event-driven report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import struct_pb2
from servertest import ADMIN_TOKEN, expect
from unit.access.dmtest import file, folder
from unit.daemon import sample_connectors as sc
from unit.daemon.daemontest import DAEMON_ADMIN, DAEMON_READER, connector, daemon_with_server, status, wait_until

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.client import connect
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
Code = grpc.StatusCode


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    sc.reset()
    yield


def props(**values: object) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


async def test_admin_service_controls_connectors(tmp_path: Path) -> None:
    conns = [connector("a", "Counting", 60, configuration_properties={"x": 1, "keep": "yes"}),
             connector("b", "Counting", 60)]
    async with daemon_with_server(tmp_path, conns) as app, connect(app.address, DAEMON_ADMIN) as channel:
        admin = ids_grpc.IntegrationDaemonServiceStub(channel)
        await wait_until(lambda: len(sc.REFRESHES["a"]) == 1 and len(sc.REFRESHES["b"]) == 1, what="first refresh")
        daemon = await admin.GetDaemonStatus(ids.GetDaemonStatusRequest())
        assert (daemon.daemon_name, daemon.connector_count, daemon.server_connected) == ("sched-daemon", 2, True)
        assert daemon.connectors_by_status["RUNNING"] == 2

        listed = await admin.ListConnectors(ids.ListConnectorsRequest())
        assert [c.config.connector_name for c in listed.connectors] == ["a", "b"]
        one = (await admin.GetConnector(ids.GetConnectorRequest(connector_name="a"))).connector
        assert one.connector_id == "sched-daemon.a" and one.refresh_count == 1
        assert one.HasField("last_refresh_start") and one.next_refresh.seconds >= int(time.time()) + 50

        refreshed = await admin.RefreshConnector(ids.RefreshConnectorRequest(connector_name="a"))
        assert len(refreshed.refresh_ids) == 1
        await wait_until(lambda: len(sc.REFRESHES["a"]) == 2, what="on-demand refresh")

        restarted = await admin.RestartConnector(ids.RestartConnectorRequest())
        assert list(restarted.restarted_connector_names) == ["a", "b"]
        await wait_until(lambda: sc.STARTS["a"] == 2 and sc.STARTS["b"] == 2, what="restart")
        assert sc.DISCONNECTS["a"] == 1

        merged = await admin.UpdateConnectorConfiguration(ids.UpdateConnectorConfigurationRequest(
            connector_name="a", configuration_properties=props(x=2, y="new"), merge=True))
        assert dict(merged.connector.config.configuration_properties) == {"x": 2, "keep": "yes", "y": "new"}
        await wait_until(lambda: sc.STARTS["a"] == 3, what="reinitialize after merge")
        assert sc.SEEN_CONFIG["a"][-1] == {"x": 2, "keep": "yes", "y": "new"}
        await admin.UpdateConnectorConfiguration(ids.UpdateConnectorConfigurationRequest(
            connector_name="a", configuration_properties=props(only="this")))
        await wait_until(lambda: sc.STARTS["a"] == 4, what="reinitialize after replace")
        assert sc.SEEN_CONFIG["a"][-1] == {"only": "this"}
        assert status(app, "b") == "RUNNING" and sc.STARTS["b"] == 2  # untouched


async def test_admin_errors_and_roles(tmp_path: Path) -> None:
    async with daemon_with_server(tmp_path, [connector("a", "Counting", 60)]) as app:
        async with connect(app.address, DAEMON_ADMIN) as channel:
            admin = ids_grpc.IntegrationDaemonServiceStub(channel)
            await expect(Code.NOT_FOUND, "CONNECTOR_NOT_FOUND",
                         admin.GetConnector(ids.GetConnectorRequest(connector_name="nope")))
            await expect(Code.NOT_FOUND, "CONNECTOR_NOT_FOUND",
                         admin.RefreshConnector(ids.RefreshConnectorRequest(connector_name="nope")))
            await expect(Code.NOT_FOUND, "REPORT_NOT_FOUND",
                         admin.GetIntegrationReport(ids.GetIntegrationReportRequest(refresh_id="nope")))
            await expect(Code.INVALID_ARGUMENT, "BAD_PAGE_TOKEN",
                         admin.ListIntegrationReports(ids.ListIntegrationReportsRequest(page_token="%%%")))
        async with connect(app.address, DAEMON_READER) as channel:
            await expect(Code.PERMISSION_DENIED, "ROLE_NOT_ALLOWED", ids_grpc.IntegrationDaemonServiceStub(
                channel).GetDaemonStatus(ids.GetDaemonStatusRequest()))
        async with connect(app.address) as channel:
            await expect(Code.UNAUTHENTICATED, "NO_CREDENTIALS", ids_grpc.IntegrationDaemonServiceStub(
                channel).ListConnectors(ids.ListConnectorsRequest()))


async def test_event_driven_connector_reacts_within_a_second_and_is_reported(tmp_path: Path) -> None:
    conns = [connector("react", "Reacting", 60, configuration_properties={"mirror": True})]
    async with daemon_with_server(tmp_path, conns) as app:
        await wait_until(lambda: status(app, "react") == "RUNNING", what="running")
        async with connect(app.connectors.config.server.address, ADMIN_TOKEN) as channel:
            data = dm_grpc.DataManagerServiceStub(channel)
            await data.UpsertElements(dm.UpsertElementsRequest(elements=[folder("in")]))
            latencies = []
            for i in range(5):
                sent = time.monotonic()
                reply = await data.UpsertElements(dm.UpsertElementsRequest(elements=[file(f"in/{i}.csv", "in")]))
                await wait_until(lambda i=i: len(sc.EVENTS["react"]) == i + 1, within=2, what="event")
                latencies.append(sc.EVENTS["react"][-1][0] - sent)
                assert sc.EVENTS["react"][-1][1].element_header.guid == reply.results[0].guid
        assert max(latencies) < 1.0, latencies
        runner = app.connectors.runner("react")
        await asyncio.sleep(0.2)  # let the last mirror upsert land
        report = await runner.close_event_window()
        assert report is not None and report.event_driven and report.refresh_id.startswith("events-")
        assert len(report.created_element_guids) == 5  # one mirror folder per file event


async def test_status_reports_the_server_connection_even_with_no_connectors(tmp_path: Path) -> None:
    async with daemon_with_server(tmp_path, []) as app, connect(app.address, DAEMON_ADMIN) as channel:
        daemon = await ids_grpc.IntegrationDaemonServiceStub(channel).GetDaemonStatus(ids.GetDaemonStatusRequest())
        assert daemon.connector_count == 0 and daemon.server_connected
