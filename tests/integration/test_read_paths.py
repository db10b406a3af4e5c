"""The batched read paths (Store.find_links / get_entities, data_tree.parents_of, AssetManager's page reads):
same answers as the generic searches they replace, and a statement count that does not grow with fan-out or
page size. Real SQLite, real gRPC on 127.0.0.1:0."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc.aio
import pytest
from unit.access.dmtest import access_server, database_tree, file, folder

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2
from coho.server.access import data_tree
from coho.server.access.asset_manager import AssetManager
from coho.server.access.data_manager import DataManager
from coho.server.repository.api import Caller
from coho.server.store.base import LinkQuery, Store
from coho.server.store.sqlite import SqliteStore
from coho.server.store.sqlite_find import IN_CHUNK

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

LINKS = frozenset({"FolderHierarchy", "NestedFile"})
SOURCE = "catalog:reads"
CALLER = Caller(user_id="tester")


@contextmanager
def statements(store: SqliteStore) -> Iterator[list[str]]:
    """The SQL statements this thread's reader connection runs inside the block."""
    seen: list[str] = []
    conn: sqlite3.Connection = store._reader()  # this thread's reader: the one the reads below use
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


async def upsert(stub: Any, elements: list[dm.DataElement]) -> list[str]:
    guids: list[str] = []
    for start in range(0, len(elements), 250):
        reply = await stub.UpsertElements(dm.UpsertElementsRequest(elements=elements[start:start + 250]))
        guids.extend(result.guid for result in reply.results)
    return guids


def guid_of(store: Store, name: str) -> str:
    from coho.server.access.data_upsert import qualified_name_scope
    from coho.server.types import TypeRegistry

    found = store.find_by_unique(qualified_name_scope(TypeRegistry.with_builtin_types()), "qualifiedName", name)
    assert found, name
    return found


async def test_find_links_and_get_entities_match_the_generic_reads(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        names = [f"/top/{i:03d}" for i in range(IN_CHUNK + 50)]  # more GUIDs than one IN list holds
        await upsert(stub, [folder("/top"), *[folder(n, "/top") for n in names], file("/top/000/f.csv", "/top/000")])
        store: SqliteStore = repo.store
        top, first = guid_of(store, "/top"), guid_of(store, names[0])
        children = tuple(guid_of(store, n) for n in names)
        # end 2 of FolderHierarchy is the child: one link each, all to /top, in link GUID order.
        up = store.find_links(LinkQuery(type_names=LINKS, entity_guids=children, end=2))
        assert len(up) == len(children) and {link.end_one_guid for link in up} == {top}
        assert [link.guid for link in up] == sorted(link.guid for link in up)
        assert {link.end_two_guid for link in up} == set(children)
        # end 1 of /top holds every child; either end of /000 holds its parent link and its file's link.
        assert len(store.find_links(LinkQuery(type_names=LINKS, entity_guids=(top,), end=1))) == len(children)
        both = store.find_links(LinkQuery(type_names=LINKS, entity_guids=(first,)))
        assert {link.type_name for link in both} == {"FolderHierarchy", "NestedFile"} and len(both) == 2
        # The Store defaults (one generic search per entity) give the same answers as SQLite's overrides.
        for query in (LinkQuery(type_names=LINKS, entity_guids=children[:30], end=2),
                      LinkQuery(type_names=LINKS, entity_guids=(first, top)),
                      LinkQuery(type_names=frozenset({"NestedFile"}), entity_guids=(first,), end=1)):
            assert store.find_links(query) == Store.find_links(store, query)
        # Types filter, unknown GUIDs and empty inputs answer nothing rather than failing.
        assert store.find_links(LinkQuery(type_names=frozenset({"NestedFile"}), entity_guids=children, end=2)) == []
        assert store.find_links(LinkQuery(type_names=frozenset(), entity_guids=children)) == []
        assert store.find_links(LinkQuery(type_names=LINKS, entity_guids=("no-such-guid",))) == []
        assert store.get_entities([]) == {} and store.get_entities(["no-such-guid"]) == {}
        got = store.get_entities([*children, "no-such-guid", children[0]])
        assert set(got) == set(children) and got == Store.get_entities(store, list(children))
        assert got[first].properties.properties["qualifiedName"].primitive.string_value == names[0]
        # A deleted link is no longer found at either end.
        deleted = await stub.DeleteElements(dm.DeleteElementsRequest(qualified_names=["/top/000/f.csv"]))
        assert deleted.results[0].outcome == elements_pb2.UPSERT_OUTCOME_DELETED
        assert {link.type_name for link in store.find_links(LinkQuery(type_names=LINKS, entity_guids=(first,)))} \
            == {"FolderHierarchy"}


async def test_parents_of_a_batch_and_a_wide_folder(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        wide = [folder(f"/w/{i:04d}", "/w") for i in range(600)]
        await upsert(stub, [folder("/w"), *wide, file("/w/0000/a.csv", "/w/0000"), *database_tree()])
        store: SqliteStore = repo.store
        named = {n: guid_of(store, n) for n in ["/w", "/w/0000", "/w/0001", "/w/0000/a.csv", "db", "db.main",
                                                "db.main.t", "db.main.t.id"]}
        parents = data_tree.parents_of(store, list(named.values()))
        by_name = {name: parents[guid].properties.properties["qualifiedName"].primitive.string_value
                   for name, guid in named.items() if guid in parents}
        # A table's parent is its schema (its hidden schema type is stepped over); roots have none.
        assert by_name == {"/w/0000": "/w", "/w/0001": "/w", "/w/0000/a.csv": "/w/0000", "db.main": "db",
                           "db.main.t": "db.main", "db.main.t.id": "db.main.t"}
        read = list(store.get_entities(list(named.values())).values())
        assert data_tree.parents_of_entities(store, read) == parents
        for name, guid in named.items():
            single = data_tree.parent_of(store, guid)
            assert (single.header.guid if single else None) == (parents[guid].header.guid if guid in parents
                                                                else None), name
        # The wide folder's own (absent) parent costs the same few statements as a leaf's: its 600 child
        # links sit at the end that is not searched.
        with statements(store) as wide_sql:
            assert data_tree.parent_of(store, named["/w"]) is None
        with statements(store) as leaf_sql:
            assert data_tree.parent_of(store, named["/w/0000/a.csv"]) is not None
        assert len(wide_sql) <= len(leaf_sql) <= 4, (wide_sql, leaf_sql)
        # A whole batch costs a constant number of statements, not a search per child.
        batch = [guid_of(store, f"/w/{i:04d}") for i in range(200)]
        with statements(store) as batch_sql:
            assert len(data_tree.parents_of(store, batch)) == 200
        assert len(batch_sql) <= 4, batch_sql


async def test_get_element_statements_and_answers(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        await upsert(stub, [folder("/g"), *[folder(f"/g/{i:03d}", "/g") for i in range(300)], *database_tree()])
        core, store = DataManager(repo), repo.store
        with statements(store) as sql:
            view = core.get_element(qualified_name="/g/007")
        assert view.parent_guid == guid_of(store, "/g") and view.element.qualified_name == "/g/007"
        assert len(sql) <= 6, sql  # name seek, entity, child, its links, parent: no BEGIN/COMMIT pairs
        with statements(store) as sql:
            assert core.get_element(qualified_name="/g").parent_guid == ""
        assert len(sql) <= 6, sql
        table = await stub.GetElement(dm.GetElementRequest(qualified_name="db.main.t"))
        assert table.element.parent_guid == guid_of(store, "db.main")
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetElement(dm.GetElementRequest(qualified_name="/g/missing"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        # ListChildren and FindElements now run on worker threads: same answers, errors still mapped.
        children = await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/g", page_size=120))
        assert len(children.children) == 120 and children.next_page_token
        assert {c.parent_guid for c in children.children} == {guid_of(store, "/g")}
        found = await stub.FindElements(dm.FindElementsRequest(name_pattern="/g/00.*", page_size=50))
        assert sorted(e.element.qualified_name for e in found.elements) == [f"/g/00{i}" for i in range(10)]
        assert {e.parent_guid for e in found.elements} == {guid_of(store, "/g")}
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/g", page_size=-1))
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert repo.store.integrity_check() == "ok"


def external(i: int, prefix: str = "reads") -> am.ExternalElement:
    return am.ExternalElement(external_identifier=f"k{i:03d}", type_name="DataFile",
                              qualified_name=f"{prefix}:{i:03d}", display_name=f"{i:03d}")


async def test_list_external_source_elements_pages(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = am_grpc.AssetManagerServiceStub(channel)
        created = await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
            external_source=SOURCE, elements=[external(i) for i in range(230)]))
        guids = {r.key: r.guid for r in created.results}
        await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
            external_source="catalog:other", elements=[external(i, "other") for i in range(5)]))
        # An element deleted behind the Asset Manager's back drops out of the listing; its mapping stays.
        await repo.delete_entity(CALLER, guids["k007"])
        seen: list[am.ExternalElementView] = []
        token, pages = "", 0
        while pages < 10:
            reply = await stub.ListExternalSourceElements(am.ListExternalSourceElementsRequest(
                external_source=SOURCE, page_size=100, page_token=token))
            seen.extend(reply.elements)
            pages += 1
            token = reply.next_page_token
            if not token:
                break
        assert pages == 3
        keys = [v.identifier.external_identifier for v in seen]
        assert sorted(keys) == [f"k{i:03d}" for i in range(230) if i != 7] and len(set(keys)) == len(keys)
        for view in seen:
            assert view.header.guid == guids[view.identifier.external_identifier]
            assert view.identifier.element_guid == view.header.guid and view.identifier.external_source == SOURCE
            assert view.element.qualified_name == f"reads:{view.identifier.external_identifier[1:]}"
        # The core reads a page in a constant number of statements, whatever its size.
        core, store = AssetManager(repo), repo.store

        def page_statements(size: int) -> int:
            with statements(store) as sql:
                listed = core.list_external_source_elements(SOURCE, page_size=size).items
            assert size - 1 <= len(listed) <= size  # k007's element is gone
            return len(sql)

        assert page_statements(100) == page_statements(10) <= 8
        ids = await stub.GetExternalIdentifiers(am.GetExternalIdentifiersRequest(element_guid=guids["k001"]))
        assert [i.external_identifier for i in ids.identifiers] == ["k001"]
        by_key = await stub.GetElementByExternalIdentifier(am.GetElementByExternalIdentifierRequest(
            external_source=SOURCE, external_identifier="k002"))
        assert by_key.element.header.guid == guids["k002"]
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await stub.GetElementByExternalIdentifier(am.GetElementByExternalIdentifierRequest(
                external_source=SOURCE, external_identifier="k007"))
        assert gone.value.code() == grpc.StatusCode.NOT_FOUND
        # Sources are matched literally: regex metacharacters and a Java \\E in the name change nothing.
        for odd in ("cat.*+(x)[", "cat\\Eq", "catalog:r"):
            await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
                external_source=odd, elements=[external(i, odd) for i in range(3)]))
        for odd in ("cat.*+(x)[", "cat\\Eq", "catalog:r"):
            listed = await stub.ListExternalSourceElements(am.ListExternalSourceElementsRequest(external_source=odd))
            assert sorted(v.element.qualified_name for v in listed.elements) == [f"{odd}:{i:03d}" for i in range(3)]
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await stub.ListExternalSourceElements(am.ListExternalSourceElementsRequest(external_source=""))
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
