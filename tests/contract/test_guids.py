"""GUIDs the home assigns: RFC 9562 version 7 (time-ordered), unique; GUIDs supplied by callers are kept."""

from __future__ import annotations

import itertools
import uuid

from contract.builders import ALICE, add, link, new_entity

from coho.server.repository import Repository
from coho.server.repository.headers import new_guid


def test_new_guids_are_version_7_unique_and_ascending() -> None:
    guids = [new_guid() for _ in range(20_000)]
    parsed = [uuid.UUID(guid) for guid in guids]
    assert all(g.version == 7 and g.variant == uuid.RFC_4122 for g in parsed)
    assert [str(g) for g in parsed] == guids  # canonical lower-case form
    assert len(set(guids)) == len(guids)
    # Time-ordered: a later GUID sorts after an earlier one (sub-millisecond clock bits; inversions can
    # only come from the wall clock stepping back, which a test run does not see in practice).
    inversions = sum(1 for a, b in itertools.pairwise(guids) if b < a)
    assert inversions <= 1


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
