"""The in-memory open metadata type system: Egeria's TypeDefs and AttributeTypeDefs, with the lookups,
inheritance queries and instance validation the repository needs on every write.

Adding is idempotent: re-adding an identical definition (see :mod:`.compare`) changes nothing and returns
False; a *different* definition under a known name or GUID raises ``AlreadyExists`` with reason
``CONFLICTING_TYPEDEFS`` / ``CONFLICTING_ATTRIBUTE_TYPEDEFS``. An older version of a known type (same GUID,
lower version) is also accepted as a no-op, so an archive whose patches were already applied loads again
cleanly; for the same reason a patch whose ``update_to_version`` is not above the stored version is a no-op.

Built-in types and Egeria's archives. The built-in types (``builtin_types.yaml``) use Egeria's names and, where
Egeria has the type, Egeria's GUIDs. When a later definition arrives for a type that is still at its built-in
definition (``replace_builtin=True``, the default), it *replaces* the built-in one instead of conflicting:

- the category must be the same, and every property the built-in type had (own or inherited) that the new
  definition also has (own or inherited) must have the same attribute type -- otherwise CONFLICTING_TYPEDEFS;
- built-in properties the new definition lacks (coho additions such as ``DataFile.size``) are carried over
  onto the new definition and listed in ``options["coho.carried_properties"]``, so instances written
  before the load stay valid and coho's services keep working;
- after that the type is no longer built-in: a second, different definition conflicts as usual.

Built-in attribute types are replaced the same way when the new one is compatible (same primitive or
collection shape; an enum keeping every built-in symbol at its ordinal).

Stored messages are shared with callers for speed: treat what the registry returns as read-only (CopyFrom
before changing). Many threads may read one registry (caches fill idempotently); a writer should change a
:meth:`TypeRegistry.copy` and swap it in, which is also how a batch (an archive load) is staged.
"""

from __future__ import annotations

from collections.abc import Iterable

from coho.omrs.v1 import instances_pb2 as in_pb
from coho.omrs.v1 import typedefs_pb2 as td_pb
from coho.server.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from coho.server.types import compare
from coho.server.types.builtin import builtin_type_defs
from coho.server.types.definitions import (
    INVALID_TYPEDEF,
    category_name,
    check_well_formed,
    dependency_order,
    entity_links,
    patched_type_def,
)
from coho.server.types.validation import AttributeCheck, check_properties, compile_check

ENTITY = td_pb.TYPE_DEF_CATEGORY_ENTITY_DEF
RELATIONSHIP = td_pb.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF
CLASSIFICATION = td_pb.TYPE_DEF_CATEGORY_CLASSIFICATION_DEF
_ATD_DEF_FOR = {
    td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE: "primitive",
    td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION: "collection",
    td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF: "enum_def",
}
_ACTIVE = td_pb.INSTANCE_STATUS_ACTIVE
_DELETED = td_pb.INSTANCE_STATUS_DELETED
_DEFAULT_STATUSES = (_ACTIVE, _DELETED)
CARRIED_OPTION = "coho.carried_properties"

_builtin_template: TypeRegistry | None = None


def type_unknown(name: str) -> FailedPrecondition:
    return FailedPrecondition(message=f"type {name!r} is not known", reason="TYPE_UNKNOWN",
                              resource=("TypeDef", name), metadata={"type_name": name})


class TypeRegistry:
    """Types by name and GUID, with cached inheritance views; see the module docstring for the rules."""

    def __init__(self) -> None:
        self._types: dict[str, td_pb.TypeDef] = {}
        self._type_guids: dict[str, str] = {}
        self._atds: dict[str, td_pb.AttributeTypeDef] = {}
        self._atd_guids: dict[str, str] = {}
        # Names still at their built-in definition (replaceable by an archive's).
        self._builtin: set[str] = set()
        self._builtin_atds: set[str] = set()
        # Canonical bytes of each type as it was given to us, before carried properties were merged in,
        # so that re-adding the same archive type is recognised as identical.
        self._accepted: dict[str, bytes] = {}
        self._version = 0
        self._reset_caches()

    def _reset_caches(self) -> None:
        self._children: dict[str, list[str]] | None = None
        self._c_supertypes: dict[str, list[str]] = {}
        self._c_subtypes: dict[str, frozenset[str]] = {}
        self._c_props: dict[str, dict[str, td_pb.TypeDefAttribute]] = {}
        self._c_checks: dict[str, dict[str, AttributeCheck]] = {}
        self._c_instance_type: dict[str, in_pb.InstanceType] = {}
        self._c_statuses: dict[str, tuple[td_pb.InstanceStatus, ...]] = {}

    def _changed(self) -> None:
        self._version += 1
        self._reset_caches()

    # ------------------------------------------------------------------ construction

    @classmethod
    def with_builtin_types(cls) -> TypeRegistry:
        """A registry holding coho's built-in types (parsed once per process, then copied)."""
        global _builtin_template  # noqa: PLW0603 - a process-wide cache of immutable data
        if _builtin_template is None:
            template = cls()
            atds, tds = builtin_type_defs()
            for atd in atds:
                template.add_attribute_type_def(atd)
            template.add_type_defs(tds)
            template._builtin = {td.name for td in tds}
            template._builtin_atds = {atd.name for atd in atds}
            _builtin_template = template
        return _builtin_template.copy()

    def copy(self) -> TypeRegistry:
        """An independent registry sharing the (immutable) stored messages; O(number of types)."""
        new = TypeRegistry.__new__(TypeRegistry)
        new._types = dict(self._types)
        new._type_guids = dict(self._type_guids)
        new._atds = dict(self._atds)
        new._atd_guids = dict(self._atd_guids)
        new._builtin = set(self._builtin)
        new._builtin_atds = set(self._builtin_atds)
        new._accepted = dict(self._accepted)
        new._version = self._version
        new._reset_caches()
        return new

    def version_token(self) -> int:
        """Increments on every change, so caches elsewhere can tell they are stale."""
        return self._version

    # ------------------------------------------------------------------ adding

    def add_attribute_type_def(self, atd: td_pb.AttributeTypeDef, *, replace_builtin: bool = True) -> bool:
        """Add an attribute type; False when an identical one is already there."""
        violations = []
        if not atd.name or not atd.guid:
            violations.append(("attribute_type_def", "name and guid are required"))
        if _ATD_DEF_FOR.get(atd.category) != atd.WhichOneof("def"):
            violations.append(("attribute_type_def.category", "category does not match the definition set"))
        if violations:
            raise InvalidArgument(message=f"invalid attribute type {atd.name!r}", reason=INVALID_TYPEDEF,
                                  field_violations=violations)
        existing = self._atds.get(atd.name)
        other_name = self._atd_guids.get(atd.guid)
        if existing is None and other_name is None:
            self._store_atd(atd)
            return True
        if existing is not None and compare.canonical_attribute_type_def(existing) == \
                compare.canonical_attribute_type_def(atd):
            return False
        if (existing is not None and other_name in (None, atd.name) and replace_builtin
                and atd.name in self._builtin_atds and compare.attribute_type_compatible(existing, atd)):
            self._atd_guids.pop(existing.guid, None)
            self._builtin_atds.discard(atd.name)
            self._store_atd(atd)
            return True
        clash = atd.name if existing is not None else f"guid {atd.guid} (used by {other_name!r})"
        raise AlreadyExists(message=f"attribute type {clash} is already defined differently",
                            reason="CONFLICTING_ATTRIBUTE_TYPEDEFS", metadata={"type_name": atd.name})

    def _store_atd(self, atd: td_pb.AttributeTypeDef) -> None:
        stored = td_pb.AttributeTypeDef()
        stored.CopyFrom(atd)
        self._atds[atd.name] = stored
        self._atd_guids[atd.guid] = atd.name
        self._changed()

    def add_type_def(self, td: td_pb.TypeDef, *, replace_builtin: bool = True) -> bool:
        """Add a type whose supertype and attribute types are known; False when already there."""
        check_well_formed(td)
        existing = self._types.get(td.name)
        other_name = self._type_guids.get(td.guid)
        if other_name is not None and other_name != td.name:
            raise AlreadyExists(message=f"type guid {td.guid} is already used by {other_name!r}, not {td.name!r}",
                                reason="CONFLICTING_TYPEDEFS", metadata={"type_name": td.name})
        canon = compare.canonical_type_def(td)
        if existing is not None:
            if canon == self._accepted.get(td.name):
                return False
            if existing.guid == td.guid and 0 < td.version < existing.version:
                return False  # an older version of a type that patches have since moved on
            if replace_builtin and td.name in self._builtin:
                self._replace_builtin(td, canon)
                return True
            diffs = compare.type_def_differences(existing, td)
            raise AlreadyExists(message=f"type {td.name!r} is already defined differently: {'; '.join(diffs[:5])}",
                                reason="CONFLICTING_TYPEDEFS", metadata={"type_name": td.name})
        self._check_references(td)
        self._store(td, canon)
        return True

    def add_type_defs(self, tds: Iterable[td_pb.TypeDef], *, replace_builtin: bool = True) -> list[str]:
        """Add many types in dependency order (supertypes, then entity types before the relationships and
        classifications that name them). All or nothing. Returns the names that were added or changed."""
        ordered = dependency_order(list(tds))
        saved = self.copy()
        try:
            return [td.name for td in ordered if self.add_type_def(td, replace_builtin=replace_builtin)]
        except Exception:
            self.__dict__.update(saved.__dict__)
            self._changed()
            raise

    def _store(self, td: td_pb.TypeDef, canon: bytes) -> None:
        stored = td_pb.TypeDef()
        stored.CopyFrom(td)
        self._types[td.name] = stored
        self._type_guids[td.guid] = td.name
        self._accepted[td.name] = canon
        self._changed()

    def _replace_builtin(self, td: td_pb.TypeDef, canon: bytes) -> None:
        old = self._types[td.name]
        if old.category != td.category:
            raise AlreadyExists(message=f"type {td.name!r} is built in as {category_name(old.category)}",
                                reason="CONFLICTING_TYPEDEFS", metadata={"type_name": td.name})
        self._check_references(td)
        before = self.all_properties(td.name)
        inherited = self.all_properties(td.super_type.name) if td.super_type.name else {}
        merged = td_pb.TypeDef()
        merged.CopyFrom(td)
        own = {a.attribute_name: a for a in td.properties_definition}
        carried = []
        for name, attr in before.items():
            now = own.get(name) or inherited.get(name)
            if now is None:
                merged.properties_definition.append(attr)
                carried.append(name)
            elif now.attribute_type.name != attr.attribute_type.name:
                raise AlreadyExists(
                    message=f"type {td.name!r}: property {name!r} is built in as {attr.attribute_type.name}, "
                            f"not {now.attribute_type.name}",
                    reason="CONFLICTING_TYPEDEFS", metadata={"type_name": td.name})
        if carried:
            merged.options[CARRIED_OPTION] = ",".join(carried)
        if old.guid != td.guid:
            del self._type_guids[old.guid]
        self._builtin.discard(td.name)
        self._store(merged, canon)

    def _check_references(self, td: td_pb.TypeDef) -> None:
        violations: list[tuple[str, str]] = []
        sup = td.super_type.name
        if sup:
            parent = self._types.get(sup)
            if parent is None or parent.category != td.category:
                violations.append(("type_def.super_type", f"supertype {sup!r} is not a known "
                                   f"{category_name(td.category)} type"))
            elif td.name in self.supertypes(sup) or sup == td.name:
                violations.append(("type_def.super_type", f"supertype {sup!r} would make a cycle"))
        for i, attr in enumerate(td.properties_definition):
            if attr.attribute_type.name not in self._atds and attr.attribute_type.guid not in self._atd_guids:
                violations.append((f"type_def.properties_definition[{i}].attribute_type",
                                   f"attribute type {attr.attribute_type.name!r} is not known"))
        for path, link in entity_links(td):
            target = self._types.get(link.name)
            if target is None or target.category != ENTITY:
                violations.append((path, f"{link.name!r} is not a known entity type"))
        if violations:
            raise InvalidArgument(message=f"type {td.name!r} refers to unknown or unsuitable types",
                                  reason=INVALID_TYPEDEF, field_violations=violations,
                                  metadata={"type_name": td.name})

    # ------------------------------------------------------------------ patches and verification

    def apply_patch(self, patch: td_pb.TypeDefPatch) -> td_pb.TypeDef | None:
        """Apply a patch; None when the type is already at (or past) ``update_to_version``."""
        name = self._resolve_name(patch.type_def_guid) or self._resolve_name(patch.type_def_name)
        if name is None:
            raise type_unknown(patch.type_def_name or patch.type_def_guid)
        stored = self._types[name]
        if stored.version >= patch.update_to_version:
            return None
        if stored.version != patch.apply_to_version:
            raise FailedPrecondition(
                message=f"patch for {name!r} applies to version {patch.apply_to_version}, "
                        f"but version {stored.version} is stored",
                reason="TYPEDEF_PATCH_MISMATCH",
                metadata={"type_name": name, "stored_version": stored.version,
                          "apply_to_version": patch.apply_to_version})
        patched = patched_type_def(stored, patch)
        self._check_references(patched)
        canon = self._accepted.get(name, b"")
        self._store(patched, canon)
        return self._types[name]

    def verify_type_def(self, td: td_pb.TypeDef) -> list[str]:
        """Differences between ``td`` and the stored type of the same name; empty when identical."""
        stored = self._types.get(td.name)
        if stored is None:
            return [f"type {td.name!r} is not known"]
        if compare.canonical_type_def(td) == self._accepted.get(td.name):
            return []
        return compare.type_def_differences(stored, td)

    # ------------------------------------------------------------------ lookup

    def _resolve_name(self, name_or_guid: str) -> str | None:
        if name_or_guid in self._types:
            return name_or_guid
        return self._type_guids.get(name_or_guid)

    def get_type_def(self, name_or_guid: str) -> td_pb.TypeDef | None:
        name = self._resolve_name(name_or_guid)
        return None if name is None else self._types[name]

    def get_attribute_type_def(self, name_or_guid: str) -> td_pb.AttributeTypeDef | None:
        atd = self._atds.get(name_or_guid)
        if atd is None and name_or_guid in self._atd_guids:
            atd = self._atds[self._atd_guids[name_or_guid]]
        return atd

    def type_defs(self) -> list[td_pb.TypeDef]:
        return list(self._types.values())

    def attribute_type_defs(self) -> list[td_pb.AttributeTypeDef]:
        return list(self._atds.values())

    def is_builtin(self, name: str) -> bool:
        """True while the type is still at its built-in definition."""
        return name in self._builtin

    def require(self, name: str, category: int | None = None, *, for_new_instance: bool = True) -> td_pb.TypeDef:
        """The named (or GUID-identified) type, or the repository's error for an unusable one."""
        td = self.get_type_def(name)
        if td is None:
            raise type_unknown(name)
        if for_new_instance and td.status == td_pb.TYPE_DEF_STATUS_DEPRECATED_TYPEDEF:
            raise FailedPrecondition(message=f"type {td.name!r} is deprecated; new instances are not allowed",
                                     reason="TYPE_INACTIVE", resource=("TypeDef", td.name),
                                     metadata={"type_name": td.name})
        if category is not None and td.category != category:
            raise InvalidArgument(
                message=f"type {td.name!r} is a {category_name(td.category)} type, "
                        f"not a {category_name(category)} type",
                reason="TYPE_CATEGORY_MISMATCH",
                metadata={"type_name": td.name, "expected": category_name(category),
                          "actual": category_name(td.category)})
        return td

    def _known(self, name: str) -> td_pb.TypeDef:
        td = self.get_type_def(name)
        if td is None:
            raise type_unknown(name)
        return td

    # ------------------------------------------------------------------ inheritance

    def supertypes(self, name: str) -> list[str]:
        """Supertype names, nearest first, excluding the type itself."""
        cached = self._c_supertypes.get(name)
        if cached is None:
            td = self._known(name)
            cached = []
            sup = td.super_type.name
            while sup and sup in self._types and sup not in cached:
                cached.append(sup)
                sup = self._types[sup].super_type.name
            self._c_supertypes[name] = cached
        return cached

    def subtypes(self, name: str) -> frozenset[str]:
        """The type itself and all its descendants."""
        cached = self._c_subtypes.get(name)
        if cached is None:
            self._known(name)
            if self._children is None:
                children: dict[str, list[str]] = {}
                for td in self._types.values():
                    if td.super_type.name:
                        children.setdefault(td.super_type.name, []).append(td.name)
                self._children = children
            found, stack = {name}, [name]
            while stack:
                for child in self._children.get(stack.pop(), ()):
                    if child not in found:
                        found.add(child)
                        stack.append(child)
            cached = self._c_subtypes[name] = frozenset(found)
        return cached

    def is_a(self, name: str, ancestor: str) -> bool:
        """True when ``name`` is ``ancestor`` or descends from it; False for unknown names."""
        if name == ancestor:
            return name in self._types
        return name in self._types and ancestor in self.supertypes(name)

    def all_properties(self, name: str) -> dict[str, td_pb.TypeDefAttribute]:
        """Own and inherited attributes by name (a subtype's definition wins), root's first."""
        cached = self._c_props.get(name)
        if cached is None:
            chain = [name, *self.supertypes(name)]
            cached = {}
            for type_name in reversed(chain):
                for attr in self._types[type_name].properties_definition:
                    cached[attr.attribute_name] = attr
            self._c_props[name] = cached
        return cached

    def unique_properties(self, name: str) -> list[str]:
        return [n for n, attr in self.all_properties(name).items() if attr.is_unique]

    def _status_list(self, name: str) -> tuple[td_pb.InstanceStatus, ...]:
        cached = self._c_statuses.get(name)
        if cached is None:
            cached = _DEFAULT_STATUSES
            for type_name in (name, *self.supertypes(name)):
                statuses = self._types[type_name].valid_instance_statuses
                if statuses:
                    cached = tuple(statuses)
                    break
            self._c_statuses[name] = cached
        return cached

    def valid_statuses(self, name: str) -> frozenset[int]:
        """The statuses the type (or its nearest supertype that says) allows; ACTIVE and DELETED otherwise."""
        return frozenset(self._status_list(name))

    def initial_status(self, name: str) -> int:
        for type_name in (name, *self.supertypes(name)):
            status = self._types[type_name].initial_status
            if status:
                return int(status)
        return _ACTIVE

    def instance_type(self, name: str) -> in_pb.InstanceType:
        """The InstanceType for headers of instances of ``name`` (shared: CopyFrom it, do not mutate)."""
        cached = self._c_instance_type.get(name)
        if cached is None:
            td = self._known(name)
            cached = in_pb.InstanceType(
                type_def_category=td.category, type_def_guid=td.guid, type_def_name=td.name,
                type_def_version=td.version, type_def_description=td.description,
                type_def_description_guid=td.description_guid,
                valid_instance_properties=list(self.all_properties(td.name)),
                valid_status_list=list(self._status_list(td.name)),
            )
            for sup in self.supertypes(td.name):
                s = self._types[sup]
                cached.type_def_super_types.add(guid=s.guid, name=s.name, status=s.status)
            self._c_instance_type[name] = cached
        return cached

    # ------------------------------------------------------------------ validation

    def _checks(self, type_name: str) -> dict[str, AttributeCheck]:
        cached = self._c_checks.get(type_name)
        if cached is None:
            resolve = self._atds.get
            cached = {n: compile_check(a, resolve) for n, a in self.all_properties(type_name).items()}
            self._c_checks[type_name] = cached
        return cached

    def validate_properties(self, type_name: str, props: in_pb.InstanceProperties,
                            field_path: str = "properties") -> None:
        """Raise InvalidArgument (PROPERTY_UNKNOWN / PROPERTY_TYPE_MISMATCH / ENUM_SYMBOL_UNKNOWN, the first
        problem's reason) with one field violation per bad property, paths under ``field_path``."""
        checks = self._checks(type_name)
        if not props.properties:
            return
        violations = check_properties(checks, props, field_path, type_name)
        if violations:
            reason, path, description = violations[0]
            raise InvalidArgument(
                message=f"invalid properties for type {type_name}: {path}: {description}",
                reason=reason, field_violations=[(p, d) for _, p, d in violations],
                metadata={"type_name": type_name})

    def validate_status(self, type_name: str, status: int, field_path: str = "status") -> None:
        """DELETED is never set directly (delete does that); other statuses must be valid for the type."""
        allowed = self._status_list(type_name)
        if status == _DELETED or status not in allowed:
            names = [str(td_pb.InstanceStatus.Name(s)) for s in allowed if s != _DELETED]
            got = td_pb.InstanceStatus.Name(status) if status in td_pb.InstanceStatus.values() else status
            raise InvalidArgument(
                message=f"status {got} is not allowed for type {type_name} (allowed: {', '.join(names)})",
                reason="STATUS_INVALID", field_violations=[(field_path, f"must be one of {', '.join(names)}")],
                metadata={"type_name": type_name})

    def validate_classification(self, classification_name: str, entity_type_name: str,
                                field_path: str = "classification", *, for_new_instance: bool = True) -> None:
        """The classification must be a classification type valid for the entity's type (or a supertype)."""
        self.require(classification_name, CLASSIFICATION, for_new_instance=for_new_instance)
        valid: list[str] = []
        for type_name in (classification_name, *self.supertypes(classification_name)):
            valid = [link.name for link in self._types[type_name].classification_def.valid_entity_defs]
            if valid:
                break
        if valid and not any(self.is_a(entity_type_name, v) for v in valid):
            raise FailedPrecondition(
                message=f"classification {classification_name} is not valid for entity type {entity_type_name}",
                reason="CLASSIFICATION_INVALID",
                field_violations=[(field_path, f"{classification_name} is valid only for {', '.join(valid)}")],
                metadata={"classification_name": classification_name, "entity_type_name": entity_type_name})

    def validate_relationship_ends(self, relationship_type: str, end_one_type: str, end_two_type: str, *,
                                   field_path: str = "", for_new_instance: bool = True) -> None:
        """Each end's entity type must be (a subtype of) the relationship type's end type."""
        self.require(relationship_type, RELATIONSHIP, for_new_instance=for_new_instance)
        rel = self._relationship_def(relationship_type)
        prefix = f"{field_path}." if field_path else ""
        violations = []
        for path, actual, end in (("entity_one_proxy", end_one_type, rel.end_def_1),
                                  ("entity_two_proxy", end_two_type, rel.end_def_2)):
            expected = end.entity_type.name
            if expected and not self.is_a(actual, expected):
                violations.append((f"{prefix}{path}",
                                   f"{relationship_type} needs a {expected} here ({end.attribute_name}), "
                                   f"got {actual or 'no type'}"))
        if violations:
            raise InvalidArgument(message=f"relationship {relationship_type}: {violations[0][1]}",
                                  reason="RELATIONSHIP_END_INVALID", field_violations=violations,
                                  metadata={"type_name": relationship_type})

    def _relationship_def(self, name: str) -> td_pb.RelationshipDefDetails:
        # A relationship subtype without its own ends uses its supertype's (Egeria's LabeledRelationship).
        for type_name in (name, *self.supertypes(name)):
            rel = self._types[type_name].relationship_def
            if rel.end_def_1.entity_type.name:
                return rel
        return self._types[name].relationship_def

    # ------------------------------------------------------------------ consistency

    def problems(self) -> list[str]:
        """Dangling references and inconsistent redefinitions; empty for a healthy registry."""
        out = []
        for td in self._types.values():
            sup = td.super_type.name
            if sup and (sup not in self._types or self._types[sup].category != td.category):
                out.append(f"{td.name}: supertype {sup!r} unknown or of another category")
            for attr in td.properties_definition:
                if attr.attribute_type.name not in self._atds:
                    out.append(f"{td.name}.{attr.attribute_name}: attribute type {attr.attribute_type.name!r} unknown")
            out.extend(f"{td.name}: {path} {link.name!r} is not an entity type"
                       for path, link in entity_links(td)
                       if link.name not in self._types or self._types[link.name].category != ENTITY)
            if sup in self._types:
                inherited = self.all_properties(sup)
                out.extend(f"{td.name}.{a.attribute_name}: redefined as {a.attribute_type.name}, inherited as "
                           f"{inherited[a.attribute_name].attribute_type.name}"
                           for a in td.properties_definition if a.attribute_name in inherited
                           and inherited[a.attribute_name].attribute_type.name != a.attribute_type.name)
        return out
