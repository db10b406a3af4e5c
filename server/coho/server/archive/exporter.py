"""Writing a store's instances (and optionally its types) out as an Egeria open metadata archive.

Instances are exported exactly as stored: headers, properties and classifications unchanged, relationships
with the end proxies they were stored with. A classification extension that was attached to a proxy (an
entity this repository holds only as a proxy) is written back as a ClassificationEntityExtension record.
Types are exported at their final version (patches already applied), so the archive carries no patches, and
without the built-in properties coho carried over onto Egeria's definitions (see :mod:`.loader`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.server.archive.egeria_json import ArchiveProperties, ParsedArchive, archive_to_json
from coho.server.archive.loader import without_carried_properties
from coho.server.store.base import InstanceFilter, Page, Store
from coho.server.types import ENTITY, TypeRegistry

EXPORT_ARCHIVE_TYPE = "METADATA_EXPORT"
_PAGE_SIZE = 500
# Every status, so soft-deleted instances survive an export and reload (an empty filter excludes DELETED).
_ALL_STATUSES = frozenset(int(v) for v in typedefs_pb2.InstanceStatus.values() if v)
T = TypeVar("T")


def export_archive(store: Store, types: TypeRegistry, *, include_types: bool, home_ids: set[str] | None,
                   archive_name: str) -> dict[str, Any]:
    """The store's content as an Egeria archive (a JSON-ready dict); see :func:`build_export`."""
    return archive_to_json(build_export(store, types, include_types=include_types, home_ids=home_ids,
                                        archive_name=archive_name))


def build_export(store: Store, types: TypeRegistry, *, include_types: bool, home_ids: set[str] | None,
                 archive_name: str) -> ParsedArchive:
    """The export as a ParsedArchive (``.counts()`` gives ExportArchiveResponse.counts).

    ``home_ids`` selects instances by home metadata collection id; None exports every instance.
    """
    def selected(header: instances_pb2.InstanceHeader) -> bool:
        return home_ids is None or header.metadata_collection_id in home_ids

    entities = [e for e in _all(store.find_entities, InstanceFilter(statuses=_ALL_STATUSES)) if selected(e.header)]
    relationships = [r for r in _all(store.find_relationships, InstanceFilter(statuses=_ALL_STATUSES))
                     if selected(r.header)]
    archive = ParsedArchive(
        properties=ArchiveProperties(
            guid=str(uuid.uuid4()), name=archive_name, archive_type=EXPORT_ARCHIVE_TYPE,
            description=f"Exported from metadata collection {store.metadata_collection_id}",
            originator_name="coho", creation_time_ms=time.time_ns() // 1_000_000),
        entities=entities, relationships=relationships,
        classification_extensions=_proxy_extensions(store, {e.header.guid for e in entities}, home_ids),
    )
    if include_types:
        archive.attribute_type_defs = list(types.attribute_type_defs())
        archive.type_defs = [without_carried_properties(td) for td in _dependency_order(types)]
    return archive


def _all(find: Callable[[InstanceFilter], Page[T]], query: InstanceFilter) -> Iterator[T]:
    token = ""
    while True:
        page = find(InstanceFilter(statuses=query.statuses, include_proxies=query.include_proxies,
                                   page_size=_PAGE_SIZE, page_token=token))
        yield from page.items
        token = page.next_page_token
        if not token:
            return


def _proxy_extensions(store: Store, entity_guids: set[str],
                      home_ids: set[str] | None) -> list[instances_pb2.ClassificationEntityExtension]:
    """Classifications on proxies that the selected homes contributed (the proxy's own home did not)."""
    extensions = []
    query = InstanceFilter(statuses=_ALL_STATUSES, include_proxies=True)
    full = {e.header.guid for e in _all(store.find_entities, InstanceFilter(statuses=_ALL_STATUSES))}
    for candidate in _all(store.find_entities, query):
        guid = candidate.header.guid
        if guid in full or guid in entity_guids:
            continue
        proxy = store.get_proxy(guid)
        if proxy is None:
            continue
        for classification in proxy.classifications:
            home = classification.header.metadata_collection_id
            if home != proxy.header.metadata_collection_id and (home_ids is None or home in home_ids):
                target = instances_pb2.EntityProxy()
                target.CopyFrom(proxy)
                extensions.append(instances_pb2.ClassificationEntityExtension(
                    entity_to_classify=target, classification=classification))
    return extensions


def _dependency_order(types: TypeRegistry) -> list[typedefs_pb2.TypeDef]:
    """Entity types before the relationships and classifications that name them; supertypes first."""
    defs = types.type_defs()
    position = {td.name: i for i, td in enumerate(defs)}
    return sorted(defs, key=lambda td: (td.category != ENTITY, len(types.supertypes(td.name)), position[td.name]))
