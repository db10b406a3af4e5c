"""In-process ServerApp / DaemonApp on 127.0.0.1:0: health, reflection, UNIMPLEMENTED, drain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc

from coho.client import connect
from coho.daemon.app import DAEMON_PACKAGES, DaemonApp
from coho.daemon.config import DaemonConfig
from coho.server.app import SERVER_PACKAGES, ServerApp
from coho.server.commands.status import list_services
from coho.server.config import ServerConfig
from coho.server.rpc.hosting import HostedApp, discover_services

pytestmark = pytest.mark.integration

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

# Binding service names from DESIGN §3: tests and ops scripts call these.
REQUIRED_SERVER_SERVICES = {
    "coho.omrs.v1.MetadataCollectionService",
    "coho.omrs.v1.TypeService",
    "coho.omrs.v1.CohortService",
    "coho.access.v1.OutTopicService",
    "coho.admin.v1.ServerAdminService",
}
REQUIRED_DAEMON_SERVICES = {
    "coho.integration.v1.IntegrationDaemonService",
    "coho.integration.v1.ConnectorHostService",
}


TOKEN = "skeleton-admin-token"


def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig.model_validate({
        "listen": "127.0.0.1:0", "data_dir": str(tmp_path / "data"), "shutdown_grace_seconds": 1,
        "auth": {"tokens": {TOKEN: {"user": "admin", "roles": ["admin", "peer"]}}}})


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ServerApp]:
    async with ServerApp(server_config(tmp_path)) as app:
        yield app


@pytest.fixture
async def daemon() -> AsyncIterator[DaemonApp]:
    config = DaemonConfig.model_validate({"listen": "127.0.0.1:0", "shutdown_grace_seconds": 1,
                                          "auth": {"tokens": {TOKEN: {"user": "admin", "roles": ["admin"]}}}})
    async with DaemonApp(config) as app:
        yield app


async def health_status(address: str, service: str = "") -> int:
    async with connect(address) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=5)
        return int(response.status)


async def call_unimplemented(channel: grpc.aio.Channel, method: MethodDescriptor) -> grpc.StatusCode:
    """Call one RPC with an empty message, whatever its streaming shape; return the status."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    shape = (method.client_streaming, method.server_streaming)
    # Explicit, because grpc.aio registers a multi-kind client interceptor for unary-unary calls only.
    auth = (("authorization", f"Bearer {TOKEN}"),)
    call: Any
    try:
        if shape == (False, False):
            await channel.unary_unary(path)(b"", timeout=5, metadata=auth)
        elif shape == (False, True):
            call = channel.unary_stream(path)(b"", timeout=5, metadata=auth)
            await call.read()
        elif shape == (True, False):
            await channel.stream_unary(path)(iter([b""]), timeout=5, metadata=auth)
        else:
            call = channel.stream_stream(path)(iter([b""]), timeout=5, metadata=auth)
            await call.read()
    except grpc.aio.AioRpcError as err:
        return err.code()
    return grpc.StatusCode.OK


async def assert_all_unimplemented(app: HostedApp) -> None:
    async with connect(app.address, TOKEN) as channel:
        for spec in app.host.services:
            for method in spec.descriptor.methods:
                code = await call_unimplemented(channel, method)
                assert code == grpc.StatusCode.UNIMPLEMENTED, f"{spec.full_name}/{method.name}: {code}"


async def test_server_is_serving_with_all_services(server: ServerApp) -> None:
    assert server.port > 0
    expected = {s.full_name for s in discover_services(SERVER_PACKAGES)}
    assert expected >= REQUIRED_SERVER_SERVICES
    assert set(server.host.service_names) == expected
    assert await health_status(server.address) == SERVING
    for name in expected:
        assert await health_status(server.address, name) == SERVING


async def test_reflection_lists_every_service(server: ServerApp) -> None:
    async with connect(server.address) as channel:
        listed = set(await list_services(channel, 5))
    assert listed == {*server.host.service_names, "grpc.health.v1.Health",
                      "grpc.reflection.v1alpha.ServerReflection"}


async def test_every_server_rpc_answers_unimplemented_without_factories(tmp_path: Path) -> None:
    # With no service factories every RPC is the generated base's UNIMPLEMENTED (to an authenticated caller).
    async with ServerApp(server_config(tmp_path), service_factories=[]) as app:
        await assert_all_unimplemented(app)


async def test_daemon_serves_integration_services(daemon: DaemonApp) -> None:
    assert set(daemon.host.service_names) >= REQUIRED_DAEMON_SERVICES
    assert {s.full_name for s in discover_services(DAEMON_PACKAGES)} == set(daemon.host.service_names)
    assert await health_status(daemon.address) == SERVING
    # Every daemon RPC is implemented: the admin service answers the admin token, and Attach refuses a token
    # that names no remote connector (PERMISSION_DENIED) rather than answering UNIMPLEMENTED.
    async with connect(daemon.address, TOKEN) as channel:
        for spec in daemon.host.services:
            for method in spec.descriptor.methods:
                code = await call_unimplemented(channel, method)
                assert code != grpc.StatusCode.UNIMPLEMENTED, f"{method.full_name}: {code}"
                if spec.full_name == "coho.integration.v1.ConnectorHostService":
                    assert code == grpc.StatusCode.PERMISSION_DENIED, f"{method.full_name}: {code}"


async def test_stop_turns_health_not_serving_before_closing(tmp_path: Path) -> None:
    app = ServerApp(server_config(tmp_path))
    await app.start()
    async with connect(app.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        watch = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert (await watch.read()).status == SERVING
        await app.stop(grace=1)
        assert (await watch.read()).status == NOT_SERVING
    assert app.host.health._server_status[""] == NOT_SERVING


async def test_health_is_not_serving_while_starting(tmp_path: Path) -> None:
    seen: list[int] = []

    class SlowStart(ServerApp):
        async def on_starting(self) -> None:
            seen.append(await health_status(self.address))

    async with SlowStart(server_config(tmp_path)) as app:
        assert seen == [NOT_SERVING]
        assert await health_status(app.address) == SERVING


async def test_data_dir_is_created(tmp_path: Path) -> None:
    async with ServerApp(server_config(tmp_path)):
        assert (tmp_path / "data").is_dir()


async def test_real_servicer_overrides_base(tmp_path: Path) -> None:
    admin = next(s for s in discover_services(SERVER_PACKAGES)
                 if s.full_name == "coho.admin.v1.ServerAdminService")
    status_method = admin.descriptor.methods_by_name["GetServerStatus"]
    response_class = _message_class(status_method.output_type)

    class Admin(admin.servicer_class):  # type: ignore[misc,name-defined]
        async def GetServerStatus(self, request: Any, context: Any) -> Any:
            return response_class()

    app = ServerApp(server_config(tmp_path), servicers={admin.full_name: Admin()})
    async with app, connect(app.address, TOKEN) as channel:
        got = await channel.unary_unary(f"/{admin.full_name}/GetServerStatus")(b"", timeout=5)
        assert got == b""  # an empty response, not UNIMPLEMENTED
        other = next(m for m in admin.descriptor.methods if m.name != "GetServerStatus")
        assert await call_unimplemented(channel, other) == grpc.StatusCode.UNIMPLEMENTED


def test_servicer_override_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown services"):
        ServerApp(server_config(tmp_path), servicers={"coho.nope.v1.NopeService": object()})
    with pytest.raises(TypeError, match="must subclass"):
        ServerApp(server_config(tmp_path), servicers={"coho.admin.v1.ServerAdminService": object()})


async def test_port_clash_is_reported(server: ServerApp, tmp_path: Path) -> None:
    clash = ServerConfig(listen=server.address, data_dir=tmp_path / "other")
    with pytest.raises(OSError, match="cannot listen"):
        await ServerApp(clash).start()


def _message_class(descriptor: Any) -> Any:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


def slow_admin(delay: float) -> tuple[str, Any]:
    admin = next(s for s in discover_services(SERVER_PACKAGES)
                 if s.full_name == "coho.admin.v1.ServerAdminService")
    response_class = _message_class(admin.descriptor.methods_by_name["GetServerStatus"].output_type)

    class SlowAdmin(admin.servicer_class):  # type: ignore[misc,name-defined]
        async def GetServerStatus(self, request: Any, context: Any) -> Any:
            await asyncio.sleep(delay)
            return response_class()

    return admin.full_name, SlowAdmin()


async def test_in_flight_call_finishes_within_grace(tmp_path: Path) -> None:
    name, servicer = slow_admin(0.5)
    app = ServerApp(server_config(tmp_path), servicers={name: servicer})
    await app.start()
    async with connect(app.address, TOKEN) as channel:
        call = asyncio.ensure_future(channel.unary_unary(f"/{name}/GetServerStatus")(b"", timeout=10))
        await asyncio.sleep(0.1)
        await app.stop(grace=5)
        assert await call == b""


async def test_second_stop_cuts_grace_short(tmp_path: Path) -> None:
    name, servicer = slow_admin(60)
    app = ServerApp(server_config(tmp_path), servicers={name: servicer})
    await app.start()
    async with connect(app.address, TOKEN) as channel:
        call = asyncio.ensure_future(channel.unary_unary(f"/{name}/GetServerStatus")(b"", timeout=30))
        await asyncio.sleep(0.1)
        graceful = asyncio.ensure_future(app.stop(grace=30))
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        await app.stop(grace=0)
        await asyncio.wait_for(graceful, 5)
        assert asyncio.get_running_loop().time() - started < 5
        with pytest.raises(grpc.aio.AioRpcError):
            await call
