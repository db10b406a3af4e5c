"""Sequencing orders and opaque page tokens.

Paging is keyset paging: a token holds the sort key and GUID of the last row a page covered, and the next
page starts strictly after it. Unlike offsets, this stays stable while other callers insert or delete, and
it lets a bounded scan (regex) stop anywhere and resume exactly there. A token also carries a fingerprint
of its query, so replaying it against a different query is refused rather than silently misread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from coho.omrs.v1 import common_pb2
from coho.server.errors import InvalidArgument
from coho.server.store.base import InstanceFilter

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

KeyValue = int | float | str | bytes | None
"""A sort-key value as SQLite returns it; b"" stands for 'no value' (sorts after every value)."""

_SO = common_pb2.SequencingOrder


@dataclass(frozen=True)
class Order:
    """A resolved sequencing: which key, which direction. GUID always breaks ties (in the same direction)."""

    key: str  # "guid" | "create_time" | "update_time" | "property"
    descending: bool = False
    property_name: str = ""


_ORDERS = {
    _SO.SEQUENCING_ORDER_UNSPECIFIED: Order("guid"),
    _SO.SEQUENCING_ORDER_GUID: Order("guid"),
    _SO.SEQUENCING_ORDER_CREATION_DATE_RECENT: Order("create_time", descending=True),
    _SO.SEQUENCING_ORDER_CREATION_DATE_OLDEST: Order("create_time"),
    _SO.SEQUENCING_ORDER_LAST_UPDATE_RECENT: Order("update_time", descending=True),
    _SO.SEQUENCING_ORDER_LAST_UPDATE_OLDEST: Order("update_time"),
}


def resolve_order(sequencing: common_pb2.Sequencing | None) -> Order:
    """The Order for a Sequencing message (GUID order when none is given)."""
    if sequencing is None:
        return Order("guid")
    if sequencing.order in _ORDERS:
        return _ORDERS[sequencing.order]
    if sequencing.order in (
        _SO.SEQUENCING_ORDER_PROPERTY_ASCENDING,
        _SO.SEQUENCING_ORDER_PROPERTY_DESCENDING,
    ):
        if not sequencing.property_name:
            raise InvalidArgument(
                message="a property sequencing order needs a property name",
                reason="BAD_SEQUENCING",
                field_violations=[("sequencing.property_name", "must not be empty")],
            )
        descending = sequencing.order == _SO.SEQUENCING_ORDER_PROPERTY_DESCENDING
        return Order("property", descending=descending, property_name=sequencing.property_name)
    raise InvalidArgument(
        message=f"unknown sequencing order {sequencing.order}",
        reason="BAD_SEQUENCING",
        field_violations=[("sequencing.order", "unknown value")],
    )


def page_size_of(requested: int) -> int:
    """The effective page size: default for 0, capped at the maximum, negative refused."""
    if requested < 0:
        raise InvalidArgument(
            message=f"page_size must not be negative, got {requested}",
            reason="BAD_PAGE_SIZE",
            field_violations=[("page_size", "must not be negative")],
        )
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def fingerprint(kind: str, query: InstanceFilter) -> str:
    """A short digest of everything that shapes a result list (not page size, token or budget)."""
    digest = hashlib.blake2b(digest_size=8)
    parts: list[bytes] = [
        kind.encode(),
        repr(sorted(query.type_names)).encode() if query.type_names is not None else b"*",
        repr(sorted(query.statuses)).encode(),
        repr((query.as_of_ms, query.include_proxies, query.regex, query.entity_guid)).encode(),
    ]
    for message in (query.match_properties, query.match_classifications, query.sequencing):
        parts.append(message.SerializeToString(deterministic=True) if message is not None else b"-")
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.hexdigest()


def encode_token(fp: str, key: KeyValue, guid: str) -> str:
    """An opaque token resuming strictly after (key, guid)."""
    payload = {"f": fp, "k": None if isinstance(key, bytes) else key, "g": guid}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, fp: str) -> tuple[KeyValue, str] | None:
    """(key, guid) to resume after, or None for the first page; a bogus token is BAD_PAGE_TOKEN."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        key, guid, token_fp = payload["k"], payload["g"], payload["f"]
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise bad_token("page token is not valid") from exc
    if token_fp != fp:
        raise bad_token("page token belongs to a different query")
    if not isinstance(guid, str) or not (key is None or isinstance(key, int | float | str)):
        raise bad_token("page token is not valid")
    return (b"" if key is None else key), guid


def bad_token(message: str) -> InvalidArgument:
    return InvalidArgument(message=message, reason="BAD_PAGE_TOKEN", field_violations=[("page_token", message)])
