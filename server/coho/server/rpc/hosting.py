"""Generic gRPC hosting shared by the access server and the integration daemon.

- Discovers the generated services of some proto packages and registers each one,
  with the generated base servicer (every RPC answers UNIMPLEMENTED) unless a real
  servicer for that service name is supplied.
- Serves grpc.health.v1 (NOT_SERVING while starting and draining) and server
  reflection listing every registered service, so grpcurl works out of the box.
- Stops gracefully: health flips to NOT_SERVING first so load balancers and clients
  stop sending, then in-flight calls get ``shutdown_grace_seconds`` to finish.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import grpc
import grpc.aio
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from coho.server.config import TlsConfig
from coho.server.rpc.errors import DecodeErrorGuard

log = logging.getLogger("coho.hosting")

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@dataclass(frozen=True)
class ServiceSpec:
    """One generated gRPC service: its descriptor, base servicer and registration function."""

    full_name: str
    descriptor: ServiceDescriptor
    servicer_class: type
    add_to_server: Callable[[Any, Any], None]


def discover_services(packages: Iterable[str]) -> list[ServiceSpec]:
    """Every service defined in the ``*_pb2_grpc`` modules of ``packages``, sorted by name.

    A package that does not exist (no stubs generated for it yet) is skipped with a
    warning rather than failing, so a process can start while protos are being added.
    """
    specs: dict[str, ServiceSpec] = {}
    for package_name in packages:
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError:
            log.warning("no generated stubs for package", extra={"package": package_name})
            continue
        module_names = {m.name for m in pkgutil.iter_modules(package.__path__)}
        for module_name in sorted(n for n in module_names if n.endswith("_pb2_grpc")):
            for spec in _services_in(package_name, module_name):
                specs[spec.full_name] = spec
    return [specs[name] for name in sorted(specs)]


def _services_in(package_name: str, grpc_module_name: str) -> list[ServiceSpec]:
    grpc_module = importlib.import_module(f"{package_name}.{grpc_module_name}")
    pb2_module = importlib.import_module(f"{package_name}.{grpc_module_name.removesuffix('_grpc')}")
    specs = []
    for service in pb2_module.DESCRIPTOR.services_by_name.values():
        specs.append(
            ServiceSpec(
                full_name=service.full_name,
                descriptor=service,
                servicer_class=getattr(grpc_module, f"{service.name}Servicer"),
                add_to_server=getattr(grpc_module, f"add_{service.name}Servicer_to_server"),
            )
        )
    return specs


def server_options(max_message_bytes: int) -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        # Without this, grpc lets a second server bind the same port (SO_REUSEPORT) and
        # silently splits traffic; a port clash must fail loudly instead.
        ("grpc.so_reuseport", 0),
        # Keep long-lived streams (cohort Exchange, Out Topic Listen) alive through NATs
        # and detect dead peers; allow clients to ping as often as every 10 s.
        ("grpc.keepalive_time_ms", 60_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
    ]


def server_credentials(tls: TlsConfig) -> grpc.ServerCredentials:
    client_ca = Path(tls.client_ca).read_bytes() if tls.client_ca else None
    return grpc.ssl_server_credentials(
        [(Path(tls.key).read_bytes(), Path(tls.cert).read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


class GrpcHost:
    """One grpc.aio server with the discovered services, health and reflection."""

    def __init__(
        self,
        *,
        name: str,
        listen: str,
        packages: Sequence[str],
        servicers: Mapping[str, object] | None = None,
        tls: TlsConfig | None = None,
        max_message_bytes: int = 16 * 1024 * 1024,
        shutdown_grace_seconds: float = 5.0,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self.name = name
        self.listen = listen
        self.tls = tls
        self.max_message_bytes = max_message_bytes
        self.shutdown_grace_seconds = shutdown_grace_seconds
        # Last, so it wraps the handler itself: request bytes that do not decode are INVALID_ARGUMENT
        # (MALFORMED_REQUEST), not the UNKNOWN grpc.aio would answer before any handler runs.
        self.interceptors = [*interceptors, DecodeErrorGuard()]
        self.services = discover_services(packages)
        self.servicers = self._choose_servicers(servicers or {})
        self.health = health.aio.HealthServicer()
        self._server: grpc.aio.Server | None = None
        self._port: int | None = None
        self._stopping = False

    def _choose_servicers(self, overrides: Mapping[str, object]) -> dict[str, object]:
        known = {spec.full_name: spec for spec in self.services}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ValueError(f"servicers for unknown services {unknown}; known: {sorted(known)}")
        chosen: dict[str, object] = {}
        for full_name, spec in known.items():
            servicer = overrides.get(full_name)
            if servicer is None:
                servicer = spec.servicer_class()
            elif not isinstance(servicer, spec.servicer_class):
                # Subclassing the generated base is what makes RPCs a servicer does not
                # implement answer UNIMPLEMENTED instead of crashing the call.
                raise TypeError(f"servicer for {full_name} must subclass {spec.servicer_class.__name__}")
            chosen[full_name] = servicer
        return chosen

    @property
    def service_names(self) -> list[str]:
        """The application services (not health / reflection), sorted."""
        return [spec.full_name for spec in self.services]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._port

    @property
    def address(self) -> str:
        host = self.listen.rsplit(":", 1)[0]
        return f"{host}:{self.port}"

    async def start(self) -> int:
        """Bind and start serving with health NOT_SERVING; returns the bound port."""
        if self._server is not None:
            raise RuntimeError(f"{self.name} already started")
        server = grpc.aio.server(
            options=server_options(self.max_message_bytes), interceptors=self.interceptors
        )
        for spec in self.services:
            servicer = self.servicers[spec.full_name]
            # A servicer may register its own handlers (the Out Topic's streams send pre-serialized bytes).
            register = getattr(servicer, "register_with", None)
            if callable(register):
                register(server)
            else:
                spec.add_to_server(servicer, server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        for service in ["", *self.service_names]:
            await self.health.set(service, NOT_SERVING)
        reflection.enable_server_reflection(
            [*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
        )
        self._port = self._bind(server)
        self._server = server
        await server.start()
        log.info("listening", extra={"component": self.name, "address": self.address,
                                     "tls": self.tls is not None, "services": len(self.services)})
        return self._port

    def _bind(self, server: grpc.aio.Server) -> int:
        try:
            if self.tls is not None:
                port = server.add_secure_port(self.listen, server_credentials(self.tls))
            else:
                port = server.add_insecure_port(self.listen)
        except RuntimeError as exc:  # grpc raises RuntimeError("Failed to bind ...")
            raise OSError(f"{self.name}: cannot listen on {self.listen}: {exc}") from exc
        if port == 0:  # older grpc releases report a failed bind as port 0
            raise OSError(f"{self.name}: cannot listen on {self.listen}")
        return int(port)

    async def set_serving(self) -> None:
        for service in ["", *self.service_names]:
            await self.health.set(service, SERVING)
        log.info("serving", extra={"component": self.name, "address": self.address})

    async def stop(self, grace: float | None = None) -> None:
        """Drain: health NOT_SERVING, then give in-flight calls ``grace`` seconds."""
        if self._server is None:
            return
        grace = self.shutdown_grace_seconds if grace is None else grace
        if self._stopping:
            # A second stop (e.g. a second Ctrl-C) may only shorten the grace period:
            # grpc applies the most restrictive grace of all stop() calls.
            await self._server.stop(grace)
            return
        self._stopping = True
        log.info("draining", extra={"component": self.name, "grace_seconds": grace})
        await self.health.enter_graceful_shutdown()
        await self._server.stop(grace)
        log.info("stopped", extra={"component": self.name})

    async def wait(self) -> None:
        if self._server is None:
            raise RuntimeError(f"{self.name} is not started")
        await self._server.wait_for_termination()


class HostedApp:
    """Lifecycle shared by ServerApp and DaemonApp: start / wait / stop / ``async with``.

    Subclasses put their own work in :meth:`on_starting` (runs after the port is bound,
    while health still says NOT_SERVING) and :meth:`on_stopped` (after gRPC has drained).
    """

    host: GrpcHost

    async def on_starting(self) -> None:
        """Open stores, connect peers, ...; clients already see NOT_SERVING meanwhile."""

    async def on_stopped(self) -> None:
        """Release resources once no RPC is running any more."""

    @property
    def port(self) -> int:
        return self.host.port

    @property
    def address(self) -> str:
        return self.host.address

    async def start(self) -> None:
        await self.host.start()
        try:
            await self.on_starting()
        except BaseException:
            await self.host.stop(0)
            raise
        await self.host.set_serving()

    async def wait(self) -> None:
        await self.host.wait()

    async def stop(self, grace: float | None = None) -> None:
        await self.host.stop(grace)
        # stop() may run twice (a forced second stop); release resources only once.
        if not getattr(self, "_released", False):
            self._released = True
            await self.on_stopped()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class Lifecycle(Protocol):
    async def start(self) -> None: ...
    async def wait(self) -> None: ...
    async def stop(self, grace: float | None = None) -> None: ...


async def run_until_signal(
    apps: Sequence[Lifecycle], *, on_ready: Callable[[], None] | None = None
) -> None:
    """Start ``apps`` in order, call ``on_ready``, run until SIGTERM/SIGINT (or until one app
    terminates), then stop them all. A second signal while draining cuts the grace short.
    """
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    forced: list[asyncio.Task[None]] = []  # keep references so the tasks are not collected

    def on_signal(signum: signal.Signals) -> None:
        if stop_requested.is_set():
            log.warning("second signal: stopping without grace", extra={"signal": signum.name})
            forced.extend(loop.create_task(app.stop(0)) for app in apps)
            return
        log.info("signal received: shutting down", extra={"signal": signum.name})
        stop_requested.set()

    for sig in signals:
        loop.add_signal_handler(sig, on_signal, sig)
    started: list[Lifecycle] = []
    waiters: list[asyncio.Task[None]] = []
    try:
        for app in apps:
            await app.start()
            started.append(app)
        if on_ready is not None:
            on_ready()
        waiters = [asyncio.create_task(app.wait()) for app in apps]
        stopper = asyncio.create_task(stop_requested.wait())
        await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
    finally:
        # One at a time, dependents first (apps start in dependency order): under `coho up` the daemon closes
        # its connectors and writes their last integration report while its access server still serves.
        failures: list[BaseException] = []
        for app in reversed(started):
            try:
                await app.stop()
            except Exception as exc:  # the others must still stop; the first failure is raised below
                failures.append(exc)
        for task in waiters:
            task.cancel()
        for sig in signals:
            loop.remove_signal_handler(sig)
        if failures:
            raise failures[0]
