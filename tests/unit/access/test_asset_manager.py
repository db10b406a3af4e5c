"""The Asset Manager core against a real SQLite store and repository (no grpc)."""

from __future__ import annotations

import pytest

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import elements_pb2
from coho.omrs.v1 import instances_pb2
from coho.server.access.asset_manager import AssetManager
from coho.server.access.data_mapping import string
from coho.server.errors import AlreadyExists, CohoError, InvalidArgument, NotFound
from coho.server.repository import Repository
from coho.server.repository.api import Caller

OUT = elements_pb2
USER = Caller(user_id="alice")
SOURCE = "catalog:b"


@pytest.fixture
def mgr(repo: Repository) -> AssetManager:
    return AssetManager(repo)


def element(key: str, **props: str) -> am.ExternalElement:
    return am.ExternalElement(external_identifier=key, type_name="DataFile", qualified_name=f"b:{key}",
                              display_name=key, properties=props, external_identifier_usage="sync")


async def test_upsert_round_trip_and_lookups(mgr: AssetManager, repo: Repository) -> None:
    typed = instances_pb2.InstanceProperties()
    typed.properties["fileType"].CopyFrom(string("CSV"))
    first = await mgr.upsert_external_elements(
        USER, SOURCE, [element("k1", fileName="a.csv"), am.ExternalElement(
            external_identifier="k2", type_name="DataFile", typed_properties=typed, properties={"fileType": "x"})])
    assert [r.outcome for r in first.value] == [OUT.UPSERT_OUTCOME_CREATED] * 2
    head = repo.store.head_sequence()
    again = await mgr.upsert_external_elements(USER, SOURCE, [element("k1", fileName="a.csv")])
    assert again.value[0].outcome == OUT.UPSERT_OUTCOME_UNCHANGED and again.sequence == 0
    assert repo.store.head_sequence() == head
    updated = await mgr.upsert_external_elements(USER, SOURCE, [element("k1", fileName="b.csv")])
    assert updated.value[0].outcome == OUT.UPSERT_OUTCOME_UPDATED and updated.value[0].version == 2
    view = mgr.get_element_by_external_identifier(SOURCE, "k1")
    assert view.header.guid == first.value[0].guid and view.header.external_source == SOURCE
    assert view.element.typed_properties.properties["fileName"] == string("b.csv")
    assert view.identifier.external_identifier == "k1" and view.identifier.external_identifier_usage == "sync"
    k2 = mgr.get_element_by_external_identifier(SOURCE, "k2")
    assert k2.element.typed_properties.properties["fileType"] == string("CSV")  # typed wins
    ids = mgr.get_external_identifiers(first.value[0].guid)
    assert [(i.external_source, i.external_identifier) for i in ids] == [(SOURCE, "k1")]
    listed = mgr.list_external_source_elements(SOURCE, page_size=1)
    assert len(listed.items) == 1 and listed.next_page_token
    rest = mgr.list_external_source_elements(SOURCE, page_token=listed.next_page_token)
    keys = {v.identifier.external_identifier for v in [*listed.items, *rest.items]}
    assert keys == {"k1", "k2"}
    assert mgr.list_external_source_elements("other").items == []


async def test_map_and_delete(mgr: AssetManager) -> None:
    created = await mgr.upsert_external_elements(USER, SOURCE, [element("k1"), element("k2")])
    guid = created.value[0].guid
    mapped = await mgr.map_external_identifier(
        USER, guid, am.ExternalIdentifier(external_source="catalog:c", external_identifier="c-1"))
    assert mapped.value.element_guid == guid and mapped.sequence > 0
    same = await mgr.map_external_identifier(
        USER, guid, am.ExternalIdentifier(external_source="catalog:c", external_identifier="c-1"))
    assert same.sequence == 0
    with pytest.raises(AlreadyExists):
        await mgr.map_external_identifier(
            USER, created.value[1].guid, am.ExternalIdentifier(external_source="catalog:c", external_identifier="c-1"))
    with pytest.raises(NotFound):
        await mgr.map_external_identifier(
            USER, "no-such-guid", am.ExternalIdentifier(external_source="catalog:c", external_identifier="c-2"))
    assert len(mgr.get_external_identifiers(guid)) == 2
    assert mgr.get_element_by_external_identifier("catalog:c", "c-1").header.guid == guid
    deleted = await mgr.delete_external_elements(USER, SOURCE, ["k1", "zz"])
    assert [r.outcome for r in deleted.value] == [OUT.UPSERT_OUTCOME_DELETED, OUT.UPSERT_OUTCOME_NOT_FOUND]
    with pytest.raises(NotFound):
        mgr.get_element_by_external_identifier(SOURCE, "k1")
    with pytest.raises(NotFound):
        mgr.get_external_identifiers(guid)
    recreated = await mgr.upsert_external_elements(USER, SOURCE, [element("k1")])
    assert recreated.value[0].outcome == OUT.UPSERT_OUTCOME_CREATED and recreated.value[0].guid != guid


async def test_bad_input(mgr: AssetManager) -> None:
    with pytest.raises(InvalidArgument):
        await mgr.upsert_external_elements(USER, "", [element("k")])
    with pytest.raises(InvalidArgument) as missing:
        await mgr.upsert_external_elements(USER, SOURCE, [am.ExternalElement(type_name="DataFile")])
    assert missing.value.field_violations[0][0] == "elements[0].external_identifier"
    with pytest.raises(InvalidArgument) as unknown_prop:
        await mgr.upsert_external_elements(USER, SOURCE, [element("k", noSuchProperty="x")])
    assert unknown_prop.value.field_violations[0][0].startswith("elements[0].properties")
    with pytest.raises(CohoError) as unknown_type:
        await mgr.upsert_external_elements(
            USER, SOURCE, [am.ExternalElement(external_identifier="k", type_name="Nope")])
    assert unknown_type.value.reason == "TYPE_UNKNOWN"
