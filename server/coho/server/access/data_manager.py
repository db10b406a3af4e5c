"""The Data Manager access service core (Egeria's Data Manager OMAS), over the home repository. No grpc here.

Writes run as one :meth:`Store.write` each (the whole batch commits or nothing does); reads use the store's
readers directly. The caller's metadata source is stamped on what it creates (``header.external_source``)
and on the change-log entries, so integration reports and Out Topic consumers can tell who did what.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import elements_pb2
from coho.omrs.v1 import common_pb2, instances_pb2
from coho.server.access import data_mapping as mapping
from coho.server.access import data_upsert
from coho.server.access.data_tree import descendants, parents_of_entities
from coho.server.access.metadata import RepositoryLike
from coho.server.access.views import element_header
from coho.server.errors import InvalidArgument, NotFound, PermissionDenied
from coho.server.repository import entities
from coho.server.repository.api import Caller, Written
from coho.server.repository.core import check_regex, page_size_of
from coho.server.repository.headers import DELETED, WriteContext, entity_not_found
from coho.server.store.base import InstanceFilter, Page, WriteTxn

OUT = elements_pb2
DEFAULT_CHILDREN_PAGE = 500
MAX_CHILDREN_PAGE = 5000
STORE_PAGE = 1000
"""The store's own page limit; a larger children page is filled from several store pages."""


def effective_caller(caller: Caller, external_source: str) -> Caller:
    """The caller with its metadata source: the connector's own, or the request's for other callers."""
    if caller.metadata_source:
        if external_source and external_source != caller.metadata_source:
            raise PermissionDenied(
                message=f"a connector for {caller.metadata_source!r} cannot write as {external_source!r}",
                reason="EXTERNAL_SOURCE_MISMATCH",
                metadata={"metadata_source": caller.metadata_source, "external_source": external_source},
            )
        return caller
    if external_source:
        return dataclasses.replace(caller, metadata_source=external_source)
    return caller


class DataManager:
    """Typed data elements keyed by qualifiedName. ``repository`` is duck-typed: it needs ``store``,
    ``types``, ``write_context(caller)`` and ``metadata_collection_id``."""

    def __init__(self, repository: RepositoryLike) -> None:
        self.repository = repository

    @property
    def metadata_collection_id(self) -> str:
        return str(self.repository.metadata_collection_id)

    # -- writes ---------------------------------------------------------------------------------------
    async def upsert_elements(
        self, caller: Caller, elements: Sequence[dm.DataElement], *, external_source: str = ""
    ) -> Written[list[elements_pb2.ElementResult]]:
        """Create, update or leave alone each element, in one transaction; sequence 0 when nothing changed."""
        items = data_upsert.prepare(list(elements))
        who = effective_caller(caller, external_source)
        return await self.repository.write(who, lambda txn, ctx: data_upsert.upsert(txn, ctx, items))

    async def delete_elements(
        self, caller: Caller, *, qualified_names: Sequence[str] = (), guids: Sequence[str] = (), cascade: bool = False
    ) -> Written[list[elements_pb2.ElementResult]]:
        """Soft-delete by name or GUID (descendants first when cascading); unknown ones answer NOT_FOUND."""
        keys = [(name, True) for name in qualified_names] + [(guid, False) for guid in guids]
        for index, (key, _) in enumerate(keys):
            if not key:
                field = f"qualified_names[{index}]" if index < len(qualified_names) else (
                    f"guids[{index - len(qualified_names)}]")
                raise InvalidArgument(message=f"{field} must not be empty", field_violations=[(field, "required")])

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[list[elements_pb2.ElementResult], int]:
            scope = data_upsert.qualified_name_scope(ctx.types)
            results: list[elements_pb2.ElementResult] = []
            sequence = 0
            for key, by_name in keys:
                guid = txn.find_by_unique(scope, "qualifiedName", key) if by_name else key
                entity = txn.get_entity(guid) if guid else None
                if entity is None or entity.header.status == DELETED or _kind(ctx, entity) is None:
                    results.append(OUT.ElementResult(key=key, guid=guid or "", outcome=OUT.UPSERT_OUTCOME_NOT_FOUND))
                    continue
                for doomed in descendants(txn, ctx.types, entity, cascade=cascade):
                    _, sequence = entities.delete_entity(txn, ctx, doomed, expected_version=0)
                deleted, sequence = entities.delete_entity(txn, ctx, entity.header.guid, expected_version=0)
                results.append(OUT.ElementResult(key=key, guid=deleted.header.guid,
                                               outcome=OUT.UPSERT_OUTCOME_DELETED, version=deleted.header.version))
            return results, sequence

        return await self.repository.write(caller, op)

    # -- reads ----------------------------------------------------------------------------------------
    def get_element(self, *, guid: str = "", qualified_name: str = "") -> dm.DataElementView:
        entity = self._load(guid, qualified_name, "guid" if guid else "qualified_name")
        parent = parents_of_entities(self.repository.store, [entity]).get(entity.header.guid)
        return self._view(entity, parent)

    def list_children(
        self,
        *,
        parent_guid: str = "",
        parent_qualified_name: str = "",
        kind: int = 0,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[dm.DataElementView]:
        """Direct children in GUID order of their link (stable across pages), filtered by kind."""
        if page_size < 0 or page_size > MAX_CHILDREN_PAGE:
            raise InvalidArgument(message=f"page_size must be 0..{MAX_CHILDREN_PAGE}",
                                  field_violations=[("page_size", f"must be 0..{MAX_CHILDREN_PAGE}")])
        wanted = _kind_filter(kind)
        field = "parent_guid" if parent_guid else "parent_qualified_name"
        parent = self._load(parent_guid, parent_qualified_name, field)
        store = self.repository.store
        parent_kind = _kind_or_fail(self.repository.types, parent, field)
        end_guid, link_types = self._child_end(parent, parent_kind)
        size = page_size or DEFAULT_CHILDREN_PAGE
        views: list[dm.DataElementView] = []
        token = page_token
        while end_guid and len(views) < size:
            page = store.find_relationships(InstanceFilter(
                type_names=link_types, entity_guid=end_guid, page_size=min(STORE_PAGE, size - len(views)),
                page_token=token))
            child_guids: list[str] = []
            for relationship in page.items:
                link = mapping.LINKS_BY_TYPE[relationship.header.type.type_def_name]
                parent_end, child_end = (relationship.entity_one_proxy, relationship.entity_two_proxy) if (
                    link.parent_at_end_one) else (relationship.entity_two_proxy, relationship.entity_one_proxy)
                if parent_end.header.guid == end_guid:
                    child_guids.append(child_end.header.guid)
            children = store.get_entities(child_guids)  # one statement per page, not one read per child
            for child_guid in child_guids:
                child = children.get(child_guid)
                if child is None or child.header.status == DELETED:
                    continue
                child_kind = mapping.kind_of_type(child.header.type.type_def_name, self.repository.types.is_a)
                if child_kind is not None and (wanted is None or child_kind.field == wanted):
                    views.append(self._view(child, parent))
            token = page.next_page_token
            if not token:
                break
        return Page(items=views, next_page_token=token)

    def find_elements(
        self, *, kind: int = 0, name_pattern: str = "", external_source: str = "", page_size: int = 0,
        page_token: str = ""
    ) -> Page[dm.DataElementView]:
        """Elements of a kind whose qualified or display name fully matches the pattern. The external-source
        filter is applied to each store page, so a page may be short; follow next_page_token to the end."""
        wanted = _kind_filter(kind)
        types = self.repository.types
        kinds = [mapping.KINDS[wanted]] if wanted else list(mapping.KINDS.values())
        type_names = frozenset().union(*(types.subtypes(k.type_name) for k in kinds))
        match = None
        if name_pattern:
            check_regex(name_pattern, "name_pattern")
            match = common_pb2.SearchProperties(
                conditions=[
                    common_pb2.PropertyCondition(property_name=name, value=mapping.string(name_pattern),
                                                 operator=common_pb2.PROPERTY_COMPARISON_OPERATOR_LIKE)
                    for name in ("qualifiedName", "displayName")
                ],
                match_criteria=common_pb2.MATCH_CRITERIA_ANY,
            )
        page = self.repository.store.find_entities(InstanceFilter(
            type_names=type_names, match_properties=match, page_size=page_size_of(page_size), page_token=page_token))
        kept = [entity for entity in page.items
                if not external_source or entity.header.external_source == external_source]
        parents = parents_of_entities(self.repository.store, kept)  # the page's parents in a few statements
        views = [self._view(entity, parents.get(entity.header.guid)) for entity in kept]
        return Page(items=views, next_page_token=page.next_page_token, partial=page.partial)

    # -- helpers --------------------------------------------------------------------------------------
    def _load(self, guid: str, qualified_name: str, field: str) -> instances_pb2.EntityDetail:
        store = self.repository.store
        if not guid and not qualified_name:
            raise InvalidArgument(message="give a guid or a qualified name", reason="MISSING_FIELD",
                                  field_violations=[(field, "guid or qualified name required")])
        if not guid:
            guid = store.find_by_unique(data_upsert.qualified_name_scope(self.repository.types),
                                        "qualifiedName", qualified_name) or ""
            if not guid:
                raise NotFound(message=f"no element is named {qualified_name!r}", reason="ELEMENT_NOT_FOUND",
                               resource=("DataElement", qualified_name), field_violations=[(field, "unknown")])
        entity = store.get_entity(guid)
        if entity is None or entity.header.status == DELETED:
            raise entity_not_found(guid)
        _kind_or_fail(self.repository.types, entity, field)
        return entity  # type: ignore[no-any-return]

    def _child_end(self, parent: instances_pb2.EntityDetail, kind: mapping.Kind) -> tuple[str, frozenset[str]]:
        """The GUID children link to (a schema's hidden schema type for tables) and the link types."""
        links = {k.field: link for k in mapping.KINDS.values() for pk, link in k.parents.items() if pk == kind.field}
        types = frozenset(link.relationship for link in links.values())
        if any(link.via_schema_type for link in links.values()):
            name = parent.properties.properties["qualifiedName"].primitive.string_value + mapping.SCHEMA_TYPE_SUFFIX
            store = self.repository.store
            guid = store.find_by_unique(data_upsert.qualified_name_scope(self.repository.types), "qualifiedName", name)
            return guid or "", types
        return parent.header.guid, types

    def _view(
        self, entity: instances_pb2.EntityDetail, parent: instances_pb2.EntityDetail | None
    ) -> dm.DataElementView:
        types = self.repository.types
        kind = mapping.kind_of_type(entity.header.type.type_def_name, types.is_a)
        parent_name = parent.properties.properties["qualifiedName"].primitive.string_value if parent else ""
        return dm.DataElementView(
            header=element_header(entity),
            element=mapping.to_element(entity.properties, kind.field if kind else "", parent_name),
            parent_guid=parent.header.guid if parent else "",
        )


def _kind(ctx: WriteContext, entity: instances_pb2.EntityDetail) -> mapping.Kind | None:
    return mapping.kind_of_type(entity.header.type.type_def_name, ctx.types.is_a)


def _kind_or_fail(types: Any, entity: instances_pb2.EntityDetail, field: str) -> mapping.Kind:
    kind = mapping.kind_of_type(entity.header.type.type_def_name, types.is_a)
    if kind is None:
        raise NotFound(
            message=f"{entity.header.guid} is a {entity.header.type.type_def_name}, not a data element",
            reason="ELEMENT_NOT_FOUND",
            resource=("DataElement", entity.header.guid),
            field_violations=[(field, "not a data element")],
        )
    return kind


def _kind_filter(kind: int) -> str | None:
    if not kind:
        return None
    found = mapping.KINDS_BY_ENUM.get(kind)
    if found is None:
        raise InvalidArgument(message=f"unknown kind {kind}", field_violations=[("kind", "unknown kind")])
    return found.field
