"""``coho up``'s live status: polls the daemon's admin service and prints a line when something changes.

Plain lines, one event each, so the output reads the same in a terminal, a pipe or a log file (no curses,
no cursor movement). :class:`LiveTracker` is the grpc-free core that turns successive snapshots into lines;
:class:`LiveStatus` polls over gRPC about once a second and has the start / wait / stop lifecycle that
``run_until_signal`` drives, so it is stopped first and never polls a draining daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import grpc
import grpc.aio

from coho.admin.v1 import server_admin_service_pb2 as sa
from coho.admin.v1 import server_admin_service_pb2_grpc as sa_grpc
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

log = logging.getLogger("coho.up")
S = cpb.ConnectorStatus
# After the first sync a connector flips between these on every refresh; printing each flip would drown
# the lines that matter, so they count as one state for change detection.
_ACTIVE = {S.CONNECTOR_STATUS_RUNNING, S.CONNECTOR_STATUS_REFRESHING}
_FAILED = {S.CONNECTOR_STATUS_FAILED, S.CONNECTOR_STATUS_INITIALIZE_FAILED, S.CONNECTOR_STATUS_CONFIG_FAILED}
ERROR_WIDTH = 160


def status_name(status: int) -> str:
    return S.Name(status).removeprefix("CONNECTOR_STATUS_")


def clock(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds))


@dataclass
class _Seen:
    key: tuple[object, ...] = ()
    report: str = ""
    totals: list[int] = field(default_factory=lambda: [0, 0, 0])


class LiveTracker:
    """Turns successive daemon snapshots into the lines worth printing (grpc-free, so unit-testable)."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}
        self._connected: bool | None = None
        self._unreachable = ""
        # (time, server head sequence) before the daemon started; progress counts from there.
        self._start: tuple[float, int | None] = (time.time(), None)
        self._sync_head = -1
        self._sync_done = False

    def baseline(self, head: int | None, now: float) -> None:
        self._start = (now, head)

    def unreachable(self, error: str, now: float) -> list[str]:
        """The daemon did not answer; said once per distinct error."""
        if error == self._unreachable:
            return []
        self._unreachable = error
        return [f"{clock(now)}  daemon unreachable: {error}"]

    def update(self, status: ids.GetDaemonStatusResponse, connectors: Sequence[cpb.ConnectorInfo],
               head_sequence: int | None, now: float) -> list[str]:
        lines: list[str] = []
        if self._unreachable:
            self._unreachable = ""
            lines.append(f"{clock(now)}  daemon reachable again")
        if status.server_connected != self._connected:
            self._connected = status.server_connected
            state = "connected to" if status.server_connected else "cannot reach"
            lines.append(f"{clock(now)}  daemon {status.daemon_name} {state} the access server "
                         f"{status.server_address}")
        width = max((len(c.config.connector_name) for c in connectors), default=0)
        for info in connectors:
            line = self._connector(info, width, now)
            if line:
                lines.append(line)
        lines.extend(self._first_sync(connectors, head_sequence, now))
        return lines

    def _connector(self, info: cpb.ConnectorInfo, width: int, now: float) -> str | None:
        seen = self._seen.setdefault(info.config.connector_name, _Seen())
        report = info.last_report.report_guid or info.last_report.refresh_id
        new_report = bool(report) and report != seen.report
        if new_report:
            seen.report = report
            for i, guids in enumerate((info.last_report.created_element_guids,
                                       info.last_report.updated_element_guids,
                                       info.last_report.deleted_element_guids)):
                seen.totals[i] += len(guids)
        first_done = synced(info)
        shown = S.CONNECTOR_STATUS_RUNNING if info.status in _ACTIVE and first_done else info.status
        key = (shown, info.failing_error, first_done)
        if key == seen.key and not new_report:
            return None
        seen.key = key
        return f"{clock(now)}  {info.config.connector_name:<{width}}  {status_name(info.status):<17} " \
               + describe(info, seen.totals)

    def _first_sync(self, connectors: Sequence[cpb.ConnectorInfo], head: int | None, now: float) -> list[str]:
        """Progress while connectors run their first refresh: change-log entries written since the start."""
        if self._sync_done or not connectors:
            return []
        start_time, start_head = self._start
        if start_head is None and head is not None:
            self._start = (start_time, head)  # no baseline at start: count from the first answer instead
            start_head = head
        # Only CONFIG_FAILED is final; the daemon retries the other failures, so their sync is still to come.
        pending = [c for c in connectors if not synced(c) and c.status != S.CONNECTOR_STATUS_CONFIG_FAILED]
        if not pending:
            self._sync_done = True
            created, updated, deleted = (sum(seen.totals[i] for seen in self._seen.values()) for i in range(3))
            failed = [c.config.connector_name for c in connectors if not synced(c)]
            tail = f"; not synced: {', '.join(failed)}" if failed else ""
            return [f"{clock(now)}  first full sync done in {now - start_time:.1f} s: {created} created, "
                    f"{updated} updated, {deleted} deleted{tail}"]
        running = [c.config.connector_name for c in pending
                   if c.status == S.CONNECTOR_STATUS_REFRESHING or c.refresh_count > 0]
        if head is None or start_head is None or not running or head == self._sync_head:
            return []
        self._sync_head = head
        return [f"{clock(now)}  first sync in progress ({', '.join(running)}): "
                f"{head - start_head} changes written so far, {now - start_time:.0f} s"]


def synced(info: cpb.ConnectorInfo) -> bool:
    """A refresh has finished, report included. The daemon counts a refresh before building its report (which
    takes seconds for thousands of elements) and schedules the next one only after it, so a next refresh
    later than the last refresh's end is what says the report is in."""
    if info.refresh_count == 0:
        return False
    return info.next_refresh.ToNanoseconds() > info.last_refresh_end.ToNanoseconds()


def describe(info: cpb.ConnectorInfo, totals: Sequence[int]) -> str:
    """The status details after the name and status columns."""
    if info.status in _FAILED or info.failing_error:
        error = " ".join(info.failing_error.split())
        if len(error) > ERROR_WIDTH:
            error = error[:ERROR_WIDTH - 3] + "..."
        return f"error: {error or 'unknown'} (failures: {info.consecutive_failures})"
    if not synced(info):
        if info.refresh_count > 0:
            return "first refresh done, building its integration report"
        if info.status == S.CONNECTOR_STATUS_REFRESHING:
            return "first refresh running"
        return "started, first refresh due" if info.status == S.CONNECTOR_STATUS_RUNNING else "starting"
    report = info.last_report
    if not (report.report_guid or report.refresh_id):
        last = clock(info.last_refresh_end.ToNanoseconds() / 1e9) if info.HasField("last_refresh_end") else "-"
        return f"refresh {last}: no changes"
    # Lines appear when something changed, so the time shown is the change's: the report's end.
    when = clock(report.refresh_end.ToNanoseconds() / 1e9)
    source = f"live events to {when}" if report.event_driven else f"refresh {when}"
    return (f"{source} catalogued {len(report.created_element_guids)} created, "
            f"{len(report.updated_element_guids)} updated, {len(report.deleted_element_guids)} deleted "
            f"(since start {totals[0]}/{totals[1]}/{totals[2]})")


class LiveStatus:
    """Polls the daemon (and the server's head sequence) every ``interval`` seconds once :meth:`begin` is
    called, writing each line from :class:`LiveTracker` through ``write``."""

    def __init__(self, *, daemon_address: str, server_address: str, token: str,
                 write: Callable[[str], None], interval: float = 1.0) -> None:
        self.daemon_address, self.server_address = daemon_address, server_address
        self.metadata = (("authorization", f"Bearer {token}"),)
        self.write, self.interval = write, interval
        self.tracker = LiveTracker()
        self._ready = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.timeout = max(2.0, 2 * interval)
        self._daemon_channel: grpc.aio.Channel | None = None
        self._server_channel: grpc.aio.Channel | None = None
        self._daemon: ids_grpc.IntegrationDaemonServiceStub | None = None
        self._server: sa_grpc.ServerAdminServiceStub | None = None

    def begin(self) -> None:
        """Start printing (after the banner, so the first lines follow it)."""
        self._ready.set()

    async def start(self) -> None:
        """Runs after the server started and before the daemon does, so the baseline precedes any sync."""
        self._daemon_channel = grpc.aio.insecure_channel(self.daemon_address)
        self._server_channel = grpc.aio.insecure_channel(self.server_address)
        self._daemon = ids_grpc.IntegrationDaemonServiceStub(self._daemon_channel)
        self._server = sa_grpc.ServerAdminServiceStub(self._server_channel)
        self.tracker.baseline(await self._head(), time.time())
        self._task = asyncio.create_task(self._run(), name="coho-up-live")

    async def wait(self) -> None:
        await self._stopped.wait()

    async def stop(self, grace: float | None = None) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in (self._daemon_channel, self._server_channel):
            if channel is not None:
                await channel.close()
        self._stopped.set()

    async def _run(self) -> None:
        await self._ready.wait()
        while True:
            started = time.monotonic()
            try:
                lines = await self.poll()
            except Exception:  # a bug here must not end the display (nor, through wait(), the platform)
                log.exception("live status poll failed")
                lines = []
            for line in lines:
                self.write(line)
            await asyncio.sleep(max(0.05, self.interval - (time.monotonic() - started)))

    async def _head(self) -> int | None:
        """The server's change-log head; None when it does not answer (progress is a nicety, not a must)."""
        assert self._server is not None
        try:
            status = await self._server.GetServerStatus(sa.GetServerStatusRequest(), metadata=self.metadata,
                                                        timeout=self.timeout)
        except grpc.aio.AioRpcError:
            return None
        return int(status.head_sequence)

    async def poll(self) -> list[str]:
        assert self._daemon is not None
        try:
            status = await self._daemon.GetDaemonStatus(ids.GetDaemonStatusRequest(), metadata=self.metadata,
                                                        timeout=self.timeout)
            listed = await self._daemon.ListConnectors(ids.ListConnectorsRequest(), metadata=self.metadata,
                                                       timeout=self.timeout)
        except grpc.aio.AioRpcError as err:
            return self.tracker.unreachable(f"{err.code().name}: {err.details()}", time.time())
        return self.tracker.update(status, list(listed.connectors), await self._head(), time.time())
