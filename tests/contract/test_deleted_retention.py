"""Deleted-instance retention (store.deleted_retention_days): home instances soft-deleted before a cutoff are
purged through the repository, with their purge events; live, restored, recently deleted instances and
reference copies stay."""

from __future__ import annotations

import pytest
from contract.builders import ALICE, DELETED, Clock, add, link, remote_entity

from coho.omrs.v1 import events_pb2
from coho.server.errors import NotFound
from coho.server.repository import Repository, sweeper
from coho.server.store.base import Store

DAY_MS = 86_400_000
E = events_pb2.InstanceEventType


def gone(repo: Repository, guid: str) -> bool:
    try:
        repo.get_entity(guid)
    except NotFound:
        return True
    return False


async def test_expired_deletions_are_purged_with_their_events(repo: Repository, store: Store, clock: Clock) -> None:
    old = await add(repo)
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    content = await link(repo, "DataSetContent", schema, database)
    restored = await add(repo)
    live = await add(repo)
    copy = remote_entity(repo.types, status=DELETED)
    await repo.save_entity_reference_copy(ALICE, copy)
    for entity in (old, schema, restored):
        await repo.delete_entity(ALICE, entity.header.guid)  # schema's delete takes the relationship along
    await repo.restore_entity(ALICE, restored.header.guid)
    cutoff = clock.advance(DAY_MS)
    recent = await add(repo)
    await repo.delete_entity(ALICE, recent.header.guid)
    head = store.head_sequence()

    purged = await sweeper.purge_deleted(repo, before_ms=cutoff)

    assert purged == 2  # old and schema (its relationship went with it, in the same purge)
    assert gone(repo, old.header.guid) and gone(repo, schema.header.guid)
    with pytest.raises(NotFound):
        repo.get_relationship(content.header.guid)
    for kept in (database, restored, live, recent):
        assert not gone(repo, kept.header.guid)
    assert repo.get_entity(copy.header.guid).header.status == DELETED  # its home decides
    changes = store.read_changes(head, 100)
    assert [(c.guid, c.event.instance.event_type) for c in changes] == [
        (old.header.guid, E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT),
        (content.header.guid, E.INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT),  # before its end's purge
        (schema.header.guid, E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT),
    ]
    assert {c.meta.user_id for c in changes} == {"coho-retention"}
    assert await sweeper.purge_deleted(repo, before_ms=cutoff) == 0  # nothing left to do


async def test_a_relationship_deleted_on_its_own_is_purged(repo: Repository, clock: Clock) -> None:
    schema = await add(repo, "DeployedDatabaseSchema")
    database = await add(repo, "Database")
    rel = await link(repo, "DataSetContent", schema, database)
    await repo.delete_relationship(ALICE, rel.header.guid)
    assert await sweeper.purge_deleted(repo, before_ms=clock.advance(DAY_MS)) == 1
    with pytest.raises(NotFound):
        repo.get_relationship(rel.header.guid)
    assert not gone(repo, schema.header.guid) and not gone(repo, database.header.guid)


async def test_batches_are_bounded(repo: Repository, clock: Clock) -> None:
    entities = [await add(repo) for _ in range(5)]
    for entity in entities:
        await repo.delete_entity(ALICE, entity.header.guid)
    cutoff = clock.advance(DAY_MS)
    assert await sweeper.purge_deleted(repo, before_ms=cutoff, limit=2) == 2
    assert await sweeper.purge_deleted(repo, before_ms=cutoff, limit=2) == 2
    assert await sweeper.purge_deleted(repo, before_ms=cutoff, limit=2) == 1
    assert all(gone(repo, e.header.guid) for e in entities)
