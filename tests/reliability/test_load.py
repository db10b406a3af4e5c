"""Load: 200 concurrent clients run bench/bench_load.py's mixed workload against a real `coho server` process
for a short time (reads, finds, single and batch DataManager upserts, a deliberate NOT_FOUND, Out Topic
subscribers coming and going). The bar is zero errors other than the deliberate ones, and a server that
still answers, keeps every acknowledged write and stops cleanly afterwards.

The full 60 s run with its throughput and latency table is ``python bench/bench_load.py`` (bench/RESULTS.md).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from pathlib import Path

import pytest
from cohotest import ROOT, CohoProcess, write_yaml

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.client import connect

sys.path.insert(0, str(ROOT / "bench"))
import bench_load  # bench/ is not a package; the test runs the benchmark's own workload code

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(180)]

CLIENTS = 200
SECONDS = 10.0


async def test_200_clients_mixed_workload_has_no_unexpected_errors(tmp_path: Path) -> None:
    config = write_yaml(tmp_path / "server.yaml", {
        "server_name": "load", "listen": "127.0.0.1:0", "data_dir": str(tmp_path / "data"),
        "shutdown_grace_seconds": 1.0,
        "auth": {"tokens": {bench_load.TOKEN: {"user": "load", "roles": ["admin"]}}}})
    server = CohoProcess(["server", "--config", str(config)])
    try:
        address = server.wait_serving()
        data = await bench_load.preload(address)
        stats = await bench_load.run_workload(address, clients=CLIENTS, seconds=SECONDS, data=data)
        print("\n".join(bench_load.table(stats)))

        assert dict(stats.errors) == {}, stats.errors.most_common(10)
        assert set(stats.latencies) == set(bench_load.WEIGHTS), "every operation ran"
        assert stats.deliberate["get_missing: NOT_FOUND"] == len(stats.latencies["get_missing"])
        assert stats.total >= CLIENTS  # every client got work done, on however loaded a machine

        # Afterwards: the server answers, and the last acknowledged upsert of a client is what is stored.
        stored_descriptions: dict[str, str] = {}
        async with connect(address, bench_load.TOKEN) as channel:
            stub = dm_grpc.DataManagerServiceStub(channel)
            token = ""
            for _ in range(100):
                found = await stub.FindElements(dm.FindElementsRequest(
                    kind=dm.ELEMENT_KIND_FOLDER, name_pattern="load/w/.*", page_size=1000, page_token=token),
                    timeout=30)
                stored_descriptions.update((v.element.qualified_name, v.element.description) for v in found.elements)
                token = found.next_page_token
                if not token:
                    break
        assert stats.written and stored_descriptions == stats.written
        assert server.terminate() == 0
    finally:
        server.kill()
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / "repository.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (stored,) = conn.execute("SELECT COUNT(*) FROM entity").fetchone()
    assert stored >= bench_load.PRELOAD
