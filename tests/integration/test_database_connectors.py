"""The bundled database connectors against real databases: a real SQLite file and a real PostgreSQL server
(tests/pgserver.py), each run by the connector harness against an in-process access server over gRPC."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pgserver import PgServer, fresh_database, password_role, pg_server  # noqa: F401  (pg_server: a fixture)

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2 as el
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.daemon.connectors.postgres_db import PostgresDatabaseConnector
from coho.daemon.connectors.relational import SYNC_KEY, Table, Target, reconcile
from coho.daemon.connectors.sqlite_db import SQLiteDatabaseConnector
from coho.daemon.testing import ConnectorHarness, entry_point_of, run_connector
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

SQLITE_EP = "coho.daemon.connectors.sqlite_db:SQLiteDatabaseConnector"
PG_EP = "coho.daemon.connectors.postgres_db:PostgresDatabaseConnector"


# -- helpers ---------------------------------------------------------------------------------------------
async def catalogue(h: ConnectorHarness, database_qn: str) -> dict[str, dm.DataElementView]:
    """What open metadata holds under the database, read independently of the connector (admin channel)."""
    async with h.server_channel() as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        root = await stub.GetElement(dm.GetElementRequest(qualified_name=database_qn))
        found = {database_qn: root.element}
        frontier = [database_qn]
        while frontier:
            parent = frontier.pop()
            token = ""
            for _ in range(100):
                page = await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name=parent,
                                                                      page_token=token))
                for child in page.children:
                    found[child.element.qualified_name] = child
                    if child.element.WhichOneof("kind") != "column":
                        frontier.append(child.element.qualified_name)
                token = page.next_page_token
                if not token:
                    break
    return found


def of_kind(elements: dict[str, dm.DataElementView], kind: str) -> dict[str, dm.DataElement]:
    return {name: view.element for name, view in elements.items() if view.element.WhichOneof("kind") == kind}


async def edit_description(h: ConnectorHarness, qualified_name: str, description: str) -> None:
    """A steward edits a description in open metadata (a whole-element upsert, as a UI would do it)."""
    async with h.server_channel() as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        current = (await stub.GetElement(dm.GetElementRequest(qualified_name=qualified_name))).element.element
        current.description = description
        reply = await stub.UpsertElements(dm.UpsertElementsRequest(elements=[current]))
        assert reply.results[0].outcome == el.UPSERT_OUTCOME_UPDATED


async def description(h: ConnectorHarness, qualified_name: str) -> str:
    async with h.server_channel() as channel:
        reply = await dm_grpc.DataManagerServiceStub(channel).GetElement(
            dm.GetElementRequest(qualified_name=qualified_name))
    return str(reply.element.element.description)


async def to_dos(h: ConnectorHarness) -> list[sa.ToDo]:
    async with h.server_channel() as channel:
        reply = await sa_grpc.StewardshipActionServiceStub(channel).ListToDos(sa.ListToDosRequest(page_size=100))
    return [t for t in reply.to_dos if t.to_do_type == "DescriptionConflict"]


async def refresh_any(h: ConnectorHarness, within: float = 30.0) -> cpb.IntegrationReport | None:
    """An on-demand refresh whatever the status (harness.refresh waits for RUNNING, which a failed
    connector is not)."""
    refresh_id = h.daemon.connectors.refresh(h.name)[0]
    async with asyncio.timeout(within):
        return await h.runner.wait_refresh(refresh_id)


async def wait_refreshed(h: ConnectorHarness, count: int = 1, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while h.runner.state.refresh_count < count:
        assert time.monotonic() < deadline, f"no refresh finished within {within}s ({h.status_name})"
        await asyncio.sleep(0.05)


def test_entry_points_are_the_documented_ones() -> None:
    # `coho up` and daemon configurations name the connectors by these strings.
    assert entry_point_of(SQLiteDatabaseConnector) == SQLITE_EP
    assert entry_point_of(PostgresDatabaseConnector) == PG_EP


# -- SQLite ------------------------------------------------------------------------------------------
SQLITE_SCHEMA = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, email TEXT, score REAL DEFAULT 0);
CREATE TABLE orders (order_id INTEGER, line INTEGER, customer_id INTEGER REFERENCES customers(id),
                     amount NUMERIC(10, 2) NOT NULL, note TEXT, PRIMARY KEY (order_id, line));
CREATE VIEW big_orders AS SELECT order_id, amount FROM orders WHERE amount > 100;
"""


@pytest.fixture
def sqlite_files(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    main, archive = tmp_path / "shop.db", tmp_path / "archive.db"
    with sqlite3.connect(main) as db:
        db.executescript(SQLITE_SCHEMA)
    with sqlite3.connect(archive) as db:
        db.execute("CREATE TABLE old_orders (id INTEGER PRIMARY KEY, total NUMERIC)")
    yield main, archive


async def test_sqlite_initial_catalogue_counts_and_properties(tmp_path: Path,
                                                              sqlite_files: tuple[Path, Path]) -> None:
    main, archive = sqlite_files
    props = {"database": str(main), "attach": {"archive": str(archive)}}
    async with run_connector(SQLITE_EP, tmp_path / "home", service_kind="database",
                             configuration_properties=props, metadata_source="sqlite:test") as h:
        await wait_refreshed(h)
        assert h.status_name == "RUNNING", h.runner.state.failing_error
        db = f"sqlite:{main.resolve()}"
        got = await catalogue(h, db)
        assert of_kind(got, "database")[db].database.database_type == "SQLite"
        assert set(of_kind(got, "schema")) == {f"{db}::main", f"{db}::archive"}
        tables = of_kind(got, "table")
        assert set(tables) == {f"{db}::main::customers", f"{db}::main::orders", f"{db}::main::big_orders",
                               f"{db}::archive::old_orders"}
        views = {n for n, t in tables.items() if t.table.is_view}
        assert views == {f"{db}::main::big_orders"}
        assert "amount > 100" in tables[f"{db}::main::big_orders"].table.view_definition
        columns = of_kind(got, "column")
        assert len(columns) == 4 + 5 + 2 + 2
        assert {n.rsplit("::", 1)[1] for n, c in columns.items() if c.column.is_primary_key and "::main::" in n} \
            == {"id", "order_id", "line"}
        name = columns[f"{db}::main::customers::name"].column
        assert (name.data_type, name.position, name.is_nullable, name.max_length) == ("VARCHAR(40)", 2, False, 40)
        email = columns[f"{db}::main::customers::email"].column
        assert (email.data_type, email.is_nullable, email.is_primary_key) == ("TEXT", True, False)
        assert columns[f"{db}::main::customers::score"].column.default_value == "0"
        assert columns[f"{db}::main::orders::amount"].column.data_type == "NUMERIC(10, 2)"
        assert not columns[f"{db}::main::orders::amount"].column.is_nullable
        assert [c.column.position for n, c in sorted(columns.items(), key=lambda i: i[1].column.position)
                if "::orders::" in n] == [1, 2, 3, 4, 5]

        # Nothing changed: nothing is re-sent, so the refresh writes nothing and has no report.
        assert await h.refresh() is None
        assert await catalogue(h, db) == got


async def test_sqlite_schema_changes_follow_on_the_next_refresh(tmp_path: Path,
                                                                sqlite_files: tuple[Path, Path]) -> None:
    main, _ = sqlite_files
    async with run_connector(SQLITE_EP, tmp_path / "home", service_kind="database",
                             configuration_properties={"database": str(main)}) as h:
        await wait_refreshed(h)
        db = f"sqlite:{main.resolve()}"
        before = await catalogue(h, db)
        # A description written in open metadata survives (SQLite has no comments to sync it with).
        await edit_description(h, f"{db}::main::customers", "People who buy things")
        with sqlite3.connect(main) as conn:
            conn.executescript("""
                CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                ALTER TABLE customers ADD COLUMN phone VARCHAR(20);
                ALTER TABLE orders DROP COLUMN note;
                DROP VIEW big_orders;
                -- SQLite changes a column's type by rebuilding the table
                CREATE TABLE customers_new (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, email TEXT,
                                            score REAL DEFAULT 0, phone VARCHAR(20));
                INSERT INTO customers_new SELECT * FROM customers;
                DROP TABLE customers;
                ALTER TABLE customers_new RENAME TO customers;
            """)
        report = await h.refresh()
        assert report is not None
        after = await catalogue(h, db)
        tables = of_kind(after, "table")
        assert set(tables) == {f"{db}::main::customers", f"{db}::main::orders", f"{db}::main::suppliers"}
        columns = of_kind(after, "column")
        assert f"{db}::main::orders::note" not in columns
        assert f"{db}::main::big_orders::amount" not in columns
        assert columns[f"{db}::main::customers::phone"].column.max_length == 20
        assert columns[f"{db}::main::customers::name"].column.data_type == "VARCHAR(80)"
        assert columns[f"{db}::main::suppliers::name"].column.is_nullable is False
        assert after[f"{db}::main::customers"].element.description == "People who buy things"
        # The report names what changed, checked by GUID (it also counts the hidden schema-type entities).
        created = set(report.created_element_guids)
        assert after[f"{db}::main::suppliers"].header.guid in created
        assert after[f"{db}::main::customers::phone"].header.guid in created
        assert after[f"{db}::main::customers::name"].header.guid in set(report.updated_element_guids)
        deleted = set(report.deleted_element_guids)
        assert before[f"{db}::main::orders::note"].header.guid in deleted
        assert before[f"{db}::main::big_orders"].header.guid in deleted
        assert before[f"{db}::main::big_orders::amount"].header.guid in deleted
        # Unchanged elements were not re-sent: the orders table and its kept columns are not in the report.
        untouched = {after[f"{db}::main::orders"].header.guid, after[f"{db}::main::orders::amount"].header.guid}
        assert not untouched & (created | set(report.updated_element_guids))


async def test_sqlite_unreadable_file_fails_clearly_and_deletes_nothing(tmp_path: Path,
                                                                       sqlite_files: tuple[Path, Path]) -> None:
    main, _ = sqlite_files
    async with run_connector(SQLITE_EP, tmp_path / "home", service_kind="database",
                             configuration_properties={"database": str(main)}) as h:
        await wait_refreshed(h)
        db = f"sqlite:{main.resolve()}"
        before = await catalogue(h, db)
        moved = main.with_suffix(".moved")
        main.rename(moved)
        await refresh_any(h)
        assert h.status_name == "FAILED"
        assert "does not exist" in h.runner.state.failing_error and str(main) in h.runner.state.failing_error
        assert await catalogue(h, db) == before  # a failed read deletes nothing
        moved.write_bytes(b"this is not a database" * 100)
        moved.rename(main)
        await refresh_any(h)
        assert h.status_name == "FAILED" and "DatabaseError" in h.runner.state.failing_error
        assert await catalogue(h, db) == before


# -- PostgreSQL --------------------------------------------------------------------------------------
PG_SCHEMA = """
CREATE SCHEMA sales;
CREATE SCHEMA scratch;
CREATE TABLE sales.customers (id integer PRIMARY KEY, name varchar(40) NOT NULL, email text,
                              joined timestamp with time zone DEFAULT now());
CREATE TABLE sales.orders (order_id bigint, line smallint, customer_id integer REFERENCES sales.customers,
                           amount numeric(10,2) NOT NULL, note text, PRIMARY KEY (order_id, line));
CREATE VIEW sales.big_orders AS SELECT order_id, amount FROM sales.orders WHERE amount > 100;
CREATE MATERIALIZED VIEW sales.order_totals AS SELECT customer_id, sum(amount) AS total FROM sales.orders
    GROUP BY customer_id;
CREATE TABLE scratch.tmp (x int);
CREATE TABLE public.settings (key text PRIMARY KEY, value text);
"""


@pytest.fixture
def pg_db(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:  # noqa: F811
    name = fresh_database(pg_server, "coho_t")
    with pg_server.connect(name) as conn:
        conn.execute(PG_SCHEMA)
    yield name
    with pg_server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_props(server: PgServer, dbname: str, **extra: Any) -> dict[str, Any]:
    return {"host": server.host, "port": server.port, "user": server.user, "dbname": dbname,
            "schemas_exclude": ["scratch"], **extra}


@asynccontextmanager
async def run_pg(tmp_path: Path, server: PgServer, dbname: str, sync: str = "BOTH_DIRECTIONS",
                 **extra: Any) -> AsyncIterator[ConnectorHarness]:
    async with run_connector(PG_EP, tmp_path / "home", service_kind="database", permitted_synchronization=sync,
                             configuration_properties=pg_props(server, dbname, **extra)) as h:
        await wait_refreshed(h)
        assert h.status_name == "RUNNING", h.runner.state.failing_error
        yield h


def pg_comment(server: PgServer, dbname: str, target: str, column: str | None = None) -> str | None:
    with server.connect(dbname) as conn:
        if column is None:
            row = conn.execute("SELECT obj_description(%s::regclass, 'pg_class')", (target,)).fetchone()
        else:
            row = conn.execute("SELECT col_description(%s::regclass, (SELECT attnum FROM pg_attribute WHERE "
                               "attrelid = %s::regclass AND attname = %s))", (target, target, column)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def pg_execute(server: PgServer, dbname: str, statement: str) -> None:
    with server.connect(dbname) as conn:
        conn.execute(statement)


async def test_postgres_initial_catalogue_counts_and_properties(tmp_path: Path, pg_server: PgServer,  # noqa: F811
                                                                pg_db: str) -> None:
    async with run_pg(tmp_path, pg_server, pg_db, sync="FROM_THIRD_PARTY") as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        got = await catalogue(h, db)
        database = of_kind(got, "database")[db].database
        assert database.database_type == "PostgreSQL" and database.database_version.startswith("15")
        assert set(of_kind(got, "schema")) == {f"{db}::public", f"{db}::sales"}  # scratch excluded
        tables = of_kind(got, "table")
        assert {n.split("::", 1)[1] for n in tables} == {
            "public::settings", "sales::customers", "sales::orders", "sales::big_orders", "sales::order_totals"}
        assert {n.rsplit("::", 1)[1] for n, t in tables.items() if t.table.is_view} == {"big_orders",
                                                                                         "order_totals"}
        assert "amount > " in tables[f"{db}::sales::big_orders"].table.view_definition
        columns = of_kind(got, "column")
        assert len(columns) == 2 + 4 + 5 + 2 + 2
        pks = {n.split("::", 1)[1] for n, c in columns.items() if c.column.is_primary_key}
        assert pks == {"public::settings::key", "sales::customers::id", "sales::orders::order_id",
                       "sales::orders::line"}
        c = {n.split("::", 1)[1]: col.column for n, col in columns.items()}
        assert (c["sales::customers::name"].data_type, c["sales::customers::name"].max_length,
                c["sales::customers::name"].is_nullable) == ("character varying(40)", 40, False)
        assert c["sales::customers::email"].is_nullable and c["sales::customers::email"].data_type == "text"
        assert c["sales::customers::joined"].data_type == "timestamp with time zone"
        assert c["sales::customers::joined"].default_value == "now()"
        assert c["sales::orders::amount"].data_type == "numeric(10,2)" and not c["sales::orders::amount"].is_nullable
        assert c["sales::orders::order_id"].data_type == "bigint" and not c["sales::orders::order_id"].is_nullable
        assert [c[f"sales::orders::{n}"].position for n in ("order_id", "line", "customer_id", "amount", "note")] \
            == [1, 2, 3, 4, 5]
        assert await h.refresh() is None  # unchanged: nothing re-sent


async def test_postgres_schema_changes_follow_on_the_next_refresh(tmp_path: Path, pg_server: PgServer,  # noqa: F811
                                                                  pg_db: str) -> None:
    async with run_pg(tmp_path, pg_server, pg_db) as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        before = await catalogue(h, db)
        pg_execute(pg_server, pg_db, """
            CREATE TABLE sales.suppliers (id serial PRIMARY KEY, name text NOT NULL);
            ALTER TABLE sales.customers ADD COLUMN phone varchar(20);
            ALTER TABLE sales.customers ALTER COLUMN id TYPE bigint;
            DROP VIEW sales.big_orders;
            ALTER TABLE sales.orders DROP COLUMN note;
            DROP TABLE public.settings;
        """)
        report = await h.refresh()
        assert report is not None
        after = await catalogue(h, db)
        names = {n.split("::", 1)[1] for n in of_kind(after, "table")}
        assert names == {"sales::customers", "sales::orders", "sales::order_totals", "sales::suppliers"}
        c = {n.split("::", 1)[1]: v.element.column for n, v in after.items() if v.element.HasField("column")}
        assert c["sales::customers::id"].data_type == "bigint"
        assert c["sales::customers::phone"].max_length == 20 and c["sales::customers::phone"].position == 5
        assert c["sales::suppliers::id"].is_primary_key and "nextval" in c["sales::suppliers::id"].default_value
        assert "sales::orders::note" not in c
        deleted = set(report.deleted_element_guids)
        for gone in ("sales::orders::note", "sales::big_orders", "sales::big_orders::amount", "public::settings",
                     "public::settings::key"):
            assert before[f"{db}::{gone}"].header.guid in deleted, gone
        assert after[f"{db}::sales::customers::id"].header.guid in set(report.updated_element_guids)
        assert after[f"{db}::sales::suppliers"].header.guid in set(report.created_element_guids)
        assert after[f"{db}::sales::orders::amount"].header.guid not in set(report.updated_element_guids)


async def test_postgres_comments_sync_both_ways(tmp_path: Path, pg_server: PgServer,  # noqa: F811
                                                pg_db: str) -> None:
    pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'People who buy';"
                                 "COMMENT ON COLUMN sales.orders.amount IS 'Gross, in EUR'")
    async with run_pg(tmp_path, pg_server, pg_db) as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        customers, amount = f"{db}::sales::customers", f"{db}::sales::orders::amount"
        # PostgreSQL -> open metadata, at the first sync
        assert await description(h, customers) == "People who buy"
        assert await description(h, amount) == "Gross, in EUR"
        # PostgreSQL -> open metadata, a change
        pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'Customers of the shop'")
        await h.refresh()
        assert await description(h, customers) == "Customers of the shop"
        # open metadata -> PostgreSQL: a table, a view, a column, and a description removed
        await edit_description(h, customers, "Buyers, edited by a steward")
        await edit_description(h, f"{db}::sales::big_orders", "Orders over 100")
        await edit_description(h, f"{db}::sales::customers::email", "Contact address")
        await edit_description(h, amount, "")
        await h.refresh()
        assert pg_comment(pg_server, pg_db, "sales.customers") == "Buyers, edited by a steward"
        assert pg_comment(pg_server, pg_db, "sales.big_orders") == "Orders over 100"
        assert pg_comment(pg_server, pg_db, "sales.customers", "email") == "Contact address"
        assert pg_comment(pg_server, pg_db, "sales.orders", "amount") is None
        assert await description(h, customers) == "Buyers, edited by a steward"
        # Settled: the next refresh changes nothing on either side.
        assert await h.refresh() is None
        assert await to_dos(h) == []


async def test_postgres_conflict_goes_to_the_most_recent_change_and_raises_a_to_do(
        tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:  # noqa: F811
    with pg_server.connect() as conn:
        assert conn.execute("SHOW track_commit_timestamp").fetchone() == ("on",), \
            "the test cluster must run with track_commit_timestamp=on (scripts/pg-cluster sets it)"
    pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'original'")
    async with run_pg(tmp_path, pg_server, pg_db) as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        customers, email = f"{db}::sales::customers", f"{db}::sales::customers::email"
        # PostgreSQL first, open metadata later: open metadata wins.
        pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'db edit'")
        await asyncio.sleep(0.05)
        await edit_description(h, customers, "steward edit")
        await h.refresh()
        assert pg_comment(pg_server, pg_db, "sales.customers") == "steward edit"
        assert await description(h, customers) == "steward edit"
        raised = await to_dos(h)
        assert len(raised) == 1
        first = raised[0]
        assert first.additional_properties["winner"] == "open metadata"
        assert first.additional_properties["sourceValue"] == "db edit"
        assert first.additional_properties["keptValue"] == "steward edit"
        assert "commit time" in first.additional_properties["sourceTimeFrom"]
        assert first.action_target_guids == [(await catalogue(h, db))[customers].header.guid]
        # Open metadata first, PostgreSQL later: PostgreSQL wins (on a column this time).
        await edit_description(h, email, "steward email")
        await asyncio.sleep(0.05)
        pg_execute(pg_server, pg_db, "COMMENT ON COLUMN sales.customers.email IS 'db email'")
        await h.refresh()
        assert await description(h, email) == "db email"
        assert pg_comment(pg_server, pg_db, "sales.customers", "email") == "db email"
        raised = await to_dos(h)
        assert len(raised) == 2
        second = next(t for t in raised if t.guid != first.guid)
        assert second.additional_properties["winner"] == "source"
        assert second.additional_properties["openMetadataValue"] == "steward email"
        # Resolved: no further conflict, no further to-do.
        assert await h.refresh() is None
        assert len(await to_dos(h)) == 2


async def test_from_third_party_never_writes_to_postgres(tmp_path: Path, pg_server: PgServer,  # noqa: F811
                                                         pg_db: str) -> None:
    pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'from the database'")
    async with run_pg(tmp_path, pg_server, pg_db, sync="FROM_THIRD_PARTY") as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        customers = f"{db}::sales::customers"
        assert await description(h, customers) == "from the database"
        await edit_description(h, customers, "edited in open metadata")
        await h.refresh()
        assert pg_comment(pg_server, pg_db, "sales.customers") == "from the database"
        assert await description(h, customers) == "edited in open metadata"  # kept, but not pushed
        # A database change still flows in (the database is the authority here).
        pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'changed in the database'")
        await h.refresh()
        assert await description(h, customers) == "changed in the database"
        view = (await catalogue(h, db))[customers]
        assert view.element.additional_properties[SYNC_KEY] == "changed in the database"
        # The guard in code, and the read-only session underneath it.
        connector = h.connector
        assert isinstance(connector, PostgresDatabaseConnector)
        target = Target(database=None, schema=None, table=Table("customers"))  # type: ignore[arg-type]
        with pytest.raises(PermissionError, match="FROM_THIRD_PARTY"):
            await connector.write_comments([(target, "nope")])
        connection = await connector._connect(pg_db)
        async with connection:
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                await connection.execute("COMMENT ON TABLE sales.customers IS 'sneaky'")
        assert pg_comment(pg_server, pg_db, "sales.customers") == "changed in the database"


async def test_to_third_party_pushes_descriptions_and_never_writes_open_metadata(
        tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:  # noqa: F811
    pg_execute(pg_server, pg_db, "COMMENT ON TABLE sales.customers IS 'from the database';"
                                 "COMMENT ON COLUMN sales.orders.note IS 'free text'")
    db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
    customers, amount, note = f"{db}::sales::customers", f"{db}::sales::orders::amount", f"{db}::sales::orders::note"
    async with run_pg(tmp_path, pg_server, pg_db):  # another connector catalogued the database first
        pass
    async with run_pg(tmp_path, pg_server, pg_db, sync="TO_THIRD_PARTY") as h:
        before = await catalogue(h, db)
        assert await description(h, customers) == "from the database"
        # Open metadata is the authority: its edits reach PostgreSQL, including a description removed.
        await edit_description(h, customers, "edited by a steward")
        await edit_description(h, amount, "Gross, in EUR")
        await edit_description(h, note, "")
        await h.refresh()
        assert pg_comment(pg_server, pg_db, "sales.customers") == "edited by a steward"
        assert pg_comment(pg_server, pg_db, "sales.orders", "amount") == "Gross, in EUR"
        assert pg_comment(pg_server, pg_db, "sales.orders", "note") is None
        # PostgreSQL changes never flow back: a new table is not catalogued, a dropped one is not deleted,
        # and a comment changed in the database is overwritten with open metadata's description.
        pg_execute(pg_server, pg_db, "CREATE TABLE sales.suppliers (id int PRIMARY KEY);"
                                     "DROP TABLE public.settings;"
                                     "COMMENT ON TABLE sales.customers IS 'changed in the database'")
        report = await h.refresh()
        after = await catalogue(h, db)
        assert set(after) == set(before)
        unchanged = [name for name in before if name not in (customers, amount, note)]
        assert [after[name].header.version for name in unchanged] == [before[name].header.version
                                                                      for name in unchanged]
        assert await description(h, customers) == "edited by a steward"
        assert pg_comment(pg_server, pg_db, "sales.customers") == "edited by a steward"
        assert report is None or not (report.created_element_guids or report.deleted_element_guids)
        assert await to_dos(h) == []  # no conflicts: only one side may change the other


# -- PostgreSQL connection failures --------------------------------------------------------------------
SECRET = "Sup3r-Secret-Passw0rd-zq"


def assert_secret_absent(h: ConnectorHarness, caplog: pytest.LogCaptureFixture, info: cpb.ConnectorInfo,
                         reports: list[cpb.IntegrationReport]) -> None:
    assert SECRET not in h.runner.state.failing_error
    shown = cpb.ConnectorInfo()
    shown.CopyFrom(info)
    shown.config.ClearField("configuration_properties")  # see the report: the daemon echoes its config
    assert SECRET not in str(shown)
    assert all(SECRET not in str(r) for r in reports)
    for record in caplog.records:
        assert SECRET not in record.getMessage() and SECRET not in repr(record.__dict__), record


async def connector_info(h: ConnectorHarness) -> tuple[cpb.ConnectorInfo, list[cpb.IntegrationReport]]:
    async with h.daemon_channel() as channel:
        admin = ids_grpc.IntegrationDaemonServiceStub(channel)
        info = (await admin.GetConnector(ids.GetConnectorRequest(connector_name=h.name))).connector
        reports = (await admin.ListIntegrationReports(ids.ListIntegrationReportsRequest(
            connector_name=h.name))).reports
    return info, list(reports)


async def wait_failed(h: ConnectorHarness, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not (h.status_name == "FAILED" and h.runner.state.failing_error):
        assert time.monotonic() < deadline, f"still {h.status_name}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("via", ["property", "env"])
async def test_postgres_bad_password_fails_clearly_without_the_password(
        tmp_path: Path, pg_server: PgServer, pg_db: str, caplog: pytest.LogCaptureFixture,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, via: str) -> None:
    caplog.set_level(logging.DEBUG)
    role = password_role(pg_server, "the-right-one")
    monkeypatch.setenv("COHO_TEST_DB_PASSWORD", SECRET)
    secret = {"password": SECRET} if via == "property" else {"password_env": "COHO_TEST_DB_PASSWORD"}
    props = {**pg_props(pg_server, pg_db), "user": role, **secret}
    async with run_connector(PG_EP, tmp_path / "home", service_kind="database", configuration_properties=props) as h:
        await wait_failed(h)
        error = h.runner.state.failing_error
        assert "password authentication failed" in error and role in error
        assert f"{pg_server.host}:{pg_server.port}/{pg_db}" in error
        info, reports = await connector_info(h)
        assert info.status == cpb.CONNECTOR_STATUS_FAILED and info.failing_error == error
        assert_secret_absent(h, caplog, info, reports)


async def test_postgres_right_password_connects(tmp_path: Path, pg_server: PgServer,  # noqa: F811
                                                pg_db: str) -> None:
    role = password_role(pg_server, SECRET)
    async with run_pg(tmp_path, pg_server, pg_db, user=role, password=SECRET) as h:
        db = f"postgresql://{pg_server.host}:{pg_server.port}/{pg_db}"
        assert f"{db}::sales::orders" in await catalogue(h, db)


async def test_postgres_unreachable_server_fails_clearly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    import socket

    with socket.socket() as sock:  # a port nobody listens on (bound, never listening)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        props = {"host": "127.0.0.1", "port": port, "user": "nobody", "dbname": "nowhere", "password": SECRET,
                 "connect_timeout": 3}
        async with run_connector(PG_EP, tmp_path / "home", service_kind="database",
                                 configuration_properties=props) as h:
            await wait_failed(h)
            error = h.runner.state.failing_error
            assert f"cannot connect to PostgreSQL nobody@127.0.0.1:{port}/nowhere" in error
            assert "refused" in error.lower()
            info, reports = await connector_info(h)
            assert_secret_absent(h, caplog, info, reports)


# -- the description decision table (pure) ----------------------------------------------------------------
def _view(description: str, base: str | None, updated: float) -> dm.DataElementView:
    view = dm.DataElementView(element=dm.DataElement(qualified_name="t", description=description))
    if base is not None:
        view.element.additional_properties[SYNC_KEY] = base
    view.header.update_time.FromNanoseconds(int(updated * 1e9))
    return view


@pytest.mark.parametrize(("source", "om", "base", "both", "expected"), [
    # (source comment, open metadata description, baseline, may write source, (description, base, write, winner))
    ("a", "a", "a", True, ("a", "a", None, None)),
    ("b", "a", "a", True, ("b", "b", None, None)),            # source changed
    ("a", "b", "a", True, ("b", "b", "b", None)),             # open metadata changed
    ("a", "b", "a", False, ("b", "a", None, None)),           # ... but FROM_THIRD_PARTY: kept, not pushed
    ("c", "b", "a", True, ("b", "b", "b", "open metadata")),  # both: om updated at 20 > source at 10
    ("c", "b", "a", False, ("c", "c", None, "source")),       # both, FROM_THIRD_PARTY: the source wins
    ("c", "", None, True, ("c", "c", None, None)),            # never synced: adopt the only value
    ("", "b", None, True, ("b", "b", "b", None)),
    ("c", "b", None, True, ("b", "b", "b", "open metadata")),  # never synced, two values: a conflict
])
def test_reconcile_decision_table(source: str, om: str, base: str | None, both: bool,
                                  expected: tuple[str, str, str | None, str | None]) -> None:
    decision = reconcile(source, 10.0, _view(om, base, 20.0), may_write_source=both)
    winner = decision.conflict.winner if decision.conflict else None
    assert (decision.description, decision.base, decision.write, winner) == expected
    later = reconcile(source, 30.0, _view(om, base, 20.0), may_write_source=both)
    if expected[3] is not None:
        assert later.conflict is not None and later.conflict.winner == "source" and later.description == source
    assert reconcile("x", 0.0, None, may_write_source=both).description == "x"  # new element: the source's


def test_pg_cluster_without_binaries_fails_with_a_clear_message(tmp_path: Path) -> None:
    import os
    import subprocess

    from pgserver import PG_CLUSTER

    env = {**os.environ, "PG_BINDIR": str(tmp_path / "no-postgres-here")}
    result = subprocess.run([str(PG_CLUSTER), "start", str(tmp_path / "cluster")], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert "PostgreSQL server binaries (initdb, pg_ctl) not found" in result.stderr
    assert "apt-get install postgresql" in result.stderr
