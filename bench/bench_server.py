"""Access server benchmark: AddEntity / GetEntity through a real `coho server` process, beside a raw baseline.

    python bench/bench_server.py            # 3 runs of 4 s throughput windows, 500 sequential calls
    python bench/bench_server.py --quick    # 3 runs of 1.5 s windows, 150 sequential calls
    python bench/bench_server.py --no-record   # print only; do not update bench/RESULTS.md
    python bench/bench_server.py --decompose   # where AddEntity's cost goes (bench/server_variant.py)

Processes: the server is `python -m coho.server.cli server` (the deployed entry point: auth interceptor,
all services, Out Topic tailer, SQLite with synchronous=NORMAL) on 127.0.0.1:0; the baseline is a raw
grpc.aio server in another process whose AddEntity / GetEntity return pre-serialized replies captured from
the real server (same request and response sizes, no auth, no store). The client runs in this process and
is the same code against both (one grpc.aio channel, the bearer token as call metadata).

(a) AddEntity unary, 8 concurrent callers: calls/s, and the ratio to the raw echo with 8 callers (target
    >= 60%). Repeated with ``metrics_port`` set, to show the cost of the Prometheus interceptor.
(b) p50 / p99 latency of sequential AddEntity and GetEntity, beside Egeria's published figures (XTDB:
    addEntity median 44-55 ms, getEntityDetail 16-17 ms).

Every figure is the median of ``--runs`` runs (default 3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import yaml

from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TOKEN = "bench-admin-token-0123"
# Per-call metadata rather than coho.client's interceptors: grpc.aio client interceptors cost more CPU than
# the call itself, and a client-bound run would hide the server's cost in both the figure and the baseline.
AUTH = (("authorization", f"Bearer {TOKEN}"),)
CALLERS = 8
TARGET_RATIO = 0.60
EGERIA = {"AddEntity": "44-55 ms (addEntity, XTDB)", "GetEntity": "16-17 ms (getEntityDetail, XTDB)"}


def string(value: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
        primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=value))


def add_request(key: str) -> mcs.AddEntityRequest:
    """A realistic small DataFile: what a files connector adds per file."""
    names = {"qualifiedName": f"file:///bench/{key}.csv", "name": f"{key}.csv",
             "description": "benchmark data file", "fileType": "CSV", "pathName": f"/bench/{key}.csv"}
    properties = instances_pb2.InstanceProperties(properties={k: string(v) for k, v in names.items()})
    return mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile", properties=properties))


# -- processes --------------------------------------------------------------------------------------------
class Process:
    """A child process that prints one JSON line with its address on stderr (coho) or stdout (echo)."""

    def __init__(self, args: list[str], ready: Callable[[dict[str, Any]], str | None], stream: str) -> None:
        # Only the announcing stream is piped; the other one is inherited so errors stay visible.
        piped = {stream: subprocess.PIPE}
        self.proc = subprocess.Popen(args, stdout=piped.get("stdout"), stderr=piped.get("stderr"), text=True)
        pipe = self.proc.stderr if stream == "stderr" else self.proc.stdout
        assert pipe is not None
        deadline = time.monotonic() + 30
        self.address = ""
        seen: list[str] = []
        while not self.address and time.monotonic() < deadline:
            line = pipe.readline()
            if not line:
                raise RuntimeError(f"{args} exited with {self.proc.wait()}:\n" + "".join(seen[-20:]))
            seen.append(line)
            try:
                self.address = ready(json.loads(line)) or ""
            except ValueError:
                continue
        if not self.address:
            self.stop()
            raise RuntimeError(f"{args} did not start in 30 s")
        # The child keeps logging; drain its pipes so it never blocks on a full one.
        self._drain = subprocess.Popen(["cat"], stdin=pipe, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        drain = getattr(self, "_drain", None)
        if drain is not None:
            drain.wait(5)  # cat ends at EOF, once the child is gone


def start_server(directory: Path, *, metrics: bool, variant: str = "") -> Process:
    """The real server, or with ``variant`` one of bench/server_variant.py's cut-short AddEntity modes."""
    config = {"server_name": "bench", "listen": "127.0.0.1:0", "data_dir": str(directory / "data"),
              "auth": {"tokens": {TOKEN: {"user": "bench", "roles": ["admin"]}}},
              "shutdown_grace_seconds": 1}
    if metrics:
        config["metrics_port"] = 0
    path = directory / "server.yaml"
    path.write_text(yaml.safe_dump(config))
    entry = [str(Path(__file__).with_name("server_variant.py")), variant] if variant else ["-m", "coho.server.cli"]
    return Process([sys.executable, *entry, "server", "--config", str(path)],
                   lambda record: record.get("address") if record.get("msg") == "serving" else None, "stderr")


def start_echo(add_reply: bytes, get_reply: bytes, directory: Path) -> Process:
    (directory / "add.bin").write_bytes(add_reply)
    (directory / "get.bin").write_bytes(get_reply)
    return Process([sys.executable, __file__, "--serve-echo", str(directory)],
                   lambda record: record.get("address"), "stdout")


def serve_echo(directory: Path) -> None:
    """The raw baseline: generated servicer, requests parsed, replies pre-serialized (no auth, no store)."""
    add_reply = mcs.AddEntityResponse.FromString((directory / "add.bin").read_bytes())
    get_reply = mcs.GetEntityResponse.FromString((directory / "get.bin").read_bytes())

    class Echo(mcs_grpc.MetadataCollectionServiceServicer):  # type: ignore[misc]
        async def AddEntity(self, request: mcs.AddEntityRequest, context: Any) -> mcs.AddEntityResponse:
            return add_reply

        async def GetEntity(self, request: mcs.GetEntityRequest, context: Any) -> mcs.GetEntityResponse:
            return get_reply

    async def run() -> None:
        server = grpc.aio.server()
        mcs_grpc.add_MetadataCollectionServiceServicer_to_server(Echo(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        print(json.dumps({"address": f"127.0.0.1:{port}"}), flush=True)
        await server.wait_for_termination()

    asyncio.run(run())


# -- measurements -----------------------------------------------------------------------------------------
async def throughput(stub: Any, seconds: float, prefix: str) -> float:
    """AddEntity calls/s with CALLERS concurrent callers, each one call at a time, over ``seconds``."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * CALLERS

    async def caller(index: int) -> None:
        while time.perf_counter() < stop_at:
            await stub.AddEntity(add_request(f"{prefix}-{index}-{counts[index]}"), timeout=30, metadata=AUTH)
            counts[index] += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(i) for i in range(CALLERS)))
    return sum(counts) / (time.perf_counter() - started)


async def latencies(call: Callable[[int], Awaitable[Any]], count: int) -> tuple[float, float]:
    """(p50, p99) in ms of ``count`` sequential calls."""
    samples = []
    for i in range(count):
        started = time.perf_counter()
        await call(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all threads) from /proc; NaN where /proc is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    add_rate: float
    add_cpu_us: float
    """Server CPU per AddEntity in the throughput window: unlike calls/s, barely moved by other load."""
    add_p50: float
    add_p99: float
    get_p50: float
    get_p99: float


async def measure(process: Process, seconds: float, count: int, prefix: str) -> Run:
    async with grpc.aio.insecure_channel(process.address) as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        await throughput(stub, min(seconds, 0.5), f"{prefix}-warm")  # connection, caches, JIT-free warm-up
        cpu_before, started = cpu_seconds(process.proc.pid), time.perf_counter()
        rate = await throughput(stub, seconds, prefix)
        calls = rate * (time.perf_counter() - started)
        cpu_us = (cpu_seconds(process.proc.pid) - cpu_before) / calls * 1e6
        added: list[str] = []

        async def add(i: int) -> None:
            reply = await stub.AddEntity(add_request(f"{prefix}-seq-{i}"), timeout=30, metadata=AUTH)
            added.append(reply.entity.header.guid)

        add_p50, add_p99 = await latencies(add, count)

        async def get(i: int) -> None:
            await stub.GetEntity(mcs.GetEntityRequest(guid=added[i % len(added)]), timeout=30, metadata=AUTH)

        get_p50, get_p99 = await latencies(get, count)
    return Run(rate, cpu_us, add_p50, add_p99, get_p50, get_p99)


async def sample_replies(address: str) -> tuple[bytes, bytes]:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        added = await stub.AddEntity(add_request("sample"), timeout=30, metadata=AUTH)
        got = await stub.GetEntity(mcs.GetEntityRequest(guid=added.entity.header.guid), timeout=30,
                                    metadata=AUTH)
    return added.SerializeToString(), got.SerializeToString()


def median_run(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f) for r in runs) for f in Run.__dataclass_fields__))


async def bench(args: argparse.Namespace) -> dict[str, Run]:
    seconds, count = (1.5, 150) if args.quick else (4.0, 500)
    results: dict[str, list[Run]] = {"coho": [], "coho+metrics": [], "echo": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "plain").mkdir()
        (root / "metrics").mkdir()
        (root / "echo").mkdir()
        server = start_server(root / "plain", metrics=False)
        metered = start_server(root / "metrics", metrics=True)
        echo: Process | None = None
        try:
            echo = start_echo(*await sample_replies(server.address), root / "echo")
            targets = {"coho": server, "coho+metrics": metered, "echo": echo}
            for run in range(args.runs):
                # Interleaved, so drift in machine load hits every target alike.
                for name, process in targets.items():
                    results[name].append(await measure(process, seconds, count, f"r{run}"))
                    print(f"run {run + 1} {name}: {results[name][-1]}", file=sys.stderr)
        finally:
            for process in (server, metered, echo):
                if process is not None:
                    process.stop()
    return {name: median_run(runs) for name, runs in results.items()}


async def decompose(args: argparse.Namespace) -> list[str]:
    """AddEntity throughput and server CPU with the repository cut short (bench/server_variant.py), beside
    the real server and the raw echo: where a call's cost goes, in the same run."""
    seconds = 1.5 if args.quick else 4.0
    labels = {
        "stub": "server, AddEntity answered without the store (gRPC, interceptors, auth, servicer)",
        "writer": "same + one empty operation through the store writer (queue, BEGIN/COMMIT, wake-up)",
        "store": "same, the operation storing a prebuilt entity and its event (no repository logic)",
        "sql": "same, the operation running only an add's INSERTs (no repository or store Python)",
        "": "real server (validation, unique check, header, event, Out Topic annex, SQL)",
    }
    results: dict[str, list[tuple[float, float]]] = {key: [] for key in (*labels, "echo")}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        processes: dict[str, Process] = {}
        try:
            for key in labels:
                (root / (key or "real")).mkdir()
                processes[key] = start_server(root / (key or "real"), metrics=False, variant=key)
            (root / "echo").mkdir()
            processes["echo"] = start_echo(*await sample_replies(processes[""].address), root / "echo")
            for run in range(args.runs):
                for key, process in processes.items():
                    async with grpc.aio.insecure_channel(process.address) as channel:
                        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
                        await throughput(stub, 0.5, f"d{run}-warm")
                        cpu_before, started = cpu_seconds(process.proc.pid), time.perf_counter()
                        rate = await throughput(stub, seconds, f"d{run}")
                        calls = rate * (time.perf_counter() - started)
                        results[key].append((rate, (cpu_seconds(process.proc.pid) - cpu_before) / calls * 1e6))
        finally:
            for process in processes.values():
                process.stop()
    echo_rate = statistics.median(rate for rate, _ in results["echo"])
    rows = ["| AddEntity, 8 callers | calls/s | ratio to raw echo | server CPU per call |", "|---|---|---|---|"]
    for key, label in (*labels.items(), ("echo", "raw grpc.aio echo")):
        rate = statistics.median(r for r, _ in results[key])
        cpu = statistics.median(c for _, c in results[key])
        rows.append(f"| {label} | {rate:,.0f} | {rate / echo_rate:.0%} | {cpu:,.0f} us |")
    return rows


def report(figures: dict[str, Run], args: argparse.Namespace) -> list[str]:
    coho, metered, echo = figures["coho"], figures["coho+metrics"], figures["echo"]
    ratio = coho.add_rate / echo.add_rate
    verdict = "met" if ratio >= TARGET_RATIO else "**not met**"
    return [
        f"| (a) AddEntity, {CALLERS} concurrent callers | {coho.add_rate:,.0f} calls/s | raw echo "
        f"{echo.add_rate:,.0f} calls/s | {ratio:.0%} | >= 60%: {verdict} |",
        f"| (a) same, with `metrics_port` set | {metered.add_rate:,.0f} calls/s | raw echo "
        f"{echo.add_rate:,.0f} calls/s | {metered.add_rate / echo.add_rate:.0%} | |",
        f"| (a) server CPU per AddEntity (all threads) | {coho.add_cpu_us:,.0f} us; with metrics "
        f"{metered.add_cpu_us:,.0f} us | raw echo {echo.add_cpu_us:,.0f} us | "
        f"{echo.add_cpu_us / coho.add_cpu_us:.0%} | |",
        f"| (b) AddEntity, sequential | p50 {coho.add_p50:.2f} ms, p99 {coho.add_p99:.2f} ms | raw echo p50 "
        f"{echo.add_p50:.2f} ms | Egeria {EGERIA['AddEntity']} | |",
        f"| (b) GetEntity, sequential | p50 {coho.get_p50:.2f} ms, p99 {coho.get_p99:.2f} ms | raw echo p50 "
        f"{echo.get_p50:.2f} ms | Egeria {EGERIA['GetEntity']} | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1.5 s windows and 150 sequential calls")
    parser.add_argument("--runs", type=int, default=3, help="runs per target; figures are medians")
    parser.add_argument("--no-record", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument("--decompose", action="store_true",
                        help="split AddEntity's cost: the server with the store cut short, beside the real one "
                             "and the echo (prints a table; records nothing)")
    parser.add_argument("--serve-echo", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return
    if args.decompose:
        print("\n".join(asyncio.run(decompose(args))))
        return
    rows = report(asyncio.run(bench(args)), args)
    table = ["| bench | coho | same-run baseline | ratio / reference | target |", "|---|---|---|---|---|", *rows]
    print("\n".join(table))
    if not args.no_record:
        command = "python bench/bench_server.py" + (" --quick" if args.quick else "")
        stamp = time.strftime("%Y-%m-%d %H:%M")
        record(f"`{command}` ({stamp}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
               f"medians of {args.runs} runs)", table)


def record(caption: str, table: list[str]) -> None:
    """Replace the caption and table of RESULTS.md's Server section (its notes stay), or add the section."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    block = f"## Server\n\n{caption}\n\n" + "\n".join(table) + "\n"
    start = text.find("## Server\n")
    if start < 0:
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")
        return
    # The old table ends at the first blank line after its first row; anything after that is notes.
    table_start = text.find("\n|", start)
    end = text.find("\n\n", table_start) if table_start >= 0 else -1
    end = len(text) if end < 0 else end + 1
    RESULTS.write_text(text[:start] + block + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
