"""Egeria JSON <-> coho.omrs.v1 type definitions: AttributeTypeDef, TypeDef (entity / relationship /
classification) and TypeDefPatch.

Presence rules (what makes the round trip exact): a string, list or enum field is written only when it is
non-empty / not UNSPECIFIED, because Egeria omits nulls and the archives never hold empty values for these
fields; numbers and booleans that Egeria always writes are always written; timestamps keep their presence.
"""

from __future__ import annotations

from typing import Any

from coho.omrs.v1 import typedefs_pb2
from coho.server.archive.egeria_common import (
    ATTRIBUTE_CARDINALITY,
    ATTRIBUTE_STATUS,
    ATTRIBUTE_TYPE_DEF_CATEGORY,
    COLLECTION_DEF_CATEGORY,
    HEADER_VERSION,
    INSTANCE_STATUS,
    INT32_MAX,
    INT32_MIN,
    PRIMITIVE_DEF_CATEGORY,
    PROPAGATION_RULE,
    TYPE_DEF_CATEGORY,
    TYPE_DEF_STATUS,
    Node,
    put_enum,
    put_str,
    put_time,
)

# Egeria's EnumElementDef defaults its ordinal to 99 with no value: an EnumDef "without a default" is written
# with this bare element as its defaultValue.
NO_DEFAULT_ORDINAL = 99

_TYPE_DEF_CLASSES = {"EntityDef": "ENTITY_DEF", "RelationshipDef": "RELATIONSHIP_DEF",
                     "ClassificationDef": "CLASSIFICATION_DEF"}
_ATTRIBUTE_TYPE_CLASSES = {"PrimitiveDef": "PRIMITIVE", "CollectionDef": "COLLECTION", "EnumDef": "ENUM_DEF"}


# -- reading ------------------------------------------------------------------------------------------


def read_type_def_link(node: Node) -> typedefs_pb2.TypeDefLink:
    link = typedefs_pb2.TypeDefLink(
        guid=node.text("guid", required=True), name=node.text("name", required=True),
        status=node.enum("status", TYPE_DEF_STATUS),  # type: ignore[arg-type]
        replaced_by_type_guid=node.text("replacedByTypeGUID"),
        replaced_by_type_name=node.text("replacedByTypeName"),
    )
    node.finish()
    return link


def read_external_mappings(node: Node, key: str) -> list[typedefs_pb2.ExternalStandardMapping]:
    result = []
    for item in node.children(key):
        result.append(typedefs_pb2.ExternalStandardMapping(
            standard_name=item.text("standardName"), standard_organization=item.text("standardOrganization"),
            standard_type_name=item.text("standardTypeName"),
        ))
        item.finish()
    return result


def read_attribute_type_def(node: Node) -> typedefs_pb2.AttributeTypeDef:
    cls = node.class_name(*_ATTRIBUTE_TYPE_CLASSES)
    atd = typedefs_pb2.AttributeTypeDef(
        guid=node.text("guid", required=True), name=node.text("name", required=True),
        version=node.integer("version"), version_name=node.text("versionName"),
        category=node.enum("category", ATTRIBUTE_TYPE_DEF_CATEGORY,  # type: ignore[arg-type]
                           required=True),
        description=node.text("description"), description_guid=node.text("descriptionGUID"),
        description_wiki=node.text("descriptionWiki"),
    )
    if ATTRIBUTE_TYPE_DEF_CATEGORY.egeria(atd.category) != _ATTRIBUTE_TYPE_CLASSES[cls]:
        node.fail(f"category {ATTRIBUTE_TYPE_DEF_CATEGORY.egeria(atd.category)!r} does not match class {cls!r}")
    if cls == "PrimitiveDef":
        atd.primitive.primitive_def_category = node.enum(  # type: ignore[assignment]
            "primitiveDefCategory", PRIMITIVE_DEF_CATEGORY, required=True)
    elif cls == "CollectionDef":
        atd.collection.collection_def_category = node.enum(  # type: ignore[assignment]
            "collectionDefCategory", COLLECTION_DEF_CATEGORY, required=True)
        atd.collection.argument_count = node.integer("argumentCount", low=INT32_MIN, high=INT32_MAX)
        atd.collection.argument_types.extend(node.enums("argumentTypes", PRIMITIVE_DEF_CATEGORY))  # type: ignore[arg-type]
    else:
        _read_enum_def(node, atd.enum_def)
    node.finish()
    return atd


def _read_enum_def(node: Node, enum_def: typedefs_pb2.EnumDef) -> None:
    elements: dict[int, dict[str, Any]] = {}
    for item in node.children("elementDefs"):
        element = enum_def.element_defs.add(
            ordinal=item.integer("ordinal", required=True, low=INT32_MIN, high=INT32_MAX),
            value=item.text("value", required=True),
            description=item.text("description"), description_guid=item.text("descriptionGUID"),
        )
        elements[element.ordinal] = item.data
        item.finish()
    default = node.opt_child("defaultValue")
    if default is None:
        return
    ordinal = default.integer("ordinal", low=INT32_MIN, high=INT32_MAX)
    for key in ("value", "description", "descriptionGUID"):
        default.text(key)
    if default.has("value"):
        # Egeria writes the default as a copy of one element; keeping only its ordinal is lossless when the
        # copy matches, and a mismatch would be lost on export, so it is refused.
        if elements.get(ordinal) != default.data:
            default.fail(f"defaultValue (ordinal {ordinal}) does not equal the element def with that ordinal")
        enum_def.default_value_ordinal = ordinal
    elif ordinal != NO_DEFAULT_ORDINAL:
        default.fail(f"a defaultValue without a value must have ordinal {NO_DEFAULT_ORDINAL}, got {ordinal}")
    default.finish()


def read_type_def_attribute(node: Node) -> typedefs_pb2.TypeDefAttribute:
    attribute = typedefs_pb2.TypeDefAttribute(
        attribute_name=node.text("attributeName", required=True),
        attribute_type=read_attribute_type_def(node.child("attributeType")),
        attribute_status=node.enum("attributeStatus", ATTRIBUTE_STATUS),  # type: ignore[arg-type]
        replaced_by_attribute=node.text("replacedByAttribute"),
        attribute_description=node.text("attributeDescription"),
        attribute_description_guid=node.text("attributeDescriptionGUID"),
        attribute_cardinality=node.enum("attributeCardinality", ATTRIBUTE_CARDINALITY),  # type: ignore[arg-type]
        values_min_count=node.integer("valuesMinCount", low=INT32_MIN, high=INT32_MAX),
        values_max_count=node.integer("valuesMaxCount", low=INT32_MIN, high=INT32_MAX),
        is_unique=node.flag("unique"), is_indexable=node.flag("indexable"),
        default_value=node.text("defaultValue"),
        external_standard_mappings=read_external_mappings(node, "externalStandardMappings"),
    )
    node.finish()
    return attribute


def read_end_def(node: Node) -> typedefs_pb2.RelationshipEndDef:
    end = typedefs_pb2.RelationshipEndDef(
        entity_type=read_type_def_link(node.child("entityType")),
        attribute_name=node.text("attributeName"), attribute_description=node.text("attributeDescription"),
        attribute_description_guid=node.text("attributeDescriptionGUID"),
        attribute_cardinality=node.enum("attributeCardinality", ATTRIBUTE_CARDINALITY),  # type: ignore[arg-type]
    )
    node.finish()
    return end


def read_type_def(node: Node) -> typedefs_pb2.TypeDef:
    cls = node.class_name(*_TYPE_DEF_CLASSES)
    td = typedefs_pb2.TypeDef(
        guid=node.text("guid", required=True), name=node.text("name", required=True),
        status=node.enum("status", TYPE_DEF_STATUS),  # type: ignore[arg-type]
        version=node.integer("version"), version_name=node.text("versionName"),
        category=node.enum("category", TYPE_DEF_CATEGORY, required=True),  # type: ignore[arg-type]
        description=node.text("description"), description_guid=node.text("descriptionGUID"),
        description_wiki=node.text("descriptionWiki"), origin=node.text("origin"),
        created_by=node.text("createdBy"), updated_by=node.text("updatedBy"),
        options=node.text_map("options"),
        external_standard_mappings=read_external_mappings(node, "externalStandardMappings"),
        valid_instance_statuses=node.enums("validInstanceStatusList", INSTANCE_STATUS),  # type: ignore[arg-type]
        initial_status=node.enum("initialStatus", INSTANCE_STATUS),  # type: ignore[arg-type]
        properties_definition=[read_type_def_attribute(p) for p in node.children("propertiesDefinition")],
    )
    if TYPE_DEF_CATEGORY.egeria(td.category) != _TYPE_DEF_CLASSES[cls]:
        node.fail(f"category {TYPE_DEF_CATEGORY.egeria(td.category)!r} does not match class {cls!r}")
    super_type = node.opt_child("superType")
    if super_type is not None:
        td.super_type.CopyFrom(read_type_def_link(super_type))
    node.time("createTime", td.create_time)
    node.time("updateTime", td.update_time)
    if cls == "EntityDef":
        td.entity_def.SetInParent()
    elif cls == "RelationshipDef":
        details = td.relationship_def
        details.propagation_rule = node.enum("propagationRule", PROPAGATION_RULE)  # type: ignore[assignment]
        details.end_def_1.CopyFrom(read_end_def(node.child("endDef1")))
        details.end_def_2.CopyFrom(read_end_def(node.child("endDef2")))
        details.multi_link = node.flag("multiLink")
    else:
        td.classification_def.valid_entity_defs.extend(
            read_type_def_link(link) for link in node.children("validEntityDefs"))
        td.classification_def.propagatable = node.flag("propagatable")
    node.finish()
    return td


def read_patch(node: Node) -> typedefs_pb2.TypeDefPatch:
    patch = typedefs_pb2.TypeDefPatch(
        type_def_guid=node.text("typeDefGUID", required=True), type_def_name=node.text("typeDefName"),
        apply_to_version=node.integer("applyToVersion"), update_to_version=node.integer("updateToVersion"),
        new_version_name=node.text("newVersionName"), updated_by=node.text("updatedBy"),
        description=node.text("description"), description_guid=node.text("descriptionGUID"),
        description_wiki=node.text("descriptionWiki"),
        type_def_status=node.enum("typeDefStatus", TYPE_DEF_STATUS),  # type: ignore[arg-type]
        property_definitions=[read_type_def_attribute(p) for p in node.children("propertyDefinitions")],
        type_def_options=node.text_map("typeDefOptions"),
        external_standard_mappings=read_external_mappings(node, "externalStandardMappings"),
        valid_instance_statuses=node.enums("validInstanceStatusList", INSTANCE_STATUS),  # type: ignore[arg-type]
        initial_status=node.enum("initialStatus", INSTANCE_STATUS),  # type: ignore[arg-type]
        update_multi_link=node.flag("updateMultiLink"), multi_link=node.flag("multiLink"),
        valid_entity_defs=[read_type_def_link(link) for link in node.children("validEntityDefs")],
    )
    node.time("updateTime", patch.update_time)
    super_type = node.opt_child("superType")
    if super_type is not None:
        patch.super_type.CopyFrom(read_type_def_link(super_type))
    for key, field_name in (("endDef1", "end_def_1"), ("endDef2", "end_def_2")):
        end = node.opt_child(key)
        if end is not None:
            getattr(patch, field_name).CopyFrom(read_end_def(end))
    node.finish()
    return patch


# -- writing ------------------------------------------------------------------------------------------


def write_type_def_link(link: typedefs_pb2.TypeDefLink) -> dict[str, Any]:
    out: dict[str, Any] = {"headerVersion": HEADER_VERSION}
    put_str(out, "guid", link.guid)
    put_str(out, "name", link.name)
    put_enum(out, "status", TYPE_DEF_STATUS, link.status)
    put_str(out, "replacedByTypeGUID", link.replaced_by_type_guid)
    put_str(out, "replacedByTypeName", link.replaced_by_type_name)
    return out


def _write_external_mappings(out: dict[str, Any], key: str,
                             mappings: Any) -> None:
    if mappings:
        out[key] = [_drop_empty({"headerVersion": HEADER_VERSION, "standardName": m.standard_name,
                                 "standardOrganization": m.standard_organization,
                                 "standardTypeName": m.standard_type_name}) for m in mappings]


def _drop_empty(out: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in out.items() if v != ""}


def write_attribute_type_def(atd: typedefs_pb2.AttributeTypeDef) -> dict[str, Any]:
    kind = atd.WhichOneof("def")
    cls = {"primitive": "PrimitiveDef", "collection": "CollectionDef", "enum_def": "EnumDef"}.get(kind or "")
    if cls is None:
        raise ValueError(f"attribute type def {atd.name!r} has no primitive, collection or enum definition")
    out: dict[str, Any] = {"class": cls, "headerVersion": HEADER_VERSION, "version": atd.version}
    put_str(out, "versionName", atd.version_name)
    put_enum(out, "category", ATTRIBUTE_TYPE_DEF_CATEGORY, atd.category)
    out["guid"] = atd.guid
    out["name"] = atd.name
    put_str(out, "description", atd.description)
    put_str(out, "descriptionGUID", atd.description_guid)
    put_str(out, "descriptionWiki", atd.description_wiki)
    if kind == "primitive":
        put_enum(out, "primitiveDefCategory", PRIMITIVE_DEF_CATEGORY, atd.primitive.primitive_def_category)
    elif kind == "collection":
        put_enum(out, "collectionDefCategory", COLLECTION_DEF_CATEGORY, atd.collection.collection_def_category)
        out["argumentCount"] = atd.collection.argument_count
        out["argumentTypes"] = [PRIMITIVE_DEF_CATEGORY.egeria(a) for a in atd.collection.argument_types]
    else:
        _write_enum_def(out, atd.enum_def)
    return out


def _write_enum_element(element: typedefs_pb2.EnumElementDef) -> dict[str, Any]:
    out: dict[str, Any] = {"headerVersion": HEADER_VERSION, "ordinal": element.ordinal, "value": element.value}
    put_str(out, "description", element.description)
    put_str(out, "descriptionGUID", element.description_guid)
    return out


def _write_enum_def(out: dict[str, Any], enum_def: typedefs_pb2.EnumDef) -> None:
    elements = [_write_enum_element(e) for e in enum_def.element_defs]
    out["elementDefs"] = elements
    default: dict[str, Any] = {"headerVersion": HEADER_VERSION, "ordinal": NO_DEFAULT_ORDINAL}
    if enum_def.HasField("default_value_ordinal"):
        ordinal = enum_def.default_value_ordinal
        matching = [e for e in elements if e["ordinal"] == ordinal]
        default = dict(matching[0]) if matching else {"headerVersion": HEADER_VERSION, "ordinal": ordinal}
    out["defaultValue"] = default


def write_type_def_attribute(attribute: typedefs_pb2.TypeDefAttribute) -> dict[str, Any]:
    out: dict[str, Any] = {"headerVersion": HEADER_VERSION, "attributeName": attribute.attribute_name,
                           "attributeType": write_attribute_type_def(attribute.attribute_type)}
    put_enum(out, "attributeStatus", ATTRIBUTE_STATUS, attribute.attribute_status)
    put_str(out, "replacedByAttribute", attribute.replaced_by_attribute)
    put_str(out, "attributeDescription", attribute.attribute_description)
    put_str(out, "attributeDescriptionGUID", attribute.attribute_description_guid)
    out["valuesMinCount"] = attribute.values_min_count
    out["valuesMaxCount"] = attribute.values_max_count
    out["indexable"] = attribute.is_indexable
    put_enum(out, "attributeCardinality", ATTRIBUTE_CARDINALITY, attribute.attribute_cardinality)
    out["unique"] = attribute.is_unique
    put_str(out, "defaultValue", attribute.default_value)
    _write_external_mappings(out, "externalStandardMappings", attribute.external_standard_mappings)
    return out


def write_end_def(end: typedefs_pb2.RelationshipEndDef) -> dict[str, Any]:
    out: dict[str, Any] = {"headerVersion": HEADER_VERSION, "entityType": write_type_def_link(end.entity_type)}
    put_str(out, "attributeName", end.attribute_name)
    put_str(out, "attributeDescription", end.attribute_description)
    put_str(out, "attributeDescriptionGUID", end.attribute_description_guid)
    put_enum(out, "attributeCardinality", ATTRIBUTE_CARDINALITY, end.attribute_cardinality)
    return out


def write_type_def(td: typedefs_pb2.TypeDef) -> dict[str, Any]:
    kind = td.WhichOneof("details")
    cls = {"entity_def": "EntityDef", "relationship_def": "RelationshipDef",
           "classification_def": "ClassificationDef"}.get(kind or "")
    if cls is None:
        raise ValueError(f"type def {td.name!r} has no entity, relationship or classification details")
    out: dict[str, Any] = {"class": cls, "headerVersion": HEADER_VERSION, "guid": td.guid, "name": td.name}
    put_enum(out, "status", TYPE_DEF_STATUS, td.status)
    out["version"] = td.version
    put_str(out, "versionName", td.version_name)
    put_enum(out, "category", TYPE_DEF_CATEGORY, td.category)
    if td.HasField("super_type"):
        out["superType"] = write_type_def_link(td.super_type)
    for key, value in (("description", td.description), ("descriptionGUID", td.description_guid),
                       ("descriptionWiki", td.description_wiki), ("origin", td.origin),
                       ("createdBy", td.created_by), ("updatedBy", td.updated_by)):
        put_str(out, key, value)
    put_time(out, "createTime", td, "create_time")
    put_time(out, "updateTime", td, "update_time")
    if td.options:
        out["options"] = dict(td.options)
    _write_external_mappings(out, "externalStandardMappings", td.external_standard_mappings)
    if td.valid_instance_statuses:
        out["validInstanceStatusList"] = [INSTANCE_STATUS.egeria(s) for s in td.valid_instance_statuses]
    put_enum(out, "initialStatus", INSTANCE_STATUS, td.initial_status)
    if td.properties_definition:
        out["propertiesDefinition"] = [write_type_def_attribute(p) for p in td.properties_definition]
    if kind == "relationship_def":
        details = td.relationship_def
        put_enum(out, "propagationRule", PROPAGATION_RULE, details.propagation_rule)
        out["endDef1"] = write_end_def(details.end_def_1)
        out["endDef2"] = write_end_def(details.end_def_2)
        out["multiLink"] = details.multi_link
    elif kind == "classification_def":
        out["validEntityDefs"] = [write_type_def_link(link) for link in td.classification_def.valid_entity_defs]
        out["propagatable"] = td.classification_def.propagatable
    return out


def write_patch(patch: typedefs_pb2.TypeDefPatch) -> dict[str, Any]:
    out: dict[str, Any] = {"headerVersion": HEADER_VERSION, "typeDefGUID": patch.type_def_guid}
    put_str(out, "typeDefName", patch.type_def_name)
    out["applyToVersion"] = patch.apply_to_version
    out["updateToVersion"] = patch.update_to_version
    for key, value in (("newVersionName", patch.new_version_name), ("updatedBy", patch.updated_by),
                       ("description", patch.description), ("descriptionGUID", patch.description_guid),
                       ("descriptionWiki", patch.description_wiki)):
        put_str(out, key, value)
    put_time(out, "updateTime", patch, "update_time")
    put_enum(out, "typeDefStatus", TYPE_DEF_STATUS, patch.type_def_status)
    if patch.HasField("super_type"):
        out["superType"] = write_type_def_link(patch.super_type)
    if patch.property_definitions:
        out["propertyDefinitions"] = [write_type_def_attribute(p) for p in patch.property_definitions]
    if patch.type_def_options:
        out["typeDefOptions"] = dict(patch.type_def_options)
    _write_external_mappings(out, "externalStandardMappings", patch.external_standard_mappings)
    if patch.valid_instance_statuses:
        out["validInstanceStatusList"] = [INSTANCE_STATUS.egeria(s) for s in patch.valid_instance_statuses]
    put_enum(out, "initialStatus", INSTANCE_STATUS, patch.initial_status)
    out["updateMultiLink"] = patch.update_multi_link
    out["multiLink"] = patch.multi_link
    if patch.HasField("end_def_1"):
        out["endDef1"] = write_end_def(patch.end_def_1)
    if patch.HasField("end_def_2"):
        out["endDef2"] = write_end_def(patch.end_def_2)
    if patch.valid_entity_defs:
        out["validEntityDefs"] = [write_type_def_link(link) for link in patch.valid_entity_defs]
    return out
