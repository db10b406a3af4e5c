"""Deleted-instance retention: purge home instances some time after they were soft-deleted.

A soft delete keeps the instance (restorable, and answering ``as_of`` reads); only a purge removes it. Connectors
delete constantly (every file that leaves a watched folder, every dropped table), so without a purge the
soft-deleted instances outgrow the live ones: after a 25-minute soak of the folder monitor, 4,000 of the 4,400
DataFiles it had catalogued were soft-deleted ones. With ``store.deleted_retention_days`` set, :class:`DeletedSweeper`
purges home entities and relationships that many days after their deletion, through the repository's own
purge, so each purge is logged as usual: the Out Topic reports it and cohort peers drop their reference
copies. Reference copies are left to their home, which purges them the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time

from coho.server.errors import FailedPrecondition, NotFound
from coho.server.repository import entities, relationships
from coho.server.repository.api import Caller
from coho.server.repository.headers import WriteContext
from coho.server.repository.repository import Repository
from coho.server.store.base import WriteTxn

log = logging.getLogger(__name__)

SWEEPER = Caller(user_id="coho-retention")
"""Credited with the purges (updatedBy in the change log and the Out Topic events)."""
BATCH = 500
"""Instances of each kind one pass purges at most, in one write: a long backlog goes in steps, pass after pass."""
SWEEP_SECONDS = 60.0
"""Time between passes once the backlog is gone."""


async def purge_deleted(repository: Repository, before_ms: int, limit: int = BATCH) -> int:
    """Purge up to ``limit`` home entities and ``limit`` home relationships soft-deleted before ``before_ms``, in
    one write; returns how many went. Ones restored or purged since they were listed are skipped."""
    store, home = repository.store, repository.metadata_collection_id
    # Reads off the event loop, like every read the servers make.
    entity_guids = await asyncio.to_thread(store.deleted_before, "entity", home, before_ms, limit)
    relationship_guids = await asyncio.to_thread(store.deleted_before, "relationship", home, before_ms, limit)
    if not entity_guids and not relationship_guids:
        return 0

    def op(txn: WriteTxn, ctx: WriteContext) -> tuple[int, int]:
        purged = sequence = 0
        for guid in entity_guids:
            try:  # the checks come before any write, so a refused purge leaves nothing behind
                _, sequence = entities.purge_entity(txn, ctx, guid)
            except (NotFound, FailedPrecondition):
                continue
            purged += 1
        for guid in relationship_guids:
            try:  # also gone when an entity purged above took it along
                _, sequence = relationships.purge_relationship(txn, ctx, guid)
            except (NotFound, FailedPrecondition):
                continue
            purged += 1
        return purged, sequence

    return (await repository.write(SWEEPER, op)).value


class DeletedSweeper:
    """Runs :func:`purge_deleted` every SWEEP_SECONDS, for instances deleted more than ``max_age_ms`` ago."""

    def __init__(self, repository: Repository, max_age_ms: int) -> None:
        self.repository = repository
        self.max_age_ms = max_age_ms
        self.purged = 0
        """Instances purged since start (for tests and logs)."""
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deleted-sweeper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            pause = SWEEP_SECONDS
            try:
                before = time.time_ns() // 1_000_000 - self.max_age_ms
                gone = await purge_deleted(self.repository, before)
            except asyncio.CancelledError:
                raise
            except Exception:  # storage trouble: writes report it to their callers; try again next pass
                log.exception("purging expired deleted instances failed")
            else:
                if gone:
                    self.purged += gone
                    log.info("purged expired deleted instances", extra={"purged": gone})
                if gone >= BATCH:
                    pause = 0.0  # a backlog: keep going
            await asyncio.sleep(pause)
