"""The desk files a desk server keeps open for the commands it forks.

Opening a desk file reads its snapshot's tables, its log's tail, and (on first need) the
closed cases' index, the kept tallies and the event index: at 200,000 cases that is most of
a ``case show``. So the server keeps open, read and current, the desks its commands open:

- a command that opens a desk file itself says so on a pipe to the server
  (:meth:`InCommand.opened`); once no command is running, the server opens that desk too,
  never writing to it (an older desk is left to the next command to migrate), reads ahead
  what a command reads on first need (:meth:`FileStore.read_ahead`) and keeps it, at most
  :data:`KEPT_DESKS` desks, the least recently used going first;
- a command forked after that is handed the server's copy by ``open_store``
  (:meth:`InCommand.hand_over`) only when the desk's files are still the ones read
  (:meth:`FileStore.as_read`: the same snapshot, index and tallies, and the same log with
  the same bytes where the reading ended); it then reads what other processes appended to
  the log since, as a terminal desk does (:meth:`FileStore.refresh`). Anything else — a
  compaction, a migration, an import, a restore from a backup, a desk removed — and the
  command opens the desk itself, as it would without a server;
- while no command runs, the server reads what was appended to each desk it keeps and opens
  again those whose files changed; a desk it can no longer read is let go.

The command's copy is its own (a fork): what it reads or writes never reaches the server's,
which only ever reads the files. Every read of a descriptor the server shares with its
commands is a ``pread``: no file offset moves.
"""

from __future__ import annotations

import contextlib
import gc
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.store.filestore import FileStore

KEPT_DESKS = 4
"""How many desks one server keeps open (each takes the memory its open records need)."""
OPENED = b"O"
HANDED_OVER = b"H"
END = b"\0"


class KeptDesks:
    """The server's side: the desks it keeps and the pipe its commands report on."""

    def __init__(self) -> None:
        self.stores: dict[str, FileStore] = {}
        """By path, the least recently used first."""
        self.wanted: list[str] = []
        """Desks commands opened themselves since the server last looked."""
        self.handed_over = 0
        self.reports, self.reporting = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def read_reports(self) -> None:
        """What the commands said: desks they opened, desks they were handed."""
        data = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(self.reports, 1 << 16):
                data += chunk
        for message in data.split(END):
            path = os.fsdecode(message[1:])
            if message[:1] == OPENED and path not in self.wanted:
                self.wanted.append(path)
            elif message[:1] == HANDED_OVER:
                self.handed_over += 1
                if path in self.stores:
                    self.stores[path] = self.stores.pop(path)  # the most recently used

    def keep_current(self) -> None:
        """Open the desks wanted, read what was appended to those kept, open again those
        whose files changed; let go of any that cannot be read. Runs while no command does:
        the server does nothing else meanwhile."""
        changed = False
        for path, store in list(self.stores.items()):
            if _brought_up_to_date(store):
                continue
            changed = True
            self._let_go(path)
            if path not in self.wanted:
                self.wanted.append(path)
        wanted, self.wanted = self.wanted, []
        for path in wanted:
            changed |= self._open(path)
        if changed:
            gc.collect()
            gc.freeze()  # the commands never walk the kept desks' objects

    def _open(self, path: str) -> bool:
        from workbench.store.filestore import FileStore
        from workbench.store.upgrade import older_customers_possible

        if path in self.stores:
            return False
        try:
            store = FileStore(path, compact_on_write=False, migrate=False)
        except Exception:  # see _brought_up_to_date: a command opening the desk says why
            return False
        try:
            older_customers_possible(store)  # asked by each command: answered before the tables are parsed
            store.read_ahead()
            kept = store.desk_id() is not None
        except Exception:  # as above
            kept = False
        if not kept:
            _close(store)
            return False
        self.stores[path] = store
        while len(self.stores) > KEPT_DESKS:
            self._let_go(next(iter(self.stores)))
        return True

    def _let_go(self, path: str) -> None:
        gc.unfreeze()  # what the closed store held is collected with the rest
        _close(self.stores.pop(path))

    def descriptors(self) -> list[int]:
        """What a command keeps open of the server's: the kept desks' files and the pipe."""
        found = [self.reporting]
        for store in self.stores.values():
            found += store.descriptors()
        return found

    def described(self) -> list[dict[str, object]]:
        return [{"path": path, "read_to": store.desk_version()} for path, store in self.stores.items()]

    def in_command(self) -> InCommand:
        """In a command the server forked: its view of the kept desks."""
        return InCommand(dict(self.stores), self.reporting)


class InCommand:
    """A command's side: the desks it may be handed, and the pipe to say what it opened."""

    def __init__(self, stores: dict[str, FileStore], reporting: int) -> None:
        self.stores = stores
        self.reporting = reporting
        self.handed: list[object] = []
        """What the desks handed over hold in memory, kept to the command's end (it ends
        with ``os._exit``): freed, it would be copied from the server page by page."""

    def hand_over(self, path: str, lock_timeout: float) -> FileStore | None:
        """The server's copy of the desk file at ``path`` brought up to date, when its files
        are still the ones the server read; ``None``: the command opens the desk itself."""
        store = self.stores.pop(os.path.abspath(path), None)
        if store is None:
            return None
        try:
            current = store.as_read()
            if current:
                store.refresh()
        except Exception:  # opening the desk afresh says what is wrong with it, as it would
            current = False
        if not current:
            _close(store)
            return None
        store.lock_timeout = lock_timeout
        self.handed.append(store.in_memory())
        self._report(HANDED_OVER, store.path)
        return store

    def opened(self, path: str) -> None:
        """The command opened the desk file at ``path`` itself: the server may keep it."""
        self._report(OPENED, path)

    def _report(self, what: bytes, path: str) -> None:
        message = what + os.fsencode(path) + END
        if len(message) <= 4096:  # written whole or not at all (PIPE_BUF)
            with contextlib.suppress(OSError):
                os.write(self.reporting, message)


def _brought_up_to_date(store: FileStore) -> bool:
    """Whether ``store``'s files are still those it read, what was appended to its log read
    (and read ahead). Any failure only means the copy is let go: a kept desk is a copy the
    server may always drop, and a command that opens the desk itself names what is wrong."""
    try:
        if not store.as_read():
            return False
        if store.refresh():
            store.read_ahead()
        return store.as_read()
    except Exception:  # a copy the server may always drop
        return False


def _close(store: FileStore) -> None:
    with contextlib.suppress(Exception):
        store.close()
