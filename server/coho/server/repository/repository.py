"""The home repository: Egeria's metadata collection API over a :class:`Store` (no grpc here).

Writes are async and run as one :meth:`Store.write` callback each, so a write, its history rows and its
change-log events commit together, and a failing write leaves nothing behind. Reads are sync: they hit the
store's reader connections directly (servicers may run them in a thread).

The maintenance rules live in :mod:`.entities`, :mod:`.relationships`, :mod:`.identity` and
:mod:`.refcopies` as functions over a transaction; this class adds request ids, paging and type resolution.
"""

from __future__ import annotations

from collections.abc import Sequence

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import checks, entities, graph, identity, refcopies
from coho.server.repository.api import Caller, Written
from coho.server.repository.core import check_regex, fetch_all, no_previous_version, page_size_of
from coho.server.repository.headers import ENTITY_DEF, WriteContext, entity_not_found, entity_to_proxy, require_guid
from coho.server.repository.regex_cost import check_search_patterns
from coho.server.repository.relationship_methods import RelationshipMethods
from coho.server.store.base import HistoryQuery, InstanceFilter, Page, WriteTxn


class Repository(RelationshipMethods):
    """One metadata collection: the home of its own instances and the keeper of reference copies."""

    # -- entities: create -----------------------------------------------------------------------------
    async def add_entity(
        self, caller: Caller, new: mcs.NewEntity, *, request_id: str = ""
    ) -> Written[instances_pb2.EntityDetail]:
        def encode(value: instances_pb2.EntityDetail, sequence: int) -> bytes:
            return mcs.AddEntityResponse(header=self._header(sequence), entity=value).SerializeToString()

        def decode(data: bytes) -> Written[instances_pb2.EntityDetail]:
            response = mcs.AddEntityResponse.FromString(data)
            return Written(response.entity, response.header.sequence)

        return await self.write_once(
            caller, request_id, lambda txn, ctx: entities.add_entity(txn, ctx, new), encode, decode
        )

    async def add_entities(
        self, caller: Caller, news: Sequence[mcs.NewEntity], *, request_id: str = ""
    ) -> Written[list[instances_pb2.EntityDetail]]:
        """All or nothing, in one transaction; field paths are ``entities[i]....``."""

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[list[instances_pb2.EntityDetail], int]:
            checks.prefetch_unique(txn, ctx.types, ((new.type_name, new.properties) for new in news))
            created = [entities.add_entity(txn, ctx, new, f"entities[{i}]") for i, new in enumerate(news)]
            return [entity for entity, _ in created], max((seq for _, seq in created), default=0)

        def encode(value: list[instances_pb2.EntityDetail], sequence: int) -> bytes:
            return mcs.AddEntitiesResponse(header=self._header(sequence), entities=value).SerializeToString()

        def decode(data: bytes) -> Written[list[instances_pb2.EntityDetail]]:
            response = mcs.AddEntitiesResponse.FromString(data)
            return Written(list(response.entities), response.header.sequence)

        return await self.write_once(caller, request_id, op, encode, decode)

    async def add_entity_proxy(self, caller: Caller, proxy: instances_pb2.EntityProxy) -> Written[None]:
        """Store a proxy unless the full entity is known. Proxies are not instances: no change-log event."""
        require_guid(proxy.header.guid, "proxy.header.guid")
        require_guid(proxy.header.metadata_collection_id, "proxy.header.metadata_collection_id")

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[None, int]:
            ctx.types.require(proxy.header.type.type_def_name, ENTITY_DEF, for_new_instance=False)
            if txn.get_entity(proxy.header.guid) is None:
                txn.put_proxy(proxy)
            return None, 0

        return await self.write(caller, op)

    # -- entities: read -------------------------------------------------------------------------------
    def get_entity(self, guid: str, *, as_of_ms: int | None = None) -> instances_pb2.EntityDetail:
        """The entity (soft-deleted ones too, with status DELETED); ENTITY_NOT_FOUND / ENTITY_PROXY_ONLY."""
        require_guid(guid, "guid")
        entity = self.store.get_entity(guid, as_of_ms)
        if entity is None:
            raise entity_not_found(guid, proxy_only=self.store.get_proxy(guid) is not None)
        return entity

    def get_entity_proxy(self, guid: str) -> instances_pb2.EntityProxy:
        """The stored proxy, or a proxy made from the full entity."""
        require_guid(guid, "guid")
        proxy = self.store.get_proxy(guid)
        if proxy is not None:
            return proxy
        entity = self.store.get_entity(guid)
        if entity is None:
            raise entity_not_found(guid)
        return entity_to_proxy(self.types, entity)

    def entity_history(self, query: HistoryQuery) -> Page[instances_pb2.EntityDetail]:
        require_guid(query.guid, "guid")
        page = self.store.entity_history(query)
        if not page.items and not query.page_token and self.store.get_entity(query.guid) is None:
            raise entity_not_found(query.guid, proxy_only=self.store.get_proxy(query.guid) is not None)
        return page

    def find_entities(
        self,
        *,
        type_name: str = "",
        subtype_names: Sequence[str] = (),
        match_properties: common_pb2.SearchProperties | None = None,
        match_classifications: common_pb2.SearchClassifications | None = None,
        statuses: Sequence[int] = (),
        as_of_ms: int | None = None,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.EntityDetail]:
        """Egeria's findEntities: type plus subtypes, conditions, classifications, statuses, as-of, order."""
        check_search_patterns(match_properties, "match_properties")
        check_search_patterns(match_classifications, "match_classifications")
        return self.store.find_entities(
            InstanceFilter(
                type_names=self._type_names(type_name, subtype_names, ENTITY_DEF),
                match_properties=match_properties,
                match_classifications=match_classifications,
                statuses=frozenset(statuses),
                as_of_ms=as_of_ms,
                sequencing=sequencing,
                page_size=page_size_of(page_size),
                page_token=page_token,
            )
        )

    def find_entities_by_property_value(
        self,
        search_criteria: str,
        *,
        type_name: str = "",
        statuses: Sequence[int] = (),
        classifications: Sequence[str] = (),
        as_of_ms: int | None = None,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.EntityDetail]:
        """Entities with a string property fully matching the regex; may return a partial page (bounded)."""
        check_regex(search_criteria)
        match_classifications = None
        if classifications:
            match_classifications = common_pb2.SearchClassifications(
                conditions=[common_pb2.ClassificationCondition(name=name) for name in classifications],
                match_criteria=common_pb2.MATCH_CRITERIA_ALL,
            )
        return self.store.find_entities(
            InstanceFilter(
                type_names=self._type_names(type_name, (), ENTITY_DEF),
                match_classifications=match_classifications,
                statuses=frozenset(statuses),
                as_of_ms=as_of_ms,
                sequencing=sequencing,
                page_size=page_size_of(page_size),
                page_token=page_token,
                regex=search_criteria,
            )
        )

    # -- entities: change -----------------------------------------------------------------------------
    async def update_entity_properties(
        self,
        caller: Caller,
        guid: str,
        properties: instances_pb2.InstanceProperties,
        *,
        merge: bool = False,
        expected_version: int = 0,
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(
            caller,
            lambda txn, ctx: entities.update_properties(
                txn, ctx, guid, properties, merge=merge, expected_version=expected_version
            ),
        )

    async def update_entity_status(
        self, caller: Caller, guid: str, status: int, *, expected_version: int = 0
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(
            caller, lambda txn, ctx: entities.update_status(txn, ctx, guid, status, expected_version=expected_version)
        )

    async def undo_entity_update(self, caller: Caller, guid: str) -> Written[instances_pb2.EntityDetail]:
        require_guid(guid, "guid")
        recent = self.store.entity_history(HistoryQuery(guid=guid, backwards=True, page_size=2)).items
        current = recent[0].header.version if recent else 0

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[instances_pb2.EntityDetail, int]:
            if len(recent) < 2:
                stored = checks.load_home_entity(txn, guid, ctx.local_id)
                raise no_previous_version(stored.header)
            return entities.undo_update(txn, ctx, guid, recent[1], current)

        return await self.write(caller, op)

    async def delete_entity(
        self, caller: Caller, guid: str, *, expected_version: int = 0
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(
            caller, lambda txn, ctx: entities.delete_entity(txn, ctx, guid, expected_version=expected_version)
        )

    async def restore_entity(self, caller: Caller, guid: str) -> Written[instances_pb2.EntityDetail]:
        return await self.write(caller, lambda txn, ctx: entities.restore_entity(txn, ctx, guid))

    async def purge_entity(self, caller: Caller, guid: str) -> Written[None]:
        written = await self.write(caller, lambda txn, ctx: entities.purge_entity(txn, ctx, guid))
        return Written(None, written.sequence)

    async def classify_entity(
        self,
        caller: Caller,
        guid: str,
        name: str,
        properties: instances_pb2.InstanceProperties | None = None,
        *,
        expected_version: int = 0,
    ) -> Written[instances_pb2.EntityDetail]:
        props = properties or instances_pb2.InstanceProperties()
        return await self.write(
            caller,
            lambda txn, ctx: entities.classify(txn, ctx, guid, name, props, expected_version=expected_version),
        )

    async def reclassify_entity(
        self,
        caller: Caller,
        guid: str,
        name: str,
        properties: instances_pb2.InstanceProperties | None = None,
        *,
        expected_version: int = 0,
    ) -> Written[instances_pb2.EntityDetail]:
        props = properties or instances_pb2.InstanceProperties()
        return await self.write(
            caller,
            lambda txn, ctx: entities.reclassify(txn, ctx, guid, name, props, expected_version=expected_version),
        )

    async def declassify_entity(
        self, caller: Caller, guid: str, name: str, *, expected_version: int = 0
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(
            caller, lambda txn, ctx: entities.declassify(txn, ctx, guid, name, expected_version=expected_version)
        )

    async def re_identify_entity(self, caller: Caller, guid: str, new_guid: str) -> Written[instances_pb2.EntityDetail]:
        require_guid(guid, "guid")
        history = fetch_all(lambda token: self.store.entity_history(HistoryQuery(guid=guid, page_token=token)))
        return await self.write(
            caller, lambda txn, ctx: identity.re_identify_entity(txn, ctx, guid, new_guid, history)
        )

    async def re_type_entity(
        self, caller: Caller, guid: str, new_type_name: str
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(caller, lambda txn, ctx: identity.re_type_entity(txn, ctx, guid, new_type_name))

    async def re_home_entity(
        self, caller: Caller, guid: str, new_home_id: str, new_home_name: str = ""
    ) -> Written[instances_pb2.EntityDetail]:
        return await self.write(
            caller,
            lambda txn, ctx: identity.re_home_entity(txn, ctx, guid, new_home_id, new_home_name=new_home_name),
        )

    # -- graph queries --------------------------------------------------------------------------------
    def entity_neighborhood(
        self, guid: str, level: int, traversal: mcs.TraversalFilter | None = None
    ) -> instances_pb2.InstanceGraph:
        """Entities and relationships up to `level` (1..10) hops from guid; see :mod:`.graph` for rules."""
        require_guid(guid, "entity_guid")
        return graph.neighborhood(self.store, self.types, guid, level, traversal)

    def related_entities(
        self,
        guid: str,
        traversal: mcs.TraversalFilter | None = None,
        *,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.EntityDetail]:
        """Every entity reachable from guid through the filter (transitive closure, bounded), paged."""
        require_guid(guid, "entity_guid")
        return graph.related_entities(
            self.store,
            self.types,
            guid,
            traversal,
            sequencing=sequencing,
            page_size=page_size_of(page_size),
            page_token=page_token,
        )

    def linking_entities(
        self, start_guid: str, end_guid: str, *, statuses: Sequence[int] = (), as_of_ms: int | None = None
    ) -> instances_pb2.InstanceGraph:
        """Every entity and relationship on a simple path (<= 10 hops) between the two entities."""
        require_guid(start_guid, "start_entity_guid")
        require_guid(end_guid, "end_entity_guid")
        traversal = graph.Traversal(statuses=frozenset(statuses), as_of_ms=as_of_ms)
        return graph.linking_entities(self.store, start_guid, end_guid, traversal)

    # -- reference copies -----------------------------------------------------------------------------
    async def save_entity_reference_copy(
        self, caller: Caller, entity: instances_pb2.EntityDetail
    ) -> Written[refcopies.Outcome]:
        return await self.write(caller, lambda txn, ctx: _pair(refcopies.save_entity_copy(txn, ctx, entity)))

    async def purge_entity_reference_copy(
        self, caller: Caller, guid: str, home_id: str = ""
    ) -> Written[refcopies.Outcome]:
        return await self.write(caller, lambda txn, ctx: _pair(refcopies.purge_entity_copy(txn, ctx, guid, home_id)))

    async def save_relationship_reference_copy(
        self, caller: Caller, relationship: instances_pb2.Relationship
    ) -> Written[refcopies.Outcome]:
        return await self.write(
            caller, lambda txn, ctx: _pair(refcopies.save_relationship_copy(txn, ctx, relationship))
        )

    async def purge_relationship_reference_copy(
        self, caller: Caller, guid: str, home_id: str = ""
    ) -> Written[refcopies.Outcome]:
        return await self.write(
            caller, lambda txn, ctx: _pair(refcopies.purge_relationship_copy(txn, ctx, guid, home_id))
        )

    async def save_reference_copies(
        self, caller: Caller, instances: instances_pb2.InstanceGraph
    ) -> Written[tuple[list[refcopies.Outcome], list[refcopies.Outcome]]]:
        """Entities, then relationships, in one transaction; one outcome each, in request order."""

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[tuple[list[refcopies.Outcome], list[refcopies.Outcome]], int]:
            entity_outcomes, relationship_outcomes, sequence = refcopies.save_graph_copies(txn, ctx, instances)
            return (entity_outcomes, relationship_outcomes), sequence

        return await self.write(caller, op)


def _pair(result: refcopies.CopyResult) -> tuple[refcopies.Outcome, int]:
    return result.outcome, result.sequence
