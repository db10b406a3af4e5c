"""The Out Topic (DESIGN §6): access-level change notifications made from the change log.

- :mod:`.mapping`: change-log entries -> OutTopicEvent, and subscriber filters;
- :mod:`.wire`: events encoded once at write time (the store's change annexer) and spliced into responses;
- :mod:`.hub`: one change-log tailer per server fanning out to live feeds, with bounded buffers;
- :mod:`.subscriptions`: durable named subscriptions and the flow-controlled listen session.

:class:`OutTopic` bundles them for the server: ``await OutTopic.open(store, types)``, register
``out_topic.servicer()`` with the server, ``await out_topic.close()`` on shutdown (before closing the store).
"""

from __future__ import annotations

from collections.abc import Callable

from coho.server.outtopic.hub import DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_PAGE_SIZE, Delivery, Feed, OutTopicHub
from coho.server.outtopic.mapping import EventFilter, compile_filter, to_out_topic_event
from coho.server.outtopic.subscriptions import DEFAULT_FLUSH_INTERVAL, DurableSubscriptions
from coho.server.outtopic.wire import annex_event
from coho.server.store.base import Store
from coho.server.types import TypeRegistry

__all__ = [
    "Delivery",
    "DurableSubscriptions",
    "EventFilter",
    "Feed",
    "OutTopic",
    "OutTopicHub",
    "compile_filter",
    "to_out_topic_event",
]


class OutTopic:
    """The hub and the durable subscriptions of one server, started and stopped together."""

    def __init__(self, hub: OutTopicHub, subscriptions: DurableSubscriptions, types: Callable[[], TypeRegistry]):
        self.hub = hub
        self.subscriptions = subscriptions
        self.types = types

    @classmethod
    async def open(
        cls,
        store: Store,
        types: TypeRegistry | Callable[[], TypeRegistry],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_buffered_events: int = DEFAULT_MAX_BUFFERED_EVENTS,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
    ) -> OutTopic:
        """Load the durable subscriptions and start tailing. ``types`` may be a callable (e.g.
        ``lambda: repository.types``) so filters see types added at runtime."""
        provider: Callable[[], TypeRegistry] = types if callable(types) else (lambda: types)
        # From now on every write also stores its encoded event, so subscribers never decode the change log.
        # It stays installed after close(): it is a pure function, and writes still draining then keep the
        # fast path for the next start (entries without an annex are still served, just more slowly).
        store.set_change_annexer(annex_event)
        subscriptions = DurableSubscriptions(store, flush_interval=flush_interval)
        await subscriptions.load()
        hub = OutTopicHub(store, page_size=page_size, max_buffered_events=max_buffered_events)
        await hub.start()
        return cls(hub, subscriptions, provider)

    def servicer(self) -> tuple[str, object]:
        """("coho.access.v1.OutTopicService", servicer) for ServerApp(servicers={...})."""
        from coho.server.services.out_topic import out_topic_servicer

        return out_topic_servicer(self.hub, self.subscriptions, self.types)

    async def close(self) -> None:
        """Stop the hub (live subscribers get UNAVAILABLE) and persist every durable position."""
        await self.hub.close()
        await self.subscriptions.close()
