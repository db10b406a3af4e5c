"""Storage of a home repository: the :class:`Store` interface and its SQLite implementation."""

from coho.server.store.base import (
    AnnexRecord,
    ChangeAnnexer,
    ChangeMeta,
    ChangeRecord,
    Counts,
    HistoryQuery,
    InstanceFilter,
    Page,
    Store,
    WriteTxn,
)
from coho.server.store.sqlite import SqliteStore, open_sqlite_store

__all__ = [
    "AnnexRecord",
    "ChangeAnnexer",
    "ChangeMeta",
    "ChangeRecord",
    "Counts",
    "HistoryQuery",
    "InstanceFilter",
    "Page",
    "SqliteStore",
    "Store",
    "WriteTxn",
    "open_sqlite_store",
]
