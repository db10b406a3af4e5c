"""CatalogExchangeConnector between two real in-process coho servers (real gRPC on 127.0.0.1, real SQLite).

The home server and the daemon come from the connector harness; the remote catalog is a second ServerApp
that the connector reaches with its own token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc.aio
import pytest
from servertest import ADMIN_TOKEN, server_config

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.admin.v1 import server_admin_service_pb2 as adm
from coho.admin.v1 import server_admin_service_pb2_grpc as adm_grpc
from coho.client import connect
from coho.daemon.connectors.catalog import CatalogExchangeConnector
from coho.daemon.testing import ConnectorHarness, run_connector
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc
from coho.server.access import data_mapping
from coho.server.app import ServerApp

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

REMOTE_TOKEN = "remote-catalog-secret-7f3c9a"
REMOTE_TOKENS: dict[str, Any] = {
    ADMIN_TOKEN: {"user": "alice", "roles": ["admin"]},
    REMOTE_TOKEN: {"user": "exchange", "roles": ["connector"]},
}
HOME_NAME = "coho:harness-server"  # the home's default source name at the remote
REMOTE_NAME = "coho:remote-catalog"  # the remote's default source name at home
TOKEN_ENV = "COHO_TEST_REMOTE_CATALOG_TOKEN"


class Catalog:
    """A test's admin view of one server: add / update / delete elements and look at what is there."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.mcs = mcs_grpc.MetadataCollectionServiceStub(channel)
        self.am = am_grpc.AssetManagerServiceStub(channel)
        self.admin = adm_grpc.ServerAdminServiceStub(channel)
        self.types = ts_grpc.TypeServiceStub(channel)

    async def add(self, qualified_name: str, type_name: str = "DataFile", **values: str) -> str:
        reply = await self.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(
            type_name=type_name, properties=props(qualifiedName=qualified_name, **values))))
        return str(reply.entity.header.guid)

    async def update(self, guid: str, **values: str) -> None:
        await self.mcs.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
            guid=guid, properties=props(**values), merge=True))

    async def delete(self, guid: str) -> None:
        await self.mcs.DeleteEntity(mcs.DeleteEntityRequest(guid=guid))

    async def assets(self) -> dict[str, instances_pb2.EntityDetail]:
        """Live DataFile / Database elements by qualified name (each name must be unique)."""
        found: dict[str, instances_pb2.EntityDetail] = {}
        for type_name in ("DataFile", "Database", "ToDo"):
            reply = await self.mcs.FindEntities(mcs.FindEntitiesRequest(
                query=mcs.InstanceQuery(type_name=type_name, page_size=1000)))
            for entity in reply.entities:
                name = text(entity, "qualifiedName")
                assert name not in found, f"duplicate {name}"
                found[name] = entity
        return found

    async def contributed(self, source: str) -> dict[str, am.ExternalElementView]:
        reply = await self.am.ListExternalSourceElements(am.ListExternalSourceElementsRequest(
            external_source=source, page_size=1000))
        return {view.identifier.external_identifier: view for view in reply.elements}

    async def head(self) -> int:
        reply = await self.admin.GetServerStatus(adm.GetServerStatusRequest())
        return int(reply.head_sequence)


def props(**values: str) -> instances_pb2.InstanceProperties:
    result = instances_pb2.InstanceProperties()
    for key, value in values.items():
        result.properties[key].CopyFrom(data_mapping.string(value))
    return result


def text(entity: instances_pb2.EntityDetail, name: str) -> str:
    values = entity.properties.properties
    return values[name].primitive.string_value if name in values else ""


@asynccontextmanager
async def remote_server(data_dir: Path, port: int = 0) -> AsyncIterator[ServerApp]:
    config = server_config(data_dir, server_name="remote-catalog", listen=f"127.0.0.1:{port}",
                           data_dir=str(data_dir), auth={"tokens": REMOTE_TOKENS}, shutdown_grace_seconds=0.2)
    async with ServerApp(config) as app:
        yield app


@asynccontextmanager
async def exchange(tmp_path: Path, remote: ServerApp, **options: Any) -> AsyncIterator[tuple[ConnectorHarness,
                                                                                            Catalog, Catalog]]:
    """The connector in a daemon on its home server, pointed at ``remote``; admin views of both catalogs."""
    properties: dict[str, Any] = {"remote_address": remote.address, "remote_token": REMOTE_TOKEN,
                                  "element_types": ["DataFile", "Database", "ToDo"], "event_driven": False,
                                  "remote_timeout_seconds": 5}
    properties.update(options.pop("properties", {}))
    properties = {k: v for k, v in properties.items() if v is not None}
    async with (run_connector(CatalogExchangeConnector, tmp_path / "home", service_kind="catalog",
                              name="exchange", configuration_properties=properties, **options) as h,
                h.server_channel() as home_channel, connect(remote.address, ADMIN_TOKEN) as remote_channel):
        yield h, Catalog(home_channel), Catalog(remote_channel)


async def eventually(check: Callable[[], Any], within: float = 15.0) -> Any:
    """Poll an async check until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {within}s")
        await asyncio.sleep(0.05)


def names(found: dict[str, instances_pb2.EntityDetail]) -> list[str]:
    return sorted(found)


def exchanged(h: ConnectorHarness) -> dict[str, dict[str, int]]:
    connector = h.connector
    assert isinstance(connector, CatalogExchangeConnector)
    return connector.last_summary


async def test_exchange_both_ways_updates_deletes_and_never_echoes(tmp_path: Path) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(tmp_path, remote) as (h, home, far):
        await h.refresh()  # past the refresh that follows start, so the next one sees all that follows
        h_guid = await home.add("home:sales", displayName="Sales", fileType="CSV")
        r_guid = await far.add("remote:orders", "Database", displayName="Orders")
        await far.add("remote:todo", "ToDo")  # an operational record: excluded by default
        report = await h.refresh()
        assert names(await home.assets()) == ["home:sales", "remote:orders"]
        assert names(await far.assets()) == ["home:sales", "remote:orders", "remote:todo"]
        # Each copy is keyed by its origin GUID under its origin's source name, type and properties intact.
        pulled = (await home.contributed(REMOTE_NAME))[r_guid]
        assert pulled.element.type_name == "Database" and pulled.element.display_name == "Orders"
        pushed = (await far.contributed(HOME_NAME))[h_guid]
        assert text((await far.assets())["home:sales"], "fileType") == "CSV" and pushed.element.type_name == "DataFile"
        # The home report shows the copy it received (and its ExternalId mapping), nothing of its own.
        assert report is not None and pulled.header.guid in report.created_element_guids
        assert h_guid not in report.created_element_guids
        assert exchanged(h) == {"remote_to_home": {"created": 1, "updated": 0, "deleted": 0, "failed": 0},
                                "home_to_remote": {"created": 1, "updated": 0, "deleted": 0, "failed": 0}}

        # Stable: repeated refreshes write nothing on either side, and no copy is ever sent back.
        heads = (await home.head(), await far.head())
        for _ in range(3):
            assert await h.refresh() is None
        assert (await home.head(), await far.head()) == heads
        assert list(await home.contributed(HOME_NAME)) == [] and list(await far.contributed(REMOTE_NAME)) == []
        assert names(await home.assets()) == ["home:sales", "remote:orders"]

        # Updates flow from each origin.
        await home.update(h_guid, fileType="PARQUET")
        await far.update(r_guid, description="all orders")
        report = await h.refresh()
        assert text((await far.assets())["home:sales"], "fileType") == "PARQUET"
        assert text((await home.assets())["remote:orders"], "description") == "all orders"
        assert report is not None and pulled.header.guid in report.updated_element_guids
        assert await h.refresh() is None

        # A copy edited on the receiving side is put back: its origin wins.
        await home.update(pulled.header.guid, description="edited locally")
        await h.refresh()
        assert text((await home.assets())["remote:orders"], "description") == "all orders"

        # Deletions at each origin remove the copy on the other side.
        await home.delete(h_guid)
        await far.delete(r_guid)
        report = await h.refresh()
        assert names(await home.assets()) == []
        assert names(await far.assets()) == ["remote:todo"]
        assert report is not None and pulled.header.guid in report.deleted_element_guids
        assert exchanged(h)["home_to_remote"]["deleted"] == 1
        assert await h.refresh() is None


async def test_event_driven_push_of_home_changes(tmp_path: Path) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, properties={"event_driven": True}) as (h, home, far):
        await h.refresh()  # past the refresh that follows start, so the next one sees all that follows
        # No refresh from here on: the Out Topic listener pushes each home change.
        guid = await home.add("home:events", fileType="CSV")

        async def pushed() -> instances_pb2.EntityDetail | None:
            return (await far.assets()).get("home:events")

        assert text(await eventually(pushed), "fileType") == "CSV"
        await home.update(guid, fileType="JSON")

        async def updated() -> bool:
            copy = await pushed()
            return copy is not None and text(copy, "fileType") == "JSON"

        await eventually(updated)
        await home.delete(guid)

        async def deleted() -> bool:
            return await pushed() is None

        await eventually(deleted)
        # The pushes were made outside any refresh; a refresh afterwards finds nothing left to do.
        heads = (await home.head(), await far.head())
        assert await h.refresh() is None
        assert exchanged(h)["home_to_remote"] == {"created": 0, "updated": 0, "deleted": 0, "failed": 0}
        assert (await home.head(), await far.head()) == heads


async def test_a_bad_element_is_reported_and_does_not_hold_up_the_rest(tmp_path: Path) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(tmp_path, remote) as (h, home, far):
        await h.refresh()
        # Both catalogs hold their own "shared:clash": neither copy can be stored (qualifiedName is unique).
        home_clash = await home.add("shared:clash")
        far_clash = await far.add("shared:clash")
        await home.add("home:fine")
        await far.add("remote:fine")
        await h.refresh()
        assert h.status_name == "FAILED"
        error = h.runner.state.failing_error
        assert "remote -> home: 1 element(s) failed" in error and "home -> remote: 1 element(s) failed" in error
        assert "DUPLICATE_UNIQUE_VALUE" in error and home_clash in error and far_clash in error, error
        assert names(await home.assets()) == names(await far.assets()) == ["home:fine", "remote:fine", "shared:clash"]
        assert (await home.assets())["shared:clash"].header.guid == home_clash


async def test_an_incomplete_listing_deletes_nothing(tmp_path: Path) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, properties={"element_types": ["DataFile"]}) as (h, home, far):
        await h.refresh()
        home_guid = await home.add("home:b")
        remote_guid = await far.add("remote:a")
        await h.refresh()
        assert names(await home.assets()) == names(await far.assets()) == ["home:b", "remote:a"]
        # A type only the home knows: listing it fails on the remote, after its DataFiles were listed.
        await home.types.AddTypeDef(ts.AddTypeDefRequest(type_def=typedefs_pb2.TypeDef(
            guid="5e1f0c2a-0000-4000-8000-00000000ca7a", name="HomeOnlyAsset", version=1,
            category=typedefs_pb2.TYPE_DEF_CATEGORY_ENTITY_DEF, super_type=typedefs_pb2.TypeDefLink(name="Asset"))))
        await home.delete(home_guid)
        await far.delete(remote_guid)
        await h.daemon.connectors.update_configuration(
            h.name, {"element_types": ["DataFile", "HomeOnlyAsset"]}, merge=True)
        await h.wait_status("FAILED", within=30)
        error = h.runner.state.failing_error
        assert "remote -> home: remote catalog" in error and "FindEntities" in error, error
        # The pull's listing was incomplete, so the home keeps its copy; the push's was complete, so the
        # remote's copy of the deleted home element is gone.
        assert names(await home.assets()) == ["remote:a"]
        assert names(await far.assets()) == []
        assert remote_guid in await home.contributed(REMOTE_NAME)


@pytest.mark.parametrize(("direction", "home_gets", "remote_gets"), [
    ("FROM_THIRD_PARTY", ["home:a", "remote:b"], ["remote:b"]),
    ("TO_THIRD_PARTY", ["home:a"], ["home:a", "remote:b"]),
])
async def test_permitted_synchronization_limits_the_direction(
        tmp_path: Path, direction: str, home_gets: list[str], remote_gets: list[str]) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, permitted_synchronization=direction, properties={"event_driven": True}) as (h, home, far):
        await h.refresh()  # past the refresh that follows start, so the next one sees all that follows
        await home.add("home:a")
        await far.add("remote:b")
        await h.refresh()
        await h.refresh()
        assert names(await home.assets()) == home_gets
        assert names(await far.assets()) == remote_gets
        assert list(exchanged(h)) == (["remote_to_home"] if direction == "FROM_THIRD_PARTY" else ["home_to_remote"])
        assert h.runner.state.denied_writes == 0  # the connector never even tried the forbidden direction


async def test_remote_down_is_reported_and_recovered(tmp_path: Path) -> None:
    async with remote_server(tmp_path / "remote") as first:
        port = int(first.address.rsplit(":", 1)[1])
        address = first.address
    # The remote is down from the connector's first refresh on.
    async with exchange_to(tmp_path, address) as (h, home):
        await h.wait_status("FAILED", within=30)  # its first refresh, right after start
        error = h.runner.state.failing_error
        assert f"remote catalog {address}" in error and "UNAVAILABLE" in error, error
        guid = await home.add("home:while-down")
        async with remote_server(tmp_path / "remote", port) as remote, connect(remote.address, ADMIN_TOKEN) as ch:
            far = Catalog(ch)
            await far.add("remote:back")
            # The daemon retries a failed connector on its own; nothing here asks for a refresh.

            async def caught_up() -> bool:
                return "home:while-down" in await far.assets() and "remote:back" in await home.assets()

            await eventually(caught_up, within=30)
            await h.wait_status("RUNNING", within=10)
            assert h.runner.state.failing_error == ""
            assert guid in await far.contributed(HOME_NAME)
        # Down again: a failed listing deletes nothing on the home side.
        await h.refresh()
        assert h.status_name == "FAILED"
        assert "remote:back" in await home.assets()


@asynccontextmanager
async def exchange_to(tmp_path: Path, address: str) -> AsyncIterator[tuple[ConnectorHarness, Catalog]]:
    properties = {"remote_address": address, "remote_token": REMOTE_TOKEN, "element_types": ["DataFile", "Database"],
                  "event_driven": False, "remote_timeout_seconds": 3}
    async with run_connector(CatalogExchangeConnector, tmp_path / "home", service_kind="catalog", name="exchange",
                             configuration_properties=properties) as h, h.server_channel() as channel:
        yield h, Catalog(channel)


async def test_the_token_never_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(TOKEN_ENV, REMOTE_TOKEN)
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, metadata_source="catalog:remote",
            properties={"remote_token": None, "remote_token_env": TOKEN_ENV}) as (h, home, far):
        await h.refresh()
        await far.add("remote:secretive")
        report = await h.refresh()
        assert report is not None and names(await home.assets()) == ["remote:secretive"]
        # With a metadata_source, the remote's elements are contributed under it.
        assert len(await home.contributed("catalog:remote")) == 1
        async with h.daemon_channel() as channel:
            listed = await ids_grpc.IntegrationDaemonServiceStub(channel).ListConnectors(ids.ListConnectorsRequest())
        assert REMOTE_TOKEN not in str(listed) and REMOTE_TOKEN not in str(report)
        assert REMOTE_TOKEN not in repr(h.connector.__dict__)
    assert REMOTE_TOKEN not in caplog.text


async def test_a_wrong_token_is_reported_without_the_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-remote-token-55e1"
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, properties={"remote_token": wrong}) as (h, _, far):
        await far.add("remote:x")
        await h.wait_status("FAILED", within=30)
        error = h.runner.state.failing_error
        assert "UNAUTHENTICATED" in error and wrong not in error, error
        # An inline token is a configuration value: admin status shows the key, never the value.
        async with h.daemon_channel() as channel:
            listed = await ids_grpc.IntegrationDaemonServiceStub(channel).ListConnectors(ids.ListConnectorsRequest())
        assert "remote_token" in str(listed) and wrong not in str(listed)
    assert wrong not in caplog.text


@pytest.mark.parametrize(("properties", "named"), [
    ({"remote_address": None}, "remote_address"),
    ({"remote_token": None, "remote_token_env": "COHO_TEST_UNSET_VARIABLE_XYZ"}, "remote_token_env"),
    ({"element_types": []}, "element_types"),
    ({"remote_source_name": "something-else"}, "remote_source_name"),
])
async def test_bad_configuration_names_the_property(tmp_path: Path, properties: dict[str, Any], named: str) -> None:
    async with remote_server(tmp_path / "remote") as remote, exchange(
            tmp_path, remote, metadata_source="catalog:remote", properties=properties) as (h, _, __):
        await h.wait_status("FAILED")
        assert named in h.runner.state.failing_error
        assert REMOTE_TOKEN not in h.runner.state.failing_error
