import datetime

from coho.access.v1 import elements_pb2 as _elements_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConnectorStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTOR_STATUS_UNSPECIFIED: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_INITIALIZED: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_WAITING: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_REFRESHING: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_RUNNING: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_STOPPED: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_INITIALIZE_FAILED: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_CONFIG_FAILED: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_SHUTDOWN: _ClassVar[ConnectorStatus]
    CONNECTOR_STATUS_FAILED: _ClassVar[ConnectorStatus]
CONNECTOR_STATUS_UNSPECIFIED: ConnectorStatus
CONNECTOR_STATUS_INITIALIZED: ConnectorStatus
CONNECTOR_STATUS_WAITING: ConnectorStatus
CONNECTOR_STATUS_REFRESHING: ConnectorStatus
CONNECTOR_STATUS_RUNNING: ConnectorStatus
CONNECTOR_STATUS_STOPPED: ConnectorStatus
CONNECTOR_STATUS_INITIALIZE_FAILED: ConnectorStatus
CONNECTOR_STATUS_CONFIG_FAILED: ConnectorStatus
CONNECTOR_STATUS_SHUTDOWN: ConnectorStatus
CONNECTOR_STATUS_FAILED: ConnectorStatus

class ConnectorConfig(_message.Message):
    __slots__ = ("connector_name", "integration_service", "entry_point", "refresh_interval_seconds", "refresh_timeout_seconds", "user_id", "metadata_source_qualified_name", "permitted_synchronization", "configuration_properties", "catalog_targets", "generate_integration_report", "uses_blocking_calls", "integration_group")
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_SERVICE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_POINT_FIELD_NUMBER: _ClassVar[int]
    REFRESH_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_SOURCE_QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    PERMITTED_SYNCHRONIZATION_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CATALOG_TARGETS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_INTEGRATION_REPORT_FIELD_NUMBER: _ClassVar[int]
    USES_BLOCKING_CALLS_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_GROUP_FIELD_NUMBER: _ClassVar[int]
    connector_name: str
    integration_service: str
    entry_point: str
    refresh_interval_seconds: int
    refresh_timeout_seconds: int
    user_id: str
    metadata_source_qualified_name: str
    permitted_synchronization: _elements_pb2.PermittedSynchronization
    configuration_properties: _struct_pb2.Struct
    catalog_targets: _containers.RepeatedScalarFieldContainer[str]
    generate_integration_report: bool
    uses_blocking_calls: bool
    integration_group: str
    def __init__(self, connector_name: _Optional[str] = ..., integration_service: _Optional[str] = ..., entry_point: _Optional[str] = ..., refresh_interval_seconds: _Optional[int] = ..., refresh_timeout_seconds: _Optional[int] = ..., user_id: _Optional[str] = ..., metadata_source_qualified_name: _Optional[str] = ..., permitted_synchronization: _Optional[_Union[_elements_pb2.PermittedSynchronization, str]] = ..., configuration_properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., catalog_targets: _Optional[_Iterable[str]] = ..., generate_integration_report: _Optional[bool] = ..., uses_blocking_calls: _Optional[bool] = ..., integration_group: _Optional[str] = ...) -> None: ...

class ConnectorInfo(_message.Message):
    __slots__ = ("connector_id", "config", "status", "last_refresh_start", "last_refresh_end", "next_refresh", "failing_error", "consecutive_failures", "last_report", "refresh_count", "attached")
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESH_START_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESH_END_FIELD_NUMBER: _ClassVar[int]
    NEXT_REFRESH_FIELD_NUMBER: _ClassVar[int]
    FAILING_ERROR_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    LAST_REPORT_FIELD_NUMBER: _ClassVar[int]
    REFRESH_COUNT_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_FIELD_NUMBER: _ClassVar[int]
    connector_id: str
    config: ConnectorConfig
    status: ConnectorStatus
    last_refresh_start: _timestamp_pb2.Timestamp
    last_refresh_end: _timestamp_pb2.Timestamp
    next_refresh: _timestamp_pb2.Timestamp
    failing_error: str
    consecutive_failures: int
    last_report: IntegrationReport
    refresh_count: int
    attached: bool
    def __init__(self, connector_id: _Optional[str] = ..., config: _Optional[_Union[ConnectorConfig, _Mapping]] = ..., status: _Optional[_Union[ConnectorStatus, str]] = ..., last_refresh_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_refresh_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_refresh: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., failing_error: _Optional[str] = ..., consecutive_failures: _Optional[int] = ..., last_report: _Optional[_Union[IntegrationReport, _Mapping]] = ..., refresh_count: _Optional[int] = ..., attached: _Optional[bool] = ...) -> None: ...

class IntegrationReport(_message.Message):
    __slots__ = ("report_guid", "refresh_id", "connector_id", "connector_name", "daemon_name", "refresh_start", "refresh_end", "created_element_guids", "updated_element_guids", "deleted_element_guids", "first_sequence", "last_sequence", "event_driven", "error", "incomplete")
    REPORT_GUID_FIELD_NUMBER: _ClassVar[int]
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    DAEMON_NAME_FIELD_NUMBER: _ClassVar[int]
    REFRESH_START_FIELD_NUMBER: _ClassVar[int]
    REFRESH_END_FIELD_NUMBER: _ClassVar[int]
    CREATED_ELEMENT_GUIDS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_ELEMENT_GUIDS_FIELD_NUMBER: _ClassVar[int]
    DELETED_ELEMENT_GUIDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_DRIVEN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    report_guid: str
    refresh_id: str
    connector_id: str
    connector_name: str
    daemon_name: str
    refresh_start: _timestamp_pb2.Timestamp
    refresh_end: _timestamp_pb2.Timestamp
    created_element_guids: _containers.RepeatedScalarFieldContainer[str]
    updated_element_guids: _containers.RepeatedScalarFieldContainer[str]
    deleted_element_guids: _containers.RepeatedScalarFieldContainer[str]
    first_sequence: int
    last_sequence: int
    event_driven: bool
    error: str
    incomplete: str
    def __init__(self, report_guid: _Optional[str] = ..., refresh_id: _Optional[str] = ..., connector_id: _Optional[str] = ..., connector_name: _Optional[str] = ..., daemon_name: _Optional[str] = ..., refresh_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refresh_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_element_guids: _Optional[_Iterable[str]] = ..., updated_element_guids: _Optional[_Iterable[str]] = ..., deleted_element_guids: _Optional[_Iterable[str]] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., event_driven: _Optional[bool] = ..., error: _Optional[str] = ..., incomplete: _Optional[str] = ...) -> None: ...
