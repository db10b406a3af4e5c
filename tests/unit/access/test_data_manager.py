"""The Data Manager core against a real SQLite store and repository (no grpc)."""

from __future__ import annotations

import pytest
from unit.access.dmtest import database_tree, file, folder

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import elements_pb2
from coho.server.access.data_manager import DataManager
from coho.server.errors import InvalidArgument, NotFound, PermissionDenied
from coho.server.repository import Repository
from coho.server.repository.api import Caller

OUT = elements_pb2
USER = Caller(user_id="alice")
CONNECTOR = Caller(user_id="files", connector_id="c1", metadata_source="fs:host")


@pytest.fixture
def mgr(repo: Repository) -> DataManager:
    return DataManager(repo)


def outcomes(results: list[elements_pb2.ElementResult]) -> list[int]:
    return [r.outcome for r in results]


async def test_create_update_unchanged(mgr: DataManager, repo: Repository) -> None:
    batch = [folder("/r"), file("/r/a.csv", "/r"), file("/r/b.csv", "/r")]
    first = await mgr.upsert_elements(CONNECTOR, batch)
    assert outcomes(first.value) == [OUT.UPSERT_OUTCOME_CREATED] * 3
    assert first.sequence == repo.store.head_sequence()
    head = repo.store.head_sequence()
    again = await mgr.upsert_elements(CONNECTOR, batch)
    assert outcomes(again.value) == [OUT.UPSERT_OUTCOME_UNCHANGED] * 3
    assert again.sequence == 0 and repo.store.head_sequence() == head  # wrote nothing, no event
    assert [r.version for r in again.value] == [1, 1, 1]
    changed = await mgr.upsert_elements(CONNECTOR, [folder("/r"), file("/r/a.csv", "/r", size=99)])
    assert outcomes(changed.value) == [OUT.UPSERT_OUTCOME_UNCHANGED, OUT.UPSERT_OUTCOME_UPDATED]
    assert changed.value[1].version == 2 and repo.store.head_sequence() == head + 1
    view = mgr.get_element(qualified_name="/r/a.csv")
    assert view.element.file.size_bytes == 99 and view.parent_guid == first.value[0].guid
    assert view.element.parent_qualified_name == "/r"
    assert view.header.external_source == "fs:host" and view.header.type_name == "DataFile"
    assert mgr.get_element(guid=view.header.guid) == view


async def test_external_source_rules(mgr: DataManager) -> None:
    written = await mgr.upsert_elements(USER, [folder("/u")], external_source="catalog:x")
    assert mgr.get_element(guid=written.value[0].guid).header.external_source == "catalog:x"
    with pytest.raises(PermissionDenied):
        await mgr.upsert_elements(CONNECTOR, [folder("/v")], external_source="someone-else")
    same = await mgr.upsert_elements(CONNECTOR, [folder("/v")], external_source="fs:host")
    assert same.value[0].outcome == OUT.UPSERT_OUTCOME_CREATED


async def test_database_tree_links_and_round_trip(mgr: DataManager) -> None:
    tree = database_tree()
    written = await mgr.upsert_elements(USER, tree)
    assert outcomes(written.value) == [OUT.UPSERT_OUTCOME_CREATED] * 5
    guids = {r.key: r.guid for r in written.value}
    for element in tree:
        view = mgr.get_element(qualified_name=element.qualified_name)
        assert view.element == element
        assert view.parent_guid == guids.get(element.parent_qualified_name, "")
    tables = mgr.list_children(parent_qualified_name="db.main")
    assert [v.element.qualified_name for v in tables.items] == ["db.main.t"]
    columns = mgr.list_children(parent_guid=guids["db.main.t"], kind=dm.ELEMENT_KIND_COLUMN)
    assert sorted(v.element.qualified_name for v in columns.items) == ["db.main.t.id", "db.main.t.name"]
    again = await mgr.upsert_elements(USER, tree)
    assert outcomes(again.value) == [OUT.UPSERT_OUTCOME_UNCHANGED] * 5 and again.sequence == 0
    # A table added later to the stored schema hangs off the same hidden schema type.
    later = await mgr.upsert_elements(USER, [dm.DataElement(
        qualified_name="db.main.u", parent_qualified_name="db.main", table=dm.TableElement())])
    assert later.value[0].outcome == OUT.UPSERT_OUTCOME_CREATED
    assert len(mgr.list_children(parent_qualified_name="db.main").items) == 2


async def test_move_and_rename(mgr: DataManager, repo: Repository) -> None:
    await mgr.upsert_elements(USER, [folder("/a"), folder("/b"), file("/a/x.csv", "/a")])
    moved = file("/a/x.csv", "/b")
    result = await mgr.upsert_elements(USER, [moved])
    assert result.value[0].outcome == OUT.UPSERT_OUTCOME_UPDATED
    assert [v.element.qualified_name for v in mgr.list_children(parent_qualified_name="/b").items] == ["/a/x.csv"]
    assert mgr.list_children(parent_qualified_name="/a").items == []
    assert mgr.get_element(qualified_name="/a/x.csv").element.parent_qualified_name == "/b"
    # Rename = the connector deletes the old name and upserts the new one.
    await mgr.delete_elements(USER, qualified_names=["/a/x.csv"])
    renamed = await mgr.upsert_elements(USER, [file("/b/y.csv", "/b")])
    assert renamed.value[0].outcome == OUT.UPSERT_OUTCOME_CREATED
    assert [v.element.qualified_name for v in mgr.list_children(parent_qualified_name="/b").items] == ["/b/y.csv"]


async def test_cascade_delete_and_not_found(mgr: DataManager) -> None:
    await mgr.upsert_elements(USER, [folder("/r"), folder("/r/s", "/r"), file("/r/s/a.csv", "/r/s"),
                                     file("/r/b.csv", "/r"), *database_tree()])
    deleted = await mgr.delete_elements(USER, qualified_names=["/r", "/nope", "db"], cascade=True)
    deleted_outcome, missing = OUT.UPSERT_OUTCOME_DELETED, OUT.UPSERT_OUTCOME_NOT_FOUND
    assert outcomes(deleted.value) == [deleted_outcome, missing, deleted_outcome]
    for name in ("/r", "/r/s", "/r/s/a.csv", "/r/b.csv", "db", "db.main", "db.main.t", "db.main.t.id"):
        with pytest.raises(NotFound):
            mgr.get_element(qualified_name=name)
    # Deleted names can be used again.
    again = await mgr.upsert_elements(USER, [folder("/r")])
    assert again.value[0].outcome == OUT.UPSERT_OUTCOME_CREATED


async def test_delete_without_cascade_keeps_children(mgr: DataManager) -> None:
    written = await mgr.upsert_elements(USER, [folder("/r"), file("/r/a.csv", "/r")])
    await mgr.delete_elements(USER, guids=[written.value[0].guid])
    view = mgr.get_element(qualified_name="/r/a.csv")
    assert view.parent_guid == ""


async def test_list_children_paging(mgr: DataManager) -> None:
    await mgr.upsert_elements(USER, [folder("/p"), *[file(f"/p/f{i:03}.csv", "/p") for i in range(25)],
                                     folder("/p/sub", "/p")])
    seen: list[str] = []
    token = ""
    while True:
        page = mgr.list_children(parent_qualified_name="/p", page_size=10, page_token=token)
        assert len(page.items) <= 10
        seen += [v.element.qualified_name for v in page.items]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 26 and len(set(seen)) == 26
    files = mgr.list_children(parent_qualified_name="/p", kind=dm.ELEMENT_KIND_FILE, page_size=5000)
    assert len(files.items) == 25
    with pytest.raises(InvalidArgument):
        mgr.list_children(parent_qualified_name="/p", page_size=5001)
    with pytest.raises(NotFound):
        mgr.list_children(parent_qualified_name="/missing")


async def test_find_elements(mgr: DataManager) -> None:
    await mgr.upsert_elements(CONNECTOR, [folder("/f"), file("/f/a.csv", "/f"), file("/f/b.txt", "/f")])
    await mgr.upsert_elements(USER, [folder("/g")])
    found = mgr.find_elements(kind=dm.ELEMENT_KIND_FILE, name_pattern=".*\\.csv")
    assert [v.element.qualified_name for v in found.items] == ["/f/a.csv"]
    mine = mgr.find_elements(external_source="fs:host", page_size=100)
    assert sorted(v.element.qualified_name for v in mine.items) == ["/f", "/f/a.csv", "/f/b.txt"]
    with pytest.raises(InvalidArgument):
        mgr.find_elements(name_pattern="(")


async def test_bad_input(mgr: DataManager, repo: Repository) -> None:
    head = repo.store.head_sequence()
    with pytest.raises(InvalidArgument) as missing:
        await mgr.upsert_elements(USER, [folder("/ok"), dm.DataElement(folder=dm.FolderElement()),
                                         dm.DataElement(qualified_name="k")])
    assert ("elements[1].qualified_name", "is required") in missing.value.field_violations
    assert any(f == "elements[2].kind" for f, _ in missing.value.field_violations)
    with pytest.raises(InvalidArgument) as parent:
        await mgr.upsert_elements(USER, [folder("/ok"), file("/x/a.csv", "/x")])
    assert parent.value.reason == "PARENT_NOT_FOUND"
    assert parent.value.field_violations[0][0] == "elements[1].parent_qualified_name"
    assert repo.store.head_sequence() == head  # all or nothing
    await mgr.upsert_elements(USER, [folder("/d")])
    with pytest.raises(InvalidArgument) as kind:
        await mgr.upsert_elements(USER, [file("/d", "")])
    assert kind.value.reason == "KIND_MISMATCH" and kind.value.field_violations[0][0] == "elements[0].file"
    with pytest.raises(InvalidArgument) as wrong_parent:
        await mgr.upsert_elements(USER, [dm.DataElement(qualified_name="c", parent_qualified_name="/d",
                                                        column=dm.ColumnElement())])
    assert wrong_parent.value.reason == "KIND_MISMATCH"
    with pytest.raises(InvalidArgument):
        await mgr.upsert_elements(USER, [folder("/dup"), folder("/dup")])
    with pytest.raises(InvalidArgument):
        await mgr.upsert_elements(USER, [dm.DataElement(qualified_name="t", parent_qualified_name="/d",
                                                        topic=dm.TopicElement())])


async def test_large_mixed_batch_looks_names_up_in_bulk(mgr: DataManager, repo: Repository) -> None:
    """Over 500 names (more than one bulk lookup statement): new, unchanged, updated and moved elements."""
    await mgr.upsert_elements(CONNECTOR, [folder("/big"), folder("/other")])
    first = await mgr.upsert_elements(CONNECTOR, [file(f"/big/f{i:04}.csv", "/big") for i in range(600)])
    assert outcomes(first.value) == [OUT.UPSERT_OUTCOME_CREATED] * 600
    mixed = [file(f"/big/f{i:04}.csv", "/big") for i in range(300)]
    mixed += [file(f"/big/f{i:04}.csv", "/big", size=7) for i in range(300, 400)]
    mixed += [file(f"/big/f{i:04}.csv", "/other") for i in range(400, 450)]
    mixed += [file(f"/big/n{i:04}.csv", "/big") for i in range(300)]
    again = await mgr.upsert_elements(CONNECTOR, mixed)
    expected = [OUT.UPSERT_OUTCOME_UNCHANGED] * 300 + [OUT.UPSERT_OUTCOME_UPDATED] * 150
    assert outcomes(again.value) == expected + [OUT.UPSERT_OUTCOME_CREATED] * 300
    assert [r.guid for r in again.value[:450]] == [r.guid for r in first.value[:450]]
    assert mgr.get_element(qualified_name="/big/f0420.csv").element.parent_qualified_name == "/other"
    assert mgr.get_element(qualified_name="/big/n0299.csv").element.parent_qualified_name == "/big"
