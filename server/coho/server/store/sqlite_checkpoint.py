"""WAL checkpoints off the writer's path.

SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold: every few batches one
writer turn copied ~32 MiB of WAL into the database file and fsynced it (100-150 ms measured, about half
of a batch load's commit time). Here a background thread with its own connection runs PASSIVE checkpoints
after commits instead; in WAL mode a checkpoint and the writer proceed concurrently (the writer appends
while committed frames are copied), and a checkpoint copies only committed frames, so durability and
what readers see do not change. The writer connection keeps its automatic checkpoint as the bound: should
this thread fall behind (or long readers pin the WAL), the COMMIT that crosses the threshold copies what is
left, which is little when this thread has already copied most of it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PAUSE_S = 0.05
"""Coalesces the commits of a burst into one checkpoint (each ends with an fsync of the database file)."""


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own thread after commits (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.checkpoints = 0
        self._thread = threading.Thread(target=self._run, name="coho-store-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """After each commit (on the writer thread): wake the checkpointer. Cheap: an Event set."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.wait(PAUSE_S):
                return
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
            except sqlite3.Error:
                log.exception("background WAL checkpoint failed (the writer's automatic one still bounds the WAL)")

    def close(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join()
        self._conn.close()
