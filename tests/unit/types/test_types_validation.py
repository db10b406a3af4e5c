"""Instance validation: every reason, with its exact field path."""

from __future__ import annotations

import pytest

from coho.omrs.v1 import instances_pb2 as in_pb
from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.errors import CohoError, FailedPrecondition, InvalidArgument
from coho.server.types import TypeRegistry

P = td_pb


def prim(category: int = 0, **value: object) -> in_pb.PropertyValue:
    return in_pb.PropertyValue(primitive=in_pb.PrimitiveValue(primitive_def_category=category, **value))  # type: ignore[arg-type]


def props(**values: in_pb.PropertyValue) -> in_pb.InstanceProperties:
    out = in_pb.InstanceProperties()
    for name, value in values.items():
        out.properties[name].CopyFrom(value)
    return out


def enum(name: str = "", ordinal: int = 0) -> in_pb.PropertyValue:
    return in_pb.PropertyValue(enum_value=in_pb.EnumValue(symbolic_name=name, ordinal=ordinal))


def array(*values: in_pb.PropertyValue) -> in_pb.PropertyValue:
    return in_pb.PropertyValue(array=in_pb.ArrayValue(values=values))


def mapping(**values: in_pb.PropertyValue) -> in_pb.PropertyValue:
    return in_pb.PropertyValue(map=in_pb.MapValue(values=values))


def violation(registry: TypeRegistry, type_name: str, properties: in_pb.InstanceProperties,
              field_path: str = "properties") -> tuple[str, list[tuple[str, str]]]:
    with pytest.raises(InvalidArgument) as err:
        registry.validate_properties(type_name, properties, field_path)
    return err.value.reason, err.value.field_violations


@pytest.fixture
def registry(builtin: TypeRegistry) -> TypeRegistry:
    """Built-in types plus one entity type with an attribute of every primitive, for the edge cases."""
    td = P.TypeDef(guid="g-all", name="AllKinds", version=1, category=P.TYPE_DEF_CATEGORY_ENTITY_DEF)
    td.super_type.name = "Referenceable"
    for name in ("object", "boolean", "byte", "char", "short", "int", "long", "float", "double",
                 "biginteger", "bigdecimal", "string", "date"):
        td.properties_definition.add(attribute_name=f"a_{name}", attribute_type=builtin.get_attribute_type_def(name))
    struct = P.AttributeTypeDef(guid="g-struct", name="struct<Point>",
                                category=P.ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION)
    struct.collection.collection_def_category = P.COLLECTION_DEF_CATEGORY_STRUCT
    builtin.add_attribute_type_def(struct)
    td.properties_definition.add(attribute_name="a_struct", attribute_type=struct)
    builtin.add_type_def(td)
    return builtin


def test_valid_properties_pass(registry: TypeRegistry) -> None:
    registry.validate_properties("RelationalColumn", props(
        qualifiedName=prim(P.PRIMITIVE_DEF_CATEGORY_STRING, string_value="db.t.c"),
        dataType=prim(string_value="varchar"),
        isPrimaryKey=prim(boolean_value=True),
        position=prim(int_value=3),
        sortOrder=enum("DESCENDING"),
        aliases=array(prim(string_value="c1"), prim()),
        additionalProperties=mapping(k=prim(string_value="v")),
        description=in_pb.PropertyValue(),  # explicit null
        displayName=prim(P.PRIMITIVE_DEF_CATEGORY_STRING),  # explicit null primitive
    ))
    registry.validate_properties("RelationalColumn", props())


def test_property_unknown(registry: TypeRegistry) -> None:
    reason, fv = violation(registry, "DataFile", props(colour=prim(string_value="red")), "entities[3].properties")
    assert reason == "PROPERTY_UNKNOWN"
    assert fv == [("entities[3].properties.colour", "property 'colour' is not defined for type DataFile")]


def test_primitive_field_mismatch_says_expected_and_got(registry: TypeRegistry) -> None:
    reason, fv = violation(registry, "DataFile", props(fileName=prim(int_value=3)))
    assert reason == "PROPERTY_TYPE_MISMATCH"
    assert fv == [("properties.fileName", "expected string (string_value), got int_value")]


@pytest.mark.parametrize(("attr", "value"), [
    ("a_long", prim(int_value=5)),
    ("a_long", prim(P.PRIMITIVE_DEF_CATEGORY_INT, int_value=5)),
    ("a_double", prim(float_value=1.5)),
    ("a_byte", prim(byte_value=-128)),
    ("a_short", prim(short_value=32767)),
    ("a_char", prim(char_value="é")),
    ("a_biginteger", prim(big_integer_value="-123456789012345678901234567890")),
    ("a_bigdecimal", prim(big_decimal_value="3.14159265358979323846")),
    ("a_date", prim(P.PRIMITIVE_DEF_CATEGORY_DATE, date_value=1_700_000_000_000)),
    ("a_object", prim(string_value="anything")),
    ("a_object", prim(object_json='{"a": 1}')),
    ("a_struct", in_pb.PropertyValue(struct_value=in_pb.StructValue(fields={"x": prim(int_value=1)}))),
])
def test_accepted_values(registry: TypeRegistry, attr: str, value: in_pb.PropertyValue) -> None:
    registry.validate_properties("AllKinds", props(**{attr: value}))


@pytest.mark.parametrize(("attr", "value", "fragment"), [
    ("a_int", prim(long_value=5), "expected int (int_value), got long_value"),
    ("a_float", prim(double_value=1.5), "got double_value"),
    ("a_date", prim(long_value=5), "expected date (date_value)"),
    ("a_byte", prim(byte_value=128), "128 is outside -128..127"),
    ("a_short", prim(short_value=-32769), "outside -32768..32767"),
    ("a_char", prim(char_value="ab"), "not exactly one character"),
    ("a_char", prim(char_value=""), "not exactly one character"),
    ("a_biginteger", prim(big_integer_value="12.5"), "is not an integer"),
    ("a_bigdecimal", prim(big_decimal_value="NaN"), "is not a decimal number"),
    ("a_bigdecimal", prim(big_decimal_value="pi"), "is not a decimal number"),
    ("a_string", prim(P.PRIMITIVE_DEF_CATEGORY_INT, string_value="x"), "labelled int"),
    ("a_string", enum("RED"), "expected primitive string, got enum"),
    ("a_string", array(prim(string_value="x")), "got array"),
    ("a_struct", prim(string_value="x"), "expected struct struct<Point>"),
])
def test_type_mismatches(registry: TypeRegistry, attr: str, value: in_pb.PropertyValue, fragment: str) -> None:
    reason, fv = violation(registry, "AllKinds", props(**{attr: value}))
    assert reason == "PROPERTY_TYPE_MISMATCH"
    assert fv[0][0] == f"properties.{attr}"
    assert fragment in fv[0][1]


def test_enum_values(registry: TypeRegistry) -> None:
    registry.validate_properties("ToDo", props(status=enum("COMPLETE", 3), activityStatus=enum(ordinal=99)))
    registry.validate_properties("ToDo", props(status=enum(ordinal=0)))
    reason, fv = violation(registry, "ToDo", props(status=enum("DONE")))
    assert reason == "ENUM_SYMBOL_UNKNOWN"
    assert fv[0][0] == "properties.status"
    assert "'DONE' is not a symbol of ToDoStatus" in fv[0][1]
    assert violation(registry, "ToDo", props(status=enum(ordinal=42)))[0] == "ENUM_SYMBOL_UNKNOWN"
    assert violation(registry, "ToDo", props(status=enum("OPEN", 3)))[0] == "ENUM_SYMBOL_UNKNOWN"
    reason, fv = violation(registry, "ToDo", props(status=prim(string_value="OPEN")))
    assert reason == "PROPERTY_TYPE_MISMATCH"
    assert "expected enum ToDoStatus" in fv[0][1]


def test_collections(registry: TypeRegistry) -> None:
    reason, fv = violation(registry, "RelationalColumn", props(
        aliases=array(prim(string_value="ok"), prim(int_value=1)),
        additionalProperties=mapping(good=prim(string_value="v"), bad=prim(boolean_value=True)),
    ))
    assert reason == "PROPERTY_TYPE_MISMATCH"
    assert sorted(p for p, _ in fv) == ['properties.additionalProperties["bad"]', "properties.aliases[1]"]
    reason, fv = violation(registry, "RelationalColumn", props(aliases=mapping(a=prim(string_value="x"))))
    assert fv == [("properties.aliases", "expected array<string>, got map")]
    reason, fv = violation(registry, "RelationalColumn", props(aliases=array(array())))
    assert fv == [("properties.aliases[0]", "expected primitive string, got array")]
    # map<string,object> takes any value, nested collections included
    registry.validate_properties("IntegrationConnector", props(configurationProperties=mapping(
        n=prim(int_value=1), s=prim(string_value="x"), nested=mapping(x=prim(boolean_value=True)), e=array())))


def test_all_violations_are_reported(registry: TypeRegistry) -> None:
    reason, fv = violation(registry, "DataFile", props(nope=prim(string_value="x"), size=prim(string_value="big")))
    assert {p for p, _ in fv} == {"properties.nope", "properties.size"}
    assert reason in {"PROPERTY_UNKNOWN", "PROPERTY_TYPE_MISMATCH"}


def test_validate_properties_unknown_type(registry: TypeRegistry) -> None:
    with pytest.raises(FailedPrecondition) as err:
        registry.validate_properties("Nope", props())
    assert err.value.reason == "TYPE_UNKNOWN"


def test_validation_follows_attribute_type_changes(registry: TypeRegistry) -> None:
    wider = P.AttributeTypeDef()
    wider.CopyFrom(registry.get_attribute_type_def("ToDoStatus"))
    wider.enum_def.element_defs.add(ordinal=7, value="SNOOZED")
    registry.validate_properties("ToDo", props(status=enum("COMPLETE")))
    registry.add_attribute_type_def(wider)
    registry.validate_properties("ToDo", props(status=enum("SNOOZED")))


def test_status(registry: TypeRegistry) -> None:
    registry.validate_status("Asset", P.INSTANCE_STATUS_ACTIVE)
    for status in (P.INSTANCE_STATUS_DELETED, P.INSTANCE_STATUS_DRAFT, P.INSTANCE_STATUS_UNSPECIFIED):
        with pytest.raises(InvalidArgument) as err:
            registry.validate_status("Asset", status, "entity.header.status")
        assert err.value.reason == "STATUS_INVALID"
        assert err.value.field_violations[0][0] == "entity.header.status"


def test_classification(registry: TypeRegistry) -> None:
    registry.validate_classification("PrimaryKey", "RelationalColumn")
    registry.validate_classification("Anchors", "RelationalColumn")  # valid for OpenMetadataRoot
    registry.validate_classification("Confidentiality", "DataFile")
    with pytest.raises(FailedPrecondition) as err:
        registry.validate_classification("PrimaryKey", "TabularColumn", "entity.classifications[0]")
    assert err.value.reason == "CLASSIFICATION_INVALID"
    assert err.value.field_violations == [
        ("entity.classifications[0]", "PrimaryKey is valid only for RelationalColumn")]
    with pytest.raises(FailedPrecondition):
        registry.validate_classification("Confidentiality", "IntegrationReport")  # not a Referenceable
    with pytest.raises(InvalidArgument) as err2:
        registry.validate_classification("Asset", "DataFile")
    assert err2.value.reason == "TYPE_CATEGORY_MISMATCH"
    with pytest.raises(FailedPrecondition) as err:
        registry.validate_classification("Nope", "DataFile")
    assert err.value.reason == "TYPE_UNKNOWN"


def test_classification_without_valid_entity_defs_fits_any_entity(registry: TypeRegistry) -> None:
    td = P.TypeDef(guid="g-tag", name="Tagged", version=1, category=P.TYPE_DEF_CATEGORY_CLASSIFICATION_DEF)
    td.classification_def.SetInParent()
    registry.add_type_def(td)
    registry.validate_classification("Tagged", "IntegrationReport")


def test_relationship_ends(registry: TypeRegistry) -> None:
    registry.validate_relationship_ends("NestedFile", "FileFolder", "CSVFile")
    registry.validate_relationship_ends("ActionTarget", "ToDo", "IntegrationReport")
    with pytest.raises(InvalidArgument) as err:
        registry.validate_relationship_ends("NestedFile", "DataFile", "FileFolder", field_path="relationship")
    assert err.value.reason == "RELATIONSHIP_END_INVALID"
    assert [p for p, _ in err.value.field_violations] == ["relationship.entity_one_proxy",
                                                          "relationship.entity_two_proxy"]
    assert "NestedFile needs a FileFolder here (homeFolder), got DataFile" in err.value.field_violations[0][1]
    with pytest.raises(InvalidArgument) as err:
        registry.validate_relationship_ends("FolderHierarchy", "FileFolder", "Unknown")
    assert [p for p, _ in err.value.field_violations] == ["entity_two_proxy"]
    with pytest.raises(InvalidArgument) as err:
        registry.validate_relationship_ends("Asset", "FileFolder", "FileFolder")
    assert err.value.reason == "TYPE_CATEGORY_MISMATCH"


def test_errors_are_coho_errors(registry: TypeRegistry) -> None:
    with pytest.raises(CohoError):
        registry.validate_properties("DataFile", props(nope=prim()))


def test_validation_is_cheap(registry: TypeRegistry) -> None:
    import time

    entity = props(qualifiedName=prim(string_value="q"), displayName=prim(string_value="d"),
                   fileName=prim(string_value="f"), size=prim(long_value=1),
                   additionalProperties=mapping(k=prim(string_value="v")))
    registry.validate_properties("DataFile", entity)
    start = time.perf_counter()
    for _ in range(2000):
        registry.validate_properties("DataFile", entity)
    assert 2000 / (time.perf_counter() - start) > 10_000  # measured ~120k/s; generous for slow CI
