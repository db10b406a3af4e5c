"""``coho server`` and ``coho daemon``: run one process from a config file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from coho.server.commands import add_logging_options, logging_choice
from coho.server.logs import configure_logging


def register(subparsers: Any) -> None:
    server = subparsers.add_parser(
        "server",
        help="run a metadata access server",
        description="Run a metadata access server (repository, access services, cohort) until "
        "SIGTERM/SIGINT; then drain in-flight calls for shutdown_grace_seconds and exit 0.",
    )
    server.add_argument("--config", "-c", type=Path, required=True, metavar="FILE",
                        help="server configuration (YAML or JSON)")
    server.add_argument("--leave-cohort", action="append", default=[], metavar="NAME",
                        help="leave this cohort for good once serving: peers are sent UN_REGISTRATION_EVENT "
                             "and keep our metadata as deregistered copies (repeatable)")
    add_logging_options(server)
    server.set_defaults(func=run_server)

    daemon = subparsers.add_parser(
        "daemon",
        help="run an integration daemon",
        description="Run an integration daemon hosting integration connectors until SIGTERM/SIGINT.",
    )
    daemon.add_argument("--config", "-c", type=Path, required=True, metavar="FILE",
                        help="daemon configuration (YAML or JSON)")
    add_logging_options(daemon)
    daemon.set_defaults(func=run_daemon)


def run_server(args: argparse.Namespace) -> int:
    from coho.server.app import serve
    from coho.server.config import load_server_config

    config = load_server_config(args.config)
    level, as_json = logging_choice(args, config)
    configure_logging(level, json=as_json)
    asyncio.run(serve(config, leave_cohorts=getattr(args, "leave_cohort", [])))
    return 0


def run_daemon(args: argparse.Namespace) -> int:
    from coho.daemon.app import serve
    from coho.daemon.config import load_daemon_config

    config = load_daemon_config(args.config)
    level, as_json = logging_choice(args, config)
    configure_logging(level, json=as_json)
    asyncio.run(serve(config))
    return 0
