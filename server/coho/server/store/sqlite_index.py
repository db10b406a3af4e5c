"""Which properties the ``prop`` table holds, kept with the database so that it always matches its rows.

The rows of ``prop`` are derived from the stored bodies for a set of property names (see
:data:`values.DEFAULT_INDEXED`). Queries trust the table to hold a row for every indexed name of every
entity, so a store opened with a different set than the one its rows were built for rebuilds the table
(in one transaction) before anything reads it. Databases written before the set was recorded indexed
every property; they are rebuilt once, on first open.
"""

from __future__ import annotations

import sqlite3

from coho.server.store.sqlite_rows import stored_prop_rows
from coho.server.store.values import Names, PropRow

INDEXED_KEY = "coho.store.indexed_properties"
_ALL = "*"
_CHUNK = 2000


def encode_names(names: Names) -> bytes:
    return (_ALL if names is None else "\n".join(sorted(names))).encode()


def stored_names(conn: sqlite3.Connection) -> Names:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (INDEXED_KEY,)).fetchone()
    if row is None:
        return None  # written before the set was recorded: every property was indexed
    text = bytes(row[0]).decode()
    return None if text == _ALL else frozenset(text.split("\n")) - {""}


KEEP_STORED = object()
"""Pass as the names to open with the set the database was last opened with (offline tools such as
``coho archive`` use it, so that loading an archive does not rebuild the index a server configured)."""


def names_to_open(conn: sqlite3.Connection, requested: Names | object, default: Names) -> Names:
    """The names a store opens with: ``requested``, or for :data:`KEEP_STORED` the recorded set (``default``
    for a new database)."""
    if requested is not KEEP_STORED:
        return requested  # type: ignore[return-value]
    recorded = conn.execute("SELECT 1 FROM state WHERE key = ?", (INDEXED_KEY,)).fetchone() is not None
    return stored_names(conn) if recorded else default


def reconcile(conn: sqlite3.Connection, names: Names) -> bool:
    """Rebuild prop for names unless it was built for them; True when it rebuilt. Runs its own transaction."""
    recorded = conn.execute("SELECT 1 FROM state WHERE key = ?", (INDEXED_KEY,)).fetchone() is not None
    if recorded and stored_names(conn) == names:
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        rebuilt = conn.execute("SELECT 1 FROM entity LIMIT 1").fetchone() is not None
        if rebuilt:
            _rebuild(conn, names)
        conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (INDEXED_KEY, encode_names(names)))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return rebuilt


def _rebuild(conn: sqlite3.Connection, names: Names) -> None:
    conn.execute("DELETE FROM prop")
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, is_proxy, body FROM entity WHERE id > ? ORDER BY id LIMIT ?", (last, _CHUNK)
        ).fetchall()
        if not rows:
            return
        props: list[PropRow] = []
        for owner, is_proxy, body in rows:
            props.extend(stored_prop_rows(owner, is_proxy, body, names)[0])
        conn.executemany("INSERT OR IGNORE INTO prop VALUES (?,?,?,?)", props)
        last = rows[-1][0]
