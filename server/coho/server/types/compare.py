"""Comparing type definitions: identity for idempotent adds, and readable differences for verify / conflicts.

Two definitions are *the same* when they agree on everything that shapes instances (names, GUIDs, version,
supertype, properties and their attribute types, ends, valid entity types, statuses). Audit fields
(times, created/updated by), descriptions and the embedded copies of attribute types are ignored: Egeria's
archives repeat those with small variations, and a re-sent type must not count as a conflict.
"""

from __future__ import annotations

from coho.omrs.v1 import typedefs_pb2 as td_pb


def canonical_type_def(td: td_pb.TypeDef) -> bytes:
    """Deterministic bytes of the instance-shaping part of ``td``."""
    c = td_pb.TypeDef()
    c.CopyFrom(td)
    for name in ("description", "description_guid", "description_wiki", "version_name", "origin",
                 "created_by", "updated_by", "create_time", "update_time"):
        c.ClearField(name)
    c.super_type.status = td_pb.TYPE_DEF_STATUS_UNSPECIFIED  # a link's status is a cached copy
    for attr in c.properties_definition:
        # Keep only the attribute type's identity: the registry resolves the definition by name.
        attr.attribute_type.CopyFrom(td_pb.AttributeTypeDef(guid=attr.attribute_type.guid,
                                                            name=attr.attribute_type.name))
        for name in ("attribute_description", "attribute_description_guid"):
            attr.ClearField(name)
    if c.HasField("relationship_def"):
        for end in (c.relationship_def.end_def_1, c.relationship_def.end_def_2):
            end.ClearField("attribute_description")
            end.ClearField("attribute_description_guid")
            end.entity_type.status = td_pb.TYPE_DEF_STATUS_UNSPECIFIED
    if c.HasField("classification_def"):
        for link in c.classification_def.valid_entity_defs:
            link.status = td_pb.TYPE_DEF_STATUS_UNSPECIFIED
    return c.SerializeToString(deterministic=True)


def canonical_attribute_type_def(atd: td_pb.AttributeTypeDef) -> bytes:
    c = td_pb.AttributeTypeDef()
    c.CopyFrom(atd)
    for name in ("description", "description_guid", "description_wiki", "version_name"):
        c.ClearField(name)
    if c.HasField("enum_def"):
        for element in c.enum_def.element_defs:
            element.ClearField("description")
            element.ClearField("description_guid")
    return c.SerializeToString(deterministic=True)


def attribute_type_compatible(builtin: td_pb.AttributeTypeDef, other: td_pb.AttributeTypeDef) -> bool:
    """True when ``other`` can stand in for ``builtin``: every value valid for one is valid for the other,
    except that an enum may gain symbols."""
    if builtin.category != other.category or builtin.WhichOneof("def") != other.WhichOneof("def"):
        return False
    if builtin.HasField("primitive"):
        return builtin.primitive.primitive_def_category == other.primitive.primitive_def_category
    if builtin.HasField("collection"):
        a, b = builtin.collection, other.collection
        return (a.collection_def_category == b.collection_def_category
                and list(a.argument_types) == list(b.argument_types))
    theirs = {e.value: e.ordinal for e in other.enum_def.element_defs}
    return all(theirs.get(e.value) == e.ordinal for e in builtin.enum_def.element_defs)


def _ends(td: td_pb.TypeDef) -> list[tuple[str, str, int]]:
    if not td.HasField("relationship_def"):
        return []
    rel = td.relationship_def
    return [(e.entity_type.name, e.attribute_name, e.attribute_cardinality) for e in (rel.end_def_1, rel.end_def_2)]


def type_def_differences(stored: td_pb.TypeDef, other: td_pb.TypeDef) -> list[str]:
    """Human-readable differences of ``other`` from ``stored`` (empty when they are the same)."""
    diffs: list[str] = []
    for field in ("guid", "name", "version", "category", "status", "initial_status"):
        mine, theirs = getattr(stored, field), getattr(other, field)
        if mine != theirs:
            diffs.append(f"{field}: {mine!r} != {theirs!r}")
    if stored.super_type.name != other.super_type.name:
        diffs.append(f"super_type: {stored.super_type.name!r} != {other.super_type.name!r}")
    if list(stored.valid_instance_statuses) != list(other.valid_instance_statuses):
        diffs.append("valid_instance_statuses differ")
    diffs.extend(_property_differences(stored, other))
    if _ends(stored) != _ends(other):
        diffs.append(f"relationship ends: {_ends(stored)} != {_ends(other)}")
    if stored.relationship_def.multi_link != other.relationship_def.multi_link:
        diffs.append("multi_link differs")
    mine_valid = sorted(link.name for link in stored.classification_def.valid_entity_defs)
    their_valid = sorted(link.name for link in other.classification_def.valid_entity_defs)
    if mine_valid != their_valid:
        diffs.append(f"valid_entity_defs: {mine_valid} != {their_valid}")
    if not diffs and canonical_type_def(stored) != canonical_type_def(other):
        diffs.append("other details differ (options, cardinalities, indexing, external mappings)")
    return diffs


def _property_differences(stored: td_pb.TypeDef, other: td_pb.TypeDef) -> list[str]:
    mine = {a.attribute_name: a for a in stored.properties_definition}
    theirs = {a.attribute_name: a for a in other.properties_definition}
    diffs = [f"property {n!r} missing" for n in mine if n not in theirs]
    diffs += [f"property {n!r} not expected" for n in theirs if n not in mine]
    for name in mine.keys() & theirs.keys():
        a, b = mine[name], theirs[name]
        if a.attribute_type.name != b.attribute_type.name:
            diffs.append(f"property {name!r}: type {a.attribute_type.name} != {b.attribute_type.name}")
        if a.is_unique != b.is_unique:
            diffs.append(f"property {name!r}: unique {a.is_unique} != {b.is_unique}")
    return sorted(diffs)
