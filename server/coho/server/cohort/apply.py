"""Apply one batch of a peer's events to the local repository, with the cursor, in ONE transaction.

:func:`apply_batch` runs inside a :meth:`Store.write` callback. Each event gets one :class:`cs.EventAck`:

- exchange rules first (events_to_process, then events_to_save for instances) -> IGNORED_BY_RULE;
- instance events go through :mod:`coho.server.repository.refcopies` (Egeria's acceptance rules: unknown
  type -> IGNORED_UNKNOWN_TYPE, version <= stored -> IGNORED_OLDER_VERSION, GUID clash -> CONFLICT with a
  CONFLICTING_INSTANCES error event appended to the local log);
- typedef events add unknown types to a staged registry (installed by the caller after commit), apply a later
  version of a known type when one of our patches reaches it exactly, and report any other definition that
  differs as CONFLICTING_TYPEDEFS, never overwriting;
- a RE_HOMED event naming this member as the new home is a take-over (:mod:`.rehome`): the copy becomes a
  home instance; a former home's later events about it are refused as NOT_HOME;
- registry and error events are handed back for the caller to act on after the commit (they talk to the
  network or start other writes, which must not happen inside the writer's transaction).

An exception from one event (a malformed copy, a copy claiming to be homed here) becomes a CONFLICT outcome
for that event only; refcopies checks before it writes, so nothing half-done is left behind.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, cast

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.cohort import registry, rehome
from coho.server.cohort.rules import ExchangeRule
from coho.server.errors import CohoError
from coho.server.repository import refcopies
from coho.server.repository.enums import check_enums
from coho.server.repository.events import PROTOCOL_VERSION
from coho.server.repository.headers import WriteContext, to_ts
from coho.server.store.base import WriteTxn
from coho.server.types import TypeRegistry, compare

E = events_pb2
OUTCOMES: dict[int, int] = {
    refcopies.SAVED: cs.EVENT_OUTCOME_SAVED,
    refcopies.IGNORED_OLDER_VERSION: cs.EVENT_OUTCOME_IGNORED_OLDER_VERSION,
    refcopies.IGNORED_BY_RULE: cs.EVENT_OUTCOME_IGNORED_BY_RULE,
    refcopies.IGNORED_UNKNOWN_TYPE: cs.EVENT_OUTCOME_IGNORED_UNKNOWN_TYPE,
    refcopies.CONFLICTING_INSTANCES: cs.EVENT_OUTCOME_CONFLICT,
    refcopies.CONFLICTING_TYPE: cs.EVENT_OUTCOME_CONFLICT,
    refcopies.PURGED: cs.EVENT_OUTCOME_PROCESSED,
}
ERROR_CODES: dict[int, int] = {
    refcopies.CONFLICTING_INSTANCES: E.OMRS_EVENT_ERROR_CODE_CONFLICTING_INSTANCES,
    refcopies.CONFLICTING_TYPE: E.OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPE,
}
ENTITY_PURGE = E.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT
RELATIONSHIP_PURGE = E.INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT
ENTITY_REIDENTIFY = E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT
RELATIONSHIP_REIDENTIFY = E.INSTANCE_EVENT_TYPE_RE_IDENTIFIED_RELATIONSHIP_EVENT
REFRESH_REQUESTS = {E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST: E.INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT,
                    E.INSTANCE_EVENT_TYPE_REFRESH_RELATIONSHIP_REQUEST:
                        E.INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT}
BATCH = E.INSTANCE_EVENT_TYPE_BATCH_INSTANCES_EVENT
INSTANCE_ERROR = E.INSTANCE_EVENT_TYPE_INSTANCE_ERROR_EVENT


@dataclass
class ApplyRules:
    """Who we apply for and with which rules (this member's events_to_process / events_to_save)."""

    cohort: str
    publisher_id: str
    process: ExchangeRule
    save: ExchangeRule


@dataclass
class BatchResult:
    acks: list[cs.EventAck] = field(default_factory=list)
    saved_guids: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """One line per conflict (for the audit log)."""
    staged_types: TypeRegistry | None = None
    """A registry with the types learned from this batch; None when the batch taught none."""
    learned_type_names: list[str] = field(default_factory=list)
    registry_events: list[events_pb2.OmrsEvent] = field(default_factory=list)
    error_events: list[events_pb2.OmrsEvent] = field(default_factory=list)
    cursor: int | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ack in self.acks:
            name = cs.EventOutcome.Name(ack.outcome).removeprefix("EVENT_OUTCOME_").lower()
            out[name] = out.get(name, 0) + 1
        return out


class _Applier:
    def __init__(self, txn: WriteTxn, ctx: WriteContext, rules: ApplyRules) -> None:
        self.txn = txn
        self.ctx = ctx
        self.rules = rules
        self.result = BatchResult()

    def event(self, sequenced: events_pb2.SequencedEvent) -> cs.EventAck:
        event = sequenced.event
        ack = cs.EventAck(sequence=sequenced.sequence)
        if not self.rules.process.admits(event, self.ctx.types):
            ack.outcome = cs.EVENT_OUTCOME_IGNORED_BY_RULE
            return ack
        section = event.WhichOneof("section")
        try:
            if section == "registry":
                self.result.registry_events.append(event)
                ack.outcome = cs.EVENT_OUTCOME_PROCESSED
            elif section == "typedef":
                self._typedef(event, ack)
            elif section == "instance":
                self._instance(event, ack)
            else:
                ack.outcome = cs.EVENT_OUTCOME_PROCESSED
        except CohoError as exc:
            ack.outcome = cs.EVENT_OUTCOME_CONFLICT
            ack.detail = f"{exc.reason}: {exc.message}"
            self.result.conflicts.append(f"{sequenced.sequence}: {ack.detail}")
        return ack

    # -- typedefs ---------------------------------------------------------------------------------------
    def _staged(self) -> TypeRegistry:
        if self.result.staged_types is None:
            self.result.staged_types = self.ctx.types.copy()
            # Later events of this batch may be instances of the types it teaches.
            self.ctx = dataclasses.replace(self.ctx, types=self.result.staged_types)
        return self.result.staged_types

    def _typedef(self, event: events_pb2.OmrsEvent, ack: cs.EventAck) -> None:
        section = event.typedef
        kind = section.event_type
        # A definition with an enum number outside its enum would be stored as given and break every later
        # export (as the TypeService refuses for local callers): a CONFLICT outcome for this event instead.
        check_enums(section, "typedef")
        if kind == E.TYPE_DEF_EVENT_TYPE_TYPEDEF_ERROR_EVENT or event.HasField("error"):
            self.result.error_events.append(event)
            ack.outcome = cs.EVENT_OUTCOME_PROCESSED
        elif section.HasField("type_def") and kind in (E.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT,
                                                       E.TYPE_DEF_EVENT_TYPE_UPDATED_TYPEDEF_EVENT):
            self._type_def(event, section.type_def, ack)
        elif section.HasField("attribute_type_def"):
            atd = section.attribute_type_def
            if self.ctx.types.get_attribute_type_def(atd.name) is None:
                self._staged().add_attribute_type_def(atd, replace_builtin=False)
                self.txn.put_attribute_type_def(atd)
                ack.outcome = cs.EVENT_OUTCOME_SAVED
            else:
                ack.outcome = cs.EVENT_OUTCOME_PROCESSED
        else:
            ack.outcome = cs.EVENT_OUTCOME_PROCESSED

    def _type_def(self, event: events_pb2.OmrsEvent, td: typedefs_pb2.TypeDef, ack: cs.EventAck) -> None:
        known = self.ctx.types.get_type_def(td.name)
        if known is not None and not self.ctx.types.verify_type_def(td):
            ack.outcome = cs.EVENT_OUTCOME_PROCESSED
            return
        if known is not None and known.guid == td.guid and td.version and td.version < known.version:
            ack.outcome = cs.EVENT_OUTCOME_IGNORED_OLDER_VERSION
            return
        if known is not None and self._newer_version(known, td):
            ack.outcome = cs.EVENT_OUTCOME_SAVED
            return
        if known is not None:
            problems = self.ctx.types.verify_type_def(td)
            self._conflicting_typedef(event, td, problems)
            ack.outcome = cs.EVENT_OUTCOME_CONFLICT
            ack.detail = "CONFLICTING_TYPEDEFS: " + "; ".join(problems[:3])
            return
        self._staged().add_type_def(td, replace_builtin=False)
        self.txn.put_type_def(td)
        self.rules.process.learn([td.name])
        self.rules.save.learn([td.name])
        self.result.learned_type_names.append(td.name)
        ack.outcome = cs.EVENT_OUTCOME_SAVED

    def _newer_version(self, known: typedefs_pb2.TypeDef, td: typedefs_pb2.TypeDef) -> bool:
        """A later version of a known type (same guid) that a patch of ours reaches exactly: apply it the way
        TypeService.PatchTypeDef does (staged registry, stored in this transaction, swapped in after commit)."""
        if known.guid != td.guid or td.version <= known.version:
            return False
        patch = patch_between(known, td)
        if patch is None:
            return False
        trial = self.ctx.types.copy()
        try:
            patched = trial.apply_patch(patch)
        except CohoError:
            return False
        if patched is None or compare.type_def_differences(patched, td):
            return False
        stored = self._staged().apply_patch(patch)
        assert stored is not None  # the trial just applied it
        self.txn.put_type_def(stored)
        return True

    def _conflicting_typedef(self, event: events_pb2.OmrsEvent, td: typedefs_pb2.TypeDef, problems: list[str]) -> None:
        """Egeria's TYPEDEF_ERROR / CONFLICTING_TYPEDEFS, appended to our log so the cohort hears of it."""
        error = events_pb2.OmrsEvent(
            protocol_version=PROTOCOL_VERSION, timestamp=to_ts(self.ctx.time_ms), originator=self.ctx.originator(),
            category=E.OMRS_EVENT_CATEGORY_TYPEDEF,
            typedef=events_pb2.TypeDefEventSection(event_type=E.TYPE_DEF_EVENT_TYPE_TYPEDEF_ERROR_EVENT, type_def=td),
            error=events_pb2.EventErrorSection(
                error_code=E.OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPEDEFS,
                error_message="; ".join(problems[:5]),
                target_metadata_collection_id=event.originator.metadata_collection_id, target_type_def=td))
        self.txn.append_change(error, guid=td.guid, type_name=td.name, kind="typedef",
                               meta=self.ctx.caller.change_meta())
        self.result.conflicts.append(f"CONFLICTING_TYPEDEFS {td.name}: {'; '.join(problems[:3])}")

    # -- instances ---------------------------------------------------------------------------------------
    def _instance(self, event: events_pb2.OmrsEvent, ack: cs.EventAck) -> None:
        section = event.instance
        kind = section.event_type
        if kind == INSTANCE_ERROR or event.HasField("error"):
            self.result.error_events.append(event)
            ack.outcome = cs.EVENT_OUTCOME_PROCESSED
            return
        if kind in REFRESH_REQUESTS:
            self._refresh_request(section, ack)
            return
        if kind == BATCH:
            self._batch(section.instance_batch, ack)
            return
        home = section.home_metadata_collection_id
        if kind in (ENTITY_PURGE, RELATIONSHIP_PURGE):
            purge = refcopies.purge_entity_copy if kind == ENTITY_PURGE else refcopies.purge_relationship_copy
            self._outcome(ack, section.instance_guid, purge(self.txn, self.ctx, section.instance_guid, home))
            return
        if kind in (ENTITY_REIDENTIFY, RELATIONSHIP_REIDENTIFY) and section.original_instance_guid:
            self._purge_old_identity(kind, section.original_instance_guid, home)
        if rehome.is_take_over(section, self.ctx.local_id):
            self._outcome(ack, section.instance_guid, rehome.take_over(self.txn, self.ctx, section))
        elif not self.rules.save.admits_type(section.type_def_name, self.ctx.types):
            ack.outcome = cs.EVENT_OUTCOME_IGNORED_BY_RULE
        elif section.HasField("entity"):
            result = refcopies.save_entity_copy(self.txn, self.ctx, section.entity)
            self._outcome(ack, section.instance_guid, result, section)
        elif section.HasField("relationship"):
            result = refcopies.save_relationship_copy(self.txn, self.ctx, section.relationship)
            self._outcome(ack, section.instance_guid, result, section)
        else:
            ack.outcome = cs.EVENT_OUTCOME_PROCESSED
            ack.detail = "no instance image"

    def _purge_old_identity(self, kind: int, old_guid: str, home: str) -> None:
        # Only our copy of the home's instance goes: after a GUID clash the old GUID may be our own instance.
        if kind == ENTITY_REIDENTIFY:
            stored = self.txn.get_entity(old_guid) or self.txn.get_proxy(old_guid)
            if stored is not None and stored.header.metadata_collection_id == home:
                refcopies.purge_entity_copy(self.txn, self.ctx, old_guid, home)
        else:
            rel = self.txn.get_relationship(old_guid)
            if rel is not None and rel.header.metadata_collection_id == home:
                refcopies.purge_relationship_copy(self.txn, self.ctx, old_guid, home)

    def _outcome(self, ack: cs.EventAck, guid: str, result: refcopies.CopyResult,
                 section: events_pb2.InstanceEventSection | None = None) -> None:
        if (result.outcome == refcopies.CONFLICTING_INSTANCES and section is not None
                and rehome.is_stale_home(self.txn, self.ctx, section)):
            # A former home still writing to what it handed over to us: refused, and no clash to resolve.
            ack.outcome = cs.EVENT_OUTCOME_CONFLICT
            ack.detail = f"{rehome.NOT_HOME}: {guid} is homed here now"
            self.result.conflicts.append(f"{rehome.NOT_HOME} {guid} from {self.rules.publisher_id}")
            return
        ack.reference_copy_outcome = cast(Any, result.outcome)
        ack.outcome = cast(Any, OUTCOMES.get(result.outcome, cs.EVENT_OUTCOME_PROCESSED))
        if result.outcome in (refcopies.SAVED, refcopies.PURGED):
            self.result.saved_guids.append(guid)
        code = ERROR_CODES.get(result.outcome)
        if code is not None:
            ack.detail = events_pb2.OmrsEventErrorCode.Name(code).removeprefix("OMRS_EVENT_ERROR_CODE_")
            self._instance_error(code, guid)

    def _instance_error(self, code: int, guid: str) -> None:
        """Tell the home of the clashing instance (its originator) through our log: it re-identifies."""
        error = events_pb2.OmrsEvent(
            protocol_version=PROTOCOL_VERSION, timestamp=to_ts(self.ctx.time_ms), originator=self.ctx.originator(),
            category=E.OMRS_EVENT_CATEGORY_INSTANCE,
            instance=events_pb2.InstanceEventSection(event_type=INSTANCE_ERROR, instance_guid=guid,
                                                     home_metadata_collection_id=self.ctx.local_id),
            error=events_pb2.EventErrorSection(
                error_code=code, error_message=f"instance {guid} clashes with one stored here",  # type: ignore[arg-type]
                target_metadata_collection_id=self.rules.publisher_id, target_instance_guid=guid,
                other_metadata_collection_id=self.ctx.local_id))
        self.txn.append_change(error, guid=guid, type_name="", kind="other", meta=self.ctx.caller.change_meta())
        name = events_pb2.OmrsEventErrorCode.Name(cast(Any, code)).removeprefix("OMRS_EVENT_ERROR_CODE_")
        self.result.conflicts.append(f"{name} {guid} from {self.rules.publisher_id}")

    def _batch(self, graph: instances_pb2.InstanceGraph, ack: cs.EventAck) -> None:
        saved = ignored = 0
        for entity in graph.entities:
            saved, ignored = self._count(entity.header, lambda e=entity: refcopies.save_entity_copy(
                self.txn, self.ctx, e), saved, ignored)
        for rel in graph.relationships:
            saved, ignored = self._count(rel.header, lambda r=rel: refcopies.save_relationship_copy(
                self.txn, self.ctx, r), saved, ignored)
        ack.outcome = cs.EVENT_OUTCOME_SAVED if saved else cs.EVENT_OUTCOME_PROCESSED
        ack.detail = f"saved={saved} ignored={ignored}"

    def _count(self, header: instances_pb2.InstanceHeader, save: object, saved: int, ignored: int) -> tuple[int, int]:
        if not self.rules.save.admits_type(header.type.type_def_name, self.ctx.types):
            return saved, ignored + 1
        result = save()  # type: ignore[operator]
        if result.outcome == refcopies.SAVED:
            self.result.saved_guids.append(header.guid)
            return saved + 1, ignored
        code = ERROR_CODES.get(result.outcome)
        if code is not None:
            self._instance_error(code, header.guid)
        return saved, ignored + 1

    def _refresh_request(self, section: events_pb2.InstanceEventSection, ack: cs.EventAck) -> None:
        """Only the home answers: it re-sends its current image as REFRESHED_* in its own log."""
        ack.outcome = cs.EVENT_OUTCOME_PROCESSED
        guid = section.instance_guid
        entity_request = section.event_type == E.INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST
        current = self.txn.get_entity(guid) if entity_request else self.txn.get_relationship(guid)
        if current is None or current.header.metadata_collection_id != self.ctx.local_id:
            ack.detail = "not the home"
            return
        answer = events_pb2.InstanceEventSection(
            event_type=REFRESH_REQUESTS[section.event_type], type_def_guid=current.header.type.type_def_guid,
            type_def_name=current.header.type.type_def_name, instance_guid=guid,
            home_metadata_collection_id=self.ctx.local_id)
        if isinstance(current, instances_pb2.EntityDetail):
            answer.entity.CopyFrom(current)
        else:
            answer.relationship.CopyFrom(current)
        event = events_pb2.OmrsEvent(
            protocol_version=PROTOCOL_VERSION, timestamp=to_ts(self.ctx.time_ms), originator=self.ctx.originator(),
            category=E.OMRS_EVENT_CATEGORY_INSTANCE, instance=answer)
        self.txn.append_change(event, guid=guid, type_name=answer.type_def_name,
                               kind="entity" if entity_request else "relationship", meta=self.ctx.caller.change_meta())
        ack.detail = "refreshed"


def apply_batch(txn: WriteTxn, ctx: WriteContext, batch: cs.EventBatch, rules: ApplyRules) -> BatchResult:
    """Apply every event of ``batch`` and move the cursor, inside the caller's transaction."""
    applier = _Applier(txn, ctx, rules)
    for sequenced in batch.events:
        applier.result.acks.append(applier.event(sequenced))
    # A snapshot is only a position once complete: a crash half-way must start the snapshot again.
    if not batch.snapshot or batch.snapshot_complete:
        registry.write_cursor(txn, rules.cohort, rules.publisher_id, batch.last_sequence)
        applier.result.cursor = batch.last_sequence
    return applier.result


def patch_between(known: typedefs_pb2.TypeDef, td: typedefs_pb2.TypeDef) -> typedefs_pb2.TypeDefPatch | None:
    """The patch taking ``known`` to ``td``; None when no compatible patch can (a property dropped or retyped,
    another category or supertype)."""
    if known.category != td.category or known.super_type.name != td.super_type.name:
        return None
    theirs = {a.attribute_name: a for a in td.properties_definition}
    for attr in known.properties_definition:
        other = theirs.get(attr.attribute_name)
        if other is None or other.attribute_type.name != attr.attribute_type.name:
            return None
    patch = typedefs_pb2.TypeDefPatch(
        type_def_guid=td.guid, type_def_name=td.name, apply_to_version=known.version, update_to_version=td.version,
        new_version_name=td.version_name, updated_by=td.updated_by, description=td.description,
        description_guid=td.description_guid, description_wiki=td.description_wiki, type_def_status=td.status,
        property_definitions=td.properties_definition, type_def_options=td.options,
        external_standard_mappings=td.external_standard_mappings,
        valid_instance_statuses=td.valid_instance_statuses, initial_status=td.initial_status)
    if td.HasField("update_time"):
        patch.update_time.CopyFrom(td.update_time)
    if td.HasField("relationship_def"):
        patch.update_multi_link = True
        patch.multi_link = td.relationship_def.multi_link
        patch.end_def_1.CopyFrom(td.relationship_def.end_def_1)
        patch.end_def_2.CopyFrom(td.relationship_def.end_def_2)
    if td.HasField("classification_def"):
        patch.valid_entity_defs.extend(td.classification_def.valid_entity_defs)
    return patch
