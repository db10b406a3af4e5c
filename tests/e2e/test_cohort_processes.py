"""Three real `coho server` processes in one cohort: a 20k-event stream with one member killed -9 mid-way.

Every member ends with identical checksums over (guid, version, home) of the replicated instances.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from cohotest import free_port, write_yaml

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import connect
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]
ADMIN = "e2e-admin-token-0123"
PEER = "e2e-peer-token-01234"
COHORT = "e2e"
EVENTS = 20_000
BATCH = 500
CONNECTED = admin_pb.CONNECTION_STATE_CONNECTED


def member_config(tmp_path: Path, name: str, port: int, seed: int | None) -> Path:
    return write_yaml(tmp_path / f"{name}.yaml", {
        "server_name": name, "listen": f"127.0.0.1:{port}", "data_dir": f"data-{name}",
        "auth": {"tokens": {ADMIN: {"user": "admin", "roles": ["admin"]}, PEER: {"user": "peer", "roles": ["peer"]}}},
        "shutdown_grace_seconds": 1,
        "cohorts": [{"name": COHORT, "seeds": [f"127.0.0.1:{seed}"] if seed else [], "token": PEER,
                     "heartbeat_seconds": 0.5, "reconnect_max_seconds": 1.0}],
    })


def new_entities(count: int) -> list[mcs.NewEntity]:
    def value(text: str) -> instances_pb2.PropertyValue:
        return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=text))
    return [mcs.NewEntity(type_name="DataFile", properties=instances_pb2.InstanceProperties(
        properties={"qualifiedName": value(f"f-{uuid.uuid4()}")})) for _ in range(count)]


async def checksum(address: str) -> set[tuple[str, int, str]]:
    out: set[tuple[str, int, str]] = set()
    async with connect(address, ADMIN) as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        token = ""
        while True:
            page = await stub.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
                type_name="DataFile", page_size=1000, page_token=token)))
            out.update((e.header.guid, e.header.version, e.header.metadata_collection_id) for e in page.entities)
            token = page.next_page_token
            if not token:
                return out


async def lagging(addresses: list[str]) -> int:
    """Sum of inbound and outbound lags over every member's view (0 when all is replicated and acked)."""
    total = 0
    for address in addresses:
        async with connect(address, ADMIN) as channel:
            members = (await admin_grpc.ServerAdminServiceStub(channel).ListCohortMembers(
                admin_pb.ListCohortMembersRequest(cohort_name=COHORT))).members
        if len(members) != len(addresses) - 1:
            return -1
        total += sum(m.inbound_lag + m.outbound_lag for m in members)
        total += sum(1 for m in members if m.inbound_state != admin_pb.CONNECTION_STATE_CONNECTED)
    return total


async def write_stream(address: str, count: int) -> None:
    async with connect(address, ADMIN) as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        for _ in range(count // BATCH):
            await stub.AddEntities(mcs.AddEntitiesRequest(entities=new_entities(BATCH)))


async def wait_quiet(addresses: list[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            if await lagging(addresses) == 0:
                return
        except Exception:  # a member still starting
            pass
        assert time.monotonic() < deadline, "the cohort did not converge"
        await asyncio.sleep(0.3)


def test_kill_9_mid_stream_converges(tmp_path: Path, coho_process: Any) -> None:
    ports = [free_port() for _ in range(3)]
    configs = [member_config(tmp_path, f"m{i}", port, None if i == 0 else ports[0]) for i, port in enumerate(ports)]
    processes = [coho_process("server", "--config", str(c)) for c in configs]
    addresses = [p.wait_serving() for p in processes]

    async def scenario() -> None:
        await wait_quiet(addresses, 20)
        await write_stream(addresses[0], EVENTS // 2)
        await write_stream(addresses[1], 1000)
        processes[2].kill()  # SIGKILL mid-stream: m2 had applied part of it
        await write_stream(addresses[0], EVENTS // 2)
        processes.append(coho_process("server", "--config", str(configs[2])))
        processes[-1].wait_serving()
        await write_stream(addresses[2], 1000)
        await wait_quiet(addresses, 60)
        sums = [await checksum(a) for a in addresses]
        assert len(sums[0]) == EVENTS + 2000
        assert sums[0] == sums[1] == sums[2]
        homes = {home for _, _, home in sums[0]}
        assert len(homes) == 3 and all(version == 1 for _, version, _ in sums[0])

    asyncio.run(scenario())


async def members_of(address: str) -> dict[str, Any]:
    async with connect(address, ADMIN) as channel:
        members = (await admin_grpc.ServerAdminServiceStub(channel).ListCohortMembers(
            admin_pb.ListCohortMembersRequest(cohort_name=COHORT))).members
    return {m.registration.server_name: m for m in members}


async def find_one(address: str, guid: str) -> Any:
    async with connect(address, ADMIN) as channel:
        stub = mcs_grpc.MetadataCollectionServiceStub(channel)
        return (await stub.GetEntity(mcs.GetEntityRequest(guid=guid))).entity


def test_leave_cohort_flag_unregisters_a_real_process(tmp_path: Path, coho_process: Any) -> None:
    ports = [free_port() for _ in range(2)]
    configs = [member_config(tmp_path, f"m{i}", port, None if i == 0 else ports[0]) for i, port in enumerate(ports)]
    stayer, leaver = (coho_process("server", "--config", str(c), cwd=tmp_path) for c in configs)
    addresses = [stayer.wait_serving(), leaver.wait_serving()]

    async def created(address: str) -> str:
        async with connect(address, ADMIN) as channel:
            stub = mcs_grpc.MetadataCollectionServiceStub(channel)
            reply = await stub.AddEntities(mcs.AddEntitiesRequest(entities=new_entities(1)))
            return str(reply.entities[0].header.guid)

    async def before() -> tuple[str, str]:
        await wait_quiet(addresses, 20)
        guids = (await created(addresses[0]), await created(addresses[1]))
        await wait_quiet(addresses, 20)
        return guids

    stayer_guid, leaver_guid = asyncio.run(before())
    assert leaver.terminate() == 0
    left = coho_process("server", "--config", str(configs[1]), "--leave-cohort", COHORT, cwd=tmp_path)
    left.wait_serving()

    async def after() -> None:
        deadline = time.monotonic() + 30
        while (await members_of(addresses[0]))["m1"].inbound_state != admin_pb.CONNECTION_STATE_UNREGISTERED:
            assert time.monotonic() < deadline, "the stayer never heard the un-registration"
            await asyncio.sleep(0.2)
        # The stayer keeps the leaver's metadata as deregistered copies; the leaver keeps its copies too.
        while (await find_one(addresses[0], leaver_guid)).header.instance_provenance_type != \
                instances_pb2.INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY:
            assert time.monotonic() < deadline, "the leaver's copies were not marked deregistered"
            await asyncio.sleep(0.2)
        assert (await find_one(addresses[1], stayer_guid)).header.guid == stayer_guid

    asyncio.run(after())
    assert left.terminate() == 0, "\n".join(left.stderr_lines[-20:])
    # Leaving is permanent: a plain restart does not rejoin.
    again = coho_process("server", "--config", str(configs[1]), cwd=tmp_path)
    again.wait_serving()

    async def still_gone() -> None:
        await asyncio.sleep(2)  # several heartbeats and reconnect periods
        assert (await members_of(addresses[0]))["m1"].inbound_state == admin_pb.CONNECTION_STATE_UNREGISTERED
        assert all(m.inbound_state == admin_pb.CONNECTION_STATE_UNREGISTERED or
                   m.outbound_state != admin_pb.CONNECTION_STATE_CONNECTED
                   for m in (await members_of(addresses[1])).values())

    asyncio.run(still_gone())


def test_one_process_in_two_cohorts(tmp_path: Path, coho_process: Any) -> None:
    """X is in cohorts A (with Y) and B (with Z), all real processes: each cohort replicates through X, and
    neither Y nor Z receives the other's instances (X never re-sends reference copies)."""
    ports = {name: free_port() for name in ("x", "y", "z")}

    def cohort(name: str, seed: str | None) -> dict[str, Any]:
        return {"name": name, "seeds": [f"127.0.0.1:{ports[seed]}"] if seed else [], "token": PEER,
                "heartbeat_seconds": 0.5, "reconnect_max_seconds": 1.0}

    def config(name: str, cohorts: list[dict[str, Any]]) -> Path:
        return write_yaml(tmp_path / f"{name}.yaml", {
            "server_name": name, "listen": f"127.0.0.1:{ports[name]}", "data_dir": str(tmp_path / f"data-{name}"),
            "auth": {"tokens": {ADMIN: {"user": "admin", "roles": ["admin"]},
                                PEER: {"user": "peer", "roles": ["peer"]}}},
            "shutdown_grace_seconds": 1, "cohorts": cohorts})

    configs = {"x": config("x", [cohort("a", None), cohort("b", None)]), "y": config("y", [cohort("a", "x")]),
               "z": config("z", [cohort("b", "x")])}
    processes = {name: coho_process("server", "--config", str(path)) for name, path in configs.items()}
    address = {name: p.wait_serving() for name, p in processes.items()}

    async def views(at: str, cohort_name: str = "") -> list[Any]:
        async with connect(address[at], ADMIN) as channel:
            return list((await admin_grpc.ServerAdminServiceStub(channel).ListCohortMembers(
                admin_pb.ListCohortMembersRequest(cohort_name=cohort_name))).members)

    async def has(at: str, guid: str) -> bool:
        async with connect(address[at], ADMIN) as channel:
            page = await mcs_grpc.MetadataCollectionServiceStub(channel).FindEntities(mcs.FindEntitiesRequest(
                query=mcs.InstanceQuery(type_name="DataFile", page_size=1000)))
        return guid in {e.header.guid for e in page.entities}

    async def scenario() -> None:
        deadline = time.monotonic() + 30
        while {(m.cohort_name, m.registration.server_name, m.inbound_state, m.outbound_state)
               for m in await views("x")} != {("a", "y", CONNECTED, CONNECTED), ("b", "z", CONNECTED, CONNECTED)}:
            assert time.monotonic() < deadline, "x did not connect to y (cohort a) and z (cohort b)"
            await asyncio.sleep(0.2)
        guids = {}
        for name in ("x", "y", "z"):
            async with connect(address[name], ADMIN) as channel:
                reply = await mcs_grpc.MetadataCollectionServiceStub(channel).AddEntities(
                    mcs.AddEntitiesRequest(entities=new_entities(1)))
                guids[name] = reply.entities[0].header.guid
        wanted = {"x": ("y", "z"), "y": ("x",), "z": ("x",)}
        while not all([await has(at, guids[home]) for at, homes in wanted.items() for home in homes]):
            assert time.monotonic() < deadline + 30, "the cohorts did not replicate through x"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # several heartbeats: a leak would have arrived by now
        assert not await has("y", guids["z"]) and not await has("z", guids["y"])
        assert [m.registration.server_name for m in await views("x", "a")] == ["y"]
        assert [m.cohort_name for m in await views("y")] == ["a"]

    asyncio.run(scenario())
