"""Out Topic benchmark, with a same-run raw grpc.aio baseline (ratios survive machine noise).

    python bench/bench_out_topic.py            # 10 s of live load, 100,000-event catch-up
    python bench/bench_out_topic.py --quick    # 3 s, 20,000 events

A server process (real SQLite on a temp dir, Repository, OutTopic hub, grpc.aio) and a client process:

(1) live delivery latency: 20 Subscribe streams from the head while the server offers 1,000 add_entity
    writes/s (group-committed); latency = receive time in the client - the event's event_time (stamped in the
    write, before commit), so it includes commit, tailer wake-up, fan-out, gRPC and client parse;
(2) catch-up: one Subscribe from sequence 0 over N events (pages of 1,000 read by the subscriber, batches of
    500), events/s; vs a raw grpc.aio server-streaming handler in the same server process sending the same
    number of pre-serialized SubscribeResponse batches of the same size (no store, no mapping), parsed by the
    client the same way. Also the server process's CPU time per event in each (a figure that other load on
    the machine disturbs much less than throughput).

The Out Topic is opened before the preload, as in a running server, so the preloaded writes store their
encoded events (the change annexes the catch-up reads).

Results are printed; --record adds the run to the "Out Topic" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from results_file import record_run

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import Caller, Repository
from coho.server.rpc.identity import Identity, set_identity
from coho.server.store.sqlite import open_sqlite_store
from coho.server.types import TypeRegistry

RAW_METHOD = "/bench.Raw/Stream"
CALLER = Caller(user_id="bench", connector_id="bench-connector", metadata_source="bench-src")
SUBSCRIBERS = 20
RATE = 1000


def _props(name: str) -> instances_pb2.InstanceProperties:
    def s(v: str) -> instances_pb2.PropertyValue:
        return instances_pb2.PropertyValue(
            type_name="string",
            primitive=instances_pb2.PrimitiveValue(
                primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=v
            ),
        )

    return instances_pb2.InstanceProperties(
        properties={"qualifiedName": s(name), "name": s(name[-12:]), "description": s("a file the benchmark made")}
    )


def _new() -> mcs.NewEntity:
    return mcs.NewEntity(type_name="DataFile", properties=_props(f"bench:{uuid.uuid4()}"))


class _Identity(grpc.aio.ServerInterceptor):
    """The bench has no tokens: every call runs as one reader (what the auth interceptor would set)."""

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_stream is None:
            return handler
        original = handler.unary_stream

        async def streaming(request: Any, context: Any) -> Any:
            set_identity(Identity(CALLER, frozenset({"reader"})))
            async for item in original(request, context):
                yield item

        return grpc.unary_stream_rpc_method_handler(
            streaming,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def _raw_stream(request: bytes, context: Any) -> Any:
    # Request: 8-byte count, then the batch bytes to repeat.
    count = int.from_bytes(request[:8], "big")
    body = request[8:]
    for _ in range(count):
        yield body


async def _server(conn: Connection, data_dir: str, preload: int) -> None:
    from coho.server.outtopic import OutTopic

    store = open_sqlite_store(Path(data_dir))
    repo = Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="bench")
    # Opened before the preload, as in a running server: the writes store their encoded events (annexes).
    out_topic = await OutTopic.open(store, repo.types)
    for start in range(0, preload, 1000):
        await repo.add_entities(CALLER, [_new() for _ in range(min(1000, preload - start))])
    server = grpc.aio.server(interceptors=[_Identity()], options=[("grpc.max_receive_message_length", 64 << 20)])
    _name, servicer = out_topic.servicer()
    servicer.register_with(server)  # type: ignore[attr-defined]
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "bench.Raw", {"Stream": grpc.unary_stream_rpc_method_handler(_raw_stream)}
            )
        ]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    conn.send(("ready", port, store.head_sequence()))
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command[0] == "load":
            conn.send(("loaded", await _offer(repo, command[1])))
        elif command[0] == "cpu":
            conn.send(("cpu", time.process_time()))
        else:
            break
    await server.stop(0.5)
    await out_topic.close()
    await store.close()


async def _offer(repo: Repository, seconds: float) -> int:
    """Offer RATE writes/s for `seconds`, 10 ms ticks of RATE/100 concurrent add_entity calls."""
    tasks: list[asyncio.Task[Any]] = []
    start = time.monotonic()
    ticks = int(seconds * 100)
    for tick in range(ticks):
        for _ in range(RATE // 100):
            tasks.append(asyncio.create_task(repo.add_entity(CALLER, _new())))
        delay = start + (tick + 1) / 100 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.gather(*tasks)
    return len(tasks)


def _server_main(conn: Connection, data_dir: str, preload: int) -> None:
    asyncio.run(_server(conn, data_dir, preload))


async def _subscriber(stub: Any, head: int, until: int, latencies: list[float]) -> None:
    call = stub.Subscribe(ot.SubscribeRequest(after_sequence=head))
    last = head
    async for response in call:
        now = time.time() * 1000
        for event in response.events:
            latencies.append(now - event.event_time.ToMilliseconds())
            last = event.sequence
        if last >= until:
            call.cancel()
            return


async def _latency(port: int, conn: Connection, head: int, seconds: float) -> dict[str, float]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = ot_grpc.OutTopicServiceStub(channel)
        latencies: list[list[float]] = [[] for _ in range(SUBSCRIBERS)]
        expected = int(seconds * 100) * (RATE // 100)
        tasks = [asyncio.create_task(_subscriber(stub, head, head + expected, lat)) for lat in latencies]
        await asyncio.sleep(0.5)
        started = time.monotonic()
        conn.send(("load", seconds))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        offered_s = time.monotonic() - started
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    merged = sorted(x for lat in latencies for x in lat)
    assert all(len(lat) == expected for lat in latencies), [len(lat) for lat in latencies]
    return {
        "writes": expected,
        "rate": expected / offered_s,
        "p50": statistics.median(merged),
        "p99": merged[int(len(merged) * 0.99) - 1],
        "max": merged[-1],
        "deliveries": len(merged),
    }


def _server_cpu(conn: Connection) -> float:
    conn.send(("cpu",))
    return float(conn.recv()[1])


async def _catch_up(port: int, head: int, conn: Connection) -> dict[str, float]:
    async with grpc.aio.insecure_channel(
        f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 64 << 20)]
    ) as channel:
        stub = ot_grpc.OutTopicServiceStub(channel)
        cpu_start = _server_cpu(conn)
        started = time.perf_counter()
        call = stub.Subscribe(ot.SubscribeRequest(after_sequence=0, max_batch_events=500))
        count, sample, sizes = 0, b"", []
        async for response in call:
            count += len(response.events)
            if len(response.events) == 500 and not sample:
                sample = response.SerializeToString()
            sizes.append(response.ByteSize())
            if response.events and response.events[-1].sequence >= head:
                call.cancel()
                break
        coho_s = time.perf_counter() - started
        cpu_coho = _server_cpu(conn)
        batches = head // 500
        raw = channel.unary_stream(
            RAW_METHOD, request_serializer=None, response_deserializer=ot.SubscribeResponse.FromString
        )
        started = time.perf_counter()
        raw_count = 0
        async for response in raw(batches.to_bytes(8, "big") + sample):
            raw_count += len(response.events)
        raw_s = time.perf_counter() - started
        cpu_raw = _server_cpu(conn)
    return {
        "coho_cpu_us": (cpu_coho - cpu_start) / count * 1e6,
        "raw_cpu_us": (cpu_raw - cpu_coho) / raw_count * 1e6,
        "events": count,
        "coho_eps": count / coho_s,
        "raw_eps": raw_count / raw_s,
        "batch_bytes": statistics.median(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--record", action="store_true", help="add this run to bench/RESULTS.md")
    args = parser.parse_args()
    seconds, preload = (3.0, 20_000) if args.quick else (10.0, 100_000)
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_server_main, args=(child, tmp, preload))
        process.start()
        _, port, head = parent.recv()
        catch = asyncio.run(_catch_up(port, head, parent))
        live = asyncio.run(_latency(port, parent, head, seconds))
        parent.send(("stop",))
        process.join(30)
    ratio = catch["coho_eps"] / catch["raw_eps"]
    lines = [
        f"live: {SUBSCRIBERS} subscribers, {live['writes']} writes offered at {live['rate']:.0f}/s "
        f"({live['deliveries']} deliveries): latency p50 {live['p50']:.1f} ms, p99 {live['p99']:.1f} ms, "
        f"max {live['max']:.1f} ms (target p99 < 50 ms)",
        f"catch-up: {catch['events']} events via Subscribe from 0: {catch['coho_eps']:,.0f} events/s; raw grpc.aio "
        f"stream of same-size batches ({catch['batch_bytes']:,.0f} B / 500 events): {catch['raw_eps']:,.0f} events/s; "
        f"ratio {ratio:.2f} (target >= 0.30); server CPU per event {catch['coho_cpu_us']:.2f} us "
        f"(raw {catch['raw_cpu_us']:.2f} us)",
    ]
    print("\n".join(lines))
    if args.record:
        record_run("Out Topic", f"python bench/bench_out_topic.py{' --quick' if args.quick else ''}", lines)

if __name__ == "__main__":
    main()
