import datetime

from coho.omrs.v1 import typedefs_pb2 as _typedefs_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpsertOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPSERT_OUTCOME_UNSPECIFIED: _ClassVar[UpsertOutcome]
    UPSERT_OUTCOME_CREATED: _ClassVar[UpsertOutcome]
    UPSERT_OUTCOME_UPDATED: _ClassVar[UpsertOutcome]
    UPSERT_OUTCOME_UNCHANGED: _ClassVar[UpsertOutcome]
    UPSERT_OUTCOME_DELETED: _ClassVar[UpsertOutcome]
    UPSERT_OUTCOME_NOT_FOUND: _ClassVar[UpsertOutcome]

class PermittedSynchronization(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERMITTED_SYNCHRONIZATION_UNSPECIFIED: _ClassVar[PermittedSynchronization]
    PERMITTED_SYNCHRONIZATION_BOTH_DIRECTIONS: _ClassVar[PermittedSynchronization]
    PERMITTED_SYNCHRONIZATION_TO_THIRD_PARTY: _ClassVar[PermittedSynchronization]
    PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY: _ClassVar[PermittedSynchronization]
UPSERT_OUTCOME_UNSPECIFIED: UpsertOutcome
UPSERT_OUTCOME_CREATED: UpsertOutcome
UPSERT_OUTCOME_UPDATED: UpsertOutcome
UPSERT_OUTCOME_UNCHANGED: UpsertOutcome
UPSERT_OUTCOME_DELETED: UpsertOutcome
UPSERT_OUTCOME_NOT_FOUND: UpsertOutcome
PERMITTED_SYNCHRONIZATION_UNSPECIFIED: PermittedSynchronization
PERMITTED_SYNCHRONIZATION_BOTH_DIRECTIONS: PermittedSynchronization
PERMITTED_SYNCHRONIZATION_TO_THIRD_PARTY: PermittedSynchronization
PERMITTED_SYNCHRONIZATION_FROM_THIRD_PARTY: PermittedSynchronization

class ElementHeader(_message.Message):
    __slots__ = ("guid", "type_name", "super_type_names", "version", "status", "metadata_collection_id", "metadata_collection_name", "created_by", "updated_by", "create_time", "update_time", "external_source", "classification_names")
    GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    SUPER_TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_NAMES_FIELD_NUMBER: _ClassVar[int]
    guid: str
    type_name: str
    super_type_names: _containers.RepeatedScalarFieldContainer[str]
    version: int
    status: _typedefs_pb2.InstanceStatus
    metadata_collection_id: str
    metadata_collection_name: str
    created_by: str
    updated_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    external_source: str
    classification_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, guid: _Optional[str] = ..., type_name: _Optional[str] = ..., super_type_names: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ..., status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., external_source: _Optional[str] = ..., classification_names: _Optional[_Iterable[str]] = ...) -> None: ...

class ElementResult(_message.Message):
    __slots__ = ("key", "guid", "outcome", "version")
    KEY_FIELD_NUMBER: _ClassVar[int]
    GUID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    key: str
    guid: str
    outcome: UpsertOutcome
    version: int
    def __init__(self, key: _Optional[str] = ..., guid: _Optional[str] = ..., outcome: _Optional[_Union[UpsertOutcome, str]] = ..., version: _Optional[int] = ...) -> None: ...
