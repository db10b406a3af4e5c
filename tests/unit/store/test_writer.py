"""The group-commit writer: batching, isolation of failing operations, sequences, durability of acks."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from unit.store.storebuild import add, entity, event

from coho.server.errors import ResourceExhausted, Unavailable
from coho.server.store import ChangeMeta, WriteTxn, open_sqlite_store
from coho.server.store.sqlite import SqliteStore
from coho.server.store.writer import GroupCommitWriter


async def test_concurrent_writes_share_commits(store: SqliteStore) -> None:
    before = store.commit_count
    entities = [entity(properties={"qualifiedName": f"q{i}"}) for i in range(200)]
    sequences = await asyncio.gather(*(store.write(lambda t, e=e: add(t, e)) for e in entities))
    commits = store.commit_count - before
    assert commits < 100, commits  # 200 writes, far fewer commits
    assert sorted(sequences) == list(range(1, 201))
    assert store.counts().entities == 200


async def test_failing_op_is_rolled_back_alone(store: SqliteStore) -> None:
    good1, bad, good2 = entity(), entity(), entity()

    def failing(txn: WriteTxn) -> None:
        add(txn, bad)
        raise ValueError("boom")

    results = await asyncio.gather(
        store.write(lambda t: add(t, good1)),
        store.write(failing),
        store.write(lambda t: add(t, good2)),
        return_exceptions=True,
    )
    assert results[0] == 1
    assert isinstance(results[1], ValueError)
    assert results[2] == 2  # the failed op's sequence was given back: no gap
    assert store.get_entity(bad.header.guid) is None
    assert store.get_entity(good1.header.guid) == good1
    assert store.get_entity(good2.header.guid) == good2
    assert [c.sequence for c in store.read_changes(0, 10)] == [1, 2]


async def test_sequences_gap_free_across_failures(store: SqliteStore) -> None:
    def maybe_fail(txn: WriteTxn, i: int) -> int:
        seq = add(txn, entity())
        if i % 3 == 0:
            raise RuntimeError("fail")
        return seq

    results = await asyncio.gather(
        *(store.write(lambda t, i=i: maybe_fail(t, i)) for i in range(60)), return_exceptions=True
    )
    ok = sorted(r for r in results if isinstance(r, int))
    assert ok == list(range(1, len(ok) + 1))
    assert [c.sequence for c in store.read_changes(0, 1000)] == ok
    assert store.head_sequence() == len(ok)


async def test_read_your_writes_inside_txn(store: SqliteStore) -> None:
    e = entity(properties={"qualifiedName": "ryw"})

    def op(txn: WriteTxn) -> tuple[object, ...]:
        txn.put_entity(e)
        seen = txn.get_entity(e.header.guid)
        unique = txn.find_by_unique(["DataSet"], "qualifiedName", "ryw")
        txn.put_state("k", b"v")
        return seen, unique, txn.get_state("k")

    seen, unique, state = await store.write(op)
    assert seen == e
    assert unique == e.header.guid
    assert state == b"v"


async def test_later_op_in_batch_sees_earlier_op(store: SqliteStore) -> None:
    e = entity(properties={"qualifiedName": "first"})
    gate = threading.Event()
    # Hold the writer so both following ops land in one batch.
    blocker = asyncio.ensure_future(store.write(lambda t: gate.wait(5)))
    await asyncio.sleep(0.05)
    first = asyncio.ensure_future(store.write(lambda t: t.put_entity(e)))
    second = asyncio.ensure_future(store.write(lambda t: t.find_by_unique(["DataSet"], "qualifiedName", "first")))
    await asyncio.sleep(0.05)
    gate.set()
    await blocker
    await first
    assert await second == e.header.guid


def test_write_sync(store: SqliteStore) -> None:
    e = entity()
    assert store.write_sync(lambda t: add(t, e)) == 1
    assert store.get_entity(e.header.guid) == e
    with pytest.raises(KeyError):
        store.write_sync(lambda t: {}["missing"])


def test_write_sync_inside_op_refused(store: SqliteStore) -> None:
    with pytest.raises(RuntimeError, match="deadlock"):
        store.write_sync(lambda t: store.write_sync(lambda t2: None))


async def test_cancelled_before_running_is_not_applied(store: SqliteStore) -> None:
    gate = threading.Event()
    blocker = asyncio.ensure_future(store.write(lambda t: gate.wait(5)))
    await asyncio.sleep(0.05)
    e = entity()
    task = asyncio.ensure_future(store.write(lambda t: t.put_entity(e)))
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.sleep(0.01)  # let the cancellation reach the queued write before the writer frees up
    gate.set()
    await blocker
    with pytest.raises(asyncio.CancelledError):
        await task
    await store.write(lambda t: None)
    assert store.get_entity(e.header.guid) is None


async def test_queue_depth(store: SqliteStore) -> None:
    gate = threading.Event()
    blocker = asyncio.ensure_future(store.write(lambda t: gate.wait(5)))
    await asyncio.sleep(0.05)
    waiting = [asyncio.ensure_future(store.write(lambda t: None)) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert store.queue_depth() == 5
    gate.set()
    await blocker
    await asyncio.gather(*waiting)
    assert store.queue_depth() == 0


def test_disk_full_fails_with_storage_full_and_recovers(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    try:
        store.write_sync(lambda t: add(t, entity()))
        pages = store._writer_conn.execute("PRAGMA page_count").fetchone()[0]
        store.write_sync(lambda t: t._conn.execute(f"PRAGMA max_page_count={pages + 2}"))  # type: ignore[attr-defined]
        big = [entity(properties={"blob": "x" * 20_000}) for _ in range(5)]

        def load(txn: WriteTxn) -> None:
            for e in big:
                add(txn, e)

        with pytest.raises(ResourceExhausted) as info:
            store.write_sync(load)
        assert info.value.reason == "STORAGE_FULL"
        assert all(store.get_entity(e.header.guid) is None for e in big)
        assert store.head_sequence() == 1
        store.write_sync(lambda t: t._conn.execute("PRAGMA max_page_count=1073741823"))  # type: ignore[attr-defined]
        assert store.write_sync(lambda t: add(t, entity())) == 2  # gap-free after the failure
        assert store.integrity_check() == "ok"
    finally:
        store.close_sync()


async def test_closed_store_refuses_writes(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    e = entity()
    pending = asyncio.ensure_future(store.write(lambda t: add(t, e)))
    await asyncio.sleep(0)
    await store.close()
    assert await pending == 1  # queued before close: drained
    with pytest.raises(Unavailable):
        await store.write(lambda t: None)
    reopened = open_sqlite_store(tmp_path)
    try:
        assert reopened.get_entity(e.header.guid) == e
        assert reopened.write_sync(lambda t: add(t, entity())) == 2
    finally:
        reopened.close_sync()


def test_meta_is_recorded(store: SqliteStore) -> None:
    meta = ChangeMeta(user_id="u", connector_id="c", refresh_id="r", metadata_source="m", access_service="a")
    store.write_sync(lambda t: t.append_change(event("g"), guid="g", type_name="T", kind="other", meta=meta))
    (record,) = store.read_changes(0, 10)
    assert record.meta == meta
    assert (record.guid, record.type_name, record.kind) == ("g", "T", "other")
    assert record.event == event("g")
    assert record.time_ms > 0


class _FailingCommitWriter(GroupCommitWriter):
    """A writer whose COMMIT fails the way a full disk makes it fail."""

    attempts = 0
    fail_attempt = -1

    def _commit(self) -> None:
        self.attempts += 1
        if self.attempts == self.fail_attempt:
            raise sqlite3.OperationalError("database or disk is full")
        super()._commit()


async def test_failed_commit_fails_every_op_of_the_batch(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    store._writer.close()
    writer = _FailingCommitWriter(store._writer_conn, store._txn)
    store._writer = writer
    try:
        await store.write(lambda t: add(t, entity()))
        gate = threading.Event()
        blocker = asyncio.ensure_future(store.write(lambda t: gate.wait(5)))
        await asyncio.sleep(0.05)
        batch = [entity() for _ in range(5)]
        futures = [asyncio.ensure_future(store.write(lambda t, e=e: add(t, e))) for e in batch]
        await asyncio.sleep(0.05)
        writer.fail_attempt = writer.attempts + 2  # the blocker's commit succeeds, the next batch's fails
        gate.set()
        await blocker
        results = await asyncio.gather(*futures, return_exceptions=True)
        assert all(isinstance(r, ResourceExhausted) and r.reason == "STORAGE_FULL" for r in results), results
        assert all(store.get_entity(e.header.guid) is None for e in batch)
        assert store.head_sequence() == 1
        assert await store.write(lambda t: add(t, entity())) == 2
    finally:
        store.close_sync()
