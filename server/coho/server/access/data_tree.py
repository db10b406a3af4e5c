"""Walking the data element tree: a child's parent, and everything under an element (for cascading deletes).

Parent links are the relationship types of :mod:`.data_mapping`; a table's parent end is its schema's hidden
schema type, which these functions step through so callers only ever see the schema.
"""

from __future__ import annotations

from coho.omrs.v1 import instances_pb2
from coho.server.access import data_mapping as mapping
from coho.server.store.base import InstanceFilter, Store, WriteTxn
from coho.server.types import TypeRegistry


def _ends(relationship: instances_pb2.Relationship) -> tuple[str, str] | None:
    """(parent guid, child guid) of a live parent link, or None for anything else."""
    header = relationship.header
    if header.status == mapping.DELETED:
        return None
    name = header.type.type_def_name
    one, two = relationship.entity_one_proxy.header.guid, relationship.entity_two_proxy.header.guid
    if name == mapping.SCHEMA_TYPE_LINK:
        return one, two  # schema -> its schema type
    link = mapping.LINKS_BY_TYPE.get(name)
    if link is None:
        return None
    return (one, two) if link.parent_at_end_one else (two, one)


def descendants(txn: WriteTxn, types: TypeRegistry, entity: instances_pb2.EntityDetail, *, cascade: bool) -> list[str]:
    """GUIDs to delete before entity, deepest first. A schema's hidden schema type always goes with it; the
    rest of the tree only when cascading."""
    order: list[str] = []
    seen = {entity.header.guid}

    def walk(guid: str, hidden_only: bool) -> None:
        for relationship in txn.relationships_of(guid):
            ends = _ends(relationship)
            if ends is None or ends[0] != guid or ends[1] in seen:
                continue
            is_schema_type = relationship.header.type.type_def_name == mapping.SCHEMA_TYPE_LINK
            if hidden_only and not is_schema_type:
                continue
            seen.add(ends[1])
            walk(ends[1], hidden_only)
            order.append(ends[1])

    walk(entity.header.guid, hidden_only=not cascade)
    return order


def parent_of(store: Store, guid: str) -> instances_pb2.EntityDetail | None:
    """The live parent element of guid, stepping over a schema type to its schema."""
    parent_guid = _parent_guid(store, guid, mapping.PARENT_LINK_TYPES)
    if parent_guid is None:
        return None
    parent = store.get_entity(parent_guid)
    if parent is not None and parent.header.type.type_def_name == mapping.SCHEMA_TYPE:
        schema_guid = _parent_guid(store, parent_guid, frozenset({mapping.SCHEMA_TYPE_LINK}))
        parent = store.get_entity(schema_guid) if schema_guid else None
    return parent


def _parent_guid(store: Store, guid: str, link_types: frozenset[str]) -> str | None:
    token = ""
    while True:
        page = store.find_relationships(
            InstanceFilter(type_names=link_types, entity_guid=guid, page_size=100, page_token=token)
        )
        for relationship in page.items:
            ends = _ends(relationship)
            if ends is not None and ends[1] == guid:
                return ends[0]
        token = page.next_page_token
        if not token:
            return None
