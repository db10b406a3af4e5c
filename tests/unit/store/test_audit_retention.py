"""Audit log retention: a count bound per severity and an age bound, applied in bounded passes as records
arrive."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from coho.server.audit import COHORT, SECURITY, STARTUP, AuditLog
from coho.server.store import audit_sqlite
from coho.server.store.audit_sqlite import AUDIT_DB_FILE, AuditQuery


def count(directory: Path) -> int:
    with sqlite3.connect(directory / AUDIT_DB_FILE) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def refuse(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(SECURITY, "auth", "refused", f"bad token {i}")


def test_a_flood_keeps_only_the_newest_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_sqlite, "PRUNE_EVERY", 10)
    log = AuditLog(tmp_path, max_records=50)
    try:
        refuse(log, 500)
        assert 50 <= count(tmp_path) < 50 + 10  # pruned every 10 inserts
        newest = log.query(AuditQuery(limit=5))
        assert [row.message for row in newest] == [f"bad token {i}" for i in range(499, 494, -1)]
    finally:
        log.close()


def test_passes_are_bounded_and_catch_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bound set on a long log deletes at most PRUNE_STEP per pass, then continues at the next inserts."""
    log = AuditLog(tmp_path)  # no bound: everything stays
    try:
        refuse(log, 300)
    finally:
        log.close()
    assert count(tmp_path) == 300
    monkeypatch.setattr(audit_sqlite, "PRUNE_STEP", 100)
    monkeypatch.setattr(audit_sqlite, "PRUNE_EVERY", 1000)
    log = AuditLog(tmp_path, max_records=20)  # the pass at open takes 100
    try:
        assert count(tmp_path) == 200
        refuse(log, 1)  # a full pass left more: the next insert prunes again
        assert count(tmp_path) == 101
        refuse(log, 1)
        assert count(tmp_path) == 20  # caught up: the pass runs after the insert
    finally:
        log.close()


def test_old_records_go_by_age(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_sqlite, "PRUNE_SECONDS", 0.0)  # a pass at every insert
    log = AuditLog(tmp_path, max_age_ms=300)
    try:
        refuse(log, 5)
        time.sleep(0.4)
        log.record(SECURITY, "auth", "refused", "fresh")
        assert [row.message for row in log.query(AuditQuery())] == ["fresh"]
    finally:
        log.close()


def test_a_due_pass_ages_records_out_with_nothing_new_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the server's timer calls on an idle server: passes run only once PRUNE_SECONDS have gone by."""
    monkeypatch.setattr(audit_sqlite, "PRUNE_SECONDS", 0.5)
    log = AuditLog(tmp_path, max_age_ms=200)
    try:
        refuse(log, 5)
        time.sleep(0.3)  # expired, but the last pass (at open) was less than PRUNE_SECONDS ago
        log.prune_if_due()
        assert count(tmp_path) == 5
        time.sleep(0.3)
        log.prune_if_due()
        assert count(tmp_path) == 0
    finally:
        log.close()


def test_one_kind_of_record_cannot_push_out_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flood of refused calls keeps the startup record, and cohort chatter keeps the refused calls."""
    monkeypatch.setattr(audit_sqlite, "PRUNE_EVERY", 10)
    log = AuditLog(tmp_path, max_records=20)
    try:
        log.record(STARTUP, "server", "STARTUP", "server starting")
        refuse(log, 200)
        for i in range(300):
            log.record(COHORT, "cohort", "ACK_SENT", f"ack {i}")
        kept = {severity: len(log.query(AuditQuery(severities=frozenset({severity}), limit=1000)))
                for severity in (STARTUP, SECURITY, COHORT)}
        assert kept[STARTUP] == 1
        assert 20 <= kept[SECURITY] < 30 and 20 <= kept[COHORT] < 30
    finally:
        log.close()
    log = AuditLog(tmp_path, max_records=5)  # the counts are rebuilt at open, and the pass there applies them
    try:
        assert len(log.query(AuditQuery(severities=frozenset({COHORT}), limit=100))) == 5
        assert len(log.query(AuditQuery(severities=frozenset({STARTUP}), limit=100))) == 1
    finally:
        log.close()


def test_a_long_query_does_not_hold_up_inserts(tmp_path: Path) -> None:
    """Queries read through their own connection: records keep arriving (on the event loop) while a query
    that walks a large log runs in another thread."""
    log = AuditLog(tmp_path)
    table = log._table
    reader = table._reader

    class SlowReader:  # a query over a large log
        def execute(self, sql: str, params: Any) -> Any:
            time.sleep(1.0)
            return reader.execute(sql, params)

    table._reader = SlowReader()  # type: ignore[assignment]
    try:
        refuse(log, 3)
        found: list[int] = []
        query = threading.Thread(target=lambda: found.extend(row.id for row in log.query(AuditQuery())))
        query.start()
        time.sleep(0.1)  # the query is running
        started = time.monotonic()
        refuse(log, 1)
        assert time.monotonic() - started < 0.5, "the insert waited for the query"
        query.join(10)
        assert len(found) == 4  # it read after its delay, so the record made meanwhile is in it too
    finally:
        table._reader = reader
        log.close()
