"""Loading a parsed Egeria archive into a home repository, in one write transaction.

Two phases keep the transaction short and all-or-nothing:

1. **Plan** (pure, no store): stage the archive's types on a copy of the registry (attribute types, type
   defs in supertype order, then patches) and validate every instance against the staged types: its type,
   properties, classifications and relationship ends. Any problem raises ``InvalidArgument`` with reason
   ``ARCHIVE_INVALID`` naming the element, before anything is written.
2. **Store** (one :meth:`Store.write` callback): persist the changed types, then entities, proxies for ends
   that are neither in the archive nor stored as entities, relationships and classification extensions.
   Each stored instance appends a change-log event (Out Topic, cohort, reports read nothing else). An
   instance already stored at the same or a higher version is skipped, so a second load changes nothing.

Instances keep their headers as given: GUID, version, home (the archive's collection) and provenance
(CONTENT_PACK when the archive leaves it unset; Egeria's REPOSITORY_BACKUP archives say LOCAL_COHORT and are
restored as such). They are reference copies here: the home rule keeps them read-only on this server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from coho.omrs.v1 import events_pb2, instances_pb2, type_service_pb2, typedefs_pb2
from coho.server.archive.egeria_json import ARCHIVE_INVALID, ParsedArchive
from coho.server.errors import CohoError, InvalidArgument
from coho.server.repository.api import SYSTEM, Caller
from coho.server.repository.events import PROTOCOL_VERSION, log_entity, log_relationship
from coho.server.repository.headers import WriteContext, to_ts
from coho.server.store.base import Store, WriteTxn
from coho.server.types import CLASSIFICATION, ENTITY, RELATIONSHIP, TypeRegistry
from coho.server.types.registry import CARRIED_OPTION

ArchiveCounts = type_service_pb2.ArchiveCounts
CONTENT_PACK = instances_pb2.INSTANCE_PROVENANCE_TYPE_CONTENT_PACK
ARCHIVE_INDEX = "archive_index"
"""Error metadata key: the position, in a multi-archive load, of the archive that failed."""
T = TypeVar("T")


@dataclass
class LoadResult:
    """What a load changed (``loaded``) and what the archive held (``in_archive``)."""

    archive_guid: str
    archive_name: str
    loaded: type_service_pb2.ArchiveCounts
    in_archive: type_service_pb2.ArchiveCounts
    types: TypeRegistry
    """The registry including the archive's types: swap it in after the write returns."""
    sequence: int = 0
    """The last change-log sequence the load wrote (0 when it changed nothing or validate_only)."""
    unmodelled: list[str] = field(default_factory=list)

    @property
    def already_present(self) -> type_service_pb2.ArchiveCounts:
        counts = ArchiveCounts()
        for name in ArchiveCounts.DESCRIPTOR.fields_by_name:
            setattr(counts, name, max(0, getattr(self.in_archive, name) - getattr(self.loaded, name)))
        return counts


# -- phase 1: plan --------------------------------------------------------------------------------------


@dataclass
class _Plan:
    parsed: ParsedArchive
    staged: TypeRegistry
    new_attribute_types: list[typedefs_pb2.AttributeTypeDef]
    changed_types: list[str]
    """Names of types added or changed by the archive (by a definition or a patch), each once."""
    previously_known: set[str]
    patches_applied: int
    proxies: dict[str, instances_pb2.EntityProxy]


def _element_error(element: str, err: CohoError, default_inner: str = "") -> InvalidArgument:
    inner, problem = err.field_violations[0] if err.field_violations else (default_inner, err.message)
    path = f"{element}: {inner}" if inner else element
    return InvalidArgument(reason=ARCHIVE_INVALID, message=f"{path}: {problem}",
                           field_violations=[(path, problem)], metadata={**err.metadata, "cause": err.reason})


def plan_load(types: TypeRegistry, parsed: ParsedArchive) -> _Plan:
    """Stage the archive's types and validate its instances; raises InvalidArgument(ARCHIVE_INVALID)."""
    staged = types.copy()
    new_atds = []
    for i, atd in enumerate(parsed.attribute_type_defs):
        try:
            if staged.add_attribute_type_def(atd):
                new_atds.append(atd)
        except CohoError as err:
            raise _element_error(f"archiveTypeStore.attributeTypeDefs[{i}] ({atd.name})", err) from None
    try:
        changed = staged.add_type_defs(parsed.type_defs)
    except CohoError as err:
        # add_type_defs reorders by supertype, so find the culprit's position in the archive by name.
        name = err.metadata.get("type_name", "")
        index = next((i for i, td in enumerate(parsed.type_defs) if td.name == name), None)
        element = f"archiveTypeStore.newTypeDefs[{index}] ({name})" if index is not None else "archiveTypeStore"
        raise _element_error(element, err) from None
    applied = 0
    for i, patch in enumerate(parsed.patches):
        try:
            result = staged.apply_patch(patch)
        except CohoError as err:
            raise _element_error(f"archiveTypeStore.typeDefPatches[{i}] ({patch.type_def_name})", err) from None
        if result is not None:
            applied += 1
            changed.append(result.name)
    _validate_instances(staged, parsed)
    return _Plan(parsed=parsed, staged=staged, new_attribute_types=new_atds,
                 changed_types=list(dict.fromkeys(changed)),
                 previously_known={n for n in changed if types.get_type_def(n) is not None},
                 patches_applied=applied, proxies=_proxies(parsed))


def _validate_classifications(types: TypeRegistry, classifications: Iterable[instances_pb2.Classification],
                              entity_type: str, path: str) -> None:
    for i, classification in enumerate(classifications):
        types.validate_classification(classification.name, entity_type, f"{path}[{i}]", for_new_instance=False)
        types.validate_properties(classification.name, classification.properties,
                                  f"{path}[{i}].properties.instanceProperties")


def _validate_entity(types: TypeRegistry, entity: instances_pb2.EntityDetail) -> None:
    name = entity.header.type.type_def_name
    types.require(name, ENTITY, for_new_instance=False)
    types.validate_properties(name, entity.properties, "properties.instanceProperties")
    _validate_classifications(types, entity.classifications, name, "classifications")


def _validate_proxy(types: TypeRegistry, proxy: instances_pb2.EntityProxy, path: str) -> None:
    name = proxy.header.type.type_def_name
    try:
        types.require(name, ENTITY, for_new_instance=False)
    except CohoError as err:
        err.field_violations = [(f"{path}.type", err.message)]
        raise
    _validate_classifications(types, proxy.classifications, name, f"{path}.classifications")


def _validate_relationship(types: TypeRegistry, relationship: instances_pb2.Relationship) -> None:
    name = relationship.header.type.type_def_name
    types.require(name, RELATIONSHIP, for_new_instance=False)
    types.validate_properties(name, relationship.properties, "properties.instanceProperties")
    _validate_proxy(types, relationship.entity_one_proxy, "entityOneProxy")
    _validate_proxy(types, relationship.entity_two_proxy, "entityTwoProxy")
    try:
        types.validate_relationship_ends(name, relationship.entity_one_proxy.header.type.type_def_name,
                                         relationship.entity_two_proxy.header.type.type_def_name,
                                         for_new_instance=False)
    except CohoError as err:  # name the ends as the JSON does
        renames = {"entity_one_proxy": "entityOneProxy", "entity_two_proxy": "entityTwoProxy"}
        err.field_violations = [(renames.get(p, p), d) for p, d in err.field_violations]
        raise


def _validate_extension(types: TypeRegistry, extension: instances_pb2.ClassificationEntityExtension) -> None:
    _validate_proxy(types, extension.entity_to_classify, "entityToClassify")
    classification = extension.classification
    types.require(classification.name, CLASSIFICATION, for_new_instance=False)
    _validate_classifications(types, [classification], extension.entity_to_classify.header.type.type_def_name,
                              "classification")


def _validate_instances(types: TypeRegistry, parsed: ParsedArchive) -> None:
    store = "archiveInstanceStore"
    for i, entity in enumerate(parsed.entities):
        try:
            _validate_entity(types, entity)
        except CohoError as err:
            raise _element_error(f"{store}.entities[{i}] (guid {entity.header.guid})", err, "type") from None
    for i, rel in enumerate(parsed.relationships):
        try:
            _validate_relationship(types, rel)
        except CohoError as err:
            raise _element_error(f"{store}.relationships[{i}] (guid {rel.header.guid})", err, "type") from None
    for i, ext in enumerate(parsed.classification_extensions):
        try:
            _validate_extension(types, ext)
        except CohoError as err:
            element = f"{store}.classifications[{i}] (entity {ext.entity_to_classify.header.guid})"
            raise _element_error(element, err, "classification") from None


def _proxies(parsed: ParsedArchive) -> dict[str, instances_pb2.EntityProxy]:
    """The first proxy given for each end that is not an entity of the archive."""
    wanted = set(parsed.proxy_guids())
    found: dict[str, instances_pb2.EntityProxy] = {}
    ends = [p for r in parsed.relationships for p in (r.entity_one_proxy, r.entity_two_proxy)]
    ends += [x.entity_to_classify for x in parsed.classification_extensions]
    for proxy in ends:
        if proxy.header.guid in wanted:
            found.setdefault(proxy.header.guid, proxy)
    return found


# -- phase 2: store -------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised at the end of a validate_only write so the store rolls everything back."""

    def __init__(self, counts: list[type_service_pb2.ArchiveCounts]) -> None:
        super().__init__("validate only")
        self.counts = counts


@dataclass
class _Writer:
    """One load's work inside the write transaction."""

    txn: WriteTxn
    ctx: WriteContext
    plan: _Plan
    counts: type_service_pb2.ArchiveCounts = field(default_factory=ArchiveCounts)
    sequence: int = 0

    def run(self) -> type_service_pb2.ArchiveCounts:
        self._types()
        for entity in self.plan.parsed.entities:
            self._entity(_as_content(entity))
        for proxy in self.plan.proxies.values():
            self._proxy(_as_content(proxy))
        for relationship in self.plan.parsed.relationships:
            self._relationship(_as_content(relationship))
        for extension in self.plan.parsed.classification_extensions:
            self._extension(extension)
        return self.counts

    def _types(self) -> None:
        staged = self.plan.staged
        for atd in self.plan.new_attribute_types:
            stored = staged.get_attribute_type_def(atd.name) or atd
            self.txn.put_attribute_type_def(stored)
            self._log_type(events_pb2.TypeDefEventSection(
                event_type=events_pb2.TYPE_DEF_EVENT_TYPE_NEW_ATTRIBUTE_TYPEDEF_EVENT, attribute_type_def=stored),
                stored.guid, stored.name)
        for name in self.plan.changed_types:
            td = staged.get_type_def(name)
            assert td is not None  # staged moments ago
            self.txn.put_type_def(td)
            event_type = (events_pb2.TYPE_DEF_EVENT_TYPE_UPDATED_TYPEDEF_EVENT if name in self.plan.previously_known
                          else events_pb2.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT)
            self._log_type(events_pb2.TypeDefEventSection(event_type=event_type, type_def=td), td.guid, td.name)
        self.counts.attribute_type_defs = len(self.plan.new_attribute_types)
        self.counts.type_def_patches = self.plan.patches_applied
        self.counts.type_defs = len(self.plan.changed_types)

    def _log_type(self, section: events_pb2.TypeDefEventSection, guid: str, name: str) -> None:
        event = events_pb2.OmrsEvent(protocol_version=PROTOCOL_VERSION, timestamp=to_ts(self.ctx.time_ms),
                                     originator=self.ctx.originator(),
                                     category=events_pb2.OMRS_EVENT_CATEGORY_TYPEDEF, typedef=section)
        self.sequence = self.txn.append_change(event, guid=guid, type_name=name, kind="typedef",
                                               meta=self.ctx.caller.change_meta())

    def _entity(self, entity: instances_pb2.EntityDetail) -> None:
        stored = self.txn.get_entity(entity.header.guid)
        if stored is not None and stored.header.version >= entity.header.version:
            return
        if stored is not None:
            self.txn.save_entity_version(stored, self.ctx.time_ms)
        self.txn.put_entity(entity)
        self.sequence = log_entity(self.txn, self.ctx, "new" if stored is None else "updated", entity, stored)
        self.counts.entities += 1

    def _proxy(self, proxy: instances_pb2.EntityProxy) -> None:
        guid = proxy.header.guid
        if self.txn.get_entity(guid) is not None:
            return  # a full entity is never replaced by a proxy
        stored = self.txn.get_proxy(guid)
        if stored is not None and stored.header.version >= proxy.header.version:
            return
        self.txn.put_proxy(proxy)
        self.counts.entity_proxies += 1

    def _relationship(self, relationship: instances_pb2.Relationship) -> None:
        stored = self.txn.get_relationship(relationship.header.guid)
        if stored is not None and stored.header.version >= relationship.header.version:
            return
        if stored is not None:
            self.txn.save_relationship_version(stored, self.ctx.time_ms)
        self.txn.put_relationship(relationship)
        self.sequence = log_relationship(self.txn, self.ctx, "new" if stored is None else "updated",
                                         relationship, stored)
        self.counts.relationships += 1

    def _extension(self, extension: instances_pb2.ClassificationEntityExtension) -> None:
        guid = extension.entity_to_classify.header.guid
        incoming = extension.classification
        target: instances_pb2.EntityDetail | instances_pb2.EntityProxy | None = self.txn.get_entity(guid)
        if target is None:
            target = self.txn.get_proxy(guid)
        if target is None:  # the plan made a proxy for every target that is not an entity
            raise AssertionError(f"classification target {guid} was not stored")
        existing = next((c for c in target.classifications if c.name == incoming.name), None)
        if existing is not None and existing.header.version >= incoming.header.version:
            return
        kept = [c for c in target.classifications if c.name != incoming.name]
        if isinstance(target, instances_pb2.EntityDetail):
            entity = instances_pb2.EntityDetail()
            entity.CopyFrom(target)
            del entity.classifications[:]
            entity.classifications.extend([*kept, incoming])
            self.txn.put_entity(entity)
            what = "classified" if existing is None else "reclassified"
            self.sequence = log_entity(self.txn, self.ctx, what, entity, target, classification=incoming,
                                       original_classification=existing)
        else:
            # A proxy has no entity events; the classification travels with the proxy in relationship events.
            proxy = instances_pb2.EntityProxy()
            proxy.CopyFrom(target)
            del proxy.classifications[:]
            proxy.classifications.extend([*kept, incoming])
            self.txn.put_proxy(proxy)
        self.counts.classifications += 1


_Instance = TypeVar("_Instance", instances_pb2.EntityDetail, instances_pb2.EntityProxy, instances_pb2.Relationship)


def _as_content(instance: _Instance) -> _Instance:
    """The instance as stored: its header as given, with CONTENT_PACK provenance when the archive left it unset."""
    if instance.header.instance_provenance_type:
        return instance
    copy = type(instance)()
    copy.CopyFrom(instance)
    copy.header.instance_provenance_type = CONTENT_PACK
    return copy


# -- entry points ---------------------------------------------------------------------------------------


def _plans(types: TypeRegistry, archives: Iterable[ParsedArchive]) -> list[_Plan]:
    """Plan each archive against the types staged by the ones before it (e.g. OpenMetadataTypes, then Coco)."""
    plans = []
    for index, parsed in enumerate(archives):
        try:
            plans.append(plan_load(types, parsed))
        except CohoError as err:
            err.metadata[ARCHIVE_INDEX] = str(index)  # so a caller loading several files can name the file
            raise
        types = plans[-1].staged
    return plans


def _operation(store: Store, plans: list[_Plan], *, caller: Caller, validate_only: bool, collection_name: str,
               server_name: str) -> Callable[[WriteTxn], list[tuple[ArchiveCounts, int]]]:
    def op(txn: WriteTxn) -> list[tuple[type_service_pb2.ArchiveCounts, int]]:
        results = []
        for plan in plans:
            ctx = WriteContext(types=plan.staged, local_id=store.metadata_collection_id,
                               local_name=collection_name, server_name=server_name, caller=caller,
                               time_ms=time.time_ns() // 1_000_000)
            writer = _Writer(txn=txn, ctx=ctx, plan=plan)
            results.append((writer.run(), writer.sequence))
        if validate_only:
            raise _DryRun([counts for counts, _ in results])
        return results
    return op


def _results(plans: list[_Plan], outcomes: list[tuple[ArchiveCounts, int]]) -> list[LoadResult]:
    return [LoadResult(archive_guid=plan.parsed.properties.guid, archive_name=plan.parsed.properties.name,
                       loaded=counts, in_archive=plan.parsed.counts(), types=plan.staged, sequence=sequence,
                       unmodelled=list(plan.parsed.unmodelled))
            for plan, (counts, sequence) in zip(plans, outcomes, strict=True)]


async def load_archive(store: Store, types: TypeRegistry, parsed: ParsedArchive, *, caller: Caller = SYSTEM,
                       validate_only: bool = False, collection_name: str = "", server_name: str = "") -> LoadResult:
    """Load an archive in one :meth:`Store.write`; with validate_only, report what would load and store nothing.

    Raises InvalidArgument(reason=ARCHIVE_INVALID) naming the element; nothing is stored then.
    """
    plans = _plans(types, [parsed])
    op = _operation(store, plans, caller=caller, validate_only=validate_only, collection_name=collection_name,
                    server_name=server_name)
    try:
        outcomes = await store.write(op)
    except _DryRun as dry:
        outcomes = [(counts, 0) for counts in dry.counts]
    return _results(plans, outcomes)[0]


def load_archives_sync(store: Store, types: TypeRegistry, archives: list[ParsedArchive], *,
                       caller: Caller = SYSTEM, validate_only: bool = False, collection_name: str = "",
                       server_name: str = "") -> list[LoadResult]:
    """Load several archives, in order, in one :meth:`Store.write_sync` (all or nothing): for the CLI.

    The last result's ``types`` holds every archive's types.
    """
    plans = _plans(types, archives)
    op = _operation(store, plans, caller=caller, validate_only=validate_only, collection_name=collection_name,
                    server_name=server_name)
    try:
        outcomes = store.write_sync(op)
    except _DryRun as dry:
        outcomes = [(counts, 0) for counts in dry.counts]
    return _results(plans, outcomes)


def load_archive_sync(store: Store, types: TypeRegistry, parsed: ParsedArchive, *, caller: Caller = SYSTEM,
                      validate_only: bool = False, collection_name: str = "", server_name: str = "") -> LoadResult:
    """:func:`load_archive` for callers without an event loop, through :meth:`Store.write_sync`."""
    return load_archives_sync(store, types, [parsed], caller=caller, validate_only=validate_only,
                              collection_name=collection_name, server_name=server_name)[0]


def load_types_from_store(store: Store) -> TypeRegistry:
    """The registry a server starts with: the built-in types, then every stored type in dependency order.

    A stored type that replaced a built-in one carries the built-in properties the archive lacked (listed in
    the CARRIED_OPTION option). They are stripped before re-adding, so the registry recomputes them and
    remembers the archive's own definition: loading the same archive again after a restart is a no-op.
    """
    types = TypeRegistry.with_builtin_types()
    gallery = store.load_types()
    for atd in gallery.attribute_type_defs:
        types.add_attribute_type_def(atd)
    types.add_type_defs(without_carried_properties(td) for td in gallery.type_defs)
    return types


def without_carried_properties(td: typedefs_pb2.TypeDef) -> typedefs_pb2.TypeDef:
    carried = td.options.get(CARRIED_OPTION)
    if not carried:
        return td
    names = set(carried.split(","))
    original = typedefs_pb2.TypeDef()
    original.CopyFrom(td)
    del original.options[CARRIED_OPTION]
    kept = [a for a in original.properties_definition if a.attribute_name not in names]
    del original.properties_definition[:]
    original.properties_definition.extend(kept)
    return original
