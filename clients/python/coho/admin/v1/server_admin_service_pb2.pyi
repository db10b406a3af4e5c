import datetime

from coho.omrs.v1 import cohort_service_pb2 as _cohort_service_pb2
from coho.omrs.v1 import events_pb2 as _events_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVING_STATE_UNSPECIFIED: _ClassVar[ServingState]
    SERVING_STATE_STARTING: _ClassVar[ServingState]
    SERVING_STATE_SERVING: _ClassVar[ServingState]
    SERVING_STATE_DRAINING: _ClassVar[ServingState]

class ConnectionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTION_STATE_UNSPECIFIED: _ClassVar[ConnectionState]
    CONNECTION_STATE_CONNECTING: _ClassVar[ConnectionState]
    CONNECTION_STATE_CONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_DISCONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_BACKING_OFF: _ClassVar[ConnectionState]
    CONNECTION_STATE_UNREGISTERED: _ClassVar[ConnectionState]

class AuditLogSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_LOG_SEVERITY_UNSPECIFIED: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_INFO: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_EVENT: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_DECISION: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_ACTION: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_ERROR: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_EXCEPTION: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_SECURITY: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_STARTUP: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_SHUTDOWN: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_TYPES: _ClassVar[AuditLogSeverity]
    AUDIT_LOG_SEVERITY_COHORT: _ClassVar[AuditLogSeverity]
SERVING_STATE_UNSPECIFIED: ServingState
SERVING_STATE_STARTING: ServingState
SERVING_STATE_SERVING: ServingState
SERVING_STATE_DRAINING: ServingState
CONNECTION_STATE_UNSPECIFIED: ConnectionState
CONNECTION_STATE_CONNECTING: ConnectionState
CONNECTION_STATE_CONNECTED: ConnectionState
CONNECTION_STATE_DISCONNECTED: ConnectionState
CONNECTION_STATE_BACKING_OFF: ConnectionState
CONNECTION_STATE_UNREGISTERED: ConnectionState
AUDIT_LOG_SEVERITY_UNSPECIFIED: AuditLogSeverity
AUDIT_LOG_SEVERITY_INFO: AuditLogSeverity
AUDIT_LOG_SEVERITY_EVENT: AuditLogSeverity
AUDIT_LOG_SEVERITY_DECISION: AuditLogSeverity
AUDIT_LOG_SEVERITY_ACTION: AuditLogSeverity
AUDIT_LOG_SEVERITY_ERROR: AuditLogSeverity
AUDIT_LOG_SEVERITY_EXCEPTION: AuditLogSeverity
AUDIT_LOG_SEVERITY_SECURITY: AuditLogSeverity
AUDIT_LOG_SEVERITY_STARTUP: AuditLogSeverity
AUDIT_LOG_SEVERITY_SHUTDOWN: AuditLogSeverity
AUDIT_LOG_SEVERITY_TYPES: AuditLogSeverity
AUDIT_LOG_SEVERITY_COHORT: AuditLogSeverity

class InstanceCounts(_message.Message):
    __slots__ = ("entities", "relationships", "entity_proxies", "reference_copies", "type_defs", "attribute_type_defs", "deleted_entities", "deleted_relationships")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_PROXIES_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_COPIES_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    DELETED_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    DELETED_RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    entities: int
    relationships: int
    entity_proxies: int
    reference_copies: int
    type_defs: int
    attribute_type_defs: int
    deleted_entities: int
    deleted_relationships: int
    def __init__(self, entities: _Optional[int] = ..., relationships: _Optional[int] = ..., entity_proxies: _Optional[int] = ..., reference_copies: _Optional[int] = ..., type_defs: _Optional[int] = ..., attribute_type_defs: _Optional[int] = ..., deleted_entities: _Optional[int] = ..., deleted_relationships: _Optional[int] = ...) -> None: ...

class GetServerStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerStatusResponse(_message.Message):
    __slots__ = ("server_name", "metadata_collection_id", "metadata_collection_name", "version", "state", "start_time", "uptime_seconds", "head_sequence", "floor_sequence", "counts", "writer_queue_depth", "out_topic_subscribers", "cohort_names", "history_floor")
    SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FLOOR_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    WRITER_QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    OUT_TOPIC_SUBSCRIBERS_FIELD_NUMBER: _ClassVar[int]
    COHORT_NAMES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FLOOR_FIELD_NUMBER: _ClassVar[int]
    server_name: str
    metadata_collection_id: str
    metadata_collection_name: str
    version: str
    state: ServingState
    start_time: _timestamp_pb2.Timestamp
    uptime_seconds: int
    head_sequence: int
    floor_sequence: int
    counts: InstanceCounts
    writer_queue_depth: int
    out_topic_subscribers: int
    cohort_names: _containers.RepeatedScalarFieldContainer[str]
    history_floor: _timestamp_pb2.Timestamp
    def __init__(self, server_name: _Optional[str] = ..., metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ..., version: _Optional[str] = ..., state: _Optional[_Union[ServingState, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., uptime_seconds: _Optional[int] = ..., head_sequence: _Optional[int] = ..., floor_sequence: _Optional[int] = ..., counts: _Optional[_Union[InstanceCounts, _Mapping]] = ..., writer_queue_depth: _Optional[int] = ..., out_topic_subscribers: _Optional[int] = ..., cohort_names: _Optional[_Iterable[str]] = ..., history_floor: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetServerConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerConfigResponse(_message.Message):
    __slots__ = ("effective_config",)
    EFFECTIVE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    effective_config: _struct_pb2.Struct
    def __init__(self, effective_config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CohortMember(_message.Message):
    __slots__ = ("cohort_name", "registration", "inbound_cursor", "inbound_head_sequence", "inbound_lag", "inbound_state", "outbound_acked_sequence", "outbound_lag", "outbound_state", "last_heard", "events_to_process", "events_to_save", "events_to_send")
    COHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    INBOUND_CURSOR_FIELD_NUMBER: _ClassVar[int]
    INBOUND_HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    INBOUND_LAG_FIELD_NUMBER: _ClassVar[int]
    INBOUND_STATE_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_ACKED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_LAG_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_STATE_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARD_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TO_PROCESS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TO_SAVE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TO_SEND_FIELD_NUMBER: _ClassVar[int]
    cohort_name: str
    registration: _events_pb2.MemberRegistration
    inbound_cursor: int
    inbound_head_sequence: int
    inbound_lag: int
    inbound_state: ConnectionState
    outbound_acked_sequence: int
    outbound_lag: int
    outbound_state: ConnectionState
    last_heard: _timestamp_pb2.Timestamp
    events_to_process: _cohort_service_pb2.ExchangeRuleSet
    events_to_save: _cohort_service_pb2.ExchangeRuleSet
    events_to_send: _cohort_service_pb2.ExchangeRuleSet
    def __init__(self, cohort_name: _Optional[str] = ..., registration: _Optional[_Union[_events_pb2.MemberRegistration, _Mapping]] = ..., inbound_cursor: _Optional[int] = ..., inbound_head_sequence: _Optional[int] = ..., inbound_lag: _Optional[int] = ..., inbound_state: _Optional[_Union[ConnectionState, str]] = ..., outbound_acked_sequence: _Optional[int] = ..., outbound_lag: _Optional[int] = ..., outbound_state: _Optional[_Union[ConnectionState, str]] = ..., last_heard: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., events_to_process: _Optional[_Union[_cohort_service_pb2.ExchangeRuleSet, _Mapping]] = ..., events_to_save: _Optional[_Union[_cohort_service_pb2.ExchangeRuleSet, _Mapping]] = ..., events_to_send: _Optional[_Union[_cohort_service_pb2.ExchangeRuleSet, _Mapping]] = ...) -> None: ...

class ListCohortMembersRequest(_message.Message):
    __slots__ = ("cohort_name",)
    COHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    cohort_name: str
    def __init__(self, cohort_name: _Optional[str] = ...) -> None: ...

class ListCohortMembersResponse(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[CohortMember]
    def __init__(self, members: _Optional[_Iterable[_Union[CohortMember, _Mapping]]] = ...) -> None: ...

class LeaveCohortRequest(_message.Message):
    __slots__ = ("cohort_name",)
    COHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    cohort_name: str
    def __init__(self, cohort_name: _Optional[str] = ...) -> None: ...

class LeaveCohortResponse(_message.Message):
    __slots__ = ("members_notified",)
    MEMBERS_NOTIFIED_FIELD_NUMBER: _ClassVar[int]
    members_notified: int
    def __init__(self, members_notified: _Optional[int] = ...) -> None: ...

class AuditLogRecord(_message.Message):
    __slots__ = ("id", "time", "severity", "component", "action", "message", "user_id", "details")
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    id: int
    time: _timestamp_pb2.Timestamp
    severity: AuditLogSeverity
    component: str
    action: str
    message: str
    user_id: str
    details: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., severity: _Optional[_Union[AuditLogSeverity, str]] = ..., component: _Optional[str] = ..., action: _Optional[str] = ..., message: _Optional[str] = ..., user_id: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ...) -> None: ...

class QueryAuditLogRequest(_message.Message):
    __slots__ = ("severities", "component", "action", "from_time", "to_time", "page_size", "page_token")
    SEVERITIES_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    severities: _containers.RepeatedScalarFieldContainer[AuditLogSeverity]
    component: str
    action: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, severities: _Optional[_Iterable[_Union[AuditLogSeverity, str]]] = ..., component: _Optional[str] = ..., action: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class QueryAuditLogResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[AuditLogRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[AuditLogRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
