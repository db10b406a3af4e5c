"""The publisher side of one subscription: this member's own events, streamed to one subscriber.

One :class:`Publication` per Exchange call. It reads the change log itself, from the subscriber's resume
position, keeping at most ``max_in_flight`` unacknowledged batches on the wire, so a slow subscriber only
slows its own stream (each stream is its own task; the log is the buffer, never memory). When it reaches the
head it waits on the shared :class:`LogNotifier`, which one store commit listener wakes: no stream polls
the database per event. A subscriber that asked for a snapshot first gets the types stored here and every
instance homed here as BATCH_INSTANCES_EVENT batches, then the log after the snapshot position.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.cohort.rules import ExchangeRule
from coho.server.repository.events import PROTOCOL_VERSION, is_home_event
from coho.server.store.base import ChangeRecord, InstanceFilter, Page, Store
from coho.server.types import TypeRegistry
from coho.server.types.definitions import dependency_order

E = events_pb2
REFRESH_REQUESTS = (E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST, E.INSTANCE_EVENT_TYPE_REFRESH_RELATIONSHIP_REQUEST)
ALL_STATUSES = frozenset(v for v in typedefs_pb2.InstanceStatus.values() if v)


class LogNotifier:
    """Wakes every waiting publication after a commit. Fed by one store commit listener."""

    def __init__(self, store: Store) -> None:
        self.head = store.head_sequence()
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._closed = False
        store.add_commit_listener(self._on_commit)

    def _on_commit(self, head: int) -> None:
        # On the writer thread: hand over to the loop only.
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._notify, head)

    def _notify(self, head: int) -> None:
        self.head = max(self.head, head)
        event, self._event = self._event, asyncio.Event()
        event.set()

    def waiter(self) -> asyncio.Event:
        """Take this before reading the log: any commit after the read sets it."""
        return self._event

    def close(self) -> None:
        self._closed = True
        self._notify(self.head)


def should_send(record: ChangeRecord, local_id: str, cohort: str) -> bool:
    """Only our own instances, our refresh requests and this cohort's registry events cross the wire."""
    event = record.event
    section = event.WhichOneof("section")
    if section == "registry":
        return event.registry.cohort_name in ("", cohort)
    if section == "instance" and event.instance.event_type in REFRESH_REQUESTS:
        return event.originator.metadata_collection_id == local_id
    return is_home_event(event) and event.originator.metadata_collection_id == local_id


@dataclass
class OutboundStatus:
    """What ListCohortMembers shows about a peer's subscription to us."""

    acked_sequence: int = 0
    connected: bool = False
    last_heard: float = 0.0
    in_flight: int = 0
    batches_sent: int = 0


@dataclass(eq=False)
class Publication:
    store: Store
    notifier: LogNotifier
    cohort: str
    local_id: str
    subscriber_id: str
    types: Callable[[], TypeRegistry]
    send_rule: ExchangeRule
    status: OutboundStatus
    max_in_flight: int = 4
    max_batch_events: int = 500
    heartbeat_seconds: float = 2.0
    on_sent: Callable[[cs.EventBatch], None] = lambda batch: None
    on_ack: Callable[[cs.Ack], None] = lambda ack: None
    _acked: asyncio.Event = field(default_factory=asyncio.Event)
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    _closed: bool = False
    _next_batch_id: int = 1

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        self._acked.set()
        self._closing.set()

    async def _idle(self, waiter: asyncio.Event) -> bool:
        """Wait for a commit (True), or until the heartbeat is due or the publication closes (False)."""
        woken = asyncio.ensure_future(waiter.wait())
        closing = asyncio.ensure_future(self._closing.wait())
        done, pending = await asyncio.wait({woken, closing}, timeout=self.heartbeat_seconds,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return woken in done

    def ack(self, ack: cs.Ack) -> None:
        self.status.in_flight = max(0, self.status.in_flight - 1)
        self.status.acked_sequence = max(self.status.acked_sequence, ack.last_sequence)
        self.status.last_heard = time.time()
        self._acked.set()
        self.on_ack(ack)

    async def _slot(self) -> None:
        """Flow control: wait until fewer than max_in_flight batches are unacknowledged."""
        while self.status.in_flight >= self.max_in_flight and not self._closed:
            self._acked.clear()
            await self._acked.wait()

    def _batch(self, first: int, last: int, events: list[events_pb2.SequencedEvent], *,
               snapshot: bool = False, complete: bool = False) -> cs.ExchangeResponse:
        batch = cs.EventBatch(batch_id=self._next_batch_id, first_sequence=first, last_sequence=last, events=events,
                              snapshot=snapshot, snapshot_complete=complete)
        self._next_batch_id += 1
        self.status.in_flight += 1
        self.status.batches_sent += 1
        self.on_sent(batch)
        return cs.ExchangeResponse(batch=batch)

    async def stream(self, after: int, snapshot: bool) -> AsyncIterator[cs.ExchangeResponse]:
        """Snapshot batches (if asked), then the log after ``after``, then live events and heartbeats."""
        if snapshot:
            async for response in self._snapshot(after):
                yield response
        position = after
        while not self._closed:
            await self._slot()
            if self.closed:
                return
            waiter = self.notifier.waiter()
            records = await asyncio.to_thread(self.store.read_changes, position, self.max_batch_events)
            if not records:
                if not await self._idle(waiter) and not self._closed:
                    yield _heartbeat(self.notifier.head)
                continue
            events = [_sequenced(r) for r in records if self._sends(r)]
            first, position = position + 1, records[-1].sequence
            yield self._batch(first, position, events)

    def _sends(self, record: ChangeRecord) -> bool:
        return should_send(record, self.local_id, self.cohort) and self.send_rule.admits(record.event, self.types())

    async def _snapshot(self, point: int) -> AsyncIterator[cs.ExchangeResponse]:
        types = self.types()
        gallery = await asyncio.to_thread(self.store.load_types)
        type_events = [_typedef_event(self.local_id, atd=atd) for atd in gallery.attribute_type_defs]
        type_events += [_typedef_event(self.local_id, td=td) for td in dependency_order(list(gallery.type_defs))]
        type_events = [e for e in type_events if self.send_rule.admits(e, types)]
        # Types go with the first batch, so the instances after them find their types known.
        pending: list[events_pb2.OmrsEvent] = type_events
        async for graph in self._home_graphs():
            pending.append(_batch_event(self.local_id, graph))
            await self._slot()
            yield self._batch(point, point, [events_pb2.SequencedEvent(sequence=point, event=e) for e in pending],
                              snapshot=True)
            pending = []
        await self._slot()
        yield self._batch(point, point, [events_pb2.SequencedEvent(sequence=point, event=e) for e in pending],
                          snapshot=True, complete=True)

    async def _home_graphs(self) -> AsyncIterator[instances_pb2.InstanceGraph]:
        """Every instance homed here, in graphs of at most max_batch_events (entities before relationships)."""
        types = self.types()
        finders: list[Callable[[InstanceFilter], Page[Any]]] = [self.store.find_entities,
                                                                 self.store.find_relationships]
        for finder in finders:
            token = ""
            while True:
                query = InstanceFilter(statuses=ALL_STATUSES, page_size=min(self.max_batch_events, 1000),
                                       page_token=token)
                page = await asyncio.to_thread(finder, query)
                graph = instances_pb2.InstanceGraph()
                for item in page.items:
                    header = item.header
                    if header.metadata_collection_id != self.local_id:
                        continue
                    if not self.send_rule.admits_type(header.type.type_def_name, types):
                        continue
                    (graph.entities if finder == self.store.find_entities else graph.relationships).append(item)
                if len(graph.entities) + len(graph.relationships):
                    yield graph
                token = page.next_page_token
                if not token:
                    break


def _sequenced(record: ChangeRecord) -> events_pb2.SequencedEvent:
    meta = record.meta
    return events_pb2.SequencedEvent(sequence=record.sequence, event=record.event, user_id=meta.user_id,
                                     connector_id=meta.connector_id, refresh_id=meta.refresh_id,
                                     metadata_source=meta.metadata_source)


def _now() -> Timestamp:
    ts = Timestamp()
    ts.GetCurrentTime()
    return ts


def _heartbeat(head: int) -> cs.ExchangeResponse:
    return cs.ExchangeResponse(heartbeat=cs.Heartbeat(time=_now(), sequence=head))


def _originator(local_id: str) -> events_pb2.EventOriginator:
    return events_pb2.EventOriginator(metadata_collection_id=local_id, server_type="coho")


def _typedef_event(local_id: str, *, td: typedefs_pb2.TypeDef | None = None,
                   atd: typedefs_pb2.AttributeTypeDef | None = None) -> events_pb2.OmrsEvent:
    section = events_pb2.TypeDefEventSection()
    if td is not None:
        section.event_type = E.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT
        section.type_def.CopyFrom(td)
    elif atd is not None:
        section.event_type = E.TYPE_DEF_EVENT_TYPE_NEW_ATTRIBUTE_TYPEDEF_EVENT
        section.attribute_type_def.CopyFrom(atd)
    return events_pb2.OmrsEvent(protocol_version=PROTOCOL_VERSION, timestamp=_now(), originator=_originator(local_id),
                                category=E.OMRS_EVENT_CATEGORY_TYPEDEF, typedef=section)


def _batch_event(local_id: str, graph: instances_pb2.InstanceGraph) -> events_pb2.OmrsEvent:
    section = events_pb2.InstanceEventSection(event_type=E.INSTANCE_EVENT_TYPE_BATCH_INSTANCES_EVENT,
                                              home_metadata_collection_id=local_id, instance_batch=graph)
    return events_pb2.OmrsEvent(protocol_version=PROTOCOL_VERSION, timestamp=_now(), originator=_originator(local_id),
                                category=E.OMRS_EVENT_CATEGORY_INSTANCE, instance=section)
