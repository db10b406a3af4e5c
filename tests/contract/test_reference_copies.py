"""REFERENCE_COPIES: Egeria's acceptance rules for copies of other members' instances, relationships too."""

from __future__ import annotations

import pytest
from contract.builders import (
    ALICE,
    BASE_MS,
    DELETED,
    REMOTE_ID,
    add,
    copy_of,
    new_entity,
    props,
    proxy_of,
    remote_entity,
    remote_relationship,
    text,
)

from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import FailedPrecondition, NotFound
from coho.server.repository import Repository, refcopies
from coho.server.store.base import HistoryQuery

OUT = mcs.ReferenceCopyOutcome


async def test_unknown_entity_is_saved_as_given(repo: Repository) -> None:
    entity = remote_entity(repo.types, version=3, values={"fileName": "r"})
    written = await repo.save_entity_reference_copy(ALICE, entity)
    assert written.value == OUT.REFERENCE_COPY_OUTCOME_SAVED and written.sequence > 0
    stored = repo.get_entity(entity.header.guid)
    assert stored == entity  # home id, version, provenance and times are the home's
    assert stored.header.metadata_collection_id == REMOTE_ID
    assert stored.header.version == 3


async def test_version_rules(repo: Repository) -> None:
    entity = remote_entity(repo.types, version=2, values={"fileName": "v2"})
    await repo.save_entity_reference_copy(ALICE, entity)
    for older in (copy_of(entity), copy_of(entity, version=1)):
        written = await repo.save_entity_reference_copy(ALICE, older)
        assert written.value == OUT.REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION
        assert written.sequence == 0
    newer = copy_of(entity, version=3)
    newer.properties.CopyFrom(props(qualifiedName=text(entity.properties, "qualifiedName"), fileName="v3"))
    assert (await repo.save_entity_reference_copy(ALICE, newer)).value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    assert text(repo.get_entity(entity.header.guid).properties, "fileName") == "v3"
    history = repo.entity_history(HistoryQuery(guid=entity.header.guid)).items
    assert [h.header.version for h in history] == [2, 3]


async def test_type_version_regression_conflicts(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    entity.header.type.type_def_version = 5
    await repo.save_entity_reference_copy(ALICE, entity)
    regressed = copy_of(entity, version=2)
    regressed.header.type.type_def_version = 4
    assert (
        await repo.save_entity_reference_copy(ALICE, regressed)
    ).value == OUT.REFERENCE_COPY_OUTCOME_CONFLICTING_TYPE
    assert repo.get_entity(entity.header.guid).header.version == 1


async def test_different_create_time_conflicts(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    await repo.save_entity_reference_copy(ALICE, entity)
    clash = copy_of(entity, create_ms=BASE_MS + 99, version=2)
    outcome = (await repo.save_entity_reference_copy(ALICE, clash)).value
    assert outcome == OUT.REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES


async def test_guid_clash_with_a_home_instance_conflicts(repo: Repository) -> None:
    home = await add(repo)
    clash = remote_entity(repo.types, guid=home.header.guid, version=9)
    clash.header.create_time.CopyFrom(home.header.create_time)
    outcome = (await repo.save_entity_reference_copy(ALICE, clash)).value
    assert outcome == OUT.REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES
    assert repo.get_entity(home.header.guid) == home


async def test_unknown_type_is_ignored(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    entity.header.type.type_def_name = "SomeoneElsesType"
    written = await repo.save_entity_reference_copy(ALICE, entity)
    assert written.value == OUT.REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE
    with pytest.raises(NotFound):
        repo.get_entity(entity.header.guid)


async def test_home_instances_are_not_copies(repo: Repository) -> None:
    home = await add(repo)
    with pytest.raises(FailedPrecondition) as info:
        await repo.save_entity_reference_copy(ALICE, home)
    assert info.value.reason == "IS_HOME"
    with pytest.raises(FailedPrecondition) as purge:
        await repo.purge_entity_reference_copy(ALICE, home.header.guid, repo.metadata_collection_id)
    assert purge.value.reason == "IS_HOME"


async def test_copies_cannot_be_changed_here(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    await repo.save_entity_reference_copy(ALICE, entity)
    guid = entity.header.guid
    for attempt in (
        repo.update_entity_properties(ALICE, guid, props(fileName="x")),
        repo.update_entity_status(ALICE, guid, 15),
        repo.delete_entity(ALICE, guid),
        repo.classify_entity(ALICE, guid, "Memento"),
        repo.re_type_entity(ALICE, guid, "CSVFile"),
    ):
        with pytest.raises(FailedPrecondition) as info:
            await attempt
        assert info.value.reason == "NOT_HOME"


async def test_deleted_copy_and_purge(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    await repo.save_entity_reference_copy(ALICE, entity)
    deleted = copy_of(entity, version=2, status=DELETED)
    assert (await repo.save_entity_reference_copy(ALICE, deleted)).value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    assert repo.get_entity(entity.header.guid).header.status == DELETED
    wrong_home = await repo.purge_entity_reference_copy(ALICE, entity.header.guid, "someone-else")
    assert wrong_home.value == OUT.REFERENCE_COPY_OUTCOME_IGNORED_BY_RULE
    purged = await repo.purge_entity_reference_copy(ALICE, entity.header.guid, REMOTE_ID)
    assert purged.value == OUT.REFERENCE_COPY_OUTCOME_PURGED and purged.sequence > 0
    with pytest.raises(NotFound):
        repo.get_entity(entity.header.guid)
    again = await repo.purge_entity_reference_copy(ALICE, entity.header.guid, REMOTE_ID)
    assert again.value == OUT.REFERENCE_COPY_OUTCOME_PURGED and again.sequence == 0


async def test_relationship_copy_saves_proxies_for_unknown_ends(repo: Repository) -> None:
    folder = remote_entity(repo.types, "FileFolder")
    file = remote_entity(repo.types, "DataFile")
    rel = remote_relationship(repo.types, "NestedFile", folder, file)
    written = await repo.save_relationship_reference_copy(ALICE, rel)
    assert written.value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    assert repo.get_relationship(rel.header.guid) == rel
    with pytest.raises(NotFound) as info:
        repo.get_entity(folder.header.guid)
    assert info.value.reason == "ENTITY_PROXY_ONLY"
    assert repo.get_entity_proxy(file.header.guid) == proxy_of(repo.types, file)
    # Relationships follow the same version rules as entities.
    same = await repo.save_relationship_reference_copy(ALICE, rel)
    assert same.value == OUT.REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION
    newer = copy_of(rel, version=2)
    assert (await repo.save_relationship_reference_copy(ALICE, newer)).value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    clash = copy_of(rel, version=3, create_ms=BASE_MS - 5)
    outcome = (await repo.save_relationship_reference_copy(ALICE, clash)).value
    assert outcome == OUT.REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES
    with pytest.raises(FailedPrecondition) as update:
        await repo.update_relationship_properties(ALICE, rel.header.guid, props())
    assert update.value.reason == "NOT_HOME"
    purged = await repo.purge_relationship_reference_copy(ALICE, rel.header.guid, REMOTE_ID)
    assert purged.value == OUT.REFERENCE_COPY_OUTCOME_PURGED
    with pytest.raises(NotFound):
        repo.get_relationship(rel.header.guid)


async def test_purging_an_entity_copy_takes_its_relationship_copies(repo: Repository) -> None:
    folder = remote_entity(repo.types, "FileFolder")
    file = remote_entity(repo.types, "DataFile")
    rel = remote_relationship(repo.types, "NestedFile", folder, file)
    graph = instances_pb2.InstanceGraph(entities=[folder, file], relationships=[rel])
    await repo.save_reference_copies(ALICE, graph)
    local_folder = await add(repo, "FileFolder")
    mine = await repo.add_relationship(
        ALICE,
        mcs.NewRelationship(
            type_name="NestedFile", entity_one_guid=local_folder.header.guid, entity_two_guid=file.header.guid
        ),
    )
    await repo.purge_entity_reference_copy(ALICE, file.header.guid, REMOTE_ID)
    with pytest.raises(NotFound):
        repo.get_relationship(rel.header.guid)
    # This member's own relationship keeps its end, now through a proxy.
    assert repo.get_relationship(mine.value.header.guid).entity_two_proxy.header.guid == file.header.guid
    assert repo.get_entity_proxy(file.header.guid).header.guid == file.header.guid


async def test_save_reference_copies_reports_each_outcome(repo: Repository) -> None:
    folder = remote_entity(repo.types, "FileFolder")
    file = remote_entity(repo.types, "DataFile")
    unknown = remote_entity(repo.types, "DataFile")
    unknown.header.type.type_def_name = "NotHere"
    rel = remote_relationship(repo.types, "NestedFile", folder, file)
    await repo.save_entity_reference_copy(ALICE, file)
    graph = instances_pb2.InstanceGraph(entities=[folder, file, unknown], relationships=[rel])
    written = await repo.save_reference_copies(ALICE, graph)
    assert written.value == (
        [
            OUT.REFERENCE_COPY_OUTCOME_SAVED,
            OUT.REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION,
            OUT.REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE,
        ],
        [OUT.REFERENCE_COPY_OUTCOME_SAVED],
    )
    assert repo.get_entity(folder.header.guid) == folder


async def test_copies_between_two_members(repo: Repository, other_repo: Repository) -> None:
    made = (await other_repo.add_entity(ALICE, new_entity("DataFile", qualifiedName="theirs"))).value
    assert (await repo.save_entity_reference_copy(ALICE, made)).value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    copy = repo.get_entity(made.header.guid)
    assert copy.header.metadata_collection_id == other_repo.metadata_collection_id
    updated = (await other_repo.update_entity_properties(ALICE, made.header.guid, props(qualifiedName="t2"))).value
    assert (await repo.save_entity_reference_copy(ALICE, updated)).value == OUT.REFERENCE_COPY_OUTCOME_SAVED
    assert text(repo.get_entity(made.header.guid).properties, "qualifiedName") == "t2"


async def test_in_transaction_api_for_the_cohort(repo: Repository) -> None:
    entity = remote_entity(repo.types)

    def apply(txn):  # type: ignore[no-untyped-def]
        ctx = repo.write_context(ALICE)
        first = refcopies.save_entity_copy(txn, ctx, entity)
        second = refcopies.save_entity_copy(txn, ctx, entity)
        txn.put_state("cursor:test", b"42")
        return first, second

    first, second = await repo.store.write(apply)
    assert first.outcome == OUT.REFERENCE_COPY_OUTCOME_SAVED and first.sequence > 0
    assert second.outcome == OUT.REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION
    assert repo.store.get_state("cursor:test") == b"42"
    assert repo.get_entity(entity.header.guid) == entity
