"""TypeRegistry: adding (idempotency, conflicts, references), inheritance views, lookups, built-in replacement."""

from __future__ import annotations

import pytest

from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from coho.server.types import CLASSIFICATION, ENTITY, RELATIONSHIP, TypeRegistry

ACTIVE = td_pb.INSTANCE_STATUS_ACTIVE
DELETED = td_pb.INSTANCE_STATUS_DELETED


def entity_type(registry: TypeRegistry, name: str, super_type: str = "", *, guid: str = "", version: int = 1,
                **properties: str) -> td_pb.TypeDef:
    td = td_pb.TypeDef(guid=guid or f"guid-{name}", name=name, version=version, category=ENTITY,
                       status=td_pb.TYPE_DEF_STATUS_ACTIVE_TYPEDEF)
    td.entity_def.SetInParent()
    if super_type:
        td.super_type.name = super_type
    for attr_name, spec in properties.items():
        type_name, _, unique = spec.partition(" ")
        atd = registry.get_attribute_type_def(type_name)
        assert atd is not None, type_name
        td.properties_definition.add(attribute_name=attr_name, attribute_type=atd, is_unique=bool(unique))
    return td


def test_add_is_idempotent_and_bumps_version_token(builtin: TypeRegistry) -> None:
    td = entity_type(builtin, "Widget", "Referenceable", colour="string")
    before = builtin.version_token()
    assert builtin.add_type_def(td) is True
    assert builtin.version_token() > before
    token = builtin.version_token()
    again = td_pb.TypeDef()
    again.CopyFrom(td)
    again.description = "descriptions and audit fields do not count"
    again.created_by = "someone"
    assert builtin.add_type_def(again) is False
    assert builtin.version_token() == token
    assert builtin.get_type_def("Widget") is builtin.get_type_def("guid-Widget")


def test_conflicting_definitions_are_refused(builtin: TypeRegistry) -> None:
    builtin.add_type_def(entity_type(builtin, "Widget", "Referenceable", colour="string"))
    with pytest.raises(AlreadyExists) as err:
        builtin.add_type_def(entity_type(builtin, "Widget", "Referenceable", colour="int"))
    assert err.value.reason == "CONFLICTING_TYPEDEFS"
    assert "colour" in err.value.message
    with pytest.raises(AlreadyExists) as err:  # same guid, another name
        builtin.add_type_def(entity_type(builtin, "Gadget", "Referenceable", guid="guid-Widget"))
    assert err.value.reason == "CONFLICTING_TYPEDEFS"


def test_older_version_of_known_type_is_a_no_op(builtin: TypeRegistry) -> None:
    builtin.add_type_def(entity_type(builtin, "Widget", "Referenceable", version=3))
    assert builtin.add_type_def(entity_type(builtin, "Widget", "Referenceable", version=2, extra="string")) is False


def test_references_must_be_known(builtin: TypeRegistry) -> None:
    with pytest.raises(InvalidArgument) as err:
        builtin.add_type_def(entity_type(builtin, "Widget", "NoSuchType"))
    assert err.value.reason == "INVALID_TYPEDEF"
    assert err.value.field_violations[0][0] == "type_def.super_type"
    td = entity_type(builtin, "Widget", "Referenceable", colour="string")
    td.properties_definition[0].attribute_type.name = "array<colour>"
    td.properties_definition[0].attribute_type.guid = "nope"
    with pytest.raises(InvalidArgument) as err:
        builtin.add_type_def(td)
    assert err.value.field_violations[0][0] == "type_def.properties_definition[0].attribute_type"
    # a relationship type cannot extend an entity type
    rel = td_pb.TypeDef(guid="g-rel", name="WidgetLink", category=RELATIONSHIP, version=1)
    rel.super_type.name = "Referenceable"
    rel.relationship_def.end_def_1.entity_type.name = "Asset"
    rel.relationship_def.end_def_2.entity_type.name = "Nope"
    with pytest.raises(InvalidArgument) as err:
        builtin.add_type_def(rel)
    paths = [p for p, _ in err.value.field_violations]
    assert paths == ["type_def.super_type", "type_def.relationship_def.end_def_2.entity_type"]


def test_malformed_type_defs(builtin: TypeRegistry) -> None:
    td = entity_type(builtin, "Widget", "Referenceable")
    td.ClearField("guid")
    td.relationship_def.SetInParent()
    with pytest.raises(InvalidArgument) as err:
        builtin.add_type_def(td)
    assert [p for p, _ in err.value.field_violations] == ["type_def.guid", "type_def.details"]


def test_add_type_defs_orders_by_dependency_and_is_atomic() -> None:
    registry = TypeRegistry.with_builtin_types()
    child = entity_type(registry, "Child", "Parent")
    parent = entity_type(registry, "Parent", "Asset")
    link = td_pb.TypeDef(guid="g-link", name="ParentChild", category=RELATIONSHIP, version=1)
    link.relationship_def.end_def_1.entity_type.name = "Parent"
    link.relationship_def.end_def_2.entity_type.name = "Child"
    assert registry.add_type_defs([link, child, parent]) == ["Parent", "Child", "ParentChild"]
    assert registry.supertypes("Child")[:2] == ["Parent", "Asset"]

    fresh = TypeRegistry.with_builtin_types()
    token = fresh.version_token()
    with pytest.raises(InvalidArgument):
        fresh.add_type_defs([entity_type(fresh, "Fine", "Asset"), entity_type(fresh, "Broken", "Missing")])
    assert fresh.get_type_def("Fine") is None
    assert fresh.version_token() != token  # caches elsewhere are told to re-read


def test_copy_is_independent(builtin: TypeRegistry) -> None:
    staged = builtin.copy()
    staged.add_type_def(entity_type(staged, "Widget", "Asset"))
    assert staged.get_type_def("Widget") is not None
    assert builtin.get_type_def("Widget") is None
    assert "Widget" in staged.subtypes("Asset")
    assert "Widget" not in builtin.subtypes("Asset")


def test_inheritance_views(builtin: TypeRegistry) -> None:
    assert builtin.supertypes("DataFile") == ["DataStore", "DataAsset", "Asset", "Referenceable", "OpenMetadataRoot"]
    assert builtin.supertypes("OpenMetadataRoot") == []
    assert builtin.subtypes("DataStore") == {"DataStore", "Database", "DataFile", "CSVFile", "FileFolder"}
    assert builtin.is_a("CSVFile", "Asset")
    assert builtin.is_a("Asset", "Asset")
    assert not builtin.is_a("Asset", "CSVFile")
    assert not builtin.is_a("NoSuchType", "Asset")
    props = builtin.all_properties("CSVFile")
    assert next(iter(props)) == "qualifiedName"  # root's first
    assert {"qualifiedName", "pathName", "fileName", "delimiterCharacter", "size"} <= props.keys()
    assert builtin.unique_properties("CSVFile") == ["qualifiedName"]
    assert builtin.unique_properties("OpenMetadataRoot") == []
    with pytest.raises(FailedPrecondition) as err:
        builtin.supertypes("NoSuchType")
    assert err.value.reason == "TYPE_UNKNOWN"


def test_subtype_property_redefinition_wins(builtin: TypeRegistry) -> None:
    builtin.add_type_def(entity_type(builtin, "Widget", "Referenceable", description="string", extra="int"))
    builtin.add_type_def(entity_type(builtin, "SubWidget", "Widget", extra="int"))
    assert builtin.all_properties("SubWidget")["extra"] is builtin.get_type_def("SubWidget").properties_definition[0]


def test_subtypes_cache_is_invalidated_on_add(builtin: TypeRegistry) -> None:
    assert "Widget" not in builtin.subtypes("Asset")
    builtin.add_type_def(entity_type(builtin, "Widget", "Asset"))
    assert "Widget" in builtin.subtypes("Asset")
    assert "Widget" in builtin.subtypes("Referenceable")


def test_instance_type(builtin: TypeRegistry) -> None:
    it = builtin.instance_type("RelationalColumn")
    td = builtin.require("RelationalColumn")
    assert (it.type_def_name, it.type_def_guid, it.type_def_version) == ("RelationalColumn", td.guid, 1)
    assert it.type_def_category == ENTITY
    assert [link.name for link in it.type_def_super_types] == builtin.supertypes("RelationalColumn")
    assert it.type_def_super_types[0].guid == builtin.require("TabularColumn").guid
    assert "dataType" in it.valid_instance_properties
    assert list(it.valid_status_list) == [ACTIVE, DELETED]
    assert builtin.instance_type("RelationalColumn") is it  # cached


def test_statuses(builtin: TypeRegistry) -> None:
    assert builtin.initial_status("Asset") == ACTIVE
    assert builtin.valid_statuses("Asset") == {ACTIVE, DELETED}
    td = entity_type(builtin, "Draftable", "Referenceable")
    td.valid_instance_statuses.extend([td_pb.INSTANCE_STATUS_DRAFT, ACTIVE, DELETED])
    td.initial_status = td_pb.INSTANCE_STATUS_DRAFT
    builtin.add_type_def(td)
    builtin.add_type_def(entity_type(builtin, "SubDraftable", "Draftable"))
    assert builtin.initial_status("SubDraftable") == td_pb.INSTANCE_STATUS_DRAFT
    assert builtin.valid_statuses("SubDraftable") == {td_pb.INSTANCE_STATUS_DRAFT, ACTIVE, DELETED}


def test_require(builtin: TypeRegistry) -> None:
    assert builtin.require("Asset", ENTITY).name == "Asset"
    assert builtin.require(builtin.require("Asset").guid).name == "Asset"
    with pytest.raises(FailedPrecondition) as err:
        builtin.require("NoSuchType")
    assert (err.value.reason, err.value.resource) == ("TYPE_UNKNOWN", ("TypeDef", "NoSuchType"))
    with pytest.raises(InvalidArgument) as err:
        builtin.require("Asset", RELATIONSHIP)
    assert err.value.reason == "TYPE_CATEGORY_MISMATCH"
    assert builtin.require("Anchors", CLASSIFICATION).name == "Anchors"
    td = entity_type(builtin, "Old", "Referenceable")
    td.status = td_pb.TYPE_DEF_STATUS_DEPRECATED_TYPEDEF
    builtin.add_type_def(td)
    with pytest.raises(FailedPrecondition) as err:
        builtin.require("Old")
    assert err.value.reason == "TYPE_INACTIVE"
    assert builtin.require("Old", for_new_instance=False).name == "Old"


def test_attribute_type_defs_idempotency_and_conflicts(builtin: TypeRegistry) -> None:
    string = builtin.get_attribute_type_def("string")
    assert string is not None
    assert builtin.get_attribute_type_def(string.guid) is string
    assert builtin.add_attribute_type_def(string) is False
    colour = td_pb.AttributeTypeDef(guid="g-colour", name="Colour", category=td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF)
    colour.enum_def.element_defs.add(ordinal=0, value="RED")
    assert builtin.add_attribute_type_def(colour) is True
    assert builtin.add_attribute_type_def(colour) is False
    colour.enum_def.element_defs.add(ordinal=1, value="BLUE")
    with pytest.raises(AlreadyExists) as err:
        builtin.add_attribute_type_def(colour)  # not built in: no replacement
    assert err.value.reason == "CONFLICTING_ATTRIBUTE_TYPEDEFS"
    bad = td_pb.AttributeTypeDef(guid="g", name="bad", category=td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF)
    bad.primitive.primitive_def_category = td_pb.PRIMITIVE_DEF_CATEGORY_INT
    with pytest.raises(InvalidArgument):
        builtin.add_attribute_type_def(bad)


def test_builtin_attribute_type_replaced_by_compatible_one(builtin: TypeRegistry) -> None:
    wider = td_pb.AttributeTypeDef()
    wider.CopyFrom(builtin.get_attribute_type_def("ToDoStatus"))
    wider.enum_def.element_defs.add(ordinal=7, value="SNOOZED")
    assert builtin.add_attribute_type_def(wider) is True
    narrower = td_pb.AttributeTypeDef()
    narrower.CopyFrom(builtin.get_attribute_type_def("KeyPattern"))
    del narrower.enum_def.element_defs[0]
    with pytest.raises(AlreadyExists) as err:
        builtin.add_attribute_type_def(narrower)
    assert err.value.reason == "CONFLICTING_ATTRIBUTE_TYPEDEFS"


def test_builtin_type_replacement_carries_coho_additions(builtin: TypeRegistry) -> None:
    assert builtin.is_builtin("DataFile")
    # An archive's DataFile without coho's size/modifiedTime, with an extra property of its own.
    archive = entity_type(builtin, "DataFile", "DataStore", guid=builtin.require("DataFile").guid,
                          fileName="string", fileType="string", fileExtension="string", encoding="string")
    assert builtin.add_type_def(archive) is True
    stored = builtin.require("DataFile")
    assert stored.options["coho.carried_properties"] == "size,modifiedTime"
    assert {"size", "modifiedTime", "encoding", "fileName"} <= builtin.all_properties("CSVFile").keys()
    assert not builtin.is_builtin("DataFile")
    assert builtin.add_type_def(archive) is False  # the same archive again
    assert builtin.verify_type_def(archive) == []
    other = entity_type(builtin, "DataFile", "DataStore", guid=stored.guid, fileName="string")
    with pytest.raises(AlreadyExists):
        builtin.add_type_def(other)  # no longer built in
    assert builtin.problems() == []


def test_builtin_replacement_conflicts(builtin: TypeRegistry) -> None:
    with pytest.raises(AlreadyExists) as err:  # a built-in property with another attribute type
        builtin.add_type_def(entity_type(builtin, "DataFile", "DataStore", size="string"))
    assert err.value.reason == "CONFLICTING_TYPEDEFS"
    assert "size" in err.value.message
    rel = td_pb.TypeDef(guid="g", name="DataFile", category=RELATIONSHIP, version=1)
    rel.relationship_def.end_def_1.entity_type.name = "Asset"
    rel.relationship_def.end_def_2.entity_type.name = "Asset"
    with pytest.raises(AlreadyExists):
        builtin.add_type_def(rel)
    with pytest.raises(AlreadyExists):
        builtin.add_type_def(entity_type(builtin, "DataFile", "DataStore"), replace_builtin=False)


def test_verify_type_def(builtin: TypeRegistry) -> None:
    td = entity_type(builtin, "Widget", "Asset", colour="string")
    assert builtin.verify_type_def(td) == ["type 'Widget' is not known"]
    builtin.add_type_def(td)
    assert builtin.verify_type_def(td) == []
    changed = entity_type(builtin, "Widget", "Referenceable", colour="int", size="long")
    diffs = builtin.verify_type_def(changed)
    assert "super_type: 'Asset' != 'Referenceable'" in diffs
    assert "property 'colour': type string != int" in diffs
    assert "property 'size' not expected" in diffs


def test_type_defs_listing(builtin: TypeRegistry) -> None:
    names = {td.name for td in builtin.type_defs()}
    assert {"Referenceable", "FolderHierarchy", "Anchors"} <= names
    assert len(builtin.attribute_type_defs()) == len({a.name for a in builtin.attribute_type_defs()})
