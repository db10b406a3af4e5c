"""The relationship half of the Repository API (split from repository.py to keep modules small)."""

from __future__ import annotations

from collections.abc import Sequence

from coho.omrs.v1 import common_pb2, instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import checks, identity, relationships
from coho.server.repository.api import Caller, Written
from coho.server.repository.core import (
    RepositoryCore,
    check_regex,
    fetch_all,
    no_previous_version,
    page_size_of,
)
from coho.server.repository.headers import (
    RELATIONSHIP_DEF,
    WriteContext,
    entity_not_found,
    relationship_not_found,
    require_guid,
)
from coho.server.repository.regex_cost import check_search_patterns
from coho.server.store.base import HistoryQuery, InstanceFilter, Page, WriteTxn

RelationshipResult = Written[instances_pb2.Relationship]


class RelationshipMethods(RepositoryCore):
    # -- create ---------------------------------------------------------------------------------------
    async def add_relationship(
        self, caller: Caller, new: mcs.NewRelationship, *, request_id: str = ""
    ) -> RelationshipResult:
        def encode(value: instances_pb2.Relationship, sequence: int) -> bytes:
            return mcs.AddRelationshipResponse(header=self._header(sequence), relationship=value).SerializeToString()

        def decode(data: bytes) -> RelationshipResult:
            response = mcs.AddRelationshipResponse.FromString(data)
            return Written(response.relationship, response.header.sequence)

        return await self.write_once(
            caller, request_id, lambda txn, ctx: relationships.add_relationship(txn, ctx, new), encode, decode
        )

    async def add_relationships(
        self, caller: Caller, news: Sequence[mcs.NewRelationship], *, request_id: str = ""
    ) -> Written[list[instances_pb2.Relationship]]:
        """All or nothing; field paths are ``relationships[i]....``."""

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[list[instances_pb2.Relationship], int]:
            made = [relationships.add_relationship(txn, ctx, n, f"relationships[{i}]") for i, n in enumerate(news)]
            return [r for r, _ in made], max((seq for _, seq in made), default=0)

        def encode(value: list[instances_pb2.Relationship], sequence: int) -> bytes:
            response = mcs.AddRelationshipsResponse(header=self._header(sequence), relationships=value)
            return response.SerializeToString()

        def decode(data: bytes) -> Written[list[instances_pb2.Relationship]]:
            response = mcs.AddRelationshipsResponse.FromString(data)
            return Written(list(response.relationships), response.header.sequence)

        return await self.write_once(caller, request_id, op, encode, decode)

    # -- read -------------------------------------------------------------------------------------------
    def get_relationship(self, guid: str, *, as_of_ms: int | None = None) -> instances_pb2.Relationship:
        require_guid(guid, "guid")
        relationship = self.store.get_relationship(guid, as_of_ms)
        if relationship is None:
            raise relationship_not_found(guid)
        return relationship

    def relationship_history(self, query: HistoryQuery) -> Page[instances_pb2.Relationship]:
        require_guid(query.guid, "guid")
        page = self.store.relationship_history(query)
        if not page.items and not query.page_token and self.store.get_relationship(query.guid) is None:
            raise relationship_not_found(query.guid)
        return page

    def find_relationships(
        self,
        *,
        type_name: str = "",
        subtype_names: Sequence[str] = (),
        match_properties: common_pb2.SearchProperties | None = None,
        statuses: Sequence[int] = (),
        as_of_ms: int | None = None,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.Relationship]:
        check_search_patterns(match_properties, "match_properties")
        return self.store.find_relationships(
            InstanceFilter(
                type_names=self._type_names(type_name, subtype_names, RELATIONSHIP_DEF),
                match_properties=match_properties,
                statuses=frozenset(statuses),
                as_of_ms=as_of_ms,
                sequencing=sequencing,
                page_size=page_size_of(page_size),
                page_token=page_token,
            )
        )

    def find_relationships_by_property_value(
        self,
        search_criteria: str,
        *,
        type_name: str = "",
        statuses: Sequence[int] = (),
        as_of_ms: int | None = None,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.Relationship]:
        check_regex(search_criteria)
        return self.store.find_relationships(
            InstanceFilter(
                type_names=self._type_names(type_name, (), RELATIONSHIP_DEF),
                statuses=frozenset(statuses),
                as_of_ms=as_of_ms,
                sequencing=sequencing,
                page_size=page_size_of(page_size),
                page_token=page_token,
                regex=search_criteria,
            )
        )

    def relationships_for_entity(
        self,
        guid: str,
        *,
        type_name: str = "",
        statuses: Sequence[int] = (),
        as_of_ms: int | None = None,
        sequencing: common_pb2.Sequencing | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[instances_pb2.Relationship]:
        """Relationships with this entity (or proxy) at either end."""
        require_guid(guid, "entity_guid")
        if self.store.get_entity(guid, as_of_ms) is None and self.store.get_proxy(guid) is None:
            raise entity_not_found(guid)
        return self.store.find_relationships(
            InstanceFilter(
                type_names=self._type_names(type_name, (), RELATIONSHIP_DEF),
                statuses=frozenset(statuses),
                as_of_ms=as_of_ms,
                sequencing=sequencing,
                page_size=page_size_of(page_size),
                page_token=page_token,
                entity_guid=guid,
            )
        )

    # -- change -----------------------------------------------------------------------------------------
    async def update_relationship_properties(
        self,
        caller: Caller,
        guid: str,
        properties: instances_pb2.InstanceProperties,
        *,
        merge: bool = False,
        expected_version: int = 0,
    ) -> RelationshipResult:
        return await self.write(
            caller,
            lambda txn, ctx: relationships.update_properties(
                txn, ctx, guid, properties, merge=merge, expected_version=expected_version
            ),
        )

    async def update_relationship_status(
        self, caller: Caller, guid: str, status: int, *, expected_version: int = 0
    ) -> RelationshipResult:
        return await self.write(
            caller,
            lambda txn, ctx: relationships.update_status(txn, ctx, guid, status, expected_version=expected_version),
        )

    async def undo_relationship_update(self, caller: Caller, guid: str) -> RelationshipResult:
        require_guid(guid, "guid")
        recent = self.store.relationship_history(HistoryQuery(guid=guid, backwards=True, page_size=2)).items
        current = recent[0].header.version if recent else 0

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[instances_pb2.Relationship, int]:
            if len(recent) < 2:
                stored = checks.load_home_relationship(txn, guid, ctx.local_id)
                raise no_previous_version(stored.header)
            return relationships.undo_update(txn, ctx, guid, recent[1], current)

        return await self.write(caller, op)

    async def delete_relationship(self, caller: Caller, guid: str, *, expected_version: int = 0) -> RelationshipResult:
        return await self.write(
            caller,
            lambda txn, ctx: relationships.delete_relationship(txn, ctx, guid, expected_version=expected_version),
        )

    async def restore_relationship(self, caller: Caller, guid: str) -> RelationshipResult:
        return await self.write(caller, lambda txn, ctx: relationships.restore_relationship(txn, ctx, guid))

    async def purge_relationship(self, caller: Caller, guid: str) -> Written[None]:
        written = await self.write(caller, lambda txn, ctx: relationships.purge_relationship(txn, ctx, guid))
        return Written(None, written.sequence)

    async def re_identify_relationship(self, caller: Caller, guid: str, new_guid: str) -> RelationshipResult:
        require_guid(guid, "guid")
        history = fetch_all(lambda token: self.store.relationship_history(HistoryQuery(guid=guid, page_token=token)))
        return await self.write(
            caller, lambda txn, ctx: identity.re_identify_relationship(txn, ctx, guid, new_guid, history)
        )

    async def re_type_relationship(self, caller: Caller, guid: str, new_type_name: str) -> RelationshipResult:
        return await self.write(caller, lambda txn, ctx: identity.re_type_relationship(txn, ctx, guid, new_type_name))

    async def re_home_relationship(
        self, caller: Caller, guid: str, new_home_id: str, new_home_name: str = ""
    ) -> RelationshipResult:
        return await self.write(
            caller,
            lambda txn, ctx: identity.re_home_relationship(txn, ctx, guid, new_home_id, new_home_name=new_home_name),
        )
