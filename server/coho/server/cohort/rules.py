"""Exchange rules: which events a member processes, saves or sends (Egeria's OMRS exchange rules).

A rule is evaluated per event: registry events always pass (membership must flow whatever the rule, or a
REGISTRATION_ONLY member could never join), typedef events pass unless the rule is REGISTRATION_ONLY, and
instance events pass according to the rule and the instance's type. Type selection includes subtypes,
resolved against the live type registry at evaluation time, so a type added later is covered too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2
from coho.server.config import ExchangeRuleConfig
from coho.server.types import TypeRegistry

RULE_BY_NAME = {
    "ALL": cs.EXCHANGE_RULE_ALL,
    "JUST_TYPEDEFS": cs.EXCHANGE_RULE_JUST_TYPEDEFS,
    "SELECTED_TYPES": cs.EXCHANGE_RULE_SELECTED_TYPES,
    "LEARNED_TYPES": cs.EXCHANGE_RULE_LEARNED_TYPES,
    "REGISTRATION_ONLY": cs.EXCHANGE_RULE_REGISTRATION_ONLY,
}


@dataclass
class ExchangeRule:
    """A compiled rule. ``learned`` holds the type names learned from the cohort (LEARNED_TYPES)."""

    rule: int = cs.EXCHANGE_RULE_ALL
    selected: frozenset[str] = frozenset()
    learned: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, config: ExchangeRuleConfig) -> ExchangeRule:
        return cls(RULE_BY_NAME[config.rule], frozenset(config.selected_type_names))

    @classmethod
    def from_proto(cls, message: cs.ExchangeRuleSet) -> ExchangeRule:
        # An unset rule on the wire means "send everything": the pre-rules behaviour.
        return cls(message.rule or cs.EXCHANGE_RULE_ALL, frozenset(message.selected_type_names))

    def to_proto(self) -> cs.ExchangeRuleSet:
        return cs.ExchangeRuleSet(rule=self.rule, selected_type_names=sorted(self.selected))  # type: ignore[arg-type]

    def learn(self, names: Iterable[str]) -> None:
        self.learned.update(names)

    def admits(self, event: events_pb2.OmrsEvent, types: TypeRegistry) -> bool:
        """True when this rule lets the event through."""
        section = event.WhichOneof("section")
        if section == "registry":
            return True
        if self.rule == cs.EXCHANGE_RULE_REGISTRATION_ONLY:
            return False
        if section != "instance":
            return True
        if self.rule == cs.EXCHANGE_RULE_ALL:
            return True
        if self.rule == cs.EXCHANGE_RULE_JUST_TYPEDEFS:
            return False
        return self.admits_type(event.instance.type_def_name, types)

    def admits_type(self, type_name: str, types: TypeRegistry) -> bool:
        """For SELECTED_TYPES / LEARNED_TYPES: the type is selected (or learned), or a subtype of one."""
        if self.rule == cs.EXCHANGE_RULE_ALL:
            return True
        if self.rule in (cs.EXCHANGE_RULE_JUST_TYPEDEFS, cs.EXCHANGE_RULE_REGISTRATION_ONLY):
            return False
        names = self.selected | self.learned if self.rule == cs.EXCHANGE_RULE_LEARNED_TYPES else self.selected
        if not type_name:
            # A batch event has no single type; its members are checked one by one.
            return True
        if type_name in names:
            return True
        try:
            ancestors = types.supertypes(type_name)
        except Exception:  # an unknown type: nothing selects it
            return False
        return any(name in names for name in ancestors)


TypesFn = Callable[[], TypeRegistry]
