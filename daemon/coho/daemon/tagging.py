"""What every connector call carries, and the permitted-synchronization gate in front of it.

The daemon talks to its access server over ONE channel with ONE connector-role token. A connector's calls
are told apart by metadata the server records in its change log: ``x-coho-connector-id``,
``x-coho-refresh-id``, ``x-coho-metadata-source`` and, for a userId override, ``x-coho-user-id`` (which the
token must be allowed to act as). :class:`TaggedStub` adds them to every call of a generated stub, so a
connector uses the ordinary stubs and cannot forget them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import grpc

from coho.client.errors import CohoRpcError, from_rpc_error
from coho.daemon.config import PermittedSynchronization
from coho.server.errors import PermissionDenied
from coho.server.rpc.auth import (
    CONNECTOR_ID_KEY,
    IDENTITY_HEADERS,
    METADATA_SOURCE_KEY,
    PERMITTED_SYNC_KEY,
    READ_ONLY_METHODS,
    REFRESH_ID_KEY,
    USER_ID_KEY,
)

log = logging.getLogger("coho.daemon.context")

# The refresh a piece of connector code runs in. The daemon runs each refresh() in a task whose context
# sets it, so calls made by tasks the refresh spawns inherit it; code outside a refresh (listeners,
# engage threads) sees None and is credited to the connector's event window instead.
CURRENT_REFRESH: ContextVar[str | None] = ContextVar("coho_current_refresh", default=None)

SYNC_FORBIDDEN = "SYNC_DIRECTION_FORBIDDEN"

def new_refresh_id() -> str:
    return f"refresh-{uuid.uuid4().hex}"


def new_window_id() -> str:
    return f"events-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class ConnectorIdentity:
    connector_id: str
    connector_name: str
    daemon_name: str
    # The userId the server credits: the override, or the daemon's user.
    user_id: str
    # True when user_id is an override that must travel as x-coho-user-id.
    user_overridden: bool
    metadata_source: str
    permitted_synchronization: PermittedSynchronization


@dataclass
class EventWindow:
    """Event-driven work between refreshes is tagged with a synthetic refresh id, one window at a time."""

    refresh_id: str
    start: float
    after_sequence: int = 0
    """The change-log head when the window opened (see reports.RefreshSpan.after_sequence)."""


class RefreshTracker:
    """The connector's current refresh id and how many writes were made under each id.

    Counting writes lets the daemon skip the change-log query for refreshes that wrote nothing, which is
    most of them; a write that was attempted may still have changed nothing (the server decides).
    """

    def __init__(self) -> None:
        self.window = EventWindow(new_window_id(), time.time())
        self.writes: Counter[str] = Counter()
        self.refreshing: str | None = None

    def current(self) -> str:
        return CURRENT_REFRESH.get() or self.window.refresh_id

    def note_write(self) -> None:
        self.writes[self.current()] += 1

    def take_writes(self, refresh_id: str) -> int:
        return self.writes.pop(refresh_id, 0)

    def rotate_window(self, after_sequence: int = 0) -> EventWindow:
        """Close the current event window and open a new one, whose writes all come after change-log sequence
        ``after_sequence``; returns the closed one."""
        closed, self.window = self.window, EventWindow(new_window_id(), time.time(), after_sequence)
        return closed


class TaggedStub:
    """A generated stub whose every call carries the connector's identity and refresh id.

    Every call declares the connector's permitted synchronization, and the server refuses writes against it
    and audit-logs the refusal (one enforcement point for Python and remote connectors alike); such a refusal
    surfaces here as :class:`PermissionDenied` (SYNC_DIRECTION_FORBIDDEN) and ``on_denied`` counts it.
    Other server errors surface as :class:`coho.client.errors.CohoRpcError`.
    """

    def __init__(self, stub: Any, service: str, identity: ConnectorIdentity, tracker: RefreshTracker,
                 on_denied: Callable[[str], None] | None = None) -> None:
        self._stub = stub
        self._service = service
        self._identity = identity
        self._tracker = tracker
        self._on_denied = on_denied
        self._read_only = READ_ONLY_METHODS.get(service, frozenset())

    def metadata(self) -> list[tuple[str, str]]:
        ident = self._identity
        tags = [(CONNECTOR_ID_KEY, ident.connector_id), (REFRESH_ID_KEY, self._tracker.current())]
        if ident.metadata_source:
            tags.append((METADATA_SOURCE_KEY, ident.metadata_source))
        if ident.user_overridden:
            tags.append((USER_ID_KEY, ident.user_id))
        tags.append((PERMITTED_SYNC_KEY, ident.permitted_synchronization.value))
        return tags

    def is_write(self, method: str) -> bool:
        return method not in self._read_only

    def _forbidden(self, method: str, err: CohoRpcError) -> PermissionDenied:
        """The server's refusal of a write against the permitted synchronization, as the SDK reports it."""
        full = f"/{self._service}/{method}"
        ident = self._identity
        log.warning("permitted synchronization forbids this write", extra={
            "connector": ident.connector_name, "method": full, "user": ident.user_id})
        if self._on_denied is not None:
            self._on_denied(full)
        return PermissionDenied(message=err.message, reason=SYNC_FORBIDDEN,
                                metadata={"connector": ident.connector_name, "method": full})

    def __getattr__(self, method: str) -> Any:
        call = getattr(self._stub, method)
        unary_request = not method.startswith("Listen")

        def invoke(request: Any, **kwargs: Any) -> Any:
            extra = list(kwargs.get("metadata") or ())
            _refuse_identity_headers(self._identity, extra)
            if self.is_write(method):
                self._tracker.note_write()
            kwargs["metadata"] = [*self.metadata(), *extra]
            result = call(request, **kwargs)
            if unary_request and _is_awaitable_call(result):
                return _translated(result, lambda err: self._forbidden(method, err))
            return result

        return invoke


def _refuse_identity_headers(identity: ConnectorIdentity, metadata: list[tuple[str, Any]]) -> None:
    """A connector's own metadata may not carry identity headers: the daemon's token is shared by all its
    connectors, so a tag (or a second bearer token) from connector code would let it act as another."""
    for key, _value in metadata:
        if key.lower() in IDENTITY_HEADERS:
            raise PermissionDenied(
                message=f"connector {identity.connector_name!r} may not set the {key.lower()} header; the daemon "
                "sets the connector's identity", reason="CONNECTOR_TAGS_NOT_ALLOWED",
                metadata={"connector": identity.connector_name, "header": key.lower()})


def _is_awaitable_call(result: Any) -> bool:
    # Unary-unary aio calls are awaitable; streaming calls are async-iterable and handled by their users.
    return hasattr(result, "__await__") and not hasattr(result, "__aiter__")


async def _translated(call: Any, forbidden: Callable[[CohoRpcError], PermissionDenied]) -> Any:
    try:
        return await call
    except grpc.RpcError as err:
        error = from_rpc_error(err)
        if error.reason == SYNC_FORBIDDEN:
            raise forbidden(error) from err
        raise error from err
