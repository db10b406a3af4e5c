"""Out Topic listeners for event-driven connectors: a resumable, acknowledged ``Listen`` stream.

A listener survives the access server going away: it reconnects with capped backoff and resumes after the
last event it handed to the callback (or, for a durable subscription, from the position the server kept),
so the connector sees no gap and no duplicate across reconnects.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from coho.access.v1 import out_topic_service_pb2 as ot

log = logging.getLogger("coho.daemon.listen")

EventCallback = Callable[[ot.OutTopicEvent], Awaitable[None] | None]

START = ot.ListenStartPosition


class Listener:
    """One Listen stream driving one callback; create it with ``context.listen(...)``."""

    def __init__(self, *, stub: Any, callback: EventCallback, filter: ot.OutTopicFilter | None,
                 subscription_name: str = "", from_sequence: int | None = None, name: str = "",
                 retry_initial: float = 0.2, retry_max: float = 5.0) -> None:
        self._stub = stub
        self._callback = callback
        self._filter = filter or ot.OutTopicFilter()
        self.subscription_name = subscription_name
        # None: start at the head (a durable subscription resumes from its kept position instead).
        self.last_sequence: int | None = from_sequence
        self.name = name
        self._retry = (retry_initial, retry_max)
        self.started = asyncio.Event()
        self.events_handled = 0
        self.callback_errors = 0
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Listener:
        self._task = asyncio.create_task(self._run(), name=f"listener:{self.name}")
        return self

    async def wait_started(self) -> None:
        """Wait until the server has acknowledged the stream (events after this point will arrive).

        Callers bound the wait with ``asyncio.timeout``: a listener keeps retrying while the server is down.
        """
        await self.started.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        delay = self._retry[0]
        while True:
            try:
                await self._listen_once()
                delay = self._retry[0]
            except asyncio.CancelledError:
                raise
            except Exception as err:  # any stream failure: reconnect, never let the connector's listener die
                self.started.clear()
                self.reconnects += 1
                log.info("out topic listener reconnecting", extra={"listener": self.name, "error": str(err),
                                                                   "retry_seconds": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry[1])

    def _start_message(self) -> ot.ListenRequest:
        start = ot.ListenStart(subscription_name=self.subscription_name, filter=self._filter,
                               start_position=START.LISTEN_START_POSITION_HEAD)
        if self.subscription_name:
            start.start_position = START.LISTEN_START_POSITION_RESUME
        if self.last_sequence is not None and not self.subscription_name:
            start.start_position = START.LISTEN_START_POSITION_AFTER_SEQUENCE
            start.after_sequence = self.last_sequence
        return ot.ListenRequest(start=start)

    async def _listen_once(self) -> None:
        acks: asyncio.Queue[ot.ListenRequest] = asyncio.Queue()
        await acks.put(self._start_message())

        async def requests() -> AsyncIterator[ot.ListenRequest]:
            while True:
                yield await acks.get()

        call = self._stub.Listen(requests())
        try:
            async for response in call:
                kind = response.WhichOneof("kind")
                if kind == "started":
                    if self.last_sequence is None:
                        self.last_sequence = response.started.resume_after_sequence
                    self.started.set()
                elif kind == "batch" and response.batch.events:
                    await self._deliver(list(response.batch.events))
                    await acks.put(ot.ListenRequest(ack=ot.ListenAck(sequence=self.last_sequence or 0)))
        finally:
            call.cancel()
        raise ConnectionError("out topic stream ended")

    async def _deliver(self, events: list[ot.OutTopicEvent]) -> None:
        for event in events:
            if self.last_sequence is not None and event.sequence <= self.last_sequence:
                continue  # already handled before a reconnect
            try:
                outcome = self._callback(event)
                if inspect.isawaitable(outcome):
                    await outcome
            except asyncio.CancelledError:
                raise
            except Exception:
                # A bad event must not wedge the stream: log it and move on (it is still acknowledged).
                self.callback_errors += 1
                log.exception("listener callback failed", extra={"listener": self.name,
                                                                 "sequence": event.sequence})
            self.last_sequence = event.sequence
            self.events_handled += 1
