"""FolderMonitor: catalogues one folder's files (and sub-folders) through the Data Manager.

Configuration properties: ``folder`` (required; a path), ``recursive`` (default true). Each refresh
upserts the folder tree, then deletes what disappeared, found by comparing each folder's catalogued
children with the files on disk, so creates, updates and deletes all show up in integration reports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp

from coho.access.v1 import data_manager_service_pb2 as dm
from coho.daemon.context import FilesIntegrationContext
from coho.daemon.sdk import IntegrationConnector

BATCH = 500


class FolderMonitor(IntegrationConnector[FilesIntegrationContext]):
    async def refresh(self) -> None:
        folder = str(self.context.configuration_properties.get("folder", ""))
        recursive = bool(self.context.configuration_properties.get("recursive", True))
        elements = await asyncio.to_thread(scan, folder, recursive)
        for start in range(0, len(elements), BATCH):
            await self.context.upsert_elements(elements[start:start + BATCH])
        await self._delete_missing(elements)

    async def _delete_missing(self, elements: list[dm.DataElement]) -> None:
        present = {e.qualified_name for e in elements}
        folders = [e.qualified_name for e in elements if e.WhichOneof("kind") == "folder"]
        gone: list[str] = []
        for folder in folders:
            children = await self.context.list_children(parent_qualified_name=folder)
            gone.extend(c.element.qualified_name for c in children if c.element.qualified_name not in present)
        if gone:
            await self.context.delete_elements(qualified_names=gone, cascade=True)


def scan(folder: str, recursive: bool) -> list[dm.DataElement]:
    """The folder tree as DataElements, parents before children."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"folder {str(root)!r} does not exist")
    root = root.resolve()
    elements = [_folder(root, "")]
    pending = [root]
    while pending:
        current = pending.pop(0)
        for entry in sorted(current.iterdir()):
            if entry.is_dir() and recursive:
                elements.append(_folder(entry, str(current)))
                pending.append(entry)
            elif entry.is_file():
                elements.append(_file(entry, str(current)))
    return elements


def _folder(path: Path, parent: str) -> dm.DataElement:
    return dm.DataElement(qualified_name=str(path), display_name=path.name or str(path),
                          parent_qualified_name=parent, folder=dm.FolderElement(path_name=str(path)))


def _file(path: Path, parent: str) -> dm.DataElement:
    stat = path.stat()
    modified = Timestamp()
    modified.FromDatetime(dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC))
    return dm.DataElement(
        qualified_name=str(path), display_name=path.name, parent_qualified_name=parent,
        file=dm.FileElement(path_name=str(path), file_name=path.name, file_extension=path.suffix.lstrip("."),
                            file_type=path.suffix.lstrip(".").upper(), size_bytes=stat.st_size,
                            modified_time=modified))
