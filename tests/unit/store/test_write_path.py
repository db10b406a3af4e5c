"""The fast write path: indexed-property sets, bulk unique lookups, batch-level flushing with per-operation
rollback, buffered request records and the background WAL checkpointer."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from unit.store.storebuild import DELETED, MC, OP, add, cond, entity, relationship, search
from unit.store.test_find import test_prefilter_never_drops_matches

from coho.server.store import InstanceFilter, WriteTxn, open_sqlite_store
from coho.server.store.sqlite import SqliteStore
from coho.server.store.sqlite_index import KEEP_STORED
from coho.server.store.values import DEFAULT_INDEXED

pytestmark = pytest.mark.timeout(60)


def _names(store: SqliteStore, **kwargs: Any) -> list[str]:
    page = store.find_entities(InstanceFilter(page_size=1000, **kwargs))
    return sorted(e.properties.properties["name"].primitive.string_value for e in page.items)


def _prop_names(store: SqliteStore) -> set[str]:
    rows = store._writer_conn.execute("SELECT DISTINCT name FROM prop").fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize("indexed", [None, frozenset({"p0", "p1"}), frozenset()])
def test_prefilter_exact_for_any_index_set(tmp_path: Path, indexed: frozenset[str] | None) -> None:
    store = open_sqlite_store(tmp_path, indexed_properties=indexed)
    try:
        test_prefilter_never_drops_matches(store)
    finally:
        store.close_sync()


def test_conditions_on_unindexed_properties_are_exact(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, indexed_properties=frozenset({"name"}))
    try:
        rows = [entity(properties={"name": f"e{i}", "colour": ["red", "blue"][i % 2], "size": i}) for i in range(10)]
        rows.append(entity(properties={"name": "c", "colour": "red"}, classifications={"Tag": {"level": 3}}))
        store.write_sync(lambda t: [t.put_entity(e) for e in rows])
        assert _prop_names(store) == {"name"}
        red = search(cond("colour", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "red"))
        assert _names(store, match_properties=red) == ["c", "e0", "e2", "e4", "e6", "e8"]
        big = search(
            cond("size", OP.PROPERTY_COMPARISON_OPERATOR_GTE, 7),
            cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "e.*"),
        )
        assert _names(store, match_properties=big) == ["e7", "e8", "e9"]
        either = search(
            cond("colour", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "bl.*"),
            cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "c"),
            match=MC.MATCH_CRITERIA_ANY,
        )
        assert _names(store, match_properties=either) == ["c", "e1", "e3", "e5", "e7", "e9"]
    finally:
        store.close_sync()


def test_reopening_with_another_index_set_rebuilds_the_index(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, indexed_properties=None)
    rows = [entity(properties={"name": f"e{i}", "colour": "red", "qualifiedName": f"q{i}"}) for i in range(5)]
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])
    assert _prop_names(store) == {"name", "colour", "qualifiedName"}
    store.close_sync()
    store = open_sqlite_store(tmp_path, indexed_properties=frozenset({"colour"}))
    try:
        assert _prop_names(store) == {"colour"}
        red = search(cond("colour", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "red"))
        assert len(_names(store, match_properties=red)) == 5
        assert store.find_by_unique(["DataSet"], "qualifiedName", "q3") == rows[3].header.guid  # by scan
        # An update re-indexes with the same set, removing exactly the rows it added.
        changed = entity(rows[0].header.guid, properties={"name": "e0", "colour": "blue"}, version=2)
        store.write_sync(lambda t: t.put_entity(changed))
        assert len(_names(store, match_properties=red)) == 4
        count = store._writer_conn.execute("SELECT COUNT(*) FROM prop").fetchone()[0]
        assert count == 5
    finally:
        store.close_sync()
    store = open_sqlite_store(tmp_path, indexed_properties=frozenset({"colour"}))  # same set: no rebuild
    store.close_sync()


def test_keep_stored_opens_with_the_recorded_index_set(tmp_path: Path) -> None:
    new = open_sqlite_store(tmp_path / "new", indexed_properties=KEEP_STORED)  # nothing recorded: the default
    assert new.indexed == DEFAULT_INDEXED
    new.close_sync()
    store = open_sqlite_store(tmp_path / "configured", indexed_properties=frozenset({"colour"}))
    store.write_sync(lambda t: t.put_entity(entity(properties={"name": "e", "colour": "red"})))
    store.close_sync()
    # What an offline tool (coho archive) does: no rebuild to the default set behind the server's back.
    store = open_sqlite_store(tmp_path / "configured", indexed_properties=KEEP_STORED)
    try:
        assert store.indexed == frozenset({"colour"})
        assert _prop_names(store) == {"colour"}
    finally:
        store.close_sync()


def test_find_by_unique_many(store: SqliteStore) -> None:
    stored = entity(properties={"qualifiedName": "stored"})
    gone = entity(properties={"qualifiedName": "gone"}, status=DELETED)
    other = entity(type_name="Other", properties={"qualifiedName": "other"})
    store.write_sync(lambda t: [t.put_entity(e) for e in (stored, gone, other)])
    pending = entity(properties={"qualifiedName": "pending"})
    renamed = entity(stored.header.guid, properties={"qualifiedName": "renamed"}, version=2)

    def op(txn: WriteTxn) -> tuple[dict[str, str], dict[str, str], str | None, str | None]:
        values = ["stored", "gone", "other", "pending", "none", "renamed"]
        before = txn.find_by_unique_many(["DataSet"], "qualifiedName", values)
        txn.put_entity(pending)
        txn.put_entity(renamed)  # the stored row under "stored" is now stale
        after = txn.find_by_unique_many(["DataSet"], "qualifiedName", values)
        return before, after, txn.find_by_unique(["DataSet"], "qualifiedName", "stored"), txn.find_by_unique(
            ["Other"], "qualifiedName", "other"
        )

    before, after, stale, typed = store.write_sync(op)
    assert before == {"stored": stored.header.guid}
    assert after == {"pending": pending.header.guid, "renamed": stored.header.guid}
    assert stale is None
    assert typed == other.header.guid


async def _one_batch(store: SqliteStore, ops: list[Callable[[WriteTxn], Any]]) -> list[Any]:
    """Run ops in one group commit: a first op holds the writer until they are all queued."""
    gate = threading.Event()
    blocker = asyncio.ensure_future(store.write(lambda t: gate.wait(5)))
    await asyncio.sleep(0.05)
    futures = [asyncio.ensure_future(store.write(op)) for op in ops]
    await asyncio.sleep(0.05)
    commits = store.commit_count
    gate.set()
    await blocker
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert store.commit_count - commits <= 2  # the blocker's batch, maybe, and theirs
    return results


async def test_failing_op_after_reaching_sql_is_undone_alone(store: SqliteStore) -> None:
    """An op that flushed (a read that needs SQL) and then failed leaves nothing; its neighbours commit."""
    first, bad1, bad2, last = entity(), entity(), entity(), entity()

    def failing(txn: WriteTxn) -> None:
        add(txn, bad1)
        txn.relationships_of(bad1.header.guid)  # flushes: the earlier ops' rows, then a savepoint for ours
        add(txn, bad2)
        txn.put_relationship(relationship(bad1.header.guid, bad2.header.guid, guid="r-bad"))
        txn.relationships_of(bad2.header.guid)
        raise ValueError("boom")

    def reads_back(txn: WriteTxn) -> bool:
        return txn.get_entity(first.header.guid) is not None and txn.get_entity(bad1.header.guid) is None

    results = await _one_batch(store, [lambda t: add(t, first), failing, lambda t: add(t, last), reads_back])
    assert results[0] == 1 and isinstance(results[1], ValueError) and results[2] == 2 and results[3] is True
    assert store.get_entity(bad1.header.guid) is None and store.get_entity(bad2.header.guid) is None
    assert store.get_relationship("r-bad") is None
    assert store.get_entity(first.header.guid) == first and store.get_entity(last.header.guid) == last
    assert [c.guid for c in store.read_changes(0, 10)] == [first.header.guid, last.header.guid]


async def test_failing_buffered_op_is_undone_alone_in_a_batch(store: SqliteStore) -> None:
    """Without any SQL (no savepoint), a failing op's puts and request record are dropped from the batch."""
    kept, dropped = entity(properties={"qualifiedName": "x"}), entity(properties={"qualifiedName": "x"})

    def failing(txn: WriteTxn) -> None:
        add(txn, dropped)
        txn.put_request("req", "u", b"never")
        raise ValueError("boom")

    def unique_seen(txn: WriteTxn) -> str | None:
        return txn.find_by_unique(["DataSet"], "qualifiedName", "x")

    results = await _one_batch(store, [failing, lambda t: add(t, kept), unique_seen])
    assert isinstance(results[0], ValueError)
    assert results[1:] == [1, kept.header.guid]
    assert store.get_entity(dropped.header.guid) is None
    assert store.write_sync(lambda t: t.get_request("req", "u")) is None


async def test_request_records_are_read_back_before_and_after_commit(store: SqliteStore) -> None:
    def put(txn: WriteTxn) -> bytes | None:
        txn.put_request("r1", "u", b"first")
        return txn.get_request("r1", "u")

    results = await _one_batch(store, [put, lambda t: t.get_request("r1", "u"), lambda t: t.get_request("r1", "v")])
    assert results == [b"first", b"first", None]
    assert store.write_sync(lambda t: t.get_request("r1", "u")) == b"first"


def test_checkpoints_run_in_the_background(store: SqliteStore) -> None:
    store.write_sync(lambda t: [add(t, entity()) for _ in range(200)])
    deadline = time.monotonic() + 5
    while store._checkpointer.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store._checkpointer.checkpoints > 0
    busy, log, done = store._writer_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == done
