from coho.omrs.v1 import common_pb2 as _common_pb2
from coho.omrs.v1 import typedefs_pb2 as _typedefs_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListTypeDefsRequest(_message.Message):
    __slots__ = ("category", "page_size", "page_token")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    category: _typedefs_pb2.TypeDefCategory
    page_size: int
    page_token: str
    def __init__(self, category: _Optional[_Union[_typedefs_pb2.TypeDefCategory, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTypeDefsResponse(_message.Message):
    __slots__ = ("header", "type_defs", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    type_defs: _containers.RepeatedCompositeFieldContainer[_typedefs_pb2.TypeDef]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., type_defs: _Optional[_Iterable[_Union[_typedefs_pb2.TypeDef, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListAttributeTypeDefsRequest(_message.Message):
    __slots__ = ("category", "page_size", "page_token")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    category: _typedefs_pb2.AttributeTypeDefCategory
    page_size: int
    page_token: str
    def __init__(self, category: _Optional[_Union[_typedefs_pb2.AttributeTypeDefCategory, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAttributeTypeDefsResponse(_message.Message):
    __slots__ = ("header", "attribute_type_defs", "next_page_token")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    attribute_type_defs: _containers.RepeatedCompositeFieldContainer[_typedefs_pb2.AttributeTypeDef]
    next_page_token: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., attribute_type_defs: _Optional[_Iterable[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTypeDefRequest(_message.Message):
    __slots__ = ("guid", "name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    name: str
    def __init__(self, guid: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetTypeDefResponse(_message.Message):
    __slots__ = ("header", "type_def", "all_properties", "super_type_names")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    ALL_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    SUPER_TYPE_NAMES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    type_def: _typedefs_pb2.TypeDef
    all_properties: _containers.RepeatedCompositeFieldContainer[_typedefs_pb2.TypeDefAttribute]
    super_type_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ..., all_properties: _Optional[_Iterable[_Union[_typedefs_pb2.TypeDefAttribute, _Mapping]]] = ..., super_type_names: _Optional[_Iterable[str]] = ...) -> None: ...

class GetAttributeTypeDefRequest(_message.Message):
    __slots__ = ("guid", "name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    name: str
    def __init__(self, guid: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetAttributeTypeDefResponse(_message.Message):
    __slots__ = ("header", "attribute_type_def")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    attribute_type_def: _typedefs_pb2.AttributeTypeDef
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., attribute_type_def: _Optional[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]] = ...) -> None: ...

class AddTypeDefRequest(_message.Message):
    __slots__ = ("type_def",)
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    type_def: _typedefs_pb2.TypeDef
    def __init__(self, type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ...) -> None: ...

class AddTypeDefResponse(_message.Message):
    __slots__ = ("header", "type_def")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    type_def: _typedefs_pb2.TypeDef
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ...) -> None: ...

class AddAttributeTypeDefRequest(_message.Message):
    __slots__ = ("attribute_type_def",)
    ATTRIBUTE_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    attribute_type_def: _typedefs_pb2.AttributeTypeDef
    def __init__(self, attribute_type_def: _Optional[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]] = ...) -> None: ...

class AddAttributeTypeDefResponse(_message.Message):
    __slots__ = ("header", "attribute_type_def")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    attribute_type_def: _typedefs_pb2.AttributeTypeDef
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., attribute_type_def: _Optional[_Union[_typedefs_pb2.AttributeTypeDef, _Mapping]] = ...) -> None: ...

class PatchTypeDefRequest(_message.Message):
    __slots__ = ("patch",)
    PATCH_FIELD_NUMBER: _ClassVar[int]
    patch: _typedefs_pb2.TypeDefPatch
    def __init__(self, patch: _Optional[_Union[_typedefs_pb2.TypeDefPatch, _Mapping]] = ...) -> None: ...

class PatchTypeDefResponse(_message.Message):
    __slots__ = ("header", "type_def")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    type_def: _typedefs_pb2.TypeDef
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ...) -> None: ...

class VerifyTypeDefRequest(_message.Message):
    __slots__ = ("type_def",)
    TYPE_DEF_FIELD_NUMBER: _ClassVar[int]
    type_def: _typedefs_pb2.TypeDef
    def __init__(self, type_def: _Optional[_Union[_typedefs_pb2.TypeDef, _Mapping]] = ...) -> None: ...

class VerifyTypeDefResponse(_message.Message):
    __slots__ = ("header", "matches", "unknown", "differences")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    matches: bool
    unknown: bool
    differences: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., matches: _Optional[bool] = ..., unknown: _Optional[bool] = ..., differences: _Optional[_Iterable[str]] = ...) -> None: ...

class LoadArchiveRequest(_message.Message):
    __slots__ = ("archive_json", "validate_only")
    ARCHIVE_JSON_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    archive_json: bytes
    validate_only: bool
    def __init__(self, archive_json: _Optional[bytes] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class ArchiveCounts(_message.Message):
    __slots__ = ("attribute_type_defs", "type_defs", "type_def_patches", "entities", "entity_proxies", "relationships", "classifications")
    ATTRIBUTE_TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_PATCHES_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_PROXIES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    attribute_type_defs: int
    type_defs: int
    type_def_patches: int
    entities: int
    entity_proxies: int
    relationships: int
    classifications: int
    def __init__(self, attribute_type_defs: _Optional[int] = ..., type_defs: _Optional[int] = ..., type_def_patches: _Optional[int] = ..., entities: _Optional[int] = ..., entity_proxies: _Optional[int] = ..., relationships: _Optional[int] = ..., classifications: _Optional[int] = ...) -> None: ...

class LoadArchiveResponse(_message.Message):
    __slots__ = ("header", "archive_guid", "archive_name", "loaded", "in_archive")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_GUID_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_NAME_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    IN_ARCHIVE_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    archive_guid: str
    archive_name: str
    loaded: ArchiveCounts
    in_archive: ArchiveCounts
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., archive_guid: _Optional[str] = ..., archive_name: _Optional[str] = ..., loaded: _Optional[_Union[ArchiveCounts, _Mapping]] = ..., in_archive: _Optional[_Union[ArchiveCounts, _Mapping]] = ...) -> None: ...

class ExportArchiveRequest(_message.Message):
    __slots__ = ("include_types", "home_metadata_collection_ids", "archive_name")
    INCLUDE_TYPES_FIELD_NUMBER: _ClassVar[int]
    HOME_METADATA_COLLECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_NAME_FIELD_NUMBER: _ClassVar[int]
    include_types: bool
    home_metadata_collection_ids: _containers.RepeatedScalarFieldContainer[str]
    archive_name: str
    def __init__(self, include_types: _Optional[bool] = ..., home_metadata_collection_ids: _Optional[_Iterable[str]] = ..., archive_name: _Optional[str] = ...) -> None: ...

class ExportArchiveResponse(_message.Message):
    __slots__ = ("header", "archive_json", "counts")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_JSON_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    archive_json: bytes
    counts: ArchiveCounts
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., archive_json: _Optional[bytes] = ..., counts: _Optional[_Union[ArchiveCounts, _Mapping]] = ...) -> None: ...
