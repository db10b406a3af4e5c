"""OutTopicService over real gRPC (127.0.0.1, port 0) on a real SQLite store: Subscribe, Listen, durable
subscriptions across a restart, the slow-subscriber bound, OUT_OF_RANGE and heartbeats."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from unit.outtopic.outtopicbuild import ALICE, add, props

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.outtopic import OutTopic
from coho.server.repository import Caller, Repository
from coho.server.rpc.identity import Identity, set_identity
from coho.server.store.sqlite import SqliteStore, open_sqlite_store
from coho.server.types import TypeRegistry

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
USER_KEY = "x-test-user"


class TestIdentityInterceptor(grpc.aio.ServerInterceptor):
    """Test-only stand-in for the auth interceptor: the caller is the x-test-user metadata value."""

    async def intercept_service(self, continuation: Callable[..., Any], details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        user = dict(details.invocation_metadata or ()).get(USER_KEY, "alice")
        identity = Identity(Caller(user_id=str(user)), frozenset({"admin"} if user == "admin" else {"reader"}))
        for kind, factory in (("unary_unary", grpc.unary_unary_rpc_method_handler),
                              ("unary_stream", grpc.unary_stream_rpc_method_handler),
                              ("stream_stream", grpc.stream_stream_rpc_method_handler)):
            original = getattr(handler, kind)
            if original is not None:
                return factory(_bind(original, identity, kind), request_deserializer=handler.request_deserializer,
                               response_serializer=handler.response_serializer)
        return handler


def _bind(original: Callable[..., Any], identity: Identity, kind: str) -> Callable[..., Any]:
    if kind == "unary_unary":
        async def unary(request: Any, context: Any) -> Any:
            set_identity(identity)
            return await original(request, context)
        return unary

    async def streaming(request: Any, context: Any) -> Any:
        set_identity(identity)
        async for item in original(request, context):
            yield item
    return streaming


class Harness:
    """Store + repository + out topic + a bare grpc.aio server; close() and open again = a restart."""

    def __init__(self, data_dir: Path, **out_topic_options: Any) -> None:
        self.data_dir = data_dir
        self.options = out_topic_options

    async def open(self) -> Harness:
        self.store: SqliteStore = open_sqlite_store(self.data_dir)
        self.types = TypeRegistry.with_builtin_types()
        self.repo = Repository(self.store, self.types, metadata_collection_name="home")
        self.out_topic = await OutTopic.open(self.store, self.types, **self.options)
        name, servicer = self.out_topic.servicer()
        assert name == "coho.access.v1.OutTopicService"
        self.server = grpc.aio.server(interceptors=[TestIdentityInterceptor()])
        servicer.register_with(self.server)  # type: ignore[attr-defined]
        port = self.server.add_insecure_port("127.0.0.1:0")
        await self.server.start()
        # No BDP probing: the client's receive window stays small, so a client that stops reading
        # really does stop the server's writes (the slow-subscriber test depends on it).
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.http2.bdp_probe", 0)])
        self.stub = ot_grpc.OutTopicServiceStub(self.channel)
        return self

    async def close(self) -> None:
        await self.channel.close()
        await self.server.stop(0.5)
        await self.out_topic.close()
        await self.store.close()

    async def add_many(self, count: int) -> int:
        for start in range(0, count, 100):
            news = [mcs.NewEntity(type_name="DataFile", properties=props(qualifiedName=f"q:{uuid.uuid4()}"))
                    for _ in range(min(100, count - start))]
            await self.repo.add_entities(ALICE, news)
        return self.store.head_sequence()


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    opened = await Harness(tmp_path / "data").open()
    yield opened
    await opened.close()


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    raise AssertionError("no ErrorInfo")


async def read_until(call: Any, last: int, seen: list[int] | None = None) -> list[int]:
    seen = [] if seen is None else seen
    while not seen or seen[-1] < last:
        response = await call.read()
        assert response is not grpc.aio.EOF
        seen.extend(e.sequence for e in response.events)
    return seen


# -- Subscribe ------------------------------------------------------------------------------------------
async def test_subscribe_history_then_live(harness: Harness) -> None:
    head = await harness.add_many(30)
    call = harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=0, max_batch_events=8))
    first = await call.read()
    assert len(first.events) == 8 and first.progress.scanned_sequence == 8 and first.progress.head_sequence >= 8
    seen = await read_until(call, head, [e.sequence for e in first.events])
    assert seen == list(range(1, head + 1))
    entity = await add(harness.repo, "DataFile")
    live = await read_until(call, head + 1)
    assert live == [head + 1]
    call.cancel()
    assert entity.header.guid


async def test_resume_after_disconnect_no_gap_no_duplicate(harness: Harness) -> None:
    await harness.add_many(20)
    call = harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=0, max_batch_events=7))
    seen = await read_until(call, 14)
    call.cancel()
    head = await harness.add_many(25)
    resumed = harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=seen[-1], max_batch_events=7))
    seen = await read_until(resumed, head, seen)
    resumed.cancel()
    assert seen == list(range(1, head + 1))


async def test_subscribe_filter_and_heartbeat_when_idle(harness: Harness) -> None:
    head = await harness.add_many(5)
    call = harness.stub.Subscribe(ot.SubscribeRequest(
        from_head=True, heartbeat_interval_seconds=1,
        filter=ot.OutTopicFilter(type_names=["FileFolder"])))
    started = time.monotonic()
    beat = await call.read()
    assert not beat.events and beat.progress.head_sequence == head == beat.progress.scanned_sequence
    assert 0.5 < time.monotonic() - started < 3
    await harness.add_many(3)
    folder = await add(harness.repo, "FileFolder")
    response = await call.read()
    assert [e.element_header.guid for e in response.events] == [folder.header.guid]
    assert response.progress.scanned_sequence == harness.store.head_sequence()
    call.cancel()


async def test_out_of_range_below_floor_and_invalid_positions(harness: Harness) -> None:
    await harness.add_many(10)
    harness.store.compact_changes(6)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=1)).read()
    assert caught.value.code() == grpc.StatusCode.OUT_OF_RANGE
    info = error_info(caught.value)
    assert info.reason == "SEQUENCE_BELOW_FLOOR" and info.metadata["floor"] == "7"
    for bad in (ot.SubscribeRequest(after_sequence=999), ot.SubscribeRequest(after_sequence=-1),
                ot.SubscribeRequest(filter=ot.OutTopicFilter(type_names=["Nope"])),
                ot.SubscribeRequest(max_batch_events=-1)):
        with pytest.raises(grpc.aio.AioRpcError) as invalid:
            await harness.stub.Subscribe(bad).read()
        assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT, bad


async def test_slow_subscriber_is_cut_off_with_bounded_memory(tmp_path: Path) -> None:
    harness = await Harness(tmp_path / "data", max_buffered_events=200).open()
    try:
        start = harness.store.head_sequence()
        call = harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=start, heartbeat_interval_seconds=1))
        await call.read()  # a heartbeat: the subscriber is live; from now on it reads nothing
        hub = harness.out_topic.hub
        for _ in range(40):
            await harness.add_many(100)
            assert hub.buffered_events() <= hub.max_buffered_events
        head = harness.store.head_sequence()
        assert hub.high_water <= hub.max_buffered_events and hub.live_feeds == 0
        seen: list[int] = []
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            while True:
                response = await call.read()
                seen.extend(e.sequence for e in response.events)
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error_info(caught.value).reason == "SUBSCRIBER_TOO_SLOW"
        assert len(seen) < head - start
        resumed = harness.stub.Subscribe(ot.SubscribeRequest(after_sequence=seen[-1] if seen else start))
        seen = await read_until(resumed, head, seen)
        resumed.cancel()
        assert seen == list(range(start + 1, head + 1))
    finally:
        await harness.close()


# -- Listen ---------------------------------------------------------------------------------------------
class Listener:
    """A Listen call driven by a queue of requests."""

    def __init__(self, stub: ot_grpc.OutTopicServiceStub, start: ot.ListenStart | None, user: str = "alice") -> None:
        self.requests: asyncio.Queue[ot.ListenRequest | None] = asyncio.Queue()
        if start is not None:
            self.requests.put_nowait(ot.ListenRequest(start=start))
        self.call = stub.Listen(self._requests(), metadata=((USER_KEY, user),))

    async def _requests(self) -> AsyncIterator[ot.ListenRequest]:
        while (request := await self.requests.get()) is not None:
            yield request

    def ack(self, sequence: int) -> None:
        self.requests.put_nowait(ot.ListenRequest(ack=ot.ListenAck(sequence=sequence)))

    async def read(self, within: float = 5) -> ot.ListenResponse:
        response = await asyncio.wait_for(self.call.read(), within)
        assert response is not grpc.aio.EOF
        return response

    async def events(self, count: int) -> list[int]:
        seen: list[int] = []
        while len(seen) < count:
            response = await self.read()
            seen.extend(e.sequence for e in response.batch.events)
        return seen

    async def close(self) -> None:
        self.call.cancel()
        await asyncio.sleep(0.05)


async def test_listen_paces_at_max_in_flight_until_acked(harness: Harness) -> None:
    head = await harness.add_many(50)
    listener = Listener(harness.stub, ot.ListenStart(
        start_position=ot.LISTEN_START_POSITION_EARLIEST, max_in_flight=10, heartbeat_interval_seconds=1))
    started = (await listener.read()).started
    assert (started.resume_after_sequence, started.head_sequence) == (0, head)
    assert await listener.events(10) == list(range(1, 11))
    # At the bound: only heartbeats until an ack makes room.
    paused = await listener.read(3)
    assert paused.WhichOneof("kind") == "heartbeat" and paused.heartbeat.head_sequence == head
    listener.ack(4)
    assert await listener.events(4) == list(range(11, 15))
    listener.ack(14)
    assert await listener.events(10) == list(range(15, 25))
    listener.ack(99)  # beyond what was sent
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        while True:
            await listener.read()
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(caught.value).reason == "ACK_BEYOND_SENT"


async def test_listen_requires_start_first_and_must_exist(harness: Harness) -> None:
    listener = Listener(harness.stub, None)
    listener.ack(1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await listener.read()
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    missing = Listener(harness.stub, ot.ListenStart(subscription_name="nope", must_exist=True))
    with pytest.raises(grpc.aio.AioRpcError) as not_found:
        await missing.read()
    assert not_found.value.code() == grpc.StatusCode.NOT_FOUND


async def test_durable_subscription_survives_restart(tmp_path: Path) -> None:
    harness = await Harness(tmp_path / "data").open()
    try:
        first_head = await harness.add_many(30)
        listener = Listener(harness.stub, ot.ListenStart(
            subscription_name="indexer", start_position=ot.LISTEN_START_POSITION_EARLIEST, max_in_flight=100))
        assert (await listener.read()).started.resume_after_sequence == 0
        assert await listener.events(30) == list(range(1, first_head + 1))
        listener.ack(20)  # 21..30 were received but not acked: they come again (at least once)
        await asyncio.sleep(0.3)
        listed = (await harness.stub.ListSubscriptions(ot.ListSubscriptionsRequest())).subscriptions
        assert [(s.subscription_name, s.acked_sequence, s.owner_user_id, s.connected, s.lag) for s in listed] == [
            ("indexer", 20, "alice", True, first_head - 20)]
        await listener.close()
    finally:
        await harness.close()

    harness = await Harness(tmp_path / "data").open()
    try:
        head = await harness.add_many(15)
        listener = Listener(harness.stub, ot.ListenStart(subscription_name="indexer", must_exist=True))
        started = (await listener.read()).started
        assert started.resume_after_sequence == 20 and started.head_sequence == head
        assert await listener.events(head - 20) == list(range(21, head + 1))
        listener.ack(head)
        other = Listener(harness.stub, ot.ListenStart(subscription_name="indexer"))
        with pytest.raises(grpc.aio.AioRpcError) as in_use:
            await other.read()
        assert in_use.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        stranger = Listener(harness.stub, ot.ListenStart(subscription_name="indexer"), user="mallory")
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await stranger.read()
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        await listener.close()
        listed = (await harness.stub.ListSubscriptions(ot.ListSubscriptionsRequest())).subscriptions
        assert [(s.acked_sequence, s.connected, s.lag) for s in listed] == [(head, False, 0)]
        assert (await harness.stub.ListSubscriptions(ot.ListSubscriptionsRequest(),
                                                     metadata=((USER_KEY, "bob"),))).subscriptions == []
        await harness.stub.DeleteSubscription(ot.DeleteSubscriptionRequest(subscription_name="indexer"))
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await harness.stub.DeleteSubscription(ot.DeleteSubscriptionRequest(subscription_name="indexer"))
        assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await harness.close()
    harness = await Harness(tmp_path / "data").open()
    try:
        assert (await harness.stub.ListSubscriptions(ot.ListSubscriptionsRequest())).subscriptions == []
    finally:
        await harness.close()
