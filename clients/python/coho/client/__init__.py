"""Python client helpers for coho: channels with bearer-token auth, decoded errors.

The generated stubs live beside this package (``coho.omrs.v1``, ``coho.access.v1``,
``coho.integration.v1``, ``coho.admin.v1``)::

    from coho.client import connect
    from coho.admin.v1 import admin_pb2, admin_pb2_grpc

    async with connect("127.0.0.1:50051", token=TOKEN) as channel:
        stub = admin_pb2_grpc.ServerAdminServiceStub(channel)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from coho.client.errors import CohoRpcError, from_rpc_error, translate_errors

__all__ = ["ClientTls", "CohoRpcError", "connect", "from_rpc_error", "translate_errors"]

DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ClientTls:
    """TLS for a client channel. All fields optional: ``ClientTls()`` uses the system roots."""

    ca_cert: Path | None = None
    client_cert: Path | None = None  # with client_key: mutual TLS
    client_key: Path | None = None
    server_name: str | None = None  # override the name checked against the certificate

    def credentials(self) -> grpc.ChannelCredentials:
        def read(path: Path | None) -> bytes | None:
            return Path(path).read_bytes() if path else None

        return grpc.ssl_channel_credentials(
            root_certificates=read(self.ca_cert),
            private_key=read(self.client_key),
            certificate_chain=read(self.client_cert),
        )


class _BearerHeader:
    """Adds ``authorization: Bearer <token>`` to a call's metadata.

    An interceptor rather than call credentials: grpc refuses call credentials on
    plaintext channels, and local development runs plaintext on 127.0.0.1.
    """

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        if "authorization" not in metadata:
            metadata.add(*self._header)
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )


# grpc.aio files each interceptor under the FIRST of the four kinds it subclasses, so one class
# implementing all four would only ever see unary-unary calls; hence one class per call kind.
class _UnaryUnaryAuth(_BearerHeader, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _UnaryStreamAuth(_BearerHeader, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _StreamUnaryAuth(_BearerHeader, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)


class _StreamStreamAuth(_BearerHeader, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)


def _bearer_interceptors(token: str) -> list[grpc.aio.ClientInterceptor]:
    return [_UnaryUnaryAuth(token), _UnaryStreamAuth(token), _StreamUnaryAuth(token), _StreamStreamAuth(token)]


def connect(
    address: str,
    token: str | None = None,
    tls: ClientTls | bool | None = None,
    *,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    options: list[tuple[str, Any]] | None = None,
) -> grpc.aio.Channel:
    """Open an aio channel to a coho server or daemon.

    ``token`` is sent as ``authorization: Bearer`` on every call. ``tls`` may be ``True``
    (system roots), a :class:`ClientTls`, or ``None``/``False`` for plaintext.
    Use as ``async with connect(...) as channel`` or close it with ``await channel.close()``.
    """
    channel_options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.keepalive_time_ms", 60_000),
        *(options or []),
    ]
    interceptors = _bearer_interceptors(token) if token else None
    if tls:
        settings = tls if isinstance(tls, ClientTls) else ClientTls()
        if settings.server_name:
            channel_options.append(("grpc.ssl_target_name_override", settings.server_name))
        return grpc.aio.secure_channel(
            address, settings.credentials(), options=channel_options, interceptors=interceptors
        )
    return grpc.aio.insecure_channel(address, options=channel_options, interceptors=interceptors)
