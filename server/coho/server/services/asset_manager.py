"""AssetManagerService: thin handlers (validate -> core -> error map) over :class:`AssetManager`."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc.aio

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.server.access.asset_manager import AssetManager
from coho.server.rpc.errors import rpc_method
from coho.server.rpc.identity import current_caller
from coho.server.services.data_manager import header_for, tagged_caller

SERVICE_NAME = "coho.access.v1.AssetManagerService"
ACCESS_SERVICE = "AssetManager"


class AssetManagerServicer(am_grpc.AssetManagerServiceServicer):
    def __init__(self, repository: Any) -> None:
        self.repository = repository
        self.core = AssetManager(repository)

    @rpc_method
    async def UpsertExternalElements(
        self, request: am.UpsertExternalElementsRequest, context: grpc.aio.ServicerContext
    ) -> am.UpsertExternalElementsResponse:
        written = await self.core.upsert_external_elements(
            tagged_caller(ACCESS_SERVICE), request.external_source, request.elements
        )
        return am.UpsertExternalElementsResponse(
            header=header_for(self.repository, written.sequence), results=written.value
        )

    @rpc_method
    async def MapExternalIdentifier(
        self, request: am.MapExternalIdentifierRequest, context: grpc.aio.ServicerContext
    ) -> am.MapExternalIdentifierResponse:
        written = await self.core.map_external_identifier(
            tagged_caller(ACCESS_SERVICE), request.element_guid, request.identifier
        )
        return am.MapExternalIdentifierResponse(
            header=header_for(self.repository, written.sequence), identifier=written.value
        )

    @rpc_method
    async def GetElementByExternalIdentifier(
        self, request: am.GetElementByExternalIdentifierRequest, context: grpc.aio.ServicerContext
    ) -> am.GetElementByExternalIdentifierResponse:
        current_caller()
        header = header_for(self.repository)
        element = self.core.get_element_by_external_identifier(request.external_source, request.external_identifier)
        return am.GetElementByExternalIdentifierResponse(header=header, element=element)

    @rpc_method
    async def GetExternalIdentifiers(
        self, request: am.GetExternalIdentifiersRequest, context: grpc.aio.ServicerContext
    ) -> am.GetExternalIdentifiersResponse:
        current_caller()
        header = header_for(self.repository)
        identifiers = self.core.get_external_identifiers(request.element_guid)
        return am.GetExternalIdentifiersResponse(header=header, identifiers=identifiers)

    @rpc_method
    async def ListExternalSourceElements(
        self, request: am.ListExternalSourceElementsRequest, context: grpc.aio.ServicerContext
    ) -> am.ListExternalSourceElementsResponse:
        current_caller()
        header = header_for(self.repository)
        # A page of elements runs on a worker thread, like MetadataCollectionService's finds; point reads
        # (the two above) stay inline.
        page = await asyncio.to_thread(
            self.core.list_external_source_elements, request.external_source, page_size=request.page_size,
            page_token=request.page_token,
        )
        return am.ListExternalSourceElementsResponse(
            header=header, elements=page.items, next_page_token=page.next_page_token
        )

    @rpc_method
    async def DeleteExternalElements(
        self, request: am.DeleteExternalElementsRequest, context: grpc.aio.ServicerContext
    ) -> am.DeleteExternalElementsResponse:
        written = await self.core.delete_external_elements(
            tagged_caller(ACCESS_SERVICE), request.external_source, request.external_identifiers
        )
        return am.DeleteExternalElementsResponse(
            header=header_for(self.repository, written.sequence), results=written.value
        )


def asset_manager_servicer(runtime: Any) -> tuple[str, object]:
    """ServiceFactory for app.py's DEFAULT_SERVICE_FACTORIES: uses only ``runtime.repository``."""
    return SERVICE_NAME, AssetManagerServicer(runtime.repository)
