"""The subscriber side: follow one peer's log, apply each batch with its cursor, acknowledge it.

One :class:`Subscription` task per (cohort, peer). It reconnects with capped exponential backoff and full
jitter, and resumes from the cursor persisted with the last applied batch, so a kill -9 on either side loses
nothing; re-delivered events are ignored by the version rules, so nothing applies twice. A peer whose
collection id is not yet known (a seed) is asked for a snapshot: harmless if we had a cursor after all,
because applying is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2
from coho.server.cohort.apply import BatchResult
from coho.server.cohort.transport import CohortTransport, StreamError, SubscriptionStream

log = logging.getLogger("coho.cohort")

CONNECTING, CONNECTED, DISCONNECTED, BACKING_OFF, UNREGISTERED = (
    "connecting", "connected", "disconnected", "backing_off", "unregistered")
INITIAL_BACKOFF_SECONDS = 0.1


@dataclass
class InboundStatus:
    """What ListCohortMembers shows about our subscription to a peer."""

    cursor: int = 0
    head: int = 0
    state: str = CONNECTING
    last_heard: float = 0.0
    last_error: str = ""


class SubscriptionHost(Protocol):
    """What a subscription needs from its membership (implemented by manager.Membership)."""

    cohort: str
    transport: CohortTransport
    token: str | None

    def hello(self, peer_id: str | None) -> cs.Hello: ...

    def on_welcome(self, subscription: Subscription, welcome: cs.Welcome) -> bool: ...

    async def apply(self, peer_id: str, batch: cs.EventBatch) -> BatchResult: ...

    def on_acked(self, peer_id: str, batch: cs.EventBatch, result: BatchResult, ack: cs.Ack) -> None: ...

    def on_registry_event(self, peer_id: str, event: events_pb2.OmrsEvent) -> None: ...

    def on_refused(self, subscription: Subscription, error: StreamError) -> None: ...


class Subscription:
    def __init__(self, host: SubscriptionHost, endpoint: str, peer_id: str | None, *,
                 heartbeat_seconds: float, reconnect_max_seconds: float, local_id: str) -> None:
        self.host = host
        self.endpoint = endpoint
        self.peer_id = peer_id
        self.local_id = local_id
        self.status = InboundStatus()
        self.heartbeat_seconds = heartbeat_seconds
        self.reconnect_max_seconds = reconnect_max_seconds
        self.force_snapshot = False
        self.stopped = False
        self.connects = 0
        self._task: asyncio.Task[None] | None = None
        self._stream: SubscriptionStream | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"cohort-sub-{self.host.cohort}-{self.endpoint}")

    @property
    def live(self) -> bool:
        """Running (or reconnecting). False once stopped, or once the peer refused it and its task ended: the
        peer's next Hello (e.g. after its token was fixed and it restarted) then starts a fresh subscription,
        instead of the cohort staying split until this member restarts."""
        return not self.stopped and self._task is not None and not self._task.done()

    async def stop(self) -> None:
        self.stopped = True
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._close_stream()

    def _stopping(self) -> bool:
        return self.stopped

    def request_stop(self) -> None:
        """Stop from inside the subscription's own task (e.g. the peer un-registered)."""
        self.stopped = True

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.close()

    async def _run(self) -> None:
        backoff = INITIAL_BACKOFF_SECONDS
        while not self.stopped:
            self.status.state = CONNECTING
            try:
                if await self._session():
                    backoff = INITIAL_BACKOFF_SECONDS
            except StreamError as err:
                self.status.last_error = str(err)
                if not err.retryable:
                    self.host.on_refused(self, err)
                    self.status.state = DISCONNECTED
                    return
                if err.code == "OUT_OF_RANGE":
                    self.force_snapshot = True
            except TimeoutError:
                self.status.last_error = "publisher silent for too long"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not end replication for good; the backoff bounds the damage
                log.exception("cohort subscription failed", extra={"endpoint": self.endpoint})
                self.status.last_error = repr(exc)
            finally:
                await self._close_stream()
            if self._stopping():
                break
            self.status.state = BACKING_OFF
            # Full jitter: members that lost the same peer do not all come back in step.
            await asyncio.sleep(random.uniform(0, backoff))
            backoff = min(self.reconnect_max_seconds, backoff * 2)
        self.status.state = UNREGISTERED if self.stopped else DISCONNECTED

    async def _receive(self, stream: SubscriptionStream) -> cs.ExchangeResponse | None:
        # The publisher heartbeats when idle; silence past a few beats means it is gone (kill -9, partition).
        return await asyncio.wait_for(stream.receive(), self.heartbeat_seconds * 3 + 5)

    async def _session(self) -> bool:
        """One connection: Hello, Welcome, then batches until the stream ends. True once welcomed."""
        stream = self._stream = self.host.transport.open_subscription(self.endpoint, self.host.token)
        hello = self.host.hello(None if self.force_snapshot else self.peer_id)
        await stream.send(cs.ExchangeRequest(hello=hello))
        first = await self._receive(stream)
        if first is None or first.WhichOneof("kind") != "welcome":
            return False
        self.peer_id = first.welcome.registration.metadata_collection_id
        if not self.host.on_welcome(self, first.welcome):
            self.request_stop()
            return True
        self.force_snapshot = False
        self.connects += 1
        self.status.state = CONNECTED
        self.status.head = first.welcome.head_sequence
        self.status.last_heard = time.time()
        while not self.stopped:
            message = await self._receive(stream)
            if message is None:
                break
            self.status.last_heard = time.time()
            await self._handle(stream, message)
        return True

    async def _handle(self, stream: SubscriptionStream, message: cs.ExchangeResponse) -> None:
        kind = message.WhichOneof("kind")
        assert self.peer_id is not None
        if kind == "batch":
            await self._apply(stream, message.batch)
        elif kind == "heartbeat":
            self.status.head = max(self.status.head, message.heartbeat.sequence)
        elif kind == "registry_event":
            self.host.on_registry_event(self.peer_id, message.registry_event)

    async def _apply(self, stream: SubscriptionStream, batch: cs.EventBatch) -> None:
        assert self.peer_id is not None
        result = await self.host.apply(self.peer_id, batch)
        if result.cursor is not None:
            self.status.cursor = result.cursor
            self.status.head = max(self.status.head, result.cursor)
        ack = cs.Ack(batch_id=batch.batch_id, publisher_metadata_collection_id=self.peer_id,
                     subscriber_metadata_collection_id=self.local_id, first_sequence=batch.first_sequence,
                     last_sequence=batch.last_sequence, outcomes=result.acks)
        await stream.send(cs.ExchangeRequest(ack=ack))
        self.host.on_acked(self.peer_id, batch, result, ack)


Starter = Callable[[], Awaitable[None]]
