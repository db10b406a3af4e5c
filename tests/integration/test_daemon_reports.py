"""Integration reports, identity and permitted synchronization, through the connector test harness
(a real in-process access server and daemon over gRPC on 127.0.0.1, real SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from unit.daemon import sample_connectors as sc

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2 as el
from coho.client.errors import CohoRpcError
from coho.daemon import testing
from coho.daemon.testing import ConnectorHarness, run_connector
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.errors import PermissionDenied

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    sc.reset()
    sc.PLAN.clear()
    yield
    sc.PLAN.clear()


def guids(results: list[el.ElementResult], outcome: int) -> list[str]:
    return [r.guid for r in results if r.outcome == outcome]


async def test_report_lists_exactly_what_the_connector_did_and_is_stored(tmp_path: Path) -> None:
    sc.PLAN["up"] = {"upsert": {"a.csv": 1, "b.csv": 2}}
    async with run_connector(sc.Upserting, tmp_path, name="up", metadata_source="fs:test") as h:
        await h.wait_status("RUNNING")
        # The first refresh runs right after start; take its report from the admin service.
        first = await _wait_for_report(h, 1)
        created = guids(sc.RESULTS["up"][0], el.UPSERT_OUTCOME_CREATED)
        assert len(created) == 3  # the folder and two files
        assert list(first.created_element_guids) == created
        assert list(first.updated_element_guids) == [] and list(first.deleted_element_guids) == []
        assert first.connector_name == "up" and first.daemon_name == "harness-daemon"
        assert first.connector_id == "harness-daemon.up" and first.report_guid

        sc.PLAN["up"] = {"upsert": {"a.csv": 1, "b.csv": 20}, "delete": ["a.csv"]}
        second = await h.refresh()
        assert second is not None
        upsert, delete = sc.RESULTS["up"][1], sc.RESULTS["up"][2]
        assert list(second.created_element_guids) == []
        assert list(second.updated_element_guids) == guids(upsert, el.UPSERT_OUTCOME_UPDATED)
        assert list(second.deleted_element_guids) == guids(delete, el.UPSERT_OUTCOME_DELETED)
        assert len(second.updated_element_guids) == 1 and len(second.deleted_element_guids) == 1

        sc.PLAN["up"] = {"upsert": {"b.csv": 20}}
        assert await h.refresh() is None  # nothing changed: no report

        async with h.server_channel() as channel:
            stored = await mcs_grpc.MetadataCollectionServiceStub(channel).GetEntity(
                mcs.GetEntityRequest(guid=second.report_guid))
        props = stored.entity.properties.properties
        assert props["refreshId"].primitive.string_value == second.refresh_id
        assert [v.primitive.string_value for v in props["deletedElements"].array.values] == \
            list(second.deleted_element_guids)
        async with h.daemon_channel() as channel:
            admin = ids_grpc.IntegrationDaemonServiceStub(channel)
            listed = await admin.ListIntegrationReports(ids.ListIntegrationReportsRequest(connector_name="up"))
            assert [r.refresh_id for r in listed.reports] == [second.refresh_id, first.refresh_id]
            got = await admin.GetIntegrationReport(ids.GetIntegrationReportRequest(report_guid=first.report_guid))
            assert got.report == first


@pytest.mark.parametrize("retention", [None, 5])
async def test_report_says_when_the_change_log_retention_dropped_its_entries(tmp_path: Path,
                                                                             retention: int | None) -> None:
    """A server keeping only 5 change-log entries drops most of a 20-file refresh's 41 entries before the
    report is built: the report lists what is left and says it is incomplete, instead of undercounting."""
    sc.PLAN["up"] = {"upsert": {f"f{i:02}.csv": i for i in range(20)}}
    server = {"store": {"change_log_retention": retention}} if retention else {}
    async with run_connector(sc.Upserting, tmp_path, name="up", server_options=server) as h:
        await h.wait_status("RUNNING")
        report = await _wait_for_report(h, 1)
        created = guids(sc.RESULTS["up"][0], el.UPSERT_OUTCOME_CREATED)
        assert len(created) == 21  # the folder and 20 files
        if retention is None:
            assert report.incomplete == ""
            assert list(report.created_element_guids) == created
        else:
            assert "change-log retention dropped entries" in report.incomplete
            assert set(report.created_element_guids) < set(created)  # what is left: a strict subset
            async with h.server_channel() as channel:
                stored = await mcs_grpc.MetadataCollectionServiceStub(channel).GetEntity(
                    mcs.GetEntityRequest(guid=report.report_guid))
            extra = stored.entity.properties.properties["additionalProperties"].map.values
            assert extra["incomplete"].primitive.string_value == report.incomplete
        # The next refresh changes nothing, so it has no report; a change after it is complete again.
        assert await h.refresh() is None
        sc.PLAN["up"] = {"upsert": {"f00.csv": 100}}
        again = await h.refresh()
        assert again is not None and again.incomplete == "" and len(again.updated_element_guids) == 1


async def _wait_for_report(h: ConnectorHarness, count: int) -> ids.IntegrationReport:
    """The newest report once there are ``count`` (scheduled refreshes report on their own)."""
    for _ in range(250):
        reports, _token = h.daemon.connectors.reports.list()
        if len(reports) >= count:
            return reports[0]
        await asyncio.sleep(0.02)
    raise AssertionError("no report")


async def test_report_suppressed_when_configuration_turns_reports_off(tmp_path: Path) -> None:
    sc.PLAN["quiet"] = {"upsert": {"a.csv": 1}}
    async with run_connector(sc.Upserting, tmp_path, name="quiet", generate_integration_report=False) as h:
        report = await _wait_for_report(h, 1)
        # Still listed by the daemon for operators, but never written to the repository.
        assert report.report_guid == "" and len(report.created_element_guids) == 2
        async with h.server_channel() as channel:
            found = await mcs_grpc.MetadataCollectionServiceStub(channel).FindEntities(
                mcs.FindEntitiesRequest(query=mcs.InstanceQuery(type_name="IntegrationReport")))
        assert list(found.entities) == []


async def test_user_id_override_is_credited_in_created_by(tmp_path: Path) -> None:
    sc.PLAN["who"] = {"upsert": {"a.csv": 1}}
    async with run_connector(sc.Upserting, tmp_path, name="who", user_id="files-bot") as h:
        await _wait_for_report(h, 1)
        async with h.server_channel() as channel:
            element = await dm_grpc.DataManagerServiceStub(channel).GetElement(
                dm.GetElementRequest(qualified_name="root/a.csv"))
        assert element.element.header.created_by == "files-bot"


async def test_user_id_override_needs_the_token_to_allow_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The harness lists the override in the token's act_as; without it the server refuses every write.
    sc.PLAN["who"] = {"upsert": {"a.csv": 1}}
    original = testing.harness_server_config
    monkeypatch.setattr(testing, "harness_server_config",
                        lambda data_dir, act_as, extra=None: original(data_dir, [], extra))
    async with run_connector(sc.Upserting, tmp_path, name="who", user_id="mallory") as h:
        await h.refresh()
    (err,) = sc.ERRORS["who"][:1]
    assert isinstance(err, CohoRpcError) and err.code == grpc.StatusCode.PERMISSION_DENIED
    assert err.reason == "ACT_AS_NOT_ALLOWED"


async def test_to_third_party_connector_may_not_write_open_metadata(tmp_path: Path) -> None:
    sc.PLAN["out"] = {"upsert": {"a.csv": 1}}
    async with run_connector(sc.Upserting, tmp_path, name="out", permitted_synchronization="TO_THIRD_PARTY") as h:
        await h.wait_status("RUNNING")
        assert await h.refresh() is None
        (err,) = sc.ERRORS["out"][:1]
        assert isinstance(err, PermissionDenied) and err.reason == "SYNC_DIRECTION_FORBIDDEN"
        assert h.runner.state.denied_writes >= 1
        context = h.connector.context
        assert not context.may_write_open_metadata() and context.may_write_third_party()
        # Reads stay allowed.
        assert (await context.find_elements()) == []


async def test_from_third_party_connector_is_told_not_to_write_the_third_party(tmp_path: Path) -> None:
    async with run_connector(sc.Counting, tmp_path, name="in", permitted_synchronization="FROM_THIRD_PARTY") as h:
        await h.wait_status("RUNNING")
        context = h.connector.context
        assert context.may_write_open_metadata() and not context.may_write_third_party()


async def test_read_change_log_filters_by_refresh_id(tmp_path: Path) -> None:
    from servertest import CONNECTOR_TOKEN, client, running
    from unit.access.dmtest import file, folder

    async with running(tmp_path) as app, client(app, CONNECTOR_TOKEN) as stubs:
        data = dm_grpc.DataManagerServiceStub(stubs.channel)
        for refresh_id, elements in (("r-1", [folder("f")]), ("r-2", [file("f/a", "f"), file("f/b", "f")])):
            await data.UpsertElements(dm.UpsertElementsRequest(elements=elements),
                                      metadata=[("x-coho-connector-id", "c"), ("x-coho-refresh-id", refresh_id)])
        everything = await stubs.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=0))
        tagged = await stubs.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(refresh_id="r-2"))
        assert {e.refresh_id for e in tagged.entries} == {"r-2"}
        assert [e.sequence for e in tagged.entries] == [e.sequence for e in everything.entries if e.refresh_id == "r-2"]
        after = await stubs.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(
            refresh_id="r-2", after_sequence=tagged.entries[0].sequence, page_size=1))
        assert [e.sequence for e in after.entries] == [tagged.entries[1].sequence]
