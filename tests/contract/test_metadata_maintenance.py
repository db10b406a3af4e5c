"""METADATA_MAINTENANCE: create, read, update and classify entities and relationships with complete headers."""

from __future__ import annotations

import uuid

import pytest
from contract.builders import (
    ACTIVE,
    ALICE,
    BOB,
    DRAFT,
    TEST_ASSET,
    TEST_MULTI_LINK,
    Clock,
    add,
    integer,
    link,
    ms,
    new_entity,
    new_rel,
    props,
    text,
)

from coho.omrs.v1 import instances_pb2
from coho.server.errors import AlreadyExists, Conflict, InvalidArgument
from coho.server.repository import Repository


async def test_new_entity_has_a_complete_header(repo: Repository, clock: Clock) -> None:
    written = await repo.add_entity(ALICE, new_entity("DataFile", qualifiedName="f1", fileName="a.csv"))
    entity = written.value
    header = entity.header
    assert str(uuid.UUID(header.guid)) == header.guid
    assert header.type.type_def_name == "DataFile"
    assert header.type.type_def_guid == repo.types.get_type_def("DataFile").guid  # type: ignore[union-attr]
    assert [s.name for s in header.type.type_def_super_types][:3] == ["DataStore", "DataAsset", "Asset"]
    assert header.instance_provenance_type == instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT
    assert header.metadata_collection_id == repo.metadata_collection_id != ""
    assert header.metadata_collection_name == "home"
    assert header.created_by == "alice"
    assert header.updated_by == ""
    assert list(header.maintained_by) == ["alice"]
    assert ms(header.create_time) == ms(header.update_time) == clock.now
    assert header.version == 1
    assert header.status == ACTIVE
    assert header.external_source == "files-src"
    assert text(entity.properties, "fileName") == "a.csv"
    assert written.sequence > 0
    assert repo.get_entity(header.guid) == entity


async def test_initial_status_and_given_status(repo: Repository) -> None:
    drafted = await add(repo, TEST_ASSET)
    assert drafted.header.status == DRAFT
    new = new_entity(TEST_ASSET, qualifiedName="x")
    new.initial_status = ACTIVE
    assert (await repo.add_entity(ALICE, new)).value.header.status == ACTIVE


async def test_caller_chosen_guid_and_effectivity_kept(repo: Repository) -> None:
    guid = str(uuid.uuid4())
    new = new_entity("DataFile", qualifiedName="g")
    new.guid = guid
    new.properties.effective_from_time.FromMilliseconds(1000)
    new.properties.effective_to_time.FromMilliseconds(2000)
    entity = (await repo.add_entity(ALICE, new)).value
    assert entity.header.guid == guid
    stored = repo.get_entity(guid)
    assert ms(stored.properties.effective_from_time) == 1000
    assert ms(stored.properties.effective_to_time) == 2000


async def test_new_entity_with_classifications(repo: Repository) -> None:
    new = new_entity("DataFile", qualifiedName="c")
    new.classifications.add(name="Confidentiality", properties=props(confidentialityLevel=integer(3)))
    entity = (await repo.add_entity(ALICE, new)).value
    (classification,) = entity.classifications
    assert classification.name == "Confidentiality"
    assert classification.header.type.type_def_name == "Confidentiality"
    assert classification.header.metadata_collection_id == repo.metadata_collection_id
    assert classification.header.version == 1
    assert classification.header.created_by == "alice"
    assert classification.classification_origin == instances_pb2.CLASSIFICATION_ORIGIN_ASSIGNED
    assert classification.properties.properties["confidentialityLevel"].primitive.int_value == 3


async def test_update_properties_replace_and_merge(repo: Repository, clock: Clock) -> None:
    entity = await add(repo, qualifiedName="u", fileName="a", fileType="csv")
    created = ms(entity.header.create_time)
    replaced = (await repo.update_entity_properties(BOB, entity.header.guid, props(qualifiedName="u"))).value
    assert set(replaced.properties.properties) == {"qualifiedName"}
    assert replaced.header.version == 2
    assert replaced.header.updated_by == "bob"
    assert list(replaced.header.maintained_by) == ["alice", "bob"]
    assert ms(replaced.header.update_time) == clock.now > created
    assert ms(replaced.header.create_time) == created
    merged = (await repo.update_entity_properties(ALICE, entity.header.guid, props(fileName="b"), merge=True)).value
    assert {k: text(merged.properties, k) for k in merged.properties.properties} == {
        "qualifiedName": "u",
        "fileName": "b",
    }
    assert merged.header.version == 3
    assert list(merged.header.maintained_by) == ["alice", "bob"]
    assert repo.get_entity(entity.header.guid) == merged


async def test_update_status(repo: Repository) -> None:
    entity = await add(repo, TEST_ASSET)
    updated = (await repo.update_entity_status(BOB, entity.header.guid, ACTIVE)).value
    assert updated.header.status == ACTIVE
    assert updated.header.version == 2


async def test_expected_version(repo: Repository) -> None:
    entity = await add(repo)
    guid = entity.header.guid
    with pytest.raises(Conflict) as info:
        await repo.update_entity_properties(ALICE, guid, props(fileName="x"), merge=True, expected_version=2)
    assert info.value.reason == "VERSION_CONFLICT"
    done = await repo.update_entity_properties(ALICE, guid, props(fileName="x"), merge=True, expected_version=1)
    assert done.value.header.version == 2


async def test_add_entities_is_all_or_nothing(repo: Repository) -> None:
    news = [new_entity("DataFile", qualifiedName="b1"), new_entity("DataFile", qualifiedName="b2", bogus="x")]
    head = repo.store.head_sequence()
    with pytest.raises(InvalidArgument) as info:
        await repo.add_entities(ALICE, news)
    assert info.value.reason == "PROPERTY_UNKNOWN"
    assert info.value.field_violations[0][0] == "entities[1].properties.bogus"
    assert repo.find_entities(type_name="DataFile").items == []
    assert repo.store.head_sequence() == head
    written = await repo.add_entities(ALICE, [*news[:1], new_entity("FileFolder", qualifiedName="b3")])
    assert [e.header.type.type_def_name for e in written.value] == ["DataFile", "FileFolder"]
    assert written.sequence == repo.store.head_sequence()


async def test_batch_unique_values_clash_within_the_batch(repo: Repository) -> None:
    with pytest.raises(AlreadyExists) as info:
        await repo.add_entities(ALICE, [new_entity(qualifiedName="same"), new_entity(qualifiedName="same")])
    assert info.value.reason == "DUPLICATE_UNIQUE_VALUE"
    assert info.value.field_violations[0][0] == "entities[1].properties.qualifiedName"


async def test_request_id_makes_a_create_idempotent(repo: Repository) -> None:
    first = await repo.add_entity(ALICE, new_entity(qualifiedName="r1"), request_id="req-1")
    head = repo.store.head_sequence()
    again = await repo.add_entity(ALICE, new_entity(qualifiedName="r1"), request_id="req-1")
    assert again.value == first.value
    assert again.sequence == first.sequence
    assert repo.store.head_sequence() == head
    # Request ids are per user.
    other = await repo.add_entity(BOB, new_entity(qualifiedName="r2"), request_id="req-1")
    assert other.value.header.guid != first.value.header.guid
    folder = await add(repo, "FileFolder")
    rel_new = new_rel("NestedFile", folder.header.guid, first.value.header.guid)
    r1 = await repo.add_relationship(ALICE, rel_new, request_id="rel-1")
    r2 = await repo.add_relationship(ALICE, rel_new, request_id="rel-1")
    assert r1 == r2


async def test_new_relationship(repo: Repository, clock: Clock) -> None:
    folder = await add(repo, "FileFolder", qualifiedName="folder")
    file = await add(repo, "DataFile", qualifiedName="file", fileName="f.csv")
    written = await repo.add_relationship(ALICE, new_rel("NestedFile", folder.header.guid, file.header.guid))
    relationship = written.value
    header = relationship.header
    assert header.type.type_def_name == "NestedFile"
    assert header.version == 1
    assert header.created_by == "alice"
    assert header.metadata_collection_id == repo.metadata_collection_id
    assert ms(header.create_time) == clock.now
    assert header.status == ACTIVE
    assert relationship.entity_one_proxy.header.guid == folder.header.guid
    assert relationship.entity_two_proxy.header.guid == file.header.guid
    assert relationship.entity_two_proxy.header.type.type_def_name == "DataFile"
    # A proxy carries the unique properties only.
    assert set(relationship.entity_two_proxy.unique_properties.properties) == {"qualifiedName"}
    assert repo.get_relationship(header.guid) == relationship


async def test_update_relationship(repo: Repository) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    relationship = await link(repo, "DataSetContent", schema, database, query="q1")
    updated = (await repo.update_relationship_properties(BOB, relationship.header.guid, props(query="q2"))).value
    assert text(updated.properties, "query") == "q2"
    assert updated.header.version == 2
    assert updated.header.updated_by == "bob"
    assert repo.get_relationship(relationship.header.guid) == updated


async def test_multi_link_types_allow_repeated_links(repo: Repository) -> None:
    a = await add(repo)
    b = await add(repo)
    first = await link(repo, TEST_MULTI_LINK, a, b, label="one")
    second = await link(repo, TEST_MULTI_LINK, a, b, label="two")
    assert first.header.guid != second.header.guid


async def test_classify_reclassify_declassify(repo: Repository) -> None:
    entity = await add(repo)
    guid = entity.header.guid
    classified = (
        await repo.classify_entity(ALICE, guid, "Confidentiality", props(confidentialityLevel=integer(1)))
    ).value
    assert classified.header.version == 2
    assert [c.name for c in classified.classifications] == ["Confidentiality"]
    reclassified = (
        await repo.reclassify_entity(BOB, guid, "Confidentiality", props(confidentialityLevel=integer(2)))
    ).value
    (classification,) = reclassified.classifications
    assert classification.properties.properties["confidentialityLevel"].primitive.int_value == 2
    assert classification.header.version == 2
    assert classification.header.updated_by == "bob"
    assert classification.header.created_by == "alice"
    assert reclassified.header.version == 3
    declassified = (await repo.declassify_entity(ALICE, guid, "Confidentiality")).value
    assert list(declassified.classifications) == []
    assert declassified.header.version == 4
    assert repo.get_entity(guid) == declassified
