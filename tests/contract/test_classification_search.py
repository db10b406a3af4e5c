"""Classification search: entities by classification name and classification properties, ALL / ANY / NONE."""

from __future__ import annotations

from contract.builders import ALICE, add, cond, guids, integer, props, search

from coho.omrs.v1 import common_pb2 as C
from coho.server.repository import Repository


def _by(*names: str, match: int = C.MATCH_CRITERIA_ALL) -> C.SearchClassifications:
    return C.SearchClassifications(
        conditions=[C.ClassificationCondition(name=n) for n in names],
        match_criteria=match,  # type: ignore[arg-type]
    )


async def test_classification_conditions(repo: Repository) -> None:
    plain = await add(repo)
    memento = await add(repo)
    both = await add(repo)
    await repo.classify_entity(ALICE, memento.header.guid, "Memento")
    await repo.classify_entity(ALICE, both.header.guid, "Memento")
    await repo.classify_entity(ALICE, both.header.guid, "Confidentiality", props(confidentialityLevel=integer(3)))
    assert guids(repo.find_entities(match_classifications=_by("Memento")).items) == {
        memento.header.guid,
        both.header.guid,
    }
    assert guids(repo.find_entities(match_classifications=_by("Memento", "Confidentiality")).items) == {
        both.header.guid
    }
    any_of = _by("Memento", "Confidentiality", match=C.MATCH_CRITERIA_ANY)
    assert guids(repo.find_entities(match_classifications=any_of).items) == {memento.header.guid, both.header.guid}
    none_of = _by("Memento", match=C.MATCH_CRITERIA_NONE)
    assert guids(repo.find_entities(type_name="DataFile", match_classifications=none_of).items) == {plain.header.guid}
    level = C.SearchClassifications(
        conditions=[
            C.ClassificationCondition(
                name="Confidentiality",
                match_properties=search(cond("confidentialityLevel", C.PROPERTY_COMPARISON_OPERATOR_EQ, integer(2))),
            )
        ]
    )
    assert repo.find_entities(match_classifications=level).items == []
    await repo.reclassify_entity(ALICE, both.header.guid, "Confidentiality", props(confidentialityLevel=integer(2)))
    assert guids(repo.find_entities(match_classifications=level).items) == {both.header.guid}
    await repo.declassify_entity(ALICE, both.header.guid, "Confidentiality")
    assert repo.find_entities(match_classifications=level).items == []
