"""The store's change-log hooks: commit listeners and write-time annexes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from coho.omrs.v1 import events_pb2
from coho.server.errors import OutOfRange
from coho.server.store import ChangeMeta, open_sqlite_store
from coho.server.store.base import WriteTxn

pytestmark = pytest.mark.timeout(30)


_NO_META = ChangeMeta()


def _append(txn: WriteTxn, guid: str, meta: ChangeMeta = _NO_META) -> int:
    event = events_pb2.OmrsEvent(protocol_version="coho/1")
    event.instance.instance_guid = guid
    return txn.append_change(event, guid=guid, type_name="Asset", kind="entity", meta=meta)


async def test_commit_listener_hears_each_commit_on_the_writer_thread(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    heard: list[tuple[int, str]] = []
    store.add_commit_listener(lambda head: heard.append((head, threading.current_thread().name)))
    try:
        await store.write(lambda txn: _append(txn, "g1"))
        await store.write(lambda txn: txn.put_state("k", b"v"))  # no change appended: no notification
        await store.write(lambda txn: _append(txn, "g2"))
    finally:
        await store.close()
    assert [head for head, _ in heard] == [1, 2]
    assert all(name != threading.main_thread().name for _, name in heard)


async def test_failing_listener_does_not_fail_the_write(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)

    def broken(head: int) -> None:
        raise RuntimeError("boom")

    store.add_commit_listener(broken)
    try:
        assert await store.write(lambda txn: _append(txn, "g1")) == 1
        assert store.head_sequence() == 1
    finally:
        await store.close()


async def test_annexes_are_computed_at_write_and_read_back(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    await store.write(lambda txn: _append(txn, "before"))
    store.set_change_annexer(
        lambda event, meta: None if meta.user_id == "skip" else (7, event.instance.instance_guid.encode())
    )
    try:
        await store.write(lambda txn: _append(txn, "g1", ChangeMeta(user_id="u", access_service="DataManager")))
        await store.write(lambda txn: _append(txn, "g2", ChangeMeta(user_id="skip")))
        records = store.read_annexes(0, 10)
    finally:
        await store.close()
    assert [(r.sequence, r.guid, r.tag, r.annex) for r in records] == [
        (1, "before", 0, None),
        (2, "g1", 7, b"g1"),
        (3, "g2", 0, None),
    ]
    assert records[1].access_service == "DataManager"
    assert records[1].type_name == "Asset"


async def test_read_annexes_below_floor_is_out_of_range(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    try:
        for guid in ("a", "b", "c", "d"):
            await store.write(lambda txn, guid=guid: _append(txn, guid))
        store.compact_changes(2)
        with pytest.raises(OutOfRange) as raised:
            store.read_annexes(0, 10)
        assert raised.value.metadata["floor"] == "3"
        assert [r.sequence for r in store.read_annexes(2, 10)] == [3, 4]
    finally:
        await store.close()
