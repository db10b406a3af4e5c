"""Find by property value (regex): Egeria's full-match semantics, literal analysis, bounded cost."""

from __future__ import annotations

import time

import pytest
from unit.store.storebuild import entity

from coho.server.errors import InvalidArgument
from coho.server.store import InstanceFilter
from coho.server.store.regexes import exact_literal, literal_prefix, required_literal, translate
from coho.server.store.sqlite import SqliteStore


@pytest.mark.parametrize(
    ("pattern", "exact", "prefix", "required"),
    [
        (r"\Qa.b\E", "a.b", None, "a.b"),
        ("abc", "abc", None, "abc"),
        (r"\Qab\E.*", None, "ab", "ab"),
        (r".*\Qfoo\E.*", None, None, "foo"),
        ("(?i)abc", None, None, None),
        ("ab+c", None, None, "ab"),
        ("a|b", None, None, None),
        ("x(a|b)yz", None, None, "yz"),
        ("ab?cd", None, None, "cd"),
        (r"Table\d+", None, None, "Table"),
        (r"a\.b", "a.b", None, "a.b"),
        (r"\x41BC", None, None, None),
        (r"x\p{L}yz", None, None, None),
        (r"(ab)\1cd", None, None, None),
    ],
)
def test_literal_analysis(pattern: str, exact: str | None, prefix: str | None, required: str | None) -> None:
    assert exact_literal(pattern) == exact
    assert literal_prefix(pattern) == prefix
    assert required_literal(pattern) == required


def test_java_quoting() -> None:
    assert translate(r"\Q(a+)\E.*") == r"\(a\+\).*"
    assert translate(r"a\\Qb") == r"a\\Qb"  # an escaped backslash, not a quote


@pytest.fixture
def assets(store: SqliteStore) -> None:
    rows = [
        entity("g1", properties={"qualifiedName": "db.sales.orders", "description": "Orders table"}),
        entity("g2", properties={"qualifiedName": "db.sales.customers", "tags": ["pii", "gold"]}),
        entity("g3", properties={"qualifiedName": "db.hr.people", "meta": {"owner": "Orders team"}}),
        entity("g4", properties={"qualifiedName": "files.orders.csv", "size": 12}),
    ]
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])


def found(store: SqliteStore, pattern: str, **kwargs: object) -> list[str]:
    page = store.find_entities(InstanceFilter(regex=pattern, **kwargs))  # type: ignore[arg-type]
    assert not page.partial
    return [e.header.guid for e in page.items]


def test_full_match_semantics(store: SqliteStore, assets: None) -> None:
    assert found(store, "orders") == []  # a substring is not a full match
    assert found(store, r".*orders.*") == ["g1", "g4"]
    assert found(store, r"Orders.*") == ["g1", "g3"]  # g3 via a map value
    assert found(store, "gold") == ["g2"]  # array element
    assert found(store, r"\Qdb.sales.orders\E") == ["g1"]
    assert found(store, r"db\.sales\..*") == ["g1", "g2"]
    assert found(store, "12") == []  # only string values
    assert found(store, r"(?i)ORDERS TABLE") == ["g1"]
    assert found(store, r".*orders.*", as_of_ms=10**13) == ["g1", "g4"]


def test_bad_regex(store: SqliteStore) -> None:
    with pytest.raises(InvalidArgument) as info:
        store.find_entities(InstanceFilter(regex="(unclosed"))
    assert info.value.reason == "BAD_REGEX"


def test_catastrophic_pattern_is_bounded(store: SqliteStore) -> None:
    evil = [entity(properties={"v": "a" * 40 + "b", "w": "a" * 5000 + "!"}) for _ in range(30)]
    store.write_sync(lambda t: [t.put_entity(e) for e in evil])
    for pattern in ("(a|aa)+$", "(a+)+$", "(a|a)+b?$"):
        started = time.monotonic()
        page = store.find_entities(InstanceFilter(regex=pattern, regex_budget_ms=1000))
        elapsed = time.monotonic() - started
        assert elapsed < 3, (pattern, elapsed)
        if page.partial:
            assert page.next_page_token
            # The token resumes the scan where it stopped, and every call makes progress.
            started = time.monotonic()
            store.find_entities(InstanceFilter(regex=pattern, regex_budget_ms=200, page_token=page.next_page_token))
            assert time.monotonic() - started < 3


def test_budget_pages_resume_and_cover_everything(store: SqliteStore) -> None:
    rows = [entity(f"g{i:03d}", properties={"name": f"item{i}"}) for i in range(40)]
    store.write_sync(lambda t: [t.put_entity(e) for e in rows])
    guids: list[str] = []
    token = ""
    calls = 0
    while True:
        # A zero budget stops after each examined row: the worst case for resumption.
        page = store.find_entities(InstanceFilter(regex=r"item\d*[05]", regex_budget_ms=0, page_token=token))
        calls += 1
        guids.extend(e.header.guid for e in page.items)
        token = page.next_page_token
        if not token:
            break
    assert calls > 10
    assert guids == [f"g{i:03d}" for i in range(40) if i % 5 == 0]
