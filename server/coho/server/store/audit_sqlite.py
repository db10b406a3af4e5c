"""The audit log's SQLite table, in its own file (``audit.db``) beside the repository.

A separate file, not a table in ``repository.db``: audit records are written from the event loop at any time
(auth failures, startup) and must never wait behind, or contend with, the repository's group-committing
writer, and a repository restore/compaction must not touch them.

Retention: the newest ``max_records`` records of each severity, none older than ``max_age_ms``. A client
retrying with a bad token writes a record per call, so without a bound the file would grow until the disk
is full. The bound is per severity so that one kind of record cannot push out the others: a busy cohort
writes thousands of COHORT records a minute, and they must not evict the SECURITY records of refused calls,
nor a flood of those the STARTUP and CONFIG records. Old records go as new ones arrive (every PRUNE_EVERY
inserts or PRUNE_SECONDS, and at open), at most PRUNE_STEP per severity and pass, so that no insert waits
behind one large DELETE: between passes a flood may overshoot the bound by up to PRUNE_EVERY records. With an
age bound, the server also asks for a pass every PRUNE_SECONDS (:meth:`SqliteAuditTable.prune_if_due`), so
records expire on a server where nothing new is recorded.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coho.server.store.open_errors import open_failure

AUDIT_DB_FILE = "audit.db"
PRUNE_EVERY = 1000
"""Inserts between two retention passes (a flood is pruned as it arrives)."""
PRUNE_SECONDS = 60.0
"""Time between two retention passes when records arrive slowly."""
PRUNE_STEP = 10_000
"""Records one pass deletes at most; a pass that hit it runs again at the next insert."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    component TEXT NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    user_id TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log(time_ms);
CREATE INDEX IF NOT EXISTS audit_log_severity ON audit_log(severity, id);
"""


@dataclass(frozen=True)
class AuditRow:
    id: int
    time_ms: int
    severity: int
    component: str
    action: str
    message: str
    user_id: str
    details: dict[str, str]


@dataclass(frozen=True)
class AuditQuery:
    """Newest first; ``before_id`` is the paging cursor (0: from the newest)."""

    severities: frozenset[int] = frozenset()
    component: str = ""
    action: str = ""
    from_ms: int | None = None
    to_ms: int | None = None
    limit: int = 100
    before_id: int = 0


class SqliteAuditTable:
    """Inserts (and retention passes) go through one connection guarded by a lock: they are tiny, so no
    writer thread. Queries have a connection of their own: a filter that matches little may walk the whole
    table, and in WAL mode that read neither blocks the inserts nor waits for them, so it can run off the
    event loop while records keep arriving on it."""

    def __init__(self, data_dir: Path, *, max_records: int | None = None, max_age_ms: int | None = None) -> None:
        self._max_records = max_records
        self._max_age_ms = max_age_ms
        self._inserts_since_prune = 0
        self._next_prune = 0.0
        path = data_dir / AUDIT_DB_FILE
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise open_failure(path, exc) from exc
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            self._conn.close()
            raise open_failure(path, exc) from exc
        self._lock = threading.Lock()
        try:
            self._reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._reader.execute("PRAGMA query_only=ON")
        except (sqlite3.Error, OSError) as exc:
            self._conn.close()
            raise open_failure(path, exc) from exc
        self._read_lock = threading.Lock()
        # Records per severity, kept as records come and go, so a pass knows what is over its bound.
        self._counts: dict[int, int] = dict(
            self._conn.execute("SELECT severity, COUNT(*) FROM audit_log GROUP BY severity").fetchall())
        with self._lock:
            self._prune()

    def insert(self, row: AuditRow) -> int:
        """Insert ``row`` (its id is ignored); returns the new id."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO audit_log (time_ms, severity, component, action, message, user_id, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.time_ms,
                    row.severity,
                    row.component,
                    row.action,
                    row.message,
                    row.user_id,
                    json.dumps(row.details, sort_keys=True),
                ),
            )
            self._counts[row.severity] = self._counts.get(row.severity, 0) + 1
            self._inserts_since_prune += 1
            if self._inserts_since_prune >= PRUNE_EVERY or time.monotonic() >= self._next_prune:
                self._prune()
            return int(cursor.lastrowid or 0)

    def prune_if_due(self) -> None:
        """A retention pass if PRUNE_SECONDS have gone by since the last: an idle server's records must still
        age out (records arriving run passes themselves)."""
        with self._lock:
            if time.monotonic() >= self._next_prune:
                self._prune()

    def _prune(self) -> None:
        """One bounded retention pass (under the lock)."""
        self._inserts_since_prune = 0
        self._next_prune = time.monotonic() + PRUNE_SECONDS
        full = False
        if self._max_age_ms is not None:
            cutoff = time.time_ns() // 1_000_000 - self._max_age_ms
            full = self._delete("time_ms < ?", cutoff, PRUNE_STEP) >= PRUNE_STEP
        if self._max_records is not None:
            for severity, count in list(self._counts.items()):
                excess = min(count - self._max_records, PRUNE_STEP)
                if excess > 0:
                    full = self._delete("severity = ?", severity, excess) >= PRUNE_STEP or full
        if full:
            self._inserts_since_prune = PRUNE_EVERY  # more to go: another pass at the next insert

    def _delete(self, condition: str, value: int, limit: int) -> int:
        """Delete the oldest ``limit`` records matching ``condition``, keeping the counts; returns how many."""
        gone = self._conn.execute(
            f"DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE {condition} ORDER BY id LIMIT ?) "
            "RETURNING severity", (value, limit)).fetchall()
        for (severity,) in gone:
            self._counts[severity] -= 1
        return len(gone)

    def query(self, query: AuditQuery) -> list[AuditRow]:
        where: list[str] = []
        params: list[Any] = []
        if query.severities:
            where.append(f"severity IN ({', '.join('?' * len(query.severities))})")
            params.extend(sorted(query.severities))
        for column, value in (("component", query.component), ("action", query.action)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if query.from_ms is not None:
            where.append("time_ms >= ?")
            params.append(query.from_ms)
        if query.to_ms is not None:
            where.append("time_ms <= ?")
            params.append(query.to_ms)
        if query.before_id:
            where.append("id < ?")
            params.append(query.before_id)
        sql = "SELECT id, time_ms, severity, component, action, message, user_id, details FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(query.limit)
        with self._read_lock:
            rows = self._reader.execute(sql, params).fetchall()
        return [AuditRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7])) for r in rows]

    def counts(self) -> dict[int, int]:
        """Records kept per severity (from memory: no read), for metrics."""
        with self._lock:
            return {severity: count for severity, count in self._counts.items() if count > 0}

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._conn.close()
