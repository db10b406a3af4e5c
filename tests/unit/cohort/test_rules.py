"""Exchange rules (coho.server.cohort.rules): every rule, for registry, typedef and instance events."""

from __future__ import annotations

import pytest

from coho.omrs.v1 import cohort_service_pb2 as cs
from coho.omrs.v1 import events_pb2
from coho.server.cohort.rules import ExchangeRule
from coho.server.config import ExchangeRuleConfig
from coho.server.types import TypeRegistry

pytestmark = pytest.mark.timeout(10)
TYPES = TypeRegistry.with_builtin_types()
E = events_pb2


def registry_event() -> events_pb2.OmrsEvent:
    return E.OmrsEvent(registry=E.RegistryEventSection(event_type=E.REGISTRY_EVENT_TYPE_REGISTRATION_EVENT))


def typedef_event() -> events_pb2.OmrsEvent:
    return E.OmrsEvent(typedef=E.TypeDefEventSection(event_type=E.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT))


def instance_event(type_name: str) -> events_pb2.OmrsEvent:
    return E.OmrsEvent(instance=E.InstanceEventSection(event_type=E.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT,
                                                       type_def_name=type_name))


def rule(name: str, *selected: str) -> ExchangeRule:
    return ExchangeRule.from_config(ExchangeRuleConfig(rule=name, selected_type_names=list(selected)))  # type: ignore[arg-type]


def test_all_admits_everything() -> None:
    r = rule("ALL")
    assert all(r.admits(e, TYPES) for e in (registry_event(), typedef_event(), instance_event("FileFolder"),
                                            instance_event("NoSuchType")))
    assert r.admits_type("NoSuchType", TYPES)


def test_registration_only_admits_registry_events_only() -> None:
    r = rule("REGISTRATION_ONLY")
    assert r.admits(registry_event(), TYPES)
    assert not r.admits(typedef_event(), TYPES)
    assert not r.admits(instance_event("DataFile"), TYPES)
    assert not r.admits_type("DataFile", TYPES)


def test_just_typedefs_admits_registry_and_typedef_events() -> None:
    r = rule("JUST_TYPEDEFS")
    assert r.admits(registry_event(), TYPES) and r.admits(typedef_event(), TYPES)
    assert not r.admits(instance_event("DataFile"), TYPES)
    assert not r.admits_type("DataFile", TYPES)


def test_selected_types_include_subtypes_but_not_supertypes_or_siblings() -> None:
    r = rule("SELECTED_TYPES", "DataFile")
    assert r.admits(registry_event(), TYPES) and r.admits(typedef_event(), TYPES)
    assert r.admits(instance_event("DataFile"), TYPES)
    assert r.admits(instance_event("CSVFile"), TYPES)  # a DataFile subtype
    assert not r.admits(instance_event("DataStore"), TYPES)  # a supertype
    assert not r.admits(instance_event("FileFolder"), TYPES)  # a sibling
    assert not r.admits(instance_event("NoSuchType"), TYPES)  # unknown: nothing selects it
    assert r.admits_type("", TYPES)  # a batch: its members are checked one by one


def test_selected_types_cover_a_subtype_added_later() -> None:
    r = rule("SELECTED_TYPES", "DataFile")
    types = TYPES.copy()
    csv = types.get_type_def("CSVFile")
    assert csv is not None
    later = type(csv)()
    later.CopyFrom(csv)
    later.name, later.guid = "LaterFile", "b2d4b4a6-6d1c-4d5e-9a0e-1f3a4f7c0001"
    later.super_type.name, later.super_type.guid = "CSVFile", csv.guid
    assert not r.admits_type("LaterFile", types)
    types.add_type_def(later)
    assert r.admits_type("LaterFile", types)  # resolved against the live registry at evaluation time


def test_learned_types_admit_what_was_selected_or_learned_and_its_subtypes() -> None:
    r = rule("LEARNED_TYPES")
    assert not r.admits(instance_event("DataFile"), TYPES)
    r.learn(["DataFile"])
    assert r.admits(instance_event("DataFile"), TYPES) and r.admits(instance_event("CSVFile"), TYPES)
    assert not r.admits(instance_event("FileFolder"), TYPES)
    seeded = ExchangeRule(cs.EXCHANGE_RULE_LEARNED_TYPES, frozenset({"FileFolder"}))
    assert seeded.admits_type("FileFolder", TYPES) and not seeded.admits_type("DataFile", TYPES)
    # SELECTED_TYPES ignores learning: only LEARNED_TYPES grows.
    selected = rule("SELECTED_TYPES", "FileFolder")
    selected.learn(["DataFile"])
    assert not selected.admits_type("DataFile", TYPES)


def test_wire_round_trip_and_unset_rule_means_all() -> None:
    r = rule("SELECTED_TYPES", "b", "a")
    wire = r.to_proto()
    assert list(wire.selected_type_names) == ["a", "b"]
    back = ExchangeRule.from_proto(wire)
    assert back.rule == cs.EXCHANGE_RULE_SELECTED_TYPES and back.selected == {"a", "b"}
    assert ExchangeRule.from_proto(cs.ExchangeRuleSet()).rule == cs.EXCHANGE_RULE_ALL


def test_selected_types_config_needs_names() -> None:
    with pytest.raises(ValueError, match="selected"):
        ExchangeRuleConfig(rule="SELECTED_TYPES")
