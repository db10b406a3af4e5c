"""ChangeRecord -> OutTopicEvent for every event type, and compiled filters (types with subtypes, kinds, guid)."""

from __future__ import annotations

import uuid

import pytest
from unit.outtopic.outtopicbuild import ALICE, BOB, add, link, props

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.errors import InvalidArgument
from coho.server.outtopic.mapping import MATCH_ALL, compile_filter, select, to_out_topic_event
from coho.server.repository import Repository
from coho.server.store.base import ChangeMeta, ChangeRecord
from coho.server.store.sqlite import SqliteStore
from coho.server.types import TypeRegistry

pytestmark = pytest.mark.timeout(30)
T = ot


def last_events(store: SqliteStore, after: int) -> list[ot.OutTopicEvent]:
    events = [to_out_topic_event(r) for r in store.read_changes(after, 1000)]
    return [e for e in events if e is not None]


async def test_entity_lifecycle_maps_to_egeria_event_names(repo: Repository, store: SqliteStore) -> None:
    start = store.head_sequence()
    entity = await add(repo, "DataFile", name="a")
    guid = entity.header.guid
    await repo.update_entity_properties(BOB, guid, props(name="b"), merge=True)
    await repo.undo_entity_update(ALICE, guid)
    await repo.update_entity_status(ALICE, guid, typedefs_pb2.INSTANCE_STATUS_ACTIVE)
    await repo.classify_entity(ALICE, guid, "Confidentiality")
    await repo.reclassify_entity(ALICE, guid, "Confidentiality",
                                 instances_pb2.InstanceProperties(properties={"steward": props(x="s").properties["x"]}))
    await repo.declassify_entity(ALICE, guid, "Confidentiality")
    await repo.delete_entity(ALICE, guid)
    await repo.restore_entity(ALICE, guid)
    events = last_events(store, start)
    assert [e.event_type for e in events] == [
        T.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED,  # undo
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED,  # status change
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_CLASSIFIED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_RECLASSIFIED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DECLASSIFIED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED,
        T.OUT_TOPIC_EVENT_TYPE_ELEMENT_RESTORED,
    ]
    assert [e.sequence for e in events] == sorted(e.sequence for e in events)
    new, update, undo, _status, classified, reclassified, declassified, deleted, _restored = events
    header = new.element_header
    assert header.guid == guid and header.type_name == "DataFile"
    assert list(header.super_type_names) == ["DataStore", "DataAsset", "Asset", "Referenceable", "OpenMetadataRoot"]
    assert header.version == 1 and header.metadata_collection_id == store.metadata_collection_id
    assert header.created_by == "alice" and header.external_source == "files-src"
    assert new.element_properties.properties["name"].primitive.string_value == "a"
    assert (new.user_id, new.connector_id, new.refresh_id, new.metadata_source, new.access_service) == (
        "alice", "conn-1", "refresh-1", "files-src", "DataManager")
    assert new.event_time.ToMilliseconds() > 0 and not new.is_relationship
    assert update.user_id == "bob" and update.element_header.version == 2
    assert update.element_properties.properties["name"].primitive.string_value == "b"
    assert update.previous_element_properties.properties["name"].primitive.string_value == "a"
    assert undo.element_properties.properties["name"].primitive.string_value == "a"
    assert undo.previous_element_properties.properties["name"].primitive.string_value == "b"
    assert classified.classification_name == "Confidentiality"
    assert list(classified.element_header.classification_names) == ["Confidentiality"]
    assert reclassified.classification_properties.properties["steward"].primitive.string_value == "s"
    assert not reclassified.previous_classification_properties.properties
    assert declassified.classification_name == "Confidentiality"
    assert declassified.previous_classification_properties.properties["steward"].primitive.string_value == "s"
    assert not declassified.element_header.classification_names
    assert deleted.element_header.status == typedefs_pb2.INSTANCE_STATUS_DELETED and not deleted.purged


async def test_purge_relationship_and_identity_events(repo: Repository, store: SqliteStore) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo, "DataFile")
    start = store.head_sequence()
    rel = await link(repo, "NestedFile", folder, file)
    await repo.delete_relationship(ALICE, rel.header.guid)
    await repo.purge_relationship(ALICE, rel.header.guid)
    new_guid = str(uuid.uuid4())
    await repo.re_identify_entity(ALICE, file.header.guid, new_guid)
    await repo.re_type_entity(ALICE, new_guid, "CSVFile")
    await repo.re_home_entity(ALICE, new_guid, "other-home", "other")
    await repo.delete_entity(ALICE, folder.header.guid)
    await repo.purge_entity(ALICE, folder.header.guid)
    events = last_events(store, start)
    kinds = [(e.event_type, e.is_relationship, e.purged) for e in events]
    assert kinds == [
        (T.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED, True, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, True, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, True, True),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_GUID_CHANGED, False, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED, False, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_HOME_CHANGED, False, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, False, False),
        (T.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, False, True),
    ]
    new_rel = events[0]
    assert new_rel.element_header.type_name == "NestedFile"
    assert (new_rel.end_one_guid, new_rel.end_one_type_name) == (folder.header.guid, "FileFolder")
    assert (new_rel.end_two_guid, new_rel.end_two_type_name) == (file.header.guid, "DataFile")
    reid, retype, rehome = events[3:6]
    assert reid.previous_guid == file.header.guid and reid.element_header.guid == new_guid
    assert retype.previous_type_name == "DataFile" and retype.element_header.type_name == "CSVFile"
    assert rehome.previous_home_metadata_collection_id == store.metadata_collection_id
    assert rehome.element_header.metadata_collection_id == "other-home"


def _record(event: events_pb2.OmrsEvent, sequence: int = 7) -> ChangeRecord:
    return ChangeRecord(sequence=sequence, event=event, guid="g", type_name="DataFile", kind="entity",
                        time_ms=1, meta=ChangeMeta(user_id="peer"))


async def test_refresh_and_non_instance_events(repo: Repository, store: SqliteStore) -> None:
    entity = await add(repo, "DataFile")
    refreshed = events_pb2.OmrsEvent(
        category=events_pb2.OMRS_EVENT_CATEGORY_INSTANCE,
        instance=events_pb2.InstanceEventSection(
            event_type=events_pb2.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT, instance_guid=entity.header.guid,
            type_def_name="DataFile", entity=entity),
    )
    event = to_out_topic_event(_record(refreshed))
    assert event is not None and event.event_type == T.OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT
    assert event.element_header.guid == entity.header.guid and event.sequence == 7
    request = events_pb2.OmrsEvent(instance=events_pb2.InstanceEventSection(
        event_type=events_pb2.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST))
    typedef = events_pb2.OmrsEvent(typedef=events_pb2.TypeDefEventSection(
        event_type=events_pb2.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT))
    registry = events_pb2.OmrsEvent(registry=events_pb2.RegistryEventSection(
        event_type=events_pb2.REGISTRY_EVENT_TYPE_REGISTRATION_EVENT))
    for silent in (request, typedef, registry):
        assert to_out_topic_event(_record(silent)) is None


async def test_filters(repo: Repository, store: SqliteStore, types: TypeRegistry) -> None:
    start = store.head_sequence()
    file = await add(repo, "DataFile")
    csv = await add(repo, "CSVFile")
    folder = await add(repo, "FileFolder", caller=BOB)
    await repo.update_entity_properties(ALICE, file.header.guid, props(name="x"), merge=True)
    await repo.re_type_entity(ALICE, folder.header.guid, "DataFile")
    records = store.read_changes(start, 100)

    def guids(message: ot.OutTopicFilter) -> list[tuple[str, int]]:
        compiled = compile_filter(message, types)
        return [(e.element_header.guid, e.event_type) for e in select(records, compiled)]

    everything = select(records, MATCH_ALL)
    assert len(everything) == 5
    f, c, d = file.header.guid, csv.header.guid, folder.header.guid
    new, upd, retyped = (T.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED, T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED,
                         T.OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED)
    # DataFile includes its subtype CSVFile, and the folder once it became a DataFile.
    assert guids(ot.OutTopicFilter(type_names=["DataFile"])) == [(f, new), (c, new), (f, upd), (d, retyped)]
    # A re-type away from a selected type is still reported to it.
    assert guids(ot.OutTopicFilter(type_names=["FileFolder"])) == [(d, new), (d, retyped)]
    assert guids(ot.OutTopicFilter(type_names=["CSVFile"])) == [(c, new)]
    assert guids(ot.OutTopicFilter(event_types=[upd])) == [(f, upd)]
    assert guids(ot.OutTopicFilter(element_guid=f)) == [(f, new), (f, upd)]
    assert guids(ot.OutTopicFilter(access_service="DataManager")) == [(f, new), (c, new), (f, upd), (d, retyped)]
    assert guids(ot.OutTopicFilter(type_names=["Asset"], event_types=[new], access_service="DataManager")) == [
        (f, new), (c, new)]


def test_bad_filters_are_invalid_argument(types: TypeRegistry) -> None:
    with pytest.raises(InvalidArgument) as caught:
        compile_filter(ot.OutTopicFilter(type_names=["DataFile", "NoSuchType"], event_types=[0]), types)
    assert caught.value.reason == "INVALID_FILTER"
    assert [f for f, _ in caught.value.field_violations] == ["filter.type_names[1]", "filter.event_types[0]"]
