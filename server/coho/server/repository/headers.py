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

import random
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

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
    """Epoch ms of a Timestamp; one the caller built out of range (years 1..9999, nanos) is INVALID_ARGUMENT."""
    try:
        return int(ts.ToMilliseconds())
    except ValueError as exc:
        raise InvalidArgument(message=f"not a valid timestamp ({exc})", reason="INVALID_TIMESTAMP") from exc


def new_guid() -> str:
    """A time-ordered UUID string (RFC 9562 version 7): 48 bits of Unix milliseconds, 12 bits of the
    sub-millisecond clock (RFC 9562 section 6.2, method 3) and 62 random bits.

    Why not version 4: GUIDs key the entity and relationship tables' unique indexes, relationship ends,
    history and the cohort's reference copies. Random GUIDs put every new instance on a random page of
    each of those B-trees, so a commit of N new instances dirtied ~N pages per index, and writing those
    pages to the WAL was the largest single cost of a batch add. Time-ordered GUIDs append next to each
    other instead. They stay opaque, unique strings to every reader; GUIDs that arrive from elsewhere
    (archives, Egeria peers, callers) are stored as given.

    Within a process they ascend even when the clock is coarse or steps back: a timestamp not after the
    last one takes the last one plus a tick (RFC 9562 section 6.2 allows this). Threads may race on that
    and share a timestamp; the random bits still keep their GUIDs apart.

    The random bits come from ``random`` (seeded from the OS, and reseeded in a forked child): a GUID is
    an identifier, not a secret (callers are authorized by token, never by knowing a GUID), and an
    ``os.urandom`` system call per GUID cost more than the rest of this function.
    """
    tick = time.time_ns() * 4096 // 1_000_000  # in 1/4096 ms: the 48 + 12 time bits
    last = _last_tick[0]
    if tick <= last:
        tick = last + 1
    _last_tick[0] = tick
    h = f"{tick >> 12:012x}7{tick & 0xFFF:03x}{_random_bits(62) | 0x8000_0000_0000_0000:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_random_bits = random.getrandbits
_last_tick = [0]
"""The last timestamp handed out (a one-item list: module state without a ``global`` statement)."""


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
        return event_originator(self.local_id, self.local_name, self.server_name)

    @cached_property
    def timestamp(self) -> Timestamp:
        """time_ms as a Timestamp, built once per write (shared: do not mutate)."""
        return to_ts(self.time_ms)

    @cached_property
    def templates(self) -> dict[object, Any]:
        """Messages that the instances or events of this write start from (headers by type and status, the
        event envelope), cached at their second use and then copied: CopyFrom of a template is ~4x cheaper
        than building the same message from keyword arguments. A value of False marks a first use. Shared:
        copy them, do not mutate."""
        return {}


@lru_cache(maxsize=64)
def event_originator(local_id: str, local_name: str, server_name: str) -> events_pb2.EventOriginator:
    """This member as event originator (shared: do not mutate)."""
    return events_pb2.EventOriginator(
        metadata_collection_id=local_id,
        metadata_collection_name=local_name,
        server_name=server_name,
        server_type="coho",
    )


class _PerRegistry:
    """Values derived from a type registry, cached per registry and per version of it (a type change starts
    new keys), and bounded: every write of a batch asks for the same few, and deriving them again was a
    measurable part of a write."""

    def __init__(self, bound: int = 4096) -> None:
        self._caches: weakref.WeakKeyDictionary[TypeRegistry, dict[tuple[object, ...], Any]] = (
            weakref.WeakKeyDictionary())
        self._bound = bound

    def get(self, types: TypeRegistry, key: tuple[object, ...], build: Callable[..., Any], *args: Any) -> Any:
        """The value for ``key`` under the registry's current version; ``build(*args)`` makes it when missing
        (arguments rather than a closure, so a hit allocates nothing)."""
        cache = self._caches.get(types)
        if cache is None:
            cache = self._caches[types] = {}
        full = (types.version_token(), *key)
        found = cache.get(full)
        if found is None:
            if len(cache) > self._bound:
                cache.clear()
            found = cache[full] = build(*args)
        return found


_LEAN_TYPES = _PerRegistry()


def lean_instance_type(types: TypeRegistry, type_name: str) -> instances_pb2.InstanceType:
    """The InstanceType for headers written here (see the module docstring); cached per registry version."""
    found: instances_pb2.InstanceType = _LEAN_TYPES.get(types, (type_name,), _lean_instance_type, types, type_name)
    return found


def _lean_instance_type(types: TypeRegistry, type_name: str) -> instances_pb2.InstanceType:
    full = types.instance_type(type_name)
    return instances_pb2.InstanceType(
        type_def_category=full.type_def_category,
        type_def_guid=full.type_def_guid,
        type_def_name=full.type_def_name,
        type_def_version=full.type_def_version,
        type_def_super_types=full.type_def_super_types,
    )


def new_header(ctx: WriteContext, type_name: str, guid: str, status: int) -> instances_pb2.InstanceHeader:
    """A complete header for a new home instance (or a home classification when guid is empty)."""
    header = instances_pb2.InstanceHeader()
    fill_header(ctx, header, type_name, guid, status)
    return header


def fill_header(
    ctx: WriteContext, header: instances_pb2.InstanceHeader, type_name: str, guid: str, status: int
) -> None:
    """Make ``header`` (empty, usually a new instance's own field) what :func:`new_header` returns, without
    the extra copy that passing a built header to a message constructor costs.

    Copied from templates, which is ~4x cheaper than building a header from keyword arguments: the parts
    that only depend on the type and this collection are cached per registry version; a write's second
    header of a type caches the complete header for the rest of the write (a batch's thousands), while a
    single-instance write pays no template it would use once.
    """
    key = ("header", ctx.types.version_token(), type_name, status)
    templates = ctx.templates
    template = templates.get(key)
    if template is not None and template is not False:
        header.CopyFrom(template)
    else:
        header.CopyFrom(_static_header(ctx.types, type_name, status, ctx.local_id, ctx.local_name))
        user = ctx.caller.user_id
        header.created_by = user
        # The creator counts as a maintainer: maintained_by lists everyone who shaped the instance.
        if user:
            header.maintained_by.append(user)
        header.create_time.CopyFrom(ctx.timestamp)
        header.update_time.CopyFrom(ctx.timestamp)
        header.external_source = ctx.caller.metadata_source
        if template is None:
            templates[key] = False  # seen once
        else:
            template = templates[key] = instances_pb2.InstanceHeader()
            template.CopyFrom(header)
    if guid:
        header.guid = guid


_STATIC_HEADERS = _PerRegistry()


def _static_header(
    types: TypeRegistry, type_name: str, status: int, local_id: str, local_name: str
) -> instances_pb2.InstanceHeader:
    """The part of a new home header that is the same for every write (shared: copy it, do not mutate)."""
    found: instances_pb2.InstanceHeader = _STATIC_HEADERS.get(
        types, (type_name, status, local_id, local_name), _build_static_header, types, type_name, status, local_id,
        local_name)
    return found


def _build_static_header(
    types: TypeRegistry, type_name: str, status: int, local_id: str, local_name: str
) -> instances_pb2.InstanceHeader:
    return instances_pb2.InstanceHeader(
        type=lean_instance_type(types, type_name),
        instance_provenance_type=LOCAL_COHORT,
        metadata_collection_id=local_id,
        metadata_collection_name=local_name,
        version=1,
        status=status,  # type: ignore[arg-type]
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
    fill_proxy(types, entity, proxy)
    return proxy


def fill_proxy(types: TypeRegistry, entity: instances_pb2.EntityDetail, proxy: instances_pb2.EntityProxy) -> None:
    """Make ``proxy`` (empty, e.g. a new relationship's end) what :func:`entity_to_proxy` returns, in place."""
    proxy.header.CopyFrom(entity.header)
    if entity.classifications:
        proxy.classifications.extend(entity.classifications)
    properties = entity.properties.properties
    for name in _unique_names(types, entity.header.type.type_def_name):
        if name in properties:
            proxy.unique_properties.properties[name].CopyFrom(properties[name])


_UNIQUE_NAMES = _PerRegistry()


def _unique_names(types: TypeRegistry, type_name: str) -> tuple[str, ...]:
    """The unique properties of a type, cached per registry version (the registry builds a fresh list from
    all the type's attributes on each call, which cost more than the rest of a proxy)."""
    found: tuple[str, ...] = _UNIQUE_NAMES.get(types, (type_name,), _unique_tuple, types, type_name)
    return found


def _unique_tuple(types: TypeRegistry, type_name: str) -> tuple[str, ...]:
    return tuple(types.unique_properties(type_name))
