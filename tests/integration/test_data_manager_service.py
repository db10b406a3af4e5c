"""DataManagerService over real gRPC (grpc.aio on 127.0.0.1:0, real SQLite), errors decoded as clients do."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from unit.access.dmtest import access_server, database_tree, file, folder

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2
from coho.client.errors import CohoRpcError, from_rpc_error

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

OUT = elements_pb2
Code = grpc.StatusCode
CONNECTOR = (("x-coho-connector-id", "files-1"), ("x-coho-metadata-source", "fs:host"))


async def fails(call: Awaitable[Any], code: grpc.StatusCode, reason: str | None = None) -> CohoRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    err = from_rpc_error(caught.value)
    assert err.code == code, err
    if reason is not None:
        assert err.reason == reason, err
    return err


async def test_upsert_outcomes_links_and_source(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        batch = [folder("/r"), folder("/r/s", "/r"), file("/r/s/a.csv", "/r/s"), *database_tree()]
        first = await stub.UpsertElements(dm.UpsertElementsRequest(elements=batch), metadata=CONNECTOR)
        assert [r.outcome for r in first.results] == [OUT.UPSERT_OUTCOME_CREATED] * 8
        assert first.header.sequence == repo.store.head_sequence() > 0
        assert first.header.metadata_collection_id == repo.metadata_collection_id
        head = repo.store.head_sequence()
        again = await stub.UpsertElements(dm.UpsertElementsRequest(elements=batch), metadata=CONNECTOR)
        assert [r.outcome for r in again.results] == [OUT.UPSERT_OUTCOME_UNCHANGED] * 8
        assert again.header.sequence == 0 and repo.store.head_sequence() == head
        changes = repo.store.read_changes(0, 1000)
        assert {c.meta.metadata_source for c in changes} == {"fs:host"}
        assert {c.meta.access_service for c in changes} == {"DataManager"}
        got = await stub.GetElement(dm.GetElementRequest(qualified_name="/r/s/a.csv"))
        assert got.element.header.external_source == "fs:host"
        assert got.element.parent_guid == first.results[1].guid and got.element.element == batch[2]
        column = await stub.GetElement(dm.GetElementRequest(guid=first.results[6].guid))
        assert column.element.parent_guid == first.results[5].guid
        table = await stub.GetElement(dm.GetElementRequest(qualified_name="db.main.t"))
        assert table.element.parent_guid == first.results[4].guid  # the schema, not its hidden schema type
        # Move: the file goes to /r; the old link is deleted and a new one made.
        moved = await stub.UpsertElements(dm.UpsertElementsRequest(elements=[file("/r/s/a.csv", "/r")]))
        assert moved.results[0].outcome == OUT.UPSERT_OUTCOME_UPDATED
        children = await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/r"))
        assert sorted(c.element.qualified_name for c in children.children) == ["/r/s", "/r/s/a.csv"]
        files = await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/r", kind=dm.ELEMENT_KIND_FILE))
        assert [c.element.qualified_name for c in files.children] == ["/r/s/a.csv"]
        found = await stub.FindElements(dm.FindElementsRequest(kind=dm.ELEMENT_KIND_COLUMN, name_pattern="db\\..*"))
        assert len(found.elements) == 2


async def test_list_children_paging_and_cascade_delete(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, _), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        batch = [folder("/p"), *[file(f"/p/f{i:02}", "/p") for i in range(30)], folder("/p/q", "/p"),
                 file("/p/q/z", "/p/q")]
        await stub.UpsertElements(dm.UpsertElementsRequest(elements=batch))
        names: list[str] = []
        token = ""
        while True:
            page = await stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/p", page_size=7,
                                                                  page_token=token))
            names += [c.element.qualified_name for c in page.children]
            token = page.next_page_token
            if not token:
                break
        assert len(names) == 31 and len(set(names)) == 31
        deleted = await stub.DeleteElements(dm.DeleteElementsRequest(qualified_names=["/p", "/nope"], cascade=True))
        assert [r.outcome for r in deleted.results] == [OUT.UPSERT_OUTCOME_DELETED, OUT.UPSERT_OUTCOME_NOT_FOUND]
        assert deleted.header.sequence > 0
        err = await fails(stub.GetElement(dm.GetElementRequest(qualified_name="/p/q/z")), Code.NOT_FOUND)
        assert err.resource is not None
        await fails(stub.GetElement(dm.GetElementRequest(guid=deleted.results[0].guid)), Code.NOT_FOUND,
                    "ENTITY_NOT_FOUND")
        await fails(stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/p")), Code.NOT_FOUND)


async def test_bad_input(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = dm_grpc.DataManagerServiceStub(channel)
        head = repo.store.head_sequence()
        err = await fails(stub.UpsertElements(dm.UpsertElementsRequest(elements=[
            folder("/ok"), dm.DataElement(folder=dm.FolderElement())])), Code.INVALID_ARGUMENT, "MISSING_FIELD")
        assert err.fields == ["elements[1].qualified_name"]
        err = await fails(stub.UpsertElements(dm.UpsertElementsRequest(elements=[dm.DataElement(qualified_name="x")])),
                          Code.INVALID_ARGUMENT, "MISSING_FIELD")
        assert err.fields == ["elements[0].kind"]
        err = await fails(stub.UpsertElements(dm.UpsertElementsRequest(elements=[folder("/ok"), file("/m/a", "/m")])),
                          Code.INVALID_ARGUMENT, "PARENT_NOT_FOUND")
        assert err.fields == ["elements[1].parent_qualified_name"]
        assert repo.store.head_sequence() == head
        await stub.UpsertElements(dm.UpsertElementsRequest(elements=[folder("/k")]))
        err = await fails(stub.UpsertElements(dm.UpsertElementsRequest(elements=[file("/k", "")])),
                          Code.INVALID_ARGUMENT, "KIND_MISMATCH")
        assert err.fields == ["elements[0].file"]
        await fails(stub.UpsertElements(dm.UpsertElementsRequest(elements=[folder("/z")], external_source="other"),
                                        metadata=CONNECTOR), Code.PERMISSION_DENIED, "EXTERNAL_SOURCE_MISMATCH")
        await fails(stub.GetElement(dm.GetElementRequest()), Code.INVALID_ARGUMENT, "MISSING_FIELD")
        await fails(stub.FindElements(dm.FindElementsRequest(name_pattern="(")), Code.INVALID_ARGUMENT)
        await fails(stub.ListChildren(dm.ListChildrenRequest(parent_qualified_name="/k", page_size=5001)),
                    Code.INVALID_ARGUMENT)
