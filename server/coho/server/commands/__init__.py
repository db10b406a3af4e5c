"""Subcommands of the ``coho`` CLI, one module each (see :mod:`coho.server.cli`)."""

from __future__ import annotations

import argparse
from typing import Any


def add_logging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="override the config's logging.level")
    parser.add_argument("--log-format", choices=["json", "text"],
                        help="override the config's logging.format")


def logging_choice(args: argparse.Namespace, config: Any) -> tuple[str, bool]:
    """(level, json?) from command-line overrides, else the config's ``logging`` section."""
    level = args.log_level or config.logging.level
    fmt = args.log_format or config.logging.format
    return level, fmt == "json"
