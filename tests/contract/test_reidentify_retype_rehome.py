"""REIDENTIFY / RETYPE / REHOME of entities and relationships."""

from __future__ import annotations

import uuid

import pytest
from contract.builders import ALICE, REMOTE_ID, add, link, props, remote_entity, remote_relationship, text

from coho.omrs.v1 import instances_pb2
from coho.server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from coho.server.repository import Repository
from coho.server.store.base import HistoryQuery


async def test_re_identify_entity_moves_history_and_relationships(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo, qualifiedName="ri", fileName="v1")
    old = file.header.guid
    await repo.update_entity_properties(ALICE, old, props(qualifiedName="ri", fileName="v2"))
    rel = await link(repo, "NestedFile", folder, file)
    new_guid = str(uuid.uuid4())
    moved = (await repo.re_identify_entity(ALICE, old, new_guid)).value
    assert moved.header.guid == new_guid
    assert moved.header.version == 3
    assert text(moved.properties, "fileName") == "v2"
    with pytest.raises(NotFound) as info:
        repo.get_entity(old)
    assert info.value.reason == "ENTITY_NOT_FOUND"
    history = repo.entity_history(HistoryQuery(guid=new_guid)).items
    assert [(h.header.guid, h.header.version) for h in history] == [(new_guid, 1), (new_guid, 2), (new_guid, 3)]
    repointed = repo.get_relationship(rel.header.guid)
    assert repointed.entity_two_proxy.header.guid == new_guid
    assert repointed.header.version == 2
    assert repo.relationships_for_entity(new_guid).items == [repointed]


async def test_re_identify_refuses_used_guids(repo: Repository) -> None:
    a = await add(repo)
    b = await add(repo)
    with pytest.raises(AlreadyExists) as info:
        await repo.re_identify_entity(ALICE, a.header.guid, b.header.guid)
    assert info.value.reason == "DUPLICATE_GUID"
    assert info.value.field_violations[0][0] == "new_guid"


async def test_re_identify_relationship(repo: Repository) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    rel = await link(repo, "DataSetContent", schema, database, query="1")
    await repo.update_relationship_properties(ALICE, rel.header.guid, props(query="2"))
    new_guid = str(uuid.uuid4())
    moved = (await repo.re_identify_relationship(ALICE, rel.header.guid, new_guid)).value
    assert moved.header.guid == new_guid and moved.header.version == 3
    with pytest.raises(NotFound):
        repo.get_relationship(rel.header.guid)
    assert [h.header.version for h in repo.relationship_history(HistoryQuery(guid=new_guid)).items] == [1, 2, 3]


async def test_re_type_entity(repo: Repository) -> None:
    file = await add(repo, fileName="x.csv")
    retyped = (await repo.re_type_entity(ALICE, file.header.guid, "CSVFile")).value
    assert retyped.header.type.type_def_name == "CSVFile"
    assert retyped.header.version == 2
    assert [e.header.guid for e in repo.find_entities(type_name="CSVFile").items] == [file.header.guid]
    # Properties must fit the new type.
    with pytest.raises(InvalidArgument) as props_info:
        await repo.re_type_entity(ALICE, file.header.guid, "FileFolder")
    assert props_info.value.reason == "PROPERTY_UNKNOWN"
    assert props_info.value.field_violations[0][0] == "properties.fileName"
    with pytest.raises(InvalidArgument) as category:
        await repo.re_type_entity(ALICE, file.header.guid, "NestedFile")
    assert category.value.reason == "TYPE_CATEGORY_MISMATCH"


async def test_re_type_entity_keeps_relationship_ends_valid(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    await link(repo, "NestedFile", folder, file)
    with pytest.raises(InvalidArgument) as info:
        await repo.re_type_entity(ALICE, file.header.guid, "Database")
    assert info.value.reason == "RELATIONSHIP_END_INVALID"
    assert repo.get_entity(file.header.guid).header.type.type_def_name == "DataFile"


async def test_re_type_relationship(repo: Repository) -> None:
    a = await add(repo, "FileFolder")
    b = await add(repo, "FileFolder")
    rel = await link(repo, "FolderHierarchy", a, b)
    with pytest.raises(InvalidArgument) as info:
        await repo.re_type_relationship(ALICE, rel.header.guid, "NestedFile")  # end two must be a DataFile
    assert info.value.reason == "RELATIONSHIP_END_INVALID"
    retyped = (await repo.re_type_relationship(ALICE, rel.header.guid, "ContractMultiLink")).value
    assert retyped.header.type.type_def_name == "ContractMultiLink"
    assert retyped.header.version == 2


async def test_re_home_hand_over_and_take_over(repo: Repository) -> None:
    mine = await add(repo)
    handed = (await repo.re_home_entity(ALICE, mine.header.guid, REMOTE_ID, "remote")).value
    assert handed.header.metadata_collection_id == REMOTE_ID
    assert handed.header.metadata_collection_name == "remote"
    assert handed.header.version == 2
    with pytest.raises(FailedPrecondition) as info:
        await repo.update_entity_properties(ALICE, mine.header.guid, props())
    assert info.value.reason == "NOT_HOME"
    theirs = remote_entity(repo.types)
    theirs.header.instance_provenance_type = instances_pb2.INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY
    await repo.save_entity_reference_copy(ALICE, theirs)
    taken = (await repo.re_home_entity(ALICE, theirs.header.guid, repo.metadata_collection_id, "home")).value
    assert taken.header.metadata_collection_id == repo.metadata_collection_id
    assert taken.header.instance_provenance_type == instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT
    assert taken.header.version == 2
    assert (
        await repo.update_entity_properties(ALICE, theirs.header.guid, props(), merge=True)
    ).value.header.version == 3
    third = remote_entity(repo.types)
    await repo.save_entity_reference_copy(ALICE, third)
    with pytest.raises(FailedPrecondition) as not_home:
        await repo.re_home_entity(ALICE, third.header.guid, "yet-another", "x")
    assert not_home.value.reason == "NOT_HOME"


async def test_re_home_relationship(repo: Repository) -> None:
    folder = remote_entity(repo.types, "FileFolder")
    file = remote_entity(repo.types, "DataFile")
    rel = remote_relationship(repo.types, "NestedFile", folder, file)
    await repo.save_relationship_reference_copy(ALICE, rel)
    taken = (await repo.re_home_relationship(ALICE, rel.header.guid, repo.metadata_collection_id, "home")).value
    assert taken.header.metadata_collection_id == repo.metadata_collection_id
    assert taken.header.version == 2
    handed = (await repo.re_home_relationship(ALICE, rel.header.guid, REMOTE_ID, "remote")).value
    assert handed.header.metadata_collection_id == REMOTE_ID
