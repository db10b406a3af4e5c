"""Real `coho server` and `coho daemon` processes hosting the test connectors of e2e/daemon_connectors.py,
driven and observed over gRPC: schedules while other connectors raise, hang and block; on-demand refresh;
an event-driven connector; userId override; permitted-synchronization denial (audited by the server);
report contents and suppression; a server down at daemon start; clean shutdown.

The connectors run in the daemon process, so they record what they did in files the test reads."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from cohotest import CohoProcess, daemon_connector, free_port, poll, status_name, write_yaml
from e2e.daemon_connectors import read_events
from google.protobuf import struct_pb2

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.admin.v1 import server_admin_service_pb2 as sa
from coho.admin.v1 import server_admin_service_pb2_grpc as sa_grpc
from coho.client import connect
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]

MODULE = "e2e.daemon_connectors"
SERVER_ADMIN = "proc-server-admin"
DAEMON_CONNECTOR = "proc-daemon-connector"
DAEMON_ADMIN = "proc-daemon-admin"
OVERRIDE_USER = "files-bot"


def server_yaml(directory: Path, listen: str = "127.0.0.1:0") -> Path:
    return write_yaml(directory / "server.yaml", {
        "server_name": "proc", "listen": listen, "data_dir": str(directory / "data"), "shutdown_grace_seconds": 0.5,
        "auth": {"tokens": {SERVER_ADMIN: {"user": "ops", "roles": ["admin"]},
                            DAEMON_CONNECTOR: {"user": "daemon", "roles": ["connector"], "act_as": [OVERRIDE_USER]}}}})


def daemon_yaml(directory: Path, server_address: str, connectors: list[dict[str, Any]], **extra: Any) -> Path:
    for conn in connectors:
        conn["entry_point"] = f"{MODULE}:{conn['entry_point']}"
        conn.setdefault("configuration_properties", {})["dir"] = str(directory)
    return write_yaml(directory / "daemon.yaml", {
        "daemon_name": "proc-daemon", "listen": "127.0.0.1:0", "user": "daemon",
        "server": {"address": server_address, "token": DAEMON_CONNECTOR},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]}}},
        "integration_services": [{"name": "files", "kind": "files", "connectors": connectors}],
        "scheduler": {"retry_initial_seconds": 0.1, "retry_max_seconds": 0.4, "engage_pause_seconds": 0.05,
                      "disconnect_timeout_seconds": 0.5, "phase_spread_seconds": 0,
                      "group_poll_seconds": 600, "group_debounce_seconds": 0.1},
        "shutdown_grace_seconds": 0.2, **extra})


def start(*args: str) -> CohoProcess:
    """A `coho` process that can import the test connectors."""
    return CohoProcess(list(args), with_tests_path=True)


@dataclass
class Cluster:
    directory: Path
    server: CohoProcess
    server_address: str
    daemon: CohoProcess
    daemon_address: str

    def events(self, name: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for e in read_events(self.directory, name) if kind is None or e["kind"] == kind]


CONNECTORS: list[dict[str, Any]] = [
    {"name": "steady", "entry_point": "Recording", "refresh_interval_seconds": 0.3},
    {"name": "raising", "entry_point": "Raising", "refresh_interval_seconds": 0.3},
    {"name": "hanging", "entry_point": "Hanging", "refresh_interval_seconds": 0.3, "refresh_timeout_seconds": 0.3},
    {"name": "blocking", "entry_point": "Blocking", "refresh_interval_seconds": 0.3},
    {"name": "rare", "entry_point": "Recording", "refresh_interval_seconds": 3600},
    {"name": "reactor", "entry_point": "Reacting", "refresh_interval_seconds": 3600},
    {"name": "upserter", "entry_point": "Upserting", "refresh_interval_seconds": 3600, "user_id": OVERRIDE_USER},
    {"name": "outbound", "entry_point": "Upserting", "refresh_interval_seconds": 3600,
     "permitted_synchronization": "TO_THIRD_PARTY"},
    {"name": "quiet", "entry_point": "Upserting", "refresh_interval_seconds": 3600,
     "generate_integration_report": False},
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("daemon-processes")
    started: list[CohoProcess] = []
    try:
        server = start("server", "--config", str(server_yaml(directory)))
        started.append(server)
        server_address = server.wait_serving()
        daemon = start("daemon", "--config", str(daemon_yaml(directory, server_address,
                                                               [dict(c) for c in CONNECTORS])))
        started.append(daemon)
        yield Cluster(directory, server, server_address, daemon, daemon.wait_serving())
    finally:
        for process in reversed(started):
            process.kill()




async def connector_info(address: str, name: str) -> cpb.ConnectorInfo:
    info: cpb.ConnectorInfo = await daemon_connector(address, DAEMON_ADMIN, name)
    return info


async def get_element(address: str, qualified_name: str) -> dm.DataElementView | None:
    async with connect(address, SERVER_ADMIN) as channel:
        try:
            response = await dm_grpc.DataManagerServiceStub(channel).GetElement(
                dm.GetElementRequest(qualified_name=qualified_name))
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
    element: dm.DataElementView = response.element
    return element


async def test_steady_schedule_while_others_raise_hang_and_block(cluster: Cluster) -> None:
    await poll(lambda: len(cluster.events("steady", "refresh")) >= 8, within=15, what="steady refreshes")
    before = (await connector_info(cluster.daemon_address, "steady")).refresh_count
    await asyncio.sleep(1.5)
    after = await connector_info(cluster.daemon_address, "steady")
    assert after.refresh_count - before >= 3, (before, after.refresh_count)  # every 0.3 s
    times = [e["time"] for e in cluster.events("steady", "refresh")]
    assert max(b - a for a, b in itertools.pairwise(times)) < 0.3 + 0.4

    raising = await connector_info(cluster.daemon_address, "raising")
    assert status_name(raising) == "FAILED" or raising.consecutive_failures >= 1
    assert "third party said no" in raising.failing_error
    assert len(cluster.events("raising", "refresh")) >= 3  # retried with backoff
    hanging = await poll(lambda: _failing(cluster.daemon_address, "hanging", "timed out"), what="hang recorded")
    assert hanging.consecutive_failures >= 1 and len(cluster.events("hanging", "refresh")) >= 2
    blocking = await connector_info(cluster.daemon_address, "blocking")
    assert len(cluster.events("blocking", "engage")) == 1  # still stuck in engage(), yet refreshing
    assert status_name(blocking) in ("RUNNING", "REFRESHING") and blocking.refresh_count >= 5


async def _failing(address: str, name: str, text: str) -> cpb.ConnectorInfo | None:
    info = await connector_info(address, name)
    return info if text in info.failing_error else None


async def test_on_demand_refresh(cluster: Cluster) -> None:
    await poll(lambda: cluster.events("rare", "refresh"), what="the refresh after start")
    async with connect(cluster.daemon_address, DAEMON_ADMIN) as channel:
        (refresh_id,) = (await ids_grpc.IntegrationDaemonServiceStub(channel).RefreshConnector(
            ids.RefreshConnectorRequest(connector_name="rare"))).refresh_ids
    await poll(lambda: [e for e in cluster.events("rare", "refresh") if e["refresh_id"] == refresh_id],
               what="the on-demand refresh")
    assert len(cluster.events("rare", "refresh")) == 2
    assert (await connector_info(cluster.daemon_address, "rare")).refresh_count == 2


async def test_event_driven_connector_reacts_within_a_second(cluster: Cluster) -> None:
    await poll(lambda: cluster.events("reactor", "start"), what="reactor started")
    async with connect(cluster.server_address, SERVER_ADMIN) as channel:
        data = dm_grpc.DataManagerServiceStub(channel)
        await data.UpsertElements(dm.UpsertElementsRequest(elements=[
            dm.DataElement(qualified_name="probe", folder=dm.FolderElement(path_name="/probe"))]))
        for n in range(3):
            began = time.monotonic()
            response = await data.UpsertElements(dm.UpsertElementsRequest(elements=[dm.DataElement(
                qualified_name=f"probe/p{n}.csv", parent_qualified_name="probe",
                file=dm.FileElement(path_name=f"/probe/p{n}.csv", file_name=f"p{n}.csv", size_bytes=n))]))
            guid = response.results[0].guid
            await poll(lambda g=guid: get_element(cluster.server_address, f"marker/{g}"),  # type: ignore[misc]
                       within=5, what="the marker", every=0.01)
            elapsed = time.monotonic() - began
            assert elapsed < 1.0, f"reaction {n} took {elapsed:.3f} s"


async def test_user_id_override_and_report_contents(cluster: Cluster) -> None:
    await poll(lambda: cluster.events("upserter", "results"), what="the first refresh's writes")
    async with connect(cluster.daemon_address, DAEMON_ADMIN) as channel:
        await ids_grpc.IntegrationDaemonServiceStub(channel).RefreshConnector(
            ids.RefreshConnectorRequest(connector_name="upserter"))
    await poll(lambda: len(cluster.events("upserter", "results")) >= 2, what="the second refresh's writes")

    async def two_reports() -> list[cpb.IntegrationReport]:
        async with connect(cluster.daemon_address, DAEMON_ADMIN) as channel:
            listed = await ids_grpc.IntegrationDaemonServiceStub(channel).ListIntegrationReports(
                ids.ListIntegrationReportsRequest(connector_name="upserter"))
        return list(listed.reports) if len(listed.reports) >= 2 else []

    reports = await poll(two_reports, what="two reports")
    done = {e["refresh_id"]: e["results"] for e in cluster.events("upserter", "results")}
    assert {r.refresh_id for r in reports} == set(done)
    for report in reports:
        results = done[report.refresh_id]
        assert list(report.created_element_guids) == [g for g, o in results if o == "UPSERT_OUTCOME_CREATED"]
        assert list(report.updated_element_guids) == [g for g, o in results if o == "UPSERT_OUTCOME_UPDATED"]
        assert list(report.deleted_element_guids) == []
        assert report.connector_name == "upserter" and report.report_guid
    first, second = sorted(reports, key=lambda r: r.refresh_start.ToNanoseconds())
    assert len(first.created_element_guids) == 2 and len(second.created_element_guids) == 1

    async with connect(cluster.server_address, SERVER_ADMIN) as channel:
        stored = await mcs_grpc.MetadataCollectionServiceStub(channel).GetEntity(
            mcs.GetEntityRequest(guid=second.report_guid))
    assert stored.entity.header.type.type_def_name == "IntegrationReport"
    for qualified_name in ("upserter", "upserter/f1.csv", "upserter/f2.csv"):
        element = await get_element(cluster.server_address, qualified_name)
        assert element is not None and element.header.created_by == OVERRIDE_USER


async def test_to_third_party_write_is_denied_and_audited(cluster: Cluster) -> None:
    (error, *_) = await poll(lambda: cluster.events("outbound", "error"), what="the denied write")
    assert error["reason"] == "SYNC_DIRECTION_FORBIDDEN"
    assert cluster.events("outbound", "results") == []
    assert await get_element(cluster.server_address, "outbound") is None
    async with connect(cluster.server_address, SERVER_ADMIN) as channel:
        found = await sa_grpc.ServerAdminServiceStub(channel).QueryAuditLog(
            sa.QueryAuditLogRequest(component="auth", action="SYNC_DIRECTION_FORBIDDEN"))
    records = [r for r in found.records if r.details["method"].endswith("/UpsertElements")]
    assert records and "outbound" in records[0].message


async def test_report_suppressed_when_configured_off(cluster: Cluster) -> None:
    (results, *_) = await poll(lambda: cluster.events("quiet", "results"), what="the quiet connector's writes")
    created = [g for g, o in results["results"] if o == "UPSERT_OUTCOME_CREATED"]
    assert len(created) == 2

    async def listed() -> list[cpb.IntegrationReport]:
        async with connect(cluster.daemon_address, DAEMON_ADMIN) as channel:
            return list((await ids_grpc.IntegrationDaemonServiceStub(channel).ListIntegrationReports(
                ids.ListIntegrationReportsRequest(connector_name="quiet"))).reports)

    (report,) = await poll(listed, what="the daemon's own record of the refresh")
    assert report.report_guid == "" and list(report.created_element_guids) == created
    async with connect(cluster.server_address, SERVER_ADMIN) as channel:
        found = await mcs_grpc.MetadataCollectionServiceStub(channel).FindEntities(
            mcs.FindEntitiesRequest(query=mcs.InstanceQuery(type_name="IntegrationReport")))
    names = {e.properties.properties["connectorName"].primitive.string_value for e in found.entities}
    assert "quiet" not in names


async def test_clean_shutdown_disconnects_every_connector(cluster: Cluster) -> None:
    """Last in this module: stops the shared daemon."""
    began = time.monotonic()
    assert cluster.daemon.terminate(timeout=15) == 0
    assert time.monotonic() - began < 5
    for conn in CONNECTORS:
        assert len(cluster.events(conn["name"], "disconnect")) == 1, conn["name"]
    assert cluster.server.proc.poll() is None  # the server is untouched


async def test_server_down_at_daemon_start_then_recovered(tmp_path: Path) -> None:
    port = free_port()
    started: list[CohoProcess] = []
    try:
        daemon = start("daemon", "--config", str(daemon_yaml(tmp_path, f"127.0.0.1:{port}", [
            {"name": "patient", "entry_point": "Recording", "refresh_interval_seconds": 0.3}])))
        started.append(daemon)
        address = daemon.wait_serving()
        await poll(lambda: _status_is(address, "patient", "INITIALIZE_FAILED", failures=2),
                   what="INITIALIZE_FAILED, retried")
        assert read_events(tmp_path, "patient") == []
        server = start("server", "--config", str(server_yaml(tmp_path, listen=f"127.0.0.1:{port}")))
        started.append(server)
        server.wait_serving()
        info = await poll(lambda: _refreshed(address, "patient", 2), within=15, what="recovery")
        assert status_name(info) in ("RUNNING", "REFRESHING")
        assert [e["kind"] for e in read_events(tmp_path, "patient")].count("start") == 1
        assert daemon.terminate() == 0
    finally:
        for process in reversed(started):
            process.kill()


async def _status_is(address: str, name: str, status: str, failures: int) -> bool:
    info = await connector_info(address, name)
    return status_name(info) == status and info.consecutive_failures >= failures


async def _refreshed(address: str, name: str, count: int) -> cpb.ConnectorInfo | None:
    info = await connector_info(address, name)
    return info if info.refresh_count >= count else None



async def test_group_reconfiguration_without_a_restart(tmp_path: Path) -> None:
    """A daemon following integration group "grp" (events only: the safety-net poll is beyond the test)
    starts, reconfigures and stops the group's connector from server-side edits; its config-file connector
    is untouched."""
    started: list[CohoProcess] = []
    try:
        server = start("server", "--config", str(server_yaml(tmp_path)))
        started.append(server)
        server_address = server.wait_serving()
        daemon = start("daemon", "--config", str(daemon_yaml(tmp_path, server_address, [
            {"name": "file-one", "entry_point": "Recording", "refresh_interval_seconds": 60}],
            integration_groups=["grp"])))
        started.append(daemon)
        address = daemon.wait_serving()
        async with connect(server_address, SERVER_ADMIN) as to_server, connect(address, DAEMON_ADMIN) as to_daemon:
            gov = ge_grpc.GovernanceEngineServiceStub(to_server)
            admin = ids_grpc.IntegrationDaemonServiceStub(to_daemon)

            async def listed() -> dict[str, cpb.ConnectorInfo]:
                reply = await admin.ListConnectors(ids.ListConnectorsRequest())
                return {c.config.connector_name: c for c in reply.connectors}

            async def group_connector(interval: float) -> bool:
                info = (await listed()).get("from-group")
                return (info is not None and info.config.refresh_interval_seconds == interval
                        and status_name(info) in ("RUNNING", "REFRESHING"))

            properties = struct_pb2.Struct()
            properties.update({"dir": str(tmp_path)})
            group = (await gov.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
                group=ge.IntegrationGroup(qualified_name="grp")))).group
            made = (await gov.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
                connector=ge.IntegrationConnector(qualified_name="group-connector",
                                                  entry_point=f"{MODULE}:Recording", integration_service="files",
                                                  configuration_properties=properties)))).connector
            reg = (await gov.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
                group_guid=group.guid, connector_guid=made.guid, connector_name="from-group",
                refresh_time_interval_seconds=60)))).registration
            await poll(lambda: group_connector(60), what="group connector started")
            assert len(read_events(tmp_path, "from-group")) >= 1

            await gov.UpdateRegisteredConnector(ge.UpdateRegisteredConnectorRequest(
                registration=ge.RegisteredConnector(guid=reg.guid, refresh_time_interval_seconds=120),
                update_fields=["refresh_time_interval_seconds"]))
            await poll(lambda: group_connector(120), what="group connector reconfigured")
            kinds = [e["kind"] for e in read_events(tmp_path, "from-group")]
            assert kinds.count("start") == 2 and kinds.count("disconnect") == 1

            await gov.UnlinkConnectorFromGroup(ge.UnlinkConnectorFromGroupRequest(guid=reg.guid))
            await poll(lambda: _without(listed, "from-group"), what="group connector stopped")
            kinds = [e["kind"] for e in read_events(tmp_path, "from-group")]
            assert kinds.count("start") == 2 and kinds.count("disconnect") == 2
            file_one = [e["kind"] for e in read_events(tmp_path, "file-one")]
            assert file_one.count("start") == 1 and "disconnect" not in file_one
        assert daemon.terminate() == 0
    finally:
        for process in reversed(started):
            process.kill()


async def _without(listed: Callable[[], Any], name: str) -> bool:
    return name not in await listed()
