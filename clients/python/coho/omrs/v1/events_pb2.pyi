import datetime

from coho.omrs.v1 import instances_pb2 as _instances_pb2
from coho.omrs.v1 import typedefs_pb2 as _typedefs_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OmrsEventCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OMRS_EVENT_CATEGORY_UNSPECIFIED: _ClassVar[OmrsEventCategory]
    OMRS_EVENT_CATEGORY_REGISTRY: _ClassVar[OmrsEventCategory]
    OMRS_EVENT_CATEGORY_TYPEDEF: _ClassVar[OmrsEventCategory]
    OMRS_EVENT_CATEGORY_INSTANCE: _ClassVar[OmrsEventCategory]
    OMRS_EVENT_CATEGORY_GENERIC: _ClassVar[OmrsEventCategory]

class RegistryEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGISTRY_EVENT_TYPE_UNSPECIFIED: _ClassVar[RegistryEventType]
    REGISTRY_EVENT_TYPE_REGISTRATION_EVENT: _ClassVar[RegistryEventType]
    REGISTRY_EVENT_TYPE_REFRESH_REGISTRATION_REQUEST: _ClassVar[RegistryEventType]
    REGISTRY_EVENT_TYPE_RE_REGISTRATION_EVENT: _ClassVar[RegistryEventType]
    REGISTRY_EVENT_TYPE_UN_REGISTRATION_EVENT: _ClassVar[RegistryEventType]
    REGISTRY_EVENT_TYPE_REGISTRATION_ERROR_EVENT: _ClassVar[RegistryEventType]

class TypeDefEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TYPE_DEF_EVENT_TYPE_UNSPECIFIED: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_NEW_ATTRIBUTE_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_UPDATED_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_DELETED_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_DELETED_ATTRIBUTE_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_RE_IDENTIFIED_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_RE_IDENTIFIED_ATTRIBUTE_TYPEDEF_EVENT: _ClassVar[TypeDefEventType]
    TYPE_DEF_EVENT_TYPE_TYPEDEF_ERROR_EVENT: _ClassVar[TypeDefEventType]

class InstanceEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTANCE_EVENT_TYPE_UNSPECIFIED: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_UNDONE_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_DECLASSIFIED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RECLASSIFIED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RESTORED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RETYPED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_NEW_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_UPDATED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_UNDONE_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_DELETED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RESTORED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RE_IDENTIFIED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RETYPED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_REFRESH_RELATIONSHIP_REQUEST: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_BATCH_INSTANCES_EVENT: _ClassVar[InstanceEventType]
    INSTANCE_EVENT_TYPE_INSTANCE_ERROR_EVENT: _ClassVar[InstanceEventType]

class OmrsEventErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OMRS_EVENT_ERROR_CODE_UNSPECIFIED: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_INVALID_EVENT_FORMAT: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_INVALID_REGISTRY_EVENT: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_INVALID_TYPEDEF_EVENT: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_INVALID_INSTANCE_EVENT: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_CONFLICTING_COLLECTION_ID: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_BAD_REMOTE_CONNECTION: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPEDEFS: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_CONFLICTING_ATTRIBUTE_TYPEDEFS: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_TYPEDEF_PATCH_MISMATCH: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_CONFLICTING_INSTANCES: _ClassVar[OmrsEventErrorCode]
    OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPE: _ClassVar[OmrsEventErrorCode]
OMRS_EVENT_CATEGORY_UNSPECIFIED: OmrsEventCategory
OMRS_EVENT_CATEGORY_REGISTRY: OmrsEventCategory
OMRS_EVENT_CATEGORY_TYPEDEF: OmrsEventCategory
OMRS_EVENT_CATEGORY_INSTANCE: OmrsEventCategory
OMRS_EVENT_CATEGORY_GENERIC: OmrsEventCategory
REGISTRY_EVENT_TYPE_UNSPECIFIED: RegistryEventType
REGISTRY_EVENT_TYPE_REGISTRATION_EVENT: RegistryEventType
REGISTRY_EVENT_TYPE_REFRESH_REGISTRATION_REQUEST: RegistryEventType
REGISTRY_EVENT_TYPE_RE_REGISTRATION_EVENT: RegistryEventType
REGISTRY_EVENT_TYPE_UN_REGISTRATION_EVENT: RegistryEventType
REGISTRY_EVENT_TYPE_REGISTRATION_ERROR_EVENT: RegistryEventType
TYPE_DEF_EVENT_TYPE_UNSPECIFIED: TypeDefEventType
TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_NEW_ATTRIBUTE_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_UPDATED_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_DELETED_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_DELETED_ATTRIBUTE_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_RE_IDENTIFIED_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_RE_IDENTIFIED_ATTRIBUTE_TYPEDEF_EVENT: TypeDefEventType
TYPE_DEF_EVENT_TYPE_TYPEDEF_ERROR_EVENT: TypeDefEventType
INSTANCE_EVENT_TYPE_UNSPECIFIED: InstanceEventType
INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_UPDATED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_UNDONE_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_CLASSIFIED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_DECLASSIFIED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RECLASSIFIED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_DELETED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RESTORED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RE_IDENTIFIED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RETYPED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RE_HOMED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_REFRESH_ENTITY_REQUEST: InstanceEventType
INSTANCE_EVENT_TYPE_REFRESHED_ENTITY_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_NEW_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_UPDATED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_UNDONE_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_DELETED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_PURGED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RESTORED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RE_IDENTIFIED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RETYPED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_RE_HOMED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_REFRESH_RELATIONSHIP_REQUEST: InstanceEventType
INSTANCE_EVENT_TYPE_REFRESHED_RELATIONSHIP_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_BATCH_INSTANCES_EVENT: InstanceEventType
INSTANCE_EVENT_TYPE_INSTANCE_ERROR_EVENT: InstanceEventType
OMRS_EVENT_ERROR_CODE_UNSPECIFIED: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_INVALID_EVENT_FORMAT: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_INVALID_REGISTRY_EVENT: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_INVALID_TYPEDEF_EVENT: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_INVALID_INSTANCE_EVENT: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_CONFLICTING_COLLECTION_ID: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_BAD_REMOTE_CONNECTION: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPEDEFS: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_CONFLICTING_ATTRIBUTE_TYPEDEFS: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_TYPEDEF_PATCH_MISMATCH: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_CONFLICTING_INSTANCES: OmrsEventErrorCode
OMRS_EVENT_ERROR_CODE_CONFLICTING_TYPE: OmrsEventErrorCode

class EventOriginator(_message.Message):
    __slots__ = ("metadata_collection_id", "metadata_collection_name", "server_name", "server_type", "organization_name")
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    metadata_collection_id: str
    metadata_collection_name: str
    server_name: str
    server_type: str
    organization_name: str
    def __init__(self, metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ..., server_name: _Optional[str] = ..., server_type: _Optional[str] = ..., organization_name: _Optional[str] = ...) -> None: ...

class MemberRegistration(_message.Message):
    __slots__ = ("metadata_collection_id", "metadata_collection_name", "server_name", "server_type", "organization_name", "endpoint", "registration_time")
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_TIME_FIELD_NUMBER: _ClassVar[int]
    metadata_collection_id: str
    metadata_collection_name: str
    server_name: str
    server_type: str
    organization_name: str
    endpoint: str
    registration_time: _timestamp_pb2.Timestamp
    def __init__(self, metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ..., server_name: _Optional[str] = ..., server_type: _Optional[str] = ..., organization_name: _Optional[str] = ..., endpoint: _Optional[str] = ..., registration_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegistryEventSection(_message.Message):
    __slots__ = ("event_type", "cohort_name", "registration")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    COHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    event_type: RegistryEventType
    cohort_name: str
    registration: MemberRegistration
    def __init__(self, event_type: _Optional[_Union[RegistryEventType, str]] = ..., cohort_name: _Optional[str] = ..., registration: _Optional[_Union[MemberRegistration, _Mapping]] = ...) -> None: ...

class TypeDefEventSection(_message.Message):
    __slots__ = ("event_type", "type_def", "attribute_type_def", "type_def_patch", "original_type_def_guid", "original_type_def_name")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_PATCH_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TYPE_DEF_GUID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TYPE_DEF_NAME_FIELD_NUMBER: _ClassVar[int]
    event_type: TypeDefEventType
    type_def: _typedefs_pb2.TypeDef
    attribute_type_def: _typedefs_pb2.AttributeTypeDef
    type_def_patch: _typedefs_pb2.TypeDefPatch
    original_type_def_guid: str
    original_type_def_name: str
    def __init__(self, event_type: _Optional[_Union[TypeDefEventType, str]] = ..., type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ..., attribute_type_def: _Optional[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]] = ..., type_def_patch: _Optional[_Union[_typedefs_pb2.TypeDefPatch, _Mapping]] = ..., original_type_def_guid: _Optional[str] = ..., original_type_def_name: _Optional[str] = ...) -> None: ...

class InstanceEventSection(_message.Message):
    __slots__ = ("event_type", "type_def_guid", "type_def_name", "instance_guid", "original_entity", "entity", "original_relationship", "relationship", "original_classification", "classification", "home_metadata_collection_id", "original_home_metadata_collection_id", "original_instance_guid", "original_type", "entity_proxy", "instance_batch")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_GUID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_ENTITY_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_INSTANCE_GUID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_PROXY_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_BATCH_FIELD_NUMBER: _ClassVar[int]
    event_type: InstanceEventType
    type_def_guid: str
    type_def_name: str
    instance_guid: str
    original_entity: _instances_pb2.EntityDetail
    entity: _instances_pb2.EntityDetail
    original_relationship: _instances_pb2.Relationship
    relationship: _instances_pb2.Relationship
    original_classification: _instances_pb2.Classification
    classification: _instances_pb2.Classification
    home_metadata_collection_id: str
    original_home_metadata_collection_id: str
    original_instance_guid: str
    original_type: _instances_pb2.InstanceType
    entity_proxy: _instances_pb2.EntityProxy
    instance_batch: _instances_pb2.InstanceGraph
    def __init__(self, event_type: _Optional[_Union[InstanceEventType, str]] = ..., type_def_guid: _Optional[str] = ..., type_def_name: _Optional[str] = ..., instance_guid: _Optional[str] = ..., original_entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ..., original_relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ..., original_classification: _Optional[_Union[_instances_pb2.Classification, _Mapping]] = ..., classification: _Optional[_Union[_instances_pb2.Classification, _Mapping]] = ..., home_metadata_collection_id: _Optional[str] = ..., original_home_metadata_collection_id: _Optional[str] = ..., original_instance_guid: _Optional[str] = ..., original_type: _Optional[_Union[_instances_pb2.InstanceType, _Mapping]] = ..., entity_proxy: _Optional[_Union[_instances_pb2.EntityProxy, _Mapping]] = ..., instance_batch: _Optional[_Union[_instances_pb2.InstanceGraph, _Mapping]] = ...) -> None: ...

class EventErrorSection(_message.Message):
    __slots__ = ("error_code", "error_message", "target_metadata_collection_id", "target_registration", "target_type_def", "target_attribute_type_def", "target_instance_guid", "other_type", "other_origin", "other_metadata_collection_id")
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    TARGET_ATTRIBUTE_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    TARGET_INSTANCE_GUID_FIELD_NUMBER: _ClassVar[int]
    OTHER_TYPE_FIELD_NUMBER: _ClassVar[int]
    OTHER_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    OTHER_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    error_code: OmrsEventErrorCode
    error_message: str
    target_metadata_collection_id: str
    target_registration: MemberRegistration
    target_type_def: _typedefs_pb2.TypeDef
    target_attribute_type_def: _typedefs_pb2.AttributeTypeDef
    target_instance_guid: str
    other_type: _instances_pb2.InstanceType
    other_origin: str
    other_metadata_collection_id: str
    def __init__(self, error_code: _Optional[_Union[OmrsEventErrorCode, str]] = ..., error_message: _Optional[str] = ..., target_metadata_collection_id: _Optional[str] = ..., target_registration: _Optional[_Union[MemberRegistration, _Mapping]] = ..., target_type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ..., target_attribute_type_def: _Optional[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]] = ..., target_instance_guid: _Optional[str] = ..., other_type: _Optional[_Union[_instances_pb2.InstanceType, _Mapping]] = ..., other_origin: _Optional[str] = ..., other_metadata_collection_id: _Optional[str] = ...) -> None: ...

class OmrsEvent(_message.Message):
    __slots__ = ("protocol_version", "timestamp", "originator", "category", "registry", "typedef", "instance", "error")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ORIGINATOR_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_FIELD_NUMBER: _ClassVar[int]
    TYPEDEF_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    protocol_version: str
    timestamp: _timestamp_pb2.Timestamp
    originator: EventOriginator
    category: OmrsEventCategory
    registry: RegistryEventSection
    typedef: TypeDefEventSection
    instance: InstanceEventSection
    error: EventErrorSection
    def __init__(self, protocol_version: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., originator: _Optional[_Union[EventOriginator, _Mapping]] = ..., category: _Optional[_Union[OmrsEventCategory, str]] = ..., registry: _Optional[_Union[RegistryEventSection, _Mapping]] = ..., typedef: _Optional[_Union[TypeDefEventSection, _Mapping]] = ..., instance: _Optional[_Union[InstanceEventSection, _Mapping]] = ..., error: _Optional[_Union[EventErrorSection, _Mapping]] = ...) -> None: ...

class SequencedEvent(_message.Message):
    __slots__ = ("sequence", "event", "user_id", "connector_id", "refresh_id", "metadata_source")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    event: OmrsEvent
    user_id: str
    connector_id: str
    refresh_id: str
    metadata_source: str
    def __init__(self, sequence: _Optional[int] = ..., event: _Optional[_Union[OmrsEvent, _Mapping]] = ..., user_id: _Optional[str] = ..., connector_id: _Optional[str] = ..., refresh_id: _Optional[str] = ..., metadata_source: _Optional[str] = ...) -> None: ...
