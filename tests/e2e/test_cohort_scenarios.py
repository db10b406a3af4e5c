"""The cohort scenarios of tests/integration, run against real `coho server` processes on 127.0.0.1 (DESIGN §11).

Isolating a process member restarts it with credentials the cohort refuses (it still serves clients); rejoining
restarts it with the right ones. The SIGSTOP test freezes a member past the heartbeat timeout instead. The
stream-cut test leaves every process running and cuts only one member's cohort streams, both ways, with
:class:`StreamCutter`: TCP relays in front of every member's advertised cohort endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cohortscenarios as scenarios
import pytest
from cohortscenarios import Member, wait_connected, wait_replicated
from cohotest import free_port, write_yaml
from servertest import PEER_TOKEN, TOKENS

from coho.admin.v1 import server_admin_service_pb2 as admin_pb

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]
COHORT = "e2e-scenarios"
SILENT_SECONDS = 3 * 0.5 + 5 + 1  # past the subscriber's heartbeat timeout (3 beats + 5 s)


def _socket_inode(port: int) -> str | None:
    """The inode of the TCP socket bound to 127.0.0.1:``port`` (a relay's client). gRPC opens dual-stack
    sockets, so the address may be IPv4-mapped in /proc/net/tcp6 rather than in /proc/net/tcp."""
    for table, address in (("/proc/net/tcp", "0100007F"), ("/proc/net/tcp6", "0000000000000000FFFF00000100007F")):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                # Inode 0: a closed socket (TIME_WAIT) that used the same port before; the live one follows.
                if fields[1] == f"{address}:{port:04X}" and fields[9] != "0":
                    return fields[9]
    return None


class StreamCutter:
    """TCP relays, one in front of each member's cohort endpoint (the one it advertises), on their own thread.

    Members reach each other only through the relays; the tests' own clients use the real addresses. Each
    relayed connection is attributed to the process that opened it (its socket's inode, found in that
    process's /proc/<pid>/fd), so :meth:`cut` can drop exactly the connections from or to one member, and
    refuse its new ones, until :meth:`heal`: a network partition around one member, which keeps running.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="stream-cutter")
        self.thread.start()
        self.pids: Callable[[], dict[str, int]] = dict
        self.blocked: str | None = None
        self.open: set[tuple[str | None, str, asyncio.StreamWriter]] = set()
        self.servers: list[asyncio.AbstractServer] = []
        self.refused = 0

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def relay(self, name: str, port: int) -> int:
        """Start a relay to member ``name`` listening on ``port``; returns the relay's port."""
        async def start() -> int:
            server = await asyncio.start_server(lambda r, w: self._serve(name, port, r, w), "127.0.0.1", 0)
            self.servers.append(server)
            return int(server.sockets[0].getsockname()[1])
        return int(self._run(start()))

    def _owner(self, port: int) -> str | None:
        inode = _socket_inode(port)
        for name, pid in self.pids().items():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                            return name
        return None

    async def _serve(self, target: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = self._owner(writer.get_extra_info("peername")[1])
        if self.blocked is not None and self.blocked in (client, target, None):
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            writer.transport.abort()
            return
        if self.blocked is not None and self.blocked in (client, target, None):
            # cut() ran while we were connecting upstream: this connection was not yet in ``open`` for it
            # to drop, so it must not slip through the partition.
            self.refused += 1
            writer.transport.abort()
            up_writer.transport.abort()
            return
        pair = {(client, target, writer), (client, target, up_writer)}
        self.open |= pair
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        self.open -= pair

    @staticmethod
    async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        sink.transport.abort()

    def cut(self, name: str) -> None:
        async def cut() -> None:
            self.blocked = name
            for client, target, writer in list(self.open):
                if name in (client, target):
                    writer.transport.abort()
        self._run(cut())

    def heal(self) -> None:
        async def heal() -> None:
            self.blocked = None
        self._run(heal())

    def close(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()
            for *_, writer in list(self.open):
                writer.transport.abort()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:  # the relays end once their sockets are gone
                await asyncio.wait(pending, timeout=2)
        self._run(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class ProcessMember(Member):
    def __init__(self, tmp_path: Path, name: str, seed: int | None, start: Any, cutter: StreamCutter | None = None,
                 **cohort: Any) -> None:
        self.port = free_port()
        super().__init__(name, f"127.0.0.1:{self.port}", COHORT)
        self.tmp_path, self.seed, self.start_process, self.cohort_extra = tmp_path, seed, start, cohort
        self.process: Any = None
        self.cutter = cutter
        if cutter is not None:  # peers reach this member through its relay only
            self.relay_port = cutter.relay(name, self.port)
            self.cohort_extra["endpoint"] = f"127.0.0.1:{self.relay_port}"

    def config(self, isolated: bool) -> Path:
        tokens = {t: v for t, v in TOKENS.items() if not (isolated and t == PEER_TOKEN)}
        return write_yaml(self.tmp_path / f"{self.name}.yaml", {
            "server_name": self.name, "listen": self.address, "data_dir": str(self.tmp_path / f"data-{self.name}"),
            "auth": {"tokens": tokens}, "shutdown_grace_seconds": 0.5,
            "cohorts": [{"name": COHORT, "seeds": [f"127.0.0.1:{self.seed}"] if self.seed else [],
                         "token": "refused-peer-token-0" if isolated else PEER_TOKEN,
                         "heartbeat_seconds": 0.5, "reconnect_max_seconds": 0.5, **self.cohort_extra}],
        })

    def launch(self, isolated: bool = False) -> None:
        self.process = self.start_process("server", "--config", str(self.config(isolated)), cwd=self.tmp_path)

    def restart(self, isolated: bool) -> None:
        assert self.process.terminate() == 0, "\n".join(self.process.stderr_lines[-20:])
        self.launch(isolated)
        self.process.wait_serving()

    async def isolate(self) -> None:
        if self.cutter is not None:
            self.cutter.cut(self.name)
        else:
            await asyncio.to_thread(self.restart, True)

    async def rejoin(self) -> None:
        if self.cutter is not None:
            self.cutter.heal()
        else:
            await asyncio.to_thread(self.restart, False)

    def signal(self, sig: int) -> None:
        os.kill(self.process.proc.pid, sig)


def launch_all(members: list[ProcessMember]) -> list[ProcessMember]:
    for m in members:
        m.launch()
    for m in members:
        m.process.wait_serving()

    async def ready() -> None:
        for m in members:
            await m.identify()
        await wait_connected(members, 30)
    asyncio.run(ready())
    return members


@pytest.fixture
def trio(tmp_path: Path, coho_process: Any) -> Iterator[list[ProcessMember]]:
    first = ProcessMember(tmp_path, "m0", None, coho_process)
    rest = [ProcessMember(tmp_path, f"m{i}", first.port, coho_process) for i in (1, 2)]
    members = launch_all([first, *rest])
    yield members
    for m in members:  # a frozen process must be thawed before coho_process's teardown can reap it
        if m.process.proc.poll() is None:
            m.signal(signal.SIGCONT)


@pytest.fixture
def relayed_trio(tmp_path: Path, coho_process: Any) -> Iterator[list[ProcessMember]]:
    """Three members that reach each other only through a StreamCutter's relays."""
    cutter = StreamCutter()
    try:
        first = ProcessMember(tmp_path, "m0", None, coho_process, cutter)
        rest = [ProcessMember(tmp_path, f"m{i}", first.relay_port, coho_process, cutter) for i in (1, 2)]
        members = [first, *rest]
        cutter.pids = lambda: {m.name: m.process.proc.pid for m in members if m.process is not None}
        yield launch_all(members)
    finally:
        cutter.close()


def test_partition_by_cutting_only_the_streams(relayed_trio: list[ProcessMember]) -> None:
    """The cut member's process keeps running and serving; only its cohort connections are dropped and refused."""
    pids = [m.process.proc.pid for m in relayed_trio]
    asyncio.run(scenarios.stream_cut_while_writing(list(relayed_trio)))
    cutter = relayed_trio[0].cutter
    assert cutter is not None and cutter.refused > 0, "the cut member's reconnections were refused"
    assert [m.process.proc.pid for m in relayed_trio] == pids
    assert all(m.process.proc.poll() is None for m in relayed_trio)


def test_lifecycle_replicates_field_by_field(trio: list[ProcessMember]) -> None:
    asyncio.run(scenarios.lifecycle_field_by_field(list(trio)))


def test_partition_by_restart_and_recovery(trio: list[ProcessMember]) -> None:
    asyncio.run(scenarios.partition_and_recovery(list(trio)))


def test_guid_clash_re_identifies(trio: list[ProcessMember]) -> None:
    asyncio.run(scenarios.guid_clash_re_identifies(trio[0], trio[1]))


def test_type_conflict_never_overwrites(trio: list[ProcessMember]) -> None:
    asyncio.run(scenarios.types_propagate_and_conflicts_never_overwrite(trio[0], trio[1]))


def test_exchange_rules_from_config_files(tmp_path: Path, coho_process: Any) -> None:
    a = ProcessMember(tmp_path, "a", None, coho_process)
    b = ProcessMember(tmp_path, "b", a.port, coho_process)
    picky = ProcessMember(tmp_path, "picky", a.port, coho_process,
                          events_to_save={"rule": "SELECTED_TYPES", "selected_type_names": ["DataFile"]})
    types = ProcessMember(tmp_path, "types", a.port, coho_process, events_to_process={"rule": "JUST_TYPEDEFS"})
    launch_all([a, b, picky, types])
    asyncio.run(scenarios.exchange_rules_filter_by_type_with_subtypes(a, b, picky, types))


def test_sigstop_past_heartbeat_timeout_then_resume(trio: list[ProcessMember]) -> None:
    """A frozen member is seen as gone by the others, who keep writing; after SIGCONT everyone converges."""
    frozen = trio[-1]

    async def scenario() -> None:
        frozen.signal(signal.SIGSTOP)
        try:
            during = [(await m.add_entity()).header.guid for m in trio[:2] for _ in range(5)]
            await asyncio.sleep(SILENT_SECONDS)

            async def gone() -> bool:
                seen = {x.registration.metadata_collection_id: x for x in await trio[0].members()}
                return seen[frozen.id].inbound_state != admin_pb.CONNECTION_STATE_CONNECTED
            await scenarios.until(gone, 10, "the frozen member to be seen as gone")
        finally:
            frozen.signal(signal.SIGCONT)
        await wait_connected(list(trio), 30)
        await wait_replicated(list(trio), 30)
        homes = {m.id for m in trio}
        sums = [await m.checksum(homes) for m in trio]
        assert sums[0] == sums[1] == sums[2]
        assert {g for g, *_ in sums[0]} == set(during)

    asyncio.run(scenario())
