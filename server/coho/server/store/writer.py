"""The single writer: group commit with per-operation atomicity.

One thread owns the read-write connection. It takes whatever operations have queued up (at most
``max_batch``), runs each of them in one transaction, COMMITs once, and only then resolves the callers'
futures. The transaction object undoes a failed operation alone: it buffers each operation's rows and drops
them on failure, and opens a SAVEPOINT only for an operation that has to reach SQL before it returns (see
:mod:`coho.server.store.sqlite_txn`). So:

- many concurrent writers share one commit (SQLite manages ~7-40k commits/s here; group commit lifts the
  op rate well above that);
- an operation that raises is rolled back alone and only its caller sees the exception;
- no caller is told "done" before its work is durable, and no half-applied operation is ever visible (a
  crash mid-batch loses the whole uncommitted batch, none of it acknowledged);
- if the COMMIT itself fails (disk full, I/O error) every operation of the batch fails.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Protocol

from coho.server.errors import CohoError, ResourceExhausted, Unavailable

log = logging.getLogger(__name__)

MAX_BATCH = 500
"""Bounds one transaction, so one commit's latency (and the WAL growth per commit) stays small."""


class BatchParticipant(Protocol):
    """What the writer needs from the transaction object that operations receive."""

    def op_begin(self) -> None:
        """An operation starts."""

    def op_end(self) -> None:
        """The operation returned: what it did is now part of the batch."""

    def op_abort(self) -> None:
        """The operation failed: undo everything it did (buffers, savepoint, in-memory state)."""

    def batch_flush(self) -> None:
        """Write out what the batch's operations buffered, before COMMIT; raising fails the whole batch."""

    def batch_committed(self) -> None:
        """The transaction committed: in-memory state advanced by its operations is now durable."""

    def batch_failed(self) -> None:
        """The transaction rolled back: restore in-memory state to the last commit."""

    def housekeeping_due(self) -> bool:
        """Whether after_batch has work now (so most batches skip its savepoint)."""

    def after_batch(self) -> None:
        """Housekeeping inside the transaction, after the operations (e.g. change-log retention)."""


Op = Callable[[Any], Any]
_STOP = object()


class _Pending:
    """One queued operation and how to tell its caller: a thread's Future, or an asyncio future + loop."""

    __slots__ = ("afut", "future", "loop", "op")

    def __init__(
        self,
        op: Op,
        future: concurrent.futures.Future[Any] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        afut: asyncio.Future[Any] | None = None,
    ) -> None:
        self.op, self.future, self.loop, self.afut = op, future, loop, afut

    def start(self) -> bool:
        """False when the caller gave up (cancelled) before its turn: its write must not be applied."""
        if self.future is not None:
            return self.future.set_running_or_notify_cancel()
        assert self.afut is not None
        return not self.afut.cancelled()  # racy read is fine: a late cancel just discards the result


Outcome = tuple[bool, Any]


def _settle(items: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """On the caller's loop: resolve a batch's asyncio futures (one loop wake-up per batch, not per op)."""
    for afut, ok, value in items:
        if afut.done():
            continue
        if ok:
            afut.set_result(value)
        else:
            afut.set_exception(value)


def _resolve(pending: list[_Pending], outcomes: list[Outcome]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
    for item, (ok, value) in zip(pending, outcomes, strict=True):
        if item.future is not None:
            if item.future.done():
                continue
            if ok:
                item.future.set_result(value)
            else:
                item.future.set_exception(value)
        elif item.loop is not None and item.afut is not None:
            by_loop.setdefault(item.loop, []).append((item.afut, ok, value))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, items)
        except RuntimeError:  # the caller's loop is closed: nobody is waiting any more
            log.debug("store writer: caller loop closed before its result arrived")


def storage_error(exc: BaseException, path: object = None) -> CohoError:
    """The domain error for a storage failure that is not the operation's own fault.

    The message names the file (when known) and what to do: the writer keeps running, so freeing space is
    all it takes for writes to succeed again.
    """
    text = str(exc)
    where = f" ({path})" if path is not None else ""
    meta = {"file": str(path)} if path is not None else {}
    if "full" in text:
        return ResourceExhausted(
            message=f"repository storage is full{where}: {text}; writes resume once space is freed on its "
                    "file system (reads keep working)",
            reason="STORAGE_FULL", metadata=meta)
    return Unavailable(message=f"repository storage failed{where}: {text}", reason="STORAGE_UNAVAILABLE",
                       metadata=meta)


class GroupCommitWriter:
    """Runs operations on one thread, many per transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        txn: BatchParticipant,
        *,
        max_batch: int = MAX_BATCH,
        name: str = "coho-store-writer",
        path: object = None,
        idle_seconds: float | None = None,
    ) -> None:
        self._conn = conn
        self._idle_seconds = idle_seconds
        """With no work for this long, the writer runs due housekeeping on its own (None: only after writes)."""
        self._path = path
        self._storage_failure: str | None = None
        """Set while commits fail for storage reasons, so the log says so once, and once more on recovery."""
        self._txn = txn
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self.commits = 0
        """Committed write transactions (a group commit counts once; idle housekeeping does not), for tests
        and metrics."""
        self.ops = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # -- submitting ---------------------------------------------------------------------------------
    def submit(self, op: Op) -> concurrent.futures.Future[Any]:
        """Queue op for a thread; the future resolves after the COMMIT that includes it."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._put(_Pending(op, future=future))
        return future

    def submit_async(self, op: Op) -> asyncio.Future[Any]:
        """Queue op from a coroutine; the returned future (of the running loop) resolves after COMMIT."""
        loop = asyncio.get_running_loop()
        afut = loop.create_future()
        self._put(_Pending(op, loop=loop, afut=afut))
        return afut

    def _put(self, item: _Pending) -> None:
        with self._lock:
            # The lock orders submit against close, so nothing is queued behind the stop marker.
            if self._closed:
                raise Unavailable(message="the repository store is closed", reason="STORE_CLOSED")
            self._queue.put(item)

    def on_writer_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def queue_depth(self) -> int:
        """Operations waiting for the writer (approximate)."""
        return self._queue.qsize()

    def close(self) -> None:
        """Run everything already queued, then stop the thread. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    # -- the writer thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        stop = False
        while not stop:
            try:
                item = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                self._idle_housekeeping()
                continue
            if item is _STOP:
                break
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            pending = [entry for entry in batch if isinstance(entry, _Pending)]
            try:
                self._run_batch(pending)
            except BaseException as exc:  # a bug here must not leave callers waiting forever
                log.exception("store writer batch failed")
                _resolve(pending, [(False, exc)] * len(pending))

    def _run_batch(self, batch: list[_Pending]) -> None:
        live = [item for item in batch if item.start()]
        if not live:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            _resolve(live, [(False, self._storage_error(exc))] * len(live))
            return
        outcomes: list[Outcome] = []
        for item in live:
            outcomes.append(self._run_op(item.op))
            if not self._conn.in_transaction:
                # SQLite rolled the whole transaction back (e.g. SQLITE_FULL): nothing of it will commit.
                self._txn.batch_failed()
                error = outcomes[-1][1]
                error = error if isinstance(error, CohoError) else self._storage_error(error)
                _resolve(live, [(False, error)] * len(live))
                return
        try:
            self._txn.batch_flush()
        except Exception as exc:
            self._rollback_quietly()
            self._txn.batch_failed()
            error = exc if isinstance(exc, CohoError) else self._storage_error(exc)
            _resolve(live, [(False, error)] * len(live))
            return
        self._after_batch()
        try:
            self._commit()
        except sqlite3.Error as exc:
            self._rollback_quietly()
            self._txn.batch_failed()
            _resolve(live, [(False, self._storage_error(exc))] * len(live))
            return
        self._txn.batch_committed()
        self.commits += 1
        if self._storage_failure is not None:
            log.warning("repository storage recovered: writes succeed again",
                        extra={"file": str(self._path), "error": self._storage_failure})
            self._storage_failure = None
        self.ops += len(live)
        _resolve(live, outcomes)

    def _storage_error(self, exc: BaseException) -> CohoError:
        error = storage_error(exc, self._path)
        if self._storage_failure is None:
            log.error("repository storage failed: writes fail until it recovers",
                      extra={"file": str(self._path), "reason": error.reason, "error": str(exc)})
            self._storage_failure = str(exc)
        return error

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _run_op(self, op: Op) -> Outcome:
        txn = self._txn
        txn.op_begin()
        try:
            value = op(txn)
            txn.op_end()
        except Exception as exc:
            txn.op_abort()
            if isinstance(exc, sqlite3.OperationalError):
                return False, self._storage_error(exc)
            return False, exc
        return True, value

    def _idle_housekeeping(self) -> None:
        """Retention by age must hold on a server nobody writes to: run it in a transaction of its own."""
        try:
            if not self._txn.housekeeping_due():
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._after_batch()
            self._commit()
        except Exception:  # storage trouble: the next write reports it to its caller; retry on the next tick
            log.exception("store housekeeping failed")
            self._rollback_quietly()
            self._txn.batch_failed()
            return
        self._txn.batch_committed()

    def _after_batch(self) -> None:
        if not self._txn.housekeeping_due():
            return
        conn = self._conn
        conn.execute("SAVEPOINT housekeeping")
        try:
            self._txn.after_batch()
        except Exception:
            # Housekeeping is retried after the next batch; it must never fail the callers' writes.
            log.exception("store housekeeping failed")
            self._txn.op_abort()
            if conn.in_transaction:
                conn.execute("ROLLBACK TO housekeeping")
        if conn.in_transaction:
            conn.execute("RELEASE housekeeping")

    def _rollback_quietly(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback after a failed commit failed")
