"""UNDO_UPDATE: undo brings back the previous version's properties, status and classifications."""

from __future__ import annotations

import pytest
from contract.builders import ACTIVE, ALICE, BOB, DRAFT, TEST_ASSET, add, link, props, text

from coho.server.errors import FailedPrecondition
from coho.server.repository import Repository


async def test_undo_properties(repo: Repository) -> None:
    entity = await add(repo, qualifiedName="u", fileName="v1")
    guid = entity.header.guid
    await repo.update_entity_properties(ALICE, guid, props(qualifiedName="u", fileName="v2"))
    await repo.update_entity_properties(ALICE, guid, props(qualifiedName="u", fileName="v3"))
    undone = (await repo.undo_entity_update(BOB, guid)).value
    assert text(undone.properties, "fileName") == "v2"
    assert undone.header.version == 4
    assert undone.header.updated_by == "bob"
    assert repo.get_entity(guid) == undone


async def test_undo_status_and_classification(repo: Repository) -> None:
    entity = await add(repo, TEST_ASSET)
    guid = entity.header.guid
    await repo.update_entity_status(ALICE, guid, ACTIVE)
    assert (await repo.undo_entity_update(ALICE, guid)).value.header.status == DRAFT
    await repo.classify_entity(ALICE, guid, "Memento")
    undone = (await repo.undo_entity_update(ALICE, guid)).value
    assert list(undone.classifications) == []
    assert undone.header.status == DRAFT


async def test_undo_needs_a_previous_version(repo: Repository) -> None:
    entity = await add(repo)
    with pytest.raises(FailedPrecondition) as info:
        await repo.undo_entity_update(ALICE, entity.header.guid)
    assert info.value.reason == "NO_PREVIOUS_VERSION"


async def test_undo_of_a_deleted_entity_is_refused(repo: Repository) -> None:
    entity = await add(repo)
    await repo.update_entity_properties(ALICE, entity.header.guid, props(fileName="x"), merge=True)
    await repo.delete_entity(ALICE, entity.header.guid)
    with pytest.raises(FailedPrecondition) as info:
        await repo.undo_entity_update(ALICE, entity.header.guid)
    assert info.value.reason == "ALREADY_DELETED"


async def test_undo_relationship_update(repo: Repository) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    rel = await link(repo, "DataSetContent", schema, database, query="q1")
    with pytest.raises(FailedPrecondition) as info:
        await repo.undo_relationship_update(ALICE, rel.header.guid)
    assert info.value.reason == "NO_PREVIOUS_VERSION"
    await repo.update_relationship_properties(ALICE, rel.header.guid, props(query="q2"))
    undone = (await repo.undo_relationship_update(ALICE, rel.header.guid)).value
    assert text(undone.properties, "query") == "q1"
    assert undone.header.version == 3
