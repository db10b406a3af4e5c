"""Builders shared by the Data Manager and Asset Manager tests (test-only)."""

from __future__ import annotations

from coho.access.v1 import data_manager_service_pb2 as dm


def folder(name: str, parent: str = "") -> dm.DataElement:
    return dm.DataElement(qualified_name=name, display_name=name.rsplit("/", 1)[-1], parent_qualified_name=parent,
                          folder=dm.FolderElement(path_name=name))


def file(name: str, parent: str, size: int = 10) -> dm.DataElement:
    base = name.rsplit("/", 1)[-1]
    return dm.DataElement(qualified_name=name, display_name=base, parent_qualified_name=parent,
                          file=dm.FileElement(path_name=name, file_name=base, file_extension="csv", file_type="CSV",
                                              size_bytes=size))


def database_tree(db: str = "db") -> list[dm.DataElement]:
    return [
        dm.DataElement(qualified_name=db, database=dm.DatabaseElement(database_type="SQLite", path_name="/x.db")),
        dm.DataElement(qualified_name=f"{db}.main", parent_qualified_name=db, schema=dm.DatabaseSchemaElement()),
        dm.DataElement(qualified_name=f"{db}.main.t", parent_qualified_name=f"{db}.main",
                       table=dm.TableElement(is_view=True, view_definition="select 1")),
        dm.DataElement(qualified_name=f"{db}.main.t.id", parent_qualified_name=f"{db}.main.t",
                       column=dm.ColumnElement(data_type="INTEGER", position=1, is_primary_key=True)),
        dm.DataElement(qualified_name=f"{db}.main.t.name", parent_qualified_name=f"{db}.main.t",
                       column=dm.ColumnElement(data_type="TEXT", position=2, is_nullable=True, max_length=40,
                                               default_value="'x'")),
    ]


# -- a bare grpc.aio server with the access servicers, for the integration tests and the bench -----------
import contextlib  # noqa: E402 - kept with the harness it serves
from collections.abc import AsyncIterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import grpc  # noqa: E402
import grpc.aio  # noqa: E402

from coho.server.repository import Repository  # noqa: E402
from coho.server.repository.api import Caller  # noqa: E402
from coho.server.rpc.identity import Identity, reset_identity, set_identity  # noqa: E402
from coho.server.services.asset_manager import asset_manager_servicer  # noqa: E402
from coho.server.services.data_manager import data_manager_servicer  # noqa: E402
from coho.server.store import open_sqlite_store  # noqa: E402
from coho.server.types import TypeRegistry  # noqa: E402


class TestIdentityInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Test-only stand-in for the auth interceptor: user from ``x-test-user``, connector tags as sent."""

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        meta = dict(details.invocation_metadata or ())
        identity = Identity(
            caller=Caller(user_id=meta.get("x-test-user", "tester"), connector_id=meta.get("x-coho-connector-id", ""),
                          metadata_source=meta.get("x-coho-metadata-source", "")),
            roles=frozenset({"admin"}),
        )
        inner = handler.unary_unary

        async def with_identity(request: Any, context: Any) -> Any:
            token = set_identity(identity)
            try:
                return await inner(request, context)
            finally:
                reset_identity(token)

        return grpc.unary_unary_rpc_method_handler(
            with_identity, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


class Runtime:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.store = repository.store
        self.types = repository.types


@contextlib.asynccontextmanager
async def access_server(data_dir: Path) -> AsyncIterator[tuple[str, Repository]]:
    """A real grpc.aio server on 127.0.0.1:0 with the Data and Asset Manager servicers on real SQLite."""
    from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
    from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc

    store = open_sqlite_store(data_dir)
    repository = Repository(store, TypeRegistry.with_builtin_types(), metadata_collection_name="home")
    runtime = Runtime(repository)
    server = grpc.aio.server(interceptors=[TestIdentityInterceptor()],
                             options=[("grpc.max_receive_message_length", 64 << 20)])
    _, dm_servicer = data_manager_servicer(runtime)
    _, am_servicer = asset_manager_servicer(runtime)
    dm_grpc.add_DataManagerServiceServicer_to_server(dm_servicer, server)
    am_grpc.add_AssetManagerServiceServicer_to_server(am_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}", repository
    finally:
        await server.stop(None)
        await store.close()
