import datetime

from coho.access.v1 import elements_pb2 as _elements_pb2
from coho.omrs.v1 import instances_pb2 as _instances_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutTopicEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUT_TOPIC_EVENT_TYPE_UNSPECIFIED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_CLASSIFIED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_RECLASSIFIED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_DECLASSIFIED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_RESTORED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_GUID_CHANGED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_ELEMENT_HOME_CHANGED: _ClassVar[OutTopicEventType]
    OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT: _ClassVar[OutTopicEventType]

class ListenStartPosition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LISTEN_START_POSITION_UNSPECIFIED: _ClassVar[ListenStartPosition]
    LISTEN_START_POSITION_RESUME: _ClassVar[ListenStartPosition]
    LISTEN_START_POSITION_EARLIEST: _ClassVar[ListenStartPosition]
    LISTEN_START_POSITION_HEAD: _ClassVar[ListenStartPosition]
    LISTEN_START_POSITION_AFTER_SEQUENCE: _ClassVar[ListenStartPosition]
OUT_TOPIC_EVENT_TYPE_UNSPECIFIED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_DELETED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_CLASSIFIED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_RECLASSIFIED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_DECLASSIFIED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_RESTORED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_GUID_CHANGED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_TYPE_CHANGED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_ELEMENT_HOME_CHANGED: OutTopicEventType
OUT_TOPIC_EVENT_TYPE_REFRESH_ELEMENT_EVENT: OutTopicEventType
LISTEN_START_POSITION_UNSPECIFIED: ListenStartPosition
LISTEN_START_POSITION_RESUME: ListenStartPosition
LISTEN_START_POSITION_EARLIEST: ListenStartPosition
LISTEN_START_POSITION_HEAD: ListenStartPosition
LISTEN_START_POSITION_AFTER_SEQUENCE: ListenStartPosition

class OutTopicFilter(_message.Message):
    __slots__ = ("type_names", "event_types", "element_guid", "access_service")
    TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_GUID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_SERVICE_FIELD_NUMBER: _ClassVar[int]
    type_names: _containers.RepeatedScalarFieldContainer[str]
    event_types: _containers.RepeatedScalarFieldContainer[OutTopicEventType]
    element_guid: str
    access_service: str
    def __init__(self, type_names: _Optional[_Iterable[str]] = ..., event_types: _Optional[_Iterable[_Union[OutTopicEventType, str]]] = ..., element_guid: _Optional[str] = ..., access_service: _Optional[str] = ...) -> None: ...

class OutTopicEvent(_message.Message):
    __slots__ = ("sequence", "event_type", "event_time", "element_header", "element_properties", "previous_element_properties", "classification_name", "classification_properties", "previous_classification_properties", "is_relationship", "end_one_guid", "end_one_type_name", "end_two_guid", "end_two_type_name", "previous_guid", "previous_type_name", "previous_home_metadata_collection_id", "purged", "user_id", "connector_id", "refresh_id", "metadata_source", "access_service")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ELEMENT_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_NAME_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CLASSIFICATION_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    IS_RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    END_ONE_GUID_FIELD_NUMBER: _ClassVar[int]
    END_ONE_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    END_TWO_GUID_FIELD_NUMBER: _ClassVar[int]
    END_TWO_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_GUID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PURGED_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_SERVICE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    event_type: OutTopicEventType
    event_time: _timestamp_pb2.Timestamp
    element_header: _elements_pb2.ElementHeader
    element_properties: _instances_pb2.InstanceProperties
    previous_element_properties: _instances_pb2.InstanceProperties
    classification_name: str
    classification_properties: _instances_pb2.InstanceProperties
    previous_classification_properties: _instances_pb2.InstanceProperties
    is_relationship: bool
    end_one_guid: str
    end_one_type_name: str
    end_two_guid: str
    end_two_type_name: str
    previous_guid: str
    previous_type_name: str
    previous_home_metadata_collection_id: str
    purged: bool
    user_id: str
    connector_id: str
    refresh_id: str
    metadata_source: str
    access_service: str
    def __init__(self, sequence: _Optional[int] = ..., event_type: _Optional[_Union[OutTopicEventType, str]] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., element_header: _Optional[_Union[_elements_pb2.ElementHeader, _Mapping]] = ..., element_properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., previous_element_properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., classification_name: _Optional[str] = ..., classification_properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., previous_classification_properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., is_relationship: _Optional[bool] = ..., end_one_guid: _Optional[str] = ..., end_one_type_name: _Optional[str] = ..., end_two_guid: _Optional[str] = ..., end_two_type_name: _Optional[str] = ..., previous_guid: _Optional[str] = ..., previous_type_name: _Optional[str] = ..., previous_home_metadata_collection_id: _Optional[str] = ..., purged: _Optional[bool] = ..., user_id: _Optional[str] = ..., connector_id: _Optional[str] = ..., refresh_id: _Optional[str] = ..., metadata_source: _Optional[str] = ..., access_service: _Optional[str] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("head_sequence", "scanned_sequence", "time")
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SCANNED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    head_sequence: int
    scanned_sequence: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, head_sequence: _Optional[int] = ..., scanned_sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SubscribeRequest(_message.Message):
    __slots__ = ("after_sequence", "from_head", "filter", "heartbeat_interval_seconds", "max_batch_events")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FROM_HEAD_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_EVENTS_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    from_head: bool
    filter: OutTopicFilter
    heartbeat_interval_seconds: int
    max_batch_events: int
    def __init__(self, after_sequence: _Optional[int] = ..., from_head: _Optional[bool] = ..., filter: _Optional[_Union[OutTopicFilter, _Mapping]] = ..., heartbeat_interval_seconds: _Optional[int] = ..., max_batch_events: _Optional[int] = ...) -> None: ...

class SubscribeResponse(_message.Message):
    __slots__ = ("events", "progress")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[OutTopicEvent]
    progress: Progress
    def __init__(self, events: _Optional[_Iterable[_Union[OutTopicEvent, _Mapping]]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ...) -> None: ...

class ListenStart(_message.Message):
    __slots__ = ("subscription_name", "start_position", "after_sequence", "filter", "max_in_flight", "heartbeat_interval_seconds", "must_exist")
    SUBSCRIPTION_NAME_FIELD_NUMBER: _ClassVar[int]
    START_POSITION_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MUST_EXIST_FIELD_NUMBER: _ClassVar[int]
    subscription_name: str
    start_position: ListenStartPosition
    after_sequence: int
    filter: OutTopicFilter
    max_in_flight: int
    heartbeat_interval_seconds: int
    must_exist: bool
    def __init__(self, subscription_name: _Optional[str] = ..., start_position: _Optional[_Union[ListenStartPosition, str]] = ..., after_sequence: _Optional[int] = ..., filter: _Optional[_Union[OutTopicFilter, _Mapping]] = ..., max_in_flight: _Optional[int] = ..., heartbeat_interval_seconds: _Optional[int] = ..., must_exist: _Optional[bool] = ...) -> None: ...

class ListenAck(_message.Message):
    __slots__ = ("sequence",)
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    def __init__(self, sequence: _Optional[int] = ...) -> None: ...

class ListenRequest(_message.Message):
    __slots__ = ("start", "ack")
    START_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    start: ListenStart
    ack: ListenAck
    def __init__(self, start: _Optional[_Union[ListenStart, _Mapping]] = ..., ack: _Optional[_Union[ListenAck, _Mapping]] = ...) -> None: ...

class ListenStarted(_message.Message):
    __slots__ = ("subscription_name", "resume_after_sequence", "head_sequence", "floor_sequence")
    SUBSCRIPTION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESUME_AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FLOOR_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    subscription_name: str
    resume_after_sequence: int
    head_sequence: int
    floor_sequence: int
    def __init__(self, subscription_name: _Optional[str] = ..., resume_after_sequence: _Optional[int] = ..., head_sequence: _Optional[int] = ..., floor_sequence: _Optional[int] = ...) -> None: ...

class ListenResponse(_message.Message):
    __slots__ = ("started", "batch", "heartbeat")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    started: ListenStarted
    batch: OutTopicEventBatch
    heartbeat: Progress
    def __init__(self, started: _Optional[_Union[ListenStarted, _Mapping]] = ..., batch: _Optional[_Union[OutTopicEventBatch, _Mapping]] = ..., heartbeat: _Optional[_Union[Progress, _Mapping]] = ...) -> None: ...

class OutTopicEventBatch(_message.Message):
    __slots__ = ("events", "progress")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[OutTopicEvent]
    progress: Progress
    def __init__(self, events: _Optional[_Iterable[_Union[OutTopicEvent, _Mapping]]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ...) -> None: ...

class DurableSubscription(_message.Message):
    __slots__ = ("subscription_name", "acked_sequence", "filter", "owner_user_id", "connected", "last_ack_time", "lag")
    SUBSCRIPTION_NAME_FIELD_NUMBER: _ClassVar[int]
    ACKED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_FIELD_NUMBER: _ClassVar[int]
    LAST_ACK_TIME_FIELD_NUMBER: _ClassVar[int]
    LAG_FIELD_NUMBER: _ClassVar[int]
    subscription_name: str
    acked_sequence: int
    filter: OutTopicFilter
    owner_user_id: str
    connected: bool
    last_ack_time: _timestamp_pb2.Timestamp
    lag: int
    def __init__(self, subscription_name: _Optional[str] = ..., acked_sequence: _Optional[int] = ..., filter: _Optional[_Union[OutTopicFilter, _Mapping]] = ..., owner_user_id: _Optional[str] = ..., connected: _Optional[bool] = ..., last_ack_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lag: _Optional[int] = ...) -> None: ...

class ListSubscriptionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions",)
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[DurableSubscription]
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[DurableSubscription, _Mapping]]] = ...) -> None: ...

class DeleteSubscriptionRequest(_message.Message):
    __slots__ = ("subscription_name",)
    SUBSCRIPTION_NAME_FIELD_NUMBER: _ClassVar[int]
    subscription_name: str
    def __init__(self, subscription_name: _Optional[str] = ...) -> None: ...

class DeleteSubscriptionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
