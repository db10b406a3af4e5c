"""Durable named subscriptions and the flow-controlled listen session (the core of ``Listen``).

A durable subscription is JetStream's durable consumer / a Kafka consumer group offset, kept on the server:
its name, owner, filter and acked position live in the store's state table (one key per subscription plus
an index key of names, written in one store write op), so they survive disconnects and restarts.

Persistence is batched: an ack updates memory at once and schedules a write at most every
``flush_interval`` seconds; a disconnect and a clean shutdown flush immediately. Delivery is therefore
**at least once**:

- after a disconnect or a clean restart the subscriber resumes right after its last ack: the events it
  had not acked come again, nothing else does, and nothing is skipped;
- after a crash it may also see again the events it acked in the last ``flush_interval`` (their ack was
  not yet persisted). The persisted position never runs ahead of an ack, so no event is ever lost.

Consumers make processing idempotent by sequence (every event carries its change-log sequence).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.server.errors import FailedPrecondition, InvalidArgument, PermissionDenied, not_found
from coho.server.outtopic.hub import Delivery, Feed, OutTopicHub
from coho.server.outtopic.mapping import MATCH_ALL, EventFilter
from coho.server.store.base import Store, WriteTxn

log = logging.getLogger("coho.outtopic")

INDEX_KEY = "coho.outtopic.subscriptions"
KEY_PREFIX = "coho.outtopic.subscription."
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
DEFAULT_FLUSH_INTERVAL = 0.1


@dataclass
class Durable:
    """A durable subscription as held in memory."""

    name: str
    owner: str
    filter: ot.OutTopicFilter
    acked: int
    last_ack_ms: int = 0
    persisted: int = -1
    connected: bool = False
    flush: asyncio.TimerHandle | None = field(default=None, repr=False)

    def to_proto(self, head: int = 0) -> ot.DurableSubscription:
        message = ot.DurableSubscription(
            subscription_name=self.name, acked_sequence=self.acked, filter=self.filter,
            owner_user_id=self.owner, connected=self.connected, lag=max(0, head - self.acked) if head else 0,
        )
        if self.last_ack_ms:
            message.last_ack_time.FromMilliseconds(self.last_ack_ms)
        return message


def _stored_bytes(durable: Durable) -> bytes:
    stored = durable.to_proto()
    stored.connected = False
    stored.lag = 0
    return stored.SerializeToString()


class DurableSubscriptions:
    """Every durable subscription of one server, loaded at start and written through the store."""

    def __init__(self, store: Store, *, flush_interval: float = DEFAULT_FLUSH_INTERVAL) -> None:
        self.store = store
        self.flush_interval = flush_interval
        self._subs: dict[str, Durable] = {}
        self._writes: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        raw = await asyncio.to_thread(self.store.get_state, INDEX_KEY)
        names: list[str] = json.loads(raw) if raw else []
        for name in names:
            data = await asyncio.to_thread(self.store.get_state, KEY_PREFIX + name)
            if data is None:  # pragma: no cover - index and entry are written in one op
                continue
            message = ot.DurableSubscription.FromString(data)
            self._subs[name] = Durable(
                name=name, owner=message.owner_user_id, filter=message.filter, acked=message.acked_sequence,
                last_ack_ms=message.last_ack_time.ToMilliseconds() if message.HasField("last_ack_time") else 0,
                persisted=message.acked_sequence,
            )

    def list(self, head: int, owner: str | None = None) -> list[ot.DurableSubscription]:
        """Subscriptions by name; only ``owner``'s when given."""
        return [
            sub.to_proto(head) for name, sub in sorted(self._subs.items()) if owner is None or sub.owner == owner
        ]

    def get(self, name: str) -> Durable | None:
        return self._subs.get(name)

    async def attach(
        self, name: str, user_id: str, *, is_admin: bool, must_exist: bool,
        event_filter: ot.OutTopicFilter | None, create_at: int,
    ) -> tuple[Durable, bool]:
        """Connect to (or create) a durable subscription; returns it and whether it was created."""
        check_name(name)
        sub = self._subs.get(name)
        if sub is None:
            if must_exist:
                raise not_found("DurableSubscription", name)
            sub = Durable(name=name, owner=user_id, filter=event_filter or ot.OutTopicFilter(), acked=create_at)
            self._subs[name] = sub
            sub.connected = True
            try:
                await self._persist(sub, with_index=True)
            except BaseException:
                del self._subs[name]
                raise
            return sub, True
        if sub.owner != user_id and not is_admin:
            raise PermissionDenied(message=f"subscription {name!r} belongs to another user",
                                   reason="NOT_SUBSCRIPTION_OWNER", metadata={"subscription_name": name})
        if sub.connected:
            # One cumulative ack position cannot be shared by two listeners.
            raise FailedPrecondition(message=f"subscription {name!r} already has a listener",
                                     reason="SUBSCRIPTION_IN_USE", metadata={"subscription_name": name})
        sub.connected = True
        if event_filter is not None and event_filter != sub.filter:
            sub.filter = event_filter
            await self._persist(sub)
        return sub, False

    async def seek(self, sub: Durable, position: int) -> None:
        """Move an explicit start position (EARLIEST / HEAD / AFTER_SEQUENCE) into the stored position."""
        sub.acked = position
        await self._persist(sub)

    def ack(self, sub: Durable, sequence: int) -> None:
        """Record an ack in memory; the write follows within ``flush_interval`` (batched)."""
        if sequence <= sub.acked:
            return
        sub.acked = sequence
        sub.last_ack_ms = int(time.time() * 1000)
        if sub.flush is None:
            loop = asyncio.get_running_loop()
            sub.flush = loop.call_later(self.flush_interval, self._flush_soon, sub)

    def _flush_soon(self, sub: Durable) -> None:
        sub.flush = None
        task = asyncio.create_task(self._flush(sub))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _flush(self, sub: Durable) -> None:
        if sub.acked == sub.persisted or self._subs.get(sub.name) is not sub:
            return
        try:
            await self._persist(sub)
        except Exception:
            # The position stays in memory and is written on the next ack or at disconnect; at worst a
            # crash now redelivers events acked since the last successful write (at-least-once).
            log.exception("could not persist a durable subscription position", extra={"subscription": sub.name})

    async def release(self, sub: Durable) -> None:
        """The listener went away: write its position now, then free the name for the next listener."""
        if sub.flush is not None:
            sub.flush.cancel()
            sub.flush = None
        try:
            await self._flush(sub)
        finally:
            sub.connected = False

    async def delete(self, name: str, user_id: str, *, is_admin: bool) -> None:
        check_name(name)
        sub = self._subs.get(name)
        if sub is None:
            raise not_found("DurableSubscription", name)
        if sub.owner != user_id and not is_admin:
            raise PermissionDenied(message=f"subscription {name!r} belongs to another user",
                                   reason="NOT_SUBSCRIPTION_OWNER", metadata={"subscription_name": name})
        if sub.connected:
            raise FailedPrecondition(message=f"subscription {name!r} has a listener; close it first",
                                     reason="SUBSCRIPTION_IN_USE", metadata={"subscription_name": name})
        del self._subs[name]
        names = sorted(self._subs)

        def op(txn: WriteTxn) -> None:
            txn.put_state(INDEX_KEY, json.dumps(names).encode())
            # The state table has no delete; an empty value marks the entry gone (the index no longer names it).
            txn.put_state(KEY_PREFIX + name, b"")

        await self.store.write(op)

    async def close(self) -> None:
        """Flush every pending position (clean shutdown: no acked event is redelivered after restart)."""
        for sub in list(self._subs.values()):
            if sub.flush is not None:
                sub.flush.cancel()
                sub.flush = None
            await self._flush(sub)
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    async def _persist(self, sub: Durable, *, with_index: bool = False) -> None:
        position, body = sub.acked, _stored_bytes(sub)
        names = sorted(self._subs) if with_index else None

        def op(txn: WriteTxn) -> None:
            txn.put_state(KEY_PREFIX + sub.name, body)
            if names is not None:
                txn.put_state(INDEX_KEY, json.dumps(names).encode())

        await self.store.write(op)
        sub.persisted = max(sub.persisted, position)


def check_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise InvalidArgument(
            message="subscription_name must be 1-128 characters of letters, digits and . _ : @ -",
            reason="INVALID_SUBSCRIPTION_NAME",
            field_violations=[("subscription_name", "1-128 of [A-Za-z0-9._:@-], starting with a letter or digit")],
        )


class ListenSession:
    """One Listen call: a feed paced by ``max_in_flight`` unacked events, with cumulative acks."""

    def __init__(
        self, feed: Feed, *, max_in_flight: int, max_batch: int, heartbeat_seconds: float,
        subscriptions: DurableSubscriptions | None = None, durable: Durable | None = None,
    ) -> None:
        self.feed = feed
        self.max_in_flight = max_in_flight
        self.max_batch = max_batch
        self.heartbeat_seconds = heartbeat_seconds
        self._subscriptions = subscriptions
        self._durable = durable
        self._unacked: deque[int] = deque()
        self.acked = feed.position
        self.sent_upto = feed.position
        """The highest sequence the client has been told about (event or scanned progress): acks may go here."""
        self._room = asyncio.Event()
        self._ended = False
        self._error: InvalidArgument | None = None

    @property
    def in_flight(self) -> int:
        return len(self._unacked)

    async def next(self) -> Delivery | None:
        """The next batch (or heartbeat); None once the client half-closed and nothing is outstanding."""
        while True:
            if self._ended:
                return None
            if self._error is not None:
                raise self._error
            room = self.max_in_flight - len(self._unacked)
            if room <= 0:
                # Paused at the in-flight bound: wait for acks, still heartbeating so the client knows the head.
                self._room.clear()
                try:
                    await asyncio.wait_for(self._room.wait(), self.heartbeat_seconds)
                except TimeoutError:
                    return Delivery([], max(self.feed.head, self.sent_upto), self.sent_upto)
                continue
            try:
                delivery = await self.feed.next(min(room, self.max_batch), self.heartbeat_seconds)
            except _HalfClosed:
                return None
            self._unacked.extend(sequence for sequence, _ in delivery.events)
            self.sent_upto = max(self.sent_upto, delivery.scanned_sequence)
            return delivery

    def ack(self, sequence: int) -> None:
        """Cumulative ack of every event up to ``sequence``. Beyond what was sent: INVALID_ARGUMENT."""
        if sequence > self.sent_upto:
            raise InvalidArgument(
                message=f"ack {sequence} is beyond the last sequence sent ({self.sent_upto})",
                reason="ACK_BEYOND_SENT",
                field_violations=[("ack.sequence", f"beyond the last sequence sent ({self.sent_upto})")],
                metadata={"sequence": sequence, "sent": self.sent_upto},
            )
        while self._unacked and self._unacked[0] <= sequence:
            self._unacked.popleft()
        if sequence > self.acked:
            self.acked = sequence
            if self._durable is not None and self._subscriptions is not None:
                self._subscriptions.ack(self._durable, sequence)
        self._room.set()

    def fail(self, error: InvalidArgument) -> None:
        """A bad client message: end the stream with this error."""
        self._error = error
        self.feed.fail(error)
        self._room.set()

    def end(self) -> None:
        """The client half-closed: no more acks can come, so the stream finishes."""
        self._ended = True
        self.feed.fail(_HalfClosed(message="client half-closed the listen stream", reason="HALF_CLOSED"))
        self._room.set()

    async def close(self) -> None:
        self.feed.close()
        if self._durable is not None and self._subscriptions is not None:
            await self._subscriptions.release(self._durable)


DEFAULT_MAX_IN_FLIGHT = 1000
MAX_IN_FLIGHT_LIMIT = 100_000
_EXPLICIT = frozenset({
    ot.LISTEN_START_POSITION_EARLIEST, ot.LISTEN_START_POSITION_HEAD, ot.LISTEN_START_POSITION_AFTER_SEQUENCE,
})


@dataclass(frozen=True)
class ListenCaller:
    user_id: str
    is_admin: bool = False


async def open_listen(
    hub: OutTopicHub,
    subscriptions: DurableSubscriptions,
    start: ot.ListenStart,
    caller: ListenCaller,
    *,
    compile_filter: Callable[[ot.OutTopicFilter], EventFilter],
    max_batch: int,
    heartbeat_seconds: float,
) -> tuple[ListenSession, ot.ListenStarted]:
    """Resolve a ListenStart (position, durable subscription, filter) into a session and its ListenStarted."""
    max_in_flight = start.max_in_flight or DEFAULT_MAX_IN_FLIGHT
    if not 0 < max_in_flight <= MAX_IN_FLIGHT_LIMIT:
        raise InvalidArgument(message=f"max_in_flight must be 0..{MAX_IN_FLIGHT_LIMIT}",
                              field_violations=[("start.max_in_flight", f"must be 0..{MAX_IN_FLIGHT_LIMIT}")])
    if start.start_position not in ot.ListenStartPosition.values():
        raise InvalidArgument(message="unknown start_position", field_violations=[("start.start_position", "unknown")])
    given = start.filter if start.HasField("filter") else None
    compiled = compile_filter(given) if given is not None else None
    head = hub.current_head()
    explicit = start.start_position in _EXPLICIT
    position = head
    if start.start_position == ot.LISTEN_START_POSITION_EARLIEST:
        position = max(hub.store.floor_sequence() - 1, 0)
    elif start.start_position == ot.LISTEN_START_POSITION_AFTER_SEQUENCE:
        position = start.after_sequence
    if explicit:
        hub.check_position(position, "start.after_sequence")
    durable: Durable | None = None
    if start.subscription_name:
        durable, created = await subscriptions.attach(
            start.subscription_name, caller.user_id, is_admin=caller.is_admin, must_exist=start.must_exist,
            event_filter=given, create_at=position,
        )
        try:
            if compiled is None:
                compiled = compile_filter(durable.filter)
            if explicit and not created:
                await subscriptions.seek(durable, position)
            position = durable.acked
            feed = hub.open_feed(position, compiled)
        except BaseException:
            await subscriptions.release(durable)
            raise
    else:
        feed = hub.open_feed(position, compiled or MATCH_ALL)
    session = ListenSession(feed, max_in_flight=max_in_flight, max_batch=max_batch,
                            heartbeat_seconds=heartbeat_seconds, subscriptions=subscriptions, durable=durable)
    started = ot.ListenStarted(subscription_name=start.subscription_name, resume_after_sequence=position,
                               head_sequence=max(head, hub.head), floor_sequence=hub.store.floor_sequence())
    return session, started


class _HalfClosed(InvalidArgument):
    """Internal marker: the feed was stopped because the client finished sending."""

