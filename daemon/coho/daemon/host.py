"""The connector host: the daemon's access-server channel, its connectors and the shared refresh limit.

``async with ConnectorHost(config) as host`` starts every configured connector (each on its own supervisor
task, see :mod:`coho.daemon.runner`) and, on exit, disconnects them all within a bounded time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import grpc.aio

from coho.client import ClientTls, connect
from coho.daemon.config import ConnectorConfig, DaemonConfig, ServiceKind
from coho.daemon.groups import GroupReconciler
from coho.daemon.remote import DETACHED
from coho.daemon.reports import ReportStore
from coho.daemon.runner import ConnectorRunner
from coho.integration.v1 import connectors_pb2 as cpb
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.errors import FailedPrecondition, NotFound

if TYPE_CHECKING:
    from coho.daemon.remote import RemoteSession

log = logging.getLogger("coho.daemon.host")

S = cpb.ConnectorStatus
# grpc's default reconnect backoff grows to 120 s, which would keep INITIALIZE_FAILED connectors waiting
# long after the access server is back; the daemon's own backoff does the pacing instead.
CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
]
PROBE_CACHE_SECONDS = 1.0
PROBE_FAILURE_CACHE_SECONDS = 0.1
LATENESS_SAMPLES = 100_000


class ConnectorHost:
    """Owns the channel to the access server and one :class:`ConnectorRunner` per connector."""

    def __init__(self, config: DaemonConfig, *, channel: grpc.aio.Channel | None = None) -> None:
        self.config = config
        self._own_channel = channel is None
        self.channel = channel if channel is not None else _open_channel(config)
        self.reports = ReportStore(self.channel, config.daemon_name)
        self.refresh_slots = asyncio.Semaphore(config.scheduler.max_concurrent_refreshes)
        self.runners: dict[str, ConnectorRunner] = {}
        self.start_time = time.time()
        self.lateness: deque[float] = deque(maxlen=LATENESS_SAMPLES)
        self.server_connected = False
        self._probe_ok_until = 0.0
        self._probe_failed_until = 0.0
        self._probe_error = ""
        self._probe_lock = asyncio.Lock()
        self._loader: asyncio.Task[None] | None = None
        self.stopping = False
        # Built here (not at start) so the admin service can always report the followed groups.
        self.groups = GroupReconciler(self)

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        for service in self.config.integration_services:
            for connector in service.connectors:
                self.add(service.name, service.kind, connector)
        self._loader = asyncio.create_task(self._load_reports(), name="load-reports")
        self.groups.start()

    def add(self, service_name: str, kind: ServiceKind, config: ConnectorConfig) -> ConnectorRunner:
        runner = ConnectorRunner(self, service_name, kind, config)
        self.runners[config.name] = runner
        if config.is_remote:
            # Its supervisor starts when the connector attaches (ConnectorHostService.Attach).
            runner.state.status = S.CONNECTOR_STATUS_WAITING
            runner.state.failing_error = "waiting for the remote connector to attach"
        else:
            runner.start()
        return runner

    async def remove(self, name: str) -> None:
        """Stop a connector and forget it (integration groups dropping a registration)."""
        runner = self.runners.pop(name, None)
        if runner is not None:
            await runner.stop()

    async def replace(self, service_name: str, kind: ServiceKind, config: ConnectorConfig) -> ConnectorRunner:
        """Restart a connector under a new configuration; a fresh runner so no old state leaks across."""
        await self.remove(config.name)
        return self.add(service_name, kind, config)

    async def attach(self, runner: ConnectorRunner, session: RemoteSession) -> None:
        """A remote connector attached: (re)start its supervisor, which initializes it over the stream."""
        await runner.stop(S.CONNECTOR_STATUS_WAITING)
        runner.session = session
        runner.state.consecutive_failures = 0
        runner.state.failing_error = ""
        runner.start()

    async def detached(self, runner: ConnectorRunner, session: RemoteSession) -> None:
        """A remote connector's stream ended: stop its supervisor and show why, unless it re-attached."""
        if runner.session is not session:
            return
        by_peer = session.closed_by_peer
        if not self.stopping:
            await runner.stop(S.CONNECTOR_STATUS_FAILED if by_peer else S.CONNECTOR_STATUS_STOPPED)
        if runner.session is session:
            runner.session = None
            if by_peer and not self.stopping:
                runner.state.failing_error = DETACHED

    async def stop(self) -> None:
        """Disconnect every connector (concurrently, each bounded) and close the channel."""
        self.stopping = True
        # Before the connectors, so no reconciliation starts one while they are being stopped.
        await self.groups.stop()
        if self._loader is not None:
            self._loader.cancel()
        await asyncio.gather(*(r.stop(S.CONNECTOR_STATUS_SHUTDOWN) for r in self.runners.values()))
        if self._own_channel:
            await self.channel.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def _load_reports(self) -> None:
        # Best effort and patient: the server may be down at start, like for the connectors.
        delay = self.config.scheduler.retry_initial_seconds
        while True:
            try:
                loaded = await self.reports.load_stored()
                log.info("stored integration reports loaded", extra={"count": loaded})
                return
            except Exception as err:  # retried: the daemon must come up without its server
                log.info("stored integration reports not loaded yet", extra={"error": str(err)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.config.scheduler.retry_max_seconds)

    # -- services for runners ----------------------------------------------------------------------------
    async def probe(self) -> None:
        """Raise unless the access server answers; one probe serves every connector for a moment."""
        async with self._probe_lock:
            now = time.monotonic()
            if now < self._probe_ok_until:
                return
            if now < self._probe_failed_until:
                # Many connectors retrying together share one failed probe instead of queueing theirs.
                raise ConnectionError(self._probe_error)
            stub = mcs_grpc.MetadataCollectionServiceStub(self.channel)
            try:
                await stub.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest(),
                                                   timeout=self.config.scheduler.probe_timeout_seconds)
            except grpc.aio.AioRpcError as err:
                self.server_connected = False
                self._probe_error = f"{err.code().name}: {err.details()}"
                self._probe_failed_until = time.monotonic() + PROBE_FAILURE_CACHE_SECONDS
                raise ConnectionError(self._probe_error) from err
            self.server_connected = True
            self._probe_ok_until = time.monotonic() + PROBE_CACHE_SECONDS

    def record_lateness(self, seconds: float) -> None:
        self.lateness.append(seconds)

    # -- admin operations ----------------------------------------------------------------------------
    def runner(self, name: str) -> ConnectorRunner:
        found = self.runners.get(name)
        if found is None:
            raise NotFound(message=f"no connector {name!r} in daemon {self.config.daemon_name!r}",
                           reason="CONNECTOR_NOT_FOUND", metadata={"connector": name})
        return found

    def selected(self, name: str) -> list[ConnectorRunner]:
        return [self.runner(name)] if name else list(self.runners.values())

    def refresh(self, name: str = "") -> list[str]:
        """Refresh one connector (or all); connectors that are not running are skipped, or refused by name."""
        ids = [(runner, runner.request_refresh()) for runner in self.selected(name)]
        if name and ids[0][1] is None:
            runner = ids[0][0]
            raise FailedPrecondition(
                message=f"connector {name!r} is {S.Name(runner.state.status)} and cannot refresh now",
                reason="CONNECTOR_NOT_RUNNING", metadata={"connector": name})
        return [refresh_id for _, refresh_id in ids if refresh_id]

    async def restart(self, name: str = "") -> list[str]:
        """Disconnect and reinitialize one connector (or all), clearing its failure count.

        An attached remote connector keeps its stream (a Disconnect would end it) and is sent Initialize,
        with its current configuration, and Start again; one that is not attached restarts when it attaches.
        """
        runners = [r for r in self.selected(name) if not r.config.is_remote or _attached(r)]
        await asyncio.gather(*(r.stop(keep_session=r.config.is_remote) for r in runners))
        for runner in runners:
            runner.state.consecutive_failures = 0
            runner.state.failing_error = ""
            runner.start()
        return [r.name for r in runners]

    async def update_configuration(self, name: str, properties: dict[str, Any], merge: bool) -> ConnectorRunner:
        runner = self.runner(name)
        current = runner.config.configuration_properties
        updated = {**current, **properties} if merge else dict(properties)
        runner.set_config(runner.config.model_copy(update={"configuration_properties": updated}))
        await self.restart(name)
        return runner

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for runner in self.runners.values():
            key = S.Name(runner.state.status).removeprefix("CONNECTOR_STATUS_")
            counts[key] = counts.get(key, 0) + 1
        return counts

    def refreshes_in_progress(self) -> int:
        return sum(1 for r in self.runners.values() if r.tracker.refreshing is not None)


def _open_channel(config: DaemonConfig) -> grpc.aio.Channel:
    tls = ClientTls(ca_cert=config.server.ca_cert) if config.server.ca_cert else None
    return connect(config.server.address, config.server.token, tls, options=CHANNEL_OPTIONS)


def _attached(runner: ConnectorRunner) -> bool:
    return runner.session is not None and not runner.session.closed
