"""``coho.admin.v1.ServerAdminService``: status, effective config, cohort membership and the audit log.

Cohort membership comes from the cohort manager (:mod:`coho.server.cohort`): per peer, our cursor in its log,
its acknowledged position in ours, the lags and both streams' states. Unconfigured cohorts are NOT_FOUND.
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any, TypeAlias, cast

import grpc.aio
from google.protobuf import struct_pb2

from coho.admin.v1 import server_admin_service_pb2 as pb
from coho.admin.v1 import server_admin_service_pb2_grpc as pb_grpc
from coho.server import audit
from coho.server.config import effective_config_dict
from coho.server.errors import NotFound
from coho.server.rpc.errors import invalid, require, rpc_method
from coho.server.rpc.identity import current_caller
from coho.server.runtime import Runtime
from coho.server.services.convert import ms_or_none, page_size, timestamp
from coho.server.store.audit_sqlite import AuditQuery

SERVICE_NAME = "coho.admin.v1.ServerAdminService"
Ctx: TypeAlias = grpc.aio.ServicerContext

STATES = {"starting": pb.SERVING_STATE_STARTING, "serving": pb.SERVING_STATE_SERVING,
          "draining": pb.SERVING_STATE_DRAINING}


def _audit_token(before_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{before_id}".encode()).decode()


def _before_id(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        if text.startswith("a") and int(text[1:]) > 0:
            return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise invalid("page_token", "not a token this server issued", reason="BAD_PAGE_TOKEN")


class ServerAdminServicer(pb_grpc.ServerAdminServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _cohort(self, name: str) -> str:
        if name and name not in {c.name for c in self.runtime.config.cohorts}:
            raise NotFound(message=f"cohort {name!r} is not configured", reason="COHORT_NOT_FOUND",
                           resource=("Cohort", name))
        return name

    @rpc_method
    async def GetServerStatus(self, request: pb.GetServerStatusRequest, context: Ctx) -> Any:
        rt = self.runtime
        # Off the loop: the counts read every instance row (~35 ms per 100k entities), and the loop also
        # serves every other call and stream.
        counts = await asyncio.to_thread(rt.store.counts)
        status = pb.GetServerStatusResponse(
            server_name=rt.config.server_name, metadata_collection_id=rt.store.metadata_collection_id,
            metadata_collection_name=rt.repository.metadata_collection_name, version=rt.version,
            state=STATES.get(rt.state, pb.SERVING_STATE_UNSPECIFIED),
            start_time=timestamp(int(rt.started_at * 1000)), uptime_seconds=int(time.time() - rt.started_at),
            head_sequence=rt.store.head_sequence(), floor_sequence=rt.store.floor_sequence(),
            counts=pb.InstanceCounts(
                entities=counts.entities, relationships=counts.relationships, entity_proxies=counts.entity_proxies,
                reference_copies=counts.reference_copies,
                # The live registry, not the stored rows: built-in types are never stored.
                type_defs=len(rt.types.type_defs()), attribute_type_defs=len(rt.types.attribute_type_defs()),
                deleted_entities=counts.deleted_entities, deleted_relationships=counts.deleted_relationships),
            writer_queue_depth=rt.writer_queue_depth(), out_topic_subscribers=rt.out_topic_subscribers(),
            cohort_names=[c.name for c in rt.config.cohorts])
        history_floor = rt.store.history_floor_ms()
        if history_floor:
            status.history_floor.CopyFrom(timestamp(history_floor))
        return status

    @rpc_method
    async def GetServerConfig(self, request: pb.GetServerConfigRequest, context: Ctx) -> Any:
        config = struct_pb2.Struct()
        config.update(effective_config_dict(self.runtime.config))
        return pb.GetServerConfigResponse(effective_config=config)

    @rpc_method
    async def ListCohortMembers(self, request: pb.ListCohortMembersRequest, context: Ctx) -> Any:
        self._cohort(request.cohort_name)
        manager = self.runtime.cohort
        members = manager.members(request.cohort_name) if manager is not None else []
        return pb.ListCohortMembersResponse(members=members)

    @rpc_method
    async def LeaveCohort(self, request: pb.LeaveCohortRequest, context: Ctx) -> Any:
        require(request, "cohort_name")
        name = self._cohort(request.cohort_name)
        self.runtime.audit.record(audit.COHORT, "cohort", "LEAVE_COHORT", f"leave cohort {name} requested",
                                  user_id=current_caller().user_id, details={"cohort": name})
        manager = self.runtime.cohort
        notified = await manager.leave(name) if manager is not None else 0
        return pb.LeaveCohortResponse(members_notified=notified)

    @rpc_method
    async def QueryAuditLog(self, request: pb.QueryAuditLogRequest, context: Ctx) -> Any:
        size = page_size(request.page_size)
        query = AuditQuery(
            severities=frozenset(request.severities), component=request.component, action=request.action,
            from_ms=ms_or_none(request, "from_time"), to_ms=ms_or_none(request, "to_time"),
            limit=size + 1, before_id=_before_id(request.page_token))
        # Off the loop: a filter that matches little may walk the whole log (see SqliteAuditTable).
        rows = await asyncio.to_thread(self.runtime.audit.query, query)
        more = len(rows) > size
        rows = rows[:size]
        records = [
            pb.AuditLogRecord(id=r.id, time=timestamp(r.time_ms), severity=cast(Any, r.severity), component=r.component,
                              action=r.action, message=r.message, user_id=r.user_id, details=r.details)
            for r in rows
        ]
        return pb.QueryAuditLogResponse(records=records,
                                        next_page_token=_audit_token(rows[-1].id) if more else "")


def factory(runtime: Runtime) -> tuple[str, object]:
    return SERVICE_NAME, ServerAdminServicer(runtime)
