"""Domain errors raised by the coho core.

The core (store, types, cohort logic) never imports grpc: it raises these, and the one
error map in :mod:`coho.server.rpc.errors` turns them into gRPC status codes with
``google.rpc.Status`` details. Keeping the map in one place is what lets every service
answer the same way for the same problem (DESIGN §3).

Each error carries a stable ``reason`` (UPPER_SNAKE) that clients may switch on; the
``message`` is for humans and may change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_REASON_RE = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")

FieldViolation = tuple[str, str]
"""(field path, description), e.g. ``("entity.guid", "must not be empty")``."""

Resource = tuple[str, str]
"""(resource type, resource name), e.g. ``("EntityDetail", "<guid>")``."""


class CohoError(Exception):
    """Base class of every error the core reports to callers.

    Subclasses fix the category (and so the gRPC status code); ``reason`` narrows it.
    """

    default_reason = "COHO_ERROR"

    def __init__(
        self,
        *,
        message: str,
        reason: str | None = None,
        metadata: Mapping[str, object] | None = None,
        field_violations: Iterable[FieldViolation] = (),
        resource: Resource | None = None,
    ) -> None:
        super().__init__(message)
        self.reason: str = reason or self.default_reason
        if not _REASON_RE.match(self.reason):
            # Reasons are API: a typo here would silently break client code that
            # switches on them, so fail loudly at the raise site instead.
            raise ValueError(f"error reason must be UPPER_SNAKE_CASE, got {self.reason!r}")
        self.message: str = message
        # ErrorInfo metadata is map<string, string> on the wire; convert once here.
        self.metadata: dict[str, str] = {k: str(v) for k, v in (metadata or {}).items()}
        self.field_violations: list[FieldViolation] = list(field_violations)
        self.resource: Resource | None = resource

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructors defeat Exception's default pickling (which replays
        # ``args`` positionally); errors may cross process boundaries, so rebuild by keyword.
        return (_rebuild, (type(self), self.__dict__.copy()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, message={self.message!r})"


class InvalidArgument(CohoError):
    """The request is malformed or a field is invalid, independent of server state."""

    default_reason = "INVALID_ARGUMENT"


class NotFound(CohoError):
    """An element (usually a GUID) is not known."""

    default_reason = "NOT_FOUND"


class AlreadyExists(CohoError):
    """A create collided with an existing element."""

    default_reason = "ALREADY_EXISTS"


class Conflict(CohoError):
    """Optimistic concurrency failed (e.g. a stale version); the client may re-read and retry."""

    default_reason = "VERSION_CONFLICT"


class FailedPrecondition(CohoError):
    """The system is not in a state that allows the operation (unknown type, home rule, ...)."""

    default_reason = "FAILED_PRECONDITION"


class OutOfRange(CohoError):
    """A position (e.g. a change-log sequence) is outside what is retained."""

    default_reason = "OUT_OF_RANGE"


class ResourceExhausted(CohoError):
    """The server is overloaded or a per-caller bound was hit."""

    default_reason = "RESOURCE_EXHAUSTED"


class Unauthenticated(CohoError):
    """Missing or bad credentials."""

    default_reason = "UNAUTHENTICATED"


class PermissionDenied(CohoError):
    """The caller is authenticated but may not do this."""

    default_reason = "PERMISSION_DENIED"


class Unavailable(CohoError):
    """The server is draining or a dependency is down; retry elsewhere or later."""

    default_reason = "UNAVAILABLE"


def not_found(resource_type: str, name: str, *, message: str | None = None) -> NotFound:
    """The canonical "unknown GUID" error, with ResourceInfo attached."""
    return NotFound(
        message=message or f"{resource_type} {name} not found",
        reason=f"{_upper_snake(resource_type)}_NOT_FOUND",
        resource=(resource_type, name),
        metadata={"resource_type": resource_type, "resource_name": name},
    )


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_").replace(".", "_")


def _rebuild(cls: type[CohoError], state: dict[str, object]) -> CohoError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err
