"""DataElement <-> open metadata: which type each kind is, how it hangs under its parent, its properties.

The mapping is total and deterministic: the same DataElement always maps to the same InstanceProperties, and
only non-default values are written. That is what lets an upsert decide "unchanged" by comparing the mapped
properties with the stored ones (protobuf equality), without reading the element back field by field.

Parent links (DESIGN §3, Egeria's models):

- folder -> folder: FolderHierarchy (parent at end 1); folder -> file: NestedFile (folder at end 1);
- database -> schema: DataSetContent (the schema, a DataSet, at end 1; the database at end 2);
- schema -> table: the schema's RelationalDBSchemaType (AssetSchemaType) -> AttributeForSchema (end 1);
- table -> column: NestedSchemaAttribute (table at end 1).

Egeria puts a schema type between an asset and its attributes; we create that RelationalDBSchemaType with
the schema (qualifiedName ``<schema>::schemaType``) so tables can hang off it, and hide it from callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf.timestamp_pb2 import Timestamp

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.server.errors import InvalidArgument

P = typedefs_pb2
Props = instances_pb2.InstanceProperties

SCHEMA_TYPE = "RelationalDBSchemaType"
SCHEMA_TYPE_LINK = "AssetSchemaType"
SCHEMA_TYPE_SUFFIX = "::schemaType"

# Proto fields without an attribute in the built-in types travel in additionalProperties under these keys,
# and are taken out again when the element is read back.
HIDDEN_KEYS = {"view_definition": "coho.viewDefinition", "partitions": "coho.partitions"}


@dataclass(frozen=True)
class Link:
    """How a child of one kind hangs under its parent: the relationship type and the parent's end."""

    relationship: str
    parent_at_end_one: bool
    via_schema_type: bool = False
    """The parent end is the parent's hidden schema type, not the parent itself (schema -> table)."""


@dataclass(frozen=True)
class Kind:
    enum: int
    field: str
    """The DataElement oneof field."""
    type_name: str
    parents: dict[str, Link]
    """Parent kind field -> link. Empty: the kind is top-level only."""


KINDS: dict[str, Kind] = {
    kind.field: kind
    for kind in (
        Kind(dm.ELEMENT_KIND_DATABASE, "database", "Database", {}),
        Kind(dm.ELEMENT_KIND_DATABASE_SCHEMA, "schema", "DeployedDatabaseSchema",
             {"database": Link("DataSetContent", parent_at_end_one=False)}),
        Kind(dm.ELEMENT_KIND_TABLE, "table", "RelationalTable",
             {"schema": Link("AttributeForSchema", parent_at_end_one=True, via_schema_type=True)}),
        Kind(dm.ELEMENT_KIND_COLUMN, "column", "RelationalColumn",
             {"table": Link("NestedSchemaAttribute", parent_at_end_one=True)}),
        Kind(dm.ELEMENT_KIND_FOLDER, "folder", "FileFolder",
             {"folder": Link("FolderHierarchy", parent_at_end_one=True)}),
        Kind(dm.ELEMENT_KIND_FILE, "file", "DataFile", {"folder": Link("NestedFile", parent_at_end_one=True)}),
        Kind(dm.ELEMENT_KIND_TOPIC, "topic", "Topic", {}),
    )
}
_EXACT: dict[str, Kind] = {kind.type_name: kind for kind in KINDS.values()}
KINDS_BY_ENUM: dict[int, Kind] = {kind.enum: kind for kind in KINDS.values()}
LINKS_BY_TYPE: dict[str, Link] = {link.relationship: link for kind in KINDS.values() for link in kind.parents.values()}
PARENT_LINK_TYPES = frozenset(LINKS_BY_TYPE)
DELETED = typedefs_pb2.INSTANCE_STATUS_DELETED


def kind_of_type(type_name: str, is_a: Callable[[str, str], bool]) -> Kind | None:
    """The kind whose type this is (or a subtype of: a CSVFile is a file)."""
    kind = _EXACT.get(type_name)
    if kind is not None:
        return kind
    for kind in KINDS.values():
        if is_a(type_name, kind.type_name):
            return kind
    return None


# -- property values -----------------------------------------------------------------------------------
def _prim(type_name: str, category: int, **value: object) -> instances_pb2.PropertyValue:
    return instances_pb2.PropertyValue(
        type_name=type_name,
        primitive=instances_pb2.PrimitiveValue(primitive_def_category=category, **value),  # type: ignore[arg-type]
    )


def string(value: str) -> instances_pb2.PropertyValue:
    return _prim("string", P.PRIMITIVE_DEF_CATEGORY_STRING, string_value=value)


def _set(props: Props, name: str, type_name: str, category: int) -> instances_pb2.PrimitiveValue:
    # Filled in place: building a PropertyValue and copying it in costs four times as much, and this runs
    # for every property of every element of every batch.
    value = props.properties[name]
    value.type_name = type_name
    primitive = value.primitive
    primitive.primitive_def_category = category  # type: ignore[assignment]
    return primitive


def _set_string(props: Props, name: str, value: str) -> None:
    if value:
        _set(props, name, "string", P.PRIMITIVE_DEF_CATEGORY_STRING).string_value = value


def _set_int(props: Props, name: str, value: int) -> None:
    if value:
        _set(props, name, "int", P.PRIMITIVE_DEF_CATEGORY_INT).int_value = value


def _set_long(props: Props, name: str, value: int) -> None:
    if value:
        _set(props, name, "long", P.PRIMITIVE_DEF_CATEGORY_LONG).long_value = value


def _set_bool(props: Props, name: str, value: bool) -> None:
    if value:
        _set(props, name, "boolean", P.PRIMITIVE_DEF_CATEGORY_BOOLEAN).boolean_value = True


def _set_date(props: Props, name: str, value: int) -> None:
    if value:
        _set(props, name, "date", P.PRIMITIVE_DEF_CATEGORY_DATE).date_value = value


# Timestamp's valid range (years 0001..9999); beyond it the ms overflow the int64 of a date property.
_MIN_MS, _MAX_MS = -62135596800 * 1000, 253402300799 * 1000 + 999


def _timestamp_ms(ts: Timestamp, field: str) -> int:
    # Plain arithmetic rather than ToMilliseconds(): this is the upsert hot path.
    ms = int(ts.seconds) * 1000 + int(ts.nanos) // 1_000_000
    if not (_MIN_MS <= ms <= _MAX_MS and 0 <= ts.nanos <= 999_999_999):
        raise InvalidArgument(message=f"{field}: not a valid timestamp", reason="INVALID_TIMESTAMP",
                              field_violations=[(field, "not a valid timestamp")])
    return ms


def string_map(values: dict[str, str]) -> instances_pb2.PropertyValue:
    mapped = instances_pb2.MapValue()
    for key in sorted(values):
        mapped.values[key].CopyFrom(string(values[key]))
    return instances_pb2.PropertyValue(type_name="map<string,string>", map=mapped)


# -- element -> properties -----------------------------------------------------------------------------
def to_properties(element: dm.DataElement, kind: str) -> Props:
    """The entity properties for an element (deterministic, non-default values only)."""
    props = Props()
    _set_string(props, "qualifiedName", element.qualified_name)
    _set_string(props, "displayName", element.display_name)
    _set_string(props, "description", element.description)
    extra = dict(element.additional_properties)
    _KIND_PROPS[kind](element, props, extra)
    if extra:
        props.properties["additionalProperties"].CopyFrom(string_map(extra))
    return props


def _database(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    db = element.database
    _set_string(props, "databaseType", db.database_type)
    _set_string(props, "databaseVersion", db.database_version)
    _set_string(props, "pathName", db.path_name)
    _set_string(props, "databaseInstance", db.database_instance)


def _schema(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    pass


def _table(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    _set_bool(props, "isView", element.table.is_view)
    if element.table.view_definition:
        extra[HIDDEN_KEYS["view_definition"]] = element.table.view_definition


def _column(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    col = element.column
    _set_string(props, "dataType", col.data_type)
    _set_int(props, "position", col.position)
    _set_bool(props, "isNullable", col.is_nullable)
    _set_bool(props, "isPrimaryKey", col.is_primary_key)
    _set_int(props, "maxLength", col.max_length)
    _set_string(props, "defaultValueOverride", col.default_value)


def _folder(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    _set_string(props, "pathName", element.folder.path_name)


def _file(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    f = element.file
    _set_string(props, "pathName", f.path_name)
    _set_string(props, "fileName", f.file_name)
    _set_string(props, "fileExtension", f.file_extension)
    _set_string(props, "fileType", f.file_type)
    _set_long(props, "size", f.size_bytes)
    if f.HasField("modified_time"):
        _set_date(props, "modifiedTime", _timestamp_ms(f.modified_time, "file.modified_time"))


def _topic(element: dm.DataElement, props: Props, extra: dict[str, str]) -> None:
    _set_string(props, "topicType", element.topic.topic_type)
    if element.topic.partitions:
        extra[HIDDEN_KEYS["partitions"]] = str(element.topic.partitions)


_KIND_PROPS: dict[str, Callable[[dm.DataElement, Props, dict[str, str]], None]] = {
    "database": _database,
    "schema": _schema,
    "table": _table,
    "column": _column,
    "folder": _folder,
    "file": _file,
    "topic": _topic,
}


# -- properties -> element -----------------------------------------------------------------------------
def _get(props: Props, name: str) -> instances_pb2.PrimitiveValue:
    return props.properties[name].primitive if name in props.properties else instances_pb2.PrimitiveValue()


def to_element(props: Props, kind: str, parent_qualified_name: str = "") -> dm.DataElement:
    """The DataElement that a stored entity of this kind represents."""
    element = dm.DataElement(
        qualified_name=_get(props, "qualifiedName").string_value,
        display_name=_get(props, "displayName").string_value,
        description=_get(props, "description").string_value,
        parent_qualified_name=parent_qualified_name,
    )
    extra: dict[str, str] = {}
    if "additionalProperties" in props.properties:
        values = props.properties["additionalProperties"].map.values
        extra = {key: value.primitive.string_value for key, value in values.items()}
    hidden = {key: extra.pop(stored, "") for key, stored in HIDDEN_KEYS.items()}
    element.additional_properties.update(extra)

    def s(name: str) -> str:
        return str(_get(props, name).string_value)

    if kind == "database":
        element.database.CopyFrom(dm.DatabaseElement(
            database_type=s("databaseType"), database_version=s("databaseVersion"),
            path_name=s("pathName"), database_instance=s("databaseInstance")))
    elif kind == "schema":
        element.schema.SetInParent()
    elif kind == "table":
        element.table.CopyFrom(dm.TableElement(
            is_view=_get(props, "isView").boolean_value, view_definition=hidden["view_definition"]))
    elif kind == "column":
        element.column.CopyFrom(dm.ColumnElement(
            data_type=s("dataType"), position=_get(props, "position").int_value,
            is_nullable=_get(props, "isNullable").boolean_value,
            is_primary_key=_get(props, "isPrimaryKey").boolean_value,
            max_length=_get(props, "maxLength").int_value, default_value=s("defaultValueOverride")))
    elif kind == "folder":
        element.folder.path_name = s("pathName")
    elif kind == "file":
        _file_back(props, element)
    elif kind == "topic":
        partitions = hidden["partitions"]
        element.topic.CopyFrom(dm.TopicElement(
            topic_type=s("topicType"), partitions=int(partitions) if partitions.isdigit() else 0))
    return element


def _file_back(props: Props, element: dm.DataElement) -> None:
    f = element.file
    f.path_name = _get(props, "pathName").string_value
    f.file_name = _get(props, "fileName").string_value
    f.file_extension = _get(props, "fileExtension").string_value
    f.file_type = _get(props, "fileType").string_value
    f.size_bytes = _get(props, "size").long_value
    modified = _get(props, "modifiedTime").date_value
    if modified:
        f.modified_time.FromMilliseconds(modified)
    f.SetInParent()
