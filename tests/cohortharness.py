"""Helpers for the cohort tests: several in-process ServerApps in one cohort over real gRPC on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from cohortscenarios import Member
from servertest import PEER_TOKEN, server_config

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.app import ServerApp
from coho.server.repository.api import Caller
from coho.server.store.audit_sqlite import AuditQuery

ALICE = Caller(user_id="alice")
COHORT = "cocopharma"


def cohort_entry(seeds: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": COHORT, "seeds": seeds, "token": PEER_TOKEN, "heartbeat_seconds": 0.5,
            "reconnect_max_seconds": 0.5, **extra}


async def start_member(tmp_path: Path, name: str, seeds: list[str], **extra: Any) -> ServerApp:
    cohorts = extra.pop("cohorts", None) or [cohort_entry(seeds, **extra)]
    app = ServerApp(server_config(tmp_path / name, server_name=name, cohorts=cohorts))
    await app.start()
    return app


@asynccontextmanager
async def cohort_of(tmp_path: Path, count: int = 3, **extra: Any) -> AsyncIterator[list[ServerApp]]:
    """``count`` members; the first is everyone's seed. Waits until every pair streams both ways."""
    async with AsyncExitStack() as stack:
        apps: list[ServerApp] = []
        for i in range(count):
            app = await start_member(tmp_path, f"m{i}", [apps[0].address] if apps else [], **extra)
            stack.push_async_callback(app.stop)
            apps.append(app)
        await wait_connected(apps)
        yield apps


def rt(app: ServerApp) -> Any:
    assert app.runtime is not None
    return app.runtime


def member_id(app: ServerApp) -> str:
    return str(rt(app).store.metadata_collection_id)


async def until(predicate: Callable[[], bool], limit: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def wait_connected(apps: list[ServerApp], limit: float = 15.0, cohort: str = COHORT) -> None:
    def connected() -> bool:
        for app in apps:
            members = {m.registration.metadata_collection_id: m for m in rt(app).cohort.members(cohort)}
            for other in apps:
                if other is app:
                    continue
                m = members.get(member_id(other))
                if m is None or m.inbound_state != admin_pb.CONNECTION_STATE_CONNECTED \
                        or m.outbound_state != admin_pb.CONNECTION_STATE_CONNECTED:
                    return False
        return True

    await until(connected, limit, "every pair of members to connect")


async def wait_replicated(apps: list[ServerApp], limit: float = 15.0, cohort: str = COHORT) -> None:
    """Until every member's cursor in every other member's log reached that member's head."""
    def caught_up() -> bool:
        for app in apps:
            members = {m.registration.metadata_collection_id: m for m in rt(app).cohort.members(cohort)}
            for other in apps:
                if other is not app:
                    m = members.get(member_id(other))
                    if m is None or m.inbound_cursor < rt(other).store.head_sequence():
                        return False
        return True

    await until(caught_up, limit, "replication to catch up")


def string(value: str) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
        primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=value))


def props(**values: str) -> instances_pb2.InstanceProperties:
    return instances_pb2.InstanceProperties(properties={k: string(v) for k, v in values.items()})


async def add_entity(app: ServerApp, type_name: str = "DataFile", **values: str) -> instances_pb2.EntityDetail:
    values.setdefault("qualifiedName", f"{type_name}:{uuid.uuid4()}")
    written = await rt(app).repository.add_entity(ALICE, mcs.NewEntity(type_name=type_name, properties=props(**values)))
    return written.value


def audit_rows(app: ServerApp, action: str) -> list[Any]:
    return list(rt(app).audit.query(AuditQuery(action=action, limit=10_000)))


def checksum(app: ServerApp, home_ids: set[str]) -> set[tuple[str, int, str, int]]:
    """(guid, version, home, status) of every entity and relationship homed at one of ``home_ids``."""
    from coho.server.cohort.publisher import ALL_STATUSES
    from coho.server.store.base import InstanceFilter

    store = rt(app).store
    out: set[tuple[str, int, str, int]] = set()
    for finder in (store.find_entities, store.find_relationships):
        token = ""
        while True:
            page = finder(InstanceFilter(statuses=ALL_STATUSES, page_size=1000, page_token=token))
            for item in page.items:
                h = item.header
                if h.metadata_collection_id in home_ids:
                    out.add((h.guid, h.version, h.metadata_collection_id, h.status))
            token = page.next_page_token
            if not token:
                break
    return out


async def partition(app: ServerApp) -> None:
    """Stop every cohort stream of ``app`` (both directions); its peers back off and retry."""
    await rt(app).cohort.stop()


async def heal(app: ServerApp) -> None:
    await rt(app).cohort.start(app.address)


async def add_link(app: ServerApp, type_name: str, one: str, two: str) -> instances_pb2.Relationship:
    written = await rt(app).repository.add_relationship(
        ALICE, mcs.NewRelationship(type_name=type_name, entity_one_guid=one, entity_two_guid=two))
    return written.value


class AppMember(Member):
    """An in-process member for the shared scenarios: isolating it stops and restarts its cohort streams."""

    def __init__(self, app: ServerApp) -> None:
        super().__init__(app.config.server_name, app.address, COHORT)
        self.app = app
        self.id = member_id(app)

    async def isolate(self) -> None:
        await partition(self.app)

    async def rejoin(self) -> None:
        await heal(self.app)


def members(apps: list[ServerApp]) -> list[AppMember]:
    return [AppMember(app) for app in apps]
