"""Retention: what the writer drops after a batch. Change-log entries by count and by age, superseded
instance versions (history) by age, and the replies kept for idempotent retries (``request_id``) by age.

The change-log policies only ever drop a prefix of the log (entries below the floor), inside the batch's
transaction, so a reader sees either the old floor or the new one. History goes the same way, oldest
``valid_to`` first, and raises a time floor: an ``as_of`` read the dropped versions might have answered gets
OUT_OF_RANGE instead of a wrong answer (see :mod:`.history`). Readers below the change-log floor get
OUT_OF_RANGE too; a retry whose reply has expired runs again.

Policies run after a batch of writes and, on an idle server, every IDLE_CHECK_SECONDS (the writer asks
:meth:`Retention.due` when its queue has been empty that long), so age limits hold without traffic.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

STEP = 5000
"""Entries one batch drops at most (~12 MB of rows for DataFiles): a retention set on a long log catches up
over the following batches instead of one transaction holding up every writer while it deletes millions."""

AGE_CHECK_SECONDS = 10.0
"""How often the age policy looks at the oldest entries (a query; the count policy needs none)."""

REQUEST_CHECK_SECONDS = 60.0
"""How often expired retry replies are looked for (an index seek on their time)."""

IDLE_CHECK_SECONDS = 5.0
"""How long the writer waits for work before asking whether housekeeping is due on its own."""

HISTORY_FLOOR_KEY = "coho.store.history_floor_ms"
"""State key of the history floor: ``as_of`` times before it may need versions that were dropped."""


@dataclass
class Retention:
    """Keep at most ``max_entries`` change-log entries and none older than ``max_age_ms``, superseded
    versions no longer than ``history_max_age_ms`` after they were superseded, and retry replies no older
    than ``request_max_age_ms`` (each may be None: no bound)."""

    max_entries: int | None = None
    max_age_ms: int | None = None
    request_max_age_ms: int | None = None
    history_max_age_ms: int | None = None
    _next_age_check: float = field(default=0.0, repr=False)
    _next_request_check: float = field(default=0.0, repr=False)
    _next_history_check: float = field(default=0.0, repr=False)

    def due(self, head: int, floor: int) -> bool:
        """Whether the writer's housekeeping may have work now; cheap, as it asks after every batch."""
        if self.max_entries is not None and head - max(floor, 1) + 1 > self.max_entries:
            return True
        now = time.monotonic()
        return (
            (self.max_age_ms is not None and now >= self._next_age_check)
            or (self.request_max_age_ms is not None and now >= self._next_request_check)
            or (self.history_max_age_ms is not None and now >= self._next_history_check)
        )

    def keep_after(self, conn: sqlite3.Connection, head: int, floor: int) -> int:
        """The sequence through which entries are to go now (0: none), at most STEP past the floor."""
        start = max(floor, 1)
        limit = start - 1 + STEP
        target = head - self.max_entries if self.max_entries is not None else 0
        if self.max_age_ms is not None and time.monotonic() >= self._next_age_check:
            cutoff = time.time_ns() // 1_000_000 - self.max_age_ms
            # Entries are stamped as they are appended, so the old ones are a prefix: look at one step of it.
            row = conn.execute(
                "SELECT MAX(sequence) FROM (SELECT sequence, time FROM change_log WHERE sequence >= ? "
                "ORDER BY sequence LIMIT ?) WHERE time < ?", (start, STEP, cutoff)).fetchone()
            aged = int(row[0] or 0)
            # A whole step of old entries: more may follow, so look again after the next batch.
            self._next_age_check = time.monotonic() + (0.0 if aged >= limit else AGE_CHECK_SECONDS)
            target = max(target, aged)
        return min(target, limit)

    def expire_requests(self, conn: sqlite3.Connection) -> int:
        """Drop retry replies older than ``request_max_age_ms`` (at most STEP); returns how many went."""
        if self.request_max_age_ms is None or time.monotonic() < self._next_request_check:
            return 0
        cutoff = time.time_ns() // 1_000_000 - self.request_max_age_ms
        gone = int(conn.execute(
            "DELETE FROM request WHERE (request_id, user_id) IN "
            "(SELECT request_id, user_id FROM request WHERE time < ? ORDER BY time LIMIT ?)", (cutoff, STEP)).rowcount)
        self._next_request_check = time.monotonic() + (0.0 if gone >= STEP else REQUEST_CHECK_SECONDS)
        return gone

    def expire_history(self, conn: sqlite3.Connection) -> int:
        """Drop versions superseded more than ``history_max_age_ms`` ago, oldest first and about STEP per
        table; returns the new history floor (the latest ``valid_to`` dropped), 0 when nothing went."""
        if self.history_max_age_ms is None or time.monotonic() < self._next_history_check:
            return 0
        cutoff = time.time_ns() // 1_000_000 - self.history_max_age_ms
        floor = 0
        more = False
        for table in ("entity_history", "relationship_history"):
            # Bounded by the STEP-th oldest valid_to (ties go too), found on the valid_to index.
            row = conn.execute(
                f"SELECT MAX(valid_to), COUNT(*) FROM (SELECT valid_to FROM {table} WHERE valid_to < ? "
                "ORDER BY valid_to LIMIT ?)", (cutoff, STEP)).fetchone()
            bound, found = int(row[0] or 0), int(row[1])
            if found:
                conn.execute(f"DELETE FROM {table} WHERE valid_to <= ?", (bound,))
                floor = max(floor, bound)
                more = more or found >= STEP
        self._next_history_check = time.monotonic() + (0.0 if more else AGE_CHECK_SECONDS)
        return floor
