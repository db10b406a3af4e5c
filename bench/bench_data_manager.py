"""DataManager batch upsert benchmark, with same-run raw baselines (ratios survive machine noise).

    python bench/bench_data_manager.py           # 30 batches of 1,000 new DataFiles
    python bench/bench_data_manager.py --quick   # 5 batches

Measured, each batch = 1,000 new DataFile elements under one stored folder (so 1,000 entities + 1,000
NestedFile links + 2,000 change-log events per call):

(1) gRPC: UpsertElements over real gRPC to a server in a SEPARATE PROCESS (grpc.aio, real SQLite on a temp
    dir, synchronous=NORMAL), one call at a time; and the no-change refresh of the same batches;
(2) core: DataManager.upsert_elements in-process (no grpc), same data;
(3) reference: Repository.add_entities of 1,000 DataFiles (no links), the repository's own batch path;
(4) baselines: raw SQLite executemany of 1,000 rows of the same body size in one transaction (x2 tables, as
    entities + change log), and a raw grpc.aio echo of the same request answered with a same-size response;
(5) floor: the very rows that (2) wrote (entities, links, change-log entries with their Out Topic annexes,
    index rows), read back and inserted prebuilt into a fresh store of the same schema, one transaction per
    1,000 elements: what storing the elements costs in SQLite with no Python work at all.

Besides rates, the CPU time per element (all threads of the server process for (1), of this process for
(2)): other load on a shared machine disturbs it much less than elements/s.

Results are printed; --record adds the run to the "Data Manager" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from results_file import record_run

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.access.data_manager import DataManager
from coho.server.repository import Repository
from coho.server.repository.api import Caller
from coho.server.store import open_sqlite_store
from coho.server.store.sqlite_checkpoint import Checkpointer
from coho.server.store.sqlite_rows import insert_rows
from coho.server.store.sqlite_schema import DB_FILE, connect_writer, migrate
from coho.server.types import TypeRegistry

BATCH = 1000
CALLER = Caller(user_id="bench", connector_id="bench-files", metadata_source="fs:bench")
OPTIONS = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]


def folder() -> dm.DataElement:
    return dm.DataElement(qualified_name="/bench", folder=dm.FolderElement(path_name="/bench"))


def batch(b: int) -> list[dm.DataElement]:
    out = []
    for i in range(BATCH):
        path = f"/bench/d{b:03}/file-{i:05}.csv"
        out.append(
            dm.DataElement(
                qualified_name=path,
                display_name=f"file-{i:05}.csv",
                parent_qualified_name="/bench",
                file=dm.FileElement(
                    path_name=path,
                    file_name=f"file-{i:05}.csv",
                    file_extension="csv",
                    file_type="CSV",
                    size_bytes=1000 + i,
                ),
            )
        )
    out[0].file.modified_time.FromMilliseconds(1_700_000_000_000 + b)
    return out


# -- the server process ----------------------------------------------------------------------------------
def _serve(data_dir: str, conn: Any) -> None:
    asyncio.run(_serve_async(data_dir, conn))


async def _serve_async(data_dir: str, conn: Any) -> None:
    from coho.server.rpc.identity import Identity, reset_identity, set_identity
    from coho.server.services.data_manager import data_manager_servicer

    class Interceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
        """Stands in for the auth interceptor: every call is the bench connector."""

        async def intercept_service(self, continuation: Any, details: Any) -> Any:
            handler = await continuation(details)
            inner = handler.unary_unary

            async def call(request: Any, context: Any) -> Any:
                token = set_identity(Identity(CALLER, frozenset({"connector"})))
                try:
                    return await inner(request, context)
                finally:
                    reset_identity(token)

            return grpc.unary_unary_rpc_method_handler(
                call, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
            )

    store = open_sqlite_store(Path(data_dir))
    repository = Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="bench")

    class Runtime:
        pass

    runtime = Runtime()
    runtime.repository = repository  # type: ignore[attr-defined]
    server = grpc.aio.server(interceptors=[Interceptor()], options=OPTIONS)
    dm_grpc.add_DataManagerServiceServicer_to_server(data_manager_servicer(runtime)[1], server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    conn.send(port)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, conn.recv) == "cpu":  # until "stop"
        conn.send(time.process_time())
    await server.stop(None)
    await store.close()


Rates = tuple[float, float, float, float]
"""created elements/s, unchanged elements/s, CPU us per created element, CPU us per unchanged element"""


async def bench_grpc(batches: list[list[dm.DataElement]]) -> Rates:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory() as tmp:
        proc = ctx.Process(target=_serve, args=(tmp, child), daemon=True)
        proc.start()
        port = parent.recv()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=OPTIONS) as channel:
                stub = dm_grpc.DataManagerServiceStub(channel)
                await stub.UpsertElements(dm.UpsertElementsRequest(elements=[folder()]))
                requests = [dm.UpsertElementsRequest(elements=b) for b in batches]

                def cpu() -> float:
                    parent.send("cpu")
                    return float(parent.recv())

                start = cpu()
                created = await _timed_calls(stub, requests, elements_pb2.UPSERT_OUTCOME_CREATED)
                middle = cpu()
                unchanged = await _timed_calls(stub, requests, elements_pb2.UPSERT_OUTCOME_UNCHANGED)
                end = cpu()
        finally:
            parent.send("stop")
            proc.join(30)
    count = len(batches) * BATCH
    return created, unchanged, (middle - start) / count * 1e6, (end - middle) / count * 1e6


async def _timed_calls(stub: Any, requests: list[dm.UpsertElementsRequest], expected: int) -> float:
    start = time.perf_counter()
    for request in requests:
        reply = await stub.UpsertElements(request)
        assert all(r.outcome == expected for r in reply.results), "unexpected outcome"
    return len(requests) * BATCH / (time.perf_counter() - start)


# -- in-process core and repository ------------------------------------------------------------------------
async def bench_core(batches: list[list[dm.DataElement]], floors: list[float]) -> Rates:
    """(2); appends (5), measured on the rows this run wrote, to floors."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_sqlite_store(Path(tmp))
        manager = DataManager(Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="b"))
        await manager.upsert_elements(CALLER, [folder()])
        count = len(batches) * BATCH
        start, cpu_start = time.perf_counter(), time.process_time()
        for elements in batches:
            await manager.upsert_elements(CALLER, elements)
        created, cpu_created = count / (time.perf_counter() - start), time.process_time() - cpu_start
        start, cpu_start = time.perf_counter(), time.process_time()
        for elements in batches:
            await manager.upsert_elements(CALLER, elements)
        unchanged, cpu_unchanged = count / (time.perf_counter() - start), time.process_time() - cpu_start
        await store.close()
        floors.append(sql_floor(Path(tmp) / DB_FILE, len(batches)))
    return created, unchanged, cpu_created / count * 1e6, cpu_unchanged / count * 1e6


async def bench_repository(batches: list[list[dm.DataElement]]) -> float:
    from coho.server.access.data_mapping import to_properties

    news = [[mcs.NewEntity(type_name="DataFile", properties=to_properties(e, "file")) for e in b] for b in batches]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_sqlite_store(Path(tmp))
        repository = Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="b")
        start = time.perf_counter()
        for group in news:
            await repository.add_entities(CALLER, group)
        rate = len(news) * BATCH / (time.perf_counter() - start)
        await store.close()
    return rate


def sql_floor(source: Path, batches: int) -> float:
    """Elements/s of (5): every row the upserts stored, prebuilt, into a fresh database of the same schema.

    Each table's rows are split into ``batches`` equal runs in their stored order, and transaction k inserts
    run k of every table, as the store writes them (multi-row INSERTs, bodies as bytearray, prop rows sorted).
    The folder upserted before the batches rides along in the first transaction."""
    conn = sqlite3.connect(source)
    tables = {}
    for table in ("entity", "relationship", "change_log", "prop", "classification"):
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()  # fixed table names
        tables[table] = [tuple(bytearray(v) if isinstance(v, bytes) else v for v in row) for row in rows]
    conn.close()
    with tempfile.TemporaryDirectory() as tmp:
        writer = connect_writer(Path(tmp) / DB_FILE)
        migrate(writer)
        checkpointer = Checkpointer(Path(tmp) / DB_FILE)  # as the store runs them: off the writer's thread
        cur = writer.cursor()
        start = time.perf_counter()
        for k in range(batches):
            writer.execute("BEGIN")
            for table, rows in tables.items():
                part = rows[k * len(rows) // batches : (k + 1) * len(rows) // batches]
                if part:
                    insert_rows(cur, f"INSERT INTO {table}", len(part[0]), sorted(part) if table == "prop" else part)
            writer.execute("COMMIT")
            checkpointer.committed()
        rate = batches * BATCH / (time.perf_counter() - start)
        checkpointer.close()
        writer.close()
    return rate


# -- baselines --------------------------------------------------------------------------------------------
def bench_raw_sqlite(batches: int, body_size: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(os.path.join(tmp, "raw.db"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, guid TEXT UNIQUE, name TEXT, body BLOB)")
        conn.execute("CREATE INDEX e_name ON e(name)")
        conn.execute("CREATE TABLE c (seq INTEGER PRIMARY KEY, guid TEXT, body BLOB)")
        body = os.urandom(body_size)
        start = time.perf_counter()
        seq = 0
        for b in range(batches):
            rows = [(str(uuid.uuid4()), f"/bench/d{b}/f{i}", body) for i in range(BATCH)]
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO e (guid, name, body) VALUES (?,?,?)", rows)
            conn.executemany("INSERT INTO c VALUES (?,?,?)", [(seq + i, r[0], body) for i, r in enumerate(rows)])
            seq += BATCH
            conn.execute("COMMIT")
        rate = batches * BATCH / (time.perf_counter() - start)
        conn.close()
    return rate


class Echo(dm_grpc.DataManagerServiceServicer):  # type: ignore[misc]
    async def UpsertElements(self, request: dm.UpsertElementsRequest, context: Any) -> dm.UpsertElementsResponse:
        return dm.UpsertElementsResponse(
            results=[
                elements_pb2.ElementResult(key=e.qualified_name, guid=str(uuid.UUID(int=i)), outcome=1, version=1)
                for i, e in enumerate(request.elements)
            ]
        )


async def bench_echo(batches: list[list[dm.DataElement]]) -> float:
    server = grpc.aio.server(options=OPTIONS)
    dm_grpc.add_DataManagerServiceServicer_to_server(Echo(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=OPTIONS) as channel:
            stub = dm_grpc.DataManagerServiceStub(channel)
            requests = [dm.UpsertElementsRequest(elements=b) for b in batches]
            start = time.perf_counter()
            for request in requests:
                await stub.UpsertElements(request)
            return len(requests) * BATCH / (time.perf_counter() - start)
    finally:
        await server.stop(None)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 batches instead of 30")
    parser.add_argument("--record", action="store_true", help="add this run to bench/RESULTS.md")
    args = parser.parse_args()
    count = 5 if args.quick else 30
    batches = [batch(b) for b in range(count)]
    grpc_created, grpc_unchanged, grpc_cpu_created, grpc_cpu_unchanged = await bench_grpc(batches)
    floors: list[float] = []
    core_created, core_unchanged, core_cpu_created, core_cpu_unchanged = await bench_core(batches, floors)
    repo_rate = await bench_repository([batch(100 + b) for b in range(count)])
    raw_sqlite = bench_raw_sqlite(count, body_size=1500)
    echo = await bench_echo(batches)
    lines = [
        f"gRPC UpsertElements, new files (separate server process): {grpc_created:,.0f} elements/s "
        f"(target >= 30,000: {'MET' if grpc_created >= 30_000 else 'NOT MET'})",
        f"gRPC UpsertElements, unchanged refresh:                   {grpc_unchanged:,.0f} elements/s",
        f"server process CPU per element (all threads): new {grpc_cpu_created:.0f} us, "
        f"unchanged {grpc_cpu_unchanged:.0f} us",
        f"core DataManager.upsert_elements, new files (in-process):  {core_created:,.0f} elements/s",
        f"core DataManager.upsert_elements, unchanged:               {core_unchanged:,.0f} elements/s",
        f"core CPU per element (all threads): new {core_cpu_created:.0f} us, unchanged {core_cpu_unchanged:.0f} us",
        f"reference Repository.add_entities, 1,000 DataFiles, no links: {repo_rate:,.0f} entities/s",
        f"baseline raw SQLite executemany (entity + change row, 1.5 KB bodies): {raw_sqlite:,.0f} rows/s",
        f"baseline raw grpc.aio echo of the same request/response:  {echo:,.0f} elements/s",
        f"floor: the rows the core run stored, prebuilt, into the same schema: {floors[0]:,.0f} elements/s "
        f"(no Python work; {'above' if floors[0] >= 30_000 else 'BELOW'} the 30,000 target)",
        f"ratios: gRPC new / raw SQLite = {grpc_created / raw_sqlite:.1%}; "
        f"gRPC new / echo = {grpc_created / echo:.1%}; gRPC new / core new = {grpc_created / core_created:.1%}",
    ]
    print("\n".join(lines))
    if args.record:
        record_run("Data Manager", f"python bench/bench_data_manager.py{' --quick' if args.quick else ''}", lines)

if __name__ == "__main__":
    asyncio.run(main())
