"""Connectors in other languages: ConnectorHostService.Attach (DESIGN §7).

A remote connector is configured like any other (entry point ``remote``) and is supervised by the same
:class:`~coho.daemon.runner.ConnectorRunner`: schedule, statuses, timeouts, backoff and reports are the
daemon's. Only the connector object differs: :class:`RemoteConnector` turns start / refresh / disconnect into
instructions on the attach stream and waits for the connector's InstructionResult. Nothing runs until the
connector attaches; when it goes away its supervisor stops (FAILED, "detached") and a new Attach resumes it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import grpc.aio

from coho.daemon.convert import connector_config_proto
from coho.daemon.proxy import AccessProxy, is_proxied
from coho.daemon.sdk import IntegrationConnector
from coho.daemon.tagging import CURRENT_REFRESH
from coho.integration.v1 import connector_host_service_pb2 as ch
from coho.integration.v1 import connector_host_service_pb2_grpc as ch_grpc
from coho.server.errors import AlreadyExists, CohoError, FailedPrecondition, InvalidArgument, PermissionDenied
from coho.server.rpc.auth import CONNECTOR, Authenticator
from coho.server.rpc.errors import to_grpc_status
from coho.server.rpc.identity import Identity, current_caller

if TYPE_CHECKING:
    from collections.abc import Callable

    from coho.daemon.host import ConnectorHost
    from coho.daemon.runner import ConnectorRunner

log = logging.getLogger("coho.daemon.remote")

SERVICE_NAME = "coho.integration.v1.ConnectorHostService"
ATTACH_METHOD = f"/{SERVICE_NAME}/Attach"
DETACHED = "detached: the remote connector closed its attach stream"


class Detached(ConnectionError):
    """The remote connector's stream ended while the daemon waited for its answer."""


class RemoteSession:
    """One attach stream: instructions out, results in."""

    def __init__(self, hello: ch.ConnectorHello) -> None:
        self.hello = hello
        self.outbound: asyncio.Queue[ch.AttachResponse | None] = asyncio.Queue()
        self.pending: dict[str, asyncio.Future[ch.InstructionResult]] = {}
        self.closed = False
        self.closed_by_peer = False
        self.last_status: ch.ConnectorStatusReport | None = None
        self._ids = itertools.count(1)

    async def instruct(self, response: ch.AttachResponse, wait_seconds: float | None) -> None:
        """Send one instruction and wait for its result; raises when it failed or the stream ended."""
        if self.closed:
            raise Detached(DETACHED)
        response.instruction_id = f"i-{next(self._ids)}"
        future: asyncio.Future[ch.InstructionResult] = asyncio.get_running_loop().create_future()
        self.pending[response.instruction_id] = future
        self.outbound.put_nowait(response)
        try:
            result = await asyncio.wait_for(future, wait_seconds)
        finally:
            self.pending.pop(response.instruction_id, None)
        if not result.ok:
            raise RuntimeError(result.error_message or f"the connector refused {response.WhichOneof('kind')}")

    async def pump(self, requests: AsyncIterator[ch.AttachRequest]) -> None:
        """Read the connector's messages until its stream ends."""
        try:
            async for request in requests:
                kind = request.WhichOneof("kind")
                if kind == "result":
                    future = self.pending.get(request.result.instruction_id)
                    if future is not None and not future.done():
                        future.set_result(request.result)
                elif kind == "status":
                    self.last_status = request.status
        except (grpc.aio.AioRpcError, asyncio.CancelledError):
            pass
        finally:
            self.close(by_peer=True)

    def close(self, *, by_peer: bool = False) -> None:
        if self.closed:
            return
        self.closed, self.closed_by_peer = True, by_peer
        for future in self.pending.values():
            if not future.done():
                future.set_exception(Detached(DETACHED))
        self.outbound.put_nowait(None)

    async def messages(self) -> AsyncIterator[ch.AttachResponse]:
        while (message := await self.outbound.get()) is not None:
            yield message


class RemoteConnector(IntegrationConnector[Any]):
    """The runner's connector object for a remote connector: each lifecycle call is an instruction."""

    def __init__(self, runner: ConnectorRunner, session: RemoteSession) -> None:
        super().__init__()
        self._runner = runner
        self._session = session

    async def start(self) -> None:
        timeout = self._runner.host.config.scheduler.start_timeout_seconds
        initialize = ch.Initialize(connector_id=self._runner.connector_id, config=connector_config_proto(self._runner))
        await self._session.instruct(ch.AttachResponse(initialize=initialize), timeout)
        await self._session.instruct(ch.AttachResponse(start=ch.Start()), timeout)

    async def refresh(self) -> None:
        refresh = ch.Refresh(refresh_id=CURRENT_REFRESH.get() or "")
        refresh.deadline.FromNanoseconds(int((time.time() + self._runner.config.effective_refresh_timeout) * 1e9))
        # The runner bounds the refresh with its own timeout and cancels this wait when it overruns.
        await self._session.instruct(ch.AttachResponse(refresh=refresh), None)

    async def disconnect(self) -> None:
        session = self._session
        # A failed start or refresh is retried on the same stream: only a stop sends Disconnect (which ends it).
        if self._runner.stopping and not session.closed:
            try:
                await session.instruct(ch.AttachResponse(disconnect=ch.Disconnect(reason="daemon request")),
                                       self._runner.host.config.scheduler.disconnect_timeout_seconds)
            finally:
                session.close()


class ConnectorHostServicer(ch_grpc.ConnectorHostServiceServicer):
    """Attach, plus the access-service proxy the attached connectors call (registered together)."""

    def __init__(self, host: Callable[[], ConnectorHost]) -> None:
        self._host = host
        self._detaching: set[asyncio.Task[None]] = set()

    def register_with(self, server: grpc.aio.Server) -> None:
        ch_grpc.add_ConnectorHostServiceServicer_to_server(self, server)
        server.add_generic_rpc_handlers((AccessProxy(self._host),))

    async def Attach(self, request_iterator: AsyncIterator[ch.AttachRequest],
                     context: grpc.aio.ServicerContext) -> AsyncIterator[ch.AttachResponse]:
        host = self._host()
        try:
            runner, session = await self._open(host, request_iterator)
        except CohoError as err:
            await context.abort_with_status(to_grpc_status(err))
            return
        reader = asyncio.create_task(session.pump(request_iterator), name=f"attach:{runner.name}")
        try:
            async for message in session.messages():
                yield message
        finally:
            reader.cancel()
            session.close(by_peer=not session.closed)
            # A task, not an await: this generator may be finishing because its call was cancelled.
            task = asyncio.ensure_future(host.detached(runner, session))
            self._detaching.add(task)
            task.add_done_callback(self._detaching.discard)

    async def _open(self, host: ConnectorHost,
                    requests: AsyncIterator[ch.AttachRequest]) -> tuple[ConnectorRunner, RemoteSession]:
        try:
            first = await anext(aiter(requests))
        except StopAsyncIteration:
            first = ch.AttachRequest()
        if first.WhichOneof("kind") != "hello" or not first.hello.connector_name:
            raise InvalidArgument(message="the first Attach message must be hello with connector_name",
                                  reason="HELLO_REQUIRED", field_violations=[("hello", "required first")])
        name = first.hello.connector_name
        runner = host.runner(name)  # NOT_FOUND when not configured
        pinned = current_caller().connector_id
        if pinned not in (name, runner.connector_id):
            raise PermissionDenied(message=f"this token is for connector {pinned!r}, not {name!r}",
                                   reason="CONNECTOR_ID_MISMATCH", metadata={"connector": name})
        if not runner.config.is_remote:
            raise FailedPrecondition(message=f"connector {name!r} is not configured as remote",
                                     reason="CONNECTOR_NOT_REMOTE", metadata={"connector": name})
        if runner.session is not None and not runner.session.closed:
            raise AlreadyExists(message=f"connector {name!r} is already attached",
                                reason="CONNECTOR_ALREADY_ATTACHED", metadata={"connector": name})
        session = RemoteSession(first.hello)
        await host.attach(runner, session)
        log.info("remote connector attached", extra={"connector": name, "language": first.hello.sdk_language})
        return runner, session


class DaemonAuthenticator(Authenticator):
    """The shared policy, plus: Attach and the proxied access calls need a connector token naming a connector.

    The server's policy would let readers call the access services' reads and only admins call unknown
    services; on the daemon both are a remote connector's own channel, so nothing else may use them.
    """

    def identify(self, method: str, metadata: Mapping[str, str]) -> Identity:
        if method != ATTACH_METHOD and not is_proxied(method):
            return super().identify(method, metadata)
        principal = self._principal(metadata.get("authorization"))
        roles = frozenset(str(role.value) for role in principal.roles)
        if CONNECTOR not in roles or not principal.connector:
            raise PermissionDenied(
                message=f"{method} needs a connector-role token naming its connector (auth.tokens connector:)",
                reason="ROLE_NOT_ALLOWED", metadata={"method": method, "user": principal.user})
        return Identity(caller=self._caller(principal, roles, metadata), roles=roles)
