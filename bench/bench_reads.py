"""Read-path benchmark: DataManager GetElement beside MetadataCollection GetEntity, and AssetManager
ListExternalSourceElements per element, through a real `coho server` process, beside a raw echo baseline.

    python bench/bench_reads.py                  # 3 runs: 3 s windows, 400 sequential calls, 30 pages
    python bench/bench_reads.py --quick          # 3 runs: 1 s windows, 150 sequential calls, 10 pages
    python bench/bench_reads.py --record         # also append the run to bench/RESULTS.md (## Reads)
    python bench/bench_reads.py --pythonpath DIR # run the server from other sources (an A/B of a change)

The server is `python -m coho.server.cli server` on 127.0.0.1:0 (auth interceptor, every service, SQLite),
preloaded over gRPC with 1,000 folders under one root folder (DataManager) and 1,000 DataFiles of one
external source (AssetManager). The baseline is a raw grpc.aio server in another process whose GetElement,
GetEntity and ListExternalSourceElements return replies captured from the real server (same sizes, no auth,
no store): the ratios to it are the figures that survive a loaded machine, and so is the server's CPU per
call, read from /proc around each window.

Measured per target, each figure the median of ``--runs`` interleaved runs:

- GetElement by qualified name and GetEntity by GUID: p50 / p99 of sequential calls, and calls/s with
  8 concurrent callers (with the server's CPU per call); GetElement of the root folder (1,000 children);
- ListExternalSourceElements, pages of 100 followed by token: wall ms and server CPU per element.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from bench_server import AUTH, Process, cpu_seconds, latencies, start_server
from results_file import record_run

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

ROOT = "reads"
SOURCE = "bench-catalog"
ELEMENTS = 1000
PAGE = 100
CALLERS = 8


@dataclass
class Run:
    element_p50: float
    element_p99: float
    entity_p50: float
    entity_p99: float
    wide_p50: float
    """GetElement of the root folder, which has ELEMENTS children."""
    element_rate: float
    element_cpu_us: float
    entity_rate: float
    entity_cpu_us: float
    listed_ms: float
    """Wall ms per element listed."""
    listed_cpu_us: float
    """Server CPU per element listed."""


@dataclass
class Targets:
    names: list[str]
    guids: list[str]


# -- preload and the echo baseline ------------------------------------------------------------------------
async def preload(address: str) -> Targets:
    names = [f"{ROOT}/{i:04d}" for i in range(ELEMENTS)]
    guids: list[str] = []
    async with grpc.aio.insecure_channel(address) as channel:
        dms, ams = dm_grpc.DataManagerServiceStub(channel), am_grpc.AssetManagerServiceStub(channel)
        root = dm.DataElement(qualified_name=ROOT, folder=dm.FolderElement(path_name=f"/{ROOT}"))
        await dms.UpsertElements(dm.UpsertElementsRequest(elements=[root]), timeout=60, metadata=AUTH)
        for start in range(0, ELEMENTS, 250):
            batch = [dm.DataElement(qualified_name=n, parent_qualified_name=ROOT, folder=dm.FolderElement(
                path_name=f"/{n}")) for n in names[start:start + 250]]
            reply = await dms.UpsertElements(dm.UpsertElementsRequest(elements=batch), timeout=60, metadata=AUTH)
            guids.extend(r.guid for r in reply.results)
            external = [am.ExternalElement(external_identifier=f"x{i}", type_name="DataFile",
                                           qualified_name=f"{SOURCE}/{i:04d}.csv", display_name=f"{i:04d}.csv")
                        for i in range(start, start + 250)]
            await ams.UpsertExternalElements(am.UpsertExternalElementsRequest(
                external_source=SOURCE, elements=external), timeout=60, metadata=AUTH)
    return Targets(names, guids)


async def sample_replies(address: str, targets: Targets, directory: Path) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        replies = {
            "element": await dm_grpc.DataManagerServiceStub(channel).GetElement(
                dm.GetElementRequest(qualified_name=targets.names[0]), timeout=30, metadata=AUTH),
            "entity": await mcs_grpc.MetadataCollectionServiceStub(channel).GetEntity(
                mcs.GetEntityRequest(guid=targets.guids[0]), timeout=30, metadata=AUTH),
            "listed": await am_grpc.AssetManagerServiceStub(channel).ListExternalSourceElements(
                am.ListExternalSourceElementsRequest(external_source=SOURCE, page_size=PAGE), timeout=30,
                metadata=AUTH),
        }
    assert len(replies["listed"].elements) == PAGE, "the preload did not map the external elements"
    for name, reply in replies.items():
        (directory / f"{name}.bin").write_bytes(reply.SerializeToString())


def serve_echo(directory: Path) -> None:
    """The raw baseline: generated servicers, requests parsed, replies pre-serialized (no auth, no store)."""
    element = dm.GetElementResponse.FromString((directory / "element.bin").read_bytes())
    entity = mcs.GetEntityResponse.FromString((directory / "entity.bin").read_bytes())
    listed = am.ListExternalSourceElementsResponse.FromString((directory / "listed.bin").read_bytes())

    class Data(dm_grpc.DataManagerServiceServicer):
        async def GetElement(self, request: Any, context: Any) -> dm.GetElementResponse:
            return element

    class Collection(mcs_grpc.MetadataCollectionServiceServicer):
        async def GetEntity(self, request: Any, context: Any) -> mcs.GetEntityResponse:
            return entity

    class Assets(am_grpc.AssetManagerServiceServicer):
        async def ListExternalSourceElements(self, request: Any, context: Any) -> Any:
            return listed

    async def run() -> None:
        server = grpc.aio.server()
        dm_grpc.add_DataManagerServiceServicer_to_server(Data(), server)
        mcs_grpc.add_MetadataCollectionServiceServicer_to_server(Collection(), server)
        am_grpc.add_AssetManagerServiceServicer_to_server(Assets(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        print(json.dumps({"address": f"127.0.0.1:{port}"}), flush=True)
        await server.wait_for_termination()

    asyncio.run(run())


# -- measurements -----------------------------------------------------------------------------------------
async def rate(process: Process, call: Callable[[int], Awaitable[Any]], seconds: float) -> tuple[float, float]:
    """(calls/s, server CPU us per call) with CALLERS concurrent callers, each one call at a time."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * CALLERS

    async def caller(index: int) -> None:
        while time.perf_counter() < stop_at:
            await call(index * 7919 + counts[index])
            counts[index] += 1

    cpu_before, started = cpu_seconds(process.proc.pid), time.perf_counter()
    await asyncio.gather(*(caller(i) for i in range(CALLERS)))
    calls = sum(counts)
    return calls / (time.perf_counter() - started), (cpu_seconds(process.proc.pid) - cpu_before) / calls * 1e6


async def measure(process: Process, targets: Targets, seconds: float, count: int, pages: int) -> Run:
    async with grpc.aio.insecure_channel(process.address) as channel:
        dms = dm_grpc.DataManagerServiceStub(channel)
        mc = mcs_grpc.MetadataCollectionServiceStub(channel)
        ams = am_grpc.AssetManagerServiceStub(channel)

        async def element(i: int) -> None:
            await dms.GetElement(dm.GetElementRequest(qualified_name=targets.names[i % ELEMENTS]), timeout=30,
                                 metadata=AUTH)

        async def entity(i: int) -> None:
            await mc.GetEntity(mcs.GetEntityRequest(guid=targets.guids[i % ELEMENTS]), timeout=30, metadata=AUTH)

        await rate(process, element, min(seconds, 0.5))  # connection and caches warm
        await rate(process, entity, min(seconds, 0.5))
        element_p50, element_p99 = await latencies(element, count)
        entity_p50, entity_p99 = await latencies(entity, count)

        async def wide(i: int) -> None:
            await dms.GetElement(dm.GetElementRequest(qualified_name=ROOT), timeout=30, metadata=AUTH)

        wide_p50, _ = await latencies(wide, count // 4)
        element_rate, element_cpu = await rate(process, element, seconds)
        entity_rate, entity_cpu = await rate(process, entity, seconds)
        token, listed = "", 0
        cpu_before, started = cpu_seconds(process.proc.pid), time.perf_counter()
        for _ in range(pages):
            reply = await ams.ListExternalSourceElements(am.ListExternalSourceElementsRequest(
                external_source=SOURCE, page_size=PAGE, page_token=token), timeout=60, metadata=AUTH)
            listed += len(reply.elements)
            token = reply.next_page_token if reply.next_page_token != token else ""  # the echo repeats its own
        wall = time.perf_counter() - started
        listed_cpu = cpu_seconds(process.proc.pid) - cpu_before
    return Run(element_p50, element_p99, entity_p50, entity_p99, wide_p50, element_rate, element_cpu, entity_rate,
               entity_cpu, wall / listed * 1000, listed_cpu / listed * 1e6)


def median_run(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f.name) for r in runs) for f in fields(Run)))


async def bench(args: argparse.Namespace) -> dict[str, Run]:
    seconds, count, pages = (1.0, 150, 10) if args.quick else (3.0, 400, 30)
    results: dict[str, list[Run]] = {"coho": [], "echo": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "server").mkdir()
        (root / "echo").mkdir()
        server = start_server(root / "server", metrics=False)
        echo: Process | None = None
        try:
            targets = await preload(server.address)
            await sample_replies(server.address, targets, root / "echo")
            echo = Process([sys.executable, __file__, "--serve-echo", str(root / "echo")],
                           lambda record: record.get("address"), "stdout")
            for run in range(args.runs):
                for name, process in (("coho", server), ("echo", echo)):  # interleaved: drift hits both
                    results[name].append(await measure(process, targets, seconds, count, pages))
                    print(f"run {run + 1} {name}: {results[name][-1]}", file=sys.stderr)
        finally:
            server.stop()
            if echo is not None:
                echo.stop()
    return {name: median_run(runs) for name, runs in results.items()}


def report(figures: dict[str, Run]) -> list[str]:
    coho, echo = figures["coho"], figures["echo"]
    return [
        f"GetElement by qualified name, sequential: p50 {coho.element_p50:.2f} ms, p99 {coho.element_p99:.2f} ms "
        f"(raw echo p50 {echo.element_p50:.2f} ms); GetEntity by GUID: p50 {coho.entity_p50:.2f} ms, "
        f"p99 {coho.entity_p99:.2f} ms (raw echo p50 {echo.entity_p50:.2f} ms); "
        f"GetElement / GetEntity p50 = {coho.element_p50 / coho.entity_p50:.2f}x",
        f"GetElement of a folder with {ELEMENTS:,} children, sequential: p50 {coho.wide_p50:.2f} ms "
        f"(raw echo p50 {echo.wide_p50:.2f} ms)",
        f"{CALLERS} concurrent callers: GetElement {coho.element_rate:,.0f} calls/s = "
        f"{coho.element_rate / echo.element_rate:.0%} of raw echo ({echo.element_rate:,.0f}), server CPU "
        f"{coho.element_cpu_us:,.0f} us/call; GetEntity {coho.entity_rate:,.0f} calls/s = "
        f"{coho.entity_rate / echo.entity_rate:.0%} of raw echo ({echo.entity_rate:,.0f}), server CPU "
        f"{coho.entity_cpu_us:,.0f} us/call; GetElement / GetEntity CPU = "
        f"{coho.element_cpu_us / coho.entity_cpu_us:.2f}x",
        f"ListExternalSourceElements, pages of {PAGE}: {coho.listed_ms:.3f} ms and {coho.listed_cpu_us:,.0f} us "
        f"server CPU per element (raw echo {echo.listed_ms:.3f} ms, {echo.listed_cpu_us:,.0f} us; "
        f"ratio {coho.listed_ms / echo.listed_ms:.1f}x)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 s windows, 150 sequential calls, 10 pages")
    parser.add_argument("--runs", type=int, default=3, help="runs per target; figures are medians")
    parser.add_argument("--record", action="store_true", help="append the run to bench/RESULTS.md (## Reads)")
    parser.add_argument("--pythonpath", type=Path, help="prepend DIR to the server's PYTHONPATH")
    parser.add_argument("--serve-echo", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return
    if args.pythonpath:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.pythonpath),
                                                                 os.environ.get("PYTHONPATH", "")]))
    lines = report(asyncio.run(bench(args)))
    print("\n".join(lines))
    if args.record:
        command = "python bench/bench_reads.py" + (" --quick" if args.quick else "")
        if args.pythonpath:
            command += f" --pythonpath {args.pythonpath}"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        record_run("Reads", command, [*lines, f"{os.cpu_count()} CPUs, load average {load:.1f} at the end, "
                                             f"medians of {args.runs} runs"])


if __name__ == "__main__":
    main()
