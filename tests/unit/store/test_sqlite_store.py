"""The SQLite store's rows: identity, entities, proxies, relationships, versions, types, state."""

from __future__ import annotations

from pathlib import Path

import pytest
from unit.store.storebuild import DELETED, add, entity, proxy, relationship

from coho.omrs.v1 import instances_pb2, typedefs_pb2
from coho.server.errors import FailedPrecondition, InvalidArgument
from coho.server.store import HistoryQuery, WriteTxn, open_sqlite_store
from coho.server.store.sqlite import SqliteStore


def test_collection_id_generated_persisted_and_guarded(tmp_path: Path) -> None:
    first = open_sqlite_store(tmp_path)
    collection_id = first.metadata_collection_id
    first.close_sync()
    assert len(collection_id) == 36
    again = open_sqlite_store(tmp_path)
    assert again.metadata_collection_id == collection_id
    again.close_sync()
    same = open_sqlite_store(tmp_path, metadata_collection_id=collection_id)
    same.close_sync()
    with pytest.raises(FailedPrecondition) as info:
        open_sqlite_store(tmp_path, metadata_collection_id="someone-else")
    assert info.value.reason == "COLLECTION_ID_MISMATCH"
    assert (tmp_path / "repository.db").exists()


def test_collection_id_given_on_first_open(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path, metadata_collection_id="mine")
    assert store.metadata_collection_id == "mine"
    store.close_sync()
    store = open_sqlite_store(tmp_path)
    assert store.metadata_collection_id == "mine"
    store.close_sync()


def test_wal_mode(store: SqliteStore) -> None:
    assert store._writer_conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.integrity_check() == "ok"


def test_entity_and_proxy_rows(store: SqliteStore) -> None:
    p = proxy(qualifiedName="p1")
    store.write_sync(lambda t: t.put_proxy(p))
    assert store.get_proxy(p.header.guid) == p
    assert store.get_entity(p.header.guid) is None
    assert store.write_sync(lambda t: (t.get_entity(p.header.guid), t.get_proxy(p.header.guid))) == (None, p)
    assert store.find_by_unique(["DataSet"], "qualifiedName", "p1") is None  # proxies are not entities
    full = entity(p.header.guid, properties={"qualifiedName": "p1", "name": "full"})
    store.write_sync(lambda t: t.put_entity(full))
    assert store.get_entity(full.header.guid) == full
    assert store.get_proxy(full.header.guid) is None
    assert store.find_by_unique(["DataSet"], "qualifiedName", "p1") == full.header.guid
    counts = store.counts()
    assert (counts.entities, counts.entity_proxies) == (1, 0)


def test_find_by_unique_rules(store: SqliteStore) -> None:
    live = entity(type_name="Asset", properties={"qualifiedName": "q", "n": 5})
    gone = entity(type_name="Asset", properties={"qualifiedName": "d"}, status=DELETED)
    store.write_sync(lambda t: (t.put_entity(live), t.put_entity(gone)))
    assert store.find_by_unique(["Asset", "DataSet"], "qualifiedName", "q") == live.header.guid
    assert store.find_by_unique(["DataSet"], "qualifiedName", "q") is None
    assert store.find_by_unique(["Asset"], "qualifiedName", "d") is None  # deleted
    assert store.find_by_unique(["Asset"], "qualifiedName", "Q") is None  # exact, case-sensitive
    assert store.find_by_unique(["Asset"], "n", "5") is None  # only string values
    assert store.find_by_unique([], "qualifiedName", "q") is None


def test_reindex_on_replace_and_remove(store: SqliteStore) -> None:
    e = entity(properties={"qualifiedName": "old"}, classifications={"Confidentiality": {"level": 3}})
    store.write_sync(lambda t: t.put_entity(e))
    updated = instances_pb2.EntityDetail()
    updated.CopyFrom(e)
    updated.properties.properties["qualifiedName"].primitive.string_value = "new"
    del updated.classifications[:]
    store.write_sync(lambda t: t.put_entity(updated))
    assert store.find_by_unique(["DataSet"], "qualifiedName", "old") is None
    assert store.find_by_unique(["DataSet"], "qualifiedName", "new") == e.header.guid
    conn = store._reader()
    assert conn.execute("SELECT COUNT(*) FROM classification").fetchone()[0] == 0
    store.write_sync(lambda t: t.save_entity_version(e, 2_000))
    store.write_sync(lambda t: t.remove_entity(e.header.guid))
    assert store.get_entity(e.header.guid) is None
    for table in ("entity", "prop", "classification", "entity_history"):
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_put_then_remove_in_one_op(store: SqliteStore) -> None:
    e = entity(properties={"qualifiedName": "tmp"})
    store.write_sync(lambda t: (t.put_entity(e), t.remove_entity(e.header.guid)))
    assert store.get_entity(e.header.guid) is None
    assert store.find_by_unique(["DataSet"], "qualifiedName", "tmp") is None


def test_relationships(store: SqliteStore) -> None:
    a, b, c = entity(), entity(), entity()
    ab = relationship(a.header.guid, b.header.guid)
    ca = relationship(c.header.guid, a.header.guid, type_name="Other")
    loop = relationship(a.header.guid, a.header.guid)
    dead = relationship(b.header.guid, c.header.guid, status=DELETED)
    store.write_sync(lambda t: [t.put_relationship(r) for r in (ab, ca, loop, dead)])
    assert store.get_relationship(ab.header.guid) == ab
    of_a = store.write_sync(lambda t: t.relationships_of(a.header.guid))
    assert sorted(r.header.guid for r in of_a) == sorted(r.header.guid for r in (ab, ca, loop))
    assert store.write_sync(lambda t: t.find_link("Link", a.header.guid, b.header.guid)) == ab.header.guid
    assert store.write_sync(lambda t: t.find_link("Link", b.header.guid, a.header.guid)) is None
    assert store.write_sync(lambda t: t.find_link("Other", a.header.guid, b.header.guid)) is None
    assert store.write_sync(lambda t: t.find_link("Link", b.header.guid, c.header.guid)) is None  # deleted
    store.write_sync(lambda t: t.remove_relationship(ab.header.guid))
    assert store.get_relationship(ab.header.guid) is None
    assert store.counts().relationships == 3


def _versions(store: SqliteStore) -> list[instances_pb2.EntityDetail]:
    """v1 created at 1000, v2 at 2000, v3 at 3000 (current); versions kept in history."""
    guid = "e-1"
    v1 = entity(guid, properties={"name": "one"}, created=1_000, version=1)
    v2 = entity(guid, properties={"name": "two"}, created=1_000, updated=2_000, version=2)
    v3 = entity(guid, properties={"name": "three"}, created=1_000, updated=3_000, version=3)
    store.write_sync(lambda t: t.put_entity(v1))
    store.write_sync(lambda t: (t.save_entity_version(v1, 2_000), t.put_entity(v2)))
    store.write_sync(lambda t: (t.save_entity_version(v2, 3_000), t.put_entity(v3)))
    return [v1, v2, v3]


def test_as_of_exact(store: SqliteStore) -> None:
    v1, v2, v3 = _versions(store)
    assert store.get_entity("e-1", as_of_ms=999) is None
    assert store.get_entity("e-1", as_of_ms=1_000) == v1
    assert store.get_entity("e-1", as_of_ms=1_999) == v1
    assert store.get_entity("e-1", as_of_ms=2_000) == v2
    assert store.get_entity("e-1", as_of_ms=2_999) == v2
    assert store.get_entity("e-1", as_of_ms=3_000) == v3
    assert store.get_entity("e-1", as_of_ms=10**12) == v3
    assert store.get_entity("e-1") == v3


def test_relationship_as_of(store: SqliteStore) -> None:
    r1 = relationship("a", "b", guid="r", created=100)
    r2 = relationship("a", "b", guid="r", created=100, updated=200, version=2)
    store.write_sync(lambda t: t.put_relationship(r1))
    store.write_sync(lambda t: (t.save_relationship_version(r1, 200), t.put_relationship(r2)))
    assert store.get_relationship("r", as_of_ms=99) is None
    assert store.get_relationship("r", as_of_ms=150) == r1
    assert store.get_relationship("r", as_of_ms=200) == r2
    page = store.relationship_history(HistoryQuery(guid="r"))
    assert page.items == [r1, r2]


def test_history_paging_forwards_and_backwards(store: SqliteStore) -> None:
    v1, v2, v3 = _versions(store)
    assert store.entity_history(HistoryQuery(guid="e-1")).items == [v1, v2, v3]
    first = store.entity_history(HistoryQuery(guid="e-1", page_size=2))
    assert first.items == [v1, v2] and first.next_page_token
    second = store.entity_history(HistoryQuery(guid="e-1", page_size=2, page_token=first.next_page_token))
    assert second.items == [v3] and not second.next_page_token
    back = store.entity_history(HistoryQuery(guid="e-1", backwards=True, page_size=2))
    assert back.items == [v3, v2]
    rest = store.entity_history(HistoryQuery(guid="e-1", backwards=True, page_size=2, page_token=back.next_page_token))
    assert rest.items == [v1] and not rest.next_page_token
    # Windows: versions whose validity overlaps [from, to].
    assert store.entity_history(HistoryQuery(guid="e-1", from_ms=2_500)).items == [v2, v3]
    assert store.entity_history(HistoryQuery(guid="e-1", to_ms=1_500)).items == [v1]
    assert store.entity_history(HistoryQuery(guid="e-1", from_ms=2_000, to_ms=2_000)).items == [v2]
    assert store.entity_history(HistoryQuery(guid="nope")).items == []
    with pytest.raises(InvalidArgument) as info:
        store.entity_history(HistoryQuery(guid="e-1", page_token="garbage!"))
    assert info.value.reason == "BAD_PAGE_TOKEN"


def test_types_state_requests(store: SqliteStore) -> None:
    atd = typedefs_pb2.AttributeTypeDef(guid="a1", name="string")
    td = typedefs_pb2.TypeDef(guid="t1", name="Referenceable")

    def op(txn: WriteTxn) -> bytes | None:
        txn.put_attribute_type_def(atd)
        txn.put_type_def(td)
        txn.put_type_def(typedefs_pb2.TypeDef(guid="t1", name="Referenceable", version=2))
        txn.put_state("cursor", b"42")
        txn.put_request("req-1", "alice", b"response")
        return txn.get_request("req-1", "alice")

    assert store.write_sync(op) == b"response"
    assert store.write_sync(lambda t: t.get_request("req-1", "bob")) is None
    gallery = store.load_types()
    assert list(gallery.attribute_type_defs) == [atd]
    assert [t.version for t in gallery.type_defs] == [2]
    assert store.get_state("cursor") == b"42"
    assert store.get_state("missing") is None
    counts = store.counts()
    assert (counts.type_defs, counts.attribute_type_defs) == (1, 1)


def test_counts_reference_copies(store: SqliteStore) -> None:
    mine = store.metadata_collection_id
    store.write_sync(
        lambda t: (
            add(t, entity(home=mine)),
            add(t, entity(home="other")),
            t.put_proxy(proxy()),
            t.put_relationship(relationship("a", "b", home="other")),
        )
    )
    counts = store.counts()
    assert counts.entities == 2
    assert counts.entity_proxies == 1
    assert counts.relationships == 1
    assert counts.reference_copies == 2


def test_unflushed_puts_are_seen_and_shadow_stored_rows(store: SqliteStore) -> None:
    stored = entity("x", properties={"qualifiedName": "a"})
    store.write_sync(lambda t: t.put_entity(stored))
    renamed = entity("x", properties={"qualifiedName": "b"}, version=2)
    other = entity("y", properties={"qualifiedName": "a"})
    proxied = proxy("z", qualifiedName="p")

    def op(txn: WriteTxn) -> list[object]:
        txn.put_entity(renamed)
        seen = [
            txn.find_by_unique(["DataSet"], "qualifiedName", "a"),
            txn.find_by_unique(["DataSet"], "qualifiedName", "b"),
        ]
        txn.put_entity(other)
        txn.put_proxy(proxied)
        seen += [
            txn.find_by_unique(["DataSet"], "qualifiedName", "a"),
            txn.find_by_unique(["DataSet"], "qualifiedName", "p"),  # a proxy is not an entity
            txn.get_entity("x"),
            txn.get_entity("z"),
            txn.get_proxy("z"),
        ]
        return seen

    assert store.write_sync(op) == [None, "x", "y", None, renamed, None, proxied]
    assert store.find_by_unique(["DataSet"], "qualifiedName", "a") == "y"
    assert store.find_by_unique(["DataSet"], "qualifiedName", "b") == "x"
