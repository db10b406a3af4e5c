"""Write-time encoded events (wire.py) against the reference mapping: every event type of the mapping
scenarios, decoded from spliced response bytes, equals what ``to_out_topic_event`` makes; filters on the
encoded entries agree with filters on the messages; the splice framing is plain protobuf."""

from __future__ import annotations

import uuid

import pytest
from unit.outtopic.outtopicbuild import ALICE, BOB, add, link, props

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.outtopic.mapping import TAG_DECODE, TAG_EVENT_MASK, compile_filter, map_event, to_out_topic_event
from coho.server.outtopic.wire import (
    NO_EVENT,
    annex_event,
    decode,
    events_body,
    frame,
    listen_batch,
    varint,
    with_annexes,
)
from coho.server.repository import Repository
from coho.server.store.base import ChangeMeta
from coho.server.store.sqlite import SqliteStore
from coho.server.types import TypeRegistry

pytestmark = pytest.mark.timeout(30)
T = ot


async def every_event_type(repo: Repository) -> None:
    """The mapping scenarios in one run: every out-topic event type, entities and relationships."""
    entity = await add(repo, "DataFile", name="a")
    guid = entity.header.guid
    await repo.update_entity_properties(BOB, guid, props(name="b"), merge=True)
    await repo.undo_entity_update(ALICE, guid)
    await repo.update_entity_status(ALICE, guid, typedefs_pb2.INSTANCE_STATUS_ACTIVE)
    await repo.classify_entity(ALICE, guid, "Confidentiality")
    await repo.reclassify_entity(ALICE, guid, "Confidentiality",
                                 instances_pb2.InstanceProperties(properties={"steward": props(x="s").properties["x"]}))
    await repo.declassify_entity(ALICE, guid, "Confidentiality")
    await repo.classify_entity(ALICE, guid, "Confidentiality")
    await repo.delete_entity(ALICE, guid)
    await repo.restore_entity(ALICE, guid)
    folder = await add(repo, "FileFolder", caller=BOB)
    rel = await link(repo, "NestedFile", folder, entity)
    await repo.update_relationship_status(ALICE, rel.header.guid, typedefs_pb2.INSTANCE_STATUS_ACTIVE)
    new_rel_guid = str(uuid.uuid4())
    await repo.re_identify_relationship(ALICE, rel.header.guid, new_rel_guid)
    await repo.delete_relationship(ALICE, new_rel_guid)
    await repo.restore_relationship(ALICE, new_rel_guid)
    second = await link(repo, "NestedFile", folder, await add(repo, "DataFile"))
    await repo.delete_relationship(ALICE, second.header.guid)
    await repo.purge_relationship(ALICE, second.header.guid)
    await repo.re_home_relationship(ALICE, new_rel_guid, "other-home", "other")  # then no longer ours to change
    new_guid = str(uuid.uuid4())
    await repo.re_identify_entity(ALICE, guid, new_guid)
    await repo.re_type_entity(ALICE, new_guid, "CSVFile")
    await repo.re_home_entity(ALICE, new_guid, "other-home", "other")
    await repo.delete_entity(ALICE, folder.header.guid)
    await repo.purge_entity(ALICE, folder.header.guid)


def same(a: ot.OutTopicEvent, b: ot.OutTopicEvent) -> bool:
    # Deterministic bytes also compare field presence (an empty but present sub-message).
    return a == b and a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


async def test_spliced_events_equal_the_reference_mapping(repo: Repository, store: SqliteStore) -> None:
    await every_event_type(repo)
    changes = store.read_changes(0, 10_000)
    records = with_annexes(store, store.read_annexes(0, 10_000))
    assert [r.sequence for r in records] == [c.sequence for c in changes]
    expected = {c.sequence: to_out_topic_event(c) for c in changes}
    assert {e.event_type for e in expected.values() if e is not None} == set(ot.OutTopicEventType.values()) - {
        T.OUT_TOPIC_EVENT_TYPE_UNSPECIFIED, T.OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT}
    framed = [(r.sequence, frame(r.sequence, r.annex)) for r in records if r.annex]
    response = ot.SubscribeResponse.FromString(
        events_body(framed, ot.Progress(head_sequence=9, scanned_sequence=8)))
    assert (response.progress.head_sequence, response.progress.scanned_sequence) == (9, 8)
    wanted = [e for e in expected.values() if e is not None]
    assert len(response.events) == len(wanted)
    for got, want in zip(response.events, wanted, strict=True):
        assert same(got, want), (got, want)
    for record in records:
        want = expected[record.sequence]
        if want is None:
            assert (record.tag, record.annex) == NO_EVENT
        else:
            assert record.tag & TAG_EVENT_MASK == want.event_type
            identity = bool(want.previous_guid or want.previous_type_name)
            assert bool(record.tag & TAG_DECODE) == identity
            # The columns the filters use are the event's own guid and type whenever TAG_DECODE is off.
            assert identity or (record.guid, record.type_name) == (want.element_header.guid,
                                                                    want.element_header.type_name)
            assert record.access_service == want.access_service


async def test_filters_on_encoded_entries_agree_with_message_filters(
        repo: Repository, store: SqliteStore, types: TypeRegistry) -> None:
    await every_event_type(repo)
    csv = await add(repo, "CSVFile", caller=BOB)
    records = [r for r in with_annexes(store, store.read_annexes(0, 10_000)) if r.annex]
    messages = [ot.OutTopicEvent.FromString(r.annex or b"") for r in records]
    guids = {m.element_header.guid for m in messages} | {m.previous_guid for m in messages if m.previous_guid}
    filters = [ot.OutTopicFilter(type_names=[name]) for name in ("DataFile", "CSVFile", "FileFolder", "NestedFile")]
    filters += [ot.OutTopicFilter(element_guid=g) for g in sorted(guids)]
    filters += [ot.OutTopicFilter(event_types=[t]) for t in range(1, 12)]
    filters += [ot.OutTopicFilter(access_service="DataManager"), ot.OutTopicFilter(access_service="Other"),
                ot.OutTopicFilter(type_names=["Asset"], event_types=[1, 2], element_guid=csv.header.guid)]
    for message in filters:
        compiled = compile_filter(message, types)
        assert [compiled.admits(r) for r in records] == [compiled.matches(m) for m in messages], message


def test_refresh_and_non_instance_events() -> None:
    meta = ChangeMeta(user_id="peer", metadata_source="src", access_service="AssetManager")
    entity = instances_pb2.EntityDetail(
        header=instances_pb2.InstanceHeader(
            guid="g1", version=3, type=instances_pb2.InstanceType(type_def_name="DataFile")),
        classifications=[instances_pb2.Classification(name="Confidentiality")],
    )
    refreshed = events_pb2.OmrsEvent(instance=events_pb2.InstanceEventSection(
        event_type=events_pb2.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT, instance_guid="g1",
        type_def_name="DataFile", entity=entity))
    tag, annex = annex_event(refreshed, meta)
    assert tag == T.OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT
    reference = map_event(refreshed, meta, 42)
    assert reference is not None and same(decode([(42, frame(42, annex))])[0], reference)
    for silent in (
        events_pb2.OmrsEvent(instance=events_pb2.InstanceEventSection(
            event_type=events_pb2.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST)),
        events_pb2.OmrsEvent(typedef=events_pb2.TypeDefEventSection(
            event_type=events_pb2.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT)),
        events_pb2.OmrsEvent(),
    ):
        assert annex_event(silent, meta) == NO_EVENT


def test_framing_is_plain_protobuf() -> None:
    for value in (0, 1, 127, 128, 300, 16383, 16384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**35, 2**62):
        assert ot.ListenAck.FromString(b"\x08" + varint(value)).sequence == value
        assert value == 0 or ot.ListenAck(sequence=value).SerializeToString() == b"\x08" + varint(value)
    for sequence in (1, 127, 128, 16383, 16384, 2**21 - 1, 2**21, 2**40):
        for size in (0, 100, 4087, 4088, 4096, 20_000):
            event = ot.OutTopicEvent(user_id="u" * size)
            annex = event.SerializeToString()
            event.sequence = sequence
            assert ot.SubscribeResponse.FromString(frame(sequence, annex)).events[0] == event
    body = ot.OutTopicEvent(event_type=T.OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED, user_id="u").SerializeToString()
    framed = [(2**21 + 5, frame(2**21 + 5, body)), (7, frame(7, b""))]
    progress = ot.Progress(head_sequence=10)
    batch = ot.ListenResponse.FromString(listen_batch(framed, progress))
    assert batch.WhichOneof("kind") == "batch"
    assert [e.sequence for e in batch.batch.events] == [2**21 + 5, 7]
    assert batch.batch.events[0].user_id == "u" and batch.batch.progress == progress
    assert decode(framed) == list(batch.batch.events)
