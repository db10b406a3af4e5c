"""FolderMonitor benchmark, against a same-run raw ``os.scandir`` + ``stat`` walk of the same tree.

    python bench/bench_files.py                 # 20,000 files (200 folders x 100), 3 runs, 60 live files
    python bench/bench_files.py --quick         # 5,000 files, 2 runs, 20 live files

Each run starts a fresh in-process access server (real SQLite) and daemon with one FolderMonitor, over real
gRPC on 127.0.0.1 (the connector test harness), and measures:

- initial catalogue: the first refresh (walk + batch upserts of every folder and file), files/s;
  target >= 2,000 files/s;
- unchanged refresh: an on-demand refresh with nothing changed on disk (median of 5), as a share of the
  initial sync; target <= 5%;
- live latency: a file is created, the time until its NEW_ELEMENT_CREATED event reaches an Out Topic
  subscriber (one file every 50 ms), p50 / p99; target p99 < 1 s.

The baseline is a bare ``os.scandir`` + ``DirEntry.stat()`` walk of the same tree in the same run (median of
3): the floor for any refresh, which must at least look at every file. Prints the figures and the ratios;
the median over runs is what bench/RESULTS.md records (by hand: see its "Files connectors" section).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from coho.access.v1 import out_topic_service_pb2 as ot
from coho.access.v1 import out_topic_service_pb2_grpc as ot_grpc
from coho.daemon.testing import ConnectorHarness, run_connector

FILES = "coho.daemon.connectors.files:FolderMonitor"
PER_FOLDER = 100


def make_tree(root: Path, files: int) -> None:
    for index in range(files):
        folder = root / f"d{index // PER_FOLDER:04}"
        if index % PER_FOLDER == 0:
            folder.mkdir(parents=True)
        (folder / f"f{index:06}.csv").write_bytes(b"x" * (index % 97))


def raw_walk(root: str) -> int:
    """The baseline: every entry looked at and every file stat'ed, nothing else."""
    count, stack = 0, [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


async def wait_first_refresh(h: ConnectorHarness, within: float = 600.0) -> None:
    deadline = time.monotonic() + within
    while h.runner.state.refresh_count < 1:
        if time.monotonic() > deadline:
            raise TimeoutError("the first refresh did not finish")
        await asyncio.sleep(0.01)


async def cpu_when_refreshing(h: ConnectorHarness) -> float:
    """The process's CPU time as the first refresh starts (server and daemon share this process)."""
    for _ in range(60_000):  # bounded: at most ~5 minutes
        if h.runner.state.refresh_count >= 1 or h.status_name == "REFRESHING":
            break
        await asyncio.sleep(0.005)
    return time.process_time()


def refresh_seconds(h: ConnectorHarness) -> float:
    return h.runner.state.last_refresh_end - h.runner.state.last_refresh_start


async def live_latencies(h: ConnectorHarness, root: Path, count: int) -> list[float]:
    """Create ``count`` files one by one; seconds from each write to its Out Topic creation event."""
    live = root / "live"
    live.mkdir()
    await asyncio.sleep(0.5)  # the folder's own event is applied before timing starts
    arrived: dict[str, float] = {}
    complete = asyncio.Event()
    expected = {str(live / f"n{index:04}.csv") for index in range(count)}
    async with h.server_channel() as channel:
        stream = ot_grpc.OutTopicServiceStub(channel).Subscribe(ot.SubscribeRequest(
            from_head=True, heartbeat_interval_seconds=1))

        async def read() -> None:
            async for reply in stream:
                for event in reply.events:
                    if event.event_type == ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED:
                        name = event.element_properties.properties["qualifiedName"].primitive.string_value
                        arrived[name] = time.monotonic()
                        if expected <= arrived.keys():
                            complete.set()

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.3)  # subscribed at the head
        written: dict[str, float] = {}
        for index in range(count):
            path = live / f"n{index:04}.csv"
            written[str(path)] = time.monotonic()
            path.write_bytes(b"new")
            await asyncio.sleep(0.05)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(complete.wait(), 30)
        reader.cancel()
        stream.cancel()
    missing = written.keys() - arrived.keys()
    if missing:
        raise AssertionError(f"{len(missing)} created files never reached the Out Topic")
    return sorted(arrived[name] - started for name, started in written.items())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def one_run(files: int, live: int, work: Path, run: int) -> dict[str, float]:
    root = work / f"tree{run}"
    make_tree(root, files)
    baseline = statistics.median(_timed(raw_walk, str(root)) for _ in range(3))
    async with run_connector(FILES, work / f"data{run}", configuration_properties={"folder": str(root)}) as h:
        cpu_before = await cpu_when_refreshing(h)
        await wait_first_refresh(h)
        cpu = time.process_time() - cpu_before
        initial = refresh_seconds(h)
        if h.runner.state.failing_error:
            raise AssertionError(f"the first refresh failed: {h.runner.state.failing_error}")
        # The daemon builds the initial sync's integration report from the change log before its next
        # refresh; the first on-demand refresh waits for that, so it is timed separately and not counted.
        report_started = time.monotonic()
        await h.refresh(within=900)
        report_wait = time.monotonic() - report_started
        unchanged: list[float] = []
        for _ in range(5):
            await h.refresh(within=120)
            unchanged.append(refresh_seconds(h))
        latencies = await live_latencies(h, root, live)
    elements = files + files // PER_FOLDER + 1
    result = {"initial_s": initial, "files_per_s": files / initial, "elements": elements, "cpu_s": cpu,
              "report_s": report_wait,
              "unchanged_s": statistics.median(unchanged), "baseline_s": baseline,
              "p50_s": percentile(latencies, 0.5), "p99_s": percentile(latencies, 0.99), "max_s": max(latencies)}
    result["unchanged_share"] = result["unchanged_s"] / initial
    result["unchanged_vs_raw"] = result["unchanged_s"] / baseline
    print(f"run {run}: initial {initial:.2f}s = {result['files_per_s']:,.0f} files/s ({elements:,} elements; "
          f"process CPU {cpu:.2f}s = {files / cpu:,.0f} files per CPU-second); "
          f"unchanged refresh {result['unchanged_s'] * 1000:.0f} ms = {result['unchanged_share']:.1%} of initial; "
          f"raw scandir+stat walk {baseline * 1000:.0f} ms (unchanged refresh / raw = "
          f"{result['unchanged_vs_raw']:.2f}x, initial / raw = {initial / baseline:.0f}x); "
          f"initial report + first on-demand refresh {report_wait:.1f}s; "
          f"live create -> Out Topic p50 {result['p50_s'] * 1000:.0f} ms, p99 {result['p99_s'] * 1000:.0f} ms, "
          f"max {result['max_s'] * 1000:.0f} ms", flush=True)
    return result


def _timed(fn: object, *args: object) -> float:
    started = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--live", type=int, default=60, help="files created for the latency figure")
    parser.add_argument("--quick", action="store_true", help="5,000 files, 2 runs, 20 live files")
    args = parser.parse_args()
    if args.quick:
        args.files, args.runs, args.live = 5_000, 2, 20
    with tempfile.TemporaryDirectory(prefix="bench-files-") as work:
        results = [await one_run(args.files, args.live, Path(work), run) for run in range(args.runs)]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(f"\nmedian of {args.runs} runs, {args.files:,} files:")
    print(f"  initial catalogue   {median('initial_s'):.2f} s = {median('files_per_s'):,.0f} files/s "
          f"(target >= 2,000: {'met' if median('files_per_s') >= 2000 else 'NOT met'})")
    print(f"  unchanged refresh   {median('unchanged_s') * 1000:.0f} ms = {median('unchanged_share'):.1%} of initial "
          f"(target <= 5%: {'met' if median('unchanged_share') <= 0.05 else 'NOT met'})")
    print(f"  process CPU         {median('cpu_s'):.2f} s for the initial catalogue = "
          f"{args.files / median('cpu_s'):,.0f} files per CPU-second (server + daemon; load-independent)")
    print(f"  initial sync's integration report, until the next refresh could run: {median('report_s'):.1f} s")
    print(f"  raw walk baseline   {median('baseline_s') * 1000:.0f} ms; unchanged refresh / raw = "
          f"{median('unchanged_vs_raw'):.2f}x")
    print(f"  live latency        p50 {median('p50_s') * 1000:.0f} ms, p99 {median('p99_s') * 1000:.0f} ms "
          f"(target p99 < 1 s: {'met' if median('p99_s') < 1 else 'NOT met'})")


if __name__ == "__main__":
    asyncio.run(main())
