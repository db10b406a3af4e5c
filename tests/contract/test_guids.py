"""GUIDs the home assigns: RFC 9562 version 7 (time-ordered), unique; GUIDs supplied by callers are kept."""

from __future__ import annotations

import uuid

import pytest
from contract.builders import ALICE, add, link, new_entity

from coho.server.repository import Repository, headers
from coho.server.repository.headers import new_guid


def test_new_guids_are_version_7_unique_and_ascending() -> None:
    guids = [new_guid() for _ in range(20_000)]
    parsed = [uuid.UUID(guid) for guid in guids]
    assert all(g.version == 7 and g.variant == uuid.RFC_4122 for g in parsed)
    assert [str(g) for g in parsed] == guids  # canonical lower-case form
    assert len(set(guids)) == len(guids)
    assert guids == sorted(guids)  # time-ordered, and strictly ascending within a process


async def test_repository_assigns_time_ordered_guids(repo: Repository) -> None:
    first = await add(repo, "FileFolder")
    second = await add(repo)
    relationship = await link(repo, "NestedFile", first, second)
    for guid in (first.header.guid, second.header.guid, relationship.header.guid):
        assert uuid.UUID(guid).version == 7
    assert first.header.guid < second.header.guid < relationship.header.guid


async def test_caller_supplied_guid_is_kept(repo: Repository) -> None:
    given = str(uuid.uuid4())
    entity = new_entity("DataFile", qualifiedName="given-guid")
    entity.guid = given
    stored = (await repo.add_entity(ALICE, entity)).value
    assert stored.header.guid == given
    assert repo.get_entity(given) == stored


def test_new_guids_ascend_when_the_clock_steps_back(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_800_000_000_000_000_000]
    monkeypatch.setattr(headers.time, "time_ns", lambda: now[0])
    monkeypatch.setattr(headers, "_last_tick", [0])  # restored afterwards: later GUIDs keep the real clock
    first = [headers.new_guid() for _ in range(3)]  # a coarse clock: the same reading three times
    now[0] -= 5_000_000_000  # NTP steps the clock back 5 s
    later = headers.new_guid()
    assert first == sorted(first) and len(set(first)) == 3
    assert later > first[-1]
    assert [uuid.UUID(g).version for g in [*first, later]] == [7, 7, 7, 7]
