"""Fuzz every RPC of a running access server (issue #8): no INTERNAL / UNKNOWN, the server keeps serving, its
SQLite files stay intact and the data seeded before the fuzzing reads back unchanged.

The RPCs come from server reflection, so a new RPC is fuzzed without editing this file. The number of calls is
printed and written as JSON (``COHO_FUZZ_REPORT``, else ``fuzz-report.json`` in the test's tmp dir);
``COHO_FUZZ_CALLS`` raises it above the CI default of 10,000, ``COHO_FUZZ_SEED`` replays a run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import resource
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from contract.builders import new_entity, new_rel, props
from grpc_health.v1 import health_pb2, health_pb2_grpc
from reliability.fuzzing import (
    Call,
    InternalErrors,
    Pools,
    client_options,
    plan_calls,
    reflect_methods,
    send_all,
    write_report,
)
from servertest import ADMIN_TOKEN, CONNECTOR_TOKEN, PEER_TOKEN, READER_TOKEN, Stubs, server_config

from coho.client import connect
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import type_service_pb2 as ts
from coho.server.app import ServerApp

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAX_MESSAGE_BYTES = 1024 * 1024
MEMORY_CAP_BYTES = 8 * 1024**3
TOKENS = (ADMIN_TOKEN,) * 12 + (CONNECTOR_TOKEN, READER_TOKEN, PEER_TOKEN, None, "bogus-token")


async def seed_data(stubs: Stubs, tag: str, count: int) -> dict[str, list[str]]:
    """Entities (one classified), and relationships between them; returns their GUIDs."""
    folder = (await stubs.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity(
        "FileFolder", qualifiedName=f"{tag}:folder", name="folder")))).entity
    files = []
    for i in range(count):
        reply = await stubs.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity(
            "DataFile", qualifiedName=f"{tag}:file:{i}", name=f"seed file {i}", description="seed Orders aaaa")))
        files.append(reply.entity.header.guid)
    await stubs.mcs.ClassifyEntity(mcs.ClassifyEntityRequest(guid=files[0], classification_name="Memento",
                                                             properties=props(archiveUser="bob")))
    rels = []
    for guid in files:
        reply = await stubs.mcs.AddRelationship(mcs.AddRelationshipRequest(
            relationship=new_rel("NestedFile", folder.header.guid, guid)))
        rels.append(reply.relationship.header.guid)
    return {"entities": [folder.header.guid, *files], "relationships": rels}


async def snapshot(stubs: Stubs, guids: dict[str, list[str]]) -> dict[str, bytes]:
    shot = {}
    for guid in guids["entities"]:
        reply = await stubs.mcs.GetEntity(mcs.GetEntityRequest(guid=guid))
        shot[guid] = reply.entity.SerializeToString(deterministic=True)
    for guid in guids["relationships"]:
        rel = await stubs.mcs.GetRelationship(mcs.GetRelationshipRequest(guid=guid))
        shot[guid] = rel.relationship.SerializeToString(deterministic=True)
    return shot


def integrity(data_dir: Path) -> dict[str, str]:
    results = {}
    files = sorted(p for p in data_dir.rglob("*") if p.suffix in (".db", ".sqlite", ".sqlite3"))
    assert files, f"no SQLite files under {data_dir}"
    for path in files:
        with sqlite3.connect(path) as db:
            results[path.name] = db.execute("PRAGMA integrity_check").fetchone()[0]
    return results


async def health_status(channel: grpc.aio.Channel) -> Any:
    stub = health_pb2_grpc.HealthStub(channel)
    return (await stub.Check(health_pb2.HealthCheckRequest(), timeout=10)).status


def is_bad(_call: Call, code: grpc.StatusCode) -> bool:
    return code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)


@pytest.mark.timeout(240)
async def test_fuzz_every_rpc(tmp_path: Path) -> None:
    seed_value = int(os.environ.get("COHO_FUZZ_SEED", random.randrange(2**31)))
    internal = InternalErrors()
    logging.getLogger("coho.rpc").addHandler(internal)
    try:
        with memory_cap():
            await fuzz_server(tmp_path, seed_value, internal)
    finally:
        logging.getLogger("coho.rpc").removeHandler(internal)


@contextmanager
def memory_cap(limit: int = MEMORY_CAP_BYTES) -> Iterator[None]:
    """Cap this process's address space while fuzzing: a request that makes the server allocate without bound
    (as a{99999999} once did: ~24 GB) then fails with MemoryError -> INTERNAL instead of OOM-killing a
    shared machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    capped = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= capped:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (capped, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


async def fuzz_server(tmp_path: Path, seed_value: int, internal: InternalErrors) -> None:
    config = server_config(tmp_path, max_message_bytes=MAX_MESSAGE_BYTES)
    async with ServerApp(config) as app:
        async with connect(app.address, ADMIN_TOKEN) as admin_channel:
            stubs = Stubs(admin_channel)
            protected = await seed_data(stubs, "protected", 3)
            # A retention floor above 0, so reads "below the floor" (OUT_OF_RANGE) are reachable too.
            assert app.runtime is not None
            floor = await asyncio.to_thread(app.runtime.store.head_sequence)
            await asyncio.to_thread(app.runtime.store.compact_changes, floor - 2)
            playground = await seed_data(stubs, "playground", 3)
            head = await asyncio.to_thread(app.runtime.store.head_sequence)
            before = await snapshot(stubs, protected)
            type_names = [t.name for t in (await stubs.types.ListTypeDefs(
                ts.ListTypeDefsRequest(page_size=500))).type_defs]

        methods = await asyncio.to_thread(reflect_methods, app.address)
        services = {m.service for m in methods}
        assert {"coho.omrs.v1.MetadataCollectionService", "coho.omrs.v1.TypeService",
                "coho.access.v1.OutTopicService", "coho.admin.v1.ServerAdminService"} <= services
        kinds = {m.kind for m in methods}
        assert {"unary", "server_stream", "bidi"} <= kinds

        sequences = [0, 1, floor - 3, floor - 2, floor - 1, floor, head, head + 1, head + 1000, 2**62]
        pools = Pools(guids=[*playground["entities"], *playground["relationships"]], sequences=sequences,
                      type_names=random.Random(seed_value).sample(type_names, min(30, len(type_names))),
                      oversize_chars=MAX_MESSAGE_BYTES + 4096)
        budget = int(os.environ.get("COHO_FUZZ_CALLS", "10000"))
        generating = time.monotonic()
        calls = await asyncio.to_thread(plan_calls, methods, pools, budget, TOKENS, seed_value)
        generate_seconds = time.monotonic() - generating

        async with grpc.aio.insecure_channel(app.address, options=client_options()) as channel:
            tally = await send_all(channel, calls, is_bad=is_bad)
            assert await health_status(channel) == health_pb2.HealthCheckResponse.SERVING

        async with connect(app.address, ADMIN_TOKEN) as admin_channel:
            after = await snapshot(Stubs(admin_channel), protected)
        data_dir = Path(app.config.data_dir)

    checks = integrity(data_dir)
    summary = {"name": "access_server", "seed": seed_value, "rpcs": len(methods), **tally.summary(),
               "generate_seconds": round(generate_seconds, 2),
               "integrity_check": checks,
               "internal_errors": dict(internal.origins)}
    report = write_report(summary, tmp_path / "fuzz-report.json")
    print(f"\nfuzzed {tally.calls} calls over {len(methods)} RPCs in {tally.seconds:.1f}s "
          f"(seed {seed_value}); codes {dict(tally.codes)}; report {report}")

    assert tally.calls >= budget
    # Our own 1 s deadline ends streams; a unary call reaching its 30 s deadline would be a hung server.
    assert set(tally.deadlines) <= {m.path for m in methods if m.kind != "unary"}, tally.deadlines
    untouched = {m.path for m in methods} - set(tally.per_method)
    assert not untouched, f"RPCs never called: {sorted(untouched)}"
    assert not tally.bad, (f"{len(tally.bad)} calls answered INTERNAL/UNKNOWN (seed {seed_value}): "
                           f"{[(b.method, b.code, b.detail[:200]) for b in tally.bad[:10]]}")
    assert set(checks.values()) == {"ok"}, checks
    assert after == before, "data seeded before the fuzzing changed"
    # The codes the server chose: bad input must be refused as such, not merely "not crash".
    assert tally.codes["INVALID_ARGUMENT"] > 0 and tally.codes["NOT_FOUND"] > 0
    assert tally.codes["UNAUTHENTICATED"] > 0 and tally.codes["RESOURCE_EXHAUSTED"] > 0
    assert tally.codes["OUT_OF_RANGE"] > 0, "no read below the retention floor was refused"
