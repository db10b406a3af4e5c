"""Egeria's reference-copy acceptance rules, extended to relationships (DESIGN §5).

These are plain functions over a :class:`WriteTxn` so the cohort and the archive loader can apply copies
inside their own :meth:`Store.write` callback, committing a batch together with their cursor. Build the
``ctx`` with :meth:`Repository.write_context` inside that callback.

For an incoming copy (entity or relationship):

1. homed here -> FailedPrecondition IS_HOME (a member never receives its own instances as copies);
2. type unknown or deprecated locally -> IGNORED_UNKNOWN_TYPE;
3. not stored (or only a proxy) -> SAVED;
4. stored, but homed here, or with a different createTime -> CONFLICTING_INSTANCES (a GUID clash: the home
   re-identifies, the others purge their copy);
5. incoming version not above the stored one -> IGNORED_OLDER_VERSION (so re-delivery is harmless);
6. same type with a lower type version -> CONFLICTING_TYPE;
7. otherwise SAVED, keeping the superseded copy in history.

Properties of copies are not validated: the home validated them against its own (maybe newer) types.
A saved copy appends one change-log event (NEW, UPDATED, DELETED or RESTORED, after the images) whose home
is not this member, which is how the cohort knows not to send it on (:func:`events.is_home_event`).
Relationship copies also store proxies for ends this member does not know. Proxies themselves are not
instances and are stored without change-log events, as in Egeria.
"""

from __future__ import annotations

from dataclasses import dataclass

from coho.omrs.v1 import instances_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.errors import FailedPrecondition, InvalidArgument
from coho.server.repository import events
from coho.server.repository.enums import check_enums
from coho.server.repository.headers import (
    DELETED,
    ENTITY_DEF,
    RELATIONSHIP_DEF,
    WriteContext,
    entity_to_proxy,
    from_ts,
    require_guid,
)
from coho.server.store.base import WriteTxn

Outcome = int  # an mcs.ReferenceCopyOutcome value
SAVED = mcs.REFERENCE_COPY_OUTCOME_SAVED
IGNORED_OLDER_VERSION = mcs.REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION
IGNORED_BY_RULE = mcs.REFERENCE_COPY_OUTCOME_IGNORED_BY_RULE
IGNORED_UNKNOWN_TYPE = mcs.REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE
CONFLICTING_INSTANCES = mcs.REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES
CONFLICTING_TYPE = mcs.REFERENCE_COPY_OUTCOME_CONFLICTING_TYPE
PURGED = mcs.REFERENCE_COPY_OUTCOME_PURGED


@dataclass(frozen=True)
class CopyResult:
    outcome: Outcome
    sequence: int = 0
    """Change-log sequence of the last event appended (0 when nothing changed)."""


def _is_home(header: instances_pb2.InstanceHeader, ctx: WriteContext, field: str) -> None:
    if not header.metadata_collection_id:
        raise InvalidArgument(
            message="a reference copy must name its home",
            field_violations=[(f"{field}.header.metadata_collection_id", "required")],
        )
    if header.metadata_collection_id == ctx.local_id:
        raise FailedPrecondition(
            message=f"{header.guid} is homed here; it is not a reference copy",
            reason="IS_HOME",
            metadata={"guid": header.guid},
        )


def _decide(
    ctx: WriteContext,
    incoming: instances_pb2.InstanceHeader,
    stored: instances_pb2.InstanceHeader | None,
    category: int,
    field: str,
) -> Outcome:
    """Which outcome Egeria's rules give this copy (SAVED means: store it)."""
    require_guid(incoming.guid, f"{field}.header.guid")
    _is_home(incoming, ctx, field)
    try:
        ctx.types.require(incoming.type.type_def_name, category)
    except FailedPrecondition:
        return IGNORED_UNKNOWN_TYPE
    if stored is None:
        return SAVED
    if stored.metadata_collection_id == ctx.local_id or from_ts(stored.create_time) != from_ts(incoming.create_time):
        return CONFLICTING_INSTANCES
    if incoming.version <= stored.version:
        return IGNORED_OLDER_VERSION
    same_type = incoming.type.type_def_name == stored.type.type_def_name
    if same_type and incoming.type.type_def_version < stored.type.type_def_version:
        return CONFLICTING_TYPE
    return SAVED


def _what(stored: instances_pb2.InstanceHeader | None, incoming: instances_pb2.InstanceHeader) -> str:
    if stored is None:
        return "new"
    if incoming.status == DELETED and stored.status != DELETED:
        return "deleted"
    if stored.status == DELETED and incoming.status != DELETED:
        return "restored"
    return "updated"


def _valid_to(ctx: WriteContext, stored: instances_pb2.InstanceHeader, incoming: instances_pb2.InstanceHeader) -> int:
    # The home's clock dates the change; never end a version before it began.
    incoming_ms = from_ts(incoming.update_time) or ctx.time_ms
    return max(incoming_ms, from_ts(stored.update_time))


def save_entity_copy(txn: WriteTxn, ctx: WriteContext, entity: instances_pb2.EntityDetail) -> CopyResult:
    check_enums(entity, "entity")
    stored = txn.get_entity(entity.header.guid)
    stored_header = stored.header if stored is not None else None
    outcome = _decide(ctx, entity.header, stored_header, ENTITY_DEF, "entity")
    if outcome != SAVED:
        return CopyResult(outcome)
    if stored is not None:
        txn.save_entity_version(stored, _valid_to(ctx, stored.header, entity.header))
    txn.put_entity(entity)
    what = _what(stored_header, entity.header)
    return CopyResult(SAVED, events.log_entity(txn, ctx, what, entity, stored))


def save_relationship_copy(txn: WriteTxn, ctx: WriteContext, relationship: instances_pb2.Relationship) -> CopyResult:
    check_enums(relationship, "relationship")
    stored = txn.get_relationship(relationship.header.guid)
    stored_header = stored.header if stored is not None else None
    outcome = _decide(ctx, relationship.header, stored_header, RELATIONSHIP_DEF, "relationship")
    if outcome != SAVED:
        return CopyResult(outcome)
    for name in ("entity_one_proxy", "entity_two_proxy"):
        end: instances_pb2.EntityProxy = getattr(relationship, name)
        require_guid(end.header.guid, f"relationship.{name}.header.guid")
        if txn.get_entity(end.header.guid) is None and txn.get_proxy(end.header.guid) is None:
            txn.put_proxy(end)
    if stored is not None:
        txn.save_relationship_version(stored, _valid_to(ctx, stored.header, relationship.header))
    txn.put_relationship(relationship)
    what = _what(stored_header, relationship.header)
    return CopyResult(SAVED, events.log_relationship(txn, ctx, what, relationship, stored))


def purge_entity_copy(txn: WriteTxn, ctx: WriteContext, guid: str, home_id: str) -> CopyResult:
    """Remove a copy (or a proxy) for good. Relationship copies attached to it go too; this member's own
    relationships keep pointing at it through a proxy. Purging an unknown copy is a no-op (PURGED, 0)."""
    require_guid(guid, "guid")
    stored = txn.get_entity(guid)
    proxy = txn.get_proxy(guid) if stored is None else None
    header = stored.header if stored is not None else proxy.header if proxy is not None else None
    if header is None:
        return CopyResult(PURGED)
    _is_home(header, ctx, "entity")
    if home_id and header.metadata_collection_id != home_id:
        return CopyResult(IGNORED_BY_RULE)
    sequence = 0
    keep_proxy = False
    for relationship in txn.relationships_of(guid):
        if relationship.header.metadata_collection_id == ctx.local_id:
            keep_proxy = True
            continue
        txn.remove_relationship(relationship.header.guid)
        sequence = events.log_relationship(txn, ctx, "purged", relationship)
    txn.remove_entity(guid)
    if keep_proxy:
        txn.put_proxy(entity_to_proxy(ctx.types, stored) if stored is not None else proxy)  # type: ignore[arg-type]
    if stored is not None:
        sequence = events.log_entity(txn, ctx, "purged", stored)
    return CopyResult(PURGED, sequence)


def purge_relationship_copy(txn: WriteTxn, ctx: WriteContext, guid: str, home_id: str) -> CopyResult:
    require_guid(guid, "guid")
    stored = txn.get_relationship(guid)
    if stored is None:
        return CopyResult(PURGED)
    _is_home(stored.header, ctx, "relationship")
    if home_id and stored.header.metadata_collection_id != home_id:
        return CopyResult(IGNORED_BY_RULE)
    txn.remove_relationship(guid)
    return CopyResult(PURGED, events.log_relationship(txn, ctx, "purged", stored))


def save_graph_copies(
    txn: WriteTxn, ctx: WriteContext, graph: instances_pb2.InstanceGraph
) -> tuple[list[Outcome], list[Outcome], int]:
    """Entities first (so relationship ends resolve to full copies), then relationships, in order."""
    sequence = 0
    entity_outcomes: list[Outcome] = []
    for entity in graph.entities:
        result = save_entity_copy(txn, ctx, entity)
        entity_outcomes.append(result.outcome)
        sequence = max(sequence, result.sequence)
    relationship_outcomes: list[Outcome] = []
    for relationship in graph.relationships:
        result = save_relationship_copy(txn, ctx, relationship)
        relationship_outcomes.append(result.outcome)
        sequence = max(sequence, result.sequence)
    return entity_outcomes, relationship_outcomes, sequence
