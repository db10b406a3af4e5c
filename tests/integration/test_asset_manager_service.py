"""AssetManagerService over real gRPC (grpc.aio on 127.0.0.1:0, real SQLite): round trips, both-way lookups."""

from __future__ import annotations

from pathlib import Path

import grpc
import grpc.aio
import pytest
from unit.access.dmtest import access_server

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.access.v1 import elements_pb2
from coho.client.errors import from_rpc_error

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

OUT = elements_pb2
Code = grpc.StatusCode
SOURCE = "catalog:b"


def term(key: str, summary: str = "") -> am.ExternalElement:
    return am.ExternalElement(external_identifier=key, type_name="DataFile", qualified_name=f"b:{key}",
                              display_name=key, properties={"fileType": summary} if summary else {})


async def test_round_trip_and_lookups(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, repo), grpc.aio.insecure_channel(address) as channel:
        stub = am_grpc.AssetManagerServiceStub(channel)
        created = await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
            external_source=SOURCE, elements=[term("k1", "CSV"), term("k2")]))
        assert [r.outcome for r in created.results] == [OUT.UPSERT_OUTCOME_CREATED] * 2
        assert created.header.sequence == repo.store.head_sequence()
        again = await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
            external_source=SOURCE, elements=[term("k1", "CSV")]))
        assert again.results[0].outcome == OUT.UPSERT_OUTCOME_UNCHANGED and again.header.sequence == 0
        updated = await stub.UpsertExternalElements(am.UpsertExternalElementsRequest(
            external_source=SOURCE, elements=[term("k1", "JSON")]))
        assert updated.results[0].outcome == OUT.UPSERT_OUTCOME_UPDATED
        guid = created.results[0].guid
        by_key = await stub.GetElementByExternalIdentifier(am.GetElementByExternalIdentifierRequest(
            external_source=SOURCE, external_identifier="k1"))
        assert by_key.element.header.guid == guid
        assert by_key.element.element.typed_properties.properties["fileType"].primitive.string_value == "JSON"
        ids = await stub.GetExternalIdentifiers(am.GetExternalIdentifiersRequest(element_guid=guid))
        assert [(i.external_source, i.external_identifier) for i in ids.identifiers] == [(SOURCE, "k1")]
        mapped = await stub.MapExternalIdentifier(am.MapExternalIdentifierRequest(
            element_guid=guid, identifier=am.ExternalIdentifier(external_source="catalog:c", external_identifier="c1")))
        assert mapped.identifier.element_guid == guid
        with pytest.raises(grpc.aio.AioRpcError) as clash:
            await stub.MapExternalIdentifier(am.MapExternalIdentifierRequest(
                element_guid=created.results[1].guid,
                identifier=am.ExternalIdentifier(external_source="catalog:c", external_identifier="c1")))
        assert from_rpc_error(clash.value).reason == "EXTERNAL_ID_MAPPED"
        listed = await stub.ListExternalSourceElements(am.ListExternalSourceElementsRequest(external_source=SOURCE))
        assert sorted(v.identifier.external_identifier for v in listed.elements) == ["k1", "k2"]
        deleted = await stub.DeleteExternalElements(am.DeleteExternalElementsRequest(
            external_source=SOURCE, external_identifiers=["k1", "missing"]))
        assert [r.outcome for r in deleted.results] == [OUT.UPSERT_OUTCOME_DELETED, OUT.UPSERT_OUTCOME_NOT_FOUND]
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await stub.GetElementByExternalIdentifier(am.GetElementByExternalIdentifierRequest(
                external_source=SOURCE, external_identifier="k1"))
        assert gone.value.code() == Code.NOT_FOUND


async def test_bad_input(tmp_path: Path) -> None:
    async with access_server(tmp_path / "data") as (address, _), grpc.aio.insecure_channel(address) as channel:
        stub = am_grpc.AssetManagerServiceStub(channel)
        cases = [
            (am.UpsertExternalElementsRequest(elements=[term("k")]), Code.INVALID_ARGUMENT, "external_source"),
            (am.UpsertExternalElementsRequest(
                external_source=SOURCE, elements=[am.ExternalElement(type_name="DataFile")]),
             Code.INVALID_ARGUMENT, "elements[0].external_identifier"),
            (am.UpsertExternalElementsRequest(external_source=SOURCE, elements=[am.ExternalElement(
                external_identifier="k", type_name="DataFile", properties={"bogus": "1"})]),
             Code.INVALID_ARGUMENT, None),
            (am.UpsertExternalElementsRequest(external_source=SOURCE, elements=[am.ExternalElement(
                external_identifier="k", type_name="NoSuchType")]), Code.FAILED_PRECONDITION, None),
        ]
        for request, code, field in cases:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.UpsertExternalElements(request)
            err = from_rpc_error(caught.value)
            assert err.code == code, err
            if field:
                assert field in err.fields
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetExternalIdentifiers(am.GetExternalIdentifiersRequest(element_guid="nope"))
        assert missing.value.code() == Code.NOT_FOUND
