"""The server's audit log: what operators and security reviewers ask about (DESIGN §8).

Records startup, shutdown, the loaded config (secrets hidden), auth failures, type and archive loads, and
errors answered as INTERNAL. Persisted by :mod:`coho.server.store.audit_sqlite`; queried through
``ServerAdminService.QueryAuditLog``. No grpc here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path

from coho.admin.v1 import server_admin_service_pb2 as admin_pb2
from coho.server.store.audit_sqlite import AuditQuery, AuditRow, SqliteAuditTable

log = logging.getLogger("coho.audit")

Severity = int  # an admin_pb2.AuditLogSeverity value
INFO = admin_pb2.AUDIT_LOG_SEVERITY_INFO
EVENT = admin_pb2.AUDIT_LOG_SEVERITY_EVENT
ACTION = admin_pb2.AUDIT_LOG_SEVERITY_ACTION
ERROR = admin_pb2.AUDIT_LOG_SEVERITY_ERROR
EXCEPTION = admin_pb2.AUDIT_LOG_SEVERITY_EXCEPTION
SECURITY = admin_pb2.AUDIT_LOG_SEVERITY_SECURITY
STARTUP = admin_pb2.AUDIT_LOG_SEVERITY_STARTUP
SHUTDOWN = admin_pb2.AUDIT_LOG_SEVERITY_SHUTDOWN
TYPES = admin_pb2.AUDIT_LOG_SEVERITY_TYPES
COHORT = admin_pb2.AUDIT_LOG_SEVERITY_COHORT


class AuditLog:
    """Append and query audit records. Appends are synchronous single-row inserts (tens of microseconds)."""

    def __init__(self, data_dir: Path, *, max_records: int | None = None, max_age_ms: int | None = None) -> None:
        """Records beyond the newest ``max_records`` of their severity, or older than ``max_age_ms``, are
        dropped as new ones arrive (None: no bound)."""
        self._table = SqliteAuditTable(data_dir, max_records=max_records, max_age_ms=max_age_ms)
        self._closed = False

    def record(
        self,
        severity: Severity,
        component: str,
        action: str,
        message: str,
        *,
        user_id: str = "",
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Append one record. Never raises: losing an audit line must not fail the RPC that caused it."""
        if self._closed:
            return
        flat = {str(k): str(v) for k, v in (details or {}).items()}
        try:
            row = AuditRow(0, int(time.time() * 1000), severity, component, action, message, user_id, flat)
            self._table.insert(row)
        except Exception:
            log.exception("cannot write audit record", extra={"component": component, "action": action})

    def query(self, query: AuditQuery) -> list[AuditRow]:
        return self._table.query(query)

    def prune_if_due(self) -> None:
        """Run a retention pass if one is due (see SqliteAuditTable.prune_if_due). Never raises."""
        if self._closed:
            return
        try:
            self._table.prune_if_due()
        except Exception:
            log.exception("audit log retention pass failed")

    def counts(self) -> dict[str, int]:
        """Records kept per severity, by lower-case name ("security", "cohort"...): the retention at work."""
        prefix = "AUDIT_LOG_SEVERITY_"
        return {admin_pb2.AuditLogSeverity.Name(severity).removeprefix(prefix).lower(): count
                for severity, count in self._table.counts().items()}

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._table.close()
