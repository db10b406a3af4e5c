"""Federated queries: a Find* fanned out to the cohort peers and merged by GUID (DESIGN §5, issue 5).

The member that receives a query with ``federated=true`` asks itself and every registered peer of each
cohort it is active in, all at once, through the cohort transport (the peer's MetadataCollectionService,
called with the cohort token; the peer role may read). Peers are asked with ``federated=false``, so a
query fans out exactly one hop and never loops. A peer that has not answered within the deadline (or
refuses, or cannot be reached) is listed in ``ResponseHeader.unreachable_members``: its metadata is
missing from the answer, but the query does not fail.

Merging: one result per GUID. The home's copy wins (its ``header.metadata_collection_id`` is the id of the
member that returned it); between two reference copies, the higher version wins; otherwise the first
answer (ours) is kept.

Paging rule, chosen to be simple and still correct: a federated query is ONE page. Every member returns
its own first ``page_size`` results in the requested sequencing; the union is de-duplicated, sorted by the
same sequencing (GUID breaks ties, as the store does) and cut to ``page_size``. This is exactly the first
page of the merged list: an instance among the first ``page_size`` distinct instances of the union has at
most ``page_size - 1`` instances before it in its own member's list, so its member returned it.
``next_page_token`` is always empty, and a federated request carrying a page token is refused
(FEDERATED_PAGING). ``header.partial`` is true when a member had more results than it returned, or the
merged list was cut: the caller narrows the query, or pages through one member without ``federated``.

Graph queries (:func:`federated_graph`) federate the same way, one hop, with two differences:

- a member that does not know the starting entity answers NOT_FOUND, which is an empty answer, not an
  unreachable member; the query fails NOT_FOUND only when no member that answered knows it;
- GetEntityNeighborhood and GetLinkingEntities return graphs: their entities and relationships are merged by
  GUID with the same preference (home copy, then higher version) and are not paged. The merged graph is the
  union of each member's own graph: a path whose hops are only known at different members, none holding them
  all, is not found (Egeria's enterprise connector has the same limit). Reference copies make that rare.
  GetRelationshipsForEntity and GetRelatedEntities are lists, merged and cut to one page as the finds are.

No grpc here: the calls go through :class:`~coho.server.cohort.transport.CohortTransport`, and the merge
(:func:`merge`) is a pure function.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.cohort.transport import CohortTransport, StreamError
from coho.server.errors import InvalidArgument, NotFound
from coho.server.store.paging import Order, page_size_of, resolve_order

DEADLINE_SECONDS = 2.0
"""How long a federated query waits for the peers; a slower peer is reported as unreachable."""


@dataclass(frozen=True)
class Peer:
    """A member to ask: its collection id, where it listens, and the cohort token to present."""

    member_id: str
    endpoint: str
    token: str | None


class FederationHost(Protocol):
    """What a federated query needs from the cohort (implemented by CohortManager)."""

    transport: CohortTransport

    def federation_peers(self) -> list[Peer]: ...


@dataclass
class Answer:
    """One member's page: who answered, what it returned, and whether it had more."""

    member_id: str
    items: list[Any]
    more: bool = False


@dataclass(frozen=True)
class FindKind:
    """Where a Find* request keeps its query parameters and its response its results."""

    items: str
    params: str = ""
    """The field holding federated / page_size / page_token / sequencing; "" for the request itself."""


KINDS = {
    "FindEntities": FindKind("entities", "query"),
    "FindRelationships": FindKind("relationships", "query"),
    "FindEntitiesByPropertyValue": FindKind("entities"),
    "FindRelationshipsByPropertyValue": FindKind("relationships"),
}


def params(request: Any, kind: FindKind) -> Any:
    return getattr(request, kind.params) if kind.params else request


def is_federated(method: str, request: Any) -> bool:
    return bool(params(request, KINDS[method]).federated)


# -- merge (pure) ---------------------------------------------------------------------------------------------


def _primitive(item: Any, name: str) -> tuple[int, Any]:
    """(0, value) for a primitive property, (1, None) when absent: missing values sort last, as in the store."""
    value = item.properties.properties.get(name) if item.HasField("properties") else None
    if value is None or value.WhichOneof("value") != "primitive":
        return (1, None)
    field = value.primitive.WhichOneof("value")
    return (1, None) if field is None else (0, getattr(value.primitive, field))


def sort_key(order: Order) -> Callable[[Any], tuple[Any, ...]]:
    def key(item: Any) -> tuple[Any, ...]:
        header = item.header
        if order.key == "create_time":
            return (header.create_time.ToMilliseconds(), header.guid)
        if order.key == "update_time":
            updated = header.update_time if header.HasField("update_time") else header.create_time
            return (updated.ToMilliseconds(), header.guid)
        if order.key == "property":
            missing, value = _primitive(item, order.property_name)
            # Missing values stay last in both directions; the flag is flipped for descending order.
            return (missing if not order.descending else -missing, value if value is not None else 0, header.guid)
        return (header.guid,)
    return key


def _better(candidate: Any, candidate_member: str, kept: Any, kept_member: str) -> bool:
    candidate_home = candidate.header.metadata_collection_id == candidate_member
    kept_home = kept.header.metadata_collection_id == kept_member
    if candidate_home != kept_home:
        return bool(candidate_home)
    return bool(candidate.header.version > kept.header.version)


def merge(answers: Iterable[Answer], order: Order, page_size: int) -> tuple[list[Any], bool]:
    """The first ``page_size`` distinct instances of all answers, in ``order``; and whether more exist."""
    chosen: dict[str, tuple[Any, str]] = {}
    more = False
    for answer in answers:
        more = more or answer.more
        for item in answer.items:
            guid = item.header.guid
            kept = chosen.get(guid)
            if kept is None or _better(item, answer.member_id, kept[0], kept[1]):
                chosen[guid] = (item, answer.member_id)
    items = sorted((item for item, _ in chosen.values()), key=sort_key(order), reverse=order.descending)
    return items[:page_size], more or len(items) > page_size


# -- fan-out ----------------------------------------------------------------------------------------------------


async def _ask(host: FederationHost, peer: Peer, method: str, request: Any, deadline: float) -> Any | None:
    """A peer's response, or None when it did not answer in time (or refused): it is reported, not raised."""
    try:
        # The transport's own deadline should fire first; wait_for bounds a transport that ignores it.
        return await asyncio.wait_for(host.transport.query(
            peer.endpoint, peer.token, method, request, deadline_seconds=deadline),
                                      deadline + 0.5)
    except (StreamError, TimeoutError):
        return None


def _more(response: Any) -> bool:
    return bool(response.next_page_token) or bool(response.header.partial)


async def federated_find(host: FederationHost | None, local_id: str, method: str, request: Any, *,
                         local: Callable[[Any], Awaitable[Any]], deadline: float = DEADLINE_SECONDS) -> Any:
    """Answer a federated Find* (``method`` names it): ourselves through ``local``, the peers through the host."""
    kind = KINDS[method]
    asked = params(request, kind)
    if asked.page_token:
        raise InvalidArgument(message="a federated query is a single page; it takes no page token",
                              reason="FEDERATED_PAGING", field_violations=[("page_token", "must be empty")])
    order = resolve_order(asked.sequencing if asked.HasField("sequencing") else None)
    size = page_size_of(asked.page_size)
    one_hop = type(request)()
    one_hop.CopyFrom(request)
    params(one_hop, kind).federated = False
    peers = host.federation_peers() if host is not None else []
    assert host is not None or not peers
    replies = await asyncio.gather(local(one_hop), *(_ask(host, p, method, one_hop, deadline)  # type: ignore[arg-type]
                                                     for p in peers))
    mine, theirs = replies[0], replies[1:]
    answers = [Answer(local_id, list(getattr(mine, kind.items)), _more(mine))]
    unreachable: list[str] = []
    for peer, reply in zip(peers, theirs, strict=True):
        if reply is None:
            unreachable.append(peer.member_id)
        else:
            answers.append(Answer(reply.header.metadata_collection_id or peer.member_id,
                                  list(getattr(reply, kind.items)), _more(reply)))
    items, partial = merge(answers, order, size)
    response = type(mine)()
    response.header.CopyFrom(common_pb2.ResponseHeader(
        metadata_collection_id=mine.header.metadata_collection_id, sequence=mine.header.sequence,
        unreachable_members=unreachable, partial=partial))
    getattr(response, kind.items).extend(items)
    return response


# -- graph queries ----------------------------------------------------------------------------------------------

LIST_QUERIES = {"GetRelationshipsForEntity": "relationships", "GetRelatedEntities": "entities"}
"""Graph queries answered with one list (merged and paged like a find)."""
GRAPH_QUERIES = ("GetEntityNeighborhood", "GetLinkingEntities")
"""Graph queries answered with an InstanceGraph (merged by GUID, not paged)."""


def merge_graphs(answers: Iterable[tuple[str, instances_pb2.InstanceGraph]]) -> instances_pb2.InstanceGraph:
    """The union of members' graphs, one instance per GUID (home copy, then the higher version), first seen first."""
    entities: dict[str, tuple[Any, str]] = {}
    relationships: dict[str, tuple[Any, str]] = {}
    for member_id, graph in answers:
        for chosen, items in ((entities, graph.entities), (relationships, graph.relationships)):
            for item in items:
                kept = chosen.get(item.header.guid)
                if kept is None or _better(item, member_id, kept[0], kept[1]):
                    chosen[item.header.guid] = (item, member_id)
    return instances_pb2.InstanceGraph(entities=[e for e, _ in entities.values()],
                                       relationships=[r for r, _ in relationships.values()])


async def _local(local: Callable[[Any], Awaitable[Any]], request: Any) -> Any | None:
    """Our own answer; None when we do not know the starting entity (someone else may)."""
    try:
        return await local(request)
    except NotFound:
        return None
    except StreamError as err:  # a local part answered over the transport (as the tests do)
        if err.code != "NOT_FOUND":
            raise
        return None


async def _ask_graph(host: FederationHost, peer: Peer, method: str, request: Any,
                     deadline: float) -> tuple[bool, Any | None]:
    """(answered, response): NOT_FOUND is an answer without a response; anything else unanswered is unreachable."""
    try:
        return True, await asyncio.wait_for(host.transport.query(
            peer.endpoint, peer.token, method, request, deadline_seconds=deadline), deadline + 0.5)
    except StreamError as err:
        return err.code == "NOT_FOUND", None
    except TimeoutError:
        return False, None


async def federated_graph(host: FederationHost | None, local_id: str, method: str, request: Any, *,
                          local: Callable[[Any], Awaitable[Any]], deadline: float = DEADLINE_SECONDS) -> Any:
    """Answer a graph query (``method``: GetRelationshipsForEntity, GetRelatedEntities, GetEntityNeighborhood,
    GetLinkingEntities) from ourselves and every peer, merged by GUID (see the module doc)."""
    if method not in LIST_QUERIES and method not in GRAPH_QUERIES:
        raise InvalidArgument(message=f"{method} is not a federated graph query", reason="NOT_FEDERATED",
                              field_violations=[("method", "not a graph query")])
    paged = method in LIST_QUERIES
    if paged and request.page_token:
        raise InvalidArgument(message="a federated query is a single page; it takes no page token",
                              reason="FEDERATED_PAGING", field_violations=[("page_token", "must be empty")])
    one_hop = type(request)()
    one_hop.CopyFrom(request)
    if "federated" in one_hop.DESCRIPTOR.fields_by_name:
        one_hop.federated = False  # peers answer for themselves only: one hop, no loop
    peers = host.federation_peers() if host is not None else []
    asks = [_ask_graph(host, p, method, one_hop, deadline) for p in peers] if host is not None else []
    mine, theirs = await asyncio.gather(_local(local, one_hop), asyncio.gather(*asks))
    replies: list[tuple[str, Any]] = [] if mine is None else [(local_id, mine)]
    unreachable = [peer.member_id for peer, (answered, _) in zip(peers, theirs, strict=True) if not answered]
    replies += [(reply.header.metadata_collection_id or peer.member_id, reply)
                for peer, (_, reply) in zip(peers, theirs, strict=True) if reply is not None]
    if not replies and not unreachable:
        raise NotFound(message="no member of the cohort knows the starting entity", reason="ENTITY_NOT_FOUND",
                       resource=("EntityDetail", getattr(request, "entity_guid", "")
                                 or getattr(request, "start_entity_guid", "")))
    response = getattr(mcs, f"{method}Response")()
    partial = False
    if paged:
        items = LIST_QUERIES[method]
        order = resolve_order(request.sequencing if request.HasField("sequencing") else None)
        answers = [Answer(member, list(getattr(reply, items)), _more(reply)) for member, reply in replies]
        merged, partial = merge(answers, order, page_size_of(request.page_size))
        getattr(response, items).extend(merged)
    else:
        response.graph.CopyFrom(merge_graphs((member, reply.graph) for member, reply in replies))
    response.header.CopyFrom(common_pb2.ResponseHeader(
        metadata_collection_id=local_id, sequence=mine.header.sequence if mine is not None else 0,
        unreachable_members=unreachable, partial=partial))
    return response
