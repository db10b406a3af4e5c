import datetime

from coho.omrs.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ToDoStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TO_DO_STATUS_UNSPECIFIED: _ClassVar[ToDoStatus]
    TO_DO_STATUS_OPEN: _ClassVar[ToDoStatus]
    TO_DO_STATUS_IN_PROGRESS: _ClassVar[ToDoStatus]
    TO_DO_STATUS_WAITING: _ClassVar[ToDoStatus]
    TO_DO_STATUS_COMPLETE: _ClassVar[ToDoStatus]
    TO_DO_STATUS_ABANDONED: _ClassVar[ToDoStatus]

class IncidentReportStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCIDENT_REPORT_STATUS_UNSPECIFIED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_RAISED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_REVIEWED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_VALIDATED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_RESOLVED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_INVALID: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_IGNORED: _ClassVar[IncidentReportStatus]
    INCIDENT_REPORT_STATUS_OTHER: _ClassVar[IncidentReportStatus]
TO_DO_STATUS_UNSPECIFIED: ToDoStatus
TO_DO_STATUS_OPEN: ToDoStatus
TO_DO_STATUS_IN_PROGRESS: ToDoStatus
TO_DO_STATUS_WAITING: ToDoStatus
TO_DO_STATUS_COMPLETE: ToDoStatus
TO_DO_STATUS_ABANDONED: ToDoStatus
INCIDENT_REPORT_STATUS_UNSPECIFIED: IncidentReportStatus
INCIDENT_REPORT_STATUS_RAISED: IncidentReportStatus
INCIDENT_REPORT_STATUS_REVIEWED: IncidentReportStatus
INCIDENT_REPORT_STATUS_VALIDATED: IncidentReportStatus
INCIDENT_REPORT_STATUS_RESOLVED: IncidentReportStatus
INCIDENT_REPORT_STATUS_INVALID: IncidentReportStatus
INCIDENT_REPORT_STATUS_IGNORED: IncidentReportStatus
INCIDENT_REPORT_STATUS_OTHER: IncidentReportStatus

class ToDo(_message.Message):
    __slots__ = ("guid", "qualified_name", "name", "description", "to_do_type", "priority", "due_time", "completion_time", "status", "assigned_to", "action_target_guids", "originator", "additional_properties", "version")
    class AdditionalPropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TO_DO_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_TO_FIELD_NUMBER: _ClassVar[int]
    ACTION_TARGET_GUIDS_FIELD_NUMBER: _ClassVar[int]
    ORIGINATOR_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    name: str
    description: str
    to_do_type: str
    priority: int
    due_time: _timestamp_pb2.Timestamp
    completion_time: _timestamp_pb2.Timestamp
    status: ToDoStatus
    assigned_to: str
    action_target_guids: _containers.RepeatedScalarFieldContainer[str]
    originator: str
    additional_properties: _containers.ScalarMap[str, str]
    version: int
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., to_do_type: _Optional[str] = ..., priority: _Optional[int] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completion_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[ToDoStatus, str]] = ..., assigned_to: _Optional[str] = ..., action_target_guids: _Optional[_Iterable[str]] = ..., originator: _Optional[str] = ..., additional_properties: _Optional[_Mapping[str, str]] = ..., version: _Optional[int] = ...) -> None: ...

class IncidentReport(_message.Message):
    __slots__ = ("guid", "qualified_name", "background", "incident_class", "severity", "status", "originator", "impacted_resource_guids", "details", "raised_time", "version")
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    BACKGROUND_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_CLASS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORIGINATOR_FIELD_NUMBER: _ClassVar[int]
    IMPACTED_RESOURCE_GUIDS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    RAISED_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    background: str
    incident_class: str
    severity: int
    status: IncidentReportStatus
    originator: str
    impacted_resource_guids: _containers.RepeatedScalarFieldContainer[str]
    details: _containers.ScalarMap[str, str]
    raised_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ..., background: _Optional[str] = ..., incident_class: _Optional[str] = ..., severity: _Optional[int] = ..., status: _Optional[_Union[IncidentReportStatus, str]] = ..., originator: _Optional[str] = ..., impacted_resource_guids: _Optional[_Iterable[str]] = ..., details: _Optional[_Mapping[str, str]] = ..., raised_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class OpenToDoRequest(_message.Message):
    __slots__ = ("to_do", "request_id")
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    to_do: ToDo
    request_id: str
    def __init__(self, to_do: _Optional[_Union[ToDo, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class OpenToDoResponse(_message.Message):
    __slots__ = ("header", "to_do")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    to_do: ToDo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., to_do: _Optional[_Union[ToDo, _Mapping]] = ...) -> None: ...

class UpdateToDoRequest(_message.Message):
    __slots__ = ("to_do", "update_fields")
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    to_do: ToDo
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, to_do: _Optional[_Union[ToDo, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateToDoResponse(_message.Message):
    __slots__ = ("header", "to_do")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    to_do: ToDo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., to_do: _Optional[_Union[ToDo, _Mapping]] = ...) -> None: ...

class CompleteToDoRequest(_message.Message):
    __slots__ = ("guid", "abandoned")
    GUID_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    guid: str
    abandoned: bool
    def __init__(self, guid: _Optional[str] = ..., abandoned: _Optional[bool] = ...) -> None: ...

class CompleteToDoResponse(_message.Message):
    __slots__ = ("header", "to_do")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    to_do: ToDo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., to_do: _Optional[_Union[ToDo, _Mapping]] = ...) -> None: ...

class GetToDoRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class GetToDoResponse(_message.Message):
    __slots__ = ("header", "to_do")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TO_DO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    to_do: ToDo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., to_do: _Optional[_Union[ToDo, _Mapping]] = ...) -> None: ...

class ListToDosRequest(_message.Message):
    __slots__ = ("statuses", "assigned_to", "page_size", "page_token")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[ToDoStatus]
    assigned_to: str
    page_size: int
    page_token: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[ToDoStatus, str]]] = ..., assigned_to: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListToDosResponse(_message.Message):
    __slots__ = ("header", "to_dos", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TO_DOS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    to_dos: _containers.RepeatedCompositeFieldContainer[ToDo]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., to_dos: _Optional[_Iterable[_Union[ToDo, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RaiseIncidentReportRequest(_message.Message):
    __slots__ = ("report", "request_id")
    REPORT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    report: IncidentReport
    request_id: str
    def __init__(self, report: _Optional[_Union[IncidentReport, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RaiseIncidentReportResponse(_message.Message):
    __slots__ = ("header", "report")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    report: IncidentReport
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., report: _Optional[_Union[IncidentReport, _Mapping]] = ...) -> None: ...

class UpdateIncidentReportRequest(_message.Message):
    __slots__ = ("report", "update_fields")
    REPORT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    report: IncidentReport
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, report: _Optional[_Union[IncidentReport, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateIncidentReportResponse(_message.Message):
    __slots__ = ("header", "report")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    report: IncidentReport
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., report: _Optional[_Union[IncidentReport, _Mapping]] = ...) -> None: ...

class ListIncidentReportsRequest(_message.Message):
    __slots__ = ("statuses", "page_size", "page_token")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[IncidentReportStatus]
    page_size: int
    page_token: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[IncidentReportStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIncidentReportsResponse(_message.Message):
    __slots__ = ("header", "reports", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    reports: _containers.RepeatedCompositeFieldContainer[IncidentReport]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., reports: _Optional[_Iterable[_Union[IncidentReport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
