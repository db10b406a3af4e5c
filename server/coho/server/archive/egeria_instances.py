"""Egeria JSON <-> coho.omrs.v1 instances: entities, proxies, relationships, classifications, the
ClassificationEntityExtension record, and property values of every category (primitive, enum, array, map,
struct).

Egeria encodes an array as an InstanceProperties keyed "0", "1", ...; the keys must be exactly 0..n-1 and
the count must match, otherwise order or elements would be lost and the archive is refused.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from typing import Any

from coho.omrs.v1 import instances_pb2
from coho.server.archive.egeria_common import (
    CLASSIFICATION_ORIGIN,
    HEADER_VERSION,
    INSTANCE_STATUS,
    INT32_MAX,
    INT32_MIN,
    PRIMITIVE_DEF_CATEGORY,
    PROVENANCE,
    TYPE_DEF_CATEGORY,
    Node,
    put_enum,
    put_str,
    put_time,
)
from coho.server.archive.egeria_types import read_type_def_link, write_type_def_link

P = instances_pb2  # short alias: the message names are long enough already
_VALUE_CLASSES = {"PrimitivePropertyValue": "PRIMITIVE", "EnumPropertyValue": "ENUM",
                  "ArrayPropertyValue": "ARRAY", "MapPropertyValue": "MAP", "StructPropertyValue": "STRUCT"}
# Java integral ranges per Egeria primitive, and the PrimitiveValue field each one lands in.
_INTEGRAL = {
    "OM_PRIMITIVE_TYPE_BYTE": ("byte_value", -(2**7), 2**7 - 1),
    "OM_PRIMITIVE_TYPE_SHORT": ("short_value", -(2**15), 2**15 - 1),
    "OM_PRIMITIVE_TYPE_INT": ("int_value", INT32_MIN, INT32_MAX),
    "OM_PRIMITIVE_TYPE_LONG": ("long_value", -(2**63), 2**63 - 1),
    "OM_PRIMITIVE_TYPE_DATE": ("date_value", -(2**63), 2**63 - 1),
}
_FLOAT32_MAX = 3.4028234663852886e38


# -- property values: reading -------------------------------------------------------------------------


def read_instance_properties(node: Node) -> instances_pb2.InstanceProperties:
    props = instances_pb2.InstanceProperties()
    node.class_name("InstanceProperties")
    for name, value in _entries(node, "instanceProperties").items():
        props.properties[name].CopyFrom(read_value(value))
    node.time("effectiveFromTime", props.effective_from_time)
    node.time("effectiveToTime", props.effective_to_time)
    node.finish()
    return props


def _entries(node: Node, key: str) -> dict[str, Node]:
    """The members of a JSON object of property values, each as a Node whose path ends with its name."""
    container = node.opt_child(key)
    if container is None:
        return {}
    return {name: Node(value, element=node.element, inner=(*container.inner, name), ctx=node.ctx)
            for name, value in container.data.items()}


def _nested_values(node: Node, key: str) -> dict[str, Node]:
    """arrayValues / mapValues / attributes: an InstanceProperties whose instanceProperties are the values."""
    holder = node.opt_child(key)
    if holder is None:
        return {}
    holder.class_name("InstanceProperties")
    entries = _entries(holder, "instanceProperties")
    holder.finish()
    return entries


def read_value(node: Node) -> instances_pb2.PropertyValue:
    cls = node.class_name(*_VALUE_CLASSES)
    category = node.text("instancePropertyCategory")
    if category and category != _VALUE_CLASSES[cls]:
        node.fail(f"instancePropertyCategory {category!r} does not match class {cls!r}")
    value = P.PropertyValue(type_guid=node.text("typeGUID"), type_name=node.text("typeName"))
    if cls == "PrimitivePropertyValue":
        _read_primitive(node, value.primitive)
    elif cls == "EnumPropertyValue":
        value.enum_value.CopyFrom(P.EnumValue(
            ordinal=node.integer("ordinal", low=INT32_MIN, high=INT32_MAX),
            symbolic_name=node.text("symbolicName"), description=node.text("description")))
    elif cls == "ArrayPropertyValue":
        _read_array(node, value.array)
    elif cls == "MapPropertyValue":
        value.map.SetInParent()
        for name, element in _nested_values(node, "mapValues").items():
            value.map.values[name].CopyFrom(read_value(element))
        if node.has("mapElementCount") and node.integer("mapElementCount") != len(value.map.values):
            node.fail(f"mapElementCount {node.data['mapElementCount']} != {len(value.map.values)} map values")
    else:
        value.struct_value.SetInParent()
        for name, element in _nested_values(node, "attributes").items():
            value.struct_value.fields[name].CopyFrom(read_value(element))
    node.finish()
    return value


def _read_array(node: Node, array: instances_pb2.ArrayValue) -> None:
    array.SetInParent()
    elements = _nested_values(node, "arrayValues")
    if sorted(elements) != sorted(str(i) for i in range(len(elements))):
        node.fail(f"arrayValues keys must be 0..{len(elements) - 1}, got {sorted(elements)[:5]}")
    if node.has("arrayCount") and node.integer("arrayCount") != len(elements):
        node.fail(f"arrayCount {node.data['arrayCount']} != {len(elements)} array values")
    for index in range(len(elements)):
        array.values.add().CopyFrom(read_value(elements[str(index)]))


def _read_primitive(node: Node, primitive: instances_pb2.PrimitiveValue) -> None:
    primitive.primitive_def_category = node.enum(  # type: ignore[assignment]
        "primitiveDefCategory", PRIMITIVE_DEF_CATEGORY, required=True)
    category = node.data["primitiveDefCategory"]
    raw = node.raw("primitiveValue")
    if raw is None:  # an explicit null: the category says what the value would be
        return
    problem = _set_primitive(primitive, category, raw)
    if problem:
        node.fail(f"primitiveValue {raw!r} is not {problem} (primitiveDefCategory {category})")


def _set_primitive(primitive: instances_pb2.PrimitiveValue, category: str, raw: Any) -> str:
    """Store raw in the field for category; return what raw should have been, or "" when it fits."""
    field_name, accepts, expected, convert = _PRIMITIVE_RULES[category]
    if not accepts(raw):
        return expected
    setattr(primitive, field_name, convert(raw))
    return ""


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_decimal(value: Any) -> bool:
    if _is_number(value):
        return True
    try:
        return isinstance(value, str) and math.isfinite(float(value))
    except ValueError:
        return False


def _integral(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: type(v) is int and low <= v <= high


def _same(value: Any) -> Any:
    return value


# primitiveDefCategory -> (PrimitiveValue field, accepts the JSON value?, what it should be, conversion).
_PRIMITIVE_RULES: dict[str, tuple[str, Callable[[Any], bool], str, Callable[[Any], Any]]] = {
    **{category: (field_name, _integral(low, high), f"an integer in [{low}, {high}]", _same)
       for category, (field_name, low, high) in _INTEGRAL.items()},
    "OM_PRIMITIVE_TYPE_BOOLEAN": ("boolean_value", lambda v: type(v) is bool, "true or false", _same),
    "OM_PRIMITIVE_TYPE_STRING": ("string_value", lambda v: isinstance(v, str), "a string", _same),
    "OM_PRIMITIVE_TYPE_CHAR": ("char_value", lambda v: isinstance(v, str) and len(v) == 1,
                               "a single character", _same),
    "OM_PRIMITIVE_TYPE_FLOAT": ("float_value", lambda v: _is_number(v) and abs(v) <= _FLOAT32_MAX,
                                "a finite number within the range of a float", float),
    "OM_PRIMITIVE_TYPE_DOUBLE": ("double_value", _is_number, "a finite number", float),
    "OM_PRIMITIVE_TYPE_BIGINTEGER": ("big_integer_value", lambda v: type(v) is int or (
        isinstance(v, str) and v.lstrip("-").isdigit()), "an integer", str),
    "OM_PRIMITIVE_TYPE_BIGDECIMAL": ("big_decimal_value", _is_decimal, "a decimal number", str),
    # Egeria's OM_PRIMITIVE_TYPE_UNKNOWN ("object"): any JSON value, kept as its JSON text.
    "OM_PRIMITIVE_TYPE_UNKNOWN": ("object_json", lambda v: True, "", json.dumps),
}


# -- property values: writing -------------------------------------------------------------------------


def write_instance_properties(props: instances_pb2.InstanceProperties) -> dict[str, Any]:
    out: dict[str, Any] = {"class": "InstanceProperties", "headerVersion": HEADER_VERSION,
                           "instanceProperties": {k: write_value(v) for k, v in props.properties.items()}}
    put_time(out, "effectiveFromTime", props, "effective_from_time")
    put_time(out, "effectiveToTime", props, "effective_to_time")
    return out


def _holder(values: dict[str, Any]) -> dict[str, Any]:
    return {"class": "InstanceProperties", "headerVersion": HEADER_VERSION, "instanceProperties": values}


def write_value(value: instances_pb2.PropertyValue) -> dict[str, Any]:
    kind = value.WhichOneof("value")
    cls = {"primitive": "PrimitivePropertyValue", "enum_value": "EnumPropertyValue", "array": "ArrayPropertyValue",
           "map": "MapPropertyValue", "struct_value": "StructPropertyValue"}.get(kind or "")
    if cls is None:
        raise ValueError(f"property value of type {value.type_name!r} has no value category")
    out: dict[str, Any] = {"class": cls, "headerVersion": HEADER_VERSION,
                           "instancePropertyCategory": _VALUE_CLASSES[cls]}
    put_str(out, "typeGUID", value.type_guid)
    put_str(out, "typeName", value.type_name)
    if kind == "primitive":
        _write_primitive(out, value.primitive)
    elif kind == "enum_value":
        out.update(ordinal=value.enum_value.ordinal)
        put_str(out, "symbolicName", value.enum_value.symbolic_name)
        put_str(out, "description", value.enum_value.description)
    elif kind == "array":
        out["arrayCount"] = len(value.array.values)
        out["arrayValues"] = _holder({str(i): write_value(v) for i, v in enumerate(value.array.values)})
    elif kind == "map":
        out["mapValues"] = _holder({k: write_value(v) for k, v in value.map.values.items()})
        out["mapElementCount"] = len(value.map.values)
    else:
        out["attributes"] = _holder({k: write_value(v) for k, v in value.struct_value.fields.items()})
    return out


def _write_primitive(out: dict[str, Any], primitive: instances_pb2.PrimitiveValue) -> None:
    put_enum(out, "primitiveDefCategory", PRIMITIVE_DEF_CATEGORY, primitive.primitive_def_category)
    kind = primitive.WhichOneof("value")
    if kind is None:
        return
    raw = getattr(primitive, kind)
    if kind == "float_value":
        raw = _shortest_float32(raw)
    elif kind == "big_integer_value":
        raw = int(raw)
    elif kind == "big_decimal_value":
        # JSON has no decimal type; Jackson writes BigDecimal as a number, so this is the closest reading.
        raw = int(raw) if raw.lstrip("-").isdigit() else float(raw)
    elif kind == "object_json":
        raw = json.loads(raw)
    out["primitiveValue"] = raw


def _shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float (what Java prints for a float)."""
    target = struct.pack("<f", value)
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == target:
            return candidate
    return value


# -- headers ------------------------------------------------------------------------------------------


def read_instance_type(node: Node) -> instances_pb2.InstanceType:
    node.class_name("InstanceType")
    instance_type = P.InstanceType(
        type_def_category=node.enum("typeDefCategory", TYPE_DEF_CATEGORY),  # type: ignore[arg-type]
        type_def_guid=node.text("typeDefGUID"), type_def_name=node.text("typeDefName", required=True),
        type_def_version=node.integer("typeDefVersion"), type_def_description=node.text("typeDefDescription"),
        type_def_description_guid=node.text("typeDefDescriptionGUID"),
        type_def_super_types=[read_type_def_link(s) for s in node.children("typeDefSuperTypes")],
        valid_instance_properties=node.texts("validInstanceProperties"),
        valid_status_list=node.enums("validStatusList", INSTANCE_STATUS),  # type: ignore[arg-type]
    )
    node.finish()
    return instance_type


def read_header(node: Node, header: instances_pb2.InstanceHeader, *, guid_required: bool = True) -> None:
    header.guid = node.text("guid", required=guid_required)
    header.type.CopyFrom(read_instance_type(node.child("type")))
    header.instance_provenance_type = node.enum("instanceProvenanceType", PROVENANCE)  # type: ignore[assignment]
    for key, field_name in (("metadataCollectionId", "metadata_collection_id"),
                            ("metadataCollectionName", "metadata_collection_name"),
                            ("replicatedBy", "replicated_by"), ("instanceLicense", "instance_license"),
                            ("createdBy", "created_by"), ("updatedBy", "updated_by"),
                            ("instanceURL", "instance_url"), ("externalSource", "external_source")):
        setattr(header, field_name, node.text(key))
    header.maintained_by.extend(node.texts("maintainedBy"))
    node.time("createTime", header.create_time)
    node.time("updateTime", header.update_time)
    header.version = node.integer("version")
    header.status = node.enum("status", INSTANCE_STATUS)  # type: ignore[assignment]
    header.status_on_delete = node.enum("statusOnDelete", INSTANCE_STATUS)  # type: ignore[assignment]
    header.mapping_properties.update(node.text_map("mappingProperties"))


def write_header(out: dict[str, Any], header: instances_pb2.InstanceHeader) -> None:
    t = header.type
    instance_type: dict[str, Any] = {"class": "InstanceType", "headerVersion": HEADER_VERSION}
    put_enum(instance_type, "typeDefCategory", TYPE_DEF_CATEGORY, t.type_def_category)
    put_str(instance_type, "typeDefGUID", t.type_def_guid)
    put_str(instance_type, "typeDefName", t.type_def_name)
    instance_type["typeDefVersion"] = t.type_def_version
    put_str(instance_type, "typeDefDescription", t.type_def_description)
    put_str(instance_type, "typeDefDescriptionGUID", t.type_def_description_guid)
    if t.type_def_super_types:
        instance_type["typeDefSuperTypes"] = [write_type_def_link(s) for s in t.type_def_super_types]
    if t.valid_instance_properties:
        instance_type["validInstanceProperties"] = list(t.valid_instance_properties)
    if t.valid_status_list:
        instance_type["validStatusList"] = [INSTANCE_STATUS.egeria(s) for s in t.valid_status_list]
    out["type"] = instance_type
    put_enum(out, "instanceProvenanceType", PROVENANCE, header.instance_provenance_type)
    for key, value in (("metadataCollectionId", header.metadata_collection_id),
                       ("metadataCollectionName", header.metadata_collection_name),
                       ("replicatedBy", header.replicated_by), ("instanceLicense", header.instance_license),
                       ("createdBy", header.created_by), ("updatedBy", header.updated_by)):
        put_str(out, key, value)
    if header.maintained_by:
        out["maintainedBy"] = list(header.maintained_by)
    put_time(out, "createTime", header, "create_time")
    put_time(out, "updateTime", header, "update_time")
    out["version"] = header.version
    put_str(out, "guid", header.guid)
    put_str(out, "instanceURL", header.instance_url)
    put_str(out, "externalSource", header.external_source)
    if header.mapping_properties:
        out["mappingProperties"] = dict(header.mapping_properties)
    put_enum(out, "status", INSTANCE_STATUS, header.status)
    put_enum(out, "statusOnDelete", INSTANCE_STATUS, header.status_on_delete)


# -- instances ----------------------------------------------------------------------------------------


def read_classification(node: Node) -> instances_pb2.Classification:
    node.class_name("Classification")
    classification = P.Classification(name=node.text("name", required=True),
                                      classification_origin_guid=node.text("classificationOriginGUID"))
    read_header(node, classification.header, guid_required=False)
    classification.classification_origin = node.enum(  # type: ignore[assignment]
        "classificationOrigin", CLASSIFICATION_ORIGIN)
    properties = node.opt_child("properties")
    if properties is not None:
        classification.properties.CopyFrom(read_instance_properties(properties))
    node.finish()
    return classification


def write_classification(classification: instances_pb2.Classification) -> dict[str, Any]:
    out: dict[str, Any] = {"class": "Classification", "headerVersion": HEADER_VERSION}
    write_header(out, classification.header)
    put_enum(out, "classificationOrigin", CLASSIFICATION_ORIGIN, classification.classification_origin)
    put_str(out, "classificationOriginGUID", classification.classification_origin_guid)
    out["name"] = classification.name
    if classification.HasField("properties"):
        out["properties"] = write_instance_properties(classification.properties)
    return out


def read_entity(node: Node) -> instances_pb2.EntityDetail:
    node.class_name("EntityDetail")
    entity = P.EntityDetail(classifications=[read_classification(c) for c in node.children("classifications")])
    read_header(node, entity.header)
    properties = node.opt_child("properties")
    if properties is not None:
        entity.properties.CopyFrom(read_instance_properties(properties))
    node.finish()
    return entity


def write_entity(entity: instances_pb2.EntityDetail) -> dict[str, Any]:
    out: dict[str, Any] = {"class": "EntityDetail", "headerVersion": HEADER_VERSION}
    write_header(out, entity.header)
    if entity.classifications:
        out["classifications"] = [write_classification(c) for c in entity.classifications]
    if entity.HasField("properties"):
        out["properties"] = write_instance_properties(entity.properties)
    return out


def read_proxy(node: Node) -> instances_pb2.EntityProxy:
    node.class_name("EntityProxy")
    proxy = P.EntityProxy(classifications=[read_classification(c) for c in node.children("classifications")])
    read_header(node, proxy.header)
    unique = node.opt_child("uniqueProperties")
    if unique is not None:
        proxy.unique_properties.CopyFrom(read_instance_properties(unique))
    node.finish()
    return proxy


def write_proxy(proxy: instances_pb2.EntityProxy) -> dict[str, Any]:
    out: dict[str, Any] = {"class": "EntityProxy", "headerVersion": HEADER_VERSION}
    write_header(out, proxy.header)
    if proxy.classifications:
        out["classifications"] = [write_classification(c) for c in proxy.classifications]
    if proxy.HasField("unique_properties"):
        out["uniqueProperties"] = write_instance_properties(proxy.unique_properties)
    return out


def read_relationship(node: Node) -> instances_pb2.Relationship:
    node.class_name("Relationship")
    relationship = P.Relationship(entity_one_proxy=read_proxy(node.child("entityOneProxy")),
                                  entity_two_proxy=read_proxy(node.child("entityTwoProxy")))
    read_header(node, relationship.header)
    properties = node.opt_child("properties")
    if properties is not None:
        relationship.properties.CopyFrom(read_instance_properties(properties))
    node.finish()
    return relationship


def write_relationship(relationship: instances_pb2.Relationship) -> dict[str, Any]:
    out: dict[str, Any] = {"class": "Relationship", "headerVersion": HEADER_VERSION}
    write_header(out, relationship.header)
    out["entityOneProxy"] = write_proxy(relationship.entity_one_proxy)
    out["entityTwoProxy"] = write_proxy(relationship.entity_two_proxy)
    if relationship.HasField("properties"):
        out["properties"] = write_instance_properties(relationship.properties)
    return out


def read_extension(node: Node) -> instances_pb2.ClassificationEntityExtension:
    node.class_name("ClassificationEntityExtension")
    extension = P.ClassificationEntityExtension(
        entity_to_classify=read_proxy(node.child("entityToClassify")),
        classification=read_classification(node.child("classification")))
    node.finish()
    return extension


def write_extension(extension: instances_pb2.ClassificationEntityExtension) -> dict[str, Any]:
    return {"class": "ClassificationEntityExtension", "headerVersion": HEADER_VERSION,
            "classification": write_classification(extension.classification),
            "entityToClassify": write_proxy(extension.entity_to_classify)}
