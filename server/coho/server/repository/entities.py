"""Entity maintenance inside one :meth:`Store.write` callback (Egeria's OMRSMetadataCollection rules).

Each function validates, changes rows through the transaction and appends exactly one change-log event per
instance it changes, returning the new image and the sequence of its last event. Raising anywhere rolls the
whole callback back, so a failed write appends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import AlreadyExists, NotFound
from coho.server.repository import events, relationships
from coho.server.repository.checks import (
    check_guid_free,
    check_unique,
    find_classification,
    load_home_entity,
    merge_properties,
    require_type,
)
from coho.server.repository.headers import (
    DELETED,
    ENTITY_DEF,
    UNSPECIFIED_STATUS,
    WriteContext,
    bump,
    check_deleted,
    check_not_deleted,
    fill_header,
    new_guid,
    new_header,
)
from coho.server.store.base import WriteTxn

Result = tuple[instances_pb2.EntityDetail, int]


def add_entity(txn: WriteTxn, ctx: WriteContext, new: mcs.NewEntity, path: str = "entity") -> Result:
    types = ctx.types
    require_type(types, new.type_name, ENTITY_DEF, f"{path}.type_name")
    if new.guid:
        check_guid_free(txn, new.guid, f"{path}.guid", local_id=ctx.local_id)
    guid = new.guid or new_guid()
    status = new.initial_status or types.initial_status(new.type_name)
    types.validate_status(new.type_name, status, f"{path}.initial_status")
    types.validate_properties(new.type_name, new.properties, f"{path}.properties")
    check_unique(txn, types, new.type_name, new.properties, guid=guid, field=f"{path}.properties")
    entity = instances_pb2.EntityDetail()
    fill_header(ctx, entity.header, new.type_name, guid, status)
    entity.properties.CopyFrom(new.properties)
    for index, given in enumerate(new.classifications):
        field = f"{path}.classifications[{index}]"
        if find_classification(entity, given.name) is not None:
            raise _classification_exists(guid, given.name, field)
        classification = new_classification(
            ctx,
            new.type_name,
            given.name,
            given.properties,
            name_field=f"{field}.name",
            props_field=f"{field}.properties",
        )
        entity.classifications.append(classification)
    txn.put_entity(entity)
    return entity, events.log_entity(txn, ctx, "new", entity)


def new_classification(
    ctx: WriteContext,
    entity_type: str,
    name: str,
    properties: instances_pb2.InstanceProperties,
    *,
    name_field: str,
    props_field: str,
) -> instances_pb2.Classification:
    """A validated home classification with its own complete header."""
    ctx.types.validate_classification(name, entity_type, name_field)
    ctx.types.validate_properties(name, properties, props_field)
    classification = instances_pb2.Classification(
        name=name,
        header=new_header(ctx, name, "", ctx.types.initial_status(name)),
        classification_origin=instances_pb2.CLASSIFICATION_ORIGIN_ASSIGNED,
    )
    classification.properties.CopyFrom(properties)
    return classification


def _supersede(txn: WriteTxn, ctx: WriteContext, stored: instances_pb2.EntityDetail) -> instances_pb2.EntityDetail:
    """Keep the stored image in history and return a copy to change, already at the next version."""
    txn.save_entity_version(stored, ctx.time_ms)
    changed = instances_pb2.EntityDetail()
    changed.CopyFrom(stored)
    bump(ctx, changed.header)
    return changed


def update_properties(
    txn: WriteTxn,
    ctx: WriteContext,
    guid: str,
    properties: instances_pb2.InstanceProperties,
    *,
    merge: bool,
    expected_version: int,
) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    type_name = stored.header.type.type_def_name
    merged = merge_properties(stored.properties, properties, merge)
    ctx.types.validate_properties(type_name, merged, "properties")
    check_unique(txn, ctx.types, type_name, merged, guid=guid, field="properties")
    changed = _supersede(txn, ctx, stored)
    changed.properties.CopyFrom(merged)
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "updated", changed, stored)


def update_status(txn: WriteTxn, ctx: WriteContext, guid: str, status: int, *, expected_version: int) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    ctx.types.validate_status(stored.header.type.type_def_name, status, "status")
    changed = _supersede(txn, ctx, stored)
    changed.header.status = status  # type: ignore[assignment]
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "updated", changed, stored)


def undo_update(
    txn: WriteTxn, ctx: WriteContext, guid: str, previous: instances_pb2.EntityDetail, current_version: int
) -> Result:
    """Bring back the previous version's properties, status and classifications as a new version.

    ``previous`` was read from history before the write; the stored version must still be the one it
    preceded, otherwise a concurrent change slipped in and the caller should retry (VERSION_CONFLICT).
    """
    stored = load_home_entity(txn, guid, ctx.local_id, current_version)
    check_not_deleted(stored.header)
    changed = _supersede(txn, ctx, stored)
    changed.properties.CopyFrom(previous.properties)
    changed.header.status = previous.header.status
    del changed.classifications[:]
    changed.classifications.extend(previous.classifications)
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "undone", changed, stored)


def delete_entity(txn: WriteTxn, ctx: WriteContext, guid: str, *, expected_version: int) -> Result:
    """Soft delete, with each of its live home relationships (one event each, before the entity's)."""
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    for relationship in _live_home_relationships(txn, ctx, guid):
        relationships.soft_delete(txn, ctx, relationship)
    changed = _supersede(txn, ctx, stored)
    changed.header.status_on_delete = stored.header.status
    changed.header.status = DELETED
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "deleted", changed, stored)


def _live_home_relationships(txn: WriteTxn, ctx: WriteContext, guid: str) -> Iterable[instances_pb2.Relationship]:
    # Reference-copy relationships are left alone: only their home may delete them, and it will.
    for relationship in txn.relationships_of(guid):
        header = relationship.header
        if header.status != DELETED and header.metadata_collection_id == ctx.local_id:
            yield relationship


def restore_entity(txn: WriteTxn, ctx: WriteContext, guid: str) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id)
    check_deleted(stored.header)
    changed = _supersede(txn, ctx, stored)
    type_name = stored.header.type.type_def_name
    changed.header.status = stored.header.status_on_delete or ctx.types.initial_status(type_name)  # type: ignore[assignment]
    changed.header.status_on_delete = UNSPECIFIED_STATUS
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "restored", changed, stored)


def purge_entity(txn: WriteTxn, ctx: WriteContext, guid: str) -> Result:
    """Remove a soft-deleted entity for good, with every relationship still pointing at it."""
    stored = load_home_entity(txn, guid, ctx.local_id)
    check_deleted(stored.header)
    for relationship in txn.relationships_of(guid):
        txn.remove_relationship(relationship.header.guid)
        events.log_relationship(txn, ctx, "purged", relationship)
    txn.remove_entity(guid)
    return stored, events.log_entity(txn, ctx, "purged", stored)


def classify(
    txn: WriteTxn,
    ctx: WriteContext,
    guid: str,
    name: str,
    properties: instances_pb2.InstanceProperties,
    *,
    expected_version: int,
) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    if find_classification(stored, name) is not None:
        raise _classification_exists(guid, name, "classification_name")
    classification = new_classification(
        ctx,
        stored.header.type.type_def_name,
        name,
        properties,
        name_field="classification_name",
        props_field="properties",
    )
    changed = _supersede(txn, ctx, stored)
    changed.classifications.append(classification)
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "classified", changed, stored, classification=classification)


def reclassify(
    txn: WriteTxn,
    ctx: WriteContext,
    guid: str,
    name: str,
    properties: instances_pb2.InstanceProperties,
    *,
    expected_version: int,
) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    index, original = _require_classification(stored, name)
    ctx.types.validate_properties(name, properties, "properties")
    changed = _supersede(txn, ctx, stored)
    updated = changed.classifications[index]
    updated.properties.CopyFrom(properties)
    bump(ctx, updated.header)
    txn.put_entity(changed)
    return changed, events.log_entity(
        txn, ctx, "reclassified", changed, stored, classification=updated, original_classification=original
    )


def declassify(txn: WriteTxn, ctx: WriteContext, guid: str, name: str, *, expected_version: int) -> Result:
    stored = load_home_entity(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    index, original = _require_classification(stored, name)
    changed = _supersede(txn, ctx, stored)
    del changed.classifications[index]
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "declassified", changed, stored, original_classification=original)


def _require_classification(entity: instances_pb2.EntityDetail, name: str) -> tuple[int, instances_pb2.Classification]:
    found = find_classification(entity, name)
    if found is None:
        raise NotFound(
            message=f"entity {entity.header.guid} has no classification {name}",
            reason="CLASSIFICATION_NOT_FOUND",
            resource=("Classification", name),
            field_violations=[("classification_name", "not on this entity")],
        )
    return found


def _classification_exists(guid: str, name: str, field: str) -> AlreadyExists:
    return AlreadyExists(
        message=f"entity {guid} is already classified {name}",
        reason="CLASSIFICATION_EXISTS",
        field_violations=[(field, "already classified")],
    )
