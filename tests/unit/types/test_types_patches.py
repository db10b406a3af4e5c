"""TypeDefPatch: apply, re-apply as a no-op, version mismatch, and what a patch may change."""

from __future__ import annotations

import pytest

from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.errors import FailedPrecondition, InvalidArgument
from coho.server.types import TypeRegistry


def attribute(registry: TypeRegistry, name: str, type_name: str) -> td_pb.TypeDefAttribute:
    return td_pb.TypeDefAttribute(attribute_name=name, attribute_type=registry.get_attribute_type_def(type_name))


def test_apply_then_reapply(builtin: TypeRegistry) -> None:
    patch = td_pb.TypeDefPatch(type_def_name="FileFolder", apply_to_version=1, update_to_version=2,
                               new_version_name="2.0", updated_by="admin")
    patch.property_definitions.append(attribute(builtin, "folderColour", "string"))
    token = builtin.version_token()
    patched = builtin.apply_patch(patch)
    assert patched is not None
    assert (patched.version, patched.version_name, patched.updated_by) == (2, "2.0", "admin")
    assert "folderColour" in builtin.all_properties("FileFolder")
    assert builtin.version_token() > token
    assert builtin.apply_patch(patch) is None  # already at update_to_version
    assert builtin.require("FileFolder").version == 2


def test_patch_by_guid_and_chain(builtin: TypeRegistry) -> None:
    guid = builtin.require("Topic").guid
    for version in (1, 2):
        builtin.apply_patch(td_pb.TypeDefPatch(type_def_guid=guid, apply_to_version=version,
                                               update_to_version=version + 1))
    assert builtin.require("Topic").version == 3
    # The first patch again (an archive loaded twice) is a no-op, not a mismatch.
    assert builtin.apply_patch(td_pb.TypeDefPatch(type_def_guid=guid, apply_to_version=1, update_to_version=2)) is None


def test_mismatch_and_unknown(builtin: TypeRegistry) -> None:
    with pytest.raises(FailedPrecondition) as err:
        builtin.apply_patch(td_pb.TypeDefPatch(type_def_name="Topic", apply_to_version=2, update_to_version=3))
    assert err.value.reason == "TYPEDEF_PATCH_MISMATCH"
    assert err.value.metadata["stored_version"] == "1"
    with pytest.raises(FailedPrecondition) as err:
        builtin.apply_patch(td_pb.TypeDefPatch(type_def_name="Nope", apply_to_version=1, update_to_version=2))
    assert err.value.reason == "TYPE_UNKNOWN"


def test_patch_redefines_property_and_deprecates(builtin: TypeRegistry) -> None:
    patch = td_pb.TypeDefPatch(type_def_name="Topic", apply_to_version=1, update_to_version=2,
                               type_def_status=td_pb.TYPE_DEF_STATUS_DEPRECATED_TYPEDEF)
    patch.property_definitions.append(attribute(builtin, "topicType", "int"))
    builtin.apply_patch(patch)
    topic = builtin.require("Topic", for_new_instance=False)
    assert [a.attribute_name for a in topic.properties_definition] == ["topicType"]
    assert topic.properties_definition[0].attribute_type.name == "int"
    with pytest.raises(FailedPrecondition) as err:
        builtin.require("Topic")
    assert err.value.reason == "TYPE_INACTIVE"


def test_patch_supertype_and_relationship_details(builtin: TypeRegistry) -> None:
    patch = td_pb.TypeDefPatch(type_def_name="Topic", apply_to_version=1, update_to_version=2)
    patch.super_type.name = "DataSet"
    builtin.apply_patch(patch)
    assert builtin.supertypes("Topic")[0] == "DataSet"
    assert "Topic" in builtin.subtypes("DataSet")
    rel = td_pb.TypeDefPatch(type_def_name="NestedFile", apply_to_version=1, update_to_version=2,
                             update_multi_link=True, multi_link=True)
    rel.end_def_2.entity_type.name = "DataStore"
    builtin.apply_patch(rel)
    nested = builtin.require("NestedFile").relationship_def
    assert nested.multi_link
    assert nested.end_def_2.entity_type.name == "DataStore"
    builtin.validate_relationship_ends("NestedFile", "FileFolder", "Database")


def test_patch_refuses_cycles_and_unknown_attribute_types(builtin: TypeRegistry) -> None:
    cycle = td_pb.TypeDefPatch(type_def_name="Asset", apply_to_version=1, update_to_version=2)
    cycle.super_type.name = "DataFile"
    with pytest.raises(InvalidArgument) as err:
        builtin.apply_patch(cycle)
    assert err.value.field_violations[0][0] == "type_def.super_type"
    unknown = td_pb.TypeDefPatch(type_def_name="Asset", apply_to_version=1, update_to_version=2)
    unknown.property_definitions.add(attribute_name="x", attribute_type=td_pb.AttributeTypeDef(name="nope"))
    with pytest.raises(InvalidArgument):
        builtin.apply_patch(unknown)
    assert builtin.require("Asset").version == 1
