"""The bundled files connectors (FolderMonitor, ArchiveMonitor) through the connector harness: a real
in-process access server and daemon over gRPC on 127.0.0.1, real folders, real inotify via watchdog."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohotest import poll

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.daemon.connectors.archives import ArchiveMonitor
from coho.daemon.connectors.files import Rules, scan_tree, topmost
from coho.daemon.testing import ConnectorHarness, run_connector
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

EGERIA = Path("/work/shared/egeria")
FILES = "coho.daemon.connectors.files:FolderMonitor"
ARCHIVES = "coho.daemon.connectors.archives:ArchiveMonitor"
# The live-update bound of the issue; polling continues past it so a miss says by how much.
LIVE_BOUND = 1.0


def make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


async def first_refresh(h: ConnectorHarness) -> cpb.IntegrationReport | None:
    """The report of the refresh the daemon runs right after start."""
    await poll(lambda: h.runner.state.refresh_count >= 1)
    # The count goes up before the report is built from the change log.
    with contextlib.suppress(AssertionError):
        await poll(lambda: h.runner.state.last_report is not None, within=5.0)
    return h.runner.state.last_report


async def catalogue(h: ConnectorHarness, root: Path) -> dict[str, dm.DataElementView]:
    """Every element under ``root`` as the server lists it (root included), by qualified name."""
    found: dict[str, dm.DataElementView] = {}
    async with h.server_channel() as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        try:
            top = await stub.GetElement(dm.GetElementRequest(qualified_name=str(root)))
        except grpc.aio.AioRpcError as err:
            assert err.code() == grpc.StatusCode.NOT_FOUND
            return found
        found[str(root)] = top.element
        pending = [str(root)]
        while pending:
            token = ""
            parent = pending.pop()
            while True:
                try:
                    page = await stub.ListChildren(dm.ListChildrenRequest(
                        parent_qualified_name=parent, page_size=1000, page_token=token))
                except grpc.aio.AioRpcError as err:  # deleted while we walked: callers poll again
                    assert err.code() == grpc.StatusCode.NOT_FOUND
                    break
                for child in page.children:
                    found[child.element.qualified_name] = child
                    if child.element.WhichOneof("kind") == "folder":
                        pending.append(child.element.qualified_name)
                token = page.next_page_token
                if not token:
                    break
    return found


def names(root: Path, found: dict[str, dm.DataElementView]) -> set[str]:
    return {os.path.relpath(name, root) for name in found}


async def incidents(h: ConnectorHarness) -> list[sa.IncidentReport]:
    async with h.server_channel() as channel:
        reply = await sa_grpc.StewardshipActionServiceStub(channel).ListIncidentReports(
            sa.ListIncidentReportsRequest(page_size=500))
        return list(reply.reports)


# Entities the daemon itself writes about its work (incidents, integration reports), not archive content.
BOOKKEEPING = frozenset({"IncidentReport", "IntegrationReport"})


async def entity_guids(h: ConnectorHarness) -> set[str]:
    found: set[str] = set()
    async with h.server_channel() as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        token = ""
        while True:
            page = await stub.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
                page_size=500, page_token=token)))
            found |= {e.header.guid for e in page.entities if e.header.type.type_def_name not in BOOKKEEPING}
            token = page.next_page_token
            if not token:
                return found


TREE = {"a.csv": "1,2\n", "b.txt": "bee", "sub/c.json": "{}", "sub/deeper/d.parquet": "PAR1",
        ".hidden": "h", ".git/config": "x"}


# -- FolderMonitor ------------------------------------------------------------------------------------------
async def test_initial_sync_catalogues_the_tree_and_an_unchanged_refresh_sends_nothing(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, TREE)
    async with run_connector(FILES, tmp_path / "data", metadata_source="fs:test",
                             configuration_properties={"folder": str(root)}) as h:
        report = await first_refresh(h)
        assert report is not None and len(report.created_element_guids) == 7
        found = await catalogue(h, root)
        assert names(root, found) == {".", "a.csv", "b.txt", "sub", "sub/c.json", "sub/deeper",
                                      "sub/deeper/d.parquet"}
        csv = found[str(root / "a.csv")]
        assert csv.header.type_name == "DataFile" and csv.header.external_source == "fs:test"
        assert csv.element.parent_qualified_name == str(root)
        stat = (root / "a.csv").stat()
        assert (csv.element.file.file_name, csv.element.file.file_extension, csv.element.file.file_type,
                csv.element.file.size_bytes) == ("a.csv", "csv", "CSV", 4)
        assert csv.element.file.modified_time.ToMilliseconds() == stat.st_mtime_ns // 1_000_000
        assert found[str(root / "sub" / "deeper")].header.type_name == "FileFolder"
        assert found[str(root / "sub" / "deeper" / "d.parquet")].element.parent_qualified_name == str(
            root / "sub" / "deeper")
        assert await h.refresh() is None  # nothing written at all: nothing was re-sent
        assert h.status_name == "RUNNING"


async def test_live_create_modify_rename_delete(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, TREE)
    async with run_connector(FILES, tmp_path / "data", configuration_properties={"folder": str(root)}) as h:
        await first_refresh(h)
        await h.flush_events()
        context = h.connector.context

        async def element(path: Path) -> dm.DataElementView | None:
            found = await catalogue(h, root)
            return found.get(str(path))

        started = time.monotonic()
        (root / "new.csv").write_text("fresh")
        created = await poll(lambda: element(root / "new.csv"), every=0.01)
        elapsed = time.monotonic() - started
        assert elapsed < LIVE_BOUND, f"live create took {elapsed:.2f}s"
        assert created.element.file.size_bytes == 5

        (root / "new.csv").write_text("fresh and longer")
        await poll(lambda: _size_is(element(root / "new.csv"), 16))

        (root / "new.csv").rename(root / "renamed.csv")
        await poll(lambda: _gone_and_present(catalogue(h, root), root / "new.csv", root / "renamed.csv"))

        (root / "sub").rename(root / "moved")
        moved = await poll(lambda: _gone_and_present(catalogue(h, root), root / "sub", root / "moved" / "deeper"
                                                      / "d.parquet"))
        assert str(root / "sub" / "deeper" / "d.parquet") not in moved

        (root / "renamed.csv").unlink()
        shutil.rmtree(root / "moved")
        (root / "later" / "x").mkdir(parents=True)
        (root / "later" / "x" / "y.txt").write_text("y")
        final = await poll(lambda: _names_are(catalogue(h, root), root, {".", "a.csv", "b.txt", "later", "later/x",
                                                                          "later/x/y.txt"}))
        assert final[str(root / "later" / "x" / "y.txt")].element.parent_qualified_name == str(root / "later" / "x")

        report = await h.flush_events()  # all of it was event-driven work, reported in the event window
        assert report is not None and report.created_element_guids and report.deleted_element_guids
        assert context.current_refresh_id.startswith("events-")
        assert await h.refresh() is None  # the events left nothing for a refresh to do


async def _size_is(pending: Any, size: int) -> bool:
    view = await pending
    return view is not None and view.element.file.size_bytes == size


async def _gone_and_present(pending: Any, gone: Path, present: Path) -> dict[str, dm.DataElementView] | None:
    found: dict[str, dm.DataElementView] = await pending
    return found if str(gone) not in found and str(present) in found else None


async def _names_are(pending: Any, root: Path, expected: set[str]) -> dict[str, dm.DataElementView] | None:
    found: dict[str, dm.DataElementView] = await pending
    return found if names(root, found) == expected else None


async def test_filters_at_refresh_and_live(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, {"a.csv": "1", "b.txt": "2", "old.bak.csv": "3", "tmp/t.csv": "4", "keep/k.csv": "5",
                     "keep/k.txt": "6", ".hidden.csv": "7", "keep/deep/z.csv": "8"})
    props = {"folder": str(root), "include": ["*.csv"], "exclude": ["tmp", "*.bak.*", "keep/deep"],
             "ignore_hidden": False}
    async with run_connector(FILES, tmp_path / "data", configuration_properties=props) as h:
        await first_refresh(h)
        assert names(root, await catalogue(h, root)) == {".", "a.csv", ".hidden.csv", "keep", "keep/k.csv"}
        (root / "tmp" / "live.csv").write_text("excluded")
        (root / "keep" / "live.txt").write_text("not included")
        (root / "keep" / "live.csv").write_text("included")  # events apply in order, so once this shows...
        found = await poll(lambda: _has(catalogue(h, root), root / "keep" / "live.csv"))
        assert names(root, found) == {".", "a.csv", ".hidden.csv", "keep", "keep/k.csv", "keep/live.csv"}

    flat = tmp_path / "flat"
    make_tree(flat, {"top.csv": "1", ".dot.csv": "2", "nested/n.csv": "3"})
    async with run_connector(FILES, tmp_path / "data2",
                             configuration_properties={"folder": str(flat), "recursive": False}) as h:
        await first_refresh(h)
        assert names(flat, await catalogue(h, flat)) == {".", "top.csv"}


async def _has(pending: Any, path: Path) -> dict[str, dm.DataElementView] | None:
    found: dict[str, dm.DataElementView] = await pending
    return found if str(path) in found else None


async def test_bad_configuration_names_the_property(tmp_path: Path) -> None:
    async with run_connector(FILES, tmp_path / "data", configuration_properties={"folder": str(tmp_path),
                                                                               "delete_threshold": 3}) as h:
        await poll(lambda: h.status_name == "FAILED")
        assert "delete_threshold" in h.runner.state.failing_error


async def test_fail_safe_threshold_raises_an_incident_and_deletes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, {f"f{i:02}.csv": str(i) for i in range(20)})
    async with run_connector(FILES, tmp_path / "data",
                             configuration_properties={"folder": str(root), "watch": False}) as h:
        await first_refresh(h)
        assert len(await catalogue(h, root)) == 21
        for i in range(15):
            (root / f"f{i:02}.csv").unlink()
        (root / "extra.csv").write_text("new files are still catalogued")
        report = await h.refresh()
        found = await catalogue(h, root)
        assert len(found) == 22  # nothing deleted
        (incident,) = await incidents(h)
        assert report is not None and not report.deleted_element_guids
        assert set(report.created_element_guids) == {found[str(root / "extra.csv")].header.guid, incident.guid}
        assert incident.incident_class == "DeletionThresholdExceeded"
        assert incident.details["missing"] == "15" and incident.details["folder"] == str(root)
        assert "delete_threshold 0.5" in incident.background
        assert await h.refresh() is None  # the same refusal again: still one incident, nothing deleted
        assert len(await incidents(h)) == 1 and len(await catalogue(h, root)) == 22

    # Raising the threshold lets the same deletion through.
    async with run_connector(FILES, tmp_path / "data", configuration_properties={
            "folder": str(root), "watch": False, "delete_threshold": 0.9}) as h:
        report = await first_refresh(h)
        assert report is not None and len(report.deleted_element_guids) == 15
        assert names(root, await catalogue(h, root)) == {".", "extra.csv"} | {f"f{i:02}.csv" for i in range(15, 20)}


async def test_no_deletion_after_a_failed_enumeration(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, TREE)
    async with run_connector(FILES, tmp_path / "data", configuration_properties={"folder": str(root)}) as h:
        await first_refresh(h)
        before = await catalogue(h, root)
        root.rename(tmp_path / "away")  # the folder vanishes (an unmounted share looks like this)
        assert await h.refresh() is None
        assert h.status_name == "FAILED" and str(root) in h.runner.state.failing_error
        assert (await catalogue(h, root)).keys() == before.keys()  # nothing deleted
        (tmp_path / "away").rename(root)
        (root / "b.txt").unlink()
        report = await h.refresh()
        assert h.status_name == "RUNNING"
        assert names(root, await catalogue(h, root)) == names(root, before) - {"b.txt"}
        assert report is None or len(report.deleted_element_guids) <= 1  # the watch may have seen it first
        (root / "after.csv").write_text("live again")  # the watch follows the folder back
        await poll(lambda: _has(catalogue(h, root), root / "after.csv"))


def test_rules_and_cascade_roots() -> None:
    rules = Rules(include=("*.csv",), exclude=("tmp", "raw/*.bak.csv"))
    assert rules.in_scope("a.csv", False) and rules.in_scope("x/y/a.csv", False)
    assert not rules.in_scope("a.txt", False) and not rules.in_scope(".a.csv", False)
    assert not rules.in_scope("tmp/a.csv", False) and not rules.in_scope("x/tmp", True)
    assert not rules.in_scope("raw/old.bak.csv", False) and rules.in_scope("raw/new.csv", False)
    assert not rules.in_scope(".git/a.csv", False) and rules.in_scope("x", True)
    flat = Rules(recursive=False)
    assert flat.in_scope("a.txt", False) and not flat.in_scope("x/a.txt", False) and not flat.in_scope("x", True)
    assert topmost(["/r/a", "/r/a/b", "/r/a/b/c", "/r/ab", "/r/c/d"]) == ["/r/a", "/r/ab", "/r/c/d"]


def make_unlistable(parent: Path) -> Path:
    """A folder chain whose deepest path is longer than PATH_MAX, so listing it fails (ENAMETOOLONG) even for
    root, which reads unreadable folders. Built with dir fds, as no single path could name it."""
    top = parent / ("00" + "x" * 250)
    fd = os.open(parent, os.O_RDONLY)
    try:
        for level in range(18):
            name = f"{level:02}" + "x" * 250
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)
    return top


async def test_no_deletion_after_a_partial_enumeration(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, {"a.csv": "1", "b.csv": "2", "sub/c.csv": "3"})
    deep = make_unlistable(root / "sub")
    assert scan_tree(str(root), Rules()).errors  # the walk cannot list the deepest folder
    props = {"folder": str(root), "watch": False, "delete_threshold": 1.0}  # most elements are the chain
    async with run_connector(FILES, tmp_path / "data", configuration_properties=props) as h:
        await first_refresh(h)
        assert h.status_name == "FAILED" and "nothing was deleted" in h.runner.state.failing_error
        assert {"a.csv", "b.csv", "sub/c.csv"} <= names(root, await catalogue(h, root))  # what was listed is sent
        (root / "b.csv").unlink()
        (root / "sub" / "c.csv").unlink()
        await poll(lambda: h.runner.state.refresh_count >= 3)  # retried automatically, failing each time
        assert {"a.csv", "b.csv", "sub/c.csv"} <= names(root, await catalogue(h, root))  # nothing deleted
        shutil.rmtree(deep)
        # An automatic retry may run while rmtree is half done; the refresh after it sees the final state.
        await h.refresh()
        assert h.status_name == "RUNNING"
        assert names(root, await catalogue(h, root)) == {".", "a.csv", "sub"}


async def test_restart_keeps_working_without_duplicates(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    make_tree(root, TREE)
    options: dict[str, Any] = {"metadata_source": "fs:test", "configuration_properties": {"folder": str(root)}}
    async with run_connector(FILES, tmp_path / "data", **options) as h:
        await first_refresh(h)
        first = await catalogue(h, root)
        async with h.server_channel() as channel:  # another source's element inside the folder
            await dm_grpc.DataManagerServiceStub(channel).UpsertElements(dm.UpsertElementsRequest(
                external_source="elsewhere", elements=[dm.DataElement(
                    qualified_name=str(root / "foreign.csv"), parent_qualified_name=str(root),
                    file=dm.FileElement(path_name=str(root / "foreign.csv"), file_name="foreign.csv"))]))
    # While the daemon is down: one file deleted, one changed, one added.
    (root / "a.csv").unlink()
    (root / "b.txt").write_text("a longer bee")
    (root / "sub" / "e.csv").write_text("e")
    async with run_connector(FILES, tmp_path / "data", **options) as h:
        report = await first_refresh(h)
        assert report is not None
        assert (len(report.created_element_guids), len(report.updated_element_guids),
                len(report.deleted_element_guids)) == (1, 1, 1)
        found = await catalogue(h, root)
        assert names(root, found) == {".", "b.txt", "sub", "sub/c.json", "sub/e.csv", "sub/deeper",
                                      "sub/deeper/d.parquet", "foreign.csv"}  # the other source's stays
        assert found[str(root / "sub")].header.guid == first[str(root / "sub")].header.guid
        assert found[str(root / "b.txt")].element.file.size_bytes == 12
        assert await h.refresh() is None
        refreshes = h.runner.state.refresh_count
        async with h.daemon_channel() as channel:  # an in-place restart rebuilds from the listing too
            await ids_grpc.IntegrationDaemonServiceStub(channel).RestartConnector(
                ids.RestartConnectorRequest(connector_name=h.name))
        await poll(lambda: h.runner.state.refresh_count > refreshes and h.status_name == "RUNNING")
        assert (await catalogue(h, root)).keys() == found.keys()


# -- ArchiveMonitor ---------------------------------------------------------------------------------------
def archive_guids(path: Path) -> set[str]:
    return {e["guid"] for e in json.loads(path.read_bytes())["archiveInstanceStore"]["entities"]}


async def test_archive_monitor_loads_real_archives_once(tmp_path: Path) -> None:
    drop = tmp_path / "archives"
    drop.mkdir()
    # Instances before the types they need (by name order too): the monitor retries after the types load.
    shutil.copy(EGERIA / "SimpleCatalog.omarchive", drop / "a-catalog.omarchive")
    shutil.copy(EGERIA / "OpenMetadataTypes.omarchive", drop)
    async with run_connector(ARCHIVES, tmp_path / "data", configuration_properties={"folder": str(drop)}) as h:
        await first_refresh(h)
        assert h.status_name == "RUNNING", h.runner.state.failing_error
        monitor = h.connector
        assert isinstance(monitor, ArchiveMonitor)
        assert monitor.results[str(drop / "OpenMetadataTypes.omarchive")].loaded.type_defs > 500
        assert monitor.results[str(drop / "a-catalog.omarchive")].loaded.entities == 28
        stored = await entity_guids(h)
        assert archive_guids(EGERIA / "SimpleCatalog.omarchive") <= stored

        # The same archive again (a copy under another name): loaded, and nothing changes.
        shutil.copy(EGERIA / "SimpleCatalog.omarchive", drop / "copy.omarchive")
        again = await poll(lambda: monitor.results.get(str(drop / "copy.omarchive")))
        assert again.loaded == type(again.loaded)() and again.in_archive.entities == 28
        assert await entity_guids(h) == stored

        # A new archive dropped in is loaded live.
        shutil.copy(EGERIA / "SimpleDataCatalog.omarchive", drop)
        await poll(lambda: monitor.results.get(str(drop / "SimpleDataCatalog.omarchive")))
        assert archive_guids(EGERIA / "SimpleDataCatalog.omarchive") <= await entity_guids(h)
        assert await h.refresh() is None and not monitor.rejected  # nothing left to load


async def test_archive_monitor_rejects_bad_archives_and_keeps_loading(tmp_path: Path) -> None:
    drop = tmp_path / "archives"
    drop.mkdir()
    shutil.copy(EGERIA / "OpenMetadataTypes.omarchive", drop)
    async with run_connector(ARCHIVES, tmp_path / "data", configuration_properties={"folder": str(drop)}) as h:
        await first_refresh(h)
        monitor = h.connector
        assert isinstance(monitor, ArchiveMonitor)
        before = await entity_guids(h)
        source = (EGERIA / "SimpleCatalog.omarchive").read_bytes()
        (drop / "truncated.omarchive").write_bytes(source[: len(source) // 2])
        (drop / "deep.omarchive").write_text("[" * 200_000 + "]" * 200_000)
        document = json.loads(source)
        document["archiveInstanceStore"]["entities"][3]["type"]["typeDefName"] = "NoSuchType"
        (drop / "unknown-type.omarchive").write_text(json.dumps(document))
        await poll(lambda: len(monitor.rejected) == 3)
        assert "invalid JSON" in monitor.rejected[str(drop / "truncated.omarchive")]
        assert "nested too deeply" in monitor.rejected[str(drop / "deep.omarchive")]
        assert "NoSuchType" in monitor.rejected[str(drop / "unknown-type.omarchive")]
        assert await entity_guids(h) == before  # nothing of them was stored
        reported = {i.details["path"]: i for i in await poll(lambda: _incident_count(h, 3))}
        assert reported.keys() == {str(drop / n) for n in ("truncated.omarchive", "deep.omarchive",
                                                           "unknown-type.omarchive")}
        assert all(i.incident_class == "OpenMetadataArchiveRejected" for i in reported.values())

        assert await h.refresh() is None
        assert h.status_name == "FAILED" and "truncated.omarchive" in h.runner.state.failing_error

        # Other archives still load, live.
        shutil.copy(EGERIA / "SimpleEventCatalog.omarchive", drop)
        await poll(lambda: monitor.results.get(str(drop / "SimpleEventCatalog.omarchive")))
        assert archive_guids(EGERIA / "SimpleEventCatalog.omarchive") <= await entity_guids(h)
        assert len(await incidents(h)) == 3  # a refresh seeing the same files raises nothing new

        # Fixing the files clears the problem.
        for name in ("truncated.omarchive", "deep.omarchive", "unknown-type.omarchive"):
            (drop / name).unlink()
        await h.refresh()
        assert h.status_name == "RUNNING" and not monitor.rejected


async def _incident_count(h: ConnectorHarness, count: int) -> list[sa.IncidentReport] | None:
    found = await incidents(h)
    return found if len(found) >= count else None
