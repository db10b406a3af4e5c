"""The assembled access server: every service wired behind auth, writes flowing to the Out Topic."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from servertest import ADMIN_TOKEN, CONNECTOR_TOKEN, READER_TOKEN, rpc_error, running

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import elements_pb2
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.admin.v1 import server_admin_service_pb2 as sa
from coho.admin.v1 import server_admin_service_pb2_grpc as sa_grpc
from coho.client import connect

pytestmark = pytest.mark.timeout(60)


def _file(name: str) -> dm.DataElement:
    return dm.DataElement(
        qualified_name=f"file:///landing/{name}",
        display_name=name,
        file=dm.FileElement(path_name=f"/landing/{name}", file_name=name, file_extension="csv", size_bytes=10),
    )


async def test_data_manager_write_reaches_out_topic_subscriber(tmp_path: Path) -> None:
    async with (
        running(tmp_path) as app,
        connect(app.address, ADMIN_TOKEN) as admin_channel,
        connect(app.address, CONNECTOR_TOKEN) as connector_channel,
    ):
        topic = ot_grpc.OutTopicServiceStub(admin_channel)
        stream = topic.Subscribe(ot.SubscribeRequest(from_head=True, heartbeat_interval_seconds=1))
        first = await asyncio.wait_for(stream.read(), 5)  # a heartbeat: the subscription is live
        assert not first.events

        manager = dm_grpc.DataManagerServiceStub(connector_channel)
        reply = await manager.UpsertElements(
            dm.UpsertElementsRequest(elements=[_file("a.csv")]),
            metadata=[("x-coho-connector-id", "files-1"), ("x-coho-refresh-id", "r-1")],
        )
        assert [r.outcome for r in reply.results] == [elements_pb2.UPSERT_OUTCOME_CREATED]

        events: list[ot.OutTopicEvent] = []
        while not events:
            message = await asyncio.wait_for(stream.read(), 5)
            events.extend(message.events)
        stream.cancel()
        created = events[0]
        assert created.event_type == ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED
        assert created.element_header.guid == reply.results[0].guid
        assert (created.user_id, created.connector_id, created.refresh_id) == ("conn", "files-1", "r-1")
        assert created.sequence <= reply.header.sequence

        status = await sa_grpc.ServerAdminServiceStub(admin_channel).GetServerStatus(sa.GetServerStatusRequest())
        assert status.head_sequence >= reply.header.sequence


async def test_reader_cannot_write_through_data_manager(tmp_path: Path) -> None:
    async with running(tmp_path) as app, connect(app.address, READER_TOKEN) as channel:
        err = await rpc_error(
            dm_grpc.DataManagerServiceStub(channel).UpsertElements(dm.UpsertElementsRequest(elements=[_file("b.csv")]))
        )
        assert err.code == grpc.StatusCode.PERMISSION_DENIED
