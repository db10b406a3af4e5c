"""ENTITY/RELATIONSHIP_ADVANCED_SEARCH: property and classification conditions together, nested groups."""

from __future__ import annotations

from contract.builders import ALICE, TEST_ASSET, add, cond, date, guids, integer, nested, props, search, strings

from coho.omrs.v1 import common_pb2 as C
from coho.server.repository import Repository

OP = C.PropertyComparisonOperator


async def test_properties_and_classifications_together(repo: Repository) -> None:
    a = await add(repo, TEST_ASSET, count=integer(1), flag=True, when=date(1000), tags=strings("x", "y"))
    b = await add(repo, TEST_ASSET, count=integer(5), flag=False, when=date(2000))
    c = await add(repo, TEST_ASSET, count=integer(9), flag=True, when=date(3000))
    await repo.classify_entity(ALICE, a.header.guid, "Confidentiality", props(confidentialityLevel=integer(1)))
    await repo.classify_entity(ALICE, c.header.guid, "Confidentiality", props(confidentialityLevel=integer(4)))
    secret = C.SearchClassifications(
        conditions=[
            C.ClassificationCondition(
                name="Confidentiality",
                match_properties=search(cond("confidentialityLevel", OP.PROPERTY_COMPARISON_OPERATOR_GTE, integer(2))),
            )
        ]
    )
    flagged = search(cond("flag", OP.PROPERTY_COMPARISON_OPERATOR_EQ, True))
    found = repo.find_entities(type_name=TEST_ASSET, match_properties=flagged, match_classifications=secret)
    assert guids(found.items) == {c.header.guid}
    # (count < 3 OR count > 8) AND when >= 2000
    query = search(
        nested(
            cond("count", OP.PROPERTY_COMPARISON_OPERATOR_LT, integer(3)),
            cond("count", OP.PROPERTY_COMPARISON_OPERATOR_GT, integer(8)),
            match=C.MATCH_CRITERIA_ANY,
        ),
        cond("when", OP.PROPERTY_COMPARISON_OPERATOR_GTE, date(2000)),
    )
    assert guids(repo.find_entities(type_name=TEST_ASSET, match_properties=query).items) == {c.header.guid}
    # NONE of (flag == true): only b
    none = search(cond("flag", OP.PROPERTY_COMPARISON_OPERATOR_EQ, True), match=C.MATCH_CRITERIA_NONE)
    assert guids(repo.find_entities(type_name=TEST_ASSET, match_properties=none).items) == {b.header.guid}
    # Arrays compare whole under EQ.
    tags = search(cond("tags", OP.PROPERTY_COMPARISON_OPERATOR_EQ, strings("x", "y")))
    assert guids(repo.find_entities(type_name=TEST_ASSET, match_properties=tags).items) == {a.header.guid}


async def test_search_across_subtypes_on_inherited_property(repo: Repository) -> None:
    file = await add(repo, "DataFile", qualifiedName="shared-prefix.file")
    folder = await add(repo, "FileFolder", qualifiedName="shared-prefix.folder")
    await add(repo, "Database", qualifiedName="other")
    query = search(cond("qualifiedName", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "shared-prefix\\..*"))
    found = repo.find_entities(type_name="Referenceable", match_properties=query)
    assert guids(found.items) == {file.header.guid, folder.header.guid}
