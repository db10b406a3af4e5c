"""The integration daemon process: the connector host plus the coho.integration.v1 admin service.

Start: bind (health NOT_SERVING), start every connector's supervisor, then SERVING. Connectors do not need
the access server to be up: they sit in INITIALIZE_FAILED and recover by themselves. Stop: health
NOT_SERVING, drain admin calls, then disconnect every connector within a bounded time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc.aio

from coho.daemon.admin import SERVICE_NAME, IntegrationDaemonServicer
from coho.daemon.config import DaemonConfig
from coho.daemon.host import ConnectorHost
from coho.daemon.remote import SERVICE_NAME as REMOTE_SERVICE
from coho.daemon.remote import ConnectorHostServicer, DaemonAuthenticator
from coho.server.rpc.auth import AuthInterceptor
from coho.server.rpc.hosting import GrpcHost, HostedApp, run_until_signal

DAEMON_PACKAGES = ("coho.integration.v1",)


class DaemonApp(HostedApp):
    """``async with DaemonApp(config) as app: ... app.port ... app.connectors ...``"""

    def __init__(
        self,
        config: DaemonConfig,
        *,
        servicers: Mapping[str, object] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        channel: grpc.aio.Channel | None = None,
    ) -> None:
        self.config = config
        self._channel = channel
        self._connectors: ConnectorHost | None = None
        self.auth = AuthInterceptor(config.auth)
        # Attach and the access-service proxy need a connector token naming its connector.
        self.auth.authenticator = DaemonAuthenticator(config.auth)
        chosen: dict[str, object] = {SERVICE_NAME: _LateServicer(self),
                                     REMOTE_SERVICE: ConnectorHostServicer(lambda: self.connectors)}
        chosen.update(servicers or {})
        self.host = GrpcHost(
            name=config.daemon_name,
            listen=config.listen,
            packages=DAEMON_PACKAGES,
            servicers=chosen,
            tls=config.tls,
            max_message_bytes=config.max_message_bytes,
            shutdown_grace_seconds=config.shutdown_grace_seconds,
            interceptors=[self.auth, *interceptors],
        )

    @property
    def connectors(self) -> ConnectorHost:
        if self._connectors is None:
            raise RuntimeError("the daemon is not started")
        return self._connectors

    async def on_starting(self) -> None:
        # Built here, not in __init__, because the host's channel and semaphore belong to the running loop.
        self._connectors = ConnectorHost(self.config, channel=self._channel)
        await self._connectors.start()

    async def on_stopped(self) -> None:
        if self._connectors is not None:
            await self._connectors.stop()


class _LateServicer(IntegrationDaemonServicer):
    """The admin servicer, bound to the connector host once the app has started it."""

    def __init__(self, app: DaemonApp) -> None:
        self._app = app

    def _host(self) -> ConnectorHost:
        return self._app.connectors


async def serve(config: DaemonConfig) -> None:
    """Run an integration daemon until SIGTERM / SIGINT."""
    await run_until_signal([DaemonApp(config)])
