"""Property-value validation against a type's attributes (Egeria's rules), precompiled for speed.

Every write validates its properties, so the registry compiles each type's attributes once into
:class:`AttributeCheck` records (attribute category, primitive, enum symbols and collection arguments
already resolved) and :func:`check_properties` only does dictionary lookups and ``WhichOneof`` calls.

Numeric leniency: JSON clients cannot tell an int from a long or a float from a double, so an ``int_value``
is accepted for a LONG attribute and a ``float_value`` for a DOUBLE one. Everything else is strict; an
explicit null (a primitive with no value set, or a PropertyValue with nothing set) is always allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from coho.omrs.v1 import instances_pb2 as in_pb
from coho.omrs.v1 import typedefs_pb2 as td_pb

PROPERTY_UNKNOWN = "PROPERTY_UNKNOWN"
PROPERTY_TYPE_MISMATCH = "PROPERTY_TYPE_MISMATCH"
ENUM_SYMBOL_UNKNOWN = "ENUM_SYMBOL_UNKNOWN"

Violation = tuple[str, str, str]
"""(reason, field path, description)."""

_P = td_pb
# The PrimitiveValue fields each primitive category accepts; None means any value (Egeria's "object").
_ACCEPTED_FIELDS: dict[int, frozenset[str] | None] = {
    _P.PRIMITIVE_DEF_CATEGORY_OBJECT: None,
    _P.PRIMITIVE_DEF_CATEGORY_BOOLEAN: frozenset({"boolean_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_BYTE: frozenset({"byte_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_CHAR: frozenset({"char_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_SHORT: frozenset({"short_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_INT: frozenset({"int_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_LONG: frozenset({"long_value", "int_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_FLOAT: frozenset({"float_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_DOUBLE: frozenset({"double_value", "float_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_BIGINTEGER: frozenset({"big_integer_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_BIGDECIMAL: frozenset({"big_decimal_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_STRING: frozenset({"string_value"}),
    _P.PRIMITIVE_DEF_CATEGORY_DATE: frozenset({"date_value"}),
    # Unspecified behaves like object: an archive may leave it unset, and refusing would be worse.
    _P.PRIMITIVE_DEF_CATEGORY_UNSPECIFIED: None,
}
# The field that naturally carries each category, for "expected ... got ..." messages and label checks.
_NATURAL_FIELD: dict[int, str] = {
    _P.PRIMITIVE_DEF_CATEGORY_BOOLEAN: "boolean_value", _P.PRIMITIVE_DEF_CATEGORY_BYTE: "byte_value",
    _P.PRIMITIVE_DEF_CATEGORY_CHAR: "char_value", _P.PRIMITIVE_DEF_CATEGORY_SHORT: "short_value",
    _P.PRIMITIVE_DEF_CATEGORY_INT: "int_value", _P.PRIMITIVE_DEF_CATEGORY_LONG: "long_value",
    _P.PRIMITIVE_DEF_CATEGORY_FLOAT: "float_value", _P.PRIMITIVE_DEF_CATEGORY_DOUBLE: "double_value",
    _P.PRIMITIVE_DEF_CATEGORY_BIGINTEGER: "big_integer_value",
    _P.PRIMITIVE_DEF_CATEGORY_BIGDECIMAL: "big_decimal_value",
    _P.PRIMITIVE_DEF_CATEGORY_STRING: "string_value", _P.PRIMITIVE_DEF_CATEGORY_DATE: "date_value",
    _P.PRIMITIVE_DEF_CATEGORY_OBJECT: "object_json",
}
_PRIMITIVE_NAMES: dict[int, str] = {v: k.removeprefix("PRIMITIVE_DEF_CATEGORY_").lower()
                    for k, v in td_pb.PrimitiveDefCategory.items()}
_BIG_INTEGER = re.compile(r"^[+-]?\d+$")
_RANGES = {"byte_value": (-128, 127), "short_value": (-32768, 32767)}

_KIND_PRIMITIVE = td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_PRIMITIVE
_KIND_COLLECTION = td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_COLLECTION
_KIND_ENUM = td_pb.ATTRIBUTE_TYPE_DEF_CATEGORY_ENUM_DEF


@dataclass(frozen=True, slots=True)
class AttributeCheck:
    """One attribute of a type, with everything validation needs already resolved."""

    name: str
    type_name: str
    kind: int
    primitive: int = 0
    collection: int = 0
    # Element primitive categories: (element,) for arrays, (key, value) for maps.
    arguments: tuple[int, ...] = ()
    symbols: Mapping[str, int] | None = None
    ordinals: Mapping[int, str] | None = None


def compile_check(attr: td_pb.TypeDefAttribute,
                  resolve: Callable[[str], td_pb.AttributeTypeDef | None]) -> AttributeCheck:
    """Resolve an attribute's type (the registry's current definition wins over the embedded copy)."""
    embedded = attr.attribute_type
    atd = resolve(embedded.name) or embedded
    kind = atd.category
    if kind == _KIND_PRIMITIVE:
        return AttributeCheck(attr.attribute_name, atd.name, kind, primitive=atd.primitive.primitive_def_category)
    if kind == _KIND_ENUM:
        elements = atd.enum_def.element_defs
        return AttributeCheck(attr.attribute_name, atd.name, kind,
                              symbols={e.value: e.ordinal for e in elements},
                              ordinals={e.ordinal: e.value for e in elements})
    coll = atd.collection
    return AttributeCheck(attr.attribute_name, atd.name, kind, collection=coll.collection_def_category,
                          arguments=tuple(coll.argument_types))


def check_properties(checks: Mapping[str, AttributeCheck], props: in_pb.InstanceProperties,
                     field_path: str, type_name: str) -> list[Violation]:
    """All violations of ``props`` against a type's compiled checks (empty when valid)."""
    out: list[Violation] = []
    for name, value in props.properties.items():
        path = f"{field_path}.{name}"
        check = checks.get(name)
        if check is None:
            out.append((PROPERTY_UNKNOWN, path, f"property {name!r} is not defined for type {type_name}"))
            continue
        _check_value(check, value, path, out)
    return out


def _value_kind(value: in_pb.PropertyValue) -> str:
    which = value.WhichOneof("value")
    if which == "primitive":
        field = value.primitive.WhichOneof("value")
        return f"primitive {field}" if field else "null"
    return {"enum_value": "enum", "array": "array", "map": "map", "struct_value": "struct"}.get(which or "", "null")


def _mismatch(out: list[Violation], path: str, expected: str, value: in_pb.PropertyValue) -> None:
    out.append((PROPERTY_TYPE_MISMATCH, path, f"expected {expected}, got {_value_kind(value)}"))


def _check_value(check: AttributeCheck, value: in_pb.PropertyValue, path: str, out: list[Violation]) -> None:
    which = value.WhichOneof("value")
    if which is None:
        return  # explicit null
    if check.kind == _KIND_PRIMITIVE:
        if which != "primitive":
            _mismatch(out, path, f"primitive {check.type_name}", value)
            return
        _check_primitive(check.primitive, check.type_name, value, path, out)
    elif check.kind == _KIND_ENUM:
        if which != "enum_value":
            _mismatch(out, path, f"enum {check.type_name}", value)
            return
        _check_enum(check, value.enum_value, path, out)
    elif check.collection == td_pb.COLLECTION_DEF_CATEGORY_ARRAY:
        if which != "array":
            _mismatch(out, path, check.type_name, value)
            return
        element = check.arguments[0] if check.arguments else td_pb.PRIMITIVE_DEF_CATEGORY_OBJECT
        for i, item in enumerate(value.array.values):
            _check_element(element, item, f"{path}[{i}]", out)
    elif check.collection == td_pb.COLLECTION_DEF_CATEGORY_MAP:
        if which != "map":
            _mismatch(out, path, check.type_name, value)
            return
        element = check.arguments[1] if len(check.arguments) > 1 else td_pb.PRIMITIVE_DEF_CATEGORY_OBJECT
        for key, item in value.map.values.items():
            _check_element(element, item, f'{path}["{key}"]', out)
    elif which != "struct_value":
        _mismatch(out, path, f"struct {check.type_name}", value)


def _check_element(category: int, value: in_pb.PropertyValue, path: str, out: list[Violation]) -> None:
    which = value.WhichOneof("value")
    if which is None or _ACCEPTED_FIELDS.get(category) is None:
        return  # null element, or an object element (anything goes)
    if which != "primitive":
        _mismatch(out, path, f"primitive {_PRIMITIVE_NAMES[category]}", value)
        return
    _check_primitive(category, _PRIMITIVE_NAMES[category], value, path, out)


def _check_primitive(category: int, type_name: str, value: in_pb.PropertyValue, path: str,
                     out: list[Violation]) -> None:
    prim = value.primitive
    field = prim.WhichOneof("value")
    accepted = _ACCEPTED_FIELDS.get(category)
    if field is None or accepted is None:
        return  # explicit null, or an "object" attribute
    label = prim.primitive_def_category
    if field not in accepted or (label and _NATURAL_FIELD.get(label) not in accepted):
        got = f"{field}" + (f" labelled {_PRIMITIVE_NAMES.get(label, label)}" if label else "")
        out.append((PROPERTY_TYPE_MISMATCH, path,
                    f"expected {type_name} ({_NATURAL_FIELD.get(category)}), got {got}"))
        return
    problem = _range_problem(field, prim)
    if problem:
        out.append((PROPERTY_TYPE_MISMATCH, path, f"invalid {type_name}: {problem}"))


def _range_problem(field: str, prim: in_pb.PrimitiveValue) -> str:
    if field in _RANGES:
        low, high = _RANGES[field]
        number = getattr(prim, field)
        return "" if low <= number <= high else f"{number} is outside {low}..{high}"
    if field == "char_value":
        text = prim.char_value
        return "" if len(text) == 1 and ord(text) <= 0xFFFF else f"{text!r} is not exactly one character"
    if field == "big_integer_value":
        return "" if _BIG_INTEGER.match(prim.big_integer_value) else f"{prim.big_integer_value!r} is not an integer"
    if field == "big_decimal_value":
        try:
            ok = Decimal(prim.big_decimal_value).is_finite()
        except InvalidOperation:
            ok = False
        return "" if ok else f"{prim.big_decimal_value!r} is not a decimal number"
    return ""


def _check_enum(check: AttributeCheck, enum: in_pb.EnumValue, path: str, out: list[Violation]) -> None:
    symbols = check.symbols or {}
    if enum.symbolic_name:
        ordinal = symbols.get(enum.symbolic_name)
        if ordinal is None:
            out.append((ENUM_SYMBOL_UNKNOWN, path,
                        f"{enum.symbolic_name!r} is not a symbol of {check.type_name} "
                        f"(valid: {', '.join(symbols)})"))
        elif enum.ordinal and enum.ordinal != ordinal:
            # Ordinal 0 is indistinguishable from "unset" in proto3, so only a non-zero ordinal can disagree.
            out.append((ENUM_SYMBOL_UNKNOWN, path,
                        f"ordinal {enum.ordinal} does not match {check.type_name}.{enum.symbolic_name} ({ordinal})"))
    elif enum.ordinal not in (check.ordinals or {}):
        out.append((ENUM_SYMBOL_UNKNOWN, path, f"ordinal {enum.ordinal} is not an ordinal of {check.type_name}"))
