"""FolderMonitor: catalogues a folder tree as FileFolder and DataFile elements through the Data Manager.

The folder becomes a FileFolder named by its absolute path; every sub-folder a FileFolder and every file a
DataFile (path, name, extension, file type, size, modified time), each linked to its containing folder.

How it stays current:

- **Refresh** (the first one right after start, then on the daemon's schedule): walk the tree, upsert in
  batches what is new or changed, then delete what disappeared. What was last sent per path (size and
  modified time) is kept, so an unchanged file is never re-sent; after a restart that knowledge is rebuilt
  from the server's listing of the folder tree, so nothing is duplicated and deletions made while the
  daemon was down are still found.
- **Live updates**: a watchdog (inotify) observer thread hands create, modify, move/rename and delete events
  to the event loop; bursts are coalesced for ``debounce_seconds`` and applied as one batch. This work is
  not part of a refresh, so it is reported in the connector's event window.
- **Deletion is guarded.** Deletions are only ever done after a complete, error-free enumeration (an
  unreadable sub-folder or a missing root fails the refresh and deletes nothing), only for elements under
  the connector's own folder that its own metadata source created, and never for more than
  ``delete_threshold`` of the connector's elements in one refresh: past that it raises an incident report
  (class ``DeletionThresholdExceeded``) and deletes nothing. Live delete events are exact (the path was
  checked to be gone) and are not subject to the threshold.

Configuration properties:

``folder`` (required)
    The folder to catalogue; ``~`` is expanded and the path resolved.
``recursive`` (default true)
    Catalogue sub-folders and their contents; false catalogues only the folder's own files.
``include`` (list of globs, default: every file)
    Only files matching one of them are catalogued. A glob without ``/`` is matched against the file name,
    one with ``/`` against the path relative to ``folder`` (``*`` also matches ``/``). Folders are always
    catalogued unless excluded.
``exclude`` (list of globs, default none)
    Files and folders matching one of them are skipped (an excluded folder is not descended into).
``ignore_hidden`` (default true)
    Skip files and folders whose name starts with ``.``.
``watch`` (default true)
    Follow live inotify events between refreshes; false relies on refreshes only.
``debounce_seconds`` (default 0.1)
    How long the events must be quiet before a burst is applied (at most 3x this after the first event).
``delete_threshold`` (default 0.5)
    The largest share of its elements one refresh may delete; more raises an incident report instead.
``delete_threshold_minimum`` (default 10)
    Refreshes deleting fewer elements than this are not checked against ``delete_threshold`` (so removing
    one file from a small folder is not an incident).
``batch_size`` (default 500)
    Elements per UpsertElements call.
``upsert_concurrency`` (default 2)
    File batches in flight at once, so the client's and the server's work overlap.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.client.errors import CohoRpcError
from coho.daemon.connectors.watching import LiveFolder
from coho.daemon.context import FilesIntegrationContext
from coho.daemon.sdk import IntegrationConnector

log = logging.getLogger("coho.daemon.connectors.files")

BATCH = 500
# What was last sent for a path: (is_folder, size, modified time in ms). The server keeps modifiedTime in
# milliseconds, so that is the precision compared, and what a restart rebuilds from the listing.
Sig = tuple[bool, int, int]
FOLDER: Sig = (True, 0, 0)


class ConfigError(ValueError):
    """A configuration property is missing or has the wrong type; the message names it."""


def bool_property(props: dict[str, Any], key: str, default: bool) -> bool:
    value = props.get(key, default)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise ConfigError(f"configuration property {key!r} must be true or false, not {value!r}")
    return value


def number_property(props: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = props.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"configuration property {key!r} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"configuration property {key!r} must be between {low:g} and {high:g}, not {number:g}")
    return number


def _globs(props: dict[str, Any], key: str) -> tuple[str, ...]:
    value = props.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"configuration property {key!r} must be a list of glob patterns, not {value!r}")
    return tuple(value)


def folder_of(props: dict[str, Any]) -> str:
    """The configured ``folder`` as an absolute path (it need not exist yet)."""
    folder = props.get("folder")
    if not isinstance(folder, str) or not folder:
        raise ConfigError("configuration property 'folder' is required (the folder to monitor)")
    return os.path.realpath(os.path.expanduser(folder))


@dataclass(frozen=True)
class Rules:
    """Which paths under the root are catalogued."""

    recursive: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_hidden: bool = True

    @staticmethod
    def _matches(patterns: tuple[str, ...], rel: str, name: str) -> bool:
        return any(fnmatch.fnmatchcase(rel if "/" in p else name, p) for p in patterns)

    def folder_wanted(self, rel: str, name: str) -> bool:
        return not (self.ignore_hidden and name.startswith(".")) and not self._matches(self.exclude, rel, name)

    def file_wanted(self, rel: str, name: str) -> bool:
        if self.ignore_hidden and name.startswith("."):
            return False
        if self.include and not self._matches(self.include, rel, name):
            return False
        return not self._matches(self.exclude, rel, name)

    def in_scope(self, rel: str, is_folder: bool) -> bool:
        """Whether a path (relative to the root) is catalogued, judging each folder on the way to it."""
        parts = rel.split("/")
        if not self.recursive and (len(parts) > 1 or is_folder):
            return False
        for depth in range(1, len(parts)):
            if not self.folder_wanted("/".join(parts[:depth]), parts[depth - 1]):
                return False
        return self.folder_wanted(rel, parts[-1]) if is_folder else self.file_wanted(rel, parts[-1])


@dataclass
class FolderSettings:
    folder: str
    rules: Rules
    watch: bool
    debounce: float
    delete_threshold: float
    delete_minimum: int
    batch_size: int
    concurrency: int

    @classmethod
    def parse(cls, props: dict[str, Any]) -> FolderSettings:
        rules = Rules(recursive=bool_property(props, "recursive", True), include=_globs(props, "include"),
                      exclude=_globs(props, "exclude"), ignore_hidden=bool_property(props, "ignore_hidden", True))
        return cls(folder=folder_of(props), rules=rules, watch=bool_property(props, "watch", True),
                   debounce=number_property(props, "debounce_seconds", 0.1, 0.0, 60.0),
                   delete_threshold=number_property(props, "delete_threshold", 0.5, 0.0, 1.0),
                   delete_minimum=int(number_property(props, "delete_threshold_minimum", 10, 0, 1e9)),
                   batch_size=int(number_property(props, "batch_size", BATCH, 1, 5000)),
                   concurrency=int(number_property(props, "upsert_concurrency", 2, 1, 16)))


@dataclass
class Scan:
    """One enumeration: path -> (parent path, signature), parents before children, and what failed."""

    entries: dict[str, tuple[str, Sig]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def scan_tree(root: str, rules: Rules, start: str | None = None) -> Scan:
    """Walk ``start`` (default: the root itself) with os.scandir; raises if ``root`` is not a folder."""
    if not stat.S_ISDIR(os.stat(root).st_mode):
        raise NotADirectoryError(f"{root!r} is not a folder")
    start = start or root
    scan = Scan()
    if start != root and not os.path.isdir(start):
        return scan
    scan.entries[start] = ("" if start == root else os.path.dirname(start), FOLDER)
    prefix = len(root) + 1
    stack = [start]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as found:
                items = sorted(found, key=lambda e: e.name)
        except OSError as err:
            scan.errors.append(f"{current}: {err.strerror or err}")
            continue
        for entry in items:
            path = entry.path
            if not _utf8(entry.name):
                continue  # a name that is not UTF-8 cannot be a qualified name: skipped, not an error
            try:
                if entry.is_dir(follow_symlinks=False):
                    if rules.recursive and rules.folder_wanted(path[prefix:], entry.name):
                        scan.entries[path] = (current, FOLDER)
                        stack.append(path)
                elif entry.is_file() and rules.file_wanted(path[prefix:], entry.name):
                    info = entry.stat()
                    scan.entries[path] = (current, (False, info.st_size, info.st_mtime_ns // 1_000_000))
            except FileNotFoundError:
                continue  # gone while walking: it is simply not there
            except OSError as err:
                scan.errors.append(f"{path}: {err.strerror or err}")
    return scan


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_element(path: str, parent: str, sig: Sig) -> dm.DataElement:
    name = os.path.basename(path) or path
    if sig[0]:
        return dm.DataElement(qualified_name=path, display_name=name, parent_qualified_name=parent,
                              folder=dm.FolderElement(path_name=path))
    extension = os.path.splitext(name)[1].lstrip(".")
    modified = Timestamp()
    modified.FromMilliseconds(sig[2])
    return dm.DataElement(
        qualified_name=path, display_name=name, parent_qualified_name=parent,
        file=dm.FileElement(path_name=path, file_name=name, file_extension=extension,
                            file_type=extension.upper(), size_bytes=sig[1], modified_time=modified))


def sig_of(view: dm.DataElementView) -> Sig | None:
    kind = view.element.WhichOneof("kind")
    if kind == "folder":
        return FOLDER
    if kind == "file":
        f = view.element.file
        return (False, f.size_bytes, f.modified_time.ToMilliseconds() if f.HasField("modified_time") else 0)
    return None


def topmost(paths: Iterable[str]) -> list[str]:
    """The paths none of whose ancestors are also in the set (a cascading delete covers the rest)."""
    chosen = set(paths)
    return sorted(p for p in chosen if not any(a in chosen for a in _ancestors(p)))


def _ancestors(path: str) -> Iterable[str]:
    parent = os.path.dirname(path)
    while parent and parent != path:
        yield parent
        path, parent = parent, os.path.dirname(parent)


class FolderMonitor(IntegrationConnector[FilesIntegrationContext]):
    """Egeria's data-files monitor: one folder tree, refreshed on schedule and followed live."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: FolderSettings | None = None
        self.known: dict[str, Sig] = {}     # what the server holds for our paths, as last sent or listed
        self.foreign: set[str] = set()      # our paths whose element another metadata source maintains
        self.loaded = False
        self.last_problem = ""
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._live: LiveFolder | None = None

    @property
    def root(self) -> str:
        assert self.settings is not None
        return self.settings.folder

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        self.settings = FolderSettings.parse(self.context.configuration_properties)
        self._live = LiveFolder(self._apply_events, self.settings.debounce)
        await self._ensure_watching()

    async def disconnect(self) -> None:
        if self._live is not None:
            await self._live.stop()

    async def _ensure_watching(self) -> None:
        """(Re)start the observer: at start, and when the root was missing or replaced since."""
        assert self.settings is not None and self._live is not None
        if self.settings.watch:
            await self._live.ensure(self.root, self.settings.rules.recursive)

    # -- refresh -----------------------------------------------------------------------------------
    async def refresh(self) -> None:
        assert self.settings is not None
        async with self._lock:
            await self._ensure_watching()
            if not self.loaded:
                await self._load_known()
            scan = await asyncio.to_thread(scan_tree, self.root, self.settings.rules)
            await self._send(scan.entries)
            if scan.errors:
                self.last_problem = (f"enumeration of {self.root} incomplete, so nothing was deleted: "
                                     f"{len(scan.errors)} error(s), first {scan.errors[0]}")
                raise RuntimeError(self.last_problem)
            await self._delete_missing(scan.entries)

    async def _load_known(self) -> None:
        """Rebuild what the server holds for this tree from its listing (after a restart)."""
        self.known.clear()
        self.foreign.clear()
        source = self.context.metadata_source
        try:
            root = await self.context.get_element(qualified_name=self.root)
        except CohoRpcError as err:
            if err.code != grpc.StatusCode.NOT_FOUND:
                raise
        else:
            if sig_of(root) == FOLDER:
                self._remember(self.root, FOLDER, root.header.external_source == source)
                pending = [self.root]
                while pending:
                    folder = pending.pop()
                    for child in await self.context.list_children(parent_qualified_name=folder):
                        path, sig = child.element.qualified_name, sig_of(child)
                        if sig is None or not path.startswith(self.root + "/"):
                            continue
                        self._remember(path, sig, child.header.external_source == source)
                        if sig[0]:
                            pending.append(path)
        self.loaded = True
        self._ready.set()

    def _remember(self, path: str, sig: Sig, ours: bool) -> None:
        self.known[path] = sig
        if not ours:
            self.foreign.add(path)

    async def _send(self, entries: dict[str, tuple[str, Sig]]) -> int:
        """Upsert what differs from what the server holds; returns how many elements were sent.

        Folders go first, one batch after another (a batch may name parents from an earlier one); files
        then go ``upsert_concurrency`` batches at a time, since no file is another file's parent.
        """
        assert self.settings is not None
        known = self.known
        changed = [(path, parent, sig) for path, (parent, sig) in entries.items() if known.get(path) != sig]
        retyped = [path for path, _, sig in changed if path in known and known[path][0] != sig[0]]
        if retyped:  # a file became a folder or the reverse: the element's kind cannot change in place
            await self._delete(retyped)
        size = self.settings.batch_size
        folders = [item for item in changed if item[2][0]]
        files = [item for item in changed if not item[2][0]]
        for start in range(0, len(folders), size):
            await self._upsert(folders[start:start + size])
        slots = asyncio.Semaphore(self.settings.concurrency)

        async def send(batch: list[tuple[str, str, Sig]]) -> None:
            async with slots:
                await self._upsert(batch)

        async with asyncio.TaskGroup() as group:
            for start in range(0, len(files), size):
                group.create_task(send(files[start:start + size]))
        return len(changed)

    async def _upsert(self, batch: list[tuple[str, str, Sig]]) -> None:
        await self.context.upsert_elements([to_element(path, parent, sig) for path, parent, sig in batch])
        for path, _, sig in batch:
            self.known[path] = sig

    async def _delete_missing(self, entries: dict[str, tuple[str, Sig]]) -> None:
        assert self.settings is not None
        gone = [p for p in self.known if p not in entries and p != self.root and p not in self.foreign]
        if not gone:
            return
        share = len(gone) / max(1, len(self.known))
        if share > self.settings.delete_threshold and len(gone) >= self.settings.delete_minimum:
            await self._refuse_deletion(gone, share)
            return
        await self._delete(gone)

    async def _refuse_deletion(self, gone: list[str], share: float) -> None:
        assert self.settings is not None
        self.last_problem = (f"{len(gone)} of {len(self.known)} elements ({share:.0%}) of {self.root} disappeared, "
                             f"more than delete_threshold {self.settings.delete_threshold:g}; nothing was deleted")
        log.warning("deletion threshold exceeded", extra={"connector": self.context.connector_name,
                                                          "folder": self.root, "missing": len(gone)})
        digest = hashlib.sha256("\n".join(sorted(gone)).encode("utf-8", "surrogateescape")).hexdigest()
        await self.context.raise_incident_report(sa.IncidentReport(
            qualified_name=f"DeletionThresholdExceeded:{self.context.connector_name}:{digest[:16]}",
            incident_class="DeletionThresholdExceeded", severity=70, background=self.last_problem,
            details={"folder": self.root, "missing": str(len(gone)), "elements": str(len(self.known)),
                     "delete_threshold": f"{self.settings.delete_threshold:g}",
                     "examples": "\n".join(sorted(gone)[:10])}),
            # The same set of missing paths is one incident, however many refreshes see it.
            request_id=f"deletion-threshold-{digest[:32]}")

    async def _delete(self, paths: Sequence[str]) -> None:
        """Delete elements (ours) and forget them; a folder takes what is below it."""
        doomed = set(paths)
        below = [p for p in self.known if any(a in doomed for a in _ancestors(p))]
        doomed.update(below)
        if any(p in self.foreign for p in doomed):
            # Another source's element lies below: delete ours one by one, deepest first, never cascading.
            targets, cascade = sorted((p for p in doomed if p not in self.foreign), key=len, reverse=True), False
        else:
            targets, cascade = topmost(doomed), True
        assert self.settings is not None
        size = self.settings.batch_size
        for start in range(0, len(targets), size):
            await self.context.delete_elements(qualified_names=targets[start:start + size], cascade=cascade)
        for path in doomed:
            if path not in self.foreign:
                self.known.pop(path, None)

    # -- live events -------------------------------------------------------------------------------
    async def _apply_events(self, paths: set[str]) -> None:
        await self._ready.wait()  # the first refresh has rebuilt what the server holds
        async with self._lock:
            await self._apply_paths(paths)

    async def _apply_paths(self, paths: set[str]) -> None:
        assert self.settings is not None
        root = self.root
        present, gone = await asyncio.to_thread(classify, root, self.settings.rules, paths, self.known)
        for path in list(present):
            for ancestor in _ancestors(path):
                if len(ancestor) < len(root):
                    break
                if ancestor not in self.known and ancestor not in present:
                    present[ancestor] = ("" if ancestor == root else os.path.dirname(ancestor), FOLDER)
        if present:
            ordered = dict(sorted(present.items(), key=lambda item: item[0].count("/")))
            await self._send(ordered)
        doomed = [p for p in gone if p in self.known and p not in self.foreign]
        if doomed:
            await self._delete(doomed)


def classify(root: str, rules: Rules, paths: Iterable[str],
             known: dict[str, Sig]) -> tuple[dict[str, tuple[str, Sig]], list[str]]:
    """What event paths are now: present (with new folders' contents) or gone. Blocking: run in a thread."""
    prefix = len(root) + 1
    present: dict[str, tuple[str, Sig]] = {}
    gone: list[str] = []
    if not os.path.isdir(root):
        return present, gone  # the folder itself vanished: a refresh fails and decides nothing
    for path in sorted(paths):
        if not path.startswith(root + "/") or not _utf8(path):
            continue  # the root itself moved or vanished: only a refresh may conclude anything
        try:
            info = os.stat(path)  # a symlink counts as what it points to, as in the walk
        except FileNotFoundError:
            if not os.path.lexists(path):
                gone.append(path)
            continue
        except OSError:
            continue  # unreadable now: the next refresh decides
        if stat.S_ISDIR(info.st_mode):
            # A folder new to us (created or moved in) brings its contents; a known one has its own events.
            if path not in known and not os.path.islink(path) and rules.in_scope(path[prefix:], True):
                present.update(scan_tree(root, rules, path).entries)
        elif stat.S_ISREG(info.st_mode) and rules.in_scope(path[prefix:], False):
            present[path] = (os.path.dirname(path), (False, info.st_size, info.st_mtime_ns // 1_000_000))
    return present, gone
