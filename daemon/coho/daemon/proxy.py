"""The daemon's access-service proxy for connectors in other languages (DESIGN §7).

A remote connector calls the ordinary access-service stubs (DataManagerService, AssetManagerService, ...)
addressed to the daemon. Its token names the connector (``connector:`` pin); the proxy forwards each call's
raw bytes to the access server over the daemon's channel (the daemon's connector token), adding the same
tags a Python connector's :class:`~coho.daemon.tagging.TaggedStub` adds: connector id, current refresh id,
metadata source and userId override. Forwarding bytes rather than messages keeps the proxy generic (every
method of these services, present and future) and costs no re-encoding.

Every forwarded call declares the connector's permitted synchronization; the access server refuses writes
against it with PERMISSION_DENIED SYNC_DIRECTION_FORBIDDEN and audit-logs them, exactly as for the Python
context, and the refusal is relayed to the connector with its details.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import grpc
import grpc.aio

from coho.access.v1 import (
    asset_manager_service_pb2,
    data_manager_service_pb2,
    governance_engine_service_pb2,
    out_topic_service_pb2,
    stewardship_action_service_pb2,
)
from coho.server.errors import CohoError, PermissionDenied
from coho.server.rpc.auth import (
    CONNECTOR_ID_KEY,
    METADATA_SOURCE_KEY,
    PERMITTED_SYNC_KEY,
    READ_ONLY_METHODS,
    REFRESH_ID_KEY,
    USER_ID_KEY,
)
from coho.server.rpc.errors import to_grpc_status
from coho.server.rpc.identity import current_caller

if TYPE_CHECKING:
    from coho.daemon.host import ConnectorHost
    from coho.daemon.runner import ConnectorRunner

log = logging.getLogger("coho.daemon.proxy")

_MODULES = (data_manager_service_pb2, asset_manager_service_pb2, stewardship_action_service_pb2,
            governance_engine_service_pb2, out_topic_service_pb2)
PROXIED_SERVICES = frozenset(
    service.full_name for module in _MODULES for service in module.DESCRIPTOR.services_by_name.values())
# Trailers grpc itself owns; everything else (notably grpc-status-details-bin, coho's rich errors) is
# handed back to the connector unchanged.
_RESERVED_TRAILERS = frozenset({"grpc-status", "grpc-message"})


def proxied_methods() -> dict[str, tuple[str, str, bool, bool]]:
    """``/pkg.Service/Method`` -> (service, method, client_streaming, server_streaming)."""
    methods: dict[str, tuple[str, str, bool, bool]] = {}
    for module in _MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                methods[f"/{service.full_name}/{method.name}"] = (
                    service.full_name, method.name, method.client_streaming, method.server_streaming)
    return methods


def is_proxied(method: str) -> bool:
    return method.lstrip("/").partition("/")[0] in PROXIED_SERVICES


class AccessProxy(grpc.GenericRpcHandler):
    """Serves the access services on the daemon by forwarding to the access server; see the module doc."""

    def __init__(self, host: Callable[[], ConnectorHost]) -> None:
        # A callable because the connector host only exists once the daemon has started.
        self._host = host
        self._methods = proxied_methods()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        entry = self._methods.get(str(handler_call_details.method))
        if entry is None:
            return None
        service, method, client_streaming, server_streaming = entry
        full = f"/{service}/{method}"
        if client_streaming and server_streaming:
            return grpc.stream_stream_rpc_method_handler(self._stream_stream(full, service, method))
        if client_streaming:
            return grpc.stream_unary_rpc_method_handler(self._stream_unary(full, service, method))
        if server_streaming:
            return grpc.unary_stream_rpc_method_handler(self._unary_stream(full, service, method))
        return grpc.unary_unary_rpc_method_handler(self._unary_unary(full, service, method))

    # -- the four call shapes --------------------------------------------------------------------------
    def _unary_unary(self, full: str, service: str, method: str) -> Any:
        async def handle(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            metadata = await self._admit(context, service, method)
            call = self._host().channel.unary_unary(full)
            try:
                return bytes(await call(request, metadata=metadata, timeout=context.time_remaining()))
            except grpc.aio.AioRpcError as err:
                await _relay_error(context, err)
                raise  # unreachable: abort raises

        return handle

    def _stream_unary(self, full: str, service: str, method: str) -> Any:
        async def handle(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> bytes:
            metadata = await self._admit(context, service, method)
            call = self._host().channel.stream_unary(full)
            try:
                return bytes(await call(requests, metadata=metadata, timeout=context.time_remaining()))
            except grpc.aio.AioRpcError as err:
                await _relay_error(context, err)
                raise

        return handle

    def _unary_stream(self, full: str, service: str, method: str) -> Any:
        async def handle(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
            metadata = await self._admit(context, service, method)
            call = self._host().channel.unary_stream(full)(
                request, metadata=metadata, timeout=context.time_remaining())
            async for item in _relayed(call, context):
                yield item

        return handle

    def _stream_stream(self, full: str, service: str, method: str) -> Any:
        async def handle(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
            metadata = await self._admit(context, service, method)
            call = self._host().channel.stream_stream(full)(
                requests, metadata=metadata, timeout=context.time_remaining())
            async for item in _relayed(call, context):
                yield item

        return handle

    # -- identity and enforcement ------------------------------------------------------------------------
    async def _admit(self, context: grpc.aio.ServicerContext, service: str, method: str) -> list[tuple[str, str]]:
        """The connector's tags for this call, or abort (unknown connector, forbidden direction)."""
        try:
            runner = self._runner()
            write = method not in READ_ONLY_METHODS.get(service, frozenset())
            refresh_id = runner.tracker.refreshing or runner.tracker.window.refresh_id
            if write:
                # Counted so the runner queries the change log for this refresh's report (see RefreshTracker).
                runner.tracker.writes[refresh_id] += 1
            return connector_tags(runner, refresh_id)
        except CohoError as err:
            await context.abort_with_status(to_grpc_status(err))
            raise  # unreachable: abort raises

    def _runner(self) -> ConnectorRunner:
        pinned = current_caller().connector_id
        host = self._host()
        found = host.runners.get(pinned) or next(
            (r for r in host.runners.values() if r.connector_id == pinned), None)
        if found is None:
            raise PermissionDenied(message=f"connector {pinned!r} is not hosted by this daemon",
                                   reason="CONNECTOR_NOT_HOSTED", metadata={"connector": pinned})
        return found


def connector_tags(runner: ConnectorRunner, refresh_id: str) -> list[tuple[str, str]]:
    identity = runner.identity()
    tags = [(CONNECTOR_ID_KEY, identity.connector_id), (REFRESH_ID_KEY, refresh_id)]
    if identity.metadata_source:
        tags.append((METADATA_SOURCE_KEY, identity.metadata_source))
    if identity.user_overridden:
        tags.append((USER_ID_KEY, identity.user_id))
    tags.append((PERMITTED_SYNC_KEY, identity.permitted_synchronization.value))
    return tags


async def _relayed(call: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
    try:
        async for item in call:
            yield bytes(item)
    except grpc.aio.AioRpcError as err:
        await _relay_error(context, err)


async def _relay_error(context: grpc.aio.ServicerContext, err: grpc.aio.AioRpcError) -> None:
    """Answer with the access server's status, details trailer included, so clients see coho's errors."""
    trailers = tuple((key, value) for key, value in (err.trailing_metadata() or ())
                     if key not in _RESERVED_TRAILERS)
    await context.abort(err.code(), err.details() or "", trailers)
