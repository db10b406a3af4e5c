"""Decode coho's rich gRPC errors into one Python exception.

coho servers put a ``google.rpc.Status`` in the ``grpc-status-details-bin`` trailer with
``ErrorInfo`` (stable ``reason``, ``domain="coho"``, ``metadata``), ``BadRequest`` field
violations and ``ResourceInfo``. :class:`CohoRpcError` exposes them as attributes, so
tests and connectors switch on ``err.reason`` instead of parsing messages::

    with translate_errors():
        await stub.GetEntity(request)
    # -> raises CohoRpcError(code=NOT_FOUND, reason="ENTITY_NOT_FOUND", resource=(...))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"


class CohoRpcError(Exception):
    """A failed coho RPC with its decoded status details."""

    def __init__(
        self,
        *,
        code: grpc.StatusCode,
        message: str,
        reason: str | None = None,
        domain: str | None = None,
        metadata: dict[str, str] | None = None,
        field_violations: list[tuple[str, str]] | None = None,
        resource: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {reason + ': ' if reason else ''}{message}")
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata = metadata or {}
        self.field_violations = field_violations or []
        self.resource = resource

    @property
    def fields(self) -> list[str]:
        """The names of the fields that were rejected, in order."""
        return [field for field, _ in self.field_violations]


def _trailing_metadata(err: grpc.RpcError) -> list[tuple[str, Any]]:
    trailers = getattr(err, "trailing_metadata", None)
    found = trailers() if callable(trailers) else None
    return list(found or ())


def _code(err: grpc.RpcError) -> grpc.StatusCode:
    code = getattr(err, "code", None)
    value = code() if callable(code) else None
    return value if isinstance(value, grpc.StatusCode) else grpc.StatusCode.UNKNOWN


def _details(err: grpc.RpcError) -> str:
    details = getattr(err, "details", None)
    text = details() if callable(details) else None
    return str(text or "")


def from_rpc_error(err: grpc.RpcError) -> CohoRpcError:
    """Decode a grpc error (sync ``grpc.RpcError`` or ``grpc.aio.AioRpcError``)."""
    result = CohoRpcError(code=_code(err), message=_details(err))
    for key, value in _trailing_metadata(err):
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            _apply_status(result, status_pb2.Status.FromString(value))
    return result


def _apply_status(result: CohoRpcError, status: status_pb2.Status) -> None:
    result.message = status.message or result.message
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        res = error_details_pb2.ResourceInfo()
        # Unpack returns False when the Any holds another type; unknown details are skipped.
        if detail.Unpack(info):
            result.reason, result.domain, result.metadata = info.reason, info.domain, dict(info.metadata)
        elif detail.Unpack(bad):
            result.field_violations.extend((v.field, v.description) for v in bad.field_violations)
        elif detail.Unpack(res):
            result.resource = (res.resource_type, res.resource_name)
    reason = f"{result.reason}: " if result.reason else ""
    result.args = (f"{result.code.name}: {reason}{result.message}",)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise any ``grpc.RpcError`` inside the block as :class:`CohoRpcError`."""
    try:
        yield
    except grpc.RpcError as err:
        raise from_rpc_error(err) from err
