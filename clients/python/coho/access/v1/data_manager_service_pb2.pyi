import datetime

from coho.access.v1 import elements_pb2 as _elements_pb2
from coho.omrs.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ElementKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ELEMENT_KIND_UNSPECIFIED: _ClassVar[ElementKind]
    ELEMENT_KIND_DATABASE: _ClassVar[ElementKind]
    ELEMENT_KIND_DATABASE_SCHEMA: _ClassVar[ElementKind]
    ELEMENT_KIND_TABLE: _ClassVar[ElementKind]
    ELEMENT_KIND_COLUMN: _ClassVar[ElementKind]
    ELEMENT_KIND_FOLDER: _ClassVar[ElementKind]
    ELEMENT_KIND_FILE: _ClassVar[ElementKind]
    ELEMENT_KIND_TOPIC: _ClassVar[ElementKind]
ELEMENT_KIND_UNSPECIFIED: ElementKind
ELEMENT_KIND_DATABASE: ElementKind
ELEMENT_KIND_DATABASE_SCHEMA: ElementKind
ELEMENT_KIND_TABLE: ElementKind
ELEMENT_KIND_COLUMN: ElementKind
ELEMENT_KIND_FOLDER: ElementKind
ELEMENT_KIND_FILE: ElementKind
ELEMENT_KIND_TOPIC: ElementKind

class DatabaseElement(_message.Message):
    __slots__ = ("database_type", "database_version", "path_name", "database_instance")
    DATABASE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATABASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PATH_NAME_FIELD_NUMBER: _ClassVar[int]
    DATABASE_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    database_type: str
    database_version: str
    path_name: str
    database_instance: str
    def __init__(self, database_type: _Optional[str] = ..., database_version: _Optional[str] = ..., path_name: _Optional[str] = ..., database_instance: _Optional[str] = ...) -> None: ...

class DatabaseSchemaElement(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TableElement(_message.Message):
    __slots__ = ("is_view", "view_definition")
    IS_VIEW_FIELD_NUMBER: _ClassVar[int]
    VIEW_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    is_view: bool
    view_definition: str
    def __init__(self, is_view: _Optional[bool] = ..., view_definition: _Optional[str] = ...) -> None: ...

class ColumnElement(_message.Message):
    __slots__ = ("data_type", "position", "is_nullable", "is_primary_key", "max_length", "default_value")
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    IS_NULLABLE_FIELD_NUMBER: _ClassVar[int]
    IS_PRIMARY_KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    data_type: str
    position: int
    is_nullable: bool
    is_primary_key: bool
    max_length: int
    default_value: str
    def __init__(self, data_type: _Optional[str] = ..., position: _Optional[int] = ..., is_nullable: _Optional[bool] = ..., is_primary_key: _Optional[bool] = ..., max_length: _Optional[int] = ..., default_value: _Optional[str] = ...) -> None: ...

class FolderElement(_message.Message):
    __slots__ = ("path_name",)
    PATH_NAME_FIELD_NUMBER: _ClassVar[int]
    path_name: str
    def __init__(self, path_name: _Optional[str] = ...) -> None: ...

class FileElement(_message.Message):
    __slots__ = ("path_name", "file_name", "file_extension", "file_type", "size_bytes", "modified_time")
    PATH_NAME_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    FILE_EXTENSION_FIELD_NUMBER: _ClassVar[int]
    FILE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_TIME_FIELD_NUMBER: _ClassVar[int]
    path_name: str
    file_name: str
    file_extension: str
    file_type: str
    size_bytes: int
    modified_time: _timestamp_pb2.Timestamp
    def __init__(self, path_name: _Optional[str] = ..., file_name: _Optional[str] = ..., file_extension: _Optional[str] = ..., file_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., modified_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TopicElement(_message.Message):
    __slots__ = ("topic_type", "partitions")
    TOPIC_TYPE_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    topic_type: str
    partitions: int
    def __init__(self, topic_type: _Optional[str] = ..., partitions: _Optional[int] = ...) -> None: ...

class DataElement(_message.Message):
    __slots__ = ("qualified_name", "display_name", "description", "parent_qualified_name", "additional_properties", "database", "schema", "table", "column", "folder", "file", "topic")
    class AdditionalPropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARENT_QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    DATABASE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    qualified_name: str
    display_name: str
    description: str
    parent_qualified_name: str
    additional_properties: _containers.ScalarMap[str, str]
    database: DatabaseElement
    schema: DatabaseSchemaElement
    table: TableElement
    column: ColumnElement
    folder: FolderElement
    file: FileElement
    topic: TopicElement
    def __init__(self, qualified_name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., parent_qualified_name: _Optional[str] = ..., additional_properties: _Optional[_Mapping[str, str]] = ..., database: _Optional[_Union[DatabaseElement, _Mapping]] = ..., schema: _Optional[_Union[DatabaseSchemaElement, _Mapping]] = ..., table: _Optional[_Union[TableElement, _Mapping]] = ..., column: _Optional[_Union[ColumnElement, _Mapping]] = ..., folder: _Optional[_Union[FolderElement, _Mapping]] = ..., file: _Optional[_Union[FileElement, _Mapping]] = ..., topic: _Optional[_Union[TopicElement, _Mapping]] = ...) -> None: ...

class DataElementView(_message.Message):
    __slots__ = ("header", "element", "parent_guid")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    PARENT_GUID_FIELD_NUMBER: _ClassVar[int]
    header: _elements_pb2.ElementHeader
    element: DataElement
    parent_guid: str
    def __init__(self, header: _Optional[_Union[_elements_pb2.ElementHeader, _Mapping]] = ..., element: _Optional[_Union[DataElement, _Mapping]] = ..., parent_guid: _Optional[str] = ...) -> None: ...

class UpsertElementsRequest(_message.Message):
    __slots__ = ("elements", "external_source", "request_id")
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    elements: _containers.RepeatedCompositeFieldContainer[DataElement]
    external_source: str
    request_id: str
    def __init__(self, elements: _Optional[_Iterable[_Union[DataElement, _Mapping]]] = ..., external_source: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpsertElementsResponse(_message.Message):
    __slots__ = ("header", "results")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    results: _containers.RepeatedCompositeFieldContainer[_elements_pb2.ElementResult]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., results: _Optional[_Iterable[_Union[_elements_pb2.ElementResult, _Mapping]]] = ...) -> None: ...

class DeleteElementsRequest(_message.Message):
    __slots__ = ("qualified_names", "guids", "cascade")
    QUALIFIED_NAMES_FIELD_NUMBER: _ClassVar[int]
    GUIDS_FIELD_NUMBER: _ClassVar[int]
    CASCADE_FIELD_NUMBER: _ClassVar[int]
    qualified_names: _containers.RepeatedScalarFieldContainer[str]
    guids: _containers.RepeatedScalarFieldContainer[str]
    cascade: bool
    def __init__(self, qualified_names: _Optional[_Iterable[str]] = ..., guids: _Optional[_Iterable[str]] = ..., cascade: _Optional[bool] = ...) -> None: ...

class DeleteElementsResponse(_message.Message):
    __slots__ = ("header", "results")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    results: _containers.RepeatedCompositeFieldContainer[_elements_pb2.ElementResult]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., results: _Optional[_Iterable[_Union[_elements_pb2.ElementResult, _Mapping]]] = ...) -> None: ...

class GetElementRequest(_message.Message):
    __slots__ = ("guid", "qualified_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    qualified_name: str
    def __init__(self, guid: _Optional[str] = ..., qualified_name: _Optional[str] = ...) -> None: ...

class GetElementResponse(_message.Message):
    __slots__ = ("header", "element")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    element: DataElementView
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., element: _Optional[_Union[DataElementView, _Mapping]] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ("parent_guid", "parent_qualified_name", "kind", "page_size", "page_token")
    PARENT_GUID_FIELD_NUMBER: _ClassVar[int]
    PARENT_QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent_guid: str
    parent_qualified_name: str
    kind: ElementKind
    page_size: int
    page_token: str
    def __init__(self, parent_guid: _Optional[str] = ..., parent_qualified_name: _Optional[str] = ..., kind: _Optional[_Union[ElementKind, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListChildrenResponse(_message.Message):
    __slots__ = ("header", "children", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    children: _containers.RepeatedCompositeFieldContainer[DataElementView]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., children: _Optional[_Iterable[_Union[DataElementView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindElementsRequest(_message.Message):
    __slots__ = ("kind", "name_pattern", "external_source", "page_size", "page_token")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_PATTERN_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    kind: ElementKind
    name_pattern: str
    external_source: str
    page_size: int
    page_token: str
    def __init__(self, kind: _Optional[_Union[ElementKind, str]] = ..., name_pattern: _Optional[str] = ..., external_source: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class FindElementsResponse(_message.Message):
    __slots__ = ("header", "elements", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    elements: _containers.RepeatedCompositeFieldContainer[DataElementView]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., elements: _Optional[_Iterable[_Union[DataElementView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
