"""Acknowledged writes survive kill -9: a child writes and prints acks, is SIGKILLed, the store reopens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from coho.server.store import open_sqlite_store

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from coho.omrs.v1 import events_pb2, instances_pb2
    from coho.server.store import ChangeMeta, open_sqlite_store

    store = open_sqlite_store(Path(sys.argv[1]))

    def op(txn, i):
        e = instances_pb2.EntityDetail()
        e.header.guid = f"g{i}"
        e.header.type.type_def_name = "DataSet"
        e.header.version = 1
        e.properties.properties["qualifiedName"].primitive.string_value = f"q{i}" * 50
        txn.put_entity(e)
        return txn.append_change(events_pb2.OmrsEvent(), guid=e.header.guid, type_name="DataSet",
                                 kind="entity", meta=ChangeMeta(user_id="child"))

    async def main():
        i = 0
        while True:
            batch = [store.write(lambda t, i=i + k: op(t, i)) for k in range(8)]
            for k, seq in enumerate(await asyncio.gather(*batch)):
                print(f"ack g{i + k} {seq}", flush=True)
            i += 8

    asyncio.run(main())
    """
)


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
    acked: dict[str, int] = {}
    assert child.stdout is not None
    deadline = time.monotonic() + 30
    try:
        while len(acked) < 3000 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            _, guid, seq = line.split()
            acked[guid] = int(seq)
        child.send_signal(signal.SIGKILL)  # mid-stream: writes are still in flight
    finally:
        child.kill()
        child.wait()
    assert len(acked) >= 3000, f"child acknowledged only {len(acked)} writes"

    store = open_sqlite_store(tmp_path)
    try:
        assert store.integrity_check() == "ok"
        missing = [guid for guid in acked if store.get_entity(guid) is None]
        assert missing == []
        changes = store.read_changes(0, 1_000_000)
        sequences = [c.sequence for c in changes]
        assert sequences == list(range(1, len(sequences) + 1))  # gap-free, nothing half-written
        assert max(acked.values()) <= len(sequences)
        assert store.counts().entities == len(sequences)  # every change has its entity and vice versa
    finally:
        store.close_sync()
