"""MetadataCollectionService over real gRPC: every RPC at least once, and the error paths of DESIGN §3."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from cohotest import poll
from contract.builders import new_entity, new_rel, props, remote_entity, remote_relationship, string
from servertest import Stubs, client, expect, rpc_error, running

from coho.admin.v1 import server_admin_service_pb2 as admin_pb2
from coho.omrs.v1 import common_pb2, events_pb2, instances_pb2, typedefs_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.types import TypeRegistry

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

Code = grpc.StatusCode
ACTIVE = typedefs_pb2.INSTANCE_STATUS_ACTIVE
DELETED = typedefs_pb2.INSTANCE_STATUS_DELETED
TYPES = TypeRegistry.with_builtin_types()


async def add(stubs: Stubs, type_name: str = "DataFile", **values: object) -> instances_pb2.EntityDetail:
    values.setdefault("qualifiedName", f"{type_name}:{uuid.uuid4()}")
    reply = await stubs.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity(type_name, **values)))
    assert reply.header.sequence > 0
    return reply.entity


async def test_entity_lifecycle(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as s:
        ident = await s.mcs.GetMetadataCollectionId(mcs.GetMetadataCollectionIdRequest())
        assert ident.metadata_collection_id == app.runtime.store.metadata_collection_id  # type: ignore[union-attr]
        assert ident.metadata_collection_name == "test-server"
        file = await add(s, name="a.csv")
        guid = file.header.guid
        got = await s.mcs.GetEntity(mcs.GetEntityRequest(guid=guid))
        assert got.entity == file and got.header.sequence >= 1
        proxy = await s.mcs.GetEntityProxy(mcs.GetEntityProxyRequest(guid=guid))
        assert proxy.proxy.header.guid == guid
        updated = await s.mcs.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
            guid=guid, properties=props(name="b.csv"), merge=True, options=mcs.WriteOptions(expected_version=1)))
        assert updated.entity.header.version == 2
        await expect(Code.ABORTED, "VERSION_CONFLICT", s.mcs.UpdateEntityProperties(
            mcs.UpdateEntityPropertiesRequest(guid=guid, properties=props(name="c"), merge=True,
                                              options=mcs.WriteOptions(expected_version=1))))
        history = await s.mcs.GetEntityHistory(mcs.GetEntityHistoryRequest(guid=guid))
        assert [v.header.version for v in history.versions] == [1, 2]
        undone = await s.mcs.UndoEntityUpdate(mcs.UndoEntityUpdateRequest(guid=guid))
        assert undone.entity.properties.properties["name"] == string("a.csv")
        status = await s.mcs.UpdateEntityStatus(mcs.UpdateEntityStatusRequest(guid=guid, new_status=ACTIVE))
        assert status.entity.header.status == ACTIVE
        classified = await s.mcs.ClassifyEntity(mcs.ClassifyEntityRequest(
            guid=guid, classification_name="Memento", properties=props(archiveUser="bob")))
        assert [c.name for c in classified.entity.classifications] == ["Memento"]
        await expect(Code.ALREADY_EXISTS, "CLASSIFICATION_EXISTS", s.mcs.ClassifyEntity(
            mcs.ClassifyEntityRequest(guid=guid, classification_name="Memento")))
        await s.mcs.ReclassifyEntity(mcs.ReclassifyEntityRequest(
            guid=guid, classification_name="Memento", properties=props(archiveUser="eve")))
        declassified = await s.mcs.DeclassifyEntity(
            mcs.DeclassifyEntityRequest(guid=guid, classification_name="Memento"))
        assert not declassified.entity.classifications
        await expect(Code.FAILED_PRECONDITION, "NOT_DELETED", s.mcs.PurgeEntity(mcs.PurgeEntityRequest(guid=guid)))
        deleted = await s.mcs.DeleteEntity(mcs.DeleteEntityRequest(guid=guid))
        assert deleted.entity.header.status == DELETED
        restored = await s.mcs.RestoreEntity(mcs.RestoreEntityRequest(guid=guid))
        assert restored.entity.header.status == ACTIVE
        new_guid = str(uuid.uuid4())
        reidentified = await s.mcs.ReIdentifyEntity(mcs.ReIdentifyEntityRequest(guid=guid, new_guid=new_guid))
        assert reidentified.entity.header.guid == new_guid
        retyped = await s.mcs.ReTypeEntity(mcs.ReTypeEntityRequest(guid=new_guid, new_type_name="CSVFile"))
        assert retyped.entity.header.type.type_def_name == "CSVFile"
        await s.mcs.DeleteEntity(mcs.DeleteEntityRequest(guid=new_guid))
        purged = await s.mcs.PurgeEntity(mcs.PurgeEntityRequest(guid=new_guid))
        assert purged.header.sequence > 0
        err = await expect(Code.NOT_FOUND, "ENTITY_NOT_FOUND", s.mcs.GetEntity(mcs.GetEntityRequest(guid=new_guid)))
        assert err.resource == ("EntityDetail", new_guid)
        other = await add(s)
        rehomed = await s.mcs.ReHomeEntity(mcs.ReHomeEntityRequest(
            guid=other.header.guid, new_home_metadata_collection_id="elsewhere"))
        assert rehomed.entity.header.metadata_collection_id == "elsewhere"


async def test_batches_finds_and_idempotent_retry(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as s:
        request = mcs.AddEntityRequest(entity=new_entity(qualifiedName="q1", name="one"), request_id="req-1")
        first = await s.mcs.AddEntity(request)
        again = await s.mcs.AddEntity(request)
        assert again.entity == first.entity and again.header.sequence == first.header.sequence
        many = await s.mcs.AddEntities(mcs.AddEntitiesRequest(
            entities=[new_entity(qualifiedName=f"m{i}", name=f"many{i}") for i in range(3)]))
        assert len(many.entities) == 3
        found = await s.mcs.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
            type_name="DataFile", page_size=2)))
        assert len(found.entities) == 2 and found.next_page_token
        rest = await s.mcs.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
            type_name="DataFile", page_size=2, page_token=found.next_page_token)))
        assert len(rest.entities) == 2 and not rest.next_page_token
        by_value = await s.mcs.FindEntitiesByPropertyValue(mcs.FindEntitiesByPropertyValueRequest(
            search_criteria="many.*"))
        assert len(by_value.entities) == 3
        await expect(Code.ALREADY_EXISTS, "DUPLICATE_UNIQUE_VALUE",
                     s.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity(qualifiedName="q1"))))
        err = await expect(Code.INVALID_ARGUMENT, "INVALID_FIELD", s.mcs.FindEntities(mcs.FindEntitiesRequest(
            query=mcs.InstanceQuery(page_size=5000))))
        assert err.fields == ["page_size"]
        err = await expect(Code.INVALID_ARGUMENT, "PROPERTY_UNKNOWN", s.mcs.AddEntity(
            mcs.AddEntityRequest(entity=new_entity(noSuchProperty="x"))))
        assert err.field_violations
        await expect(Code.INVALID_ARGUMENT, "MISSING_FIELD", s.mcs.AddEntity(mcs.AddEntityRequest()))
        await expect(Code.FAILED_PRECONDITION, "TYPE_UNKNOWN",
                     s.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity("NoSuchType"))))


async def test_relationships_and_graph(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as s:
        folder, file, file2 = await add(s, "FileFolder"), await add(s), await add(s)
        rel = (await s.mcs.AddRelationship(mcs.AddRelationshipRequest(relationship=new_rel(
            "NestedFile", folder.header.guid, file.header.guid)))).relationship
        more = await s.mcs.AddRelationships(mcs.AddRelationshipsRequest(relationships=[new_rel(
            "NestedFile", folder.header.guid, file2.header.guid)]))
        assert len(more.relationships) == 1
        guid = rel.header.guid
        assert (await s.mcs.GetRelationship(mcs.GetRelationshipRequest(guid=guid))).relationship == rel
        found = await s.mcs.FindRelationships(mcs.FindRelationshipsRequest(query=mcs.InstanceQuery(
            type_name="NestedFile")))
        assert len(found.relationships) == 2
        by_value = await s.mcs.FindRelationshipsByPropertyValue(mcs.FindRelationshipsByPropertyValueRequest(
            search_criteria=".*"))
        assert by_value.header.metadata_collection_id
        await s.mcs.UpdateRelationshipStatus(mcs.UpdateRelationshipStatusRequest(guid=guid, new_status=ACTIVE))
        updated = await s.mcs.UpdateRelationshipProperties(mcs.UpdateRelationshipPropertiesRequest(
            guid=guid, properties=instances_pb2.InstanceProperties(), merge=True))
        history = await s.mcs.GetRelationshipHistory(mcs.GetRelationshipHistoryRequest(
            guid=guid, order=common_pb2.HISTORY_SEQUENCING_ORDER_BACKWARDS))
        assert history.versions[0].header.version == updated.relationship.header.version
        await s.mcs.UndoRelationshipUpdate(mcs.UndoRelationshipUpdateRequest(guid=guid))
        for_entity = await s.mcs.GetRelationshipsForEntity(mcs.GetRelationshipsForEntityRequest(
            entity_guid=folder.header.guid))
        assert len(for_entity.relationships) == 2
        hood = await s.mcs.GetEntityNeighborhood(mcs.GetEntityNeighborhoodRequest(
            entity_guid=folder.header.guid, level=1))
        assert len(hood.graph.entities) == 3
        related = await s.mcs.GetRelatedEntities(mcs.GetRelatedEntitiesRequest(entity_guid=folder.header.guid))
        assert {e.header.guid for e in related.entities} >= {file.header.guid, file2.header.guid}
        linking = await s.mcs.GetLinkingEntities(mcs.GetLinkingEntitiesRequest(
            start_entity_guid=file.header.guid, end_entity_guid=file2.header.guid))
        assert folder.header.guid in {e.header.guid for e in linking.graph.entities}
        await s.mcs.DeleteRelationship(mcs.DeleteRelationshipRequest(guid=guid))
        await s.mcs.RestoreRelationship(mcs.RestoreRelationshipRequest(guid=guid))
        new_guid = str(uuid.uuid4())
        await s.mcs.ReIdentifyRelationship(mcs.ReIdentifyRelationshipRequest(guid=guid, new_guid=new_guid))
        await expect(Code.FAILED_PRECONDITION, "TYPE_UNKNOWN", s.mcs.ReTypeRelationship(
            mcs.ReTypeRelationshipRequest(guid=new_guid, new_type_name="NoSuchRelationship")))
        await s.mcs.DeleteRelationship(mcs.DeleteRelationshipRequest(guid=new_guid))
        await s.mcs.PurgeRelationship(mcs.PurgeRelationshipRequest(guid=new_guid))
        await expect(Code.NOT_FOUND, "RELATIONSHIP_NOT_FOUND",
                     s.mcs.GetRelationship(mcs.GetRelationshipRequest(guid=new_guid)))
        other = more.relationships[0].header.guid
        rehomed = await s.mcs.ReHomeRelationship(mcs.ReHomeRelationshipRequest(
            guid=other, new_home_metadata_collection_id="elsewhere"))
        assert rehomed.relationship.header.metadata_collection_id == "elsewhere"


async def test_reference_copies_proxies_and_not_home(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as s:
        remote = remote_entity(TYPES, "DataFile")
        saved = await s.mcs.SaveEntityReferenceCopy(mcs.SaveEntityReferenceCopyRequest(entity=remote))
        assert saved.outcome == mcs.REFERENCE_COPY_OUTCOME_SAVED
        await expect(Code.FAILED_PRECONDITION, "NOT_HOME", s.mcs.UpdateEntityProperties(
            mcs.UpdateEntityPropertiesRequest(guid=remote.header.guid, properties=props(name="x"))))
        folder = remote_entity(TYPES, "FileFolder")
        rel = remote_relationship(TYPES, "NestedFile", folder, remote)
        proxy = instances_pb2.EntityProxy(header=folder.header)
        await s.mcs.AddEntityProxy(mcs.AddEntityProxyRequest(proxy=proxy))
        assert (await s.mcs.GetEntityProxy(mcs.GetEntityProxyRequest(guid=folder.header.guid))).proxy.header.guid
        await expect(Code.NOT_FOUND, "ENTITY_PROXY_ONLY",
                     s.mcs.GetEntity(mcs.GetEntityRequest(guid=folder.header.guid)))
        saved_rel = await s.mcs.SaveRelationshipReferenceCopy(
            mcs.SaveRelationshipReferenceCopyRequest(relationship=rel))
        assert saved_rel.outcome == mcs.REFERENCE_COPY_OUTCOME_SAVED
        other = remote_entity(TYPES, "DataFile")
        batch = await s.mcs.SaveInstanceReferenceCopies(mcs.SaveInstanceReferenceCopiesRequest(
            graph=instances_pb2.InstanceGraph(entities=[other])))
        assert list(batch.entity_outcomes) == [mcs.REFERENCE_COPY_OUTCOME_SAVED]
        await s.mcs.PurgeRelationshipReferenceCopy(mcs.PurgeRelationshipReferenceCopyRequest(
            guid=rel.header.guid, home_metadata_collection_id=rel.header.metadata_collection_id))
        await s.mcs.PurgeEntityReferenceCopy(mcs.PurgeEntityReferenceCopyRequest(
            guid=remote.header.guid, home_metadata_collection_id=remote.header.metadata_collection_id))
        await expect(Code.NOT_FOUND, "ENTITY_NOT_FOUND",
                     s.mcs.GetEntity(mcs.GetEntityRequest(guid=remote.header.guid)))
        await expect(Code.FAILED_PRECONDITION, "NO_COHORT", s.mcs.RefreshEntityReferenceCopy(
            mcs.RefreshEntityReferenceCopyRequest(guid=other.header.guid, type_name="DataFile",
                                                  home_metadata_collection_id="remote-collection-id")))
        await expect(Code.FAILED_PRECONDITION, "NO_COHORT", s.mcs.RefreshRelationshipReferenceCopy(
            mcs.RefreshRelationshipReferenceCopyRequest(guid=rel.header.guid, type_name="NestedFile",
                                                        home_metadata_collection_id="remote-collection-id")))


async def test_change_log_and_retention_floor(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as s:
        for _ in range(3):
            await add(s)
        log = await s.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=0, page_size=2))
        assert [e.sequence for e in log.entries] == [1, 2] and log.header.sequence == 3
        assert log.entries[0].user_id == "alice"
        assert app.runtime is not None
        app.runtime.store.compact_changes(2)
        err = await expect(Code.OUT_OF_RANGE, "SEQUENCE_BELOW_FLOOR", s.mcs.ReadChangeLog(
            mcs.ReadChangeLogRequest(after_sequence=0)))
        assert err.metadata["floor"] == "3"
        rest = await s.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=2))
        assert [e.sequence for e in rest.entries] == [3]



async def test_configured_store_retention_and_index(tmp_path: Path) -> None:
    """The ``store`` config section reaches the repository: a bounded change log and the chosen index."""
    store = {"change_log_retention": 3, "change_log_retention_days": 30, "request_retention_days": 2,
             "synchronous": "FULL", "indexed_properties": ["qualifiedName"]}
    async with running(tmp_path, store=store) as app, client(app) as s:
        for _ in range(5):
            await add(s)
        err = await expect(Code.OUT_OF_RANGE, "SEQUENCE_BELOW_FLOOR", s.mcs.ReadChangeLog(
            mcs.ReadChangeLogRequest(after_sequence=0)))
        assert err.metadata["floor"] == "3"
        kept = await s.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=2))
        assert [e.sequence for e in kept.entries] == [3, 4, 5]
        assert app.runtime is not None
        assert app.runtime.store.indexed == frozenset({"qualifiedName"})  # type: ignore[attr-defined]
        mode = app.runtime.store._writer_conn.execute("PRAGMA synchronous").fetchone()[0]  # type: ignore[attr-defined]
        assert mode == 2  # FULL
        policy = app.runtime.store._txn._retention  # type: ignore[attr-defined]
        assert (policy.max_entries, policy.max_age_ms, policy.request_max_age_ms, policy.history_max_age_ms) == (
            3, 30 * 86_400_000, 2 * 86_400_000, None)


async def refusal(call: Callable[[], Awaitable[Any]]) -> grpc.StatusCode | None:
    """The status code call fails with, or None when it succeeds (for cohotest.poll)."""
    try:
        await call()
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return None


async def test_history_retention_on_an_idle_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``store.history_retention_days``: a superseded version goes once it is that old, with no write to
    trigger it, and an as_of read it answered becomes OUT_OF_RANGE with the floor in the error."""
    from coho.server.store import retention

    monkeypatch.setattr(retention, "AGE_CHECK_SECONDS", 0.1)
    monkeypatch.setattr(retention, "IDLE_CHECK_SECONDS", 0.1)
    async with running(tmp_path, store={"history_retention_days": 0.5 / 86_400}) as app, client(app) as s:
        created = await add(s, fileName="v1")
        guid = created.header.guid
        await s.mcs.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest(
            guid=guid, properties=props(fileName="v2"), merge=True))
        request = mcs.GetEntityRequest(guid=guid, as_of_time=created.header.create_time)
        found = await s.mcs.GetEntity(request)
        assert found.entity.properties.properties["fileName"].primitive.string_value == "v1"
        # No more writes: the idle writer's housekeeping must drop v1 by itself.
        code = await poll(lambda: refusal(lambda: s.mcs.GetEntity(request)), within=10, what="v1 dropped")
        assert code == Code.OUT_OF_RANGE
        err = await expect(Code.OUT_OF_RANGE, "AS_OF_BELOW_HISTORY_FLOOR", s.mcs.GetEntity(request))
        assert int(err.metadata["history_floor_ms"]) > created.header.create_time.ToMilliseconds()
        status = await s.admin.GetServerStatus(admin_pb2.GetServerStatusRequest())
        assert status.history_floor.ToMilliseconds() == int(err.metadata["history_floor_ms"])
        current = await s.mcs.GetEntity(mcs.GetEntityRequest(guid=guid))
        assert current.entity.properties.properties["fileName"].primitive.string_value == "v2"


async def test_deleted_retention_purges_on_a_running_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``store.deleted_retention_days``: a soft-deleted entity is purged once that old, by the server itself,
    and the purge is in the change log like any other (credited to coho-retention)."""
    from coho.server.repository import sweeper

    monkeypatch.setattr(sweeper, "SWEEP_SECONDS", 0.1)
    async with running(tmp_path, store={"deleted_retention_days": 0.3 / 86_400}) as app, client(app) as s:
        doomed, kept = await add(s), await add(s)
        await s.mcs.DeleteEntity(mcs.DeleteEntityRequest(guid=doomed.header.guid))
        code = await poll(lambda: refusal(lambda: s.mcs.GetEntity(mcs.GetEntityRequest(guid=doomed.header.guid))),
                          within=10, what="the deleted entity purged")
        assert code == Code.NOT_FOUND
        log = await s.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=0))
        last = log.entries[-1]
        purged = last.event.instance
        assert purged.event_type == events_pb2.INSTANCE_EVENT_TYPE_PURGED_ENTITY_EVENT
        assert (purged.entity.header.guid, last.user_id) == (doomed.header.guid, "coho-retention")
        await s.mcs.GetEntity(mcs.GetEntityRequest(guid=kept.header.guid))  # a live entity stays


async def test_empty_guid_is_invalid_argument_not_not_found(tmp_path: Path) -> None:
    async with running(tmp_path) as app, client(app) as stubs:
        for call in (
            stubs.mcs.DeleteEntity(mcs.DeleteEntityRequest()),
            stubs.mcs.PurgeRelationship(mcs.PurgeRelationshipRequest()),
            stubs.mcs.UpdateEntityProperties(mcs.UpdateEntityPropertiesRequest()),
        ):
            err = await rpc_error(call)
            assert err.code == grpc.StatusCode.INVALID_ARGUMENT, err
            assert err.reason == "MISSING_FIELD"
            assert ("guid", "is required") in err.field_violations
