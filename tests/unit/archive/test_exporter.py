"""Exporting a store as an Egeria archive: load then export preserves every GUID, header field,
classification and property value; types come out at their final version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coho.omrs.v1 import instances_pb2
from coho.server.archive import dumps_archive, parse_archive
from coho.server.archive.egeria_instances import write_entity, write_relationship
from coho.server.archive.exporter import export_archive
from coho.server.archive.loader import load_archive_sync, load_archives_sync, load_types_from_store
from coho.server.store.sqlite import SqliteStore, open_sqlite_store
from coho.server.types import TypeRegistry
from coho.server.types.registry import CARRIED_OPTION

EGERIA = Path("/work/shared/egeria")
ROUND_TRIP = ["CocoBusinessSystemsArchive", "CocoGovernanceProgramArchive", "SimpleCatalog", "SimpleAPICatalog",
              "SimpleGovernanceCatalog", "OpenLineageContentPack"]


def _parsed(name: str) -> Any:
    return parse_archive((EGERIA / f"{name}.omarchive").read_bytes())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_sqlite_store(tmp_path / "one")
    yield opened
    opened.close_sync()


@pytest.fixture
def typed(store: SqliteStore) -> TypeRegistry:
    return load_archives_sync(store, TypeRegistry.with_builtin_types(),
                              [_parsed("OpenMetadataTypes"), _parsed("CocoTypesArchive")])[-1].types


def _expected_entities(parsed: Any) -> dict[str, instances_pb2.EntityDetail]:
    """The archive's entities as stored: with their classification extensions attached."""
    entities = {e.header.guid: e for e in parsed.entities}
    for extension in parsed.classification_extensions:
        target = entities.get(extension.entity_to_classify.header.guid)
        if target is not None:
            target.classifications.append(extension.classification)
    return entities


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_load_then_export_preserves_every_instance(store: SqliteStore, typed: Any, kit: Any, name: str) -> None:
    original = _parsed(name)
    load_archive_sync(store, typed, original)
    exported = parse_archive(dumps_archive(export_archive(
        store, typed, include_types=False, home_ids={original.properties.guid}, archive_name=name)))
    assert exported.unmodelled == [] and exported.type_defs == []
    expected = _expected_entities(_parsed(name))
    got = {e.header.guid: e for e in exported.entities}
    assert got.keys() == expected.keys()
    for guid, entity in expected.items():  # field by field, as JSON, so a difference is readable
        assert kit.differences(write_entity(entity), write_entity(got[guid])) == [], guid
    expected_rels = {r.header.guid: r for r in original.relationships}
    got_rels = {r.header.guid: r for r in exported.relationships}
    assert got_rels.keys() == expected_rels.keys()
    for guid, relationship in expected_rels.items():
        assert kit.differences(write_relationship(relationship), write_relationship(got_rels[guid])) == [], guid


def test_export_with_types_has_final_versions_and_reloads(store: SqliteStore, typed: Any, tmp_path: Path) -> None:
    load_archive_sync(store, typed, _parsed("CocoBusinessSystemsArchive"))
    document = export_archive(store, load_types_from_store(store), include_types=True, home_ids=None,
                              archive_name="everything")
    assert document["archiveProperties"]["archiveName"] == "everything"
    exported = parse_archive(json.loads(dumps_archive(document)))
    assert exported.patches == []
    by_name = {td.name: td for td in exported.type_defs}
    assert by_name["OpenMetadataRoot"].version == 2  # the patch is applied
    assert "BiopsyReport" in by_name
    assert not any(CARRIED_OPTION in td.options for td in exported.type_defs)
    positions = {td.name: i for i, td in enumerate(exported.type_defs)}
    for td in exported.type_defs:  # supertypes come first
        if td.super_type.name:
            assert positions[td.super_type.name] < positions[td.name]
    # a fresh repository takes the export as is
    second = open_sqlite_store(tmp_path / "two")
    try:
        result = load_archive_sync(second, TypeRegistry.with_builtin_types(), exported)
        assert (result.loaded.entities, result.loaded.relationships, result.loaded.entity_proxies) == (80, 164, 16)
        for entity in exported.entities:
            assert second.get_entity(entity.header.guid) == store.get_entity(entity.header.guid)
    finally:
        second.close_sync()


def test_home_filter(store: SqliteStore, typed: Any) -> None:
    simple, coco = _parsed("SimpleCatalog"), _parsed("CocoBusinessSystemsArchive")
    load_archives_sync(store, typed, [simple, coco])
    document = export_archive(store, typed, include_types=False, home_ids={simple.properties.guid},
                              archive_name="simple")
    guids = {e["guid"] for e in document["archiveInstanceStore"]["entities"]}
    assert guids == {e.header.guid for e in simple.entities}
    everything = export_archive(store, typed, include_types=False, home_ids=None, archive_name="all")
    assert len(everything["archiveInstanceStore"]["entities"]) == 28 + 80


def test_classification_of_a_proxy_is_exported_as_an_extension(store: SqliteStore, typed: Any) -> None:
    document = json.loads((EGERIA / "CocoGovernanceProgramArchive.omarchive").read_bytes())
    extension = document["archiveInstanceStore"]["classifications"][0]
    target = extension["entityToClassify"]
    target.update(guid="elsewhere-1", metadataCollectionId="another-archive")  # an entity of another archive
    for own in target["classifications"]:  # whose own classifications are that archive's too
        own["metadataCollectionId"] = "another-archive"
    parsed = parse_archive(document)
    result = load_archive_sync(store, typed, parsed)
    assert result.loaded.classifications == 2
    proxy = store.get_proxy("elsewhere-1")
    assert proxy is not None and [c.name for c in proxy.classifications] == ["Anchors", "Template"]
    exported = parse_archive(export_archive(store, typed, include_types=False,
                                            home_ids={parsed.properties.guid}, archive_name="x"))
    assert [(x.entity_to_classify.header.guid, x.classification.name)
            for x in exported.classification_extensions] == [("elsewhere-1", "Template")]
