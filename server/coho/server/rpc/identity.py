"""The authenticated caller of the current RPC.

The auth interceptor resolves the bearer token (and, for the connector role, the ``x-coho-*`` tags) once per
call and stores the result here; servicers read it with :func:`current_caller` and pass it to the core. A
contextvar rather than a servicer argument keeps every handler signature the one grpc generates, and each
aio call runs in its own task, so values never leak between calls.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from coho.server.errors import Unauthenticated
from coho.server.repository.api import Caller

Role = str
"""One of "admin", "connector", "reader", "peer"."""


@dataclass(frozen=True)
class Identity:
    """A resolved token: the core's Caller plus the roles that authorize RPCs."""

    caller: Caller
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


_current: contextvars.ContextVar[Identity | None] = contextvars.ContextVar("coho_identity", default=None)


def set_identity(identity: Identity | None) -> contextvars.Token[Identity | None]:
    return _current.set(identity)


def reset_identity(token: contextvars.Token[Identity | None]) -> None:
    _current.reset(token)


def current_identity() -> Identity:
    """The caller's identity; raises Unauthenticated when no interceptor resolved one (a wiring bug or a call
    that bypassed auth), so a handler can never act as an anonymous user by accident."""
    identity = _current.get()
    if identity is None:
        raise Unauthenticated(message="no authenticated caller for this call", reason="NO_CREDENTIALS")
    return identity


def current_caller() -> Caller:
    return current_identity().caller
