"""Integration daemon scheduling benchmark, with a same-run raw asyncio baseline.

    python bench/bench_daemon.py             # 1,000 connectors, 5 s interval, 30 s measured
    python bench/bench_daemon.py --quick     # 1,000 connectors, 5 s interval, 12 s measured

One process: an in-process access server (real SQLite, gRPC on 127.0.0.1) and a ConnectorHost with N no-op
connectors (``refresh()`` returns at once) refreshing every INTERVAL seconds. After one warm-up cycle (all
connectors start together, the worst case for the shared refresh limit), it measures for the given time:

- CPU share: process CPU time / wall time over the window (server + daemon; the server is idle because
  no-op refreshes write nothing, so reports cost no RPC);
- lateness: refresh start (after taking a refresh slot) - its scheduled time, p50 / p99 / max.

Baseline: N bare asyncio tasks on the same fixed-rate schedule doing nothing (the floor for "a timer per
connector" in this interpreter). Results are appended to bench/RESULTS.md under "Daemon".
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from coho.daemon import IntegrationConnector
from coho.daemon.config import DaemonConfig
from coho.daemon.host import ConnectorHost
from coho.server.app import ServerApp
from coho.server.config import ServerConfig

TOKEN = "bench-connector-token"
RESULTS = Path(__file__).with_name("RESULTS.md")


class NoOp(IntegrationConnector[Any]):
    async def refresh(self) -> None:
        return None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_daemon(count: int, interval: float, measure: float, spread: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data:
        server_config = ServerConfig.model_validate({
            "listen": "127.0.0.1:0", "data_dir": data, "shutdown_grace_seconds": 0.2,
            "auth": {"tokens": {TOKEN: {"user": "bench", "roles": ["connector"]}}}})
        async with ServerApp(server_config) as server:
            connectors = [{"name": f"c{i}", "entry_point": "bench_daemon:NoOp",
                           "refresh_interval_seconds": interval} for i in range(count)]
            config = DaemonConfig.model_validate({
                "daemon_name": "bench", "user": "bench", "server": {"address": server.address, "token": TOKEN},
                "integration_services": [{"name": "files", "kind": "files", "connectors": connectors}],
                "scheduler": {"phase_spread_seconds": spread}})
            async with ConnectorHost(config) as host:
                await asyncio.sleep(interval + 1)  # warm-up: every connector started and refreshed once
                first_cycle = list(host.lateness)
                host.lateness.clear()
                cpu0, wall0 = time.process_time(), time.monotonic()
                await asyncio.sleep(measure)
                cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
                samples = list(host.lateness)
    return summarize(samples, cpu / wall) | {"first_cycle_p99": percentile(first_cycle, 0.99) * 1000}


async def run_baseline(count: int, interval: float, measure: float) -> dict[str, float]:
    lateness: list[float] = []
    loop = asyncio.get_running_loop()

    async def ticker(start: float) -> None:
        due = start
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            lateness.append(loop.time() - due)
            due += interval

    start = loop.time()
    tasks = [asyncio.create_task(ticker(start)) for _ in range(count)]
    await asyncio.sleep(interval + 1)
    lateness.clear()
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(measure)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    samples = list(lateness)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return summarize(samples, cpu / wall)


def summarize(samples: list[float], cpu_share: float) -> dict[str, float]:
    return {"refreshes": len(samples), "cpu_share": cpu_share * 100,
            "p50": statistics.median(samples) * 1000, "p99": percentile(samples, 0.99) * 1000,
            "max": max(samples) * 1000}


def report(args: argparse.Namespace, daemon: dict[str, float], base: dict[str, float],
           herd: dict[str, float]) -> str:
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    cpu_ok = "met" if daemon["cpu_share"] < 20 else "NOT MET"
    late_ok = "met" if daemon["p99"] < 250 else "NOT MET"
    return "\n".join([
        "", "## Daemon", "",
        f"`python bench/bench_daemon.py{' --quick' if args.quick else ''}` ({now}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end, "
        f"{args.connectors} no-op connectors, {args.interval:g} s interval, {args.measure:g} s measured "
        "after one warm-up cycle)", "",
        f"- daemon: {daemon['refreshes']:.0f} refreshes, CPU {daemon['cpu_share']:.1f}% of one core "
        f"(target < 20%: {cpu_ok}); start lateness p50 {daemon['p50']:.1f} ms, p99 {daemon['p99']:.1f} ms, "
        f"max {daemon['max']:.1f} ms (target p99 < 250 ms: {late_ok})",
        "  (default phase spread: each schedule shifted once by a stable offset < min(1 s, interval / 10))",
        f"- first cycle (all {args.connectors} start at once): lateness p99 {daemon['first_cycle_p99']:.1f} ms",
        f"- without the phase spread (all {args.connectors} due at the same instant every cycle): CPU "
        f"{herd['cpu_share']:.1f}%, lateness p50 {herd['p50']:.1f} ms, p99 {herd['p99']:.1f} ms, "
        f"max {herd['max']:.1f} ms",
        f"- baseline, {args.connectors} bare asyncio timers on the same schedule: CPU {base['cpu_share']:.1f}%, "
        f"lateness p50 {base['p50']:.1f} ms, p99 {base['p99']:.1f} ms",
        f"- ratios: CPU daemon / baseline = {daemon['cpu_share'] / max(base['cpu_share'], 0.01):.1f}x; "
        f"p99 lateness daemon - baseline = {daemon['p99'] - base['p99']:.1f} ms", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--connectors", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--measure", type=float, default=None)
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    args.measure = args.measure or (12.0 if args.quick else 30.0)
    base = asyncio.run(run_baseline(args.connectors, args.interval, args.measure))
    daemon = asyncio.run(run_daemon(args.connectors, args.interval, args.measure, 1.0))
    herd = asyncio.run(run_daemon(args.connectors, args.interval, args.measure, 0.0))
    text = report(args, daemon, base, herd)
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
