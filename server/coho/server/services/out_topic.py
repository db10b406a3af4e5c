"""OutTopicService: validate -> the out-topic core (:mod:`coho.server.outtopic`) -> the one error map.

Subscribe and Listen yield responses already serialized: event frames encoded at write time are spliced
into the response bytes (:mod:`coho.server.outtopic.wire`), so no event is decoded or re-encoded on the
way out. Their handlers therefore have a pass-through response serializer, which is why the servicer
registers itself (:meth:`OutTopicServicer.register_with`, called by the hosting) instead of through the
generated ``add_OutTopicServiceServicer_to_server``. Clients see ordinary SubscribeResponse messages.

Listen reads the client's stream in a reader task over the request iterator and yields responses from the
handler; on one aio call the iterator and ``context.read()/write()`` must never be mixed, so this handler
uses the iterator only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import grpc.aio

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.server.errors import CohoError, InvalidArgument
from coho.server.outtopic.hub import Delivery, OutTopicHub
from coho.server.outtopic.mapping import EventFilter, compile_filter
from coho.server.outtopic.subscriptions import DurableSubscriptions, ListenCaller, ListenSession, open_listen
from coho.server.outtopic.wire import events_body, listen_batch
from coho.server.rpc.errors import invalid, rpc_method
from coho.server.rpc.identity import current_identity
from coho.server.types import TypeRegistry

SERVICE_NAME = "coho.access.v1.OutTopicService"
DEFAULT_HEARTBEAT_SECONDS = 5
MAX_HEARTBEAT_SECONDS = 3600
DEFAULT_MAX_BATCH = 500
MAX_BATCH_LIMIT = 10_000


def _heartbeat(seconds: int, field: str) -> float:
    if not 0 <= seconds <= MAX_HEARTBEAT_SECONDS:
        raise invalid(field, f"must be 0..{MAX_HEARTBEAT_SECONDS}")
    return float(seconds or DEFAULT_HEARTBEAT_SECONDS)


def _progress(delivery: Delivery) -> ot.Progress:
    progress = ot.Progress(head_sequence=delivery.head_sequence, scanned_sequence=delivery.scanned_sequence)
    progress.time.GetCurrentTime()
    return progress


class OutTopicServicer(ot_grpc.OutTopicServiceServicer):
    """The gRPC face of the out topic; every method is validate -> core -> errors."""

    def __init__(
        self, hub: OutTopicHub, subscriptions: DurableSubscriptions, types: Callable[[], TypeRegistry]
    ) -> None:
        self.hub = hub
        self.subscriptions = subscriptions
        self._types = types

    def _filter(self, message: ot.OutTopicFilter, field: str) -> EventFilter:
        return compile_filter(message, self._types(), field)

    @rpc_method
    async def Subscribe(
        self, request: ot.SubscribeRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        current_identity()
        heartbeat = _heartbeat(request.heartbeat_interval_seconds, "heartbeat_interval_seconds")
        if not 0 <= request.max_batch_events <= MAX_BATCH_LIMIT:
            raise invalid("max_batch_events", f"must be 0..{MAX_BATCH_LIMIT}")
        max_batch = request.max_batch_events or DEFAULT_MAX_BATCH
        event_filter = self._filter(request.filter, "filter")
        after = self.hub.current_head() if request.from_head else request.after_sequence
        feed = self.hub.open_feed(after, event_filter)
        try:
            while True:
                delivery = await feed.next(max_batch, heartbeat)
                yield events_body(delivery.events, _progress(delivery))
        finally:
            feed.close()

    @rpc_method
    async def Listen(
        self, request_iterator: AsyncIterator[ot.ListenRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[ot.ListenResponse | bytes]:
        identity = current_identity()
        requests = request_iterator.__aiter__()
        try:
            first = await requests.__anext__()
        except StopAsyncIteration:
            raise invalid("start", "the first message must be a start") from None
        if first.WhichOneof("kind") != "start":
            raise invalid("start", "the first message must be a start", reason="START_REQUIRED")
        start = first.start
        session, started = await open_listen(
            self.hub, self.subscriptions, start,
            ListenCaller(user_id=identity.caller.user_id, is_admin=identity.has_role("admin")),
            compile_filter=lambda message: self._filter(message, "start.filter"),
            max_batch=DEFAULT_MAX_BATCH,
            heartbeat_seconds=_heartbeat(start.heartbeat_interval_seconds, "start.heartbeat_interval_seconds"),
        )
        reader = asyncio.create_task(_read_acks(requests, session), name="outtopic-listen-acks")
        try:
            yield ot.ListenResponse(started=started)
            while (delivery := await session.next()) is not None:
                if delivery.events:
                    yield listen_batch(delivery.events, _progress(delivery))
                else:
                    yield ot.ListenResponse(heartbeat=_progress(delivery))
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await session.close()

    @rpc_method
    async def ListSubscriptions(
        self, request: ot.ListSubscriptionsRequest, context: grpc.aio.ServicerContext
    ) -> ot.ListSubscriptionsResponse:
        identity = current_identity()
        owner = None if identity.has_role("admin") else identity.caller.user_id
        return ot.ListSubscriptionsResponse(subscriptions=self.subscriptions.list(self.hub.head, owner))

    @rpc_method
    async def DeleteSubscription(
        self, request: ot.DeleteSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> ot.DeleteSubscriptionResponse:
        identity = current_identity()
        await self.subscriptions.delete(
            request.subscription_name, identity.caller.user_id, is_admin=identity.has_role("admin")
        )
        return ot.DeleteSubscriptionResponse()

    def register_with(self, server: grpc.aio.Server) -> None:
        """Add this servicer's handlers to ``server``: the generated ones, but with a pass-through response
        serializer for the two streams (they yield pre-serialized bytes; see the module docstring)."""
        handlers = {
            "Subscribe": grpc.unary_stream_rpc_method_handler(
                self.Subscribe, request_deserializer=ot.SubscribeRequest.FromString,
                response_serializer=_serialized),
            "Listen": grpc.stream_stream_rpc_method_handler(
                self.Listen, request_deserializer=ot.ListenRequest.FromString, response_serializer=_serialized),
            "ListSubscriptions": grpc.unary_unary_rpc_method_handler(
                self.ListSubscriptions, request_deserializer=ot.ListSubscriptionsRequest.FromString,
                response_serializer=ot.ListSubscriptionsResponse.SerializeToString),
            "DeleteSubscription": grpc.unary_unary_rpc_method_handler(
                self.DeleteSubscription, request_deserializer=ot.DeleteSubscriptionRequest.FromString,
                response_serializer=ot.DeleteSubscriptionResponse.SerializeToString),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
        server.add_registered_method_handlers(SERVICE_NAME, handlers)


def _serialized(response: Any) -> bytes:
    # Bytes are a response spliced by the wire module; the rare message (ListenStarted, a heartbeat) is not.
    return response if isinstance(response, bytes) else bytes(response.SerializeToString())


async def _read_acks(requests: AsyncIterator[ot.ListenRequest], session: ListenSession) -> None:
    """Apply the client's acks; a bad message ends the stream through the session (and the error map)."""
    try:
        async for request in requests:
            if request.WhichOneof("kind") != "ack":
                raise invalid("start", "start may only be sent once", reason="START_REPEATED")
            session.ack(request.ack.sequence)
    except InvalidArgument as exc:
        session.fail(exc)
        return
    except CohoError as exc:  # pragma: no cover - acks raise InvalidArgument only
        session.fail(InvalidArgument(message=exc.message, reason=exc.reason))
        return
    except grpc.aio.AioRpcError:  # pragma: no cover - the client went away; the handler is cancelled too
        return
    session.end()


def out_topic_servicer(
    hub: OutTopicHub, subscriptions: DurableSubscriptions, types: Callable[[], TypeRegistry]
) -> tuple[str, object]:
    """("coho.access.v1.OutTopicService", servicer) for ServerApp(servicers={...})."""
    return SERVICE_NAME, OutTopicServicer(hub, subscriptions, types)
