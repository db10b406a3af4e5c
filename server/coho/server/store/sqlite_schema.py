"""The SQLite schema of a home repository, its migrations and connection settings.

Durability choice: WAL with ``synchronous=NORMAL`` by default. A commit appends to the WAL with ``write()``
before the writer acknowledges anything, so the data is in the OS page cache: a process crash (``kill -9``,
OOM) loses no acknowledged write. Only an OS crash or power loss may lose the last transactions (never
corrupting the database). ``synchronous=FULL`` also fsyncs the WAL per commit, for power-loss durability at
a cost of roughly 5x fewer commits/s on this hardware (group commit amortizes it); choose it per server.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 4
DB_FILE = "repository.db"
SYNCHRONOUS_MODES = ("NORMAL", "FULL", "EXTRA")

# Instances keep their whole serialized proto in `body`; the other columns exist only to filter, sort and
# join without decoding. update_time is the time the stored version became current (update time, or create
# time for a never-updated instance), which is what as_of and history queries need.
_SCHEMA_V1 = """
CREATE TABLE entity (
    id          INTEGER PRIMARY KEY,  -- assigned by the writer, ascending: index rows keyed by it append
    guid        TEXT NOT NULL UNIQUE,
    type_name   TEXT NOT NULL,
    home_id     TEXT NOT NULL,
    is_proxy    INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    body        BLOB NOT NULL
);
CREATE INDEX entity_type ON entity(type_name);
-- Time orders page through these instead of sorting every candidate per page; new and updated rows carry
-- the newest times, so they append and cost writes little.
CREATE INDEX entity_created ON entity(create_time);
CREATE INDEX entity_updated ON entity(update_time);

CREATE TABLE relationship (
    guid        TEXT PRIMARY KEY,
    type_name   TEXT NOT NULL,
    home_id     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    end1        TEXT NOT NULL,
    end2        TEXT NOT NULL,
    body        BLOB NOT NULL
);
CREATE INDEX relationship_type ON relationship(type_name);
CREATE INDEX relationship_created ON relationship(create_time);
CREATE INDEX relationship_updated ON relationship(update_time);
CREATE INDEX relationship_end1 ON relationship(end1);
CREATE INDEX relationship_end2 ON relationship(end2);

-- Superseded versions: valid over [valid_from, valid_to).
CREATE TABLE entity_history (
    guid        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER NOT NULL,
    type_name   TEXT NOT NULL,
    status      INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    body        BLOB NOT NULL
);
CREATE INDEX entity_history_guid ON entity_history(guid, valid_from);

CREATE TABLE relationship_history (
    guid        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER NOT NULL,
    type_name   TEXT NOT NULL,
    status      INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    end1        TEXT NOT NULL,
    end2        TEXT NOT NULL,
    body        BLOB NOT NULL
);
CREATE INDEX relationship_history_guid ON relationship_history(guid, valid_from);

-- Searchable top-level scalar values of current entities and proxies (scope '') and of their
-- classifications (scope = classification name). One B-tree ordered by (name, v) serves equality and range
-- seeks; owner is entity.id, which ascends, so new rows append instead of scattering over the tree (a GUID
-- there made every batch rewrite most pages). Rows are derived from the stored body by values.index_rows
-- and removed the same way, so a change to that derivation needs a migration that rebuilds this table.
-- v has no declared type: numbers stay numbers and text stays text.
CREATE TABLE prop (
    name  TEXT NOT NULL,
    v     NOT NULL,
    owner INTEGER NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (name, v, owner, scope)
) WITHOUT ROWID;

CREATE TABLE classification (
    name  TEXT NOT NULL,
    owner INTEGER NOT NULL,
    PRIMARY KEY (name, owner)
) WITHOUT ROWID;

-- Sequences are assigned by the single writer (gap-free), never by SQLite.
CREATE TABLE change_log (
    sequence        INTEGER PRIMARY KEY,
    event           BLOB NOT NULL,
    guid            TEXT NOT NULL,
    type_name       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    connector_id    TEXT NOT NULL,
    refresh_id      TEXT,            -- NULL when untagged, so the partial index stays small
    metadata_source TEXT NOT NULL,
    access_service  TEXT NOT NULL,
    time            INTEGER NOT NULL
);
CREATE INDEX change_log_refresh ON change_log(refresh_id, sequence) WHERE refresh_id IS NOT NULL;

CREATE TABLE type_def (guid TEXT PRIMARY KEY, name TEXT NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE attribute_type_def (guid TEXT PRIMARY KEY, name TEXT NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;

CREATE TABLE request (
    request_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    response   BLOB NOT NULL,
    time       INTEGER NOT NULL,
    PRIMARY KEY (request_id, user_id)
) WITHOUT ROWID;

CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
"""

_SCHEMA_V2 = """
-- An opaque per-entry annex computed at write time (the Out Topic's pre-encoded event) and its filter tag.
ALTER TABLE change_log ADD COLUMN annex_tag INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_log ADD COLUMN annex BLOB;
"""

_SCHEMA_V3 = """
-- Retry replies expire by age (retention.Retention.expire_requests): find the old ones without reading the
-- replies themselves, which come before time in each row and often spill onto overflow pages.
CREATE INDEX request_time ON request(time);
"""

_SCHEMA_V4 = """
-- History retention (retention.Retention.expire_history) drops the versions superseded longest ago: find
-- them without a scan. New versions carry the newest valid_to, so the index appends and costs writes little.
CREATE INDEX entity_history_valid_to ON entity_history(valid_to);
CREATE INDEX relationship_history_valid_to ON relationship_history(valid_to);
-- Deleted-instance retention (repository.sweeper) lists soft-deleted instances by deletion time: these hold
-- only the soft-deleted rows (status 99), so the listing never walks the live ones.
CREATE INDEX entity_deleted ON entity(update_time) WHERE status = 99;
CREATE INDEX relationship_deleted ON relationship(update_time) WHERE status = 99;
"""

MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3, 4: _SCHEMA_V4}
"""Script that brings a database from version N-1 to N; append, never edit, once released."""


def connect_writer(path: Path, synchronous: str = "NORMAL") -> sqlite3.Connection:
    """The one read-write connection, used only by the writer thread (and by open before it starts)."""
    if synchronous.upper() not in SYNCHRONOUS_MODES:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}, got {synchronous!r}")
    # isolation_level=None: the writer issues BEGIN/SAVEPOINT/COMMIT itself (group commit needs control).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=512)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA cache_size=-131072")  # 128 MiB: index pages of 1M entities stay hot
    conn.execute("PRAGMA temp_store=MEMORY")
    # Automatic checkpoints would run inside the writer's COMMIT (and fsync even under NORMAL): the store
    # runs them on a background thread instead (sqlite_checkpoint.py). This setting is only the safety net
    # should that thread be missing (e.g. a tool opening the writer connection alone).
    conn.execute("PRAGMA wal_autocheckpoint=8192")
    conn.execute("PRAGMA journal_size_limit=67108864")
    return conn


def connect_reader(path: Path) -> sqlite3.Connection:
    """A reader connection; query_only guards against a stray write bypassing the single writer."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=256)
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA cache_size=-32768")
    conn.execute("PRAGMA mmap_size=268435456")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA query_only=ON")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION, each step in its own transaction; returns the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {version} is newer than this coho ({SCHEMA_VERSION})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    # executescript would COMMIT implicitly; splitting keeps each migration atomic.
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]
