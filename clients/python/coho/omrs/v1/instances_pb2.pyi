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

class InstanceProvenanceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTANCE_PROVENANCE_TYPE_UNSPECIFIED: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_UNKNOWN: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_EXPORT_ARCHIVE: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_CONTENT_PACK: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_CONFIGURATION: _ClassVar[InstanceProvenanceType]
    INSTANCE_PROVENANCE_TYPE_EXTERNAL_SOURCE: _ClassVar[InstanceProvenanceType]

class ClassificationOrigin(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLASSIFICATION_ORIGIN_UNSPECIFIED: _ClassVar[ClassificationOrigin]
    CLASSIFICATION_ORIGIN_ASSIGNED: _ClassVar[ClassificationOrigin]
    CLASSIFICATION_ORIGIN_PROPAGATED: _ClassVar[ClassificationOrigin]
INSTANCE_PROVENANCE_TYPE_UNSPECIFIED: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_UNKNOWN: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_EXPORT_ARCHIVE: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_CONTENT_PACK: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_DEREGISTERED_REPOSITORY: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_CONFIGURATION: InstanceProvenanceType
INSTANCE_PROVENANCE_TYPE_EXTERNAL_SOURCE: InstanceProvenanceType
CLASSIFICATION_ORIGIN_UNSPECIFIED: ClassificationOrigin
CLASSIFICATION_ORIGIN_ASSIGNED: ClassificationOrigin
CLASSIFICATION_ORIGIN_PROPAGATED: ClassificationOrigin

class InstanceType(_message.Message):
    __slots__ = ("type_def_category", "type_def_guid", "type_def_name", "type_def_version", "type_def_description", "type_def_description_guid", "type_def_super_types", "valid_instance_properties", "valid_status_list")
    TYPE_DEF_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_VERSION_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_SUPER_TYPES_FIELD_NUMBER: _ClassVar[int]
    VALID_INSTANCE_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    VALID_STATUS_LIST_FIELD_NUMBER: _ClassVar[int]
    type_def_category: _typedefs_pb2.TypeDefCategory
    type_def_guid: str
    type_def_name: str
    type_def_version: int
    type_def_description: str
    type_def_description_guid: str
    type_def_super_types: _containers.RepeatedCompositeFieldContainer[_typedefs_pb2.TypeDefLink]
    valid_instance_properties: _containers.RepeatedScalarFieldContainer[str]
    valid_status_list: _containers.RepeatedScalarFieldContainer[_typedefs_pb2.InstanceStatus]
    def __init__(self, type_def_category: _Optional[_Union[_typedefs_pb2.TypeDefCategory, str]] = ..., type_def_guid: _Optional[str] = ..., type_def_name: _Optional[str] = ..., type_def_version: _Optional[int] = ..., type_def_description: _Optional[str] = ..., type_def_description_guid: _Optional[str] = ..., type_def_super_types: _Optional[_Iterable[_Union[_typedefs_pb2.TypeDefLink, _Mapping]]] = ..., valid_instance_properties: _Optional[_Iterable[str]] = ..., valid_status_list: _Optional[_Iterable[_Union[_typedefs_pb2.InstanceStatus, str]]] = ...) -> None: ...

class PrimitiveValue(_message.Message):
    __slots__ = ("primitive_def_category", "boolean_value", "byte_value", "char_value", "short_value", "int_value", "long_value", "float_value", "double_value", "big_integer_value", "big_decimal_value", "string_value", "date_value", "object_json")
    PRIMITIVE_DEF_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    BOOLEAN_VALUE_FIELD_NUMBER: _ClassVar[int]
    BYTE_VALUE_FIELD_NUMBER: _ClassVar[int]
    CHAR_VALUE_FIELD_NUMBER: _ClassVar[int]
    SHORT_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    LONG_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    BIG_INTEGER_VALUE_FIELD_NUMBER: _ClassVar[int]
    BIG_DECIMAL_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    DATE_VALUE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_JSON_FIELD_NUMBER: _ClassVar[int]
    primitive_def_category: _typedefs_pb2.PrimitiveDefCategory
    boolean_value: bool
    byte_value: int
    char_value: str
    short_value: int
    int_value: int
    long_value: int
    float_value: float
    double_value: float
    big_integer_value: str
    big_decimal_value: str
    string_value: str
    date_value: int
    object_json: str
    def __init__(self, primitive_def_category: _Optional[_Union[_typedefs_pb2.PrimitiveDefCategory, str]] = ..., boolean_value: _Optional[bool] = ..., byte_value: _Optional[int] = ..., char_value: _Optional[str] = ..., short_value: _Optional[int] = ..., int_value: _Optional[int] = ..., long_value: _Optional[int] = ..., float_value: _Optional[float] = ..., double_value: _Optional[float] = ..., big_integer_value: _Optional[str] = ..., big_decimal_value: _Optional[str] = ..., string_value: _Optional[str] = ..., date_value: _Optional[int] = ..., object_json: _Optional[str] = ...) -> None: ...

class EnumValue(_message.Message):
    __slots__ = ("ordinal", "symbolic_name", "description")
    ORDINAL_FIELD_NUMBER: _ClassVar[int]
    SYMBOLIC_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ordinal: int
    symbolic_name: str
    description: str
    def __init__(self, ordinal: _Optional[int] = ..., symbolic_name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ArrayValue(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[PropertyValue]
    def __init__(self, values: _Optional[_Iterable[_Union[PropertyValue, _Mapping]]] = ...) -> None: ...

class MapValue(_message.Message):
    __slots__ = ("values",)
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: PropertyValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[PropertyValue, _Mapping]] = ...) -> None: ...
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.MessageMap[str, PropertyValue]
    def __init__(self, values: _Optional[_Mapping[str, PropertyValue]] = ...) -> None: ...

class StructValue(_message.Message):
    __slots__ = ("fields",)
    class FieldsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: PropertyValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[PropertyValue, _Mapping]] = ...) -> None: ...
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.MessageMap[str, PropertyValue]
    def __init__(self, fields: _Optional[_Mapping[str, PropertyValue]] = ...) -> None: ...

class PropertyValue(_message.Message):
    __slots__ = ("type_guid", "type_name", "primitive", "enum_value", "array", "map", "struct_value")
    TYPE_GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PRIMITIVE_FIELD_NUMBER: _ClassVar[int]
    ENUM_VALUE_FIELD_NUMBER: _ClassVar[int]
    ARRAY_FIELD_NUMBER: _ClassVar[int]
    MAP_FIELD_NUMBER: _ClassVar[int]
    STRUCT_VALUE_FIELD_NUMBER: _ClassVar[int]
    type_guid: str
    type_name: str
    primitive: PrimitiveValue
    enum_value: EnumValue
    array: ArrayValue
    map: MapValue
    struct_value: StructValue
    def __init__(self, type_guid: _Optional[str] = ..., type_name: _Optional[str] = ..., primitive: _Optional[_Union[PrimitiveValue, _Mapping]] = ..., enum_value: _Optional[_Union[EnumValue, _Mapping]] = ..., array: _Optional[_Union[ArrayValue, _Mapping]] = ..., map: _Optional[_Union[MapValue, _Mapping]] = ..., struct_value: _Optional[_Union[StructValue, _Mapping]] = ...) -> None: ...

class InstanceProperties(_message.Message):
    __slots__ = ("properties", "effective_from_time", "effective_to_time")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: PropertyValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[PropertyValue, _Mapping]] = ...) -> None: ...
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TO_TIME_FIELD_NUMBER: _ClassVar[int]
    properties: _containers.MessageMap[str, PropertyValue]
    effective_from_time: _timestamp_pb2.Timestamp
    effective_to_time: _timestamp_pb2.Timestamp
    def __init__(self, properties: _Optional[_Mapping[str, PropertyValue]] = ..., effective_from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_to_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InstanceHeader(_message.Message):
    __slots__ = ("guid", "type", "instance_provenance_type", "metadata_collection_id", "metadata_collection_name", "replicated_by", "instance_license", "created_by", "updated_by", "maintained_by", "create_time", "update_time", "version", "status", "status_on_delete", "mapping_properties", "instance_url", "external_source")
    class MappingPropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PROVENANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_COLLECTION_NAME_FIELD_NUMBER: _ClassVar[int]
    REPLICATED_BY_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_LICENSE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    MAINTAINED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_ON_DELETE_FIELD_NUMBER: _ClassVar[int]
    MAPPING_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_URL_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_SOURCE_FIELD_NUMBER: _ClassVar[int]
    guid: str
    type: InstanceType
    instance_provenance_type: InstanceProvenanceType
    metadata_collection_id: str
    metadata_collection_name: str
    replicated_by: str
    instance_license: str
    created_by: str
    updated_by: str
    maintained_by: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    version: int
    status: _typedefs_pb2.InstanceStatus
    status_on_delete: _typedefs_pb2.InstanceStatus
    mapping_properties: _containers.ScalarMap[str, str]
    instance_url: str
    external_source: str
    def __init__(self, guid: _Optional[str] = ..., type: _Optional[_Union[InstanceType, _Mapping]] = ..., instance_provenance_type: _Optional[_Union[InstanceProvenanceType, str]] = ..., metadata_collection_id: _Optional[str] = ..., metadata_collection_name: _Optional[str] = ..., replicated_by: _Optional[str] = ..., instance_license: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., maintained_by: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., status: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., status_on_delete: _Optional[_Union[_typedefs_pb2.InstanceStatus, str]] = ..., mapping_properties: _Optional[_Mapping[str, str]] = ..., instance_url: _Optional[str] = ..., external_source: _Optional[str] = ...) -> None: ...

class Classification(_message.Message):
    __slots__ = ("header", "name", "properties", "classification_origin", "classification_origin_guid")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_ORIGIN_GUID_FIELD_NUMBER: _ClassVar[int]
    header: InstanceHeader
    name: str
    properties: InstanceProperties
    classification_origin: ClassificationOrigin
    classification_origin_guid: str
    def __init__(self, header: _Optional[_Union[InstanceHeader, _Mapping]] = ..., name: _Optional[str] = ..., properties: _Optional[_Union[InstanceProperties, _Mapping]] = ..., classification_origin: _Optional[_Union[ClassificationOrigin, str]] = ..., classification_origin_guid: _Optional[str] = ...) -> None: ...

class EntityDetail(_message.Message):
    __slots__ = ("header", "properties", "classifications")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    header: InstanceHeader
    properties: InstanceProperties
    classifications: _containers.RepeatedCompositeFieldContainer[Classification]
    def __init__(self, header: _Optional[_Union[InstanceHeader, _Mapping]] = ..., properties: _Optional[_Union[InstanceProperties, _Mapping]] = ..., classifications: _Optional[_Iterable[_Union[Classification, _Mapping]]] = ...) -> None: ...

class EntityProxy(_message.Message):
    __slots__ = ("header", "unique_properties", "classifications")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    header: InstanceHeader
    unique_properties: InstanceProperties
    classifications: _containers.RepeatedCompositeFieldContainer[Classification]
    def __init__(self, header: _Optional[_Union[InstanceHeader, _Mapping]] = ..., unique_properties: _Optional[_Union[InstanceProperties, _Mapping]] = ..., classifications: _Optional[_Iterable[_Union[Classification, _Mapping]]] = ...) -> None: ...

class EntitySummary(_message.Message):
    __slots__ = ("header", "classifications")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    header: InstanceHeader
    classifications: _containers.RepeatedCompositeFieldContainer[Classification]
    def __init__(self, header: _Optional[_Union[InstanceHeader, _Mapping]] = ..., classifications: _Optional[_Iterable[_Union[Classification, _Mapping]]] = ...) -> None: ...

class Relationship(_message.Message):
    __slots__ = ("header", "properties", "entity_one_proxy", "entity_two_proxy")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ONE_PROXY_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TWO_PROXY_FIELD_NUMBER: _ClassVar[int]
    header: InstanceHeader
    properties: InstanceProperties
    entity_one_proxy: EntityProxy
    entity_two_proxy: EntityProxy
    def __init__(self, header: _Optional[_Union[InstanceHeader, _Mapping]] = ..., properties: _Optional[_Union[InstanceProperties, _Mapping]] = ..., entity_one_proxy: _Optional[_Union[EntityProxy, _Mapping]] = ..., entity_two_proxy: _Optional[_Union[EntityProxy, _Mapping]] = ...) -> None: ...

class InstanceGraph(_message.Message):
    __slots__ = ("entities", "relationships")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[EntityDetail]
    relationships: _containers.RepeatedCompositeFieldContainer[Relationship]
    def __init__(self, entities: _Optional[_Iterable[_Union[EntityDetail, _Mapping]]] = ..., relationships: _Optional[_Iterable[_Union[Relationship, _Mapping]]] = ...) -> None: ...

class ClassificationEntityExtension(_message.Message):
    __slots__ = ("entity_to_classify", "classification")
    ENTITY_TO_CLASSIFY_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    entity_to_classify: EntityProxy
    classification: Classification
    def __init__(self, entity_to_classify: _Optional[_Union[EntityProxy, _Mapping]] = ..., classification: _Optional[_Union[Classification, _Mapping]] = ...) -> None: ...
