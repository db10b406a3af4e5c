"""Connectors hosted by the real `coho daemon` processes of test_daemon_processes.py.

The daemon imports them as ``e2e.daemon_connectors:Class`` (the test puts tests/ on its PYTHONPATH). They
live in another process, so what the test observes is written to files in ``configuration_properties["dir"]``:
``<name>.events`` gets one JSON line per start, refresh, disconnect, result, error and reaction.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import elements_pb2 as el
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.daemon import IntegrationConnector
from coho.daemon.context import FilesIntegrationContext


def read_events(directory: Path, name: str) -> list[dict[str, Any]]:
    path = directory / f"{name}.events"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


class Recording(IntegrationConnector[FilesIntegrationContext]):
    """Records start, each refresh and disconnect."""

    def record(self, kind: str, **data: Any) -> None:
        context = self.context
        path = Path(context.configuration_properties["dir"]) / f"{context.connector_name}.events"
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, "time": time.time(), **data}) + "\n")

    async def start(self) -> None:
        self.record("start")

    async def refresh(self) -> None:
        self.record("refresh", refresh_id=self.context.current_refresh_id)

    async def disconnect(self) -> None:
        self.record("disconnect")


class Raising(Recording):
    async def refresh(self) -> None:
        await super().refresh()
        raise RuntimeError("third party said no")


class Hanging(Recording):
    """A refresh that never ends (until its timeout cancels it)."""

    async def refresh(self) -> None:
        await super().refresh()
        await asyncio.Event().wait()


class Blocking(Recording):
    """engage() never returns; refreshes stay quick."""

    def engage(self) -> None:
        self.record("engage")
        while True:
            time.sleep(1)


class Upserting(Recording):
    """Each refresh upserts folder "<name>" and one new file in it; records every element result (GUID and
    outcome) under the refresh id, or the error's reason."""

    async def start(self) -> None:
        await super().start()
        self.count = 0

    async def refresh(self) -> None:
        await super().refresh()
        name = self.context.connector_name
        self.count += 1
        file_name = f"f{self.count}.csv"
        elements = [dm.DataElement(qualified_name=name, folder=dm.FolderElement(path_name=f"/{name}")),
                    dm.DataElement(qualified_name=f"{name}/{file_name}", parent_qualified_name=name,
                                   file=dm.FileElement(path_name=f"/{name}/{file_name}", file_name=file_name,
                                                       size_bytes=self.count))]
        try:
            results = await self.context.upsert_elements(elements)
        except Exception as err:
            self.record("error", refresh_id=self.context.current_refresh_id,
                        reason=str(getattr(err, "reason", "")), error=str(err))
            return
        self.record("results", refresh_id=self.context.current_refresh_id,
                    results=[[r.guid, el.UpsertOutcome.Name(r.outcome)] for r in results])


class Reacting(Recording):
    """On every new DataFile under "probe/", upserts the folder "marker/<file guid>"."""

    async def start(self) -> None:
        await super().start()
        await self.context.listen(self._on_event, ot.OutTopicFilter(
            type_names=["DataFile"], event_types=[ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED]))

    async def _on_event(self, event: ot.OutTopicEvent) -> None:
        qualified_name = event.element_properties.properties["qualifiedName"].primitive.string_value
        if not qualified_name.startswith("probe/"):
            return
        marker = f"marker/{event.element_header.guid}"
        await self.context.upsert_elements([dm.DataElement(qualified_name=marker,
                                                           folder=dm.FolderElement(path_name=f"/{marker}"))])
        self.record("reacted", guid=event.element_header.guid)
