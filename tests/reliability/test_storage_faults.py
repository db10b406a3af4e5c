"""Storage faults under a real `coho server` process: a full disk, a read-only and a locked repository.

The disk really fills: the data directory is a 2 MiB tmpfs (the tests run as root) topped up with a filler
file. A read-only repository is a tmpfs remounted read-only (root ignores file modes, a read-only mount it
cannot), and a locked one is held by another process's ``BEGIN EXCLUSIVE``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
from cohotest import CohoProcess, write_yaml

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.client import connect
from coho.client.errors import from_rpc_error

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

TOKEN = "storage-faults-admin"
PAYLOAD = "x" * 60_000  # one element's description: a few of them outgrow any free space left


def server_yaml(directory: Path, data_dir: Path) -> Path:
    return write_yaml(directory / "server.yaml", {
        "server_name": "faults", "listen": "127.0.0.1:0", "data_dir": str(data_dir),
        "shutdown_grace_seconds": 0.5, "auth": {"tokens": {TOKEN: {"user": "ops", "roles": ["admin"]}}}})


@contextlib.contextmanager
def tmpfs(mount_point: Path, size: str = "2m") -> Iterator[Path]:
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def remount_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


def fill(path: Path) -> None:
    """Write zeros to ``path`` until the file system is full (bounded by the tmpfs size)."""
    block = b"\0" * 4096
    with path.open("wb", buffering=0) as out:  # unbuffered: nothing left over to fail again at close
        for _ in range(10_000):  # 40 MiB at most, far beyond the 2 MiB mount
            try:
                out.write(block)
            except OSError:
                break


def element(name: str, description: str = "") -> dm.DataElement:
    return dm.DataElement(qualified_name=name, description=description, folder=dm.FolderElement(path_name=name))


async def upsert(address: str, *elements: dm.DataElement) -> dm.UpsertElementsResponse:
    async with connect(address, TOKEN) as channel:
        response: dm.UpsertElementsResponse = await dm_grpc.DataManagerServiceStub(channel).UpsertElements(
            dm.UpsertElementsRequest(elements=list(elements)), timeout=30)
    return response


async def get(address: str, name: str) -> dm.DataElementView:
    async with connect(address, TOKEN) as channel:
        response = await dm_grpc.DataManagerServiceStub(channel).GetElement(
            dm.GetElementRequest(qualified_name=name), timeout=30)
    view: dm.DataElementView = response.element
    return view


async def find_all(address: str) -> set[str]:
    async with connect(address, TOKEN) as channel:
        response = await dm_grpc.DataManagerServiceStub(channel).FindElements(
            dm.FindElementsRequest(kind=dm.ELEMENT_KIND_FOLDER, page_size=1000), timeout=30)
    return {view.element.qualified_name for view in response.elements}


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


async def test_full_disk_fails_writes_clearly_keeps_reads_and_recovers(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        server = CohoProcess(["server", "--config", str(server_yaml(tmp_path, data_dir))])
        try:
            address = server.wait_serving()
            stored = {f"before/{n}" for n in range(5)}
            await upsert(address, *(element(name, "small") for name in sorted(stored)))
            fill(disk / "filler")

            # Writes fail once the space is gone; the ones acknowledged before are kept.
            failure: grpc.aio.AioRpcError | None = None
            for n in range(60):
                try:
                    await upsert(address, element(f"big/{n}", PAYLOAD))
                except grpc.aio.AioRpcError as err:
                    failure = err
                    break
                stored.add(f"big/{n}")
            assert failure is not None, "the writes never hit the full disk"
            assert failure.code() in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE), failure
            error = from_rpc_error(failure)
            assert error.reason in ("STORAGE_FULL", "STORAGE_UNAVAILABLE"), error
            details = failure.details() or ""
            assert "storage is full" in details and str(data_dir / "repository.db") in details, details
            for _ in range(3):  # failing again and again does not wedge the writer
                with pytest.raises(grpc.aio.AioRpcError) as again:
                    await upsert(address, element("still-full", PAYLOAD))
                assert again.value.code() == failure.code()

            # Reads keep working on the full disk.
            assert (await get(address, "before/0")).element.description == "small"
            assert stored <= await find_all(address)

            # Space freed: new writes succeed and nothing stored is lost.
            (disk / "filler").unlink()
            response = await upsert(address, element("after", PAYLOAD))
            assert response.results[0].guid
            names = await find_all(address)
            assert stored | {"after"} <= names and "still-full" not in names
            assert server.terminate() == 0
            # The operator's log says it once when it starts failing and once when it recovers.
            assert sum("repository storage failed" in line for line in server.stderr_lines) == 1
            assert sum("repository storage recovered" in line for line in server.stderr_lines) == 1
        finally:
            server.kill()
        assert integrity(data_dir / "repository.db") == "ok"

        # And the repository reopens with everything in it.
        server = CohoProcess(["server", "--config", str(server_yaml(tmp_path, data_dir))])
        try:
            address = server.wait_serving()
            assert stored | {"after"} <= await find_all(address)
            assert server.terminate() == 0
        finally:
            server.kill()


def refused_start(config: Path) -> tuple[int, str]:
    """Run `coho server` that must refuse to start; its exit code and stderr."""
    done = subprocess.run([sys.executable, "-m", "coho.server.cli", "server", "--config", str(config)],
                          capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, done.stderr


def assert_one_clear_line(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr, stderr
    (line,) = [ln for ln in stderr.splitlines() if ln.startswith("coho: error:")]
    for text in expected:
        assert text in line, (text, line)


def make_repository(tmp_path: Path, data_dir: Path) -> None:
    server = CohoProcess(["server", "--config", str(server_yaml(tmp_path, data_dir))])
    try:
        server.wait_serving()
        assert server.terminate() == 0
    finally:
        server.kill()


async def test_read_only_repository_exits_with_a_message(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        make_repository(tmp_path, data_dir)
        remount_read_only(disk)
        code, stderr = refused_start(server_yaml(tmp_path, data_dir))
    assert code != 0
    assert_one_clear_line(stderr, str(data_dir), "read-only", "REPOSITORY_READ_ONLY")


async def test_read_only_parent_of_a_new_data_dir_exits_with_a_message(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        remount_read_only(disk)
        code, stderr = refused_start(server_yaml(tmp_path, disk / "new-data"))
    assert code != 0
    assert_one_clear_line(stderr, str(disk / "new-data"), "read-only")


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)
"""


def hold_exclusive_lock(database: Path) -> subprocess.Popen[str]:
    """Another process that holds ``BEGIN EXCLUSIVE`` on ``database`` until killed."""
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(database)], stdout=subprocess.PIPE, text=True)
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


async def test_repository_locked_by_another_process_exits_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    make_repository(tmp_path, data_dir)
    database = data_dir / "repository.db"
    locker = hold_exclusive_lock(database)
    try:
        code, stderr = refused_start(server_yaml(tmp_path, data_dir))
        assert code != 0
        assert_one_clear_line(stderr, str(database), "locked by another process", "REPOSITORY_LOCKED")
    finally:
        locker.kill()
        locker.wait()
    # Once the other process let go, the same repository opens.
    make_repository(tmp_path, data_dir)
    assert integrity(database) == "ok"


async def test_a_file_that_is_not_a_database_exits_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "repository.db").write_bytes(b"this is not SQLite" * 512)
    code, stderr = refused_start(server_yaml(tmp_path, data_dir))
    assert code != 0
    assert_one_clear_line(stderr, str(data_dir / "repository.db"), "not a usable SQLite database")


async def test_a_second_server_on_the_same_data_dir_exits_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = server_yaml(tmp_path, data_dir)
    first = CohoProcess(["server", "--config", str(config)])
    try:
        address = first.wait_serving()
        await upsert(address, element("kept"))
        code, stderr = refused_start(config)
        assert code != 0
        assert_one_clear_line(stderr, str(data_dir), "in use by another coho server", f"pid {first.proc.pid}",
                              "REPOSITORY_LOCKED")
        assert (await get(address, "kept")).element.qualified_name == "kept"  # the first one is untouched
        first.proc.kill()  # however the holder ends, the kernel drops its lock: nothing stale is left
        first.proc.wait()
    finally:
        first.kill()
    second = CohoProcess(["server", "--config", str(config)])
    try:
        address = second.wait_serving()
        assert (await get(address, "kept")).element.qualified_name == "kept"
        assert second.terminate() == 0
    finally:
        second.kill()
