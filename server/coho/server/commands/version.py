"""``coho version``: the installed coho and gRPC/protobuf runtime versions."""

from __future__ import annotations

import argparse
from importlib import metadata
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "version", help="print version information",
        description="Print the coho version and the grpcio / protobuf runtime versions.",
    )
    parser.set_defaults(func=run)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def run(args: argparse.Namespace) -> int:
    print(f"coho {package_version('coho')}")
    for dependency in ("grpcio", "protobuf", "grpcio-tools"):
        print(f"  {dependency} {package_version(dependency)}")
    return 0
