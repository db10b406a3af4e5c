"""Rows as the SQLite write transaction buffers them until a flush (see :mod:`.sqlite_txn`), and the helpers
that read stored ``entity`` rows back: for the flush (which replaces and unindexes them), the index rebuild and
batched reads by GUID.

An entity's rows are built complete when it is put (``SqliteWriteTxn._put_entity``): the ``entity`` row
with the id the writer assigns it, and its ``prop`` rows already naming that id as owner, so a flush hands
the buffered tuples to SQLite as they are (rebuilding every row with its id at flush time cost a
second pass and a tuple per row).

Rows go in with multi-row ``INSERT ... VALUES (...), (...)`` statements (:func:`insert_rows`) rather than
``executemany``, which steps, resets and releases the GIL once per row: for a batch load that per-row
overhead was ~10% of the writer's instructions.

Blobs are bound as ``bytearray``: Python's sqlite3 binds str, int, float and bytearray directly but sends
``bytes`` through its adapter lookup first (a registry probe and two attribute lookups per value), which
costs more than the copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container, Sequence
from itertools import chain
from typing import Any

from coho.omrs.v1 import instances_pb2
from coho.server.store.sqlite_unique import DELETED, in_list
from coho.server.store.values import Names, PropRow, prop_rows

EntityEntry = tuple[tuple[Any, ...], list[PropRow], list[str]]
"""An ``entity`` row (id first), its ``prop`` rows (owner = that id) and its classification names."""

# Positions in an entity row (the column order of the entity table).
ID, GUID, TYPE_NAME, HOME_ID, IS_PROXY, STATUS, VERSION, CREATE_TIME, UPDATE_TIME, BODY = range(10)


def entity_row(
    header: instances_pb2.InstanceHeader, is_proxy: bool, body: bytes | bytearray
) -> tuple[str, str, str, int, int, int, int, int, bytes | bytearray]:
    """The entity table's columns after id for a header and body, as ``SqliteWriteTxn._put_entity`` builds
    them inline (one call less per put); the bench's SQL floor uses this."""
    created = header.create_time
    created_ms = created.seconds * 1000 + created.nanos // 1_000_000
    updated = header.update_time  # unset: all zero, so the create time stands in (see values.valid_from_ms)
    updated_ms = updated.seconds * 1000 + updated.nanos // 1_000_000
    return (
        header.guid,
        header.type.type_def_name,
        header.metadata_collection_id,
        int(is_proxy),
        header.status,
        header.version,
        created_ms,
        updated_ms or created_ms,
        body,
    )


def holds_live(entry: EntityEntry, types: Container[str], property_name: str, value: str) -> bool:
    """Whether a buffered entity is a live full entity of one of types whose property holds value (indexed)."""
    row, props, _ = entry
    return (row[IS_PROXY] == 0 and row[STATUS] != DELETED and row[TYPE_NAME] in types
            and (property_name, value, row[ID], "") in props)


def with_owner(entry: EntityEntry, owner: int) -> EntityEntry:
    """The same rows under another id (the put replaces a stored entity, which keeps its id)."""
    row, props, classified = entry
    return (owner, *row[1:]), [(name, value, owner, scope) for name, value, _, scope in props], classified


_CHUNKS = (128, 64, 32, 16, 8, 4, 2, 1)
"""Rows per statement: any count splits into these, so each table needs at most eight statement texts (the
connection's statement cache keeps them prepared), and the largest binds 128 x 13 values, well within
SQLite's variable limit."""
_STATEMENTS: dict[tuple[str, int, int], str] = {}


def insert_rows(cur: sqlite3.Cursor, head: str, width: int, rows: Sequence[Sequence[object]], tail: str = "") -> int:
    """Run ``{head} VALUES (?,...),... {tail}`` over rows of width values; returns the rows it changed."""
    changed = start = 0
    remaining = len(rows)
    for size in _CHUNKS:
        if remaining < size:
            continue
        key = (head + tail, width, size)
        sql = _STATEMENTS.get(key)
        if sql is None:
            group = "(" + ",".join("?" * width) + ")"
            sql = _STATEMENTS[key] = f"{head} VALUES {','.join([group] * size)}{tail}"
        while remaining >= size:
            cur.execute(sql, list(chain.from_iterable(rows[start : start + size])))
            changed += cur.rowcount
            start += size
            remaining -= size
    return changed


def stored_entities(conn: sqlite3.Connection, guids: list[str]) -> dict[str, instances_pb2.EntityDetail]:
    """Stored full entities by GUID (proxies left out): a primary-key probe per GUID, 500 per statement."""
    found: dict[str, instances_pb2.EntityDetail] = {}
    distinct = list(dict.fromkeys(guids))
    for start in range(0, len(distinct), 500):
        chunk = distinct[start : start + 500]
        sql = f"SELECT guid, body FROM entity WHERE guid IN {in_list(len(chunk))} AND is_proxy = 0"
        for guid, body in conn.execute(sql, chunk):
            found[guid] = instances_pb2.EntityDetail.FromString(body)
    return found


def stored_entity_rows(cur: sqlite3.Cursor, guids: list[str]) -> dict[str, tuple[int, int, bytes]]:
    """guid -> (id, is_proxy, body) of the stored ``entity`` rows among guids."""
    found: dict[str, tuple[int, int, bytes]] = {}
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        sql = f"SELECT guid, id, is_proxy, body FROM entity WHERE guid IN {in_list(len(chunk))}"
        for guid, owner, is_proxy, body in cur.execute(sql, chunk):
            found[guid] = (owner, is_proxy, body)
    return found


def stored_prop_rows(owner: int, is_proxy: int, body: bytes, indexed: Names) -> tuple[list[PropRow], list[str]]:
    """The ``prop`` rows and classification names of a stored ``entity`` row (see values.prop_rows)."""
    if is_proxy:
        proxy = instances_pb2.EntityProxy.FromString(body)
        return prop_rows(proxy.unique_properties, proxy.classifications, owner, indexed)
    entity = instances_pb2.EntityDetail.FromString(body)
    return prop_rows(entity.properties, entity.classifications, owner, indexed)


def unindex(cur: sqlite3.Cursor, owner: int, is_proxy: int, body: bytes, indexed: Names) -> None:
    """Remove the index rows of a stored body (they are derived from it, so they can be rebuilt)."""
    rows, names = stored_prop_rows(owner, is_proxy, body, indexed)
    cur.executemany("DELETE FROM prop WHERE name = ? AND v = ? AND owner = ? AND scope = ?", rows)
    cur.executemany("DELETE FROM classification WHERE name = ? AND owner = ?", [(name, owner) for name in names])


class Buffer:
    """Rows waiting for a flush: one for the running operation, one for the batch's finished ones."""

    __slots__ = ("changes", "entities", "entity_versions", "relationship_versions", "relationships", "requests")

    def __init__(self) -> None:
        self.entities: dict[str, EntityEntry] = {}
        self.relationships: dict[str, tuple[object, ...]] = {}
        self.entity_versions: list[tuple[object, ...]] = []
        self.relationship_versions: list[tuple[object, ...]] = []
        self.changes: list[tuple[object, ...]] = []
        self.requests: dict[tuple[str, str], bytes] = {}

    def __bool__(self) -> bool:
        return bool(
            self.entities or self.relationships or self.entity_versions or self.relationship_versions
            or self.changes or self.requests
        )

    def absorb(self, other: Buffer) -> None:
        """Take over other's rows (written after ours), leaving other empty."""
        if other.entities:
            if self.entities:
                self.entities.update(other.entities)
                other.entities.clear()
            else:  # the common case, the batch's first operation: swap instead of copying every entry
                self.entities, other.entities = other.entities, self.entities
        if other.relationships:
            self.relationships.update(other.relationships)
            other.relationships.clear()
        if other.requests:
            self.requests.update(other.requests)
            other.requests.clear()
        for mine, theirs in (
            (self.entity_versions, other.entity_versions),
            (self.relationship_versions, other.relationship_versions),
            (self.changes, other.changes),
        ):
            if theirs:
                mine.extend(theirs)
                theirs.clear()

    def clear(self) -> None:
        self.entities.clear()
        self.relationships.clear()
        self.entity_versions.clear()
        self.relationship_versions.clear()
        self.changes.clear()
        self.requests.clear()
