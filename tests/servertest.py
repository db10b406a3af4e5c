"""Helpers for tests that drive an in-process ServerApp over real gRPC on 127.0.0.1:0."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import connect
from coho.client.errors import CohoRpcError, from_rpc_error
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc
from coho.server.app import ServerApp
from coho.server.config import ServerConfig

ADMIN_TOKEN = "admin-token-123"
CONNECTOR_TOKEN = "connector-token-123"
PINNED_TOKEN = "pinned-connector-token"
READER_TOKEN = "reader-token-123"
PEER_TOKEN = "peer-token-12345"

TOKENS: dict[str, Any] = {
    ADMIN_TOKEN: {"user": "alice", "roles": ["admin"]},
    CONNECTOR_TOKEN: {"user": "conn", "roles": ["connector"]},
    PINNED_TOKEN: {"user": "filesconn", "roles": ["connector"], "connector": "files"},
    READER_TOKEN: {"user": "rita", "roles": ["reader"]},
    PEER_TOKEN: {"user": "peer1", "roles": ["peer"]},
}


def server_config(tmp_path: Path, **overrides: Any) -> ServerConfig:
    data: dict[str, Any] = {
        "server_name": "test-server", "listen": "127.0.0.1:0", "data_dir": str(tmp_path / "data"),
        "auth": {"tokens": TOKENS}, "shutdown_grace_seconds": 0.5,
    }
    data.update(overrides)
    return ServerConfig.model_validate(data)


class Stubs:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.channel = channel
        self.mcs = mcs_grpc.MetadataCollectionServiceStub(channel)
        self.types = ts_grpc.TypeServiceStub(channel)
        self.admin = admin_grpc.ServerAdminServiceStub(channel)


@asynccontextmanager
async def running(tmp_path: Path, **overrides: Any) -> AsyncIterator[ServerApp]:
    async with ServerApp(server_config(tmp_path, **overrides)) as app:
        yield app


@asynccontextmanager
async def client(app: ServerApp, token: str | None = ADMIN_TOKEN) -> AsyncIterator[Stubs]:
    async with connect(app.address, token) as channel:
        yield Stubs(channel)


async def rpc_error(call: Awaitable[Any]) -> CohoRpcError:
    """Await a call that must fail; return its decoded error."""
    try:
        await call
    except grpc.aio.AioRpcError as err:
        return from_rpc_error(err)
    raise AssertionError("the call succeeded")


async def expect(code: grpc.StatusCode, reason: str, call: Awaitable[Any]) -> CohoRpcError:
    err = await rpc_error(call)
    assert err.code == code, err
    assert err.reason == reason, err
    return err



@asynccontextmanager
async def served_with_repository(
    tmp_path: Path, token: str = ADMIN_TOKEN
) -> AsyncIterator[tuple[grpc.aio.Channel, Any]]:
    """A real ServerApp (auth included) plus its Repository, for tests that arrange state in-process and then
    drive the services over gRPC as the token's user ("alice" for the admin token)."""
    async with running(tmp_path) as app, connect(app.address, token) as channel:
        assert app.runtime is not None
        yield channel, app.runtime.repository
