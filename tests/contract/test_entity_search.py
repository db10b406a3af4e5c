"""ENTITY_SEARCH: type plus subtypes, every comparison operator, ALL / ANY / NONE, nesting, paging, order."""

from __future__ import annotations

import pytest
from contract.builders import (
    ACTIVE,
    ALICE,
    DELETED,
    add,
    cond,
    guids,
    long,
    nested,
    search,
    strings,
    text,
)

from coho.omrs.v1 import common_pb2 as C
from coho.server.errors import FailedPrecondition, InvalidArgument
from coho.server.repository import Repository

OP = C.PropertyComparisonOperator


@pytest.fixture
async def files(repo: Repository) -> dict[str, str]:
    """Four files (name -> guid) with sizes 10..40, plus a folder and a database."""
    made = {}
    for name, size, kind in (
        ("alpha.csv", 10, "csv"),
        ("beta.csv", 20, "csv"),
        ("gamma.txt", 30, "txt"),
        ("delta", 40, ""),
    ):
        values = {"qualifiedName": f"file:{name}", "fileName": name, "size": long(size)}
        if kind:
            values["fileType"] = kind
        made[name] = (await add(repo, "DataFile", **values)).header.guid
    made["folder"] = (await add(repo, "FileFolder", qualifiedName="folder")).header.guid
    made["db"] = (await add(repo, "Database", qualifiedName="db")).header.guid
    return made


def _find(repo: Repository, *conditions: C.PropertyCondition, match: int = C.MATCH_CRITERIA_ALL) -> set[str]:
    return guids(repo.find_entities(type_name="DataFile", match_properties=search(*conditions, match=match)).items)


async def test_type_includes_subtypes(repo: Repository, files: dict[str, str]) -> None:
    all_stores = guids(repo.find_entities(type_name="DataStore").items)
    assert all_stores == set(files.values())
    assert guids(repo.find_entities(type_name="FileFolder").items) == {files["folder"]}
    narrowed = repo.find_entities(type_name="DataStore", subtype_names=["FileFolder", "Database"])
    assert guids(narrowed.items) == {files["folder"], files["db"]}
    assert guids(repo.find_entities().items) >= set(files.values())


async def test_bad_types(repo: Repository) -> None:
    with pytest.raises(FailedPrecondition) as unknown:
        repo.find_entities(type_name="NoSuchType")
    assert unknown.value.reason == "TYPE_UNKNOWN"
    with pytest.raises(InvalidArgument) as category:
        repo.find_entities(type_name="NestedFile")
    assert category.value.reason == "TYPE_CATEGORY_MISMATCH"
    with pytest.raises(InvalidArgument) as subtype:
        repo.find_entities(type_name="DataFile", subtype_names=["FileFolder"])
    assert subtype.value.field_violations[0][0] == "subtype_names[0]"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "beta.csv"), {"beta.csv"}),
        (cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_NEQ, "beta.csv"), {"alpha.csv", "gamma.txt", "delta"}),
        (cond("size", OP.PROPERTY_COMPARISON_OPERATOR_LT, long(20)), {"alpha.csv"}),
        (cond("size", OP.PROPERTY_COMPARISON_OPERATOR_LTE, long(20)), {"alpha.csv", "beta.csv"}),
        (cond("size", OP.PROPERTY_COMPARISON_OPERATOR_GT, long(30)), {"delta"}),
        (cond("size", OP.PROPERTY_COMPARISON_OPERATOR_GTE, long(30)), {"gamma.txt", "delta"}),
        (
            cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_IN, strings("alpha.csv", "delta", "zzz")),
            {"alpha.csv", "delta"},
        ),
        (cond("fileType", OP.PROPERTY_COMPARISON_OPERATOR_IS_NULL), {"delta"}),
        (cond("fileType", OP.PROPERTY_COMPARISON_OPERATOR_NOT_NULL), {"alpha.csv", "beta.csv", "gamma.txt"}),
        (cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, ".*\\.csv"), {"alpha.csv", "beta.csv"}),
        (cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "alpha"), set()),  # the whole value must match
        (cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_NOT_LIKE, ".*\\.csv"), {"gamma.txt", "delta"}),
    ],
    ids=["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "IN", "IS_NULL", "NOT_NULL", "LIKE", "LIKE-whole", "NOT_LIKE"],
)
async def test_every_operator(
    repo: Repository, files: dict[str, str], condition: C.PropertyCondition, expected: set[str]
) -> None:
    assert _find(repo, condition) == {files[name] for name in expected}


async def test_match_criteria(repo: Repository, files: dict[str, str]) -> None:
    csv = cond("fileType", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "csv")
    big = cond("size", OP.PROPERTY_COMPARISON_OPERATOR_GTE, long(20))
    assert _find(repo, csv, big, match=C.MATCH_CRITERIA_ALL) == {files["beta.csv"]}
    assert _find(repo, csv, big, match=C.MATCH_CRITERIA_ANY) == {
        files["alpha.csv"],
        files["beta.csv"],
        files["gamma.txt"],
        files["delta"],
    }
    assert _find(repo, csv, big, match=C.MATCH_CRITERIA_NONE) == set()
    small = cond("size", OP.PROPERTY_COMPARISON_OPERATOR_LT, long(20))
    assert _find(repo, csv, match=C.MATCH_CRITERIA_NONE) == {files["gamma.txt"], files["delta"]}
    assert _find(repo, small, csv) == {files["alpha.csv"]}
    assert _find(repo) == {files[n] for n in ("alpha.csv", "beta.csv", "gamma.txt", "delta")}


async def test_nested_conditions(repo: Repository, files: dict[str, str]) -> None:
    # txt OR (csv AND size > 10)
    either = nested(
        cond("fileType", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "txt"),
        nested(
            cond("fileType", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "csv"),
            cond("size", OP.PROPERTY_COMPARISON_OPERATOR_GT, long(10)),
        ),
        match=C.MATCH_CRITERIA_ANY,
    )
    assert _find(repo, either) == {files["gamma.txt"], files["beta.csv"]}
    # NOT (name like a.*) AND that
    assert _find(repo, either, cond("fileName", OP.PROPERTY_COMPARISON_OPERATOR_NOT_LIKE, "g.*")) == {files["beta.csv"]}


async def test_paging_and_ordering(repo: Repository, files: dict[str, str]) -> None:
    order = C.Sequencing(order=C.SEQUENCING_ORDER_PROPERTY_ASCENDING, property_name="fileName")
    seen: list[str] = []
    token = ""
    while True:
        page = repo.find_entities(type_name="DataFile", sequencing=order, page_size=3, page_token=token)
        assert len(page.items) <= 3
        seen.extend(text(e.properties, "fileName") for e in page.items)
        token = page.next_page_token
        if not token:
            break
    assert seen == ["alpha.csv", "beta.csv", "delta", "gamma.txt"]
    recent = repo.find_entities(
        type_name="DataFile", sequencing=C.Sequencing(order=C.SEQUENCING_ORDER_CREATION_DATE_RECENT)
    )
    assert [text(e.properties, "fileName") for e in recent.items] == ["delta", "gamma.txt", "beta.csv", "alpha.csv"]
    with pytest.raises(InvalidArgument) as info:
        repo.find_entities(page_size=1001)
    assert info.value.field_violations[0][0] == "page_size"


async def test_find_by_property_value(repo: Repository, files: dict[str, str]) -> None:
    found = repo.find_entities_by_property_value("gam.*", type_name="DataFile")
    assert guids(found.items) == {files["gamma.txt"]}
    assert repo.find_entities_by_property_value("gam", type_name="DataFile").items == []
    assert guids(repo.find_entities_by_property_value("file:.*\\.csv").items) == {files["alpha.csv"], files["beta.csv"]}
    await repo.classify_entity(ALICE, files["beta.csv"], "Memento")
    limited = repo.find_entities_by_property_value(".*\\.csv", classifications=["Memento"])
    assert guids(limited.items) == {files["beta.csv"]}
    with pytest.raises(InvalidArgument) as info:
        repo.find_entities_by_property_value("([unclosed")
    assert info.value.field_violations[0][0] == "search_criteria"


async def test_status_limits(repo: Repository, files: dict[str, str]) -> None:
    await repo.delete_entity(ALICE, files["delta"])
    assert files["delta"] not in guids(repo.find_entities(type_name="DataFile").items)
    only_deleted = repo.find_entities(type_name="DataFile", statuses=[DELETED])
    assert guids(only_deleted.items) == {files["delta"]}
    both = repo.find_entities(type_name="DataFile", statuses=[DELETED, ACTIVE])
    assert len(both.items) == 4
