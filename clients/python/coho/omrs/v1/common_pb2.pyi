from coho.omrs.v1 import instances_pb2 as _instances_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PropertyComparisonOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPERTY_COMPARISON_OPERATOR_UNSPECIFIED: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_EQ: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_NEQ: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_LT: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_LTE: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_GT: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_GTE: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_IN: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_IS_NULL: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_NOT_NULL: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_LIKE: _ClassVar[PropertyComparisonOperator]
    PROPERTY_COMPARISON_OPERATOR_NOT_LIKE: _ClassVar[PropertyComparisonOperator]

class MatchCriteria(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_CRITERIA_UNSPECIFIED: _ClassVar[MatchCriteria]
    MATCH_CRITERIA_ALL: _ClassVar[MatchCriteria]
    MATCH_CRITERIA_ANY: _ClassVar[MatchCriteria]
    MATCH_CRITERIA_NONE: _ClassVar[MatchCriteria]

class SequencingOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEQUENCING_ORDER_UNSPECIFIED: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_GUID: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_CREATION_DATE_RECENT: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_CREATION_DATE_OLDEST: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_LAST_UPDATE_RECENT: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_LAST_UPDATE_OLDEST: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_PROPERTY_ASCENDING: _ClassVar[SequencingOrder]
    SEQUENCING_ORDER_PROPERTY_DESCENDING: _ClassVar[SequencingOrder]

class HistorySequencingOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HISTORY_SEQUENCING_ORDER_UNSPECIFIED: _ClassVar[HistorySequencingOrder]
    HISTORY_SEQUENCING_ORDER_FORWARDS: _ClassVar[HistorySequencingOrder]
    HISTORY_SEQUENCING_ORDER_BACKWARDS: _ClassVar[HistorySequencingOrder]
PROPERTY_COMPARISON_OPERATOR_UNSPECIFIED: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_EQ: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_NEQ: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_LT: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_LTE: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_GT: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_GTE: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_IN: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_IS_NULL: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_NOT_NULL: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_LIKE: PropertyComparisonOperator
PROPERTY_COMPARISON_OPERATOR_NOT_LIKE: PropertyComparisonOperator
MATCH_CRITERIA_UNSPECIFIED: MatchCriteria
MATCH_CRITERIA_ALL: MatchCriteria
MATCH_CRITERIA_ANY: MatchCriteria
MATCH_CRITERIA_NONE: MatchCriteria
SEQUENCING_ORDER_UNSPECIFIED: SequencingOrder
SEQUENCING_ORDER_GUID: SequencingOrder
SEQUENCING_ORDER_CREATION_DATE_RECENT: SequencingOrder
SEQUENCING_ORDER_CREATION_DATE_OLDEST: SequencingOrder
SEQUENCING_ORDER_LAST_UPDATE_RECENT: SequencingOrder
SEQUENCING_ORDER_LAST_UPDATE_OLDEST: SequencingOrder
SEQUENCING_ORDER_PROPERTY_ASCENDING: SequencingOrder
SEQUENCING_ORDER_PROPERTY_DESCENDING: SequencingOrder
HISTORY_SEQUENCING_ORDER_UNSPECIFIED: HistorySequencingOrder
HISTORY_SEQUENCING_ORDER_FORWARDS: HistorySequencingOrder
HISTORY_SEQUENCING_ORDER_BACKWARDS: HistorySequencingOrder

class ResponseHeader(_message.Message):
    __slots__ = ("metadata_collection_id", "sequence", "unreachable_members", "partial")
    METADATA_COLLECTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    UNREACHABLE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    metadata_collection_id: str
    sequence: int
    unreachable_members: _containers.RepeatedScalarFieldContainer[str]
    partial: bool
    def __init__(self, metadata_collection_id: _Optional[str] = ..., sequence: _Optional[int] = ..., unreachable_members: _Optional[_Iterable[str]] = ..., partial: _Optional[bool] = ...) -> None: ...

class PropertyCondition(_message.Message):
    __slots__ = ("property_name", "operator", "value", "nested_conditions")
    PROPERTY_NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    NESTED_CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    property_name: str
    operator: PropertyComparisonOperator
    value: _instances_pb2.PropertyValue
    nested_conditions: SearchProperties
    def __init__(self, property_name: _Optional[str] = ..., operator: _Optional[_Union[PropertyComparisonOperator, str]] = ..., value: _Optional[_Union[_instances_pb2.PropertyValue, _Mapping]] = ..., nested_conditions: _Optional[_Union[SearchProperties, _Mapping]] = ...) -> None: ...

class SearchProperties(_message.Message):
    __slots__ = ("conditions", "match_criteria")
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MATCH_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    conditions: _containers.RepeatedCompositeFieldContainer[PropertyCondition]
    match_criteria: MatchCriteria
    def __init__(self, conditions: _Optional[_Iterable[_Union[PropertyCondition, _Mapping]]] = ..., match_criteria: _Optional[_Union[MatchCriteria, str]] = ...) -> None: ...

class ClassificationCondition(_message.Message):
    __slots__ = ("name", "match_properties")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MATCH_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    match_properties: SearchProperties
    def __init__(self, name: _Optional[str] = ..., match_properties: _Optional[_Union[SearchProperties, _Mapping]] = ...) -> None: ...

class SearchClassifications(_message.Message):
    __slots__ = ("conditions", "match_criteria")
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MATCH_CRITERIA_FIELD_NUMBER: _ClassVar[int]
    conditions: _containers.RepeatedCompositeFieldContainer[ClassificationCondition]
    match_criteria: MatchCriteria
    def __init__(self, conditions: _Optional[_Iterable[_Union[ClassificationCondition, _Mapping]]] = ..., match_criteria: _Optional[_Union[MatchCriteria, str]] = ...) -> None: ...

class Sequencing(_message.Message):
    __slots__ = ("order", "property_name")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PROPERTY_NAME_FIELD_NUMBER: _ClassVar[int]
    order: SequencingOrder
    property_name: str
    def __init__(self, order: _Optional[_Union[SequencingOrder, str]] = ..., property_name: _Optional[str] = ...) -> None: ...
