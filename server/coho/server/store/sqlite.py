"""The SQLite home repository store (DESIGN §4): one file ``DATA_DIR/repository.db`` in WAL mode.

Writes go through the group-commit writer (:mod:`coho.server.store.writer`); reads use one connection per
thread, and a read that runs several statements runs them in one read transaction, i.e. one WAL snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.errors import FailedPrecondition, InvalidArgument, OutOfRange, Unavailable
from coho.server.store import retention as retention_module
from coho.server.store import sqlite_find
from coho.server.store.base import (
    AnnexRecord,
    ChangeAnnexer,
    ChangeKind,
    ChangeMeta,
    ChangeRecord,
    Counts,
    HistoryQuery,
    InstanceFilter,
    LinkEnds,
    LinkQuery,
    Page,
    Store,
    WriteTxn,
)
from coho.server.store.history import check_as_of, check_history_kept, history_page
from coho.server.store.open_errors import open_failure, probe_write_lock
from coho.server.store.paging import page_size_of
from coho.server.store.retention import Retention
from coho.server.store.sqlite_checkpoint import Checkpointer
from coho.server.store.sqlite_index import names_to_open, reconcile
from coho.server.store.sqlite_rows import stored_entities
from coho.server.store.sqlite_schema import DB_FILE, connect_reader, connect_writer, migrate
from coho.server.store.sqlite_txn import FLOOR_KEY, SqliteWriteTxn
from coho.server.store.sqlite_unique import DELETED, find_by_unique
from coho.server.store.values import DEFAULT_INDEXED, Names
from coho.server.store.writer import GroupCommitWriter

log = logging.getLogger(__name__)
T = TypeVar("T")
COLLECTION_ID_KEY = "coho.store.metadata_collection_id"
REQUEST_RETENTION_SECONDS = 7 * 86400
"""How long a reply is kept for an idempotent retry (a request_id), unless configured otherwise."""

_CHANGE_COLUMNS = (
    "sequence, event, guid, type_name, kind, user_id, connector_id, refresh_id, metadata_source, access_service, time"
)


def open_sqlite_store(
    data_dir: Path,
    *,
    metadata_collection_id: str | None = None,
    retention: int | None = None,
    retention_age_seconds: float | None = None,
    request_retention_seconds: float | None = REQUEST_RETENTION_SECONDS,
    history_retention_seconds: float | None = None,
    synchronous: str = "NORMAL",
    indexed_properties: Names | object = DEFAULT_INDEXED,
) -> SqliteStore:
    """Open (creating if needed) ``data_dir/repository.db``.

    The metadata collection id is generated (uuid4) on first open and kept; passing a different one later
    is FailedPrecondition COLLECTION_ID_MISMATCH rather than a silent identity change, which would orphan
    every home instance and confuse cohort peers. ``retention`` keeps at most that many change-log entries,
    ``retention_age_seconds`` none older than that, replies kept for idempotent retries expire after
    ``request_retention_seconds``, and superseded versions ``history_retention_seconds`` after they were
    superseded (see :mod:`.retention`; None: never).
    ``indexed_properties`` names the top-level (and classification) properties kept in the SQL index (None:
    all); searches on other properties are exact but scan. Opening with a different set rebuilds the index;
    ``sqlite_index.KEEP_STORED`` opens with the set recorded by the last open.
    """
    if retention is not None and retention < 1:
        raise InvalidArgument(message="retention must be at least 1", reason="BAD_RETENTION")
    ages = {"retention_age_seconds": retention_age_seconds, "request_retention_seconds": request_retention_seconds,
            "history_retention_seconds": history_retention_seconds}
    for name, seconds in ages.items():
        if seconds is not None and not seconds > 0:
            raise InvalidArgument(message=f"{name} must be positive", reason="BAD_RETENTION")
    policy = Retention(max_entries=retention, max_age_ms=_ms(retention_age_seconds),
                       request_max_age_ms=_ms(request_retention_seconds),
                       history_max_age_ms=_ms(history_retention_seconds))
    path = data_dir / DB_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        conn = connect_writer(path, synchronous)
    except (sqlite3.Error, OSError) as exc:
        raise open_failure(path, exc) from exc
    try:
        probe_write_lock(conn, path)
        migrate(conn)
        collection_id = _collection_id(conn, metadata_collection_id)
        indexed = names_to_open(conn, indexed_properties, DEFAULT_INDEXED)
        reconcile(conn, indexed)
        floor_row = conn.execute("SELECT value FROM state WHERE key = ?", (FLOOR_KEY,)).fetchone()
        floor = int(floor_row[0]) if floor_row else 0
        max_row = conn.execute("SELECT MAX(sequence) FROM change_log").fetchone()
        head = max(int(max_row[0] or 0), floor - 1, 0)
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise open_failure(path, exc) from exc
    except BaseException:
        conn.close()
        raise
    return SqliteStore(
        path, conn, collection_id, head=head, floor=floor, retention=policy, indexed=indexed
    )


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else max(1, int(seconds * 1000))


def _collection_id(conn: sqlite3.Connection, requested: str | None) -> str:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (COLLECTION_ID_KEY,)).fetchone()
    if row is not None:
        stored = bytes(row[0]).decode()
        if requested is not None and requested != stored:
            raise FailedPrecondition(
                message=f"repository was created with metadata collection id {stored}, not {requested}",
                reason="COLLECTION_ID_MISMATCH",
                metadata={"stored": stored, "requested": requested},
            )
        return stored
    collection_id = requested or str(uuid.uuid4())
    conn.execute("INSERT INTO state VALUES (?, ?)", (COLLECTION_ID_KEY, collection_id.encode()))
    return collection_id


class SqliteStore(Store):
    """:class:`Store` on one SQLite file."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        metadata_collection_id: str,
        *,
        head: int,
        floor: int,
        retention: Retention,
        indexed: Names = None,
    ) -> None:
        self.path = path
        self.metadata_collection_id = metadata_collection_id
        self.indexed = indexed
        self._txn = SqliteWriteTxn(conn, head=head, floor=floor, retention=retention, indexed=indexed)
        self._writer_conn = conn
        self._checkpointer = Checkpointer(path)
        self._txn.on_commit = self._checkpointer.committed
        self._writer = GroupCommitWriter(conn, self._txn, path=path, idle_seconds=retention_module.IDLE_CHECK_SECONDS)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        # Reads in progress, so close can wait for them: closing a sqlite3 connection while another thread
        # runs a statement on it crashes the process (seen when the Out Topic read during shutdown).
        self._read_gate = threading.Condition()
        self._active_reads = 0

    # -- writing ----------------------------------------------------------------------------------------
    async def write(self, op: Callable[[WriteTxn], T]) -> T:
        result: T = await self._writer.submit_async(op)
        return result

    def write_sync(self, op: Callable[[WriteTxn], T]) -> T:
        if self._writer.on_writer_thread():
            raise RuntimeError("write_sync called from inside a write operation (it would deadlock)")
        result: T = self._writer.submit(op).result()
        return result

    def queue_depth(self) -> int:
        """Write operations waiting for the writer (a metric)."""
        return self._writer.queue_depth()

    @property
    def commit_count(self) -> int:
        """Transactions committed by the writer since open (each group commit counts once)."""
        return self._writer.commits

    # -- reading ----------------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("store is closed")
            conn = connect_reader(self.path)
            with self._readers_lock:
                self._readers.append(conn)
            self._local.conn = conn
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise Unavailable(message="the repository is closed", reason="STORE_CLOSED")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's reader connection for one read, counted so that close waits for it."""
        with self._read_gate:
            self._check_open()
            self._active_reads += 1
        try:
            yield self._reader()
        finally:
            with self._read_gate:
                self._active_reads -= 1
                if self._active_reads == 0:
                    self._read_gate.notify_all()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so every statement of a read sees the same committed state."""
        with self._reading() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def _one(self, sql: str, params: Sequence[object]) -> Any:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchone()

    def get_entity(self, guid: str, as_of_ms: int | None = None) -> instances_pb2.EntityDetail | None:
        body = self._versioned("entity", guid, as_of_ms, "AND is_proxy = 0")
        return None if body is None else instances_pb2.EntityDetail.FromString(body)

    def get_proxy(self, guid: str) -> instances_pb2.EntityProxy | None:
        row = self._one("SELECT body FROM entity WHERE guid = ? AND is_proxy = 1", (guid,))
        return None if row is None else instances_pb2.EntityProxy.FromString(row[0])

    def get_relationship(self, guid: str, as_of_ms: int | None = None) -> instances_pb2.Relationship | None:
        body = self._versioned("relationship", guid, as_of_ms, "")
        return None if body is None else instances_pb2.Relationship.FromString(body)

    def _versioned(self, table: str, guid: str, as_of_ms: int | None, extra: str) -> bytes | None:
        """The body current at as_of_ms: the current row if it was already current, else history."""
        if as_of_ms is None:
            row = self._one(f"SELECT body FROM {table} WHERE guid = ? {extra}", (guid,))
            return None if row is None else bytes(row[0])
        with self._snapshot() as conn:
            row = conn.execute(
                f"SELECT body FROM {table} WHERE guid = ? AND update_time <= ? {extra}", (guid, as_of_ms)
            ).fetchone()
            if row is None:
                row = conn.execute(
                    f"SELECT body FROM {table}_history WHERE guid = ? AND valid_from <= ? AND valid_to > ? "
                    "ORDER BY valid_from DESC LIMIT 1",
                    (guid, as_of_ms, as_of_ms),
                ).fetchone()
            if row is None:
                check_history_kept(conn, table, guid, as_of_ms, extra, instant=True)
        return None if row is None else bytes(row[0])

    def entity_history(self, query: HistoryQuery) -> Page[instances_pb2.EntityDetail]:
        page = self._history("entity", query, "AND is_proxy = 0")
        items = [instances_pb2.EntityDetail.FromString(body) for body in page.items]
        return Page(items=items, next_page_token=page.next_page_token)

    def relationship_history(self, query: HistoryQuery) -> Page[instances_pb2.Relationship]:
        page = self._history("relationship", query, "")
        items = [instances_pb2.Relationship.FromString(body) for body in page.items]
        return Page(items=items, next_page_token=page.next_page_token)

    def _history(self, table: str, query: HistoryQuery, extra: str) -> Page[bytes]:
        size = page_size_of(query.page_size)
        with self._snapshot() as conn:
            return history_page(conn, table, query, size, extra)

    def find_entities(self, query: InstanceFilter) -> Page[instances_pb2.EntityDetail]:
        with self._snapshot() as conn:
            if query.as_of_ms is not None:
                check_as_of(conn, query.as_of_ms)
            return sqlite_find.find(conn, "entity", query, self.indexed)

    def find_relationships(self, query: InstanceFilter) -> Page[instances_pb2.Relationship]:
        with self._snapshot() as conn:
            if query.as_of_ms is not None:
                check_as_of(conn, query.as_of_ms)
            return sqlite_find.find(conn, "relationship", query, self.indexed)

    def deleted_before(self, kind: ChangeKind, home_id: str, before_ms: int, limit: int) -> list[str]:
        table, extra = ("entity", "AND is_proxy = 0") if kind == "entity" else ("relationship", "")
        # On the partial index of soft-deleted rows (schema v4): the live rows are never read. The literal
        # 99 (DELETED) lets SQLite match the query to that index's WHERE clause.
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT guid FROM {table} WHERE status = 99 AND update_time < ? AND home_id = ? {extra} "
                "ORDER BY update_time LIMIT ?", (before_ms, home_id, limit)).fetchall()
        return [row[0] for row in rows]

    def find_by_unique(self, type_names: Sequence[str], property_name: str, value: str) -> str | None:
        with self._reading() as conn:
            return find_by_unique(conn, type_names, property_name, value, self.indexed)

    def get_entities(self, guids: Sequence[str]) -> dict[str, instances_pb2.EntityDetail]:
        if not guids:
            return {}
        with self._batch(len(guids)) as conn:
            return stored_entities(conn, list(guids))

    def find_links(self, query: LinkQuery) -> list[LinkEnds]:
        with self._batch(len(query.entity_guids)) as conn:
            return sqlite_find.find_links(conn, query)

    def _batch(self, count: int) -> AbstractContextManager[sqlite3.Connection]:
        """A batch that fits one statement is its own snapshot; only a longer one pays for BEGIN/COMMIT."""
        return self._snapshot() if count > sqlite_find.IN_CHUNK else self._reading()

    # -- change log -------------------------------------------------------------------------------------
    def read_changes(self, after_sequence: int, limit: int) -> list[ChangeRecord]:
        if limit < 0:
            raise InvalidArgument(message="limit must not be negative", reason="BAD_LIMIT")
        with self._snapshot() as conn:
            _check_floor(conn, after_sequence)
            rows = conn.execute(
                f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE sequence > ? ORDER BY sequence LIMIT ?",
                (after_sequence, limit),
            ).fetchall()
        return [_change_record(row) for row in rows]

    def read_annexes(self, after_sequence: int, limit: int) -> list[AnnexRecord]:
        if limit < 0:
            raise InvalidArgument(message="limit must not be negative", reason="BAD_LIMIT")
        with self._snapshot() as conn:
            _check_floor(conn, after_sequence)
            rows = conn.execute(
                "SELECT sequence, guid, type_name, access_service, annex_tag, annex FROM change_log "
                "WHERE sequence > ? ORDER BY sequence LIMIT ?",
                (after_sequence, limit),
            ).fetchall()
        return list(map(AnnexRecord._make, rows))

    def read_annex_frames(self, after_sequence: int, limit: int) -> list[tuple[int, bytes | None]]:
        """(sequence, annex) of the next entries: what an unfiltered catch-up reads, without the columns it
        ignores and without building an AnnexRecord per row."""
        if limit < 0:
            raise InvalidArgument(message="limit must not be negative", reason="BAD_LIMIT")
        with self._snapshot() as conn:
            _check_floor(conn, after_sequence)
            return conn.execute(
                "SELECT sequence, annex FROM change_log WHERE sequence > ? ORDER BY sequence LIMIT ?",
                (after_sequence, limit),
            ).fetchall()

    def add_commit_listener(self, listener: Callable[[int], None]) -> None:
        # Copy-on-write so the writer thread never iterates a list being appended to.
        self._txn.commit_listeners = [*self._txn.commit_listeners, listener]

    def set_change_annexer(self, annexer: ChangeAnnexer | None) -> None:
        self._txn.annexer = annexer

    def changes_for_refresh(self, refresh_id: str, after_sequence: int = 0, limit: int = -1) -> list[ChangeRecord]:
        if not refresh_id:
            return []
        # Paged on the (refresh_id, sequence) index: a report over a 20k-element first sync reads each entry
        # once, not the whole refresh again for every page. Below the floor some of the refresh's entries may
        # be gone, so that is OUT_OF_RANGE as for read_changes: a report must not undercount in silence.
        with self._snapshot() as conn:
            _check_floor(conn, after_sequence)
            rows = conn.execute(
                f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE refresh_id = ? AND sequence > ? "
                "ORDER BY sequence LIMIT ?", (refresh_id, after_sequence, limit)
            ).fetchall()
        return [_change_record(row) for row in rows]

    def head_sequence(self) -> int:
        # One statement is one snapshot: every read RPC's header asks this, so no BEGIN/COMMIT round trip.
        top, floor = self._one(
            "SELECT (SELECT MAX(sequence) FROM change_log), (SELECT value FROM state WHERE key = ?)", (FLOOR_KEY,)
        )
        return max(int(top or 0), int(floor or 0) - 1, 0)

    # The floors come from the writer's memory (committed values only), not from a read: the event loop asks
    # for them on Out Topic and cohort paths, and metrics scrapes from their own thread.
    def floor_sequence(self) -> int:
        self._check_open()
        return self._txn.committed_floor

    def history_floor_ms(self) -> int:
        self._check_open()
        return self._txn.committed_history_floor_ms

    def compact_changes(self, keep_after_sequence: int) -> int:
        # Runs on the writer like any write; it is a short DELETE, so blocking the caller briefly is fine.
        result: int = self.write_sync(lambda txn: txn.compact(keep_after_sequence))  # type: ignore[attr-defined]
        return result

    # -- types, state, admin ----------------------------------------------------------------------------
    def load_types(self) -> typedefs_pb2.TypeDefGallery:
        gallery = typedefs_pb2.TypeDefGallery()
        with self._snapshot() as conn:
            for (body,) in conn.execute("SELECT body FROM attribute_type_def ORDER BY name"):
                gallery.attribute_type_defs.add().MergeFromString(body)
            for (body,) in conn.execute("SELECT body FROM type_def ORDER BY name"):
                gallery.type_defs.add().MergeFromString(body)
        return gallery

    def get_state(self, key: str) -> bytes | None:
        row = self._one("SELECT value FROM state WHERE key = ?", (key,))
        return None if row is None else bytes(row[0])

    def counts(self) -> Counts:
        with self._snapshot() as conn:
            entities, proxies, entity_copies, deleted_entities = conn.execute(
                "SELECT COALESCE(SUM(is_proxy = 0), 0), COALESCE(SUM(is_proxy = 1), 0), "
                "COALESCE(SUM(is_proxy = 0 AND home_id != ?), 0), COALESCE(SUM(is_proxy = 0 AND status = ?), 0) "
                "FROM entity",
                (self.metadata_collection_id, DELETED),
            ).fetchone()
            relationships, relationship_copies, deleted_relationships = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(home_id != ?), 0), COALESCE(SUM(status = ?), 0) FROM relationship",
                (self.metadata_collection_id, DELETED),
            ).fetchone()
            type_defs = conn.execute("SELECT COUNT(*) FROM type_def").fetchone()[0]
            attribute_type_defs = conn.execute("SELECT COUNT(*) FROM attribute_type_def").fetchone()[0]
        return Counts(
            entities=int(entities),
            relationships=int(relationships),
            entity_proxies=int(proxies),
            reference_copies=int(entity_copies) + int(relationship_copies),
            type_defs=int(type_defs),
            attribute_type_defs=int(attribute_type_defs),
            deleted_entities=int(deleted_entities),
            deleted_relationships=int(deleted_relationships),
        )

    def integrity_check(self) -> str:
        with self._reading() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    # -- closing ----------------------------------------------------------------------------------------
    async def close(self) -> None:
        # Draining may take a moment; do it off the event loop.
        await asyncio.to_thread(self.close_sync)

    def close_sync(self, read_drain_seconds: float = 10.0) -> None:
        with self._read_gate:
            if self._closed:
                return
            self._closed = True
            # New reads now fail with UNAVAILABLE; wait (bounded) for the ones in progress to finish.
            if not self._read_gate.wait_for(lambda: self._active_reads == 0, timeout=read_drain_seconds):
                log.warning("closing the store with %d reads still running", self._active_reads)
        self._writer.close()
        self._checkpointer.close()
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        # A clean close checkpoints the WAL into the main file, so the directory can be copied as is.
        with suppress(sqlite3.Error):
            self._writer_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._writer_conn.close()


def _floor(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (FLOOR_KEY,)).fetchone()
    return int(row[0]) if row else 0


def _check_floor(conn: sqlite3.Connection, after_sequence: int) -> None:
    floor = _floor(conn)
    if floor > 0 and after_sequence < floor - 1:
        raise OutOfRange(
            message=f"changes after {after_sequence} were compacted; the oldest retained is {floor}",
            reason="SEQUENCE_BELOW_FLOOR",
            metadata={"floor": str(floor), "after_sequence": str(after_sequence)},
        )


def _change_record(row: tuple[Any, ...]) -> ChangeRecord:
    sequence, event, guid, type_name, kind, user_id, connector_id, refresh_id, source, service, at = row
    return ChangeRecord(
        sequence=sequence,
        event=events_pb2.OmrsEvent.FromString(event),
        guid=guid,
        type_name=type_name,
        kind=kind,
        time_ms=at,
        meta=ChangeMeta(
            user_id=user_id,
            connector_id=connector_id,
            refresh_id=refresh_id or "",
            metadata_source=source,
            access_service=service,
        ),
    )
