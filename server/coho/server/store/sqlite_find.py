"""find_entities / find_relationships over SQLite.

Three candidate sources feed one scan loop that post-filters exactly (:class:`query.Matcher`):

- current instances (the usual case): keyset-paged SQL in the requested order, narrowed by the SQL
  prefilter; rows are fetched in growing chunks so a selective Python-only filter does not load everything;
- property order on an indexed property of current entities: the same, driven by the ``prop`` index, so a
  page costs a page's rows rather than every candidate;
- ``as_of`` queries and other property orders (unindexed properties, relationships): the candidate versions
  are loaded (type/status/literal-filtered in SQL), keyed and sorted in Python the way SQLite would sort
  them, so tokens mean the same in every source.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from coho.omrs.v1 import instances_pb2
from coho.server.store.base import InstanceFilter, LinkEnds, LinkQuery, Page
from coho.server.store.paging import (
    KeyValue,
    Order,
    decode_token,
    encode_token,
    fingerprint,
    page_size_of,
    resolve_order,
)
from coho.server.store.query import Columns, Matcher, Sql, classifications_sql, properties_sql, regex_sql
from coho.server.store.sqlite_txn import DELETED, in_list
from coho.server.store.values import index_value, sort_key

Kind = Literal["entity", "relationship"]
Row = tuple[str, bytes, int, KeyValue]
"""guid, body, is_proxy, sort key."""

_FIRST_CHUNK_MIN = 50
_TYPE_PROBE = 5000
_CHUNK_MAX = 2000
IN_CHUNK = 400
"""GUIDs per IN list: far below SQLite's oldest bound on parameters (999), with room for the type names."""


@dataclass(frozen=True)
class _Plan:
    kind: Kind
    query: InstanceFilter
    order: Order
    after: tuple[KeyValue, str] | None
    size: int
    indexed: frozenset[str] | None


def decode_entity(body: bytes, is_proxy: int) -> instances_pb2.EntityDetail:
    """An entity row as EntityDetail; a proxy becomes a detail holding its unique properties."""
    if not is_proxy:
        return instances_pb2.EntityDetail.FromString(body)
    proxy = instances_pb2.EntityProxy.FromString(body)
    return instances_pb2.EntityDetail(
        header=proxy.header, properties=proxy.unique_properties, classifications=proxy.classifications
    )


def find(
    conn: sqlite3.Connection, kind: Kind, query: InstanceFilter, indexed: frozenset[str] | None = None
) -> Page[Any]:
    """One page of current (or as_of) entities or relationships matching query; ``indexed`` names the
    properties the prop table holds (None: all)."""
    size = page_size_of(query.page_size)
    order = resolve_order(query.sequencing)
    fp = fingerprint(kind, query)
    plan = _Plan(kind, query, order, decode_token(query.page_token, fp), size, indexed)
    classifications = query.match_classifications if kind == "entity" else None
    matcher = Matcher(query.match_properties, classifications, query.regex, query.regex_budget_ms)
    if _index_ordered(plan):
        rows = _index_order_rows(conn, plan)
    elif query.as_of_ms is not None or order.key == "property":
        # prop is keyed (name, v, owner): SQL cannot fetch one entity's value of an unindexed property by seek.
        rows = _python_rows(conn, plan)
    else:
        rows = _sql_rows(conn, plan)
    return _scan(rows, matcher, plan, fp)


def _scan(rows: Iterator[Row], matcher: Matcher, plan: _Plan, fp: str) -> Page[Any]:
    items: list[Any] = []
    keys: list[tuple[KeyValue, str]] = []
    last: tuple[KeyValue, str] | None = None
    stopped = False
    for guid, body, is_proxy, key in rows:
        last = (key, guid)
        if plan.kind == "entity":
            entity = decode_entity(body, is_proxy)
            found = matcher.matches(entity.properties.properties, entity.classifications)
            item: Any = entity
        else:
            item = instances_pb2.Relationship.FromString(body)
            found = matcher.matches(item.properties.properties, ())
        if found:
            items.append(item)
            keys.append(last)
            if len(items) > plan.size:  # one beyond the page proves there is a next page
                break
        if matcher.budget is not None and matcher.budget.exhausted():
            stopped = True
            break
    if len(items) > plan.size:
        del items[plan.size :]
        return Page(items=items, next_page_token=encode_token(fp, *keys[plan.size - 1]))
    if stopped and last is not None:
        # Resume after the last row examined, not the last match: the rows between did not match.
        return Page(items=items, next_page_token=encode_token(fp, *last), partial=len(items) < plan.size)
    return Page(items=items)


# -- WHERE clauses shared by both sources ---------------------------------------------------------------
def _base_where(
    plan: _Plan, alias: str, history: bool, conn: sqlite3.Connection | None = None
) -> tuple[list[str], list[object]]:
    query = plan.query
    where: list[str] = []
    params: list[object] = []
    if query.type_names is not None:
        names = sorted(query.type_names)
        plus = "+" if conn is not None and names and _common_types(conn, plan, names) else ""
        where.append(f"{plus}{alias}.type_name IN {in_list(len(names))}" if names else "0")
        params.extend(names)
    if query.statuses:
        where.append(f"{alias}.status IN {in_list(len(query.statuses))}")
        params.extend(sorted(query.statuses))
    else:
        where.append(f"{alias}.status != ?")
        params.append(DELETED)
    if plan.kind == "entity" and not query.include_proxies and not history:
        where.append(f"{alias}.is_proxy = 0")
    if plan.kind == "relationship" and query.entity_guid is not None:
        where.append(f"({alias}.end1 = ? OR {alias}.end2 = ?)")
        params.extend((query.entity_guid, query.entity_guid))
    return where, params


def _common_types(conn: sqlite3.Connection, plan: _Plan, names: list[str]) -> bool:
    """Whether these types hold so many rows that paging should walk the order's index and filter by type.

    Without this, SQLite prefers the type index (an equality) and then sorts every row of the types on
    each page, which for the dominant type of a million-entity repository costs seconds per page. Probing
    at most _TYPE_PROBE index entries decides it cheaply; the unary plus in the caller disables the index.
    """
    table = plan.kind
    probe = conn.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE type_name IN {in_list(len(names))} LIMIT ?)",
        [*names, _TYPE_PROBE],
    ).fetchone()[0]
    return bool(probe >= _TYPE_PROBE)


def _filters(plan: _Plan, alias: str, use_props: bool) -> tuple[list[str], list[object]]:
    use_props = use_props and plan.kind == "entity"
    cols = Columns(owner=f"{alias}.id", body=f"{alias}.body", use_props=use_props, indexed=plan.indexed)
    parts: list[Sql | None] = [
        properties_sql(plan.query.match_properties, "", cols),
        classifications_sql(plan.query.match_classifications, cols) if plan.kind == "entity" else None,
        regex_sql(plan.query.regex, cols),
    ]
    where: list[str] = []
    params: list[object] = []
    for part in parts:
        if part is not None:
            where.append(part[0])
            params.extend(part[1])
    return where, params


# -- current instances in SQL ----------------------------------------------------------------------------
def _sql_rows(conn: sqlite3.Connection, plan: _Plan) -> Iterator[Row]:
    alias, table = ("e", "entity") if plan.kind == "entity" else ("r", "relationship")
    more_where, more_params = _filters(plan, alias, use_props=True)
    # With a selective prefilter or an entity_guid, those drive the plan; otherwise check type commonness.
    probe = conn if not more_where and plan.query.entity_guid is None else None
    where, params = _base_where(plan, alias, history=False, conn=probe)
    where += more_where
    params += more_params
    key_sql = f"{alias}.{plan.order.key}" if plan.order.key in ("create_time", "update_time") else "NULL"
    direction, compare = ("DESC", "<") if plan.order.descending else ("ASC", ">")
    is_proxy = f"{alias}.is_proxy" if plan.kind == "entity" else "0"
    order_by = f"{alias}.guid {direction}"
    if key_sql != "NULL":
        order_by = f"{key_sql} {direction}, {order_by}"
    select = f"SELECT {alias}.guid, {alias}.body, {is_proxy}, {key_sql} FROM {table} {alias}"
    after = plan.after
    chunk = max(plan.size + 1, _FIRST_CHUNK_MIN)
    while True:
        keyset, keyset_params = "", list[object]()
        if after is not None:
            if key_sql == "NULL":
                keyset, keyset_params = f"{alias}.guid {compare} ?", [after[1]]
            else:
                keyset, keyset_params = f"({key_sql}, {alias}.guid) {compare} (?, ?)", list(after)
        clauses = [*where, keyset] if keyset else where
        sql = f"{select} WHERE {' AND '.join(clauses) or '1'} ORDER BY {order_by} LIMIT ?"
        rows = conn.execute(sql, [*params, *keyset_params, chunk]).fetchall()
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1][3], rows[-1][0])
        chunk = min(chunk * 2, _CHUNK_MAX)


# -- property order on an indexed property ---------------------------------------------------------------
def _index_ordered(plan: _Plan) -> bool:
    order = plan.order
    return (plan.kind == "entity" and order.key == "property" and plan.query.as_of_ms is None
            and (plan.indexed is None or order.property_name in plan.indexed))


def _index_order_rows(conn: sqlite3.Connection, plan: _Plan) -> Iterator[Row]:
    """The order _python_rows gives, from the index: entities holding an index value for the property, in
    (value, GUID) order, then the others (their key, b"", sorts after every value) in GUID order; reversed
    for descending. A token's key tells which of the two runs it stopped in."""
    after = plan.after
    after_missing = after is not None and isinstance(after[0], bytes)
    missing_after = after[1] if after is not None and after_missing else None
    if not plan.order.descending:
        if not after_missing:
            yield from _valued_rows(conn, plan, after)
        yield from _missing_rows(conn, plan, missing_after)
        return
    if after is None or after_missing:
        yield from _missing_rows(conn, plan, missing_after)
    yield from _valued_rows(conn, plan, None if after is None or after_missing else after)


def _valued_rows(conn: sqlite3.Connection, plan: _Plan, after: tuple[KeyValue, str] | None) -> Iterator[Row]:
    where, params = _base_where(plan, "e", history=False)
    more_where, more_params = _filters(plan, "e", use_props=True)
    direction, compare = ("DESC", "<") if plan.order.descending else ("ASC", ">")
    # CROSS JOIN keeps prop the outer loop: its (name, v) order is the page order, and each entity is a seek.
    select = "SELECT e.guid, e.body, e.is_proxy, p.v FROM prop p CROSS JOIN entity e"
    where = ["p.name = ?", "p.scope = ''", "e.id = p.owner", *where, *more_where]
    params = [plan.order.property_name, *params, *more_params]
    chunk = max(plan.size + 1, _FIRST_CHUNK_MIN)
    while True:
        keyset = [f"(p.v, e.guid) {compare} (?, ?)"] if after is not None else []
        sql = (f"{select} WHERE {' AND '.join([*where, *keyset])} ORDER BY p.v {direction}, e.guid {direction} "
               "LIMIT ?")
        rows = conn.execute(sql, [*params, *(after or ()), chunk]).fetchall()
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1][3], rows[-1][0])
        chunk = min(chunk * 2, _CHUNK_MAX)


def _missing_rows(conn: sqlite3.Connection, plan: _Plan, after_guid: str | None) -> Iterator[Row]:
    """Entities without an index value for the property, in GUID order. SQLite collects the owners that have
    one once per statement (the NOT IN list), so finding none among many entities costs one index walk."""
    where, params = _base_where(plan, "e", history=False, conn=conn)
    more_where, more_params = _filters(plan, "e", use_props=True)
    where = [*where, *more_where, "e.id NOT IN (SELECT owner FROM prop WHERE name = ? AND scope = '')"]
    params = [*params, *more_params, plan.order.property_name]
    direction, compare = ("DESC", "<") if plan.order.descending else ("ASC", ">")
    chunk = max(plan.size + 1, _FIRST_CHUNK_MIN)
    while True:
        keyset = [f"e.guid {compare} ?"] if after_guid is not None else []
        sql = (f"SELECT e.guid, e.body, e.is_proxy, x'' FROM entity e WHERE {' AND '.join([*where, *keyset])} "
               f"ORDER BY e.guid {direction} LIMIT ?")
        rows = conn.execute(sql, [*params, *([after_guid] if after_guid is not None else []), chunk]).fetchall()
        yield from rows
        if len(rows) < chunk:
            return
        after_guid = rows[-1][0]
        chunk = min(chunk * 2, _CHUNK_MAX)


# -- as_of and Python-sorted candidates ------------------------------------------------------------------
def _python_rows(conn: sqlite3.Connection, plan: _Plan) -> Iterator[Row]:
    current = _candidates(conn, plan, history=False)
    if plan.query.as_of_ms is not None:
        # The current version wins over a history row of the same instance (there should be none valid).
        versions = _candidates(conn, plan, history=True)
        versions.update(current)
        current = versions
    key_of = _key_function(plan)
    keyed = [(key_of(row), row) for row in current.values()]
    keyed.sort(key=lambda item: (sort_key(item[0]), item[1][0]), reverse=plan.order.descending)
    if plan.after is not None:
        mark = (sort_key(plan.after[0]), plan.after[1])
        keyed = [
            item
            for item in keyed
            if (
                (sort_key(item[0]), item[1][0]) < mark
                if plan.order.descending
                else (sort_key(item[0]), item[1][0]) > mark
            )
        ]
    for key, (guid, body, is_proxy, _, _) in keyed:
        yield guid, body, is_proxy, key


def _candidates(conn: sqlite3.Connection, plan: _Plan, history: bool) -> dict[str, tuple[str, bytes, int, int, int]]:
    alias = "h" if history else "c"
    table = f"{plan.kind}_history" if history else plan.kind
    where, params = _base_where(plan, alias, history)
    more_where, more_params = _filters(plan, alias, use_props=False)
    where += more_where
    params += more_params
    as_of = plan.query.as_of_ms
    if history:
        assert as_of is not None
        where.append(f"{alias}.valid_from <= ? AND {alias}.valid_to > ?")
        params.extend((as_of, as_of))
        columns = f"{alias}.guid, {alias}.body, 0, {alias}.create_time, {alias}.valid_from"
    else:
        if as_of is not None:
            where.append(f"{alias}.update_time <= ?")
            params.append(as_of)
        is_proxy = f"{alias}.is_proxy" if plan.kind == "entity" else "0"
        columns = f"{alias}.guid, {alias}.body, {is_proxy}, {alias}.create_time, {alias}.update_time"
    sql = f"SELECT {columns} FROM {table} {alias} WHERE {' AND '.join(where) or '1'}"
    if history:
        sql += f" ORDER BY {alias}.valid_from"  # so a later valid version (bad data) wins in the dict
    return {row[0]: row for row in conn.execute(sql, params)}


def _key_function(plan: _Plan) -> Callable[[tuple[str, bytes, int, int, int]], KeyValue]:
    order = plan.order
    if order.key == "create_time":
        return lambda row: row[3]
    if order.key == "update_time":
        return lambda row: row[4]
    if order.key != "property":
        return lambda row: None
    name = order.property_name

    def property_key(row: tuple[str, bytes, int, int, int]) -> KeyValue:
        if plan.kind == "entity":
            properties = decode_entity(row[1], row[2]).properties.properties
        else:
            properties = instances_pb2.Relationship.FromString(row[1]).properties.properties
        value = properties.get(name)
        indexed = index_value(value) if value is not None else None
        return b"" if indexed is None else indexed

    return property_key


# -- batched point reads ---------------------------------------------------------------------------------
def _chunks(guids: tuple[str, ...] | list[str]) -> Iterator[list[str]]:
    distinct = list(dict.fromkeys(guids))
    for start in range(0, len(distinct), IN_CHUNK):
        yield distinct[start : start + IN_CHUNK]


def find_links(conn: sqlite3.Connection, query: LinkQuery) -> list[LinkEnds]:
    """Live relationships of query's types at query's end of its entities, in relationship GUID order.

    The type test carries a unary plus so that SQLite always seeks the end indexes: without statistics it
    may prefer the type index, which for a common link type (FolderHierarchy, ExternalIdLink) walks every
    relationship of that type on each call.
    """
    if not query.type_names or not query.entity_guids:
        return []
    types = sorted(query.type_names)
    columns = "SELECT guid, type_name, end1, end2 FROM relationship"
    found: dict[str, LinkEnds] = {}
    for chunk in _chunks(query.entity_guids):
        marks = in_list(len(chunk))
        parts: list[str] = []
        params: list[object] = []
        for end in (1, 2):
            if query.end in (0, end):
                parts.append(f"{columns} WHERE end{end} IN {marks} AND +type_name IN {in_list(len(types))} "
                             "AND status != ?")
                params.extend((*chunk, *types, DELETED))
        for row in conn.execute(" UNION ".join(parts), params):
            found[row[0]] = LinkEnds(*row)
    return [found[guid] for guid in sorted(found)]
