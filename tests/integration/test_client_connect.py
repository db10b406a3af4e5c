"""coho.client.connect sends the bearer token on every kind of call, streaming ones included."""

from __future__ import annotations

from pathlib import Path

import grpc
import grpc.aio
import pytest
from servertest import ADMIN_TOKEN, running

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.client import connect

pytestmark = pytest.mark.timeout(30)


async def _first_subscribe_outcome(address: str, token: str | None) -> grpc.StatusCode | None:
    """The status a unary-stream call ends with after its first message, or None if a message arrived."""
    async with connect(address, token) as channel:
        call = ot_grpc.OutTopicServiceStub(channel).Subscribe(
            ot.SubscribeRequest(from_head=True, heartbeat_interval_seconds=1), timeout=5
        )
        try:
            async for _ in call:
                return None
        except grpc.aio.AioRpcError as err:
            return err.code()
    return grpc.StatusCode.OK


async def test_token_reaches_server_streaming_calls(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        without = await _first_subscribe_outcome(app.address, None)
        with_token = await _first_subscribe_outcome(app.address, ADMIN_TOKEN)
    assert without == grpc.StatusCode.UNAUTHENTICATED
    # Authenticated: either the Out Topic answers (a heartbeat) or, where it is not wired, UNIMPLEMENTED;
    # never UNAUTHENTICATED.
    assert with_token in (None, grpc.StatusCode.UNIMPLEMENTED)
