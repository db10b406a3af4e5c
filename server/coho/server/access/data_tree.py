"""Walking the data element tree: a child's parent, and everything under an element (for cascading deletes).

Parent links are the relationship types of :mod:`.data_mapping`; a table's parent end is its schema's hidden
schema type, which these functions step through so callers only ever see the schema.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Literal

from coho.omrs.v1 import instances_pb2
from coho.server.access import data_mapping as mapping
from coho.server.store.base import LinkEnds, LinkQuery, Store, WriteTxn
from coho.server.types import TypeRegistry


def _ends(relationship: instances_pb2.Relationship) -> tuple[str, str] | None:
    """(parent guid, child guid) of a live parent link, or None for anything else."""
    header = relationship.header
    if header.status == mapping.DELETED:
        return None
    one, two = relationship.entity_one_proxy.header.guid, relationship.entity_two_proxy.header.guid
    return _link_ends(header.type.type_def_name, one, two)


def _link_ends(name: str, one: str, two: str) -> tuple[str, str] | None:
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
    return parents_of(store, [guid]).get(guid)


def parents_of(store: Store, guids: Sequence[str]) -> dict[str, instances_pb2.EntityDetail]:
    """child GUID -> its live parent element (schema types stepped over), for the children that have one.

    A handful of statements for the whole batch (the children, their links, then schema links and the
    parents' bodies) rather than a generic relationship search per child: GetElement and every FindElements
    page come through here.
    """
    return parents_of_entities(store, list(store.get_entities(guids).values()))


def parents_of_entities(
    store: Store, children: Sequence[instances_pb2.EntityDetail]
) -> dict[str, instances_pb2.EntityDetail]:
    """As parents_of, for children already read (saves their read)."""
    parent_guids = _parent_guids(store, children, hidden=False)
    entities = store.get_entities(list(dict.fromkeys(parent_guids.values())))
    hidden = {guid: entity for guid, entity in entities.items()
              if entity.header.type.type_def_name == mapping.SCHEMA_TYPE}
    if hidden:
        schemas = _parent_guids(store, hidden.values(), hidden=True)
        entities.update(store.get_entities(list(schemas.values())))
        for child, parent in parent_guids.items():
            if parent in hidden:
                parent_guids[child] = schemas.get(parent, "")
    found: dict[str, instances_pb2.EntityDetail] = {}
    for child, parent in parent_guids.items():
        entity = entities.get(parent)
        if entity is not None and entity.header.type.type_def_name != mapping.SCHEMA_TYPE:
            found[child] = entity
    return found


def _parent_guids(store: Store, children: Iterable[instances_pb2.EntityDetail], *, hidden: bool) -> dict[str, str]:
    """child -> parent GUID by the first live link (in link GUID order) that has the child at its child end;
    ``hidden``: the children are schema types, whose parent is their schema.

    Each link type is looked up at its child end only, so a folder with a million children finds its own
    parent with one index seek instead of reading every link to its children.
    """
    groups: dict[tuple[Literal[1, 2], frozenset[str]], list[str]] = {}
    for child in children:
        types = _SCHEMA_LINKS if hidden else _parent_links(child.header.type.type_def_name)
        for end, names in _by_child_end(types).items():
            groups.setdefault((end, names), []).append(child.header.guid)
    links: list[LinkEnds] = []
    for (end, names), guids in groups.items():
        links.extend(store.find_links(LinkQuery(type_names=names, entity_guids=tuple(guids), end=end)))
    parents: dict[str, str] = {}
    for link in sorted(links, key=lambda found: found.guid):
        ends = _link_ends(link.type_name, link.end_one_guid, link.end_two_guid)
        if ends is not None and ends[1] not in parents:
            parents[ends[1]] = ends[0]
    return parents


_SCHEMA_LINKS = frozenset({mapping.SCHEMA_TYPE_LINK})
_END_ONE_LINKS = frozenset(name for name, link in mapping.LINKS_BY_TYPE.items() if not link.parent_at_end_one)


@functools.lru_cache(maxsize=64)
def _parent_links(type_name: str) -> frozenset[str]:
    """The parent link types to look for. A child's own end of a link is usually end 2, where fan-in is one;
    end 1 is the parent end of most links (a folder's end 1 holds all its children), so it is searched only
    for kinds whose parent link has the child there (a schema), or for types that are not exactly a kind."""
    kind = next((k for k in mapping.KINDS.values() if k.type_name == type_name), None)
    if kind is None or any(link.relationship in _END_ONE_LINKS for link in kind.parents.values()):
        return mapping.PARENT_LINK_TYPES
    return mapping.PARENT_LINK_TYPES - _END_ONE_LINKS


@functools.lru_cache(maxsize=16)
def _by_child_end(link_types: frozenset[str]) -> dict[Literal[1, 2], frozenset[str]]:
    ends: dict[Literal[1, 2], set[str]] = {}
    for name in link_types:
        link = mapping.LINKS_BY_TYPE.get(name)
        at_one = link is not None and not link.parent_at_end_one  # a schema's schema type is at end 2
        ends.setdefault(1 if at_one else 2, set()).add(name)
    return {end: frozenset(names) for end, names in ends.items()}
