"""SOFT_DELETE_RESTORE: soft delete (with relationships), restore to the status before, purge."""

from __future__ import annotations

import pytest
from contract.builders import ACTIVE, ALICE, BOB, DELETED, TEST_ASSET, P, add, guids, link, props

from coho.server.errors import FailedPrecondition, NotFound
from coho.server.repository import Repository


async def test_delete_is_soft_and_hides_from_search(repo: Repository) -> None:
    entity = await add(repo, fileName="x")
    deleted = (await repo.delete_entity(BOB, entity.header.guid)).value
    assert deleted.header.status == DELETED
    assert deleted.header.status_on_delete == ACTIVE
    assert deleted.header.version == 2
    assert deleted.header.updated_by == "bob"
    # Still readable, with its status; found only when asking for DELETED.
    assert repo.get_entity(entity.header.guid).header.status == DELETED
    assert repo.find_entities(type_name="DataFile").items == []
    assert guids(repo.find_entities(type_name="DataFile", statuses=[DELETED]).items) == {entity.header.guid}


async def test_delete_soft_deletes_relationships(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    other = await add(repo)
    rel = await link(repo, "NestedFile", folder, file)
    keep = await link(repo, "NestedFile", folder, other)
    await repo.delete_entity(ALICE, file.header.guid)
    gone = repo.get_relationship(rel.header.guid)
    assert gone.header.status == DELETED
    assert gone.header.status_on_delete == ACTIVE
    assert gone.header.version == 2
    assert repo.get_relationship(keep.header.guid).header.status == ACTIVE
    live = repo.relationships_for_entity(folder.header.guid).items
    assert guids(live) == {keep.header.guid}


async def test_deleted_entities_cannot_change(repo: Repository) -> None:
    entity = await add(repo)
    guid = entity.header.guid
    await repo.delete_entity(ALICE, guid)
    for attempt in (
        repo.delete_entity(ALICE, guid),
        repo.update_entity_properties(ALICE, guid, props(fileName="y")),
        repo.update_entity_status(ALICE, guid, ACTIVE),
        repo.classify_entity(ALICE, guid, "Memento"),
    ):
        with pytest.raises(FailedPrecondition) as info:
            await attempt
        assert info.value.reason == "ALREADY_DELETED"


async def test_restore_brings_back_the_status_before_delete(repo: Repository) -> None:
    entity = await add(repo, TEST_ASSET)
    guid = entity.header.guid
    await repo.update_entity_status(ALICE, guid, P.INSTANCE_STATUS_PROPOSED)
    await repo.delete_entity(ALICE, guid)
    restored = (await repo.restore_entity(BOB, guid)).value
    assert restored.header.status == P.INSTANCE_STATUS_PROPOSED
    assert restored.header.status_on_delete == P.INSTANCE_STATUS_UNSPECIFIED
    assert restored.header.version == 4
    with pytest.raises(FailedPrecondition) as info:
        await repo.restore_entity(ALICE, guid)
    assert info.value.reason == "NOT_DELETED"


async def test_restore_leaves_relationships_deleted(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    rel = await link(repo, "NestedFile", folder, file)
    await repo.delete_entity(ALICE, file.header.guid)
    await repo.restore_entity(ALICE, file.header.guid)
    assert repo.get_relationship(rel.header.guid).header.status == DELETED
    restored = (await repo.restore_relationship(ALICE, rel.header.guid)).value
    assert restored.header.status == ACTIVE
    assert restored.header.version == 3


async def test_purge_needs_soft_delete_and_takes_relationships(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    rel = await link(repo, "NestedFile", folder, file)
    with pytest.raises(FailedPrecondition) as info:
        await repo.purge_entity(ALICE, file.header.guid)
    assert info.value.reason == "NOT_DELETED"
    await repo.delete_entity(ALICE, file.header.guid)
    purged = await repo.purge_entity(ALICE, file.header.guid)
    assert purged.value is None and purged.sequence > 0
    with pytest.raises(NotFound) as entity_info:
        repo.get_entity(file.header.guid)
    assert entity_info.value.reason == "ENTITY_NOT_FOUND"
    with pytest.raises(NotFound) as rel_info:
        repo.get_relationship(rel.header.guid)
    assert rel_info.value.reason == "RELATIONSHIP_NOT_FOUND"
    assert repo.find_entities(type_name="DataFile", statuses=[DELETED]).items == []


async def test_relationship_delete_restore_purge(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    rel = await link(repo, "NestedFile", folder, file)
    guid = rel.header.guid
    with pytest.raises(FailedPrecondition) as info:
        await repo.purge_relationship(ALICE, guid)
    assert info.value.reason == "NOT_DELETED"
    deleted = (await repo.delete_relationship(ALICE, guid)).value
    assert deleted.header.status == DELETED
    with pytest.raises(FailedPrecondition) as again:
        await repo.delete_relationship(ALICE, guid)
    assert again.value.reason == "ALREADY_DELETED"
    with pytest.raises(FailedPrecondition) as update:
        await repo.update_relationship_properties(ALICE, guid, props())
    assert update.value.reason == "ALREADY_DELETED"
    assert (await repo.restore_relationship(ALICE, guid)).value.header.status == ACTIVE
    await repo.delete_relationship(ALICE, guid)
    await repo.purge_relationship(ALICE, guid)
    with pytest.raises(NotFound):
        repo.get_relationship(guid)
    # The ends are untouched.
    assert repo.get_entity(file.header.guid).header.status == ACTIVE


async def test_relationship_cannot_be_restored_onto_a_deleted_entity(repo: Repository) -> None:
    folder = await add(repo, "FileFolder")
    file = await add(repo)
    rel = await link(repo, "NestedFile", folder, file)
    await repo.delete_entity(ALICE, file.header.guid)
    with pytest.raises(FailedPrecondition) as info:
        await repo.restore_relationship(ALICE, rel.header.guid)
    assert info.value.reason == "ALREADY_DELETED"
