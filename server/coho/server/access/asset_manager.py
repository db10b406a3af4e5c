"""The Asset Manager access service core: elements of another catalog, keyed by (external source, external
identifier) and mapped to GUIDs through ExternalId entities (Egeria's Asset Manager OMAS). No grpc here.

Mapping model:

- one ``ExternalId`` entity per (source, identifier), qualifiedName ``ExternalId::<source>::<identifier>``,
  so the mapping is found with one unique-index seek, never a scan; ``key`` holds the identifier and
  ``externalSourceName`` the source. ListExternalSourceElements pages over the qualifiedName prefix of the
  source (an index range) and checks externalSourceName exactly, then reads the page's links and elements
  in one statement each;
- an ``ExternalIdLink`` from the element (end 1) to the ExternalId (end 2), with ``source`` and ``usage``.

Egeria also links the ExternalId to an element standing for the external catalog (``ExternalIdScope``).
Callers here name the catalog by its qualified name only and it need not be catalogued, so the scope is the
``externalSourceName`` property instead; ExternalIdScope is not created.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coho.access.v1 import asset_manager_service_pb2 as am
from coho.access.v1 import elements_pb2
from coho.omrs.v1 import common_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.access import data_mapping as mapping
from coho.server.access.data_manager import effective_caller
from coho.server.access.metadata import RepositoryLike
from coho.server.access.views import element_header
from coho.server.errors import AlreadyExists, InvalidArgument, NotFound
from coho.server.repository import entities, relationships
from coho.server.repository.api import Caller, Written
from coho.server.repository.checks import require_type
from coho.server.repository.core import page_size_of
from coho.server.repository.headers import DELETED, ENTITY_DEF, WriteContext, entity_not_found
from coho.server.store.base import InstanceFilter, LinkQuery, Page, Store, WriteTxn

OUT = elements_pb2
EXTERNAL_ID = "ExternalId"
LINK = "ExternalIdLink"
_LINKS = frozenset({LINK})


def external_id_name(source: str, identifier: str) -> str:
    return f"{EXTERNAL_ID}::{source}::{identifier}"


def _require(pairs: Sequence[tuple[str, str]]) -> None:
    missing = [(path, "is required") for path, value in pairs if not value]
    if missing:
        raise InvalidArgument(message=f"missing {', '.join(p for p, _ in missing)}", reason="MISSING_FIELD",
                              field_violations=missing)


def element_properties(element: am.ExternalElement, source: str) -> instances_pb2.InstanceProperties:
    """Common fields, then the string map, then typed properties (which win for the same name)."""
    props = instances_pb2.InstanceProperties()
    name = element.qualified_name or f"{element.type_name}::{source}::{element.external_identifier}"
    values = {"qualifiedName": name, "displayName": element.display_name, "description": element.description}
    values.update(element.properties)
    for key, value in values.items():
        if value:
            props.properties[key].CopyFrom(mapping.string(value))
    for key, typed in element.typed_properties.properties.items():
        props.properties[key].CopyFrom(typed)
    return props


class AssetManager:
    """``repository`` is duck-typed: ``store``, ``types``, ``write_context(caller)``, ``metadata_collection_id``."""

    def __init__(self, repository: RepositoryLike) -> None:
        self.repository = repository

    @property
    def metadata_collection_id(self) -> str:
        return str(self.repository.metadata_collection_id)

    # -- writes ---------------------------------------------------------------------------------------
    async def upsert_external_elements(
        self, caller: Caller, external_source: str, elements: Sequence[am.ExternalElement]
    ) -> Written[list[elements_pb2.ElementResult]]:
        _require([("external_source", external_source)])
        types = self.repository.types
        prepared = []
        for index, element in enumerate(elements):
            path = f"elements[{index}]"
            _require([(f"{path}.external_identifier", element.external_identifier),
                      (f"{path}.type_name", element.type_name)])
            require_type(types, element.type_name, ENTITY_DEF, f"{path}.type_name")
            props = element_properties(element, external_source)
            types.validate_properties(element.type_name, props, f"{path}.properties")
            prepared.append((path, element, props))
        who = effective_caller(caller, external_source)

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[list[elements_pb2.ElementResult], int]:
            results, sequence = [], 0
            for path, element, props in prepared:
                result, seq = _upsert_one(txn, ctx, external_source, path, element=element, props=props)
                results.append(result)
                sequence = seq or sequence
            return results, sequence

        return await self.repository.write(who, op)

    async def map_external_identifier(
        self, caller: Caller, element_guid: str, identifier: am.ExternalIdentifier
    ) -> Written[am.ExternalIdentifier]:
        _require([("element_guid", element_guid), ("identifier.external_source", identifier.external_source),
                  ("identifier.external_identifier", identifier.external_identifier)])
        source, key = identifier.external_source, identifier.external_identifier

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[am.ExternalIdentifier, int]:
            element = txn.get_entity(element_guid)
            if element is None or element.header.status == DELETED:
                error = entity_not_found(element_guid)
                error.field_violations.append(("element_guid", "unknown element"))
                raise error
            found = _lookup(txn, ctx.types, source, key)
            if found is not None:
                ext_id, mapped = found
                if mapped != element_guid:
                    raise AlreadyExists(
                        message=f"{source}/{key} already maps to {mapped}", reason="EXTERNAL_ID_MAPPED",
                        field_violations=[("identifier.external_identifier", f"mapped to {mapped}")],
                        metadata={"existing_guid": mapped})
                return _identifier(ext_id, element), 0
            ext_id, sequence = _map(txn, ctx, source, element, name=identifier.external_identifier_name,
                                    usage=identifier.external_identifier_usage, key=key)
            return _identifier(ext_id, element), sequence

        return await self.repository.write(effective_caller(caller, source), op)

    async def delete_external_elements(
        self, caller: Caller, external_source: str, identifiers: Sequence[str]
    ) -> Written[list[elements_pb2.ElementResult]]:
        _require([("external_source", external_source)])
        _require([(f"external_identifiers[{i}]", key) for i, key in enumerate(identifiers)])

        def op(txn: WriteTxn, ctx: WriteContext) -> tuple[list[elements_pb2.ElementResult], int]:
            results, sequence = [], 0
            for key in identifiers:
                found = _lookup(txn, ctx.types, external_source, key)
                if found is None:
                    results.append(OUT.ElementResult(key=key, outcome=OUT.UPSERT_OUTCOME_NOT_FOUND))
                    continue
                ext_id, guid = found
                version = 0
                element = txn.get_entity(guid) if guid else None
                if element is not None and element.header.status != DELETED:
                    deleted, sequence = entities.delete_entity(txn, ctx, guid, expected_version=0)
                    version = deleted.header.version
                _, sequence = entities.delete_entity(txn, ctx, ext_id.header.guid, expected_version=0)
                results.append(OUT.ElementResult(key=key, guid=guid, outcome=OUT.UPSERT_OUTCOME_DELETED,
                                                 version=version))
            return results, sequence

        return await self.repository.write(effective_caller(caller, external_source), op)

    # -- reads ----------------------------------------------------------------------------------------
    def get_element_by_external_identifier(self, external_source: str, identifier: str) -> am.ExternalElementView:
        _require([("external_source", external_source), ("external_identifier", identifier)])
        store = self.repository.store
        ext_guid = store.find_by_unique(self._scope(), "qualifiedName", external_id_name(external_source, identifier))
        ext_id = store.get_entity(ext_guid) if ext_guid else None
        element = _elements_of(store, [ext_id]).get(ext_guid) if ext_id is not None and ext_guid else None
        if ext_id is None or element is None:
            raise NotFound(message=f"{external_source}/{identifier} is not mapped", reason="EXTERNAL_ID_NOT_FOUND",
                           resource=("ExternalId", external_id_name(external_source, identifier)),
                           field_violations=[("external_identifier", "not mapped")])
        return _view(element, ext_id)

    def get_external_identifiers(self, element_guid: str) -> list[am.ExternalIdentifier]:
        _require([("element_guid", element_guid)])
        store = self.repository.store
        element = store.get_entity(element_guid)
        if element is None or element.header.status == DELETED:
            raise entity_not_found(element_guid)
        links = store.find_links(LinkQuery(type_names=_LINKS, entity_guids=(element_guid,), end=1))
        ext_ids = store.get_entities([link.end_two_guid for link in links])
        found = []
        for link in links:
            ext_id = ext_ids.get(link.end_two_guid)
            if ext_id is not None and ext_id.header.status != DELETED:
                found.append(_identifier(ext_id, element))
        return found

    def list_external_source_elements(
        self, external_source: str, *, page_size: int = 0, page_token: str = ""
    ) -> Page[am.ExternalElementView]:
        """Paged over the source's ExternalId entities, in GUID order."""
        _require([("external_source", external_source)])
        store = self.repository.store
        conditions = [common_pb2.PropertyCondition(
            property_name="externalSourceName", operator=common_pb2.PROPERTY_COMPARISON_OPERATOR_EQ,
            value=mapping.string(external_source))]
        prefix = external_id_name(external_source, "")
        if "\\E" not in prefix:
            # externalSourceName is not in the store's default index, but qualifiedName is and starts with the
            # source: the prefix makes the store seek this source's ExternalIds instead of scanning every one.
            conditions.append(common_pb2.PropertyCondition(
                property_name="qualifiedName", operator=common_pb2.PROPERTY_COMPARISON_OPERATOR_LIKE,
                value=mapping.string(f"\\Q{prefix}\\E.*")))
        match = common_pb2.SearchProperties(conditions=conditions, match_criteria=common_pb2.MATCH_CRITERIA_ALL)
        page = store.find_entities(InstanceFilter(
            type_names=frozenset({EXTERNAL_ID}), match_properties=match, page_size=page_size_of(page_size),
            page_token=page_token))
        elements = _elements_of(store, page.items)
        views = [_view(elements[ext_id.header.guid], ext_id) for ext_id in page.items if ext_id.header.guid in elements]
        return Page(items=views, next_page_token=page.next_page_token)

    def _scope(self) -> list[str]:
        return sorted(self.repository.types.subtypes(EXTERNAL_ID))


# -- in-transaction helpers ---------------------------------------------------------------------------------
def _lookup(txn: WriteTxn, types: Any, source: str, key: str) -> tuple[instances_pb2.EntityDetail, str] | None:
    """The live ExternalId for (source, key) and the GUID it maps to ("" when its element is gone)."""
    guid = txn.find_by_unique(sorted(types.subtypes(EXTERNAL_ID)), "qualifiedName", external_id_name(source, key))
    ext_id = txn.get_entity(guid) if guid else None
    if ext_id is None:
        return None
    for link in txn.relationships_of(ext_id.header.guid):
        header = link.header
        if header.type.type_def_name == LINK and header.status != DELETED and (
            link.entity_two_proxy.header.guid == ext_id.header.guid
        ):
            return ext_id, link.entity_one_proxy.header.guid
    return ext_id, ""


def _upsert_one(
    txn: WriteTxn, ctx: WriteContext, source: str, path: str, *, element: am.ExternalElement,
    props: instances_pb2.InstanceProperties,
) -> tuple[elements_pb2.ElementResult, int]:
    key = element.external_identifier
    found = _lookup(txn, ctx.types, source, key)
    stored = txn.get_entity(found[1]) if found is not None and found[1] else None
    if stored is not None and stored.header.status != DELETED:
        if stored.header.type.type_def_name != element.type_name:
            raise InvalidArgument(
                message=f"{path}: {key} maps to a {stored.header.type.type_def_name}", reason="KIND_MISMATCH",
                field_violations=[(f"{path}.type_name", f"mapped element is a {stored.header.type.type_def_name}")])
        if stored.properties == props:
            return OUT.ElementResult(key=key, guid=stored.header.guid, outcome=OUT.UPSERT_OUTCOME_UNCHANGED,
                                     version=stored.header.version), 0
        updated, sequence = entities.update_properties(txn, ctx, stored.header.guid, props, merge=False,
                                                       expected_version=0)
        return OUT.ElementResult(key=key, guid=updated.header.guid, outcome=OUT.UPSERT_OUTCOME_UPDATED,
                                 version=updated.header.version), sequence
    if found is not None:  # a mapping whose element was deleted: retire it and map the new element
        entities.delete_entity(txn, ctx, found[0].header.guid, expected_version=0)
    created, _ = entities.add_entity(txn, ctx, mcs.NewEntity(type_name=element.type_name, properties=props), path)
    _, sequence = _map(txn, ctx, source, created, name=element.external_identifier_name,
                       usage=element.external_identifier_usage, key=key)
    return OUT.ElementResult(key=key, guid=created.header.guid, outcome=OUT.UPSERT_OUTCOME_CREATED,
                             version=created.header.version), sequence


def _map(
    txn: WriteTxn, ctx: WriteContext, source: str, element: instances_pb2.EntityDetail, *, name: str, usage: str,
    key: str,
) -> tuple[instances_pb2.EntityDetail, int]:
    """Create the ExternalId for (source, key) and link it to element."""
    identifier = key
    props = instances_pb2.InstanceProperties()
    values = {"qualifiedName": external_id_name(source, identifier), "key": identifier,
              "externalSourceName": source, "displayName": name, "usage": usage,
              "externalInstanceTypeName": element.header.type.type_def_name}
    for prop, value in values.items():
        if value:
            props.properties[prop].CopyFrom(mapping.string(value))
    props.properties["lastSynchronized"].CopyFrom(instances_pb2.PropertyValue(
        type_name="date", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_DATE, date_value=ctx.time_ms)))
    ext_id, _ = entities.add_entity(txn, ctx, mcs.NewEntity(type_name=EXTERNAL_ID, properties=props), "identifier")
    link_props = instances_pb2.InstanceProperties()
    for prop, value in (("source", source), ("usage", usage)):
        if value:
            link_props.properties[prop].CopyFrom(mapping.string(value))
    _, sequence = relationships.add_relationship(txn, ctx, mcs.NewRelationship(
        type_name=LINK, entity_one_guid=element.header.guid, entity_two_guid=ext_id.header.guid,
        properties=link_props))
    return ext_id, sequence


# -- reads ------------------------------------------------------------------------------------------------
def _elements_of(
    store: Store, ext_ids: Sequence[instances_pb2.EntityDetail]
) -> dict[str, instances_pb2.EntityDetail]:
    """ExternalId GUID -> the live element it maps to (the first by link GUID), for a whole page in two
    statements (the links, then the elements) instead of a relationship search and a get per ExternalId."""
    guids = tuple(ext_id.header.guid for ext_id in ext_ids)
    links = store.find_links(LinkQuery(type_names=_LINKS, entity_guids=guids, end=2))
    elements = store.get_entities([link.end_one_guid for link in links])
    found: dict[str, instances_pb2.EntityDetail] = {}
    for link in links:
        element = elements.get(link.end_one_guid)
        if link.end_two_guid not in found and element is not None and element.header.status != DELETED:
            found[link.end_two_guid] = element
    return found


def _text(entity: instances_pb2.EntityDetail, name: str) -> str:
    props = entity.properties.properties
    return str(props[name].primitive.string_value) if name in props else ""


def _identifier(ext_id: instances_pb2.EntityDetail, element: instances_pb2.EntityDetail) -> am.ExternalIdentifier:
    identifier = am.ExternalIdentifier(
        external_source=_text(ext_id, "externalSourceName"), external_identifier=_text(ext_id, "key"),
        external_identifier_name=_text(ext_id, "displayName"), external_identifier_usage=_text(ext_id, "usage"),
        element_guid=element.header.guid, element_type_name=element.header.type.type_def_name)
    synced = ext_id.properties.properties.get("lastSynchronized")
    if synced is not None:
        identifier.last_synchronized.FromMilliseconds(synced.primitive.date_value)
    return identifier


def _view(element: instances_pb2.EntityDetail, ext_id: instances_pb2.EntityDetail) -> am.ExternalElementView:
    identifier = _identifier(ext_id, element)
    external = am.ExternalElement(
        external_identifier=identifier.external_identifier, type_name=element.header.type.type_def_name,
        qualified_name=_text(element, "qualifiedName"), display_name=_text(element, "displayName"),
        description=_text(element, "description"), external_identifier_name=identifier.external_identifier_name,
        external_identifier_usage=identifier.external_identifier_usage)
    external.typed_properties.CopyFrom(element.properties)
    return am.ExternalElementView(header=element_header(element), element=external, identifier=identifier)
