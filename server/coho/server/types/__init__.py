"""The open metadata type system: Egeria-style TypeDefs, coho's built-in types, and instance validation.

See :mod:`coho.server.types.registry` for the rules (idempotent adds, conflicts, built-in replacement).
"""

from coho.server.types.builtin import builtin_type_defs, stable_guid
from coho.server.types.registry import CLASSIFICATION, ENTITY, RELATIONSHIP, TypeRegistry, type_unknown

__all__ = [
    "CLASSIFICATION",
    "ENTITY",
    "RELATIONSHIP",
    "TypeRegistry",
    "builtin_type_defs",
    "stable_guid",
    "type_unknown",
]
