"""History queries: the versions of one instance whose validity overlaps a time window.

A version is valid over [valid_from, valid_to): history rows store both ends; the current version is valid
from its update (or create) time on. Versions of one instance are few, so they are loaded, ordered by
(valid_from, version, row) and keyset-paged in Python; the key is stable as new versions only append.

History retention (``store.history_retention_days``) drops versions superseded long ago and records the
history floor: the latest ``valid_to`` dropped. A question about a time before it that the dropped versions
might have answered is OUT_OF_RANGE, with the floor in the error, never an answer that is silently wrong
or short. Questions the retained rows answer exactly still succeed: the current version, an instance
created after the floor, and a history read with no start time (all that is retained).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from coho.server.errors import OutOfRange
from coho.server.store.base import HistoryQuery, Page
from coho.server.store.paging import bad_token, decode_token, encode_token
from coho.server.store.retention import HISTORY_FLOOR_KEY

_CURRENT_ROW = 2**62
"""Sorts the current version after every history row with the same time and version."""

Key = tuple[int, int, int]


def history_page(conn: sqlite3.Connection, table: str, query: HistoryQuery, size: int, extra: str) -> Page[bytes]:
    """One page of serialized versions of query.guid from table ("entity" or "relationship")."""
    fp = f"h:{table}:{query.guid}:{query.from_ms}:{query.to_ms}:{int(query.backwards)}"
    after_token = decode_token(query.page_token, fp)
    after = _parse_key(after_token[0]) if after_token is not None else None
    if query.from_ms is not None:
        check_history_kept(conn, table, query.guid, query.from_ms, extra)
    low = query.from_ms if query.from_ms is not None else -(2**63)
    high = query.to_ms if query.to_ms is not None else 2**63 - 1
    versions: list[tuple[Key, bytes]] = [
        ((valid_from, version, rowid), bytes(body))
        for rowid, version, valid_from, body in conn.execute(
            f"SELECT rowid, version, valid_from, body FROM {table}_history "
            "WHERE guid = ? AND valid_from <= ? AND valid_to > ?",
            (query.guid, high, low),
        )
    ]
    current = conn.execute(
        f"SELECT version, update_time, body FROM {table} WHERE guid = ? AND update_time <= ? {extra}",
        (query.guid, high),
    ).fetchone()
    if current is not None:
        versions.append(((current[1], current[0], _CURRENT_ROW), bytes(current[2])))
    versions.sort(key=lambda item: item[0], reverse=query.backwards)
    if after is not None:
        versions = [v for v in versions if (v[0] < after if query.backwards else v[0] > after)]
    page = versions[:size]
    token = ""
    if len(versions) > size:
        token = encode_token(fp, ":".join(str(part) for part in page[-1][0]), query.guid)
    return Page(items=[body for _, body in page], next_page_token=token)


def _parse_key(raw: object) -> Key:
    try:
        parts = tuple(int(part) for part in str(raw).split(":"))
    except ValueError as exc:
        raise bad_token("page token is not valid") from exc
    if len(parts) != 3:
        raise bad_token("page token is not valid")
    return parts[0], parts[1], parts[2]


def history_floor(conn: sqlite3.Connection) -> int:
    """Epoch ms before which dropped versions may be missing (0: none dropped)."""
    row = conn.execute("SELECT value FROM state WHERE key = ?", (HISTORY_FLOOR_KEY,)).fetchone()
    return int(row[0]) if row else 0


def check_as_of(conn: sqlite3.Connection, as_of_ms: int) -> None:
    """OUT_OF_RANGE when a search as of this time could have needed dropped versions."""
    floor = history_floor(conn)
    if as_of_ms < floor:
        raise below_floor(as_of_ms, floor)


def check_history_kept(
    conn: sqlite3.Connection, table: str, guid: str, from_ms: int, extra: str, *, instant: bool = False
) -> None:
    """OUT_OF_RANGE when versions of one instance from from_ms on may have been dropped: from_ms is before
    the floor and the instance existed before the floor (with ``instant``, at from_ms itself: a question
    about one instant before the instance was created lost nothing)."""
    floor = history_floor(conn)
    if from_ms >= floor:
        return
    created_before = from_ms + 1 if instant else floor
    existed = conn.execute(
        f"SELECT 1 FROM {table} WHERE guid = ? AND create_time < ? {extra}", (guid, created_before)
    ).fetchone()
    if existed is not None:
        raise below_floor(from_ms, floor)


def below_floor(as_of_ms: int, floor: int) -> OutOfRange:
    return OutOfRange(
        message=f"{_iso(as_of_ms)} is before the history floor {_iso(floor)}: versions superseded before then "
                "were dropped by the history retention (store.history_retention_days); ask about a later time",
        reason="AS_OF_BELOW_HISTORY_FLOOR",
        metadata={"history_floor": _iso(floor), "history_floor_ms": str(floor), "as_of_ms": str(as_of_ms)},
    )


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
