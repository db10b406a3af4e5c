"""Loading Egeria archives into a SQLite store: counts, proxies, property values, idempotency, change log,
and malformed archives refused with the element named and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server.archive import parse_archive
from coho.server.archive.egeria_instances import write_instance_properties
from coho.server.archive.loader import (
    CONTENT_PACK,
    load_archive,
    load_archive_sync,
    load_archives_sync,
    load_types_from_store,
)
from coho.server.errors import InvalidArgument
from coho.server.store.sqlite import SqliteStore, open_sqlite_store
from coho.server.types import TypeRegistry

EGERIA = Path("/work/shared/egeria")
INSTANCE_ARCHIVES = ["CocoBusinessSystemsArchive", "CocoGovernanceProgramArchive", "OpenLineageContentPack",
                     "SimpleAPICatalog", "SimpleCatalog", "SimpleDataCatalog", "SimpleEventCatalog",
                     "SimpleGovernanceCatalog"]


def _json(name: str) -> dict[str, Any]:
    return json.loads((EGERIA / f"{name}.omarchive").read_bytes())


def _parsed(name: str) -> Any:
    return parse_archive((EGERIA / f"{name}.omarchive").read_bytes())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_sqlite_store(tmp_path / "data")
    yield opened
    opened.close_sync()


@pytest.fixture
def typed(store: SqliteStore) -> TypeRegistry:
    """The store after OpenMetadataTypes and CocoTypes: the registry to load instance archives with."""
    results = load_archives_sync(store, TypeRegistry.with_builtin_types(),
                                 [_parsed("OpenMetadataTypes"), _parsed("CocoTypesArchive")])
    return results[-1].types


def _snapshot(store: SqliteStore) -> tuple[Any, int]:
    return store.counts(), store.head_sequence()


# -- types ----------------------------------------------------------------------------------------------


def test_open_metadata_types_load(store: SqliteStore, kit: Any) -> None:
    result = load_archive_sync(store, TypeRegistry.with_builtin_types(), _parsed("OpenMetadataTypes"))
    table = kit.readme_counts()["OpenMetadataTypes.omarchive"]
    assert result.in_archive.type_defs == table["type defs"] == 620
    # types identical to a built-in one are already present; every other one is stored
    assert result.loaded.type_defs + result.already_present.type_defs == 620
    assert result.loaded.attribute_type_defs + result.already_present.attribute_type_defs == 50
    assert result.loaded.type_def_patches == 32
    assert store.counts().type_defs == result.loaded.type_defs
    root = result.types.get_type_def("OpenMetadataRoot")
    assert root is not None and root.version == 2  # patched
    gallery = store.load_types()
    assert {td.name: td.version for td in gallery.type_defs}["OpenMetadataRoot"] == 2
    events = store.read_changes(0, 5000)
    assert len(events) == store.head_sequence() == result.loaded.type_defs + result.loaded.attribute_type_defs
    assert {e.kind for e in events} == {"typedef"}


def test_types_rebuilt_from_the_store_load_the_same_archives_as_no_ops(store: SqliteStore, typed: Any) -> None:
    rebuilt = load_types_from_store(store)
    assert sorted(td.name for td in rebuilt.type_defs()) == sorted(td.name for td in typed.type_defs())
    before = _snapshot(store)
    again = load_archives_sync(store, rebuilt, [_parsed("OpenMetadataTypes"), _parsed("CocoTypesArchive")])
    assert [r.loaded.ByteSize() for r in again] == [0, 0]  # every count zero
    assert _snapshot(store) == before


# -- instances ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INSTANCE_ARCHIVES)
def test_instance_counts_match_the_readme(store: SqliteStore, typed: Any, kit: Any, name: str) -> None:
    parsed = _parsed(name)
    result = load_archive_sync(store, typed, parsed)
    table = kit.readme_counts()[f"{name}.omarchive"]
    loaded = result.loaded
    assert (loaded.entities, loaded.relationships, loaded.classifications) == (
        table["entities"], table["relationships"], table["classifications"])
    assert loaded.entity_proxies == len(parsed.proxy_guids())
    assert result.already_present.ByteSize() == 0


@pytest.mark.parametrize("name", INSTANCE_ARCHIVES)
def test_ends_not_in_the_archive_become_proxies(store: SqliteStore, typed: Any, name: str) -> None:
    document = _json(name)["archiveInstanceStore"]
    load_archive_sync(store, typed, parse_archive(_json(name)))
    entity_guids = {e["guid"] for e in document["entities"]}
    ends = {r[end]["guid"] for r in document["relationships"] for end in ("entityOneProxy", "entityTwoProxy")}
    for guid in ends - entity_guids:
        proxy = store.get_proxy(guid)
        assert proxy is not None and store.get_entity(guid) is None
    for guid in entity_guids:
        assert store.get_entity(guid) is not None and store.get_proxy(guid) is None


@pytest.mark.parametrize("name", INSTANCE_ARCHIVES)
def test_property_values_read_back_equal_the_json(store: SqliteStore, typed: Any, kit: Any, name: str) -> None:
    document = _json(name)["archiveInstanceStore"]
    load_archive_sync(store, typed, parse_archive(_json(name)))
    for entity in document["entities"]:
        stored = store.get_entity(entity["guid"])
        assert stored is not None
        assert kit.differences(entity["properties"], write_instance_properties(stored.properties)) == []
        assert stored.header.version == entity["version"]
        assert stored.header.metadata_collection_id == entity["metadataCollectionId"]
        provenance = instances_pb2.InstanceProvenanceType.Value(
            "INSTANCE_PROVENANCE_TYPE_" + entity["instanceProvenanceType"])
        assert stored.header.instance_provenance_type == provenance
    for relationship in document["relationships"]:
        stored_rel = store.get_relationship(relationship["guid"])
        assert stored_rel is not None
        if "properties" in relationship:
            assert kit.differences(relationship["properties"], write_instance_properties(stored_rel.properties)) == []


def test_the_archives_hold_every_value_category_egeria_uses() -> None:
    classes = {v["class"] for name in INSTANCE_ARCHIVES for e in _json(name)["archiveInstanceStore"]["entities"]
               for v in e["properties"]["instanceProperties"].values()}
    assert {"PrimitivePropertyValue", "EnumPropertyValue", "ArrayPropertyValue", "MapPropertyValue"} <= classes


def test_second_load_changes_nothing(store: SqliteStore, typed: Any) -> None:
    first = load_archive_sync(store, typed, _parsed("CocoGovernanceProgramArchive"))
    assert first.sequence == store.head_sequence() > 0
    before = _snapshot(store)
    second = load_archive_sync(store, first.types, _parsed("CocoGovernanceProgramArchive"))
    assert second.loaded.ByteSize() == 0
    assert second.sequence == 0
    assert second.already_present == second.in_archive
    assert _snapshot(store) == before


def test_change_log_has_one_event_per_stored_instance(store: SqliteStore, typed: Any) -> None:
    head = store.head_sequence()
    result = load_archive_sync(store, typed, _parsed("CocoGovernanceProgramArchive"))
    changes = store.read_changes(head, 10_000)
    kinds = [c.kind for c in changes]
    assert kinds.count("entity") == result.loaded.entities + result.loaded.classifications
    assert kinds.count("relationship") == result.loaded.relationships
    first = changes[0].event.instance
    assert first.event_type == events_pb2.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT
    assert first.home_metadata_collection_id == result.archive_guid
    classified = [c.event.instance for c in changes
                  if c.event.instance.event_type == events_pb2.INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT]
    assert [c.classification.name for c in classified] == ["Template", "Template"]


def test_classification_extensions_attach_to_their_entity(store: SqliteStore, typed: Any) -> None:
    parsed = _parsed("CocoGovernanceProgramArchive")
    load_archive_sync(store, typed, parsed)
    for extension in parsed.classification_extensions:
        entity = store.get_entity(extension.entity_to_classify.header.guid)
        assert entity is not None
        names = [c.name for c in entity.classifications]
        assert names.count("Template") == 1 and "Anchors" in names
        assert next(c for c in entity.classifications if c.name == "Template") == extension.classification


def test_a_proxy_never_replaces_a_full_entity(store: SqliteStore, typed: Any) -> None:
    load_archives_sync(store, typed, [_parsed(n) for n in ("SimpleEventCatalog", "SimpleAPICatalog",
                                                             "SimpleDataCatalog")])
    governance = _parsed("SimpleGovernanceCatalog")
    result = load_archive_sync(store, typed, governance)
    full = [g for g in governance.proxy_guids() if store.get_entity(g) is not None]
    assert full  # some ends are entities of the catalogs loaded before
    assert result.loaded.entity_proxies == len(governance.proxy_guids()) - len(full)
    assert all(store.get_proxy(g) is None for g in full)


def test_a_full_entity_replaces_its_proxy(store: SqliteStore, typed: Any) -> None:
    governance = _parsed("SimpleGovernanceCatalog")
    load_archive_sync(store, typed, governance)
    event_catalog = _parsed("SimpleEventCatalog")
    load_archive_sync(store, typed, event_catalog)
    replaced = {e.header.guid for e in event_catalog.entities} & set(governance.proxy_guids())
    assert replaced
    for guid in replaced:
        assert store.get_entity(guid) is not None and store.get_proxy(guid) is None


def test_validate_only_stores_nothing(store: SqliteStore, typed: Any) -> None:
    before = _snapshot(store)
    result = load_archive_sync(store, typed, _parsed("SimpleCatalog"), validate_only=True)
    assert result.loaded.entities == 28 and result.sequence == 0
    assert _snapshot(store) == before


async def test_async_load(store: SqliteStore, typed: Any) -> None:
    result = await load_archive(store, typed, _parsed("OpenLineageContentPack"))
    assert result.loaded.entities == 59
    assert store.head_sequence() == result.sequence


def test_unset_provenance_becomes_content_pack(store: SqliteStore, typed: Any) -> None:
    document = _json("SimpleAPICatalog")
    del document["archiveInstanceStore"]["entities"][0]["instanceProvenanceType"]
    load_archive_sync(store, typed, parse_archive(document))
    stored = store.get_entity(document["archiveInstanceStore"]["entities"][0]["guid"])
    assert stored is not None and stored.header.instance_provenance_type == CONTENT_PACK
    other = store.get_entity(document["archiveInstanceStore"]["entities"][1]["guid"])
    assert other is not None
    assert other.header.instance_provenance_type == instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT


# -- malformed archives: refused, named, nothing stored -------------------------------------------------


def _refused(store: SqliteStore, types: TypeRegistry, document: dict[str, Any]) -> tuple[str, str, str]:
    before = _snapshot(store)
    with pytest.raises(InvalidArgument) as info:
        load_archive_sync(store, types, parse_archive(document))
    assert info.value.reason == "ARCHIVE_INVALID"
    assert _snapshot(store) == before
    path, problem = info.value.field_violations[0]
    return path, problem, info.value.metadata.get("cause", "")


def test_unknown_instance_type(store: SqliteStore, typed: Any) -> None:
    document = _json("SimpleCatalog")
    entity = document["archiveInstanceStore"]["entities"][5]
    entity["type"]["typeDefName"] = "NoSuchType"
    path, problem, cause = _refused(store, typed, document)
    assert path == f"archiveInstanceStore.entities[5] (guid {entity['guid']}): type"
    assert "'NoSuchType' is not known" in problem and cause == "TYPE_UNKNOWN"


def test_wrong_property_type(store: SqliteStore, typed: Any) -> None:
    document = _json("SimpleCatalog")
    entity = document["archiveInstanceStore"]["entities"][7]
    value = entity["properties"]["instanceProperties"]["qualifiedName"]
    value.update(primitiveDefCategory="OM_PRIMITIVE_TYPE_INT", primitiveValue=12, typeName="int")
    path, _, cause = _refused(store, typed, document)
    element = f"archiveInstanceStore.entities[7] (guid {entity['guid']})"
    assert path == f"{element}: properties.instanceProperties.qualifiedName"
    assert cause == "PROPERTY_TYPE_MISMATCH"


def test_unknown_property(store: SqliteStore, typed: Any) -> None:
    document = _json("SimpleCatalog")
    relationship = next(r for r in document["archiveInstanceStore"]["relationships"] if "properties" in r)
    props = relationship["properties"]["instanceProperties"]
    props["noSuchProperty"] = next(iter(props.values()))
    path, _, cause = _refused(store, typed, document)
    assert path.endswith("properties.instanceProperties.noSuchProperty")
    assert path.startswith("archiveInstanceStore.relationships[")
    assert cause == "PROPERTY_UNKNOWN"


def test_relationship_end_of_the_wrong_type(store: SqliteStore, typed: Any) -> None:
    document = _json("SimpleCatalog")
    relationship = document["archiveInstanceStore"]["relationships"][1]
    assert relationship["type"]["typeDefName"] == "APIOperations"  # APISchemaType -> APIOperation
    relationship["entityOneProxy"]["type"]["typeDefName"] = "Referenceable"
    path, _, cause = _refused(store, typed, document)
    assert path == f"archiveInstanceStore.relationships[1] (guid {relationship['guid']}): entityOneProxy"
    assert cause == "RELATIONSHIP_END_INVALID"


def test_classification_invalid_for_the_entity_type(store: SqliteStore, typed: Any) -> None:
    document = _json("CocoGovernanceProgramArchive")
    extension = document["archiveInstanceStore"]["classifications"][1]
    extension["classification"]["name"] = extension["classification"]["type"]["typeDefName"] = "GlossaryProject"
    path, _, cause = _refused(store, typed, document)
    assert path == f"archiveInstanceStore.classifications[1] (entity {extension['entityToClassify']['guid']}): " \
                   "classification[0]"
    assert cause == "CLASSIFICATION_INVALID"


def test_type_def_with_unknown_supertype(store: SqliteStore) -> None:
    document = _json("CocoTypesArchive")
    document["archiveTypeStore"]["newTypeDefs"][0]["superType"]["name"] = "NoSuchSuper"
    path, problem, cause = _refused(store, TypeRegistry.with_builtin_types(), document)
    assert path == "archiveTypeStore.newTypeDefs[0] (BiopsyReport): type_def.super_type"
    assert "NoSuchSuper" in problem and cause == "INVALID_TYPEDEF"


def test_a_bad_last_archive_stores_none_of_them(store: SqliteStore) -> None:
    bad = _json("SimpleCatalog")
    bad["archiveInstanceStore"]["entities"][-1]["type"]["typeDefName"] = "NoSuchType"
    with pytest.raises(InvalidArgument) as info:
        load_archives_sync(store, TypeRegistry.with_builtin_types(), [_parsed("OpenMetadataTypes"), parse_archive(bad)])
    assert info.value.metadata["archive_index"] == "1"
    assert store.head_sequence() == 0 and store.counts().type_defs == 0
