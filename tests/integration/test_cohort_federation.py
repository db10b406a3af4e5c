"""Federated queries across in-process members over real gRPC (issue 5: federated query)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohortharness import add_entity, add_link, member_id, rt, start_member, wait_connected, wait_replicated
from servertest import client

from coho.omrs.v1 import common_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs

pytestmark = pytest.mark.timeout(60)


async def federation(stack: AsyncExitStack, tmp_path: Path) -> tuple[Any, Any, Any, Callable[[], Awaitable[None]]]:
    """Three connected members: hub, which keeps no reference copies (so whatever it finds of the others came
    from them), one and two; and a stop for two that a test may call early (it stops two once)."""
    hub = await start_member(tmp_path, "hub", [], events_to_process={"rule": "JUST_TYPEDEFS"})
    stack.push_async_callback(hub.stop)
    one = await start_member(tmp_path, "one", [hub.address])
    stack.push_async_callback(one.stop)
    two = await start_member(tmp_path, "two", [hub.address])
    stopped: list[bool] = []

    async def stop_two() -> None:
        if not stopped:
            stopped.append(True)
            await two.stop()

    stack.push_async_callback(stop_two)
    await wait_connected([hub, one, two])
    return hub, one, two, stop_two


async def test_federated_finds_merge_peers_and_report_the_silent_one(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        hub, one, two, stop_two = await federation(stack, tmp_path)
        two_id, apps = member_id(two), [hub, one, two]
        files = {member_id(app): (await add_entity(app, "DataFile", name=f"fed-{app.config.server_name}"))
                 for app in apps}
        folder = await add_entity(one, "FileFolder", name="fed-folder")
        link = await add_link(one, "NestedFile", folder.header.guid, files[member_id(one)].header.guid)
        await wait_replicated(apps)
        assert rt(hub).store.get_entity(files[member_id(one)].header.guid) is None

        async with client(hub) as stubs:
            local = await stubs.mcs.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(type_name="DataFile")))
            assert len(local.entities) == 1
            query = mcs.InstanceQuery(type_name="DataFile", federated=True, sequencing=common_pb2.Sequencing(
                order=common_pb2.SEQUENCING_ORDER_CREATION_DATE_OLDEST))
            found = await stubs.mcs.FindEntities(mcs.FindEntitiesRequest(query=query))
            # Each instance once (one and two both hold it), the home's copy, in creation order.
            assert [e.header.guid for e in found.entities] == [f.header.guid for f in files.values()]
            assert all(e.header.metadata_collection_id == f.header.metadata_collection_id
                       for e, f in zip(found.entities, files.values(), strict=True))
            assert not found.header.unreachable_members and not found.header.partial
            assert found.header.metadata_collection_id == member_id(hub)
            by_value = await stubs.mcs.FindEntitiesByPropertyValue(mcs.FindEntitiesByPropertyValueRequest(
                search_criteria="fed-.*", federated=True))
            assert len(by_value.entities) == 4
            rels = await stubs.mcs.FindRelationships(mcs.FindRelationshipsRequest(
                query=mcs.InstanceQuery(federated=True)))
            assert [r.header.guid for r in rels.relationships] == [link.header.guid]
            rels = await stubs.mcs.FindRelationshipsByPropertyValue(mcs.FindRelationshipsByPropertyValueRequest(
                search_criteria=".*", type_name="NestedFile", federated=True))
            assert not rels.relationships and not rels.header.unreachable_members  # NestedFile has no properties
            cut = await stubs.mcs.FindEntitiesByPropertyValue(mcs.FindEntitiesByPropertyValueRequest(
                search_criteria="fed-.*", federated=True, page_size=2))
            assert len(cut.entities) == 2 and cut.header.partial and not cut.next_page_token

            await stop_two()
            start = time.monotonic()
            found = await stubs.mcs.FindEntities(mcs.FindEntitiesRequest(query=query))
            assert time.monotonic() - start < 5
            assert list(found.header.unreachable_members) == [two_id]
            # two is gone, but one still holds a reference copy of two's file.
            assert {e.header.guid for e in found.entities} == {f.header.guid for f in files.values()}


async def test_federated_graph_queries_merge_each_members_graph(tmp_path: Path) -> None:
    """The four graph RPCs with ``federated`` set, asked of a hub that keeps no copies itself."""
    async with AsyncExitStack() as stack:
        hub, one, two, stop_two = await federation(stack, tmp_path)
        apps = [hub, one, two]
        folder = await add_entity(one, "FileFolder", name="graph-folder")
        a, b = [await add_entity(one, "DataFile", name=n) for n in ("a", "b")]
        links = [await add_link(one, "NestedFile", folder.header.guid, f.header.guid) for f in (a, b)]
        await wait_replicated(apps)
        c = await add_entity(two, "DataFile", name="c")  # two links its own file into one's folder (a copy there)
        links.append(await add_link(two, "NestedFile", folder.header.guid, c.header.guid))
        await wait_replicated(apps)
        homes = {link.header.guid: link.header.metadata_collection_id for link in links}
        two_id = member_id(two)
        stubs = await stack.enter_async_context(client(hub))

        async def ask(method: str, request: Any) -> Any:
            request.federated = True
            return await getattr(stubs.mcs, method)(request)

        guid = folder.header.guid
        rels = await ask("GetRelationshipsForEntity", mcs.GetRelationshipsForEntityRequest(entity_guid=guid))
        assert {r.header.guid for r in rels.relationships} == set(homes)  # the hub knows none of them itself
        assert all(r.header.metadata_collection_id == homes[r.header.guid] for r in rels.relationships)
        assert not rels.header.unreachable_members and rels.header.metadata_collection_id == member_id(hub)
        cut = await ask("GetRelationshipsForEntity",
                        mcs.GetRelationshipsForEntityRequest(entity_guid=guid, page_size=2))
        assert len(cut.relationships) == 2 and cut.header.partial
        related = await ask("GetRelatedEntities", mcs.GetRelatedEntitiesRequest(entity_guid=guid))
        assert {e.header.guid for e in related.entities} == {a.header.guid, b.header.guid, c.header.guid}
        around = await ask("GetEntityNeighborhood", mcs.GetEntityNeighborhoodRequest(entity_guid=guid, level=1))
        assert {e.header.guid for e in around.graph.entities} == {guid, a.header.guid, b.header.guid, c.header.guid}
        assert sorted(r.header.guid for r in around.graph.relationships) == sorted(homes)
        assert len(around.graph.entities) == 4  # one per GUID although one and two both returned them
        linking = await ask("GetLinkingEntities", mcs.GetLinkingEntitiesRequest(
            start_entity_guid=a.header.guid, end_entity_guid=c.header.guid))
        assert guid in {e.header.guid for e in linking.graph.entities}
        with pytest.raises(grpc.aio.AioRpcError) as missing:  # no member knows it
            await ask("GetEntityNeighborhood", mcs.GetEntityNeighborhoodRequest(
                entity_guid="00000000-0000-0000-0000-000000000000", level=1))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as paged:
            await ask("GetRelatedEntities", mcs.GetRelatedEntitiesRequest(entity_guid=guid, page_token="x"))
        assert paged.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        await stop_two()
        rels = await ask("GetRelationshipsForEntity", mcs.GetRelationshipsForEntityRequest(entity_guid=guid))
        assert list(rels.header.unreachable_members) == [two_id]
        assert {r.header.guid for r in rels.relationships} == set(homes)  # one holds a copy of two's link
