"""Prometheus metrics for the access server (DESIGN §8): RPCs, the Out Topic, the writer and retention.

- :class:`RpcMetrics` is a ``grpc.aio`` server interceptor. Like :mod:`.rpc.auth` it wraps the method handler
  (unary and streaming alike), so it measures the handler itself and reads the final status from the
  context. The metric names and labels follow go-grpc-prometheus (``grpc_server_handled_total`` with
  ``grpc_service``, ``grpc_method``, ``grpc_type``, ``grpc_code``) so existing dashboards work unchanged.
- :class:`RuntimeCollector` reads gauges at scrape time from the live :class:`~coho.server.runtime.Runtime`
  (Out Topic subscribers and lag, writer queue depth and commits, head sequence, the retention floors, audit
  records kept, expired deleted instances purged), so nothing has to push updates.
- :class:`ServerMetrics` owns one :class:`CollectorRegistry` per server (never the process-global one, so
  several servers in one process each report their own figures) and the ``/metrics`` HTTP endpoint.

Scrapes run on prometheus_client's HTTP thread: the collector only reads plain attributes and never
touches the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIServer

import grpc
import grpc.aio
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from coho.server.runtime import Runtime

log = logging.getLogger("coho.metrics")

# Unary calls take well under a millisecond to a few seconds; streams live far longer, and their duration
# lands in the top buckets (they are still counted by code, which is what alerts use).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                   30.0, 60.0, 300.0)

_KINDS = {"unary_unary": "unary", "unary_stream": "server_stream", "stream_unary": "client_stream",
          "stream_stream": "bidi_stream"}

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]


def split_method(method: str) -> tuple[str, str]:
    """``/pkg.Service/Method`` -> (``pkg.Service``, ``Method``)."""
    service, _, name = method.lstrip("/").partition("/")
    return service, name


def final_code(context: grpc.aio.ServicerContext, error: BaseException | None) -> str:
    """The status name the client sees: what the handler (or an abort) set, else OK / CANCELLED / UNKNOWN."""
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    if isinstance(code, int):
        # The aio context may report the raw integer of the status code.
        return next((c.name for c in grpc.StatusCode if c.value[0] == code), "UNKNOWN")
    if error is None:
        return "OK"
    if isinstance(error, asyncio.CancelledError):
        return "CANCELLED"
    return "UNKNOWN"


class _Call:
    """One call's measurement: started now, finished (once) with the context's final status."""

    __slots__ = ("kind", "method", "metrics", "service", "started")

    def __init__(self, metrics: RpcMetrics, service: str, method: str, kind: str) -> None:
        self.metrics, self.service, self.method, self.kind = metrics, service, method, kind
        self.started = time.perf_counter()
        metrics.started.labels(service, method, kind).inc()

    def finish(self, context: grpc.aio.ServicerContext, error: BaseException | None) -> None:
        elapsed = time.perf_counter() - self.started
        code = final_code(context, error)
        self.metrics.handled.labels(self.service, self.method, self.kind, code).inc()
        self.metrics.latency.labels(self.service, self.method, self.kind).observe(elapsed)


class RpcMetrics(grpc.aio.ServerInterceptor):
    """Counts every call by method and status code and times it. Put it first so it sees auth refusals."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ["grpc_service", "grpc_method", "grpc_type"]
        self.started = Counter("grpc_server_started", "RPCs started on the server.", labels, registry=registry)
        self.handled = Counter("grpc_server_handled", "RPCs completed on the server, by status code.",
                               [*labels, "grpc_code"], registry=registry)
        self.latency = Histogram("grpc_server_handling_seconds",
                                 "Time from the handler's start to its end (streams: the whole stream).",
                                 labels, registry=registry, buckets=LATENCY_BUCKETS)
        self.messages_sent = Counter("grpc_server_msg_sent", "Messages sent on server streams.", labels,
                                     registry=registry)

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        service, method = split_method(str(handler_call_details.method))
        return self._wrap(handler, service, method)

    def _wrap(self, handler: grpc.RpcMethodHandler, service: str, method: str) -> grpc.RpcMethodHandler:
        for kind, factory in _FACTORIES.items():
            behavior = getattr(handler, kind)
            if behavior is not None:
                wrapped = (self._unary(behavior, service, method, _KINDS[kind])
                           if kind in ("unary_unary", "stream_unary")
                           else self._streaming(behavior, service, method, _KINDS[kind]))
                return factory(wrapped, request_deserializer=handler.request_deserializer,
                               response_serializer=handler.response_serializer)
        return handler

    def _unary(self, behavior: Callable[..., Any], service: str, method: str, kind: str) -> Callable[..., Any]:
        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call = _Call(self, service, method, kind)
            try:
                result = await behavior(request, context)
            except BaseException as exc:
                call.finish(context, exc)
                raise
            call.finish(context, None)
            return result

        return unary

    def _streaming(self, behavior: Callable[..., Any], service: str, method: str,
                   kind: str) -> Callable[..., Any]:
        sent = self.messages_sent.labels(service, method, kind)

        async def streaming(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            call = _Call(self, service, method, kind)
            try:
                result = behavior(request, context)
                if inspect.isasyncgen(result):
                    async for item in result:
                        sent.inc()
                        yield item
                elif inspect.isawaitable(result):
                    await result  # a handler that writes with context.write()
            except BaseException as exc:
                # GeneratorExit lands here when the client goes away mid-stream: a cancellation.
                call.finish(context, asyncio.CancelledError() if isinstance(exc, GeneratorExit) else exc)
                raise
            call.finish(context, None)

        return streaming


_FACTORIES: dict[str, Callable[..., grpc.RpcMethodHandler]] = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


class RuntimeCollector(Collector):
    """Gauges read from the runtime at scrape time; absent while the server is not running."""

    def __init__(self, runtime: Callable[[], Runtime | None]) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        runtime = self._runtime()
        if runtime is None:
            return
        head = _head_sequence(runtime)
        yield GaugeMetricFamily("coho_head_sequence", "Newest change-log sequence of the home repository.",
                                value=head)
        yield GaugeMetricFamily("coho_store_writer_queue_depth", "Write operations waiting for the writer.",
                                value=runtime.writer_queue_depth())
        yield GaugeMetricFamily("coho_out_topic_subscribers", "Live Out Topic subscribers.",
                                value=runtime.out_topic_subscribers())
        lags = _feed_lags(runtime, head)
        yield GaugeMetricFamily("coho_out_topic_max_lag_events",
                                "Largest gap between the head and what a live subscriber was sent.",
                                value=max(lags, default=0))
        yield GaugeMetricFamily("coho_out_topic_total_lag_events",
                                "Sum over live subscribers of the head minus what each was sent.",
                                value=sum(lags))
        yield from _retention_metrics(runtime)


def _retention_metrics(runtime: Runtime) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    """What the bounds of a long-running server are doing; all read from memory (no SQLite on this thread)."""
    store = runtime.store
    try:
        change_floor, history_floor_ms = store.floor_sequence(), store.history_floor_ms()
    except Exception:  # the store closed under a late scrape
        return
    yield GaugeMetricFamily("coho_change_log_floor_sequence",
                            "Oldest change-log sequence retained (0: nothing compacted). Readers behind it get "
                            "OUT_OF_RANGE SEQUENCE_BELOW_FLOOR.", value=change_floor)
    yield GaugeMetricFamily("coho_history_floor_timestamp_seconds",
                            "Versions superseded before this time were dropped by history retention (0: none). "
                            "as_of reads before it get OUT_OF_RANGE AS_OF_BELOW_HISTORY_FLOOR.",
                            value=history_floor_ms / 1000)
    commits = getattr(store, "commit_count", None)
    if isinstance(commits, int):
        yield CounterMetricFamily("coho_store_commits", "Transactions committed by the store's writer (each group "
                                  "commit counts once).", value=commits)
    records = GaugeMetricFamily("coho_audit_records", "Audit records kept, by severity (audit.max_records bounds "
                                "each).", labels=["severity"])
    for severity, count in sorted(runtime.audit.counts().items()):
        records.add_metric([severity], count)
    yield records
    sweeper = runtime.sweeper
    yield CounterMetricFamily("coho_deleted_instances_purged", "Soft-deleted home instances purged by "
                              "store.deleted_retention_days since start.", value=sweeper.purged if sweeper else 0)


def _head_sequence(runtime: Runtime) -> int:
    # The Out Topic hub keeps the head in memory; asking the store instead would open a SQLite reader on
    # the scrape thread.
    out_topic = runtime.out_topic
    hub_head = getattr(getattr(out_topic, "hub", None), "head", None)
    if isinstance(hub_head, int):
        return hub_head
    try:
        return runtime.store.head_sequence()
    except Exception:  # the store closed under a late scrape; report nothing rather than fail the scrape
        return 0


def _feed_lags(runtime: Runtime, head: int) -> list[int]:
    """head - delivered for each live feed; the hub's feed set is private, so read it defensively."""
    hub = getattr(runtime.out_topic, "hub", None)
    feeds = getattr(hub, "_feeds", None)
    if feeds is None:
        return []
    try:
        snapshot = list(feeds)  # the loop may add or drop a feed while this thread copies the set
    except RuntimeError:
        return []
    lags = []
    for feed in snapshot:
        delivered = getattr(feed, "delivered", None)
        if isinstance(delivered, int):
            lags.append(max(head - delivered, 0))
    return lags


class ServerMetrics:
    """One server's registry, RPC interceptor and ``/metrics`` endpoint."""

    def __init__(self, port: int, host: str, runtime: Callable[[], Runtime | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.interceptor = RpcMetrics(self.registry)
        self.registry.register(RuntimeCollector(runtime))
        self.requested_port = port
        self.host = host
        self._httpd: WSGIServer | None = None

    @property
    def port(self) -> int:
        """The bound port (the requested one, or the one picked for port 0)."""
        if self._httpd is None:
            raise RuntimeError("metrics endpoint is not started")
        return int(self._httpd.server_port)

    def start(self) -> None:
        try:
            httpd, _thread = start_http_server(self.requested_port, addr=self.host, registry=self.registry)
        except OSError as exc:
            raise OSError(f"cannot serve metrics on {self.host}:{self.requested_port}: {exc}") from exc
        self._httpd = httpd
        log.info("metrics listening", extra={"component": "metrics",
                                             "address": f"{self.host}:{self.port}", "path": "/metrics"})

    async def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            # shutdown() waits for serve_forever's poll loop (up to 0.5 s): keep that off the event loop.
            await asyncio.to_thread(httpd.shutdown)
            httpd.server_close()


def metrics_host(listen: str) -> str:
    """The host part of ``listen``: metrics bind where gRPC binds (IPv6 without brackets)."""
    return listen.rsplit(":", 1)[0].strip("[]")
