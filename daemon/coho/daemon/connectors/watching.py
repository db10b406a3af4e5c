"""Following a folder live: a watchdog (inotify) observer whose events reach the event loop, coalesced.

Shared by the files integration service's connectors (FolderMonitor, ArchiveMonitor): :class:`LiveFolder`
owns an observer and a :class:`Debouncer` and (re)starts the observer when the folder appears or is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
from collections.abc import Awaitable, Callable, Sequence

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

log = logging.getLogger("coho.daemon.connectors.watching")

WATCH_STOP_SECONDS = 5.0
"""How long stopping an observer or a pending burst may take."""
MAX_WAIT_FACTOR = 3
"""A burst is applied at most this many quiet periods after its first event, even if events keep coming."""


class FolderWatch:
    """A watchdog observer whose events reach ``on_paths`` on the event loop thread, never on its own."""

    def __init__(self, root: str, recursive: bool, on_paths: Callable[[list[str]], None],
                 loop: asyncio.AbstractEventLoop) -> None:
        self.root = root
        self.recursive = recursive
        self._on_paths = on_paths
        self._loop = loop
        self._observer: BaseObserver | None = None
        self.identity: tuple[int, int] | None = None

    def start(self) -> None:
        """Blocking (inotify watches are added here): call it through asyncio.to_thread."""
        info = os.stat(self.root)
        observer = Observer()
        observer.daemon = True
        observer.schedule(_Handler(self._deliver), self.root, recursive=self.recursive)
        observer.start()
        self._observer, self.identity = observer, (info.st_dev, info.st_ino)

    def is_current(self) -> bool:
        """Alive, and still watching the folder now at the root path (it may have been replaced)."""
        observer = self._observer
        # An emitter stops itself when the watched folder is deleted, leaving the observer thread running.
        if observer is None or not observer.is_alive() or not all(e.is_alive() for e in observer.emitters):
            return False
        try:
            info = os.stat(self.root)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self.identity

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(WATCH_STOP_SECONDS)

    def _deliver(self, paths: list[str]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing: the connector is going away
            self._loop.call_soon_threadsafe(self._on_paths, paths)


class _Handler(FileSystemEventHandler):
    def __init__(self, deliver: Callable[[list[str]], None]) -> None:
        self._deliver = deliver

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (
                event.is_directory and event.event_type == "modified"):
            return  # a folder's "modified" only says a child changed, and the child has its own event
        paths = [os.fsdecode(event.src_path)]
        if event.dest_path:
            paths.append(os.fsdecode(event.dest_path))
        self._deliver(paths)


class Debouncer:
    """Collects paths from events and calls ``apply(paths)`` once the burst has been quiet for ``quiet``."""

    def __init__(self, apply: Callable[[set[str]], Awaitable[None]], quiet: float) -> None:
        self._apply = apply
        self._quiet = quiet
        self._pending: set[str] = set()
        self._arrivals = 0
        self._task: asyncio.Task[None] | None = None

    def add(self, paths: Sequence[str]) -> None:
        self._pending.update(paths)
        self._arrivals += 1
        if self._task is None or self._task.done():
            # A fresh context: this work belongs to the connector's event window, never to a refresh.
            self._task = asyncio.get_running_loop().create_task(self._drain(), name="debounce",
                                                                 context=contextvars.Context())

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            first = loop.time()
            while True:
                seen = self._arrivals
                await asyncio.sleep(self._quiet)
                if self._arrivals == seen or loop.time() - first >= MAX_WAIT_FACTOR * self._quiet:
                    break
            paths, self._pending = self._pending, set()
            try:
                await self._apply(paths)
            except asyncio.CancelledError:
                raise
            except Exception:  # the next refresh catches up with whatever this missed
                log.exception("applying file events failed", extra={"paths": len(paths)})

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=WATCH_STOP_SECONDS)


class LiveFolder:
    """A folder followed live: an observer feeding a :class:`Debouncer` that calls ``apply(paths)``."""

    def __init__(self, apply: Callable[[set[str]], Awaitable[None]], quiet: float) -> None:
        self.events = Debouncer(apply, quiet)
        self._watch: FolderWatch | None = None

    async def ensure(self, folder: str, recursive: bool) -> None:
        """(Re)start the observer unless it is alive and watching the folder now at ``folder``."""
        if self._watch is not None and self._watch.is_current():
            return
        if self._watch is not None:
            await asyncio.to_thread(self._watch.stop)
            self._watch = None
        watch = FolderWatch(folder, recursive, self.events.add, asyncio.get_running_loop())
        try:
            await asyncio.to_thread(watch.start)
        except FileNotFoundError:
            return  # the refresh reports a missing folder; watching starts once it is there
        except OSError as err:  # e.g. the inotify watch limit: refreshes still keep the catalogue right
            log.warning("cannot watch the folder; relying on refreshes", extra={"folder": folder, "error": str(err)})
            return
        self._watch = watch

    async def stop(self) -> None:
        await self.events.stop()
        watch, self._watch = self._watch, None
        if watch is not None:
            await asyncio.to_thread(watch.stop)
