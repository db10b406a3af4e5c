"""Prometheus metrics over a real HTTP scrape of a ServerApp on 127.0.0.1 (metrics_port 0)."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import grpc
import pytest
from cohotest import poll
from prometheus_client.parser import text_string_to_metric_families
from servertest import READER_TOKEN, client, running

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.omrs.v1 import metadata_collection_service_pb2 as mcs
from coho.server.app import ServerApp

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
MCS = "coho.omrs.v1.MetadataCollectionService"


async def scrape(app: ServerApp) -> Samples:
    url = f"http://127.0.0.1:{app.metrics_port}/metrics"

    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as reply:
            assert reply.status == 200
            return str(reply.read().decode())

    text = await asyncio.to_thread(fetch)
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def handled(samples: Samples, method: str, code: str, service: str = MCS) -> float:
    return value(samples, "grpc_server_handled_total", grpc_service=service, grpc_method=method,
                 grpc_type="unary", grpc_code=code)


async def test_rpc_counts_latency_and_gauges(tmp_path: Path) -> None:
    async with running(tmp_path, metrics_port=0) as app:
        assert app.metrics_port and app.metrics_port > 0
        async with client(app) as s:
            for _ in range(3):
                await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
            with pytest.raises(grpc.aio.AioRpcError):
                await s.mcs.GetEntity(mcs.GetEntityRequest(guid="no-such-guid"))
        async with client(app, READER_TOKEN) as reader, client(app, token=None) as anonymous:
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await reader.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await anonymous.mcs.GetEntity(mcs.GetEntityRequest(guid="x"))
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

        # grpc.aio's abort() sends the status and then raises, so the refused call unwinds through the metrics
        # interceptor (which counts it) after the client already has its error: under load the scrape could
        # come first (it failed so once in a fresh-clone CI run). Wait for the count instead of racing it.
        async def counted() -> Samples | None:
            samples = await scrape(app)
            return samples if handled(samples, "GetEntity", "UNAUTHENTICATED") == 1 else None

        samples = await poll(counted, within=10, what="the refused call to be counted")
        assert handled(samples, "AddEntity", "OK") == 3
        assert handled(samples, "AddEntity", "PERMISSION_DENIED") == 1
        assert handled(samples, "GetEntity", "NOT_FOUND") == 1
        assert handled(samples, "GetEntity", "UNAUTHENTICATED") == 1
        started = value(samples, "grpc_server_started_total", grpc_service=MCS, grpc_method="AddEntity",
                        grpc_type="unary")
        assert started == 4
        count = value(samples, "grpc_server_handling_seconds_count", grpc_service=MCS, grpc_method="AddEntity",
                      grpc_type="unary")
        assert count == 4
        assert value(samples, "grpc_server_handling_seconds_sum", grpc_service=MCS, grpc_method="AddEntity",
                     grpc_type="unary") > 0
        assert value(samples, "coho_head_sequence") == 3
        assert ("coho_store_writer_queue_depth", frozenset()) in samples
        assert value(samples, "coho_out_topic_subscribers") == 0


async def test_retention_and_audit_gauges(tmp_path: Path) -> None:
    """The bounds of a long-running server show on the scrape: the change-log floor moving under
    store.change_log_retention, the history floor, commits, audit records kept per severity."""
    async with running(tmp_path, metrics_port=0, store={"change_log_retention": 2}) as app:
        async with client(app) as s:
            for _ in range(5):  # 5 commits: entries 1-3 go, the floor is the oldest kept
                await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
        async with client(app, token="no-such-token-123") as stranger:
            with pytest.raises(grpc.aio.AioRpcError):
                await stranger.mcs.GetEntity(mcs.GetEntityRequest(guid="x"))
        samples = await scrape(app)
        assert value(samples, "coho_change_log_floor_sequence") == 4
        assert value(samples, "coho_history_floor_timestamp_seconds") == 0  # no history retention: none dropped
        assert value(samples, "coho_store_commits_total") >= 5
        assert value(samples, "coho_audit_records", severity="startup") == 1
        assert value(samples, "coho_audit_records", severity="security") == 1  # the refused call
        assert ("coho_deleted_instances_purged_total", frozenset()) in samples  # 0: no deleted retention set


async def test_out_topic_stream_metrics(tmp_path: Path) -> None:
    async with running(tmp_path, metrics_port=0) as app, client(app) as s:
        await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
        stream = ot_grpc.OutTopicServiceStub(s.channel).Subscribe(ot.SubscribeRequest(after_sequence=0))
        first = await asyncio.wait_for(stream.read(), timeout=10)
        assert [e.sequence for e in first.events] == [1]
        # The subscriber turns live once caught up; wait for the gauge rather than for an internal event.
        for _ in range(100):
            samples = await scrape(app)
            if value(samples, "coho_out_topic_subscribers") == 1:
                break
            await asyncio.sleep(0.05)
        assert value(samples, "coho_out_topic_subscribers") == 1
        assert value(samples, "coho_out_topic_max_lag_events") == 0
        stream.cancel()
        for _ in range(100):
            samples = await scrape(app)
            if value(samples, "coho_out_topic_subscribers") == 0:
                break
            await asyncio.sleep(0.05)
        labels = {"grpc_service": "coho.access.v1.OutTopicService", "grpc_method": "Subscribe",
                  "grpc_type": "server_stream"}
        assert value(samples, "coho_out_topic_subscribers") == 0
        assert value(samples, "grpc_server_msg_sent_total", **labels) >= 1
        assert value(samples, "grpc_server_handled_total", grpc_code="CANCELLED", **labels) == 1


async def test_two_servers_in_one_process_keep_their_own_figures(tmp_path: Path) -> None:
    async with running(tmp_path / "a", metrics_port=0) as one, running(tmp_path / "b", metrics_port=0) as two:
        assert one.metrics_port != two.metrics_port
        async with client(one) as s:
            await s.mcs.AddEntity(mcs.AddEntityRequest(entity=mcs.NewEntity(type_name="DataFile")))
        assert handled(await scrape(one), "AddEntity", "OK") == 1
        assert handled(await scrape(two), "AddEntity", "OK") == 0


async def test_no_metrics_port_means_no_endpoint(tmp_path: Path) -> None:
    async with running(tmp_path) as app:
        assert app.metrics_port is None
        assert app.metrics is None
