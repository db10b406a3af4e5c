"""The cohort transport: how a subscriber reaches a publisher. gRPC today; kept small for Kafka or NATS.

A subscription is a duplex stream of :class:`ExchangeRequest` (subscriber -> publisher) and
:class:`ExchangeResponse` (publisher -> subscriber). A federated query is one unary call to a peer's
MetadataCollectionService (:meth:`CohortTransport.query`). The rest of the cohort only sees
:class:`SubscriptionStream` and :class:`StreamError`, never grpc.

Peer channels use TLS when the server itself serves TLS (:func:`peer_client_tls`): a member that demands
TLS, or a client certificate, from its peers must offer the same when it calls them, as etcd's peer
certificates do for both directions.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import grpc
import grpc.aio

from coho.client import ClientTls, connect
from coho.client.errors import from_rpc_error
from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import cohort_service_pb2_grpc as cs_grpc
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.config import ServerConfig


class StreamError(Exception):
    """The stream failed; ``code`` is a gRPC status name ("UNAVAILABLE", ...), ``reason`` coho's reason."""

    def __init__(self, code: str, reason: str, message: str) -> None:
        super().__init__(f"{code}: {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message

    @property
    def retryable(self) -> bool:
        # Refusals that a retry cannot fix stop the subscription instead of hammering the peer.
        return self.code not in ("UNAUTHENTICATED", "PERMISSION_DENIED", "INVALID_ARGUMENT") and self.reason not in (
            "CONFLICTING_COLLECTION_ID", "UNKNOWN_COHORT")


class SubscriptionStream(Protocol):
    async def send(self, request: cs.ExchangeRequest) -> None: ...

    async def receive(self) -> cs.ExchangeResponse | None:
        """The next message; None when the publisher ended the stream cleanly. Raises StreamError."""

    async def close(self) -> None: ...


class CohortTransport(Protocol):
    def open_subscription(self, endpoint: str, token: str | None) -> SubscriptionStream: ...

    async def query(self, endpoint: str, token: str | None, method: str, request: Any, *,
                    deadline_seconds: float) -> Any:
        """Call MetadataCollectionService.``method`` at a peer; raises StreamError (DEADLINE_EXCEEDED, ...)."""

    async def close(self) -> None: ...


def _stream_error(err: grpc.aio.AioRpcError) -> StreamError:
    decoded = from_rpc_error(err)
    return StreamError(decoded.code.name, decoded.reason or "", decoded.message)


class _GrpcStream:
    def __init__(self, call: grpc.aio.StreamStreamCall) -> None:
        self._call = call

    async def send(self, request: cs.ExchangeRequest) -> None:
        try:
            await self._call.write(request)
        except grpc.aio.AioRpcError as err:
            raise _stream_error(err) from None
        except (grpc.aio.UsageError, asyncio.InvalidStateError):
            # The call already ended (e.g. refused at once): its status says why.
            code = await self._call.code()
            details = await self._call.details()
            raise StreamError(code.name, "STREAM_CLOSED", details or "the call ended") from None

    async def receive(self) -> cs.ExchangeResponse | None:
        try:
            message = await self._call.read()
        except grpc.aio.AioRpcError as err:
            raise _stream_error(err) from None
        if message is grpc.aio.EOF:
            return None
        assert isinstance(message, cs.ExchangeResponse)
        return message

    async def close(self) -> None:
        self._call.cancel()


def peer_client_tls(config: ServerConfig) -> ClientTls | None:
    """How this member calls its peers, derived from how it serves them (None: plaintext).

    Members of one cohort share a CA, so with mTLS (``tls.client_ca``) that CA verifies the peers' server
    certificates and the member presents its own certificate as its client certificate; the certificate
    therefore needs both the serverAuth and clientAuth usages (or none). With server-only TLS the peers'
    certificates are checked against the system roots and no client certificate is sent.
    """
    tls = config.tls
    if tls is None:
        return None
    if tls.client_ca is None:
        return ClientTls()
    return ClientTls(ca_cert=tls.client_ca, client_cert=tls.cert, client_key=tls.key)


class GrpcTransport:
    """One channel per (endpoint, token), reused across reconnects so backoff is grpc's, not a new socket's."""

    def __init__(self, max_message_bytes: int = 16 * 1024 * 1024, tls: ClientTls | None = None) -> None:
        self._channels: dict[tuple[str, str | None], grpc.aio.Channel] = {}
        self._max_message_bytes = max_message_bytes
        self._tls = tls

    @classmethod
    def for_server(cls, config: ServerConfig) -> GrpcTransport:
        """The transport a server with ``config`` uses: its message limit and its peer TLS settings."""
        return cls(config.max_message_bytes, tls=peer_client_tls(config))

    def open_subscription(self, endpoint: str, token: str | None) -> SubscriptionStream:
        return _GrpcStream(cs_grpc.CohortServiceStub(self._channel(endpoint, token)).Exchange())

    async def query(self, endpoint: str, token: str | None, method: str, request: Any, *,
                    deadline_seconds: float) -> Any:
        # The same channel as the subscription: a federated query costs no new connection.
        stub = mcs_grpc.MetadataCollectionServiceStub(self._channel(endpoint, token))
        try:
            return await getattr(stub, method)(request, timeout=deadline_seconds)
        except grpc.aio.AioRpcError as err:
            raise _stream_error(err) from None

    def _channel(self, endpoint: str, token: str | None) -> grpc.aio.Channel:
        key = (endpoint, token)
        channel = self._channels.get(key)
        if channel is None:
            # Dead peers are found by the heartbeat timeout, not keepalive pings (servers throttle those).
            channel = connect(endpoint, token, tls=self._tls, max_message_bytes=self._max_message_bytes, options=[
                ("grpc.initial_reconnect_backoff_ms", 200), ("grpc.max_reconnect_backoff_ms", 2_000)])
            self._channels[key] = channel
        return channel

    async def close(self) -> None:
        channels, self._channels = self._channels, {}
        for channel in channels.values():
            await channel.close()
