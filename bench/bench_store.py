"""Benchmarks of the SQLite store, each with a same-run raw SQLite baseline (ratios survive machine noise).

    python bench/bench_store.py            # full: 1M entities for the lookup bench
    python bench/bench_store.py --quick    # 100k entities for the lookup bench

(1) batch adds: 1000 entities per write op, vs raw executemany of rows of the same width in one transaction
    (into an unindexed table); the store indexes qualifiedName and name of these entities (DEFAULT_INDEXED).
    Floors beside it: the same rows prebuilt into the store's schema (SQL only), and built in the timed loop
    from the protos (SQL + the reads every put needs), so the store's own cost shows against both;
(2) single adds: 8 concurrent asyncio writers, one put_entity + append_change per write op (group commit);
(3) exact qualifiedName lookup (find_by_unique) p50/p99 among 1M (quick: 100k) entities;
(4) regex find-by-value among 100k entities: a selective pattern, and one the literal prefilter cannot help.
When coho.server.repository.Repository is importable, (1) and (2) are also measured through it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.repository.headers import new_guid
from coho.server.store import ChangeMeta, InstanceFilter, open_sqlite_store
from coho.server.store.sqlite import SqliteStore
from coho.server.store.values import DEFAULT_INDEXED

META = ChangeMeta(user_id="bench", connector_id="bench-connector")
HOME = "7a0d3c57-2f47-4b2e-9e54-1f2e3d4c5b6a"


def make_entity(i: int, random_guid: bool = False) -> instances_pb2.EntityDetail:
    """A realistic DataSet: full header and five string properties, qualifiedName unique.

    Its GUID is one the repository would assign (time-ordered, ``headers.new_guid``), or with random_guid a
    version 4 UUID, as archives and Egeria peers bring them."""
    e = instances_pb2.EntityDetail()
    h = e.header
    h.guid = str(uuid.uuid4()) if random_guid else new_guid()
    h.type.type_def_category = typedefs_pb2.TYPE_DEF_CATEGORY_ENTITY_DEF
    h.type.type_def_guid = "1449911c-4f44-4c22-abc0-7540154feefb"
    h.type.type_def_name = "DataSet"
    h.type.type_def_version = 1
    h.instance_provenance_type = instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT
    h.metadata_collection_id = HOME
    h.metadata_collection_name = "bench-home"
    h.created_by = "bench"
    h.create_time.FromMilliseconds(1_700_000_000_000 + i)
    h.version = 1
    h.status = typedefs_pb2.INSTANCE_STATUS_ACTIVE
    props = e.properties.properties
    values = {
        "qualifiedName": f"postgres://db{i % 97}.example.com:5432/sales/public/customer_table_{i:08d}",
        "name": f"customer_table_{i:08d}",
        "description": f"Customer records for region {i % 13}, loaded nightly by the sales integration.",
        "deployedImplementationType": "PostgreSQL Relational Database Table",
        "source": f"team-{i % 41}@example.com",
    }
    for name, text in values.items():
        props[name].type_name = "string"
        props[name].primitive.primitive_def_category = typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING
        props[name].primitive.string_value = text
    return e


def raw_rows(entities: list[instances_pb2.EntityDetail]) -> list[tuple[Any, ...]]:
    return [
        (e.header.guid, "DataSet", HOME, 0, 15, 1, 1_700_000_000_000, 1_700_000_000_000, e.SerializeToString())
        for e in entities
    ]


def raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS raw (guid TEXT, type_name TEXT, home_id TEXT, is_proxy INT, status INT, "
        "version INT, create_time INT, update_time INT, body BLOB)"
    )
    return conn


def raw_batch_rate(directory: Path, entities: list[instances_pb2.EntityDetail], batch: int) -> float:
    """Rows/s of plain executemany, one transaction per batch, rows prebuilt (the upper bound)."""
    rows = raw_rows(entities)
    conn = raw_connection(directory / "raw.db")
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO raw VALUES (?,?,?,?,?,?,?,?,?)", rows[start : start + batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def raw_single_rate(directory: Path, entities: list[instances_pb2.EntityDetail]) -> float:
    """Rows/s with one transaction per row (what a writer without group commit gets)."""
    rows = raw_rows(entities)
    conn = raw_connection(directory / "raw1.db")
    started = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw VALUES (?,?,?,?,?,?,?,?,?)", row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def schema_floor_rate(
    directory: Path,
    entities: list[instances_pb2.EntityDetail],
    with_props: bool,
    indexed: frozenset[str] | None = None,
    reads: bool = False,
) -> float:
    """Rows/s of prebuilt rows into the store's own tables (its indexes, no Python work): the design's floor.
    with_props adds the prop rows of the indexed names (None: every property, the store's former default).
    Rows go in as the store writes them (multi-row INSERT statements, bodies as bytearray; sqlite_rows.py).
    With reads, the rows are built from the protos inside the timed loop instead (serialize the body, read
    the header columns and the index values): what any put must do, without the store's bookkeeping."""
    from coho.server.store.sqlite_checkpoint import Checkpointer
    from coho.server.store.sqlite_rows import insert_rows
    from coho.server.store.sqlite_schema import connect_writer, migrate
    from coho.server.store.sqlite_txn import entity_row
    from coho.server.store.values import prop_rows

    def build(start: int, stop: int) -> tuple[list[tuple[Any, ...]], list[Any]]:
        rows, props = [], []
        for i in range(start, stop):
            e = entities[i]
            rows.append((i + 1, *entity_row(e.header, False, bytearray(e.SerializeToString()))))
            props.extend(prop_rows(e.properties, e.classifications, i + 1, indexed)[0])
        return rows, props

    starts = range(0, len(entities), 1000)
    prebuilt = [] if reads else [build(start, min(start + 1000, len(entities))) for start in starts]
    conn = connect_writer(directory / "floor.db")
    migrate(conn)
    checkpointer = Checkpointer(directory / "floor.db")  # as the store runs them: off the writer's thread
    cur = conn.cursor()
    started = time.perf_counter()
    for number, start in enumerate(starts):
        rows, props = build(start, min(start + 1000, len(entities))) if reads else prebuilt[number]
        conn.execute("BEGIN")
        insert_rows(cur, "INSERT INTO entity", 10, rows)
        if with_props:
            insert_rows(cur, "INSERT INTO prop", 4, sorted(props))
        conn.execute("COMMIT")
        checkpointer.committed()
    elapsed = time.perf_counter() - started
    checkpointer.close()
    conn.close()
    return len(entities) / elapsed


def add_op(e: instances_pb2.EntityDetail) -> Callable[[Any], int]:
    def op(txn: Any) -> int:
        txn.put_entity(e)
        return int(
            txn.append_change(events_pb2.OmrsEvent(), guid=e.header.guid, type_name="DataSet", kind="entity", meta=META)
        )

    return op


def batch_op(entities: list[instances_pb2.EntityDetail], with_change: bool) -> Callable[[Any], None]:
    def op(txn: Any) -> None:
        for e in entities:
            txn.put_entity(e)
            if with_change:
                txn.append_change(
                    events_pb2.OmrsEvent(), guid=e.header.guid, type_name="DataSet", kind="entity", meta=META
                )

    return op


def store_batch_rate(store: SqliteStore, entities: list[instances_pb2.EntityDetail], with_change: bool) -> float:
    started = time.perf_counter()
    for start in range(0, len(entities), 1000):
        store.write_sync(batch_op(entities[start : start + 1000], with_change))
    return len(entities) / (time.perf_counter() - started)


async def concurrent_rate(write: Callable[[int], Any], total: int, writers: int = 8) -> float:
    per_writer = total // writers

    async def worker(w: int) -> None:
        for k in range(per_writer):
            await write(w * per_writer + k)

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(writers)))
    return per_writer * writers / (time.perf_counter() - started)


def median_of(runs: int, measure: Callable[[int], float]) -> tuple[float, list[float]]:
    values = [measure(run) for run in range(runs)]
    return statistics.median(values), values


def report(label: str, value: float, unit: str, values: list[float], raw: float | None = None) -> None:
    ratio = f"  = {value / raw:.0%} of raw" if raw else ""
    print(f"{label:<50} {value:>10,.0f} {unit}  {fmt(values)}{ratio}")


def fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:,.0f}" for v in values) + "]"


# -- the benches ----------------------------------------------------------------------------------------
def bench_batch(root: Path, runs: int, count: int) -> Path:
    entities = [make_entity(i) for i in range(count)]
    randoms = [make_entity(i, random_guid=True) for i in range(count)]
    last_dir = root

    def ours(run: int, with_change: bool, random_guids: bool = False) -> float:
        nonlocal last_dir
        directory = root / f"b1-{int(with_change)}-{int(random_guids)}-{run}"
        store = open_sqlite_store(directory)
        rate = store_batch_rate(store, randoms if random_guids else entities, with_change)
        store.close_sync()
        last_dir = directory
        return rate

    raw, raw_all = median_of(runs, lambda run: raw_batch_rate(_fresh(root, f"raw1-{run}"), entities, 1000))
    ent, ent_all = median_of(runs, lambda run: schema_floor_rate(_fresh(root, f"fe-{run}"), entities, False))
    flr, flr_all = median_of(runs, lambda run: schema_floor_rate(_fresh(root, f"fp-{run}"), entities, True))
    lean, lean_all = median_of(
        runs, lambda run: schema_floor_rate(_fresh(root, f"fl-{run}"), entities, True, DEFAULT_INDEXED)
    )
    reads, reads_all = median_of(
        runs, lambda run: schema_floor_rate(_fresh(root, f"fr-{run}"), entities, True, DEFAULT_INDEXED, reads=True)
    )
    put, put_all = median_of(runs, lambda run: ours(run, False))
    full, full_all = median_of(runs, lambda run: ours(run, True))
    rnd, rnd_all = median_of(runs, lambda run: ours(run, False, random_guids=True))
    report("(1) raw executemany, 1000 rows/txn", raw, "rows/s", raw_all)
    report("(1) floor: prebuilt rows -> entity table only", ent, "rows/s", ent_all, raw)
    report("(1) floor: prebuilt rows -> entity + 5 prop rows", flr, "rows/s", flr_all, raw)
    report("(1) floor: prebuilt rows -> entity + indexed props", lean, "rows/s", lean_all, raw)
    report("(1) floor + the reads every put needs (no store)", reads, "rows/s", reads_all, raw)
    report("(1) store batch adds, put_entity only", put, "entities/s", put_all, raw)
    report("(1) store batch adds, put_entity+append_change", full, "entities/s", full_all, raw)
    report("(1) same as put_entity only, random (v4) GUIDs", rnd, "entities/s", rnd_all, raw)
    return last_dir


def bench_single(root: Path, runs: int, count: int) -> None:
    entities = [make_entity(i) for i in range(count)]

    def ours(run: int) -> float:
        store = open_sqlite_store(root / f"b2-{run}")
        commits = store.commit_count
        rate = asyncio.run(concurrent_rate(lambda i: store.write(add_op(entities[i])), count))
        ops_per_commit = count / max(store.commit_count - commits, 1)
        store.close_sync()
        print(f"    run {run}: {rate:,.0f} ops/s, {ops_per_commit:.1f} ops per commit")
        return rate

    raw, _ = median_of(runs, lambda run: raw_batch_rate(_fresh(root, f"raw2-{run}"), entities, 1000))
    single, single_all = median_of(runs, lambda run: raw_single_rate(_fresh(root, f"raw2s-{run}"), entities[:5000]))
    rate, all_rates = median_of(runs, ours)
    report("(2) raw executemany, 1000 rows/txn", raw, "rows/s", [raw])
    report("(2) raw 1 row/txn (NORMAL)", single, "rows/s", single_all)
    report("(2) store single adds, 8 asyncio writers", rate, "ops/s", all_rates, raw)
    print(f"    = {rate / single:.2f}x raw 1 row/txn")


def bench_lookup(root: Path, runs: int, count: int) -> None:
    directory = root / "b3"
    store = open_sqlite_store(directory)
    started = time.perf_counter()
    names: list[str] = []
    for start in range(0, count, 10_000):
        chunk = [make_entity(i) for i in range(start, min(start + 10_000, count))]
        names.extend(e.properties.properties["qualifiedName"].primitive.string_value for e in chunk[::50])
        for sub in range(0, len(chunk), 1000):
            store.write_sync(batch_op(chunk[sub : sub + 1000], True))
    print(f"(3) built {count:,} entities in {time.perf_counter() - started:.1f} s")
    rng = random.Random(1)

    def lookups(run: int) -> float:
        sample = [rng.choice(names) for _ in range(5000)]
        times = []
        for name in sample:
            t0 = time.perf_counter_ns()
            guid = store.find_by_unique(["DataSet", "Asset"], "qualifiedName", name)
            times.append(time.perf_counter_ns() - t0)
            assert guid is not None
        times.sort()
        p99 = times[int(len(times) * 0.99)] / 1000
        print(f"    run {run}: p50 {times[len(times) // 2] / 1000:.1f} us, p99 {p99:.1f} us")
        return times[len(times) // 2] / 1000

    p50, all_p50 = median_of(runs, lookups)
    raw_p50 = _raw_lookup(store, names, rng)
    store.close_sync()
    print(
        f"(3) find_by_unique p50 among {count:,}: {p50:.1f} us {[round(v, 1) for v in all_p50]}; "
        f"raw indexed text lookup p50 {raw_p50:.1f} us (ratio {p50 / raw_p50:.1f}x)"
    )


def _raw_lookup(store: SqliteStore, names: list[str], rng: random.Random) -> float:
    """p50 of a bare SELECT on the prop(name, v) index: the floor under find_by_unique."""
    conn = sqlite3.connect(store.path)
    times = []
    for name in (rng.choice(names) for _ in range(5000)):
        t0 = time.perf_counter_ns()
        conn.execute("SELECT owner FROM prop WHERE name = ? AND v = ?", ("qualifiedName", name)).fetchone()
        times.append(time.perf_counter_ns() - t0)
    conn.close()
    times.sort()
    return times[len(times) // 2] / 1000


def bench_regex(directory: Path, runs: int) -> None:
    store = open_sqlite_store(directory)
    total = store.counts().entities
    cases = {
        "selective, literal prefilter (instr on bodies)": r".*customer_table_0004217.*",
        "selective, no usable literal (full scan)": r"(?i).*CUSTOMER_TABLE_0004217",
        "no match, literal prefilter": r"[xyz]+\d{3}-nothing",
        "no match, full scan": r"(?i)[xyz]+\d{3}",
    }
    for label, pattern in cases.items():

        def once(run: int, pattern: str = pattern) -> float:
            t0 = time.perf_counter()
            page = store.find_entities(InstanceFilter(regex=pattern, regex_budget_ms=60_000))
            elapsed = (time.perf_counter() - t0) * 1000
            assert not page.partial
            return elapsed

        ms, all_ms = median_of(runs, once)
        print(f"(4) regex {label:<48} among {total:,}: {ms:>8,.1f} ms  {[round(v, 1) for v in all_ms]}")
    store.close_sync()


def bench_repository(root: Path, runs: int, count: int) -> None:
    try:
        from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
        from coho.server.repository import Repository
        from coho.server.repository.api import Caller
        from coho.server.types import TypeRegistry
    except ImportError as exc:  # the repository layer is optional for this bench
        print(f"(R) repository not available: {exc}")
        return
    caller = Caller(user_id="bench")
    news = []
    for i in range(count):
        e = make_entity(i)
        news.append(mcs.NewEntity(type_name="DataSet", properties=e.properties))
    types = TypeRegistry.with_builtin_types()

    def batch(run: int) -> float:
        store = open_sqlite_store(root / f"r1-{run}")
        repo = Repository(store, types)

        async def go() -> float:
            started = time.perf_counter()
            for start in range(0, count, 1000):
                await repo.add_entities(caller, news[start : start + 1000])
            return count / (time.perf_counter() - started)

        rate = asyncio.run(go())
        store.close_sync()
        return rate

    def single(run: int) -> float:
        store = open_sqlite_store(root / f"r2-{run}")
        repo = Repository(store, types)
        rate = asyncio.run(concurrent_rate(lambda i: repo.add_entity(caller, news[i]), count // 2))
        store.close_sync()
        return rate

    raw, _ = median_of(
        runs, lambda run: raw_batch_rate(_fresh(root, f"rawR-{run}"), [make_entity(i) for i in range(count)], 1000)
    )
    b, b_all = median_of(runs, batch)
    s, s_all = median_of(runs, single)
    report("(R1) Repository.add_entities, 1000 per call", b, "entities/s", b_all, raw)
    report("(R2) Repository.add_entity, 8 asyncio writers", s, "ops/s", s_all, raw)


def _fresh(root: Path, name: str) -> Path:
    directory = root / name
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k entities for the lookup bench (not 1M)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="1234R", help="which benches, e.g. 13")
    args = parser.parse_args()
    lookup_count = 100_000 if args.quick else 1_000_000
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, runs={args.runs}")
    with tempfile.TemporaryDirectory(prefix="coho-bench-") as tmp:
        root = Path(tmp)
        regex_db = None
        if "1" in args.only or "4" in args.only:
            regex_db = bench_batch(root, args.runs, 100_000)
        if "2" in args.only:
            bench_single(root, args.runs, 20_000)
        if "3" in args.only:
            bench_lookup(root, args.runs, lookup_count)
        if "4" in args.only and regex_db is not None:
            bench_regex(regex_db, args.runs)
        if "R" in args.only:
            bench_repository(root, args.runs, 20_000)


if __name__ == "__main__":
    main()
