"""`coho up`'s parts: demo content, configs, port checks, grpcurl lines and the live status lines."""

from __future__ import annotations

import argparse
import asyncio
import re
import shlex
import sqlite3
import time
from pathlib import Path

import pytest
from cohotest import free_port

from coho.daemon.app import DaemonApp
from coho.daemon.config import load_daemon_config
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.server.app import ServerApp
from coho.server.commands import updemo
from coho.server.commands.up import (
    CONNECTORS,
    banner,
    ensure_token,
    grpcurl_examples,
    port_number,
    write_configs,
)
from coho.server.commands.uplive import LiveStatus, LiveTracker
from coho.server.config import load_server_config

S = cpb.ConnectorStatus
NOW = time.mktime((2026, 11, 21, 12, 0, 0, 0, 0, -1))


# -- demo content --------------------------------------------------------------------------------------
def test_demo_is_created_once_with_a_small_database(tmp_path: Path) -> None:
    paths = updemo.ensure_demo(tmp_path / "demo")
    assert paths.directory.is_absolute() and paths.landing == paths.directory / "landing"
    assert sorted(p.name for p in paths.landing.iterdir()) == sorted(updemo.SAMPLE_FILES)
    assert [p.name for p in paths.archives.iterdir()] == ["README.txt"]
    assert len(paths.created) == 3
    with sqlite3.connect(paths.database) as db:
        objects = dict(db.execute("SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        columns = [row[1] for row in db.execute("PRAGMA table_info(orders)")]
        rows = db.execute("SELECT COUNT(*) FROM order_totals").fetchone()[0]
    assert {name: kind for name, kind in objects.items() if kind in ("table", "view")} == {
        "customers": "table", "products": "table", "orders": "table", "order_totals": "view"}
    assert columns == ["order_id", "customer_id", "product_id", "quantity", "ordered_at"]
    assert rows == 2
    assert not list(paths.directory.glob("*.partial"))


def test_second_run_creates_nothing_and_keeps_user_content(tmp_path: Path) -> None:
    paths = updemo.ensure_demo(tmp_path)
    (paths.landing / "customers.csv").write_text("edited\n")
    (paths.landing / "README.md").unlink()
    (paths.archives / "README.txt").unlink()
    paths.database.write_bytes(b"not even sqlite")
    again = updemo.ensure_demo(tmp_path)
    assert again.created == []
    assert (paths.landing / "customers.csv").read_text() == "edited\n"
    assert not (paths.landing / "README.md").exists()  # deliberately removed: not brought back
    assert not (paths.archives / "README.txt").exists()
    assert paths.database.read_bytes() == b"not even sqlite"


def test_missing_database_alone_is_recreated(tmp_path: Path) -> None:
    paths = updemo.ensure_demo(tmp_path)
    paths.database.unlink()
    assert updemo.ensure_demo(tmp_path).created == ["demo.db (3 tables, 1 view)"]
    assert paths.database.stat().st_size > 0


def test_database_appearing_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    target.write_text("someone else's")
    updemo.create_demo_database(target)
    assert target.read_text() == "someone else's"
    assert not (tmp_path / "demo.db.partial").exists()


def test_a_file_where_a_demo_folder_belongs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "landing").write_text("oops")
    with pytest.raises(NotADirectoryError, match="landing exists and is not a directory"):
        updemo.ensure_demo(tmp_path)


# -- configs and command line ----------------------------------------------------------------------------
def test_daemon_config_runs_the_three_demo_connectors_on_absolute_paths(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    directory = Path("demo")
    directory.mkdir()
    token = ensure_token(directory)
    _, daemon_path = write_configs(directory, 7000, token)
    daemon = load_daemon_config(daemon_path)
    root = (tmp_path / "demo").resolve()
    found = {(s.kind.value, c.name): (c.entry_point, c.configuration_properties)
             for s in daemon.integration_services for c in s.connectors}
    assert found == {
        ("files", "landing-folder"): ("coho.daemon.connectors.files:FolderMonitor", {"folder": str(root / "landing")}),
        ("files", "archive-folder"): ("coho.daemon.connectors.archives:ArchiveMonitor",
                                      {"folder": str(root / "archives")}),
        ("database", "demo-database"): ("coho.daemon.connectors.sqlite_db:SQLiteDatabaseConnector",
                                        {"database": str(root / "demo.db")}),
    }
    assert len(CONNECTORS) == 3
    assert all(c.effective_refresh_timeout > c.refresh_interval_seconds for c in daemon.connectors())
    assert daemon_path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("text", ["1", "50051", "65534"])
def test_good_ports(text: str) -> None:
    assert port_number(text) == int(text)


@pytest.mark.parametrize(("text", "message"), [
    ("0", "0 is out of range: use 1..65534 (the daemon uses PORT+1)"),
    ("65535", "65535 is out of range"),
    ("-5", "-5 is out of range"),
    ("5e4", "'5e4' is not a port number"),
])
def test_bad_ports(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(message)):
        port_number(text)


def test_grpcurl_examples_quote_the_token_for_the_shell() -> None:
    token = "it's $odd"
    for _, command in grpcurl_examples("127.0.0.1:1", "127.0.0.1:2", token):
        argv = shlex.split(command)
        assert argv[:2] == ["grpcurl", "-plaintext"]
        if "-H" in argv:
            assert argv[argv.index("-H") + 1] == f"authorization: Bearer {token}"
            assert argv[argv.index("-d") + 1].startswith("{")


def test_banner_says_what_was_created_and_where_to_drop_files(tmp_path: Path) -> None:
    text = banner("127.0.0.1:1", "127.0.0.1:2", "tok", tmp_path, ["archives/"])
    assert f"demo: {tmp_path.resolve()}  (created archives/)" in text
    assert f"drop files into {tmp_path.resolve() / 'landing'}" in text
    assert "(created" not in banner("127.0.0.1:1", "127.0.0.1:2", "tok", tmp_path, [])


# -- live status lines -------------------------------------------------------------------------------------
def connector(name: str, status: int, refresh_count: int = 0, report: str = "", created: int = 0,
              error: str = "", event_driven: bool = False, reporting: bool = False) -> cpb.ConnectorInfo:
    info = cpb.ConnectorInfo(status=status, refresh_count=refresh_count, failing_error=error,  # type: ignore[arg-type]
                             consecutive_failures=1 if error else 0)
    info.config.connector_name = name
    if refresh_count:
        info.last_refresh_end.FromSeconds(int(NOW))
        # The daemon schedules the next refresh once the last one's report is built.
        info.next_refresh.FromSeconds(int(NOW) + (-1 if reporting else 5))
    if report:
        info.last_report.report_guid = report
        info.last_report.refresh_end.FromSeconds(int(NOW) + refresh_count)
        info.last_report.event_driven = event_driven
        info.last_report.created_element_guids.extend(f"g{i}" for i in range(created))
    return info


DAEMON = ids.GetDaemonStatusResponse(daemon_name="d", server_address="127.0.0.1:1", server_connected=True)


def test_tracker_prints_changes_only() -> None:
    tracker = LiveTracker()
    tracker.baseline(100, NOW)
    first = tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_REFRESHING),
                                    connector("db", S.CONNECTOR_STATUS_INITIALIZED)], 100, NOW)
    assert first == [
        "12:00:00  daemon d connected to the access server 127.0.0.1:1",
        "12:00:00  files  REFRESHING        first refresh running",
        "12:00:00  db     INITIALIZED       starting",
        "12:00:00  first sync in progress (files): 0 changes written so far, 0 s",
    ]
    # Same state, same head: nothing to say.
    assert tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_REFRESHING),
                                   connector("db", S.CONNECTOR_STATUS_INITIALIZED)], 100, NOW + 1) == []
    progress = tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_REFRESHING),
                                       connector("db", S.CONNECTOR_STATUS_INITIALIZED)], 140, NOW + 2)
    assert progress == ["12:00:02  first sync in progress (files): 40 changes written so far, 2 s"]
    # Refreshed, but its report is still being built: not synced yet, and no claim of "no changes".
    reporting = tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_RUNNING, 1, reporting=True),
                                        connector("db", S.CONNECTOR_STATUS_INITIALIZED)], 145, NOW + 3)
    assert reporting == [
        "12:00:03  files  RUNNING           first refresh done, building its integration report",
        "12:00:03  first sync in progress (files): 45 changes written so far, 3 s",
    ]
    done = tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_RUNNING, 1, "r1", created=4),
                                   connector("db", S.CONNECTOR_STATUS_CONFIG_FAILED, error="no module x")],
                          150, NOW + 3)
    assert done == [
        "12:00:03  files  RUNNING           refresh 12:00:01 catalogued 4 created, 0 updated, 0 deleted "
        "(since start 4/0/0)",
        "12:00:03  db     CONFIG_FAILED     error: no module x (failures: 1)",
        "12:00:03  first full sync done in 3.0 s: 4 created, 0 updated, 0 deleted; not synced: db",
    ]
    # After the first sync, RUNNING <-> REFRESHING flips on every refresh and are not news ...
    assert tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_REFRESHING, 1, "r1", created=4),
                                   connector("db", S.CONNECTOR_STATUS_CONFIG_FAILED, error="no module x")],
                          150, NOW + 4) == []
    # ... but a new report is, with running totals.
    news = tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_RUNNING, 2, "r2", created=1,
                                             event_driven=True),
                                   connector("db", S.CONNECTOR_STATUS_CONFIG_FAILED, error="no module x")],
                          151, NOW + 5)
    assert news == ["12:00:05  files  RUNNING           live events to 12:00:02 catalogued 1 created, "
                    "0 updated, 0 deleted (since start 5/0/0)"]


def test_tracker_reports_failures_and_reachability_once() -> None:
    tracker = LiveTracker()
    tracker.baseline(None, NOW)  # the server did not answer either
    assert tracker.unreachable("UNAVAILABLE: connection refused", NOW) == [
        "12:00:00  daemon unreachable: UNAVAILABLE: connection refused"]
    assert tracker.unreachable("UNAVAILABLE: connection refused", NOW + 1) == []
    lost = ids.GetDaemonStatusResponse(daemon_name="d", server_address="127.0.0.1:1", server_connected=False)
    long_error = "boom " * 100
    lines = tracker.update(lost, [connector("files", S.CONNECTOR_STATUS_INITIALIZE_FAILED, error=long_error)],
                           None, NOW + 2)
    assert lines[:2] == ["12:00:02  daemon reachable again",
                         "12:00:02  daemon d cannot reach the access server 127.0.0.1:1"]
    assert lines[2].startswith("12:00:02  files  INITIALIZE_FAILED error: boom boom")
    assert lines[2].endswith("... (failures: 1)") and len(lines[2]) < 220
    assert tracker.update(DAEMON, [connector("files", S.CONNECTOR_STATUS_RUNNING, 1)], None, NOW + 3) == [
        "12:00:03  daemon d connected to the access server 127.0.0.1:1",
        "12:00:03  files  RUNNING           refresh 12:00:00: no changes",
        "12:00:03  first full sync done in 3.0 s: 0 created, 0 updated, 0 deleted",
    ]


# -- the live status against a real server and daemon --------------------------------------------------------
@pytest.mark.timeout(90)
async def test_live_status_follows_a_real_daemon_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port(2)
    updemo.ensure_demo(tmp_path)
    token = ensure_token(tmp_path)
    server_path, daemon_path = write_configs(tmp_path, port, token)
    loaded = load_daemon_config(daemon_path)
    # Only the folder connector: the test is about the live status, not the other connectors.
    files = next(s for s in loaded.integration_services if s.name == "files")
    only = files.model_copy(update={"connectors": [c for c in files.connectors if c.name == "landing-folder"]})
    daemon_config = loaded.model_copy(update={"integration_services": [only]})
    server, daemon = ServerApp(load_server_config(server_path)), DaemonApp(daemon_config)
    lines: list[str] = []
    live = LiveStatus(daemon_address=daemon_config.listen, server_address=f"127.0.0.1:{port}", token=token,
                      write=lines.append, interval=0.2)

    async def line_matching(fragment: str) -> str:
        for _ in range(300):
            found = [line for line in lines if fragment in line]
            if found:
                return found[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no line with {fragment!r} in {lines}")

    await server.start()
    try:
        await live.start()
        await daemon.start()
        live.begin()
        await line_matching("first full sync done")
        assert "landing-folder  RUNNING" in await line_matching("catalogued 4 created")
        (tmp_path / "landing" / "new.txt").write_text("x")
        await line_matching("catalogued 1 created")
        await live.stop()
        count = len(lines)
        await daemon.stop()
        await asyncio.sleep(0.5)
        assert len(lines) == count  # stopped first, so a draining daemon is never polled
        await live.wait()  # returns once stopped
    finally:
        await live.stop()
        await daemon.stop()
        await server.stop()
