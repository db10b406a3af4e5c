"""Connector tags are identity: nobody but a connector sets them, and no connector borrows another's (issue #8).

tests/integration/test_auth.py covers one tag on one unary call per case. This file covers every tag on every
call shape (unary read, unary write, server stream, bidi stream), the userId override (``act_as``), headers
sent twice, and the daemon's two ways in: a Python connector's TaggedStub and the remote-connector proxy.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from contract.builders import new_entity
from reliability.test_security_auth import Rpc, bearer, invoke
from servertest import (
    ADMIN_TOKEN,
    CONNECTOR_TOKEN,
    PEER_TOKEN,
    PINNED_TOKEN,
    READER_TOKEN,
    TOKENS,
    client,
    expect,
    running,
)
from unit.daemon.daemontest import DAEMON_ADMIN, daemon_with_server

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.admin.v1 import server_admin_service_pb2 as admin_pb
from coho.client import connect
from coho.daemon.config import PermittedSynchronization
from coho.daemon.tagging import ConnectorIdentity, RefreshTracker, TaggedStub
from coho.omrs.v1 import events_pb2
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.omrs.v1 import metadata_collection_service_pb2_grpc as mcs_grpc
from coho.server.errors import PermissionDenied
from coho.server.rpc.auth import TAG_KEYS

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

Code = grpc.StatusCode
DENIED = Code.PERMISSION_DENIED
MCS = "coho.omrs.v1.MetadataCollectionService"
ACTING_TOKEN = "acting-connector-token"
WRONG = "not-a-token-at-all"
SERVER_TOKENS = {**TOKENS, ACTING_TOKEN: {"user": "daemon", "roles": ["connector"], "act_as": ["files-bot"]}}

CALL_SHAPES = [
    Rpc(MCS, "GetMetadataCollectionId", False, False, b""),
    Rpc(MCS, "AddEntity", False, False, mcs.AddEntityRequest(entity=new_entity()).SerializeToString()),
    Rpc("coho.access.v1.OutTopicService", "Subscribe", False, True, ot.SubscribeRequest().SerializeToString()),
    Rpc("coho.access.v1.OutTopicService", "Listen", True, True, b""),
]
TAG_VALUES = {"x-coho-permitted-synchronization": "BOTH_DIRECTIONS"}


def tag(key: str) -> tuple[str, str]:
    return key, TAG_VALUES.get(key, "files")


async def change_entry(app: Any, sequence: int) -> events_pb2.SequencedEvent:
    async with client(app) as admin:
        changes = await admin.mcs.ReadChangeLog(mcs.ReadChangeLogRequest(after_sequence=sequence - 1))
    entry: events_pb2.SequencedEvent = next(e for e in changes.entries if e.sequence == sequence)
    return entry


async def test_only_connector_tokens_may_send_any_tag_on_any_call_shape(tmp_path: Path) -> None:
    async with running(tmp_path) as app, connect(app.address) as channel:
        cases = [(token, key, rpc) for token in (ADMIN_TOKEN, READER_TOKEN, PEER_TOKEN) for key in TAG_KEYS
                 for rpc in CALL_SHAPES]
        results = await asyncio.gather(*(invoke(channel, rpc, [*bearer(token), tag(key)])
                                         for token, key, rpc in cases))
        # Readers and peers may not write at all, and the role check comes first.
        wrong = [(token, key, rpc.name, result) for (token, key, rpc), result in zip(cases, results, strict=True)
                 if result[0] != DENIED or result[1] not in (
                     {"CONNECTOR_TAGS_NOT_ALLOWED", "ROLE_NOT_ALLOWED"} if rpc.mutating and token != ADMIN_TOKEN
                     else {"CONNECTOR_TAGS_NOT_ALLOWED"})]
        assert not wrong
        async with client(app) as admin:
            reply = await admin.admin.QueryAuditLog(admin_pb.QueryAuditLogRequest(
                action="CONNECTOR_TAGS_NOT_ALLOWED", page_size=1000))
        assert {r.user_id for r in reply.records} == {"alice", "rita", "peer1"}


async def test_a_pinned_connector_cannot_act_as_another_connector_on_any_call_shape(tmp_path: Path) -> None:
    async with running(tmp_path) as app, connect(app.address) as channel:
        for rpc in CALL_SHAPES:
            code, reason = await invoke(channel, rpc, [*bearer(PINNED_TOKEN), ("x-coho-connector-id", "other")])
            assert (code, reason) == (DENIED, "CONNECTOR_ID_MISMATCH"), rpc.name
        # Sending its own id twice around a foreign one does not help, in either order.
        for ids in (("files", "other"), ("other", "files")):
            code, reason = await invoke(channel, CALL_SHAPES[1], [*bearer(PINNED_TOKEN),
                                                                 *(("x-coho-connector-id", i) for i in ids)])
            assert (code, reason) == (DENIED, "DUPLICATE_IDENTITY_HEADER")
        async with client(app, PINNED_TOKEN) as pinned:
            added = await pinned.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()),
                                               metadata=[("x-coho-connector-id", "files")])
        entry = await change_entry(app, added.header.sequence)
        assert (entry.user_id, entry.connector_id) == ("filesconn", "files")


async def test_a_connector_acts_only_as_the_users_its_token_lists(tmp_path: Path) -> None:
    async with running(tmp_path, auth={"tokens": SERVER_TOKENS}) as app:
        async with client(app, ACTING_TOKEN) as acting:
            added = await acting.mcs.AddEntity(mcs.AddEntityRequest(entity=new_entity()),
                                               metadata=[("x-coho-user-id", "files-bot")])
            assert added.entity.header.created_by == "files-bot"
            for user in ("alice", "mallory", "FILES-BOT", "files-bot2"):
                await expect(DENIED, "ACT_AS_NOT_ALLOWED", acting.mcs.AddEntity(
                    mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-coho-user-id", user)]))
            for users in (("files-bot", "alice"), ("alice", "files-bot")):
                await expect(DENIED, "DUPLICATE_IDENTITY_HEADER", acting.mcs.AddEntity(
                    mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-coho-user-id", u) for u in users]))
        async with connect(app.address) as channel:
            # A second bearer token is not a way to pick the more privileged of two identities.
            for tokens in ((ACTING_TOKEN, ADMIN_TOKEN), (ADMIN_TOKEN, ACTING_TOKEN), (WRONG, ADMIN_TOKEN)):
                result = await invoke(channel, CALL_SHAPES[1], [a for t in tokens for a in bearer(t)])
                assert result == (DENIED, "DUPLICATE_IDENTITY_HEADER"), tokens
        async with client(app, CONNECTOR_TOKEN) as plain:
            # A token without act_as is always its own user, even for the user it would name.
            await expect(DENIED, "ACT_AS_NOT_ALLOWED", plain.mcs.AddEntity(
                mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-coho-user-id", "files-bot")]))
        entry = await change_entry(app, added.header.sequence)
        assert entry.user_id == "files-bot"


async def test_a_python_connector_cannot_set_identity_headers_through_its_stub(tmp_path: Path) -> None:
    identity = ConnectorIdentity(connector_id="d.files", connector_name="files", daemon_name="d",
                                 user_id="conn", user_overridden=False, metadata_source="fs:host",
                                 permitted_synchronization=PermittedSynchronization.BOTH_DIRECTIONS)
    async with running(tmp_path) as app, connect(app.address, CONNECTOR_TOKEN) as channel:
        stub = TaggedStub(mcs_grpc.MetadataCollectionServiceStub(channel), MCS, identity, RefreshTracker())
        for header in (*TAG_KEYS, "authorization", "X-Coho-Connector-Id"):
            with pytest.raises(PermissionDenied) as refused:
                await stub.AddEntity(mcs.AddEntityRequest(entity=new_entity()), metadata=[(header, "victim")])
            assert refused.value.reason == "CONNECTOR_TAGS_NOT_ALLOWED"
        added = await stub.AddEntity(mcs.AddEntityRequest(entity=new_entity()), metadata=[("x-trace", "t-1")])
        entry = await change_entry(app, added.header.sequence)
        assert (entry.user_id, entry.connector_id, entry.metadata_source) == ("conn", "d.files", "fs:host")
        assert entry.refresh_id.startswith("events-")


NODE_TOKEN = "remote-node-token-1"
DAEMON_TOKENS = {DAEMON_ADMIN: {"user": "ops", "roles": ["admin"]},
                 NODE_TOKEN: {"user": "node", "roles": ["connector"], "connector": "node-sync"}}


async def test_a_remote_connector_cannot_spoof_identity_through_the_daemon_proxy(tmp_path: Path) -> None:
    remote = {"name": "node-sync", "entry_point": "remote", "refresh_interval_seconds": 3600,
              "metadata_source": "src:node", "permitted_synchronization": "TO_THIRD_PARTY"}
    async with daemon_with_server(tmp_path, [remote], auth={"tokens": DAEMON_TOKENS}) as daemon, \
            connect(daemon.address, NODE_TOKEN) as channel:
        data = dm_grpc.DataManagerServiceStub(channel)
        upsert = dm.UpsertElementsRequest(elements=[dm.DataElement(qualified_name="row:spoof",
                                                                   file=dm.FileElement(path_name="/spoof"))])
        for metadata, reason in (([("x-coho-connector-id", "other-sync")], "CONNECTOR_ID_MISMATCH"),
                                 ([("x-coho-user-id", "ops")], "ACT_AS_NOT_ALLOWED"),
                                 ([("x-coho-refresh-id", "r-1"), ("x-coho-refresh-id", "r-2")],
                                  "DUPLICATE_IDENTITY_HEADER")):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await data.FindElements(dm.FindElementsRequest(), metadata=metadata, timeout=10)
            assert refused.value.code() == DENIED and reason in repr(refused.value.trailing_metadata()), reason
        # Claiming BOTH_DIRECTIONS does not lift the configured TO_THIRD_PARTY: the proxy sends the daemon's
        # own tags, never the connector's.
        with pytest.raises(grpc.aio.AioRpcError) as forbidden:
            await data.UpsertElements(upsert, timeout=10, metadata=[
                ("x-coho-permitted-synchronization", "BOTH_DIRECTIONS"), ("x-coho-metadata-source", "spoofed")])
        assert forbidden.value.code() == DENIED and "TO_THIRD_PARTY" in (forbidden.value.details() or "")
