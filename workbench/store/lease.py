"""The sweeper's lease: one process sweeps a desk on a schedule at a time (``workbench run``,
a terminal desk's scheduled sweep). The lease dies with its holder: on the desk file an
``flock`` on ``<desk>.sweeper`` (the kernel drops it when the process ends, even killed); in
PostgreSQL a session advisory lock (dropped with the connection). A sweep taken by hand
(``workbench sweep``, ``S``) needs no lease: the sweep is idempotent, so two at once record
each action once."""

from __future__ import annotations

import fcntl
import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class Lease(Protocol):
    """Held by one sweeper of a desk at a time."""

    def take(self) -> bool:
        """Take the lease if nobody holds it; whether it is now held (never waits)."""

    def release(self) -> None:
        """Give the lease up (nothing when not held)."""

    def holder(self) -> str:
        """Who holds the lease, in words (for the sweeper that waits for it)."""


class FileLease:
    """An ``flock`` on a file beside the desk file; the file says who took it last."""

    def __init__(self, desk_path: str) -> None:
        self.path = Path(desk_path + ".sweeper")
        self._fd: int | None = None

    def take(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        since = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"


class ProcessLease:
    """A lease within one process (the in-memory desk of the tests and the demo)."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._held = False

    def take(self) -> bool:
        if not self._held:
            self._held = self._lock.acquire(blocking=False)
        return self._held

    def release(self) -> None:
        if self._held:
            self._lock.release()
            self._held = False

    def holder(self) -> str:
        return "another sweeper of this process"
