"""What a running access server holds: store, type registry, repository and audit log (no grpc here).

Servicers get the :class:`Runtime` from their factory and call into ``runtime.repository``; they never open
anything themselves. :meth:`Runtime.open` and :meth:`Runtime.close` bracket the process's life.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from coho.omrs.v1 import events_pb2, typedefs_pb2
from coho.server import audit
from coho.server.archive.loader import load_types_from_store
from coho.server.audit import AuditLog
from coho.server.config import ServerConfig, effective_config_dict
from coho.server.outtopic import OutTopic
from coho.server.repository import Caller, Repository
from coho.server.repository.events import PROTOCOL_VERSION
from coho.server.repository.headers import WriteContext, to_ts
from coho.server.repository.sweeper import DeletedSweeper
from coho.server.store import audit_sqlite
from coho.server.store.base import Store, WriteTxn
from coho.server.store.dir_lock import DataDirLock
from coho.server.store.sqlite import open_sqlite_store
from coho.server.store.values import DEFAULT_INDEXED
from coho.server.types import TypeRegistry

COMPONENT = "server"


@dataclass(frozen=True)
class TypeChange:
    """One stored type definition and the typedef event type to log it with."""

    definition: typedefs_pb2.TypeDef | typedefs_pb2.AttributeTypeDef
    event_type: events_pb2.TypeDefEventType


def _put_type(txn: WriteTxn, ctx: WriteContext, item: TypeChange) -> int:
    definition = item.definition
    if isinstance(definition, typedefs_pb2.TypeDef):
        txn.put_type_def(definition)
        section = events_pb2.TypeDefEventSection(event_type=item.event_type, type_def=definition)
    else:
        txn.put_attribute_type_def(definition)
        section = events_pb2.TypeDefEventSection(event_type=item.event_type, attribute_type_def=definition)
    event = events_pb2.OmrsEvent(protocol_version=PROTOCOL_VERSION, timestamp=to_ts(ctx.time_ms),
                                 originator=ctx.originator(), category=events_pb2.OMRS_EVENT_CATEGORY_TYPEDEF,
                                 typedef=section)
    return txn.append_change(event, guid=definition.guid, type_name=definition.name, kind="typedef",
                             meta=ctx.caller.change_meta())


def coho_version() -> str:
    try:
        return metadata.version("coho")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def open_store(config: ServerConfig) -> Store:
    """The home repository as the ``store`` section configures it."""
    names = config.store.indexed_properties
    indexed = DEFAULT_INDEXED if names is None else None if names == "all" else frozenset(names)
    return open_sqlite_store(
        config.data_dir,
        retention=config.store.change_log_retention,
        retention_age_seconds=_seconds(config.store.change_log_retention_days),
        request_retention_seconds=config.store.request_retention_days * 86400,
        history_retention_seconds=_seconds(config.store.history_retention_days),
        synchronous=config.store.synchronous,
        indexed_properties=indexed,
    )


def _seconds(days: float | None) -> float | None:
    return None if days is None else days * 86400


def _ms(days: float | None) -> int | None:
    return None if days is None else int(days * 86_400_000)


@dataclass
class Runtime:
    config: ServerConfig
    store: Store
    repository: Repository
    audit: AuditLog
    started_at: float = field(default_factory=time.time)
    version: str = field(default_factory=coho_version)
    state: str = "starting"
    """"starting", "serving" or "draining"; ServerApp moves it along."""
    out_topic_subscribers: Callable[[], int] = lambda: 0
    """Set by the Out Topic service so GetServerStatus can report it without importing it."""
    type_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Serializes type changes: each builds a new registry from the current one, then swaps it in."""
    out_topic: OutTopic | None = None
    """Opened by :meth:`start_out_topic` on the serving loop (its tailer is an asyncio task)."""
    cohort: Any = None
    """The CohortManager (coho.server.cohort), built with the CohortService servicer; typed Any so the
    runtime does not import the cohort package."""

    dir_lock: DataDirLock | None = None
    """Held from open to close: one server per data directory (see :mod:`coho.server.store.dir_lock`)."""
    sweeper: DeletedSweeper | None = None
    """Purges expired soft-deleted instances when ``store.deleted_retention_days`` is set (start_housekeeping)."""
    _audit_pruner: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    """Ages audit records out on an idle server when ``audit.retention_days`` is set (start_housekeeping)."""

    @classmethod
    def open(cls, config: ServerConfig) -> Runtime:
        """Lock the data directory, open the audit log, the store and the types; record STARTUP and the
        effective config."""
        dir_lock = DataDirLock.acquire(config.data_dir)
        try:
            log = AuditLog(config.data_dir, max_records=config.audit.max_records,
                           max_age_ms=_ms(config.audit.retention_days))
        except BaseException:
            dir_lock.release()
            raise
        try:
            store = open_store(config)
        except BaseException:
            log.close()
            dir_lock.release()
            raise
        try:
            types = load_types_from_store(store)
        except BaseException:
            store.close_sync()
            log.close()
            dir_lock.release()
            raise
        repository = Repository(
            store, types,
            metadata_collection_name=config.metadata_collection_name or config.server_name,
            server_name=config.server_name,
        )
        runtime = cls(config=config, store=store, repository=repository, audit=log, dir_lock=dir_lock)
        log.record(audit.STARTUP, COMPONENT, "STARTUP", f"server {config.server_name} starting",
                   details={"metadata_collection_id": store.metadata_collection_id, "version": runtime.version,
                            "type_defs": len(types.type_defs())})
        log.record(audit.INFO, COMPONENT, "CONFIG_LOADED", "effective configuration (secrets hidden)",
                   details={"config": json.dumps(effective_config_dict(config), sort_keys=True)})
        return runtime

    def writer_queue_depth(self) -> int:
        depth = getattr(self.store, "queue_depth", None)
        return int(depth()) if callable(depth) else 0

    @property
    def types(self) -> TypeRegistry:
        return self.repository.types

    def swap_types(self, types: TypeRegistry) -> None:
        """Install a new registry; one attribute assignment, so every write sees either the old or the new."""
        self.repository.types = types

    async def change_types(
        self, caller: Caller, change: Callable[[TypeRegistry], Sequence[TypeChange]]
    ) -> int:
        """Apply ``change`` to a copy of the registry, persist what it returns, then swap the copy in.

        ``change`` returns the changed definitions (empty when nothing changed). They are stored and logged as
        typedef events in one write, so the registry is swapped only once they are durable; a failing
        ``change`` or write leaves the live registry untouched. Returns the write's sequence (0: no change).
        """
        async with self.type_lock:
            staged = self.types.copy()
            changed = list(change(staged))
            if not changed:
                return 0

            def op(txn: WriteTxn) -> int:
                ctx = self.repository.write_context(caller)
                return max(_put_type(txn, ctx, item) for item in changed)

            sequence = await self.store.write(op)
            self.swap_types(staged)
        names = ",".join(item.definition.name for item in changed)
        self.audit.record(audit.TYPES, "types", "TYPES_CHANGED", f"{len(changed)} type definition(s) changed",
                          user_id=caller.user_id, details={"names": names, "sequence": sequence})
        return sequence

    async def start_out_topic(self) -> OutTopic:
        """Start the Out Topic on the running loop; filters see types added later through the callable."""
        self.out_topic = await OutTopic.open(self.store, lambda: self.repository.types)
        hub = self.out_topic.hub
        self.out_topic_subscribers = lambda: hub.subscriber_count
        return self.out_topic

    def start_housekeeping(self) -> None:
        """Start the retention that needs a timer, on the running loop, where configured: the deleted-instance
        sweeper, and audit age retention on a server where nothing new is recorded."""
        max_age_ms = _ms(self.config.store.deleted_retention_days)
        if max_age_ms is not None and self.sweeper is None:
            self.sweeper = DeletedSweeper(self.repository, max_age_ms)
            self.sweeper.start()
        if self.config.audit.retention_days is not None and self._audit_pruner is None:
            self._audit_pruner = asyncio.create_task(self._prune_audit(), name="audit-retention")

    async def _prune_audit(self) -> None:
        while True:
            await asyncio.sleep(audit_sqlite.PRUNE_SECONDS)
            await asyncio.to_thread(self.audit.prune_if_due)  # a pass deletes up to PRUNE_STEP rows

    async def close_out_topic(self) -> None:
        """End live subscriptions (UNAVAILABLE: draining) and persist durable positions. Idempotent."""
        out_topic, self.out_topic = self.out_topic, None
        if out_topic is not None:
            await out_topic.close()

    async def close(self) -> None:
        sweeper, self.sweeper = self.sweeper, None
        if sweeper is not None:
            await sweeper.stop()
        pruner, self._audit_pruner = self._audit_pruner, None
        if pruner is not None:
            pruner.cancel()
            await asyncio.gather(pruner, return_exceptions=True)
        await self.close_out_topic()
        self.audit.record(audit.SHUTDOWN, COMPONENT, "SHUTDOWN", f"server {self.config.server_name} stopped",
                          details={"head_sequence": self.store.head_sequence()})
        try:
            await self.store.close()
        finally:
            self.audit.close()
            if self.dir_lock is not None:
                self.dir_lock.release()
