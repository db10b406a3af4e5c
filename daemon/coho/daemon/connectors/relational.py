"""What the relational database connectors share: the catalogue model, the diff against open metadata, and
two-way description sync (DESIGN §7; Egeria's Database Integrator).

A connector reads its source into :class:`Database` objects (database -> schemas -> tables and views ->
columns) and :class:`RelationalConnector.refresh` does the rest through the Data Manager:

1. It reads what open metadata holds under the database's element by walking ``list_children`` (database ->
   schemas -> tables -> columns), so everything it compares with, and may delete, is its own database's.
2. It upserts only the elements whose mapped form differs from the stored one (unchanged elements are not
   re-sent), parents before children, in batches.
3. Only then, after the source was read completely without error, it deletes the elements that vanished:
   the topmost vanished element of each branch, with cascade, so a dropped table takes its columns along.

Qualified names are hierarchical: ``<database>::<schema>::<table>::<column>``.

Descriptions. A source without comments (SQLite) keeps whatever description open metadata holds. A source
with comments (PostgreSQL's ``COMMENT ON``) syncs them with the ``description`` of tables and columns. The
value both sides agreed on at the last sync is kept on the element, in the additional property
:data:`SYNC_KEY`, so a change on either side is told apart from the other's (and survives daemon restarts):

- only one side changed since the last sync: its value goes to the other side;
- both changed to different values (a conflict): the most recent change wins, and a to-do is raised. The
  open metadata side's time is the element's ``update_time``. The source's time is what its connector
  gives (PostgreSQL: the commit time of the comment, see :mod:`.postgres_db`), else the time the connector
  observed the change, i.e. this refresh;
- FROM_THIRD_PARTY never writes the source: an edit in open metadata stays there (the baseline keeps the
  source's value), and a conflicting source change wins (and raises a to-do).
- TO_THIRD_PARTY never writes open metadata: the connector only pushes open metadata descriptions that
  differ to the source, for elements already catalogued.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import grpc

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.client.errors import CohoRpcError
from coho.daemon.context import DatabaseIntegrationContext
from coho.daemon.sdk import IntegrationConnector

SEP = "::"
SYNC_KEY = "coho.syncedDescription"
BATCH = 500
TO_DO_TYPE = "DescriptionConflict"
LIST_CONCURRENCY = 8


# -- the source's catalogue ---------------------------------------------------------------------------
@dataclass
class Column:
    name: str
    data_type: str
    position: int
    is_nullable: bool
    is_primary_key: bool
    max_length: int = 0
    default_value: str = ""
    comment: str = ""
    comment_time: float | None = None
    """When the comment was last changed, if the source knows (seconds since the epoch)."""


@dataclass
class Table:
    name: str
    is_view: bool = False
    view_definition: str = ""
    columns: list[Column] = field(default_factory=list)
    comment: str = ""
    comment_time: float | None = None
    relation_kind: str = ""
    """The source's own kind of relation (PostgreSQL's relkind), for writing comments back."""


@dataclass
class Schema:
    name: str
    tables: list[Table] = field(default_factory=list)


@dataclass
class Database:
    qualified_name: str
    display_name: str
    database_type: str
    database_version: str = ""
    path_name: str = ""
    database_instance: str = ""
    schemas: list[Schema] = field(default_factory=list)
    source_name: str = ""
    """The source's own name for the database (PostgreSQL: its dbname), for comment writes."""


Commented: TypeAlias = Table | Column


@dataclass(frozen=True)
class Target:
    """A table or column whose comment may be written back, with where it lives."""

    database: Database
    schema: Schema
    table: Table
    column: Column | None = None


def qualified(parent: str, name: str) -> str:
    return f"{parent}{SEP}{name}"


def flatten(database: Database) -> list[tuple[dm.DataElement, Target | None]]:
    """The database as DataElements, parents before children, each table/column with its :class:`Target`."""
    db_qn = database.qualified_name
    out: list[tuple[dm.DataElement, Target | None]] = [(dm.DataElement(
        qualified_name=db_qn, display_name=database.display_name,
        database=dm.DatabaseElement(database_type=database.database_type,
                                    database_version=database.database_version,
                                    path_name=database.path_name,
                                    database_instance=database.database_instance)), None)]
    for schema in database.schemas:
        schema_qn = qualified(db_qn, schema.name)
        out.append((dm.DataElement(qualified_name=schema_qn, display_name=schema.name, parent_qualified_name=db_qn,
                                   schema=dm.DatabaseSchemaElement()), None))
        for table in schema.tables:
            table_qn = qualified(schema_qn, table.name)
            out.append((dm.DataElement(
                qualified_name=table_qn, display_name=table.name, parent_qualified_name=schema_qn,
                table=dm.TableElement(is_view=table.is_view, view_definition=table.view_definition)),
                Target(database, schema, table)))
            for column in table.columns:
                out.append((dm.DataElement(
                    qualified_name=qualified(table_qn, column.name), display_name=column.name,
                    parent_qualified_name=table_qn,
                    column=dm.ColumnElement(data_type=column.data_type, position=column.position,
                                            is_nullable=column.is_nullable, is_primary_key=column.is_primary_key,
                                            max_length=column.max_length, default_value=column.default_value)),
                    Target(database, schema, table, column)))
    return out


# -- open metadata's catalogue --------------------------------------------------------------------------
async def read_catalogue(context: DatabaseIntegrationContext, database_qn: str) -> dict[str, dm.DataElementView]:
    """Every element open metadata holds under the database (itself included), by qualified name.

    One level at a time, with up to :data:`LIST_CONCURRENCY` ``list_children`` calls in flight: a no-op
    refresh of a large database is mostly this walk, and one call per table in sequence is latency-bound.
    """
    try:
        root = await context.get_element(qualified_name=database_qn)
    except CohoRpcError as err:
        if err.code == grpc.StatusCode.NOT_FOUND:
            return {}
        raise
    found = {database_qn: root}
    level = [database_qn]
    slots = asyncio.Semaphore(LIST_CONCURRENCY)

    async def children(parent: str) -> list[dm.DataElementView]:
        async with slots:
            return await context.list_children(parent_qualified_name=parent)

    while level:  # bounded: database -> schemas -> tables -> columns, each element listed at most once
        listed = await asyncio.gather(*(children(parent) for parent in level))
        level = []
        for child in (view for views in listed for view in views):
            name = child.element.qualified_name
            if name in found:
                continue
            found[name] = child
            if child.element.WhichOneof("kind") != "column":
                level.append(name)
    return found


@dataclass
class Plan:
    upserts: list[dm.DataElement]
    deletes: list[str]
    unchanged: int


def plan(desired: Sequence[dm.DataElement], stored: dict[str, dm.DataElementView]) -> Plan:
    """What to send: the elements that differ from their stored form, and the topmost vanished elements."""
    upserts = [e for e in desired if (view := stored.get(e.qualified_name)) is None or view.element != e]
    wanted = {e.qualified_name for e in desired}
    gone = {name for name in stored if name not in wanted}
    deletes = sorted(name for name in gone if stored[name].element.parent_qualified_name not in gone)
    return Plan(upserts=upserts, deletes=deletes, unchanged=len(desired) - len(upserts))


# -- descriptions ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    open_metadata_value: str
    open_metadata_time: float
    source_value: str
    source_time: float
    winner: str
    """"open metadata" or "source"."""


@dataclass(frozen=True)
class Decision:
    description: str
    """The description open metadata should hold."""
    base: str
    """The value recorded as agreed (the baseline for the next sync)."""
    write: str | None = None
    """A comment to write to the source, if any."""
    conflict: Conflict | None = None


def view_time(view: dm.DataElementView) -> float:
    stamp = view.header.update_time if view.header.HasField("update_time") else view.header.create_time
    return stamp.seconds + stamp.nanos / 1e9


# A decision table reads best as one early return per case.
def reconcile(source: str, source_time: float, view: dm.DataElementView | None, *, may_write_source: bool,  # noqa: PLR0911
              may_write_open_metadata: bool = True) -> Decision:
    """Decide one element's description from the source's comment and the stored element (module doc)."""
    if view is None:
        return Decision(source, source)
    om = view.element.description
    base = view.element.additional_properties.get(SYNC_KEY)
    if om == source:
        return Decision(om, om)
    if not may_write_open_metadata:
        return Decision(om, om, write=om if may_write_source else None)
    if base is None:
        # Never synced: adopt whichever side has a value; two different values are a conflict.
        source_changed, om_changed = bool(source), bool(om)
    else:
        source_changed, om_changed = source != base, om != base
    if source_changed and not om_changed:
        return Decision(source, source)
    if om_changed and not source_changed:
        if may_write_source:
            return Decision(om, om, write=om)
        return Decision(om, source)  # FROM_THIRD_PARTY: the edit stays in open metadata only
    om_time = view_time(view)
    om_wins = may_write_source and om_time > source_time
    conflict = Conflict(om, om_time, source, source_time, "open metadata" if om_wins else "source")
    if om_wins:
        return Decision(om, om, write=om, conflict=conflict)
    return Decision(source, source, conflict=conflict)


# -- the connector ---------------------------------------------------------------------------------------
class RelationalConnector(IntegrationConnector[DatabaseIntegrationContext]):
    """Base of the relational database connectors: subclasses read their source, this class syncs it."""

    supports_comments = False
    source_kind = "database"

    async def read_source(self) -> list[Database]:
        """The whole catalogue of the source; raises if any part of it cannot be read."""
        raise NotImplementedError

    async def write_comments(self, writes: Sequence[tuple[Target, str]]) -> None:
        """Set these comments in the source (only called when the connector may write the source)."""
        raise NotImplementedError

    def comment_time_source(self) -> str:
        """How the source's change times were decided, for to-dos."""
        return "the time the connector observed the change"

    async def refresh(self) -> None:
        databases = await self.read_source()  # a failed read raises here, before anything is deleted
        for database in databases:
            await self.sync_database(database)

    async def sync_database(self, database: Database) -> Plan:
        context = self.context
        stored = await read_catalogue(context, database.qualified_name)
        observed = time.time()
        desired: list[dm.DataElement] = []
        writes: list[tuple[Target, str]] = []
        conflicts: list[tuple[dm.DataElement, Conflict]] = []
        may_write_source = context.may_write_third_party()
        may_write_om = context.may_write_open_metadata()
        for element, target in flatten(database):
            view = stored.get(element.qualified_name)
            if self.supports_comments and target is not None:
                commented: Commented = target.column or target.table
                decision = reconcile(commented.comment, commented.comment_time or observed, view,
                                     may_write_source=may_write_source, may_write_open_metadata=may_write_om)
                element.description = decision.description
                element.additional_properties[SYNC_KEY] = decision.base
                if decision.write is not None and view is not None:
                    writes.append((target, decision.write))
                if decision.conflict is not None:
                    conflicts.append((element, decision.conflict))
            elif view is not None:
                element.description = view.element.description  # the source has none: keep open metadata's
            desired.append(element)
        if writes:
            if not may_write_source:  # pragma: no cover - reconcile never asks; a second guard for safety
                raise PermissionError("this connector may not write to the database (FROM_THIRD_PARTY)")
            await self.write_comments(writes)
        changes = plan(desired, stored)
        if may_write_om:
            for start in range(0, len(changes.upserts), BATCH):
                await context.upsert_elements(changes.upserts[start:start + BATCH])
            if changes.deletes:
                await context.delete_elements(qualified_names=changes.deletes, cascade=True)
        for element, conflict in conflicts:
            await self._raise_conflict(element, stored.get(element.qualified_name), conflict)
        return changes

    async def _raise_conflict(self, element: dm.DataElement, view: dm.DataElementView | None,
                              conflict: Conflict) -> None:
        name = element.qualified_name
        digest = hashlib.sha256(f"{name}\0{conflict.open_metadata_value}\0{conflict.source_value}".encode())
        kept = conflict.open_metadata_value if conflict.winner == "open metadata" else conflict.source_value
        to_do = sa.ToDo(
            name=f"Description conflict on {name}",
            description=(f"The description of {name} was changed both in open metadata and in the "
                         f"{self.source_kind} since the last sync. The most recent change ({conflict.winner}) "
                         f"was kept: {kept!r}. Open metadata had {conflict.open_metadata_value!r}; the "
                         f"{self.source_kind} had {conflict.source_value!r}. Please check."),
            to_do_type=TO_DO_TYPE, priority=2,
            action_target_guids=[view.header.guid] if view is not None else [],
            additional_properties={
                "qualifiedName": name, "winner": conflict.winner, "keptValue": kept,
                "openMetadataValue": conflict.open_metadata_value,
                "openMetadataTime": _iso(conflict.open_metadata_time),
                "sourceValue": conflict.source_value, "sourceTime": _iso(conflict.source_time),
                "sourceTimeFrom": self.comment_time_source()})
        await self.context.open_to_do(to_do, request_id=f"description-conflict-{digest.hexdigest()[:32]}")


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d}Z"
