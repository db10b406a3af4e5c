"""Egeria open metadata archive (``.omarchive`` JSON) <-> coho.omrs.v1 messages.

:func:`parse_archive` and :func:`archive_to_json` are inverses: for Egeria's own archives,
``archive_to_json(parse_archive(x)) == x`` up to key order (tests/unit/archive). No grpc, no store: pure
functions, so the loader, the exporter, the CLI and the TypeService all share one codec.

Malformed input raises :class:`coho.server.errors.InvalidArgument` with reason ``ARCHIVE_INVALID`` and one
field violation ``(element path, problem)``. Hostile input is bounded before the JSON parser sees it: a
document over ``max_bytes`` or nested deeper than ``max_depth`` is refused, so a crafted archive can neither
exhaust memory nor raise RecursionError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coho.omrs.v1 import instances_pb2, type_service_pb2, typedefs_pb2
from coho.server.archive import egeria_instances as inst
from coho.server.archive import egeria_types as types
from coho.server.archive.egeria_common import ArchiveFormatError, Node, ReadContext
from coho.server.errors import InvalidArgument

ARCHIVE_INVALID = "ARCHIVE_INVALID"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
"""Egeria's own archives nest at most ~15 levels; 64 leaves room for nested property values."""

_DOCUMENT = "document"
# A JSON string, unrolled so the regex engine never backtracks; used to skip brackets inside strings.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_BRACKET_OR_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

# archiveProperties keys coho models, in Egeria's order (export writes them in this order).
_PROPERTY_KEYS = ("archiveGUID", "archiveName", "archiveDescription", "archiveType", "archiveVersion",
                  "originatorName", "originatorOrganization", "originatorLicense", "creationDate",
                  "dependsOnArchives")


@dataclass
class ArchiveProperties:
    """An archive's identity. ``raw`` is the whole archiveProperties object, so export keeps unknown keys."""

    guid: str
    name: str
    description: str = ""
    archive_type: str = ""
    version: str = ""
    originator_name: str = ""
    originator_organization: str = ""
    originator_license: str = ""
    creation_time_ms: int | None = None
    depends_on: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedArchive:
    properties: ArchiveProperties
    attribute_type_defs: list[typedefs_pb2.AttributeTypeDef] = field(default_factory=list)
    type_defs: list[typedefs_pb2.TypeDef] = field(default_factory=list)
    patches: list[typedefs_pb2.TypeDefPatch] = field(default_factory=list)
    entities: list[instances_pb2.EntityDetail] = field(default_factory=list)
    relationships: list[instances_pb2.Relationship] = field(default_factory=list)
    classification_extensions: list[instances_pb2.ClassificationEntityExtension] = field(default_factory=list)
    unmodelled: list[str] = field(default_factory=list)
    """Paths of Egeria fields that coho has no place for (dropped on load; empty for Egeria's archives)."""

    def proxy_guids(self) -> list[str]:
        """GUIDs named by relationship ends or classification extensions that are not entities here."""
        entity_guids = {e.header.guid for e in self.entities}
        seen: dict[str, None] = {}
        for relationship in self.relationships:
            for proxy in (relationship.entity_one_proxy, relationship.entity_two_proxy):
                if proxy.header.guid not in entity_guids:
                    seen.setdefault(proxy.header.guid)
        for extension in self.classification_extensions:
            if extension.entity_to_classify.header.guid not in entity_guids:
                seen.setdefault(extension.entity_to_classify.header.guid)
        return list(seen)

    def counts(self) -> type_service_pb2.ArchiveCounts:
        """What the archive holds (LoadArchiveResponse.in_archive)."""
        return type_service_pb2.ArchiveCounts(
            attribute_type_defs=len(self.attribute_type_defs), type_defs=len(self.type_defs),
            type_def_patches=len(self.patches), entities=len(self.entities),
            entity_proxies=len(self.proxy_guids()), relationships=len(self.relationships),
            classifications=len(self.classification_extensions),
        )


# -- parsing ------------------------------------------------------------------------------------------


def parse_archive(data: bytes | str | dict[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_depth: int = DEFAULT_MAX_DEPTH) -> ParsedArchive:
    """Decode an Egeria archive. Raises InvalidArgument(reason=ARCHIVE_INVALID) naming the bad element."""
    try:
        document = data if isinstance(data, dict) else _load_json(data, max_bytes, max_depth)
        if isinstance(data, dict):
            _check_object_depth(data, max_depth)
        return _read_archive(document)
    except ArchiveFormatError as err:
        raise InvalidArgument(reason=ARCHIVE_INVALID, message=f"{err.path}: {err.problem}",
                              field_violations=[(err.path, err.problem)]) from None


def _load_json(data: bytes | str, max_bytes: int, max_depth: int) -> Any:
    if len(data) > max_bytes:
        raise ArchiveFormatError(_DOCUMENT, f"is {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as err:
        raise ArchiveFormatError(_DOCUMENT, f"is not UTF-8 text (byte {err.start})") from None
    _check_text_depth(text, max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ArchiveFormatError(
            _DOCUMENT, f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None


def _check_text_depth(text: str, max_depth: int) -> None:
    # Fast path in C: drop strings, keep only brackets, then count; the slow scan runs only to locate a
    # violation for the message.
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > max_depth:
            break
    else:
        return
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                raise ArchiveFormatError(
                    _DOCUMENT, f"nested deeper than {max_depth} levels at line {line} column {column}")
        elif token in ("]", "}"):
            depth -= 1
    raise ArchiveFormatError(_DOCUMENT, f"nested deeper than {max_depth} levels")


def _check_object_depth(document: Any, max_depth: int) -> None:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise ArchiveFormatError(_DOCUMENT, f"nested deeper than {max_depth} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def _read_archive(document: Any) -> ParsedArchive:
    ctx = ReadContext()
    root = Node(document, element=_DOCUMENT, ctx=ctx)
    if root.has("class"):
        root.class_name("OpenMetadataArchive")
    parsed = ParsedArchive(properties=_read_properties(root))
    type_store = root.opt_child("archiveTypeStore")
    if type_store is not None:
        _read_type_store(type_store, parsed)
    instance_store = root.opt_child("archiveInstanceStore")
    if instance_store is not None:
        _read_instance_store(instance_store, parsed)
    root.finish()
    parsed.unmodelled = ctx.unmodelled
    return parsed


def _read_properties(root: Node) -> ArchiveProperties:
    node = root.child("archiveProperties")
    created = node.integer("creationDate") if node.has("creationDate") else None
    properties = ArchiveProperties(
        guid=node.text("archiveGUID", required=True), name=node.text("archiveName"),
        description=node.text("archiveDescription"), archive_type=node.text("archiveType"),
        version=node.text("archiveVersion"), originator_name=node.text("originatorName"),
        originator_organization=node.text("originatorOrganization"),
        originator_license=node.text("originatorLicense"), creation_time_ms=created,
        depends_on=node.texts("dependsOnArchives"), raw=dict(node.data),
    )
    # Not node.finish(): keys coho does not model are kept in raw and written back on export.
    return properties


def _elements(store: Node, key: str, describe: Callable[[dict[str, Any]], str]) -> list[Node]:
    """Each member of store[key] as a Node whose element path names it, e.g. ``...entities[3] (guid x)``."""
    prefix = ".".join((*store.inner, key))
    nodes = []
    for index, item in enumerate(store.array(key)):
        label = describe(item) if isinstance(item, dict) else ""
        element = f"{prefix}[{index}] ({label})" if label else f"{prefix}[{index}]"
        nodes.append(Node(item, element=element, ctx=store.ctx))
    return nodes


def _label(key: str, prefix: str = "") -> Callable[[dict[str, Any]], str]:
    def describe(item: dict[str, Any]) -> str:
        value = item.get(key)
        return f"{prefix}{value}" if isinstance(value, str) else ""
    return describe


def _extension_label(item: dict[str, Any]) -> str:
    target = item.get("entityToClassify")
    return _label("guid", "entity ")(target) if isinstance(target, dict) else ""


def _read_type_store(store: Node, parsed: ParsedArchive) -> None:
    store.class_name("OpenMetadataArchiveTypeStore")
    parsed.attribute_type_defs = [types.read_attribute_type_def(n)
                                  for n in _elements(store, "attributeTypeDefs", _label("name"))]
    parsed.type_defs = [types.read_type_def(n) for n in _elements(store, "newTypeDefs", _label("name"))]
    parsed.patches = [types.read_patch(n) for n in _elements(store, "typeDefPatches", _label("typeDefName"))]
    store.finish()


def _read_instance_store(store: Node, parsed: ParsedArchive) -> None:
    store.class_name("OpenMetadataArchiveInstanceStore")
    by_guid = _label("guid", "guid ")
    parsed.entities = [inst.read_entity(n) for n in _elements(store, "entities", by_guid)]
    parsed.relationships = [inst.read_relationship(n) for n in _elements(store, "relationships", by_guid)]
    parsed.classification_extensions = [
        inst.read_extension(n) for n in _elements(store, "classifications", _extension_label)]
    store.finish()


# -- writing ------------------------------------------------------------------------------------------


def archive_to_json(parsed: ParsedArchive) -> dict[str, Any]:
    """The archive as Egeria writes it (a JSON-ready dict)."""
    out: dict[str, Any] = {"class": "OpenMetadataArchive", "archiveProperties": _write_properties(parsed)}
    type_store: dict[str, Any] = {"class": "OpenMetadataArchiveTypeStore"}
    if parsed.attribute_type_defs:
        type_store["attributeTypeDefs"] = [types.write_attribute_type_def(a) for a in parsed.attribute_type_defs]
    if parsed.type_defs:
        type_store["newTypeDefs"] = [types.write_type_def(t) for t in parsed.type_defs]
    if parsed.patches:
        type_store["typeDefPatches"] = [types.write_patch(p) for p in parsed.patches]
    if len(type_store) > 1:
        out["archiveTypeStore"] = type_store
    instance_store: dict[str, Any] = {"class": "OpenMetadataArchiveInstanceStore"}
    if parsed.entities:
        instance_store["entities"] = [inst.write_entity(e) for e in parsed.entities]
    if parsed.relationships:
        instance_store["relationships"] = [inst.write_relationship(r) for r in parsed.relationships]
    if parsed.classification_extensions:
        instance_store["classifications"] = [inst.write_extension(c) for c in parsed.classification_extensions]
    if len(instance_store) > 1:
        out["archiveInstanceStore"] = instance_store
    return out


def _write_properties(parsed: ParsedArchive) -> dict[str, Any]:
    p = parsed.properties
    modelled: dict[str, Any] = {
        "archiveGUID": p.guid, "archiveName": p.name, "archiveDescription": p.description,
        "archiveType": p.archive_type, "archiveVersion": p.version, "originatorName": p.originator_name,
        "originatorOrganization": p.originator_organization, "originatorLicense": p.originator_license,
        "creationDate": p.creation_time_ms, "dependsOnArchives": p.depends_on or None,
    }
    out: dict[str, Any] = {"class": "OpenMetadataArchiveProperties"}
    for key in _PROPERTY_KEYS:
        if modelled[key] not in (None, ""):
            out[key] = modelled[key]
    for key, value in p.raw.items():  # keys coho does not model, kept as they came
        if key not in out and key not in modelled:
            out[key] = value
    return out


def dumps_archive(document: dict[str, Any]) -> bytes:
    """Serialise as Egeria does: compact UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
