"""The metadata access server process: hosting for the omrs, access and admin services.

:class:`ServerApp` opens the :class:`~coho.server.runtime.Runtime` (store, types, repository, audit log),
builds one servicer per :data:`ServiceFactory`, and serves them behind the auth interceptor. Services not
built by a factory answer UNIMPLEMENTED (to authenticated callers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import grpc.aio

from coho.server import audit
from coho.server.config import ServerConfig
from coho.server.errors import CohoError
from coho.server.metrics import ServerMetrics, metrics_host
from coho.server.rpc.auth import AuthFailure, AuthInterceptor
from coho.server.rpc.hosting import GrpcHost, HostedApp, run_until_signal
from coho.server.runtime import Runtime
from coho.server.services import admin, cohort, metadata_collection, type_service
from coho.server.services.asset_manager import asset_manager_servicer
from coho.server.services.data_manager import data_manager_servicer
from coho.server.services.governance import governance_servicer
from coho.server.services.stewardship import stewardship_servicer

log = logging.getLogger("coho.server")

# Proto packages whose services the access server hosts (DESIGN §2, §3).
SERVER_PACKAGES = ("coho.omrs.v1", "coho.access.v1", "coho.admin.v1")

ServiceFactory = Callable[[Runtime], tuple[str, object]]
"""Builds one servicer from the runtime: returns (full service name, servicer)."""

def _out_topic_servicer(runtime: Runtime) -> tuple[str, object]:
    if runtime.out_topic is None:
        raise RuntimeError("the Out Topic must be started before its servicer is built")
    return runtime.out_topic.servicer()


DEFAULT_SERVICE_FACTORIES: list[ServiceFactory] = [
    metadata_collection.factory,
    type_service.factory,
    admin.factory,
    data_manager_servicer,
    asset_manager_servicer,
    stewardship_servicer,
    governance_servicer,
    _out_topic_servicer,
    cohort.factory,
]


class _AuditInternalErrors(logging.Handler):
    """Copies "unexpected error in rpc handler" log records (answered as INTERNAL) into the audit log."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(level=logging.ERROR)
        self.runtime = runtime

    def emit(self, record: logging.LogRecord) -> None:
        self.runtime.audit.record(
            audit.EXCEPTION, "rpc", "INTERNAL_ERROR", record.getMessage(),
            details={"method": getattr(record, "method", ""), "error_id": getattr(record, "error_id", ""),
                     "error": repr(record.exc_info[1]) if record.exc_info else ""})


class ServerApp(HostedApp):
    """``async with ServerApp(config) as app: ... app.port ...``

    ``servicers`` override what the factories build for the same service (tests use it).
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        servicers: Mapping[str, object] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        service_factories: Sequence[ServiceFactory] | None = None,
        leave_cohorts: Sequence[str] = (),
    ) -> None:
        self.config = config
        self.leave_cohorts = list(leave_cohorts)
        """Cohorts to leave once serving (``coho server --leave-cohort``): peers hear UN_REGISTRATION_EVENT."""
        self.runtime: Runtime | None = None
        self._explicit = dict(servicers or {})
        self._factories = list(DEFAULT_SERVICE_FACTORIES if service_factories is None else service_factories)
        self.auth = AuthInterceptor(config.auth, on_failure=self._audit_auth_failure)
        self.metrics: ServerMetrics | None = None
        if config.metrics_port is not None:
            self.metrics = ServerMetrics(config.metrics_port, metrics_host(config.listen), lambda: self.runtime)
        # Metrics go first so refused calls (UNAUTHENTICATED, PERMISSION_DENIED) are counted too.
        metering = [self.metrics.interceptor] if self.metrics is not None else []
        self._interceptors = [*metering, self.auth, *interceptors]
        self._log_handler: logging.Handler | None = None
        # Built now so unknown or mistyped servicers fail at construction; rebuilt in start() with the
        # factories' servicers once the runtime they need is open.
        self.host = self._make_host(self._explicit)

    def _make_host(self, servicers: Mapping[str, object]) -> GrpcHost:
        config = self.config
        return GrpcHost(
            name=config.server_name, listen=config.listen, packages=SERVER_PACKAGES, servicers=servicers,
            tls=config.tls, max_message_bytes=config.max_message_bytes,
            shutdown_grace_seconds=config.shutdown_grace_seconds, interceptors=self._interceptors,
        )

    def _audit_auth_failure(self, failure: AuthFailure) -> None:
        if self.runtime is not None:
            self.runtime.audit.record(
                audit.SECURITY, "auth", failure.reason, failure.message, user_id=failure.user_id,
                details={"method": failure.method, "peer": failure.peer,
                         "token_fingerprint": failure.token_fingerprint})

    async def start(self) -> None:
        # The runtime opens before binding: a server that cannot open its repository must not advertise
        # itself, even as NOT_SERVING. Health turns SERVING only after everything below succeeded.
        runtime = Runtime.open(self.config)
        self.runtime = runtime
        try:
            await runtime.start_out_topic()
            runtime.start_housekeeping()
            built = dict(factory(runtime) for factory in self._factories)
            self.host = self._make_host({**built, **self._explicit})
            self._log_handler = _AuditInternalErrors(runtime)
            logging.getLogger("coho.rpc").addHandler(self._log_handler)
            if self.metrics is not None:
                self.metrics.start()
            await super().start()
            if runtime.cohort is not None:
                # After binding: peers we subscribe to call back at the address we advertise.
                await runtime.cohort.start(self.address)
                for name in self.leave_cohorts:
                    runtime.cohort.membership(name)  # an unknown name fails the start, not silently
                    runtime.cohort.leave_soon(name)
        except BaseException:
            await self._release()
            raise
        runtime.state = "serving"

    async def stop(self, grace: float | None = None) -> None:
        if self.runtime is not None:
            self.runtime.state = "draining"
            if self.runtime.cohort is not None:
                await self.runtime.cohort.stop()
            # Streaming subscribers would hold the grace period open to its end; end them first.
            await self.runtime.close_out_topic()
        await super().stop(grace)

    async def on_stopped(self) -> None:
        await self._release()

    @property
    def metrics_port(self) -> int | None:
        """The bound metrics port (config ``metrics_port``; 0 picks one), or None without metrics."""
        return self.metrics.port if self.metrics is not None else None

    async def _release(self) -> None:
        """Close the store only after gRPC stopped, so no handler runs against a closed store."""
        if self.metrics is not None:
            await self.metrics.stop()
        if self._log_handler is not None:
            logging.getLogger("coho.rpc").removeHandler(self._log_handler)
            self._log_handler = None
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            if runtime.cohort is not None and runtime.cohort.started:
                await runtime.cohort.stop()
            await runtime.close()


async def serve(config: ServerConfig, *, leave_cohorts: Sequence[str] = ()) -> None:
    """Run an access server until SIGTERM / SIGINT.

    A domain error out of the start (a read-only, locked or corrupt repository, a full disk, a collection id
    mismatch) ends the process with exit code 1 and one line naming the file and the problem: the operator
    has something to fix, and a traceback would only hide it.
    """
    try:
        await run_until_signal([ServerApp(config, leave_cohorts=leave_cohorts)])
    except CohoError as exc:
        log.error("cannot start the server", extra={"reason": exc.reason, "error": exc.message, **exc.metadata})
        raise SystemExit(f"coho: error: {exc.message} [{exc.reason}]") from None
