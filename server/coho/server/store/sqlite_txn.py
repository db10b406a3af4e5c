"""The WriteTxn of the SQLite store: row operations run by the single writer.

Puts of instances, history versions and change-log entries are buffered and written with ``executemany``
when the operation ends or before any read in it (so reads still see the operation's own writes). A batch
load of 1,000 entities thus costs a handful of statements instead of thousands.

Change-log sequences are assigned here, in memory, because only this one thread writes: an operation that
fails gives its sequences back (op_abort) and a failed batch rewinds to the last commit, so committed
sequences are gap-free.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.store.base import ChangeAnnexer, ChangeKind, ChangeMeta
from coho.server.store.values import IndexValue, entity_index, ms, valid_from_ms

log = logging.getLogger(__name__)

DELETED = 99
FLOOR_KEY = "coho.store.change_floor"
"""State key of the change-log floor (oldest retained sequence; 0 when nothing was compacted)."""

_INSERT_ENTITY = "INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(guid) DO NOTHING"
_UPDATE_ENTITY = (
    "UPDATE entity SET type_name = ?, home_id = ?, is_proxy = ?, status = ?, version = ?, create_time = ?, "
    "update_time = ?, body = ? WHERE id = ?"
)
_INSERT_RELATIONSHIP = "INSERT OR REPLACE INTO relationship VALUES (?,?,?,?,?,?,?,?,?,?)"
_INSERT_CHANGE = "INSERT INTO change_log VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"


def in_list(count: int) -> str:
    """ "(?,?,...)" for an IN list of count values."""
    return "(" + ",".join("?" * count) + ")"


def entity_row(
    header: instances_pb2.InstanceHeader, is_proxy: bool, body: bytes
) -> tuple[str, str, str, int, int, int, int, int, bytes]:
    created = ms(header.create_time)
    updated = ms(header.update_time) if header.HasField("update_time") else 0
    return (
        header.guid,
        header.type.type_def_name,
        header.metadata_collection_id,
        int(is_proxy),
        int(header.status),
        header.version,
        created,
        updated or created,
        body,
    )


class SqliteWriteTxn:
    """Implements :class:`coho.server.store.base.WriteTxn` for the writer connection."""

    def __init__(self, conn: sqlite3.Connection, head: int, floor: int, retention: int | None) -> None:
        self._conn = conn
        self._retention = retention
        # Sequences: committed (durable), batch (this transaction so far), op start (to undo one op).
        self._committed_head = self._head = self._op_head = head
        self._committed_floor = self._floor = self._op_floor = floor
        self._entities: dict[str, tuple[tuple[object, ...], list[tuple[str, IndexValue, str]], list[str]]] = {}
        # (property, string value) -> GUIDs of unflushed puts, so find_by_unique needs no flush or scan;
        # built lazily from _unindexed, as pure batch loads never ask. Entries may be stale: callers verify.
        self._pending_values: dict[tuple[str, str], list[str]] = {}
        self._unindexed: list[str] = []
        row = conn.execute("SELECT MAX(id) FROM entity").fetchone()
        self._next_id = int(row[0] or 0) + 1
        self._relationships: dict[str, tuple[object, ...]] = {}
        self._entity_versions: list[tuple[object, ...]] = []
        self._relationship_versions: list[tuple[object, ...]] = []
        self._changes: list[tuple[object, ...]] = []
        # Set by SqliteStore; read only on the writer thread.
        self.commit_listeners: list[Callable[[int], None]] = []
        self.annexer: ChangeAnnexer | None = None

    @property
    def committed_head(self) -> int:
        return self._committed_head

    # -- BatchParticipant -------------------------------------------------------------------------------
    def op_begin(self) -> None:
        self._op_head, self._op_floor = self._head, self._floor

    def op_flush(self) -> None:
        self._flush()

    def op_abort(self) -> None:
        self._clear()
        self._head, self._floor = self._op_head, self._op_floor

    def batch_committed(self) -> None:
        advanced = self._head != self._committed_head
        self._committed_head, self._committed_floor = self._head, self._floor
        if advanced:
            for listener in self.commit_listeners:
                try:
                    listener(self._head)
                except Exception:
                    log.exception("commit listener failed")

    def batch_failed(self) -> None:
        self._clear()
        self._head, self._floor = self._committed_head, self._committed_floor

    def housekeeping_due(self) -> bool:
        return self._retention is not None and self._head - max(self._floor, 1) + 1 > self._retention

    def after_batch(self) -> None:
        self.op_begin()
        if self._retention is not None and self.housekeeping_due():
            self.compact(self._head - self._retention)

    # -- buffering --------------------------------------------------------------------------------------
    def _clear(self) -> None:
        self._entities.clear()
        self._pending_values.clear()
        self._unindexed.clear()
        self._relationships.clear()
        self._entity_versions.clear()
        self._relationship_versions.clear()
        self._changes.clear()

    def _flush(self) -> None:
        cur = self._conn.cursor()
        if self._entities:
            self._flush_entities(cur)
        if self._relationships:
            cur.executemany(_INSERT_RELATIONSHIP, list(self._relationships.values()))
            self._relationships.clear()
        if self._entity_versions:
            cur.executemany("INSERT INTO entity_history VALUES (?,?,?,?,?,?,?,?)", self._entity_versions)
            self._entity_versions.clear()
        if self._relationship_versions:
            cur.executemany(
                "INSERT INTO relationship_history VALUES (?,?,?,?,?,?,?,?,?,?)", self._relationship_versions
            )
            self._relationship_versions.clear()
        if self._changes:
            cur.executemany(_INSERT_CHANGE, self._changes)
            self._changes.clear()

    def _flush_entities(self, cur: sqlite3.Cursor) -> None:
        """Insert new entities under fresh ids, update known ones in place (keeping their id), re-index.

        Inserting optimistically (ON CONFLICT DO NOTHING) saves a lookup per flush in the common case, a
        create; only when some GUID was already stored are those rows read back and updated.
        """
        entries = self._entities
        first = self._next_id
        self._next_id += len(entries)  # ids of rolled-back or updating rows are skipped: gaps are harmless
        owners = {guid: first + index for index, guid in enumerate(entries)}
        cur.executemany(_INSERT_ENTITY, [(owners[guid], *row) for guid, (row, _, _) in entries.items()])
        if cur.rowcount != len(entries):
            updates = []
            for guid, (owner, is_proxy, body) in self._existing(cur, list(entries)).items():
                if owner != owners[guid]:  # stored before this flush: our insert was skipped
                    self._unindex(cur, owner, is_proxy, body)
                    updates.append((*entries[guid][0][1:], owner))
                    owners[guid] = owner
            cur.executemany(_UPDATE_ENTITY, updates)
        props = [
            (name, value, owners[guid], scope)
            for guid, (_, prop_rows, _) in entries.items()
            for name, value, scope in prop_rows
        ]
        names = [(name, owners[guid]) for guid, (_, _, names) in entries.items() for name in names]
        # Each call releases and retakes the GIL, which costs the writer its turn under load: skip empty ones.
        if props:
            cur.executemany("INSERT OR IGNORE INTO prop VALUES (?,?,?,?)", props)
        if names:
            cur.executemany("INSERT OR IGNORE INTO classification VALUES (?,?)", names)
        entries.clear()
        self._pending_values.clear()
        self._unindexed.clear()

    @staticmethod
    def _existing(cur: sqlite3.Cursor, guids: list[str]) -> dict[str, tuple[int, int, bytes]]:
        """guid -> (id, is_proxy, body) of the stored rows among guids."""
        found: dict[str, tuple[int, int, bytes]] = {}
        for start in range(0, len(guids), 500):
            chunk = guids[start : start + 500]
            sql = f"SELECT guid, id, is_proxy, body FROM entity WHERE guid IN {in_list(len(chunk))}"
            for guid, owner, is_proxy, body in cur.execute(sql, chunk):
                found[guid] = (owner, is_proxy, body)
        return found

    @staticmethod
    def _unindex(cur: sqlite3.Cursor, owner: int, is_proxy: int, body: bytes) -> None:
        """Remove the index rows of a stored body (they are derived from it, so they can be rebuilt)."""
        if is_proxy:
            proxy = instances_pb2.EntityProxy.FromString(body)
            rows, names = entity_index(proxy.unique_properties, proxy.classifications)
        else:
            entity = instances_pb2.EntityDetail.FromString(body)
            rows, names = entity_index(entity.properties, entity.classifications)
        cur.executemany(
            "DELETE FROM prop WHERE name = ? AND v = ? AND owner = ? AND scope = ?",
            [(name, value, owner, scope) for name, value, scope in rows],
        )
        cur.executemany("DELETE FROM classification WHERE name = ? AND owner = ?", [(name, owner) for name in names])

    def _read(self, sql: str, params: Sequence[object]) -> list[Any]:
        self._flush()
        return self._conn.execute(sql, params).fetchall()

    def _read_one(self, sql: str, params: Sequence[object]) -> Any:
        self._flush()
        return self._conn.execute(sql, params).fetchone()

    # -- entities and proxies ---------------------------------------------------------------------------
    # Entity reads consult the unflushed puts first instead of flushing them, so that a batch which reads
    # between its puts (the repository checks uniqueness before each create) still writes with executemany.
    def _entity_body(self, guid: str, is_proxy: int) -> bytes | None:
        pending = self._entities.get(guid)
        if pending is not None:
            row = pending[0]
            return row[-1] if row[3] == is_proxy else None  # type: ignore[return-value]
        found = self._conn.execute(
            "SELECT body FROM entity WHERE guid = ? AND is_proxy = ?", (guid, is_proxy)
        ).fetchone()
        return None if found is None else bytes(found[0])

    def get_entity(self, guid: str) -> instances_pb2.EntityDetail | None:
        body = self._entity_body(guid, 0)
        return None if body is None else instances_pb2.EntityDetail.FromString(body)

    def get_proxy(self, guid: str) -> instances_pb2.EntityProxy | None:
        body = self._entity_body(guid, 1)
        return None if body is None else instances_pb2.EntityProxy.FromString(body)

    def put_entity(self, entity: instances_pb2.EntityDetail) -> None:
        self._put_entity(entity.header, False, entity.SerializeToString(), entity.properties, entity.classifications)

    def put_proxy(self, proxy: instances_pb2.EntityProxy) -> None:
        # Proxies are indexed too, so a search that includes proxies can still use the prop prefilter.
        self._put_entity(proxy.header, True, proxy.SerializeToString(), proxy.unique_properties, proxy.classifications)

    def _put_entity(
        self,
        header: instances_pb2.InstanceHeader,
        is_proxy: bool,
        body: bytes,
        properties: instances_pb2.InstanceProperties,
        classifications: Sequence[instances_pb2.Classification],
    ) -> None:
        props, names = entity_index(properties, classifications)
        self._entities[header.guid] = (entity_row(header, is_proxy, body), props, names)
        self._unindexed.append(header.guid)

    def save_entity_version(self, superseded: instances_pb2.EntityDetail, valid_to_ms: int) -> None:
        header = superseded.header
        self._entity_versions.append(
            (
                header.guid,
                header.version,
                valid_from_ms(header),
                valid_to_ms,
                header.type.type_def_name,
                int(header.status),
                ms(header.create_time),
                superseded.SerializeToString(),
            )
        )

    def remove_entity(self, guid: str) -> None:
        self._flush()
        cur = self._conn.cursor()
        for owner, is_proxy, body in cur.execute(
            "SELECT id, is_proxy, body FROM entity WHERE guid = ?", (guid,)
        ).fetchall():
            self._unindex(cur, owner, is_proxy, body)
        cur.execute("DELETE FROM entity WHERE guid = ?", (guid,))
        cur.execute("DELETE FROM entity_history WHERE guid = ?", (guid,))

    # -- relationships ----------------------------------------------------------------------------------
    def get_relationship(self, guid: str) -> instances_pb2.Relationship | None:
        row = self._read_one("SELECT body FROM relationship WHERE guid = ?", (guid,))
        return None if row is None else instances_pb2.Relationship.FromString(row[0])

    def put_relationship(self, relationship: instances_pb2.Relationship) -> None:
        header = relationship.header
        self._relationships[header.guid] = (
            header.guid,
            header.type.type_def_name,
            header.metadata_collection_id,
            int(header.status),
            header.version,
            ms(header.create_time),
            valid_from_ms(header),
            relationship.entity_one_proxy.header.guid,
            relationship.entity_two_proxy.header.guid,
            relationship.SerializeToString(),
        )

    def save_relationship_version(self, superseded: instances_pb2.Relationship, valid_to_ms: int) -> None:
        header = superseded.header
        self._relationship_versions.append(
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
                superseded.SerializeToString(),
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

    def find_link(self, type_name: str, end_one_guid: str, end_two_guid: str) -> str | None:
        row = self._read_one(
            "SELECT guid FROM relationship WHERE end1 = ? AND end2 = ? AND type_name = ? AND status != ? LIMIT 1",
            (end_one_guid, end_two_guid, type_name, DELETED),
        )
        return None if row is None else str(row[0])

    # -- unique values ----------------------------------------------------------------------------------
    def _index_pending(self) -> None:
        for guid in self._unindexed:
            pending = self._entities.get(guid)
            for name, value, scope in pending[1] if pending is not None else ():
                if not scope and isinstance(value, str):
                    self._pending_values.setdefault((name, value), []).append(guid)
        self._unindexed.clear()

    def find_by_unique(self, type_names: Sequence[str], property_name: str, value: str) -> str | None:
        types = set(type_names)
        wanted = (property_name, value, "")
        self._index_pending()
        for guid in self._pending_values.get((property_name, value), ()):
            pending = self._entities.get(guid)
            if pending is None:
                continue
            row, props, _ = pending
            if row[3] == 0 and row[4] != DELETED and row[1] in types and wanted in props:
                return guid
        # Stored rows that a pending put replaces are stale: skip them (the pending ones were checked above).
        for guid in unique_matches(self._conn, type_names, property_name, value):
            if guid not in self._entities:
                return guid
        return None

    # -- change log -------------------------------------------------------------------------------------
    def append_change(
        self, event: events_pb2.OmrsEvent, *, guid: str, type_name: str, kind: ChangeKind, meta: ChangeMeta
    ) -> int:
        self._head += 1
        annexed = self.annexer(event, meta) if self.annexer is not None else None
        tag, annex = annexed if annexed is not None else (0, None)
        self._changes.append(
            (
                self._head,
                event.SerializeToString(),
                guid,
                type_name,
                kind,
                meta.user_id,
                meta.connector_id,
                meta.refresh_id or None,
                meta.metadata_source,
                meta.access_service,
                time.time_ns() // 1_000_000,
                tag,
                annex,
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
    def get_request(self, request_id: str, user_id: str) -> bytes | None:
        row = self._read_one("SELECT response FROM request WHERE request_id = ? AND user_id = ?", (request_id, user_id))
        return None if row is None else bytes(row[0])

    def put_request(self, request_id: str, user_id: str, response: bytes) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO request VALUES (?,?,?,?)",
            (request_id, user_id, response, time.time_ns() // 1_000_000),
        )

    # -- types and state --------------------------------------------------------------------------------
    def put_type_def(self, type_def: typedefs_pb2.TypeDef) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO type_def VALUES (?,?,?)",
            (type_def.guid, type_def.name, type_def.SerializeToString()),
        )

    def put_attribute_type_def(self, attribute_type_def: typedefs_pb2.AttributeTypeDef) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO attribute_type_def VALUES (?,?,?)",
            (attribute_type_def.guid, attribute_type_def.name, attribute_type_def.SerializeToString()),
        )

    def get_state(self, key: str) -> bytes | None:
        row = self._read_one("SELECT value FROM state WHERE key = ?", (key,))
        return None if row is None else bytes(row[0])

    def put_state(self, key: str, value: bytes) -> None:
        self._conn.execute("INSERT OR REPLACE INTO state VALUES (?,?)", (key, value))


def unique_matches(
    conn: sqlite3.Connection, type_names: Sequence[str], property_name: str, value: str
) -> Iterator[str]:
    """GUIDs of non-deleted entities of these types whose string property equals value (index seeks)."""
    if not type_names:
        return
    cursor = conn.execute(
        "SELECT e.guid FROM prop p JOIN entity e ON e.id = p.owner "
        "WHERE p.name = ? AND p.v = ? AND p.scope = '' AND e.is_proxy = 0 AND e.status != ? "
        f"AND e.type_name IN {in_list(len(type_names))}",
        (property_name, value, DELETED, *type_names),
    )
    for (guid,) in cursor:
        yield str(guid)


def find_by_unique(conn: sqlite3.Connection, type_names: Sequence[str], property_name: str, value: str) -> str | None:
    """An index seek on prop(name, v), then a PK probe of entity for type and status."""
    return next(unique_matches(conn, type_names, property_name, value), None)
