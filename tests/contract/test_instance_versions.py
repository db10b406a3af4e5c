"""INSTANCE_VERSIONS: every home change is the next version; history keeps each one whole."""

from __future__ import annotations

from contract.builders import ALICE, TEST_ASSET, P, add, integer, link, ms, props, text

from coho.server.repository import Repository
from coho.server.store.base import HistoryQuery


async def test_each_change_is_the_next_version(repo: Repository) -> None:
    entity = await add(repo, TEST_ASSET, qualifiedName="v")
    guid = entity.header.guid
    versions = [entity.header.version]
    versions.append(
        (await repo.update_entity_properties(ALICE, guid, props(count=integer(1)), merge=True)).value.header.version
    )
    versions.append((await repo.update_entity_status(ALICE, guid, P.INSTANCE_STATUS_ACTIVE)).value.header.version)
    versions.append((await repo.classify_entity(ALICE, guid, "Memento")).value.header.version)
    versions.append((await repo.reclassify_entity(ALICE, guid, "Memento", props(archiveUser="z"))).value.header.version)
    versions.append((await repo.declassify_entity(ALICE, guid, "Memento")).value.header.version)
    versions.append((await repo.delete_entity(ALICE, guid)).value.header.version)
    versions.append((await repo.restore_entity(ALICE, guid)).value.header.version)
    assert versions == [1, 2, 3, 4, 5, 6, 7, 8]
    history = repo.entity_history(HistoryQuery(guid=guid)).items
    assert [h.header.version for h in history] == versions
    assert history[1].properties.properties["count"].primitive.int_value == 1
    assert [c.name for c in history[3].classifications] == ["Memento"]
    assert history[6].header.status == P.INSTANCE_STATUS_DELETED
    updates = [ms(h.header.update_time) for h in history]
    assert updates == sorted(updates) and len(set(updates)) == len(updates)
    assert {ms(h.header.create_time) for h in history} == {ms(entity.header.create_time)}


async def test_relationship_versions(repo: Repository) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    rel = await link(repo, "DataSetContent", schema, database, query="1")
    for query in ("2", "3"):
        await repo.update_relationship_properties(ALICE, rel.header.guid, props(query=query))
    history = repo.relationship_history(HistoryQuery(guid=rel.header.guid)).items
    assert [(h.header.version, text(h.properties, "query")) for h in history] == [(1, "1"), (2, "2"), (3, "3")]
