"""Relationship maintenance inside one :meth:`Store.write` callback; the counterpart of :mod:`entities`."""

from __future__ import annotations

from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from coho.server.repository import events
from coho.server.repository.checks import check_guid_free, load_home_relationship, merge_properties, require_type
from coho.server.repository.headers import (
    DELETED,
    RELATIONSHIP_DEF,
    UNSPECIFIED_STATUS,
    WriteContext,
    bump,
    check_deleted,
    check_not_deleted,
    entity_not_found,
    entity_to_proxy,
    fill_header,
    new_guid,
)
from coho.server.store.base import WriteTxn
from coho.server.types import TypeRegistry

Result = tuple[instances_pb2.Relationship, int]


def end_proxy(txn: WriteTxn, types: TypeRegistry, guid: str, field: str) -> instances_pb2.EntityProxy:
    """The proxy for a relationship end: built from the stored entity, or the stored proxy itself."""
    entity = txn.get_entity(guid)
    if entity is not None:
        if entity.header.status == DELETED:
            raise FailedPrecondition(
                message=f"entity {guid} is soft-deleted and cannot be linked",
                reason="ALREADY_DELETED",
                field_violations=[(field, "soft-deleted")],
            )
        return entity_to_proxy(types, entity)
    proxy = txn.get_proxy(guid)
    if proxy is None:
        error = entity_not_found(guid)
        error.field_violations.append((field, "unknown entity"))
        raise error
    return proxy


def add_relationship(txn: WriteTxn, ctx: WriteContext, new: mcs.NewRelationship, path: str = "relationship") -> Result:
    types = ctx.types
    require_type(types, new.type_name, RELATIONSHIP_DEF, f"{path}.type_name")
    if new.guid:
        check_guid_free(txn, new.guid, f"{path}.guid", local_id=ctx.local_id)
    one = end_proxy(txn, types, new.entity_one_guid, f"{path}.entity_one_guid")
    two = end_proxy(txn, types, new.entity_two_guid, f"{path}.entity_two_guid")
    try:
        types.validate_relationship_ends(new.type_name, one.header.type.type_def_name, two.header.type.type_def_name)
    except InvalidArgument as exc:
        # The registry names the proxies; a NewRelationship names its ends by GUID.
        exc.field_violations = [
            (f"{path}.{f.replace('_proxy', '_guid')}", description) for f, description in exc.field_violations
        ]
        raise
    status = new.initial_status or types.initial_status(new.type_name)
    types.validate_status(new.type_name, status, f"{path}.initial_status")
    types.validate_properties(new.type_name, new.properties, f"{path}.properties")
    type_def = types.get_type_def(new.type_name)
    multi_link = type_def is not None and type_def.relationship_def.multi_link
    if not multi_link:
        existing = txn.find_link(new.type_name, one.header.guid, two.header.guid)
        if existing is not None:
            raise AlreadyExists(
                message=f"{new.type_name} already links these entities ({existing})",
                reason="DUPLICATE_LINK",
                metadata={"existing_guid": existing},
                field_violations=[(f"{path}.type_name", f"{new.type_name} is not multi-link")],
            )
    relationship = instances_pb2.Relationship(entity_one_proxy=one, entity_two_proxy=two)
    fill_header(ctx, relationship.header, new.type_name, new.guid or new_guid(), status)
    relationship.properties.CopyFrom(new.properties)
    txn.put_relationship(relationship)
    return relationship, events.log_relationship(txn, ctx, "new", relationship)


def _supersede(txn: WriteTxn, ctx: WriteContext, stored: instances_pb2.Relationship) -> instances_pb2.Relationship:
    txn.save_relationship_version(stored, ctx.time_ms)
    changed = instances_pb2.Relationship()
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
    stored = load_home_relationship(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    merged = merge_properties(stored.properties, properties, merge)
    ctx.types.validate_properties(stored.header.type.type_def_name, merged, "properties")
    changed = _supersede(txn, ctx, stored)
    changed.properties.CopyFrom(merged)
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "updated", changed, stored)


def update_status(txn: WriteTxn, ctx: WriteContext, guid: str, status: int, *, expected_version: int) -> Result:
    stored = load_home_relationship(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    ctx.types.validate_status(stored.header.type.type_def_name, status, "status")
    changed = _supersede(txn, ctx, stored)
    changed.header.status = status  # type: ignore[assignment]
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "updated", changed, stored)


def undo_update(
    txn: WriteTxn, ctx: WriteContext, guid: str, previous: instances_pb2.Relationship, current_version: int
) -> Result:
    stored = load_home_relationship(txn, guid, ctx.local_id, current_version)
    check_not_deleted(stored.header)
    changed = _supersede(txn, ctx, stored)
    changed.properties.CopyFrom(previous.properties)
    changed.header.status = previous.header.status
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "undone", changed, stored)


def soft_delete(txn: WriteTxn, ctx: WriteContext, stored: instances_pb2.Relationship) -> Result:
    changed = _supersede(txn, ctx, stored)
    changed.header.status_on_delete = stored.header.status
    changed.header.status = DELETED
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "deleted", changed, stored)


def delete_relationship(txn: WriteTxn, ctx: WriteContext, guid: str, *, expected_version: int) -> Result:
    stored = load_home_relationship(txn, guid, ctx.local_id, expected_version)
    check_not_deleted(stored.header)
    return soft_delete(txn, ctx, stored)


def restore_relationship(txn: WriteTxn, ctx: WriteContext, guid: str) -> Result:
    stored = load_home_relationship(txn, guid, ctx.local_id)
    check_deleted(stored.header)
    for end in (stored.entity_one_proxy, stored.entity_two_proxy):
        # A relationship cannot come back to life pointing at a soft-deleted entity.
        end_proxy(txn, ctx.types, end.header.guid, "guid")
    changed = _supersede(txn, ctx, stored)
    type_name = stored.header.type.type_def_name
    changed.header.status = stored.header.status_on_delete or ctx.types.initial_status(type_name)  # type: ignore[assignment]
    changed.header.status_on_delete = UNSPECIFIED_STATUS
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "restored", changed, stored)


def purge_relationship(txn: WriteTxn, ctx: WriteContext, guid: str) -> Result:
    stored = load_home_relationship(txn, guid, ctx.local_id)
    check_deleted(stored.header)
    txn.remove_relationship(guid)
    return stored, events.log_relationship(txn, ctx, "purged", stored)
