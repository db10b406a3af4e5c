"""StewardshipActionService over real gRPC (aio server on 127.0.0.1:0, generated stubs, rich error details)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from servertest import served_with_repository

from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.client.errors import CohoRpcError, translate_errors
from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import Caller, Repository

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


async def test_to_do_rpcs(served: tuple[grpc.aio.Channel, Repository]) -> None:
    channel, repo = served
    stub = sa_grpc.StewardshipActionServiceStub(channel)
    props = instances_pb2.InstanceProperties()
    props.properties["qualifiedName"].primitive.string_value = "asset"
    target = (await repo.add_entity(Caller("alice"), mcs.NewEntity(type_name="Asset", properties=props))).value
    opened = await call(stub.OpenToDo(sa.OpenToDoRequest(
        to_do=sa.ToDo(name="t", assigned_to="bob", action_target_guids=[target.header.guid]))))
    assert opened.header.sequence > 0 and opened.header.metadata_collection_id == repo.metadata_collection_id
    guid = opened.to_do.guid
    assert opened.to_do.status == sa.TO_DO_STATUS_OPEN and opened.to_do.version == 1
    updated = await call(stub.UpdateToDo(sa.UpdateToDoRequest(
        to_do=sa.ToDo(guid=guid, status=sa.TO_DO_STATUS_IN_PROGRESS), update_fields=["status"])))
    assert updated.to_do.status == sa.TO_DO_STATUS_IN_PROGRESS and updated.to_do.version == 2
    got = await call(stub.GetToDo(sa.GetToDoRequest(guid=guid)))
    assert got.to_do == updated.to_do
    listed = await call(stub.ListToDos(sa.ListToDosRequest(assigned_to="bob", page_size=10)))
    assert [t.guid for t in listed.to_dos] == [guid]
    done = await call(stub.CompleteToDo(sa.CompleteToDoRequest(guid=guid)))
    assert done.to_do.status == sa.TO_DO_STATUS_COMPLETE and done.to_do.HasField("completion_time")


async def test_to_do_errors(served: tuple[grpc.aio.Channel, Repository]) -> None:
    stub = sa_grpc.StewardshipActionServiceStub(served[0])
    err = await failure(stub.OpenToDo(sa.OpenToDoRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["to_do"]
    err = await failure(stub.OpenToDo(sa.OpenToDoRequest(to_do=sa.ToDo(description="no name"))))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["to_do.name"]
    err = await failure(stub.OpenToDo(sa.OpenToDoRequest(to_do=sa.ToDo(name="x", action_target_guids=["nope"]))))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("EntityDetail", "nope")
    await call(stub.OpenToDo(sa.OpenToDoRequest(to_do=sa.ToDo(qualified_name="dup"))))
    err = await failure(stub.OpenToDo(sa.OpenToDoRequest(to_do=sa.ToDo(qualified_name="dup"))))
    assert err.code == grpc.StatusCode.ALREADY_EXISTS
    err = await failure(stub.UpdateToDo(sa.UpdateToDoRequest(to_do=sa.ToDo())))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["to_do.guid"]
    err = await failure(stub.CompleteToDo(sa.CompleteToDoRequest(guid="nope")))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("ToDo", "nope")
    err = await failure(stub.GetToDo(sa.GetToDoRequest()))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    err = await failure(stub.GetToDo(sa.GetToDoRequest(guid="nope")))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.reason == "TO_DO_NOT_FOUND"
    err = await failure(stub.ListToDos(sa.ListToDosRequest(page_size=5000)))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_incident_rpcs(served: tuple[grpc.aio.Channel, Repository]) -> None:
    stub = sa_grpc.StewardshipActionServiceStub(served[0])
    raised = await call(stub.RaiseIncidentReport(sa.RaiseIncidentReportRequest(
        report=sa.IncidentReport(background="b", severity=10), request_id="r1")))
    retried = await call(stub.RaiseIncidentReport(sa.RaiseIncidentReportRequest(
        report=sa.IncidentReport(background="b", severity=10), request_id="r1")))
    assert retried.report == raised.report and raised.report.status == sa.INCIDENT_REPORT_STATUS_RAISED
    resolved = await call(stub.UpdateIncidentReport(sa.UpdateIncidentReportRequest(
        report=sa.IncidentReport(guid=raised.report.guid, status=sa.INCIDENT_REPORT_STATUS_RESOLVED),
        update_fields=["status"])))
    assert resolved.report.status == sa.INCIDENT_REPORT_STATUS_RESOLVED
    listed = await call(stub.ListIncidentReports(sa.ListIncidentReportsRequest(
        statuses=[sa.INCIDENT_REPORT_STATUS_RESOLVED])))
    assert [r.guid for r in listed.reports] == [raised.report.guid]
    err = await failure(stub.UpdateIncidentReport(sa.UpdateIncidentReportRequest(
        report=sa.IncidentReport(guid=raised.report.guid, status=sa.INCIDENT_REPORT_STATUS_RAISED),
        update_fields=["status"])))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.reason == "BAD_TRANSITION"
    err = await failure(stub.RaiseIncidentReport(sa.RaiseIncidentReportRequest(report=sa.IncidentReport(severity=1))))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.fields == ["report.background"]
    err = await failure(stub.UpdateIncidentReport(sa.UpdateIncidentReportRequest(
        report=sa.IncidentReport(guid="nope", background="x"))))
    assert err.code == grpc.StatusCode.NOT_FOUND and err.resource == ("IncidentReport", "nope")
    err = await failure(stub.ListIncidentReports(sa.ListIncidentReportsRequest(page_token="garbage")))
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
