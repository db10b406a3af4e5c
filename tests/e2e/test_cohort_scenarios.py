"""The cohort scenarios of tests/integration, run against real `coho server` processes on 127.0.0.1 (DESIGN §11).

Isolating a process member restarts it with credentials the cohort refuses (it still serves clients); rejoining
restarts it with the right ones. The SIGSTOP test freezes a member past the heartbeat timeout instead.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
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


class ProcessMember(Member):
    def __init__(self, tmp_path: Path, name: str, seed: int | None, start: Any, **cohort: Any) -> None:
        self.port = free_port()
        super().__init__(name, f"127.0.0.1:{self.port}", COHORT)
        self.tmp_path, self.seed, self.start_process, self.cohort_extra = tmp_path, seed, start, cohort
        self.process: Any = None

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
        await asyncio.to_thread(self.restart, True)

    async def rejoin(self) -> None:
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
