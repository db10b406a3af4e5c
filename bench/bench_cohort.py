"""Cohort benchmarks with three real `coho server` processes on loopback (issue 5).

1. Replication throughput: N creates at one home (AddEntities, 500 per call) until both peers acked all,
   against that home's own batch-create rate in the same run (target >= 50%).
2. Event lag at an offered load (default 2,000 events/s): time from a write's commit at the home until both
   peers acked its sequence, sampled by polling the home's ListCohortMembers every 2 ms (target p99 < 200 ms).

``python bench/bench_cohort.py [--quick] [--lag-only] [--poll-ms N]`` (--quick: 20k creates, 10 s of lag load
instead of 100k / 30 s; --poll-ms: the lag sampling period, default 2). The CPU seconds each server used
during the lag phase are printed too: on a shared 2-CPU box they are steadier than the lag tail, which
follows the machine's load (three servers at 2,000 events/s already want more than the two CPUs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import connect
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from cohotest import CohoProcess, free_port

ADMIN, PEER = "bench-admin-token-01", "bench-peer-token-012"


def config(directory: Path, name: str, port: int, seed: int | None) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "server_name": name, "listen": f"127.0.0.1:{port}", "data_dir": str(directory / f"data-{name}"),
        "auth": {"tokens": {ADMIN: {"user": "admin", "roles": ["admin"]}, PEER: {"user": "p", "roles": ["peer"]}}},
        "cohorts": [{"name": "bench", "seeds": [f"127.0.0.1:{seed}"] if seed else [], "token": PEER}]}))
    return path


def entities(count: int) -> list[mcs.NewEntity]:
    def value(text: str) -> instances_pb2.PropertyValue:
        return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=text))
    return [mcs.NewEntity(type_name="DataFile", properties=instances_pb2.InstanceProperties(
        properties={"qualifiedName": value(f"f-{uuid.uuid4()}")})) for _ in range(count)]


async def acked(admin: admin_grpc.ServerAdminServiceStub) -> int:
    """The lowest sequence both peers acknowledged (0 until both are connected)."""
    members = (await admin.ListCohortMembers(admin_pb.ListCohortMembersRequest(cohort_name="bench"))).members
    return min((m.outbound_acked_sequence for m in members), default=0) if len(members) == 2 else 0


async def throughput(address: str, count: int) -> tuple[float, float]:
    async with connect(address, ADMIN) as channel:
        stub, admin = mcs_grpc.MetadataCollectionServiceStub(channel), admin_grpc.ServerAdminServiceStub(channel)
        batches = [entities(500) for _ in range(count // 500)]
        start = time.perf_counter()
        head = 0
        for batch in batches:
            head = (await stub.AddEntities(mcs.AddEntitiesRequest(entities=batch))).header.sequence
        written = time.perf_counter() - start
        while await acked(admin) < head:  # noqa: ASYNC110 - polling a remote RPC, no local event to wait on
            await asyncio.sleep(0.01)
        replicated = time.perf_counter() - start
    return count / written, count / replicated


async def lag(address: str, rate: int, seconds: float, poll_seconds: float = 0.002) -> list[float]:
    async with connect(address, ADMIN) as channel:
        stub, admin = mcs_grpc.MetadataCollectionServiceStub(channel), admin_grpc.ServerAdminServiceStub(channel)
        per_tick, tick = max(1, rate // 100), 0.01
        pending: list[tuple[int, float]] = []
        lags: list[float] = []
        done = asyncio.Event()

        async def poll() -> None:
            while not done.is_set() or pending:
                position = await acked(admin)
                now = time.perf_counter()
                while pending and pending[0][0] <= position:
                    lags.append((now - pending.pop(0)[1]) * 1000)
                await asyncio.sleep(poll_seconds)

        poller = asyncio.create_task(poll())
        start = time.perf_counter()
        ticks = int(seconds / tick)
        for i in range(ticks):
            sent = time.perf_counter()
            reply = await stub.AddEntities(mcs.AddEntitiesRequest(entities=entities(per_tick)))
            pending.append((reply.header.sequence, sent))
            await asyncio.sleep(max(0.0, start + (i + 1) * tick - time.perf_counter()))
        done.set()
        await asyncio.wait_for(poller, 30)
    return lags


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--lag-only", action="store_true")
    parser.add_argument("--poll-ms", type=float, default=2.0)
    args = parser.parse_args()
    count, seconds = (20_000, 10.0) if args.quick else (100_000, 30.0)
    with tempfile.TemporaryDirectory() as tmp:
        ports = [free_port() for _ in range(3)]
        procs = [CohoProcess(["server", "--config", str(config(Path(tmp), f"m{i}", p, None if i == 0 else ports[0]))])
                 for i, p in enumerate(ports)]
        try:
            address = procs[0].wait_serving()
            for p in procs[1:]:
                p.wait_serving()
            time.sleep(2)
            local, replicated = (0.0, 0.0) if args.lag_only else asyncio.run(throughput(address, count))
            before = [cpu_seconds(p.proc.pid) for p in procs]
            lags = sorted(asyncio.run(lag(address, args.rate, seconds, args.poll_ms / 1000)))
            cpu = [cpu_seconds(p.proc.pid) - b for p, b in zip(procs, before, strict=True)]
        finally:
            for p in procs:
                p.kill()
    p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    print(f"bench_cohort ({'quick' if args.quick else 'full'}, {os.cpu_count()} CPUs)")
    if not args.lag_only:
        print(f"- {count} creates at one home, local batch-create rate: {local:,.0f} entities/s")
        print(f"- replicated and acked by both peers: {replicated:,.0f} entities/s; ratio {replicated / local:.2f} "
              f"(target >= 0.50: {'MET' if replicated / local >= 0.5 else 'NOT MET'})")
    print(f"- lag at {args.rate} events/s for {seconds:.0f} s ({len(lags)} samples, polled every {args.poll_ms:g} ms): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lags[-1]:.1f} ms "
          f"(target p99 < 200 ms: {'MET' if p99 < 200 else 'NOT MET'})")
    print(f"- CPU seconds used during the lag phase: home {cpu[0]:.1f}, peers {cpu[1]:.1f} and {cpu[2]:.1f} "
          f"(load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
