"""apply_batch outcomes (coho.server.cohort.apply) on real SQLite stores: a home's log applied at a member."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.cohort import registry
from coho.server.cohort.apply import ApplyRules, BatchResult, apply_batch
from coho.server.cohort.rules import ExchangeRule
from coho.server.repository import Repository
from coho.server.repository.api import Caller
from coho.server.store import open_sqlite_store
from coho.server.types import TypeRegistry

pytestmark = pytest.mark.timeout(30)
E, P = events_pb2, typedefs_pb2
ALICE = Caller(user_id="alice")
COHORT = "unit"


@dataclass
class Pair:
    home: Repository
    member: Repository
    position: int = 0

    def events(self) -> list[events_pb2.SequencedEvent]:
        """The home's log since the last call, as a publisher would send it."""
        records = self.home.store.read_changes(self.position, 10_000)
        self.position = records[-1].sequence if records else self.position
        return [E.SequencedEvent(sequence=r.sequence, event=r.event) for r in records]

    async def apply(self, events: list[events_pb2.SequencedEvent], *, process: str = "ALL",
                    save: ExchangeRule | None = None, at: Repository | None = None, **batch: Any) -> BatchResult:
        target = at or self.member
        rules = ApplyRules(COHORT, self.home.store.metadata_collection_id,
                           ExchangeRule(cs.ExchangeRule.Value(f"EXCHANGE_RULE_{process}")), save or ExchangeRule())
        last = events[-1].sequence if events else 0
        message = cs.EventBatch(first_sequence=events[0].sequence if events else 0, last_sequence=last,
                                events=events, **batch)
        return await target.store.write(  # type: ignore[no-any-return]
            lambda txn: apply_batch(txn, target.write_context(ALICE), message, rules))


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    stores = [open_sqlite_store(tmp_path / name) for name in ("home", "member")]
    yield Pair(*(Repository(s, TypeRegistry.with_builtin_types(), metadata_collection_name=n)
                 for s, n in zip(stores, ("home", "member"), strict=True)))
    for s in stores:
        await s.close()


def props() -> instances_pb2.InstanceProperties:
    value = instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
        primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_STRING, string_value=str(uuid.uuid4())))
    return instances_pb2.InstanceProperties(properties={"qualifiedName": value})


async def create(repo: Repository, type_name: str = "DataFile") -> instances_pb2.EntityDetail:
    return (await repo.add_entity(ALICE, mcs.NewEntity(type_name=type_name, properties=props()))).value


def outcomes(result: BatchResult) -> list[int]:
    return [a.outcome for a in result.acks]


async def test_new_saved_then_redelivery_ignored_and_cursor_moves(pair: Pair) -> None:
    entity = await create(pair.home)
    events = pair.events()
    result = await pair.apply(events)
    assert outcomes(result) == [cs.EVENT_OUTCOME_SAVED]
    assert result.saved_guids == [entity.header.guid] and result.cursor == events[-1].sequence
    copy = pair.member.store.get_entity(entity.header.guid)
    assert copy is not None and copy.header.metadata_collection_id == pair.home.store.metadata_collection_id
    assert registry.read_cursor(pair.member.store, COHORT, pair.home.store.metadata_collection_id) == result.cursor
    again = await pair.apply(events)
    assert outcomes(again) == [cs.EVENT_OUTCOME_IGNORED_OLDER_VERSION]


async def test_rules_ignore_events_to_process_and_to_save(pair: Pair) -> None:
    await create(pair.home)
    folder = await create(pair.home, "FileFolder")
    events = pair.events()
    assert outcomes(await pair.apply(events, process="JUST_TYPEDEFS")) == [cs.EVENT_OUTCOME_IGNORED_BY_RULE] * 2
    picky = ExchangeRule(cs.EXCHANGE_RULE_SELECTED_TYPES, frozenset({"FileFolder"}))
    assert outcomes(await pair.apply(events, save=picky)) == [cs.EVENT_OUTCOME_IGNORED_BY_RULE,
                                                               cs.EVENT_OUTCOME_SAVED]
    assert pair.member.store.get_entity(folder.header.guid) is not None


def new_type(types: TypeRegistry, name: str, guid: str | None = None) -> typedefs_pb2.TypeDef:
    asset = types.get_type_def("Asset")
    assert asset is not None
    return typedefs_pb2.TypeDef(
        guid=guid or str(uuid.uuid4()), name=name, status=P.TYPE_DEF_STATUS_ACTIVE_TYPEDEF, version=1,
        category=P.TYPE_DEF_CATEGORY_ENTITY_DEF, super_type=typedefs_pb2.TypeDefLink(guid=asset.guid, name=asset.name),
        entity_def=typedefs_pb2.EntityDefDetails())


async def test_unknown_type_keeps_no_copy(pair: Pair) -> None:
    types = pair.home.types.copy()
    types.add_type_def(new_type(types, "SecretAsset"))
    pair.home.types = types
    secret = await create(pair.home, "SecretAsset")
    result = await pair.apply(pair.events())
    assert outcomes(result) == [cs.EVENT_OUTCOME_IGNORED_UNKNOWN_TYPE]
    assert result.acks[0].reference_copy_outcome == mcs.REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE
    assert pair.member.store.get_entity(secret.header.guid) is None


async def test_typedefs_are_learned_and_a_conflicting_one_never_overwrites(pair: Pair) -> None:
    td = new_type(pair.home.types, "LearnedAsset")
    clash = new_type(pair.home.types, "DataFile")  # same name as a built-in, another definition
    events = [E.SequencedEvent(sequence=i + 1, event=E.OmrsEvent(typedef=E.TypeDefEventSection(
        event_type=E.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT, type_def=t))) for i, t in enumerate((td, clash))]
    learning = ExchangeRule(cs.EXCHANGE_RULE_LEARNED_TYPES)
    result = await pair.apply(events, save=learning)
    assert outcomes(result) == [cs.EVENT_OUTCOME_SAVED, cs.EVENT_OUTCOME_CONFLICT]
    assert result.acks[1].detail.startswith("CONFLICTING_TYPEDEFS")
    assert result.learned_type_names == ["LearnedAsset"] and "LearnedAsset" in learning.learned
    assert result.staged_types is not None and result.staged_types.get_type_def("LearnedAsset") is not None
    assert result.staged_types.get_type_def("DataFile") == pair.member.types.get_type_def("DataFile")
    logged = [r.event for r in pair.member.store.read_changes(0, 100)]
    assert any(e.error.error_code == E.OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPEDEFS for e in logged)


async def test_a_typedef_with_an_unknown_enum_number_is_a_conflict_and_not_stored(pair: Pair) -> None:
    odd = new_type(pair.home.types, "OddAsset")
    odd.status = 777  # type: ignore[assignment]  # outside TypeDefStatus: would break every later export
    event = E.SequencedEvent(sequence=1, event=E.OmrsEvent(typedef=E.TypeDefEventSection(
        event_type=E.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT, type_def=odd)))
    result = await pair.apply([event], save=ExchangeRule(cs.EXCHANGE_RULE_LEARNED_TYPES))
    assert outcomes(result) == [cs.EVENT_OUTCOME_CONFLICT]
    assert result.acks[0].detail.startswith("UNKNOWN_ENUM_VALUE") and "typedef.type_def.status" in result.acks[0].detail
    assert result.learned_type_names == [] and pair.member.types.get_type_def("OddAsset") is None


async def test_guid_clash_is_a_conflict_reported_through_the_log(pair: Pair) -> None:
    entity = await create(pair.home)
    events = pair.events()
    await pair.apply(events)
    forged = E.SequencedEvent()
    forged.CopyFrom(events[-1])
    forged.sequence += 1
    image = forged.event.instance.entity
    image.header.create_time.FromMilliseconds(image.header.create_time.ToMilliseconds() + 1000)
    image.header.version += 1
    result = await pair.apply([forged])
    assert outcomes(result) == [cs.EVENT_OUTCOME_CONFLICT] and result.acks[0].detail == "CONFLICTING_INSTANCES"
    errors = [r.event for r in pair.member.store.read_changes(0, 100) if r.event.HasField("error")]
    assert errors[-1].error.target_instance_guid == entity.header.guid
    assert errors[-1].error.target_metadata_collection_id == pair.home.store.metadata_collection_id


async def test_delete_then_purge_remove_the_copy(pair: Pair) -> None:
    entity = await create(pair.home)
    await pair.apply(pair.events())
    await pair.home.delete_entity(ALICE, entity.header.guid)
    await pair.home.purge_entity(ALICE, entity.header.guid)
    events = pair.events()
    result = await pair.apply(events[:1])
    assert outcomes(result) == [cs.EVENT_OUTCOME_SAVED]
    assert pair.member.store.get_entity(entity.header.guid).header.status == P.INSTANCE_STATUS_DELETED  # type: ignore[union-attr]
    assert outcomes(await pair.apply(events[1:])) == [cs.EVENT_OUTCOME_PROCESSED]
    assert pair.member.store.get_entity(entity.header.guid) is None


async def test_registry_events_are_handed_back_and_incomplete_snapshots_keep_the_cursor(pair: Pair) -> None:
    event = E.SequencedEvent(sequence=5, event=E.OmrsEvent(registry=E.RegistryEventSection(
        event_type=E.REGISTRY_EVENT_TYPE_REGISTRATION_EVENT, cohort_name=COHORT)))
    result = await pair.apply([event], snapshot=True)
    assert outcomes(result) == [cs.EVENT_OUTCOME_PROCESSED] and len(result.registry_events) == 1
    assert result.cursor is None  # half a snapshot is no position
    assert (await pair.apply([event], snapshot=True, snapshot_complete=True)).cursor == 5


async def test_only_the_home_answers_a_refresh_request(pair: Pair) -> None:
    entity = await create(pair.home)
    await pair.apply(pair.events())
    request = E.SequencedEvent(sequence=99, event=E.OmrsEvent(instance=E.InstanceEventSection(
        event_type=E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST, instance_guid=entity.header.guid)))
    at_copy = await pair.apply([request])
    assert at_copy.acks[0].detail == "not the home"
    at_home = await pair.apply([request], at=pair.home)
    assert at_home.acks[0].detail == "refreshed"
    answer = pair.events()[-1].event.instance
    assert answer.event_type == E.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT
    assert answer.entity.header.guid == entity.header.guid
