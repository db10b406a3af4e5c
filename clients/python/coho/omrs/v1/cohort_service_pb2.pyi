import datetime

from coho.omrs.v1 import events_pb2 as _events_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as _metadata_collection_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExchangeRule(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXCHANGE_RULE_UNSPECIFIED: _ClassVar[ExchangeRule]
    EXCHANGE_RULE_ALL: _ClassVar[ExchangeRule]
    EXCHANGE_RULE_JUST_TYPEDEFS: _ClassVar[ExchangeRule]
    EXCHANGE_RULE_SELECTED_TYPES: _ClassVar[ExchangeRule]
    EXCHANGE_RULE_LEARNED_TYPES: _ClassVar[ExchangeRule]
    EXCHANGE_RULE_REGISTRATION_ONLY: _ClassVar[ExchangeRule]

class EventOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_OUTCOME_UNSPECIFIED: _ClassVar[EventOutcome]
    EVENT_OUTCOME_SAVED: _ClassVar[EventOutcome]
    EVENT_OUTCOME_IGNORED_OLDER_VERSION: _ClassVar[EventOutcome]
    EVENT_OUTCOME_IGNORED_BY_RULE: _ClassVar[EventOutcome]
    EVENT_OUTCOME_IGNORED_UNKNOWN_TYPE: _ClassVar[EventOutcome]
    EVENT_OUTCOME_CONFLICT: _ClassVar[EventOutcome]
    EVENT_OUTCOME_PROCESSED: _ClassVar[EventOutcome]
EXCHANGE_RULE_UNSPECIFIED: ExchangeRule
EXCHANGE_RULE_ALL: ExchangeRule
EXCHANGE_RULE_JUST_TYPEDEFS: ExchangeRule
EXCHANGE_RULE_SELECTED_TYPES: ExchangeRule
EXCHANGE_RULE_LEARNED_TYPES: ExchangeRule
EXCHANGE_RULE_REGISTRATION_ONLY: ExchangeRule
EVENT_OUTCOME_UNSPECIFIED: EventOutcome
EVENT_OUTCOME_SAVED: EventOutcome
EVENT_OUTCOME_IGNORED_OLDER_VERSION: EventOutcome
EVENT_OUTCOME_IGNORED_BY_RULE: EventOutcome
EVENT_OUTCOME_IGNORED_UNKNOWN_TYPE: EventOutcome
EVENT_OUTCOME_CONFLICT: EventOutcome
EVENT_OUTCOME_PROCESSED: EventOutcome

class ExchangeRuleSet(_message.Message):
    __slots__ = ("rule", "selected_type_names")
    RULE_FIELD_NUMBER: _ClassVar[int]
    SELECTED_TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    rule: ExchangeRule
    selected_type_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rule: _Optional[_Union[ExchangeRule, str]] = ..., selected_type_names: _Optional[_Iterable[str]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("cohort_name", "registration", "resume_after_sequence", "snapshot", "max_in_flight", "max_batch_events", "events_to_send", "known_member_ids")
    COHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    RESUME_AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_EVENTS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TO_SEND_FIELD_NUMBER: _ClassVar[int]
    KNOWN_MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    cohort_name: str
    registration: _events_pb2.MemberRegistration
    resume_after_sequence: int
    snapshot: bool
    max_in_flight: int
    max_batch_events: int
    events_to_send: ExchangeRuleSet
    known_member_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cohort_name: _Optional[str] = ..., registration: _Optional[_Union[_events_pb2.MemberRegistration, _Mapping]] = ..., resume_after_sequence: _Optional[int] = ..., snapshot: _Optional[bool] = ..., max_in_flight: _Optional[int] = ..., max_batch_events: _Optional[int] = ..., events_to_send: _Optional[_Union[ExchangeRuleSet, _Mapping]] = ..., known_member_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("registration", "directory", "head_sequence", "floor_sequence", "snapshot_follows")
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FLOOR_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FOLLOWS_FIELD_NUMBER: _ClassVar[int]
    registration: _events_pb2.MemberRegistration
    directory: _containers.RepeatedCompositeFieldContainer[_events_pb2.MemberRegistration]
    head_sequence: int
    floor_sequence: int
    snapshot_follows: bool
    def __init__(self, registration: _Optional[_Union[_events_pb2.MemberRegistration, _Mapping]] = ..., directory: _Optional[_Iterable[_Union[_events_pb2.MemberRegistration, _Mapping]]] = ..., head_sequence: _Optional[int] = ..., floor_sequence: _Optional[int] = ..., snapshot_follows: _Optional[bool] = ...) -> None: ...

class EventBatch(_message.Message):
    __slots__ = ("batch_id", "first_sequence", "last_sequence", "events", "snapshot", "snapshot_complete")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    batch_id: int
    first_sequence: int
    last_sequence: int
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.SequencedEvent]
    snapshot: bool
    snapshot_complete: bool
    def __init__(self, batch_id: _Optional[int] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., events: _Optional[_Iterable[_Union[_events_pb2.SequencedEvent, _Mapping]]] = ..., snapshot: _Optional[bool] = ..., snapshot_complete: _Optional[bool] = ...) -> None: ...

class EventAck(_message.Message):
    __slots__ = ("sequence", "outcome", "reference_copy_outcome", "detail")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_COPY_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    outcome: EventOutcome
    reference_copy_outcome: _metadata_collection_service_pb2.ReferenceCopyOutcome
    detail: str
    def __init__(self, sequence: _Optional[int] = ..., outcome: _Optional[_Union[EventOutcome, str]] = ..., reference_copy_outcome: _Optional[_Union[_metadata_collection_service_pb2.ReferenceCopyOutcome, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("batch_id", "publisher_metadata_collection_id", "subscriber_metadata_collection_id", "first_sequence", "last_sequence", "outcomes")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLISHER_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBER_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    batch_id: int
    publisher_metadata_collection_id: str
    subscriber_metadata_collection_id: str
    first_sequence: int
    last_sequence: int
    outcomes: _containers.RepeatedCompositeFieldContainer[EventAck]
    def __init__(self, batch_id: _Optional[int] = ..., publisher_metadata_collection_id: _Optional[str] = ..., subscriber_metadata_collection_id: _Optional[str] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., outcomes: _Optional[_Iterable[_Union[EventAck, _Mapping]]] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("time", "sequence")
    TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    sequence: int
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class ExchangeRequest(_message.Message):
    __slots__ = ("hello", "ack", "heartbeat")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    ack: Ack
    heartbeat: Heartbeat
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ...) -> None: ...

class ExchangeResponse(_message.Message):
    __slots__ = ("welcome", "batch", "heartbeat", "registry_event")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_EVENT_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    batch: EventBatch
    heartbeat: Heartbeat
    registry_event: _events_pb2.OmrsEvent
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., batch: _Optional[_Union[EventBatch, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., registry_event: _Optional[_Union[_events_pb2.OmrsEvent, _Mapping]] = ...) -> None: ...
