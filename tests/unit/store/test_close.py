"""Closing the store while reads run on other threads: close waits for them, later reads are UNAVAILABLE."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from coho.server.errors import Unavailable
from coho.server.store import open_sqlite_store

pytestmark = pytest.mark.timeout(30)


def test_close_waits_for_reads_in_progress_and_refuses_new_ones(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path)
    entered, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow_read() -> None:
        with store._snapshot() as conn:  # a read that holds its connection until released
            entered.set()
            release.wait(5)
            outcome.append(conn.execute("SELECT COUNT(*) FROM entity").fetchone()[0])

    reader = threading.Thread(target=slow_read)
    reader.start()
    assert entered.wait(5)
    closer = threading.Thread(target=store.close_sync)
    closer.start()
    time.sleep(0.2)
    assert closer.is_alive(), "close must wait for the read in progress"
    with pytest.raises(Unavailable):
        store.head_sequence()
    release.set()
    reader.join(5)
    closer.join(5)
    assert outcome == [0] and not closer.is_alive()
