"""One connector's supervisor: lifecycle, schedule, failures and reports (DESIGN §7).

Each connector gets its own asyncio task, so a connector that hangs or keeps failing only ever delays
itself. Blocking work goes to ``engage()`` on a dedicated thread. Statuses are Egeria's:

    (built) INITIALIZED -> start() -> RUNNING <-> REFRESHING
    server unreachable at initialize -> INITIALIZE_FAILED, retried with capped backoff (Egeria #6025)
    start() or refresh() raised / refresh overran its timeout -> FAILED, retried with capped backoff
    entry point cannot be loaded -> CONFIG_FAILED (until the configuration changes or a restart)
    admin stop / restart -> STOPPED; daemon shutdown -> SHUTDOWN
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
import time
import zlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coho.daemon.config import ConnectorConfig, ServiceKind
from coho.daemon.context import IntegrationContext, context_class
from coho.daemon.reports import RefreshSpan
from coho.daemon.sdk import IntegrationConnector
from coho.daemon.tagging import CURRENT_REFRESH, ConnectorIdentity, RefreshTracker, new_refresh_id
from coho.integration.v1 import connectors_pb2 as cpb

if TYPE_CHECKING:
    from coho.daemon.host import ConnectorHost
    from coho.daemon.remote import RemoteSession

log = logging.getLogger("coho.daemon.runner")

S = cpb.ConnectorStatus
ABANDON_AFTER_CANCEL_SECONDS = 1.0


class ConfigFailed(Exception):
    """The connector's configuration cannot work (bad entry point, constructor error)."""


@dataclass
class RunnerState:
    """What the admin service reports about a connector; mutated only on the event loop."""

    status: int = S.CONNECTOR_STATUS_UNSPECIFIED
    failing_error: str = ""
    consecutive_failures: int = 0
    refresh_count: int = 0
    denied_writes: int = 0
    last_refresh_start: float = 0.0
    last_refresh_end: float = 0.0
    next_refresh: float = 0.0  # wall-clock time
    last_report: cpb.IntegrationReport | None = None
    refresh_ids: list[str] = field(default_factory=list)


class ConnectorRunner:
    """Supervises one in-process connector; the host starts, stops and restarts it."""

    def __init__(self, host: ConnectorHost, service_name: str, kind: ServiceKind, config: ConnectorConfig) -> None:
        self.host = host
        self.service_name = service_name
        self.kind = kind
        self.config = config
        self.connector_id = f"{host.config.daemon_name}.{config.name}"
        self.state = RunnerState()
        self.tracker = RefreshTracker()
        self.connector: IntegrationConnector[Any] | None = None
        self.context: IntegrationContext | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._pending: str | None = None
        self._engage_stop: threading.Event | None = None
        self._started = False
        self._background: set[asyncio.Task[Any]] = set()
        self._waiters: dict[str, list[asyncio.Future[cpb.IntegrationReport | None]]] = {}
        # A remote connector's attach stream; None while it is not attached.
        self.session: RemoteSession | None = None
        self.stopping = False

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def uses_blocking_calls(self) -> bool:
        return self.connector is not None and self.connector.has_engage()

    # -- control (called by the host) -----------------------------------------------------------------
    def start(self) -> None:
        self.stopping = False
        self._task = asyncio.create_task(self._supervise(), name=f"connector:{self.name}")

    async def stop(self, final_status: int = S.CONNECTOR_STATUS_STOPPED, *, keep_session: bool = False) -> None:
        """Cancel the supervisor; its teardown disconnects the connector within the configured bound.

        ``keep_session`` keeps a remote connector's attach stream open (no Disconnect), so a restart can
        initialize it again on the same stream.
        """
        task, self._task = self._task, None
        # Lets a remote connector tell a stop (send Disconnect) from a failed start being retried (do not).
        self.stopping = not keep_session
        if task is not None and not task.done():
            task.cancel()
            bound = self.host.config.scheduler.disconnect_timeout_seconds + 2 * ABANDON_AFTER_CANCEL_SECONDS
            done, _ = await asyncio.wait({task}, timeout=bound)
            if not done:
                log.error("connector did not stop in time; abandoning it", extra={"connector": self.name})
        self._set_status(final_status)
        self.state.next_refresh = 0.0

    def request_refresh(self) -> str | None:
        """Start a refresh now; returns its id (the running one's when already refreshing)."""
        if self.tracker.refreshing is not None:
            return self.tracker.refreshing
        if self.state.status not in (S.CONNECTOR_STATUS_RUNNING, S.CONNECTOR_STATUS_FAILED):
            return None
        if self._pending is None:
            self._pending = new_refresh_id()
            self._wake.set()
        return self._pending

    async def wait_refresh(self, refresh_id: str) -> cpb.IntegrationReport | None:
        """Wait for a refresh requested earlier to finish; returns its report (None: nothing changed)."""
        future: asyncio.Future[cpb.IntegrationReport | None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(refresh_id, []).append(future)
        return await future

    def _finish_waiters(self, refresh_id: str, report: cpb.IntegrationReport | None) -> None:
        for future in self._waiters.pop(refresh_id, []):
            if not future.done():
                future.set_result(report)

    def set_config(self, config: ConnectorConfig) -> None:
        self.config = config

    # -- supervision -----------------------------------------------------------------------------------
    async def _supervise(self) -> None:
        retry = Backoff(self.host.config.scheduler.retry_initial_seconds,
                        self.host.config.scheduler.retry_max_seconds)
        try:
            while True:
                try:
                    await self._bring_up()
                except ConfigFailed as err:
                    self._fail(S.CONNECTOR_STATUS_CONFIG_FAILED, err)
                    return
                except InitializeFailed as err:
                    self._fail(S.CONNECTOR_STATUS_INITIALIZE_FAILED, err)
                    await self._pause(retry.next())
                    continue
                except asyncio.CancelledError:
                    raise
                except Exception as err:  # start() raised or timed out: tear down and build afresh
                    self._fail(S.CONNECTOR_STATUS_FAILED, err)
                    await self._teardown()
                    await self._pause(retry.next())
                    continue
                retry.reset()
                await self._run_schedule()
        finally:
            await self._teardown()

    async def _pause(self, seconds: float) -> None:
        self.state.next_refresh = time.time() + seconds
        await asyncio.sleep(seconds)

    def _fail(self, status: int, err: BaseException) -> None:
        self.state.consecutive_failures += 1
        self.state.failing_error = _describe(err)
        self._set_status(status)
        log.warning("connector failed", extra={"connector": self.name, "status": S.Name(status),
                                               "error": self.state.failing_error,
                                               "failures": self.state.consecutive_failures})

    def _set_status(self, status: int) -> None:
        self.state.status = status

    async def _bring_up(self) -> None:
        connector = self._build()
        try:
            await self.host.probe()
        except Exception as err:
            raise InitializeFailed(f"access server {self.host.config.server.address} unreachable: {err}") from err
        self.context = self._make_context()
        connector.set_context(self.context)
        self.connector = connector
        self._set_status(S.CONNECTOR_STATUS_INITIALIZED)
        self.tracker.window.after_sequence = await self._head()  # the first window's writes come after it
        self._started = True
        await asyncio.wait_for(connector.start(), self.host.config.scheduler.start_timeout_seconds)
        if connector.has_engage():
            self._start_engage(connector)
        self.state.failing_error = ""
        self._set_status(S.CONNECTOR_STATUS_RUNNING)

    def _build(self) -> IntegrationConnector[Any]:
        if self.config.is_remote:
            from coho.daemon.remote import RemoteConnector

            if self.session is None or self.session.closed:
                raise InitializeFailed("the remote connector is not attached")
            return RemoteConnector(self, self.session)
        try:
            cls = load_entry_point(self.config.entry_point)
            connector = cls()
        except Exception as err:
            raise ConfigFailed(f"cannot load {self.config.entry_point!r}: {_describe(err)}") from err
        return connector

    def identity(self) -> ConnectorIdentity:
        """What this connector's calls carry (its context's, and the proxy's for a remote connector)."""
        daemon = self.host.config
        override = self.config.user_id or ""
        return ConnectorIdentity(
            connector_id=self.connector_id, connector_name=self.name, daemon_name=daemon.daemon_name,
            user_id=override or daemon.user, user_overridden=bool(override and override != daemon.user),
            metadata_source=self.config.metadata_source or "",
            permitted_synchronization=self.config.permitted_synchronization)

    def _make_context(self) -> IntegrationContext:
        return context_class(self.kind)(
            identity=self.identity(), config=self.config, channel=self.host.channel, tracker=self.tracker,
            loop=asyncio.get_running_loop(), on_denied=self._on_denied)

    def _on_denied(self, method: str) -> None:
        self.state.denied_writes += 1

    def _start_engage(self, connector: IntegrationConnector[Any]) -> None:
        stop = threading.Event()
        self._engage_stop = stop
        pause = self.host.config.scheduler.engage_pause_seconds
        thread = threading.Thread(target=_engage_loop, args=(connector, stop, pause, self.name),
                                  name=f"engage:{self.name}", daemon=True)
        thread.start()

    async def _teardown(self) -> None:
        if self._engage_stop is not None:
            # The thread may be stuck in blocking code: signal it and move on (it is a daemon thread).
            self._engage_stop.set()
            self._engage_stop = None
        if self.context is not None:
            await self.context.stop_listeners()
        connector, started = self.connector, self._started
        self.connector, self._started = None, False
        if connector is not None and started:
            try:
                await asyncio.wait_for(connector.disconnect(),
                                       self.host.config.scheduler.disconnect_timeout_seconds)
            except Exception as err:  # disconnect problems must not stop the daemon's shutdown
                log.warning("disconnect failed", extra={"connector": self.name, "error": _describe(err)})
        await self._close_window()

    # -- schedule ----------------------------------------------------------------------------------------
    async def _run_schedule(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.config.refresh_interval_seconds
        retry = Backoff(self.host.config.scheduler.retry_initial_seconds,
                        self.host.config.scheduler.retry_max_seconds)
        due = loop.time()  # Egeria refreshes once right after start
        phase = phase_offset(self.name, interval, self.host.config.scheduler.phase_spread_seconds)
        while True:
            refresh_id = await self._wait_until(due)
            scheduled = refresh_id is None
            ok = await self._refresh(refresh_id or new_refresh_id(), due if scheduled else None)
            now = loop.time()
            if not ok:
                due = now + retry.next()
            else:
                retry.reset()
                if scheduled or due <= now:
                    # Fixed rate: keep the phase, skip the slots that a long refresh overran.
                    due += interval * max(1, int((now - due) // interval) + 1) + phase
                    phase = 0.0
            self.state.next_refresh = time.time() + (due - now)

    async def _wait_until(self, due: float) -> str | None:
        """Sleep until ``due`` (loop time) or an on-demand refresh; returns the on-demand refresh id."""
        self.state.next_refresh = time.time() + max(0.0, due - asyncio.get_running_loop().time())
        if self._pending is None:
            try:
                async with asyncio.timeout_at(due):
                    await self._wake.wait()
            except TimeoutError:
                pass
        self._wake.clear()
        pending, self._pending = self._pending, None
        return pending

    async def _refresh(self, refresh_id: str, due: float | None) -> bool:
        connector = self.connector
        assert connector is not None
        async with self.host.refresh_slots:
            if due is not None:
                self.host.record_lateness(asyncio.get_running_loop().time() - due)
            after = await self._head()
            self._begin_refresh(refresh_id, after)
            start = time.time()
            error = await self._run_refresh(connector, refresh_id)
            end = time.time()
            self.tracker.refreshing = None
        self.state.last_refresh_end = end
        self.state.refresh_count += 1
        if error:
            self._fail(S.CONNECTOR_STATUS_FAILED, RuntimeError(error))
        else:
            self.state.consecutive_failures = 0
            self.state.failing_error = ""
            self._set_status(S.CONNECTOR_STATUS_RUNNING)
        span = RefreshSpan(refresh_id, self.connector_id, self.name, start, end, error=error, after_sequence=after)
        self._finish_waiters(refresh_id, await self._report(span))
        return not error

    async def _head(self) -> int:
        """The server's change-log head, the bound a span's report reads after; 0 when it cannot be had (the
        report then says it may be incomplete should the server's retention have moved past 0)."""
        try:
            return await self.host.reports.head()
        except Exception as err:  # the refresh itself will meet the same problem and report it
            log.info("change-log head not available", extra={"connector": self.name, "error": _describe(err)})
            return 0

    def _begin_refresh(self, refresh_id: str, after_sequence: int) -> None:
        self.tracker.refreshing = refresh_id
        self.state.last_refresh_start = time.time()
        self.state.refresh_ids = [*self.state.refresh_ids[-9:], refresh_id]
        self._set_status(S.CONNECTOR_STATUS_REFRESHING)
        closed = self.tracker.rotate_window(after_sequence)
        if self.tracker.writes.get(closed.refresh_id):
            span = RefreshSpan(closed.refresh_id, self.connector_id, self.name, closed.start, time.time(),
                               event_driven=True, after_sequence=closed.after_sequence)
            self._spawn(self._report(span))

    async def _run_refresh(self, connector: IntegrationConnector[Any], refresh_id: str) -> str:
        """Run refresh() in its own task tagged with the refresh id; returns an error text or ''."""
        context = contextvars.copy_context()
        context.run(CURRENT_REFRESH.set, refresh_id)
        task = asyncio.create_task(connector.refresh(), name=f"refresh:{self.name}", context=context)
        timeout = self.config.effective_refresh_timeout
        try:
            done, _ = await asyncio.wait({task}, timeout=timeout)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if not done:
            task.cancel()
            # A refresh that swallows cancellation is abandoned rather than awaited forever.
            await asyncio.wait({task}, timeout=ABANDON_AFTER_CANCEL_SECONDS)
            return f"refresh {refresh_id} timed out after {timeout:g}s and was cancelled"
        err = task.exception()
        return f"refresh raised {_describe(err)}" if err is not None else ""

    async def _report(self, span: RefreshSpan) -> cpb.IntegrationReport | None:
        if not self.tracker.take_writes(span.refresh_id):
            return None  # nothing was written under this id, so the change log has nothing tagged with it
        try:
            report = await self.host.reports.build(span, store=self.config.generate_integration_report)
        except Exception as err:  # a report problem must not fail the connector
            log.warning("integration report failed", extra={"connector": self.name, "refresh_id": span.refresh_id,
                                                            "error": _describe(err)})
            return None
        if report is not None:
            self.state.last_report = report
        return report

    async def close_event_window(self, *, reopen: bool = True) -> cpb.IntegrationReport | None:
        """Report the event-driven work since the last refresh now (tests; teardown) and open a new window.
        A teardown passes ``reopen=False``: nothing writes into the new window, so it needs no head (one
        server round trip less while a detached or stopping connector is being shut down)."""
        closed = self.tracker.rotate_window(await self._head() if reopen else 0)
        span = RefreshSpan(closed.refresh_id, self.connector_id, self.name, closed.start, time.time(),
                           event_driven=True, after_sequence=closed.after_sequence)
        return await self._report(span)

    async def _close_window(self) -> None:
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(self.close_event_window(reopen=False),
                                   self.host.config.scheduler.disconnect_timeout_seconds)
        for refresh_id in list(self._waiters):
            self._finish_waiters(refresh_id, None)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- reporting -------------------------------------------------------------------------------------
    def info(self) -> cpb.ConnectorInfo:
        return runner_info(self)


class InitializeFailed(Exception):
    """The access server could not be reached while initializing; retried automatically."""


class Backoff:
    """Capped exponential backoff: initial, 2x, 4x, ... up to the cap."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial, self.cap, self._next = initial, cap, initial

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.initial


def phase_offset(name: str, interval: float, spread: float) -> float:
    """A stable offset in [0, min(spread, interval / 10)) derived from the connector's name."""
    return (zlib.crc32(name.encode()) % 10_000) / 10_000 * min(spread, interval / 10)


def load_entry_point(entry_point: str) -> type[IntegrationConnector[Any]]:
    """Resolve ``package.module:Class`` to an IntegrationConnector subclass."""
    import importlib

    module_name, _, attr = entry_point.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    if not (isinstance(target, type) and issubclass(target, IntegrationConnector)):
        raise TypeError(f"{entry_point} is not an IntegrationConnector subclass")
    return target


def _engage_loop(connector: IntegrationConnector[Any], stop: threading.Event, pause: float, name: str) -> None:
    while not stop.is_set():
        try:
            connector.engage()
        except Exception:  # an engage failure is logged and retried after the pause, as in Egeria
            log.exception("engage failed", extra={"connector": name})
        stop.wait(pause)


def _describe(err: BaseException | None) -> str:
    if err is None:
        return ""
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def runner_info(runner: ConnectorRunner) -> cpb.ConnectorInfo:
    from coho.daemon.convert import connector_config_proto, timestamp_or_none
    from coho.daemon.remote import DETACHED

    state = runner.state
    session = runner.session
    status, failing_error = state.status, state.failing_error
    if session is not None and session.closed_by_peer and not runner.host.stopping:
        # The remote connector is gone, but the supervisor's teardown (ConnectorHost.detached, which reports
        # the last event window) has not ended: say so now rather than RUNNING until it does.
        status, failing_error = S.CONNECTOR_STATUS_FAILED, DETACHED
    info = cpb.ConnectorInfo(
        connector_id=runner.connector_id, config=connector_config_proto(runner),
        status=status, failing_error=failing_error,  # type: ignore[arg-type]
        consecutive_failures=state.consecutive_failures, refresh_count=state.refresh_count,
        attached=session is not None and not session.closed)
    for name, value in (("last_refresh_start", state.last_refresh_start),
                        ("last_refresh_end", state.last_refresh_end), ("next_refresh", state.next_refresh)):
        stamp = timestamp_or_none(value)
        if stamp is not None:
            getattr(info, name).CopyFrom(stamp)
    if state.last_report is not None:
        info.last_report.CopyFrom(state.last_report)
    return info

