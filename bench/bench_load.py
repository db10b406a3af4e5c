"""Load benchmark: many concurrent clients with a mixed workload against a real `coho server` process, with
a same-run raw gRPC echo baseline (ratios survive machine noise).

    python bench/bench_load.py                          # 200 clients for 60 s
    python bench/bench_load.py --seconds 10 --clients 50
    python bench/bench_load.py --record                 # also append the run to bench/RESULTS.md

Each client has its own channel (its own TCP connection) and loops until the deadline, picking one operation
at random by weight:

- ``get_element``    DataManager GetElement by qualified name (a preloaded element)
- ``get_entity``     MetadataCollection GetEntity by GUID (a preloaded element)
- ``find_elements``  DataManager FindElements, a regex over qualified names, one page of 20
- ``upsert``         DataManager UpsertElements of one element (creates, then updates of the same names)
- ``batch_upsert``   DataManager UpsertElements of 50 elements
- ``get_missing``    GetElement of a name that does not exist: NOT_FOUND is the deliberate, expected answer
- ``subscribe``      Out Topic Subscribe resuming just before the newest sequence this client has seen, until
                     the first batch of events arrives, then cancel (subscribers coming and going; latency =
                     open -> first events). Resuming by sequence rather than from the head means a subscriber
                     opened as the run ends still has an event to receive, so none waits for writes that
                     will never come.

Any other outcome (an RPC error, a wrong answer, a subscriber that gets no event within its deadline) is an
error. The baseline is a bare grpc.aio server in its own process whose one unary method echoes its request
bytes, called by the same number of clients for a quarter of the time (at most 15 s): the headline is the
mixed workload's RPC rate as a fraction of the echo rate, both measured in this run on this machine.

tests/reliability/test_load.py runs :func:`run_workload` for a few seconds and asserts zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import yaml

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.client import connect
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

TOKEN = "load-bench-admin-token"
ROOT = "load"
PRELOAD = 500
BATCH = 50
WEIGHTS = {"get_element": 30, "get_entity": 15, "find_elements": 15, "upsert": 20, "batch_upsert": 5,
           "get_missing": 5, "subscribe": 5}
RPC_TIMEOUT = 30.0
SUBSCRIBE_WAIT = 15.0
ECHO_METHOD = "/bench.Echo/Echo"
# Each client gets its own TCP connection: without this, channels with equal arguments share one subchannel.
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]


@dataclass
class Stats:
    """What a run measured: latencies (ms) per operation, and unexpected errors by operation and cause."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    deliberate: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    written: dict[str, str] = field(default_factory=dict)
    """The description of each single-upserted name as of its last acknowledged upsert (what must be stored)."""

    def add(self, op: str, ms: float) -> None:
        self.latencies.setdefault(op, []).append(ms)

    def merge(self, other: Stats) -> None:
        for op, values in other.latencies.items():
            self.latencies.setdefault(op, []).extend(values)
        self.errors.update(other.errors)
        self.deliberate.update(other.deliberate)
        self.written.update(other.written)
        self.seconds = max(self.seconds, other.seconds)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


@dataclass
class Preloaded:
    names: list[str]
    guids: list[str]


def folder(qualified_name: str, parent: str = ROOT, description: str = "") -> dm.DataElement:
    return dm.DataElement(qualified_name=qualified_name, parent_qualified_name=parent, description=description,
                          folder=dm.FolderElement(path_name=f"/{qualified_name}"))


async def preload(address: str, token: str = TOKEN, count: int = PRELOAD) -> Preloaded:
    """The elements the readers read: ``load/pre/NNNN`` folders under the folder ``load``."""
    names = [f"{ROOT}/pre/{i:04d}" for i in range(count)]
    guids: list[str] = []
    async with connect(address, token) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        await stub.UpsertElements(dm.UpsertElementsRequest(elements=[folder(ROOT, parent="")]), timeout=RPC_TIMEOUT)
        for start in range(0, count, 250):
            reply = await stub.UpsertElements(dm.UpsertElementsRequest(
                elements=[folder(n) for n in names[start:start + 250]]), timeout=RPC_TIMEOUT)
            guids.extend(r.guid for r in reply.results)
    return Preloaded(names, guids)


class Client:
    """One simulated client: its own channel, its own random stream, a loop of weighted operations."""

    def __init__(self, number: int, channel: grpc.aio.Channel, data: Preloaded, stats: Stats) -> None:
        self.number = number
        self.rng = random.Random(number)
        self.data = data
        self.stats = stats
        self.dm = dm_grpc.DataManagerServiceStub(channel)
        self.mcs = mcs_grpc.MetadataCollectionServiceStub(channel)
        self.ot = ot_grpc.OutTopicServiceStub(channel)
        self.writes = 0
        self.last_sequence = 0
        """The newest change-log sequence seen in a response header: where a new subscriber resumes."""
        self.ops: dict[str, Callable[[], Awaitable[str | None]]] = {
            "get_element": self.get_element, "get_entity": self.get_entity, "find_elements": self.find_elements,
            "upsert": self.upsert, "batch_upsert": self.batch_upsert, "get_missing": self.get_missing,
            "subscribe": self.subscribe,
        }
        self.choices = list(WEIGHTS)
        self.weights = [WEIGHTS[op] for op in self.choices]

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            op = self.rng.choices(self.choices, self.weights)[0]
            began = time.perf_counter()
            try:
                problem = await self.ops[op]()
            except grpc.aio.AioRpcError as err:
                problem = f"{err.code().name}: {err.details()}"
            except Exception as err:  # anything else is a failure of the workload, reported not raised
                problem = f"{type(err).__name__}: {err}"
            if problem is None:
                self.stats.add(op, (time.perf_counter() - began) * 1000)
            else:
                self.stats.errors[f"{op}: {problem}"[:300]] += 1

    def _pick(self) -> int:
        return self.rng.randrange(len(self.data.names))

    async def get_element(self) -> str | None:
        name = self.data.names[self._pick()]
        reply = await self.dm.GetElement(dm.GetElementRequest(qualified_name=name), timeout=RPC_TIMEOUT)
        self.last_sequence = max(self.last_sequence, reply.header.sequence)
        return None if reply.element.element.qualified_name == name else f"wrong element for {name}"

    async def get_entity(self) -> str | None:
        guid = self.data.guids[self._pick()]
        reply = await self.mcs.GetEntity(mcs.GetEntityRequest(guid=guid), timeout=RPC_TIMEOUT)
        return None if reply.entity.header.guid == guid else f"wrong entity for {guid}"

    async def find_elements(self) -> str | None:
        prefix = f"{self._pick():04d}"[:3]
        reply = await self.dm.FindElements(dm.FindElementsRequest(
            kind=dm.ELEMENT_KIND_FOLDER, name_pattern=f"{ROOT}/pre/{prefix}.*", page_size=20), timeout=RPC_TIMEOUT)
        return None if reply.elements else f"nothing found for {prefix}"

    async def upsert(self) -> str | None:
        # 20 names per client, so most upserts after the first few are updates of an existing element.
        self.writes += 1
        name = f"{ROOT}/w/{self.number}/{self.writes % 20}"
        self.stats.written.pop(name, None)  # unknown until acknowledged: a failed call may or may not apply
        reply = await self.dm.UpsertElements(dm.UpsertElementsRequest(
            elements=[folder(name, description=str(self.writes))]), timeout=RPC_TIMEOUT)
        self.last_sequence = max(self.last_sequence, reply.header.sequence)
        if len(reply.results) != 1 or not reply.results[0].guid:
            return "no result"
        self.stats.written[name] = str(self.writes)
        return None

    async def batch_upsert(self) -> str | None:
        self.writes += 1
        elements = [folder(f"{ROOT}/b/{self.number}/{self.writes % 5}/{j}", description=str(self.writes))
                    for j in range(BATCH)]
        reply = await self.dm.UpsertElements(dm.UpsertElementsRequest(elements=elements), timeout=RPC_TIMEOUT)
        self.last_sequence = max(self.last_sequence, reply.header.sequence)
        return None if len(reply.results) == BATCH else f"{len(reply.results)} results for {BATCH}"

    async def get_missing(self) -> str | None:
        try:
            await self.dm.GetElement(dm.GetElementRequest(qualified_name=f"{ROOT}/missing/{self.number}"),
                                     timeout=RPC_TIMEOUT)
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                self.stats.deliberate["get_missing: NOT_FOUND"] += 1
                return None
            raise
        return "a missing element was found"

    async def subscribe(self) -> str | None:
        call = self.ot.Subscribe(ot.SubscribeRequest(after_sequence=max(self.last_sequence - 1, 0),
                                                     heartbeat_interval_seconds=1, max_batch_events=50),
                                 timeout=SUBSCRIBE_WAIT)
        try:
            async for response in call:
                if response.events:
                    return None
            return "the subscription ended without events"
        finally:
            call.cancel()  # the deliberate end of this subscriber


async def run_workload(address: str, *, clients: int, seconds: float, data: Preloaded, first: int = 0,
                       token: str = TOKEN) -> Stats:
    """Run ``clients`` clients (numbered from ``first``) for ``seconds`` against the server at ``address``."""
    stats = Stats()
    channels = [connect(address, token, options=CHANNEL_OPTIONS) for _ in range(clients)]
    try:
        await asyncio.gather(*(channel.channel_ready() for channel in channels))
        began = time.monotonic()
        deadline = began + seconds
        await asyncio.gather(*(Client(first + i, channel, data, stats).run(deadline)
                               for i, channel in enumerate(channels)))
        stats.seconds = time.monotonic() - began
    finally:
        await asyncio.gather(*(channel.close() for channel in channels))
    return stats


# -- the raw baseline ---------------------------------------------------------------------------------------

def _echo_server(port_out: Any) -> None:
    async def main() -> None:
        server = grpc.aio.server()
        handler = grpc.method_handlers_generic_handler("bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(
            _echo)})
        server.add_generic_rpc_handlers((handler,))
        port_out.send(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        await server.wait_for_termination()

    asyncio.run(main())


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def run_echo(address: str, *, clients: int, seconds: float) -> Stats:
    stats = Stats()
    channels = [grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS) for _ in range(clients)]
    payload = b"x" * 100

    async def client(channel: grpc.aio.Channel, deadline: float) -> None:
        echo = channel.unary_unary(ECHO_METHOD)
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                await echo(payload, timeout=RPC_TIMEOUT)
            except grpc.aio.AioRpcError as err:
                stats.errors[f"echo: {err.code().name}"] += 1
                continue
            stats.add("echo", (time.perf_counter() - began) * 1000)

    try:
        await asyncio.gather(*(channel.channel_ready() for channel in channels))
        began = time.monotonic()
        await asyncio.gather(*(client(channel, began + seconds) for channel in channels))
        stats.seconds = time.monotonic() - began
    finally:
        await asyncio.gather(*(channel.close() for channel in channels))
    return stats


# -- processes ------------------------------------------------------------------------------------------------

class ServerProcess:
    """A real `coho server` on 127.0.0.1:0 with its data in ``directory``."""

    def __init__(self, directory: Path) -> None:
        config = directory / "server.yaml"
        config.write_text(yaml.safe_dump({
            "server_name": "load", "listen": "127.0.0.1:0", "data_dir": str(directory / "data"),
            "shutdown_grace_seconds": 1.0, "auth": {"tokens": {TOKEN: {"user": "load", "roles": ["admin"]}}}}))
        self.proc = subprocess.Popen([sys.executable, "-m", "coho.server.cli", "server", "--config", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.address = self._wait_serving()

    def _wait_serving(self) -> str:
        assert self.proc.stderr is not None
        for _ in range(10_000):  # the server logs a few dozen lines before "serving"
            line = self.proc.stderr.readline()
            if not line:
                break
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "serving":
                # Keep draining stderr so the server never blocks on a full pipe.
                threading.Thread(target=_drain, args=(self.proc.stderr,), daemon=True).start()
                return str(entry["address"])
        raise RuntimeError(f"coho server did not start (exit {self.proc.poll()})")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


def _client_process(args: tuple[str, int, float, Preloaded, int]) -> Stats:
    address, clients, seconds, data, first = args
    return asyncio.run(run_workload(address, clients=clients, seconds=seconds, data=data, first=first))


def _echo_process(args: tuple[str, int, float]) -> Stats:
    address, clients, seconds = args
    return asyncio.run(run_echo(address, clients=clients, seconds=seconds))


def _spread(total: int, parts: int) -> list[tuple[int, int]]:
    """(first client number, count) for each of ``parts`` processes."""
    sizes = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    return [(sum(sizes[:i]), size) for i, size in enumerate(sizes) if size]


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99) of ``values``; 0 for none."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(stats: Stats) -> list[str]:
    rows = [f"{'operation':<15} {'calls':>8} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}"]
    for op in [*WEIGHTS, "echo"]:
        values = stats.latencies.get(op)
        if not values:
            continue
        rows.append(f"{op:<15} {len(values):>8} {len(values) / stats.seconds:>9.1f} "
                    f"{percentile(values, 50):>8.1f} {percentile(values, 99):>8.1f}")
    everything = [v for values in stats.latencies.values() for v in values]
    rows.append(f"{'all':<15} {len(everything):>8} {len(everything) / stats.seconds:>9.1f} "
                f"{percentile(everything, 50):>8.1f} {percentile(everything, 99):>8.1f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="mixed-workload duration (default 60)")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--procs", type=int, default=2, help="client processes sharing the clients (default 2)")
    parser.add_argument("--record", action="store_true", help="append the run to bench/RESULTS.md")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    shares = _spread(args.clients, args.procs)

    with tempfile.TemporaryDirectory(prefix="coho-load-") as tmp:
        server = ServerProcess(Path(tmp))
        try:
            data = asyncio.run(preload(server.address))
            cpu_before = server.cpu_seconds()
            with context.Pool(len(shares)) as pool:
                parts = pool.map(_client_process, [(server.address, n, args.seconds, data, first)
                                                   for first, n in shares])
            server_cpu = server.cpu_seconds() - cpu_before
        finally:
            exit_code = server.stop()
    mixed = Stats()
    for part in parts:
        mixed.merge(part)

    echo_seconds = min(15.0, max(3.0, args.seconds / 4))
    receiver, sender = context.Pipe(duplex=False)
    echo_server = context.Process(target=_echo_server, args=(sender,), daemon=True)
    echo_server.start()
    try:
        echo_address = f"127.0.0.1:{receiver.recv()}"
        with context.Pool(len(shares)) as pool:
            echo_parts = pool.map(_echo_process, [(echo_address, n, echo_seconds) for _, n in shares])
    finally:
        echo_server.kill()
        echo_server.join()
    echo = Stats()
    for part in echo_parts:
        echo.merge(part)

    rate = mixed.total / mixed.seconds
    echo_rate = echo.total / echo.seconds
    echo_p50 = percentile(echo.latencies.get("echo", []), 50)
    everything = [v for values in mixed.latencies.values() for v in values]
    lines = [f"{args.clients} clients ({args.procs} client processes), {args.seconds:.0f} s mixed workload, "
             f"server exit code {exit_code}", "", *table(mixed), "",
             f"unexpected errors: {sum(mixed.errors.values())}"
             + "".join(f"\n  {n} x {e}" for e, n in mixed.errors.most_common(10)),
             f"deliberate errors (expected): {sum(mixed.deliberate.values())} "
             f"({', '.join(f'{k} {v}' for k, v in mixed.deliberate.items())})",
             f"server CPU: {server_cpu:.1f} s over {mixed.seconds:.1f} s "
             f"({server_cpu / mixed.total * 1e6:.0f} us per RPC)", "",
             f"baseline: raw gRPC echo, same clients, {echo_seconds:.0f} s: {echo_rate:.1f} calls/s, p50 "
             f"{echo_p50:.1f} ms, p99 {percentile(echo.latencies.get('echo', []), 99):.1f} ms, "
             f"errors {sum(echo.errors.values())}",
             f"headline: mixed workload {rate:.1f} RPC/s = {rate / echo_rate:.2f} x the raw echo rate; "
             f"p50 {percentile(everything, 50):.1f} ms = {percentile(everything, 50) / echo_p50:.1f} x echo p50"]
    print("\n".join(lines))
    if args.record:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from results_file import record_run

        command = f"python bench/bench_load.py --seconds {args.seconds:g} --clients {args.clients} --procs {args.procs}"
        record_run("Load", command, [f"`{line}`" if line.strip() else "" for line in lines if line.strip()])


if __name__ == "__main__":
    main()
