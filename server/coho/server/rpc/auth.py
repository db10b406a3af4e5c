"""Bearer-token authentication, role policy and connector tags for every RPC (DESIGN §8).

One :class:`AuthInterceptor` resolves ``authorization: Bearer TOKEN`` through ``config.auth.tokens``, checks
the role policy below and wraps the method handler so the handler runs with the caller's :class:`Identity`
in the contextvar of :mod:`.identity`. Wrapping the handler (rather than setting the contextvar inside
``intercept_service``) is what guarantees the value is visible in the handler: grpc runs the interceptor
and the handler in different contexts.

Failures answer through the one error map (UNAUTHENTICATED NO_CREDENTIALS / BAD_CREDENTIALS,
PERMISSION_DENIED ROLE_NOT_ALLOWED / CONNECTOR_TAGS_NOT_ALLOWED / CONNECTOR_ID_MISMATCH / ACT_AS_NOT_ALLOWED /
DUPLICATE_IDENTITY_HEADER) and are reported to ``on_failure`` (the audit log) without the token.

An identity header (``authorization`` or an ``x-coho-*`` tag) sent twice is refused rather than resolved:
whichever copy a check reads, another reader could read the other, and that gap is how one caller passes
a check as itself and is then credited as someone else.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import grpc.aio

from coho.server.config import AuthConfig, Principal, token_fingerprint
from coho.server.errors import CohoError, InvalidArgument, PermissionDenied, Unauthenticated
from coho.server.repository.api import Caller
from coho.server.rpc.errors import to_grpc_status
from coho.server.rpc.identity import Identity, reset_identity, set_identity

ADMIN, CONNECTOR, READER, PEER = "admin", "connector", "reader", "peer"
ANY_ROLE = frozenset({ADMIN, CONNECTOR, READER, PEER})
READ_ROLES = frozenset({ADMIN, CONNECTOR, READER, PEER})
WRITE_ROLES = frozenset({ADMIN, CONNECTOR})
ADMIN_ONLY = frozenset({ADMIN})

CONNECTOR_ID_KEY = "x-coho-connector-id"
REFRESH_ID_KEY = "x-coho-refresh-id"
METADATA_SOURCE_KEY = "x-coho-metadata-source"
# Lets a daemon's one connector token credit a connector's userId override; only users listed in the
# token's ``act_as`` are accepted, so a token can never impersonate an arbitrary user.
USER_ID_KEY = "x-coho-user-id"
# A connector's permitted synchronization (Egeria's BOTH_DIRECTIONS / TO_THIRD_PARTY / FROM_THIRD_PARTY).
# The server enforces it, rather than only the daemon, so a denial is refused and audit-logged in one place
# whichever way the call came (Python context, remote connector proxy, or a hand-written client).
PERMITTED_SYNC_KEY = "x-coho-permitted-synchronization"
PERMITTED_SYNC_VALUES = frozenset({"BOTH_DIRECTIONS", "TO_THIRD_PARTY", "FROM_THIRD_PARTY"})
# Services whose writes ARE synchronization into open metadata. Stewardship and governance requests (to-dos,
# incidents, governance actions, integration groups) are not, so a TO_THIRD_PARTY connector may still raise them.
SYNC_GUARDED_SERVICES = frozenset({
    "coho.access.v1.DataManagerService",
    "coho.access.v1.AssetManagerService",
    "coho.omrs.v1.MetadataCollectionService",
})
TAG_KEYS = (CONNECTOR_ID_KEY, REFRESH_ID_KEY, METADATA_SOURCE_KEY, USER_ID_KEY, PERMITTED_SYNC_KEY)
IDENTITY_HEADERS = frozenset({"authorization", *TAG_KEYS})

# Services that never need credentials: probes and tooling must work before anyone has a token.
OPEN_SERVICE_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")

# The read-only RPCs of each service. Everything else is a write, so a new RPC is write-protected until
# someone deliberately lists it here (tests check every Get/Find/List/Read name is listed).
READ_ONLY_METHODS: dict[str, frozenset[str]] = {
    "coho.omrs.v1.MetadataCollectionService": frozenset({
        "GetMetadataCollectionId", "GetEntity", "GetEntityProxy", "GetEntityHistory", "FindEntities",
        "FindEntitiesByPropertyValue", "GetRelationship", "GetRelationshipHistory", "FindRelationships",
        "FindRelationshipsByPropertyValue", "GetRelationshipsForEntity", "GetEntityNeighborhood",
        "GetRelatedEntities", "GetLinkingEntities", "ReadChangeLog",
    }),
    "coho.omrs.v1.TypeService": frozenset({
        "ListTypeDefs", "ListAttributeTypeDefs", "GetTypeDef", "GetAttributeTypeDef", "VerifyTypeDef",
        "ExportArchive",
    }),
    # Subscriptions are the caller's own position in the event stream, not metadata: readers manage them.
    "coho.access.v1.OutTopicService": frozenset({"Subscribe", "Listen", "ListSubscriptions",
                                                 "DeleteSubscription"}),
    "coho.access.v1.DataManagerService": frozenset({"GetElement", "ListChildren", "FindElements"}),
    "coho.access.v1.AssetManagerService": frozenset({
        "GetElementByExternalIdentifier", "GetExternalIdentifiers", "ListExternalSourceElements",
    }),
    "coho.access.v1.StewardshipActionService": frozenset({"GetToDo", "ListToDos", "ListIncidentReports"}),
    "coho.access.v1.GovernanceEngineService": frozenset({
        "ListGovernanceActionRequests", "GetIntegrationGroup", "ListIntegrationGroups",
    }),
}

# Services whose every RPC has one fixed set of roles, with per-method exceptions.
SERVICE_ROLES: dict[str, frozenset[str]] = {
    "coho.admin.v1.ServerAdminService": ADMIN_ONLY,
    "coho.omrs.v1.CohortService": frozenset({PEER}),
}
METHOD_ROLES: dict[str, frozenset[str]] = {
    "/coho.admin.v1.ServerAdminService/GetServerStatus": ANY_ROLE,
}


def allowed_roles(method: str) -> frozenset[str]:
    """The roles that may call ``/pkg.Service/Method``; unknown services are admin only."""
    if method in METHOD_ROLES:
        return METHOD_ROLES[method]
    service, _, name = method.lstrip("/").partition("/")
    if service in SERVICE_ROLES:
        return SERVICE_ROLES[service]
    read_only = READ_ONLY_METHODS.get(service)
    if read_only is None:
        return ADMIN_ONLY
    return READ_ROLES if name in read_only else WRITE_ROLES


@dataclass(frozen=True)
class AuthFailure:
    """What the audit log records about a refused call (never the token)."""

    method: str
    reason: str
    message: str
    peer: str
    user_id: str = ""
    token_fingerprint: str = ""


class Authenticator:
    """Token → Identity, and the policy checks; grpc-free so it can be unit-tested directly."""

    def __init__(self, auth: AuthConfig) -> None:
        self._tokens: Mapping[str, Principal] = dict(auth.tokens)

    def identify(self, method: str, metadata: Mapping[str, str]) -> Identity:
        principal = self._principal(metadata.get("authorization"))
        roles = frozenset(str(role.value) for role in principal.roles)
        allowed = allowed_roles(method)
        if not roles.intersection(allowed):
            raise PermissionDenied(
                message=f"user {principal.user!r} (roles {sorted(roles)}) may not call {method}",
                reason="ROLE_NOT_ALLOWED", metadata={"method": method, "user": principal.user})
        caller = self._caller(principal, roles, metadata)
        _check_direction(method, allowed, caller, metadata.get(PERMITTED_SYNC_KEY, "").strip())
        return Identity(caller=caller, roles=roles)

    def _principal(self, header: str | None) -> Principal:
        if not header:
            raise Unauthenticated(message="missing authorization: Bearer <token>", reason="NO_CREDENTIALS")
        scheme, _, token = header.strip().partition(" ")
        principal = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise Unauthenticated(message="unknown bearer token", reason="BAD_CREDENTIALS",
                                  metadata={"token_fingerprint": token_fingerprint(token.strip())})
        return principal

    @staticmethod
    def _caller(principal: Principal, roles: frozenset[str], metadata: Mapping[str, str]) -> Caller:
        tags = {key: metadata.get(key, "").strip() for key in TAG_KEYS}
        if any(tags.values()) and CONNECTOR not in roles:
            raise PermissionDenied(
                message="only callers with the connector role may send x-coho-* tags",
                reason="CONNECTOR_TAGS_NOT_ALLOWED", metadata={"user": principal.user})
        connector_id = tags[CONNECTOR_ID_KEY]
        if principal.connector:
            if connector_id and connector_id != principal.connector:
                raise PermissionDenied(
                    message=f"this token is for connector {principal.connector!r}, not {connector_id!r}",
                    reason="CONNECTOR_ID_MISMATCH",
                    metadata={"user": principal.user, "connector_id": connector_id})
            connector_id = principal.connector
        return Caller(user_id=_acting_user(principal, tags[USER_ID_KEY]), connector_id=connector_id,
                      refresh_id=tags[REFRESH_ID_KEY], metadata_source=tags[METADATA_SOURCE_KEY])


def _check_direction(method: str, allowed: frozenset[str], caller: Caller, permitted: str) -> None:
    """A connector limited to TO_THIRD_PARTY may read open metadata but never write it."""
    if not permitted:
        return
    if permitted not in PERMITTED_SYNC_VALUES:
        raise InvalidArgument(
            message=f"{PERMITTED_SYNC_KEY} must be one of {sorted(PERMITTED_SYNC_VALUES)}",
            reason="INVALID_PERMITTED_SYNCHRONIZATION", field_violations=[(PERMITTED_SYNC_KEY, permitted)])
    service = method.lstrip("/").partition("/")[0]
    if permitted == "TO_THIRD_PARTY" and allowed == WRITE_ROLES and service in SYNC_GUARDED_SERVICES:
        raise PermissionDenied(
            message=f"connector {caller.connector_id!r} is TO_THIRD_PARTY (it may only synchronize to the third "
            f"party): {method} writes open metadata",
            reason="SYNC_DIRECTION_FORBIDDEN",
            metadata={"method": method, "user": caller.user_id, "connector_id": caller.connector_id})


def _acting_user(principal: Principal, requested: str) -> str:
    if not requested or requested == principal.user:
        return principal.user
    if requested not in principal.act_as:
        raise PermissionDenied(
            message=f"this token may not act as user {requested!r}", reason="ACT_AS_NOT_ALLOWED",
            metadata={"user": principal.user, "requested_user": requested})
    return requested


Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Authenticate and authorize every call but health and reflection; see the module docstring."""

    def __init__(self, auth: AuthConfig, on_failure: Callable[[AuthFailure], None] | None = None) -> None:
        self.authenticator = Authenticator(auth)
        self.on_failure = on_failure

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        method = str(handler_call_details.method)
        if handler is None or method.startswith(OPEN_SERVICE_PREFIXES):
            return handler
        metadata = _metadata(handler_call_details)
        try:
            _check_single_values(handler_call_details)
            identity = self.authenticator.identify(method, metadata)
        except CohoError as err:
            return _refusing(handler, err, self._report(method, err))
        return _with_identity(handler, identity)

    def _report(self, method: str, err: CohoError) -> Callable[[grpc.aio.ServicerContext], None]:
        def report(context: grpc.aio.ServicerContext) -> None:
            if self.on_failure is not None:
                self.on_failure(AuthFailure(
                    method=method, reason=err.reason, message=err.message, peer=str(context.peer()),
                    user_id=str(err.metadata.get("user", "")),
                    token_fingerprint=str(err.metadata.get("token_fingerprint", ""))))
        return report


def _metadata(details: grpc.HandlerCallDetails) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in details.invocation_metadata or ():
        if isinstance(value, str):
            found[key.lower()] = value
    return found


def _check_single_values(details: grpc.HandlerCallDetails) -> None:
    seen: set[str] = set()
    for raw_key, _value in details.invocation_metadata or ():
        key = raw_key.lower()
        if key in IDENTITY_HEADERS:
            if key in seen:
                raise PermissionDenied(message=f"the {key} header may be sent only once",
                                       reason="DUPLICATE_IDENTITY_HEADER", metadata={"header": key})
            seen.add(key)


def _handler_kind(handler: grpc.RpcMethodHandler) -> tuple[str, Callable[..., Any]]:
    for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
        behavior = getattr(handler, kind)
        if behavior is not None:
            return kind, behavior
    raise TypeError(f"method handler without a behavior: {handler!r}")


_FACTORIES: dict[str, Callable[..., grpc.RpcMethodHandler]] = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


def _rebuild(handler: grpc.RpcMethodHandler, kind: str, behavior: Callable[..., Any]) -> grpc.RpcMethodHandler:
    return _FACTORIES[kind](behavior, request_deserializer=handler.request_deserializer,
                            response_serializer=handler.response_serializer)


def _refusing(handler: grpc.RpcMethodHandler, err: CohoError,
              report: Callable[[grpc.aio.ServicerContext], None]) -> grpc.RpcMethodHandler:
    kind, _ = _handler_kind(handler)

    async def refuse(_request: Any, context: grpc.aio.ServicerContext) -> None:
        report(context)
        await context.abort_with_status(to_grpc_status(err))

    return _rebuild(handler, kind, refuse)


def _with_identity(handler: grpc.RpcMethodHandler, identity: Identity) -> grpc.RpcMethodHandler:
    kind, original = _handler_kind(handler)
    if kind in ("unary_unary", "stream_unary"):

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            token = set_identity(identity)
            try:
                return await original(request, context)
            finally:
                reset_identity(token)

        return _rebuild(handler, kind, unary)

    async def streaming(request: Any, context: grpc.aio.ServicerContext) -> Any:
        # Each aio call runs in its own task (its own context copy), so the value set here cannot leak to
        # other calls; it is not reset because an async generator may be finalized in another context.
        set_identity(identity)
        result = original(request, context)
        if inspect.isasyncgen(result):
            async for item in result:
                yield item
        elif inspect.isawaitable(result):
            await result

    return _rebuild(handler, kind, streaming)
