"""Cohort chaos: three real ``coho server`` processes, a steady write workload and scripted faults.

    python tests/soak/chaos_cohort.py                              # the full run: 50k events over 180 s
    python tests/soak/chaos_cohort.py --events 5000 --seconds 30   # what CI runs (tests/reliability/)

Every member advertises its cohort endpoint through a TCP proxy owned by this script, so the script can cut
the members' exchange streams mid-batch without touching the processes. While writers add entities (and
update some) at random members, a fault loop repeatedly:

- kills a random member with SIGKILL and restarts it;
- cuts every exchange stream (the proxies reset all their connections);
- pauses a member with SIGSTOP for longer than its peers' heartbeat timeout, then resumes it.

Then every member is resumed and the cohort is left to converge. The verdict comes from the members' own
files, read after a clean stop:

- **lost**: a (guid, version) in a home's change log that another member's change log never saved;
- **duplicated**: a (guid, version) that one member's change log saved twice;
- **view**: every member's replicated view (guid, version, home) equals the union of the homes' views;
- the audit logs' acknowledged outcomes, summed per publisher, which must agree with the change logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: cohotest when run as a script

import grpc
from cohotest import CohoProcess, free_port, write_yaml

from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.admin.v1 import server_admin_service_pb2_grpc as admin_grpc
from coho.client import connect
from coho.omrs.v1 import events_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc

ADMIN = "chaos-admin-token-0123"
PEER = "chaos-peer-token-01234"
COHORT = "chaos"
HEARTBEAT = 0.5
BATCH = 250
CALL_TIMEOUT = 10.0


# -- a cuttable TCP proxy --------------------------------------------------------------------------------
class Proxy:
    """Forwards 127.0.0.1:<port> to a member's listen port; :meth:`cut` resets every open connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:  # the member is down: the caller sees a refused connection, as it would directly
            writer.close()
            return
        self._writers.update((writer, up_writer))
        for task in (asyncio.create_task(self._pipe(reader, up_writer)),
                     asyncio.create_task(self._pipe(up_reader, writer))):
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def cut(self) -> None:
        """Abort every connection now (an RST, as a dropped link or a middlebox would): streams die mid-batch."""
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()
        self._writers.clear()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)


# -- members ------------------------------------------------------------------------------------------------
@dataclass
class ChaosMember:
    name: str
    config: Path
    data_dir: Path
    port: int
    proxy: Proxy
    process: CohoProcess | None = None
    writable: bool = False
    kills: int = 0
    pauses: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = CohoProcess(["server", "--config", str(self.config)], cwd=self.config.parent)
        self.process.wait_serving(timeout=60)
        self.writable = True


def member_config(directory: Path, name: str, port: int, proxy_port: int, seed_port: int | None) -> Path:
    return write_yaml(directory / f"{name}.yaml", {
        "server_name": name, "listen": f"127.0.0.1:{port}", "data_dir": str(directory / f"data-{name}"),
        "auth": {"tokens": {ADMIN: {"user": "chaos", "roles": ["admin"]}, PEER: {"user": "peer", "roles": ["peer"]}}},
        "shutdown_grace_seconds": 1,
        "cohorts": [{"name": COHORT, "seeds": [f"127.0.0.1:{seed_port}"] if seed_port else [], "token": PEER,
                     "endpoint": f"127.0.0.1:{proxy_port}", "heartbeat_seconds": HEARTBEAT,
                     "reconnect_max_seconds": 1.0}],
    })


def new_entities(count: int) -> list[mcs.NewEntity]:
    return [mcs.NewEntity(type_name="DataFile", properties=_props(f"chaos-{uuid.uuid4()}")) for _ in range(count)]


def _props(qualified_name: str, description: str = "") -> instances_pb2.InstanceProperties:
    def value(text: str) -> instances_pb2.PropertyValue:
        return instances_pb2.PropertyValue(type_name="string", primitive=instances_pb2.PrimitiveValue(
            primitive_def_category=typedefs_pb2.PRIMITIVE_DEF_CATEGORY_STRING, string_value=text))
    props = {"qualifiedName": value(qualified_name)}
    if description:
        props["description"] = value(description)
    return instances_pb2.InstanceProperties(properties=props)


# -- the run ------------------------------------------------------------------------------------------------
@dataclass
class Workload:
    target_events: int
    seconds: float
    """The writes are spread over this long, so the faults land all through the stream."""
    update_share: float = 0.1
    written: int = 0
    failed_calls: int = 0
    homed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """member name -> (guid, qualifiedName) created there, for updates."""


async def write_loop(members: list[ChaosMember], work: Workload, rng: random.Random) -> None:
    """Write until target_events changes were acknowledged, always at a member that is up."""
    channels: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        for m in members:
            channels[m.name] = mcs_grpc.MetadataCollectionServiceStub(
                await stack.enter_async_context(connect(m.address, ADMIN)))
        started = time.monotonic()
        while work.written < work.target_events:
            due = started + work.seconds * work.written / work.target_events
            if (ahead := due - time.monotonic()) > 0:
                await asyncio.sleep(ahead)
            live = [m for m in members if m.writable]
            if not live:
                await asyncio.sleep(0.05)
                continue
            member = rng.choice(live)
            stub = channels[member.name]
            try:
                known = work.homed.get(member.name, [])
                if known and rng.random() < work.update_share:
                    guid, qualified_name = rng.choice(known)
                    await stub.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
                        guid=guid, properties=_props(qualified_name, f"edit {uuid.uuid4()}")), timeout=CALL_TIMEOUT)
                    work.written += 1
                else:
                    count = min(BATCH, work.target_events - work.written)
                    reply = await stub.AddEntities(mcs.AddEntitiesRequest(entities=new_entities(count)),
                                                   timeout=CALL_TIMEOUT)
                    work.homed.setdefault(member.name, []).extend(
                        (e.header.guid, e.properties.properties["qualifiedName"].primitive.string_value)
                        for e in reply.entities)
                    work.written += len(reply.entities)
            except grpc.aio.AioRpcError:
                # The member was killed or paused under us; whether the write landed is settled later from the
                # change logs, which are the ground truth for "lost".
                work.failed_calls += 1
                await asyncio.sleep(0.05)


@dataclass
class Faults:
    kills: int = 0
    cuts: int = 0
    pauses: int = 0


async def fault_loop(members: list[ChaosMember], work: Workload, rng: random.Random, faults: Faults,
                     pause_seconds: float) -> None:
    rounds = 0
    while work.written < work.target_events:
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        action = ("kill", "cut", "pause")[rounds % 3]  # in turn, so even a short run has every kind
        rounds += 1
        victim = rng.choice(members)
        if action == "kill":
            assert victim.process is not None
            victim.writable = False
            victim.process.kill()
            faults.kills += 1
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            await asyncio.to_thread(victim.start)
        elif action == "cut":
            for m in members:
                m.proxy.cut()
            faults.cuts += 1
        else:
            assert victim.process is not None
            victim.writable = False
            os.kill(victim.process.proc.pid, signal.SIGSTOP)
            faults.pauses += 1
            await asyncio.sleep(pause_seconds)
            os.kill(victim.process.proc.pid, signal.SIGCONT)
            victim.writable = True


async def lagging(members: list[ChaosMember]) -> int:
    """Sum of every member's inbound and outbound lag plus unconnected peers: 0 once all is replicated."""
    total = 0
    for m in members:
        async with connect(m.address, ADMIN) as channel:
            peers = (await admin_grpc.ServerAdminServiceStub(channel).ListCohortMembers(
                admin_pb.ListCohortMembersRequest(cohort_name=COHORT), timeout=CALL_TIMEOUT)).members
        if len(peers) != len(members) - 1:
            return -1
        total += sum(p.inbound_lag + p.outbound_lag for p in peers)
        total += sum(1 for p in peers if p.inbound_state != admin_pb.CONNECTION_STATE_CONNECTED)
    return total


async def wait_converged(members: list[ChaosMember], limit: float) -> float:
    started = time.monotonic()
    while True:
        with contextlib.suppress(grpc.aio.AioRpcError):
            if await lagging(members) == 0:
                return time.monotonic() - started
        if time.monotonic() - started > limit:
            raise AssertionError(f"the cohort did not converge within {limit:.0f} s")
        await asyncio.sleep(0.5)


async def views(members: list[ChaosMember]) -> list[set[tuple[str, int, str]]]:
    out = []
    for m in members:
        seen: set[tuple[str, int, str]] = set()
        async with connect(m.address, ADMIN) as channel:
            stub = mcs_grpc.MetadataCollectionServiceStub(channel)
            token = ""
            while True:
                page = await stub.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
                    type_name="DataFile", page_size=1000, page_token=token)), timeout=60)
                seen.update((e.header.guid, e.header.version, e.header.metadata_collection_id) for e in page.entities)
                token = page.next_page_token
                if not token:
                    break
        out.append(seen)
    return out


# -- the verdict, from the members' files -------------------------------------------------------------------
@dataclass
class LogFacts:
    own_id: str
    home_events: set[tuple[str, int]]
    saved: Counter[tuple[str, int, str]]
    """(guid, version, home) of every reference copy this member's change log saved, with multiplicity."""
    audit_saved: Counter[str]
    """publisher id -> events acknowledged as saved, from ACK_SENT audit records."""


def read_facts(data_dir: Path) -> LogFacts:
    db = sqlite3.connect(f"file:{data_dir / 'repository.db'}?mode=ro", uri=True)
    originators: Counter[str] = Counter()
    entries: list[tuple[str, int, str]] = []
    for (blob,) in db.execute("SELECT event FROM change_log WHERE kind = 'entity'"):
        event = events_pb2.OmrsEvent.FromString(blob)
        originators[event.originator.metadata_collection_id] += 1
        section = event.instance
        entries.append((section.instance_guid, section.entity.header.version, section.home_metadata_collection_id))
    db.close()
    own_id = originators.most_common(1)[0][0]
    home_events = {(guid, version) for guid, version, home in entries if home == own_id}
    saved = Counter(entry for entry in entries if entry[2] != own_id)
    audit_saved: Counter[str] = Counter()
    audit = sqlite3.connect(f"file:{data_dir / 'audit.db'}?mode=ro", uri=True)
    for (details,) in audit.execute("SELECT details FROM audit_log WHERE action = 'ACK_SENT'"):
        fields = json.loads(details)
        outcomes = fields.get("outcomes", "{}")
        counts = json.loads(outcomes.replace("'", '"')) if outcomes.startswith("{") else {}
        audit_saved[fields.get("publisher", "")] += int(counts.get("saved", 0))
    audit.close()
    return LogFacts(own_id, home_events, saved, audit_saved)


@dataclass
class Verdict:
    events_written: int
    failed_calls: int
    faults: Faults
    converge_seconds: float
    home_events: int
    lost: int
    duplicated: int
    views_equal: bool
    audit_saved: int
    change_log_saved: int
    elapsed: float

    def line(self) -> str:
        return (f"chaos: {self.events_written} changes acknowledged ({self.home_events} in the homes' change logs), "
                f"{self.faults.kills} kill -9, {self.faults.cuts} stream cuts, {self.faults.pauses} SIGSTOP pauses, "
                f"{self.failed_calls} client calls failed by faults; converged {self.converge_seconds:.1f} s after "
                f"the last fault; lost {self.lost}, duplicated {self.duplicated}, views equal {self.views_equal}; "
                f"copies saved: change logs {self.change_log_saved}, audit ACK_SENT {self.audit_saved}; "
                f"{self.elapsed:.0f} s in all")


def judge(facts: list[LogFacts]) -> tuple[int, int, int, int, int]:
    """(home events, lost, duplicated, saved per change logs, saved per audit logs) over every ordered pair."""
    lost = duplicated = saved_total = audit_total = 0
    for receiver in facts:
        received = {(guid, version, home) for (guid, version, home) in receiver.saved}
        duplicated += sum(count - 1 for count in receiver.saved.values() if count > 1)
        saved_total += sum(receiver.saved.values())
        audit_total += sum(receiver.audit_saved.values())
        for home in facts:
            if home is receiver:
                continue
            lost += sum(1 for guid, version in home.home_events if (guid, version, home.own_id) not in received)
    return sum(len(f.home_events) for f in facts), lost, duplicated, saved_total, audit_total


async def run(directory: Path, events: int, seconds: float, seed: int = 7, pause_seconds: float = 4 * HEARTBEAT + 1.0,
              converge_limit: float = 240.0) -> Verdict:
    started = time.monotonic()
    rng = random.Random(seed)
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    ports = [free_port() for _ in range(3)]
    proxies = [Proxy(port) for port in ports]
    for proxy in proxies:
        await proxy.start()
    members = [ChaosMember(f"m{i}", member_config(directory, f"m{i}", ports[i], proxies[i].port,
                                                  None if i == 0 else proxies[0].port),
                           directory / f"data-m{i}", ports[i], proxies[i]) for i in range(3)]
    try:
        for m in members:
            await asyncio.to_thread(m.start)
        await wait_converged(members, 60)
        work, faults = Workload(events, seconds), Faults()
        writer = asyncio.create_task(write_loop(members, work, rng))
        chaos = asyncio.create_task(fault_loop(members, work, rng, faults, pause_seconds))
        await asyncio.gather(writer, chaos)
        for m in members:  # nothing stays paused or down
            assert m.process is not None and m.process.proc.poll() is None
            os.kill(m.process.proc.pid, signal.SIGCONT)
        converge = await wait_converged(members, converge_limit)
        member_views = await views(members)
        views_equal = all(v == member_views[0] for v in member_views)
        for m in members:
            assert m.process is not None
            m.process.terminate()
        home_events, lost, duplicated, saved, audited = judge([read_facts(m.data_dir) for m in members])
        return Verdict(work.written, work.failed_calls, faults, converge, home_events, lost, duplicated,
                       views_equal, audited, saved, time.monotonic() - started)
    finally:
        for m in members:
            if m.process is not None:
                m.process.kill()
        for proxy in proxies:
            await proxy.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="changes to write (default 50000)")
    parser.add_argument("--seconds", type=float, default=180.0, help="spread the writes over this long")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one)")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="coho-chaos-") as tmp:
        verdict = asyncio.run(run(args.dir or Path(tmp), args.events, args.seconds, args.seed))
    print(verdict.line())
    ok = verdict.lost == 0 and verdict.duplicated == 0 and verdict.views_equal
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
