"""Reads that may take long run off the event loop: while one is slow, the server answers other calls.

Each case makes one read slow (a large repository or audit log stands behind it), starts the call, and checks
that a cheap call made meanwhile is answered at once and the slow one still completes. Run on the loop, the
slow read would hold up every other call and stream for its whole duration.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from servertest import client, running

from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.admin.v1 import server_admin_service_pb2 as pb
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.access.governance import GovernanceCore
from coho.server.access.stewardship import StewardshipCore
from coho.server.audit import AuditLog
from coho.server.store.sqlite import SqliteStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

SLOW_SECONDS = 1.0

# (case, class whose method is made slow, method, the call that reads through it)
CASES: list[tuple[str, type, str, Callable[[Any], Any]]] = [
    ("GetServerStatus", SqliteStore, "counts", lambda s: s.admin.GetServerStatus(pb.GetServerStatusRequest())),
    ("QueryAuditLog", AuditLog, "query", lambda s: s.admin.QueryAuditLog(pb.QueryAuditLogRequest())),
    ("ListToDos", StewardshipCore, "list_to_dos",
     lambda s: sa_grpc.StewardshipActionServiceStub(s.channel).ListToDos(sa.ListToDosRequest())),
    ("ListIncidentReports", StewardshipCore, "list_incident_reports",
     lambda s: sa_grpc.StewardshipActionServiceStub(s.channel).ListIncidentReports(sa.ListIncidentReportsRequest())),
    ("ListGovernanceActionRequests", GovernanceCore, "list_actions",
     lambda s: ge_grpc.GovernanceEngineServiceStub(s.channel).ListGovernanceActionRequests(
         ge.ListGovernanceActionRequestsRequest())),
    ("ListIntegrationGroups", GovernanceCore, "list_groups",
     lambda s: ge_grpc.GovernanceEngineServiceStub(s.channel).ListIntegrationGroups(ge.ListIntegrationGroupsRequest())),
]


@pytest.mark.parametrize(("owner", "method", "slow_call"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
async def test_a_slow_read_does_not_hold_up_other_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owner: type, method: str, slow_call: Callable[[Any], Any]
) -> None:
    real = getattr(owner, method)

    @functools.wraps(real)
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SLOW_SECONDS)  # a large repository or audit log
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, method, slow)
    async with running(tmp_path) as app, client(app) as s:
        pending = asyncio.ensure_future(slow_call(s))
        await asyncio.sleep(0.1)  # the slow call is reading
        started = time.monotonic()
        await s.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest())
        assert time.monotonic() - started < SLOW_SECONDS / 2, "the cheap call waited for the slow read"
        assert not pending.done()
        await asyncio.wait_for(pending, 10)  # and the slow one still answers
