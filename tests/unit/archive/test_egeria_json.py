"""The Egeria archive codec: exact round trip of the real archives, counts, proxies, every property value
category, and malformed or hostile input refused with the element named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from coho.omrs.v1 import typedefs_pb2
from coho.server.archive import archive_to_json, dumps_archive, parse_archive
from coho.server.errors import InvalidArgument

# -- the real archives ------------------------------------------------------------------------------


def test_round_trip_is_exact(kit: Any, archive_name: str) -> None:
    original = kit.read_json(archive_name)
    parsed = parse_archive(kit.read_bytes(archive_name))
    assert parsed.unmodelled == [], "Egeria fields coho does not model"
    differences = kit.differences(original, archive_to_json(parsed))
    assert [d for d in differences if d not in kit.tolerated] == []


def test_round_trip_through_bytes(kit: Any, archive_name: str) -> None:
    parsed = parse_archive(kit.read_bytes(archive_name))
    again = parse_archive(dumps_archive(archive_to_json(parsed)))
    assert again.entities == parsed.entities
    assert again.relationships == parsed.relationships
    assert again.type_defs == parsed.type_defs
    assert again.attribute_type_defs == parsed.attribute_type_defs
    assert again.patches == parsed.patches
    assert again.classification_extensions == parsed.classification_extensions


def test_counts_match_the_readme(kit: Any, archive_name: str) -> None:
    expected = kit.readme_counts()[archive_name]
    counts = parse_archive(kit.read_bytes(archive_name)).counts()
    assert {
        "type defs": counts.type_defs, "attribute type defs": counts.attribute_type_defs,
        "patches": counts.type_def_patches, "entities": counts.entities,
        "relationships": counts.relationships, "classifications": counts.classifications,
    } == expected


def test_proxies_are_the_ends_not_in_the_archive(kit: Any, archive_name: str) -> None:
    document = kit.read_json(archive_name)
    store = document.get("archiveInstanceStore", {})
    entity_guids = {e["guid"] for e in store.get("entities", [])}
    ends = {r[end]["guid"] for r in store.get("relationships", []) for end in ("entityOneProxy", "entityTwoProxy")}
    ends |= {c["entityToClassify"]["guid"] for c in store.get("classifications", [])}
    parsed = parse_archive(document)
    assert set(parsed.proxy_guids()) == ends - entity_guids
    assert parsed.counts().entity_proxies == len(ends - entity_guids)


def test_archive_properties(kit: Any) -> None:
    parsed = parse_archive(kit.read_bytes("CocoBusinessSystemsArchive.omarchive"))
    p = parsed.properties
    assert (p.guid, p.name, p.archive_type, p.originator_license) == (
        "ac202586-4042-407b-ae51-8096dfda223e", "Coco Pharmaceuticals Business Systems", "CONTENT_PACK",
        "Apache 2.0")
    assert p.creation_time_ms == 1639984840038
    assert p.depends_on[0] == "bce3b0a0-662a-4f87-b8dc-844078a11a6e"
    assert len(p.depends_on) == 10  # duplicates kept, as written


def test_enum_mapping(kit: Any) -> None:
    parsed = parse_archive(kit.read_bytes("OpenMetadataTypes.omarchive"))
    by_name = {a.name: a for a in parsed.attribute_type_defs}
    assert by_name["object"].primitive.primitive_def_category == typedefs_pb2.PRIMITIVE_DEF_CATEGORY_OBJECT
    assert by_name["string"].primitive.primitive_def_category == typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING
    assert by_name["map<string,int>"].collection.collection_def_category == typedefs_pb2.COLLECTION_DEF_CATEGORY_MAP
    assert by_name["ActivityStatus"].enum_def.default_value_ordinal == 0
    # Egeria's "no default" is a bare element with ordinal 99
    assert not by_name["ContentStatus"].enum_def.HasField("default_value_ordinal")
    relationship = next(t for t in parsed.type_defs if t.name == "SourcedFrom")
    end = relationship.relationship_def.end_def_1
    assert end.attribute_cardinality == typedefs_pb2.ATTRIBUTE_CARDINALITY_ANY_NUMBER
    assert relationship.status == typedefs_pb2.TYPE_DEF_STATUS_ACTIVE_TYPEDEF
    deprecated = [p for p in parsed.patches if p.type_def_status == typedefs_pb2.TYPE_DEF_STATUS_DEPRECATED_TYPEDEF]
    assert len(deprecated) == 19


# -- every property value category (the real archives lack struct, float, char, ...) ------------------


def _primitive(category: str, value: Any, type_name: str = "x") -> dict[str, Any]:
    out = {"class": "PrimitivePropertyValue", "headerVersion": 1, "instancePropertyCategory": "PRIMITIVE",
           "typeGUID": "g-" + type_name, "typeName": type_name, "primitiveDefCategory": category}
    if value is not None:
        out["primitiveValue"] = value
    return out


def _props(values: dict[str, Any]) -> dict[str, Any]:
    return {"class": "InstanceProperties", "headerVersion": 1, "instanceProperties": values}


def _archive_with_values(values: dict[str, Any]) -> dict[str, Any]:
    entity = {
        "class": "EntityDetail", "headerVersion": 1,
        "type": {"class": "InstanceType", "headerVersion": 1, "typeDefCategory": "ENTITY_DEF",
                 "typeDefGUID": "t1", "typeDefName": "Thing", "typeDefVersion": 1,
                 "typeDefSuperTypes": [{"headerVersion": 1, "guid": "t0", "name": "Root", "status": "ACTIVE_TYPEDEF"}],
                 "validInstanceProperties": ["a"], "validStatusList": ["ACTIVE", "UNKNOWN"]},
        "instanceProvenanceType": "LOCAL_COHORT", "metadataCollectionId": "mc", "replicatedBy": "r",
        "instanceLicense": "l", "createdBy": "u", "maintainedBy": ["u"], "createTime": -1500, "version": 3,
        "guid": "e1", "instanceURL": "http://x", "mappingProperties": {"k": "v"}, "status": "DELETED",
        "statusOnDelete": "DRAFT",
        "properties": {**_props(values), "effectiveFromTime": 5, "effectiveToTime": 6},
    }
    return {"class": "OpenMetadataArchive",
            "archiveProperties": {"class": "OpenMetadataArchiveProperties", "archiveGUID": "a1",
                                  "archiveName": "n", "originatorOrganization": "org", "futureKey": {"x": 1}},
            "archiveInstanceStore": {"class": "OpenMetadataArchiveInstanceStore", "entities": [entity]}}


EVERY_VALUE = {
    "bool": _primitive("OM_PRIMITIVE_TYPE_BOOLEAN", True),
    "byte": _primitive("OM_PRIMITIVE_TYPE_BYTE", -128),
    "char": _primitive("OM_PRIMITIVE_TYPE_CHAR", "é"),
    "short": _primitive("OM_PRIMITIVE_TYPE_SHORT", 32767),
    "int": _primitive("OM_PRIMITIVE_TYPE_INT", -5),
    "long": _primitive("OM_PRIMITIVE_TYPE_LONG", 2**62),
    "float": _primitive("OM_PRIMITIVE_TYPE_FLOAT", 0.1),
    "double": _primitive("OM_PRIMITIVE_TYPE_DOUBLE", 2.5e-300),
    "bigint": _primitive("OM_PRIMITIVE_TYPE_BIGINTEGER", 2**100),
    "bigdec": _primitive("OM_PRIMITIVE_TYPE_BIGDECIMAL", 12.25),
    "string": _primitive("OM_PRIMITIVE_TYPE_STRING", ""),
    "date": _primitive("OM_PRIMITIVE_TYPE_DATE", 1639984840038),
    "object": _primitive("OM_PRIMITIVE_TYPE_UNKNOWN", {"any": [1, "json"]}),
    "null": _primitive("OM_PRIMITIVE_TYPE_STRING", None),
    "enum": {"class": "EnumPropertyValue", "headerVersion": 1, "instancePropertyCategory": "ENUM",
             "typeGUID": "g", "typeName": "E", "ordinal": 99, "symbolicName": "OTHER", "description": "d"},
    "array": {"class": "ArrayPropertyValue", "headerVersion": 1, "instancePropertyCategory": "ARRAY",
              "typeGUID": "g", "typeName": "array<int>", "arrayCount": 3,
              "arrayValues": _props({str(i): _primitive("OM_PRIMITIVE_TYPE_INT", 10 - i) for i in (2, 0, 1)})},
    "map": {"class": "MapPropertyValue", "headerVersion": 1, "instancePropertyCategory": "MAP",
            "typeGUID": "g", "typeName": "map<string,date>", "mapElementCount": 1,
            "mapValues": _props({"when": _primitive("OM_PRIMITIVE_TYPE_DATE", 0)})},
    "struct": {"class": "StructPropertyValue", "headerVersion": 1, "instancePropertyCategory": "STRUCT",
               "typeGUID": "g", "typeName": "S",
               "attributes": _props({"inner": {"class": "ArrayPropertyValue", "headerVersion": 1,
                                               "instancePropertyCategory": "ARRAY", "typeGUID": "g",
                                               "typeName": "array<string>", "arrayCount": 0,
                                               "arrayValues": _props({})}})},
}


def test_every_value_category_round_trips(kit: Any) -> None:
    document = _archive_with_values(EVERY_VALUE)
    parsed = parse_archive(copy.deepcopy(document))
    assert parsed.unmodelled == []
    props = parsed.entities[0].properties.properties
    assert [v.primitive.int_value for v in props["array"].array.values] == [10, 9, 8]
    assert props["bigint"].primitive.big_integer_value == str(2**100)
    assert props["null"].primitive.WhichOneof("value") is None
    assert props["string"].primitive.WhichOneof("value") == "string_value"
    assert parsed.entities[0].header.status == typedefs_pb2.INSTANCE_STATUS_DELETED
    assert parsed.entities[0].header.create_time.ToMilliseconds() == -1500
    assert kit.differences(document, archive_to_json(parsed)) == []
    # and through JSON text, where the float must come back as Java would print it
    again = json.loads(dumps_archive(archive_to_json(parse_archive(json.dumps(document)))))
    assert kit.differences(document, again) == []


# -- malformed and hostile input ------------------------------------------------------------------------


def _error(data: Any, **limits: int) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as info:
        parse_archive(data, **limits)
    assert info.value.reason == "ARCHIVE_INVALID"
    assert len(info.value.field_violations) == 1
    return info.value


def _simple() -> dict[str, Any]:
    return json.loads((Path("/work/shared/egeria") / "SimpleCatalog.omarchive").read_text())


def test_bad_primitive_category_names_the_element() -> None:
    document = _simple()
    entity = document["archiveInstanceStore"]["entities"][12]
    entity["properties"]["instanceProperties"]["qualifiedName"]["primitiveDefCategory"] = "OM_PRIMITIVE_TYPE_FOO"
    error = _error(document)
    path, problem = error.field_violations[0]
    element = f"archiveInstanceStore.entities[12] (guid {entity['guid']})"
    assert path == f"{element}: properties.instanceProperties.qualifiedName"
    assert problem.startswith("primitiveDefCategory 'OM_PRIMITIVE_TYPE_FOO' is unknown")
    assert error.message == f"{path}: {problem}"


@pytest.mark.parametrize(("mutate", "path_end", "problem"), [
    (lambda r: r.__setitem__("status", "ALIVE"), ")", "status 'ALIVE' is unknown"),
    (lambda r: r.pop("entityOneProxy"), ")", "'entityOneProxy' is required"),
    (lambda r: r["type"].__setitem__("typeDefName", 7), "): type", "'typeDefName' must be a string, got integer"),
    (lambda r: r.__setitem__("version", "2"), ")", "'version' must be an integer, got string"),
    (lambda r: r["entityTwoProxy"].__setitem__("class", "EntityDetail"), "): entityTwoProxy",
     "class 'EntityDetail' is not supported here (expected 'EntityProxy')"),
])
def test_relationship_problems(mutate: Any, path_end: str, problem: str) -> None:
    document = _simple()
    relationship = document["archiveInstanceStore"]["relationships"][3]
    mutate(relationship)
    path, found = _error(document).field_violations[0]
    assert path == f"archiveInstanceStore.relationships[3] (guid {relationship['guid']}{path_end}"
    assert found.startswith(problem)


def test_wrong_primitive_value_type() -> None:
    document = _archive_with_values({"count": _primitive("OM_PRIMITIVE_TYPE_INT", "twelve")})
    path, problem = _error(document).field_violations[0]
    assert path == "archiveInstanceStore.entities[0] (guid e1): properties.instanceProperties.count"
    assert "is not an integer" in problem


@pytest.mark.parametrize(("value", "expected"), [
    (_primitive("OM_PRIMITIVE_TYPE_BYTE", 128), "is not an integer in [-128, 127]"),
    (_primitive("OM_PRIMITIVE_TYPE_BOOLEAN", 1), "is not true or false"),
    (_primitive("OM_PRIMITIVE_TYPE_CHAR", "ab"), "is not a single character"),
    (_primitive("OM_PRIMITIVE_TYPE_FLOAT", 1e39), "within the range of a float"),
    ({**EVERY_VALUE["array"], "arrayCount": 4}, "arrayCount 4 != 3 array values"),
    ({**EVERY_VALUE["array"], "arrayValues": _props({"0": _primitive("OM_PRIMITIVE_TYPE_INT", 1),
                                                     "2": _primitive("OM_PRIMITIVE_TYPE_INT", 1)})},
     "arrayValues keys must be 0..1"),
    ({**EVERY_VALUE["map"], "instancePropertyCategory": "ARRAY"}, "does not match class"),
    ({**EVERY_VALUE["enum"], "class": "FancyPropertyValue"}, "class 'FancyPropertyValue' is not supported"),
])
def test_bad_property_values(value: dict[str, Any], expected: str) -> None:
    _, problem = _error(_archive_with_values({"p": value})).field_violations[0]
    assert expected in problem


def test_bad_type_def_names_the_type(kit: Any) -> None:
    document = kit.read_json("CocoTypesArchive.omarchive")
    type_def = document["archiveTypeStore"]["newTypeDefs"][1]
    type_def["propertiesDefinition"][0]["attributeCardinality"] = "LOTS"
    path, problem = _error(document).field_violations[0]
    assert path == f"archiveTypeStore.newTypeDefs[1] ({type_def['name']}): propertiesDefinition[0]"
    assert problem.startswith("attributeCardinality 'LOTS' is unknown")


def test_bad_patch_and_attribute_type(kit: Any) -> None:
    document = kit.read_json("OpenMetadataTypes.omarchive")
    document["archiveTypeStore"]["typeDefPatches"][2]["typeDefStatus"] = "RETIRED"
    path, _ = _error(document).field_violations[0]
    name = document["archiveTypeStore"]["typeDefPatches"][2]["typeDefName"]
    assert path == f"archiveTypeStore.typeDefPatches[2] ({name})"
    document = kit.read_json("OpenMetadataTypes.omarchive")
    document["archiveTypeStore"]["attributeTypeDefs"][30]["category"] = "PRIMITIVE"
    path, problem = _error(document).field_violations[0]
    assert path.startswith("archiveTypeStore.attributeTypeDefs[30] (")
    assert "does not match class 'EnumDef'" in problem


def test_truncated_json_names_line_and_column(kit: Any) -> None:
    text = kit.read_bytes("SimpleEventCatalog.omarchive")[:5000]
    path, problem = _error(text).field_violations[0]
    assert path == "document"
    assert problem.startswith("invalid JSON at line 1 column")


def test_not_utf8_and_not_an_object() -> None:
    assert "not UTF-8" in _error(b'{"a": "\xff"}').field_violations[0][1]
    assert "must be a JSON object, got array" in _error(b"[1, 2]").field_violations[0][1]
    assert "'archiveProperties' is required" in _error(b'{"class": "OpenMetadataArchive"}').field_violations[0][1]


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    deep = '{"class":"OpenMetadataArchive","x":' + "[" * 200_000 + "]" * 200_000 + "}"
    path, problem = _error(deep).field_violations[0]
    assert (path, problem) == ("document", "nested deeper than 64 levels at line 1 column 99")
    # brackets inside strings do not count
    assert _error('{"archiveProperties": {"archiveName": "' + "[" * 100 + '"}}').field_violations[0][1] == (
        "'archiveGUID' is required")
    nested: dict[str, Any] = {}
    for _ in range(100):
        nested = {"n": nested}
    assert "nested deeper than 64" in _error(nested).field_violations[0][1]
    assert "nested deeper than 8" in _error(b'{"a":[[[[[[[[[1]]]]]]]]]}', max_depth=8).field_violations[0][1]


def test_huge_documents_are_refused_before_parsing() -> None:
    problem = _error(b" " * 1001 + b"{}", max_bytes=1000).field_violations[0][1]
    assert problem == "is 1003 bytes, more than the limit of 1000"


def test_enum_default_must_match_an_element(kit: Any) -> None:
    document = kit.read_json("CocoTypesArchive.omarchive")
    attribute_type = document["archiveTypeStore"]["newTypeDefs"][0]["propertiesDefinition"][0]["attributeType"]
    attribute_type["defaultValue"]["description"] = "changed"
    assert "does not equal the element def" in _error(document).field_violations[0][1]
