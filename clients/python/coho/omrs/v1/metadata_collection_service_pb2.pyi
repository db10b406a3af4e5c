import datetime

from coho.omrs.v1 import common_pb2 as _common_pb2
from coho.omrs.v1 import events_pb2 as _events_pb2
from coho.omrs.v1 import instances_pb2 as _instances_pb2
from coho.omrs.v1 import typedefs_pb2 as _typedefs_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReferenceCopyOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERENCE_COPY_OUTCOME_UNSPECIFIED: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_SAVED: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_IGNORED_BY_RULE: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_CONFLICTING_TYPE: _ClassVar[ReferenceCopyOutcome]
    REFERENCE_COPY_OUTCOME_PURGED: _ClassVar[ReferenceCopyOutcome]
REFERENCE_COPY_OUTCOME_UNSPECIFIED: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_SAVED: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_IGNORED_OLDER_VERSION: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_IGNORED_BY_RULE: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_IGNORED_UNKNOWN_TYPE: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_CONFLICTING_INSTANCES: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_CONFLICTING_TYPE: ReferenceCopyOutcome
REFERENCE_COPY_OUTCOME_PURGED: ReferenceCopyOutcome

class WriteOptions(_message.Message):
    __slots__ = ("expected_version",)
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    expected_version: int
    def __init__(self, expected_version: _Optional[int] = ...) -> None: ...

class GetMetadataCollectionIdRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetMetadataCollectionIdResponse(_message.Message):
    __slots__ = ("header", "metadata_collection_id", "metadata_collection_name")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    metadata_collection_id: str
    metadata_collection_name: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ...) -> None: ...

class NewEntity(_message.Message):
    __slots__ = ("type_name", "properties", "classifications", "initial_status", "guid")
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    GUID_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    properties: _instances_pb2.InstanceProperties
    classifications: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Classification]
    initial_status: _typedefs_pb2.InstanceStatus
    guid: str
    def __init__(self, type_name: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., classifications: _Optional[_Iterable[_Union[_instances_pb2.Classification, _Mapping]]] = ..., initial_status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., guid: _Optional[str] = ...) -> None: ...

class AddEntityRequest(_message.Message):
    __slots__ = ("entity", "request_id")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    entity: NewEntity
    request_id: str
    def __init__(self, entity: _Optional[_Union[NewEntity, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class AddEntitiesRequest(_message.Message):
    __slots__ = ("entities", "request_id")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[NewEntity]
    request_id: str
    def __init__(self, entities: _Optional[_Iterable[_Union[NewEntity, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddEntitiesResponse(_message.Message):
    __slots__ = ("header", "entities")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entities: _containers.RepeatedCompositeFieldContainer[_instances_pb2.EntityDetail]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[_instances_pb2.EntityDetail, _Mapping]]] = ...) -> None: ...

class AddEntityProxyRequest(_message.Message):
    __slots__ = ("proxy",)
    PROXY_FIELD_NUMBER: _ClassVar[int]
    proxy: _instances_pb2.EntityProxy
    def __init__(self, proxy: _Optional[_Union[_instances_pb2.EntityProxy, _Mapping]] = ...) -> None: ...

class AddEntityProxyResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class GetEntityRequest(_message.Message):
    __slots__ = ("guid", "as_of_time")
    GUID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    as_of_time: _timestamp_pb2.Timestamp
    def __init__(self, guid: _Optional[str] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class GetEntityProxyRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class GetEntityProxyResponse(_message.Message):
    __slots__ = ("header", "proxy")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PROXY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    proxy: _instances_pb2.EntityProxy
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., proxy: _Optional[_Union[_instances_pb2.EntityProxy, _Mapping]] = ...) -> None: ...

class GetEntityHistoryRequest(_message.Message):
    __slots__ = ("guid", "from_time", "to_time", "order", "page_size", "page_token")
    GUID_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    guid: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    order: _common_pb2.HistorySequencingOrder
    page_size: int
    page_token: str
    def __init__(self, guid: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order: _Optional[_Union[_common_pb2.HistorySequencingOrder, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetEntityHistoryResponse(_message.Message):
    __slots__ = ("header", "versions", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    versions: _containers.RepeatedCompositeFieldContainer[_instances_pb2.EntityDetail]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[_instances_pb2.EntityDetail, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class InstanceQuery(_message.Message):
    __slots__ = ("type_name", "subtype_names", "match_properties", "limit_results_by_status", "as_of_time", "sequencing", "page_size", "page_token", "federated")
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    SUBTYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    MATCH_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    subtype_names: _containers.RepeatedScalarFieldContainer[str]
    match_properties: _common_pb2.SearchProperties
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    as_of_time: _timestamp_pb2.Timestamp
    sequencing: _common_pb2.Sequencing
    page_size: int
    page_token: str
    federated: bool
    def __init__(self, type_name: _Optional[str] = ..., subtype_names: _Optional[_Iterable[str]] = ..., match_properties: _Optional[_Union[_common_pb2.SearchProperties, _Mapping]] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequencing: _Optional[_Union[_common_pb2.Sequencing, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., federated: _Optional[bool] = ...) -> None: ...

class FindEntitiesRequest(_message.Message):
    __slots__ = ("query", "match_classifications")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    MATCH_CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    query: InstanceQuery
    match_classifications: _common_pb2.SearchClassifications
    def __init__(self, query: _Optional[_Union[InstanceQuery, _Mapping]] = ..., match_classifications: _Optional[_Union[_common_pb2.SearchClassifications, _Mapping]] = ...) -> None: ...

class FindEntitiesResponse(_message.Message):
    __slots__ = ("header", "entities", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entities: _containers.RepeatedCompositeFieldContainer[_instances_pb2.EntityDetail]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[_instances_pb2.EntityDetail, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindEntitiesByPropertyValueRequest(_message.Message):
    __slots__ = ("search_criteria", "type_name", "limit_results_by_status", "limit_results_by_classification", "as_of_time", "sequencing", "page_size", "page_token", "federated")
    SEARCH_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    search_criteria: str
    type_name: str
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    limit_results_by_classification: _containers.RepeatedScalarFieldContainer[str]
    as_of_time: _timestamp_pb2.Timestamp
    sequencing: _common_pb2.Sequencing
    page_size: int
    page_token: str
    federated: bool
    def __init__(self, search_criteria: _Optional[str] = ..., type_name: _Optional[str] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., limit_results_by_classification: _Optional[_Iterable[str]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequencing: _Optional[_Union[_common_pb2.Sequencing, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., federated: _Optional[bool] = ...) -> None: ...

class FindEntitiesByPropertyValueResponse(_message.Message):
    __slots__ = ("header", "entities", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entities: _containers.RepeatedCompositeFieldContainer[_instances_pb2.EntityDetail]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[_instances_pb2.EntityDetail, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateEntityPropertiesRequest(_message.Message):
    __slots__ = ("guid", "properties", "merge", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    properties: _instances_pb2.InstanceProperties
    merge: bool
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., merge: _Optional[bool] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class UpdateEntityPropertiesResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class UpdateEntityStatusRequest(_message.Message):
    __slots__ = ("guid", "new_status", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_status: _typedefs_pb2.InstanceStatus
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., new_status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class UpdateEntityStatusResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class UndoEntityUpdateRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class UndoEntityUpdateResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class DeleteEntityRequest(_message.Message):
    __slots__ = ("guid", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class DeleteEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class RestoreEntityRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class RestoreEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class PurgeEntityRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class PurgeEntityResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class ClassifyEntityRequest(_message.Message):
    __slots__ = ("guid", "classification_name", "properties", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    classification_name: str
    properties: _instances_pb2.InstanceProperties
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., classification_name: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class ClassifyEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class ReclassifyEntityRequest(_message.Message):
    __slots__ = ("guid", "classification_name", "properties", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    classification_name: str
    properties: _instances_pb2.InstanceProperties
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., classification_name: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class ReclassifyEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class DeclassifyEntityRequest(_message.Message):
    __slots__ = ("guid", "classification_name", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_NAME_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    classification_name: str
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., classification_name: _Optional[str] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class DeclassifyEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class ReIdentifyEntityRequest(_message.Message):
    __slots__ = ("guid", "new_guid")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_guid: str
    def __init__(self, guid: _Optional[str] = ..., new_guid: _Optional[str] = ...) -> None: ...

class ReIdentifyEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class ReTypeEntityRequest(_message.Message):
    __slots__ = ("guid", "new_type_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_type_name: str
    def __init__(self, guid: _Optional[str] = ..., new_type_name: _Optional[str] = ...) -> None: ...

class ReTypeEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class ReHomeEntityRequest(_message.Message):
    __slots__ = ("guid", "new_home_metadata_collection_id", "new_home_metadata_collection_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_HOME_METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_home_metadata_collection_id: str
    new_home_metadata_collection_name: str
    def __init__(self, guid: _Optional[str] = ..., new_home_metadata_collection_id: _Optional[str] = ..., new_home_metadata_collection_name: _Optional[str] = ...) -> None: ...

class ReHomeEntityResponse(_message.Message):
    __slots__ = ("header", "entity")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity: _instances_pb2.EntityDetail
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class NewRelationship(_message.Message):
    __slots__ = ("type_name", "properties", "entity_one_guid", "entity_two_guid", "initial_status", "guid")
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ONE_GUID_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TWO_GUID_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    GUID_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    properties: _instances_pb2.InstanceProperties
    entity_one_guid: str
    entity_two_guid: str
    initial_status: _typedefs_pb2.InstanceStatus
    guid: str
    def __init__(self, type_name: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., entity_one_guid: _Optional[str] = ..., entity_two_guid: _Optional[str] = ..., initial_status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., guid: _Optional[str] = ...) -> None: ...

class AddRelationshipRequest(_message.Message):
    __slots__ = ("relationship", "request_id")
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    relationship: NewRelationship
    request_id: str
    def __init__(self, relationship: _Optional[_Union[NewRelationship, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class AddRelationshipsRequest(_message.Message):
    __slots__ = ("relationships", "request_id")
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    relationships: _containers.RepeatedCompositeFieldContainer[NewRelationship]
    request_id: str
    def __init__(self, relationships: _Optional[_Iterable[_Union[NewRelationship, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddRelationshipsResponse(_message.Message):
    __slots__ = ("header", "relationships")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationships: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Relationship]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_instances_pb2.Relationship, _Mapping]]] = ...) -> None: ...

class GetRelationshipRequest(_message.Message):
    __slots__ = ("guid", "as_of_time")
    GUID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    as_of_time: _timestamp_pb2.Timestamp
    def __init__(self, guid: _Optional[str] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class GetRelationshipHistoryRequest(_message.Message):
    __slots__ = ("guid", "from_time", "to_time", "order", "page_size", "page_token")
    GUID_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    guid: str
    from_time: _timestamp_pb2.Timestamp
    to_time: _timestamp_pb2.Timestamp
    order: _common_pb2.HistorySequencingOrder
    page_size: int
    page_token: str
    def __init__(self, guid: _Optional[str] = ..., from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order: _Optional[_Union[_common_pb2.HistorySequencingOrder, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetRelationshipHistoryResponse(_message.Message):
    __slots__ = ("header", "versions", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    versions: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Relationship]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[_instances_pb2.Relationship, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindRelationshipsRequest(_message.Message):
    __slots__ = ("query",)
    QUERY_FIELD_NUMBER: _ClassVar[int]
    query: InstanceQuery
    def __init__(self, query: _Optional[_Union[InstanceQuery, _Mapping]] = ...) -> None: ...

class FindRelationshipsResponse(_message.Message):
    __slots__ = ("header", "relationships", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationships: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Relationship]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_instances_pb2.Relationship, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindRelationshipsByPropertyValueRequest(_message.Message):
    __slots__ = ("search_criteria", "type_name", "limit_results_by_status", "as_of_time", "sequencing", "page_size", "page_token", "federated")
    SEARCH_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    search_criteria: str
    type_name: str
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    as_of_time: _timestamp_pb2.Timestamp
    sequencing: _common_pb2.Sequencing
    page_size: int
    page_token: str
    federated: bool
    def __init__(self, search_criteria: _Optional[str] = ..., type_name: _Optional[str] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequencing: _Optional[_Union[_common_pb2.Sequencing, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., federated: _Optional[bool] = ...) -> None: ...

class FindRelationshipsByPropertyValueResponse(_message.Message):
    __slots__ = ("header", "relationships", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationships: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Relationship]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_instances_pb2.Relationship, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateRelationshipPropertiesRequest(_message.Message):
    __slots__ = ("guid", "properties", "merge", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    properties: _instances_pb2.InstanceProperties
    merge: bool
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., merge: _Optional[bool] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class UpdateRelationshipPropertiesResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class UpdateRelationshipStatusRequest(_message.Message):
    __slots__ = ("guid", "new_status", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_status: _typedefs_pb2.InstanceStatus
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., new_status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class UpdateRelationshipStatusResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class UndoRelationshipUpdateRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class UndoRelationshipUpdateResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class DeleteRelationshipRequest(_message.Message):
    __slots__ = ("guid", "options")
    GUID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    guid: str
    options: WriteOptions
    def __init__(self, guid: _Optional[str] = ..., options: _Optional[_Union[WriteOptions, _Mapping]] = ...) -> None: ...

class DeleteRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class RestoreRelationshipRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class RestoreRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class PurgeRelationshipRequest(_message.Message):
    __slots__ = ("guid",)
    GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    def __init__(self, guid: _Optional[str] = ...) -> None: ...

class PurgeRelationshipResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class ReIdentifyRelationshipRequest(_message.Message):
    __slots__ = ("guid", "new_guid")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_GUID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_guid: str
    def __init__(self, guid: _Optional[str] = ..., new_guid: _Optional[str] = ...) -> None: ...

class ReIdentifyRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class ReTypeRelationshipRequest(_message.Message):
    __slots__ = ("guid", "new_type_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_type_name: str
    def __init__(self, guid: _Optional[str] = ..., new_type_name: _Optional[str] = ...) -> None: ...

class ReTypeRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class ReHomeRelationshipRequest(_message.Message):
    __slots__ = ("guid", "new_home_metadata_collection_id", "new_home_metadata_collection_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NEW_HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_HOME_METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    new_home_metadata_collection_id: str
    new_home_metadata_collection_name: str
    def __init__(self, guid: _Optional[str] = ..., new_home_metadata_collection_id: _Optional[str] = ..., new_home_metadata_collection_name: _Optional[str] = ...) -> None: ...

class ReHomeRelationshipResponse(_message.Message):
    __slots__ = ("header", "relationship")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationship: _instances_pb2.Relationship
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class GetRelationshipsForEntityRequest(_message.Message):
    __slots__ = ("entity_guid", "relationship_type_name", "limit_results_by_status", "as_of_time", "sequencing", "page_size", "page_token", "federated")
    ENTITY_GUID_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    entity_guid: str
    relationship_type_name: str
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    as_of_time: _timestamp_pb2.Timestamp
    sequencing: _common_pb2.Sequencing
    page_size: int
    page_token: str
    federated: bool
    def __init__(self, entity_guid: _Optional[str] = ..., relationship_type_name: _Optional[str] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequencing: _Optional[_Union[_common_pb2.Sequencing, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., federated: _Optional[bool] = ...) -> None: ...

class GetRelationshipsForEntityResponse(_message.Message):
    __slots__ = ("header", "relationships", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    relationships: _containers.RepeatedCompositeFieldContainer[_instances_pb2.Relationship]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_instances_pb2.Relationship, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class TraversalFilter(_message.Message):
    __slots__ = ("entity_type_names", "relationship_type_names", "limit_results_by_classification", "limit_results_by_status", "as_of_time")
    ENTITY_TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    entity_type_names: _containers.RepeatedScalarFieldContainer[str]
    relationship_type_names: _containers.RepeatedScalarFieldContainer[str]
    limit_results_by_classification: _containers.RepeatedScalarFieldContainer[str]
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    as_of_time: _timestamp_pb2.Timestamp
    def __init__(self, entity_type_names: _Optional[_Iterable[str]] = ..., relationship_type_names: _Optional[_Iterable[str]] = ..., limit_results_by_classification: _Optional[_Iterable[str]] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetEntityNeighborhoodRequest(_message.Message):
    __slots__ = ("entity_guid", "filter", "level", "federated")
    ENTITY_GUID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    entity_guid: str
    filter: TraversalFilter
    level: int
    federated: bool
    def __init__(self, entity_guid: _Optional[str] = ..., filter: _Optional[_Union[TraversalFilter, _Mapping]] = ..., level: _Optional[int] = ..., federated: _Optional[bool] = ...) -> None: ...

class GetEntityNeighborhoodResponse(_message.Message):
    __slots__ = ("header", "graph")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    graph: _instances_pb2.InstanceGraph
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., graph: _Optional[_Union[_instances_pb2.InstanceGraph, _Mapping]] = ...) -> None: ...

class GetRelatedEntitiesRequest(_message.Message):
    __slots__ = ("entity_guid", "filter", "sequencing", "page_size", "page_token", "federated")
    ENTITY_GUID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    entity_guid: str
    filter: TraversalFilter
    sequencing: _common_pb2.Sequencing
    page_size: int
    page_token: str
    federated: bool
    def __init__(self, entity_guid: _Optional[str] = ..., filter: _Optional[_Union[TraversalFilter, _Mapping]] = ..., sequencing: _Optional[_Union[_common_pb2.Sequencing, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., federated: _Optional[bool] = ...) -> None: ...

class GetRelatedEntitiesResponse(_message.Message):
    __slots__ = ("header", "entities", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entities: _containers.RepeatedCompositeFieldContainer[_instances_pb2.EntityDetail]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[_instances_pb2.EntityDetail, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetLinkingEntitiesRequest(_message.Message):
    __slots__ = ("start_entity_guid", "end_entity_guid", "limit_results_by_status", "as_of_time", "federated")
    START_ENTITY_GUID_FIELD_NUMBER: _ClassVar[int]
    END_ENTITY_GUID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_RESULTS_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_FIELD_NUMBER: _ClassVar[int]
    start_entity_guid: str
    end_entity_guid: str
    limit_results_by_status: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    as_of_time: _timestamp_pb2.Timestamp
    federated: bool
    def __init__(self, start_entity_guid: _Optional[str] = ..., end_entity_guid: _Optional[str] = ..., limit_results_by_status: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., federated: _Optional[bool] = ...) -> None: ...

class GetLinkingEntitiesResponse(_message.Message):
    __slots__ = ("header", "graph")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    graph: _instances_pb2.InstanceGraph
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., graph: _Optional[_Union[_instances_pb2.InstanceGraph, _Mapping]] = ...) -> None: ...

class SaveEntityReferenceCopyRequest(_message.Message):
    __slots__ = ("entity",)
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    entity: _instances_pb2.EntityDetail
    def __init__(self, entity: _Optional[_Union[_instances_pb2.EntityDetail, _Mapping]] = ...) -> None: ...

class SaveEntityReferenceCopyResponse(_message.Message):
    __slots__ = ("header", "outcome")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    outcome: ReferenceCopyOutcome
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., outcome: _Optional[_Union[ReferenceCopyOutcome, str]] = ...) -> None: ...

class PurgeEntityReferenceCopyRequest(_message.Message):
    __slots__ = ("guid", "home_metadata_collection_id")
    GUID_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    home_metadata_collection_id: str
    def __init__(self, guid: _Optional[str] = ..., home_metadata_collection_id: _Optional[str] = ...) -> None: ...

class PurgeEntityReferenceCopyResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class RefreshEntityReferenceCopyRequest(_message.Message):
    __slots__ = ("guid", "type_name", "home_metadata_collection_id")
    GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    type_name: str
    home_metadata_collection_id: str
    def __init__(self, guid: _Optional[str] = ..., type_name: _Optional[str] = ..., home_metadata_collection_id: _Optional[str] = ...) -> None: ...

class RefreshEntityReferenceCopyResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class SaveRelationshipReferenceCopyRequest(_message.Message):
    __slots__ = ("relationship",)
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    relationship: _instances_pb2.Relationship
    def __init__(self, relationship: _Optional[_Union[_instances_pb2.Relationship, _Mapping]] = ...) -> None: ...

class SaveRelationshipReferenceCopyResponse(_message.Message):
    __slots__ = ("header", "outcome")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    outcome: ReferenceCopyOutcome
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., outcome: _Optional[_Union[ReferenceCopyOutcome, str]] = ...) -> None: ...

class PurgeRelationshipReferenceCopyRequest(_message.Message):
    __slots__ = ("guid", "home_metadata_collection_id")
    GUID_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    home_metadata_collection_id: str
    def __init__(self, guid: _Optional[str] = ..., home_metadata_collection_id: _Optional[str] = ...) -> None: ...

class PurgeRelationshipReferenceCopyResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class RefreshRelationshipReferenceCopyRequest(_message.Message):
    __slots__ = ("guid", "type_name", "home_metadata_collection_id")
    GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    guid: str
    type_name: str
    home_metadata_collection_id: str
    def __init__(self, guid: _Optional[str] = ..., type_name: _Optional[str] = ..., home_metadata_collection_id: _Optional[str] = ...) -> None: ...

class RefreshRelationshipReferenceCopyResponse(_message.Message):
    __slots__ = ("header",)
    HEADER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ...) -> None: ...

class SaveInstanceReferenceCopiesRequest(_message.Message):
    __slots__ = ("graph",)
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    graph: _instances_pb2.InstanceGraph
    def __init__(self, graph: _Optional[_Union[_instances_pb2.InstanceGraph, _Mapping]] = ...) -> None: ...

class SaveInstanceReferenceCopiesResponse(_message.Message):
    __slots__ = ("header", "entity_outcomes", "relationship_outcomes")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entity_outcomes: _containers.RepeatedScalarFieldContainer[ReferenceCopyOutcome]
    relationship_outcomes: _containers.RepeatedScalarFieldContainer[ReferenceCopyOutcome]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entity_outcomes: _Optional[_Iterable[_Union[ReferenceCopyOutcome, str]]] = ..., relationship_outcomes: _Optional[_Iterable[_Union[ReferenceCopyOutcome, str]]] = ...) -> None: ...

class ReadChangeLogRequest(_message.Message):
    __slots__ = ("after_sequence", "page_size", "refresh_id")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    REFRESH_ID_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    page_size: int
    refresh_id: str
    def __init__(self, after_sequence: _Optional[int] = ..., page_size: _Optional[int] = ..., refresh_id: _Optional[str] = ...) -> None: ...

class ReadChangeLogResponse(_message.Message):
    __slots__ = ("header", "entries")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    entries: _containers.RepeatedCompositeFieldContainer[_events_pb2.SequencedEvent]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., entries: _Optional[_Iterable[_Union[_events_pb2.SequencedEvent, _Mapping]]] = ...) -> None: ...
