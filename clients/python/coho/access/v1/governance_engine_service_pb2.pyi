import datetime

from coho.access.v1 import elements_pb2 as _elements_pb2
from coho.omrs.v1 import common_pb2 as _common_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GovernanceActionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOVERNANCE_ACTION_STATUS_UNSPECIFIED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_REQUESTED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_APPROVED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_WAITING: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_ACTIVATING: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_IN_PROGRESS: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_COMPLETED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_INVALID: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_IGNORED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_FAILED: _ClassVar[GovernanceActionStatus]
    GOVERNANCE_ACTION_STATUS_CANCELLED: _ClassVar[GovernanceActionStatus]
GOVERNANCE_ACTION_STATUS_UNSPECIFIED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_REQUESTED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_APPROVED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_WAITING: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_ACTIVATING: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_IN_PROGRESS: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_COMPLETED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_INVALID: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_IGNORED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_FAILED: GovernanceActionStatus
GOVERNANCE_ACTION_STATUS_CANCELLED: GovernanceActionStatus

class GovernanceActionRequest(_message.Message):
    __slots__ = ("guid", "qualified_name", "display_name", "description", "governance_engine_name", "request_type", "request_parameters", "action_target_guids", "status", "requested_by", "start_time", "completion_time", "completion_guards", "version")
    class RequestParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    GOVERNANCE_ENGINE_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    ACTION_TARGET_GUIDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_GUARDS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    display_name: str
    description: str
    governance_engine_name: str
    request_type: str
    request_parameters: _containers.ScalarMap[str, str]
    action_target_guids: _containers.RepeatedScalarFieldContainer[str]
    status: GovernanceActionStatus
    requested_by: str
    start_time: _timestamp_pb2.Timestamp
    completion_time: _timestamp_pb2.Timestamp
    completion_guards: _containers.RepeatedScalarFieldContainer[str]
    version: int
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., governance_engine_name: _Optional[str] = ..., request_type: _Optional[str] = ..., request_parameters: _Optional[_Mapping[str, str]] = ..., action_target_guids: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[GovernanceActionStatus, str]] = ..., requested_by: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completion_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completion_guards: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ...) -> None: ...

class IntegrationGroup(_message.Message):
    __slots__ = ("guid", "qualified_name", "display_name", "description", "version_identifier", "version")
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    display_name: str
    description: str
    version_identifier: str
    version: int
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., version_identifier: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class IntegrationConnector(_message.Message):
    __slots__ = ("guid", "qualified_name", "display_name", "description", "entry_point", "integration_service", "uses_blocking_calls", "configuration_properties", "catalog_targets", "version")
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENTRY_POINT_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_SERVICE_FIELD_NUMBER: _ClassVar[int]
    USES_BLOCKING_CALLS_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CATALOG_TARGETS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    display_name: str
    description: str
    entry_point: str
    integration_service: str
    uses_blocking_calls: bool
    configuration_properties: _struct_pb2.Struct
    catalog_targets: _containers.RepeatedScalarFieldContainer[str]
    version: int
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., entry_point: _Optional[str] = ..., integration_service: _Optional[str] = ..., uses_blocking_calls: _Optional[bool] = ..., configuration_properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., catalog_targets: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ...) -> None: ...

class RegisteredConnector(_message.Message):
    __slots__ = ("guid", "group_guid", "connector_guid", "connector_name", "connector_user_id", "metadata_source_qualified_name", "start_date", "stop_date", "refresh_time_interval_seconds", "generate_integration_report", "permitted_synchronization", "connector", "version")
    GUID_FIELD_NUMBER: _ClassVar[int]
    GROUP_GUID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_GUID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_SOURCE_QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    STOP_DATE_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TIME_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_INTEGRATION_REPORT_FIELD_NUMBER: _ClassVar[int]
    PERMITTED_SYNCHRONIZATION_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    group_guid: str
    connector_guid: str
    connector_name: str
    connector_user_id: str
    metadata_source_qualified_name: str
    start_date: _timestamp_pb2.Timestamp
    stop_date: _timestamp_pb2.Timestamp
    refresh_time_interval_seconds: int
    generate_integration_report: bool
    permitted_synchronization: _elements_pb2.PermittedSynchronization
    connector: IntegrationConnector
    version: int
    def __init__(self, guid: _Optional[str] = ..., group_guid: _Optional[str] = ..., connector_guid: _Optional[str] = ..., connector_name: _Optional[str] = ..., connector_user_id: _Optional[str] = ..., metadata_source_qualified_name: _Optional[str] = ..., start_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stop_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refresh_time_interval_seconds: _Optional[int] = ..., generate_integration_report: _Optional[bool] = ..., permitted_synchronization: _Optional[_Union[_elements_pb2.PermittedSynchronization, str]] = ..., connector: _Optional[_Union[IntegrationConnector, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class CreateGovernanceActionRequestRequest(_message.Message):
    __slots__ = ("action", "request_id")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    action: GovernanceActionRequest
    request_id: str
    def __init__(self, action: _Optional[_Union[GovernanceActionRequest, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateGovernanceActionRequestResponse(_message.Message):
    __slots__ = ("header", "action")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    action: GovernanceActionRequest
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., action: _Optional[_Union[GovernanceActionRequest, _Mapping]] = ...) -> None: ...

class UpdateGovernanceActionRequestRequest(_message.Message):
    __slots__ = ("action", "update_fields")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    action: GovernanceActionRequest
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, action: _Optional[_Union[GovernanceActionRequest, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateGovernanceActionRequestResponse(_message.Message):
    __slots__ = ("header", "action")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    action: GovernanceActionRequest
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., action: _Optional[_Union[GovernanceActionRequest, _Mapping]] = ...) -> None: ...

class ListGovernanceActionRequestsRequest(_message.Message):
    __slots__ = ("statuses", "page_size", "page_token")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[GovernanceActionStatus]
    page_size: int
    page_token: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[GovernanceActionStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGovernanceActionRequestsResponse(_message.Message):
    __slots__ = ("header", "actions", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    actions: _containers.RepeatedCompositeFieldContainer[GovernanceActionRequest]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[GovernanceActionRequest, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateIntegrationGroupRequest(_message.Message):
    __slots__ = ("group", "request_id")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group: IntegrationGroup
    request_id: str
    def __init__(self, group: _Optional[_Union[IntegrationGroup, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateIntegrationGroupResponse(_message.Message):
    __slots__ = ("header", "group")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    group: IntegrationGroup
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., group: _Optional[_Union[IntegrationGroup, _Mapping]] = ...) -> None: ...

class UpdateIntegrationGroupRequest(_message.Message):
    __slots__ = ("group", "update_fields")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    group: IntegrationGroup
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group: _Optional[_Union[IntegrationGroup, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateIntegrationGroupResponse(_message.Message):
    __slots__ = ("header", "group")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    group: IntegrationGroup
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., group: _Optional[_Union[IntegrationGroup, _Mapping]] = ...) -> None: ...

class GetIntegrationGroupRequest(_message.Message):
    __slots__ = ("guid", "qualified_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ...) -> None: ...

class GetIntegrationGroupResponse(_message.Message):
    __slots__ = ("header", "group", "connectors")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    CONNECTORS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    group: IntegrationGroup
    connectors: _containers.RepeatedCompositeFieldContainer[RegisteredConnector]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., group: _Optional[_Union[IntegrationGroup, _Mapping]] = ..., connectors: _Optional[_Iterable[_Union[RegisteredConnector, _Mapping]]] = ...) -> None: ...

class ListIntegrationGroupsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIntegrationGroupsResponse(_message.Message):
    __slots__ = ("header", "groups", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    groups: _containers.RepeatedCompositeFieldContainer[IntegrationGroup]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., groups: _Optional[_Iterable[_Union[IntegrationGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateIntegrationConnectorRequest(_message.Message):
    __slots__ = ("connector", "request_id")
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    connector: IntegrationConnector
    request_id: str
    def __init__(self, connector: _Optional[_Union[IntegrationConnector, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateIntegrationConnectorResponse(_message.Message):
    __slots__ = ("header", "connector")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    connector: IntegrationConnector
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., connector: _Optional[_Union[IntegrationConnector, _Mapping]] = ...) -> None: ...

class UpdateIntegrationConnectorRequest(_message.Message):
    __slots__ = ("connector", "update_fields")
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    connector: IntegrationConnector
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, connector: _Optional[_Union[IntegrationConnector, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateIntegrationConnectorResponse(_message.Message):
    __slots__ = ("header", "connector")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    connector: IntegrationConnector
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., connector: _Optional[_Union[IntegrationConnector, _Mapping]] = ...) -> None: ...

class LinkConnectorToGroupRequest(_message.Message):
    __slots__ = ("registration",)
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    registration: RegisteredConnector
    def __init__(self, registration: _Optional[_Union[RegisteredConnector, _Mapping]] = ...) -> None: ...

class LinkConnectorToGroupResponse(_message.Message):
    __slots__ = ("header", "registration")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    registration: RegisteredConnector
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., registration: _Optional[_Union[RegisteredConnector, _Mapping]] = ...) -> None: ...

class UpdateRegisteredConnectorRequest(_message.Message):
    __slots__ = ("registration", "update_fields")
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    registration: RegisteredConnector
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, registration: _Optional[_Union[RegisteredConnector, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateRegisteredConnectorResponse(_message.Message):
    __slots__ = ("header", "registration")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    registration: RegisteredConnector
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., registration: _Optional[_Union[RegisteredConnector, _Mapping]] = ...) -> None: ...

class UnlinkConnectorFromGroupRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class UnlinkConnectorFromGroupResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...
