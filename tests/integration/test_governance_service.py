"""GovernanceEngineService over real gRPC (aio server on 127.0.0.1:0, generated stubs, rich error details)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf import struct_pb2
from servertest import served_with_repository

from coho.access.v1 import elements_pb2
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.client.errors import CohoRpcError, translate_errors
from coho.server.repository import Repository

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[grpc.aio.Channel, Repository]]:
    async with served_with_repository(tmp_path) as pair:
        yield pair


async def call(coro: Awaitable[Any]) -> Any:
    with translate_errors():
        return await coro


async def failure(coro: Awaitable[Any]) -> CohoRpcError:
    with pytest.raises(CohoRpcError) as info:
        await call(coro)
    return info.value


async def test_group_rpcs(served: tuple[grpc.aio.Channel, Repository]) -> None:
    stub = ge_grpc.GovernanceEngineServiceStub(served[0])
    config = struct_pb2.Struct()
    config.update({"root": "/tmp", "depth": 2, "flags": [True, None, {"a": 1.5}]})
    group = (await call(stub.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
        group=ge.IntegrationGroup(qualified_name="g"))))).group
    connector = (await call(stub.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(qualified_name="c", entry_point="m:C", configuration_properties=config,
                                          catalog_targets=["x"]))))).connector
    linked = await call(stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=connector.guid, connector_name="n", refresh_time_interval_seconds=60,
        permitted_synchronization=elements_pb2.PERMITTED_SYNCHRONIZATION_TO_THIRD_PARTY))))
    assert linked.header.sequence > 0
    got = await call(stub.GetIntegrationGroup(ge.GetIntegrationGroupRequest(guid=group.guid)))
    assert got.group == group and len(got.connectors) == 1
    assert got.connectors[0].connector.configuration_properties == config
    assert list(got.connectors[0].connector.catalog_targets) == ["x"]
    updated = await call(stub.UpdateRegisteredConnector(ge.UpdateRegisteredConnectorRequest(
        registration=ge.RegisteredConnector(guid=linked.registration.guid, connector_user_id="svc"),
        update_fields=["connector_user_id"])))
    assert updated.registration.connector_user_id == "svc" and updated.registration.refresh_time_interval_seconds == 60
    await call(stub.UpdateIntegrationGroup(ge.UpdateIntegrationGroupRequest(
        group=ge.IntegrationGroup(guid=group.guid, description="d"), update_fields=["description"])))
    await call(stub.UpdateIntegrationConnector(ge.UpdateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(guid=connector.guid, uses_blocking_calls=True),
        update_fields=["uses_blocking_calls"])))
    by_name = await call(stub.GetIntegrationGroup(ge.GetIntegrationGroupRequest(qualified_name="g")))
    assert by_name.group.description == "d" and by_name.connectors[0].connector.uses_blocking_calls
    listed = await call(stub.ListIntegrationGroups(ge.ListIntegrationGroupsRequest(page_size=10)))
    assert [g.guid for g in listed.groups] == [group.guid]
    unlinked = await call(stub.UnlinkConnectorFromGroup(ge.UnlinkConnectorFromGroupRequest(
        guid=linked.registration.guid)))
    assert unlinked.header.sequence > 0
    assert (await call(stub.GetIntegrationGroup(ge.GetIntegrationGroupRequest(guid=group.guid)))).connectors == []


async def test_group_errors(served: tuple[grpc.aio.Channel, Repository]) -> None:
    stub = ge_grpc.GovernanceEngineServiceStub(served[0])
    err = await failure(stub.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["group.qualified_name"]
    group = (await call(stub.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
        group=ge.IntegrationGroup(qualified_name="g"))))).group
    err = await failure(stub.CreateIntegrationGroup(ge.CreateIntegrationGroupRequest(
        group=ge.IntegrationGroup(qualified_name="g"))))
    assert err.code == grpc.StatusCode.ALREADY_EXISTS
    one = (await call(stub.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(qualified_name="c1"))))).connector
    two = (await call(stub.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(qualified_name="c2"))))).connector
    err = await failure(stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and set(err.fields) == {
        "registration.group_guid", "registration.connector_guid", "registration.connector_name"}
    await call(stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=one.guid, connector_name="n"))))
    err = await failure(stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
        group_guid=group.guid, connector_guid=two.guid, connector_name="n"))))
    assert err.code == grpc.StatusCode.ALREADY_EXISTS and err.reason == "DUPLICATE_CONNECTOR_NAME"
    err = await failure(stub.LinkConnectorToGroup(ge.LinkConnectorToGroupRequest(registration=ge.RegisteredConnector(
        group_guid=group.guid, connector_guid="nope", connector_name="m"))))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("IntegrationConnector", "nope")
    err = await failure(stub.UpdateRegisteredConnector(ge.UpdateRegisteredConnectorRequest(
        registration=ge.RegisteredConnector(guid="nope", connector_user_id="x"))))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("RegisteredConnector", "nope")
    err = await failure(stub.UnlinkConnectorFromGroup(ge.UnlinkConnectorFromGroupRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    err = await failure(stub.GetIntegrationGroup(ge.GetIntegrationGroupRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    err = await failure(stub.GetIntegrationGroup(ge.GetIntegrationGroupRequest(guid="nope")))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("IntegrationGroup", "nope")
    err = await failure(stub.UpdateIntegrationGroup(ge.UpdateIntegrationGroupRequest(
        group=ge.IntegrationGroup(guid="nope"))))
    assert err.code == grpc.StatusCode.NOT_FOUND
    err = await failure(stub.UpdateIntegrationConnector(ge.UpdateIntegrationConnectorRequest(
        connector=ge.IntegrationConnector(guid=one.guid), update_fields=["guid"])))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_action_rpcs(served: tuple[grpc.aio.Channel, Repository]) -> None:
    stub = ge_grpc.GovernanceEngineServiceStub(served[0])
    created = await call(stub.CreateGovernanceActionRequest(ge.CreateGovernanceActionRequestRequest(
        action=ge.GovernanceActionRequest(request_type="scan", governance_engine_name="e"))))
    assert created.action.status == ge.GOVERNANCE_ACTION_STATUS_REQUESTED
    updated = await call(stub.UpdateGovernanceActionRequest(ge.UpdateGovernanceActionRequestRequest(
        action=ge.GovernanceActionRequest(guid=created.action.guid, status=ge.GOVERNANCE_ACTION_STATUS_IN_PROGRESS),
        update_fields=["status"])))
    assert updated.action.status == ge.GOVERNANCE_ACTION_STATUS_IN_PROGRESS
    listed = await call(stub.ListGovernanceActionRequests(ge.ListGovernanceActionRequestsRequest(
        statuses=[ge.GOVERNANCE_ACTION_STATUS_IN_PROGRESS])))
    assert [a.guid for a in listed.actions] == [created.action.guid]
    err = await failure(stub.CreateGovernanceActionRequest(ge.CreateGovernanceActionRequestRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["action.request_type"]
    err = await failure(stub.UpdateGovernanceActionRequest(ge.UpdateGovernanceActionRequestRequest(
        action=ge.GovernanceActionRequest(guid="nope", request_type="x"))))
    assert err.code == grpc.StatusCode.NOT_FOUND
    err = await failure(stub.ListGovernanceActionRequests(ge.ListGovernanceActionRequestsRequest(page_size=-1)))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
