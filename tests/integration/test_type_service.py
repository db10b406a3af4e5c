"""TypeService over real gRPC: list / get / add / patch / verify, and loading Egeria's archives."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from servertest import READER_TOKEN, client, expect, running

from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import typedefs_pb2
from coho.server.archive import parse_archive

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

EGERIA = Path("/work/shared/egeria")
Code = grpc.StatusCode


def new_type(name: str, version: int = 1) -> typedefs_pb2.TypeDef:
    asset = ts_types_asset()
    return typedefs_pb2.TypeDef(
        guid=f"00000000-0000-0000-0000-{abs(hash(name)) % 10**12:012d}", name=name, version=version,
        category=typedefs_pb2.TYPE_DEF_CATEGORY_ENTITY_DEF, super_type=asset)


def ts_types_asset() -> typedefs_pb2.TypeDefLink:
    from coho.server.types import TypeRegistry

    asset = TypeRegistry.with_builtin_types().get_type_def("Asset")
    assert asset is not None
    return typedefs_pb2.TypeDefLink(guid=asset.guid, name=asset.name)


async def test_list_get_add_patch_verify(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        async with client(app) as s:
            first = await s.types.ListTypeDefs(ts.ListTypeDefsRequest(page_size=10))
            assert len(first.type_defs) == 10 and first.next_page_token
            second = await s.types.ListTypeDefs(ts.ListTypeDefsRequest(page_size=10, page_token=first.next_page_token))
            assert {t.name for t in first.type_defs}.isdisjoint({t.name for t in second.type_defs})
            relationships = await s.types.ListTypeDefs(ts.ListTypeDefsRequest(
                category=typedefs_pb2.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF, page_size=1000))
            assert {t.category for t in relationships.type_defs} == {typedefs_pb2.TYPE_DEF_CATEGORY_RELATIONSHIP_DEF}
            atds = await s.types.ListAttributeTypeDefs(ts.ListAttributeTypeDefsRequest())
            assert "string" in {a.name for a in atds.attribute_type_defs}
            got = await s.types.GetTypeDef(ts.GetTypeDefRequest(name="DataFile"))
            assert "Asset" in got.super_type_names and "qualifiedName" in {p.attribute_name for p in got.all_properties}
            assert (await s.types.GetTypeDef(ts.GetTypeDefRequest(guid=got.type_def.guid))).type_def.name == "DataFile"
            atd = await s.types.GetAttributeTypeDef(ts.GetAttributeTypeDefRequest(name="string"))
            assert atd.attribute_type_def.guid
            err = await expect(Code.NOT_FOUND, "TYPEDEF_NOT_FOUND",
                               s.types.GetTypeDef(ts.GetTypeDefRequest(name="Nope")))
            assert err.resource == ("TypeDef", "Nope")
            await expect(Code.INVALID_ARGUMENT, "MISSING_FIELD", s.types.GetTypeDef(ts.GetTypeDefRequest()))

            added = await s.types.AddTypeDef(ts.AddTypeDefRequest(type_def=new_type("CohoTestAsset")))
            assert added.header.sequence > 0 and added.type_def.name == "CohoTestAsset"
            again = await s.types.AddTypeDef(ts.AddTypeDefRequest(type_def=new_type("CohoTestAsset")))
            assert again.header.sequence == 0  # identical: nothing changed
            entity = await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="CohoTestAsset")))
            assert entity.entity.header.type.type_def_name == "CohoTestAsset"

            verify = await s.types.VerifyTypeDef(ts.VerifyTypeDefRequest(type_def=new_type("CohoTestAsset")))
            assert verify.matches and not verify.unknown
            unknown = await s.types.VerifyTypeDef(ts.VerifyTypeDefRequest(type_def=new_type("NotThere")))
            assert unknown.unknown and not unknown.matches

            patch = typedefs_pb2.TypeDefPatch(type_def_name="CohoTestAsset", apply_to_version=1, update_to_version=2,
                                              description="patched")
            patched = await s.types.PatchTypeDef(ts.PatchTypeDefRequest(patch=patch))
            assert patched.type_def.version == 2 and patched.header.sequence > 0
            await expect(Code.FAILED_PRECONDITION, "TYPEDEF_PATCH_MISMATCH", s.types.PatchTypeDef(
                ts.PatchTypeDefRequest(
                patch=typedefs_pb2.TypeDefPatch(type_def_name="CohoTestAsset", apply_to_version=5,
                                                update_to_version=6))))
        async with client(app, READER_TOKEN) as reader:
            await reader.types.ListTypeDefs(ts.ListTypeDefsRequest())
            await expect(Code.PERMISSION_DENIED, "ROLE_NOT_ALLOWED",
                         reader.types.AddTypeDef(ts.AddTypeDefRequest(type_def=new_type("X"))))
    # The added and patched type survive a restart (they were stored, not only swapped in memory).
    async with running(tmp_path) as app, client(app) as s:
        got = await s.types.GetTypeDef(ts.GetTypeDefRequest(name="CohoTestAsset"))
        assert got.type_def.version == 2


async def test_load_egeria_archives_then_find(tmp_path: Path) -> None:
    async with running(tmp_path, max_message_bytes=64 * 1024 * 1024) as app, client(app) as s:
        types = await s.types.LoadArchive(ts.LoadArchiveRequest(
            archive_json=(EGERIA / "OpenMetadataTypes.omarchive").read_bytes()))
        assert types.loaded.type_defs > 500
        data = (EGERIA / "SimpleCatalog.omarchive").read_bytes()
        dry = await s.types.LoadArchive(ts.LoadArchiveRequest(archive_json=data, validate_only=True))
        assert dry.header.sequence == 0
        catalog = await s.types.LoadArchive(ts.LoadArchiveRequest(archive_json=data))
        assert catalog.loaded.entities > 0 and catalog.header.sequence > 0
        expected = {e.header.guid for e in parse_archive(data).entities}
        found: set[str] = set()
        token = ""
        while True:
            page = await s.mcs.FindEntities(mcs.FindEntitiesRequest(query=mcs.InstanceQuery(
                page_size=500, page_token=token)))
            found |= {e.header.guid for e in page.entities}
            token = page.next_page_token
            if not token:
                break
        assert expected <= found
        exported = await s.types.ExportArchive(ts.ExportArchiveRequest(archive_name="t"))
        assert exported.counts.entities >= len(expected)
        assert json.loads(exported.archive_json)["archiveProperties"]["archiveName"] == "t"
        await expect(Code.INVALID_ARGUMENT, "ARCHIVE_INVALID",
                     s.types.LoadArchive(ts.LoadArchiveRequest(archive_json=b"{not json")))
