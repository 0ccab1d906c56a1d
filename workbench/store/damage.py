"""The damage mark (``desk.json.damaged``): once any process has found a line of the log
that fails its check, every writer of every process refuses to change the desk until that
line checks again (CORE-AUDIT-1: no change goes on top of history that cannot be believed).

The log is never read whole by a change (at 50,000 cases it is 333 MB), so damage is found
where history is read: a case shown, an export, the sweep, `workbench doctor`. Whoever finds
it writes this small file beside the desk; a writer looks for it under the writer lock (one
``stat`` when there is none). When the line at the marked offset passes its checksum again
(the log was put back from a copy), the mark is removed and writing goes on.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import orjson

from workbench.errors import LogDamaged, StoreError
from workbench.store.fileio import open_regular, replace_atomically
from workbench.store.log import check_line

_MARK_BYTES = 1 << 16


def damage_path(path: str) -> str:
    """The damage mark of the desk whose snapshot is at ``path``."""
    return path + ".damaged"


def mark(path: str, damage: LogDamaged) -> None:
    """Record ``damage`` beside the desk at ``path`` for every other process. A desk in a
    folder this process cannot write keeps its refusal in this process only."""
    found = {
        "offset": damage.offset,
        "message": str(damage),
        "found_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "found_by": f"pid {os.getpid()} running `{' '.join(' '.join(sys.orig_argv).split())[:300]}`",
    }
    try:
        replace_atomically(damage_path(path), [orjson.dumps(found)])
    except OSError:
        pass


def check_mark(path: str, fd: int, log: str) -> None:
    """Under the writer lock, before a change: refuse it while the desk is marked damaged
    and the marked line of the log (open as ``fd``) still fails its check; remove the mark
    once the line checks again."""
    try:
        mark_fd = open_regular(damage_path(path), os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        found = orjson.loads(os.pread(mark_fd, _MARK_BYTES, 0))
        offset = found["offset"]
        if type(offset) is not int or offset < 0:
            raise ValueError("no offset")
    except (orjson.JSONDecodeError, ValueError, KeyError, TypeError):
        raise StoreError(
            f"{damage_path(path)} marks the desk damaged but cannot be read: run `workbench doctor`; "
            "no change is saved until it says the desk is ok"
        ) from None
    finally:
        os.close(mark_fd)
    if offset < os.fstat(fd).st_size:
        try:
            check_line(fd, offset, log)
        except LogDamaged as damage:
            raise LogDamaged(
                f"{damage} (found {found.get('found_at')} by {found.get('found_by')}; "
                f"marked in {damage_path(path)})",
                damage.offset,
            ) from None
    os.unlink(damage_path(path))
