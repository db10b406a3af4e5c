"""Re-identify, re-type and re-home of entities and relationships (Egeria's REIDENTIFY / RETYPE / REHOME).

- **Re-identify** gives an instance a new GUID. Its history moves with it: every superseded version is saved
  again under the new GUID (header.guid rewritten), so ``entity_history(new_guid)`` is complete, and the
  RE_IDENTIFIED event carries ``original_instance_guid``: that event is the link from the old GUID to the new.
  The old GUID is then unknown (ENTITY_NOT_FOUND). History is read before the write; if the instance changed
  in between, the write fails with VERSION_CONFLICT and may be retried.
- **Re-type** changes the type within the same category. The stored properties, classifications and the
  ends of live relationships must all fit the new type (InvalidArgument / FailedPrecondition otherwise).
- **Re-home** changes the home collection. The home may hand an instance over to another member (it then
  becomes a reference copy here), or a member may take over a copy whose home has gone (Egeria's use, e.g.
  after DEREGISTERED_REPOSITORY); any other call fails NOT_HOME. The new home's provenance is LOCAL_COHORT.

Relationships whose ends are re-identified, re-typed or re-homed get fresh end proxies as a new version
(one UPDATED_RELATIONSHIP event each), so peers' copies follow under the usual version rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from coho.omrs.v1 import instances_pb2
from coho.server.errors import InvalidArgument
from coho.server.repository import events
from coho.server.repository.checks import (
    check_guid_free,
    check_unique,
    load_entity,
    load_home_entity,
    load_home_relationship,
    load_relationship,
    require_type,
)
from coho.server.repository.headers import (
    DELETED,
    ENTITY_DEF,
    LOCAL_COHORT,
    RELATIONSHIP_DEF,
    WriteContext,
    bump,
    check_home,
    check_version,
    entity_to_proxy,
    from_ts,
    lean_instance_type,
    require_guid,
)
from coho.server.store.base import WriteTxn

EntityResult = tuple[instances_pb2.EntityDetail, int]
RelationshipResult = tuple[instances_pb2.Relationship, int]


def _copy_entity(entity: instances_pb2.EntityDetail) -> instances_pb2.EntityDetail:
    copy = instances_pb2.EntityDetail()
    copy.CopyFrom(entity)
    return copy


def _copy_relationship(relationship: instances_pb2.Relationship) -> instances_pb2.Relationship:
    copy = instances_pb2.Relationship()
    copy.CopyFrom(relationship)
    return copy


def refresh_ends(txn: WriteTxn, ctx: WriteContext, old_guid: str, entity: instances_pb2.EntityDetail) -> None:
    """Point every relationship of old_guid at the (possibly re-identified) entity's new proxy."""
    proxy = entity_to_proxy(ctx.types, entity)
    for stored in txn.relationships_of(old_guid):
        changed = _copy_relationship(stored)
        for end in (changed.entity_one_proxy, changed.entity_two_proxy):
            if end.header.guid == old_guid:
                end.CopyFrom(proxy)
        txn.save_relationship_version(stored, ctx.time_ms)
        # Copies are re-pointed locally but keep their home's version: only the home numbers versions.
        if stored.header.metadata_collection_id == ctx.local_id:
            bump(ctx, changed.header)
        txn.put_relationship(changed)
        events.log_relationship(txn, ctx, "updated", changed, stored)


def re_identify_entity(
    txn: WriteTxn, ctx: WriteContext, guid: str, new_guid: str, history: Sequence[instances_pb2.EntityDetail]
) -> EntityResult:
    require_guid(new_guid, "new_guid")
    stored = load_home_entity(txn, guid, ctx.local_id, history[-1].header.version if history else 0)
    check_guid_free(txn, new_guid, "new_guid", local_id=ctx.local_id)
    changed = _copy_entity(stored)
    changed.header.guid = new_guid
    bump(ctx, changed.header)
    txn.put_entity(changed)
    versions = [*history[:-1], stored] if history else [stored]
    for index, version in enumerate(versions):
        moved = _copy_entity(version)
        moved.header.guid = new_guid
        last = index == len(versions) - 1
        valid_to = ctx.time_ms if last else from_ts(versions[index + 1].header.update_time)
        txn.save_entity_version(moved, valid_to)
    refresh_ends(txn, ctx, guid, changed)
    txn.remove_entity(guid)
    return changed, events.log_entity(txn, ctx, "re_identified", changed, stored)


def re_type_entity(txn: WriteTxn, ctx: WriteContext, guid: str, new_type_name: str) -> EntityResult:
    stored = load_home_entity(txn, guid, ctx.local_id)
    types = ctx.types
    require_type(types, new_type_name, ENTITY_DEF, "new_type_name")
    _check_retype_distinct(stored.header, new_type_name)
    types.validate_properties(new_type_name, stored.properties, "properties")
    for index, classification in enumerate(stored.classifications):
        types.validate_classification(classification.name, new_type_name, f"classifications[{index}]")
    for relationship in txn.relationships_of(guid):
        if relationship.header.status == DELETED:
            continue
        one, two = (
            new_type_name if end.header.guid == guid else end.header.type.type_def_name
            for end in (relationship.entity_one_proxy, relationship.entity_two_proxy)
        )
        types.validate_relationship_ends(relationship.header.type.type_def_name, one, two)
    check_unique(txn, types, new_type_name, stored.properties, guid=guid, field="properties")
    txn.save_entity_version(stored, ctx.time_ms)
    changed = _copy_entity(stored)
    changed.header.type.CopyFrom(lean_instance_type(types, new_type_name))
    bump(ctx, changed.header)
    txn.put_entity(changed)
    refresh_ends(txn, ctx, guid, changed)
    return changed, events.log_entity(txn, ctx, "retyped", changed, stored)


def _check_retype_distinct(header: instances_pb2.InstanceHeader, new_type_name: str) -> None:
    if header.type.type_def_name == new_type_name:
        raise InvalidArgument(
            message=f"{header.guid} is already a {new_type_name}",
            field_violations=[("new_type_name", "same as the current type")],
        )


def _rehome_header(
    ctx: WriteContext, header: instances_pb2.InstanceHeader, new_home_id: str, new_home_name: str
) -> None:
    """Check who may re-home, then move the home. Raises NOT_HOME for a third party's instance."""
    require_guid(new_home_id, "new_home_metadata_collection_id")
    if header.metadata_collection_id == new_home_id:
        raise InvalidArgument(
            message=f"{header.guid} is already homed in {new_home_id}",
            field_violations=[("new_home_metadata_collection_id", "same as the current home")],
        )
    if new_home_id != ctx.local_id:
        check_home(header, ctx.local_id)
    header.metadata_collection_id = new_home_id
    header.metadata_collection_name = new_home_name
    header.instance_provenance_type = LOCAL_COHORT
    header.replicated_by = ""


def re_home_entity(
    txn: WriteTxn,
    ctx: WriteContext,
    guid: str,
    new_home_id: str,
    *,
    new_home_name: str,
    expected_version: int = 0,
) -> EntityResult:
    stored = load_entity(txn, guid)
    check_version(stored.header, expected_version, "options.expected_version")
    changed = _copy_entity(stored)
    _rehome_header(ctx, changed.header, new_home_id, new_home_name)
    bump(ctx, changed.header)
    txn.save_entity_version(stored, ctx.time_ms)
    txn.put_entity(changed)
    return changed, events.log_entity(txn, ctx, "re_homed", changed, stored)


def re_identify_relationship(
    txn: WriteTxn, ctx: WriteContext, guid: str, new_guid: str, history: Sequence[instances_pb2.Relationship]
) -> RelationshipResult:
    require_guid(new_guid, "new_guid")
    stored = load_home_relationship(txn, guid, ctx.local_id, history[-1].header.version if history else 0)
    check_guid_free(txn, new_guid, "new_guid", local_id=ctx.local_id)
    changed = _copy_relationship(stored)
    changed.header.guid = new_guid
    bump(ctx, changed.header)
    versions = [*history[:-1], stored] if history else [stored]
    txn.remove_relationship(guid)
    txn.put_relationship(changed)
    for index, version in enumerate(versions):
        moved = _copy_relationship(version)
        moved.header.guid = new_guid
        last = index == len(versions) - 1
        valid_to = ctx.time_ms if last else from_ts(versions[index + 1].header.update_time)
        txn.save_relationship_version(moved, valid_to)
    return changed, events.log_relationship(txn, ctx, "re_identified", changed, stored)


def re_type_relationship(txn: WriteTxn, ctx: WriteContext, guid: str, new_type_name: str) -> RelationshipResult:
    stored = load_home_relationship(txn, guid, ctx.local_id)
    types = ctx.types
    require_type(types, new_type_name, RELATIONSHIP_DEF, "new_type_name")
    _check_retype_distinct(stored.header, new_type_name)
    types.validate_properties(new_type_name, stored.properties, "properties")
    types.validate_relationship_ends(
        new_type_name,
        stored.entity_one_proxy.header.type.type_def_name,
        stored.entity_two_proxy.header.type.type_def_name,
    )
    txn.save_relationship_version(stored, ctx.time_ms)
    changed = _copy_relationship(stored)
    changed.header.type.CopyFrom(lean_instance_type(types, new_type_name))
    bump(ctx, changed.header)
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "retyped", changed, stored)


def re_home_relationship(
    txn: WriteTxn,
    ctx: WriteContext,
    guid: str,
    new_home_id: str,
    *,
    new_home_name: str,
    expected_version: int = 0,
) -> RelationshipResult:
    stored = load_relationship(txn, guid)
    check_version(stored.header, expected_version, "options.expected_version")
    changed = _copy_relationship(stored)
    _rehome_header(ctx, changed.header, new_home_id, new_home_name)
    bump(ctx, changed.header)
    txn.save_relationship_version(stored, ctx.time_ms)
    txn.put_relationship(changed)
    return changed, events.log_relationship(txn, ctx, "re_homed", changed, stored)
