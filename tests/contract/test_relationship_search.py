"""RELATIONSHIP_SEARCH: relationships by type, properties, status, and per entity."""

from __future__ import annotations

import pytest
from contract.builders import ALICE, DELETED, add, cond, guids, link, search

from coho.omrs.v1 import common_pb2 as C
from coho.server.errors import InvalidArgument, NotFound
from coho.server.repository import Repository


@pytest.fixture
async def links(repo: Repository) -> dict[str, str]:
    folder = await add(repo, "FileFolder")
    sub = await add(repo, "FileFolder")
    file = await add(repo, qualifiedName="file-one")
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    return {
        "folder": folder.header.guid,
        "file": file.header.guid,
        "nested": (await link(repo, "NestedFile", folder, file)).header.guid,
        "hierarchy": (await link(repo, "FolderHierarchy", folder, sub)).header.guid,
        "content1": (await link(repo, "DataSetContent", schema, database, query="select 1")).header.guid,
        "content2": (await link(repo, "DataSetContent", schema, file, query="select 2")).header.guid,
    }


async def test_by_type_and_properties(repo: Repository, links: dict[str, str]) -> None:
    assert guids(repo.find_relationships(type_name="NestedFile").items) == {links["nested"]}
    assert len(repo.find_relationships().items) == 4
    by_query = search(cond("query", C.PROPERTY_COMPARISON_OPERATOR_LIKE, "select 2"))
    assert guids(repo.find_relationships(match_properties=by_query).items) == {links["content2"]}
    assert guids(repo.find_relationships_by_property_value("select.*").items) == {links["content1"], links["content2"]}
    with pytest.raises(InvalidArgument) as info:
        repo.find_relationships(type_name="DataFile")
    assert info.value.reason == "TYPE_CATEGORY_MISMATCH"


async def test_relationships_for_entity(repo: Repository, links: dict[str, str]) -> None:
    assert guids(repo.relationships_for_entity(links["folder"]).items) == {links["nested"], links["hierarchy"]}
    assert guids(repo.relationships_for_entity(links["file"]).items) == {links["nested"], links["content2"]}
    only = repo.relationships_for_entity(links["file"], type_name="DataSetContent")
    assert guids(only.items) == {links["content2"]}
    await repo.delete_relationship(ALICE, links["nested"])
    assert guids(repo.relationships_for_entity(links["folder"]).items) == {links["hierarchy"]}
    deleted = repo.relationships_for_entity(links["folder"], statuses=[DELETED])
    assert guids(deleted.items) == {links["nested"]}
    with pytest.raises(NotFound) as info:
        repo.relationships_for_entity("no-such-entity")
    assert info.value.reason == "ENTITY_NOT_FOUND"


async def test_paging(repo: Repository, links: dict[str, str]) -> None:
    first = repo.find_relationships(page_size=3)
    assert len(first.items) == 3 and first.next_page_token
    second = repo.find_relationships(page_size=3, page_token=first.next_page_token)
    assert len(second.items) == 1 and not second.next_page_token
    assert guids([*first.items, *second.items]) == {links[k] for k in ("nested", "hierarchy", "content1", "content2")}
