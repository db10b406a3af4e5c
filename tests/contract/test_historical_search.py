"""HISTORICAL_SEARCH: reads as of a past time, and history forwards and backwards with a time window."""

from __future__ import annotations

import pytest
from contract.builders import ALICE, DELETED, Clock, add, cond, guids, link, ms, props, search, text

from coho.omrs.v1 import common_pb2 as C
from coho.server.errors import NotFound
from coho.server.repository import Repository
from coho.server.store.base import HistoryQuery


async def _three_versions(repo: Repository, clock: Clock) -> tuple[str, list[int]]:
    """An entity with fileName v1, v2, v3, created 1 s apart; returns its guid and the three times."""
    entity = await add(repo, qualifiedName="h", fileName="v1")
    times = [ms(entity.header.update_time)]
    for name in ("v2", "v3"):
        clock.advance(1000)
        updated = await repo.update_entity_properties(
            ALICE, entity.header.guid, props(qualifiedName="h", fileName=name)
        )
        times.append(ms(updated.value.header.update_time))
    return entity.header.guid, times


async def test_get_entity_as_of(repo: Repository, clock: Clock) -> None:
    guid, times = await _three_versions(repo, clock)
    assert text(repo.get_entity(guid, as_of_ms=times[0]).properties, "fileName") == "v1"
    assert text(repo.get_entity(guid, as_of_ms=times[1] - 1).properties, "fileName") == "v1"
    assert text(repo.get_entity(guid, as_of_ms=times[1]).properties, "fileName") == "v2"
    assert text(repo.get_entity(guid, as_of_ms=times[2] + 500).properties, "fileName") == "v3"
    with pytest.raises(NotFound) as info:
        repo.get_entity(guid, as_of_ms=times[0] - 1)
    assert info.value.reason == "ENTITY_NOT_FOUND"


async def test_find_entities_as_of(repo: Repository, clock: Clock) -> None:
    guid, times = await _three_versions(repo, clock)
    by_v1 = search(cond("fileName", C.PROPERTY_COMPARISON_OPERATOR_EQ, "v1"))
    assert guids(repo.find_entities(type_name="DataFile", match_properties=by_v1, as_of_ms=times[0]).items) == {guid}
    assert repo.find_entities(type_name="DataFile", match_properties=by_v1).items == []
    assert repo.find_entities(type_name="DataFile", as_of_ms=times[0] - 1).items == []


async def test_deleted_entity_as_of_before_delete(repo: Repository, clock: Clock) -> None:
    entity = await add(repo)
    clock.advance(1000)
    await repo.delete_entity(ALICE, entity.header.guid)
    before = ms(entity.header.create_time) + 10
    assert guids(repo.find_entities(type_name="DataFile", as_of_ms=before).items) == {entity.header.guid}
    assert repo.find_entities(type_name="DataFile").items == []
    assert repo.get_entity(entity.header.guid, as_of_ms=before).header.status != DELETED


async def test_history_forwards_backwards_window_and_paging(repo: Repository, clock: Clock) -> None:
    guid, times = await _three_versions(repo, clock)

    def names(query: HistoryQuery) -> list[str]:
        return [text(e.properties, "fileName") for e in repo.entity_history(query).items]

    assert names(HistoryQuery(guid=guid)) == ["v1", "v2", "v3"]
    assert names(HistoryQuery(guid=guid, backwards=True)) == ["v3", "v2", "v1"]
    assert names(HistoryQuery(guid=guid, from_ms=times[1], to_ms=times[1] + 10)) == ["v2"]
    assert names(HistoryQuery(guid=guid, from_ms=times[1] + 10)) == ["v2", "v3"]
    assert names(HistoryQuery(guid=guid, to_ms=times[1] - 1)) == ["v1"]
    first = repo.entity_history(HistoryQuery(guid=guid, page_size=2))
    assert len(first.items) == 2 and first.next_page_token
    rest = repo.entity_history(HistoryQuery(guid=guid, page_size=2, page_token=first.next_page_token))
    assert [e.header.version for e in [*first.items, *rest.items]] == [1, 2, 3]
    assert not rest.next_page_token
    with pytest.raises(NotFound):
        repo.entity_history(HistoryQuery(guid="no-such-guid"))


async def test_relationship_as_of(repo: Repository, clock: Clock) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    rel = await link(repo, "DataSetContent", schema, database, query="1")
    created = ms(rel.header.create_time)
    clock.advance(1000)
    await repo.update_relationship_properties(ALICE, rel.header.guid, props(query="2"))
    assert text(repo.get_relationship(rel.header.guid, as_of_ms=created).properties, "query") == "1"
    assert text(repo.get_relationship(rel.header.guid).properties, "query") == "2"
    assert repo.relationships_for_entity(schema.header.guid, as_of_ms=created - 1).items == []
    found = repo.find_relationships(
        type_name="DataSetContent",
        match_properties=search(cond("query", C.PROPERTY_COMPARISON_OPERATOR_EQ, "1")),
        as_of_ms=created,
    )
    assert guids(found.items) == {rel.header.guid}
