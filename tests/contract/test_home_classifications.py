"""HOME_CLASSIFICATIONS: classifications carry their own home header; only the entity's home changes them.

coho is stricter than Egeria here: a member may not classify another member's entity (NOT_HOME, DESIGN §4).
"""

from __future__ import annotations

import pytest
from contract.builders import (
    ALICE,
    BOB,
    REMOTE_ID,
    Clock,
    add,
    copy_of,
    integer,
    ms,
    props,
    remote_entity,
    remote_header,
)

from coho.omrs.v1 import instances_pb2
from coho.server.errors import FailedPrecondition
from coho.server.repository import Repository


async def test_classification_header_is_homed_here(repo: Repository, clock: Clock) -> None:
    entity = await add(repo)
    classified = (await repo.classify_entity(BOB, entity.header.guid, "Memento", props(archiveUser="u"))).value
    (memento,) = classified.classifications
    header = memento.header
    assert header.metadata_collection_id == repo.metadata_collection_id
    assert header.type.type_def_name == "Memento"
    assert header.created_by == "bob"
    assert header.version == 1
    assert ms(header.create_time) == clock.now
    assert header.guid == ""
    assert header.instance_provenance_type == instances_pb2.INSTANCE_PROVENANCE_TYPE_LOCAL_COHORT


async def test_reclassify_versions_the_classification(repo: Repository) -> None:
    entity = await add(repo)
    guid = entity.header.guid
    await repo.classify_entity(ALICE, guid, "Confidentiality", props(confidentialityLevel=integer(1)))
    await repo.classify_entity(ALICE, guid, "Memento")
    updated = (await repo.reclassify_entity(BOB, guid, "Confidentiality", props(confidentialityLevel=integer(2)))).value
    by_name = {c.name: c for c in updated.classifications}
    assert by_name["Confidentiality"].header.version == 2
    assert by_name["Confidentiality"].header.updated_by == "bob"
    assert by_name["Memento"].header.version == 1
    assert updated.header.version == 4


async def test_copies_keep_their_home_classifications(repo: Repository) -> None:
    entity = remote_entity(repo.types)
    entity.classifications.add(
        name="Memento", header=remote_header(repo.types, "Memento", guid=""), properties=props(archiveUser="r")
    )
    await repo.save_entity_reference_copy(ALICE, entity)
    (memento,) = repo.get_entity(entity.header.guid).classifications
    assert memento.header.metadata_collection_id == REMOTE_ID
    for attempt in (
        repo.classify_entity(ALICE, entity.header.guid, "Confidentiality"),
        repo.reclassify_entity(ALICE, entity.header.guid, "Memento", props()),
        repo.declassify_entity(ALICE, entity.header.guid, "Memento"),
    ):
        with pytest.raises(FailedPrecondition) as info:
            await attempt
        assert info.value.reason == "NOT_HOME"
    # The home declassifies: the next copy has no classification.
    declassified = copy_of(entity, version=2)
    del declassified.classifications[:]
    await repo.save_entity_reference_copy(ALICE, declassified)
    assert list(repo.get_entity(entity.header.guid).classifications) == []
