"""Graph queries: neighborhood by level and filter, related entities (closure, paged), linking entities."""

from __future__ import annotations

from typing import Any

import pytest
from contract.builders import ACTIVE, ALICE, DELETED, Clock, add, guids, link, ms

from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import InvalidArgument, NotFound
from coho.server.repository import Repository


@pytest.fixture
async def tree(repo: Repository) -> dict[str, Any]:
    """root -FH-> a -FH-> b ; root -NF-> f1 ; b -NF-> f2 ; a -NF-> f2 ; lonely (no links)."""
    t: dict[str, Any] = {}
    for name in ("root", "a", "b"):
        t[name] = await add(repo, "FileFolder", qualifiedName=name)
    for name in ("f1", "f2", "lonely"):
        t[name] = await add(repo, "DataFile", qualifiedName=name)
    t["root-a"] = await link(repo, "FolderHierarchy", t["root"], t["a"])
    t["a-b"] = await link(repo, "FolderHierarchy", t["a"], t["b"])
    t["root-f1"] = await link(repo, "NestedFile", t["root"], t["f1"])
    t["b-f2"] = await link(repo, "NestedFile", t["b"], t["f2"])
    t["a-f2"] = await link(repo, "NestedFile", t["a"], t["f2"])
    return t


def _g(t: dict[str, Any], *names: str) -> set[str]:
    return {t[n].header.guid for n in names}


async def test_neighborhood_levels(repo: Repository, tree: dict[str, Any]) -> None:
    one = repo.entity_neighborhood(tree["root"].header.guid, 1)
    assert guids(one.entities) == _g(tree, "root", "a", "f1")
    assert guids(one.relationships) == _g(tree, "root-a", "root-f1")
    two = repo.entity_neighborhood(tree["root"].header.guid, 2)
    assert guids(two.entities) == _g(tree, "root", "a", "f1", "b", "f2")
    assert guids(two.relationships) == _g(tree, "root-a", "root-f1", "a-b", "a-f2")
    three = repo.entity_neighborhood(tree["root"].header.guid, 3)
    assert guids(three.relationships) == _g(tree, "root-a", "root-f1", "a-b", "a-f2", "b-f2")
    for bad in (0, 11):
        with pytest.raises(InvalidArgument) as info:
            repo.entity_neighborhood(tree["root"].header.guid, bad)
        assert info.value.field_violations[0][0] == "level"
    with pytest.raises(NotFound):
        repo.entity_neighborhood("no-such-guid", 1)


async def test_neighborhood_filters(repo: Repository, tree: dict[str, Any]) -> None:
    root = tree["root"].header.guid
    folders_only = repo.entity_neighborhood(root, 3, mcs.TraversalFilter(relationship_type_names=["FolderHierarchy"]))
    assert guids(folders_only.entities) == _g(tree, "root", "a", "b")
    by_entity_type = repo.entity_neighborhood(root, 3, mcs.TraversalFilter(entity_type_names=["DataStore"]))
    assert guids(by_entity_type.entities) == _g(tree, "root", "a", "b", "f1", "f2")
    files_only = repo.entity_neighborhood(root, 3, mcs.TraversalFilter(entity_type_names=["DataFile"]))
    assert guids(files_only.entities) == _g(tree, "root", "f1")  # folders are not traversed through
    assert guids(files_only.relationships) == _g(tree, "root-f1")
    await repo.classify_entity(ALICE, tree["a"].header.guid, "Memento")
    await repo.classify_entity(ALICE, tree["b"].header.guid, "Memento")
    memento = repo.entity_neighborhood(root, 3, mcs.TraversalFilter(limit_results_by_classification=["Memento"]))
    assert guids(memento.entities) == _g(tree, "root", "a", "b")


async def test_neighborhood_status_and_as_of(repo: Repository, tree: dict[str, Any], clock: Clock) -> None:
    root = tree["root"].header.guid
    before = clock.advance(1000)
    await repo.delete_relationship(ALICE, tree["root-a"].header.guid)
    assert guids(repo.entity_neighborhood(root, 3).entities) == _g(tree, "root", "f1")
    # Statuses apply to entities and relationships alike.
    only_deleted = repo.entity_neighborhood(root, 1, mcs.TraversalFilter(limit_results_by_status=[DELETED]))
    assert list(only_deleted.relationships) == []
    with_deleted = repo.entity_neighborhood(root, 1, mcs.TraversalFilter(limit_results_by_status=[ACTIVE, DELETED]))
    assert guids(with_deleted.relationships) == _g(tree, "root-a", "root-f1")
    past = mcs.TraversalFilter()
    past.as_of_time.FromMilliseconds(before)
    assert guids(repo.entity_neighborhood(root, 1, past).entities) == _g(tree, "root", "a", "f1")
    early = mcs.TraversalFilter()
    early.as_of_time.FromMilliseconds(ms(tree["b"].header.create_time))
    # At b's creation time no relationship existed yet.
    assert guids(repo.entity_neighborhood(tree["a"].header.guid, 2, early).entities) == _g(tree, "a")


async def test_related_entities(repo: Repository, tree: dict[str, Any]) -> None:
    root = tree["root"].header.guid
    related = repo.related_entities(root)
    assert guids(related.items) == _g(tree, "a", "b", "f1", "f2")
    first = repo.related_entities(root, page_size=3)
    rest = repo.related_entities(root, page_size=3, page_token=first.next_page_token)
    assert len(first.items) == 3 and len(rest.items) == 1 and not rest.next_page_token
    assert guids([*first.items, *rest.items]) == guids(related.items)
    assert repo.related_entities(tree["lonely"].header.guid).items == []
    files = repo.related_entities(root, mcs.TraversalFilter(relationship_type_names=["NestedFile"]))
    assert guids(files.items) == _g(tree, "f1")


async def test_linking_entities(repo: Repository, tree: dict[str, Any]) -> None:
    graph = repo.linking_entities(tree["f1"].header.guid, tree["f2"].header.guid)
    # Both paths f1-root-a-f2 and f1-root-a-b-f2.
    assert guids(graph.entities) == _g(tree, "f1", "root", "a", "b", "f2")
    assert guids(graph.relationships) == _g(tree, "root-f1", "root-a", "a-f2", "a-b", "b-f2")
    direct = repo.linking_entities(tree["a"].header.guid, tree["b"].header.guid)
    # a-b directly, and a-f2-b.
    assert guids(direct.relationships) == _g(tree, "a-b", "a-f2", "b-f2")
    none = repo.linking_entities(tree["f1"].header.guid, tree["lonely"].header.guid)
    assert list(none.entities) == [] and list(none.relationships) == []
    await repo.delete_relationship(ALICE, tree["a-f2"].header.guid)
    after = repo.linking_entities(tree["f1"].header.guid, tree["f2"].header.guid)
    assert guids(after.relationships) == _g(tree, "root-f1", "root-a", "a-b", "b-f2")
