import datetime

from coho.integration.v1 import connectors_pb2 as _connectors_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetDaemonStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetDaemonStatusResponse(_message.Message):
    __slots__ = ("daemon_name", "user_id", "version", "start_time", "uptime_seconds", "server_address", "server_connected", "connector_count", "connectors_by_status", "refreshes_in_progress")
    class ConnectorsByStatusEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    DAEMON_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERVER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SERVER_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONNECTORS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    REFRESHES_IN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    daemon_name: str
    user_id: str
    version: str
    start_time: _timestamp_pb2.Timestamp
    uptime_seconds: int
    server_address: str
    server_connected: bool
    connector_count: int
    connectors_by_status: _containers.ScalarMap[str, int]
    refreshes_in_progress: int
    def __init__(self, daemon_name: _Optional[str] = ..., user_id: _Optional[str] = ..., version: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., uptime_seconds: _Optional[int] = ..., server_address: _Optional[str] = ..., server_connected: _Optional[bool] = ..., connector_count: _Optional[int] = ..., connectors_by_status: _Optional[_Mapping[str, int]] = ..., refreshes_in_progress: _Optional[int] = ...) -> None: ...

class ListConnectorsRequest(_message.Message):
    __slots__ = ("integration_service",)
    INTEGRATION_SERVICE_FIELD_NUMBER: _ClassVar[int]
    integration_service: str
    def __init__(self, integration_service: _Optional[str] = ...) -> None: ...

class ListConnectorsResponse(_message.Message):
    __slots__ = ("connectors",)
    CONNECTORS_FIELD_NUMBER: _ClassVar[int]
    connectors: _containers.RepeatedCompositeFieldContainer[_connectors_pb2.ConnectorInfo]
    def __init__(self, connectors: _Optional[_Iterable[_Union[_connectors_pb2.ConnectorInfo, _Mapping]]] = ...) -> None: ...

class GetConnectorRequest(_message.Message):
    __slots__ = ("connector_name",)
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    def __init__(self, connector_name: _Optional[str] = ...) -> None: ...

class GetConnectorResponse(_message.Message):
    __slots__ = ("connector",)
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    connector: _connectors_pb2.ConnectorInfo
    def __init__(self, connector: _Optional[_Union[_connectors_pb2.ConnectorInfo, _Mapping]] = ...) -> None: ...

class RefreshConnectorRequest(_message.Message):
    __slots__ = ("connector_name",)
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    def __init__(self, connector_name: _Optional[str] = ...) -> None: ...

class RefreshConnectorResponse(_message.Message):
    __slots__ = ("refresh_ids",)
    REFRESH_IDS_FIELD_NUMBER: _ClassVar[int]
    refresh_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, refresh_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RestartConnectorRequest(_message.Message):
    __slots__ = ("connector_name",)
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    def __init__(self, connector_name: _Optional[str] = ...) -> None: ...

class RestartConnectorResponse(_message.Message):
    __slots__ = ("restarted_connector_names",)
    RESTARTED_CONNECTOR_NAMES_FIELD_NUMBER: _ClassVar[int]
    restarted_connector_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, restarted_connector_names: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateConnectorConfigurationRequest(_message.Message):
    __slots__ = ("connector_name", "configuration_properties", "merge")
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    configuration_properties: _struct_pb2.Struct
    merge: bool
    def __init__(self, connector_name: _Optional[str] = ..., configuration_properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., merge: _Optional[bool] = ...) -> None: ...

class UpdateConnectorConfigurationResponse(_message.Message):
    __slots__ = ("connector",)
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    connector: _connectors_pb2.ConnectorInfo
    def __init__(self, connector: _Optional[_Union[_connectors_pb2.ConnectorInfo, _Mapping]] = ...) -> None: ...

class ListIntegrationReportsRequest(_message.Message):
    __slots__ = ("connector_name", "from_time", "to_time", "page_size", "page_token")
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, connector_name: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIntegrationReportsResponse(_message.Message):
    __slots__ = ("reports", "next_page_token")
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[_connectors_pb2.IntegrationReport]
    next_page_token: str
    def __init__(self, reports: _Optional[_Iterable[_Union[_connectors_pb2.IntegrationReport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetIntegrationReportRequest(_message.Message):
    __slots__ = ("report_guid", "refresh_id")
    REPORT_GUID_FIELD_NUMBER: _ClassVar[int]
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    report_guid: str
    refresh_id: str
    def __init__(self, report_guid: _Optional[str] = ..., refresh_id: _Optional[str] = ...) -> None: ...

class GetIntegrationReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _connectors_pb2.IntegrationReport
    def __init__(self, report: _Optional[_Union[_connectors_pb2.IntegrationReport, _Mapping]] = ...) -> None: ...

class IntegrationGroupSummary(_message.Message):
    __slots__ = ("group_name", "group_guid", "found", "connectors", "last_reconciled")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    GROUP_GUID_FIELD_NUMBER: _ClassVar[int]
    FOUND_FIELD_NUMBER: _ClassVar[int]
    CONNECTORS_FIELD_NUMBER: _ClassVar[int]
    LAST_RECONCILED_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    group_guid: str
    found: bool
    connectors: _containers.RepeatedCompositeFieldContainer[_connectors_pb2.ConnectorInfo]
    last_reconciled: _timestamp_pb2.Timestamp
    def __init__(self, group_name: _Optional[str] = ..., group_guid: _Optional[str] = ..., found: _Optional[bool] = ..., connectors: _Optional[_Iterable[_Union[_connectors_pb2.ConnectorInfo, _Mapping]]] = ..., last_reconciled: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetIntegrationGroupsSummaryRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetIntegrationGroupsSummaryResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[IntegrationGroupSummary]
    def __init__(self, groups: _Optional[_Iterable[_Union[IntegrationGroupSummary, _Mapping]]] = ...) -> None: ...

class RefreshIntegrationGroupsRequest(_message.Message):
    __slots__ = ("group_name",)
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    def __init__(self, group_name: _Optional[str] = ...) -> None: ...

class RefreshIntegrationGroupsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[IntegrationGroupSummary]
    def __init__(self, groups: _Optional[_Iterable[_Union[IntegrationGroupSummary, _Mapping]]] = ...) -> None: ...
