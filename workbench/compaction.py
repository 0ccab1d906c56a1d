"""Compaction where nobody waits for it.

A change to the desk file appends to its log and never rewrites the snapshot (the desk is
opened with ``compact_on_write=False``): at 200,000 cases that rewrite takes 1-2 s, and
whoever happened to make the change would wait for it. Instead, once the log has grown
``compact_bytes`` (2 MB, about 1,700 changes) past the snapshot:

- a command that leaves the log so, or the terminal desk after a change, starts
  ``workbench compact --if-due`` in a process of its own, detached, and does not wait;
- ``workbench sweep`` (the periodic job) compacts before it returns;
- ``workbench run`` (the service) starts ``workbench compact --if-due`` in a process of its
  own after a sweep that left it due (and once at its start), one at a time, logs how it
  ended, and goes on sweeping and notifying meanwhile (:class:`Compactions`);
- ``workbench compact`` does it at once.

So the log past the snapshot stays near 2 MB (what opening replays), and the snapshot
stays one compaction behind at most. The compaction itself takes the writer lock only to
put the new files in place (:meth:`FileStore.compact` writes them first, from the desk as
read): a change made meanwhile does not wait, and is replayed after the new snapshot. The
log itself is the desk's history and only grows (≈ 1.2 KB a change): :mod:`workbench.store`
never shortens it.

Each of them also keeps the plugins' tallies (:mod:`workbench.store.tallies`) counted beside
the snapshot: a compaction carries them over, and :func:`compact_desk` counts them afresh
where none are kept for what the plugins now declare (a desk written by older code, a plugin
that changed a tally), so a rule counting sent cases (ZOHO-HOWTO-1) reads no case.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

from workbench.store.base import Store
from workbench.store.filestore import FileStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from workbench.desk import Desk


def compact_desk(desk: Desk, if_due: bool = False) -> bool:
    """Compact ``desk``'s file (only when due, with ``if_due``) and keep its tallies counted
    for the tallies its plugins declare; returns whether the snapshot was rewritten. Nothing
    for a store that is not a desk file (a database counts by itself)."""
    store = desk.store
    if not isinstance(store, FileStore):
        return False
    compacted = store.compact(if_due=if_due)
    store.keep_tallies([tally.definition() for tally in desk.tallies().values()])
    return compacted


def compact_in_background(
    store: Store, running: subprocess.Popen[bytes] | None = None
) -> subprocess.Popen[bytes] | None:
    """Start ``workbench compact --if-due`` for ``store``'s desk file in a detached process
    when its log has grown past the snapshot; return that process (``running``, while the
    one started before has not ended, instead of starting another). Nothing for a store
    that is not a desk file."""
    if running is not None and running.poll() is None:
        return running
    if not isinstance(store, FileStore) or not store.compaction_due():
        return None
    return subprocess.Popen(
        compact_command(store),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def compact_command(store: FileStore) -> list[str]:
    """``workbench compact --if-due`` for ``store``'s desk file, as a process of its own."""
    return [sys.executable, "-m", "workbench", "compact", "--if-due", "--db", store.location]


STOP_SECONDS = 10.0
"""How long a stopping service waits for the compaction it stopped to end."""


class Compactions:
    """The compactions of a long-running service (``workbench run``): each in a process of
    its own, ``workbench compact --if-due``, so that the service's sweeps, mail and
    notifications never wait on the snapshot being rewritten (1-2 s at 200,000 cases in a
    process of its own, where it would hold the process's writer mutex). At most one at a
    time; each one's end is logged in words as soon as it comes (``log``), with its exit
    status and what it said when it failed.

    :meth:`stop` ends a compaction still running when the service stops (SIGTERM) and
    waits for it: its new snapshot is written beside the desk and put in place by a rename,
    so a compaction ended midway leaves the desk as it was before it (its temporary file is
    removed by the next compaction), never half a snapshot; none is left running alone."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.process: subprocess.Popen[str] | None = None
        self._watcher: threading.Thread | None = None
        self._started = False
        self._stopping = False

    def after_sweep(self, store: Store) -> None:
        """Start a compaction when the desk file's log has grown past its snapshot, or at
        the service's first sweep (which also counts the tallies a desk written by older
        code lacks), unless one is running."""
        if not isinstance(store, FileStore) or self.running():
            return
        if self._started and not store.compaction_due():
            return
        self._started = True
        try:
            self.process = subprocess.Popen(
                compact_command(store),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,
            )
        except OSError as error:
            self.log(f"compaction not started, tried again after the next sweep: {error}")
            self._started = False
            return
        self.log(f"compacting {store.location} in process {self.process.pid}")
        self._watcher = threading.Thread(target=self._watch, args=(self.process,), daemon=True)
        self._watcher.start()

    def running(self) -> bool:
        return self._watcher is not None and self._watcher.is_alive()

    def _watch(self, process: subprocess.Popen[str]) -> None:
        said, _ = process.communicate()
        lines = [line for line in said.splitlines() if line.strip()]
        if process.returncode == 0:
            self.log(f"compaction (process {process.pid}) ended: {' '.join(lines) or 'done'}")
        elif self._stopping:
            self.log(
                f"compaction (process {process.pid}) stopped with the service: its snapshot is put "
                "in place whole or not at all, so the desk is as it was before it; the next one "
                "starts afresh"
            )
        else:
            self.log(
                f"compaction (process {process.pid}) failed (exit status {process.returncode}), tried "
                f"again after the next sweep: {' / '.join(lines[-3:]) or 'it said nothing'}"
            )

    def stop(self) -> None:
        """End a compaction still running (SIGTERM to its process) and wait for it."""
        if not self.running() or self.process is None:
            return
        self._stopping = True
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        if self._watcher is not None:
            self._watcher.join(STOP_SECONDS)
        if self._watcher is not None and self._watcher.is_alive():
            self.process.kill()
            self._watcher.join()
