"""History retention: superseded versions are dropped by age, and what they answered becomes OUT_OF_RANGE.

Instance times come from a clock the test sets (days in the past); the retention's cutoff is the wall clock,
as on a server. Also: age-based retention runs on an idle store, with no writes to trigger it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from contract.builders import ALICE, add, link, props, text

from coho.server.errors import FailedPrecondition, NotFound, OutOfRange
from coho.server.repository import Repository
from coho.server.store import HistoryQuery, open_sqlite_store, retention
from coho.server.store.sqlite import SqliteStore
from coho.server.types import TypeRegistry

DAY_MS = 86_400_000


class SetClock:
    """Instance times: whatever the test last set, moving 1 ms per reading so that times stay distinct."""

    def __init__(self) -> None:
        self.now = 0

    def set(self, ms: int) -> int:
        self.now = ms
        return ms

    def __call__(self) -> int:
        self.now += 1
        return self.now


@pytest.fixture(autouse=True)
def prompt_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "AGE_CHECK_SECONDS", 0.0)  # look at every batch, not every 10 s


def open_repo(directory: Path, clock: SetClock, keep_seconds: float | None = 86_400) -> tuple[SqliteStore, Repository]:
    """A repository whose store keeps superseded versions for keep_seconds (default one day; None: forever)."""
    store = open_sqlite_store(directory, history_retention_seconds=keep_seconds)
    return store, Repository(store, TypeRegistry.with_builtin_types(), clock=clock)


async def test_old_versions_go_and_what_they_answered_is_out_of_range(tmp_path: Path) -> None:
    now = int(time.time() * 1000)
    clock = SetClock()
    store, repo = open_repo(tmp_path, clock)
    try:
        t0 = clock.set(now - 3 * DAY_MS)
        old = await add(repo, qualifiedName="old", fileName="v1")
        guid = old.header.guid
        t1 = clock.set(now - 2 * DAY_MS)  # v1 superseded two days ago: beyond the retention
        await repo.update_entity_properties(ALICE, guid, props(qualifiedName="old", fileName="v2"))
        t2 = clock.set(now - 3_600_000)  # v2 superseded an hour ago: kept
        await repo.update_entity_properties(ALICE, guid, props(qualifiedName="old", fileName="v3"))
        clock.set(now - 600_000)
        young = await add(repo, qualifiedName="young", fileName="y1")  # created after the floor
        await repo.update_entity_properties(ALICE, young.header.guid, props(qualifiedName="young", fileName="y2"))

        # v1 was current over [t0, t1): those answers are gone, and the floor says so.
        with pytest.raises(OutOfRange) as caught:
            repo.get_entity(guid, as_of_ms=t0 + 10)
        assert caught.value.reason == "AS_OF_BELOW_HISTORY_FLOOR"
        floor = int(caught.value.metadata["history_floor_ms"])
        assert floor == t1 + 1  # v2's update time: the clock moved 1 ms as it was read
        assert store.history_floor_ms() == floor  # what status and metrics report
        assert caught.value.metadata["history_floor"].endswith("Z")
        assert text(repo.get_entity(guid, as_of_ms=floor).properties, "fileName") == "v2"
        assert text(repo.get_entity(guid, as_of_ms=t2 + 5).properties, "fileName") == "v3"
        assert text(repo.get_entity(guid).properties, "fileName") == "v3"
        # An instance created after the floor lost nothing; before its creation it simply did not exist.
        with pytest.raises(NotFound):
            repo.get_entity(young.header.guid, as_of_ms=t0 + 10)

        history = repo.entity_history(HistoryQuery(guid=guid)).items
        assert [text(v.properties, "fileName") for v in history] == ["v2", "v3"]
        with pytest.raises(OutOfRange):
            repo.entity_history(HistoryQuery(guid=guid, from_ms=t0))
        assert len(repo.entity_history(HistoryQuery(guid=young.header.guid, from_ms=t0)).items) == 2

        with pytest.raises(OutOfRange):
            repo.find_entities(type_name="DataFile", as_of_ms=t0 + 10)
        assert len(repo.find_entities(type_name="DataFile", as_of_ms=floor).items) == 1

        # Undo needs the superseded version: v2 is kept, v1 is not.
        assert text((await repo.undo_entity_update(ALICE, guid)).value.properties, "fileName") == "v2"
        clock.set(now - 5 * DAY_MS)
        ancient = await add(repo, qualifiedName="ancient")
        clock.set(now - 4 * DAY_MS)
        await repo.update_entity_properties(ALICE, ancient.header.guid, props(qualifiedName="ancient", fileName="b"))
        clock.set(now)
        await add(repo, qualifiedName="trigger")  # the batch after which the housekeeping drops ancient's v1
        with pytest.raises(FailedPrecondition) as refused:
            await repo.undo_entity_update(ALICE, ancient.header.guid)
        assert refused.value.reason == "NO_PREVIOUS_VERSION"
    finally:
        store.close_sync()

    store, repo = open_repo(tmp_path, clock)  # the floor is stored with the data
    try:
        assert store.history_floor_ms() == floor  # ancient's v1 went later but was superseded earlier
        with pytest.raises(OutOfRange):
            repo.get_entity(guid, as_of_ms=t0 + 10)
    finally:
        store.close_sync()


async def test_relationship_versions_go_the_same_way(tmp_path: Path) -> None:
    now = int(time.time() * 1000)
    clock = SetClock()
    store, repo = open_repo(tmp_path, clock)
    try:
        t0 = clock.set(now - 3 * DAY_MS)
        schema = await add(repo, "DeployedDatabaseSchema")
        database = await add(repo, "Database")
        rel = await link(repo, "DataSetContent", schema, database, query="q1")
        clock.set(now - 2 * DAY_MS)
        await repo.update_relationship_properties(ALICE, rel.header.guid, props(query="q2"))
        clock.set(now)
        await add(repo)  # the next batch runs the housekeeping
        with pytest.raises(OutOfRange) as caught:
            repo.get_relationship(rel.header.guid, as_of_ms=t0 + 10)
        assert caught.value.reason == "AS_OF_BELOW_HISTORY_FLOOR"
        with pytest.raises(OutOfRange):
            repo.find_relationships(type_name="DataSetContent", as_of_ms=t0 + 10)
        assert text(repo.get_relationship(rel.header.guid).properties, "query") == "q2"
    finally:
        store.close_sync()


async def test_without_history_retention_everything_is_kept(tmp_path: Path) -> None:
    clock = SetClock()
    store, repo = open_repo(tmp_path, clock, keep_seconds=None)
    try:
        t0 = clock.set(int(time.time() * 1000) - 30 * DAY_MS)
        entity = await add(repo, qualifiedName="kept", fileName="v1")
        clock.set(t0 + DAY_MS)
        await repo.update_entity_properties(ALICE, entity.header.guid, props(qualifiedName="kept", fileName="v2"))
        await add(repo)
        assert text(repo.get_entity(entity.header.guid, as_of_ms=t0 + 10).properties, "fileName") == "v1"
    finally:
        store.close_sync()


def test_history_retention_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="history_retention_seconds must be positive"):
        open_sqlite_store(tmp_path, history_retention_seconds=0)


def test_age_retention_runs_on_an_idle_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody writes after the entries are made, yet they go once they are older than the retention."""
    monkeypatch.setattr(retention, "IDLE_CHECK_SECONDS", 0.05)
    from unit.store.test_changes import fill

    store = open_sqlite_store(tmp_path, retention_age_seconds=0.3)
    try:
        fill(store, 3)
        commits = store.commit_count
        deadline = time.monotonic() + 10
        while store.floor_sequence() != 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.floor_sequence() == 4 and store.read_changes(3, 10) == []
        assert store.commit_count == commits  # housekeeping is not counted as a write
        assert store.head_sequence() == 3
        assert store.write_sync(lambda t: t.get_request("none", "u")) is None  # the writer still serves
    finally:
        store.close_sync()
