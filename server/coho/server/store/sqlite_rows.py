"""Rows as the SQLite write transaction buffers them until ``executemany`` (see :mod:`.sqlite_txn`)."""

from __future__ import annotations

from typing import Any

from coho.omrs.v1 import instances_pb2
from coho.server.store.values import IndexValue, ms

IndexRow = tuple[str, IndexValue, str]
EntityEntry = tuple[tuple[Any, ...], list[IndexRow], list[str]]
"""An entity row (without its id), its prop rows and its classification names."""


def entity_row(
    header: instances_pb2.InstanceHeader, is_proxy: bool, body: bytes
) -> tuple[str, str, str, int, int, int, int, int, bytes]:
    created = ms(header.create_time)
    updated = ms(header.update_time) if header.HasField("update_time") else 0
    return (
        header.guid,
        header.type.type_def_name,
        header.metadata_collection_id,
        int(is_proxy),
        int(header.status),
        header.version,
        created,
        updated or created,
        body,
    )


class Buffer:
    """Rows waiting for executemany: one for the running operation, one for the batch's finished ones."""

    __slots__ = ("changes", "entities", "entity_versions", "relationship_versions", "relationships", "requests")

    def __init__(self) -> None:
        self.entities: dict[str, EntityEntry] = {}
        self.relationships: dict[str, tuple[object, ...]] = {}
        self.entity_versions: list[tuple[object, ...]] = []
        self.relationship_versions: list[tuple[object, ...]] = []
        self.changes: list[tuple[object, ...]] = []
        self.requests: dict[tuple[str, str], bytes] = {}

    def __bool__(self) -> bool:
        return bool(
            self.entities or self.relationships or self.entity_versions or self.relationship_versions
            or self.changes or self.requests
        )

    def absorb(self, other: Buffer) -> None:
        """Take over other's rows (written after ours), leaving other empty."""
        if other.entities:
            self.entities.update(other.entities)
            other.entities.clear()
        if other.relationships:
            self.relationships.update(other.relationships)
            other.relationships.clear()
        if other.requests:
            self.requests.update(other.requests)
            other.requests.clear()
        for mine, theirs in (
            (self.entity_versions, other.entity_versions),
            (self.relationship_versions, other.relationship_versions),
            (self.changes, other.changes),
        ):
            if theirs:
                mine.extend(theirs)
                theirs.clear()

    def clear(self) -> None:
        self.entities.clear()
        self.relationships.clear()
        self.entity_versions.clear()
        self.relationship_versions.clear()
        self.changes.clear()
        self.requests.clear()
