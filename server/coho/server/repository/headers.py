"""Instance headers, versions and the home rule: the bookkeeping every write shares.

A :class:`WriteContext` is built inside each :meth:`Store.write` callback (so the clock is read on the
writer, in commit order, and history intervals never overlap) and carries everything a write needs to stamp
headers and events: the type registry, this collection's identity and the caller.

Headers written here are lean: their ``type`` keeps the category, GUID, name, version and super types, but
not ``valid_instance_properties``, ``valid_status_list`` or the description. Those are properties of the
TypeDef, derivable through TypeService.GetTypeDef (or ``TypeRegistry.instance_type``), and copying them
into every instance and every change-log event made a DataFile's stored body ~3x larger and its write
~2x slower. Egeria archives do not carry them either; instances from elsewhere (reference copies, archive
content) are stored as given.
"""

from __future__ import annotations

import time
import uuid
import weakref
from dataclasses import dataclass
from functools import cached_property, lru_cache

from google.protobuf.timestamp_pb2 import Timestamp

from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.server.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound
from coho.server.repository.api import Caller
from coho.server.types import TypeRegistry

LOCAL_COHORT = instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT
DELETED = typedefs_pb2.INSTANCE_STATUS_DELETED
UNSPECIFIED_STATUS = typedefs_pb2.INSTANCE_STATUS_UNSPECIFIED
ENTITY_DEF = typedefs_pb2.TYPE_DEF_CATEGORY_ENTITY_DEF
RELATIONSHIP_DEF = typedefs_pb2.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF
CLASSIFICATION_DEF = typedefs_pb2.TYPE_DEF_CATEGORY_CLASSIFICATION_DEF


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_ts(ms: int) -> Timestamp:
    ts = Timestamp()
    ts.FromMilliseconds(ms)
    return ts


def from_ts(ts: Timestamp) -> int:
    return int(ts.ToMilliseconds())


def new_guid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class WriteContext:
    """What one write needs to stamp headers and events. Built on the writer, per write."""

    types: TypeRegistry
    local_id: str
    local_name: str
    server_name: str
    caller: Caller
    time_ms: int

    def originator(self) -> events_pb2.EventOriginator:
        """This member as event originator (shared: protobuf copies it into each event; do not mutate)."""
        return _originator(self.local_id, self.local_name, self.server_name)

    @cached_property
    def timestamp(self) -> Timestamp:
        """time_ms as a Timestamp, built once per write (shared: do not mutate)."""
        return to_ts(self.time_ms)


@lru_cache(maxsize=64)
def _originator(local_id: str, local_name: str, server_name: str) -> events_pb2.EventOriginator:
    return events_pb2.EventOriginator(
        metadata_collection_id=local_id,
        metadata_collection_name=local_name,
        server_name=server_name,
        server_type="coho",
    )


_LEAN_TYPES: weakref.WeakKeyDictionary[TypeRegistry, dict[tuple[int, str], instances_pb2.InstanceType]] = (
    weakref.WeakKeyDictionary()
)


def lean_instance_type(types: TypeRegistry, type_name: str) -> instances_pb2.InstanceType:
    """The InstanceType for headers written here (see the module docstring); cached per registry version."""
    cache = _LEAN_TYPES.get(types)
    if cache is None:
        cache = _LEAN_TYPES[types] = {}
    key = (types.version_token(), type_name)
    found = cache.get(key)
    if found is None:
        full = types.instance_type(type_name)
        found = cache[key] = instances_pb2.InstanceType(
            type_def_category=full.type_def_category,
            type_def_guid=full.type_def_guid,
            type_def_name=full.type_def_name,
            type_def_version=full.type_def_version,
            type_def_super_types=full.type_def_super_types,
        )
    return found


def new_header(ctx: WriteContext, type_name: str, guid: str, status: int) -> instances_pb2.InstanceHeader:
    """A complete header for a new home instance (or a home classification when guid is empty)."""
    user = ctx.caller.user_id
    return instances_pb2.InstanceHeader(
        guid=guid,
        type=lean_instance_type(ctx.types, type_name),
        instance_provenance_type=LOCAL_COHORT,
        metadata_collection_id=ctx.local_id,
        metadata_collection_name=ctx.local_name,
        created_by=user,
        # The creator counts as a maintainer: maintained_by lists everyone who shaped the instance.
        maintained_by=[user] if user else [],
        create_time=ctx.timestamp,
        update_time=ctx.timestamp,
        version=1,
        status=status,  # type: ignore[arg-type]
        external_source=ctx.caller.metadata_source,
    )


def bump(ctx: WriteContext, header: instances_pb2.InstanceHeader) -> None:
    """Record a home change: the next version, by this caller, now."""
    user = ctx.caller.user_id
    header.version += 1
    header.updated_by = user
    if user and user not in header.maintained_by:
        header.maintained_by.append(user)
    header.update_time.CopyFrom(ctx.timestamp)


def check_version(header: instances_pb2.InstanceHeader, expected_version: int, field: str = "") -> None:
    """Optimistic concurrency: 0 means "don't care"."""
    if expected_version and header.version != expected_version:
        raise Conflict(
            message=f"{header.guid} is at version {header.version}, not {expected_version}",
            reason="VERSION_CONFLICT",
            metadata={"guid": header.guid, "version": header.version, "expected_version": expected_version},
            field_violations=[(field, "stale version")] if field else (),
        )


def check_home(header: instances_pb2.InstanceHeader, local_id: str) -> None:
    """Only the home changes an instance (DESIGN §4)."""
    if header.metadata_collection_id != local_id:
        raise FailedPrecondition(
            message=f"{header.guid} is homed in {header.metadata_collection_id}; change it there",
            reason="NOT_HOME",
            metadata={"guid": header.guid, "home_metadata_collection_id": header.metadata_collection_id},
        )


def check_not_deleted(header: instances_pb2.InstanceHeader) -> None:
    if header.status == DELETED:
        raise FailedPrecondition(
            message=f"{header.guid} is soft-deleted; restore it first",
            reason="ALREADY_DELETED",
            metadata={"guid": header.guid},
        )


def check_deleted(header: instances_pb2.InstanceHeader) -> None:
    if header.status != DELETED:
        raise FailedPrecondition(
            message=f"{header.guid} is not soft-deleted", reason="NOT_DELETED", metadata={"guid": header.guid}
        )


def _missing_guid() -> InvalidArgument:
    # Every lookup that fails funnels through the two functions below; an empty GUID there is bad input,
    # not an unknown instance, so it is reported as such (DESIGN §3) wherever the call came from.
    return InvalidArgument(
        message="a GUID is required", reason="MISSING_FIELD", field_violations=[("guid", "is required")]
    )


def entity_not_found(guid: str, *, proxy_only: bool = False) -> NotFound | InvalidArgument:
    if not guid:
        return _missing_guid()
    if proxy_only:
        return NotFound(
            message=f"only a proxy of entity {guid} is stored here",
            reason="ENTITY_PROXY_ONLY",
            resource=("EntityDetail", guid),
            metadata={"resource_type": "EntityDetail", "resource_name": guid},
        )
    return NotFound(
        message=f"entity {guid} not found",
        reason="ENTITY_NOT_FOUND",
        resource=("EntityDetail", guid),
        metadata={"resource_type": "EntityDetail", "resource_name": guid},
    )


def relationship_not_found(guid: str) -> NotFound | InvalidArgument:
    if not guid:
        return _missing_guid()
    return NotFound(
        message=f"relationship {guid} not found",
        reason="RELATIONSHIP_NOT_FOUND",
        resource=("Relationship", guid),
        metadata={"resource_type": "Relationship", "resource_name": guid},
    )


def require_guid(guid: str, field: str) -> None:
    if not guid:
        raise InvalidArgument(message=f"{field} must not be empty", field_violations=[(field, "required")])


def entity_to_proxy(types: TypeRegistry, entity: instances_pb2.EntityDetail) -> instances_pb2.EntityProxy:
    """A proxy keeps the header, classifications and only the unique properties (Egeria's EntityProxy)."""
    proxy = instances_pb2.EntityProxy()
    proxy.header.CopyFrom(entity.header)
    proxy.classifications.extend(entity.classifications)
    unique = set(types.unique_properties(entity.header.type.type_def_name))
    for name, value in entity.properties.properties.items():
        if name in unique:
            proxy.unique_properties.properties[name].CopyFrom(value)
    return proxy
