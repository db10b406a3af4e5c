"""ArchiveMonitor: loads the Egeria open metadata archives (``.omarchive``) dropped into a folder.

Like Egeria's archive-files monitor: each archive that is new, or whose content changed, is loaded through
TypeService.LoadArchive (types first, then instances, in one transaction). Loading an archive again changes
nothing, and an archive whose content was already loaded from that path is not sent again.

A malformed, truncated or hostile archive (not JSON, nested too deeply, too large, unknown types, ...) is
rejected with a message naming the problem; the server stores nothing of it. The rejection is raised as an
incident report (class ``OpenMetadataArchiveRejected``, once per file content) and, while the file stays in
the folder, each refresh ends with an error naming it, so the connector's status shows it. Other archives are
still loaded. An archive that fails only because it needs another one (its types) is retried in the same
pass once any other archive loaded, so dropping a types archive and its instances together works in any order.

Live events (watchdog / inotify) start a pass ``debounce_seconds`` after the folder goes quiet, so a copy in
progress is read once complete; a periodic refresh catches anything missed.

Configuration properties:

``folder`` (required)
    The folder to watch; ``~`` is expanded and the path resolved.
``recursive`` (default false)
    Also load archives from sub-folders.
``ignore_hidden`` (default true)
    Skip files and folders whose name starts with ``.``.
``watch`` (default true)
    Follow live inotify events between refreshes.
``debounce_seconds`` (default 0.5)
    Quiet time after the last event before the folder is looked at.
``max_archive_bytes`` (default 16 MiB less 64 KiB)
    Larger files are rejected unread (the archive travels in one gRPC message).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc

from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.client.errors import CohoRpcError
from coho.daemon.connectors.files import (
    bool_property,
    folder_of,
    number_property,
)
from coho.daemon.connectors.watching import LiveFolder
from coho.daemon.context import FilesIntegrationContext
from coho.daemon.sdk import IntegrationConnector
from coho.omrs.v1 import type_service_pb2 as ts

log = logging.getLogger("coho.daemon.connectors.archives")

SUFFIX = ".omarchive"
MAX_ARCHIVE_BYTES = 16 * 1024 * 1024 - 64 * 1024
# Refusals that are about the archive itself; anything else (server unavailable, ...) fails the pass and is
# retried, rather than marking a good archive as bad.
REJECTING_CODES = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
                             grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ALREADY_EXISTS})


class ArchiveRejected(Exception):
    """Raised at the end of a refresh while rejected archives remain in the folder."""


@dataclass(frozen=True)
class Seen:
    """A file's size and mtime when read, and the digest of what it held."""

    size: int
    mtime_ns: int
    digest: str


@dataclass
class ArchiveSettings:
    folder: str
    recursive: bool
    ignore_hidden: bool
    watch: bool
    debounce: float
    max_bytes: int

    @classmethod
    def parse(cls, props: dict[str, Any]) -> ArchiveSettings:
        return cls(folder=folder_of(props), recursive=bool_property(props, "recursive", False),
                   ignore_hidden=bool_property(props, "ignore_hidden", True), watch=bool_property(props, "watch", True),
                   debounce=number_property(props, "debounce_seconds", 0.5, 0.0, 60.0),
                   max_bytes=int(number_property(props, "max_archive_bytes", MAX_ARCHIVE_BYTES, 2, 1 << 40)))


def find_archives(folder: str, recursive: bool, ignore_hidden: bool) -> list[tuple[str, os.stat_result]]:
    """The regular ``.omarchive`` files in the folder, sorted by path; raises if the folder is missing."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if ignore_hidden and entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        pending.append(entry.path)
                elif entry.name.endswith(SUFFIX):
                    try:
                        info = entry.stat()
                    except OSError:
                        continue  # gone or dangling: nothing to load
                    if stat.S_ISREG(info.st_mode):
                        found.append((entry.path, info))
    return sorted(found, key=lambda item: item[0])


def read_archive(path: str, max_bytes: int) -> bytes:
    """The file's bytes, refusing to read more than ``max_bytes`` (a hostile file may be endless)."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"larger than max_archive_bytes ({max_bytes} bytes)")
    return data


def precheck(data: bytes) -> str:
    """A problem the server should not even be asked about, or ''. Blocking: run in a thread."""
    if not data.strip():
        return "document: empty file"
    try:
        document = json.loads(data)
    except RecursionError:
        return "document: JSON nested too deeply"
    except UnicodeDecodeError as err:
        return f"document: not UTF-8 text ({err.reason} at byte {err.start})"
    except json.JSONDecodeError as err:
        return f"document: invalid JSON at line {err.lineno} column {err.colno}: {err.msg}"
    if not isinstance(document, dict):
        return f"document: an open metadata archive is a JSON object, not {type(document).__name__}"
    return ""


def describe(err: CohoRpcError) -> str:
    text = err.message or str(err)
    extra = [f"{name}: {why}" for name, why in err.field_violations if name not in text]
    return "; ".join([text, *extra])


class ArchiveMonitor(IntegrationConnector[FilesIntegrationContext]):
    """Loads new and changed ``.omarchive`` files from one folder."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: ArchiveSettings | None = None
        self.seen: dict[str, Seen] = {}               # loaded (or rejected) content per path
        self.rejected: dict[str, str] = {}            # path -> why, while that content is in the folder
        self.results: dict[str, ts.LoadArchiveResponse] = {}  # path -> its last successful load
        self._lock = asyncio.Lock()
        self._live: LiveFolder | None = None

    async def start(self) -> None:
        self.settings = ArchiveSettings.parse(self.context.configuration_properties)
        self._live = LiveFolder(self._on_events, self.settings.debounce)
        await self._ensure_watching()

    async def disconnect(self) -> None:
        if self._live is not None:
            await self._live.stop()

    async def refresh(self) -> None:
        async with self._lock:
            await self._ensure_watching()
            await self._pass()
        if self.rejected:
            raise ArchiveRejected("; ".join(f"{path}: {why}" for path, why in sorted(self.rejected.items())))

    async def _on_events(self, paths: set[str]) -> None:
        if not any(path.endswith(SUFFIX) for path in paths):
            return
        async with self._lock:
            await self._pass()

    async def _ensure_watching(self) -> None:
        settings = self.settings
        assert settings is not None and self._live is not None
        if settings.watch:
            await self._live.ensure(settings.folder, settings.recursive)

    async def _pass(self) -> None:
        """Load every new or changed archive; archives that need another one are retried after it."""
        settings = self.settings
        assert settings is not None
        archives = await asyncio.to_thread(find_archives, settings.folder, settings.recursive, settings.ignore_hidden)
        present = {path for path, _ in archives}
        for path in [p for p in self.seen if p not in present]:
            self.seen.pop(path)
            self.rejected.pop(path, None)
        pending: list[tuple[str, Seen, bytes]] = []
        for path, info in archives:
            known = self.seen.get(path)
            if known is not None and (known.size, known.mtime_ns) == (info.st_size, info.st_mtime_ns):
                continue
            try:
                data = await asyncio.to_thread(read_archive, path, settings.max_bytes)
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as err:
                await self._reject(path, Seen(info.st_size, info.st_mtime_ns, ""), str(err))
                continue
            seen = Seen(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())
            if known is not None and known.digest == seen.digest:
                self.seen[path] = seen  # touched, not changed
                continue
            pending.append((path, seen, data))
        await self._load_all(pending)

    async def _load_all(self, pending: Sequence[tuple[str, Seen, bytes]]) -> None:
        problems: dict[str, str] = {}
        while pending:
            retry = []
            for path, seen, data in pending:
                problem = await self._load(path, seen, data)
                if problem:
                    problems[path] = problem
                    retry.append((path, seen, data))
            if len(retry) == len(pending):
                break  # no progress: these are refused on their own account
            pending = retry  # something loaded: one refused for lack of its types may load now
        for path, seen, _ in pending:
            await self._reject(path, seen, problems[path])

    async def _load(self, path: str, seen: Seen, data: bytes) -> str:
        """Load one archive; returns why it was refused, or '' when it loaded."""
        problem = await asyncio.to_thread(precheck, data)
        if problem:
            return problem
        try:
            reply = await self.context.load_archive(data)
        except CohoRpcError as err:
            if err.code not in REJECTING_CODES:
                raise
            return describe(err)
        self.seen[path] = seen
        self.rejected.pop(path, None)
        self.results[path] = reply
        log.info("archive loaded", extra={"path": path, "archive": reply.archive_name,
                                          "entities": reply.loaded.entities, "type_defs": reply.loaded.type_defs})
        return ""

    async def _reject(self, path: str, seen: Seen, problem: str) -> None:
        self.seen[path] = seen
        self.rejected[path] = problem
        self.results.pop(path, None)
        log.warning("archive rejected", extra={"path": path, "problem": problem})
        key = hashlib.sha256(f"{path}\0{seen.digest or seen.size}".encode("utf-8", "surrogateescape")).hexdigest()
        await self.context.raise_incident_report(sa.IncidentReport(
            qualified_name=f"OpenMetadataArchiveRejected:{self.context.connector_name}:{key[:16]}",
            incident_class="OpenMetadataArchiveRejected", severity=50,
            background=f"open metadata archive {path} was rejected and nothing of it was stored: {problem}",
            details={"path": path, "problem": problem, "sha256": seen.digest, "size": str(seen.size)}),
            request_id=f"archive-rejected-{key[:32]}")
