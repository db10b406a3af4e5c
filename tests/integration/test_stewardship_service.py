"""StewardshipActionService over real gRPC (aio server on 127.0.0.1:0, generated stubs, rich error details)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import grpc.aio
import pytest

from coho.access.v1 import governance_engine_service_pb2_grpc as gov_grpc
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.access.v1 import stewardship_action_service_pb2_grpc as stew_grpc
from coho.client.errors import CohoRpcError, translate_errors
from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.repository import Caller, Repository
from coho.server.rpc.identity import Identity, reset_identity, set_identity
from coho.server.services.governance import governance_servicer
from coho.server.services.stewardship import stewardship_servicer
from coho.server.store.sqlite import open_sqlite_store
from coho.server.types import TypeRegistry

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


class FixedIdentity(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Test-only stand-in for the auth interceptor: every call runs as one identity."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    async def intercept_service(self, continuation: Callable[..., Awaitable[Any]], details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def wrapped(request: Any, context: Any) -> Any:
            token = set_identity(self.identity)
            try:
                return await inner(request, context)
            finally:
                reset_identity(token)

        return grpc.unary_unary_rpc_method_handler(
            wrapped, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[grpc.aio.Channel, Repository]]:
    store = open_sqlite_store(tmp_path / "data")
    repo = Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="home")
    runtime = SimpleNamespace(repository=repo)
    server = grpc.aio.server(interceptors=[FixedIdentity(Identity(Caller(user_id="alice"), frozenset({"admin"})))])
    # The same factories the server registers: (service name, servicer) from a runtime with .repository.
    gov_grpc.add_GovernanceEngineServiceServicer_to_server(governance_servicer(runtime)[1], server)
    stew_grpc.add_StewardshipActionServiceServicer_to_server(stewardship_servicer(runtime)[1], server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield channel, repo
    await channel.close()
    await server.stop(0)
    await store.close()


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
