"""Every RPC, as a running server and a running daemon advertise it, refuses callers it should (issue #8).

The RPCs are enumerated through gRPC server reflection (with no token: reflection and health are the only
open services) and called generically with an empty request message built from the reflected descriptor, so
a new RPC is covered the moment it is served. Authentication and the role policy must refuse before any
validation, so an empty message is enough. The expectations are written from the roles' meaning (DESIGN §8),
not read back from :mod:`coho.server.rpc.auth`, so a policy slip shows up here:

- no token, or an unknown one: UNAUTHENTICATED (NO_CREDENTIALS / BAD_CREDENTIALS), streams included;
- mutating RPCs (not Get/Find/List/Read/Verify/Query/Export/Subscribe/Listen): readers and peers are refused;
- admin RPCs (ServerAdminService but the GetServerStatus probe; the daemon's IntegrationDaemonService):
  every non-admin role is refused;
- CohortService: every non-peer token is refused;
- on the daemon, Attach and the proxied access services take only connector tokens pinned to a connector.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import grpc.aio
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from servertest import ADMIN_TOKEN, CONNECTOR_TOKEN, PEER_TOKEN, PINNED_TOKEN, READER_TOKEN, running
from unit.daemon.daemontest import DAEMON_ADMIN, DAEMON_READER, daemon_with_server

from coho.client import connect
from coho.daemon.proxy import PROXIED_SERVICES
from coho.server.store.audit_sqlite import AuditQuery

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

Code = grpc.StatusCode
OPEN_SERVICES = ("grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection")
READ_PREFIXES = ("Get", "Find", "List", "Read", "Verify", "Query", "Export", "Subscribe", "Listen")
# An Out Topic subscription is the caller's own read position, not metadata: readers may delete theirs.
NOT_MUTATING = frozenset({"coho.access.v1.OutTopicService/DeleteSubscription"})
ADMIN_SERVICES = frozenset({"coho.admin.v1.ServerAdminService", "coho.integration.v1.IntegrationDaemonService"})
OPEN_TO_ALL_ROLES = frozenset({"coho.admin.v1.ServerAdminService/GetServerStatus"})
COHORT_SERVICE = "coho.omrs.v1.CohortService"
ATTACH = "coho.integration.v1.ConnectorHostService/Attach"
WRONG_TOKEN = "wrong-token-0123456789"

DAEMON_PEER = "daemon-peer-token-123"
DAEMON_CONNECTOR = "daemon-plain-connector-1"
DAEMON_PINNED = "daemon-pinned-connector-1"
DAEMON_TOKENS = {
    DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]},
    DAEMON_READER: {"user": "viewer", "roles": ["reader"]},
    DAEMON_PEER: {"user": "peerish", "roles": ["peer"]},
    DAEMON_CONNECTOR: {"user": "unpinned", "roles": ["connector"]},
    DAEMON_PINNED: {"user": "node", "roles": ["connector"], "connector": "node-sync"},
}


@dataclass(frozen=True)
class Rpc:
    service: str
    name: str
    client_streaming: bool
    server_streaming: bool
    request: bytes

    @property
    def key(self) -> str:
        return f"{self.service}/{self.name}"

    @property
    def mutating(self) -> bool:
        return not self.name.startswith(READ_PREFIXES) and self.key not in NOT_MUTATING

    @property
    def admin_only(self) -> bool:
        return self.service in ADMIN_SERVICES and self.key not in OPEN_TO_ALL_ROLES


def _reflect(address: str, only: frozenset[str] | None = None) -> tuple[list[str], list[Rpc]]:
    """Every service the server lists, and every method of those (or of ``only``), from reflection alone."""
    with grpc.insecure_channel(address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = sorted(database.get_services())
        pool = descriptor_pool.DescriptorPool(database)
        rpcs: list[Rpc] = []
        for name in (sorted(only) if only is not None else services):
            service = pool.FindServiceByName(name)
            for method in service.methods:
                request = message_factory.GetMessageClass(method.input_type)()
                rpcs.append(Rpc(name, method.name, method.client_streaming, method.server_streaming,
                                request.SerializeToString()))
        return services, rpcs


async def reflect(address: str, only: frozenset[str] | None = None) -> tuple[list[str], list[Rpc]]:
    # The reflection client is synchronous; the server under test runs on this event loop.
    return await asyncio.to_thread(_reflect, address, only)


def _reason(trailers: grpc.aio.Metadata | None) -> str:
    for key, value in trailers or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason
    return ""


async def invoke(channel: grpc.aio.Channel, rpc: Rpc,
                 metadata: list[tuple[str, str]]) -> tuple[grpc.StatusCode, str]:
    """Call one RPC with raw bytes (no serializers); return its status code and coho ErrorInfo reason."""
    path = f"/{rpc.key}"

    def requests() -> Iterator[bytes]:
        yield rpc.request

    call: grpc.aio.Call
    if rpc.client_streaming and rpc.server_streaming:
        call = channel.stream_stream(path)(requests(), metadata=metadata, timeout=10)
    elif rpc.client_streaming:
        call = channel.stream_unary(path)(requests(), metadata=metadata, timeout=10)
    elif rpc.server_streaming:
        call = channel.unary_stream(path)(rpc.request, metadata=metadata, timeout=10)
    else:
        call = channel.unary_unary(path)(rpc.request, metadata=metadata, timeout=10)
    code = await call.code()
    return code, _reason(await call.trailing_metadata()) or (await call.details() or "")


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


async def expect_all(channel: grpc.aio.Channel, rpcs: list[Rpc], metadata: list[tuple[str, str]],
                     code: grpc.StatusCode, reasons: set[str]) -> None:
    results = await asyncio.gather(*(invoke(channel, rpc, metadata) for rpc in rpcs))
    wrong = {rpc.key: result for rpc, result in zip(rpcs, results, strict=True)
             if result[0] != code or result[1] not in reasons}
    assert not wrong, f"expected {code.name} {sorted(reasons)}: {wrong}"


async def check_anonymous_and_wrong_tokens(channel: grpc.aio.Channel, rpcs: list[Rpc]) -> None:
    await expect_all(channel, rpcs, [], Code.UNAUTHENTICATED, {"NO_CREDENTIALS"})
    await expect_all(channel, rpcs, bearer(WRONG_TOKEN), Code.UNAUTHENTICATED, {"BAD_CREDENTIALS"})
    # Another scheme with a valid token, and an empty bearer, are not credentials either.
    await expect_all(channel, rpcs, [("authorization", f"Basic {ADMIN_TOKEN}")], Code.UNAUTHENTICATED,
                     {"BAD_CREDENTIALS"})
    await expect_all(channel, rpcs, [("authorization", "Bearer ")], Code.UNAUTHENTICATED,
                     {"BAD_CREDENTIALS", "NO_CREDENTIALS"})


async def check_open_services_need_no_token(address: str, services: list[str]) -> None:
    assert set(OPEN_SERVICES) <= set(services)
    async with connect(address) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


DENIED = {"ROLE_NOT_ALLOWED"}


async def test_every_server_rpc_refuses_missing_wrong_and_under_privileged_tokens(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        services, every = await reflect(app.address)
        rpcs = [rpc for rpc in every if rpc.service not in OPEN_SERVICES]
        await check_open_services_need_no_token(app.address, services)
        # The reflected surface is the whole server: every coho area and the cohort stream are there.
        assert {"coho.omrs.v1.MetadataCollectionService", "coho.omrs.v1.TypeService", COHORT_SERVICE,
                "coho.access.v1.OutTopicService", "coho.admin.v1.ServerAdminService"} <= set(services)
        assert len(rpcs) > 50 and any(r.client_streaming for r in rpcs) and any(r.server_streaming for r in rpcs)
        mutating = [r for r in rpcs if r.mutating]
        admin_only = [r for r in rpcs if r.admin_only]
        cohort = [r for r in rpcs if r.service == COHORT_SERVICE]
        assert mutating and admin_only and cohort

        async with connect(app.address) as channel:
            await check_anonymous_and_wrong_tokens(channel, rpcs)
            await expect_all(channel, mutating, bearer(READER_TOKEN), Code.PERMISSION_DENIED, DENIED)
            # Peers replicate (CohortService) and read; they never write through the other services.
            peer_writes = [r for r in mutating if r.service != COHORT_SERVICE]
            await expect_all(channel, peer_writes, bearer(PEER_TOKEN), Code.PERMISSION_DENIED, DENIED)
            for token in (READER_TOKEN, CONNECTOR_TOKEN, PINNED_TOKEN, PEER_TOKEN):
                await expect_all(channel, admin_only, bearer(token), Code.PERMISSION_DENIED, DENIED)
            for token in (ADMIN_TOKEN, CONNECTOR_TOKEN, PINNED_TOKEN, READER_TOKEN):
                await expect_all(channel, cohort, bearer(token), Code.PERMISSION_DENIED, DENIED)

        # Each refusal is a SECURITY audit record; none of them holds a token.
        assert app.runtime is not None
        records = app.runtime.audit.query(AuditQuery(limit=100_000))
        assert {"NO_CREDENTIALS", "BAD_CREDENTIALS", "ROLE_NOT_ALLOWED"} <= {r.action for r in records}
        for record in records:
            text = repr(record)
            for secret in (WRONG_TOKEN, ADMIN_TOKEN, READER_TOKEN, PEER_TOKEN, CONNECTOR_TOKEN, PINNED_TOKEN):
                assert secret not in text


async def test_every_daemon_rpc_refuses_missing_wrong_and_under_privileged_tokens(tmp_path: Path) -> None:
    remote = {"name": "node-sync", "entry_point": "remote", "refresh_interval_seconds": 3600}
    async with daemon_with_server(tmp_path, [remote], auth={"tokens": DAEMON_TOKENS}) as daemon:
        services, own = await reflect(daemon.address)
        await check_open_services_need_no_token(daemon.address, services)
        assert {"coho.integration.v1.IntegrationDaemonService", "coho.integration.v1.ConnectorHostService"} \
            <= set(services)
        # The proxied access services are served by a generic handler that reflection does not list; their
        # descriptors come from the access server's reflection, and they are called on the daemon.
        _, proxied = await reflect(daemon.connectors.config.server.address, PROXIED_SERVICES)
        rpcs = [rpc for rpc in own if rpc.service not in OPEN_SERVICES] + proxied
        admin_only = [r for r in rpcs if r.admin_only]
        connector_only = [r for r in rpcs if r.key == ATTACH or r.service in PROXIED_SERVICES]
        assert admin_only and len(connector_only) == len(proxied) + 1
        assert len(admin_only) + len(connector_only) == len(rpcs), "an RPC of an unknown kind on the daemon"

        async with connect(daemon.address) as channel:
            await check_anonymous_and_wrong_tokens(channel, rpcs)
            for token in (DAEMON_READER, DAEMON_PEER, DAEMON_CONNECTOR, DAEMON_PINNED):
                await expect_all(channel, admin_only, bearer(token), Code.PERMISSION_DENIED, DENIED)
            for token in (DAEMON_ADMIN, DAEMON_READER, DAEMON_PEER, DAEMON_CONNECTOR):
                await expect_all(channel, connector_only, bearer(token), Code.PERMISSION_DENIED, DENIED)
        # Nothing refused reached a connector.
        runner = daemon.connectors.runner("node-sync")
        assert not runner.info().attached and runner.state.refresh_count == 0
