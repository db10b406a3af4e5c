"""SQLiteDatabaseConnector: catalogues one SQLite database file through the Data Manager.

Configuration properties:

- ``database`` (required): the path of the SQLite file. It is opened read-only and never created.
- ``attach`` (optional): ``{schema name: path}`` of further files to attach (read-only) and catalogue as
  schemas next to ``main``; SQLite attachments belong to a connection, so they are configured here.
- ``qualified_name`` (optional): the database element's qualified name; default ``sqlite:<absolute path>``.

Each refresh reads the whole catalogue in one read transaction (a consistent snapshot) - schemas
(``main`` and the attached ones; ``temp`` is per-connection and skipped), tables and views with their
definitions, columns with declared type, position, nullability, primary key, length and default - and
:class:`~coho.daemon.connectors.relational.RelationalConnector` brings open metadata in step with it.
SQLite has no comments, so descriptions written in open metadata are kept as they are.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from coho.daemon.connectors.relational import Column, Database, RelationalConnector, Schema, Table

_LENGTH = re.compile(r"\(\s*(\d+)\s*(?:,\s*\d+\s*)?\)")
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SQLiteDatabaseConnector(RelationalConnector):
    source_kind = "SQLite database"

    async def read_source(self) -> list[Database]:
        props = self.context.configuration_properties
        path = str(props.get("database") or "")
        if not path:
            raise ValueError("configuration property 'database' (the SQLite file's path) is required")
        attach = props.get("attach") or {}
        if not isinstance(attach, dict):
            raise ValueError("configuration property 'attach' must map schema names to file paths")
        name = str(props.get("qualified_name") or "")
        return [await asyncio.to_thread(read_database, path, attach, name)]


def _uri(path: Path) -> str:
    return f"file:{quote(str(path))}?mode=ro"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_database(path: str, attach: dict[str, Any] | None = None, qualified_name: str = "") -> Database:
    """The file's catalogue; raises FileNotFoundError or sqlite3.Error if it cannot be read whole."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"SQLite database {str(file)!r} does not exist")
    file = file.resolve()
    connection = sqlite3.connect(_uri(file), uri=True, timeout=10.0, isolation_level=None)
    try:
        for schema_name, attached in sorted((attach or {}).items()):
            if not _SCHEMA_NAME.match(str(schema_name)):
                raise ValueError(f"attach: {schema_name!r} is not a plain schema name")
            attached_file = Path(str(attached)).expanduser().resolve()
            if not attached_file.is_file():
                raise FileNotFoundError(f"attached SQLite database {str(attached_file)!r} does not exist")
            connection.execute(f"ATTACH DATABASE ? AS {_quoted(str(schema_name))}", (_uri(attached_file),))
        connection.execute("BEGIN")  # one snapshot for the whole read
        try:
            schemas = [_schema(connection, row[1]) for row in connection.execute("PRAGMA database_list")
                       if row[1] != "temp"]
        finally:
            connection.execute("ROLLBACK")
    finally:
        connection.close()
    return Database(qualified_name=qualified_name or f"sqlite:{file}", display_name=file.name,
                    database_type="SQLite", database_version=sqlite3.sqlite_version, path_name=str(file),
                    schemas=schemas, source_name=str(file))


def _schema(connection: sqlite3.Connection, name: str) -> Schema:
    rows = connection.execute(
        f"SELECT name, type, sql FROM {_quoted(name)}.sqlite_master "
        "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    tables = [Table(name=table, is_view=kind == "view", view_definition=(sql or "") if kind == "view" else "",
                    columns=_columns(connection, name, table))
              for table, kind, sql in rows]
    return Schema(name=name, tables=tables)


def _columns(connection: sqlite3.Connection, schema: str, table: str) -> list[Column]:
    columns: list[Column] = []
    rows = connection.execute(f"PRAGMA {_quoted(schema)}.table_xinfo({_quoted(table)})").fetchall()
    for _cid, name, declared, notnull, default, pk, hidden in rows:
        if hidden == 1:  # a virtual table's hidden column; generated columns (2, 3) are real columns
            continue
        data_type = str(declared or "").strip()
        length = _LENGTH.search(data_type)
        columns.append(Column(
            name=name, data_type=data_type.upper(), position=len(columns) + 1,
            # SQLite lets a non-INTEGER primary key hold NULL in rowid tables (a legacy quirk); the key is
            # catalogued as not nullable, as every other database and every reader of the catalogue expects.
            is_nullable=not notnull and not pk, is_primary_key=bool(pk),
            max_length=int(length.group(1)) if length else 0,
            default_value="" if default is None else str(default)))
    return columns
