"""Federated query merge and fan-out (coho.server.cohort.federation), with a fake transport: no sockets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from coho.omrs.v1 import common_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.cohort import federation as fed
from coho.server.cohort.transport import StreamError
from coho.server.errors import InvalidArgument
from coho.server.store.paging import Order

pytestmark = pytest.mark.timeout(10)


def entity(guid: str, home: str, version: int = 1, created: int = 0, name: str | None = None) -> Any:
    e = instances_pb2.EntityDetail()
    e.header.guid, e.header.metadata_collection_id, e.header.version = guid, home, version
    e.header.create_time.FromMilliseconds(created)
    if name is not None:
        e.properties.properties["name"].primitive.primitive_def_category = typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING
        e.properties.properties["name"].primitive.string_value = name
    return e


def test_merge_prefers_the_home_copy_then_the_higher_version() -> None:
    stale_copy = entity("g1", "B", version=1)
    home = entity("g1", "B", version=1)
    home.header.status = typedefs_pb2.INSTANCE_STATUS_ACTIVE
    answers = [fed.Answer("A", [stale_copy, entity("g2", "C", 1)]), fed.Answer("B", [home]),
               fed.Answer("D", [entity("g2", "C", 3)])]
    items, more = fed.merge(answers, Order("guid"), 10)
    assert [i.header.guid for i in items] == ["g1", "g2"]
    assert items[0] is home  # B answered with its own instance
    assert items[1].header.version == 3  # neither is home: the newer copy
    assert not more


def test_merge_sorts_by_sequencing_and_cuts_to_the_page() -> None:
    a = fed.Answer("A", [entity("a1", "A", created=30, name="x"), entity("a2", "A", created=10)])
    b = fed.Answer("B", [entity("b1", "B", created=20, name="m")], more=False)
    items, more = fed.merge([a, b], Order("create_time", descending=True), 2)
    assert [i.header.guid for i in items] == ["a1", "b1"] and more
    items, _ = fed.merge([a, b], Order("create_time"), 5)
    assert [i.header.guid for i in items] == ["a2", "b1", "a1"]
    # Property order: present values sorted, missing values last in both directions.
    items, _ = fed.merge([a, b], Order("property", property_name="name"), 5)
    assert [i.header.guid for i in items] == ["b1", "a1", "a2"]
    items, _ = fed.merge([a, b], Order("property", descending=True, property_name="name"), 5)
    assert [i.header.guid for i in items] == ["a1", "b1", "a2"]
    _, more = fed.merge([fed.Answer("A", [], more=True)], Order("guid"), 5)
    assert more


class FakeTransport:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[Any] = []

    async def query(self, endpoint: str, token: str | None, method: str, request: Any, *,
                    deadline_seconds: float) -> Any:
        self.requests.append((endpoint, token, method, request))
        answer = self.answers[endpoint]
        if answer == "hang":
            await asyncio.sleep(deadline_seconds * 10)
        if answer == "refuse":
            raise StreamError("UNAVAILABLE", "", "connection refused")
        return answer


class FakeHost:
    def __init__(self, transport: FakeTransport, peers: list[fed.Peer]) -> None:
        self.transport = transport
        self.peers = peers

    def federation_peers(self) -> list[fed.Peer]:
        return self.peers


async def test_fan_out_merges_and_reports_silent_members_without_failing() -> None:
    answer_b = mcs.FindEntitiesResponse(header=common_pb2.ResponseHeader(metadata_collection_id="B"),
                                        entities=[entity("g1", "B", 2), entity("g2", "A", 1)])
    transport = FakeTransport({"b:1": answer_b, "c:1": "hang", "d:1": "refuse"})
    host = FakeHost(transport, [fed.Peer("B", "b:1", "tok"), fed.Peer("C", "c:1", "tok"), fed.Peer("D", "d:1", "tok")])
    request = mcs.FindEntitiesRequest(query=mcs.InstanceQuery(type_name="DataFile", federated=True))
    seen: list[Any] = []

    async def local(one_hop: Any) -> Any:
        seen.append(one_hop)
        return mcs.FindEntitiesResponse(header=common_pb2.ResponseHeader(metadata_collection_id="A", sequence=7),
                                        entities=[entity("g2", "A", 1), entity("g1", "B", 1)])

    loop = asyncio.get_running_loop()
    start = loop.time()
    response = await fed.federated_find(host, "A", "FindEntities", request, local=local, deadline=0.2)
    assert loop.time() - start < 1.5
    assert list(response.header.unreachable_members) == ["C", "D"]
    assert response.header.metadata_collection_id == "A" and response.header.sequence == 7
    assert [(e.header.guid, e.header.version) for e in response.entities] == [("g1", 2), ("g2", 1)]
    assert not response.next_page_token and not response.header.partial
    # Nobody is asked to federate again: one hop only.
    assert not seen[0].query.federated
    assert all(not r[3].query.federated and r[1] == "tok" and r[2] == "FindEntities" for r in transport.requests)
    assert request.query.federated  # the caller's request is untouched


async def test_property_value_kinds_and_page_token_refused() -> None:
    host = FakeHost(FakeTransport({}), [])

    async def local(one_hop: Any) -> Any:
        assert not one_hop.federated
        return mcs.FindRelationshipsByPropertyValueResponse(next_page_token="more")

    request = mcs.FindRelationshipsByPropertyValueRequest(search_criteria=".*", federated=True, page_size=5)
    response = await fed.federated_find(host, "A", "FindRelationshipsByPropertyValue", request, local=local)
    assert response.header.partial and not response.next_page_token
    with pytest.raises(InvalidArgument) as err:
        await fed.federated_find(host, "A", "FindRelationshipsByPropertyValue",
                                 mcs.FindRelationshipsByPropertyValueRequest(federated=True, page_token="x"),
                                 local=local)
    assert err.value.reason == "FEDERATED_PAGING"
    assert fed.is_federated("FindEntitiesByPropertyValue", mcs.FindEntitiesByPropertyValueRequest(federated=True))
