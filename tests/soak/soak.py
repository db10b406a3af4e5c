"""Soak: a server in a 3-member cohort plus a daemon with the bundled connectors, under steady churn.

    python tests/soak/soak.py                 # 10 minutes (the figure RELIABILITY.md quotes)
    python tests/soak/soak.py --seconds 60    # a quick look

Processes (all real ``coho`` processes on 127.0.0.1): members m0, m1, m2 of one cohort; a daemon attached to
m0 hosting the folder monitor (``landing/``), the archive monitor (``archives/``) and the SQLite connector
(``demo.db``). For the whole run the script keeps a bounded churn going:

- files created, rewritten, renamed and deleted in ``landing/`` (at most ``--files`` files exist at once);
- tables added and dropped in ``demo.db``;
- entities added and updated at m1 and m2, which replicate to m0 (and on to each other).

After a warm-up it samples each process's resident memory (VmRSS, and RssAnon: the heap), open file
descriptors and, for the servers, the size of their SQLite files, every 15 s.

Unless ``--retention N`` sets the servers' ``store.change_log_retention`` (and ``--history-minutes``,
``--deleted-minutes`` and ``--audit-records`` their history, deleted-instance and audit retention), the change
log keeps every change (and every superseded version, soft-deleted instance and audit record) and their data
grows for the whole run, and SQLite's page caches (up to 128 MiB for the writer connection, 32
MiB per reader) grow with the pages written and read: that memory is bounded by configuration, not leaked.
(Measured in-process under tracemalloc, the Python heap of a server, alone or in a cohort, stays flat at 1-3
MiB under the same kind of churn while RssAnon tracks the repository's size.) So a process fails when its heap
grew by more than ``--rss-growth`` of its post-warm-up heap (default 25%, at least 16 MiB, as allocator arenas
settle) plus ``CACHE_FACTOR`` times the growth of its data files, or its descriptor count grew by more than 8.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: cohotest when run as a script

import grpc
from cohotest import CohoProcess, free_port, write_yaml

from coho.client import connect
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

ADMIN = "soak-admin-token-0123"
PEER = "soak-peer-token-01234"
DAEMON = "soak-daemon-token-012"
DAEMON_ADMIN = "soak-daemon-admin-012"
COHORT = "soak"
POOL = 1000
CACHE_FACTOR = 3
"""A page of new data may sit in the writer's cache and in reader caches: at most this many copies."""
"""Entities created at the cohort members (then only updated)."""
MiB = 1024 * 1024


@dataclass
class Samples:
    name: str
    pid: int
    rss: list[int] = field(default_factory=list)
    anon: list[int] = field(default_factory=list)
    """RssAnon: the heap, including SQLite's page caches (the rest of RSS is mapped files: code, mmap'd db)."""
    fds: list[int] = field(default_factory=list)
    data_dir: Path | None = None
    data: list[int] = field(default_factory=list)
    """Bytes of the SQLite files in the data dir (database and WAL)."""

    def take(self) -> None:
        status = dict(line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines())
        self.rss.append(int(status["VmRSS"].split()[0]) * 1024)
        self.anon.append(int(status["RssAnon"].split()[0]) * 1024)
        self.fds.append(len(list(Path(f"/proc/{self.pid}/fd").iterdir())))
        files = [f for f in self.data_dir.iterdir() if ".db" in f.name] if self.data_dir is not None else []
        self.data.append(sum(f.stat().st_size for f in files if f.exists()))

    def row(self) -> str:
        return (f"{self.name:<8} RSS {self.rss[0] / MiB:7.1f} -> {self.rss[-1] / MiB:7.1f} MiB "
                f"(max {max(self.rss) / MiB:7.1f}, median {statistics.median(self.rss) / MiB:7.1f}; "
                f"anon {self.anon[0] / MiB:.1f} -> {self.anon[-1] / MiB:.1f}; "
                f"data {self.data[0] / MiB:.1f} -> {self.data[-1] / MiB:.1f}); "
                f"fds {self.fds[0]} -> {self.fds[-1]} (max {max(self.fds)})")

    def verdict(self, growth: float) -> str | None:
        data_growth = max(self.data[-1] - self.data[0], 0)
        allowed = max(self.anon[0] * growth, 16 * MiB) + CACHE_FACTOR * data_growth
        grew = self.anon[-1] - self.anon[0]
        if grew > allowed:
            return (f"{self.name}: heap grew {grew / MiB:.1f} MiB while its data grew {data_growth / MiB:.1f} MiB "
                    f"(allowed {allowed / MiB:.1f})")
        if self.fds[-1] - self.fds[0] > 8:
            return f"{self.name}: file descriptors grew from {self.fds[0]} to {self.fds[-1]}"
        return None


def server_config(directory: Path, name: str, port: int, seed: int | None, store: dict[str, object]) -> Path:
    """``store`` holds the store section's settings, and under "audit" the audit section's."""
    store = dict(store)
    audit = store.pop("audit", None)
    return write_yaml(directory / f"{name}.yaml", {
        **({"store": store} if store else {}),
        **({"audit": audit} if audit else {}),
        "server_name": name, "listen": f"127.0.0.1:{port}", "data_dir": str(directory / f"data-{name}"),
        "auth": {"tokens": {ADMIN: {"user": "soak", "roles": ["admin"]}, PEER: {"user": "peer", "roles": ["peer"]},
                            DAEMON: {"user": "soak-daemon", "roles": ["connector"]}}},
        "shutdown_grace_seconds": 1,
        "cohorts": [{"name": COHORT, "seeds": [f"127.0.0.1:{seed}"] if seed else [], "token": PEER,
                     "heartbeat_seconds": 1.0, "reconnect_max_seconds": 2.0}],
    })


def daemon_config(directory: Path, server_address: str) -> Path:
    def connector(name: str, entry_point: str, **properties: str) -> dict[str, object]:
        return {"name": name, "entry_point": entry_point, "refresh_interval_seconds": 30,
                "metadata_source": f"soak:{name}", "configuration_properties": properties}

    return write_yaml(directory / "daemon.yaml", {
        "daemon_name": "soak-daemon", "listen": "127.0.0.1:0", "user": "soak-daemon",
        "server": {"address": server_address, "token": DAEMON},
        "auth": {"tokens": {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]}}},
        "integration_services": [
            {"name": "files-integrator", "kind": "files", "connectors": [
                connector("landing", "coho.daemon.connectors.files:FolderMonitor", folder=str(directory / "landing")),
                connector("archives", "coho.daemon.connectors.archives:ArchiveMonitor",
                          folder=str(directory / "archives"))]},
            {"name": "database-integrator", "kind": "database", "connectors": [
                connector("demo-db", "coho.daemon.connectors.sqlite_db:SQLiteDatabaseConnector",
                          database=str(directory / "demo.db"))]},
        ],
        "shutdown_grace_seconds": 2,
    })


def churn_one_file(landing: Path, rng: random.Random, limit: int) -> None:
    files = sorted(landing.glob("*.csv"))
    roll = rng.random()
    if len(files) < limit and (roll < 0.4 or not files):
        (landing / f"f-{uuid.uuid4().hex[:12]}.csv").write_text("id,value\n" + "1,2\n" * rng.randint(1, 50))
    elif roll < 0.7:
        rng.choice(files).write_text("id,value\n" + "3,4\n" * rng.randint(1, 50))
    elif roll < 0.85:
        rng.choice(files).rename(landing / f"r-{uuid.uuid4().hex[:12]}.csv")
    else:
        rng.choice(files).unlink()


async def file_churn(landing: Path, rng: random.Random, limit: int, until: float) -> int:
    changes = 0
    while time.monotonic() < until:
        await asyncio.to_thread(churn_one_file, landing, rng, limit)
        changes += 1
        await asyncio.sleep(0.1)
    return changes


def churn_one_table(database: Path, rng: random.Random) -> None:
    with contextlib.closing(sqlite3.connect(database)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 't_%'")]
        if len(tables) < 20 and (rng.random() < 0.6 or not tables):
            db.execute(f"CREATE TABLE t_{uuid.uuid4().hex[:8]} (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        else:
            db.execute(f"DROP TABLE {rng.choice(tables)}")
        db.commit()


async def table_churn(database: Path, rng: random.Random, until: float) -> int:
    changes = 0
    while time.monotonic() < until:
        await asyncio.to_thread(churn_one_table, database, rng)
        changes += 1
        await asyncio.sleep(2.0)
    return changes


async def cohort_churn(addresses: list[str], rng: random.Random, until: float) -> int:
    def value(text: str) -> instances_pb2.PropertyValue:
        return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=text))

    changes = 0
    async with contextlib.AsyncExitStack() as stack:
        stubs = [mcs_grpc.MetadataCollectionServiceStub(await stack.enter_async_context(connect(a, ADMIN)))
                 for a in addresses]
        # A fixed pool of entities, created first (during the warm-up), then only updated: the data stays
        # bounded, so the SQLite page caches reach their steady size and any later growth is the process's own.
        pool: list[tuple[int, str]] = []
        while time.monotonic() < until:
            index = rng.randrange(len(stubs))
            try:
                if len(pool) >= POOL:
                    at, guid = rng.choice(pool)
                    await stubs[at].UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
                        guid=guid, merge=True, properties=instances_pb2.InstanceProperties(
                            properties={"description": value(uuid.uuid4().hex)})), timeout=10)
                else:
                    reply = await stubs[index].AddEntities(mcs.AddEntitiesRequest(entities=[
                        mcs.NewEntity(type_name="DataFile", properties=instances_pb2.InstanceProperties(
                            properties={"qualifiedName": value(f"soak-{uuid.uuid4()}")})) for _ in range(20)]),
                        timeout=10)
                    pool.extend((index, e.header.guid) for e in reply.entities)
                changes += 1
            except grpc.aio.AioRpcError as err:
                raise AssertionError(f"cohort write failed: {err.code().name} {err.details()}") from err
            await asyncio.sleep(0.2)
    return changes


def seed_files(directory: Path) -> None:
    (directory / "landing").mkdir()
    (directory / "archives").mkdir()
    for i in range(100):
        (directory / "landing" / f"seed-{i:03d}.csv").write_text("id\n1\n")
    with contextlib.closing(sqlite3.connect(directory / "demo.db")) as db:
        db.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.execute("CREATE VIEW customer_names AS SELECT name FROM customer")
        db.commit()
    shared = Path(__file__).resolve().parents[3] / "shared" / "egeria" / "SimpleCatalog.omarchive"
    if shared.exists():
        (directory / "archives" / shared.name).write_bytes(shared.read_bytes())


async def soak(directory: Path, seconds: float, warmup: float, files: int, growth: float, seed: int,
               store: dict[str, object] | None = None) -> int:
    rng = random.Random(seed)
    await asyncio.to_thread(seed_files, directory)
    ports = [free_port() for _ in range(3)]
    processes: list[CohoProcess] = []
    try:
        for i, port in enumerate(ports):
            processes.append(CohoProcess(["server", "--config", str(server_config(
                directory, f"m{i}", port, None if i == 0 else ports[0], store or {}))], cwd=directory))
        addresses = [p.wait_serving(timeout=60) for p in processes]
        processes.append(CohoProcess(["daemon", "--config", str(daemon_config(directory, addresses[0]))],
                                     cwd=directory))
        processes[-1].wait_serving(timeout=60)
        samples = [Samples(name, p.proc.pid, data_dir=directory / f"data-{name}" if name != "daemon" else None)
                   for name, p in zip(("m0", "m1", "m2", "daemon"), processes, strict=True)]
        until = time.monotonic() + warmup + seconds
        churn = asyncio.gather(file_churn(directory / "landing", rng, files, until),
                               table_churn(directory / "demo.db", rng, until),
                               cohort_churn(addresses[1:], rng, until))
        await asyncio.sleep(warmup)
        while time.monotonic() < until:
            for s in samples:
                s.take()
            await asyncio.sleep(min(15.0, max(0.0, until - time.monotonic())))
        for s in samples:
            s.take()
        file_changes, table_changes, cohort_changes = await churn
        for p in processes:
            if p.proc.poll() is not None:
                raise AssertionError(f"{p.args} exited early with {p.proc.returncode}:\n"
                                     + "\n".join(p.stderr_lines[-20:]))
        print(f"soak: {seconds:.0f} s after a {warmup:.0f} s warm-up; {file_changes} file changes, "
              f"{table_changes} table changes, {cohort_changes} cohort write calls")
        for s in samples:
            print("  " + s.row())
        failures = [v for s in samples if (v := s.verdict(growth))]
        for failure in failures:
            print("FAIL " + failure)
        exit_codes = [p.terminate() for p in reversed(processes)]
        if any(exit_codes):
            print(f"FAIL unclean exits: {exit_codes}")
            return 1
        print("PASS" if not failures else "FAIL")
        return 1 if failures else 0
    finally:
        for p in processes:
            p.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="measured duration (default 600)")
    parser.add_argument("--warmup", type=float, default=60.0, help="churn before the first sample (default 60)")
    parser.add_argument("--files", type=int, default=400, help="most files in landing/ at once")
    parser.add_argument("--rss-growth", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--retention", type=int, default=None,
                        help="the servers' store.change_log_retention (default: keep every change)")
    parser.add_argument("--history-minutes", type=float, default=None,
                        help="the servers' store.history_retention_days, in minutes (default: keep every version)")
    parser.add_argument("--deleted-minutes", type=float, default=None,
                        help="the servers' store.deleted_retention_days, in minutes (default: keep soft-deleted)")
    parser.add_argument("--audit-records", type=int, default=None,
                        help="the servers' audit.max_records (default: the server's, 1,000,000)")
    args = parser.parse_args()
    store: dict[str, object] = {}
    if args.retention:
        store["change_log_retention"] = args.retention
    if args.history_minutes:
        store["history_retention_days"] = args.history_minutes / 1440
    if args.deleted_minutes:
        store["deleted_retention_days"] = args.deleted_minutes / 1440
    if args.audit_records:
        store["audit"] = {"max_records": args.audit_records}
    with tempfile.TemporaryDirectory(prefix="coho-soak-") as tmp:
        return asyncio.run(soak(Path(tmp), args.seconds, args.warmup, args.files, args.rss_growth, args.seed,
                                store))


if __name__ == "__main__":
    sys.exit(main())
