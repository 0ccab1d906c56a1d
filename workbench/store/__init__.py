"""Persistence: the :class:`Store` protocol, the durable desk file, and its doctor.

>>> store = open_store("/tmp/desk.json")          # doctest: +SKIP
>>> with store.transaction() as tx:                # doctest: +SKIP
...     number = tx.next_number("cases")
...     tx.put("cases", f"C-{number}", {...})
...     tx.append_event({...})

Only this package touches TinyDB. See ``docs/architecture.md`` ("Storage") for the design.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import StoreError, StoreLocked
from workbench.store.base import DEFAULT_LOCK_TIMEOUT, KINDS, Store, Transaction

if TYPE_CHECKING:
    from workbench.daemon.kept import InCommand
    from workbench.store.doctor import DoctorReport
    from workbench.store.filestore import FileStore
    from workbench.store.memory import MemoryStore

APP_NAME = "case-workbench"
POSTGRES_PREFIXES = ("postgresql://", "postgres://", "service=")
IMPORTED_WHEN_ASKED = {
    "FileStore": "workbench.store.filestore",
    "MemoryStore": "workbench.store.memory",
    "DoctorReport": "workbench.store.doctor",
}
"""Names this package gives out, each imported from its module the first time it is asked
for: a desk in PostgreSQL never loads the desk file's modules (TinyDB, the snapshot, the
log, the lock: about 30 ms of every command's start), a desk file never loads psycopg."""


kept_desks: InCommand | None = None
"""In a command a desk server forked, the desk files it keeps open for its commands
(:mod:`workbench.daemon.kept`): :func:`open_store` is handed one still as on disk."""


def __getattr__(name: str) -> Any:
    if name in IMPORTED_WHEN_ASKED:
        return getattr(importlib.import_module(IMPORTED_WHEN_ASKED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_postgres(target: str | os.PathLike[str] | None) -> bool:
    """Whether ``--db`` / ``WORKBENCH_DB`` names a desk in PostgreSQL (a URL or a libpq
    service) rather than a desk file."""
    return isinstance(target, str) and target.startswith(POSTGRES_PREFIXES)


def default_path() -> Path:
    """The desk used when no ``--db`` / ``WORKBENCH_DB`` is given: ``desk.json`` in the
    user's data directory (``~/.local/share/case-workbench`` on Linux)."""
    import platformdirs  # only when no desk is named: 10 ms of every start otherwise

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "desk.json"


def open_store(
    path: str | os.PathLike[str] | None = None, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Store:
    """Open the desk at ``path`` (:func:`default_path` when ``None``): a desk file, or a
    desk in PostgreSQL when ``path`` is a ``postgresql://`` URL or a libpq
    ``service=NAME`` (see :mod:`workbench.store.pgstore`; imported only then).

    A desk file that does not exist yet is empty; its files appear with its first change.
    Customers an older Case Workbench wrote are brought to today's shape
    (:mod:`workbench.store.upgrade`). An older desk file is migrated here, after a backup
    copy is written beside it (``FileStore.migrated_backup`` says where). Raises
    :class:`StoreError` naming the file and the problem for a damaged or newer desk, and
    :class:`StoreLocked` when migrating needs the writer lock and another process keeps it
    past ``lock_timeout``.

    No change made through it rewrites the snapshot, so nobody waits for that: the
    snapshot is rewritten where nobody waits (``workbench compact``, which a command or the
    terminal desk starts in the background once the log has grown ``compact_bytes`` past
    the snapshot, and the sweep; see :mod:`workbench.compaction`).
    """
    if is_postgres(path):
        from workbench.store.pgstore import PostgresStore

        store: Store = PostgresStore(str(path), lock_timeout=lock_timeout)
    else:
        from workbench.store.filestore import FileStore

        target = os.fspath(default_path() if path is None else path)
        kept = kept_desks.hand_over(target, lock_timeout) if kept_desks is not None else None
        store = kept or FileStore(target, lock_timeout=lock_timeout, compact_on_write=False)
        if kept is None and kept_desks is not None:
            kept_desks.opened(store.path)
    from workbench.store.upgrade import upgrade_customers

    try:
        upgrade_customers(store)
    except BaseException:
        store.close()
        raise
    return store


__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "KINDS",
    "DoctorReport",
    "FileStore",
    "MemoryStore",
    "Store",
    "StoreError",
    "StoreLocked",
    "Transaction",
    "default_path",
    "is_postgres",
    "open_store",
]
