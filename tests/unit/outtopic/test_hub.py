"""The hub: catch-up then live with no gap or duplicate, one read per commit, bounded slow subscribers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from unit.outtopic.outtopicbuild import ALICE, add, props

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import InvalidArgument, OutOfRange, ResourceExhausted
from coho.server.outtopic.hub import Feed, OutTopicHub
from coho.server.outtopic.mapping import MATCH_ALL, compile_filter
from coho.server.repository import Repository
from coho.server.store.sqlite import SqliteStore
from coho.server.types import TypeRegistry

pytestmark = pytest.mark.timeout(60)


async def add_many(repo: Repository, count: int, type_name: str = "DataFile") -> None:
    news = [mcs.NewEntity(type_name=type_name, properties=props(qualifiedName=f"q:{uuid.uuid4()}"))
            for _ in range(count)]
    await repo.add_entities(ALICE, news)


async def collect(feed: Feed, until: int, max_events: int = 100) -> list[int]:
    seen: list[int] = []
    while not seen or seen[-1] < until:
        delivery = await feed.next(max_events, 5)
        seen.extend(sequence for sequence, _ in delivery.events)
        assert delivery.scanned_sequence >= (seen[-1] if seen else 0)
    return seen


@pytest.fixture
async def hub(store: SqliteStore) -> AsyncIterator[OutTopicHub]:
    started = OutTopicHub(store, page_size=7, max_buffered_events=10_000)
    await started.start()
    yield started
    await started.close()


async def test_history_then_live_without_gap_or_duplicate(repo: Repository, store: SqliteStore,
                                                         hub: OutTopicHub) -> None:
    await add_many(repo, 40)
    feed = hub.open_feed(0, MATCH_ALL)

    async def writer() -> None:
        for _ in range(30):
            await add(repo)
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    first = await feed.next(1000, 5)
    assert not feed.live  # the first batch is history, read by the feed itself in pages of 7
    assert [sequence for sequence, _ in first.events] == list(range(1, 8))
    await task
    head = store.head_sequence()
    seen = [sequence for sequence, _ in first.events] + await collect(feed, head)
    expected = [r.sequence for r in store.read_changes(0, 10_000)]
    assert seen == expected == list(range(1, head + 1))
    assert (await feed.next(10, 0.01)).events == []  # reads the short page, attaches, then idles
    assert feed.live and hub.live_feeds == 1
    await add(repo)
    live = await feed.next(10, 5)
    assert [sequence for sequence, _ in live.events] == [head + 1]
    feed.close()
    assert hub.live_feeds == 0


async def test_one_log_read_per_commit_whatever_the_subscriber_count(
        repo: Repository, store: SqliteStore, hub: OutTopicHub, monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = [hub.open_feed(store.head_sequence(), MATCH_ALL) for _ in range(20)]
    for feed in feeds:
        await feed.next(10, 0.01)  # reaches the tail and attaches
    assert hub.live_feeds == 20
    calls: list[int] = []
    read = store.read_changes

    def counting(after: int, limit: int) -> list:  # type: ignore[type-arg]
        calls.append(after)
        return read(after, limit)

    monkeypatch.setattr(store, "read_changes", counting)
    for _ in range(10):
        await add(repo)
    head = store.head_sequence()
    for feed in feeds:
        assert (await collect(feed, head))[-1] == head
    # Each commit costs the tailer at most a couple of reads; 20 subscribers do not multiply it.
    assert len(calls) <= 2 * 10


async def test_slow_live_subscriber_is_cut_off_and_memory_stays_bounded(
        repo: Repository, store: SqliteStore) -> None:
    hub = OutTopicHub(store, max_buffered_events=50)
    await hub.start()
    try:
        slow = hub.open_feed(store.head_sequence(), MATCH_ALL)
        fast = hub.open_feed(store.head_sequence(), MATCH_ALL)
        await slow.next(10, 0.01)
        await fast.next(10, 0.01)
        start = store.head_sequence()
        fast_seen: list[int] = []
        for _ in range(200):
            await add_many(repo, 10)
            assert hub.buffered_events() <= 2 * hub.max_buffered_events
            # The fast subscriber keeps up: it reads everything up to the head before the next write.
            fast_seen += await collect(fast, store.head_sequence(), 1000)
        head = store.head_sequence()
        assert fast_seen == list(range(start + 1, head + 1))
        assert hub.high_water <= hub.max_buffered_events
        with pytest.raises(ResourceExhausted) as caught:
            await slow.next(10, 1)
        assert caught.value.reason == "SUBSCRIBER_TOO_SLOW"
        assert caught.value.metadata["resume_after_sequence"] == str(start)
        assert hub.live_feeds == 1 and slow.buffered == 0
        resumed = hub.open_feed(int(caught.value.metadata["resume_after_sequence"]), MATCH_ALL)
        assert await collect(resumed, head, 500) == list(range(start + 1, head + 1))
    finally:
        await hub.close()


async def test_filtered_feed_reports_progress_past_filtered_entries(
        repo: Repository, store: SqliteStore, hub: OutTopicHub, types: TypeRegistry) -> None:
    feed = hub.open_feed(store.head_sequence(), compile_filter(ot.OutTopicFilter(type_names=["FileFolder"]), types))
    await feed.next(10, 0.01)
    await add_many(repo, 5)
    folder = await add(repo, "FileFolder")
    delivery = await feed.next(10, 5)
    assert [e.element_header.guid for e in delivery.messages()] == [folder.header.guid]
    await add_many(repo, 3)
    await asyncio.sleep(0.2)
    heartbeat = await feed.next(10, 0.05)
    assert heartbeat.events == [] and heartbeat.scanned_sequence == heartbeat.head_sequence == store.head_sequence()


async def test_positions_below_floor_and_past_head(repo: Repository, store: SqliteStore, hub: OutTopicHub) -> None:
    await add_many(repo, 10)
    store.compact_changes(5)
    with pytest.raises(OutOfRange) as caught:
        hub.open_feed(2, MATCH_ALL)
    assert caught.value.metadata["floor"] == "6"
    hub.open_feed(5, MATCH_ALL).close()
    with pytest.raises(InvalidArgument) as past:
        hub.open_feed(store.head_sequence() + 1, MATCH_ALL)
    assert past.value.reason == "SEQUENCE_PAST_HEAD"


async def test_idle_heartbeat_and_close(store: SqliteStore, hub: OutTopicHub) -> None:
    feed = hub.open_feed(0, MATCH_ALL)
    delivery = await feed.next(10, 0.05)
    assert delivery.events == [] and delivery.head_sequence == store.head_sequence()
    await hub.close()
    with pytest.raises(Exception) as caught:
        await feed.next(10, 0.05)
    assert getattr(caught.value, "reason", "") == "DRAINING"


async def test_tailer_reads_nothing_without_feeds_and_a_late_feed_misses_nothing(
        repo: Repository, store: SqliteStore, hub: OutTopicHub, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    read = store.read_annexes

    def counting(after: int, limit: int) -> list:  # type: ignore[type-arg]
        calls.append(after)
        return read(after, limit)

    monkeypatch.setattr(store, "read_annexes", counting)
    start = store.head_sequence()
    for _ in range(5):
        await add_many(repo, 3)
        await asyncio.sleep(0.01)
    assert calls == []  # nobody listens: commits cost the tailer no change-log read
    early = hub.open_feed(start, MATCH_ALL)
    first_head = store.head_sequence()
    assert await collect(early, first_head) == list(range(start + 1, first_head + 1))  # catch-up, unread entries

    async def writer() -> None:
        for _ in range(20):
            await add(repo)
            await asyncio.sleep(0)

    # Writes race the late feed's switch from catch-up to live, and the tailer resumes from its position.
    task = asyncio.create_task(writer())
    late = hub.open_feed(start, MATCH_ALL)
    await task
    head = store.head_sequence()
    assert await collect(late, head) == list(range(start + 1, head + 1))
    assert await collect(early, head) == list(range(first_head + 1, head + 1))
    early.close()
    late.close()
    assert hub.live_feeds == 0
    # Every feed left; one opens after more unread writes and sees them all, then the live ones, with no gap.
    await add_many(repo, 4)
    again = hub.open_feed(head, MATCH_ALL)
    first = await again.next(1, 5)
    await add_many(repo, 3)
    final = store.head_sequence()
    seen = [sequence for sequence, _ in first.events] + await collect(again, final)
    assert seen == list(range(head + 1, final + 1))
