"""DataManagerService: thin handlers (validate -> core -> error map) over :class:`DataManager`."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import grpc.aio

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.omrs.v1 import common_pb2
from coho.server.access.data_manager import DataManager
from coho.server.repository.api import Caller
from coho.server.rpc.errors import rpc_method
from coho.server.rpc.identity import current_caller

SERVICE_NAME = "coho.access.v1.DataManagerService"
ACCESS_SERVICE = "DataManager"


def tagged_caller(access_service: str) -> Caller:
    """The authenticated caller, tagged with the access service for the change log."""
    caller = current_caller()
    return caller if caller.access_service else dataclasses.replace(caller, access_service=access_service)


def header_for(repository: Any, sequence: int | None = None) -> common_pb2.ResponseHeader:
    """A write's own sequence (0 when it changed nothing), or for a read the head it reflects."""
    if sequence is None:
        sequence = repository.store.head_sequence()
    return common_pb2.ResponseHeader(metadata_collection_id=repository.metadata_collection_id, sequence=sequence)


class DataManagerServicer(dm_grpc.DataManagerServiceServicer):
    def __init__(self, repository: Any) -> None:
        self.repository = repository
        self.core = DataManager(repository)

    @rpc_method
    async def UpsertElements(
        self, request: dm.UpsertElementsRequest, context: grpc.aio.ServicerContext
    ) -> dm.UpsertElementsResponse:
        written = await self.core.upsert_elements(
            tagged_caller(ACCESS_SERVICE), request.elements, external_source=request.external_source
        )
        return dm.UpsertElementsResponse(header=header_for(self.repository, written.sequence), results=written.value)

    @rpc_method
    async def DeleteElements(
        self, request: dm.DeleteElementsRequest, context: grpc.aio.ServicerContext
    ) -> dm.DeleteElementsResponse:
        written = await self.core.delete_elements(
            tagged_caller(ACCESS_SERVICE), qualified_names=request.qualified_names, guids=request.guids,
            cascade=request.cascade,
        )
        return dm.DeleteElementsResponse(header=header_for(self.repository, written.sequence), results=written.value)

    # Reads follow MetadataCollectionService: a point read (GetElement: a few index seeks) runs inline, since
    # a thread hop costs more than it does; a page of elements (a regex scan, up to thousands of children)
    # runs on a worker thread so it never stalls the event loop for the other calls.
    @rpc_method
    async def GetElement(
        self, request: dm.GetElementRequest, context: grpc.aio.ServicerContext
    ) -> dm.GetElementResponse:
        current_caller()
        header = header_for(self.repository)
        element = self.core.get_element(guid=request.guid, qualified_name=request.qualified_name)
        return dm.GetElementResponse(header=header, element=element)

    @rpc_method
    async def ListChildren(
        self, request: dm.ListChildrenRequest, context: grpc.aio.ServicerContext
    ) -> dm.ListChildrenResponse:
        current_caller()
        header = header_for(self.repository)
        page = await asyncio.to_thread(
            self.core.list_children, parent_guid=request.parent_guid,
            parent_qualified_name=request.parent_qualified_name, kind=request.kind, page_size=request.page_size,
            page_token=request.page_token,
        )
        return dm.ListChildrenResponse(header=header, children=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def FindElements(
        self, request: dm.FindElementsRequest, context: grpc.aio.ServicerContext
    ) -> dm.FindElementsResponse:
        current_caller()
        header = header_for(self.repository)
        page = await asyncio.to_thread(
            self.core.find_elements, kind=request.kind, name_pattern=request.name_pattern,
            external_source=request.external_source, page_size=request.page_size, page_token=request.page_token,
        )
        header.partial = page.partial
        return dm.FindElementsResponse(header=header, elements=page.items, next_page_token=page.next_page_token)


def data_manager_servicer(runtime: Any) -> tuple[str, object]:
    """ServiceFactory for app.py's DEFAULT_SERVICE_FACTORIES: uses only ``runtime.repository``."""
    return SERVICE_NAME, DataManagerServicer(runtime.repository)
