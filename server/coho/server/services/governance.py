"""GovernanceEngineService: thin handlers (validate -> core -> error map) over :class:`GovernanceCore`.

Lists run off the event loop, as in the stewardship service (a page may read and filter many instances).
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc.aio

from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.server.access.governance import GovernanceCore
from coho.server.access.metadata import RepositoryLike, page_size_or_default
from coho.server.rpc.errors import invalid, require, rpc_method
from coho.server.rpc.identity import current_caller
from coho.server.services.stewardship import caller_for, response_header

SERVICE_NAME = "coho.access.v1.GovernanceEngineService"
ACCESS_SERVICE = "GovernanceEngine"


class GovernanceServicer(ge_grpc.GovernanceEngineServiceServicer):
    def __init__(self, repository: RepositoryLike) -> None:
        self.repo = repository
        self.core = GovernanceCore(repository)

    @rpc_method
    async def CreateGovernanceActionRequest(self, request: ge.CreateGovernanceActionRequestRequest,
                                            context: grpc.aio.ServicerContext
                                            ) -> ge.CreateGovernanceActionRequestResponse:
        require(request, "action.request_type")
        written = await self.core.create_action(caller_for(ACCESS_SERVICE), request.action,
                                                request_id=request.request_id)
        return ge.CreateGovernanceActionRequestResponse(header=response_header(self.repo, written.sequence),
                                                        action=written.value)

    @rpc_method
    async def UpdateGovernanceActionRequest(self, request: ge.UpdateGovernanceActionRequestRequest,
                                            context: grpc.aio.ServicerContext
                                            ) -> ge.UpdateGovernanceActionRequestResponse:
        require(request, "action.guid")
        written = await self.core.update_action(caller_for(ACCESS_SERVICE), request.action, request.update_fields)
        return ge.UpdateGovernanceActionRequestResponse(header=response_header(self.repo, written.sequence),
                                                        action=written.value)

    @rpc_method
    async def ListGovernanceActionRequests(self, request: ge.ListGovernanceActionRequestsRequest,
                                           context: grpc.aio.ServicerContext
                                           ) -> ge.ListGovernanceActionRequestsResponse:
        current_caller()
        header = response_header(self.repo)
        page = await asyncio.to_thread(self.core.list_actions, request.statuses,
                                       page_size_or_default(request.page_size), request.page_token)
        return ge.ListGovernanceActionRequestsResponse(header=header, actions=page.items,
                                                       next_page_token=page.next_page_token)

    @rpc_method
    async def CreateIntegrationGroup(self, request: ge.CreateIntegrationGroupRequest,
                                     context: grpc.aio.ServicerContext) -> ge.CreateIntegrationGroupResponse:
        require(request, "group.qualified_name")
        written = await self.core.create_group(caller_for(ACCESS_SERVICE), request.group,
                                               request_id=request.request_id)
        return ge.CreateIntegrationGroupResponse(header=response_header(self.repo, written.sequence),
                                                 group=written.value)

    @rpc_method
    async def UpdateIntegrationGroup(self, request: ge.UpdateIntegrationGroupRequest,
                                     context: grpc.aio.ServicerContext) -> ge.UpdateIntegrationGroupResponse:
        require(request, "group.guid")
        written = await self.core.update_group(caller_for(ACCESS_SERVICE), request.group, request.update_fields)
        return ge.UpdateIntegrationGroupResponse(header=response_header(self.repo, written.sequence),
                                                 group=written.value)

    @rpc_method
    async def GetIntegrationGroup(self, request: ge.GetIntegrationGroupRequest,
                                  context: grpc.aio.ServicerContext) -> ge.GetIntegrationGroupResponse:
        if not request.guid and not request.qualified_name:
            raise invalid("guid", "guid or qualified_name is required")
        current_caller()
        header = response_header(self.repo)
        group, connectors = self.core.get_group(request.guid, request.qualified_name)
        return ge.GetIntegrationGroupResponse(header=header, group=group, connectors=connectors)

    @rpc_method
    async def ListIntegrationGroups(self, request: ge.ListIntegrationGroupsRequest,
                                    context: grpc.aio.ServicerContext) -> ge.ListIntegrationGroupsResponse:
        current_caller()
        header = response_header(self.repo)
        page = await asyncio.to_thread(self.core.list_groups, page_size_or_default(request.page_size),
                                       request.page_token)
        return ge.ListIntegrationGroupsResponse(header=header, groups=page.items,
                                                next_page_token=page.next_page_token)

    @rpc_method
    async def CreateIntegrationConnector(self, request: ge.CreateIntegrationConnectorRequest,
                                         context: grpc.aio.ServicerContext) -> ge.CreateIntegrationConnectorResponse:
        require(request, "connector.qualified_name")
        written = await self.core.create_connector(caller_for(ACCESS_SERVICE), request.connector,
                                                   request_id=request.request_id)
        return ge.CreateIntegrationConnectorResponse(header=response_header(self.repo, written.sequence),
                                                     connector=written.value)

    @rpc_method
    async def UpdateIntegrationConnector(self, request: ge.UpdateIntegrationConnectorRequest,
                                         context: grpc.aio.ServicerContext) -> ge.UpdateIntegrationConnectorResponse:
        require(request, "connector.guid")
        written = await self.core.update_connector(caller_for(ACCESS_SERVICE), request.connector,
                                                   request.update_fields)
        return ge.UpdateIntegrationConnectorResponse(header=response_header(self.repo, written.sequence),
                                                     connector=written.value)

    @rpc_method
    async def LinkConnectorToGroup(self, request: ge.LinkConnectorToGroupRequest,
                                   context: grpc.aio.ServicerContext) -> ge.LinkConnectorToGroupResponse:
        require(request, "registration.group_guid", "registration.connector_guid", "registration.connector_name")
        written = await self.core.link_connector(caller_for(ACCESS_SERVICE), request.registration)
        return ge.LinkConnectorToGroupResponse(header=response_header(self.repo, written.sequence),
                                               registration=written.value)

    @rpc_method
    async def UpdateRegisteredConnector(self, request: ge.UpdateRegisteredConnectorRequest,
                                        context: grpc.aio.ServicerContext) -> ge.UpdateRegisteredConnectorResponse:
        require(request, "registration.guid")
        written = await self.core.update_registration(caller_for(ACCESS_SERVICE), request.registration,
                                                      request.update_fields)
        return ge.UpdateRegisteredConnectorResponse(header=response_header(self.repo, written.sequence),
                                                    registration=written.value)

    @rpc_method
    async def UnlinkConnectorFromGroup(self, request: ge.UnlinkConnectorFromGroupRequest,
                                       context: grpc.aio.ServicerContext) -> ge.UnlinkConnectorFromGroupResponse:
        require(request, "guid")
        written = await self.core.unlink_connector(caller_for(ACCESS_SERVICE), request.guid)
        return ge.UnlinkConnectorFromGroupResponse(header=response_header(self.repo, written.sequence))


def governance_servicer(runtime: Any) -> tuple[str, object]:
    """(service name, servicer) for the server's service factories; uses only ``runtime.repository``."""
    return SERVICE_NAME, GovernanceServicer(runtime.repository)
