"""Integration contexts: what a connector may do, typed to the access service its integration service pairs
with (Egeria's OMIS contexts). The daemon builds one per connector and sets it before ``start()``.

- files / database -> :class:`DataManagerContext` (DataManagerService)
- catalog -> :class:`CatalogIntegrationContext` (AssetManagerService)
- every context: stewardship (to-dos, incident reports), governance action requests, integration groups,
  Out Topic listeners, configuration properties, catalog targets and the refresh state.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar, cast

import grpc.aio

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import governance_engine_service_pb2 as ge
from coho.access.v1 import governance_engine_service_pb2_grpc as ge_grpc
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.access.v1 import stewardship_action_service_pb2 as sa
from coho.access.v1 import stewardship_action_service_pb2_grpc as sa_grpc
from coho.access.v1.asset_manager_service_pb2 import (
    DeleteExternalElementsRequest,
    ExternalElement,
    ExternalElementView,
    GetElementByExternalIdentifierRequest,
    GetElementByExternalIdentifierResponse,
    ListExternalSourceElementsRequest,
    UpsertExternalElementsRequest,
)
from coho.access.v1.asset_manager_service_pb2_grpc import AssetManagerServiceStub
from coho.access.v1.elements_pb2 import ElementResult
from coho.daemon.config import CatalogTarget, ConnectorConfig, PermittedSynchronization, ServiceKind
from coho.daemon.listen import EventCallback, Listener
from coho.daemon.tagging import ConnectorIdentity, RefreshTracker, TaggedStub
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc
from coho.server.errors import FailedPrecondition

T = TypeVar("T")
PAGE = 500
LISTEN_START_TIMEOUT = 10.0


class IntegrationContext:
    """The base context: identity, configuration, refresh state, listeners, stewardship and governance."""

    def __init__(self, *, identity: ConnectorIdentity, config: ConnectorConfig, channel: grpc.aio.Channel,
                 tracker: RefreshTracker, loop: asyncio.AbstractEventLoop,
                 on_denied: Callable[[str], None] | None = None) -> None:
        self.identity = identity
        self._config = config
        self._channel = channel
        self._tracker = tracker
        self._loop = loop
        self._on_denied = on_denied
        self._listeners: list[Listener] = []
        self.stewardship = cast(sa_grpc.StewardshipActionServiceStub, self._tagged(
            sa_grpc.StewardshipActionServiceStub, "coho.access.v1.StewardshipActionService"))
        self.governance = cast(ge_grpc.GovernanceEngineServiceStub, self._tagged(
            ge_grpc.GovernanceEngineServiceStub, "coho.access.v1.GovernanceEngineService"))
        self._out_topic = self._tagged(ot_grpc.OutTopicServiceStub, "coho.access.v1.OutTopicService")
        # The repository (OMRS) API, for what the access services do not cover (finds over any type, the
        # collection's own id); calls are tagged like every other.
        self.repository = cast(mcs_grpc.MetadataCollectionServiceStub, self._tagged(
            mcs_grpc.MetadataCollectionServiceStub, "coho.omrs.v1.MetadataCollectionService"))

    def _tagged(self, stub_class: Callable[[grpc.aio.Channel], Any], service: str) -> TaggedStub:
        return TaggedStub(stub_class(self._channel), service, self.identity, self._tracker, self._on_denied)

    # -- identity and configuration --------------------------------------------------------------------
    @property
    def connector_id(self) -> str:
        return self.identity.connector_id

    @property
    def connector_name(self) -> str:
        return self.identity.connector_name

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    @property
    def metadata_source(self) -> str:
        return self.identity.metadata_source

    @property
    def permitted_synchronization(self) -> PermittedSynchronization:
        return self.identity.permitted_synchronization

    @property
    def configuration_properties(self) -> dict[str, Any]:
        """A copy: a connector changes its configuration through the admin service, not by mutation."""
        return copy.deepcopy(self._config.configuration_properties)

    @property
    def catalog_targets(self) -> list[CatalogTarget]:
        return list(self._config.catalog_targets)

    def may_write_open_metadata(self) -> bool:
        return self.permitted_synchronization is not PermittedSynchronization.TO_THIRD_PARTY

    def may_write_third_party(self) -> bool:
        """FROM_THIRD_PARTY connectors must not change the third party; they check this before doing so."""
        return self.permitted_synchronization is not PermittedSynchronization.FROM_THIRD_PARTY

    # -- refresh state -----------------------------------------------------------------------------------
    def is_refresh_in_progress(self) -> bool:
        return self._tracker.refreshing is not None

    @property
    def current_refresh_id(self) -> str:
        """The id this code's calls are tagged with: the refresh's, or the current event window's."""
        return self._tracker.current()

    # -- blocking connectors -------------------------------------------------------------------------
    def run_sync(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        """Run a context coroutine from an engage() thread and wait for its result."""
        if _running_loop() is self._loop:
            coro.close()
            raise RuntimeError("run_sync is for engage() threads; await the coroutine on the event loop")
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    # -- Out Topic -----------------------------------------------------------------------------------
    async def listen(self, callback: EventCallback, filter: ot.OutTopicFilter | None = None, *,
                     subscription_name: str = "", after_sequence: int | None = None) -> Listener:
        """Call ``callback(event)`` for each Out Topic event matching ``filter``, from now on.

        Returns once the server has accepted the stream. With ``subscription_name`` the position is kept on
        the server (durable, survives daemon restarts). Listeners stop when the connector disconnects.
        """
        listener = Listener(stub=self._out_topic, callback=callback, filter=filter,
                            subscription_name=subscription_name, from_sequence=after_sequence,
                            name=f"{self.connector_name}#{len(self._listeners) + 1}").start()
        self._listeners.append(listener)
        async with asyncio.timeout(LISTEN_START_TIMEOUT):
            await listener.wait_started()
        return listener

    async def stop_listeners(self) -> None:
        listeners, self._listeners = self._listeners, []
        await asyncio.gather(*(listener.stop() for listener in listeners))

    # -- stewardship and governance -------------------------------------------------------------------
    async def open_to_do(self, to_do: sa.ToDo, request_id: str = "") -> sa.ToDo:
        if not to_do.originator:
            to_do.originator = self.connector_name
        reply: sa.OpenToDoResponse = await self.stewardship.OpenToDo(
            sa.OpenToDoRequest(to_do=to_do, request_id=request_id))
        return reply.to_do

    async def raise_incident_report(self, report: sa.IncidentReport, request_id: str = "") -> sa.IncidentReport:
        if not report.originator:
            report.originator = self.connector_name
        reply: sa.RaiseIncidentReportResponse = await self.stewardship.RaiseIncidentReport(
            sa.RaiseIncidentReportRequest(report=report, request_id=request_id))
        return reply.report

    async def request_governance_action(self, action: ge.GovernanceActionRequest,
                                        request_id: str = "") -> ge.GovernanceActionRequest:
        reply: ge.CreateGovernanceActionRequestResponse = await self.governance.CreateGovernanceActionRequest(
            ge.CreateGovernanceActionRequestRequest(action=action, request_id=request_id))
        return reply.action

    async def get_integration_group(self, qualified_name: str = "", guid: str = "") -> ge.GetIntegrationGroupResponse:
        """The group with its registered connectors (each with its IntegrationConnector)."""
        reply: ge.GetIntegrationGroupResponse = await self.governance.GetIntegrationGroup(
            ge.GetIntegrationGroupRequest(qualified_name=qualified_name, guid=guid))
        return reply

    async def list_integration_groups(self) -> list[ge.IntegrationGroup]:
        groups: list[ge.IntegrationGroup] = []
        token = ""
        while True:
            reply = await self.governance.ListIntegrationGroups(
                ge.ListIntegrationGroupsRequest(page_size=PAGE, page_token=token))
            groups.extend(reply.groups)
            token = reply.next_page_token
            if not token:
                return groups

    async def update_registered_connector(self, registration: ge.RegisteredConnector,
                                          update_fields: Sequence[str]) -> ge.RegisteredConnector:
        """Edit a group's registration (refresh interval, userId, dates, ...); the daemon follows it."""
        reply: ge.UpdateRegisteredConnectorResponse = await self.governance.UpdateRegisteredConnector(
            ge.UpdateRegisteredConnectorRequest(registration=registration, update_fields=list(update_fields)))
        return reply.registration


class DataManagerContext(IntegrationContext):
    """Files and database integration: DataManagerService upserts keyed by qualified name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_manager = cast(dm_grpc.DataManagerServiceStub, self._tagged(
            dm_grpc.DataManagerServiceStub, "coho.access.v1.DataManagerService"))

    async def upsert_elements(self, elements: Sequence[dm.DataElement], request_id: str = "") -> list[ElementResult]:
        reply = await self.data_manager.UpsertElements(
            dm.UpsertElementsRequest(elements=list(elements), request_id=request_id))
        return list(reply.results)

    async def delete_elements(self, *, qualified_names: Sequence[str] = (), guids: Sequence[str] = (),
                              cascade: bool = False) -> list[ElementResult]:
        reply = await self.data_manager.DeleteElements(dm.DeleteElementsRequest(
            qualified_names=list(qualified_names), guids=list(guids), cascade=cascade))
        return list(reply.results)

    async def get_element(self, *, qualified_name: str = "", guid: str = "") -> dm.DataElementView:
        reply: dm.GetElementResponse = await self.data_manager.GetElement(
            dm.GetElementRequest(qualified_name=qualified_name, guid=guid))
        return reply.element

    async def list_children(self, *, parent_qualified_name: str = "", parent_guid: str = "",
                            kind: dm.ElementKind = dm.ELEMENT_KIND_UNSPECIFIED) -> list[dm.DataElementView]:
        """Every direct child (all pages): compare with the third party's listing to detect deletions."""
        found: list[dm.DataElementView] = []
        token = ""
        while True:
            reply = await self.data_manager.ListChildren(dm.ListChildrenRequest(
                parent_qualified_name=parent_qualified_name, parent_guid=parent_guid, kind=kind,
                page_size=PAGE, page_token=token))
            found.extend(reply.children)
            token = reply.next_page_token
            if not token:
                return found

    async def find_elements(self, *, kind: dm.ElementKind = dm.ELEMENT_KIND_UNSPECIFIED, name_pattern: str = "",
                            external_source: str = "") -> list[dm.DataElementView]:
        found: list[dm.DataElementView] = []
        token = ""
        while True:
            reply = await self.data_manager.FindElements(dm.FindElementsRequest(
                kind=kind, name_pattern=name_pattern, external_source=external_source, page_size=PAGE,
                page_token=token))
            found.extend(reply.elements)
            token = reply.next_page_token
            if not token:
                return found


class FilesIntegrationContext(DataManagerContext):
    """Egeria's Files Integrator context, plus loading open metadata archives (Egeria's archive-files monitor)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.types = cast(ts_grpc.TypeServiceStub, self._tagged(ts_grpc.TypeServiceStub, "coho.omrs.v1.TypeService"))

    async def load_archive(self, archive_json: bytes, *, validate_only: bool = False) -> ts.LoadArchiveResponse:
        """Load an Egeria ``.omarchive`` document (TypeService.LoadArchive); loading it again changes nothing.

        A bad archive raises :class:`coho.client.errors.CohoRpcError` (INVALID_ARGUMENT naming the problem) and
        stores nothing.
        """
        reply: ts.LoadArchiveResponse = await self.types.LoadArchive(
            ts.LoadArchiveRequest(archive_json=archive_json, validate_only=validate_only))
        return reply


class DatabaseIntegrationContext(DataManagerContext):
    """Egeria's Database Integrator context."""


class CatalogIntegrationContext(IntegrationContext):
    """Catalog integration: AssetManagerService exchange keyed by (metadata source, external identifier)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.asset_manager = cast(AssetManagerServiceStub, self._tagged(
            AssetManagerServiceStub, "coho.access.v1.AssetManagerService"))

    def _source(self) -> str:
        if not self.metadata_source:
            raise FailedPrecondition(message=f"catalog connector {self.connector_name!r} needs a metadata_source",
                                     reason="METADATA_SOURCE_REQUIRED")
        return self.metadata_source

    async def upsert_external_elements(self, elements: Sequence[ExternalElement],
                                       request_id: str = "") -> list[ElementResult]:
        reply = await self.asset_manager.UpsertExternalElements(UpsertExternalElementsRequest(
            external_source=self._source(), elements=list(elements), request_id=request_id))
        return list(reply.results)

    async def delete_external_elements(self, external_identifiers: Sequence[str]) -> list[ElementResult]:
        reply = await self.asset_manager.DeleteExternalElements(DeleteExternalElementsRequest(
            external_source=self._source(), external_identifiers=list(external_identifiers)))
        return list(reply.results)

    async def get_element_by_external_identifier(self, external_identifier: str) -> ExternalElementView:
        request = GetElementByExternalIdentifierRequest(
            external_source=self._source(), external_identifier=external_identifier)
        reply: GetElementByExternalIdentifierResponse = await self.asset_manager.GetElementByExternalIdentifier(request)
        return reply.element

    async def list_external_source_elements(self) -> list[ExternalElementView]:
        found: list[ExternalElementView] = []
        token = ""
        while True:
            reply = await self.asset_manager.ListExternalSourceElements(ListExternalSourceElementsRequest(
                external_source=self._source(), page_size=PAGE, page_token=token))
            found.extend(reply.elements)
            token = reply.next_page_token
            if not token:
                return found


CONTEXT_CLASSES: dict[ServiceKind, type[IntegrationContext]] = {
    ServiceKind.FILES: FilesIntegrationContext,
    ServiceKind.DATABASE: DatabaseIntegrationContext,
    ServiceKind.CATALOG: CatalogIntegrationContext,
}


def context_class(kind: ServiceKind) -> type[IntegrationContext]:
    """The context for an integration service; services without a typed pairing get the base context."""
    return CONTEXT_CLASSES.get(kind, IntegrationContext)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
