"""IntegrationDaemonService: the daemon's admin API (admin role; enforced by the shared AuthInterceptor).

Thin handlers in etcd's style: validate, call the host, map errors (``@rpc_method``).

Connector configuration properties often hold the third party's credentials (a database password, an API
token). Admin reads show the keys but never those values (:func:`redacted_info`), and a connector's failing
error is scrubbed of them too, since third-party libraries like to echo a connection string.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any, TypeAlias

import grpc.aio

from coho.daemon import __version__
from coho.daemon.convert import from_struct
from coho.daemon.host import ConnectorHost
from coho.integration.v1 import connectors_pb2 as cpb
from coho.integration.v1 import integration_daemon_service_pb2 as ids
from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc
from coho.server.errors import InvalidArgument, NotFound, Unavailable
from coho.server.rpc.errors import rpc_method

SERVICE_NAME = "coho.integration.v1.IntegrationDaemonService"
REDACTED = "<redacted>"
# Property names that hold a credential, in any casing or spelling style (password, dbPassword, api_key...).
SECRET_KEY = re.compile(r"pass(word|phrase|wd)?$|secret|token|credential|api_?key|private_?key|pwd", re.IGNORECASE)
Ctx: TypeAlias = grpc.aio.ServicerContext


class IntegrationDaemonServicer(ids_grpc.IntegrationDaemonServiceServicer):
    def __init__(self, host: ConnectorHost) -> None:
        self._fixed_host = host

    def _host(self) -> ConnectorHost:
        return self._fixed_host

    @property
    def host(self) -> ConnectorHost:
        return self._host()

    def _live(self) -> ConnectorHost:
        if self.host.stopping:
            raise Unavailable(message="the daemon is shutting down", reason="DAEMON_STOPPING")
        return self.host

    @rpc_method
    async def GetDaemonStatus(self, request: ids.GetDaemonStatusRequest, context: Ctx) -> Any:
        host = self.host
        # Connectors probe the server as they run; a daemon with none (or all idle) would otherwise report a
        # stale answer. The probe caches its result briefly, so a polling operator costs little.
        with contextlib.suppress(ConnectionError):
            await host.probe()
        response = ids.GetDaemonStatusResponse(
            daemon_name=host.config.daemon_name, user_id=host.config.user, version=__version__,
            uptime_seconds=int(time.time() - host.start_time), server_address=host.config.server.address,
            server_connected=host.server_connected, connector_count=len(host.runners),
            connectors_by_status=host.counts(), refreshes_in_progress=host.refreshes_in_progress())
        response.start_time.FromNanoseconds(int(host.start_time * 1e9))
        return response

    @rpc_method
    async def ListConnectors(self, request: ids.ListConnectorsRequest, context: Ctx) -> Any:
        runners = [r for r in self.host.runners.values()
                   if not request.integration_service or r.service_name == request.integration_service]
        return ids.ListConnectorsResponse(connectors=[redacted_info(r.info()) for r in runners])

    @rpc_method
    async def GetConnector(self, request: ids.GetConnectorRequest, context: Ctx) -> Any:
        _require(request.connector_name, "connector_name")
        return ids.GetConnectorResponse(connector=redacted_info(self.host.runner(request.connector_name).info()))

    @rpc_method
    async def RefreshConnector(self, request: ids.RefreshConnectorRequest, context: Ctx) -> Any:
        return ids.RefreshConnectorResponse(refresh_ids=self._live().refresh(request.connector_name))

    @rpc_method
    async def RestartConnector(self, request: ids.RestartConnectorRequest, context: Ctx) -> Any:
        names = await self._live().restart(request.connector_name)
        return ids.RestartConnectorResponse(restarted_connector_names=names)

    @rpc_method
    async def UpdateConnectorConfiguration(self, request: ids.UpdateConnectorConfigurationRequest,
                                           context: Ctx) -> Any:
        _require(request.connector_name, "connector_name")
        runner = await self._live().update_configuration(
            request.connector_name, from_struct(request.configuration_properties), request.merge)
        return ids.UpdateConnectorConfigurationResponse(connector=redacted_info(runner.info()))

    @rpc_method
    async def ListIntegrationReports(self, request: ids.ListIntegrationReportsRequest, context: Ctx) -> Any:
        if request.connector_name:
            self.host.runner(request.connector_name)  # NOT_FOUND for an unknown connector
        reports, token = self.host.reports.list(
            connector_name=request.connector_name,
            from_ns=_nanoseconds(request, "from_time"), to_ns=_nanoseconds(request, "to_time"),
            page_size=request.page_size, page_token=request.page_token)
        return ids.ListIntegrationReportsResponse(reports=reports, next_page_token=token)

    @rpc_method
    async def GetIntegrationReport(self, request: ids.GetIntegrationReportRequest, context: Ctx) -> Any:
        report = self.host.reports.get(report_guid=request.report_guid, refresh_id=request.refresh_id)
        return ids.GetIntegrationReportResponse(report=report)

    @rpc_method
    async def GetIntegrationGroupsSummary(self, request: ids.GetIntegrationGroupsSummaryRequest,
                                          context: Ctx) -> Any:
        return ids.GetIntegrationGroupsSummaryResponse(groups=self.host.groups.summaries())

    @rpc_method
    async def RefreshIntegrationGroups(self, request: ids.RefreshIntegrationGroupsRequest, context: Ctx) -> Any:
        host = self._live()
        names = host.config.integration_groups
        if request.group_name and request.group_name not in names:
            raise NotFound(message=f"daemon does not follow integration group {request.group_name!r}",
                           reason="INTEGRATION_GROUP_NOT_FOLLOWED")
        chosen = [request.group_name] if request.group_name else list(names)
        return ids.RefreshIntegrationGroupsResponse(groups=await host.groups.reconcile(chosen))


def redacted_info(info: cpb.ConnectorInfo) -> cpb.ConnectorInfo:
    """``info`` with secret-named configuration values hidden, in the config and in the failing error."""
    properties = from_struct(info.config.configuration_properties)
    secrets: set[str] = set()
    hidden = _redact(properties, secrets)
    if not secrets:
        return info
    out = cpb.ConnectorInfo()
    out.CopyFrom(info)
    out.config.configuration_properties.Clear()
    out.config.configuration_properties.update(hidden)
    for secret in sorted(secrets, key=len, reverse=True):
        out.failing_error = out.failing_error.replace(secret, REDACTED)
    return out


def _redact(value: Any, secrets: set[str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, secrets, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets, key) for v in value]
    if key and SECRET_KEY.search(key) and value not in (None, ""):
        if not isinstance(value, bool):
            secrets.add(str(value))
        return REDACTED
    return value


def _require(value: str, field: str) -> None:
    if not value:
        raise InvalidArgument(message=f"{field} is required", reason="FIELD_REQUIRED",
                              field_violations=[(field, "required")])


def _nanoseconds(request: Any, field: str) -> int:
    """A request Timestamp as ns since the epoch (0 when unset); one outside years 1..9999 is INVALID_ARGUMENT."""
    if not request.HasField(field):
        return 0
    try:
        return int(getattr(request, field).ToNanoseconds())
    except ValueError as exc:
        raise InvalidArgument(message=f"{field}: {exc}", reason="INVALID_TIMESTAMP",
                              field_violations=[(field, "outside the years 1..9999")]) from None
