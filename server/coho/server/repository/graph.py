"""Graph queries over the store: neighborhood, related entities and linking entities.

Traversal rules (one :class:`Traversal` for all three):

- Type names select the type and its subtypes. An entity that fails the entity filters (type,
  classifications - all of them must be present -, status) is not returned and not traversed through, and the
  relationships leading to it are dropped. The start entity is always returned.
- Statuses: empty means every status except DELETED, for entities and relationships alike.
- ``as_of`` reads every entity and relationship as it was then.
- An end known only as a proxy is judged by its proxy header; its relationship is returned but the proxy is
  not (an InstanceGraph holds EntityDetails only) and the walk does not continue through it.

Bounds, so one request cannot take the server down: neighborhoods go 1..10 levels; a neighborhood or a
related-entities closure stops with RESOURCE_EXHAUSTED (reason GRAPH_TOO_LARGE) past 10,000 entities;
linking entities follows simple paths of at most 10 hops and examines at most 100,000 path steps before it
stops with RESOURCE_EXHAUSTED (reason GRAPH_SEARCH_BOUND).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import InvalidArgument, ResourceExhausted
from coho.server.repository.headers import DELETED, ENTITY_DEF, RELATIONSHIP_DEF, entity_not_found, from_ts
from coho.server.store.base import InstanceFilter, Page, Store
from coho.server.types import TypeRegistry

MAX_LEVEL = 10
MAX_GRAPH_ENTITIES = 10_000
LINKING_MAX_DEPTH = 10
LINKING_MAX_STEPS = 100_000
_STORE_PAGE = 1000

AnyEntity = instances_pb2.EntityDetail | instances_pb2.EntityProxy


@dataclass(frozen=True)
class Traversal:
    entity_types: frozenset[str] | None = None
    relationship_types: frozenset[str] | None = None
    classifications: tuple[str, ...] = ()
    statuses: frozenset[int] = frozenset()
    as_of_ms: int | None = None

    @classmethod
    def from_filter(cls, types: TypeRegistry, spec: mcs.TraversalFilter | None) -> Traversal:
        if spec is None:
            return cls()
        return cls(
            entity_types=_expand(types, spec.entity_type_names, ENTITY_DEF),
            relationship_types=_expand(types, spec.relationship_type_names, RELATIONSHIP_DEF),
            classifications=tuple(spec.limit_results_by_classification),
            statuses=frozenset(spec.limit_results_by_status),
            as_of_ms=from_ts(spec.as_of_time) if spec.HasField("as_of_time") else None,
        )

    def status_ok(self, status: int) -> bool:
        return status in self.statuses if self.statuses else status != DELETED

    def entity_ok(self, entity: AnyEntity) -> bool:
        header = entity.header
        if self.entity_types is not None and header.type.type_def_name not in self.entity_types:
            return False
        names = {c.name for c in entity.classifications}
        return self.status_ok(header.status) and all(c in names for c in self.classifications)


def _expand(types: TypeRegistry, names: Iterable[str], category: int) -> frozenset[str] | None:
    result: set[str] = set()
    for name in names:
        types.require(name, category, for_new_instance=False)
        result |= types.subtypes(name)
    return frozenset(result) if result else None


@dataclass
class GraphReader:
    """Reads entities and relationships once per query (the same node is reached by many paths)."""

    store: Store
    traversal: Traversal
    _entities: dict[str, AnyEntity | None] = field(default_factory=dict)
    _links: dict[str, list[instances_pb2.Relationship]] = field(default_factory=dict)

    def start(self, guid: str) -> instances_pb2.EntityDetail:
        entity = self.store.get_entity(guid, self.traversal.as_of_ms)
        if entity is None:
            raise entity_not_found(guid, proxy_only=self.store.get_proxy(guid) is not None)
        return entity

    def entity(self, guid: str) -> AnyEntity | None:
        """The entity (or proxy) if it passes the filters, else None."""
        if guid not in self._entities:
            found: AnyEntity | None = self.store.get_entity(guid, self.traversal.as_of_ms)
            if found is None:
                found = self.store.get_proxy(guid)
            self._entities[guid] = found if found is not None and self.traversal.entity_ok(found) else None
        return self._entities[guid]

    def links(self, guid: str) -> list[instances_pb2.Relationship]:
        """Relationships of this entity passing the relationship filters, whose other end passes too."""
        if guid not in self._links:
            query = InstanceFilter(
                type_names=self.traversal.relationship_types,
                statuses=self.traversal.statuses,
                as_of_ms=self.traversal.as_of_ms,
                entity_guid=guid,
                page_size=_STORE_PAGE,
            )
            found: list[instances_pb2.Relationship] = []
            while True:
                page = self.store.find_relationships(query)
                found.extend(r for r in page.items if self.entity(other_end(r, guid)) is not None)
                if not page.next_page_token:
                    break
                query = InstanceFilter(**{**query.__dict__, "page_token": page.next_page_token})
            self._links[guid] = found
        return self._links[guid]


def other_end(relationship: instances_pb2.Relationship, guid: str) -> str:
    one = relationship.entity_one_proxy.header.guid
    return relationship.entity_two_proxy.header.guid if one == guid else one


def _too_large() -> ResourceExhausted:
    return ResourceExhausted(
        message=f"the graph has more than {MAX_GRAPH_ENTITIES} entities; narrow the filter",
        reason="GRAPH_TOO_LARGE",
        metadata={"limit": MAX_GRAPH_ENTITIES},
    )


def _walk(
    reader: GraphReader, start: instances_pb2.EntityDetail, level: int | None
) -> tuple[dict[str, instances_pb2.EntityDetail], dict[str, instances_pb2.Relationship]]:
    """Breadth-first from start, to `level` hops (None: until nothing new)."""
    entities = {start.header.guid: start}
    relationships: dict[str, instances_pb2.Relationship] = {}
    frontier = [start.header.guid]
    depth = 0
    while frontier and (level is None or depth < level):
        depth += 1
        next_frontier: list[str] = []
        for guid in frontier:
            for relationship in reader.links(guid):
                relationships.setdefault(relationship.header.guid, relationship)
                other = other_end(relationship, guid)
                found = reader.entity(other)
                if other in entities or not isinstance(found, instances_pb2.EntityDetail):
                    continue
                entities[other] = found
                next_frontier.append(other)
        if len(entities) > MAX_GRAPH_ENTITIES:
            raise _too_large()
        frontier = next_frontier
    return entities, relationships


def neighborhood(
    store: Store, types: TypeRegistry, guid: str, level: int, spec: mcs.TraversalFilter | None
) -> instances_pb2.InstanceGraph:
    if not 1 <= level <= MAX_LEVEL:
        raise InvalidArgument(
            message=f"level must be 1..{MAX_LEVEL}", field_violations=[("level", f"must be 1..{MAX_LEVEL}")]
        )
    reader = GraphReader(store, Traversal.from_filter(types, spec))
    entities, relationships = _walk(reader, reader.start(guid), level)
    return _graph(entities, relationships)


def _graph(
    entities: dict[str, instances_pb2.EntityDetail], relationships: dict[str, instances_pb2.Relationship]
) -> instances_pb2.InstanceGraph:
    """A graph in GUID order, so answers are stable."""
    graph = instances_pb2.InstanceGraph()
    graph.entities.extend(entities[guid] for guid in sorted(entities))
    graph.relationships.extend(relationships[guid] for guid in sorted(relationships))
    return graph


def related_entities(
    store: Store,
    types: TypeRegistry,
    guid: str,
    spec: mcs.TraversalFilter | None,
    *,
    sequencing: common_pb2.Sequencing | None = None,
    page_size: int = 100,
    page_token: str = "",
) -> Page[instances_pb2.EntityDetail]:
    """Every entity reachable from guid (not guid itself), sorted and paged by offset."""
    reader = GraphReader(store, Traversal.from_filter(types, spec))
    entities, _ = _walk(reader, reader.start(guid), None)
    del entities[guid]
    ordered = sorted(entities.values(), key=lambda e: e.header.guid)
    ordered = sort_entities(ordered, sequencing)
    offset = _offset(page_token)
    items = ordered[offset : offset + page_size]
    more = offset + page_size < len(ordered)
    return Page(items=items, next_page_token=f"o:{offset + page_size}" if more else "")


def _offset(page_token: str) -> int:
    if not page_token:
        return 0
    try:
        prefix, value = page_token.split(":", 1)
        offset = int(value)
        if prefix != "o" or offset < 0:
            raise ValueError(page_token)
    except ValueError:
        raise InvalidArgument(
            message="page_token is not one this query returned", field_violations=[("page_token", "invalid")]
        ) from None
    return offset


def sort_entities(
    entities: list[instances_pb2.EntityDetail], sequencing: common_pb2.Sequencing | None
) -> list[instances_pb2.EntityDetail]:
    """Apply a Sequencing order to a list already sorted by GUID (sorts are stable, so GUID breaks ties)."""
    order = sequencing.order if sequencing is not None else common_pb2.SEQUENCING_ORDER_UNSPECIFIED
    o = common_pb2
    if order in (o.SEQUENCING_ORDER_CREATION_DATE_RECENT, o.SEQUENCING_ORDER_CREATION_DATE_OLDEST):
        recent = order == o.SEQUENCING_ORDER_CREATION_DATE_RECENT
        return sorted(entities, key=lambda e: from_ts(e.header.create_time), reverse=recent)
    if order in (o.SEQUENCING_ORDER_LAST_UPDATE_RECENT, o.SEQUENCING_ORDER_LAST_UPDATE_OLDEST):
        recent = order == o.SEQUENCING_ORDER_LAST_UPDATE_RECENT
        return sorted(entities, key=lambda e: from_ts(e.header.update_time), reverse=recent)
    if order in (o.SEQUENCING_ORDER_PROPERTY_ASCENDING, o.SEQUENCING_ORDER_PROPERTY_DESCENDING):
        assert sequencing is not None
        name = sequencing.property_name
        present = [e for e in entities if _sort_value(e, name) is not None]
        missing = [e for e in entities if _sort_value(e, name) is None]
        descending = order == o.SEQUENCING_ORDER_PROPERTY_DESCENDING
        present.sort(key=lambda e: _sort_value(e, name), reverse=descending)  # type: ignore[arg-type,return-value]
        return present + missing  # instances without the property always come last
    return entities


def _sort_value(entity: instances_pb2.EntityDetail, name: str) -> str | float | None:
    value = entity.properties.properties.get(name)
    if value is None or value.WhichOneof("value") != "primitive":
        return None
    kind = value.primitive.WhichOneof("value")
    if kind is None:
        return None
    raw = getattr(value.primitive, kind)
    return raw if isinstance(raw, str) else float(raw)


def linking_entities(store: Store, start_guid: str, end_guid: str, traversal: Traversal) -> instances_pb2.InstanceGraph:
    """Every entity and relationship on a simple path (at most LINKING_MAX_DEPTH hops) from start to end."""
    reader = GraphReader(store, traversal)
    start = reader.start(start_guid)
    end = reader.start(end_guid)
    entities: dict[str, instances_pb2.EntityDetail] = {}
    relationships: dict[str, instances_pb2.Relationship] = {}
    if start_guid == end_guid:
        return instances_pb2.InstanceGraph(entities=[start])
    steps = 0
    # Iterative DFS: each stack item is (entity guid, its path of (entity, relationship) so far).
    stack: list[tuple[str, list[tuple[str, instances_pb2.Relationship]]]] = [(start_guid, [])]
    while stack:
        guid, path = stack.pop()
        on_path = {start_guid, *(g for g, _ in path)}
        for relationship in reader.links(guid):
            steps += 1
            if steps > LINKING_MAX_STEPS:
                raise ResourceExhausted(
                    message="too many paths between these entities; narrow the search",
                    reason="GRAPH_SEARCH_BOUND",
                    metadata={"max_steps": LINKING_MAX_STEPS, "max_depth": LINKING_MAX_DEPTH},
                )
            other = other_end(relationship, guid)
            if other in on_path:
                continue
            step = [*path, (other, relationship)]
            if other == end_guid:
                for entity_guid, link in step:
                    found = reader.entity(entity_guid)
                    if isinstance(found, instances_pb2.EntityDetail):
                        entities[entity_guid] = found
                    relationships[link.header.guid] = link
            elif len(step) < LINKING_MAX_DEPTH and isinstance(reader.entity(other), instances_pb2.EntityDetail):
                stack.append((other, step))
    if relationships:
        entities[start_guid] = start
        entities[end_guid] = end
    return _graph(entities, relationships)
