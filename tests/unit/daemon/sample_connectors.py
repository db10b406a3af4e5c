"""Connectors that the daemon tests host (importable as ``unit.daemon.sample_connectors:Class``).

Instances are rebuilt on every (re)initialize, so what a test observes is kept in module-level
registries keyed by connector name.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from typing import Any

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.access.v1 import out_topic_service_pb2 as ot
from coho.daemon import IntegrationConnector
from coho.daemon.context import FilesIntegrationContext, IntegrationContext

REFRESHES: dict[str, list[float]] = defaultdict(list)
STARTS: dict[str, int] = defaultdict(int)
DISCONNECTS: dict[str, int] = defaultdict(int)
ERRORS: dict[str, list[BaseException]] = defaultdict(list)
EVENTS: dict[str, list[tuple[float, ot.OutTopicEvent]]] = defaultdict(list)
RESULTS: dict[str, list[Any]] = defaultdict(list)
SEEN_CONFIG: dict[str, list[dict[str, Any]]] = defaultdict(list)
ENGAGED: dict[str, int] = defaultdict(int)
RELEASE = threading.Event()


def reset() -> None:
    for registry in (REFRESHES, STARTS, DISCONNECTS, ERRORS, EVENTS, RESULTS, SEEN_CONFIG, ENGAGED):
        registry.clear()  # type: ignore[attr-defined]
    RELEASE.clear()


class Counting(IntegrationConnector[IntegrationContext]):
    """Records each start and refresh time (time.monotonic())."""

    async def start(self) -> None:
        STARTS[self.context.connector_name] += 1
        SEEN_CONFIG[self.context.connector_name].append(self.context.configuration_properties)

    async def refresh(self) -> None:
        REFRESHES[self.context.connector_name].append(time.monotonic())

    async def disconnect(self) -> None:
        DISCONNECTS[self.context.connector_name] += 1


class Raising(Counting):
    async def refresh(self) -> None:
        await super().refresh()
        raise RuntimeError("third party said no")


class Hanging(Counting):
    """A refresh that never ends (until cancelled by its timeout)."""

    async def refresh(self) -> None:
        await super().refresh()
        await asyncio.Event().wait()


class Blocking(Counting):
    """Blocks its engage thread until the test releases it; refreshes stay async and quick."""

    def engage(self) -> None:
        ENGAGED[self.context.connector_name] += 1
        RELEASE.wait(30)


class SlowDisconnect(Counting):
    async def disconnect(self) -> None:
        await asyncio.sleep(60)


class Upserting(IntegrationConnector[FilesIntegrationContext]):
    """Each refresh follows PLAN[name] (set by the test between refreshes): upsert folder "root" with the
    files in "upsert" ({name: size}), then delete the files in "delete"; records the element results in
    RESULTS, or the error in ERRORS (re-raised when "reraise" is set)."""

    async def refresh(self) -> None:
        name = self.context.connector_name
        plan = PLAN.get(name, {})
        try:
            elements = [dm.DataElement(qualified_name="root", folder=dm.FolderElement(path_name="/root"))]
            for file_name, size in plan.get("upsert", {}).items():
                elements.append(dm.DataElement(
                    qualified_name=f"root/{file_name}", parent_qualified_name="root",
                    file=dm.FileElement(path_name=f"/root/{file_name}", file_name=file_name, size_bytes=size)))
            RESULTS[name].append(list(await self.context.upsert_elements(elements)))
            if plan.get("delete"):
                RESULTS[name].append(list(await self.context.delete_elements(
                    qualified_names=[f"root/{n}" for n in plan["delete"]])))
        except Exception as err:
            ERRORS[name].append(err)
            if plan.get("reraise"):
                raise


PLAN: dict[str, dict[str, Any]] = {}


class Reacting(IntegrationConnector[FilesIntegrationContext]):
    """Listens for new DataFiles; for each, records when it arrived and opens a to-do about it."""

    async def start(self) -> None:
        await self.context.listen(self._on_event, ot.OutTopicFilter(
            type_names=["DataFile"], event_types=[ot.OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED]))

    async def _on_event(self, event: ot.OutTopicEvent) -> None:
        EVENTS[self.context.connector_name].append((time.monotonic(), event))
        if self.context.configuration_properties.get("mirror"):
            qualified_name = f"mirror/{event.element_header.guid}"
            await self.context.upsert_elements([dm.DataElement(
                qualified_name=qualified_name, folder=dm.FolderElement(path_name=qualified_name))])
