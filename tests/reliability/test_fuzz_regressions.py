"""Regression tests for the INTERNAL / UNKNOWN answers the RPC fuzzer found (issue #8), one per fix.

- Timestamps out of protobuf's range (years 1..9999, nanos 0..999,999,999) in as_of / from / to / due fields
  raised ValueError in ToMilliseconds -> INTERNAL. Now INVALID_ARGUMENT, reason INVALID_TIMESTAMP.
- Unknown numbers of an open proto3 enum (statuses filters) raised ValueError in Enum.Name -> INTERNAL. Now
  INVALID_ARGUMENT, reason UNKNOWN_ENUM_VALUE.
- NaN / Infinity in a connector's configuration_properties (a Struct) failed JSON conversion -> INTERNAL.
- Request bytes that do not decode (corrupt wire data, invalid UTF-8 in a string field, nesting past protobuf's
  recursion limit of 100) were answered UNKNOWN by grpc.aio itself, before any handler. DecodeErrorGuard turns
  them into INVALID_ARGUMENT, reason MALFORMED_REQUEST.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf import struct_pb2, timestamp_pb2
from reliability.fuzzing import deep_property_value
from servertest import ADMIN_TOKEN, client, rpc_error, running, server_config

from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.client import connect
from coho.client.errors import from_rpc_error
from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.app import ServerApp
from coho.server.rpc.errors import DecodeErrorGuard

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
BAD_TIMES = [timestamp_pb2.Timestamp(seconds=253402300800), timestamp_pb2.Timestamp(seconds=-(2**62)),
             timestamp_pb2.Timestamp(seconds=1, nanos=-1), timestamp_pb2.Timestamp(seconds=1, nanos=2**31 - 1)]


async def test_out_of_range_timestamps_are_invalid_argument(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as stubs:
        steward = sa_grpc.StewardshipActionServiceStub(stubs.channel)
        for bad in BAD_TIMES:
            calls = [
                stubs.mcs.GetEntity(mcs.GetEntityRequest(guid="g", as_of_time=bad)),
                stubs.mcs.GetEntityHistory(mcs.GetEntityHistoryRequest(guid="g", from_time=bad)),
                stubs.mcs.FindEntitiesByPropertyValue(mcs.FindEntitiesByPropertyValueRequest(
                    search_criteria=".*", as_of_time=bad)),
                stubs.mcs.GetEntityNeighborhood(mcs.GetEntityNeighborhoodRequest(
                    entity_guid="g", level=1, filter=mcs.TraversalFilter(as_of_time=bad))),
                stubs.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(to_time=bad)),
                steward.OpenToDo(sa.OpenToDoRequest(to_do=sa.ToDo(name="t", assigned_to="bob", due_time=bad))),
            ]
            for call in calls:
                err = await rpc_error(call)
                assert err.code in (INVALID, grpc.StatusCode.NOT_FOUND), (bad, err)
                if err.code == INVALID:
                    assert err.reason in ("INVALID_TIMESTAMP", "MISSING_FIELD"), (bad, err)


async def test_unknown_enum_values_are_invalid_argument(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as stubs:
        steward = sa_grpc.StewardshipActionServiceStub(stubs.channel)
        governance = ge_grpc.GovernanceEngineServiceStub(stubs.channel)
        for number in (-1, 12345):  # (99 is a real IncidentReportStatus: OTHER)
            statuses: Any = [number]  # not a member of the enum: the point of the test
            for call in (steward.ListIncidentReports(sa.ListIncidentReportsRequest(statuses=statuses)),
                         steward.ListToDos(sa.ListToDosRequest(statuses=statuses)),
                         governance.ListGovernanceActionRequests(
                             ge.ListGovernanceActionRequestsRequest(statuses=statuses))):
                err = await rpc_error(call)
                assert err.code == INVALID and err.reason == "UNKNOWN_ENUM_VALUE", (number, err)
                assert str(number) in err.message


async def test_non_finite_connector_configuration_is_invalid_argument(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as stubs:
        governance = ge_grpc.GovernanceEngineServiceStub(stubs.channel)
        for number in (math.inf, -math.inf, math.nan):
            config = struct_pb2.Struct()
            config.fields["x"].number_value = number
            err = await rpc_error(governance.CreateIntegrationConnector(ge.CreateIntegrationConnectorRequest(
                connector=ge.IntegrationConnector(qualified_name="c", configuration_properties=config))))
            assert err.code == INVALID, err
            assert "configuration_properties" in err.message


def _deeply_nested_request() -> bytes:
    value: Any = deep_property_value(150, "array", instances_pb2.PropertyValue)
    request = mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile"))
    request.entity.properties.properties["qualifiedName"].CopyFrom(value)
    return request.SerializeToString()


UNDECODABLE = {
    "corrupt": b"\xff\xff\xff\xff",
    "bad_utf8": b"\x0a\x02\xff\xfe",  # field 1 (a string in every request below) holding invalid UTF-8
    "too_deep": _deeply_nested_request(),
}


async def _requests(*payloads: bytes) -> AsyncIterator[bytes]:
    for payload in payloads:
        yield payload


async def _decode_errors(app: ServerApp) -> list[grpc.aio.AioRpcError]:
    """Undecodable bytes to a unary, a server-streaming and a bidi RPC; the errors they got."""
    errors = []
    md = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
    async with grpc.aio.insecure_channel(app.address) as channel:
        for name, payload in UNDECODABLE.items():
            path = "/coho.omrs.v1.MetadataCollectionService/AddEntity" if name == "too_deep" else \
                "/coho.omrs.v1.MetadataCollectionService/GetEntity"
            calls = [channel.unary_unary(path)(payload, metadata=md, timeout=10)]
            if name == "corrupt":
                calls.append(_drain(channel.unary_stream("/coho.access.v1.OutTopicService/Subscribe")(
                    payload, metadata=md, timeout=10)))
                calls.append(_drain(channel.stream_stream("/coho.access.v1.OutTopicService/Listen")(
                    _requests(payload), metadata=md, timeout=10)))
            for call in calls:
                try:
                    await call
                except grpc.aio.AioRpcError as err:
                    errors.append(err)
                else:
                    raise AssertionError(f"{name}: undecodable request accepted")
    return errors


async def _drain(stream: object) -> None:
    async for _ in stream:  # type: ignore[attr-defined]
        pass


async def test_decode_error_guard_answers_invalid_argument(tmp_path: Path) -> None:
    async with ServerApp(server_config(tmp_path), interceptors=[DecodeErrorGuard()]) as app:
        errors = await _decode_errors(app)
        assert len(errors) == 5
        for err in errors:
            decoded = from_rpc_error(err)
            assert decoded.code == INVALID and decoded.reason == "MALFORMED_REQUEST", decoded
        # Well-formed calls are untouched by the guard.
        async with connect(app.address, ADMIN_TOKEN) as channel:
            err = await rpc_error(mcs_stub(channel).GetEntity(mcs.GetEntityRequest(guid="nope")))
            assert err.code == grpc.StatusCode.NOT_FOUND


def mcs_stub(channel: grpc.aio.Channel) -> Any:
    from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

    return mcs_grpc.MetadataCollectionServiceStub(channel)


async def test_undecodable_requests_in_production(tmp_path: Path) -> None:
    """The server as `coho server` builds it: the hosting installs DecodeErrorGuard itself."""
    async with ServerApp(server_config(tmp_path)) as app:
        errors = await _decode_errors(app)
        codes = {err.code() for err in errors}
        assert codes == {INVALID}, codes


async def test_daemon_report_times_out_of_range(tmp_path: Path) -> None:
    """Found by test_fuzz_daemon: ListIntegrationReports converted from_time / to_time with ToNanoseconds(), so
    an out-of-range Timestamp answered INTERNAL; now INVALID_ARGUMENT INVALID_TIMESTAMP."""
    from unit.daemon.sample_connectors import Counting

    from coho.daemon.testing import run_connector
    from coho.integration.v1 import integration_daemon_service_pb2 as ids
    from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

    async with run_connector(Counting, tmp_path / "data") as harness, harness.daemon_channel() as channel:
        stub = ids_grpc.IntegrationDaemonServiceStub(channel)
        codes = set()
        for bad in BAD_TIMES:
            for request in (ids.ListIntegrationReportsRequest(from_time=bad),
                            ids.ListIntegrationReportsRequest(to_time=bad)):
                codes.add((await rpc_error(stub.ListIntegrationReports(request))).code)
    assert codes == {INVALID}, codes


REF_COPY_ENUMS: dict[str, Callable[[Any], None]] = {
    "status_on_delete": lambda h: setattr(h, "status_on_delete", -1),
    "instance_provenance_type": lambda h: setattr(h, "instance_provenance_type", 12345),
    "type.type_def_category": lambda h: setattr(h.type, "type_def_category", -1),
    "type.valid_status_list": lambda h: h.type.valid_status_list.append(777),
}


async def test_reference_copies_with_unknown_enum_values_are_refused(tmp_path: Path) -> None:
    """Found by the fuzzer as ExportArchive INTERNAL: a reference copy with an enum number outside its enum was
    stored as given, and every later export failed mapping it to an Egeria symbol."""
    from contract.builders import remote_entity

    from coho.omrs.v1 import type_service_pb2 as ts
    from coho.server.types import TypeRegistry

    types = TypeRegistry.with_builtin_types()
    async with running(tmp_path) as app, client(app) as stubs:
        for field, mutate in REF_COPY_ENUMS.items():
            copy = remote_entity(types)
            mutate(copy.header)
            err = await rpc_error(stubs.mcs.SaveEntityReferenceCopy(mcs.SaveEntityReferenceCopyRequest(entity=copy)))
            assert err.code == INVALID and err.reason == "UNKNOWN_ENUM_VALUE", (field, err)
            assert f"entity.header.{field}" in err.message, err
        good = remote_entity(types)
        await stubs.mcs.SaveEntityReferenceCopy(mcs.SaveEntityReferenceCopyRequest(entity=good))
        exported = await stubs.types.ExportArchive(ts.ExportArchiveRequest())
        assert good.header.guid.encode() in exported.archive_json


async def test_file_modified_time_out_of_range_is_invalid_argument(tmp_path: Path) -> None:
    """Found by the fuzzer: DataManagerService.UpsertElements turned file.modified_time into ms by hand, and a
    Timestamp past year 9999 overflowed the int64 date property (ValueError -> INTERNAL)."""
    from coho.access.v1 import data_manager_service_pb2 as dm
    from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc

    async with running(tmp_path) as app, client(app) as stubs:
        stub = dm_grpc.DataManagerServiceStub(stubs.channel)
        for bad in BAD_TIMES:
            element = dm.DataElement(qualified_name="f", file=dm.FileElement(modified_time=bad))
            err = await rpc_error(stub.UpsertElements(dm.UpsertElementsRequest(elements=[element])))
            assert err.code == INVALID, (bad, err)
            assert "modified_time" in err.message, err
        good = dm.DataElement(qualified_name="f", file=dm.FileElement(
            modified_time=timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=5_000_000)))
        reply = await stub.UpsertElements(dm.UpsertElementsRequest(elements=[good]))
        assert len(reply.results) == 1


async def test_type_definitions_that_cannot_be_exported_are_refused(tmp_path: Path) -> None:
    """Found by the fuzzer as ExportArchive INTERNAL: an attribute type def with no primitive / collection /
    enum definition (or a type def with an unknown enum number) was stored, and every later export failed."""
    from coho.omrs.v1 import type_service_pb2 as ts
    from coho.omrs.v1 import typedefs_pb2

    async with running(tmp_path) as app, client(app) as stubs:
        err = await rpc_error(stubs.types.AddAttributeTypeDef(ts.AddAttributeTypeDefRequest(
            attribute_type_def=typedefs_pb2.AttributeTypeDef(name="description", guid="g-1"))))
        assert err.code == INVALID and "primitive, collection or enum_def" in err.message, err
        category: Any = 777
        err = await rpc_error(stubs.types.AddAttributeTypeDef(ts.AddAttributeTypeDefRequest(
            attribute_type_def=typedefs_pb2.AttributeTypeDef(name="x", guid="g-2", category=category))))
        assert err.code == INVALID and err.reason == "UNKNOWN_ENUM_VALUE", err
        err = await rpc_error(stubs.types.AddTypeDef(ts.AddTypeDefRequest(
            type_def=typedefs_pb2.TypeDef(name="Odd", guid="g-3", category=category))))
        assert err.code == INVALID and err.reason == "UNKNOWN_ENUM_VALUE", err
        await stubs.types.ExportArchive(ts.ExportArchiveRequest(include_types=True))


async def test_daemon_configuration_with_non_finite_numbers(tmp_path: Path) -> None:
    """Found by test_fuzz_daemon: UpdateConnectorConfiguration's Struct went through MessageToDict, which raises
    ValueError on NaN / Infinity (INTERNAL); now INVALID_ARGUMENT NON_FINITE_NUMBER."""
    from unit.daemon.sample_connectors import Counting

    from coho.daemon.testing import run_connector
    from coho.integration.v1 import integration_daemon_service_pb2 as ids
    from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

    async with run_connector(Counting, tmp_path / "data") as harness, harness.daemon_channel() as channel:
        stub = ids_grpc.IntegrationDaemonServiceStub(channel)
        codes = set()
        for number in (math.nan, math.inf):
            request = ids.UpdateConnectorConfigurationRequest(connector_name=harness.name)
            request.configuration_properties.fields["x"].number_value = number
            codes.add((await rpc_error(stub.UpdateConnectorConfiguration(request))).code)
    assert codes == {INVALID}, codes
