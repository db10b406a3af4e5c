"""Integration groups: the connectors a daemon runs because an IntegrationGroup on the server registers them.

For each group named in ``integration_groups`` the reconciler reads ``GetIntegrationGroup`` and makes the
host's group-supplied connectors match it: new registrations start, removed ones stop, changed ones restart
with their new configuration. Connectors from the config file are never touched. It reconciles at start,
on ``RefreshIntegrationGroups``, on Out Topic events about groups, registrations and integration connectors
(debounced, so one edit touching several elements costs one read), and on a slow timer as a safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import grpc
import grpc.aio
from pydantic import ValidationError

from coho.access.v1 import elements_pb2
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.daemon.config import CatalogTarget, ConnectorConfig, PermittedSynchronization, ServiceKind
from coho.daemon.convert import from_struct, timestamp_or_none
from coho.daemon.listen import Listener
from coho.integration.v1 import integration_daemon_service_pb2 as ids

if TYPE_CHECKING:
    from coho.daemon.host import ConnectorHost

log = logging.getLogger("coho.daemon.groups")

WATCHED_TYPES = ("IntegrationGroup", "RegisteredIntegrationConnector", "IntegrationConnector")
READ_TIMEOUT_SECONDS = 5.0
# Bounds the wait for the Out Topic stream before the first read, so no change slips between the two.
LISTENER_START_WAIT_SECONDS = 2.0
DEFAULT_REFRESH_SECONDS = 60.0
SYNC_FROM_PROTO = {
    elements_pb2.PERMITTED_SYNCHRONIZATION_BOTH_DIRECTIONS: PermittedSynchronization.BOTH_DIRECTIONS,
    elements_pb2.PERMITTED_SYNCHRONIZATION_TO_THIRD_PARTY: PermittedSynchronization.TO_THIRD_PARTY,
    elements_pb2.PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY: PermittedSynchronization.FROM_THIRD_PARTY,
}


@dataclass(frozen=True)
class Desired:
    """One connector a group asks for: where it runs and how it is configured."""

    service_name: str
    kind: ServiceKind
    config: ConnectorConfig


@dataclass
class GroupState:
    """What the summary reports about one followed group."""

    name: str
    guid: str = ""
    found: bool = False
    error: str = ""
    last_reconciled: float = 0.0
    connectors: dict[str, Desired] = field(default_factory=dict)
    # The earliest future start / stop date among its registrations: the next time the set changes by itself.
    next_boundary: float | None = None


class GroupReconciler:
    """Keeps the host's group-supplied connectors equal to what the followed groups register."""

    def __init__(self, host: ConnectorHost) -> None:
        self.host = host
        scheduler = host.config.scheduler
        self.states = {name: GroupState(name) for name in host.config.integration_groups}
        self._stub = ge_grpc.GovernanceEngineServiceStub(host.channel)
        self._listener = Listener(
            stub=ot_grpc.OutTopicServiceStub(host.channel), callback=self._on_event,
            filter=ot.OutTopicFilter(type_names=list(WATCHED_TYPES)), name="integration-groups",
            retry_initial=scheduler.retry_initial_seconds, retry_max=scheduler.retry_max_seconds)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.reconciles = 0

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        if not self.states:
            return
        self._listener.start()
        self._task = asyncio.create_task(self._run(), name="integration-groups")

    async def stop(self) -> None:
        """Stop following; the host stops the connectors themselves with all the others."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._listener.stop()

    def _on_event(self, event: ot.OutTopicEvent) -> None:
        self._wake.set()

    async def _run(self) -> None:
        scheduler = self.host.config.scheduler
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LISTENER_START_WAIT_SECONDS):
                await self._listener.wait_started()
        delay = scheduler.retry_initial_seconds
        while True:
            ok = await self._reconcile_safely(list(self.states))
            # An unreachable server is retried with backoff; otherwise wait for an event or the safety timer.
            wait = scheduler.group_poll_seconds if ok else delay
            delay = scheduler.retry_initial_seconds if ok else min(delay * 2, scheduler.retry_max_seconds)
            boundary = self._next_boundary()
            if boundary is not None:
                wait = min(wait, max(0.0, boundary - time.time()) + 0.01)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
                    await asyncio.sleep(scheduler.group_debounce_seconds)
            self._wake.clear()

    async def _reconcile_safely(self, names: list[str]) -> bool:
        try:
            await self.reconcile(names)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must survive anything; the next pass retries
            log.exception("integration group reconciliation failed")
            return False
        return not any(self.states[name].error for name in names)

    def _next_boundary(self) -> float | None:
        boundaries = [s.next_boundary for s in self.states.values() if s.next_boundary is not None]
        return min(boundaries) if boundaries else None

    # -- reconciliation --------------------------------------------------------------------------------------
    async def reconcile(self, names: list[str] | None = None) -> list[ids.IntegrationGroupSummary]:
        """Read the named groups (all by default) and apply them; returns their summaries."""
        chosen = list(self.states) if names is None else names
        async with self._lock:
            for name in chosen:
                if self.host.stopping:
                    break
                await self._reconcile_group(self.states[name])
            self.reconciles += 1
        return [self.summary(name) for name in chosen]

    async def _reconcile_group(self, state: GroupState) -> None:
        try:
            reply: ge.GetIntegrationGroupResponse = await self._stub.GetIntegrationGroup(
                ge.GetIntegrationGroupRequest(qualified_name=state.name), timeout=READ_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.NOT_FOUND:
                # Server down or refusing: keep the connectors as they are rather than stop them all.
                state.error = f"{err.code().name}: {err.details()}"
                log.info("integration group not read", extra={"group": state.name, "error": state.error})
                return
            state.guid, state.found, state.next_boundary = "", False, None
            await self._apply(state, {})
        else:
            state.guid, state.found = reply.group.guid, True
            desired, state.next_boundary = self._desired(state.name, list(reply.connectors))
            await self._apply(state, desired)
        state.error = ""
        state.last_reconciled = time.time()

    def _desired(self, group: str, registrations: list[ge.RegisteredConnector]
                 ) -> tuple[dict[str, Desired], float | None]:
        now = time.time()
        desired: dict[str, Desired] = {}
        boundaries: list[float] = []
        for reg in registrations:
            start = reg.start_date.ToNanoseconds() / 1e9 if reg.HasField("start_date") else None
            stop = reg.stop_date.ToNanoseconds() / 1e9 if reg.HasField("stop_date") else None
            boundaries.extend(b for b in (start, stop) if b is not None and b > now)
            if (start is not None and now < start) or (stop is not None and now >= stop):
                continue
            try:
                wanted = self._to_desired(reg)
            except (ValidationError, ValueError) as err:
                log.warning("integration group registration skipped", extra={
                    "group": group, "connector": reg.connector_name, "error": str(err)})
                continue
            desired.setdefault(wanted.config.name, wanted)
        return desired, (min(boundaries) if boundaries else None)

    def _to_desired(self, reg: ge.RegisteredConnector) -> Desired:
        connector = reg.connector
        service_name = connector.integration_service or ServiceKind.CATALOG.value
        interval = reg.refresh_time_interval_seconds
        config = ConnectorConfig(
            name=reg.connector_name or connector.qualified_name, entry_point=connector.entry_point,
            refresh_interval_seconds=float(interval) if interval > 0 else DEFAULT_REFRESH_SECONDS,
            user_id=reg.connector_user_id or None, metadata_source=reg.metadata_source_qualified_name or None,
            permitted_synchronization=SYNC_FROM_PROTO.get(reg.permitted_synchronization,
                                                          PermittedSynchronization.BOTH_DIRECTIONS),
            configuration_properties=from_struct(connector.configuration_properties),
            catalog_targets=[CatalogTarget(name=t) for t in connector.catalog_targets],
            generate_integration_report=reg.generate_integration_report)
        return Desired(service_name, self._kind(service_name), config)

    def _kind(self, service_name: str) -> ServiceKind:
        # The integration service may name one from the config file, or be a kind itself ("files").
        for service in self.host.config.integration_services:
            if service.name == service_name:
                return service.kind
        return ServiceKind(service_name)  # ValueError: the registration is skipped

    async def _apply(self, state: GroupState, desired: dict[str, Desired]) -> None:
        host = self.host
        for name in [n for n in state.connectors if n not in desired]:
            await host.remove(name)
            del state.connectors[name]
        for name, wanted in desired.items():
            current = state.connectors.get(name)
            if current == wanted:
                continue
            if current is None and name in host.runners:
                # Config-file connectors and other groups' connectors keep their names.
                log.warning("integration group connector name already in use; skipped",
                            extra={"group": state.name, "connector": name})
                continue
            if current is None:
                host.add(wanted.service_name, wanted.kind, wanted.config)
            else:
                await host.replace(wanted.service_name, wanted.kind, wanted.config)
            state.connectors[name] = wanted
            log.info("integration group connector applied", extra={
                "group": state.name, "connector": name, "change": "added" if current is None else "replaced"})

    # -- reporting -------------------------------------------------------------------------------------------
    def summary(self, name: str) -> ids.IntegrationGroupSummary:
        state = self.states[name]
        summary = ids.IntegrationGroupSummary(group_name=name, group_guid=state.guid, found=state.found)
        for connector_name in state.connectors:
            runner = self.host.runners.get(connector_name)
            if runner is not None:
                summary.connectors.append(runner.info())
        stamp = timestamp_or_none(state.last_reconciled)
        if stamp is not None:
            summary.last_reconciled.CopyFrom(stamp)
        return summary

    def summaries(self) -> list[ids.IntegrationGroupSummary]:
        return [self.summary(name) for name in self.states]
