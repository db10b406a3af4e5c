"""PostgresDatabaseConnector: catalogues a PostgreSQL server's databases through the Data Manager, and syncs
table and column descriptions with ``COMMENT ON`` two ways (see :mod:`.relational` for the rules).

Configuration properties:

- ``host`` (default ``127.0.0.1``), ``port`` (5432), ``user`` (default: libpq's), ``dbname`` (``postgres``);
- ``databases``: the databases to catalogue (default: ``[dbname]``); the connector connects to each;
- ``password``, or ``password_env``: the name of an environment variable holding it. The password is only
  ever handed to libpq: it is never logged, and error texts are scrubbed of it before they leave here;
- ``schemas_include`` / ``schemas_exclude``: lists of shell-style patterns (``fnmatch``) of schema names;
  system schemas (pg_catalog, information_schema, pg_toast*, pg_temp*) are always left out;
- ``connect_timeout`` (seconds, default 10), ``statement_timeout`` (seconds, default 60).

The catalogue comes from pg_catalog (pg_namespace, pg_class, pg_attribute, pg_index, pg_description) and
information_schema (character lengths), read in one REPEATABLE READ read-only transaction per database, so
each refresh sees one consistent snapshot.

When is a comment "most recent"? PostgreSQL does not timestamp comments, but with ``track_commit_timestamp =
on`` it records when each transaction committed, and ``COMMENT ON`` rewrites the comment's pg_description row,
so ``pg_xact_commit_timestamp(xmin)`` of that row is when the comment was last set. That time is compared with
the open metadata element's update time. Without ``track_commit_timestamp`` (or for a comment that was
removed, which leaves no row) the connector uses the time it observed the change - the refresh that found it
- which favours the database in a conflict that falls within one refresh interval.

FROM_THIRD_PARTY: the connection is opened with ``default_transaction_read_only=on`` and the comment writer
refuses to run, so the database is never changed.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from coho.daemon.connectors.relational import Column, Database, RelationalConnector, Schema, Table, Target

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast*", "pg_temp_*")
RELATION_KINDS = ("r", "p", "v", "m", "f")
COMMENT_TARGETS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}
READ_ONLY = "-c default_transaction_read_only=on"

_RELATIONS = """
SELECT n.nspname, c.relname, c.relkind,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
       d.description, {commit_time}
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind = ANY(%s)
 ORDER BY n.nspname, c.relname
"""

_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid), isc.character_maximum_length,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY(i.indkey)),
       d.description, {commit_time}
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN information_schema.columns isc
         ON isc.table_schema = n.nspname AND isc.table_name = c.relname AND isc.column_name = a.attname
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind = ANY(%s)
 ORDER BY n.nspname, c.relname, a.attnum
"""

_COMMIT_TIME = "extract(epoch FROM pg_xact_commit_timestamp(d.xmin))::float8"


class DatabaseConnectionError(ConnectionError):
    """A PostgreSQL error, described without the password."""


class PostgresDatabaseConnector(RelationalConnector):
    supports_comments = True
    source_kind = "PostgreSQL database"

    def __init__(self) -> None:
        super().__init__()
        self._commit_times: dict[str, bool] = {}

    # -- configuration ------------------------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        props = self.context.configuration_properties
        return {"host": str(props.get("host") or "127.0.0.1"), "port": int(props.get("port") or 5432),
                "user": str(props.get("user") or ""), "dbname": str(props.get("dbname") or "postgres")}

    def _password(self) -> str:
        props = self.context.configuration_properties
        if props.get("password"):
            return str(props["password"])
        env = str(props.get("password_env") or "")
        return os.environ.get(env, "") if env else ""

    def _databases(self) -> list[str]:
        listed = self.context.configuration_properties.get("databases")
        if listed:
            if not isinstance(listed, list) or not all(isinstance(d, str) and d for d in listed):
                raise ValueError("configuration property 'databases' must be a list of database names")
            return list(listed)
        return [self._settings()["dbname"]]

    def _schema_wanted(self, name: str) -> bool:
        props = self.context.configuration_properties
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in SYSTEM_SCHEMAS):
            return False
        include = [str(p) for p in props.get("schemas_include") or []]
        exclude = [str(p) for p in props.get("schemas_exclude") or []]
        if include and not any(fnmatch.fnmatchcase(name, p) for p in include):
            return False
        return not any(fnmatch.fnmatchcase(name, p) for p in exclude)

    def qualified_name(self, dbname: str) -> str:
        settings = self._settings()
        return f"postgresql://{settings['host']}:{settings['port']}/{dbname}"

    def comment_time_source(self) -> str:
        if all(self._commit_times.values()) and self._commit_times:
            return "the commit time of the comment (track_commit_timestamp), or the observation time if removed"
        return "the time the connector observed the change (track_commit_timestamp is off)"

    # -- connections --------------------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        password = self._password()
        return text.replace(password, "***") if password else text

    async def _connect(self, dbname: str) -> psycopg.AsyncConnection[Any]:
        settings = {**self._settings(), "dbname": dbname}
        props = self.context.configuration_properties
        statement_ms = int(float(props.get("statement_timeout") or 60) * 1000)
        options = f"-c statement_timeout={statement_ms}"
        if not self.context.may_write_third_party():
            options += f" {READ_ONLY}"
        where = f"{settings['user'] or '(default user)'}@{settings['host']}:{settings['port']}/{dbname}"
        try:
            return await psycopg.AsyncConnection.connect(
                host=settings["host"], port=settings["port"], dbname=dbname, user=settings["user"] or None,
                password=self._password() or None, connect_timeout=int(props.get("connect_timeout") or 10),
                application_name="coho-database-connector", options=options, autocommit=True)
        except psycopg.Error as err:
            # `from None`: the original exception (and its traceback) stays out of status, reports and logs.
            raise DatabaseConnectionError(f"cannot connect to PostgreSQL {where}: {self._scrub(str(err))}") from None

    # -- reading ------------------------------------------------------------------------------------------
    async def read_source(self) -> list[Database]:
        return [await self._read_database(dbname) for dbname in self._databases()]

    async def _read_database(self, dbname: str) -> Database:
        connection = await self._connect(dbname)
        try:
            async with connection:
                await connection.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
                await connection.set_read_only(True)
                async with connection.transaction():
                    return await self._catalogue(connection, dbname)
        except psycopg.Error as err:
            raise DatabaseConnectionError(f"reading PostgreSQL database {dbname!r} failed: "
                                          f"{self._scrub(str(err))}") from None

    async def _catalogue(self, connection: psycopg.AsyncConnection[Any], dbname: str) -> Database:
        cursor = connection.cursor()
        await cursor.execute("SELECT current_setting('server_version'), current_setting('track_commit_timestamp')")
        version, tracking = await cursor.fetchone() or ("", "off")
        self._commit_times[dbname] = tracking == "on"
        commit_time = _COMMIT_TIME if tracking == "on" else "NULL::float8"
        await cursor.execute("SELECT nspname FROM pg_namespace ORDER BY nspname")
        schemas = {name: Schema(name) for (name,) in await cursor.fetchall() if self._schema_wanted(name)}
        tables: dict[tuple[str, str], Table] = {}
        await cursor.execute(_RELATIONS.format(commit_time=commit_time), (list(RELATION_KINDS),))
        for schema, name, kind, definition, comment, when in await cursor.fetchall():
            if schema in schemas:
                table = Table(name=name, is_view=kind in ("v", "m"), view_definition=(definition or "").strip(),
                              comment=comment or "", comment_time=when if comment else None, relation_kind=kind)
                tables[(schema, name)] = table
                schemas[schema].tables.append(table)
        await cursor.execute(_COLUMNS.format(commit_time=commit_time), (list(RELATION_KINDS),))
        for row in await cursor.fetchall():
            schema, table_name, name, data_type, notnull, default, length, primary, comment, when = row
            owner = tables.get((schema, table_name))
            if owner is None:
                continue
            owner.columns.append(Column(
                name=name, data_type=data_type, position=len(owner.columns) + 1, is_nullable=not notnull,
                is_primary_key=bool(primary), max_length=int(length or 0), default_value=default or "",
                comment=comment or "", comment_time=when if comment else None))
        settings = self._settings()
        address = f"{settings['host']}:{settings['port']}"
        return Database(qualified_name=self.qualified_name(dbname), display_name=dbname,
                        database_type="PostgreSQL", database_version=str(version), path_name=f"{address}/{dbname}",
                        database_instance=address, schemas=list(schemas.values()), source_name=dbname)

    # -- writing ------------------------------------------------------------------------------------------
    async def write_comments(self, writes: Sequence[tuple[Target, str]]) -> None:
        if not self.context.may_write_third_party():
            raise PermissionError(f"connector {self.context.connector_name!r} is FROM_THIRD_PARTY: "
                                  "it never writes to the database")
        by_database: dict[str, list[tuple[Target, str]]] = {}
        for target, text in writes:
            by_database.setdefault(target.database.source_name, []).append((target, text))
        for dbname, items in by_database.items():
            connection = await self._connect(dbname)
            try:
                async with connection, connection.transaction():
                    for target, text in items:
                        await connection.execute(_comment_statement(target, text))
            except psycopg.Error as err:
                raise DatabaseConnectionError(f"writing comments to PostgreSQL database {dbname!r} failed: "
                                              f"{self._scrub(str(err))}") from None


def _comment_statement(target: Target, text: str) -> sql.Composed:
    # COMMENT is a utility statement: it takes no bind parameters, so the text is quoted client-side by
    # psycopg (sql.Literal); an empty description removes the comment.
    schema, table = sql.Identifier(target.schema.name), sql.Identifier(target.table.name)
    value = sql.Literal(text) if text else sql.SQL("NULL")
    if target.column is not None:
        return sql.SQL("COMMENT ON COLUMN {}.{}.{} IS {}").format(
            schema, table, sql.Identifier(target.column.name), value)
    kind = COMMENT_TARGETS.get(target.table.relation_kind, "TABLE")  # one of ours, never input
    return sql.SQL("COMMENT ON " + kind + " {}.{} IS {}").format(schema, table, value)
