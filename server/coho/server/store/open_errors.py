"""Why a repository file could not be opened, as a domain error that names the file and the problem.

SQLite's own messages ("unable to open database file", "database is locked") name neither the file nor the
cause, and reached the operator as a traceback. :func:`open_failure` turns them into one
:class:`~coho.server.errors.CohoError` whose message says which file and what to fix, so ``coho server`` can
exit with one line instead.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from coho.server.errors import CohoError, FailedPrecondition, ResourceExhausted, Unavailable

LOCK_PROBE_MS = 5000
"""How long the open waits for another process's write lock before it gives up (SQLITE_BUSY)."""


def probe_write_lock(conn: sqlite3.Connection, path: Path) -> None:
    """Take and release the write lock once, so a database another process holds is found at start.

    In WAL mode reads succeed beside another writer, so without this probe a server would start on a
    database that some other process keeps locked and only fail at its first write, minutes later.
    """
    (saved,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute(f"PRAGMA busy_timeout={LOCK_PROBE_MS}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise open_failure(path, exc) from exc
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(saved)}")


def open_failure(path: Path, exc: BaseException) -> CohoError:
    """The error for ``exc`` raised while opening (or first writing) the SQLite file ``path``."""
    if isinstance(exc, CohoError):
        return exc
    text = str(exc)
    lowered = text.lower()
    meta = {"file": str(path), "error": text}
    if "locked" in lowered or "busy" in lowered:
        return Unavailable(
            message=f"{path}: the database is locked by another process (is another coho server using "
                    f"this data_dir?): {text}",
            reason="REPOSITORY_LOCKED", metadata=meta)
    if "full" in lowered or getattr(exc, "errno", None) == 28:  # ENOSPC
        return ResourceExhausted(message=f"{path}: no space left on the device: {text}",
                                 reason="STORAGE_FULL", metadata=meta)
    if "not a database" in lowered or "malformed" in lowered:
        return FailedPrecondition(message=f"{path}: the file is not a usable SQLite database: {text}",
                                  reason="REPOSITORY_CORRUPT", metadata=meta)
    read_only = _read_only_cause(path)
    if read_only or "readonly" in lowered or "read-only" in lowered or isinstance(exc, PermissionError):
        cause = read_only or "it is read-only"
        return FailedPrecondition(
            message=f"{path}: cannot write the database: {cause}; the server needs read-write access to the "
                    f"file and its directory ({text})",
            reason="REPOSITORY_READ_ONLY", metadata=meta)
    return Unavailable(message=f"{path}: cannot open the database: {text}", reason="REPOSITORY_UNAVAILABLE",
                       metadata=meta)


def _read_only_cause(path: Path) -> str:
    """Why ``path`` cannot be written, or "" when nothing visible forbids it."""
    directory = path.parent
    probe = directory if directory.exists() else next((p for p in directory.parents if p.exists()), None)
    if probe is None:
        return ""
    try:
        if os.statvfs(probe).f_flag & os.ST_RDONLY:
            return f"its file system ({probe}) is mounted read-only"
    except OSError:
        return ""
    # os.access answers for the real uid; root passes every mode check, which matches what open() does.
    if directory.exists() and not os.access(directory, os.W_OK | os.X_OK):
        return f"the directory {directory} is not writable"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the file is not writable"
    return ""
