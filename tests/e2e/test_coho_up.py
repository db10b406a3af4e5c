"""`coho up` as a user runs it: a real process, real files, the real grpcurl binary, real signals.

Requires all three demo connectors (files, archives, SQLite database) to be installed, and Egeria's archives
in /work/shared/egeria (as tests/e2e/test_server_grpcurl.py does).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from cohotest import CohoProcess, free_port, poll_sync

pytestmark = [pytest.mark.e2e]

CONNECTORS = ("landing-folder", "archive-folder", "demo-database")
EGERIA = Path("/work/shared/egeria")
ARCHIVES = ("OpenMetadataTypes.omarchive", "SimpleCatalog.omarchive")


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)


def wait_line(process: CohoProcess, pattern: str, timeout: float = 60.0, after: int = 0,
              fail: str | None = None) -> str:
    """The first stdout line (from index ``after``) matching ``pattern``; polls, since lines keep coming.
    A line matching ``fail`` first ends the wait at once (a connector that cannot load never recovers)."""
    regex, failing = re.compile(pattern), re.compile(fail) if fail else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(process.stdout_lines[after:]):
            if regex.search(line):
                return line
            if failing is not None and failing.search(line):
                raise AssertionError(f"{line}\n" + "\n".join(process.stdout_lines[-40:]))
        if process.proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"no stdout line matching {pattern!r}; exit={process.proc.poll()}\n"
                         + "\n".join(process.stdout_lines[-40:] + process.stderr_lines[-20:]))


def start_up(coho_process: Any, demo: Path, port: int) -> CohoProcess:
    process: CohoProcess = coho_process("up", "--dir", str(demo), "--port", str(port))
    # The banner ends with the `coho status` hint; by then every grpcurl line has been printed.
    wait_line(process, r"^    coho status --address", timeout=60)
    return process


def banner_commands(process: CohoProcess, grpcurl: str) -> list[list[str]]:
    commands = [shlex.split(line) for line in process.stdout_lines if line.startswith("    grpcurl ")]
    return [[grpcurl, *argv[1:]] for argv in commands]


def grpcurl_json(argv: list[str]) -> dict[str, Any]:
    result = run(*argv)
    assert result.returncode == 0, f"{shlex.join(argv)}\n{result.stderr}"
    return json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


@pytest.mark.timeout(180)
def test_dropped_file_is_catalogued_reported_and_found_with_grpcurl(tmp_path: Path, coho_process: Any,
                                                                     grpcurl: str) -> None:
    port = free_port(2)
    demo = tmp_path / "demo"
    process = start_up(coho_process, demo, port)
    token = (demo / "token").read_text().strip()
    assert (demo / "landing" / "customers.csv").is_file() and (demo / "archives" / "README.txt").is_file()
    assert "created landing/ (3 sample files), archives/, demo.db" in "\n".join(process.stdout_lines)
    # Live output: every connector reaches RUNNING and the first full sync completes.
    for name in CONNECTORS:
        wait_line(process, rf"^\d\d:\d\d:\d\d  {name} +RUNNING +refresh \d\d:\d\d:\d\d( catalogued|: no changes)",
                  timeout=90, fail=rf"  {name} +CONFIG_FAILED ")
    wait_line(process, r"first full sync done in [\d.]+ s: \d+ created", timeout=30)
    # (A transient INITIALIZE_FAILED on a loaded machine is retried by the daemon; CONFIG_FAILED is final.)
    assert not any("not synced" in line or "CONFIG_FAILED" in line for line in process.stdout_lines)

    mark = len(process.stdout_lines)
    for archive in ARCHIVES:  # Egeria's types, then a catalog that needs them
        shutil.copy(EGERIA / archive, demo / "archives" / archive)
    dropped = demo / "landing" / f"dropped-{uuid.uuid4().hex[:8]}.csv"
    dropped.write_text("id,value\n1,one\n")
    auth = ["-H", f"authorization: Bearer {token}"]
    server, daemon = f"127.0.0.1:{port}", f"127.0.0.1:{port + 1}"
    find = [grpcurl, "-plaintext", *auth, "-d",
            json.dumps({"kind": "ELEMENT_KIND_FILE", "name_pattern": re.escape(dropped.name)}),
            server, "coho.access.v1.DataManagerService/FindElements"]
    found = poll_sync(lambda: grpcurl_json(find).get("elements"), 60, "the demo files in FindElements", 0.5)
    assert len(found) == 1 and found[0]["header"]["type_name"] == "DataFile"
    assert found[0]["element"]["qualified_name"] == str(dropped.resolve())
    guid = found[0]["header"]["guid"]
    reports_call = [grpcurl, "-plaintext", *auth, "-d", json.dumps({"connector_name": "landing-folder"}),
                    daemon, "coho.integration.v1.IntegrationDaemonService/ListIntegrationReports"]

    def report_with_guid() -> dict[str, Any] | None:
        reports = grpcurl_json(reports_call).get("reports", [])
        return next((r for r in reports if guid in r.get("created_element_guids", [])), None)

    report = poll_sync(report_with_guid, 60, "an integration report naming the file", 0.5)
    assert report["connector_name"] == "landing-folder" and report["daemon_name"] == "coho-demo-daemon"
    # ... and the live output announced that refresh, and the archives' load.
    # (Totals, not the last report's counts: a live event may be reported in one refresh or split over two.)
    wait_line(process, r"landing-folder +RUNNING +(refresh|live events to) [\d:]+ catalogued .*since start 5/",
              timeout=30, after=mark)
    loaded = wait_line(process, r"archive-folder +RUNNING +(refresh|live events to) [\d:]+ catalogued [1-9]",
                       timeout=90, after=mark, fail=r"archive-folder +FAILED")
    assert "error" not in loaded

    # Every grpcurl line the banner printed works as printed, and shows what the demo catalogued.
    commands = banner_commands(process, grpcurl)
    assert len(commands) >= 5
    results = [(shlex.join(argv), run(*argv)) for argv in commands]
    for command, result in results:
        assert result.returncode == 0, f"{command}\n{result.stderr}"

    def output(*fragments: str) -> str:
        return next(result.stdout for command, result in results if all(f in command for f in fragments))

    assert "customers.csv" in output("ELEMENT_KIND_FILE")
    assert dropped.name in output("ELEMENT_KIND_FILE")
    tables = json.loads(output("ELEMENT_KIND_TABLE"))["elements"]
    assert {"customers", "orders", "products", "order_totals"} <= {t["element"]["display_name"] for t in tables}
    assert "customers.csv" in output("FindEntitiesByPropertyValue")
    assert json.loads(output("ListIntegrationReports"))["reports"]
    connectors = json.loads(output("ListConnectors"))["connectors"]
    assert {c["config"]["connector_name"] for c in connectors} == set(CONNECTORS)
    assert "coho.access.v1.DataManagerService" in output(" list")

    # One more live event just before Ctrl-C: its event window is still open, so the daemon reports it while
    # stopping, which needs the server up until the daemon is done.
    (demo / "landing" / "last-minute.csv").write_text("id\n1\n")
    time.sleep(2)
    assert process.terminate(signal.SIGINT, timeout=30) == 0
    last = process.stdout_lines[-1]
    assert last.startswith("coho stopped: connectors disconnected")
    for name in CONNECTORS:
        assert f"{name} SHUTDOWN" in last
    assert not any("Traceback" in line for line in process.stderr_lines)
    # The daemon stops before its server, so the last event window's report is written, not lost.
    assert not any("integration report failed" in line for line in process.stderr_lines), process.stderr_lines


@pytest.mark.timeout(150)
def test_second_run_reuses_token_and_keeps_user_content(tmp_path: Path, coho_process: Any) -> None:
    port = free_port(2)
    demo = tmp_path / "demo"
    first = start_up(coho_process, demo, port)
    token = (demo / "token").read_text().strip()
    assert first.terminate(signal.SIGTERM, timeout=30) == 0

    # The user edits a sample, removes another, adds their own files and a table.
    (demo / "landing" / "customers.csv").write_text("mine\n")
    (demo / "landing" / "README.md").unlink()
    (demo / "landing" / "notes.txt").write_text("my notes\n")
    (demo / "archives" / "README.txt").write_text("my readme\n")
    with sqlite3.connect(demo / "demo.db") as db:
        db.execute("CREATE TABLE user_table (id INTEGER)")
    second = start_up(coho_process, demo, port)
    assert (demo / "token").read_text().strip() == token
    assert any(token in line for line in second.stdout_lines)
    assert not any("(created" in line for line in second.stdout_lines)
    assert (demo / "landing" / "customers.csv").read_text() == "mine\n"
    assert not (demo / "landing" / "README.md").exists()
    assert (demo / "landing" / "notes.txt").read_text() == "my notes\n"
    assert (demo / "archives" / "README.txt").read_text() == "my readme\n"
    with sqlite3.connect(demo / "demo.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "user_table" in tables
    # The user's file is catalogued like the samples were.
    wait_line(second, r"landing-folder +RUNNING +refresh [\d:]+ catalogued", timeout=90)
    assert second.terminate(signal.SIGTERM, timeout=30) == 0
    assert second.stdout_lines[-1].startswith("coho stopped: connectors disconnected")


@pytest.mark.parametrize(("port", "message"), [
    ("70000", "argument --port: 70000 is out of range: use 1..65534 (the daemon uses PORT+1)"),
    ("65535", "argument --port: 65535 is out of range"),
    ("0", "argument --port: 0 is out of range"),
    ("http", "argument --port: 'http' is not a port number"),
])
def test_bad_port_is_a_clear_usage_error(tmp_path: Path, port: str, message: str) -> None:
    result = run(sys.executable, "-m", "coho.server.cli", "up", "--dir", str(tmp_path / "demo"), "--port", port)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith("usage: coho up")
    assert not (tmp_path / "demo").exists()  # nothing is created for a command line that is wrong


@pytest.mark.timeout(60)
@pytest.mark.parametrize("taken_offset", [0, 1], ids=["server-port", "daemon-port"])
def test_port_in_use_is_a_clear_error(tmp_path: Path, taken_offset: int) -> None:
    port = free_port(2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port + taken_offset))
        taken.listen()
        result = run(sys.executable, "-m", "coho.server.cli", "up", "--dir", str(tmp_path / "demo"),
                     "--port", str(port), timeout=45)
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("coho: error: ") and f"cannot listen on 127.0.0.1:{port + taken_offset}" in line
    assert "choose another --port" in line
    assert "coho is up" not in result.stdout
    assert "Traceback" not in result.stderr  # the server that did start was stopped, not abandoned


def test_a_second_up_on_the_same_directory_is_refused_in_one_line(tmp_path: Path, coho_process: Any) -> None:
    demo = tmp_path / "demo"
    first = start_up(coho_process, demo, free_port(2))
    result = run(sys.executable, "-m", "coho.server.cli", "up", "--dir", str(demo), "--port", str(free_port(2)),
                 timeout=45)
    assert result.returncode == 1, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("coho: error: ") and "[REPOSITORY_LOCKED]" in line, result.stderr
    assert "Traceback" not in result.stderr
    assert first.proc.poll() is None  # the running demo is untouched
    assert first.terminate(signal.SIGINT) == 0
