import datetime

from coho.access.v1 import elements_pb2 as _elements_pb2
from coho.omrs.v1 import common_pb2 as _common_pb2
from coho.omrs.v1 import instances_pb2 as _instances_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExternalIdentifier(_message.Message):
    __slots__ = ("external_source", "external_identifier", "external_identifier_name", "external_identifier_usage", "key_pattern", "last_synchronized", "element_guid", "element_type_name")
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_NAME_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_USAGE_FIELD_NUMBER: _ClassVar[int]
    KEY_PATTERN_FIELD_NUMBER: _ClassVar[int]
    LAST_SYNCHRONIZED_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_GUID_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    external_source: str
    external_identifier: str
    external_identifier_name: str
    external_identifier_usage: str
    key_pattern: str
    last_synchronized: _timestamp_pb2.Timestamp
    element_guid: str
    element_type_name: str
    def __init__(self, external_source: _Optional[str] = ..., external_identifier: _Optional[str] = ..., external_identifier_name: _Optional[str] = ..., external_identifier_usage: _Optional[str] = ..., key_pattern: _Optional[str] = ..., last_synchronized: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., element_guid: _Optional[str] = ..., element_type_name: _Optional[str] = ...) -> None: ...

class ExternalElement(_message.Message):
    __slots__ = ("external_identifier", "type_name", "qualified_name", "display_name", "description", "properties", "typed_properties", "external_identifier_name", "external_identifier_usage")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXTERNAL_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    TYPED_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_NAME_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_USAGE_FIELD_NUMBER: _ClassVar[int]
    external_identifier: str
    type_name: str
    qualified_name: str
    display_name: str
    description: str
    properties: _containers.ScalarMap[str, str]
    typed_properties: _instances_pb2.InstanceProperties
    external_identifier_name: str
    external_identifier_usage: str
    def __init__(self, external_identifier: _Optional[str] = ..., type_name: _Optional[str] = ..., qualified_name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ..., typed_properties: _Optional[_Union[_instances_pb2.InstanceProperties, _Mapping]] = ..., external_identifier_name: _Optional[str] = ..., external_identifier_usage: _Optional[str] = ...) -> None: ...

class ExternalElementView(_message.Message):
    __slots__ = ("header", "element", "identifier")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    header: _elements_pb2.ElementHeader
    element: ExternalElement
    identifier: ExternalIdentifier
    def __init__(self, header: _Optional[_Union[_elements_pb2.ElementHeader, _Mapping]] = ..., element: _Optional[_Union[ExternalElement, _Mapping]] = ..., identifier: _Optional[_Union[ExternalIdentifier, _Mapping]] = ...) -> None: ...

class UpsertExternalElementsRequest(_message.Message):
    __slots__ = ("external_source", "elements", "request_id")
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    external_source: str
    elements: _containers.RepeatedCompositeFieldContainer[ExternalElement]
    request_id: str
    def __init__(self, external_source: _Optional[str] = ..., elements: _Optional[_Iterable[_Union[ExternalElement, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpsertExternalElementsResponse(_message.Message):
    __slots__ = ("header", "results")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    results: _containers.RepeatedCompositeFieldContainer[_elements_pb2.ElementResult]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., results: _Optional[_Iterable[_Union[_elements_pb2.ElementResult, _Mapping]]] = ...) -> None: ...

class MapExternalIdentifierRequest(_message.Message):
    __slots__ = ("element_guid", "identifier")
    ELEMENT_GUID_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    element_guid: str
    identifier: ExternalIdentifier
    def __init__(self, element_guid: _Optional[str] = ..., identifier: _Optional[_Union[ExternalIdentifier, _Mapping]] = ...) -> None: ...

class MapExternalIdentifierResponse(_message.Message):
    __slots__ = ("header", "identifier")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    identifier: ExternalIdentifier
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., identifier: _Optional[_Union[ExternalIdentifier, _Mapping]] = ...) -> None: ...

class GetElementByExternalIdentifierRequest(_message.Message):
    __slots__ = ("external_source", "external_identifier")
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    external_source: str
    external_identifier: str
    def __init__(self, external_source: _Optional[str] = ..., external_identifier: _Optional[str] = ...) -> None: ...

class GetElementByExternalIdentifierResponse(_message.Message):
    __slots__ = ("header", "element")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    element: ExternalElementView
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., element: _Optional[_Union[ExternalElementView, _Mapping]] = ...) -> None: ...

class GetExternalIdentifiersRequest(_message.Message):
    __slots__ = ("element_guid",)
    ELEMENT_GUID_FIELD_NUMBER: _ClassVar[int]
    element_guid: str
    def __init__(self, element_guid: _Optional[str] = ...) -> None: ...

class GetExternalIdentifiersResponse(_message.Message):
    __slots__ = ("header", "identifiers")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    identifiers: _containers.RepeatedCompositeFieldContainer[ExternalIdentifier]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., identifiers: _Optional[_Iterable[_Union[ExternalIdentifier, _Mapping]]] = ...) -> None: ...

class ListExternalSourceElementsRequest(_message.Message):
    __slots__ = ("external_source", "page_size", "page_token")
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    external_source: str
    page_size: int
    page_token: str
    def __init__(self, external_source: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListExternalSourceElementsResponse(_message.Message):
    __slots__ = ("header", "elements", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    elements: _containers.RepeatedCompositeFieldContainer[ExternalElementView]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., elements: _Optional[_Iterable[_Union[ExternalElementView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteExternalElementsRequest(_message.Message):
    __slots__ = ("external_source", "external_identifiers")
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    external_source: str
    external_identifiers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, external_source: _Optional[str] = ..., external_identifiers: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteExternalElementsResponse(_message.Message):
    __slots__ = ("header", "results")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    results: _containers.RepeatedCompositeFieldContainer[_elements_pb2.ElementResult]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., results: _Optional[_Iterable[_Union[_elements_pb2.ElementResult, _Mapping]]] = ...) -> None: ...
