"""Change-log entries -> Out Topic events, and the filters subscribers select them with.

One change-log entry (an OMRS instance event) becomes at most one :class:`OutTopicEvent` with Egeria's
out-topic event names. Entries that are not instance changes (typedef, registry, error and batch events,
and cohort refresh *requests*) produce none: they are cohort plumbing, not element changes. Their
sequences still count as scanned, so a subscriber's position moves past them.

Each entry is mapped once, when it is written (the store's change annexer, :mod:`.wire`); readers then
filter encoded entries with :meth:`EventFilter.admits` and never map or decode again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from coho.access.v1 import elements_pb2
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server.errors import CohoError, InvalidArgument
from coho.server.store.base import ChangeMeta, ChangeRecord
from coho.server.types import TypeRegistry

E = events_pb2
T = ot

# InstanceEventType -> (OutTopicEventType, purged). Absent types produce no out-topic event.
_EVENT_TYPES: dict[int, tuple[int, bool]] = {}
for _new, _updated, _undone, _deleted, _purged, _restored, _reid, _retyped, _rehomed, _refreshed in (
    (
        E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT,
        E.INSTANCE_EVENT_TYPE_UNDONE_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT,
        E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_RESTORED_ENTITY_EVENT,
        E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_RETYPED_ENTITY_EVENT,
        E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT, E.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT,
    ),
    (
        E.INSTANCE_EVENT_TYPE_NEW_RELATIONSHIP_EVENT, E.INSTANCE_EVENT_TYPE_UPDATED_RELATIONSHIP_EVENT,
        E.INSTANCE_EVENT_TYPE_UNDONE_RELATIONSHIP_EVENT, E.INSTANCE_EVENT_TYPE_DELETED_RELATIONSHIP_EVENT,
        E.INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT, E.INSTANCE_EVENT_TYPE_RESTORED_RELATIONSHIP_EVENT,
        E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_RELATIONSHIP_EVENT, E.INSTANCE_EVENT_TYPE_RETYPED_RELATIONSHIP_EVENT,
        E.INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT, E.INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT,
    ),
):
    _EVENT_TYPES.update({
        _new: (T.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED, False),
        _updated: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED, False),
        # Egeria reports an undo as an update: the element's properties changed back.
        _undone: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED, False),
        _deleted: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, False),
        _purged: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, True),
        _restored: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_RESTORED, False),
        _reid: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_GUID_CHANGED, False),
        _retyped: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED, False),
        _rehomed: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_HOME_CHANGED, False),
        _refreshed: (T.OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT, False),
    })
_EVENT_TYPES.update({
    E.INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_CLASSIFIED, False),
    E.INSTANCE_EVENT_TYPE_RECLASSIFIED_ENTITY_EVENT: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_RECLASSIFIED, False),
    E.INSTANCE_EVENT_TYPE_DECLASSIFIED_ENTITY_EVENT: (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DECLASSIFIED, False),
})
_CLASSIFICATION_EVENTS = frozenset({
    T.OUT_TOPIC_EVENT_TYPE_ELEMENT_CLASSIFIED,
    T.OUT_TOPIC_EVENT_TYPE_ELEMENT_RECLASSIFIED,
    T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DECLASSIFIED,
})
# Events whose previous image is a genuine "before" worth sending as previous properties.
_WITH_PREVIOUS = frozenset({T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED})

# The annex tag of a change-log entry (see :mod:`.wire`): the OutTopicEventType in the low byte, plus
# TAG_DECODE when the entry's guid / type_name columns are not enough to filter it (re-identify, re-type).
TAG_EVENT_MASK = 0xFF
TAG_DECODE = 0x100


class AnnexLike(Protocol):
    """What :meth:`EventFilter.admits` reads: :class:`~coho.server.store.base.AnnexRecord` has it."""

    @property
    def guid(self) -> str: ...
    @property
    def type_name(self) -> str: ...
    @property
    def access_service(self) -> str: ...
    @property
    def tag(self) -> int: ...
    @property
    def annex(self) -> bytes | None: ...


def to_out_topic_event(record: ChangeRecord) -> ot.OutTopicEvent | None:
    """The out-topic event for one change-log entry, or None when the entry is not an element change."""
    return map_event(record.event, record.meta, record.sequence)


def map_event(event: events_pb2.OmrsEvent, meta: ChangeMeta, sequence: int = 0) -> ot.OutTopicEvent | None:
    """The out-topic event for one OMRS event and who caused it; the write-time annexer (:mod:`.wire`)
    stores it serialized with sequence 0, and readers splice the real sequence in."""
    if event.WhichOneof("section") != "instance":
        return None
    section = event.instance
    mapped = _EVENT_TYPES.get(section.event_type)
    if mapped is None:
        return None
    event_type, purged = mapped
    is_relationship = section.HasField("relationship")
    instance = section.relationship if is_relationship else section.entity
    # One constructor call per message: this runs on the store's writer thread for every write.
    out = ot.OutTopicEvent(
        sequence=sequence,
        event_type=event_type,  # type: ignore[arg-type]
        event_time=event.timestamp,
        element_header=_header(instance.header, meta.metadata_source),
        element_properties=instance.properties,
        purged=purged,
        is_relationship=is_relationship,
        user_id=meta.user_id,
        connector_id=meta.connector_id,
        refresh_id=meta.refresh_id,
        metadata_source=meta.metadata_source,
        access_service=meta.access_service,
        previous_guid=section.original_instance_guid,
    )
    if is_relationship:
        _fill_relationship(out, section)
    else:
        _fill_entity(out, section, event_type)
    if section.HasField("original_type"):
        out.previous_type_name = section.original_type.type_def_name
    if event_type == T.OUT_TOPIC_EVENT_TYPE_ELEMENT_HOME_CHANGED:
        out.previous_home_metadata_collection_id = section.original_home_metadata_collection_id
    return out


def _fill_entity(out: ot.OutTopicEvent, section: events_pb2.InstanceEventSection, event_type: int) -> None:
    entity = section.entity
    if entity.classifications:
        out.element_header.classification_names.extend(c.name for c in entity.classifications)
    if event_type in _WITH_PREVIOUS and section.HasField("original_entity"):
        out.previous_element_properties.CopyFrom(section.original_entity.properties)
    if event_type in _CLASSIFICATION_EVENTS:
        current = section.classification if section.HasField("classification") else None
        before = section.original_classification if section.HasField("original_classification") else None
        out.classification_name = (current or before or instances_pb2.Classification()).name
        if current is not None:
            out.classification_properties.CopyFrom(current.properties)
        if before is not None:
            out.previous_classification_properties.CopyFrom(before.properties)


def _fill_relationship(out: ot.OutTopicEvent, section: events_pb2.InstanceEventSection) -> None:
    relationship = section.relationship
    if out.event_type in _WITH_PREVIOUS and section.HasField("original_relationship"):
        out.previous_element_properties.CopyFrom(section.original_relationship.properties)
    one, two = relationship.entity_one_proxy.header, relationship.entity_two_proxy.header
    out.end_one_guid, out.end_one_type_name = one.guid, one.type.type_def_name
    out.end_two_guid, out.end_two_type_name = two.guid, two.type.type_def_name


_SUPER_NAMES: dict[tuple[str, int], list[str]] = {}


def _super_names(instance_type: instances_pb2.InstanceType) -> list[str]:
    # Keyed by type version: a patch may change the supertypes; the cache stays as small as the type count.
    key = (instance_type.type_def_name, instance_type.type_def_version)
    names = _SUPER_NAMES.get(key)
    if names is None:
        # InstanceType lists supertypes nearest first, as ElementHeader wants them.
        names = _SUPER_NAMES[key] = [link.name for link in instance_type.type_def_super_types]
    return names


def _header(source: instances_pb2.InstanceHeader, external_source: str) -> elements_pb2.ElementHeader:
    instance_type = source.type
    return elements_pb2.ElementHeader(
        guid=source.guid,
        type_name=instance_type.type_def_name,
        super_type_names=_super_names(instance_type),
        version=source.version,
        status=source.status,
        metadata_collection_id=source.metadata_collection_id,
        metadata_collection_name=source.metadata_collection_name,
        created_by=source.created_by,
        updated_by=source.updated_by,
        create_time=source.create_time,
        update_time=source.update_time,
        external_source=external_source,
    )


# -- filters ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventFilter:
    """An :class:`OutTopicFilter` compiled once per subscriber: type names already expanded with subtypes.

    Subtypes are resolved when the subscription starts; a type added later is picked up on the next start.
    """

    type_names: frozenset[str] | None = None
    event_types: frozenset[int] | None = None
    element_guid: str = ""
    access_service: str = ""

    @property
    def selects_all(self) -> bool:
        return (
            self.type_names is None and self.event_types is None and not self.element_guid
            and not self.access_service
        )

    def admits(self, record: AnnexLike) -> bool:
        """:meth:`matches` for an encoded entry, from its columns and tag without decoding it (the annex is
        decoded only for TAG_DECODE entries, which are rare). The entry must have an event (non-empty annex)."""
        tag = record.tag
        if tag & TAG_DECODE:
            return self.matches(ot.OutTopicEvent.FromString(record.annex or b""))
        if self.event_types is not None and tag & TAG_EVENT_MASK not in self.event_types:
            return False
        if self.element_guid and record.guid != self.element_guid:
            return False
        if self.access_service and record.access_service != self.access_service:
            return False
        return self.type_names is None or record.type_name in self.type_names

    def matches(self, event: ot.OutTopicEvent) -> bool:
        if self.event_types is not None and event.event_type not in self.event_types:
            return False
        if self.element_guid and self.element_guid not in (event.element_header.guid, event.previous_guid):
            return False
        if self.access_service and event.access_service != self.access_service:
            return False
        if self.type_names is not None:
            # A re-type away from a selected type is still news to a subscriber of that type.
            type_name = event.element_header.type_name
            if type_name not in self.type_names and event.previous_type_name not in self.type_names:
                return False
        return True


MATCH_ALL = EventFilter()


def compile_filter(message: ot.OutTopicFilter, types: TypeRegistry, field: str = "filter") -> EventFilter:
    """Validate and compile a filter. Unknown type names and UNSPECIFIED event types are INVALID_ARGUMENT."""
    violations: list[tuple[str, str]] = []
    type_names: set[str] | None = None
    if message.type_names:
        type_names = set()
        for i, name in enumerate(message.type_names):
            try:
                type_names |= types.subtypes(name)
            except CohoError:
                violations.append((f"{field}.type_names[{i}]", f"type {name!r} is not known"))
    event_types: frozenset[int] | None = None
    if message.event_types:
        event_types = frozenset(int(t) for t in message.event_types)
        valid = set(ot.OutTopicEventType.values()) - {ot.OUT_TOPIC_EVENT_TYPE_UNSPECIFIED}
        for i, value in enumerate(message.event_types):
            if value not in valid:
                violations.append((f"{field}.event_types[{i}]", f"{value} is not an event type"))
    if violations:
        raise InvalidArgument(
            message="bad filter: " + "; ".join(f"{f}: {d}" for f, d in violations),
            reason="INVALID_FILTER",
            field_violations=violations,
        )
    return EventFilter(
        type_names=frozenset(type_names) if type_names is not None else None,
        event_types=event_types,
        element_guid=message.element_guid,
        access_service=message.access_service,
    )


def select(
    records: Iterable[ChangeRecord], event_filter: EventFilter,
    mapper: Callable[[ChangeRecord], ot.OutTopicEvent | None] = to_out_topic_event,
) -> list[ot.OutTopicEvent]:
    """Map and filter a run of change records (the catch-up path)."""
    out: list[ot.OutTopicEvent] = []
    for record in records:
        event = mapper(record)
        if event is not None and event_filter.matches(event):
            out.append(event)
    return out
