"""OmrsEvent builders for the change log, and the append that goes with every change.

Every change appends exactly one instance event, holding the previous and the new image, so one change-log
entry is complete on its own (cohort peers, the Out Topic and integration reports read nothing else).

Reference copies saved here are logged too, so local Out Topic subscribers see what peers own. Such entries
are told apart by their home: ``instance.home_metadata_collection_id`` is the copy's home, which differs from
``originator.metadata_collection_id`` (this member). A member only sends its own events to the cohort, i.e.
those for which :func:`is_home_event` is true, so nothing loops back (DESIGN §5).
"""

from __future__ import annotations

from functools import lru_cache

from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server.repository.headers import WriteContext, event_originator
from coho.server.store.base import ChangeKind, WriteTxn

PROTOCOL_VERSION = "coho/1"
E = events_pb2  # short alias for the event-type constants below

ENTITY_EVENTS = {
    "new": E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT,
    "updated": E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT,
    "undone": E.INSTANCE_EVENT_TYPE_UNDONE_ENTITY_EVENT,
    "classified": E.INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT,
    "declassified": E.INSTANCE_EVENT_TYPE_DECLASSIFIED_ENTITY_EVENT,
    "reclassified": E.INSTANCE_EVENT_TYPE_RECLASSIFIED_ENTITY_EVENT,
    "deleted": E.INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT,
    "purged": E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT,
    "restored": E.INSTANCE_EVENT_TYPE_RESTORED_ENTITY_EVENT,
    "re_identified": E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT,
    "retyped": E.INSTANCE_EVENT_TYPE_RETYPED_ENTITY_EVENT,
    "re_homed": E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT,
}
RELATIONSHIP_EVENTS = {
    "new": E.INSTANCE_EVENT_TYPE_NEW_RELATIONSHIP_EVENT,
    "updated": E.INSTANCE_EVENT_TYPE_UPDATED_RELATIONSHIP_EVENT,
    "undone": E.INSTANCE_EVENT_TYPE_UNDONE_RELATIONSHIP_EVENT,
    "deleted": E.INSTANCE_EVENT_TYPE_DELETED_RELATIONSHIP_EVENT,
    "purged": E.INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT,
    "restored": E.INSTANCE_EVENT_TYPE_RESTORED_RELATIONSHIP_EVENT,
    "re_identified": E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_RELATIONSHIP_EVENT,
    "retyped": E.INSTANCE_EVENT_TYPE_RETYPED_RELATIONSHIP_EVENT,
    "re_homed": E.INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT,
}


def is_home_event(event: events_pb2.OmrsEvent) -> bool:
    """True when the event is about an instance homed at the event's originator (the only ones to send)."""
    if event.WhichOneof("section") != "instance":
        return True
    section = event.instance
    origin = event.originator.metadata_collection_id
    if section.event_type in (
        E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT,
        E.INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT,
    ):
        # The old home announces the hand-over; the new home announces a take-over.
        return origin in (section.home_metadata_collection_id, section.original_home_metadata_collection_id)
    return section.home_metadata_collection_id == origin


def _event(ctx: WriteContext) -> events_pb2.OmrsEvent:
    """An instance event with its section still empty: callers fill ``event.instance`` in place, as building
    the section apart and passing it in would copy the whole instance image once more. A write's second
    event caches the envelope, and later ones copy it (see ``WriteContext.templates``)."""
    template = ctx.templates.get("event")
    if template is not None and template is not False:
        event = events_pb2.OmrsEvent()
        event.CopyFrom(template)
        return event
    event = events_pb2.OmrsEvent()
    event.CopyFrom(_envelope(ctx.local_id, ctx.local_name, ctx.server_name))
    event.timestamp.CopyFrom(ctx.timestamp)
    if template is None:
        ctx.templates["event"] = False  # seen once
    else:
        template = ctx.templates["event"] = events_pb2.OmrsEvent()
        template.CopyFrom(event)
    return event


@lru_cache(maxsize=64)
def _envelope(local_id: str, local_name: str, server_name: str) -> events_pb2.OmrsEvent:
    """The part of every event of this member that no write changes (shared: copy it, do not mutate)."""
    return events_pb2.OmrsEvent(
        protocol_version=PROTOCOL_VERSION,
        originator=event_originator(local_id, local_name, server_name),
        category=events_pb2.OMRS_EVENT_CATEGORY_INSTANCE,
    )


def _append(txn: WriteTxn, ctx: WriteContext, event: events_pb2.OmrsEvent, kind: ChangeKind) -> int:
    section = event.instance
    return txn.append_change(
        event, guid=section.instance_guid, type_name=section.type_def_name, kind=kind, meta=ctx.caller.change_meta()
    )


def log_entity(
    txn: WriteTxn,
    ctx: WriteContext,
    what: str,
    entity: instances_pb2.EntityDetail,
    original: instances_pb2.EntityDetail | None = None,
    *,
    classification: instances_pb2.Classification | None = None,
    original_classification: instances_pb2.Classification | None = None,
) -> int:
    """Append one entity event (``what`` is a key of ENTITY_EVENTS); returns its sequence.

    ``entity`` is the new image (for PURGED, the last image). Identity events (re-identify, re-type, re-home)
    also fill the original guid, type and home from ``original``.
    """
    header = entity.header
    event = _event(ctx)
    section = event.instance
    section.event_type = ENTITY_EVENTS[what]
    section.type_def_guid = header.type.type_def_guid
    section.type_def_name = header.type.type_def_name
    section.instance_guid = header.guid
    section.entity.CopyFrom(entity)
    section.home_metadata_collection_id = header.metadata_collection_id
    if original is not None:
        section.original_entity.CopyFrom(original)
        _fill_identity(section, original.header)
    if classification is not None:
        section.classification.CopyFrom(classification)
    if original_classification is not None:
        section.original_classification.CopyFrom(original_classification)
    return _append(txn, ctx, event, "entity")


def log_relationship(
    txn: WriteTxn,
    ctx: WriteContext,
    what: str,
    relationship: instances_pb2.Relationship,
    original: instances_pb2.Relationship | None = None,
) -> int:
    """Append one relationship event (``what`` is a key of RELATIONSHIP_EVENTS); returns its sequence."""
    header = relationship.header
    event = _event(ctx)
    section = event.instance
    section.event_type = RELATIONSHIP_EVENTS[what]
    section.type_def_guid = header.type.type_def_guid
    section.type_def_name = header.type.type_def_name
    section.instance_guid = header.guid
    section.relationship.CopyFrom(relationship)
    section.home_metadata_collection_id = header.metadata_collection_id
    if original is not None:
        section.original_relationship.CopyFrom(original)
        _fill_identity(section, original.header)
    return _append(txn, ctx, event, "relationship")


def _fill_identity(section: events_pb2.InstanceEventSection, before: instances_pb2.InstanceHeader) -> None:
    # Filled for every event with a previous image; consumers only read them for the identity events,
    # where they differ from the new image.
    section.original_home_metadata_collection_id = before.metadata_collection_id
    if before.guid != section.instance_guid:
        section.original_instance_guid = before.guid
    if before.type.type_def_name != section.type_def_name:
        section.original_type.CopyFrom(before.type)
