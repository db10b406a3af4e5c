"""Test helpers (importable from any test: pytest puts tests/ on sys.path).

Real coho processes on 127.0.0.1, followed through their JSON log lines.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_config(directory: Path, text: str, name: str = "config.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def free_port(count: int = 1) -> int:
    """A port P such that P..P+count-1 were free a moment ago (for fixed-port CLIs like `coho up`)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        if all(_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free port range found")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


TESTS = Path(__file__).resolve().parent
"""The tests/ directory."""


class CohoProcess:
    """A `coho ...` child process whose stderr log lines are collected in a thread."""

    def __init__(self, args: list[str], *, cwd: Path | None = None, with_tests_path: bool = False) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if with_tests_path:  # the process can import test connectors (``e2e.daemon_connectors:...``)
            env["PYTHONPATH"] = os.pathsep.join([str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])
        self.args = args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coho.server.cli", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env,
        )
        self.stderr_lines: list[str] = []
        self.stdout_lines: list[str] = []
        self._events: queue.Queue[tuple[str, str]] = queue.Queue()
        for name, stream, sink in (("stderr", self.proc.stderr, self.stderr_lines),
                                   ("stdout", self.proc.stdout, self.stdout_lines)):
            threading.Thread(target=self._pump, args=(name, stream, sink), daemon=True).start()

    def _pump(self, name: str, stream: Any, sink: list[str]) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))
            self._events.put((name, line))

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> str:
        """Return the first output line satisfying ``predicate(stream, line)``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                stream, line = self._events.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self._events.empty():
                    break
                continue
            if predicate(stream, line):
                return line
        raise AssertionError(f"coho {self.args} did not produce the expected line; exit={self.proc.poll()}\n"
                             + "\n".join(self.stderr_lines[-30:] + self.stdout_lines[-30:]))

    def wait_serving(self, timeout: float = 20.0) -> str:
        """Wait for the JSON 'serving' log line; return the bound address."""
        line = self.wait_for(lambda s, ln: s == "stderr" and _json_msg(ln) == "serving", timeout)
        return str(json.loads(line)["address"])

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _json_msg(line: str) -> str | None:
    try:
        return json.loads(line).get("msg")
    except (ValueError, AttributeError):
        return None


async def poll(check: Callable[[], Any], within: float = 20.0, what: str = "condition", every: float = 0.05) -> Any:
    """Await ``check()`` (sync or async) until it returns something truthy; return that."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(every)


def poll_sync(check: Callable[[], Any], within: float = 20.0, what: str = "condition", every: float = 0.1) -> Any:
    """:func:`poll` for code without an event loop (subprocess and grpcurl driven tests)."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(every)


def status_name(info: Any) -> str:
    """A ConnectorInfo's status without its enum prefix: "RUNNING", "FAILED", ..."""
    from coho.integration.v1 import connectors_pb2 as cpb

    return str(cpb.ConnectorStatus.Name(info.status).removeprefix("CONNECTOR_STATUS_"))


async def daemon_connector(address: str, token: str, name: str) -> Any:
    """One connector's ConnectorInfo from a daemon's admin service (a 10 s deadline: a hung daemon fails)."""
    from coho.client import connect
    from coho.integration.v1 import integration_daemon_service_pb2 as ids
    from coho.integration.v1 import integration_daemon_service_pb2_grpc as ids_grpc

    async with connect(address, token) as channel:
        response = await ids_grpc.IntegrationDaemonServiceStub(channel).GetConnector(
            ids.GetConnectorRequest(connector_name=name), timeout=10)
    return response.connector
