"""What the fast write path must keep: lean but complete headers, unique checks against stored and batch
values, and events that carry the same images as the store."""

from __future__ import annotations

import pytest
from contract.builders import ALICE, new_entity

from coho.server.errors import AlreadyExists
from coho.server.repository import Repository


async def test_headers_are_lean_but_keep_identity_and_super_types(repo: Repository) -> None:
    written = await repo.add_entity(ALICE, new_entity("DataFile", qualifiedName="lean"))
    stored = repo.get_entity(written.value.header.guid)
    kind = stored.header.type
    full = repo.types.instance_type("DataFile")
    assert (kind.type_def_name, kind.type_def_guid, kind.type_def_version, kind.type_def_category) == (
        full.type_def_name,
        full.type_def_guid,
        full.type_def_version,
        full.type_def_category,
    )
    assert [s.name for s in kind.type_def_super_types] == [s.name for s in full.type_def_super_types]
    assert not kind.valid_instance_properties and not kind.valid_status_list  # derivable from the TypeDef
    assert stored == written.value
    (record,) = repo.store.read_changes(written.sequence - 1, 1)
    assert record.event.instance.entity == stored
    assert record.event.originator.metadata_collection_id == repo.metadata_collection_id
    assert record.event.timestamp == stored.header.create_time


async def test_batch_unique_check_sees_stored_values_and_deleted_ones_free(repo: Repository) -> None:
    first = await repo.add_entities(ALICE, [new_entity(qualifiedName=f"u{i}") for i in range(5)])
    with pytest.raises(AlreadyExists) as info:
        await repo.add_entities(ALICE, [new_entity(qualifiedName="u9"), new_entity(qualifiedName="u3")])
    assert info.value.field_violations[0][0] == "entities[1].properties.qualifiedName"
    doomed = first.value[3].header.guid
    await repo.delete_entity(ALICE, doomed)
    again = await repo.add_entities(ALICE, [new_entity(qualifiedName="u9"), new_entity(qualifiedName="u3")])
    assert len(again.value) == 2
