"""Unique-value lookups over stored rows: an index seek when the property is in the ``prop`` table, else a
scan of the candidate types' bodies (exact, slower; only for properties a store was told not to index)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from coho.omrs.v1 import instances_pb2

DELETED = 99
_CHUNK = 500


def in_list(count: int) -> str:
    """ "(?,?,...)" for an IN list of count values."""
    return "(" + ",".join("?" * count) + ")"


def _holds(body: bytes, property_name: str, value: str) -> bool:
    found = instances_pb2.EntityDetail.FromString(body).properties.properties.get(property_name)
    return (
        found is not None
        and found.primitive.WhichOneof("value") == "string_value"
        and found.primitive.string_value == value
    )


def unique_matches(
    conn: sqlite3.Connection,
    type_names: Sequence[str],
    property_name: str,
    value: str,
    indexed: frozenset[str] | None = None,
) -> Iterator[str]:
    """GUIDs of non-deleted entities of these types whose string property equals value."""
    if not type_names:
        return
    types = in_list(len(type_names))
    if indexed is None or property_name in indexed:
        cursor = conn.execute(
            "SELECT e.guid FROM prop p JOIN entity e ON e.id = p.owner "
            "WHERE p.name = ? AND p.v = ? AND p.scope = '' AND e.is_proxy = 0 AND e.status != ? "
            f"AND e.type_name IN {types}",
            (property_name, value, DELETED, *type_names),
        )
        for (guid,) in cursor:
            yield str(guid)
        return
    # Bodies are protobuf, whose strings are raw UTF-8: instr narrows the scan in C before decoding.
    rows = conn.execute(
        f"SELECT guid, body FROM entity WHERE is_proxy = 0 AND status != ? AND type_name IN {types} "
        "AND instr(body, ?) > 0",
        (DELETED, *type_names, value.encode("utf-8", "surrogatepass")),
    ).fetchall()
    for guid, body in rows:
        if _holds(body, property_name, value):
            yield str(guid)


def stored_unique(
    conn: sqlite3.Connection, property_name: str, values: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """value -> [(GUID, type name)] of live stored entities holding that string value of an indexed property,
    for every one of values (empty lists included), with one seek statement per 500 values. Types are left
    to the caller, so one answer serves any type scope."""
    found: dict[str, list[tuple[str, str]]] = {value: [] for value in values}
    distinct = list(found)
    for start in range(0, len(distinct), _CHUNK):
        chunk = distinct[start : start + _CHUNK]
        cursor = conn.execute(
            "SELECT p.v, e.guid, e.type_name FROM prop p JOIN entity e ON e.id = p.owner "
            f"WHERE p.name = ? AND p.v IN {in_list(len(chunk))} AND p.scope = '' AND e.is_proxy = 0 "
            "AND e.status != ?",
            (property_name, *chunk, DELETED),
        )
        for value, guid, type_name in cursor:
            found[value].append((str(guid), str(type_name)))
    return found


def find_by_unique(
    conn: sqlite3.Connection,
    type_names: Sequence[str],
    property_name: str,
    value: str,
    indexed: frozenset[str] | None = None,
) -> str | None:
    """An index seek on prop(name, v), then a PK probe of entity for type and status."""
    return next(unique_matches(conn, type_names, property_name, value, indexed), None)
