"""The WriteTxn of the SQLite store: row operations run by the single writer.

Puts of instances, history versions and change-log entries are buffered in memory and written with
multi-row INSERTs once per group commit (:meth:`SqliteWriteTxn.batch_flush`), or earlier when an operation
reads something the buffers cannot answer or writes with SQL directly (so reads still see every earlier
write). A batch of 8 single adds thus costs a handful of statements, not 8 x (savepoint + 3 inserts).

Per-operation atomicity without a SAVEPOINT per operation: an operation's puts go to its own buffer and
join the batch's only when it returns, so a failing operation is undone by dropping its buffer. Only an
operation that needs SQL (a flushing read, a delete, a request record...) opens a savepoint, lazily, after
writing out the earlier operations' rows. Buffered rows cannot violate a constraint (ids and sequences are
ours, conflicts are resolved by the statements), so a failure writing them is a storage failure and fails
the whole batch, like a failed COMMIT.

Change-log sequences are assigned here, in memory, because only this one thread writes: an operation that
fails gives its sequences back (op_abort) and a failed batch rewinds to the last commit, so committed
sequences are gap-free.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.store.base import ChangeAnnexer, ChangeKind, ChangeMeta
from coho.server.store.history import history_floor as stored_history_floor
from coho.server.store.retention import HISTORY_FLOOR_KEY, Retention
from coho.server.store.sqlite_rows import (
    BODY,
    ID,
    IS_PROXY,
    TYPE_NAME,
    EntityEntry,
    entity_row,
    holds_live,
    insert_rows,
    stored_entities,
    stored_entity_rows,
    unindex,
    with_owner,
)
from coho.server.store.sqlite_rows import Buffer as _Buffer
from coho.server.store.sqlite_unique import DELETED, in_list, stored_unique, unique_matches
from coho.server.store.values import Names, ms, prop_rows, valid_from_ms

log = logging.getLogger(__name__)

__all__ = ["DELETED", "FLOOR_KEY", "SqliteWriteTxn", "entity_row", "in_list"]

FLOOR_KEY = "coho.store.change_floor"
"""State key of the change-log floor (oldest retained sequence; 0 when nothing was compacted)."""

_UPDATE_ENTITY = (
    "UPDATE entity SET type_name = ?, home_id = ?, is_proxy = ?, status = ?, version = ?, create_time = ?, "
    "update_time = ?, body = ? WHERE id = ?"
)

class SqliteWriteTxn:
    """Implements :class:`coho.server.store.base.WriteTxn` for the writer connection."""

    def __init__(
        self, conn: sqlite3.Connection, head: int, floor: int, retention: Retention | None, indexed: Names = None
    ) -> None:
        self._conn = conn
        self._retention = retention
        self.indexed = indexed
        """Property names kept in prop (None: all); fixed for the life of the database file."""
        # Sequences: committed (durable), batch (this transaction so far), op start (to undo one op).
        self._committed_head = self._head = self._op_head = head
        self._committed_floor = self._floor = self._op_floor = floor
        # The history floor as committed, and as this batch's housekeeping moved it (applied at commit).
        self._history_floor = self._pending_history_floor = stored_history_floor(conn)
        self._batch = _Buffer()
        self._op = _Buffer()
        self._in_op = False
        self._op_savepoint = False
        # (property, string value) -> GUIDs of unflushed puts, so find_by_unique needs no flush or scan;
        # built lazily from _unindexed, as pure batch loads never ask. Entries may be stale: callers verify.
        self._pending_values: dict[tuple[str, str], list[str]] = {}
        self._unindexed: list[str] = []
        # property -> value -> [(guid, type)] of stored rows, valid until SQL changes (see find_by_unique_many).
        self._stored_unique: dict[str, dict[str, list[tuple[str, str]]]] = {}
        row = conn.execute("SELECT MAX(id) FROM entity").fetchone()
        self._next_id = int(row[0] or 0) + 1
        # Set by SqliteStore; read only on the writer thread.
        self.commit_listeners: list[Callable[[int], None]] = []
        self.annexer: ChangeAnnexer | None = None
        self.on_commit: Callable[[], None] | None = None
        """Called after every commit (the store's background checkpointer)."""

    @property
    def committed_head(self) -> int:
        return self._committed_head

    @property
    def committed_floor(self) -> int:
        """The change-log floor as last committed (see FLOOR_KEY); read from any thread."""
        return self._committed_floor

    @property
    def committed_history_floor_ms(self) -> int:
        """The history floor as last committed (see HISTORY_FLOOR_KEY); read from any thread."""
        return self._history_floor

    # -- BatchParticipant -------------------------------------------------------------------------------
    def op_begin(self) -> None:
        self._op_head, self._op_floor = self._head, self._floor
        self._in_op, self._op_savepoint = True, False

    def op_end(self) -> None:
        """The operation returned: its rows join the batch's (and its savepoint, if any, is released)."""
        self._in_op = False
        self._batch.absorb(self._op)
        if self._op_savepoint:
            self._op_savepoint = False
            self._conn.execute("RELEASE op")

    def op_abort(self) -> None:
        self._in_op = False
        self._stored_unique.clear()
        self._op.clear()
        self._pending_values.clear()
        self._unindexed = list(self._batch.entities)
        self._head, self._floor = self._op_head, self._op_floor
        self._pending_history_floor = self._history_floor  # a failed housekeeping pass aborts like an op
        if self._op_savepoint:
            self._op_savepoint = False
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO op")
                self._conn.execute("RELEASE op")

    def batch_flush(self) -> None:
        """Write out the batch's buffered rows; before COMMIT. Raising fails the whole batch."""
        self._stored_unique.clear()
        self._write(self._batch)

    def batch_committed(self) -> None:
        if self.on_commit is not None:
            self.on_commit()
        advanced = self._head != self._committed_head
        self._committed_head, self._committed_floor = self._head, self._floor
        self._history_floor = self._pending_history_floor
        if advanced:
            for listener in self.commit_listeners:
                try:
                    listener(self._head)
                except Exception:
                    log.exception("commit listener failed")

    def batch_failed(self) -> None:
        self._stored_unique.clear()
        self._batch.clear()
        self._op.clear()
        self._pending_values.clear()
        self._unindexed.clear()
        self._in_op = self._op_savepoint = False
        self._head, self._floor = self._committed_head, self._committed_floor
        self._pending_history_floor = self._history_floor

    def housekeeping_due(self) -> bool:
        return self._retention is not None and self._retention.due(self._head, self._floor)

    def after_batch(self) -> None:
        # Runs in the writer's own savepoint, after batch_flush: an abort only rewinds the sequences.
        self._op_head, self._op_floor = self._head, self._floor
        if self._retention is not None:  # batch_flush has run: the batch's rows are in SQL
            keep_after = self._retention.keep_after(self._conn, self._head, self._floor)
            if keep_after > 0:
                self.compact(keep_after)
            self._retention.expire_requests(self._conn)
            history_floor = self._retention.expire_history(self._conn)
            if history_floor > 0:
                self._pending_history_floor = max(self._pending_history_floor, history_floor)
                self._conn.execute(
                    "INSERT INTO state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                    "MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                    (HISTORY_FLOOR_KEY, history_floor))

    # -- buffering --------------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Before SQL that must see (or be ordered after) buffered rows: write them all out.

        Inside an operation, the earlier operations' rows go first and then the operation's savepoint
        opens, so what the operation itself writes from here on can still be rolled back alone.
        """
        self._stored_unique.clear()  # the caller is about to change stored rows, or to write them out
        if self._in_op and not self._op_savepoint:
            self._write(self._batch)
            self._conn.execute("SAVEPOINT op")
            self._op_savepoint = True
        elif not self._in_op:
            self._write(self._batch)
        if self._op_savepoint:
            self._write_own(self._op)
        else:
            self._write(self._op)

    def _write(self, buffer: _Buffer) -> None:
        """Write rows of finished operations; any failure rolls the whole transaction back (the writer then
        fails the batch), as those operations were promised atomicity without savepoints of their own."""
        if not buffer:
            return
        try:
            self._write_own(buffer)
        except BaseException:
            buffer.clear()
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _write_own(self, buffer: _Buffer) -> None:
        cur = self._conn.cursor()
        if buffer.entities:
            self._flush_entities(cur, buffer.entities)
        if buffer.relationships:
            insert_rows(cur, "INSERT OR REPLACE INTO relationship", 10, list(buffer.relationships.values()))
        if buffer.entity_versions:
            insert_rows(cur, "INSERT INTO entity_history", 8, buffer.entity_versions)
        if buffer.relationship_versions:
            insert_rows(cur, "INSERT INTO relationship_history", 10, buffer.relationship_versions)
        if buffer.changes:
            insert_rows(cur, "INSERT INTO change_log", 13, buffer.changes)
        if buffer.requests:
            now = time.time_ns() // 1_000_000
            cur.executemany(
                "INSERT OR REPLACE INTO request VALUES (?,?,?,?)",
                [(request_id, user_id, response, now) for (request_id, user_id), response in buffer.requests.items()],
            )
        buffer.clear()
        if not self._batch.entities and not self._op.entities:
            self._pending_values.clear()
            self._unindexed.clear()

    def _flush_entities(self, cur: sqlite3.Cursor, entries: dict[str, EntityEntry]) -> None:
        """Insert new entities under the ids they were put with, update known ones in place (keeping their
        id), index them all.

        Inserting optimistically (ON CONFLICT DO NOTHING) saves a lookup per flush in the common case, a
        create; only when some GUID was already stored are those rows read back and updated.
        """
        inserted = insert_rows(
            cur, "INSERT INTO entity", 10, [entry[0] for entry in entries.values()], " ON CONFLICT(guid) DO NOTHING"
        )
        if inserted != len(entries):
            updates = []
            for guid, (owner, is_proxy, body) in stored_entity_rows(cur, list(entries)).items():
                entry = entries[guid]
                if owner != entry[0][ID]:  # stored before this flush: our insert was skipped
                    unindex(cur, owner, is_proxy, body, self.indexed)
                    entry = entries[guid] = with_owner(entry, owner)
                    updates.append((*entry[0][TYPE_NAME:], owner))
            cur.executemany(_UPDATE_ENTITY, updates)
        props = [row for entry in entries.values() for row in entry[1]]
        names = [(name, entry[0][ID]) for entry in entries.values() for name in entry[2]]
        # Each call releases and retakes the GIL, which costs the writer its turn under load: skip empty ones.
        if props:
            # In index order, each row's seek finds the path of the one before it still in the CPU cache and
            # often the same leaf: +8% on the bench's SQL floor when values scatter over the index (many
            # sources), +2-3% end to end.
            with contextlib.suppress(TypeError):  # a property held a number in one entity, text in another
                props.sort()
            insert_rows(cur, "INSERT OR IGNORE INTO prop", 4, props)
        if names:
            insert_rows(cur, "INSERT OR IGNORE INTO classification", 2, names)

    def _read(self, sql: str, params: Sequence[object]) -> list[Any]:
        self._flush()
        return self._conn.execute(sql, params).fetchall()

    def _read_one(self, sql: str, params: Sequence[object]) -> Any:
        self._flush()
        return self._conn.execute(sql, params).fetchone()

    def _pending(self, guid: str) -> EntityEntry | None:
        found = self._op.entities.get(guid)
        return found if found is not None else self._batch.entities.get(guid)

    # -- entities and proxies ---------------------------------------------------------------------------
    # Entity reads consult the unflushed puts first instead of flushing them, so that a batch which reads
    # between its puts (the repository checks uniqueness before each create) still writes in bulk.
    def _entity_body(self, guid: str, is_proxy: int) -> bytes | None:
        pending = self._pending(guid)
        if pending is not None:
            row = pending[0]
            return bytes(row[BODY]) if row[IS_PROXY] == is_proxy else None
        found = self._conn.execute(
            "SELECT body FROM entity WHERE guid = ? AND is_proxy = ?", (guid, is_proxy)
        ).fetchone()
        return None if found is None else bytes(found[0])

    def get_entity(self, guid: str) -> instances_pb2.EntityDetail | None:
        body = self._entity_body(guid, 0)
        return None if body is None else instances_pb2.EntityDetail.FromString(body)

    def get_entities(self, guids: Sequence[str]) -> dict[str, instances_pb2.EntityDetail]:
        found: dict[str, instances_pb2.EntityDetail] = {}
        stored: list[str] = []
        for guid in dict.fromkeys(guids):
            pending = self._pending(guid)
            if pending is None:
                stored.append(guid)
            elif not pending[0][IS_PROXY]:
                found[guid] = instances_pb2.EntityDetail.FromString(bytes(pending[0][BODY]))
        found.update(stored_entities(self._conn, stored))  # what is not buffered is in SQL: no flush needed
        return found

    def get_proxy(self, guid: str) -> instances_pb2.EntityProxy | None:
        body = self._entity_body(guid, 1)
        return None if body is None else instances_pb2.EntityProxy.FromString(body)

    def put_entity(self, entity: instances_pb2.EntityDetail) -> None:
        self._put_entity(entity.header, 0, entity.SerializeToString(), entity.properties, entity.classifications)

    def put_proxy(self, proxy: instances_pb2.EntityProxy) -> None:
        # Proxies are indexed too, so a search that includes proxies can still use the prop prefilter.
        self._put_entity(proxy.header, 1, proxy.SerializeToString(), proxy.unique_properties, proxy.classifications)

    def _put_entity(
        self,
        header: instances_pb2.InstanceHeader,
        is_proxy: int,
        body: bytes,
        properties: instances_pb2.InstanceProperties,
        classifications: Sequence[instances_pb2.Classification],
    ) -> None:
        # Ids are assigned here, so the prop rows are built with their owner in the same pass. Ids of
        # operations that fail, or of puts that replace a stored entity (which keeps its id), are skipped:
        # gaps are harmless, and ids still ascend, so new index rows keyed by them append.
        owner = self._next_id
        self._next_id = owner + 1
        guid = header.guid
        created = header.create_time
        created_ms = created.seconds * 1000 + created.nanos // 1_000_000
        updated = header.update_time  # unset: zero, and the create time stands in (as in valid_from_ms)
        updated_ms = updated.seconds * 1000 + updated.nanos // 1_000_000
        row = (
            owner,
            guid,
            header.type.type_def_name,
            header.metadata_collection_id,
            is_proxy,
            header.status,
            header.version,
            created_ms,
            updated_ms or created_ms,
            bytearray(body),  # see sqlite_rows: bytes would go through sqlite3's adapter lookup
        )
        props, names = prop_rows(properties, classifications, owner, self.indexed)
        self._op.entities[guid] = (row, props, names)
        self._unindexed.append(guid)

    def save_entity_version(self, superseded: instances_pb2.EntityDetail, valid_to_ms: int) -> None:
        header = superseded.header
        self._op.entity_versions.append(
            (
                header.guid,
                header.version,
                valid_from_ms(header),
                valid_to_ms,
                header.type.type_def_name,
                int(header.status),
                ms(header.create_time),
                bytearray(superseded.SerializeToString()),
            )
        )

    def remove_entity(self, guid: str) -> None:
        self._flush()
        cur = self._conn.cursor()
        for owner, is_proxy, body in cur.execute(
            "SELECT id, is_proxy, body FROM entity WHERE guid = ?", (guid,)
        ).fetchall():
            unindex(cur, owner, is_proxy, body, self.indexed)
        cur.execute("DELETE FROM entity WHERE guid = ?", (guid,))
        cur.execute("DELETE FROM entity_history WHERE guid = ?", (guid,))

    # -- relationships ----------------------------------------------------------------------------------
    def get_relationship(self, guid: str) -> instances_pb2.Relationship | None:
        row = self._read_one("SELECT body FROM relationship WHERE guid = ?", (guid,))
        return None if row is None else instances_pb2.Relationship.FromString(row[0])

    def put_relationship(self, relationship: instances_pb2.Relationship) -> None:
        header = relationship.header
        self._op.relationships[header.guid] = (
            header.guid,
            header.type.type_def_name,
            header.metadata_collection_id,
            int(header.status),
            header.version,
            ms(header.create_time),
            valid_from_ms(header),
            relationship.entity_one_proxy.header.guid,
            relationship.entity_two_proxy.header.guid,
            bytearray(relationship.SerializeToString()),
        )

    def save_relationship_version(self, superseded: instances_pb2.Relationship, valid_to_ms: int) -> None:
        header = superseded.header
        self._op.relationship_versions.append(
            (
                header.guid,
                header.version,
                valid_from_ms(header),
                valid_to_ms,
                header.type.type_def_name,
                int(header.status),
                ms(header.create_time),
                superseded.entity_one_proxy.header.guid,
                superseded.entity_two_proxy.header.guid,
                bytearray(superseded.SerializeToString()),
            )
        )

    def remove_relationship(self, guid: str) -> None:
        self._flush()
        self._conn.execute("DELETE FROM relationship WHERE guid = ?", (guid,))
        self._conn.execute("DELETE FROM relationship_history WHERE guid = ?", (guid,))

    def relationships_of(self, entity_guid: str) -> list[instances_pb2.Relationship]:
        rows = self._read(
            "SELECT body FROM relationship WHERE end1 = ? "
            "UNION ALL SELECT body FROM relationship WHERE end2 = ? AND end1 != ?",
            (entity_guid, entity_guid, entity_guid),
        )
        return [instances_pb2.Relationship.FromString(row[0]) for row in rows]

    def relationships_of_many(self, entity_guids: Sequence[str]) -> dict[str, list[instances_pb2.Relationship]]:
        found: dict[str, list[instances_pb2.Relationship]] = {guid: [] for guid in entity_guids}
        guids = list(found)
        for start in range(0, len(guids), 300):  # 3 x 300 variables per statement
            chunk = guids[start : start + 300]
            among, asked = in_list(len(chunk)), set(chunk)
            for end1, end2, body in self._read(
                f"SELECT end1, end2, body FROM relationship WHERE end1 IN {among} UNION ALL "
                f"SELECT end1, end2, body FROM relationship WHERE end2 IN {among} AND end1 NOT IN {among}",
                chunk * 3,
            ):
                relationship = instances_pb2.Relationship.FromString(body)
                for end in (end1, end2) if end1 != end2 else (end1,):
                    if end in asked:  # the other end may be asked in another chunk, which lists it for that one
                        found[end].append(relationship)
        return found

    def find_link(self, type_name: str, end_one_guid: str, end_two_guid: str) -> str | None:
        row = self._read_one(
            "SELECT guid FROM relationship WHERE end1 = ? AND end2 = ? AND type_name = ? AND status != ? LIMIT 1",
            (end_one_guid, end_two_guid, type_name, DELETED),
        )
        return None if row is None else str(row[0])

    # -- unique values ----------------------------------------------------------------------------------
    def _index_pending(self) -> None:
        for guid in self._unindexed:
            pending = self._pending(guid)
            for name, value, _, scope in pending[1] if pending is not None else ():
                if not scope and isinstance(value, str):
                    self._pending_values.setdefault((name, value), []).append(guid)
        self._unindexed.clear()

    def _pending_match(self, types: set[str], property_name: str, value: str) -> str | None:
        for guid in self._pending_values.get((property_name, value), ()):
            pending = self._pending(guid)
            if pending is not None and holds_live(pending, types, property_name, value):
                return guid
        return None

    def _is_pending(self, guid: str) -> bool:
        return guid in self._op.entities or guid in self._batch.entities

    def find_by_unique(self, type_names: Sequence[str], property_name: str, value: str) -> str | None:
        return self.find_by_unique_many(type_names, property_name, [value]).get(value)

    def find_by_unique_many(
        self, type_names: Sequence[str], property_name: str, values: Sequence[str]
    ) -> dict[str, str]:
        """value -> GUID for those of values held by a live entity of these types (one seek per 500 values).

        Unflushed puts are consulted first and never flushed: a batch that checks uniqueness before each
        create (the repository does) still writes in bulk once per group commit. Stored answers
        are remembered until the next write reaches SQL, so a caller can look a whole batch's values up
        once and the per-entity checks that follow cost no statement. Properties outside the indexed set
        have no index rows (pending or stored): for them the buffers are flushed and the bodies scanned.
        """
        found: dict[str, str] = {}
        if self.indexed is not None and property_name not in self.indexed:
            self._flush()
            for value in values:
                guid = next(unique_matches(self._conn, type_names, property_name, value, self.indexed), None)
                if guid is not None:
                    found[value] = guid
            return found
        types = set(type_names)
        self._index_pending()
        for value in values:
            guid = self._pending_match(types, property_name, value)
            if guid is not None:
                found[value] = guid
        known = self._stored_unique.setdefault(property_name, {})
        missing = [value for value in values if value not in found and value not in known]
        if missing:
            known.update(stored_unique(self._conn, property_name, missing))
        for value in values:
            if value in found:
                continue
            for guid, type_name in known[value]:
                # Stored rows that a pending put replaces are stale (the pending ones were checked above).
                if type_name in types and not self._is_pending(guid):
                    found[value] = guid
                    break
        return found

    # -- change log -------------------------------------------------------------------------------------
    def append_change(
        self, event: events_pb2.OmrsEvent, *, guid: str, type_name: str, kind: ChangeKind, meta: ChangeMeta
    ) -> int:
        user, connector, refresh, source, service = (
            meta.user_id, meta.connector_id, meta.refresh_id, meta.metadata_source, meta.access_service
        )
        # One check of the concatenation is cheaper than eight (all ASCII is the common case).
        if not (guid + type_name + kind + user + connector + refresh + source + service).isascii():
            # Fail this operation now rather than the whole batch when the row is written (lone surrogates).
            for text in (guid, type_name, kind, user, connector, refresh, source, service):
                text.encode("utf-8")
        annexed = self.annexer(event, meta) if self.annexer is not None else None
        tag, annex = annexed if annexed is not None else (0, None)
        self._head += 1
        self._op.changes.append(
            (
                self._head,
                bytearray(event.SerializeToString()),
                guid,
                type_name,
                kind,
                user,
                connector,
                refresh or None,
                source,
                service,
                time.time_ns() // 1_000_000,
                tag,
                None if annex is None else bytearray(annex),
            )
        )
        return self._head

    def compact(self, keep_after_sequence: int) -> int:
        """Drop change-log entries <= keep_after_sequence and raise the floor; returns how many went."""
        self._flush()
        keep_after = min(keep_after_sequence, self._head)
        if keep_after <= 0 or keep_after + 1 <= self._floor:
            return 0
        gone = self._conn.execute("DELETE FROM change_log WHERE sequence <= ?", (keep_after,)).rowcount
        self._floor = keep_after + 1
        self.put_state(FLOOR_KEY, str(self._floor).encode())
        return int(gone)

    # -- idempotent retries -----------------------------------------------------------------------------
    # Buffered like instances; only they touch the request table, so a read needs no flush.
    def get_request(self, request_id: str, user_id: str) -> bytes | None:
        for buffer in (self._op, self._batch):
            found = buffer.requests.get((request_id, user_id))
            if found is not None:
                return found
        row = self._conn.execute(
            "SELECT response FROM request WHERE request_id = ? AND user_id = ?", (request_id, user_id)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def put_request(self, request_id: str, user_id: str, response: bytes) -> None:
        self._op.requests[(request_id, user_id)] = response

    # -- types and state --------------------------------------------------------------------------------
    def put_type_def(self, type_def: typedefs_pb2.TypeDef) -> None:
        self._flush()  # a direct write: inside an operation it needs the savepoint
        self._conn.execute(
            "INSERT OR REPLACE INTO type_def VALUES (?,?,?)",
            (type_def.guid, type_def.name, type_def.SerializeToString()),
        )

    def put_attribute_type_def(self, attribute_type_def: typedefs_pb2.AttributeTypeDef) -> None:
        self._flush()  # a direct write: inside an operation it needs the savepoint
        self._conn.execute(
            "INSERT OR REPLACE INTO attribute_type_def VALUES (?,?,?)",
            (attribute_type_def.guid, attribute_type_def.name, attribute_type_def.SerializeToString()),
        )

    def get_state(self, key: str) -> bytes | None:
        row = self._read_one("SELECT value FROM state WHERE key = ?", (key,))
        return None if row is None else bytes(row[0])

    def put_state(self, key: str, value: bytes) -> None:
        self._flush()  # a direct write: inside an operation it needs the savepoint
        self._conn.execute("INSERT OR REPLACE INTO state VALUES (?,?)", (key, value))

