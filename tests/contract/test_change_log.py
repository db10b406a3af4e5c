"""The change log: one OMRS event per change, in the write's transaction, with both images and ChangeMeta."""

from __future__ import annotations

import uuid

import pytest
from contract.builders import ALICE, BOB, REMOTE_ID, add, copy_of, link, new_entity, props, remote_entity, text

from coho.omrs.v1 import events_pb2 as E
from coho.server.errors import CohoError
from coho.server.repository import Repository
from coho.server.repository.events import is_home_event
from coho.server.store.base import ChangeMeta, ChangeRecord


def _since(repo: Repository, after: int) -> list[ChangeRecord]:
    return repo.store.read_changes(after, 1000)


async def test_one_event_per_change_with_images_and_meta(repo: Repository) -> None:
    start = repo.store.head_sequence()
    created = await repo.add_entity(ALICE, new_entity(qualifiedName="c"))
    guid = created.value.header.guid
    updated = await repo.update_entity_properties(BOB, guid, props(qualifiedName="c", fileName="f"))
    records = _since(repo, start)
    assert [r.sequence for r in records] == [created.sequence, updated.sequence]
    new, upd = records
    assert new.guid == guid and new.kind == "entity" and new.type_name == "DataFile"
    assert new.meta == ChangeMeta(
        user_id="alice", connector_id="conn-1", refresh_id="refresh-1", metadata_source="files-src"
    )
    assert upd.meta == ChangeMeta(user_id="bob")
    event = new.event
    assert event.category == E.OMRS_EVENT_CATEGORY_INSTANCE
    assert event.originator.metadata_collection_id == repo.metadata_collection_id
    assert event.originator.server_name == "home-server"
    assert event.instance.event_type == E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT
    assert event.instance.entity == created.value
    assert not event.instance.HasField("original_entity")
    assert event.instance.home_metadata_collection_id == repo.metadata_collection_id
    assert upd.event.instance.event_type == E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT
    assert upd.event.instance.original_entity == created.value
    assert upd.event.instance.entity == updated.value
    assert is_home_event(new.event)


async def test_event_types_of_every_change(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    start = repo.store.head_sequence()
    file = await add(repo)
    guid = file.header.guid
    rel = await link(repo, "NestedFile", folder, file)
    await repo.update_entity_properties(ALICE, guid, props(fileName="x"), merge=True)
    await repo.undo_entity_update(ALICE, guid)
    await repo.classify_entity(ALICE, guid, "Memento")
    await repo.reclassify_entity(ALICE, guid, "Memento", props(archiveUser="u"))
    await repo.declassify_entity(ALICE, guid, "Memento")
    await repo.update_relationship_properties(ALICE, rel.header.guid, props())
    await repo.undo_relationship_update(ALICE, rel.header.guid)
    new_guid = str(uuid.uuid4())
    await repo.re_identify_entity(ALICE, guid, new_guid)
    await repo.re_type_entity(ALICE, new_guid, "CSVFile")
    await repo.delete_entity(ALICE, new_guid)  # deletes the relationship first
    await repo.restore_entity(ALICE, new_guid)
    await repo.restore_relationship(ALICE, rel.header.guid)
    await repo.delete_relationship(ALICE, rel.header.guid)
    await repo.purge_relationship(ALICE, rel.header.guid)
    await repo.delete_entity(ALICE, new_guid)
    await repo.purge_entity(ALICE, new_guid)
    T = E.InstanceEventType
    names = [T.Name(r.event.instance.event_type).removeprefix("INSTANCE_EVENT_TYPE_") for r in _since(repo, start)]
    assert names == [
        "NEW_ENTITY_EVENT",
        "NEW_RELATIONSHIP_EVENT",
        "UPDATED_ENTITY_EVENT",
        "UNDONE_ENTITY_EVENT",
        "CLASSIFIED_ENTITY_EVENT",
        "RECLASSIFIED_ENTITY_EVENT",
        "DECLASSIFIED_ENTITY_EVENT",
        "UPDATED_RELATIONSHIP_EVENT",
        "UNDONE_RELATIONSHIP_EVENT",
        "UPDATED_RELATIONSHIP_EVENT",
        "RE_IDENTIFIED_ENTITY_EVENT",  # the relationship's end is re-pointed first
        "UPDATED_RELATIONSHIP_EVENT",
        "RETYPED_ENTITY_EVENT",
        "DELETED_RELATIONSHIP_EVENT",
        "DELETED_ENTITY_EVENT",
        "RESTORED_ENTITY_EVENT",
        "RESTORED_RELATIONSHIP_EVENT",
        "DELETED_RELATIONSHIP_EVENT",
        "PURGED_RELATIONSHIP_EVENT",
        "DELETED_ENTITY_EVENT",
        "PURGED_ENTITY_EVENT",
    ]


async def test_identity_events_carry_the_before(repo: Repository) -> None:
    file = await add(repo)
    start = repo.store.head_sequence()
    new_guid = str(uuid.uuid4())
    await repo.re_identify_entity(ALICE, file.header.guid, new_guid)
    await repo.re_type_entity(ALICE, new_guid, "CSVFile")
    await repo.re_home_entity(ALICE, new_guid, REMOTE_ID, "remote")
    reid, retype, rehome = (r.event for r in _since(repo, start))
    assert reid.instance.original_instance_guid == file.header.guid
    assert reid.instance.instance_guid == new_guid
    assert retype.instance.original_type.type_def_name == "DataFile"
    assert retype.instance.type_def_name == "CSVFile"
    assert rehome.instance.original_home_metadata_collection_id == repo.metadata_collection_id
    assert rehome.instance.home_metadata_collection_id == REMOTE_ID
    assert is_home_event(rehome)  # the old home announces the hand-over


async def test_sequences_increase_and_failures_append_nothing(repo: Repository) -> None:
    sequences = [(await repo.add_entity(ALICE, new_entity(qualifiedName=f"s{i}"))).sequence for i in range(5)]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    head = repo.store.head_sequence()
    assert head == sequences[-1]
    for failing in (
        repo.add_entity(ALICE, new_entity(qualifiedName="s0")),
        repo.update_entity_properties(ALICE, "no-such-guid", props()),
        repo.delete_entity(ALICE, "no-such-guid"),
    ):
        with pytest.raises(CohoError):
            await failing
    assert repo.store.head_sequence() == head


async def test_delete_logs_each_relationship(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    r1 = await link(repo, "NestedFile", folder, file)
    other = await add(repo, "FileFolder")
    r2 = await link(repo, "NestedFile", other, file)
    start = repo.store.head_sequence()
    written = await repo.delete_entity(ALICE, file.header.guid)
    records = _since(repo, start)
    assert len(records) == 3
    assert {r.guid for r in records[:2]} == {r1.header.guid, r2.header.guid}
    assert records[2].guid == file.header.guid
    assert written.sequence == records[2].sequence


async def test_reference_copy_events_are_not_home_events(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    start = repo.store.head_sequence()
    await repo.save_entity_reference_copy(BOB, entity)
    await repo.save_entity_reference_copy(BOB, entity)  # ignored: nothing logged
    await repo.save_entity_reference_copy(BOB, copy_of(entity, version=2))
    await repo.purge_entity_reference_copy(BOB, entity.header.guid, REMOTE_ID)
    records = _since(repo, start)
    T = E.InstanceEventType
    assert [T.Name(r.event.instance.event_type) for r in records] == [
        "INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT",
        "INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT",
        "INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT",
    ]
    for record in records:
        assert record.event.originator.metadata_collection_id == repo.metadata_collection_id
        assert record.event.instance.home_metadata_collection_id == REMOTE_ID
        assert not is_home_event(record.event)
        assert record.meta.user_id == "bob"
    assert text(records[1].event.instance.entity.properties, "qualifiedName") == text(
        entity.properties, "qualifiedName"
    )
    assert records[1].event.instance.original_entity == entity
