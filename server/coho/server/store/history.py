"""History queries: the versions of one instance whose validity overlaps a time window.

A version is valid over [valid_from, valid_to): history rows store both ends; the current version is valid
from its update (or create) time on. Versions of one instance are few, so they are loaded, ordered by
(valid_from, version, row) and keyset-paged in Python; the key is stable as new versions only append.
"""

from __future__ import annotations

import sqlite3

from coho.server.store.base import HistoryQuery, Page
from coho.server.store.paging import bad_token, decode_token, encode_token

_CURRENT_ROW = 2**62
"""Sorts the current version after every history row with the same time and version."""

Key = tuple[int, int, int]


def history_page(conn: sqlite3.Connection, table: str, query: HistoryQuery, size: int, extra: str) -> Page[bytes]:
    """One page of serialized versions of query.guid from table ("entity" or "relationship")."""
    fp = f"h:{table}:{query.guid}:{query.from_ms}:{query.to_ms}:{int(query.backwards)}"
    after_token = decode_token(query.page_token, fp)
    after = _parse_key(after_token[0]) if after_token is not None else None
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
