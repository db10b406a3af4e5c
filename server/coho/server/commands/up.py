"""``coho up``: the embedded default platform (one access server + one daemon) in one process.

The demo directory keeps its token and data across runs; the two config files are
rewritten from the flags each time so ``--port`` always takes effect (run
``coho server --config`` for a hand-edited configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

import yaml

from coho.server.commands import add_logging_options

DEFAULT_DIR = Path("coho-demo")
DEFAULT_PORT = 50051


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "up",
        help="start the embedded default platform (server + daemon) for a demo",
        description="Write default server and daemon configs into DIR (with an admin token in "
        "DIR/token), then run an access server on 127.0.0.1:PORT and an integration daemon on "
        "PORT+1 until Ctrl-C.",
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, metavar="DIR",
                        help=f"demo directory for configs, token and data (default ./{DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"server port; the daemon uses PORT+1 (default {DEFAULT_PORT})")
    add_logging_options(parser)
    parser.set_defaults(func=run)


def ensure_token(directory: Path) -> str:
    """Reuse DIR/token so clients keep working across restarts; create it (0600) otherwise."""
    path = directory / "token"
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def write_configs(directory: Path, port: int, token: str) -> tuple[Path, Path]:
    """Write DIR/server.yaml and DIR/daemon.yaml; relative paths resolve against DIR."""
    principal = {"user": "admin", "roles": ["admin", "connector", "reader"]}
    server = {
        "server_name": "coho-demo-server",
        "organization": "coho demo",
        "listen": f"127.0.0.1:{port}",
        "data_dir": "data",
        "auth": {"tokens": {token: principal}},
        "logging": {"format": "text"},
    }
    daemon = {
        "daemon_name": "coho-demo-daemon",
        "user": "coho-demo-daemon",
        "listen": f"127.0.0.1:{port + 1}",
        "server": {"address": f"127.0.0.1:{port}", "token": token},
        "auth": {"tokens": {token: principal}},
        "integration_services": [],
        "logging": {"format": "text"},
    }
    server_path, daemon_path = directory / "server.yaml", directory / "daemon.yaml"
    for path, data in ((server_path, server), (daemon_path, daemon)):
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)  # both files contain the token
    return server_path, daemon_path


def banner(server_address: str, daemon_address: str, token: str, directory: Path) -> str:
    auth = f"-H 'authorization: Bearer {token}'"
    return "\n".join([
        f"coho is up: server {server_address}, daemon {daemon_address} (Ctrl-C stops both)",
        f"  token: {token}   (also in {directory / 'token'})",
        "  try:",
        f"    grpcurl -plaintext {server_address} list",
        f"    grpcurl -plaintext {server_address} describe coho.admin.v1.ServerAdminService",
        f"    grpcurl -plaintext -d '{{}}' {server_address} grpc.health.v1.Health/Check",
        f"    grpcurl -plaintext {auth} -d '{{}}' {server_address} "
        "coho.admin.v1.ServerAdminService/GetServerStatus",
        f"    grpcurl -plaintext {daemon_address} list",
        f"    coho status --address {server_address} --token {token}",
        "",
    ])


def run(args: argparse.Namespace) -> int:
    from coho.daemon.app import DaemonApp
    from coho.daemon.config import load_daemon_config
    from coho.server.app import ServerApp
    from coho.server.config import load_server_config
    from coho.server.logs import configure_logging
    from coho.server.rpc.hosting import run_until_signal

    if not 0 < args.port < 65535:
        raise SystemExit("coho: error: --port must be in 1..65534 (the daemon uses PORT+1)")
    directory: Path = args.dir
    directory.mkdir(parents=True, exist_ok=True)
    token = ensure_token(directory)
    server_path, daemon_path = write_configs(directory, args.port, token)
    # Round-trip through the loaders: the files on disk are exactly what runs.
    server_config = load_server_config(server_path)
    daemon_config = load_daemon_config(daemon_path)
    configure_logging(args.log_level or "INFO", json=args.log_format == "json")
    server, daemon = ServerApp(server_config), DaemonApp(daemon_config)

    def ready() -> None:
        print(banner(server.address, daemon.address, token, directory), flush=True)

    asyncio.run(run_until_signal([server, daemon], on_ready=ready))
    return 0
