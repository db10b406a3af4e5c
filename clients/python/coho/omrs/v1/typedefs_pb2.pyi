import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TypeDefCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TYPE_DEF_CATEGORY_UNSPECIFIED: _ClassVar[TypeDefCategory]
    TYPE_DEF_CATEGORY_ENTITY_DEF: _ClassVar[TypeDefCategory]
    TYPE_DEF_CATEGORY_RELATIONSHIP_DEF: _ClassVar[TypeDefCategory]
    TYPE_DEF_CATEGORY_CLASSIFICATION_DEF: _ClassVar[TypeDefCategory]

class TypeDefStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TYPE_DEF_STATUS_UNSPECIFIED: _ClassVar[TypeDefStatus]
    TYPE_DEF_STATUS_ACTIVE_TYPEDEF: _ClassVar[TypeDefStatus]
    TYPE_DEF_STATUS_DEPRECATED_TYPEDEF: _ClassVar[TypeDefStatus]

class AttributeTypeDefCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_TYPE_DEF_CATEGORY_UNSPECIFIED: _ClassVar[AttributeTypeDefCategory]
    ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE: _ClassVar[AttributeTypeDefCategory]
    ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION: _ClassVar[AttributeTypeDefCategory]
    ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF: _ClassVar[AttributeTypeDefCategory]

class PrimitiveDefCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIMITIVE_DEF_CATEGORY_UNSPECIFIED: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_OBJECT: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_BOOLEAN: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_BYTE: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_CHAR: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_SHORT: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_INT: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_LONG: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_FLOAT: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_DOUBLE: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_BIGINTEGER: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_BIGDECIMAL: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_STRING: _ClassVar[PrimitiveDefCategory]
    PRIMITIVE_DEF_CATEGORY_DATE: _ClassVar[PrimitiveDefCategory]

class CollectionDefCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLLECTION_DEF_CATEGORY_UNSPECIFIED: _ClassVar[CollectionDefCategory]
    COLLECTION_DEF_CATEGORY_MAP: _ClassVar[CollectionDefCategory]
    COLLECTION_DEF_CATEGORY_ARRAY: _ClassVar[CollectionDefCategory]
    COLLECTION_DEF_CATEGORY_STRUCT: _ClassVar[CollectionDefCategory]

class AttributeCardinality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_CARDINALITY_UNSPECIFIED: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_AT_MOST_ONE: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_ONE_ONLY: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_AT_LEAST_ONE_ORDERED: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_AT_LEAST_ONE_UNORDERED: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_ANY_NUMBER_ORDERED: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_ANY_NUMBER_UNORDERED: _ClassVar[AttributeCardinality]
    ATTRIBUTE_CARDINALITY_ANY_NUMBER: _ClassVar[AttributeCardinality]

class AttributeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_STATUS_UNSPECIFIED: _ClassVar[AttributeStatus]
    ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE: _ClassVar[AttributeStatus]
    ATTRIBUTE_STATUS_DEPRECATED_ATTRIBUTE: _ClassVar[AttributeStatus]

class ClassificationPropagationRule(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLASSIFICATION_PROPAGATION_RULE_UNSPECIFIED: _ClassVar[ClassificationPropagationRule]
    CLASSIFICATION_PROPAGATION_RULE_NONE: _ClassVar[ClassificationPropagationRule]
    CLASSIFICATION_PROPAGATION_RULE_ONE_TO_TWO: _ClassVar[ClassificationPropagationRule]
    CLASSIFICATION_PROPAGATION_RULE_TWO_TO_ONE: _ClassVar[ClassificationPropagationRule]
    CLASSIFICATION_PROPAGATION_RULE_BOTH: _ClassVar[ClassificationPropagationRule]

class InstanceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTANCE_STATUS_UNSPECIFIED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_DRAFT: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_PREPARED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_PROPOSED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_APPROVED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_REJECTED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_APPROVED_CONCEPT: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_UNDER_DEVELOPMENT: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_DEVELOPMENT_COMPLETE: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_APPROVED_FOR_DEPLOYMENT: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_STANDBY: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_ACTIVE: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_FAILED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_DISABLED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_COMPLETE: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_DEPRECATED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_OTHER: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_DELETED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_UNKNOWN: _ClassVar[InstanceStatus]
TYPE_DEF_CATEGORY_UNSPECIFIED: TypeDefCategory
TYPE_DEF_CATEGORY_ENTITY_DEF: TypeDefCategory
TYPE_DEF_CATEGORY_RELATIONSHIP_DEF: TypeDefCategory
TYPE_DEF_CATEGORY_CLASSIFICATION_DEF: TypeDefCategory
TYPE_DEF_STATUS_UNSPECIFIED: TypeDefStatus
TYPE_DEF_STATUS_ACTIVE_TYPEDEF: TypeDefStatus
TYPE_DEF_STATUS_DEPRECATED_TYPEDEF: TypeDefStatus
ATTRIBUTE_TYPE_DEF_CATEGORY_UNSPECIFIED: AttributeTypeDefCategory
ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE: AttributeTypeDefCategory
ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION: AttributeTypeDefCategory
ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF: AttributeTypeDefCategory
PRIMITIVE_DEF_CATEGORY_UNSPECIFIED: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_OBJECT: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_BOOLEAN: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_BYTE: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_CHAR: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_SHORT: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_INT: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_LONG: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_FLOAT: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_DOUBLE: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_BIGINTEGER: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_BIGDECIMAL: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_STRING: PrimitiveDefCategory
PRIMITIVE_DEF_CATEGORY_DATE: PrimitiveDefCategory
COLLECTION_DEF_CATEGORY_UNSPECIFIED: CollectionDefCategory
COLLECTION_DEF_CATEGORY_MAP: CollectionDefCategory
COLLECTION_DEF_CATEGORY_ARRAY: CollectionDefCategory
COLLECTION_DEF_CATEGORY_STRUCT: CollectionDefCategory
ATTRIBUTE_CARDINALITY_UNSPECIFIED: AttributeCardinality
ATTRIBUTE_CARDINALITY_AT_MOST_ONE: AttributeCardinality
ATTRIBUTE_CARDINALITY_ONE_ONLY: AttributeCardinality
ATTRIBUTE_CARDINALITY_AT_LEAST_ONE_ORDERED: AttributeCardinality
ATTRIBUTE_CARDINALITY_AT_LEAST_ONE_UNORDERED: AttributeCardinality
ATTRIBUTE_CARDINALITY_ANY_NUMBER_ORDERED: AttributeCardinality
ATTRIBUTE_CARDINALITY_ANY_NUMBER_UNORDERED: AttributeCardinality
ATTRIBUTE_CARDINALITY_ANY_NUMBER: AttributeCardinality
ATTRIBUTE_STATUS_UNSPECIFIED: AttributeStatus
ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE: AttributeStatus
ATTRIBUTE_STATUS_DEPRECATED_ATTRIBUTE: AttributeStatus
CLASSIFICATION_PROPAGATION_RULE_UNSPECIFIED: ClassificationPropagationRule
CLASSIFICATION_PROPAGATION_RULE_NONE: ClassificationPropagationRule
CLASSIFICATION_PROPAGATION_RULE_ONE_TO_TWO: ClassificationPropagationRule
CLASSIFICATION_PROPAGATION_RULE_TWO_TO_ONE: ClassificationPropagationRule
CLASSIFICATION_PROPAGATION_RULE_BOTH: ClassificationPropagationRule
INSTANCE_STATUS_UNSPECIFIED: InstanceStatus
INSTANCE_STATUS_DRAFT: InstanceStatus
INSTANCE_STATUS_PREPARED: InstanceStatus
INSTANCE_STATUS_PROPOSED: InstanceStatus
INSTANCE_STATUS_APPROVED: InstanceStatus
INSTANCE_STATUS_REJECTED: InstanceStatus
INSTANCE_STATUS_APPROVED_CONCEPT: InstanceStatus
INSTANCE_STATUS_UNDER_DEVELOPMENT: InstanceStatus
INSTANCE_STATUS_DEVELOPMENT_COMPLETE: InstanceStatus
INSTANCE_STATUS_APPROVED_FOR_DEPLOYMENT: InstanceStatus
INSTANCE_STATUS_STANDBY: InstanceStatus
INSTANCE_STATUS_ACTIVE: InstanceStatus
INSTANCE_STATUS_FAILED: InstanceStatus
INSTANCE_STATUS_DISABLED: InstanceStatus
INSTANCE_STATUS_COMPLETE: InstanceStatus
INSTANCE_STATUS_DEPRECATED: InstanceStatus
INSTANCE_STATUS_OTHER: InstanceStatus
INSTANCE_STATUS_DELETED: InstanceStatus
INSTANCE_STATUS_UNKNOWN: InstanceStatus

class TypeDefLink(_message.Message):
    __slots__ = ("guid", "name", "status", "replaced_by_type_guid", "replaced_by_type_name")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_TYPE_GUID_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    guid: str
    name: str
    status: TypeDefStatus
    replaced_by_type_guid: str
    replaced_by_type_name: str
    def __init__(self, guid: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[TypeDefStatus, str]] = ..., replaced_by_type_guid: _Optional[str] = ..., replaced_by_type_name: _Optional[str] = ...) -> None: ...

class ExternalStandardMapping(_message.Message):
    __slots__ = ("standard_name", "standard_organization", "standard_type_name")
    STANDARD_NAME_FIELD_NUMBER: _ClassVar[int]
    STANDARD_ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    STANDARD_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    standard_name: str
    standard_organization: str
    standard_type_name: str
    def __init__(self, standard_name: _Optional[str] = ..., standard_organization: _Optional[str] = ..., standard_type_name: _Optional[str] = ...) -> None: ...

class TypeDefAttribute(_message.Message):
    __slots__ = ("attribute_name", "attribute_type", "attribute_status", "replaced_by_attribute", "attribute_description", "attribute_description_guid", "attribute_cardinality", "values_min_count", "values_max_count", "is_unique", "is_indexable", "default_value", "external_standard_mappings")
    ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_CARDINALITY_FIELD_NUMBER: _ClassVar[int]
    VALUES_MIN_COUNT_FIELD_NUMBER: _ClassVar[int]
    VALUES_MAX_COUNT_FIELD_NUMBER: _ClassVar[int]
    IS_UNIQUE_FIELD_NUMBER: _ClassVar[int]
    IS_INDEXABLE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_STANDARD_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    attribute_name: str
    attribute_type: AttributeTypeDef
    attribute_status: AttributeStatus
    replaced_by_attribute: str
    attribute_description: str
    attribute_description_guid: str
    attribute_cardinality: AttributeCardinality
    values_min_count: int
    values_max_count: int
    is_unique: bool
    is_indexable: bool
    default_value: str
    external_standard_mappings: _containers.RepeatedCompositeFieldContainer[ExternalStandardMapping]
    def __init__(self, attribute_name: _Optional[str] = ..., attribute_type: _Optional[_Union[AttributeTypeDef, _Mapping]] = ..., attribute_status: _Optional[_Union[AttributeStatus, str]] = ..., replaced_by_attribute: _Optional[str] = ..., attribute_description: _Optional[str] = ..., attribute_description_guid: _Optional[str] = ..., attribute_cardinality: _Optional[_Union[AttributeCardinality, str]] = ..., values_min_count: _Optional[int] = ..., values_max_count: _Optional[int] = ..., is_unique: _Optional[bool] = ..., is_indexable: _Optional[bool] = ..., default_value: _Optional[str] = ..., external_standard_mappings: _Optional[_Iterable[_Union[ExternalStandardMapping, _Mapping]]] = ...) -> None: ...

class EnumElementDef(_message.Message):
    __slots__ = ("ordinal", "value", "description", "description_guid")
    ORDINAL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    ordinal: int
    value: str
    description: str
    description_guid: str
    def __init__(self, ordinal: _Optional[int] = ..., value: _Optional[str] = ..., description: _Optional[str] = ..., description_guid: _Optional[str] = ...) -> None: ...

class PrimitiveDef(_message.Message):
    __slots__ = ("primitive_def_category",)
    PRIMITIVE_DEF_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    primitive_def_category: PrimitiveDefCategory
    def __init__(self, primitive_def_category: _Optional[_Union[PrimitiveDefCategory, str]] = ...) -> None: ...

class CollectionDef(_message.Message):
    __slots__ = ("collection_def_category", "argument_count", "argument_types")
    COLLECTION_DEF_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    ARGUMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ARGUMENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    collection_def_category: CollectionDefCategory
    argument_count: int
    argument_types: _containers.RepeatedScalarFieldContainer[PrimitiveDefCategory]
    def __init__(self, collection_def_category: _Optional[_Union[CollectionDefCategory, str]] = ..., argument_count: _Optional[int] = ..., argument_types: _Optional[_Iterable[_Union[PrimitiveDefCategory, str]]] = ...) -> None: ...

class EnumDef(_message.Message):
    __slots__ = ("element_defs", "default_value_ordinal")
    ELEMENT_DEFS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    element_defs: _containers.RepeatedCompositeFieldContainer[EnumElementDef]
    default_value_ordinal: int
    def __init__(self, element_defs: _Optional[_Iterable[_Union[EnumElementDef, _Mapping]]] = ..., default_value_ordinal: _Optional[int] = ...) -> None: ...

class AttributeTypeDef(_message.Message):
    __slots__ = ("guid", "name", "version", "version_name", "category", "description", "description_guid", "description_wiki", "primitive", "collection", "enum_def")
    GUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_WIKI_FIELD_NUMBER: _ClassVar[int]
    PRIMITIVE_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    ENUM_DEF_FIELD_NUMBER: _ClassVar[int]
    guid: str
    name: str
    version: int
    version_name: str
    category: AttributeTypeDefCategory
    description: str
    description_guid: str
    description_wiki: str
    primitive: PrimitiveDef
    collection: CollectionDef
    enum_def: EnumDef
    def __init__(self, guid: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., version_name: _Optional[str] = ..., category: _Optional[_Union[AttributeTypeDefCategory, str]] = ..., description: _Optional[str] = ..., description_guid: _Optional[str] = ..., description_wiki: _Optional[str] = ..., primitive: _Optional[_Union[PrimitiveDef, _Mapping]] = ..., collection: _Optional[_Union[CollectionDef, _Mapping]] = ..., enum_def: _Optional[_Union[EnumDef, _Mapping]] = ...) -> None: ...

class RelationshipEndDef(_message.Message):
    __slots__ = ("entity_type", "attribute_name", "attribute_description", "attribute_description_guid", "attribute_cardinality")
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_CARDINALITY_FIELD_NUMBER: _ClassVar[int]
    entity_type: TypeDefLink
    attribute_name: str
    attribute_description: str
    attribute_description_guid: str
    attribute_cardinality: AttributeCardinality
    def __init__(self, entity_type: _Optional[_Union[TypeDefLink, _Mapping]] = ..., attribute_name: _Optional[str] = ..., attribute_description: _Optional[str] = ..., attribute_description_guid: _Optional[str] = ..., attribute_cardinality: _Optional[_Union[AttributeCardinality, str]] = ...) -> None: ...

class EntityDefDetails(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RelationshipDefDetails(_message.Message):
    __slots__ = ("propagation_rule", "end_def_1", "end_def_2", "multi_link")
    PROPAGATION_RULE_FIELD_NUMBER: _ClassVar[int]
    END_DEF_1_FIELD_NUMBER: _ClassVar[int]
    END_DEF_2_FIELD_NUMBER: _ClassVar[int]
    MULTI_LINK_FIELD_NUMBER: _ClassVar[int]
    propagation_rule: ClassificationPropagationRule
    end_def_1: RelationshipEndDef
    end_def_2: RelationshipEndDef
    multi_link: bool
    def __init__(self, propagation_rule: _Optional[_Union[ClassificationPropagationRule, str]] = ..., end_def_1: _Optional[_Union[RelationshipEndDef, _Mapping]] = ..., end_def_2: _Optional[_Union[RelationshipEndDef, _Mapping]] = ..., multi_link: _Optional[bool] = ...) -> None: ...

class ClassificationDefDetails(_message.Message):
    __slots__ = ("valid_entity_defs", "propagatable")
    VALID_ENTITY_DEFS_FIELD_NUMBER: _ClassVar[int]
    PROPAGATABLE_FIELD_NUMBER: _ClassVar[int]
    valid_entity_defs: _containers.RepeatedCompositeFieldContainer[TypeDefLink]
    propagatable: bool
    def __init__(self, valid_entity_defs: _Optional[_Iterable[_Union[TypeDefLink, _Mapping]]] = ..., propagatable: _Optional[bool] = ...) -> None: ...

class TypeDef(_message.Message):
    __slots__ = ("guid", "name", "status", "version", "version_name", "category", "super_type", "description", "description_guid", "description_wiki", "origin", "created_by", "updated_by", "create_time", "update_time", "options", "external_standard_mappings", "valid_instance_statuses", "initial_status", "properties_definition", "entity_def", "relationship_def", "classification_def")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUPER_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_WIKI_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_STANDARD_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    VALID_INSTANCE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    ENTITY_DEF_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_DEF_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_DEF_FIELD_NUMBER: _ClassVar[int]
    guid: str
    name: str
    status: TypeDefStatus
    version: int
    version_name: str
    category: TypeDefCategory
    super_type: TypeDefLink
    description: str
    description_guid: str
    description_wiki: str
    origin: str
    created_by: str
    updated_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    options: _containers.ScalarMap[str, str]
    external_standard_mappings: _containers.RepeatedCompositeFieldContainer[ExternalStandardMapping]
    valid_instance_statuses: _containers.RepeatedScalarFieldContainer[InstanceStatus]
    initial_status: InstanceStatus
    properties_definition: _containers.RepeatedCompositeFieldContainer[TypeDefAttribute]
    entity_def: EntityDefDetails
    relationship_def: RelationshipDefDetails
    classification_def: ClassificationDefDetails
    def __init__(self, guid: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[TypeDefStatus, str]] = ..., version: _Optional[int] = ..., version_name: _Optional[str] = ..., category: _Optional[_Union[TypeDefCategory, str]] = ..., super_type: _Optional[_Union[TypeDefLink, _Mapping]] = ..., description: _Optional[str] = ..., description_guid: _Optional[str] = ..., description_wiki: _Optional[str] = ..., origin: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., options: _Optional[_Mapping[str, str]] = ..., external_standard_mappings: _Optional[_Iterable[_Union[ExternalStandardMapping, _Mapping]]] = ..., valid_instance_statuses: _Optional[_Iterable[_Union[InstanceStatus, str]]] = ..., initial_status: _Optional[_Union[InstanceStatus, str]] = ..., properties_definition: _Optional[_Iterable[_Union[TypeDefAttribute, _Mapping]]] = ..., entity_def: _Optional[_Union[EntityDefDetails, _Mapping]] = ..., relationship_def: _Optional[_Union[RelationshipDefDetails, _Mapping]] = ..., classification_def: _Optional[_Union[ClassificationDefDetails, _Mapping]] = ...) -> None: ...

class TypeDefPatch(_message.Message):
    __slots__ = ("type_def_guid", "type_def_name", "apply_to_version", "update_to_version", "new_version_name", "updated_by", "update_time", "description", "description_guid", "description_wiki", "type_def_status", "super_type", "property_definitions", "type_def_options", "external_standard_mappings", "valid_instance_statuses", "initial_status", "update_multi_link", "multi_link", "end_def_1", "end_def_2", "valid_entity_defs")
    class TypeDefOptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_DEF_GUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_NAME_FIELD_NUMBER: _ClassVar[int]
    APPLY_TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_VERSION_NAME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_GUID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_WIKI_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_STATUS_FIELD_NUMBER: _ClassVar[int]
    SUPER_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROPERTY_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEF_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_STANDARD_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    VALID_INSTANCE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MULTI_LINK_FIELD_NUMBER: _ClassVar[int]
    MULTI_LINK_FIELD_NUMBER: _ClassVar[int]
    END_DEF_1_FIELD_NUMBER: _ClassVar[int]
    END_DEF_2_FIELD_NUMBER: _ClassVar[int]
    VALID_ENTITY_DEFS_FIELD_NUMBER: _ClassVar[int]
    type_def_guid: str
    type_def_name: str
    apply_to_version: int
    update_to_version: int
    new_version_name: str
    updated_by: str
    update_time: _timestamp_pb2.Timestamp
    description: str
    description_guid: str
    description_wiki: str
    type_def_status: TypeDefStatus
    super_type: TypeDefLink
    property_definitions: _containers.RepeatedCompositeFieldContainer[TypeDefAttribute]
    type_def_options: _containers.ScalarMap[str, str]
    external_standard_mappings: _containers.RepeatedCompositeFieldContainer[ExternalStandardMapping]
    valid_instance_statuses: _containers.RepeatedScalarFieldContainer[InstanceStatus]
    initial_status: InstanceStatus
    update_multi_link: bool
    multi_link: bool
    end_def_1: RelationshipEndDef
    end_def_2: RelationshipEndDef
    valid_entity_defs: _containers.RepeatedCompositeFieldContainer[TypeDefLink]
    def __init__(self, type_def_guid: _Optional[str] = ..., type_def_name: _Optional[str] = ..., apply_to_version: _Optional[int] = ..., update_to_version: _Optional[int] = ..., new_version_name: _Optional[str] = ..., updated_by: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description: _Optional[str] = ..., description_guid: _Optional[str] = ..., description_wiki: _Optional[str] = ..., type_def_status: _Optional[_Union[TypeDefStatus, str]] = ..., super_type: _Optional[_Union[TypeDefLink, _Mapping]] = ..., property_definitions: _Optional[_Iterable[_Union[TypeDefAttribute, _Mapping]]] = ..., type_def_options: _Optional[_Mapping[str, str]] = ..., external_standard_mappings: _Optional[_Iterable[_Union[ExternalStandardMapping, _Mapping]]] = ..., valid_instance_statuses: _Optional[_Iterable[_Union[InstanceStatus, str]]] = ..., initial_status: _Optional[_Union[InstanceStatus, str]] = ..., update_multi_link: _Optional[bool] = ..., multi_link: _Optional[bool] = ..., end_def_1: _Optional[_Union[RelationshipEndDef, _Mapping]] = ..., end_def_2: _Optional[_Union[RelationshipEndDef, _Mapping]] = ..., valid_entity_defs: _Optional[_Iterable[_Union[TypeDefLink, _Mapping]]] = ...) -> None: ...

class TypeDefGallery(_message.Message):
    __slots__ = ("attribute_type_defs", "type_defs")
    ATTRIBUTE_TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    TYPE_DEFS_FIELD_NUMBER: _ClassVar[int]
    attribute_type_defs: _containers.RepeatedCompositeFieldContainer[AttributeTypeDef]
    type_defs: _containers.RepeatedCompositeFieldContainer[TypeDef]
    def __init__(self, attribute_type_defs: _Optional[_Iterable[_Union[AttributeTypeDef, _Mapping]]] = ..., type_defs: _Optional[_Iterable[_Union[TypeDef, _Mapping]]] = ...) -> None: ...
