"""The Out Topic hub: one change-log tailer per server, fanning out to every live subscriber.

Shape (etcd's watch model: synced and unsynced watchers):

- **One tailer.** The store calls :meth:`OutTopicHub._on_commit` on its writer thread after each commit;
  the hub wakes one task that reads the new change-log entries' annexes once (the events encoded at write
  time, :mod:`.wire`), frames each once and offers the shared frames to every live :class:`Feed`. The
  database is read once per commit batch, never once per subscriber, and nothing is decoded: feeds filter
  on the change-log columns and the annex tag (:meth:`~coho.server.outtopic.mapping.EventFilter.admits`).
- **Catch-up is the subscriber's own work.** A feed that starts behind the tail reads pages of the log
  itself (off the event loop) until a short page shows it reached the tail, and only then attaches to the
  hub. Attaching happens on the loop with no await between the position check and the registration, and
  the hub only offers a feed entries after its position, so the switch has no gap and no duplicate.
- **Idle when nobody listens.** With no live feed the tailer reads nothing (a commit costs one loop
  wake-up, which coincides with the writer's own): nobody would receive the frames, and a feed that opens
  later reads its own catch-up. The first feed to attach moves the tail to its position and wakes the
  tailer, so it resumes exactly where that feed stopped.
- **Bounded memory.** A live feed buffers at most ``max_buffered_events`` matching events. One that would
  exceed it is detached, its buffer dropped, and its next read raises RESOURCE_EXHAUSTED
  ``SUBSCRIBER_TOO_SLOW``; the client resumes from the last sequence it saw (the log is the real buffer,
  so the server never has to hold a slow client's backlog). Frames are shared between feeds, so the
  buffers hold references, not copies.

No grpc here: servicers turn :class:`Delivery` values into responses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.server.errors import CohoError, InvalidArgument, OutOfRange, ResourceExhausted, Unavailable
from coho.server.outtopic.mapping import EventFilter
from coho.server.outtopic.wire import Framed, decode, frame, with_annexes
from coho.server.store.base import AnnexRecord, Store

log = logging.getLogger("coho.outtopic")

DEFAULT_PAGE_SIZE = 1000
DEFAULT_MAX_BUFFERED_EVENTS = 10_000
Scanned = list[tuple[AnnexRecord, "Framed | None"]]
"""New change-log entries as the tailer offers them: each record with its frame (None: not an event)."""
Page = tuple[int, list[Framed], int]


@dataclass(frozen=True)
class Delivery:
    """What a feed hands its subscriber: events (possibly none: a heartbeat) and where the log stands."""

    events: list[Framed]
    """(sequence, frame) per event: the servicer splices the frames into a response as they are."""
    head_sequence: int
    scanned_sequence: int
    """Every entry up to here was examined for this feed; resuming after it misses nothing."""

    def messages(self) -> list[ot.OutTopicEvent]:
        """The events decoded (tests and in-process consumers)."""
        return decode(self.events)


class Feed:
    """One subscriber's ordered view of the log after a position: catch-up pages, then the live fan-out."""

    def __init__(self, hub: OutTopicHub, after_sequence: int, event_filter: EventFilter) -> None:
        self._hub = hub
        self.filter = event_filter
        self.position = after_sequence
        """Every entry up to here has been examined (read by catch-up or offered by the hub)."""
        self.delivered = after_sequence
        """The scanned sequence of the last delivery handed out (where the client may resume)."""
        self._pending: deque[Framed] = deque()
        self._live = False
        self._reached_tail = False
        self._closed = False
        self._error: CohoError | None = None
        self._wake = asyncio.Event()
        self._prefetch: asyncio.Future[Page] | None = None

    @property
    def head(self) -> int:
        return self._hub.head

    @property
    def live(self) -> bool:
        return self._live

    @property
    def buffered(self) -> int:
        return len(self._pending)

    async def next(self, max_events: int, idle_seconds: float) -> Delivery:
        """The next batch of at most ``max_events`` events, or an empty delivery after ``idle_seconds`` idle.

        Raises the feed's error (SUBSCRIBER_TOO_SLOW, a compaction past the position, a failure set by
        :meth:`fail`) once everything delivered before it was handed out.
        """
        while True:
            if self._error is not None:
                raise self._error
            if self._pending:
                return self._take(max_events)
            if not self._live:
                if self._reached_tail and self._hub.try_attach(self):
                    continue
                await self._read_page()
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), idle_seconds)
            except TimeoutError:
                return self._delivery([])

    def _take(self, max_events: int) -> Delivery:
        pending = self._pending
        if len(pending) <= max_events:
            # The usual case (a live batch, the last slice of a catch-up page): take all without a per-event pop.
            events = list(pending)
            pending.clear()
        else:
            events = [pending.popleft() for _ in range(max_events)]
        return self._delivery(events)

    def _delivery(self, events: list[Framed]) -> Delivery:
        # Until the buffer is drained, only the last event handed out is known to be covered.
        scanned = events[-1][0] if self._pending else self.position
        self.delivered = max(self.delivered, scanned)
        return Delivery(events, max(self._hub.head, scanned), scanned)

    async def _read_page(self) -> None:
        page_size = self._hub.page_size
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is None:
            prefetch = self._start_read(self.position)
        last, events, count = await prefetch
        if self._closed:
            return
        self._pending.extend(events)
        if count:
            self.position = last
        self._reached_tail = count < page_size
        if not self._reached_tail:
            # Read the next page while this one is being sent: SQLite releases the GIL while it steps, so a
            # long catch-up overlaps reading with serializing. At most two pages are held per feed.
            self._prefetch = self._start_read(self.position)

    def _start_read(self, after: int) -> asyncio.Future[Page]:
        return asyncio.ensure_future(asyncio.to_thread(self._hub.read_page, after, self._hub.page_size, self.filter))

    def offer(self, scanned: Scanned, last: int, bound: int) -> int:
        """Take the hub's newly committed entries after this feed's position; returns the new buffer size.

        Called by the hub on the loop. A feed that would buffer more than ``bound`` events is cut off.
        """
        added = False
        check = None if self.filter.selects_all else self.filter.admits
        for record, framed in scanned:
            sequence = record.sequence
            if sequence <= self.position:
                continue
            if framed is not None and (check is None or check(record)):
                if len(self._pending) >= bound:
                    self._cut_off(bound)
                    return 0
                self._pending.append(framed)
                added = True
            self.position = sequence
        self.position = max(self.position, last)
        # Only new events wake the subscriber; progress past filtered-out entries rides on the next heartbeat.
        if added:
            self._wake.set()
        return len(self._pending)

    def _cut_off(self, bound: int) -> None:
        self._pending.clear()
        self._hub.detach(self)
        self.fail(
            ResourceExhausted(
                message=f"subscriber fell more than {bound} events behind; resume after sequence {self.delivered}",
                reason="SUBSCRIBER_TOO_SLOW",
                metadata={"resume_after_sequence": self.delivered, "max_buffered_events": bound},
            )
        )

    def fail(self, error: CohoError) -> None:
        """End the feed with ``error``: the next :meth:`next` raises it (after nothing more is delivered)."""
        if self._error is None:
            self._error = error
        self._pending.clear()
        self._wake.set()

    def attached(self) -> None:
        self._live = True

    def close(self) -> None:
        self._closed = True
        if self._prefetch is not None:
            # The worker thread finishes its read regardless; only its result (or error) is dropped.
            self._prefetch.add_done_callback(_discard_result)
            self._prefetch = None
        self._pending.clear()
        self._hub.detach(self)


def _discard_result(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # marks an error as retrieved, so asyncio does not log it as never retrieved


class OutTopicHub:
    """The per-server change-log tailer and the registry of live feeds."""

    def __init__(
        self,
        store: Store,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_buffered_events: int = DEFAULT_MAX_BUFFERED_EVENTS,
    ) -> None:
        self.store = store
        self.page_size = page_size
        self.max_buffered_events = max_buffered_events
        self._feeds: set[Feed] = set()
        self.head = 0
        """The newest committed sequence the hub has heard of."""
        self.tail = 0
        """Every entry up to here has been offered to the live feeds."""
        self.high_water = 0
        """The largest single-feed buffer seen (tests and metrics: it never exceeds max_buffered_events)."""
        self._epoch = 0
        """Bumped whenever the tail is moved by anything but the tailer: a read in flight is then stale."""
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def subscriber_count(self) -> int:
        """Live feeds right now (a metric and GetServerStatus.out_topic_subscribers)."""
        return len(self._feeds)

    # -- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start tailing at the current head. Call on the loop that serves the subscribers."""
        self._loop = asyncio.get_running_loop()
        self.head = self.tail = await asyncio.to_thread(self.store.head_sequence)
        self.store.add_commit_listener(self._on_commit)
        self._task = asyncio.create_task(self._run(), name="outtopic-tailer")
        # A commit between reading the head and registering the listener would otherwise wait for the next.
        self._wakeup.set()

    async def close(self) -> None:
        """Stop tailing; live feeds end with UNAVAILABLE (the server is draining; resume elsewhere or later)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for feed in list(self._feeds):
            feed.fail(Unavailable(message="the out topic is shutting down", reason="DRAINING"))
        self._feeds.clear()

    def _on_commit(self, head: int) -> None:
        # Runs on the store's writer thread: only hand the news to the loop, never touch hub state here.
        loop = self._loop
        if loop is None or self._closed:
            return
        # RuntimeError: the loop already closed (a shutdown race); nobody is listening any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._notify, head)

    def _notify(self, head: int) -> None:
        self.head = max(self.head, head)
        self._wakeup.set()

    # -- feeds --------------------------------------------------------------------------------------------
    def open_feed(self, after_sequence: int, event_filter: EventFilter) -> Feed:
        """A feed of the entries after ``after_sequence`` (validated: not past the head, not below the floor)."""
        self.check_position(after_sequence)
        return Feed(self, after_sequence, event_filter)

    def current_head(self) -> int:
        """The committed head, even if the tailer has not heard of the last commit yet."""
        return max(self.head, self.store.head_sequence())

    def check_position(self, after_sequence: int, field: str = "after_sequence") -> None:
        if after_sequence < 0:
            raise InvalidArgument(message=f"{field} must not be negative", field_violations=[(field, "negative")])
        head = self.current_head()
        if after_sequence > head:
            raise InvalidArgument(
                message=f"{field} {after_sequence} is past the head {head}",
                reason="SEQUENCE_PAST_HEAD",
                field_violations=[(field, f"past the head {head}")],
                metadata={"head": head, field: after_sequence},
            )
        # A zero-length read applies exactly the store's own floor rule (OUT_OF_RANGE with "floor").
        self.store.read_changes(after_sequence, 0)

    def try_attach(self, feed: Feed) -> bool:
        """Make a caught-up feed live; False when the hub has already fanned out entries past its position."""
        if self._closed:
            return False
        if not self._feeds:
            # Nobody was live, so the tailer offered nothing and the tail only marks where it stopped; the
            # first feed's position is exactly where it must resume (the feed read everything up to it).
            self.tail = feed.position
            self._epoch += 1
            self._wakeup.set()
        elif feed.position < self.tail:
            return False
        self._feeds.add(feed)
        feed.attached()
        return True

    def detach(self, feed: Feed) -> None:
        self._feeds.discard(feed)

    @property
    def live_feeds(self) -> int:
        return len(self._feeds)

    def buffered_events(self) -> int:
        """Events currently buffered for live feeds (bounded by live_feeds * max_buffered_events)."""
        return sum(feed.buffered for feed in self._feeds)

    def read_page(self, after_sequence: int, limit: int, event_filter: EventFilter) -> Page:
        """Read, filter and frame one page (runs in a worker thread): (last sequence read, events, entries read).

        This loop is the whole per-event cost of a catch-up, so it is one comprehension over the records.
        """
        if event_filter.selects_all:
            rows = self.store.read_annex_frames(after_sequence, limit)
            if None not in [annex for _, annex in rows]:  # else: entries older than the annexer (slow path)
                events = [(sequence, frame(sequence, annex)) for sequence, annex in rows if annex]
                return (rows[-1][0] if rows else after_sequence), events, len(rows)
        records = with_annexes(self.store, self.store.read_annexes(after_sequence, limit))
        if event_filter.selects_all:
            # Unpacking the record tuple is cheaper than its named attributes, and this runs per event.
            events = [(sequence, frame(sequence, annex)) for sequence, _, _, _, _, annex in records if annex]
        else:
            admits = event_filter.admits
            events = [(r.sequence, frame(r.sequence, r.annex)) for r in records if r.annex and admits(r)]
        last = records[-1].sequence if records else after_sequence
        return last, events, len(records)

    # -- the tailer ---------------------------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                await self._drain()
            except asyncio.CancelledError:
                raise
            except OutOfRange as exc:
                # Retention compacted entries the hub had not yet offered: live feeds cannot be served
                # without a gap, so they end with the same error a late catch-up read would get.
                self._fail_all(exc)
                self.tail = max(self.tail, self.store.floor_sequence() - 1)
            except Exception:
                log.exception("out topic tailer failed to read the change log; live subscribers cut off")
                self._fail_all(Unavailable(message="change-log read failed; resume later", reason="TAILER_FAILED"))
                await asyncio.sleep(0.5)
                self._wakeup.set()

    async def _drain(self) -> None:
        # No live feed: skip the read (see the module docstring); try_attach sets the tail and wakes us.
        while self._feeds:
            epoch = self._epoch
            scanned = await asyncio.to_thread(self._read_scanned, self.tail)
            if epoch != self._epoch:
                continue  # the tail moved while reading (every feed left, then one attached): read again
            if not scanned:
                return
            self._fan_out(scanned)
            if len(scanned) < self.page_size:
                return

    def _read_scanned(self, after_sequence: int) -> Scanned:
        records = with_annexes(self.store, self.store.read_annexes(after_sequence, self.page_size))
        return [(r, (r.sequence, frame(r.sequence, r.annex)) if r.annex else None) for r in records]

    def _fan_out(self, scanned: Scanned) -> None:
        last = scanned[-1][0].sequence
        bound = self.max_buffered_events
        high = self.high_water
        for feed in list(self._feeds):
            size = feed.offer(scanned, last, bound)
            high = max(high, size)
        self.high_water = high
        self.tail = last
        self.head = max(self.head, last)

    def _fail_all(self, error: CohoError) -> None:
        for feed in list(self._feeds):
            self.detach(feed)
            feed.fail(error)
