"""Durable subscriptions: batched ack persistence, flush on release, reload after reopen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.server.errors import InvalidArgument, NotFound
from coho.server.outtopic.subscriptions import DurableSubscriptions
from coho.server.store.sqlite import SqliteStore, open_sqlite_store

pytestmark = pytest.mark.timeout(30)


async def test_acks_are_persisted_in_batches_and_on_release(store: SqliteStore, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    subs = DurableSubscriptions(store, flush_interval=0.1)
    await subs.load()
    filter_ = ot.OutTopicFilter(type_names=["DataFile"])
    sub, created = await subs.attach("a", "alice", is_admin=False, must_exist=False, event_filter=filter_,
                                     create_at=0)
    assert created
    writes: list[int] = []
    write = store.write

    async def counting(op):  # type: ignore[no-untyped-def]
        writes.append(1)
        return await write(op)

    monkeypatch.setattr(store, "write", counting)
    for sequence in range(1, 501):
        subs.ack(sub, sequence)
    await asyncio.sleep(0.25)
    assert len(writes) == 1  # 500 acks inside one flush interval: one write
    subs.ack(sub, 600)
    await subs.release(sub)  # no waiting for the timer
    assert len(writes) == 2
    reopened = DurableSubscriptions(store)
    await reopened.load()
    loaded = reopened.get("a")
    assert loaded is not None and (loaded.acked, loaded.owner, loaded.filter) == (600, "alice", filter_)


async def test_names_and_must_exist(store: SqliteStore) -> None:
    subs = DurableSubscriptions(store)
    with pytest.raises(InvalidArgument):
        await subs.attach("bad name", "alice", is_admin=False, must_exist=False, event_filter=None, create_at=0)
    with pytest.raises(NotFound):
        await subs.attach("x", "alice", is_admin=False, must_exist=True, event_filter=None, create_at=0)


def test_reload_from_a_fresh_store(tmp_path: Path) -> None:
    async def run() -> None:
        store = open_sqlite_store(tmp_path / "d")
        subs = DurableSubscriptions(store)
        sub, _ = await subs.attach("s", "bob", is_admin=False, must_exist=False, event_filter=None, create_at=0)
        subs.ack(sub, 0)
        await subs.close()
        await store.close()
        store = open_sqlite_store(tmp_path / "d")
        again = DurableSubscriptions(store)
        await again.load()
        assert [s.subscription_name for s in again.list(0)] == ["s"]
        await store.close()

    asyncio.run(run())
