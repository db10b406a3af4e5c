"""``coho.omrs.v1.TypeService``: list, get, add, patch and verify types; load and export archives.

Type changes go through :meth:`Runtime.change_types`, which stores them and logs typedef events in one write
and only then swaps the repository's registry, so a write never sees a half-applied type change.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias

import grpc.aio

from coho.omrs.v1 import common_pb2, events_pb2, typedefs_pb2
from coho.omrs.v1 import type_service_pb2 as ts
from coho.omrs.v1 import type_service_pb2_grpc as ts_grpc
from coho.server import audit
from coho.server.archive import archive_to_json, dumps_archive, parse_archive
from coho.server.archive.exporter import build_export
from coho.server.archive.loader import load_archive
from coho.server.errors import NotFound
from coho.server.repository.enums import check_enums
from coho.server.rpc.errors import invalid, require, rpc_method
from coho.server.rpc.identity import current_caller
from coho.server.runtime import Runtime, TypeChange
from coho.server.services.convert import offset_page, page_size
from coho.server.types import TypeRegistry

SERVICE_NAME = "coho.omrs.v1.TypeService"
Ctx: TypeAlias = grpc.aio.ServicerContext


def _not_found(kind: str, key: str) -> NotFound:
    return NotFound(message=f"{kind} {key!r} is not known", reason="TYPEDEF_NOT_FOUND", resource=(kind, key))


def _key(request: Any) -> str:
    if not request.guid and not request.name:
        raise invalid("name", "give guid or name", reason="MISSING_FIELD")
    return str(request.guid or request.name)


class TypeServicer(ts_grpc.TypeServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _header(self, sequence: int | None = None) -> common_pb2.ResponseHeader:
        head = self.runtime.store.head_sequence() if sequence is None else sequence
        return common_pb2.ResponseHeader(metadata_collection_id=self.runtime.store.metadata_collection_id,
                                         sequence=head)

    @rpc_method
    async def ListTypeDefs(self, request: ts.ListTypeDefsRequest, context: Ctx) -> Any:
        size = page_size(request.page_size)
        found = sorted((td for td in self.runtime.types.type_defs()
                        if not request.category or td.category == request.category), key=lambda td: td.name)
        items, token = offset_page(found, size, request.page_token)
        return ts.ListTypeDefsResponse(header=self._header(), type_defs=items, next_page_token=token)

    @rpc_method
    async def ListAttributeTypeDefs(self, request: ts.ListAttributeTypeDefsRequest, context: Ctx) -> Any:
        size = page_size(request.page_size)
        found = sorted((a for a in self.runtime.types.attribute_type_defs()
                        if not request.category or a.category == request.category), key=lambda a: a.name)
        items, token = offset_page(found, size, request.page_token)
        return ts.ListAttributeTypeDefsResponse(header=self._header(), attribute_type_defs=items,
                                                next_page_token=token)

    @rpc_method
    async def GetTypeDef(self, request: ts.GetTypeDefRequest, context: Ctx) -> Any:
        key = _key(request)
        types = self.runtime.types
        td = types.get_type_def(key)
        if td is None:
            raise _not_found("TypeDef", key)
        return ts.GetTypeDefResponse(header=self._header(), type_def=td,
                                     all_properties=list(types.all_properties(td.name).values()),
                                     super_type_names=types.supertypes(td.name))

    @rpc_method
    async def GetAttributeTypeDef(self, request: ts.GetAttributeTypeDefRequest, context: Ctx) -> Any:
        key = _key(request)
        atd = self.runtime.types.get_attribute_type_def(key)
        if atd is None:
            raise _not_found("AttributeTypeDef", key)
        return ts.GetAttributeTypeDefResponse(header=self._header(), attribute_type_def=atd)

    @rpc_method
    async def AddTypeDef(self, request: ts.AddTypeDefRequest, context: Ctx) -> Any:
        require(request, "type_def", "type_def.name")
        td = request.type_def
        check_enums(td, "type_def")

        def change(types: TypeRegistry) -> list[TypeChange]:
            if not types.add_type_def(td):
                return []
            stored = types.get_type_def(td.name)
            assert stored is not None  # added just now
            return [TypeChange(stored, events_pb2.TYPE_DEF_EVENT_TYPE_NEW_TYPEDEF_EVENT)]

        sequence = await self.runtime.change_types(current_caller(), change)
        return ts.AddTypeDefResponse(header=self._header(sequence), type_def=self.runtime.types.get_type_def(td.name))

    @rpc_method
    async def AddAttributeTypeDef(self, request: ts.AddAttributeTypeDefRequest, context: Ctx) -> Any:
        require(request, "attribute_type_def", "attribute_type_def.name")
        atd = request.attribute_type_def
        check_enums(atd, "attribute_type_def")
        if atd.WhichOneof("def") is None:  # stored, it would fail every later archive export
            raise invalid("attribute_type_def", "needs a primitive, collection or enum_def definition",
                          reason="MISSING_FIELD")

        def change(types: TypeRegistry) -> list[TypeChange]:
            if not types.add_attribute_type_def(atd):
                return []
            stored = types.get_attribute_type_def(atd.name)
            assert stored is not None  # added just now
            return [TypeChange(stored, events_pb2.TYPE_DEF_EVENT_TYPE_NEW_ATTRIBUTE_TYPEDEF_EVENT)]

        sequence = await self.runtime.change_types(current_caller(), change)
        return ts.AddAttributeTypeDefResponse(
            header=self._header(sequence), attribute_type_def=self.runtime.types.get_attribute_type_def(atd.name))

    @rpc_method
    async def PatchTypeDef(self, request: ts.PatchTypeDefRequest, context: Ctx) -> Any:
        require(request, "patch")
        patch = request.patch
        check_enums(patch, "patch")
        patched: list[typedefs_pb2.TypeDef] = []

        def change(types: TypeRegistry) -> list[TypeChange]:
            result = types.apply_patch(patch)
            if result is None:
                return []
            patched.append(result)
            return [TypeChange(result, events_pb2.TYPE_DEF_EVENT_TYPE_UPDATED_TYPEDEF_EVENT)]

        sequence = await self.runtime.change_types(current_caller(), change)
        current = patched[0] if patched else self.runtime.types.get_type_def(
            patch.type_def_guid or patch.type_def_name)
        return ts.PatchTypeDefResponse(header=self._header(sequence), type_def=current)

    @rpc_method
    async def VerifyTypeDef(self, request: ts.VerifyTypeDefRequest, context: Ctx) -> Any:
        require(request, "type_def", "type_def.name")
        types = self.runtime.types
        if types.get_type_def(request.type_def.name) is None:
            return ts.VerifyTypeDefResponse(header=self._header(), matches=False, unknown=True)
        differences = types.verify_type_def(request.type_def)
        return ts.VerifyTypeDefResponse(header=self._header(), matches=not differences, differences=differences)

    @rpc_method
    async def LoadArchive(self, request: ts.LoadArchiveRequest, context: Ctx) -> Any:
        require(request, "archive_json")
        parsed = await asyncio.to_thread(parse_archive, request.archive_json)
        caller = current_caller()
        runtime = self.runtime
        async with runtime.type_lock:
            result = await load_archive(
                runtime.store, runtime.types, parsed, caller=caller, validate_only=request.validate_only,
                collection_name=runtime.repository.metadata_collection_name, server_name=runtime.config.server_name)
            if not request.validate_only:
                runtime.swap_types(result.types)
        runtime.audit.record(
            audit.TYPES, "types", "ARCHIVE_VALIDATED" if request.validate_only else "ARCHIVE_LOADED",
            f"archive {result.archive_name} ({result.archive_guid})", user_id=caller.user_id,
            details={"type_defs": result.loaded.type_defs, "entities": result.loaded.entities,
                     "relationships": result.loaded.relationships, "sequence": result.sequence})
        return ts.LoadArchiveResponse(header=self._header(result.sequence), archive_guid=result.archive_guid,
                                      archive_name=result.archive_name, loaded=result.loaded,
                                      in_archive=result.in_archive)

    @rpc_method
    async def ExportArchive(self, request: ts.ExportArchiveRequest, context: Ctx) -> Any:
        head = self.runtime.store.head_sequence()
        archive = await asyncio.to_thread(
            build_export, self.runtime.store, self.runtime.types, include_types=request.include_types,
            home_ids=set(request.home_metadata_collection_ids) or None,
            archive_name=request.archive_name or "coho export")
        data = await asyncio.to_thread(lambda: dumps_archive(archive_to_json(archive)))
        return ts.ExportArchiveResponse(header=self._header(head), archive_json=data, counts=archive.counts())


def factory(runtime: Runtime) -> tuple[str, object]:
    return SERVICE_NAME, TypeServicer(runtime)
