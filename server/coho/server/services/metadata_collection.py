"""``coho.omrs.v1.MetadataCollectionService``: the home repository over gRPC (DESIGN §3).

Each method is validate → call :class:`~coho.server.repository.Repository` → build the response; errors go
through ``@rpc_method``. Every response carries a ResponseHeader: the write's change-log sequence for writes,
the head sequence for reads. A ``federated`` Find* also asks the cohort peers (coho.server.cohort.federation).
Finds and graph queries run in a worker thread so a slow query never stalls the event loop; single-row gets
run inline (a primary-key read is cheaper than the thread hop).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias

import grpc.aio

from coho.omrs.v1 import common_pb2, events_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.cohort.federation import federated_find, federated_graph
from coho.server.errors import FailedPrecondition
from coho.server.rpc.errors import require, rpc_method
from coho.server.rpc.identity import current_caller
from coho.server.runtime import Runtime
from coho.server.services.convert import history_query, ms_or_none, page_size, present

SERVICE_NAME = "coho.omrs.v1.MetadataCollectionService"
Ctx: TypeAlias = grpc.aio.ServicerContext


class MetadataCollectionServicer(mcs_grpc.MetadataCollectionServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.repo = runtime.repository

    # -- headers ----------------------------------------------------------------------------------------

    def _header(self, sequence: int, *, partial: bool = False) -> common_pb2.ResponseHeader:
        return common_pb2.ResponseHeader(
            metadata_collection_id=self.repo.metadata_collection_id, sequence=sequence, partial=partial)

    def _read_header(self, *, partial: bool = False) -> common_pb2.ResponseHeader:
        return self._header(self.runtime.store.head_sequence(), partial=partial)

    # -- collection ---------------------------------------------------------------------------------------

    @rpc_method
    async def GetMetadataCollectionId(self, request: mcs.GetMetadataCollectionIdRequest, context: Ctx) -> Any:
        return mcs.GetMetadataCollectionIdResponse(
            header=self._read_header(), metadata_collection_id=self.repo.metadata_collection_id,
            metadata_collection_name=self.repo.metadata_collection_name)

    # -- entities -------------------------------------------------------------------------------------------

    @rpc_method
    async def AddEntity(self, request: mcs.AddEntityRequest, context: Ctx) -> Any:
        require(request, "entity", "entity.type_name")
        written = await self.repo.add_entity(current_caller(), request.entity, request_id=request.request_id)
        return mcs.AddEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def AddEntities(self, request: mcs.AddEntitiesRequest, context: Ctx) -> Any:
        require(request, "entities")
        written = await self.repo.add_entities(current_caller(), request.entities, request_id=request.request_id)
        return mcs.AddEntitiesResponse(header=self._header(written.sequence), entities=written.value)

    @rpc_method
    async def AddEntityProxy(self, request: mcs.AddEntityProxyRequest, context: Ctx) -> Any:
        require(request, "proxy")
        written = await self.repo.add_entity_proxy(current_caller(), request.proxy)
        return mcs.AddEntityProxyResponse(header=self._header(written.sequence))

    @rpc_method
    async def GetEntity(self, request: mcs.GetEntityRequest, context: Ctx) -> Any:
        entity = self.repo.get_entity(request.guid, as_of_ms=ms_or_none(request, "as_of_time"))
        return mcs.GetEntityResponse(header=self._read_header(), entity=entity)

    @rpc_method
    async def GetEntityProxy(self, request: mcs.GetEntityProxyRequest, context: Ctx) -> Any:
        return mcs.GetEntityProxyResponse(header=self._read_header(), proxy=self.repo.get_entity_proxy(request.guid))

    @rpc_method
    async def GetEntityHistory(self, request: mcs.GetEntityHistoryRequest, context: Ctx) -> Any:
        query = history_query(request, request.page_size, request.page_token)
        page = await asyncio.to_thread(self.repo.entity_history, query)
        return mcs.GetEntityHistoryResponse(
            header=self._read_header(), versions=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def FindEntities(self, request: mcs.FindEntitiesRequest, context: Ctx) -> Any:
        if request.query.federated:
            return await self._federated("FindEntities", request, context)
        q = request.query
        page = await asyncio.to_thread(
            self.repo.find_entities, type_name=q.type_name, subtype_names=list(q.subtype_names),
            match_properties=present(q, "match_properties"),
            match_classifications=present(request, "match_classifications"),
            statuses=list(q.limit_results_by_status), as_of_ms=ms_or_none(q, "as_of_time"),
            sequencing=present(q, "sequencing"), page_size=page_size(q.page_size), page_token=q.page_token)
        return mcs.FindEntitiesResponse(header=self._read_header(partial=page.partial), entities=page.items,
                                        next_page_token=page.next_page_token)

    @rpc_method
    async def FindEntitiesByPropertyValue(self, request: mcs.FindEntitiesByPropertyValueRequest, context: Ctx) -> Any:
        if request.federated:
            return await self._federated("FindEntitiesByPropertyValue", request, context)
        page = await asyncio.to_thread(
            self.repo.find_entities_by_property_value, request.search_criteria, type_name=request.type_name,
            statuses=list(request.limit_results_by_status),
            classifications=list(request.limit_results_by_classification),
            as_of_ms=ms_or_none(request, "as_of_time"), sequencing=present(request, "sequencing"),
            page_size=page_size(request.page_size), page_token=request.page_token)
        return mcs.FindEntitiesByPropertyValueResponse(
            header=self._read_header(partial=page.partial), entities=page.items,
            next_page_token=page.next_page_token)

    @rpc_method
    async def UpdateEntityProperties(self, request: mcs.UpdateEntityPropertiesRequest, context: Ctx) -> Any:
        written = await self.repo.update_entity_properties(
            current_caller(), request.guid, request.properties, merge=request.merge,
            expected_version=request.options.expected_version)
        return mcs.UpdateEntityPropertiesResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def UpdateEntityStatus(self, request: mcs.UpdateEntityStatusRequest, context: Ctx) -> Any:
        require(request, "new_status")
        written = await self.repo.update_entity_status(
            current_caller(), request.guid, request.new_status, expected_version=request.options.expected_version)
        return mcs.UpdateEntityStatusResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def UndoEntityUpdate(self, request: mcs.UndoEntityUpdateRequest, context: Ctx) -> Any:
        written = await self.repo.undo_entity_update(current_caller(), request.guid)
        return mcs.UndoEntityUpdateResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def DeleteEntity(self, request: mcs.DeleteEntityRequest, context: Ctx) -> Any:
        written = await self.repo.delete_entity(
            current_caller(), request.guid, expected_version=request.options.expected_version)
        return mcs.DeleteEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def RestoreEntity(self, request: mcs.RestoreEntityRequest, context: Ctx) -> Any:
        written = await self.repo.restore_entity(current_caller(), request.guid)
        return mcs.RestoreEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def PurgeEntity(self, request: mcs.PurgeEntityRequest, context: Ctx) -> Any:
        written = await self.repo.purge_entity(current_caller(), request.guid)
        return mcs.PurgeEntityResponse(header=self._header(written.sequence))

    @rpc_method
    async def ClassifyEntity(self, request: mcs.ClassifyEntityRequest, context: Ctx) -> Any:
        require(request, "classification_name")
        written = await self.repo.classify_entity(
            current_caller(), request.guid, request.classification_name, request.properties,
            expected_version=request.options.expected_version)
        return mcs.ClassifyEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def ReclassifyEntity(self, request: mcs.ReclassifyEntityRequest, context: Ctx) -> Any:
        require(request, "classification_name")
        written = await self.repo.reclassify_entity(
            current_caller(), request.guid, request.classification_name, request.properties,
            expected_version=request.options.expected_version)
        return mcs.ReclassifyEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def DeclassifyEntity(self, request: mcs.DeclassifyEntityRequest, context: Ctx) -> Any:
        require(request, "classification_name")
        written = await self.repo.declassify_entity(
            current_caller(), request.guid, request.classification_name,
            expected_version=request.options.expected_version)
        return mcs.DeclassifyEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def ReIdentifyEntity(self, request: mcs.ReIdentifyEntityRequest, context: Ctx) -> Any:
        require(request, "new_guid")
        written = await self.repo.re_identify_entity(current_caller(), request.guid, request.new_guid)
        return mcs.ReIdentifyEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def ReTypeEntity(self, request: mcs.ReTypeEntityRequest, context: Ctx) -> Any:
        require(request, "new_type_name")
        written = await self.repo.re_type_entity(current_caller(), request.guid, request.new_type_name)
        return mcs.ReTypeEntityResponse(header=self._header(written.sequence), entity=written.value)

    @rpc_method
    async def ReHomeEntity(self, request: mcs.ReHomeEntityRequest, context: Ctx) -> Any:
        require(request, "new_home_metadata_collection_id")
        written = await self.repo.re_home_entity(
            current_caller(), request.guid, request.new_home_metadata_collection_id,
            request.new_home_metadata_collection_name)
        return mcs.ReHomeEntityResponse(header=self._header(written.sequence), entity=written.value)

    # -- relationships --------------------------------------------------------------------------------------

    @rpc_method
    async def AddRelationship(self, request: mcs.AddRelationshipRequest, context: Ctx) -> Any:
        require(request, "relationship", "relationship.type_name")
        written = await self.repo.add_relationship(
            current_caller(), request.relationship, request_id=request.request_id)
        return mcs.AddRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def AddRelationships(self, request: mcs.AddRelationshipsRequest, context: Ctx) -> Any:
        require(request, "relationships")
        written = await self.repo.add_relationships(
            current_caller(), request.relationships, request_id=request.request_id)
        return mcs.AddRelationshipsResponse(header=self._header(written.sequence), relationships=written.value)

    @rpc_method
    async def GetRelationship(self, request: mcs.GetRelationshipRequest, context: Ctx) -> Any:
        relationship = self.repo.get_relationship(request.guid, as_of_ms=ms_or_none(request, "as_of_time"))
        return mcs.GetRelationshipResponse(header=self._read_header(), relationship=relationship)

    @rpc_method
    async def GetRelationshipHistory(self, request: mcs.GetRelationshipHistoryRequest, context: Ctx) -> Any:
        query = history_query(request, request.page_size, request.page_token)
        page = await asyncio.to_thread(self.repo.relationship_history, query)
        return mcs.GetRelationshipHistoryResponse(
            header=self._read_header(), versions=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def FindRelationships(self, request: mcs.FindRelationshipsRequest, context: Ctx) -> Any:
        if request.query.federated:
            return await self._federated("FindRelationships", request, context)
        q = request.query
        page = await asyncio.to_thread(
            self.repo.find_relationships, type_name=q.type_name, subtype_names=list(q.subtype_names),
            match_properties=present(q, "match_properties"), statuses=list(q.limit_results_by_status),
            as_of_ms=ms_or_none(q, "as_of_time"), sequencing=present(q, "sequencing"),
            page_size=page_size(q.page_size), page_token=q.page_token)
        return mcs.FindRelationshipsResponse(header=self._read_header(partial=page.partial),
                                             relationships=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def FindRelationshipsByPropertyValue(
        self, request: mcs.FindRelationshipsByPropertyValueRequest, context: Ctx
    ) -> Any:
        if request.federated:
            return await self._federated("FindRelationshipsByPropertyValue", request, context)
        page = await asyncio.to_thread(
            self.repo.find_relationships_by_property_value, request.search_criteria, type_name=request.type_name,
            statuses=list(request.limit_results_by_status), as_of_ms=ms_or_none(request, "as_of_time"),
            sequencing=present(request, "sequencing"), page_size=page_size(request.page_size),
            page_token=request.page_token)
        return mcs.FindRelationshipsByPropertyValueResponse(
            header=self._read_header(partial=page.partial), relationships=page.items,
            next_page_token=page.next_page_token)

    @rpc_method
    async def UpdateRelationshipProperties(
        self, request: mcs.UpdateRelationshipPropertiesRequest, context: Ctx
    ) -> Any:
        written = await self.repo.update_relationship_properties(
            current_caller(), request.guid, request.properties, merge=request.merge,
            expected_version=request.options.expected_version)
        return mcs.UpdateRelationshipPropertiesResponse(
            header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def UpdateRelationshipStatus(self, request: mcs.UpdateRelationshipStatusRequest, context: Ctx) -> Any:
        require(request, "new_status")
        written = await self.repo.update_relationship_status(
            current_caller(), request.guid, request.new_status, expected_version=request.options.expected_version)
        return mcs.UpdateRelationshipStatusResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def UndoRelationshipUpdate(self, request: mcs.UndoRelationshipUpdateRequest, context: Ctx) -> Any:
        written = await self.repo.undo_relationship_update(current_caller(), request.guid)
        return mcs.UndoRelationshipUpdateResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def DeleteRelationship(self, request: mcs.DeleteRelationshipRequest, context: Ctx) -> Any:
        written = await self.repo.delete_relationship(
            current_caller(), request.guid, expected_version=request.options.expected_version)
        return mcs.DeleteRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def RestoreRelationship(self, request: mcs.RestoreRelationshipRequest, context: Ctx) -> Any:
        written = await self.repo.restore_relationship(current_caller(), request.guid)
        return mcs.RestoreRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def PurgeRelationship(self, request: mcs.PurgeRelationshipRequest, context: Ctx) -> Any:
        written = await self.repo.purge_relationship(current_caller(), request.guid)
        return mcs.PurgeRelationshipResponse(header=self._header(written.sequence))

    @rpc_method
    async def ReIdentifyRelationship(self, request: mcs.ReIdentifyRelationshipRequest, context: Ctx) -> Any:
        require(request, "new_guid")
        written = await self.repo.re_identify_relationship(current_caller(), request.guid, request.new_guid)
        return mcs.ReIdentifyRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def ReTypeRelationship(self, request: mcs.ReTypeRelationshipRequest, context: Ctx) -> Any:
        require(request, "new_type_name")
        written = await self.repo.re_type_relationship(current_caller(), request.guid, request.new_type_name)
        return mcs.ReTypeRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    @rpc_method
    async def ReHomeRelationship(self, request: mcs.ReHomeRelationshipRequest, context: Ctx) -> Any:
        require(request, "new_home_metadata_collection_id")
        written = await self.repo.re_home_relationship(
            current_caller(), request.guid, request.new_home_metadata_collection_id,
            request.new_home_metadata_collection_name)
        return mcs.ReHomeRelationshipResponse(header=self._header(written.sequence), relationship=written.value)

    async def _federated(self, method: str, request: Any, context: Ctx, *, graph: bool = False) -> Any:
        """A federated Find* (or, with ``graph``, graph query): this member plus its cohort peers, merged by
        GUID (coho.server.cohort.federation)."""
        # The undecorated handler answers our own part, so an error in it is mapped once, by our caller.
        local = getattr(type(self), method).__wrapped__
        merge = federated_graph if graph else federated_find
        return await merge(self.runtime.cohort, self.repo.metadata_collection_id, method, request,
                           local=lambda one_hop: local(self, one_hop, context))

    # -- graph queries ----------------------------------------------------------------------------------------

    @rpc_method
    async def GetRelationshipsForEntity(self, request: mcs.GetRelationshipsForEntityRequest, context: Ctx) -> Any:
        if request.federated:
            return await self._federated("GetRelationshipsForEntity", request, context, graph=True)
        page = await asyncio.to_thread(
            self.repo.relationships_for_entity, request.entity_guid, type_name=request.relationship_type_name,
            statuses=list(request.limit_results_by_status), as_of_ms=ms_or_none(request, "as_of_time"),
            sequencing=present(request, "sequencing"), page_size=page_size(request.page_size),
            page_token=request.page_token)
        return mcs.GetRelationshipsForEntityResponse(
            header=self._read_header(), relationships=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def GetEntityNeighborhood(self, request: mcs.GetEntityNeighborhoodRequest, context: Ctx) -> Any:
        if request.federated:
            return await self._federated("GetEntityNeighborhood", request, context, graph=True)
        graph = await asyncio.to_thread(
            self.repo.entity_neighborhood, request.entity_guid, request.level, present(request, "filter"))
        return mcs.GetEntityNeighborhoodResponse(header=self._read_header(), graph=graph)

    @rpc_method
    async def GetRelatedEntities(self, request: mcs.GetRelatedEntitiesRequest, context: Ctx) -> Any:
        if request.federated:
            return await self._federated("GetRelatedEntities", request, context, graph=True)
        page = await asyncio.to_thread(
            self.repo.related_entities, request.entity_guid, present(request, "filter"),
            sequencing=present(request, "sequencing"), page_size=page_size(request.page_size),
            page_token=request.page_token)
        return mcs.GetRelatedEntitiesResponse(
            header=self._read_header(), entities=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def GetLinkingEntities(self, request: mcs.GetLinkingEntitiesRequest, context: Ctx) -> Any:
        if request.federated:
            return await self._federated("GetLinkingEntities", request, context, graph=True)
        graph = await asyncio.to_thread(
            self.repo.linking_entities, request.start_entity_guid, request.end_entity_guid,
            statuses=list(request.limit_results_by_status), as_of_ms=ms_or_none(request, "as_of_time"))
        return mcs.GetLinkingEntitiesResponse(header=self._read_header(), graph=graph)

    # -- reference copies ---------------------------------------------------------------------------------------

    @rpc_method
    async def SaveEntityReferenceCopy(self, request: mcs.SaveEntityReferenceCopyRequest, context: Ctx) -> Any:
        require(request, "entity")
        written = await self.repo.save_entity_reference_copy(current_caller(), request.entity)
        return mcs.SaveEntityReferenceCopyResponse(header=self._header(written.sequence),
                                                   outcome=_outcome(written.value))

    @rpc_method
    async def PurgeEntityReferenceCopy(self, request: mcs.PurgeEntityReferenceCopyRequest, context: Ctx) -> Any:
        written = await self.repo.purge_entity_reference_copy(
            current_caller(), request.guid, request.home_metadata_collection_id)
        return mcs.PurgeEntityReferenceCopyResponse(header=self._header(written.sequence))

    @rpc_method
    async def RefreshEntityReferenceCopy(self, request: mcs.RefreshEntityReferenceCopyRequest, context: Ctx) -> Any:
        require(request, "guid", "home_metadata_collection_id")
        sequence = await self._refresh(request, relationship=False)
        return mcs.RefreshEntityReferenceCopyResponse(header=self._header(sequence))

    @rpc_method
    async def SaveRelationshipReferenceCopy(
        self, request: mcs.SaveRelationshipReferenceCopyRequest, context: Ctx
    ) -> Any:
        require(request, "relationship")
        written = await self.repo.save_relationship_reference_copy(current_caller(), request.relationship)
        return mcs.SaveRelationshipReferenceCopyResponse(header=self._header(written.sequence),
                                                         outcome=_outcome(written.value))

    @rpc_method
    async def PurgeRelationshipReferenceCopy(
        self, request: mcs.PurgeRelationshipReferenceCopyRequest, context: Ctx
    ) -> Any:
        written = await self.repo.purge_relationship_reference_copy(
            current_caller(), request.guid, request.home_metadata_collection_id)
        return mcs.PurgeRelationshipReferenceCopyResponse(header=self._header(written.sequence))

    @rpc_method
    async def RefreshRelationshipReferenceCopy(
        self, request: mcs.RefreshRelationshipReferenceCopyRequest, context: Ctx
    ) -> Any:
        require(request, "guid", "home_metadata_collection_id")
        sequence = await self._refresh(request, relationship=True)
        return mcs.RefreshRelationshipReferenceCopyResponse(header=self._header(sequence))

    @rpc_method
    async def SaveInstanceReferenceCopies(self, request: mcs.SaveInstanceReferenceCopiesRequest, context: Ctx) -> Any:
        require(request, "graph")
        written = await self.repo.save_reference_copies(current_caller(), request.graph)
        entity_outcomes, relationship_outcomes = written.value
        return mcs.SaveInstanceReferenceCopiesResponse(
            header=self._header(written.sequence),
            entity_outcomes=[_outcome(o) for o in entity_outcomes],
            relationship_outcomes=[_outcome(o) for o in relationship_outcomes])

    async def _refresh(self, request: Any, *, relationship: bool) -> int:
        """The request goes into our log (DESIGN §5); the home answers later with REFRESHED_* in its own."""
        if self.runtime.cohort is None or not self.runtime.config.cohorts:
            raise self._no_cohort()
        return int(await self.runtime.cohort.request_refresh(
            current_caller(), request.guid, request.type_name, request.home_metadata_collection_id,
            relationship=relationship))

    def _no_cohort(self) -> FailedPrecondition:
        # A refresh asks the home member to re-send its instance over the cohort; with no cohort connection
        # (none configured, or the cohort layer not running) there is nobody to ask.
        if not self.runtime.config.cohorts:
            return FailedPrecondition(message="this server is in no cohort", reason="NO_COHORT")
        return FailedPrecondition(message="no cohort connection is running", reason="NO_COHORT",
                                  metadata={"cohorts": ",".join(c.name for c in self.runtime.config.cohorts)})

    # -- change log -----------------------------------------------------------------------------------------------

    @rpc_method
    async def ReadChangeLog(self, request: mcs.ReadChangeLogRequest, context: Ctx) -> Any:
        limit = page_size(request.page_size)
        head = self.runtime.store.head_sequence()
        if request.refresh_id:
            records = await asyncio.to_thread(self._refresh_changes, request.refresh_id, request.after_sequence, limit)
        else:
            records = await asyncio.to_thread(self.runtime.store.read_changes, request.after_sequence, limit)
        entries = [
            events_pb2.SequencedEvent(
                sequence=r.sequence, event=r.event, user_id=r.meta.user_id, connector_id=r.meta.connector_id,
                refresh_id=r.meta.refresh_id, metadata_source=r.meta.metadata_source)
            for r in records
        ]
        return mcs.ReadChangeLogResponse(header=self._header(head), entries=entries)


    def _refresh_changes(self, refresh_id: str, after_sequence: int, limit: int) -> list[Any]:
        return self.runtime.store.changes_for_refresh(refresh_id, after_sequence, limit)


def _outcome(value: int) -> Any:
    # The core keeps outcomes as plain enum ints; the generated stubs want the enum wrapper type.
    return value


def factory(runtime: Runtime) -> tuple[str, object]:
    """The ServiceFactory for :data:`coho.server.app.DEFAULT_SERVICE_FACTORIES`."""
    return SERVICE_NAME, MetadataCollectionServicer(runtime)
