"""``coho status``: is a coho server or daemon up, and which services does it serve?"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from coho.client import ClientTls, connect

DEFAULT_ADDRESS = "127.0.0.1:50051"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="check health and list the services of a running server or daemon",
        description="Check grpc.health.v1 for the whole process and each service, and list the "
        "services via reflection. Exit 0 when SERVING, 1 otherwise.",
    )
    parser.add_argument("--address", default=os.environ.get("COHO_ADDRESS", DEFAULT_ADDRESS),
                        help=f"host:port (default $COHO_ADDRESS or {DEFAULT_ADDRESS})")
    parser.add_argument("--token", default=os.environ.get("COHO_TOKEN"),
                        help="bearer token (default $COHO_TOKEN)")
    parser.add_argument("--ca-cert", type=Path, help="PEM CA bundle: connect with TLS")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per call (default 5)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    tls = ClientTls(ca_cert=args.ca_cert) if args.ca_cert else None
    try:
        lines, serving = asyncio.run(_status(args.address, args.token, tls, args.timeout))
    except grpc.aio.AioRpcError as err:
        print(f"coho: cannot get status of {args.address}: {err.code().name}: {err.details()}",
              file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0 if serving else 1


async def _status(address: str, token: str | None, tls: ClientTls | None,
                  call_timeout: float) -> tuple[list[str], bool]:
    async with connect(address, token=token, tls=tls) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        overall = await _check(health, "", call_timeout)
        services = await list_services(channel, call_timeout)
        lines = [f"address: {address}", f"status: {overall}", "services:"]
        width = max((len(s) for s in services), default=0)
        for service in services:
            state = await _check(health, service, call_timeout) if service.startswith("coho.") else "-"
            lines.append(f"  {service.ljust(width)}  {state}")
    return lines, overall == "SERVING"


async def _check(stub: health_pb2_grpc.HealthStub, service: str, call_timeout: float) -> str:
    try:
        response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=call_timeout)
    except grpc.aio.AioRpcError as err:
        if err.code() == grpc.StatusCode.NOT_FOUND:
            return "UNKNOWN"
        raise
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


async def list_services(channel: grpc.aio.Channel, call_timeout: float) -> list[str]:
    """Service names from server reflection (v1alpha, as grpcurl uses)."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names: list[str] = []
    async for response in stub.ServerReflectionInfo(iter([request]), timeout=call_timeout):
        names.extend(s.name for s in response.list_services_response.service)
    return sorted(names)
