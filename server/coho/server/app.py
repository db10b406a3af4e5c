"""The metadata access server process: hosting for the omrs, access and admin services.

Today every RPC answers UNIMPLEMENTED; later work passes real servicers through
``servicers={full service name: servicer}`` and opens the store in :meth:`on_starting`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc.aio

from coho.server.config import ServerConfig
from coho.server.rpc.hosting import GrpcHost, HostedApp, run_until_signal

# Proto packages whose services the access server hosts (DESIGN §2, §3).
SERVER_PACKAGES = ("coho.omrs.v1", "coho.access.v1", "coho.admin.v1")


class ServerApp(HostedApp):
    """``async with ServerApp(config) as app: ... app.port ...``"""

    def __init__(
        self,
        config: ServerConfig,
        *,
        servicers: Mapping[str, object] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self.config = config
        self.host = GrpcHost(
            name=config.server_name,
            listen=config.listen,
            packages=SERVER_PACKAGES,
            servicers=servicers,
            tls=config.tls,
            max_message_bytes=config.max_message_bytes,
            shutdown_grace_seconds=config.shutdown_grace_seconds,
            interceptors=interceptors,
        )

    async def start(self) -> None:
        # Before binding: a server that cannot write its data directory must not
        # advertise itself, even as NOT_SERVING.
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        await super().start()


async def serve(config: ServerConfig) -> None:
    """Run an access server until SIGTERM / SIGINT."""
    await run_until_signal([ServerApp(config)])
