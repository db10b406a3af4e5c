"""Structural helpers for TypeDefs: well-formedness, the links a type makes to entity types, the order a
batch must be added in, and applying a TypeDefPatch to a stored definition (pure functions, no registry)."""

from __future__ import annotations

from typing import Any

from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.errors import InvalidArgument

ENTITY = td_pb.TYPE_DEF_CATEGORY_ENTITY_DEF
RELATIONSHIP = td_pb.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF
CLASSIFICATION = td_pb.TYPE_DEF_CATEGORY_CLASSIFICATION_DEF
INVALID_TYPEDEF = "INVALID_TYPEDEF"
_DETAILS_FOR = {ENTITY: "entity_def", RELATIONSHIP: "relationship_def", CLASSIFICATION: "classification_def"}


def category_name(category: int) -> str:
    """ENTITY_DEF, RELATIONSHIP_DEF or CLASSIFICATION_DEF, for messages."""
    return str(td_pb.TypeDefCategory.Name(category)).removeprefix("TYPE_DEF_CATEGORY_")



def check_well_formed(td: td_pb.TypeDef) -> None:
    violations = []
    if not td.name:
        violations.append(("type_def.name", "must not be empty"))
    if not td.guid:
        violations.append(("type_def.guid", "must not be empty"))
    expected = _DETAILS_FOR.get(td.category)
    if expected is None:
        violations.append(("type_def.category", "must be ENTITY_DEF, RELATIONSHIP_DEF or CLASSIFICATION_DEF"))
    elif td.WhichOneof("details") not in (None, expected):
        violations.append(("type_def.details", f"a {category_name(td.category)} type needs {expected}"))
    names = [a.attribute_name for a in td.properties_definition]
    if len(names) != len(set(names)) or "" in names:
        violations.append(("type_def.properties_definition", "attribute names must be unique and non-empty"))
    if violations:
        raise InvalidArgument(message=f"invalid type definition {td.name!r}", reason=INVALID_TYPEDEF,
                              field_violations=violations, metadata={"type_name": td.name})


def entity_links(td: td_pb.TypeDef) -> list[tuple[str, td_pb.TypeDefLink]]:
    """Links from a relationship (ends) or classification (valid entity types) to entity types."""
    links: list[tuple[str, td_pb.TypeDefLink]] = []
    if td.HasField("relationship_def"):
        for i, end in ((1, td.relationship_def.end_def_1), (2, td.relationship_def.end_def_2)):
            if end.entity_type.name:
                links.append((f"type_def.relationship_def.end_def_{i}.entity_type", end.entity_type))
    if td.HasField("classification_def"):
        links.extend((f"type_def.classification_def.valid_entity_defs[{i}]", link)
                     for i, link in enumerate(td.classification_def.valid_entity_defs))
    return links


def dependency_order(tds: list[td_pb.TypeDef]) -> list[td_pb.TypeDef]:
    """Entity types first, each after its supertype; then the others, each after its supertype."""
    by_name = {td.name: td for td in tds}
    ordered: list[td_pb.TypeDef] = []
    placed: set[str] = set()

    def place(td: td_pb.TypeDef, visiting: set[str]) -> None:
        if td.name in placed or td.name in visiting:
            return  # a cycle is reported by add_type_def's reference check
        visiting.add(td.name)
        parent = by_name.get(td.super_type.name)
        if parent is not None:
            place(parent, visiting)
        placed.add(td.name)
        ordered.append(td)

    for category_first in (True, False):
        for td in tds:
            if (td.category == ENTITY) == category_first:
                place(td, set())
    return ordered


def patched_type_def(stored: td_pb.TypeDef, patch: td_pb.TypeDefPatch) -> td_pb.TypeDef:
    new = td_pb.TypeDef()
    new.CopyFrom(stored)
    new.version = patch.update_to_version
    _copy_if_set(new, patch, [("version_name", "new_version_name"), ("updated_by", "updated_by"),
                              ("description", "description"), ("description_guid", "description_guid"),
                              ("description_wiki", "description_wiki"), ("status", "type_def_status"),
                              ("initial_status", "initial_status")])
    if patch.HasField("update_time"):
        new.update_time.CopyFrom(patch.update_time)
    if patch.super_type.name:
        new.super_type.CopyFrom(patch.super_type)
    positions = {a.attribute_name: i for i, a in enumerate(new.properties_definition)}
    for attr in patch.property_definitions:
        if attr.attribute_name in positions:
            new.properties_definition[positions[attr.attribute_name]].CopyFrom(attr)
        else:
            new.properties_definition.append(attr)
    new.options.update(patch.type_def_options)
    if patch.external_standard_mappings:
        del new.external_standard_mappings[:]
        new.external_standard_mappings.extend(patch.external_standard_mappings)
    if patch.valid_instance_statuses:
        del new.valid_instance_statuses[:]
        new.valid_instance_statuses.extend(patch.valid_instance_statuses)
    if new.HasField("relationship_def"):
        rel = new.relationship_def
        if patch.update_multi_link:
            rel.multi_link = patch.multi_link
        if patch.HasField("end_def_1"):
            rel.end_def_1.CopyFrom(patch.end_def_1)
        if patch.HasField("end_def_2"):
            rel.end_def_2.CopyFrom(patch.end_def_2)
    if new.HasField("classification_def") and patch.valid_entity_defs:
        del new.classification_def.valid_entity_defs[:]
        new.classification_def.valid_entity_defs.extend(patch.valid_entity_defs)
    return new


def _copy_if_set(target: Any, source: Any, fields: list[tuple[str, str]]) -> None:
    for target_field, source_field in fields:
        value = getattr(source, source_field)
        if value:
            setattr(target, target_field, value)
