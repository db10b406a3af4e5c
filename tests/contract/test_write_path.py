"""What the fast write path must keep: lean but complete headers, unique checks against stored and batch
values, and events that carry the same images as the store."""

from __future__ import annotations

from typing import Any

import pytest
from contract.builders import ALICE, DELETED, add, link, new_entity

from coho.omrs.v1 import instances_pb2
from coho.server.errors import AlreadyExists
from coho.server.repository import Repository
from coho.server.store.base import WriteTxn


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


class _Undo(Exception):
    """Raised at the end of a test's write operation so that what it put is not kept."""


async def test_batch_reads_answer_as_the_single_reads(repo: Repository) -> None:
    """get_entities and relationships_of_many (a batch's reads in a few statements) give what get_entity and
    relationships_of give one by one: buffered puts included, unknown GUIDs left out, every status listed, and
    a relationship whose ends are asked in different statements listed for each end once."""
    folders = [await add(repo, "FileFolder") for _ in range(320)]  # more GUIDs than one statement takes
    chain = [await link(repo, "FolderHierarchy", folders[i], folders[i + 1]) for i in range(319)]
    file = await add(repo)
    await link(repo, "NestedFile", folders[0], file)
    await repo.delete_relationship(ALICE, chain[5].header.guid)
    asked = [f.header.guid for f in folders] + [file.header.guid, "no-such-guid"]
    seen: dict[str, Any] = {}

    def op(txn: WriteTxn) -> None:
        buffered = instances_pb2.EntityDetail()
        buffered.CopyFrom(file)
        buffered.header.guid = "buffered-guid"  # put in this operation, not yet written out
        txn.put_entity(buffered)
        seen["entities"] = txn.get_entities([*asked, "buffered-guid", asked[0]])
        seen["one_by_one"] = {g: txn.get_entity(g) for g in [*asked, "buffered-guid"]}
        seen["links"] = txn.relationships_of_many(asked)
        seen["links_one_by_one"] = {g: txn.relationships_of(g) for g in asked}
        raise _Undo

    with pytest.raises(_Undo):
        await repo.store.write(op)
    assert seen["entities"] == {g: e for g, e in seen["one_by_one"].items() if e is not None}
    assert "buffered-guid" in seen["entities"] and "no-such-guid" not in seen["entities"]
    assert set(seen["links"]) == set(asked) and seen["links"]["no-such-guid"] == []
    for guid in asked:
        assert sorted(r.header.guid for r in seen["links"][guid]) == sorted(
            r.header.guid for r in seen["links_one_by_one"][guid]
        )
    assert len(seen["links"][folders[0].header.guid]) == 2  # its child folder and its file
    assert len(seen["links"][folders[300].header.guid]) == 2  # the link to 299 came with 299's statement too
    assert [r.header.status for r in seen["links"][folders[5].header.guid]].count(DELETED) == 1
