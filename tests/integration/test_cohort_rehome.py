"""RE_HOMED events that make a member the new home (issue 5: re-homed), in-process over real gRPC.

X (the old home) hands an entity and a relationship over to Y; Z looks on. Y's copy becomes a home instance
that only Y may change, Y's later changes reach everyone as home events, and X's further events about it are
refused without being treated as a GUID clash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cohortharness import (
    ALICE,
    add_entity,
    add_link,
    cohort_of,
    member_id,
    props,
    rt,
    until,
    wait_replicated,
)

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.app import ServerApp
from coho.server.cohort.apply import ApplyRules, BatchResult, apply_batch
from coho.server.cohort.membership import COHORT_CALLER
from coho.server.cohort.rules import ExchangeRule
from coho.server.errors import FailedPrecondition
from coho.server.store.base import HistoryQuery

pytestmark = pytest.mark.timeout(60)
E = events_pb2
LOCAL_COHORT = instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT


def logged(app: ServerApp, event_type: int, guid: str) -> list[events_pb2.OmrsEvent]:
    return [r.event for r in rt(app).store.read_changes(0, 100_000)
            if r.event.instance.event_type == event_type and r.event.instance.instance_guid == guid]


async def replay(app: ServerApp, publisher_id: str, *events: events_pb2.OmrsEvent) -> BatchResult:
    """Apply events as if ``publisher_id`` had sent them, on a probe cohort (the live cursors stay put)."""
    batch = cs.EventBatch(batch_id=1, first_sequence=1, last_sequence=len(events), events=[
        E.SequencedEvent(sequence=i + 1, event=e) for i, e in enumerate(events)])
    rules = ApplyRules("probe", publisher_id, ExchangeRule(), ExchangeRule())
    runtime = rt(app)
    return await runtime.store.write(
        lambda txn: apply_batch(txn, runtime.repository.write_context(COHORT_CALLER), batch, rules))


async def test_re_homed_to_this_member_makes_the_copy_a_home_instance(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as (x, y, z):
        xid, yid = member_id(x), member_id(y)
        entity = await add_entity(x, "DataFile", description="v1")
        guid = entity.header.guid
        await wait_replicated([x, y, z])
        assert rt(y).store.get_entity(guid).header.metadata_collection_id == xid

        await rt(x).repository.re_home_entity(ALICE, guid, yid, "y collection")
        await wait_replicated([x, y, z])
        owned = rt(y).store.get_entity(guid)
        assert owned.header.metadata_collection_id == yid
        assert owned.header.metadata_collection_name == "y collection"
        assert owned.header.instance_provenance_type == LOCAL_COHORT
        assert owned.header.version == 2 and owned.header.create_time == entity.header.create_time
        # The take-over is in Y's log as Y's own RE_HOMED event (what Y sends), and everyone agrees on the home.
        taken = logged(y, E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT, guid)
        assert [e.originator.metadata_collection_id for e in taken] == [yid]
        assert taken[0].instance.home_metadata_collection_id == yid
        for app in (x, z):
            assert rt(app).store.get_entity(guid).header.metadata_collection_id == yid
        # Y's history keeps the reference copy it replaced.
        assert [v.header.version for v in rt(y).store.entity_history(HistoryQuery(guid)).items][:1] == [1]

        # Only Y may change it now; its change is a home event that X and Z apply.
        with pytest.raises(FailedPrecondition) as err:
            await rt(x).repository.update_entity_properties(ALICE, guid, props(description="x again"))
        assert err.value.reason == "NOT_HOME"
        await rt(y).repository.update_entity_properties(ALICE, guid, props(description="v3 at y"))
        await wait_replicated([x, y, z])
        for app in (x, z):
            copy = rt(app).store.get_entity(guid)
            assert copy.header.version == 3 and copy.header.metadata_collection_id == yid
            assert copy.properties.properties["description"].primitive.string_value == "v3 at y"
        updates = logged(y, E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, guid)
        assert [e.instance.home_metadata_collection_id for e in updates] == [yid]

        # X's further events claiming to be home are refused as NOT_HOME, not treated as a GUID clash;
        # X's RE_HOMED delivered again is ignored as an older version.
        stale = instances_pb2.EntityDetail()
        stale.CopyFrom(entity)
        stale.header.version = 9
        stale.properties.CopyFrom(props(description="stale x"))
        stale_event = E.OmrsEvent(
            originator=E.EventOriginator(metadata_collection_id=xid), category=E.OMRS_EVENT_CATEGORY_INSTANCE,
            instance=E.InstanceEventSection(event_type=E.INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT, instance_guid=guid,
                                            type_def_name="DataFile", home_metadata_collection_id=xid, entity=stale))
        handed_over = logged(x, E.INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT, guid)[0]
        head = rt(y).store.head_sequence()
        result = await replay(y, xid, stale_event, handed_over)
        assert [a.outcome for a in result.acks] == [cs.EVENT_OUTCOME_CONFLICT, cs.EVENT_OUTCOME_IGNORED_OLDER_VERSION]
        assert result.acks[0].detail.startswith("NOT_HOME")
        assert rt(y).store.head_sequence() == head  # no CONFLICTING_INSTANCES error event, nothing applied
        kept = rt(y).store.get_entity(guid)
        assert kept.header.version == 3 and kept.header.metadata_collection_id == yid


async def test_re_homed_relationship_is_taken_over_and_its_changes_flow(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 3) as (x, y, z):
        yid = member_id(y)
        folder = await add_entity(x, "FileFolder")
        file = await add_entity(x, "DataFile")
        link = await add_link(x, "NestedFile", folder.header.guid, file.header.guid)
        guid = link.header.guid
        await wait_replicated([x, y, z])
        await rt(x).repository.re_home_relationship(ALICE, guid, yid)
        await until(lambda: rt(y).store.get_relationship(guid).header.metadata_collection_id == yid,
                    what="the relationship to be taken over")
        owned = rt(y).store.get_relationship(guid)
        assert owned.header.instance_provenance_type == LOCAL_COHORT and owned.header.version == 2
        assert logged(y, E.INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT, guid)
        # Y deletes it as its home; the soft delete reaches X and Z as Y's event.
        await rt(y).repository.delete_relationship(ALICE, guid)
        await wait_replicated([x, y, z])
        for app in (x, z):
            copy = rt(app).store.get_relationship(guid)
            assert copy.header.status == typedefs_pb2.INSTANCE_STATUS_DELETED
            assert copy.header.metadata_collection_id == yid and copy.header.version == 3
