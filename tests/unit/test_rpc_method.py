"""@rpc_method on a real in-process grpc.aio server, decoded with coho.client.errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import grpc.aio
import pytest

from coho.client import connect
from coho.client.errors import CohoRpcError, from_rpc_error, translate_errors
from coho.server import errors as e
from coho.server.rpc.errors import INTERNAL_REASON, require, rpc_method

SERVICE = "test.Errors"


class Handlers:
    @rpc_method
    async def NotFound(self, request: bytes, context: Any) -> bytes:
        raise e.not_found("EntityDetail", request.decode())

    @rpc_method
    async def Ok(self, request: bytes, context: Any) -> bytes:
        return request.upper()

    @rpc_method
    async def Crash(self, request: bytes, context: Any) -> bytes:
        raise RuntimeError("secret path /etc/shadow")

    @rpc_method
    async def SelfAbort(self, request: bytes, context: Any) -> bytes:
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "not yours")
        return b""

    @rpc_method
    async def Invalid(self, request: bytes, context: Any) -> bytes:
        from grpc_health.v1 import health_pb2

        require(health_pb2.HealthCheckRequest(), "service")
        return b""

    @rpc_method
    async def Stream(self, request: bytes, context: Any) -> AsyncIterator[bytes]:
        yield b"one"
        yield b"two"
        raise e.Conflict(message="version moved", metadata={"current_version": 7})

    @rpc_method
    async def Metadata(self, request: bytes, context: Any) -> bytes:
        return dict(context.invocation_metadata()).get("authorization", "").encode()

    @rpc_method
    async def EchoStream(self, request_iterator: Any, context: Any) -> AsyncIterator[bytes]:
        async for item in request_iterator:
            yield item


@pytest.fixture
async def address() -> AsyncIterator[str]:
    h = Handlers()
    unary = {n: grpc.unary_unary_rpc_method_handler(getattr(h, n))
             for n in ("NotFound", "Ok", "Crash", "SelfAbort", "Invalid", "Metadata")}
    unary["Stream"] = grpc.unary_stream_rpc_method_handler(h.Stream)
    unary["EchoStream"] = grpc.stream_stream_rpc_method_handler(h.EchoStream)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, unary),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield f"127.0.0.1:{port}"
    await server.stop(0)


async def call(address: str, method: str, request: bytes = b"") -> bytes:
    async with connect(address) as channel:
        return await channel.unary_unary(f"/{SERVICE}/{method}")(request, timeout=5)  # type: ignore[no-any-return]


async def failure(address: str, method: str, request: bytes = b"") -> CohoRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(address, method, request)
    return from_rpc_error(caught.value)


async def test_success_passes_through(address: str) -> None:
    assert await call(address, "Ok", b"abc") == b"ABC"


async def test_domain_error_maps_to_status_with_details(address: str) -> None:
    err = await failure(address, "NotFound", b"guid-1")
    assert err.code == grpc.StatusCode.NOT_FOUND
    assert err.reason == "ENTITY_DETAIL_NOT_FOUND"
    assert err.domain == "coho"
    assert err.resource == ("EntityDetail", "guid-1")
    assert err.metadata["resource_name"] == "guid-1"
    assert "guid-1" in err.message


async def test_unexpected_exception_is_internal_without_leaking(
    address: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="coho.rpc"):
        err = await failure(address, "Crash")
    assert err.code == grpc.StatusCode.INTERNAL
    assert err.reason == INTERNAL_REASON
    assert "secret" not in err.message and "shadow" not in str(err)
    error_id = err.metadata["error_id"]
    logged = [r for r in caplog.records if getattr(r, "error_id", None) == error_id]
    assert logged and logged[0].exc_info is not None


async def test_handler_abort_is_not_rewrapped(address: str) -> None:
    err = await failure(address, "SelfAbort")
    assert (err.code, err.message) == (grpc.StatusCode.PERMISSION_DENIED, "not yours")


async def test_require_gives_invalid_argument_with_field_violations(address: str) -> None:
    err = await failure(address, "Invalid")
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.reason == "MISSING_FIELD"
    assert err.fields == ["service"]


async def test_server_stream_error_after_messages(address: str) -> None:
    received = []
    async with connect(address) as channel:
        with pytest.raises(CohoRpcError) as caught, translate_errors():
            async for item in channel.unary_stream(f"/{SERVICE}/Stream")(b"", timeout=5):
                received.append(item)
    assert received == [b"one", b"two"]
    assert caught.value.code == grpc.StatusCode.ABORTED
    assert caught.value.reason == "VERSION_CONFLICT"
    assert caught.value.metadata == {"current_version": "7"}


async def test_connect_sends_bearer_token_on_unary_and_bidi(address: str) -> None:
    async with connect(address, token="s3cret-token") as channel:
        got = await channel.unary_unary(f"/{SERVICE}/Metadata")(b"", timeout=5)
        assert got == b"Bearer s3cret-token"
        call = channel.stream_stream(f"/{SERVICE}/EchoStream")(timeout=5)
        await call.write(b"x")
        assert await call.read() == b"x"
        await call.done_writing()


def test_rpc_method_rejects_sync_functions() -> None:
    with pytest.raises(TypeError):
        rpc_method(lambda request, context: None)
