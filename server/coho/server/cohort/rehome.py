"""RE_HOMED events that name this member as the new home: the reference copy becomes a home instance.

The old home hands an instance over with ``ReHomeEntity`` / ``ReHomeRelationship`` (coho.server.repository
.identity): it keeps a copy homed at the new member and sends RE_HOMED with the new image, whose
``metadata_collection_id`` is the new home. Every other member saves that image as a newer reference copy
(the usual version rule). The new home instead *takes over*:

- the image is stored as a home instance: collection id ours (it already is), provenance LOCAL_COHORT (as an
  instance created here), ``replicated_by`` cleared; the copy it replaces goes to history;
- the take-over is appended to our log as RE_HOMED from us, so :func:`events.is_home_event` sends it (the
  new home announces the take-over; peers that already applied the old home's event ignore it by version);
- from then on only we may change it, and our changes are home events like those of any local instance.

The hand-over is taken whatever the save rule says: the old home has let go, so refusing it would leave the
instance without a home. A re-delivered RE_HOMED (version not above ours) is ignored.

After the take-over, an instance event from the old home that still claims to be home (same GUID, same
createTime, its own collection id) is refused as NOT_HOME: it is the same instance, not a GUID clash, so no
CONFLICTING_INSTANCES error goes back (which would make the old home re-identify an instance it no longer
owns). Egeria refuses such updates to a locally homed instance the same way (HomeEntityException).
"""

from __future__ import annotations

from typing import Any

from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server.errors import FailedPrecondition
from coho.server.repository import events, refcopies
from coho.server.repository.headers import (
    ENTITY_DEF,
    LOCAL_COHORT,
    RELATIONSHIP_DEF,
    WriteContext,
    from_ts,
    require_guid,
)
from coho.server.store.base import WriteTxn

E = events_pb2
RE_HOMED = (E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT)
NOT_HOME = "NOT_HOME"


def image_of(section: events_pb2.InstanceEventSection) -> Any:
    """The event's new entity or relationship image; None when it carries neither."""
    if section.HasField("entity"):
        return section.entity
    if section.HasField("relationship"):
        return section.relationship
    return None


def is_take_over(section: events_pb2.InstanceEventSection, local_id: str) -> bool:
    image = image_of(section)
    return section.event_type in RE_HOMED and image is not None and image.header.metadata_collection_id == local_id


def take_over(txn: WriteTxn, ctx: WriteContext, section: events_pb2.InstanceEventSection) -> refcopies.CopyResult:
    """Store the handed-over image as our own instance (see the module doc). SAVED, or why not."""
    if section.HasField("entity"):
        entity = section.entity
        require_guid(entity.header.guid, "instance.entity.header.guid")
        stored_entity = txn.get_entity(entity.header.guid)
        refused = _refusal(ctx, entity.header, stored_entity.header if stored_entity else None, ENTITY_DEF)
        if refused is not None:
            return refcopies.CopyResult(refused)
        return refcopies.CopyResult(refcopies.SAVED, _own_entity(txn, ctx, _owned(entity, ctx), stored_entity))
    relationship = section.relationship
    require_guid(relationship.header.guid, "instance.relationship.header.guid")
    stored = txn.get_relationship(relationship.header.guid)
    refused = _refusal(ctx, relationship.header, stored.header if stored else None, RELATIONSHIP_DEF)
    if refused is not None:
        return refcopies.CopyResult(refused)
    return refcopies.CopyResult(refcopies.SAVED, _own_relationship(txn, ctx, _owned(relationship, ctx), stored))


def _refusal(ctx: WriteContext, incoming: instances_pb2.InstanceHeader, stored: instances_pb2.InstanceHeader | None,
             category: int) -> int | None:
    """Why the hand-over cannot be taken (a refcopies outcome), or None to take it."""
    try:
        ctx.types.require(incoming.type.type_def_name, category)
    except FailedPrecondition:
        return refcopies.IGNORED_UNKNOWN_TYPE
    if stored is None:
        return None
    if from_ts(stored.create_time) != from_ts(incoming.create_time):
        return refcopies.CONFLICTING_INSTANCES
    if incoming.version <= stored.version:
        return refcopies.IGNORED_OLDER_VERSION
    return None


def _owned(image: Any, ctx: WriteContext) -> Any:
    """The image as a home instance of ours: provenance LOCAL_COHORT, no replicator."""
    owned = type(image)()
    owned.CopyFrom(image)
    header = owned.header
    header.instance_provenance_type = LOCAL_COHORT
    header.replicated_by = ""
    header.metadata_collection_name = header.metadata_collection_name or ctx.local_name
    return owned


def _own_entity(txn: WriteTxn, ctx: WriteContext, owned: instances_pb2.EntityDetail,
                stored: instances_pb2.EntityDetail | None) -> int:
    if stored is not None:
        txn.save_entity_version(stored, _valid_to(ctx, stored.header, owned.header))
    txn.put_entity(owned)
    return events.log_entity(txn, ctx, "re_homed", owned, stored)


def _own_relationship(txn: WriteTxn, ctx: WriteContext, owned: instances_pb2.Relationship,
                      stored: instances_pb2.Relationship | None) -> int:
    for name in ("entity_one_proxy", "entity_two_proxy"):
        end: instances_pb2.EntityProxy = getattr(owned, name)
        if end.header.guid and txn.get_entity(end.header.guid) is None and txn.get_proxy(end.header.guid) is None:
            txn.put_proxy(end)
    if stored is not None:
        txn.save_relationship_version(stored, _valid_to(ctx, stored.header, owned.header))
    txn.put_relationship(owned)
    return events.log_relationship(txn, ctx, "re_homed", owned, stored)


def _valid_to(ctx: WriteContext, stored: instances_pb2.InstanceHeader, incoming: instances_pb2.InstanceHeader) -> int:
    # The old home's clock dates the hand-over; never end a version before it began.
    return max(from_ts(incoming.update_time) or ctx.time_ms, from_ts(stored.update_time))


def is_stale_home(txn: WriteTxn, ctx: WriteContext, section: events_pb2.InstanceEventSection) -> bool:
    """True when a CONFLICTING_INSTANCES verdict is really a former home still writing to an instance that
    was handed over to us: the same instance (same createTime), now homed here."""
    image = image_of(section)
    if image is None:
        return False
    entity = isinstance(image, instances_pb2.EntityDetail)
    stored = txn.get_entity(image.header.guid) if entity else txn.get_relationship(image.header.guid)
    return (stored is not None and stored.header.metadata_collection_id == ctx.local_id
            and image.header.metadata_collection_id != ctx.local_id
            and from_ts(stored.header.create_time) == from_ts(image.header.create_time))
