"""Cohort scenarios written once, run against in-process members and against real `coho server` processes.

A scenario only talks to members over their public gRPC API (DESIGN §11), through :class:`Member`. How a member
is isolated from the cohort and brought back is the runner's business: in-process members stop and restart their
cohort streams; process members restart with credentials the cohort refuses, then with the right ones.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from servertest import ADMIN_TOKEN, Stubs

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.client import connect
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import type_service_pb2 as ts

P = typedefs_pb2
LOCAL_COHORT = instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT
ALL_STATUSES = [s for s in P.InstanceStatus.values() if s != P.INSTANCE_STATUS_UNKNOWN]
CONNECTED = admin_pb.CONNECTION_STATE_CONNECTED
PURGES = (events_pb2.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT, events_pb2.INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT)


class Member:
    """One cohort member seen through its gRPC address (admin token); ``id`` is its metadata collection id."""

    def __init__(self, name: str, address: str = "", cohort: str = "") -> None:
        self.name, self.address, self.cohort, self.id = name, address, cohort, ""

    async def isolate(self) -> None:
        """Cut every cohort stream of this member, both ways; it still serves clients."""
        raise NotImplementedError

    async def rejoin(self) -> None:
        raise NotImplementedError

    @asynccontextmanager
    async def stubs(self) -> AsyncIterator[Stubs]:
        async with connect(self.address, ADMIN_TOKEN) as channel:
            yield Stubs(channel)

    async def identify(self) -> str:
        async with self.stubs() as s:
            self.id = (await s.admin.GetServerStatus(admin_pb.GetServerStatusRequest())).metadata_collection_id
        return self.id

    async def head(self) -> int:
        async with self.stubs() as s:
            return int((await s.admin.GetServerStatus(admin_pb.GetServerStatusRequest())).head_sequence)

    async def members(self) -> list[admin_pb.CohortMember]:
        async with self.stubs() as s:
            return list((await s.admin.ListCohortMembers(
                admin_pb.ListCohortMembersRequest(cohort_name=self.cohort))).members)

    async def audit(self, action: str) -> list[admin_pb.AuditLogRecord]:
        out: list[admin_pb.AuditLogRecord] = []
        token = ""
        async with self.stubs() as s:
            while True:
                page = await s.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(
                    action=action, page_size=1000, page_token=token))
                out.extend(page.records)
                token = page.next_page_token
                if not token:
                    return out[::-1]  # oldest first, like the store's query

    async def add_entity(self, type_name: str = "DataFile", guid: str = "", **values: str) -> Any:
        values.setdefault("qualifiedName", f"{type_name}:{uuid.uuid4()}")
        async with self.stubs() as s:
            return (await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(
                type_name=type_name, guid=guid, properties=props(**values))))).entity

    async def get_entity(self, guid: str) -> instances_pb2.EntityDetail | None:
        async with self.stubs() as s:
            try:
                return (await s.mcs.GetEntity(mcs.GetEntityRequest(guid=guid))).entity
            except grpc.aio.AioRpcError as err:
                if err.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise

    async def call(self, method: str, request: Any) -> Any:
        async with self.stubs() as s:
            return await getattr(s.mcs, method)(request)

    async def add_type(self, td: typedefs_pb2.TypeDef) -> None:
        async with self.stubs() as s:
            await s.types.AddTypeDef(ts.AddTypeDefRequest(type_def=td))

    async def get_type(self, name: str) -> typedefs_pb2.TypeDef | None:
        async with self.stubs() as s:
            try:
                return (await s.types.GetTypeDef(ts.GetTypeDefRequest(name=name))).type_def
            except grpc.aio.AioRpcError as err:
                if err.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise

    async def change_log(self) -> list[Any]:
        """Every entry of this member's change log (SequencedEvent), oldest first."""
        out: list[Any] = []
        async with self.stubs() as s:
            while True:
                page = await s.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(
                    after_sequence=out[-1].sequence if out else 0, page_size=1000))
                out.extend(page.entries)
                if len(page.entries) < 1000:
                    return out

    async def checksum(self, homes: set[str]) -> set[tuple[str, int, str, int]]:
        """(guid, version, home, status) of every entity and relationship homed at one of ``homes``."""
        out: set[tuple[str, int, str, int]] = set()
        async with self.stubs() as s:
            for find, field in ((s.mcs.FindEntities, "entities"), (s.mcs.FindRelationships, "relationships")):
                token = ""
                while True:
                    query = mcs.InstanceQuery(limit_results_by_status=ALL_STATUSES, page_size=1000, page_token=token)
                    request = (mcs.FindEntitiesRequest if field == "entities" else mcs.FindRelationshipsRequest)
                    page = await find(request(query=query))
                    for item in getattr(page, field):
                        h = item.header
                        if h.metadata_collection_id in homes:
                            out.add((h.guid, h.version, h.metadata_collection_id, h.status))
                    token = page.next_page_token
                    if not token:
                        break
        return out


def props(**values: str) -> instances_pb2.InstanceProperties:
    return instances_pb2.InstanceProperties(properties={k: instances_pb2.PropertyValue(
        type_name="string", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=P.PRIMITIVE_DEF_CATEGORY_STRING, string_value=v)) for k, v in values.items()})


async def until(predicate: Callable[[], Awaitable[bool]], limit: float = 15.0,
                what: str | Callable[[], str] = "condition") -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            if await predicate():
                return
        except grpc.aio.AioRpcError:  # a member restarting
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what if isinstance(what, str) else what()}")
        await asyncio.sleep(0.05)


async def wait_connected(members: list[Member], limit: float = 20.0) -> None:
    async def connected() -> bool:
        for m in members:
            seen = {x.registration.metadata_collection_id: x for x in await m.members()}
            for other in members:
                x = seen.get(other.id)
                if other is not m and (x is None or x.inbound_state != CONNECTED or x.outbound_state != CONNECTED):
                    return False
        return True

    await until(connected, limit, "every pair of members to connect")


async def wait_replicated(members: list[Member], limit: float = 20.0) -> None:
    """Until every member's cursor in every other member's log reached that member's head."""
    heads = {m.id: await m.head() for m in members}
    views: dict[str, Any] = {}

    async def caught_up() -> bool:
        for m in members:
            seen = {x.registration.metadata_collection_id: x for x in await m.members()}
            views[m.name] = {o.name: (seen[o.id].inbound_cursor, heads[o.id], seen[o.id].inbound_state)
                             if o.id in seen else None for o in members if o is not m}
            if any(o.id not in seen or seen[o.id].inbound_cursor < heads[o.id] for o in members if o is not m):
                return False
        return True

    await until(caught_up, limit, lambda: f"replication to catch up: (cursor, head, state) {views}")


# -- scenarios ----------------------------------------------------------------------------------------------------


async def lifecycle_field_by_field(members: list[Member]) -> None:
    """Create, update, classify, delete and purge at each member; every copy matches its original."""
    by_id = {m.id: m for m in members}
    created = {m.id: (await m.add_entity(description="v1")).header.guid for m in members}
    await wait_replicated(members)
    for m in members:
        for home, guid in created.items():
            copy = await m.get_entity(guid)
            assert copy is not None, (m.name, home)
            original = await by_id[home].get_entity(guid)
            assert original is not None
            assert copy.header.metadata_collection_id == home
            assert copy.header.version == original.header.version
            assert copy.header.instance_provenance_type == LOCAL_COHORT
            assert copy.header.create_time == original.header.create_time
            assert copy.properties == original.properties
    for m in members:
        guid = created[m.id]
        current = await m.get_entity(guid)
        assert current is not None
        await m.call("UpdateEntityProperties", mcs.UpdateEntityPropertiesRequest(
            guid=guid, properties=current.properties, merge=True))
        await m.call("ClassifyEntity", mcs.ClassifyEntityRequest(guid=guid, classification_name="Memento"))
    await wait_replicated(members)
    for m in members:
        for home, guid in created.items():
            assert await m.get_entity(guid) == await by_id[home].get_entity(guid), (m.name, home)
    for m in members:
        await m.call("DeleteEntity", mcs.DeleteEntityRequest(guid=created[m.id]))
    await wait_replicated(members)
    for m in members:
        for guid in created.values():
            entity = await m.get_entity(guid)
            assert entity is not None and entity.header.status == P.INSTANCE_STATUS_DELETED, (m.name, guid)
    for m in members:
        await m.call("PurgeEntity", mcs.PurgeEntityRequest(guid=created[m.id]))
    await wait_replicated(members)
    for m in members:
        for guid in created.values():
            assert await m.get_entity(guid) is None, (m.name, guid)
    for m in members:
        assert len(await m.members()) == len(members) - 1, m.name


async def partition_and_recovery(members: list[Member]) -> None:
    """The last member is cut off; everyone writes meanwhile; after it rejoins every member converges."""
    cut = members[-1]
    await cut.isolate()
    during = [(await m.add_entity()).header.guid for m in members for _ in range(4)]
    await asyncio.sleep(0.3)
    assert await cut.get_entity(during[0]) is None
    assert await members[0].get_entity(during[-1]) is None
    await cut.rejoin()
    await wait_replicated(members, 30)
    homes = {m.id for m in members}
    sums = [await m.checksum(homes) for m in members]
    assert all(s == sums[0] for s in sums)
    assert {g for g, *_ in sums[0]} >= set(during)
    assert len(sums[0]) == 4 * len(members)


async def applied_twice(member: Member) -> list[tuple[str, int, int]]:
    """(guid, version, count) of every reference copy this member logged more than once: a copy is logged
    once per applied version, so a repeat means an event was applied twice."""
    seen: dict[tuple[str, int], int] = {}
    for entry in await member.change_log():
        event = entry.event
        image = event.instance.entity if event.instance.HasField("entity") else event.instance.relationship
        if event.WhichOneof("section") != "instance" or not image.header.guid or event.instance.event_type in PURGES:
            continue  # a purge logs the last image again
        if event.instance.home_metadata_collection_id != member.id:
            key = (image.header.guid, image.header.version)
            seen[key] = seen.get(key, 0) + 1
    return [(guid, version, count) for (guid, version), count in seen.items() if count > 1]


async def stream_cut_while_writing(members: list[Member], seconds: float = 3.0) -> None:
    """Only the cohort streams of the last member are cut (it keeps serving clients); every member keeps
    creating and updating meanwhile; after the cut heals everyone converges, nothing lost, nothing applied twice."""
    cut, others = members[-1], members[:-1]
    early = {m.id: (await m.add_entity(description="before")).header.guid for m in members}
    await wait_replicated(members)
    await cut.isolate()

    states: dict[str, tuple[int, int]] = {}

    async def cut_off() -> bool:
        for m in others:
            seen = {x.registration.metadata_collection_id: x for x in await m.members()}
            states[m.name] = (seen[cut.id].inbound_state, seen[cut.id].outbound_state)
        return all(CONNECTED not in pair for pair in states.values())
    await until(cut_off, 20, lambda: f"the others to see the cut member's streams gone: (in, out) {states}")

    during: dict[str, list[str]] = {m.id: [] for m in members}

    async def write(m: Member) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            during[m.id].append((await m.add_entity(description="during")).header.guid)
            current = await m.get_entity(early[m.id])
            assert current is not None
            await m.call("UpdateEntityProperties", mcs.UpdateEntityPropertiesRequest(
                guid=early[m.id], properties=props(description=f"v{current.header.version + 1}")))
            await asyncio.sleep(0.05)
    await asyncio.gather(*(write(m) for m in members))
    assert all(during.values()), "every member kept serving writes"
    for m in others:  # nothing crossed the cut, either way
        assert await cut.get_entity(during[m.id][0]) is None
        assert await m.get_entity(during[cut.id][0]) is None
    await cut.rejoin()
    await wait_connected(members, 30)
    await wait_replicated(members, 60)
    homes = {m.id for m in members}
    sums = [await m.checksum(homes) for m in members]
    assert all(s == sums[0] for s in sums), "every member holds the same versions"
    written = {g for guids in during.values() for g in guids} | set(early.values())
    assert {g for g, *_ in sums[0]} == written, "no instance lost"
    versions = {g: v for g, v, *_ in sums[0]}
    for m in members:
        assert versions[early[m.id]] == (await m.get_entity(early[m.id])).header.version > 1  # type: ignore[union-attr]
    for m in members:
        assert await applied_twice(m) == [], m.name


async def exchange_rules_filter_by_type_with_subtypes(a: Member, b: Member, picky: Member, types: Member) -> None:
    """``picky`` saves SELECTED_TYPES [DataFile]; ``types`` processes JUST_TYPEDEFS; ``b`` takes everything."""
    everyone = [a, b, picky, types]
    folder = await a.add_entity("FileFolder")
    file = await a.add_entity("CSVFile")  # a DataFile subtype: selected through its supertype
    await wait_replicated(everyone)
    assert await picky.get_entity(file.header.guid) is not None
    assert await picky.get_entity(folder.header.guid) is None
    assert await types.get_entity(file.header.guid) is None
    assert await types.get_entity(folder.header.guid) is None
    assert await b.get_entity(folder.header.guid) is not None

    async def ignored() -> bool:  # the home writes its ack records off its event loop: poll for them
        return any(r.details["subscriber"] == picky.id and "ignored_by_rule" in r.details["outcomes"]
                   for r in await a.audit("ACK_RECEIVED"))
    await until(ignored, what="an ack recording the events ignored by rule")


async def guid_clash_re_identifies(a: Member, b: Member) -> None:
    """The same GUID created at two homes while apart: a conflict, and the home re-identifies its own."""
    await b.isolate()
    guid = str(uuid.uuid4())
    for m in (a, b):
        await m.add_entity(guid=guid, qualifiedName=f"{m.name}-clash")
    await b.rejoin()
    homes = {a.id, b.id}

    async def converged() -> bool:
        left, right = await a.checksum(homes), await b.checksum(homes)
        return left == right and len({g for g, *_ in left}) == 2
    await until(converged, 30, "the clash to be resolved")
    assert await a.audit("EVENT_CONFLICT") or await b.audit("EVENT_CONFLICT")
    assert await a.audit("INSTANCE_RE_IDENTIFIED") or await b.audit("INSTANCE_RE_IDENTIFIED")

    async def conflict_acked() -> bool:
        acks = await a.audit("ACK_RECEIVED") + await b.audit("ACK_RECEIVED")
        return any("'conflict'" in r.details["outcomes"] for r in acks)
    await until(conflict_acked, what="an ack recording the conflict")


async def entity_type(member: Member, name: str, attribute: str, attribute_type: str) -> typedefs_pb2.TypeDef:
    """A new entity type under Asset with one attribute, built from ``member``'s own Asset and attribute type."""
    async with member.stubs() as s:
        asset = (await s.types.GetTypeDef(ts.GetTypeDefRequest(name="Asset"))).type_def
        atd = (await s.types.GetAttributeTypeDef(ts.GetAttributeTypeDefRequest(name=attribute_type))).attribute_type_def
    return typedefs_pb2.TypeDef(
        guid=str(uuid.uuid5(uuid.NAMESPACE_URL, name)), name=name, status=P.TYPE_DEF_STATUS_ACTIVE_TYPEDEF, version=1,
        category=P.TYPE_DEF_CATEGORY_ENTITY_DEF, super_type=typedefs_pb2.TypeDefLink(guid=asset.guid, name=asset.name),
        properties_definition=[typedefs_pb2.TypeDefAttribute(
            attribute_name=attribute, attribute_type=atd, attribute_status=P.ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE)],
        entity_def=typedefs_pb2.EntityDefDetails())


async def types_propagate_and_conflicts_never_overwrite(a: Member, b: Member) -> None:
    await a.add_type(await entity_type(a, "SharedThing", "size", "int"))
    await b.isolate()
    await a.add_type(await entity_type(a, "ClashThing", "size", "int"))
    await b.add_type(await entity_type(b, "ClashThing", "flag", "boolean"))
    await b.rejoin()
    await wait_replicated([a, b], 30)
    assert await b.get_type("SharedThing") is not None
    shared = await a.add_entity("SharedThing")
    await wait_replicated([a, b])
    assert await b.get_entity(shared.header.guid) is not None
    for m, attribute in ((a, "size"), (b, "flag")):
        kept = await m.get_type("ClashThing")
        assert kept is not None
        assert [p.attribute_name for p in kept.properties_definition] == [attribute]
        conflicts = [r for r in await m.audit("EVENT_CONFLICT") if "CONFLICTING_TYPEDEFS" in r.message]
        assert conflicts, m.name

    async def error_event() -> bool:
        return any(r.details["code"] == "CONFLICTING_TYPEDEFS" for r in await a.audit("ERROR_EVENT_RECEIVED"))
    await until(error_event, what="error event")
