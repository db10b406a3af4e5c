"""UPDATED_TYPEDEF events: a compatible newer version is applied at the receiver; a rival at one version conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from cohortharness import cohort_of, members, start_member
from cohortscenarios import Member, entity_type, until, wait_replicated

from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import typedefs_pb2

pytestmark = pytest.mark.timeout(60)


async def patch(member: Member, name: str, to_version: int, attribute: str, attribute_type: str) -> None:
    async with member.stubs() as s:
        atd = (await s.types.GetAttributeTypeDef(ts.GetAttributeTypeDefRequest(name=attribute_type))).attribute_type_def
        await s.types.PatchTypeDef(ts.PatchTypeDefRequest(patch=typedefs_pb2.TypeDefPatch(
            type_def_name=name, apply_to_version=to_version - 1, update_to_version=to_version,
            property_definitions=[typedefs_pb2.TypeDefAttribute(
                attribute_name=attribute, attribute_type=atd,
                attribute_status=typedefs_pb2.ATTRIBUTE_STATUS_ACTIVE_ATTRIBUTE)])))


async def typedef_conflicts(member: Member) -> list[str]:
    return [r.message for r in await member.audit("EVENT_CONFLICT") if "CONFLICTING_TYPEDEFS" in r.message]


async def test_patched_type_is_applied_and_a_rival_version_conflicts(tmp_path: Path) -> None:
    async with cohort_of(tmp_path, 2) as apps:
        a, b = members(apps)
        await a.add_type(await entity_type(a, "PatchedThing", "size", "int"))
        await wait_replicated([a, b])
        await patch(a, "PatchedThing", 2, "colour", "string")
        await wait_replicated([a, b])
        patched = await b.get_type("PatchedThing")
        assert patched is not None and patched.version == 2
        assert [p.attribute_name for p in patched.properties_definition] == ["size", "colour"]
        assert patched == await a.get_type("PatchedThing")
        assert not await typedef_conflicts(b)
        thing = await a.add_entity("PatchedThing", colour="red")  # an instance using the new attribute
        await wait_replicated([a, b])
        copy = await b.get_entity(thing.header.guid)
        assert copy is not None and copy.properties.properties["colour"].primitive.string_value == "red"
        # Two different version 3s made apart: each side keeps its own and reports the other's.
        await b.isolate()
        await patch(a, "PatchedThing", 3, "weight", "int")
        await patch(b, "PatchedThing", 3, "height", "int")
        await b.rejoin()
        await wait_replicated([a, b])
        for m, attribute in ((a, "weight"), (b, "height")):
            kept = await m.get_type("PatchedThing")
            assert kept is not None and kept.version == 3
            assert [p.attribute_name for p in kept.properties_definition] == ["size", "colour", attribute]

            async def reported(m: Member = m) -> bool:
                return bool(await typedef_conflicts(m))
            await until(reported, what=f"a CONFLICTING_TYPEDEFS at {m.name}")
        await apps[1].stop()
        again = await start_member(tmp_path, "m1", [apps[0].address])
        try:
            stored = await members([again])[0].get_type("PatchedThing")
            assert stored is not None and stored.version == 3  # the applied patch was persisted
            assert [p.attribute_name for p in stored.properties_definition] == ["size", "colour", "height"]
        finally:
            await again.stop()
