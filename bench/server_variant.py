"""``coho server`` with ``Repository.add_entity`` cut short, to split AddEntity's cost (bench-only).

    python bench/server_variant.py MODE server --config FILE

MODE ``stub``: every AddEntity after the first returns the first one's result without touching the store,
so a call costs the server's gRPC, interceptors, auth and servicer only. MODE ``writer``: the same, plus one
empty operation through the store's group-commit writer (queue, BEGIN, COMMIT, waking the caller's loop).
MODE ``store``: the same, but the operation stores what an add must store, prebuilt: a copy of the first
entity under a new GUID and qualifiedName (``put_entity``) and its new-entity event (``append_change``), with
none of the repository's work (validation, unique check, header, event building). That is the floor any
repository logic would add to. MODE ``sql``: the operation runs only the SQL of an add (the entity row, its two
index rows and its change-log row, bodies copied from the first add's rows) on the writer's connection, with
none of the store's Python either. ``bench_server.py --decompose`` runs them beside the real server and echo.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

from coho.omrs.v1 import events_pb2, instances_pb2
from coho.server.repository.headers import new_guid
from coho.server.repository.repository import Repository
from coho.server.store import ChangeMeta

MODES = ("stub", "writer", "store", "sql")
META = ChangeMeta(user_id="bench")


def install(mode: str) -> None:
    if mode not in MODES:
        raise SystemExit(f"mode must be one of {MODES}, got {mode!r}")
    real = Repository.add_entity
    first: dict[str, Any] = {}

    async def add_entity(self: Repository, caller: Any, new: Any, *, request_id: str = "") -> Any:
        if "written" not in first:  # one real add, so the reply has the real size and shape
            first["written"] = await real(self, caller, new, request_id=request_id)
        elif mode == "writer":
            await self.store.write(lambda txn: None)
        elif mode == "store":
            await self.store.write(_stored_copy(first["written"].value))
        elif mode == "sql":
            if "rows" not in first:
                first["rows"] = await self.store.write(_newest_rows)
            await self.store.write(_raw_add(*first["rows"]))
        return first["written"]

    Repository.add_entity = add_entity  # type: ignore[method-assign]


def _stored_copy(model: instances_pb2.EntityDetail) -> Any:
    """The write operation of mode ``store``: the model entity's rows under a new GUID and qualifiedName."""
    entity = instances_pb2.EntityDetail()
    entity.CopyFrom(model)
    guid = entity.header.guid = new_guid()
    entity.properties.properties["qualifiedName"].primitive.string_value = f"file:///bench/{guid}.csv"
    event = events_pb2.OmrsEvent()
    section = event.instance
    section.event_type = events_pb2.INSTANCE_EVENT_TYPE_NEW_ENTITY_EVENT
    section.instance_guid = guid
    section.entity.CopyFrom(entity)

    def op(txn: Any) -> None:
        txn.put_entity(entity)
        txn.append_change(event, guid=guid, type_name=entity.header.type.type_def_name, kind="entity", meta=META)

    return op


def _newest_rows(txn: Any) -> tuple[Any, Any]:
    """The newest entity and change-log rows, as templates for mode ``sql`` (bench-only: the writer's own
    connection, read inside a write operation)."""
    conn = txn._conn
    entity = conn.execute("SELECT type_name, home_id, is_proxy, status, version, create_time, update_time, body "
                          "FROM entity ORDER BY id DESC LIMIT 1").fetchone()
    change = conn.execute("SELECT event, type_name, kind, user_id, connector_id, refresh_id, metadata_source, "
                          "access_service, time, annex_tag, annex FROM change_log ORDER BY sequence DESC LIMIT 1"
                          ).fetchone()
    return entity, change


def _raw_add(entity: Any, change: Any) -> Any:
    """Mode ``sql``'s operation: an add's rows, written with plain INSERTs (ids and sequences from SQLite)."""

    def op(txn: Any) -> None:
        conn, guid = txn._conn, new_guid()
        owner = conn.execute("INSERT INTO entity (guid, type_name, home_id, is_proxy, status, version, create_time, "
                             "update_time, body) VALUES (?,?,?,?,?,?,?,?,?)", (guid, *entity)).lastrowid
        conn.execute("INSERT INTO prop VALUES (?,?,?,''), (?,?,?,'')",
                     ("name", f"{guid}.csv", owner, "qualifiedName", f"file:///bench/{guid}.csv", owner))
        conn.execute("INSERT INTO change_log (event, guid, type_name, kind, user_id, connector_id, refresh_id, "
                     "metadata_source, access_service, time, annex_tag, annex) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     (change[0], guid, *change[1:]))

    return op


if __name__ == "__main__":
    install(sys.argv[1])
    sys.argv = ["coho", *sys.argv[2:]]
    runpy.run_module("coho.server.cli", run_name="__main__")
