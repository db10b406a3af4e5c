"""Request → core argument helpers shared by the servicers (no I/O, no grpc)."""

from __future__ import annotations

import base64
from typing import Any, TypeVar

from google.protobuf import timestamp_pb2

from coho.omrs.v1 import common_pb2
from coho.server.rpc.errors import invalid
from coho.server.store.base import HistoryQuery

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


def ms_or_none(message: object, field: str) -> int | None:
    """A Timestamp field as epoch ms, or None when unset (proto3 presence), for as_of / from / to."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    ts: timestamp_pb2.Timestamp = getattr(message, field)
    try:
        return int(ts.ToMilliseconds())
    except ValueError as exc:  # seconds beyond years 1..9999 or nanos out of range: the caller's mistake
        raise invalid(field, f"not a valid timestamp ({exc})", reason="INVALID_TIMESTAMP") from exc


def timestamp(ms: int) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromMilliseconds(ms)
    return ts


def page_size(value: int, *, default: int = 100, maximum: int = MAX_PAGE_SIZE) -> int:
    """0 means the default; negative or above the maximum is a caller error, never a silent cut."""
    if value < 0 or value > maximum:
        raise invalid("page_size", f"must be 0..{maximum}")
    return value or default


def offset_token(token: str) -> int:
    """Offset paging for in-memory lists (types): the token is an opaque base64 offset."""
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise invalid("page_token", "not a token this server issued", reason="BAD_PAGE_TOKEN") from None
    if offset < 0:
        raise invalid("page_token", "not a token this server issued", reason="BAD_PAGE_TOKEN")
    return offset


def offset_page(items: list[T], size: int, token: str) -> tuple[list[T], str]:
    start = offset_token(token)
    end = start + size
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else ""
    return items[start:end], next_token


def history_query(request: object, page: int, token: str) -> HistoryQuery:
    """GetEntityHistory / GetRelationshipHistory request → HistoryQuery."""
    order = request.order  # type: ignore[attr-defined]
    return HistoryQuery(
        guid=request.guid,  # type: ignore[attr-defined]
        from_ms=ms_or_none(request, "from_time"),
        to_ms=ms_or_none(request, "to_time"),
        backwards=order == common_pb2.HISTORY_SEQUENCING_ORDER_BACKWARDS,
        page_size=page_size(page),
        page_token=token,
    )


def sequencing_or_none(message: object, field: str = "sequencing") -> common_pb2.Sequencing | None:
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    value: common_pb2.Sequencing = getattr(message, field)
    return value


def present(message: object, field: str) -> Any:
    """The sub-message when set, else None (the core treats None as "no filter")."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    return getattr(message, field)
