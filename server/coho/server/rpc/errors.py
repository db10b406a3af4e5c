"""The one error map: domain errors -> gRPC status + ``google.rpc.Status`` details.

Every servicer method is wrapped with :func:`rpc_method`, so a handler body is just
"validate -> call the core"; it never builds a status by hand (DESIGN §3, §11).

- A :class:`~coho.server.errors.CohoError` becomes its mapped status code, with
  ``ErrorInfo(reason, domain="coho", metadata)``, ``BadRequest`` field violations and
  ``ResourceInfo`` packed into the ``grpc-status-details-bin`` trailer.
- Anything else is a bug: it is logged with its traceback and answered as INTERNAL with
  reason ``INTERNAL_ERROR`` and an ``error_id`` to find the log line. Its message is never
  sent, because unexpected exception text can leak paths, SQL or secrets.
"""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, TypeVar, cast

import grpc
import grpc.aio
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from coho.server import errors as e

DOMAIN = "coho"
INTERNAL_REASON = "INTERNAL_ERROR"

log = logging.getLogger("coho.rpc")

STATUS_CODES: dict[type[e.CohoError], grpc.StatusCode] = {
    e.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    e.NotFound: grpc.StatusCode.NOT_FOUND,
    e.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    e.Conflict: grpc.StatusCode.ABORTED,
    e.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    e.OutOfRange: grpc.StatusCode.OUT_OF_RANGE,
    e.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    e.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    e.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    e.Unavailable: grpc.StatusCode.UNAVAILABLE,
}


def status_code_for(err: e.CohoError) -> grpc.StatusCode:
    """The status code of a domain error; subclasses inherit their parent's code."""
    for cls in type(err).__mro__:
        code = STATUS_CODES.get(cls)
        if code is not None:
            return code
    # A bare CohoError names no category: treat as a server-side fault, but keep its
    # reason and message because it was raised deliberately.
    return grpc.StatusCode.INTERNAL


MAX_ECHOED_CHARS = 200
"""Longest caller-supplied text an error repeats back. The details travel in a trailer, which grpc caps
(8 KiB by default): echoing a 100 KB GUID would turn a precise INVALID_ARGUMENT / NOT_FOUND into an
anonymous RESOURCE_EXHAUSTED raised by grpc itself."""

MAX_FIELD_VIOLATIONS = 20
"""A batch with thousands of bad elements reports the first ones only, for the same reason."""


def _clip(text: str, limit: int = MAX_ECHOED_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def to_status_proto(err: e.CohoError) -> status_pb2.Status:
    """Build the ``google.rpc.Status`` for a domain error, with every echoed value clipped."""
    code = status_code_for(err)
    status = status_pb2.Status(code=code.value[0], message=_clip(err.message, 4 * MAX_ECHOED_CHARS))
    metadata = {_clip(k): _clip(v) for k, v in err.metadata.items()}
    violations = err.field_violations[:MAX_FIELD_VIOLATIONS]
    if len(err.field_violations) > len(violations):
        metadata["field_violations_total"] = str(len(err.field_violations))
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=err.reason, domain=DOMAIN, metadata=metadata))
    if violations:
        bad = error_details_pb2.BadRequest()
        for field, description in violations:
            bad.field_violations.add(field=_clip(field), description=_clip(description))
        status.details.add().Pack(bad)
    if err.resource is not None:
        rtype, rname = err.resource
        status.details.add().Pack(
            error_details_pb2.ResourceInfo(resource_type=_clip(rtype), resource_name=_clip(rname))
        )
    return status


def to_grpc_status(err: e.CohoError) -> grpc.Status:
    """The ``grpc.Status`` (code, message, details trailer) for ``context.abort_with_status``."""
    return rpc_status.to_status(to_status_proto(err))


def internal_status(error_id: str) -> grpc.Status:
    status = status_pb2.Status(code=grpc.StatusCode.INTERNAL.value[0], message=f"internal error {error_id}")
    status.details.add().Pack(
        error_details_pb2.ErrorInfo(reason=INTERNAL_REASON, domain=DOMAIN, metadata={"error_id": error_id})
    )
    return rpc_status.to_status(status)


async def abort_for(exc: Exception, context: grpc.aio.ServicerContext, method: str) -> NoReturn:
    """Terminate the RPC with the status that ``exc`` maps to. Always raises."""
    if isinstance(exc, grpc.aio.AbortError):
        # The handler (or an interceptor) already chose a status with context.abort().
        raise exc
    if isinstance(exc, e.CohoError):
        log.info("rpc error", extra={"method": method, "code": status_code_for(exc).name,
                                     "reason": exc.reason})
        await context.abort_with_status(to_grpc_status(exc))
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error in rpc handler", exc_info=exc,
              extra={"method": method, "error_id": error_id})
    await context.abort_with_status(internal_status(error_id))
    raise AssertionError("unreachable: abort_with_status always raises")  # pragma: no cover


F = TypeVar("F", bound=Callable[..., Any])


def rpc_method(fn: F) -> F:
    """Wrap an aio servicer handler so errors go through the one error map.

    Works for coroutine handlers (unary / client-streaming) and async-generator handlers
    (server-streaming / bidi), as methods ``(self, request, context)`` or plain functions
    ``(request, context)``: the context is always the last positional argument.
    """
    name = fn.__qualname__
    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def stream_wrapper(*args: Any) -> AsyncIterator[Any]:
            try:
                async for item in fn(*args):
                    yield item
            except Exception as exc:
                await abort_for(exc, args[-1], name)

        return cast(F, stream_wrapper)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def unary_wrapper(*args: Any) -> Any:
            try:
                return await cast(Callable[..., Awaitable[Any]], fn)(*args)
            except Exception as exc:
                await abort_for(exc, args[-1], name)

        return cast(F, unary_wrapper)
    raise TypeError(f"@rpc_method needs an async def or async generator, got {fn!r}")


def invalid(field: str, description: str, *, reason: str = "INVALID_FIELD") -> e.InvalidArgument:
    """An INVALID_ARGUMENT error for one bad field: ``raise invalid("page_size", "must be >= 0")``."""
    return e.InvalidArgument(
        message=f"{field}: {description}",
        reason=reason,
        field_violations=[(field, description)],
        metadata={"field": field},
    )


def require(request: Message, *fields: str) -> None:
    """Raise INVALID_ARGUMENT (reason ``MISSING_FIELD``) listing every absent field.

    Fields are dotted paths (``"entity.header.guid"``). A field is absent when it is an
    unset message / ``optional`` field, an empty repeated or map field, or a scalar
    with its proto3 default (``""``, ``0``, ``false``, the ``*_UNSPECIFIED`` enum value).
    A path that names no field of the message is a programming error (ValueError).
    """
    missing = [path for path in fields if not _is_present(request, path)]
    if missing:
        raise e.InvalidArgument(
            message="missing required field" + ("s: " if len(missing) > 1 else ": ") + ", ".join(missing),
            reason="MISSING_FIELD",
            field_violations=[(path, "is required") for path in missing],
            metadata={"fields": ",".join(missing)},
        )


def _is_present(message: Message, path: str) -> bool:
    current: Any = message
    for name in path.split("."):
        descriptor = current.DESCRIPTOR.fields_by_name.get(name)
        if descriptor is None:
            raise ValueError(f"{current.DESCRIPTOR.full_name} has no field {name!r} (path {path!r})")
        if _is_repeated(descriptor):
            if len(getattr(current, name)) == 0:
                return False
        elif descriptor.has_presence:
            if not current.HasField(name):
                return False
        elif not getattr(current, name):
            return False
        current = getattr(current, name)
    return True


def _is_repeated(descriptor: Any) -> bool:
    # FieldDescriptor.label is deprecated in newer protobuf releases in favour of is_repeated.
    is_repeated = getattr(descriptor, "is_repeated", None)
    if is_repeated is not None:
        return bool(is_repeated)
    return bool(descriptor.label == descriptor.LABEL_REPEATED)


# -- requests that do not decode --------------------------------------------------------------------------------
class _Undecodable:
    """Stands in for a request whose bytes did not parse, so the guarded handler can refuse it properly."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def undecodable_error(error: Exception) -> e.InvalidArgument:
    return e.InvalidArgument(message=f"the request message does not decode: {error}", reason="MALFORMED_REQUEST")


class _UndecodableStream(e.InvalidArgument):
    """Raised from a guarded request stream; a CohoError, so :func:`rpc_method` maps it too."""

    def __init__(self, error: Exception) -> None:
        bad = undecodable_error(error)
        super().__init__(message=bad.message, reason=bad.reason)
        self.error = error


class DecodeErrorGuard(grpc.aio.ServerInterceptor):
    """Answers INVALID_ARGUMENT (reason ``MALFORMED_REQUEST``) for request bytes that do not parse.

    Without it grpc.aio answers UNKNOWN "Unexpected DecodeError" before any handler runs: for corrupt wire
    bytes, invalid UTF-8 in a string field, or a message nested past protobuf's recursion limit (100). The
    deserializer cannot abort (it has no context), so it hands the handler a marker instead.
    """

    async def intercept_service(self, continuation: Callable[[Any], Awaitable[Any]], details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        decode = handler.request_deserializer

        def deserialize(raw: bytes) -> Any:
            try:
                return decode(raw)
            except Exception as exc:  # DecodeError, and RecursionError for deep nesting in pure-python protobuf
                return _Undecodable(exc)

        return _rebuild(handler, deserialize)


def _rebuild(handler: Any, deserialize: Callable[[bytes], Any]) -> Any:
    out = handler.response_serializer
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(_unary(handler.unary_unary), deserialize, out)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(_unary_streaming(handler.unary_stream), deserialize, out)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(_streaming(handler.stream_unary), deserialize, out)
    return grpc.stream_stream_rpc_method_handler(_streaming_streaming(handler.stream_stream), deserialize, out)


async def _refuse(error: Exception, context: grpc.aio.ServicerContext) -> NoReturn:
    await context.abort_with_status(to_grpc_status(undecodable_error(error)))
    raise AssertionError("unreachable: abort_with_status always raises")  # pragma: no cover


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        if isinstance(request, _Undecodable):
            raise _UndecodableStream(request.error)
        yield request


async def _call(behavior: Callable[..., Any], *args: Any) -> Any:
    # The generated base servicer's methods (UNIMPLEMENTED) are plain functions, not coroutines.
    result = behavior(*args)
    return await result if inspect.isawaitable(result) else result


async def _responses(result: Any) -> AsyncIterator[Any]:
    if hasattr(result, "__aiter__"):
        async for item in result:
            yield item
    else:
        for item in result:
            yield item


def _unary(behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
        if isinstance(request, _Undecodable):
            await _refuse(request.error, context)
        return await _call(behavior, request, context)

    return guarded


def _unary_streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
    if _writes_itself(behavior):
        # A coroutine that answers through context.write (grpc's health Watch does): the wrapper must be one
        # too, as grpc.aio refuses a handler that both yields and writes.
        async def writing(request: Any, context: grpc.aio.ServicerContext) -> None:
            if isinstance(request, _Undecodable):
                await _refuse(request.error, context)
            await behavior(request, context)

        return writing

    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        if isinstance(request, _Undecodable):
            await _refuse(request.error, context)
        async for response in _responses(behavior(request, context)):
            yield response

    return guarded


def _streaming(behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def guarded(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
        try:
            return await _call(behavior, _checked(requests), context)
        except _UndecodableStream as exc:
            await _refuse(exc.error, context)

    return guarded


def _streaming_streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
    if _writes_itself(behavior):
        async def writing(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> None:
            try:
                await behavior(_checked(requests), context)
            except _UndecodableStream as exc:
                await _refuse(exc.error, context)

        return writing

    async def guarded(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for response in _responses(behavior(_checked(requests), context)):
                yield response
        except _UndecodableStream as exc:
            await _refuse(exc.error, context)

    return guarded


def _writes_itself(behavior: Callable[..., Any]) -> bool:
    """A streaming handler written as a coroutine (answers through context.write), not an async generator."""
    function = getattr(behavior, "__func__", behavior)
    return inspect.iscoroutinefunction(function) and not inspect.isasyncgenfunction(function)
