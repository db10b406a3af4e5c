"""StewardshipActionService: thin handlers (validate -> core -> error map) over :class:`StewardshipCore`.

Lists run off the event loop: a page may read and filter many instances, and the loop serves every other call
and stream meanwhile. Single-instance gets stay on it (one indexed read).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import grpc.aio

from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.omrs.v1 import common_pb2
from coho.server.access.metadata import RepositoryLike, page_size_or_default
from coho.server.access.stewardship import StewardshipCore
from coho.server.repository.api import Caller
from coho.server.rpc.errors import require, rpc_method
from coho.server.rpc.identity import current_caller

SERVICE_NAME = "coho.access.v1.StewardshipActionService"
ACCESS_SERVICE = "StewardshipAction"


def caller_for(access_service: str) -> Caller:
    """The authenticated caller, tagged with the access service so the change log says where a write came from."""
    caller = current_caller()
    return caller if caller.access_service else dataclasses.replace(caller, access_service=access_service)


def response_header(repo: RepositoryLike, sequence: int | None = None) -> common_pb2.ResponseHeader:
    """A write's own sequence, or for a read the head sequence it reflects (DESIGN §3)."""
    if sequence is None:
        sequence = repo.store.head_sequence()
    return common_pb2.ResponseHeader(metadata_collection_id=repo.metadata_collection_id, sequence=sequence)


class StewardshipServicer(sa_grpc.StewardshipActionServiceServicer):
    def __init__(self, repository: RepositoryLike) -> None:
        self.repo = repository
        self.core = StewardshipCore(repository)

    @rpc_method
    async def OpenToDo(self, request: sa.OpenToDoRequest, context: grpc.aio.ServicerContext) -> sa.OpenToDoResponse:
        require(request, "to_do")
        written = await self.core.open_to_do(caller_for(ACCESS_SERVICE), request.to_do, request_id=request.request_id)
        return sa.OpenToDoResponse(header=response_header(self.repo, written.sequence), to_do=written.value)

    @rpc_method
    async def UpdateToDo(self, request: sa.UpdateToDoRequest, context: grpc.aio.ServicerContext
                         ) -> sa.UpdateToDoResponse:
        require(request, "to_do.guid")
        written = await self.core.update_to_do(caller_for(ACCESS_SERVICE), request.to_do, request.update_fields)
        return sa.UpdateToDoResponse(header=response_header(self.repo, written.sequence), to_do=written.value)

    @rpc_method
    async def CompleteToDo(self, request: sa.CompleteToDoRequest, context: grpc.aio.ServicerContext
                           ) -> sa.CompleteToDoResponse:
        require(request, "guid")
        written = await self.core.complete_to_do(caller_for(ACCESS_SERVICE), request.guid, abandoned=request.abandoned)
        return sa.CompleteToDoResponse(header=response_header(self.repo, written.sequence), to_do=written.value)

    @rpc_method
    async def GetToDo(self, request: sa.GetToDoRequest, context: grpc.aio.ServicerContext) -> sa.GetToDoResponse:
        require(request, "guid")
        current_caller()
        header = response_header(self.repo)
        return sa.GetToDoResponse(header=header, to_do=self.core.get_to_do(request.guid))

    @rpc_method
    async def ListToDos(self, request: sa.ListToDosRequest, context: grpc.aio.ServicerContext
                        ) -> sa.ListToDosResponse:
        current_caller()
        header = response_header(self.repo)
        page = await asyncio.to_thread(self.core.list_to_dos, request.statuses, request.assigned_to,
                                       page_size_or_default(request.page_size), request.page_token)
        return sa.ListToDosResponse(header=header, to_dos=page.items, next_page_token=page.next_page_token)

    @rpc_method
    async def RaiseIncidentReport(self, request: sa.RaiseIncidentReportRequest, context: grpc.aio.ServicerContext
                                  ) -> sa.RaiseIncidentReportResponse:
        require(request, "report")
        written = await self.core.raise_incident_report(caller_for(ACCESS_SERVICE), request.report,
                                                        request_id=request.request_id)
        return sa.RaiseIncidentReportResponse(header=response_header(self.repo, written.sequence),
                                              report=written.value)

    @rpc_method
    async def UpdateIncidentReport(self, request: sa.UpdateIncidentReportRequest,
                                   context: grpc.aio.ServicerContext) -> sa.UpdateIncidentReportResponse:
        require(request, "report.guid")
        written = await self.core.update_incident_report(caller_for(ACCESS_SERVICE), request.report,
                                                         request.update_fields)
        return sa.UpdateIncidentReportResponse(header=response_header(self.repo, written.sequence),
                                               report=written.value)

    @rpc_method
    async def ListIncidentReports(self, request: sa.ListIncidentReportsRequest, context: grpc.aio.ServicerContext
                                  ) -> sa.ListIncidentReportsResponse:
        current_caller()
        header = response_header(self.repo)
        page = await asyncio.to_thread(self.core.list_incident_reports, request.statuses, request.page_size,
                                       request.page_token)
        return sa.ListIncidentReportsResponse(header=header, reports=page.items, next_page_token=page.next_page_token)


def stewardship_servicer(runtime: Any) -> tuple[str, object]:
    """(service name, servicer) for the server's service factories; uses only ``runtime.repository``."""
    return SERVICE_NAME, StewardshipServicer(runtime.repository)
