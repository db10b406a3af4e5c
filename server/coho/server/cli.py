"""The ``coho`` command line: dispatches to one small module per subcommand.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a ``(args) -> exit code`` function. Adding a subcommand is a
new module plus one line here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from coho.server.config import ConfigError

COMMAND_MODULES = (
    "coho.server.commands.serve",
    "coho.server.commands.up",
    "coho.server.commands.status",
    "coho.server.commands.version",
    "coho.server.commands.archive",
)

EXIT_CONFIG_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coho",
        description="coho: open metadata integration platform on gRPC "
        "(metadata access servers in a cohort, integration daemons, connectors).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for path, problem in exc.issues:
            print(f"coho: config error: {exc.file}: {path}: {problem}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except OSError as exc:
        print(f"coho: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
