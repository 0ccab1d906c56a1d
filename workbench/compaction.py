"""Compaction where nobody waits for it.

A change to the desk file appends to its log and never rewrites the snapshot (the desk is
opened with ``compact_on_write=False``): at 200,000 cases that rewrite takes 1-2 s, and
whoever happened to make the change would wait for it. Instead, once the log has grown
``compact_bytes`` (2 MB, about 1,700 changes) past the snapshot:

- a command that leaves the log so, or the terminal desk after a change, starts
  ``workbench compact --if-due`` in a process of its own, detached, and does not wait;
- ``workbench sweep`` (the periodic job) compacts before it returns;
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

import subprocess
import sys
from typing import TYPE_CHECKING

from workbench.store.base import Store
from workbench.store.filestore import FileStore

if TYPE_CHECKING:
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
        [sys.executable, "-m", "workbench", "compact", "--if-due", "--db", store.location],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
