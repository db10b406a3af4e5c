"""The integration daemon process: hosting for the coho.integration.v1 services.

Connector supervision arrives with later work, in :meth:`DaemonApp.on_starting` /
:meth:`DaemonApp.on_stopped`; until then every RPC answers UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc.aio

from coho.daemon.config import DaemonConfig
from coho.server.rpc.hosting import GrpcHost, HostedApp, run_until_signal

DAEMON_PACKAGES = ("coho.integration.v1",)


class DaemonApp(HostedApp):
    """``async with DaemonApp(config) as app: ... app.port ...``"""

    def __init__(
        self,
        config: DaemonConfig,
        *,
        servicers: Mapping[str, object] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self.config = config
        self.host = GrpcHost(
            name=config.daemon_name,
            listen=config.listen,
            packages=DAEMON_PACKAGES,
            servicers=servicers,
            tls=config.tls,
            max_message_bytes=config.max_message_bytes,
            shutdown_grace_seconds=config.shutdown_grace_seconds,
            interceptors=interceptors,
        )


async def serve(config: DaemonConfig) -> None:
    """Run an integration daemon until SIGTERM / SIGINT."""
    await run_until_signal([DaemonApp(config)])
