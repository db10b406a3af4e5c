"""Turn ``builtin_types.yaml`` (coho's compact type format, documented at its top) into TypeDef protos.

The YAML is ours and stays small; the protos are Egeria-shaped (every property carries its attribute type
whole, as Egeria's archives do) so built-in types travel to cohort peers exactly like archive types.
"""

from __future__ import annotations

import uuid
from functools import cache
from importlib import resources
from typing import Any

import yaml

from coho.omrs.v1 import typedefs_pb2 as td_pb

BUILTIN_TYPES_FILE = "builtin_types.yaml"
BUILTIN_ORIGIN = "coho-builtin"
"""``TypeDef.origin`` / ``created_by`` of built-in types."""

_GUID_NAMESPACE = uuid.UUID("5d0c8f3e-6f1b-4c41-9a53-2a0f3c1e7b10")

PRIMITIVE_CATEGORIES: dict[str, td_pb.PrimitiveDefCategory] = {
    "object": td_pb.PRIMITIVE_DEF_CATEGORY_OBJECT,
    "boolean": td_pb.PRIMITIVE_DEF_CATEGORY_BOOLEAN,
    "byte": td_pb.PRIMITIVE_DEF_CATEGORY_BYTE,
    "char": td_pb.PRIMITIVE_DEF_CATEGORY_CHAR,
    "short": td_pb.PRIMITIVE_DEF_CATEGORY_SHORT,
    "int": td_pb.PRIMITIVE_DEF_CATEGORY_INT,
    "long": td_pb.PRIMITIVE_DEF_CATEGORY_LONG,
    "float": td_pb.PRIMITIVE_DEF_CATEGORY_FLOAT,
    "double": td_pb.PRIMITIVE_DEF_CATEGORY_DOUBLE,
    "biginteger": td_pb.PRIMITIVE_DEF_CATEGORY_BIGINTEGER,
    "bigdecimal": td_pb.PRIMITIVE_DEF_CATEGORY_BIGDECIMAL,
    "string": td_pb.PRIMITIVE_DEF_CATEGORY_STRING,
    "date": td_pb.PRIMITIVE_DEF_CATEGORY_DATE,
}

_CATEGORIES = {
    "entity": td_pb.TYPE_DEF_CATEGORY_ENTITY_DEF,
    "relationship": td_pb.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF,
    "classification": td_pb.TYPE_DEF_CATEGORY_CLASSIFICATION_DEF,
}


def stable_guid(kind: str, name: str) -> str:
    """A GUID derived from the name, so a type without an Egeria GUID keeps the same one on every server."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{name}"))


def _attribute_types(doc: dict[str, Any]) -> list[td_pb.AttributeTypeDef]:
    out: list[td_pb.AttributeTypeDef] = []
    for name, guid in doc["primitives"].items():
        atd = td_pb.AttributeTypeDef(guid=guid, name=name, version=1,
                                     category=td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE)
        atd.primitive.primitive_def_category = PRIMITIVE_CATEGORIES[name]
        out.append(atd)
    for name, spec in doc["collections"].items():
        atd = td_pb.AttributeTypeDef(guid=spec.get("guid") or stable_guid("attribute", name), name=name,
                                     version=1, category=td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION)
        args = spec["args"]
        atd.collection.collection_def_category = (
            td_pb.COLLECTION_DEF_CATEGORY_MAP if name.startswith("map<") else td_pb.COLLECTION_DEF_CATEGORY_ARRAY
        )
        atd.collection.argument_count = len(args)
        atd.collection.argument_types.extend(PRIMITIVE_CATEGORIES[a] for a in args)
        out.append(atd)
    for name, spec in doc["enums"].items():
        atd = td_pb.AttributeTypeDef(guid=spec.get("guid") or stable_guid("attribute", name), name=name,
                                     version=1, category=td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF,
                                     description=spec.get("description", ""))
        for ordinal, symbol in spec["symbols"].items():
            atd.enum_def.element_defs.add(ordinal=int(ordinal), value=symbol)
        if "default" in spec:
            atd.enum_def.default_value_ordinal = int(spec["default"])
        out.append(atd)
    return out


def _properties(spec: dict[str, Any], atds: dict[str, td_pb.AttributeTypeDef],
                coho_addition: bool) -> list[td_pb.TypeDefAttribute]:
    out = []
    for attr_name, type_spec in (spec or {}).items():
        type_name, *flags = str(type_spec).split()
        unique = "unique" in flags
        attr = td_pb.TypeDefAttribute(
            attribute_name=attr_name,
            attribute_status=td_pb.ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE,
            attribute_cardinality=(td_pb.ATTRIBUTE_CARDINALITY_ONE_ONLY if unique
                                   else td_pb.ATTRIBUTE_CARDINALITY_AT_MOST_ONE),
            values_min_count=1 if unique else 0,
            values_max_count=1,
            is_unique=unique,
            is_indexable=True,
            attribute_description="coho addition" if coho_addition else "",
        )
        # KeyError here means a typo in the YAML; the unit tests load the file, so it cannot ship.
        attr.attribute_type.CopyFrom(atds[type_name])
        out.append(attr)
    return out


def _link(name: str, guids: dict[str, str]) -> td_pb.TypeDefLink:
    return td_pb.TypeDefLink(guid=guids[name], name=name, status=td_pb.TYPE_DEF_STATUS_ACTIVE_TYPEDEF)


def _end(spec: list[str], guids: dict[str, str]) -> td_pb.RelationshipEndDef:
    entity, attribute_name, cardinality = spec
    return td_pb.RelationshipEndDef(
        entity_type=_link(entity, guids), attribute_name=attribute_name,
        attribute_cardinality=f"ATTRIBUTE_CARDINALITY_{cardinality}",
    )


def _type_def(spec: dict[str, Any], atds: dict[str, td_pb.AttributeTypeDef],
              guids: dict[str, str]) -> td_pb.TypeDef:
    name = spec["name"]
    statuses = spec.get("statuses", ["ACTIVE", "DELETED"])
    td = td_pb.TypeDef(
        guid=guids[name], name=name, status=td_pb.TYPE_DEF_STATUS_ACTIVE_TYPEDEF, version=1,
        version_name="coho-1", category=_CATEGORIES[spec["category"]],
        description=" ".join(str(spec.get("description", "")).split()),
        origin=BUILTIN_ORIGIN, created_by=BUILTIN_ORIGIN,
        valid_instance_statuses=[f"INSTANCE_STATUS_{s}" for s in statuses],
        initial_status=f"INSTANCE_STATUS_{spec.get('initial_status', 'ACTIVE')}",
    )
    if spec.get("super"):
        td.super_type.CopyFrom(_link(spec["super"], guids))
    td.properties_definition.extend(_properties(spec.get("properties") or {}, atds, coho_addition=False))
    td.properties_definition.extend(_properties(spec.get("coho_properties") or {}, atds, coho_addition=True))
    if td.category == td_pb.TYPE_DEF_CATEGORY_ENTITY_DEF:
        td.entity_def.SetInParent()
    elif td.category == td_pb.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF:
        td.relationship_def.CopyFrom(td_pb.RelationshipDefDetails(
            end_def_1=_end(spec["ends"][0], guids), end_def_2=_end(spec["ends"][1], guids),
            multi_link=bool(spec.get("multi_link", False)),
            propagation_rule=f"CLASSIFICATION_PROPAGATION_RULE_{spec.get('propagation', 'NONE')}",
        ))
    else:
        cls = td.classification_def
        cls.valid_entity_defs.extend(_link(n, guids) for n in spec.get("valid_entity_types") or [])
        cls.propagatable = bool(spec.get("propagatable", False))
    return td


@cache
def _load_document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(BUILTIN_TYPES_FILE).read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def builtin_type_defs() -> tuple[list[td_pb.AttributeTypeDef], list[td_pb.TypeDef]]:
    """The built-in attribute types and types, fresh protos on every call (callers may mutate them)."""
    doc = _load_document()
    atd_list = _attribute_types(doc["attribute_types"])
    atds = {a.name: a for a in atd_list}
    guids = {t["name"]: t.get("guid") or stable_guid("type", t["name"]) for t in doc["types"]}
    return atd_list, [_type_def(t, atds, guids) for t in doc["types"]]
