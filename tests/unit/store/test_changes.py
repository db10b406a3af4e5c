"""The change log: reading, floor and OUT_OF_RANGE, refresh selection, compaction and retention."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from unit.store.storebuild import add, entity

from coho.server.errors import InvalidArgument, OutOfRange
from coho.server.store import ChangeMeta, open_sqlite_store, retention
from coho.server.store.sqlite import SqliteStore
from coho.server.store.sqlite_schema import DB_FILE, SCHEMA_VERSION


def fill(store: SqliteStore, count: int, refresh_id: str = "") -> list[int]:
    meta = ChangeMeta(user_id="u", refresh_id=refresh_id)
    return [store.write_sync(lambda t: add(t, entity(), meta)) for _ in range(count)]


def test_read_changes_in_order(store: SqliteStore) -> None:
    assert store.head_sequence() == 0
    assert store.read_changes(0, 10) == []
    fill(store, 5)
    assert [c.sequence for c in store.read_changes(0, 10)] == [1, 2, 3, 4, 5]
    assert [c.sequence for c in store.read_changes(2, 2)] == [3, 4]
    assert store.read_changes(5, 10) == []
    assert store.read_changes(99, 10) == []
    assert store.head_sequence() == 5
    assert store.floor_sequence() == 0


def test_compaction_floor_and_out_of_range(store: SqliteStore) -> None:
    fill(store, 10)
    assert store.compact_changes(4) == 4
    assert store.floor_sequence() == 5  # the oldest retained entry
    assert store.read_changes(4, 100)[0].sequence == 5  # no gap: allowed
    with pytest.raises(OutOfRange) as info:
        store.read_changes(3, 100)  # entry 4 is gone
    assert info.value.reason == "SEQUENCE_BELOW_FLOOR"
    assert info.value.metadata["floor"] == "5"
    assert store.compact_changes(2) == 0  # never lowers the floor
    assert store.floor_sequence() == 5
    assert store.compact_changes(100) == 6  # clamps to head
    assert store.floor_sequence() == 11
    assert store.head_sequence() == 10
    assert store.read_changes(10, 5) == []
    assert store.write_sync(lambda t: add(t, entity())) == 11  # sequences continue after compaction


def test_head_and_floor_survive_reopen_after_full_compaction(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    fill(store, 3)
    store.compact_changes(3)
    store.close_sync()
    store = open_sqlite_store(tmp_path)
    try:
        assert store.head_sequence() == 3
        assert store.floor_sequence() == 4
        assert store.write_sync(lambda t: add(t, entity())) == 4
    finally:
        store.close_sync()


def test_retention_keeps_at_most_n(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, retention=5)
    try:
        fill(store, 12)
        changes = store.read_changes(store.floor_sequence() - 1, 100)
        assert [c.sequence for c in changes] == [8, 9, 10, 11, 12]
        assert store.floor_sequence() == 8
        with pytest.raises(OutOfRange):
            store.read_changes(0, 1)
    finally:
        store.close_sync()


def test_retention_set_on_a_long_log_catches_up_in_bounded_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "STEP", 4)
    store = open_sqlite_store(tmp_path)
    try:
        fill(store, 20)
    finally:
        store.close_sync()
    store = open_sqlite_store(tmp_path, retention=5)
    try:
        floors = []
        for _ in range(5):  # each batch drops at most RETENTION_STEP entries
            fill(store, 1)
            floors.append(store.floor_sequence())
        assert floors == [5, 9, 13, 17, 21]
        fill(store, 1)
        assert store.floor_sequence() == 22  # caught up: the last 5 of 26 entries stay
        assert [c.sequence for c in store.read_changes(21, 100)] == [22, 23, 24, 25, 26]
    finally:
        store.close_sync()


def test_retention_by_age_drops_old_entries_as_writes_arrive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "AGE_CHECK_SECONDS", 0.0)
    store = open_sqlite_store(tmp_path, retention_age_seconds=0.5)
    try:
        fill(store, 3)
        assert store.floor_sequence() == 0  # young: nothing goes
        time.sleep(0.6)
        assert store.floor_sequence() == 0  # idle for less than IDLE_CHECK_SECONDS: nothing until the next write
        fill(store, 1)
        assert store.floor_sequence() == 4  # the 3 old entries went with that write; the new one stays
        assert [c.sequence for c in store.read_changes(3, 10)] == [4]
    finally:
        store.close_sync()


def test_retention_by_count_and_age_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "AGE_CHECK_SECONDS", 0.0)
    store = open_sqlite_store(tmp_path, retention=3, retention_age_seconds=3600)
    try:
        fill(store, 6)
        assert store.floor_sequence() == 4  # the count bound is the stricter one here
    finally:
        store.close_sync()
    with pytest.raises(InvalidArgument):
        open_sqlite_store(tmp_path, retention_age_seconds=0)


def test_retry_replies_expire_by_age(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "REQUEST_CHECK_SECONDS", 0.0)
    store = open_sqlite_store(tmp_path, request_retention_seconds=0.5)
    try:
        store.write_sync(lambda t: t.put_request("old", "alice", b"first reply"))
        assert store.write_sync(lambda t: t.get_request("old", "alice")) == b"first reply"
        time.sleep(0.6)
        store.write_sync(lambda t: t.put_request("new", "alice", b"second reply"))  # a write: housekeeping runs
        assert store.write_sync(lambda t: t.get_request("old", "alice")) is None  # a retry now runs again
        assert store.write_sync(lambda t: t.get_request("new", "alice")) == b"second reply"
        plan = store._writer_conn.execute(
            "EXPLAIN QUERY PLAN SELECT request_id FROM request WHERE time < ? ORDER BY time", (0,)).fetchall()
        assert "request_time" in str(plan)
    finally:
        store.close_sync()
    default = open_sqlite_store(tmp_path / "default")
    try:
        assert default._txn._retention is not None
        assert default._txn._retention.request_max_age_ms == 7 * 86_400_000
    finally:
        default.close_sync()


def test_a_version_2_database_migrates_to_the_current_schema_with_its_data(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    try:
        fill(store, 2)
        store.write_sync(lambda t: t.put_request("kept", "alice", b"reply"))
    finally:
        store.close_sync()
    # What a database written before version 3 looks like: none of the indexes versions 3 and 4 add.
    conn = sqlite3.connect(tmp_path / DB_FILE)
    added = ("request_time", "entity_history_valid_to", "relationship_history_valid_to", "entity_deleted",
             "relationship_deleted")
    for index in added:
        conn.execute(f"DROP INDEX {index}")
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    conn.close()
    store = open_sqlite_store(tmp_path)
    try:
        version = store._writer_conn.execute("PRAGMA user_version").fetchone()[0]
        indexes = {row[0] for row in store._writer_conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert version == SCHEMA_VERSION == 4
        assert set(added) <= indexes
        assert [c.sequence for c in store.read_changes(0, 10)] == [1, 2]
        assert store.write_sync(lambda t: t.get_request("kept", "alice")) == b"reply"
    finally:
        store.close_sync()


def test_changes_for_refresh_below_the_floor_is_out_of_range(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, retention=3)
    try:
        fill(store, 5, refresh_id="r1")  # entries 1-5; retention keeps 3-5
        with pytest.raises(OutOfRange) as caught:
            store.changes_for_refresh("r1")  # after 0: entries 1 and 2 of r1 are gone
        assert caught.value.metadata["floor"] == "3"
        assert [c.sequence for c in store.changes_for_refresh("r1", after_sequence=2)] == [3, 4, 5]
    finally:
        store.close_sync()


def test_changes_for_refresh(store: SqliteStore) -> None:
    fill(store, 2, refresh_id="r1")
    fill(store, 1)
    fill(store, 2, refresh_id="r2")
    fill(store, 1, refresh_id="r1")
    assert [c.sequence for c in store.changes_for_refresh("r1")] == [1, 2, 6]
    assert [c.sequence for c in store.changes_for_refresh("r2")] == [4, 5]
    assert all(c.meta.refresh_id == "r1" for c in store.changes_for_refresh("r1"))
    assert store.changes_for_refresh("") == []
    # Paged: after a sequence, at most a limit.
    assert [c.sequence for c in store.changes_for_refresh("r1", after_sequence=1)] == [2, 6]
    assert [c.sequence for c in store.changes_for_refresh("r1", after_sequence=1, limit=1)] == [2]
    assert store.changes_for_refresh("r1", after_sequence=6) == []
    assert store.read_changes(2, 1)[0].meta.refresh_id == ""
    plan = (
        store._reader()
        .execute("EXPLAIN QUERY PLAN SELECT sequence FROM change_log WHERE refresh_id = ? ORDER BY sequence", ("r1",))
        .fetchall()
    )
    assert "change_log_refresh" in str(plan)


def test_find_by_unique_is_an_index_seek(store: SqliteStore) -> None:
    plan = (
        store._reader()
        .execute(
            "EXPLAIN QUERY PLAN SELECT e.guid FROM prop p JOIN entity e ON e.id = p.owner "
            "WHERE p.name = ? AND p.v = ? AND p.scope = '' AND e.is_proxy = 0 AND e.status != 99 "
            "AND e.type_name IN (?) LIMIT 1",
            ("qualifiedName", "x", "DataSet"),
        )
        .fetchall()
    )
    text = str(plan)
    assert "PRIMARY KEY (name=? AND v=?)" in text and "SCAN" not in text, text
