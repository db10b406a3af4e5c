"""find_entities / find_relationships: conditions, classifications, statuses, sequencing and paging."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from unit.store.storebuild import (
    DELETED,
    MC,
    OP,
    SO,
    cond,
    entity,
    nested,
    proxy,
    relationship,
    search,
)

from coho.omrs.v1 import common_pb2, instances_pb2, typedefs_pb2
from coho.server.errors import InvalidArgument
from coho.server.store import InstanceFilter, open_sqlite_store, sqlite_find
from coho.server.store.sqlite import SqliteStore

ENUM_ACTIVE = instances_pb2.EnumValue(ordinal=1, symbolic_name="Active")
ENUM_RETIRED = instances_pb2.EnumValue(ordinal=2, symbolic_name="Retired")


def big_integer(text: str) -> instances_pb2.PropertyValue:
    pv = instances_pb2.PropertyValue()
    pv.primitive.big_integer_value = text
    return pv


@pytest.fixture
def people(store: SqliteStore) -> dict[str, instances_pb2.EntityDetail]:
    rows = {
        "ann": entity(
            "g-ann",
            "Person",
            {"name": "ann", "age": 31, "score": 1.5, "admin": True, "state": ENUM_ACTIVE, "tags": ["x", "y"]},
            {"Confidentiality": {"level": 3}, "Owned": {"owner": "ops"}},
            created=100,
        ),
        "bob": entity(
            "g-bob",
            "Person",
            {"name": "bob", "age": 45, "score": 2.5, "admin": False, "state": ENUM_RETIRED},
            {"Confidentiality": {"level": 1}},
            created=200,
            updated=900,
        ),
        "cid": entity("g-cid", "Person", {"name": "cid", "age": 45, "nick": None}, created=300),
        "dee": entity(
            "g-dee",
            "Employee",
            {"name": "dee", "age": 19, "score": 9.0},
            {"Owned": {"owner": "hr"}},
            created=400,
            updated=500,
        ),
        "eve": entity("g-eve", "Person", {"name": "eve", "age": 60}, created=500, status=DELETED),
    }
    big = entity("g-big", "Person", {"name": "big"}, created=600)
    big.properties.properties["age"].CopyFrom(big_integer("123456789012345678901234567890"))
    rows["big"] = big
    store.write_sync(lambda t: [t.put_entity(e) for e in rows.values()])
    return rows


def names(store: SqliteStore, **kwargs: object) -> list[str]:
    page = store.find_entities(InstanceFilter(**kwargs))  # type: ignore[arg-type]
    return sorted(e.properties.properties["name"].primitive.string_value for e in page.items)


def both(store: SqliteStore, **kwargs: object) -> list[str]:
    """Names from the SQL path and from the Python (as_of) path, which must agree."""
    current = names(store, **kwargs)
    assert names(store, as_of_ms=10**13, **kwargs) == current
    return current


def test_type_and_status_filters(store: SqliteStore, people: dict[str, instances_pb2.EntityDetail]) -> None:
    assert both(store) == ["ann", "big", "bob", "cid", "dee"]
    assert both(store, type_names=frozenset({"Employee"})) == ["dee"]
    assert both(store, type_names=frozenset()) == []
    assert both(store, statuses=frozenset({DELETED})) == ["eve"]
    active = typedefs_pb2.INSTANCE_STATUS_ACTIVE
    assert both(store, statuses=frozenset({active, DELETED})) == ["ann", "big", "bob", "cid", "dee", "eve"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "bob"), ["bob"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_EQ, 45), ["bob", "cid"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_EQ, 45.0), ["bob", "cid"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_NEQ, 45), ["ann", "big", "dee"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_LT, 45), ["ann", "dee"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_LTE, 45), ["ann", "bob", "cid", "dee"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_GT, 31), ["big", "bob", "cid"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_GTE, 31), ["ann", "big", "bob", "cid"]),
        (cond("score", OP.PROPERTY_COMPARISON_OPERATOR_GT, 2), ["bob", "dee"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_GT, "bob"), ["cid", "dee"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LT, 5), []),  # strings never compare with numbers
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_IN, [19, 60, 31]), ["ann", "dee"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_IN, ["cid", "zed"]), ["cid"]),
        (cond("nick", OP.PROPERTY_COMPARISON_OPERATOR_IS_NULL), ["ann", "big", "bob", "cid", "dee"]),
        (cond("score", OP.PROPERTY_COMPARISON_OPERATOR_IS_NULL), ["big", "cid"]),
        (cond("score", OP.PROPERTY_COMPARISON_OPERATOR_NOT_NULL), ["ann", "bob", "dee"]),
        (cond("tags", OP.PROPERTY_COMPARISON_OPERATOR_NOT_NULL), ["ann"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "b.*"), ["big", "bob"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "o"), []),  # full match, not search
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, r"\Qbob\E"), ["bob"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, r".*\Qi\E.*"), ["big", "cid"]),
        (cond("name", OP.PROPERTY_COMPARISON_OPERATOR_NOT_LIKE, "b.*"), ["ann", "cid", "dee"]),
        (cond("admin", OP.PROPERTY_COMPARISON_OPERATOR_EQ, True), ["ann"]),
        (cond("admin", OP.PROPERTY_COMPARISON_OPERATOR_EQ, 1), []),  # booleans only equal booleans
        (cond("state", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "Retired"), ["bob"]),
        (cond("state", OP.PROPERTY_COMPARISON_OPERATOR_EQ, ENUM_ACTIVE), ["ann"]),
        (cond("state", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "Ret.*"), ["bob"]),
        (cond("age", OP.PROPERTY_COMPARISON_OPERATOR_GT, 10**20), ["big"]),  # exact big-number compare
        (cond("tags", OP.PROPERTY_COMPARISON_OPERATOR_EQ, ["x", "y"]), ["ann"]),  # whole-array equality
    ],
)
def test_operators(
    store: SqliteStore, people: dict[str, instances_pb2.EntityDetail], condition: object, expected: list[str]
) -> None:
    assert both(store, match_properties=search(condition)) == expected  # type: ignore[arg-type]


def test_match_criteria_and_nesting(store: SqliteStore, people: dict[str, instances_pb2.EntityDetail]) -> None:
    bob = cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "bob")
    old = cond("age", OP.PROPERTY_COMPARISON_OPERATOR_GTE, 45)
    assert both(store, match_properties=search(bob, old)) == ["bob"]
    assert both(store, match_properties=search(bob, old, match=MC.MATCH_CRITERIA_ANY)) == ["big", "bob", "cid"]
    assert both(store, match_properties=search(bob, old, match=MC.MATCH_CRITERIA_NONE)) == ["ann", "dee"]
    assert both(store, match_properties=search()) == ["ann", "big", "bob", "cid", "dee"]
    # name = dee OR (age >= 45 AND NOT name = bob)
    inner = search(old, nested(search(bob, match=MC.MATCH_CRITERIA_NONE)))
    expr = search(cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "dee"), nested(inner), match=MC.MATCH_CRITERIA_ANY)
    assert both(store, match_properties=expr) == ["big", "cid", "dee"]


def test_bad_conditions(store: SqliteStore) -> None:
    with pytest.raises(InvalidArgument) as info:
        store.find_entities(
            InstanceFilter(match_properties=search(cond("n", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "(")))
        )
    assert info.value.reason == "BAD_REGEX"
    with pytest.raises(InvalidArgument) as info:
        store.find_entities(InstanceFilter(match_properties=search(cond("n", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, 5))))
    assert info.value.reason == "BAD_REGEX"
    with pytest.raises(InvalidArgument) as info:
        store.find_entities(InstanceFilter(match_properties=search(cond("", OP.PROPERTY_COMPARISON_OPERATOR_EQ, 5))))
    assert info.value.reason == "BAD_SEARCH_CONDITION"
    with pytest.raises(InvalidArgument):
        store.find_entities(InstanceFilter(match_properties=search(cond("n", 0, 5))))


def classified(
    *conditions: tuple[str, common_pb2.SearchProperties | None], match: int = 0
) -> common_pb2.SearchClassifications:
    result = common_pb2.SearchClassifications(match_criteria=match)  # type: ignore[arg-type]
    for name, props in conditions:
        c = result.conditions.add(name=name)
        if props is not None:
            c.match_properties.CopyFrom(props)
    return result


def test_classification_search(store: SqliteStore, people: dict[str, instances_pb2.EntityDetail]) -> None:
    assert both(store, match_classifications=classified(("Confidentiality", None))) == ["ann", "bob"]
    level3 = search(cond("level", OP.PROPERTY_COMPARISON_OPERATOR_GTE, 2))
    assert both(store, match_classifications=classified(("Confidentiality", level3))) == ["ann"]
    assert both(store, match_classifications=classified(("Confidentiality", None), ("Owned", None))) == ["ann"]
    any_of = classified(("Confidentiality", None), ("Owned", None), match=MC.MATCH_CRITERIA_ANY)
    assert both(store, match_classifications=any_of) == ["ann", "bob", "dee"]
    none_of = classified(("Confidentiality", None), match=MC.MATCH_CRITERIA_NONE)
    assert both(store, match_classifications=none_of) == ["big", "cid", "dee"]
    owner = search(cond("owner", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "h.*"))
    assert both(store, match_classifications=classified(("Owned", owner))) == ["dee"]
    # A property of the classification is not a property of the entity.
    assert both(store, match_properties=search(cond("level", OP.PROPERTY_COMPARISON_OPERATOR_EQ, 3))) == []


def test_proxies_only_when_asked(store: SqliteStore, people: dict[str, instances_pb2.EntityDetail]) -> None:
    p = proxy("g-px", "Person", name="pxy")
    store.write_sync(lambda t: t.put_proxy(p))
    assert "pxy" not in names(store)
    assert names(
        store, include_proxies=True, match_properties=search(cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "pxy"))
    ) == ["pxy"]


def collect(store: SqliteStore, query: InstanceFilter) -> tuple[list[str], int]:
    guids: list[str] = []
    pages = 0
    token = ""
    while True:
        page = store.find_entities(InstanceFilter(**{**query.__dict__, "page_token": token}))
        pages += 1
        guids.extend(e.header.guid for e in page.items)
        token = page.next_page_token
        if not token:
            return guids, pages


@pytest.fixture
def many(store: SqliteStore) -> list[instances_pb2.EntityDetail]:
    rows = many_rows()
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])
    return rows


def many_rows() -> list[instances_pb2.EntityDetail]:
    """57 entities with many ties: numbers, text and missing ranks, shared create and update times."""
    rng = random.Random(7)
    rows = []
    for i in range(57):
        created = rng.randrange(5) * 1000  # many ties: GUID must break them
        props = {"name": f"n{i:03d}", "rank": rng.choice([1, 2, 2.5, "x", "y", None])}
        if props["rank"] is None:
            del props["rank"]
        rows.append(
            entity(
                f"g{rng.randrange(10**6):06d}-{i}",
                properties=props,
                created=created,
                updated=created + rng.randrange(3) * 10,
            )
        )
    return rows


def expected_order(rows: list[instances_pb2.EntityDetail], order: int, prop: str = "") -> list[str]:
    def created(e: instances_pb2.EntityDetail) -> int:
        return e.header.create_time.ToMilliseconds()

    def updated(e: instances_pb2.EntityDetail) -> int:
        return e.header.update_time.ToMilliseconds() or created(e)

    def value(e: instances_pb2.EntityDetail) -> tuple[int, object]:
        pv = e.properties.properties.get(prop)
        if pv is None:
            return (3, "")
        kind = pv.primitive.WhichOneof("value")
        raw = getattr(pv.primitive, kind)  # type: ignore[arg-type]
        return (2, raw) if isinstance(raw, str) else (1, raw)

    keys = {
        SO.SEQUENCING_ORDER_GUID: (lambda e: (0, e.header.guid), False),
        SO.SEQUENCING_ORDER_CREATION_DATE_RECENT: (lambda e: (created(e), e.header.guid), True),
        SO.SEQUENCING_ORDER_CREATION_DATE_OLDEST: (lambda e: (created(e), e.header.guid), False),
        SO.SEQUENCING_ORDER_LAST_UPDATE_RECENT: (lambda e: (updated(e), e.header.guid), True),
        SO.SEQUENCING_ORDER_LAST_UPDATE_OLDEST: (lambda e: (updated(e), e.header.guid), False),
        SO.SEQUENCING_ORDER_PROPERTY_ASCENDING: (lambda e: (value(e), e.header.guid), False),
        SO.SEQUENCING_ORDER_PROPERTY_DESCENDING: (lambda e: (value(e), e.header.guid), True),
    }
    key, reverse = keys[order]  # type: ignore[index]
    return [e.header.guid for e in sorted(rows, key=key, reverse=reverse)]  # type: ignore[arg-type]


@pytest.mark.parametrize("order", [o for o in SO.values() if o != SO.SEQUENCING_ORDER_UNSPECIFIED])
@pytest.mark.parametrize("as_of", [None, 10**13])
def test_every_order_pages_stably(
    store: SqliteStore, many: list[instances_pb2.EntityDetail], order: int, as_of: int | None
) -> None:
    sequencing = common_pb2.Sequencing(order=order, property_name="rank")  # type: ignore[arg-type]
    query = InstanceFilter(sequencing=sequencing, page_size=10, as_of_ms=as_of)
    guids, pages = collect(store, query)
    assert guids == expected_order(many, order, "rank")
    assert pages == 6  # 57 rows by 10: the last page has no token


@pytest.mark.parametrize("order", [SO.SEQUENCING_ORDER_PROPERTY_ASCENDING, SO.SEQUENCING_ORDER_PROPERTY_DESCENDING])
@pytest.mark.parametrize("page_size", [1, 7, 10, 100])
def test_property_order_from_the_index_pages_as_the_python_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: int, page_size: int
) -> None:
    """On an indexed property the pages come from the prop index (the valued entities, then the ones without
    a value); they must hold what the Python sort gives, in the same order, across every page boundary."""
    rows = many_rows()
    rows.append(entity("g-array", properties={"rank": [1, 2]}))  # a value the index cannot hold: sorts as missing
    rows.append(entity("g-other-type", type_name="Other", properties={"rank": 1}))
    python_store = open_sqlite_store(tmp_path / "python")  # rank is not in the default index set
    index_store = open_sqlite_store(tmp_path / "index", indexed_properties=None)  # every property indexed
    try:
        for s in (python_store, index_store):
            s.write_sync(lambda t: [t.put_entity(e) for e in rows])
            s.write_sync(lambda t: t.put_proxy(proxy("g-proxy", name="n001p", rank=2)))
        sequencing = common_pb2.Sequencing(order=order, property_name="rank")  # type: ignore[arg-type]
        queries = [
            InstanceFilter(sequencing=sequencing, page_size=page_size),
            InstanceFilter(sequencing=sequencing, page_size=page_size, type_names=frozenset({"DataSet"})),
            InstanceFilter(sequencing=sequencing, page_size=page_size, include_proxies=True,
                           match_properties=search(cond("name", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "n0[0-3].*"))),
        ]
        expected = [collect(python_store, query)[0] for query in queries]

        def no_python_sort(*args: object) -> None:
            raise AssertionError("the indexed property was sorted in Python")

        monkeypatch.setattr(sqlite_find, "_python_rows", no_python_sort)
        assert [collect(index_store, query)[0] for query in queries] == expected
        plain = [e for e in rows if e.header.type.type_def_name == "DataSet" and e.header.guid != "g-array"]
        assert [guid for guid in expected[1] if guid != "g-array"] == expected_order(plain, order, "rank")
        assert "g-proxy" in expected[2] and len(expected[0]) == 59  # 57 + the array + the other type
    finally:
        python_store.close_sync()
        index_store.close_sync()


def test_page_size_rules(store: SqliteStore, many: list[instances_pb2.EntityDetail]) -> None:
    assert len(store.find_entities(InstanceFilter(page_size=0)).items) == 57  # default 100
    assert len(store.find_entities(InstanceFilter(page_size=5000)).items) == 57  # capped at 1000
    with pytest.raises(InvalidArgument) as info:
        store.find_entities(InstanceFilter(page_size=-1))
    assert info.value.reason == "BAD_PAGE_SIZE"
    exact = store.find_entities(InstanceFilter(page_size=57))
    assert len(exact.items) == 57 and not exact.next_page_token


def test_bad_page_tokens(store: SqliteStore, many: list[instances_pb2.EntityDetail]) -> None:
    token = store.find_entities(InstanceFilter(page_size=5)).next_page_token
    for bogus in ("!!!", "bm90IGpzb24", token[:-3] + "xyz"):
        with pytest.raises(InvalidArgument) as info:
            store.find_entities(InstanceFilter(page_size=5, page_token=bogus))
        assert info.value.reason == "BAD_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as info:  # a token of another query
        store.find_entities(InstanceFilter(page_size=5, page_token=token, type_names=frozenset({"X"})))
    assert info.value.reason == "BAD_PAGE_TOKEN"
    with pytest.raises(InvalidArgument):
        store.find_entities(
            InstanceFilter(sequencing=common_pb2.Sequencing(order=SO.SEQUENCING_ORDER_PROPERTY_ASCENDING))
        )


def test_paging_with_filter_and_concurrent_insert(store: SqliteStore, many: list[instances_pb2.EntityDetail]) -> None:
    query = InstanceFilter(
        page_size=4, match_properties=search(cond("rank", OP.PROPERTY_COMPARISON_OPERATOR_IN, [2, "x"]))
    )
    first = store.find_entities(query)
    store.write_sync(lambda t: t.put_entity(entity("g000000-new", properties={"rank": 2})))  # sorts before all
    guids = [e.header.guid for e in first.items]
    token = first.next_page_token
    while token:
        page = store.find_entities(InstanceFilter(**{**query.__dict__, "page_token": token}))
        guids.extend(e.header.guid for e in page.items)
        token = page.next_page_token
    wanted = sorted(
        e.header.guid
        for e in many
        if e.properties.properties.get("rank")
        in (
            instances_pb2.PropertyValue(primitive=instances_pb2.PrimitiveValue(long_value=2)),
            instances_pb2.PropertyValue(primitive=instances_pb2.PrimitiveValue(string_value="x")),
        )
    )
    assert guids == wanted  # no duplicates, nothing skipped


def test_find_as_of(store: SqliteStore) -> None:
    v1 = entity("e", properties={"name": "one"}, created=1_000)
    v2 = entity("e", properties={"name": "two"}, created=1_000, updated=2_000, version=2)
    late = entity("f", properties={"name": "late"}, created=5_000)
    store.write_sync(lambda t: (t.put_entity(v1), t.put_entity(late)))
    store.write_sync(lambda t: (t.save_entity_version(v1, 2_000), t.put_entity(v2)))
    assert names(store, as_of_ms=500) == []
    assert names(store, as_of_ms=1_500) == ["one"]
    assert names(store, as_of_ms=2_000) == ["two"]
    assert names(store, as_of_ms=6_000) == ["late", "two"]
    one = search(cond("name", OP.PROPERTY_COMPARISON_OPERATOR_EQ, "one"))
    assert names(store, as_of_ms=1_500, match_properties=one) == ["one"]
    assert names(store, match_properties=one) == []


def test_find_relationships(store: SqliteStore) -> None:
    rels = [
        relationship("a", "b", guid="r1", properties={"label": "x", "w": 3}, created=10),
        relationship("b", "c", guid="r2", type_name="Other", properties={"label": "y", "w": 1}, created=20),
        relationship("c", "a", guid="r3", properties={"label": "xx", "w": 2}, created=30),
        relationship("a", "d", guid="r4", status=DELETED, created=40),
    ]
    store.write_sync(lambda t: [t.put_relationship(r) for r in rels])

    def guids(**kwargs: object) -> list[str]:
        return [r.header.guid for r in store.find_relationships(InstanceFilter(**kwargs)).items]  # type: ignore[arg-type]

    assert guids() == ["r1", "r2", "r3"]
    assert guids(entity_guid="a") == ["r1", "r3"]
    assert guids(entity_guid="a", statuses=frozenset({DELETED})) == ["r4"]
    assert guids(type_names=frozenset({"Other"})) == ["r2"]
    assert guids(match_properties=search(cond("label", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, "x.*"))) == ["r1", "r3"]
    assert guids(match_properties=search(cond("w", OP.PROPERTY_COMPARISON_OPERATOR_GT, 1))) == ["r1", "r3"]
    by_w = common_pb2.Sequencing(order=SO.SEQUENCING_ORDER_PROPERTY_DESCENDING, property_name="w")
    assert guids(sequencing=by_w) == ["r1", "r3", "r2"]
    recent = common_pb2.Sequencing(order=SO.SEQUENCING_ORDER_CREATION_DATE_RECENT)
    assert guids(sequencing=recent, page_size=2) == ["r3", "r2"]
    assert guids(as_of_ms=15) == ["r1"]
    assert guids(regex="y") == ["r2"]


def test_prefilter_never_drops_matches(store: SqliteStore) -> None:
    """Random data and conditions: the SQL-prefiltered path equals the pure Python path."""
    rng = random.Random(11)
    pool = [0, 1, 2, -3, 2.0, 2.5, 1e300, "a", "b", "ab", "", True, False, ENUM_ACTIVE, 10**30, "aa\u00e9"]
    rows = []
    for i in range(80):
        props = {f"p{k}": rng.choice(pool) for k in range(3) if rng.random() < 0.7}
        props["name"] = f"e{i}"
        e = entity(properties=props)
        if rng.random() < 0.2:
            e.properties.properties["p0"].CopyFrom(big_integer(str(rng.choice([2, 10**25, -(10**25)]))))
        rows.append(e)
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])
    ops = [
        OP.PROPERTY_COMPARISON_OPERATOR_EQ,
        OP.PROPERTY_COMPARISON_OPERATOR_LT,
        OP.PROPERTY_COMPARISON_OPERATOR_LTE,
        OP.PROPERTY_COMPARISON_OPERATOR_GT,
        OP.PROPERTY_COMPARISON_OPERATOR_GTE,
        OP.PROPERTY_COMPARISON_OPERATOR_IN,
        OP.PROPERTY_COMPARISON_OPERATOR_NEQ,
    ]
    for _ in range(150):
        conditions = []
        for _ in range(rng.randrange(1, 3)):
            op = rng.choice(ops)
            raw = (
                [rng.choice(pool[:11]) for _ in range(2)]
                if op == OP.PROPERTY_COMPARISON_OPERATOR_IN
                else rng.choice(pool)
            )
            conditions.append(cond(f"p{rng.randrange(3)}", op, raw))
        conditions.append(cond("p1", OP.PROPERTY_COMPARISON_OPERATOR_LIKE, rng.choice(["a.*", r"\Qab\E", ".*b", "a"])))
        match = rng.choice([MC.MATCH_CRITERIA_ALL, MC.MATCH_CRITERIA_ANY])
        both(store, match_properties=search(*conditions[rng.randrange(2) :], match=match), page_size=1000)


def test_paging_a_dominant_type_walks_the_order_index(store: SqliteStore) -> None:
    """Over 5,000 rows of a type, paging walks the guid/time index instead of sorting: same results."""
    rows = [entity(f"g{i:05d}", created=(i * 7919) % 6000) for i in range(5200)]
    rows += [entity(f"a{i:05d}", "Asset", created=i) for i in range(30)]
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])
    datasets = [e for e in rows if e.header.type.type_def_name == "DataSet"]
    by_guid, _ = collect(store, InstanceFilter(type_names=frozenset({"DataSet"}), page_size=1000))
    assert by_guid == sorted(e.header.guid for e in datasets)
    recent = common_pb2.Sequencing(order=SO.SEQUENCING_ORDER_CREATION_DATE_RECENT)
    by_time, pages = collect(
        store, InstanceFilter(type_names=frozenset({"DataSet"}), sequencing=recent, page_size=1000)
    )
    assert by_time == expected_order(datasets, SO.SEQUENCING_ORDER_CREATION_DATE_RECENT)
    assert pages == 6
    assets, _ = collect(store, InstanceFilter(type_names=frozenset({"Asset"}), sequencing=recent, page_size=7))
    assert assets == [f"a{i:05d}" for i in reversed(range(30))]
