"""Test connectors and a remote-connector process for tests/reliability/test_daemon_faults.py.

The in-process connectors run inside a real `coho daemon` (imported as ``reliability.fault_connectors:Class``
with tests/ on its PYTHONPATH), so what they do is written as JSON lines to ``<dir>/<connector>.events``.

:class:`BatchedSync` is the shape of a well-behaved synchronizing connector, slowed down so that a test can
kill the daemon in the middle of a refresh: it reads "the third party" (a JSON list of names in
``<dir>/<connector>.source.json``), upserts it in batches with a pause, and deletes the elements that are no
longer there only after the whole enumeration has been upserted.

Run as a script (``python -m reliability.fault_connectors ADDRESS TOKEN NAME DIR``) this module is a remote
connector in its own process: it attaches over ``ConnectorHostService.Attach``, answers every instruction,
and on each refresh upserts ``<name>/marker`` through the daemon's proxy.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import data_manager_service_pb2_grpc as dm_grpc
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.daemon import IntegrationConnector
from coho.daemon.context import FilesIntegrationContext


def read_events(directory: Path, name: str) -> list[dict[str, Any]]:
    path = directory / f"{name}.events"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]  # a kill may leave half a line


def record(directory: Path, name: str, kind: str, **data: Any) -> None:
    with (directory / f"{name}.events").open("a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": kind, "time": time.time(), **data}) + "\n")


def write_source(directory: Path, name: str, names: list[str]) -> None:
    """Set what "the third party" of connector ``name`` holds (atomically: a refresh may be reading it)."""
    path = directory / f"{name}.source.json"
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(names), encoding="utf-8")
    staged.replace(path)


def folder(qualified_name: str, parent: str = "") -> dm.DataElement:
    return dm.DataElement(qualified_name=qualified_name, parent_qualified_name=parent,
                          folder=dm.FolderElement(path_name=f"/{qualified_name}"))


class Recorded(IntegrationConnector[FilesIntegrationContext]):
    """Records start, each refresh (start and end) and disconnect."""

    @property
    def directory(self) -> Path:
        return Path(self.context.configuration_properties["dir"])

    def record(self, kind: str, **data: Any) -> None:
        record(self.directory, self.context.connector_name, kind, **data)

    async def start(self) -> None:
        self.record("start")

    async def refresh(self) -> None:
        self.record("refresh", refresh_id=self.context.current_refresh_id)
        await self.sync()
        self.record("refreshed", refresh_id=self.context.current_refresh_id)

    async def sync(self) -> None:
        """The refresh's work (none here)."""

    async def disconnect(self) -> None:
        self.record("disconnect")


class BatchedSync(Recorded):
    """Mirrors ``<name>.source.json`` under the folder ``<name>``: upserts in batches of ``batch`` with
    ``pause_seconds`` between them, then deletes what the source no longer lists."""

    async def sync(self) -> None:
        name = self.context.connector_name
        properties = self.context.configuration_properties
        batch = int(properties.get("batch", 5))
        pause = float(properties.get("pause_seconds", 0.2))
        source = self.directory / f"{name}.source.json"
        names: list[str] = json.loads(source.read_text(encoding="utf-8")) if source.exists() else []
        refresh_id = self.context.current_refresh_id
        await self.context.upsert_elements([folder(name)])
        for start in range(0, len(names), batch):
            chunk = names[start:start + batch]
            await self.context.upsert_elements([folder(f"{name}/{n}", name) for n in chunk])
            self.record("batch", refresh_id=refresh_id, names=chunk)
            await asyncio.sleep(pause)
        # Only a complete enumeration may decide that something disappeared.
        self.record("enumerated", refresh_id=refresh_id, count=len(names))
        wanted = {f"{name}/{n}" for n in names}
        stored = await self.context.list_children(parent_qualified_name=name)
        gone = sorted(v.element.qualified_name for v in stored if v.element.qualified_name not in wanted)
        if gone:
            await self.context.delete_elements(qualified_names=gone)
        self.record("deleted", refresh_id=refresh_id, names=gone)


class Ticking(Recorded):
    """Each refresh upserts ``<name>/tick`` with the refresh count in its description."""

    async def start(self) -> None:
        await super().start()
        self.count = 0

    async def sync(self) -> None:
        name = self.context.connector_name
        self.count += 1
        element = folder(f"{name}/tick")
        element.description = str(self.count)
        await self.context.upsert_elements([folder(name), element])


class Echoing(Recorded):
    """Listens on the Out Topic: every new folder under ``probe/`` gets a folder ``echo/<probe name>``."""

    async def start(self) -> None:
        await super().start()
        await self.context.listen(self._on_event, ot.OutTopicFilter(
            type_names=["FileFolder"], event_types=[ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED]))

    async def _on_event(self, event: ot.OutTopicEvent) -> None:
        qualified_name = event.element_properties.properties["qualifiedName"].primitive.string_value
        if not qualified_name.startswith("probe/"):
            return
        await self.context.upsert_elements([folder(f"echo/{qualified_name}")])
        self.record("echoed", name=qualified_name)


# -- a remote connector in its own process ---------------------------------------------------------------------

async def run_remote(address: str, token: str, name: str, directory: Path) -> None:
    """Attach as connector ``name`` and serve instructions until the daemon ends the stream."""
    from coho.client import connect
    from coho.integration.v1 import connector_host_service_pb2 as ch
    from coho.integration.v1 import connector_host_service_pb2_grpc as ch_grpc

    async with connect(address, token) as channel:
        data = dm_grpc.DataManagerServiceStub(channel)
        call = ch_grpc.ConnectorHostServiceStub(channel).Attach()
        await call.write(ch.AttachRequest(hello=ch.ConnectorHello(connector_name=name, sdk_language="py-proc")))
        record(directory, name, "attached")
        refreshes = 0
        async for instruction in call:
            kind = instruction.WhichOneof("kind")
            if kind == "refresh":
                refreshes += 1
                marker = folder(f"{name}/marker")
                marker.description = str(refreshes)
                await data.UpsertElements(dm.UpsertElementsRequest(elements=[folder(name), marker]))
            record(directory, name, kind or "unknown")
            await call.write(ch.AttachRequest(result=ch.InstructionResult(
                instruction_id=instruction.instruction_id, ok=True)))
            if kind == "disconnect":
                await call.done_writing()
                return


if __name__ == "__main__":
    address_arg, token_arg, name_arg, dir_arg = sys.argv[1:5]
    asyncio.run(run_remote(address_arg, token_arg, name_arg, Path(dir_arg)))
