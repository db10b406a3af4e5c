"""ENTITY_PROXIES: proxies stand for entities known elsewhere; relationships may end at them."""

from __future__ import annotations

import pytest
from contract.builders import ALICE, add, guids, new_rel, proxy_of, remote_entity

from coho.omrs.v1 import instances_pb2
from coho.server.errors import FailedPrecondition, InvalidArgument, NotFound
from coho.server.repository import Repository


async def test_add_and_read_a_proxy(repo: Repository) -> None:
    proxy = proxy_of(repo.types, remote_entity(repo.types, "DataFile"))
    written = await repo.add_entity_proxy(ALICE, proxy)
    assert written.value is None and written.sequence == 0  # proxies are not instances: no event
    guid = proxy.header.guid
    with pytest.raises(NotFound) as info:
        repo.get_entity(guid)
    assert info.value.reason == "ENTITY_PROXY_ONLY"
    assert repo.get_entity_proxy(guid) == proxy
    assert repo.find_entities(type_name="DataFile").items == []


async def test_relationship_to_a_proxy(repo: Repository) -> None:
    proxy = proxy_of(repo.types, remote_entity(repo.types, "DataFile"))
    await repo.add_entity_proxy(ALICE, proxy)
    folder = await add(repo, "FileFolder")
    rel = (await repo.add_relationship(ALICE, new_rel("NestedFile", folder.header.guid, proxy.header.guid))).value
    assert rel.entity_two_proxy == proxy
    assert guids(repo.relationships_for_entity(proxy.header.guid).items) == {rel.header.guid}
    graph = repo.entity_neighborhood(folder.header.guid, 2)
    assert guids(graph.entities) == {folder.header.guid}  # a proxy is not an EntityDetail
    assert guids(graph.relationships) == {rel.header.guid}


async def test_proxy_of_a_full_entity(repo: Repository) -> None:
    entity = await add(repo, qualifiedName="q", fileName="f")
    proxy = repo.get_entity_proxy(entity.header.guid)
    assert proxy.header == entity.header
    assert set(proxy.unique_properties.properties) == {"qualifiedName"}
    # Adding a proxy for a known entity changes nothing.
    await repo.add_entity_proxy(ALICE, proxy)
    assert repo.get_entity(entity.header.guid) == entity


async def test_full_copy_replaces_the_proxy(repo: Repository) -> None:
    entity = remote_entity(repo.types, "DataFile")
    await repo.add_entity_proxy(ALICE, proxy_of(repo.types, entity))
    await repo.save_entity_reference_copy(ALICE, entity)
    assert repo.get_entity(entity.header.guid) == entity


async def test_bad_proxies(repo: Repository) -> None:
    proxy = proxy_of(repo.types, remote_entity(repo.types, "DataFile"))
    no_guid = instances_pb2.EntityProxy()
    no_guid.CopyFrom(proxy)
    no_guid.header.guid = ""
    with pytest.raises(InvalidArgument) as info:
        await repo.add_entity_proxy(ALICE, no_guid)
    assert info.value.field_violations[0][0] == "proxy.header.guid"
    unknown = instances_pb2.EntityProxy()
    unknown.CopyFrom(proxy)
    unknown.header.type.type_def_name = "NoSuchType"
    with pytest.raises(FailedPrecondition) as type_info:
        await repo.add_entity_proxy(ALICE, unknown)
    assert type_info.value.reason == "TYPE_UNKNOWN"
    with pytest.raises(NotFound) as missing:
        repo.get_entity_proxy("no-such-guid")
    assert missing.value.reason == "ENTITY_NOT_FOUND"
