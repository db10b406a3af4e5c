"""Egeria's OpenMetadataTypes archive loads into the registry, alone and on top of the built-in types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coho.server.types import TypeRegistry

ARCHIVE = Path("/work/shared/egeria/OpenMetadataTypes.omarchive")
egeria_json: Any = pytest.importorskip(
    "coho.server.archive.egeria_json", reason="the Egeria archive codec (coho.server.archive) is not built yet")
if not ARCHIVE.exists():
    pytest.skip(f"{ARCHIVE} is not available", allow_module_level=True)


@pytest.fixture(scope="module")
def parsed() -> Any:
    return egeria_json.parse_archive(ARCHIVE.read_bytes())


def load(registry: TypeRegistry, parsed: Any) -> tuple[int, list[str], int]:
    added_atds = sum(registry.add_attribute_type_def(a) for a in parsed.attribute_type_defs)
    changed = registry.add_type_defs(parsed.type_defs)
    patched = sum(registry.apply_patch(p) is not None for p in parsed.patches)
    return added_atds, changed, patched


def test_fresh_registry(parsed: Any) -> None:
    registry = TypeRegistry()
    added_atds, changed, patched = load(registry, parsed)
    assert (added_atds, len(changed), patched) == (50, 620, 32)
    assert registry.problems() == []
    assert registry.supertypes("DataFile") == ["DataStore", "DataAsset", "Asset", "Referenceable", "OpenMetadataRoot"]
    assert {"DataFile", "CSVFile", "Database", "FileFolder"} <= registry.subtypes("DataStore")
    assert len(registry.subtypes("Referenceable")) > 300
    assert registry.unique_properties("Asset") == ["qualifiedName"]
    assert "legal" in registry.all_properties("DataFile")  # from OpenMetadataRoot's patch
    assert registry.require("OpenMetadataRoot").version == 2
    assert registry.require("AssetOwner", for_new_instance=False).status == 2  # deprecated by a patch
    # Loading the same archive again changes nothing.
    assert load(registry, parsed) == (0, [], 0)


def test_on_top_of_builtin_types(parsed: Any) -> None:
    registry = TypeRegistry.with_builtin_types()
    builtin_names = {td.name for td in registry.type_defs()}
    load(registry, parsed)
    assert registry.problems() == []
    # Egeria's definitions won, and coho's additions were carried over.
    data_file = registry.all_properties("DataFile")
    assert {"fileName", "fileExtension", "legal", "size", "modifiedTime"} <= data_file.keys()
    assert "size" in registry.require("DataFile").options["coho.carried_properties"]
    assert {"dataType", "isPrimaryKey", "position", "isNullable"} <= registry.all_properties("RelationalColumn").keys()
    # coho-only types still stand, under Egeria's versions of their supertypes.
    assert registry.is_a("GovernanceActionRequest", "Action")
    assert registry.is_a("IntegrationReport", "OpenMetadataRoot")
    assert builtin_names <= {td.name for td in registry.type_defs()}
    assert len(registry.type_defs()) == 620 + len(builtin_names - {td.name for td in parsed.type_defs})
    assert load(registry, parsed) == (0, [], 0)


def test_archive_instances_validate(parsed: Any) -> None:
    registry = TypeRegistry.with_builtin_types()
    load(registry, parsed)
    for name in ("CocoBusinessSystemsArchive", "SimpleDataCatalog"):
        path = ARCHIVE.with_name(f"{name}.omarchive")
        if not path.exists():
            continue
        archive = egeria_json.parse_archive(path.read_bytes())
        for entity in archive.entities:
            type_name = entity.header.type.type_def_name
            registry.validate_properties(type_name, entity.properties)
            for classification in entity.classifications:
                registry.validate_classification(classification.name, type_name, for_new_instance=False)
        for rel in archive.relationships:
            type_name = rel.header.type.type_def_name
            registry.validate_properties(type_name, rel.properties)
            registry.validate_relationship_ends(type_name, rel.entity_one_proxy.header.type.type_def_name,
                                                rel.entity_two_proxy.header.type.type_def_name,
                                                for_new_instance=False)
