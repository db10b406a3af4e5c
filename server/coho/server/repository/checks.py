"""Write-side checks that need the transaction: loading the instance to change, unique values, GUID clashes.

Property, status and classification validity come from the type registry; these add what only the stored
state can tell.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.server.errors import AlreadyExists, CohoError
from coho.server.repository.headers import (
    check_home,
    check_version,
    entity_not_found,
    relationship_not_found,
)
from coho.server.store.base import WriteTxn
from coho.server.types import TypeRegistry


def require_type(
    types: TypeRegistry, name: str, category: int, field: str, *, for_new_instance: bool = True
) -> typedefs_pb2.TypeDef:
    """The registry's require, with the request field named so clients can point at it."""
    try:
        return types.require(name, category, for_new_instance=for_new_instance)
    except CohoError as exc:
        if not exc.field_violations:
            exc.field_violations.append((field, exc.message))
        raise


def load_entity(txn: WriteTxn, guid: str) -> instances_pb2.EntityDetail:
    """The stored entity (home or copy); ENTITY_PROXY_ONLY / ENTITY_NOT_FOUND otherwise."""
    entity = txn.get_entity(guid)
    if entity is None:
        raise entity_not_found(guid, proxy_only=txn.get_proxy(guid) is not None)
    return entity


def load_home_entity(txn: WriteTxn, guid: str, local_id: str, expected_version: int = 0) -> instances_pb2.EntityDetail:
    """The entity to change: it must be stored here, homed here, and at the expected version."""
    entity = load_entity(txn, guid)
    check_home(entity.header, local_id)
    check_version(entity.header, expected_version, "options.expected_version")
    return entity


def load_relationship(txn: WriteTxn, guid: str) -> instances_pb2.Relationship:
    relationship = txn.get_relationship(guid)
    if relationship is None:
        raise relationship_not_found(guid)
    return relationship


def load_home_relationship(
    txn: WriteTxn, guid: str, local_id: str, expected_version: int = 0
) -> instances_pb2.Relationship:
    relationship = load_relationship(txn, guid)
    check_home(relationship.header, local_id)
    check_version(relationship.header, expected_version, "options.expected_version")
    return relationship


def check_guid_free(txn: WriteTxn, guid: str, field: str, *, local_id: str) -> None:
    """A caller-chosen GUID must be unused. A proxy of our own entity may be replaced by the entity itself
    (an archive's relationships can arrive before the entity they point at)."""
    proxy = txn.get_proxy(guid)
    clash = (
        txn.get_entity(guid) is not None
        or txn.get_relationship(guid) is not None
        or (proxy is not None and proxy.header.metadata_collection_id not in ("", local_id))
    )
    if clash:
        raise AlreadyExists(
            message=f"GUID {guid} is already in use",
            reason="DUPLICATE_GUID",
            field_violations=[(field, "already in use")],
            metadata={"guid": guid},
        )


# Per registry version: type -> its unique properties, and (type, property) -> scope. Every create asks.
_UNIQUE: weakref.WeakKeyDictionary[TypeRegistry, dict[tuple[int, str, str], list[str]]] = weakref.WeakKeyDictionary()


def _cached(types: TypeRegistry, key: tuple[str, str], compute: Callable[[], list[str]]) -> list[str]:
    cache = _UNIQUE.get(types)
    if cache is None:
        cache = _UNIQUE[types] = {}
    full = (types.version_token(), *key)
    found = cache.get(full)
    if found is None:
        found = cache[full] = compute()
    return found


def unique_properties(types: TypeRegistry, type_name: str) -> list[str]:
    """types.unique_properties, cached (shared list: do not mutate)."""
    return _cached(types, (type_name, ""), lambda: types.unique_properties(type_name))


def unique_scope(types: TypeRegistry, type_name: str, prop: str) -> list[str]:
    """The type names among which a unique property must be unique: every subtype of the topmost type that
    declares it (so qualifiedName, declared on Referenceable, is unique across all Referenceables)."""
    return _cached(types, (type_name, prop), lambda: _unique_scope(types, type_name, prop))


def _unique_scope(types: TypeRegistry, type_name: str, prop: str) -> list[str]:
    declaring = type_name
    for name in [type_name, *types.supertypes(type_name)]:
        type_def = types.get_type_def(name)
        if type_def is not None and any(a.attribute_name == prop for a in type_def.properties_definition):
            declaring = name
    return sorted(types.subtypes(declaring))


def check_unique(
    txn: WriteTxn,
    types: TypeRegistry,
    type_name: str,
    properties: instances_pb2.InstanceProperties,
    *,
    guid: str,
    field: str,
) -> None:
    """DUPLICATE_UNIQUE_VALUE when another live entity already holds one of these unique string values."""
    for prop in unique_properties(types, type_name):
        text = _unique_text(properties, prop)
        if text is None:
            continue
        other = txn.find_by_unique(unique_scope(types, type_name, prop), prop, text)
        if other is not None and other != guid:
            raise AlreadyExists(
                message=f"{prop} {text!r} is already used by {other}",
                reason="DUPLICATE_UNIQUE_VALUE",
                field_violations=[(f"{field}.{prop}", f"already used by {other}")],
                metadata={"property": prop, "value": text, "existing_guid": other},
            )


def _unique_text(properties: instances_pb2.InstanceProperties, prop: str) -> str | None:
    value = properties.properties.get(prop)
    if value is None or value.WhichOneof("value") != "primitive":
        return None
    if value.primitive.WhichOneof("value") != "string_value":
        return None
    return value.primitive.string_value


def prefetch_unique(
    txn: WriteTxn, types: TypeRegistry, news: Iterable[tuple[str, instances_pb2.InstanceProperties]]
) -> None:
    """Look up a batch's unique values at once (one statement per property and scope, not per entity), so
    the check_unique of each create that follows is answered from the transaction's memory."""
    wanted: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for type_name, properties in news:
        if types.get_type_def(type_name) is None:
            continue  # the create itself reports the unknown type
        for prop in unique_properties(types, type_name):
            text = _unique_text(properties, prop)
            if text is not None:
                wanted.setdefault((prop, tuple(unique_scope(types, type_name, prop))), []).append(text)
    for (prop, scope), values in wanted.items():
        txn.find_by_unique_many(scope, prop, values)


def find_classification(
    entity: instances_pb2.EntityDetail, name: str
) -> tuple[int, instances_pb2.Classification] | None:
    for index, classification in enumerate(entity.classifications):
        if classification.name == name:
            return index, classification
    return None


def merge_properties(
    stored: instances_pb2.InstanceProperties, given: instances_pb2.InstanceProperties, merge: bool
) -> instances_pb2.InstanceProperties:
    """Replace, or (merge=True) overlay the given values and effectivity dates on the stored ones."""
    if not merge:
        return given
    result = instances_pb2.InstanceProperties()
    result.CopyFrom(stored)
    for name, value in given.properties.items():
        result.properties[name].CopyFrom(value)
    if given.HasField("effective_from_time"):
        result.effective_from_time.CopyFrom(given.effective_from_time)
    if given.HasField("effective_to_time"):
        result.effective_to_time.CopyFrom(given.effective_to_time)
    return result
