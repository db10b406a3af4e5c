"""CatalogExchangeConnector: keeps two coho catalogs in step, both ways, through AssetManagerService.

For two access servers that are NOT in the same cohort (or a second metadata collection). Each element
that originates in one catalog is upserted into the other under the origin's external source name, keyed
by its origin GUID (an ``ExternalId`` mapping on the receiving side):

- remote -> home: the remote's elements land in the home catalog under ``remote_source_name``;
- home -> remote: the home's elements land in the remote catalog under ``home_source_name``.

A side's *echoes* (the elements it received from the other side, i.e. what it lists under the other
side's source name) are never sent back, so nothing ping-pongs. Only differences are written: a refresh
with nothing changed makes no write on either side. An element deleted at its origin is deleted on the
other side by external identifier, but only after a complete, error-free listing of the origin. Deleting a
copy does not propagate: the origin wins and the copy comes back on the next refresh.

Configuration properties:

- ``remote_address`` (required): host:port of the other access server;
- ``remote_token`` or ``remote_token_env`` (the name of an environment variable holding it): a bearer token
  with the connector role on the remote. It is a secret: it is never logged or put in an error, and
  ``remote_token_env`` keeps it out of the daemon's configuration (which admin status shows) altogether;
- ``remote_ca_cert``: a PEM CA bundle; when set the remote is reached over TLS;
- ``element_types`` (default ``["Asset"]``, subtypes included) and ``excluded_types`` (default the
  operational Asset subtypes: to-dos and governance actions, deployed connectors, incident reports);
- ``remote_source_name``: the remote catalog's name in the home catalog; it must equal the connector's
  ``metadata_source`` when that is set (the server insists), and defaults to it, else ``coho:<remote
  metadata collection name>``;
- ``home_source_name``: the home catalog's name in the remote catalog, default ``coho:<home metadata
  collection name>`` (pin both names if a server may be renamed: existing mappings are keyed by them);
- ``event_driven`` (default true): push home changes from the Out Topic at once, not only on refresh;
- ``remote_timeout_seconds`` (default 30) and ``batch_size`` (default 200).

permitted_synchronization: FROM_THIRD_PARTY only pulls remote -> home, TO_THIRD_PARTY only pushes
home -> remote, BOTH_DIRECTIONS does both.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import grpc
import grpc.aio

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import asset_manager_service_pb2_grpc as am_grpc
from coho.access.v1 import elements_pb2
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.client import ClientTls, connect
from coho.client.errors import CohoRpcError, from_rpc_error
from coho.daemon.context import CatalogIntegrationContext
from coho.daemon.sdk import IntegrationConnector
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.access.asset_manager import element_properties
from coho.server.errors import CohoError

log = logging.getLogger("coho.daemon.connectors.catalog")

OUT = elements_pb2
DEFAULT_TYPES = ("Asset",)
# Operational records that happen to be Assets; another catalog has no use for our to-dos or connectors.
DEFAULT_EXCLUDED = ("Action", "DeployedSoftwareComponent", "IncidentReport")
PAGE = 1000
MAX_PAGES = 100_000  # bounds a listing even if a server kept answering with a next page token
IDENTIFIER_NAME = "GUID"
IDENTIFIER_USAGE = "catalog exchange"
# Errors that say the catalog as a whole is unusable: retrying element by element would only repeat them.
WHOLE_SIDE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                              grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED,
                              grpc.StatusCode.CANCELLED, grpc.StatusCode.RESOURCE_EXHAUSTED})
# gRPC's default reconnect backoff grows to 2 minutes; a catalog that comes back should be used promptly.
CHANNEL_OPTIONS: list[tuple[str, Any]] = [("grpc.initial_reconnect_backoff_ms", 200),
                                          ("grpc.min_reconnect_backoff_ms", 200),
                                          ("grpc.max_reconnect_backoff_ms", 2000)]
PUSH_DEBOUNCE_SECONDS = 0.05
WATCHED_EVENTS = (ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED, ot.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED,
                  ot.OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED, ot.OUT_TOPIC_EVENT_TYPE_ELEMENT_RESTORED,
                  ot.OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED)


class CatalogExchangeError(Exception):
    """A refresh could not complete the exchange; the text names the side and the cause, never the token."""


class Secret:
    """A string that never shows itself in reprs, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class ExchangeSettings:
    remote_address: str
    token: Secret | None
    element_types: tuple[str, ...] = DEFAULT_TYPES
    excluded_types: frozenset[str] = frozenset(DEFAULT_EXCLUDED)
    remote_source_name: str = ""
    home_source_name: str = ""
    ca_cert: str = ""
    event_driven: bool = True
    timeout: float = 30.0
    batch_size: int = 200

    @classmethod
    def parse(cls, props: dict[str, Any], metadata_source: str) -> ExchangeSettings:
        """Validate the configuration properties; ValueError names the bad key."""
        address = str(props.get("remote_address") or "").strip()
        if not address or ":" not in address:
            raise ValueError("configuration property 'remote_address' must be host:port")
        remote_name = str(props.get("remote_source_name") or "").strip()
        if metadata_source and remote_name and remote_name != metadata_source:
            raise ValueError(f"configuration property 'remote_source_name' ({remote_name!r}) must equal the "
                             f"connector's metadata_source ({metadata_source!r}) when both are set")
        types = _names(props.get("element_types", DEFAULT_TYPES), "element_types")
        if not types:
            raise ValueError("configuration property 'element_types' must name at least one type")
        return cls(
            remote_address=address, token=_token(props), element_types=types,
            excluded_types=frozenset(_names(props.get("excluded_types", DEFAULT_EXCLUDED), "excluded_types")),
            remote_source_name=metadata_source or remote_name,
            home_source_name=str(props.get("home_source_name") or "").strip(),
            ca_cert=str(props.get("remote_ca_cert") or ""), event_driven=bool(props.get("event_driven", True)),
            timeout=_positive(props, "remote_timeout_seconds", 30.0),
            batch_size=int(_positive(props, "batch_size", 200)))


def _names(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"configuration property {key!r} must be a list of type names")
    return tuple(value)


def _positive(props: dict[str, Any], key: str, default: float) -> float:
    try:
        value = float(props.get(key, default))
    except (TypeError, ValueError):
        value = -1.0
    if value <= 0:
        raise ValueError(f"configuration property {key!r} must be a positive number")
    return value


def _token(props: dict[str, Any]) -> Secret | None:
    env = str(props.get("remote_token_env") or "").strip()
    if env:
        value = os.environ.get(env, "")
        if not value:
            raise ValueError(f"environment variable {env!r} (configuration property 'remote_token_env') is not set")
        return Secret(value)
    inline = props.get("remote_token")
    if inline is not None and not isinstance(inline, str):
        raise ValueError("configuration property 'remote_token' must be a string")
    return Secret(inline) if inline else None


# -- one catalog -------------------------------------------------------------------------------------------
class SideError(CatalogExchangeError):
    def __init__(self, text: str, code: grpc.StatusCode | None) -> None:
        super().__init__(text)
        self.code = code


@dataclass
class CatalogSide:
    """One catalog's AssetManagerService, repository reads and status; every failure becomes a SideError."""

    label: str
    address: str
    asset_manager: Any
    repository: Any
    timeout: float
    secret: Secret | None = None

    async def call(self, stub: Any, method: str, request: Any) -> Any:
        try:
            return await getattr(stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as err:
            raise self._error(method, from_rpc_error(err)) from None
        except CohoRpcError as err:
            raise self._error(method, err) from None
        except CohoError as err:
            raise SideError(self._scrub(f"{self.where}: {method}: {err.reason}: "
                                        f"{err.message}"), grpc.StatusCode.PERMISSION_DENIED) from None

    @property
    def where(self) -> str:
        return f"{self.label} catalog {self.address}".rstrip()

    def _error(self, method: str, err: CohoRpcError) -> SideError:
        reason = f"{err.reason}: " if err.reason else ""
        text = f"{self.where}: {method} failed: {err.code.name}: {reason}{err.message}"
        return SideError(self._scrub(text), err.code)

    def _scrub(self, text: str) -> str:
        # Servers never echo credentials, but a transport message might quote anything: be certain.
        secret = self.secret.reveal() if self.secret is not None else ""
        return text.replace(secret, "***") if secret else text

    async def server_name(self) -> str:
        # Any role may ask this (ServerAdminService is admin-only, and a daemon's token should not be admin).
        reply = await self.call(self.repository, "GetMetadataCollectionId", mcs.GetMetadataCollectionIdRequest())
        return str(reply.metadata_collection_name or reply.metadata_collection_id)

    async def natives(self, settings: ExchangeSettings, echoes: set[str],
                      echo_source: str) -> dict[str, instances_pb2.EntityDetail]:
        """Every live element of the exchanged types that originates here (complete, or it raises).

        An echo (a copy received from the other side) is known by its mapping (``echoes``) and, for a copy
        whose mapping is gone, by the external source it was created under.
        """
        found: dict[str, instances_pb2.EntityDetail] = {}
        for type_name in settings.element_types:
            token = ""
            for _ in range(MAX_PAGES):
                reply = await self.call(self.repository, "FindEntities", mcs.FindEntitiesRequest(
                    query=mcs.InstanceQuery(type_name=type_name, page_size=PAGE, page_token=token)))
                for entity in reply.entities:
                    header = entity.header
                    if header.guid not in echoes and header.external_source != echo_source and not excluded(
                            settings, _type_names(entity)):
                        found[entity.header.guid] = entity
                token = reply.next_page_token
                if not token:
                    break
            else:
                raise SideError(f"{self.where}: listing {type_name} never ended", None)
        return found

    async def mirrors(self, source: str) -> dict[str, am.ExternalElementView]:
        """What ``source`` contributed here, by external identifier (the origin GUID)."""
        found: dict[str, am.ExternalElementView] = {}
        token = ""
        for _ in range(MAX_PAGES):
            reply = await self.call(self.asset_manager, "ListExternalSourceElements",
                                    am.ListExternalSourceElementsRequest(external_source=source, page_size=PAGE,
                                                                         page_token=token))
            for view in reply.elements:
                found[view.identifier.external_identifier] = view
            token = reply.next_page_token
            if not token:
                return found
        raise SideError(f"{self.where}: listing {source} never ended", None)

    async def get(self, guid: str) -> instances_pb2.EntityDetail | None:
        try:
            reply = await self.call(self.repository, "GetEntity", mcs.GetEntityRequest(guid=guid))
        except SideError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        entity = cast(instances_pb2.EntityDetail, reply.entity)
        return None if entity.header.status == typedefs_pb2.INSTANCE_STATUS_DELETED else entity

    async def upsert(self, source: str, elements: Sequence[am.ExternalElement], batch: int,
                     tally: Tally) -> None:
        for start in range(0, len(elements), batch):
            chunk = list(elements[start:start + batch])
            try:
                reply = await self._upsert(source, chunk)
            except SideError as err:
                if err.code in WHOLE_SIDE_CODES:
                    raise
                if len(chunk) == 1:
                    tally.failures.append(f"{chunk[0].external_identifier}: {err}")
                    continue
                for element in chunk:  # one bad element must not hold up the rest of its batch
                    await self.upsert(source, [element], 1, tally)
                continue
            tally.count(reply.results)

    async def _upsert(self, source: str, chunk: list[am.ExternalElement]) -> Any:
        return await self.call(self.asset_manager, "UpsertExternalElements",
                               am.UpsertExternalElementsRequest(external_source=source, elements=chunk))

    async def delete(self, source: str, identifiers: Sequence[str], tally: Tally) -> None:
        if identifiers:
            reply = await self.call(self.asset_manager, "DeleteExternalElements", am.DeleteExternalElementsRequest(
                external_source=source, external_identifiers=list(identifiers)))
            tally.count(reply.results)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failures: list[str] = field(default_factory=list)
    created_guids: list[str] = field(default_factory=list)

    def count(self, results: Iterable[elements_pb2.ElementResult]) -> None:
        for result in results:
            if result.outcome == OUT.UPSERT_OUTCOME_CREATED:
                self.created += 1
                self.created_guids.append(result.guid)
            elif result.outcome == OUT.UPSERT_OUTCOME_UPDATED:
                self.updated += 1
            elif result.outcome == OUT.UPSERT_OUTCOME_DELETED:
                self.deleted += 1

    def summary(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted,
                "failed": len(self.failures)}


def _type_names(entity: instances_pb2.EntityDetail) -> list[str]:
    kind = entity.header.type
    return [kind.type_def_name, *(link.name for link in kind.type_def_super_types)]


def excluded(settings: ExchangeSettings, type_names: Iterable[str]) -> bool:
    return any(name in settings.excluded_types for name in type_names)


def to_external(entity: instances_pb2.EntityDetail) -> am.ExternalElement:
    """The element as the other catalog receives it: same type, all properties, keyed by its origin GUID."""
    props = entity.properties.properties
    qualified = props["qualifiedName"].primitive.string_value if "qualifiedName" in props else ""
    element = am.ExternalElement(
        external_identifier=entity.header.guid, type_name=entity.header.type.type_def_name,
        qualified_name=qualified, external_identifier_name=IDENTIFIER_NAME,
        external_identifier_usage=IDENTIFIER_USAGE)
    element.typed_properties.CopyFrom(entity.properties)
    return element


def differs(element: am.ExternalElement, mirror: am.ExternalElementView | None, source: str) -> bool:
    """Whether upserting would change the copy; the server's own property mapping decides what it stores."""
    if mirror is None or mirror.element.type_name != element.type_name:
        return True
    return bool(mirror.element.typed_properties != element_properties(element, source))


async def exchange(src: CatalogSide, dst: CatalogSide, *, settings: ExchangeSettings, echo_source: str,
                   echoes: set[str], mirror_source: str, mirrors: dict[str, am.ExternalElementView]) -> Tally:
    """Make dst's copies (``mirrors``, under mirror_source) match src's own elements.

    ``echoes`` are the GUIDs of src's copies of dst's elements (listed under echo_source): never sent back.
    """
    tally = Tally()
    natives = await src.natives(settings, echoes, echo_source)
    mirrors = dict(mirrors)
    retyped = [guid for guid, view in mirrors.items()
               if guid in natives and view.element.type_name != natives[guid].header.type.type_def_name]
    # A copy cannot change type in place: remove it, then upsert afresh.
    await dst.delete(mirror_source, retyped, Tally())
    for guid in retyped:
        mirrors.pop(guid)
    changed = [element for element in map(to_external, natives.values())
               if differs(element, mirrors.get(element.external_identifier), mirror_source)]
    await dst.upsert(mirror_source, changed, settings.batch_size, tally)
    # natives is a complete listing (any failure raised above), so a copy missing from it was deleted.
    await dst.delete(mirror_source, [guid for guid in mirrors if guid not in natives], tally)
    return tally


# -- the connector -------------------------------------------------------------------------------------------
class CatalogExchangeConnector(IntegrationConnector[CatalogIntegrationContext]):
    """Two-way exchange between the home catalog and another coho catalog; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: ExchangeSettings | None = None
        self.last_summary: dict[str, dict[str, int]] = {}
        self.pushed_events = 0
        self._channel: grpc.aio.Channel | None = None
        self._remote: CatalogSide | None = None
        self._home: CatalogSide | None = None
        self._names: tuple[str, str] | None = None  # (remote's name at home, home's name at the remote)
        self._lock = asyncio.Lock()
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._pusher: asyncio.Task[None] | None = None
        self._home_echoes: set[str] = set()

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        context = self.context
        try:
            self.settings = ExchangeSettings.parse(context.configuration_properties, context.metadata_source)
        except ValueError as err:
            raise CatalogExchangeError(f"catalog connector {context.connector_name!r}: {err}") from None
        self._home = CatalogSide(
            label="home", address="", asset_manager=context.asset_manager,
            repository=context.repository,
            timeout=self.settings.timeout)
        self._open_remote()
        if self.settings.event_driven and context.may_write_third_party():
            self._pusher = asyncio.create_task(self._push_loop(), name=f"catalog-push:{context.connector_name}")
            await context.listen(self._on_event, ot.OutTopicFilter(
                type_names=list(self.settings.element_types), event_types=list(WATCHED_EVENTS)))

    def _open_remote(self) -> None:
        settings = self.settings
        assert settings is not None
        tls = ClientTls(ca_cert=Path(settings.ca_cert)) if settings.ca_cert else None
        token = settings.token.reveal() if settings.token is not None else None
        self._channel = connect(settings.remote_address, token, tls, options=CHANNEL_OPTIONS)
        self._remote = CatalogSide(
            label="remote", address=settings.remote_address,
            asset_manager=am_grpc.AssetManagerServiceStub(self._channel),
            repository=mcs_grpc.MetadataCollectionServiceStub(self._channel),
            timeout=settings.timeout,
            secret=settings.token)

    async def _reopen_remote(self) -> None:
        """A fresh channel after the remote was unreachable, so its return is noticed at once."""
        if self._channel is not None:
            await self._channel.close()
        self._open_remote()

    async def disconnect(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    # -- refresh -------------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        async with self._lock:
            errors: list[str] = []
            summary: dict[str, dict[str, int]] = {}
            try:
                await self._exchange_both(summary, errors)
            except SideError as err:  # the copies could not even be listed: neither direction ran
                errors.append(str(err))
            self.last_summary = summary
            log.info("catalog exchange refreshed", extra={"connector": self.context.connector_name,
                                                          "summary": summary, "errors": len(errors)})
            if errors:
                raise CatalogExchangeError("; ".join(errors))

    async def _exchange_both(self, summary: dict[str, dict[str, int]], errors: list[str]) -> None:
        """Each direction runs on its own: one that fails (and so deletes nothing) leaves the other alone."""
        remote, home, settings = self._sides()
        try:
            remote_name, home_name = await self._source_names()
            # Each side's copies serve twice: as the mirrors one direction updates and as the echoes the other
            # direction must not send back. Listing them is the costly part of a refresh, so it is done once.
            home_copies = await home.mirrors(remote_name)
            remote_copies = await remote.mirrors(home_name)
        except SideError as err:
            if err.code in WHOLE_SIDE_CODES:
                await self._reopen_remote()
            raise
        home_echoes = {view.header.guid for view in home_copies.values()}
        directions: list[tuple[str, Callable[[], Awaitable[Tally]]]] = []
        if self.context.may_write_open_metadata():
            directions.append(("remote_to_home", functools.partial(
                exchange, remote, home, settings=settings, echo_source=home_name,
                echoes={view.header.guid for view in remote_copies.values()}, mirror_source=remote_name,
                mirrors=home_copies)))
        if self.context.may_write_third_party():
            # Copies the pull creates are known by their external source even before they are listed.
            directions.append(("home_to_remote", functools.partial(
                exchange, home, remote, settings=settings, echo_source=remote_name, echoes=home_echoes,
                mirror_source=home_name, mirrors=remote_copies)))
        for key, work in directions:
            label = key.replace("_to_", " -> ")
            try:
                tally = await work()
            except SideError as err:
                errors.append(f"{label}: {err}")
                if err.code in WHOLE_SIDE_CODES:
                    await self._reopen_remote()
                continue
            summary[key] = tally.summary()
            errors.extend(_failures(label, tally))
            home_echoes.update(tally.created_guids if key == "remote_to_home" else ())
        self._home_echoes = home_echoes

    def _sides(self) -> tuple[CatalogSide, CatalogSide, ExchangeSettings]:
        if self._remote is None or self._home is None or self.settings is None:
            raise CatalogExchangeError("the catalog connector is not started")
        return self._remote, self._home, self.settings

    async def _source_names(self) -> tuple[str, str]:
        """(the remote's source name at home, the home's source name at the remote), resolved once."""
        if self._names is None:
            remote, home, settings = self._sides()
            remote_name = settings.remote_source_name or f"coho:{await remote.server_name()}"
            home_name = settings.home_source_name or f"coho:{await home.server_name()}"
            self._names = (remote_name, home_name)
        return self._names

    # -- events ------------------------------------------------------------------------------------------
    def _on_event(self, event: ot.OutTopicEvent) -> None:
        header = event.element_header
        if event.is_relationship or event.connector_id == self.context.connector_id or self.settings is None:
            return  # our own writes are copies of the remote's elements: never echo them
        if self._names is not None and header.external_source == self._names[0]:
            return
        if header.guid in self._home_echoes or excluded(self.settings, [header.type_name, *header.super_type_names]):
            return
        self._dirty.add(header.guid)
        if event.previous_guid:
            self._dirty.add(event.previous_guid)
        self._wake.set()

    async def _push_loop(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(PUSH_DEBOUNCE_SECONDS)  # coalesce a burst of events into one push
            self._wake.clear()
            guids, self._dirty = sorted(self._dirty), set()
            try:
                await self.push(guids)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # the scheduled refresh is the safety net: it finds what this push missed
                log.warning("catalog push failed; the next refresh catches up",
                            extra={"connector": self.context.connector_name, "error": str(err)})

    async def push(self, guids: Sequence[str]) -> Tally:
        """Send these home elements' current state to the remote now (deleted ones are deleted there)."""
        tally = Tally()
        async with self._lock:
            remote, home, settings = self._sides()
            remote_name, home_name = await self._source_names()
            present: list[am.ExternalElement] = []
            gone: list[str] = []
            for guid in guids:
                entity = await home.get(guid)
                if entity is None:
                    gone.append(guid)
                elif not (guid in self._home_echoes or entity.header.external_source == remote_name
                          or excluded(settings, _type_names(entity))):
                    present.append(to_external(entity))
            await remote.upsert(home_name, present, settings.batch_size, tally)
            await remote.delete(home_name, gone, tally)
            self.pushed_events += len(guids)
        if tally.failures:
            raise CatalogExchangeError("; ".join(_failures("home -> remote", tally)))
        return tally


def _failures(direction: str, tally: Tally, shown: int = 3) -> list[str]:
    if not tally.failures:
        return []
    more = f" (and {len(tally.failures) - shown} more)" if len(tally.failures) > shown else ""
    return [f"{direction}: {len(tally.failures)} element(s) failed: {'; '.join(tally.failures[:shown])}{more}"]
