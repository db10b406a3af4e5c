"""The Data Manager's batch upsert, as one :meth:`Store.write` callback (no grpc here).

A batch runs in three passes so that the store's write buffering works for it: every read (unique-name
lookups, stored images, current parent links) happens first, then the entity writes, then the parent links.
A read in the middle of the writes would make the SQLite transaction flush its buffers once per element.

New instances are built here from :mod:`coho.server.repository.headers` and logged with
:mod:`coho.server.repository.events` rather than through ``entities.add_entity``: that function re-checks
uniqueness with a transaction read per entity (a flush per element) and re-validates properties that the
typed mapping produces valid by construction. Updates, history and events follow the same rules as
``entities.update_properties``; deletes of links reuse ``relationships.soft_delete``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import elements_pb2
from coho.omrs.v1 import instances_pb2
from coho.server.access import data_mapping as mapping
from coho.server.errors import InvalidArgument
from coho.server.repository import events, relationships
from coho.server.repository.checks import unique_scope
from coho.server.repository.headers import (
    WriteContext,
    bump,
    check_home,
    entity_to_proxy,
    fill_header,
    fill_proxy,
    new_guid,
)
from coho.server.store.base import WriteTxn
from coho.server.types import TypeRegistry

OUT = elements_pb2  # the UpsertOutcome constants

QUALIFIED_NAME = "qualifiedName"


@dataclass
class Item:
    """One element of the batch as it moves through the passes."""

    index: int
    element: dm.DataElement
    kind: mapping.Kind
    properties: instances_pb2.InstanceProperties
    stored: instances_pb2.EntityDetail | None = None
    current_link: instances_pb2.Relationship | None = None
    entity: instances_pb2.EntityDetail | None = None
    outcome: int = OUT.UPSERT_OUTCOME_UNSPECIFIED
    link: mapping.Link | None = None
    """How this element hangs under its parent (None: top-level)."""


@dataclass
class Batch:
    """Per-batch lookups, built once: type scopes, statuses, proxies of parents shared by many children."""

    txn: WriteTxn
    ctx: WriteContext
    scope: list[str]
    by_name: dict[str, Item] = field(default_factory=dict)
    stored_parents: dict[str, instances_pb2.EntityDetail] = field(default_factory=dict)
    schema_types: dict[str, instances_pb2.EntityDetail] = field(default_factory=dict)
    proxies: dict[str, instances_pb2.EntityProxy] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)
    """qualifiedName -> GUID of every stored name the batch asks about (see _prefetch_names)."""
    statuses: dict[str, int] = field(default_factory=dict)
    sequence: int = 0

    def initial_status(self, type_name: str) -> int:
        status = self.statuses.get(type_name)
        if status is None:
            status = self.statuses[type_name] = self.ctx.types.initial_status(type_name)
        return status

    def proxy(self, entity: instances_pb2.EntityDetail) -> instances_pb2.EntityProxy:
        key = f"{entity.header.guid}@{entity.header.version}"
        cached = self.proxies.get(key)
        if cached is None:
            cached = self.proxies[key] = entity_to_proxy(self.ctx.types, entity)
        return cached


def qualified_name_scope(types: TypeRegistry) -> list[str]:
    """Every type among which qualifiedName is unique (all Referenceables): a data element's name clashes
    with any other element's, and the clash is reported as KIND_MISMATCH rather than missed."""
    return unique_scope(types, "Referenceable", QUALIFIED_NAME)


def prepare(elements: list[dm.DataElement]) -> list[Item]:
    """Field checks that need no store; every violation of the batch is reported at once."""
    items: list[Item] = []
    violations: list[tuple[str, str]] = []
    reason = "INVALID_ELEMENT"
    seen: dict[str, int] = {}
    for index, element in enumerate(elements):
        path = f"elements[{index}]"
        kind_field = element.WhichOneof("kind")
        if not element.qualified_name:
            violations.append((f"{path}.qualified_name", "is required"))
            reason = "MISSING_FIELD"
        elif element.qualified_name in seen:
            violations.append((f"{path}.qualified_name", f"repeats elements[{seen[element.qualified_name]}]"))
        seen.setdefault(element.qualified_name, index)
        if kind_field is None:
            violations.append((f"{path}.kind", "one of database, schema, table, column, folder, file, topic"))
            reason = "MISSING_FIELD"
            continue
        kind = mapping.KINDS[kind_field]
        if element.parent_qualified_name and not kind.parents:
            violations.append((f"{path}.parent_qualified_name", f"a {kind_field} has no parent"))
        elif element.parent_qualified_name == element.qualified_name and element.qualified_name:
            violations.append((f"{path}.parent_qualified_name", "an element cannot be its own parent"))
        items.append(Item(index, element, kind, mapping.to_properties(element, kind_field)))
    if violations:
        raise InvalidArgument(
            message=f"{len(violations)} invalid field(s); first: {violations[0][0]}: {violations[0][1]}",
            reason=reason,
            field_violations=violations,
        )
    return items


def upsert(txn: WriteTxn, ctx: WriteContext, items: list[Item]) -> tuple[list[elements_pb2.ElementResult], int]:
    batch = Batch(txn, ctx, qualified_name_scope(ctx.types))
    batch.by_name = {item.element.qualified_name: item for item in items}
    _read_pass(batch, items)
    for item in items:
        _write_entity(batch, item)
    for item in items:
        _write_link(batch, item)
    results = [
        elements_pb2.ElementResult(
            key=item.element.qualified_name,
            guid=item.entity.header.guid if item.entity else "",
            outcome=item.outcome,  # type: ignore[arg-type]
            version=item.entity.header.version if item.entity else 0,
        )
        for item in items
    ]
    return results, batch.sequence


# -- pass 1: reads ---------------------------------------------------------------------------------------
def _read_pass(batch: Batch, items: list[Item]) -> None:
    txn, types = batch.txn, batch.ctx.types
    _prefetch_names(batch, items)
    # The stored elements and their links in a few statements, not two reads per element: a refresh that
    # finds nothing changed spends most of its time here.
    known = [guid for guid in (batch.known.get(item.element.qualified_name) for item in items) if guid]
    stored_entities = txn.get_entities(known)
    links = txn.relationships_of_many(list(stored_entities))
    for item in items:
        guid = batch.known.get(item.element.qualified_name)
        stored = stored_entities.get(guid) if guid else None
        if guid is None or stored is None:  # new (the unique index only holds full entities)
            continue
        _check_kind(stored, item.kind, f"elements[{item.index}]", types)
        check_home(stored.header, batch.ctx.local_id)
        item.stored = stored
        item.current_link = _parent_link(links[guid], guid)
    for item in items:
        parent_name = item.element.parent_qualified_name
        if parent_name:
            _resolve_parent(batch, item, parent_name)


def _prefetch_names(batch: Batch, items: list[Item]) -> None:
    """Look every name the batch may ask about up at once (elements, parents, schema types): one statement
    per 500 names instead of one per element. Nothing is written before the read pass ends, so the answers
    hold for all of it (a per-name find_by_unique would redo the scope and pending-put checks each time)."""
    names = [item.element.qualified_name for item in items]
    for item in items:
        parent = item.element.parent_qualified_name
        if parent and parent not in batch.by_name:
            names.append(parent)
        if parent and any(link.via_schema_type for link in item.kind.parents.values()):
            names.append(parent + mapping.SCHEMA_TYPE_SUFFIX)
    batch.known = batch.txn.find_by_unique_many(batch.scope, QUALIFIED_NAME, list(dict.fromkeys(names)))


def _check_kind(stored: instances_pb2.EntityDetail, kind: mapping.Kind, path: str, types: TypeRegistry) -> None:
    type_name = stored.header.type.type_def_name
    if not types.is_a(type_name, kind.type_name):
        raise InvalidArgument(
            message=f"{path}: {stored.header.guid} is a {type_name}, not a {kind.type_name}",
            reason="KIND_MISMATCH",
            field_violations=[(f"{path}.{kind.field}", f"the element with this qualified name is a {type_name}")],
            metadata={"existing_guid": stored.header.guid, "existing_type": type_name},
        )


def _parent_link(relationships: list[instances_pb2.Relationship], guid: str) -> instances_pb2.Relationship | None:
    """The live link among guid's relationships in which guid is the child, if any."""
    for relationship in relationships:
        if relationship.header.status == mapping.DELETED or relationship.header.type.type_def_name not in (
            mapping.PARENT_LINK_TYPES
        ):
            continue
        link = mapping.LINKS_BY_TYPE[relationship.header.type.type_def_name]
        child = relationship.entity_two_proxy if link.parent_at_end_one else relationship.entity_one_proxy
        if child.header.guid == guid:
            return relationship
    return None


def _resolve_parent(batch: Batch, item: Item, parent_name: str) -> None:
    path = f"elements[{item.index}].parent_qualified_name"
    in_batch = batch.by_name.get(parent_name)
    if in_batch is not None:
        parent_kind = in_batch.kind.field
    else:
        stored = batch.stored_parents.get(parent_name)
        if stored is None:
            guid = batch.known.get(parent_name)
            stored = batch.txn.get_entity(guid) if guid else None
            if stored is None:
                raise InvalidArgument(
                    message=f"{path}: no element is named {parent_name!r}",
                    reason="PARENT_NOT_FOUND",
                    field_violations=[(path, "unknown parent")],
                    metadata={"parent_qualified_name": parent_name},
                )
            batch.stored_parents[parent_name] = stored
        found = mapping.kind_of_type(stored.header.type.type_def_name, batch.ctx.types.is_a)
        parent_kind = found.field if found else stored.header.type.type_def_name
    link = item.link = item.kind.parents.get(parent_kind)
    if link is None:
        raise InvalidArgument(
            message=f"{path}: a {item.kind.field} cannot be under a {parent_kind}",
            reason="KIND_MISMATCH",
            field_violations=[(path, f"a {parent_kind} cannot be the parent of a {item.kind.field}")],
        )
    if link.via_schema_type and parent_name not in batch.schema_types:
        schema_type_name = parent_name + mapping.SCHEMA_TYPE_SUFFIX
        guid = batch.known.get(schema_type_name)
        found_type = batch.txn.get_entity(guid) if guid else None
        if found_type is not None:
            batch.schema_types[parent_name] = found_type


# -- pass 2: entities ------------------------------------------------------------------------------------
def _write_entity(batch: Batch, item: Item) -> None:
    txn, ctx = batch.txn, batch.ctx
    stored = item.stored
    if stored is None:
        item.entity = _create(batch, item.kind.type_name, item.properties)
        item.outcome = OUT.UPSERT_OUTCOME_CREATED
        if item.kind.field == "schema":
            _ensure_schema_type(batch, item.element.qualified_name, item.entity)
        return
    if stored.properties == item.properties:
        item.entity = stored
        item.outcome = OUT.UPSERT_OUTCOME_UNCHANGED
        return
    txn.save_entity_version(stored, ctx.time_ms)
    changed = instances_pb2.EntityDetail()
    changed.CopyFrom(stored)
    bump(ctx, changed.header)
    changed.properties.CopyFrom(item.properties)
    txn.put_entity(changed)
    batch.sequence = events.log_entity(txn, ctx, "updated", changed, stored)
    item.entity = changed
    item.outcome = OUT.UPSERT_OUTCOME_UPDATED


def _create(batch: Batch, type_name: str, properties: instances_pb2.InstanceProperties) -> instances_pb2.EntityDetail:
    ctx = batch.ctx
    # Filled in place: passing a built header and properties to the constructor copies both once more.
    entity = instances_pb2.EntityDetail()
    fill_header(ctx, entity.header, type_name, new_guid(), batch.initial_status(type_name))
    entity.properties.CopyFrom(properties)
    batch.txn.put_entity(entity)
    batch.sequence = events.log_entity(batch.txn, ctx, "new", entity)
    return entity


def _ensure_schema_type(batch: Batch, schema_name: str, schema: instances_pb2.EntityDetail) -> None:
    """The hidden RelationalDBSchemaType that a schema's tables hang from (see :mod:`.data_mapping`)."""
    props = instances_pb2.InstanceProperties()
    props.properties[QUALIFIED_NAME].CopyFrom(mapping.string(schema_name + mapping.SCHEMA_TYPE_SUFFIX))
    schema_type = _create(batch, mapping.SCHEMA_TYPE, props)
    _link(batch, mapping.SCHEMA_TYPE_LINK, schema, schema_type)
    batch.schema_types[schema_name] = schema_type


# -- pass 3: parent links --------------------------------------------------------------------------------
def _write_link(batch: Batch, item: Item) -> None:
    assert item.entity is not None
    parent = _parent_end(batch, item)
    current = item.current_link
    link = item.link
    if current is not None and parent is not None and link is not None:
        current_parent = current.entity_one_proxy if link.parent_at_end_one else current.entity_two_proxy
        if current.header.type.type_def_name == link.relationship and current_parent.header.guid == parent.header.guid:
            return
    if current is None and parent is None:
        return
    if current is not None:
        _, batch.sequence = relationships.soft_delete(batch.txn, batch.ctx, current)
    if parent is not None and link is not None:
        one, two = (parent, item.entity) if link.parent_at_end_one else (item.entity, parent)
        _link(batch, link.relationship, one, two, child=item.entity)
    if item.outcome == OUT.UPSERT_OUTCOME_UNCHANGED:
        item.outcome = OUT.UPSERT_OUTCOME_UPDATED


def _parent_end(batch: Batch, item: Item) -> instances_pb2.EntityDetail | None:
    """The entity at the parent end of item's link: the parent, or for a table its schema's schema type."""
    name = item.element.parent_qualified_name
    if not name:
        return None
    link = item.link
    if link is not None and link.via_schema_type:
        schema_type = batch.schema_types.get(name)
        if schema_type is None:
            # A schema stored before its schema type existed (or unchanged in this batch): make it now.
            parent = _parent_entity(batch, name)
            _ensure_schema_type(batch, name, parent)
            schema_type = batch.schema_types[name]
        return schema_type
    return _parent_entity(batch, name)


def _parent_entity(batch: Batch, name: str) -> instances_pb2.EntityDetail:
    in_batch = batch.by_name.get(name)
    if in_batch is not None:
        assert in_batch.entity is not None
        return in_batch.entity
    return batch.stored_parents[name]


def _link(
    batch: Batch,
    type_name: str,
    one: instances_pb2.EntityDetail,
    two: instances_pb2.EntityDetail,
    child: instances_pb2.EntityDetail | None = None,
) -> instances_pb2.Relationship:
    ctx = batch.ctx
    relationship = instances_pb2.Relationship()
    fill_header(ctx, relationship.header, type_name, new_guid(), batch.initial_status(type_name))
    # A parent's proxy is shared by many children (built once); the child's is filled in place.
    for end, entity in ((relationship.entity_one_proxy, one), (relationship.entity_two_proxy, two)):
        if entity is child:
            fill_proxy(ctx.types, entity, end)
        else:
            end.CopyFrom(batch.proxy(entity))
    batch.txn.put_relationship(relationship)
    batch.sequence = events.log_relationship(batch.txn, ctx, "new", relationship)
    return relationship
