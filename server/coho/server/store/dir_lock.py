"""One server per data directory: an exclusive ``flock`` on ``DATA_DIR/server.lock`` for the server's life.

SQLite in WAL mode lets a second process open the same repository and write to it, and nothing in SQLite
would stop it; but each server keeps its head sequence and its Out Topic position in memory, so two of them
on one repository hand out clashing sequences and each misses the other's changes. The lock makes the second
server fail at start, naming the process that holds the directory. The kernel drops the lock when the
holder exits, however it exits, so a SIGKILLed server never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from coho.server.errors import Unavailable
from coho.server.store.open_errors import open_failure

LOCK_FILE = "server.lock"


class DataDirLock:
    """``lock = DataDirLock.acquire(data_dir)`` ... ``lock.release()``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        path = data_dir / LOCK_FILE
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise open_failure(path, exc) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise Unavailable(
                message=f"{data_dir}: the data directory is in use by another coho server (pid {holder}); "
                        f"stop it or give this server another data_dir",
                reason="REPOSITORY_LOCKED", metadata={"file": str(path), "holder_pid": holder}) from None
        except OSError as exc:
            os.close(fd)
            raise open_failure(path, exc) from exc
        # The pid is for the message above only (the lock itself is the flock), so a full disk may lose it.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Idempotent. The file stays: removing it would race a server that is just acquiring it."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
