"""The storage interface of a home repository.

Two layers keep Egeria's semantics out of SQL (DESIGN §4, §11):

- :class:`Store` (this module, one implementation per backend: ``sqlite.py`` now, PostgreSQL later) keeps
  rows: current instances, superseded versions, proxies, types, the change log, idempotency records and small
  key/value state. It knows nothing of versions, home rules or validation.
- :mod:`coho.server.repository` implements Egeria's rules on top of it and is the only caller of
  :meth:`Store.write`.

Writes go through :meth:`Store.write`: the callback runs on the single writer, inside a transaction that
also holds other callers' callbacks (group commit). A callback that raises is rolled back alone (it runs
inside its own SAVEPOINT), so one bad request never fails its neighbours. The change-log sequence a
callback receives from :meth:`WriteTxn.append_change` is final once :meth:`Store.write` returns.

Instances are protobuf messages (``coho.omrs.v1``): the core uses the wire model as its domain model,
which keeps archives, events and RPCs free of conversion layers. Times are epoch milliseconds (``int``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, NamedTuple, Protocol, TypeVar

from coho.omrs.v1 import common_pb2, events_pb2, instances_pb2, typedefs_pb2

T = TypeVar("T")

ChangeKind = Literal["entity", "relationship", "typedef", "registry", "other"]


@dataclass(frozen=True)
class ChangeMeta:
    """Who caused a change. Recorded with its change-log entry; integration reports select by refresh_id."""

    user_id: str = ""
    connector_id: str = ""
    refresh_id: str = ""
    metadata_source: str = ""
    access_service: str = ""


@dataclass(frozen=True)
class ChangeRecord:
    """One change-log entry as read back."""

    sequence: int
    event: events_pb2.OmrsEvent
    guid: str
    type_name: str
    kind: str
    time_ms: int
    meta: ChangeMeta


class WriteTxn(Protocol):
    """Row operations available to a :meth:`Store.write` callback. Only valid during that callback.

    Reads here see the transaction's own earlier writes (read-your-writes within a group commit).
    """

    # -- entities and proxies ---------------------------------------------------------------------
    def get_entity(self, guid: str) -> instances_pb2.EntityDetail | None:
        """The current full entity (home or reference copy), or None (also when only a proxy is stored)."""

    def get_entities(self, guids: Sequence[str]) -> dict[str, instances_pb2.EntityDetail]:
        """get_entity for many GUIDs at once (a batch's reads in a few statements): GUID -> entity for those
        stored as full entities; the others are left out."""

    def get_proxy(self, guid: str) -> instances_pb2.EntityProxy | None:
        """The stored proxy, or None. A full entity is not a proxy: use get_entity for it."""

    def put_entity(self, entity: instances_pb2.EntityDetail) -> None:
        """Insert or replace the current entity (replacing a proxy of the same GUID), and re-index it."""

    def put_proxy(self, proxy: instances_pb2.EntityProxy) -> None:
        """Insert or replace a proxy. Never replaces a full entity (the caller checks)."""

    def save_entity_version(self, superseded: instances_pb2.EntityDetail, valid_to_ms: int) -> None:
        """Keep a superseded version in history: it was current from its update_time until valid_to_ms."""

    def remove_entity(self, guid: str) -> None:
        """Purge the entity or proxy with this GUID, with its history and index rows."""

    # -- relationships ------------------------------------------------------------------------------
    def get_relationship(self, guid: str) -> instances_pb2.Relationship | None: ...

    def put_relationship(self, relationship: instances_pb2.Relationship) -> None: ...

    def save_relationship_version(self, superseded: instances_pb2.Relationship, valid_to_ms: int) -> None: ...

    def remove_relationship(self, guid: str) -> None: ...

    def relationships_of(self, entity_guid: str) -> list[instances_pb2.Relationship]:
        """Every current relationship with this entity at either end, in any status."""

    def relationships_of_many(self, entity_guids: Sequence[str]) -> dict[str, list[instances_pb2.Relationship]]:
        """relationships_of for many entities at once: a list (maybe empty) for every GUID asked."""

    def find_link(self, type_name: str, end_one_guid: str, end_two_guid: str) -> str | None:
        """GUID of a non-deleted relationship of exactly this type between these ends (for multi_link=false)."""

    # -- unique values ------------------------------------------------------------------------------
    def find_by_unique(self, type_names: Sequence[str], property_name: str, value: str) -> str | None:
        """GUID of a non-deleted current entity of one of these types whose string property equals value."""

    def find_by_unique_many(
        self, type_names: Sequence[str], property_name: str, values: Sequence[str]
    ) -> dict[str, str]:
        """find_by_unique for many values at once: value -> GUID for the values that are held. Looking a batch's
        values up together also makes the per-value find_by_unique calls that follow cheap."""

    # -- change log ---------------------------------------------------------------------------------
    def append_change(
        self, event: events_pb2.OmrsEvent, *, guid: str, type_name: str, kind: ChangeKind, meta: ChangeMeta
    ) -> int:
        """Append to the change log in this transaction; returns the new sequence."""

    # -- idempotent retries -------------------------------------------------------------------------
    def get_request(self, request_id: str, user_id: str) -> bytes | None:
        """The stored response of an earlier request with this id by this user."""

    def put_request(self, request_id: str, user_id: str, response: bytes) -> None: ...

    # -- types and state ----------------------------------------------------------------------------
    def put_type_def(self, type_def: typedefs_pb2.TypeDef) -> None: ...

    def put_attribute_type_def(self, attribute_type_def: typedefs_pb2.AttributeTypeDef) -> None: ...

    def get_state(self, key: str) -> bytes | None:
        """Small persistent state: collection id, cohort registry, cursors, subscriptions."""

    def put_state(self, key: str, value: bytes) -> None: ...


ChangeAnnexer = Callable[[events_pb2.OmrsEvent, ChangeMeta], "tuple[int, bytes] | None"]
"""Computes, on the writer thread, an opaque (tag, bytes) kept beside a change-log entry (see
:meth:`Store.set_change_annexer`)."""


class AnnexRecord(NamedTuple):
    """A change-log entry's filter columns and the annex computed for it (None when there is none).

    A NamedTuple rather than a frozen dataclass: one is built per change-log row on the Out Topic's
    catch-up path, and a tuple is cheaper to build (immutable and attribute-compatible all the same).
    """

    sequence: int
    guid: str
    type_name: str
    access_service: str
    tag: int
    annex: bytes | None


@dataclass(frozen=True)
class InstanceFilter:
    """One filter object for every instance query (DESIGN §11: no positional flags).

    The repository resolves type names to the full set of names (the type and all its subtypes) before
    calling the store, so the store never needs the type system.
    """

    type_names: frozenset[str] | None = None
    """Allowed type names (already expanded with subtypes); None for every type."""
    match_properties: common_pb2.SearchProperties | None = None
    match_classifications: common_pb2.SearchClassifications | None = None
    statuses: frozenset[int] = frozenset()
    """InstanceStatus values; empty means every status except DELETED."""
    as_of_ms: int | None = None
    sequencing: common_pb2.Sequencing | None = None
    page_size: int = 100
    page_token: str = ""
    include_proxies: bool = False
    regex: str | None = None
    """For find-by-property-value: a pattern that must fully match one string property value."""
    regex_budget_ms: int = 2000
    """Total time the regex scan may take before it returns a partial page."""
    entity_guid: str | None = None
    """For relationships: only those with this entity at one end."""


class LinkEnds(NamedTuple):
    """A live relationship's type and end GUIDs, read without decoding its body (see :meth:`Store.find_links`)."""

    guid: str
    type_name: str
    end_one_guid: str
    end_two_guid: str


@dataclass(frozen=True)
class LinkQuery:
    """Live (not DELETED) current relationships of some types with one of some entities at a given end.

    For walking known link types from many entities at once (a page's parents, an ExternalId page's
    elements): one index seek per entity in one statement, where find_relationships pages one entity at a time.
    """

    type_names: frozenset[str]
    entity_guids: tuple[str, ...]
    end: Literal[0, 1, 2] = 0
    """The end the entities must be at: 1, 2, or 0 for either."""


@dataclass
class Page(Generic[T]):
    """One page of results."""

    items: list[T] = field(default_factory=list)
    next_page_token: str = ""
    partial: bool = False
    """True when a bounded scan (regex) stopped before the page was full."""


@dataclass(frozen=True)
class HistoryQuery:
    guid: str
    from_ms: int | None = None
    to_ms: int | None = None
    backwards: bool = False
    page_size: int = 100
    page_token: str = ""


@dataclass(frozen=True)
class Counts:
    entities: int
    relationships: int
    entity_proxies: int
    reference_copies: int
    type_defs: int
    attribute_type_defs: int
    deleted_entities: int = 0
    deleted_relationships: int = 0


class Store(abc.ABC):
    """A home repository's storage backend. Reads may run on any thread; writes go through :meth:`write`."""

    metadata_collection_id: str
    """Fixed when the store is first created, and kept for its lifetime."""

    # -- writing --------------------------------------------------------------------------------------
    @abc.abstractmethod
    async def write(self, op: Callable[[WriteTxn], T]) -> T:
        """Run op on the single writer inside a group-committed transaction; return its result once durable.

        If op raises, its own changes are rolled back and the exception propagates to this caller only.
        """

    @abc.abstractmethod
    def write_sync(self, op: Callable[[WriteTxn], T]) -> T:
        """Like write, for callers without an event loop (the CLI). Must not be called from the loop."""

    # -- reading instances ---------------------------------------------------------------------------
    @abc.abstractmethod
    def get_entity(self, guid: str, as_of_ms: int | None = None) -> instances_pb2.EntityDetail | None: ...

    @abc.abstractmethod
    def get_proxy(self, guid: str) -> instances_pb2.EntityProxy | None: ...

    @abc.abstractmethod
    def get_relationship(self, guid: str, as_of_ms: int | None = None) -> instances_pb2.Relationship | None: ...

    @abc.abstractmethod
    def entity_history(self, query: HistoryQuery) -> Page[instances_pb2.EntityDetail]:
        """Versions whose validity overlaps [from, to], including the current one, oldest first unless backwards."""

    @abc.abstractmethod
    def relationship_history(self, query: HistoryQuery) -> Page[instances_pb2.Relationship]: ...

    @abc.abstractmethod
    def find_entities(self, query: InstanceFilter) -> Page[instances_pb2.EntityDetail]: ...

    @abc.abstractmethod
    def find_relationships(self, query: InstanceFilter) -> Page[instances_pb2.Relationship]: ...

    @abc.abstractmethod
    def deleted_before(self, kind: ChangeKind, home_id: str, before_ms: int, limit: int) -> list[str]:
        """GUIDs of soft-deleted entities (kind "entity") or relationships homed at ``home_id`` whose deletion
        (their last update) is older than ``before_ms``, oldest first: what the deleted-instance retention
        purges."""

    @abc.abstractmethod
    def find_by_unique(self, type_names: Sequence[str], property_name: str, value: str) -> str | None:
        """As WriteTxn.find_by_unique, outside a transaction (an index seek)."""

    # Not abstract: these defaults keep a new backend correct from its other reads; backends override them
    # with one statement each (the SQLite store does).
    def get_entities(self, guids: Sequence[str]) -> dict[str, instances_pb2.EntityDetail]:
        """The current full entities among guids (any status; proxies and unknown GUIDs are left out)."""
        found = {guid: self.get_entity(guid) for guid in dict.fromkeys(guids)}
        return {guid: entity for guid, entity in found.items() if entity is not None}

    def find_links(self, query: LinkQuery) -> list[LinkEnds]:
        """Relationships matching query, in relationship GUID order (each once)."""
        found: dict[str, LinkEnds] = {}
        for guid in dict.fromkeys(query.entity_guids):
            token = ""
            while True:
                page = self.find_relationships(InstanceFilter(
                    type_names=query.type_names, entity_guid=guid, page_size=1000, page_token=token))
                for relationship in page.items:
                    one = relationship.entity_one_proxy.header.guid
                    two = relationship.entity_two_proxy.header.guid
                    if (query.end == 1 and one != guid) or (query.end == 2 and two != guid):
                        continue
                    header = relationship.header
                    found[header.guid] = LinkEnds(header.guid, header.type.type_def_name, one, two)
                token = page.next_page_token
                if not token:
                    break
        return [found[guid] for guid in sorted(found)]

    # -- change log ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def read_changes(self, after_sequence: int, limit: int) -> list[ChangeRecord]:
        """Entries with sequence > after_sequence, ascending. Raises OutOfRange below the retention floor."""

    @abc.abstractmethod
    def read_annexes(self, after_sequence: int, limit: int) -> list[AnnexRecord]:
        """As read_changes, but only the filter columns and the annex: the cheap path for consumers (the Out
        Topic) whose encoded form was computed at write time. Same OUT_OF_RANGE rule."""

    def read_annex_frames(self, after_sequence: int, limit: int) -> list[tuple[int, bytes | None]]:
        """(sequence, annex) of the entries after ``after_sequence``: all an unfiltered Out Topic catch-up needs.
        Same OUT_OF_RANGE rule as read_changes; backends override it with one plain query."""
        return [(record.sequence, record.annex) for record in self.read_annexes(after_sequence, limit)]

    @abc.abstractmethod
    def changes_for_refresh(self, refresh_id: str, after_sequence: int = 0, limit: int = -1) -> list[ChangeRecord]:
        """The entries tagged with this refresh id after ``after_sequence``, ascending, at most ``limit`` of them
        (negative: all) (integration reports). Same OUT_OF_RANGE rule as read_changes: pass a sequence at or
        before the refresh's start, and a floor above it tells the caller that entries may be missing."""

    @abc.abstractmethod
    def head_sequence(self) -> int: ...

    @abc.abstractmethod
    def floor_sequence(self) -> int:
        """The oldest sequence still retained (entries below it were compacted); 0 when nothing was.

        Cheap, and safe from any thread: the event loop and metrics scrapes call it."""

    @abc.abstractmethod
    def history_floor_ms(self) -> int:
        """Versions superseded before this time (epoch ms) were dropped by the history retention; 0: none.

        Cheap, and safe from any thread, like floor_sequence."""

    @abc.abstractmethod
    def add_commit_listener(self, listener: Callable[[int], None]) -> None:
        """Call listener(head_sequence) on the writer thread after every commit that appended changes.

        Listeners must be quick and thread-safe (e.g. ``loop.call_soon_threadsafe``); an exception in one is
        logged and ignored, since a notification problem must never fail a write that already committed.
        """

    @abc.abstractmethod
    def set_change_annexer(self, annexer: ChangeAnnexer | None) -> None:
        """Have every later append_change also store annexer(event, meta) beside the entry.

        The store never interprets the annex: the runtime installs the Out Topic's encoder here so that a
        catch-up reads pre-encoded events instead of decoding and mapping each one again. Entries written
        without an annexer (or for which it returns None) read back with annex None.
        """

    @abc.abstractmethod
    def compact_changes(self, keep_after_sequence: int) -> int:
        """Drop entries with sequence <= keep_after_sequence; returns how many went. Raises the floor."""

    # -- types and state ----------------------------------------------------------------------------
    @abc.abstractmethod
    def load_types(self) -> typedefs_pb2.TypeDefGallery:
        """Every stored attribute type and type, for building the in-memory type registry at start."""

    @abc.abstractmethod
    def get_state(self, key: str) -> bytes | None: ...

    @abc.abstractmethod
    def counts(self) -> Counts: ...

    @abc.abstractmethod
    def integrity_check(self) -> str:
        """'ok' when the backing store is sound."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Drain the writer and close connections."""

    @abc.abstractmethod
    def close_sync(self) -> None: ...
