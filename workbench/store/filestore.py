"""The durable desk: a TinyDB snapshot plus an append-only, checksummed log.

Files beside the desk path ``desk.json`` (copy them together):

``desk.json``         the snapshot (:mod:`.snapshot`): every record as of a point of the log
``desk.json.log``     the log (:mod:`.log`): every committed transaction and every event
``desk.json.lock``    the writer lock (``filelock``)
``desk.json.holder``  who took the writer lock last: pid, host, command, since when
``desk.json.damaged`` there once damage was found in the log (:mod:`.damage`): writers refuse
``desk.json.index``   where each closed case sits in the snapshot (:mod:`.closed_index`)
``desk.json.tallies`` the plugins' tallies of the snapshot's closed cases (:mod:`.tallies`)

A change appends one line to the log and fsyncs it: the cost does not grow with the desk.
Opening reads the snapshot and replays the log after it. Now and then (when the log has
grown by ``compact_bytes`` past the snapshot) a writer rewrites the snapshot atomically; the
log is never rewritten, so it is the desk's complete, append-only history.
"""

from __future__ import annotations

import errno
import os
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from workbench.errors import LogDamaged, StoreError, StoreLocked
from workbench.store.base import DEFAULT_LOCK_TIMEOUT, KINDS, Definition, Window
from workbench.store.closed_index import index_path
from workbench.store.damage import check_mark, damage_path, mark
from workbench.store.fileio import (
    PRIVATE_FILE,
    append_durably,
    check_regular,
    cut_back,
    fsync_directory,
    held_open,
    make_private_folder,
    move_into_place,
    open_regular,
    put_in_place,
    replace_atomically,
    temporary_files,
    write_beside,
)
from workbench.store.log import (
    LOG_SCHEMAS,
    CheckedLines,
    Entry,
    encode_header,
    encode_transaction,
    iter_events,
    line_start,
    log_path,
    read_event,
    read_header,
    scan_file,
)
from workbench.store.snapshot import (
    CLOSED,
    SCHEMA,
    ScratchTable,
    Snapshot,
    read_snapshot,
    snapshot_checkpoint,
    snapshot_checksum,
    write_snapshot_beside,
)
from workbench.store.staging import StagedTransaction, WriterMutex, check_kind, plain
from workbench.store.state import DeskState
from workbench.store.tallies import carried, counted, encode_tallies, tallies_path

if TYPE_CHECKING:
    from filelock import FileLock

    from workbench.store.lease import FileLease
    from workbench.store.loading import DeskLoader

DEFAULT_COMPACT_BYTES = 2 << 20
"""Log bytes past the snapshot that make the next writer rewrite the snapshot first; also
bounds what opening the desk has to replay."""
_LOCK_POLL = 0.002
_HOLDER_BYTES = 1024
_READ_ATTEMPTS = 3


def holder_path(path: str) -> str:
    return path + ".holder"


def lock_path(path: str) -> str:
    return path + ".lock"


def desk_files(path: str) -> list[str]:
    """Every file of the desk at ``path``."""
    return [
        path,
        log_path(path),
        lock_path(path),
        holder_path(path),
        index_path(path),
        tallies_path(path),
        damage_path(path),
    ]


def describe_holder(path: str) -> str:
    """Who holds (or last held) the writer lock of the desk at ``path``, in words."""
    try:
        fd = open_regular(holder_path(path), os.O_RDONLY)
        try:
            holder = orjson.loads(os.pread(fd, _HOLDER_BYTES, 0))
        finally:
            os.close(fd)
        return (
            f"pid {holder['pid']} on {holder['host']} running `{holder['command']}` (since {holder['since']})"
        )
    except (OSError, StoreError, orjson.JSONDecodeError, KeyError, TypeError):
        return f"another process (no holder details in {holder_path(path)})"


class FileStore:
    """One desk on disk; see the module docstring for its files.

    Readers take no lock: several processes (a TUI, scripts) may have the desk open;
    :meth:`refresh` picks up what the others wrote. Writers take the lock for the span of
    a transaction and catch up with the log before the transaction sees anything.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        compact_bytes: int = DEFAULT_COMPACT_BYTES,
        compact_on_write: bool = True,
        migrate: bool = True,
    ) -> None:
        """``compact_on_write=False``: a change never rewrites the snapshot itself, however
        far the log has grown past it; :meth:`compaction_due` says when :meth:`compact`
        should run, where nobody waits for it (the application's desk is opened so).
        ``migrate=False``: an older desk is refused (:class:`StoreError`) instead of
        migrated, for a reader that must never write (the desk server)."""
        self.path = os.path.abspath(os.fspath(path))
        self.location = self.path
        self.log_path = log_path(self.path)
        self.lock_timeout = lock_timeout
        self.compact_bytes = compact_bytes
        self.compact_on_write = compact_on_write
        self.migrate = migrate
        self._lock: FileLock | None = None
        """The writer lock, made when first taken: a command that only reads never imports
        ``filelock`` (25 ms of its start)."""
        self._writer = WriterMutex()
        self._fd: int | None = None
        self._closed = False
        self._state: DeskState | None = None
        """``None`` until the desk's first change creates its files."""
        self._log_id: tuple[int, int] | None = None
        """(device, inode) of the log read, to notice it being replaced."""
        self.migrated_backup: str | None = None
        """Where the copy of the old file went, when opening migrated an older desk."""
        self._checked = CheckedLines()
        self._damage: StoreError | None = None
        """Damage found in the log: every later transaction is refused with it."""
        self._read_as: FilesAsRead | None = None
        """The files as :meth:`read_ahead` found them, for :meth:`as_read`."""
        for name in desk_files(self.path):
            check_regular(name)
        self._load()

    def sweeper_lease(self) -> FileLease:
        """The lease of the desk's one scheduled sweeper: an ``flock`` on ``<desk>.sweeper``
        (:mod:`workbench.store.lease`, imported only here: ``socket`` is 4 ms of a start)."""
        from workbench.store.lease import FileLease

        return FileLease(self.path)

    # -- reading ------------------------------------------------------------------------

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        check_kind(kind)
        record = self._state.get(kind, key) if self._state else None
        return plain(record) if record is not None else None

    def all(
        self,
        kind: str,
        *,
        closed: bool = True,
        match: dict[str, Any] | None = None,
        within: Window | None = None,
    ) -> list[dict[str, Any]]:
        check_kind(kind)
        return self._state.all(kind, closed, match, within) if self._state else []

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        self._check_open()
        state, fd = self._state, self._fd
        if state is None or fd is None:
            return []
        if kind is None and key is None:
            return list(self.iter_events())
        if kind is not None:
            check_kind(kind)
        kinds = [kind] if kind is not None else KINDS
        found = sorted(chain.from_iterable(state.event_offsets(k, key) for k in kinds))
        for offset in found:
            self._check_line(fd, offset)
        return [read_event(fd, offset, self.log_path) for offset in found]

    def may_mention(self, kind: str, words: Iterable[str]) -> bool:
        """Whether a record of ``kind`` may hold one of ``words`` (a field's name, a text):
        ``False`` only when certainly none does, told without parsing a table that nothing
        has read yet (:meth:`DeskState.may_mention`)."""
        check_kind(kind)
        return self._state.may_mention(kind, words) if self._state else False

    def desk_id(self) -> str | None:
        """The desk's id (shared by its snapshot and its log; a copy made by import or
        migration gets a new one); ``None`` before its first change."""
        return self._state.desk if self._state else None

    def record_versions(self, kind: str, keys: list[str]) -> dict[str, int]:
        """For each record, a number that changes whenever an event of it is added: the log
        offset of its last event (the log is append-only), 0 for a record without events.
        Found in the event index; no event is read."""
        check_kind(kind)
        state = self._state
        if state is None:
            return {}
        return {key: max(state.event_offsets(kind, key), default=0) for key in keys}

    def desk_version(self) -> int:
        """A number that changes whenever anything is written to the desk: the log offset
        past its last transaction, as this store has read it."""
        return self._state.end if self._state else 0

    def kept_path(self, name: str) -> str:
        """Where a cache of this desk named ``name`` is kept: beside the desk file
        (``desk.json.deadlines``), not one of the desk's files (see :func:`desk_files`)."""
        return f"{self.path}.{name}"

    def tally(self, definition: Definition, sent_within: tuple[datetime, datetime]) -> int:
        return self._state.tally(definition, *sent_within) if self._state else 0

    def closed_index_in_use(self) -> bool:
        """Whether the closed cases are found through the snapshot's index (there is one,
        written for this very snapshot; see :mod:`.closed_index`)."""
        snapshot = self._state.closed.snapshot if self._state else None
        return snapshot is not None and snapshot.closed_index() is not None

    def iter_events(self) -> Iterator[dict[str, Any]]:
        self._check_open()
        state, fd = self._state, self._fd
        if state is None or fd is None:
            return iter(())
        return self._checked_events(iter_events(fd, state.start, state.end, self.log_path))

    def _checked_events(self, events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``events`` as read; damage found on the way stops every later write."""
        try:
            yield from events
        except LogDamaged as error:
            self._damage = error
            mark(self.path, error)
            raise

    def iter_all(self, kind: str) -> Iterator[dict[str, Any]]:
        check_kind(kind)
        return self._state.iter_all(kind) if self._state else iter(())

    def counters(self) -> dict[str, int]:
        return dict(self._state.counters) if self._state else {}

    def refresh(self) -> bool:
        """Pick up what other processes wrote (cheap when nothing changed: one ``stat``).
        Returns ``False`` at once while a transaction runs in this process: that
        transaction catches up itself, and a screen must not wait for it."""
        self._check_open()
        with self._writer.hold_if_free() as free:
            return free and self._catch_up()

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[StagedTransaction]:
        self._check_open()
        if self._damage is not None:
            raise self._damage
        with self._writer.hold(self.location), self._locked():
            self._prepare_write()
            if self._fd is not None:
                check_mark(self.path, self._fd, self.log_path)
            state = self._state
            tx = StagedTransaction(
                state.get if state else lambda kind, key: None,
                state.counters if state else {},
                state.last_event_id if state else 0,
            )
            try:
                yield tx
            finally:
                tx.close()
            if tx.changed:
                self._check_history(tx)
                self._commit(tx)

    def _check_line(self, fd: int, offset: int) -> None:
        """Verify the log line of the event at ``offset``; damage stops every later write."""
        try:
            self._checked.check(fd, offset, self.log_path)
        except LogDamaged as error:
            self._damage = error
            mark(self.path, error)
            raise

    def _check_history(self, tx: StagedTransaction) -> None:
        """Before a change is appended to a record's history, that history is checked: a
        change never goes on top of a damaged past."""
        state, fd = self._state, self._fd
        if state is None or fd is None:
            return
        for kind, key in tx.puts:
            for offset in state.event_offsets(kind, key):
                self._check_line(fd, offset)

    def compaction_due(self) -> bool:
        """Whether the log has grown ``compact_bytes`` past the snapshot on disk (whoever
        wrote it): opening the desk would replay that much."""
        state = self._state
        if state is None:
            return False
        return state.end - max(state.checkpoint, snapshot_checkpoint(self.path)) > self.compact_bytes

    def compact(self, if_due: bool = False) -> bool:
        """Rewrite the snapshot (and its index) so that opening the desk replays no log;
        with ``if_due``, only when :meth:`compaction_due`. Returns whether it rewrote it.

        The new files are written from the desk as of the end of the log, *without* the
        writer lock: a change made meanwhile is appended to the log as always, past the
        point the new snapshot covers, and opening the desk replays it. The lock is taken
        only to put the files in place (renames), and not even that when another
        compaction put a snapshot there covering more of the log (checked under the lock).
        Nothing else happens under it: the renames are made durable (the folder fsynced) and
        the replaced files freed once it is released, so a change waits for three renames at
        most. Should a crash lose a rename, the files put in place before it and the log
        still make the same desk (the index and the tallies name the snapshot they belong to)."""
        self._check_open()
        with self._writer.hold(self.location):
            self._catch_up()
            state = self._state
            if state is None or (if_due and not self.compaction_due()):
                return False
            written: Snapshot | None = None
            beside: dict[str, str] = {}
            try:
                for leftover in temporary_files(self.path):
                    with suppress(FileNotFoundError):
                        os.unlink(leftover)
                written, lines, tallies = self._snapshot_beside(state)
                beside[index_path(self.path)] = write_beside(index_path(self.path), lines)
                if tallies is not None:
                    beside[tallies_path(self.path)] = write_beside(tallies_path(self.path), tallies)
                with ExitStack() as replaced:
                    with self._locked():
                        if not self._newer_than_on_disk(state.end):
                            return False
                        for target in (self.path, *beside):
                            replaced.enter_context(held_open(target))
                        move_into_place(written.path, self.path)
                        written.path = self.path
                        while beside:
                            target, temporary = beside.popitem()
                            move_into_place(temporary, target)
                    fsync_directory(os.path.dirname(self.path))
            except OSError as error:
                raise StoreError(f"{self.path}: cannot rewrite the snapshot ({error})") from error
            finally:
                if written is not None and written.path != self.path:
                    written.close()
                    with suppress(FileNotFoundError):
                        os.unlink(written.path)
                for temporary in beside.values():
                    with suppress(FileNotFoundError):
                        os.unlink(temporary)
            written.set_closed_index(b"".join(lines))
            written.set_kept_tallies(b"".join(tallies) if tallies is not None else None)
            state.rebase(written)
            return True

    def keep_tallies(self, definitions: list[Definition]) -> bool:
        """Count ``definitions`` (the tallies the plugins declare) over the snapshot's
        closed cases and keep them beside it (:mod:`.tallies`), unless exactly these are kept
        already; returns whether it counted. Reads every closed case once: it runs where
        nobody waits (``workbench compact``, the sweep, after an import), for a desk whose
        tallies were never counted or whose plugins now define them otherwise. Compaction
        carries kept tallies over without reading the closed cases again."""
        self._check_open()
        wanted = {definition["name"]: definition for definition in definitions}
        with self._writer.hold(self.location):
            self._catch_up()
            snapshot = self._state.closed.snapshot if self._state is not None else None
            if not wanted or snapshot is None:
                return False
            kept = snapshot.kept_tallies()
            if kept is not None and kept.definitions == wanted:
                return False
            checksum = snapshot.meta["checksum"]
            entries = (counted(wanted, key, record) for key, record in snapshot.iter_closed())
            lines = encode_tallies(self._state.desk, checksum, wanted, filter(None, entries))
            try:
                temporary = write_beside(tallies_path(self.path), lines)
                try:
                    with self._locked():
                        if snapshot_checksum(self.path) != checksum:
                            return False  # compacted meanwhile: the next one carries them on
                        put_in_place(temporary, tallies_path(self.path))
                finally:
                    with suppress(FileNotFoundError):
                        os.unlink(temporary)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot keep the tallies ({error})") from error
            snapshot.set_kept_tallies(b"".join(lines))
            return True

    def _newer_than_on_disk(self, end: int) -> bool:
        """Under the lock: whether a snapshot covering the log up to ``end`` is at least as
        new as the one on disk, for the same log (not replaced since it was read)."""
        try:
            found = os.stat(self.log_path)
        except FileNotFoundError:
            return False
        same_log = self._log_id == (found.st_dev, found.st_ino) and found.st_size >= end
        return same_log and snapshot_checkpoint(self.path) <= end

    @contextmanager
    def load_new_desk(self, tallies: list[Definition] | None = None) -> Iterator[DeskLoader]:
        """A loader writing a whole new desk beside this one (an import), which becomes this
        desk when the block ends without raising; this desk must hold no change then. The
        files are written without the writer lock (they are nobody else's), which is taken
        only to check that the desk is still empty and to put them in place. With
        ``tallies`` their counts are kept beside the new snapshot (:meth:`keep_tallies`)."""
        from workbench.store.loading import DeskLoader, temporary_desk  # an import's only

        self._check_open()
        try:
            loader = DeskLoader(temporary_desk(self.path), tallies)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot write the new desk ({error})") from error
        try:
            yield loader
            if not loader.finished:
                loader.finish()
            with self._writer.hold(self.location), self._locked():
                self._catch_up()
                if self._state is not None and self._state.seq > 0:
                    raise StoreError(
                        f"{self.path} already holds data: a new desk is loaded only into an empty one"
                    )
                loader.put_in_place(self.path)
                self._load()
        except OSError as error:
            raise StoreError(f"{self.path}: the new desk was not written ({error})") from error
        finally:
            loader.discard()

    def close(self) -> None:
        self._set(None, None)
        self._closed = True

    # -- kept open for other processes --------------------------------------------------

    def read_ahead(self) -> None:
        """Read now what a command reads on first need (every table of records and its index
        by customer, the closed cases' index, the kept tallies, the event index:
        :meth:`DeskState.read_ahead`) and note the files as read (:meth:`as_read`): for a
        desk server that keeps the desk open for the commands it forks
        (:mod:`workbench.daemon.kept`), so that each starts with them in memory."""
        self._check_open()
        self._read_as = None
        state, fd = self._state, self._fd
        if state is None or fd is None:
            return
        beside = _identities([index_path(self.path), tallies_path(self.path)])
        state.read_ahead()
        snapshot = state.closed.snapshot
        read = _identity(os.fstat(snapshot.fd)) if snapshot is not None and snapshot.fd is not None else None
        end = state.end
        start = line_start(fd, end - 1) if end else 0
        self._read_as = FilesAsRead(read, beside, self._log_id, end, start, self._last_line(start, end))

    def as_read(self) -> bool:
        """Whether the desk's files are still those :meth:`read_ahead` read: the same
        snapshot, closed cases' index and kept tallies (device, inode, size, times), and the
        same log, holding the same bytes where this store's reading ended (it may have grown
        since: :meth:`refresh` reads the rest). A compaction, a migration, an import or a
        restore from a backup (renamed or copied over) changes one of them."""
        if self._read_as is None or self._state is None or self._fd is None:
            return False
        read = self._read_as
        try:
            snapshot_now = _identity(os.stat(self.path))
            log_now = os.stat(self.log_path)
        except OSError:
            return False
        return (
            snapshot_now == read.snapshot
            and _identities([index_path(self.path), tallies_path(self.path)]) == read.beside
            and (log_now.st_dev, log_now.st_ino) == read.log
            and log_now.st_size >= read.end
            and self._last_line(read.last_line_start, read.end) == read.last_line
        )

    def in_memory(self) -> object:
        """What this store holds in memory, for a process that ends without freeing it: a
        command a desk server forked shares its copy's pages with the server, and freeing
        it object by object would copy every page (30 ms at 200,000 cases)."""
        return self._state

    def descriptors(self) -> list[int]:
        """The files this store holds open: its log and its snapshot."""
        snapshot = self._state.closed.snapshot if self._state is not None else None
        held = [self._fd, snapshot.fd if snapshot is not None else None]
        return [fd for fd in held if fd is not None]

    def _last_line(self, start: int, end: int) -> bytes:
        """The checksum and the last bytes of the log's line from ``start`` to ``end``."""
        assert self._fd is not None
        head = os.pread(self._fd, _CHECKSUM_BYTES, start)
        return head + os.pread(self._fd, _TAIL_BYTES, max(start, end - _TAIL_BYTES))

    # -- inside -------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path}: the store was closed")

    def _read_snapshot(self) -> Snapshot | None:
        """The snapshot, migrating an older desk first (under the writer lock)."""
        snapshot = read_snapshot(self.path)
        if snapshot is not None and snapshot.schema < SCHEMA:
            if not self.migrate:
                snapshot.close()
                raise StoreError(f"{self.path}: schema {snapshot.schema} is migrated by the next change")
            with self._locked():
                snapshot = read_snapshot(self.path)
                if snapshot is not None and snapshot.schema < SCHEMA:
                    from workbench.store.migrate import migrate  # an older desk's only

                    try:
                        backup = migrate(self.path, snapshot)
                    except OSError as error:
                        raise StoreError(
                            f"{self.path}: migrating to schema {SCHEMA} failed ({error}); the "
                            "desk file was not changed"
                        ) from error
                    self.migrated_backup = backup
                    snapshot = read_snapshot(self.path)
        return snapshot

    def _load(self) -> None:
        """Read the desk from disk (migrating an older one), replacing what is in memory."""
        snapshot = self._read_snapshot()
        if snapshot is None and self._log_has_changes():
            snapshot = self._read_snapshot()  # another process may just have created the desk
            if snapshot is None:
                raise StoreError(
                    f"{self.path} is missing but {self.log_path} holds changes: restore "
                    f"{os.path.basename(self.path)} from a backup; nothing was changed "
                    "(see `workbench doctor`)"
                )
        if snapshot is None:
            self._set(None, None)
            return
        try:
            fd = open_regular(self.log_path, os.O_RDONLY)
        except FileNotFoundError:
            snapshot.close()
            raise StoreError(
                f"{self.log_path} is missing: {self.path} cannot be opened without its log; "
                "nothing was changed (see `workbench doctor`)"
            ) from None
        try:
            header, start = read_header(fd, self.log_path)
            state = DeskState.from_snapshot(snapshot, start)
            if header["desk"] != state.desk or header["schema"] not in LOG_SCHEMAS:
                raise StoreError(
                    f"{self.path} and {self.log_path} belong to different desks (or versions); "
                    "was one of them restored from a backup alone? Nothing was changed."
                )
            if os.fstat(fd).st_size < state.checkpoint:
                raise StoreError(
                    f"{self.log_path} is shorter than {self.path} expects: the log was cut "
                    "short or replaced; nothing was changed (see `workbench doctor`)"
                )
            self._replay(state, fd)
        except BaseException:
            os.close(fd)
            snapshot.close()
            raise
        self._set(state, fd)

    def _set(self, state: DeskState | None, fd: int | None) -> None:
        if self._fd is not None:
            os.close(self._fd)
        if self._state is not None:
            self._state.close()
        self._state, self._fd, self._log_id = state, fd, None
        self._checked = CheckedLines()
        self._read_as = None
        if fd is not None:
            stat = os.fstat(fd)
            self._log_id = (stat.st_dev, stat.st_ino)

    def _log_has_changes(self) -> bool:
        """Whether a log exists with transactions in it (a log holding only its header is
        what an interrupted creation leaves, and is harmless)."""
        try:
            fd = open_regular(self.log_path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            _, start = read_header(fd, self.log_path)
            return os.fstat(fd).st_size > start
        finally:
            os.close(fd)

    def _replay(self, state: DeskState, fd: int) -> int:
        """Apply the log's transactions after ``state.end``; return how many there were.

        Readers hold no lock, so a writer may be cutting off a torn tail while we read;
        what looks like damage is read again before it is believed.
        """
        applied, attempt = 0, 1
        while True:
            try:
                for result in scan_file(fd, state.end, state.seq + 1, self.log_path):
                    for entry in result.entries:
                        self._checked.add(state.end, entry.end)  # its checksum was just verified
                        state.apply(entry)
                        applied += 1
                return applied
            except StoreError as error:
                if attempt == _READ_ATTEMPTS or (self._lock is not None and self._lock.is_locked):
                    if isinstance(error, LogDamaged):
                        mark(self.path, error)
                    raise
                attempt += 1
                time.sleep(0.05)

    def _catch_up(self) -> bool:
        """Bring memory up to date with the files; ``True`` when anything changed."""
        try:
            stat = os.stat(self.log_path)
        except FileNotFoundError:
            if self._state is None:
                return False
            raise StoreError(f"{self.log_path} has disappeared; see `workbench doctor`") from None
        check_regular(self.log_path)
        if self._state is None or self._fd is None or self._log_id != (stat.st_dev, stat.st_ino):
            before = (self._state.desk, self._state.seq) if self._state else None
            self._load()
            return (self._state.desk, self._state.seq) != before if self._state else False
        if stat.st_size < self._state.end:
            raise StoreError(
                f"{self.log_path} shrank below what was already read: changed outside Case "
                "Workbench; see `workbench doctor`"
            )
        return stat.st_size > self._state.end and self._replay(self._state, self._fd) > 0

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the writer lock, waiting at most ``lock_timeout`` seconds for it."""
        from filelock import FileLock, Timeout

        if self._lock is None:
            self._lock = FileLock(lock_path(self.path), thread_local=False, mode=PRIVATE_FILE)
        try:
            make_private_folder(os.path.dirname(self.path))
            check_regular(lock_path(self.path))
            self._lock.acquire(timeout=self.lock_timeout, poll_interval=_LOCK_POLL)
        except Timeout:
            raise StoreLocked(
                f"{self.path} is locked by {describe_holder(self.path)}; waited "
                f"{self.lock_timeout:g} s. Try again when it has finished."
            ) from None
        except OSError as error:
            raise StoreError(f"{self.path}: cannot take the writer lock ({error})") from error
        try:
            holder = {
                "pid": os.getpid(),
                "host": _host_name(),
                "command": " ".join(" ".join(sys.orig_argv).split())[:300],
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            try:
                # Overwritten in place, padded: truncating a file to zero and rewriting it
                # makes ext4 flush it on close (auto_da_alloc), as slow as an fsync.
                # Never through a symbolic link: it would overwrite whatever it points to.
                fd = open_regular(holder_path(self.path), os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW)
                try:
                    os.pwrite(fd, orjson.dumps(holder).ljust(_HOLDER_BYTES), 0)
                finally:
                    os.close(fd)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise StoreError(
                        f"{holder_path(self.path)} is a symbolic link: the lock holder is never "
                        "written through one (it would overwrite what it points to). Remove it."
                    ) from None
                raise StoreError(f"{self.path}: cannot record the lock holder ({error})") from error
            yield
        finally:
            self._lock.release()

    def _prepare_write(self) -> None:
        """Under the lock: catch up, cut off a torn tail, compact when the log has grown."""
        try:
            self._catch_up()
            state = self._state
            if state is None:
                return
            if os.stat(self.log_path).st_size > state.end:
                cut_back(self.log_path, state.end)  # a write that never reported success
            if self.compact_on_write and state.end - state.checkpoint > self.compact_bytes:
                self._write_snapshot(state)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot prepare the change ({error})") from error

    def _write_snapshot(self, state: DeskState) -> None:
        """Rewrite the snapshot, then the index of its closed cases beside it (under the
        lock, so temporary files left beside them are from a crashed writer and can go).
        Should the index fail to be written, the snapshot is new and the index names the
        old one: it is not used, and the next compaction writes both."""
        for leftover in temporary_files(self.path):
            with suppress(FileNotFoundError):
                os.unlink(leftover)
        snapshot, lines, tallies = self._snapshot_beside(state)
        try:
            put_in_place(snapshot.path, self.path)
        except BaseException:
            snapshot.close()
            raise
        snapshot.path = self.path
        replace_atomically(index_path(self.path), lines)
        snapshot.set_closed_index(b"".join(lines))
        if tallies is not None:
            replace_atomically(tallies_path(self.path), tallies)
        snapshot.set_kept_tallies(b"".join(tallies) if tallies is not None else None)
        state.rebase(snapshot)

    def _snapshot_beside(self, state: DeskState) -> tuple[Snapshot, list[bytes], list[bytes] | None]:
        """The snapshot of ``state`` written to a temporary file beside the desk, fsynced
        (see :func:`~workbench.store.snapshot.write_snapshot_beside`), with the lines of its
        closed cases' index and of its kept tallies (``None``: none are kept). The closed
        cases are carried from the last snapshot to this one as bytes, through a scratch
        file, and the event index too (:meth:`DeskState.record_tables`): at 200,000 cases the
        compaction holds 25 MB of index entries, not the 370 MB table nor the parsed index."""
        values = state.record_tables()
        closed = ScratchTable.beside(self.path, CLOSED)
        try:
            placed = state.closed.carry(closed)
            snapshot = write_snapshot_beside(self.path, state.meta(), values, closed)
        finally:
            closed.remove()
        try:
            start = snapshot.body + snapshot.meta["tables"][CLOSED][0]
            lines = placed.lines(state.desk, snapshot.meta["checksum"], start)
            return snapshot, lines, self._tally_lines(state, snapshot)
        except BaseException:
            snapshot.close()
            with suppress(FileNotFoundError):
                os.unlink(snapshot.path)
            raise

    def _tally_lines(self, state: DeskState, snapshot: Snapshot) -> list[bytes] | None:
        """The kept tallies of ``snapshot``, carried over from the previous one with the
        closed cases changed since (``None``: none were kept, so none are)."""
        previous = state.closed.snapshot.kept_tallies() if state.closed.snapshot is not None else None
        found = carried(previous, state.closed.changes)
        if found is None:
            return None
        definitions, entries = found
        return encode_tallies(state.desk, snapshot.meta["checksum"], definitions, entries)

    def _create(self) -> DeskState:
        """Write the files of a new, empty desk: the log first, the snapshot last, so a
        crash in between leaves a header-only log that the next attempt replaces."""
        desk = uuid.uuid4().hex
        header = encode_header(desk, SCHEMA)
        replace_atomically(self.log_path, [header])
        state = DeskState(desk=desk, start=len(header))
        self._write_snapshot(state)
        self._set(state, open_regular(self.log_path, os.O_RDONLY))
        return state

    def _commit(self, tx: StagedTransaction) -> None:
        try:
            state = self._state or self._create()
            head: dict[str, Any] = {
                "seq": state.seq + 1,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "counters": tx.counters,
                "events": tx.events.records,
                "last_event_id": tx.last_event_id,
            }
            line, offsets = encode_transaction(
                head, [(kind, key, record) for (kind, key), record in tx.puts.items()], tx.events
            )
            append_durably(self.log_path, line, state.end)
        except OSError as error:
            raise StoreError(f"{self.path}: the change was not saved ({error})") from error
        head["puts"] = []
        state.apply(Entry(head, [state.end + offset for offset in offsets], state.end + sum(map(len, line))))
        for (kind, key), record in tx.puts.items():
            state.put_json(kind, key, record, (kind, key) in tx.closing)


class FilesAsRead(NamedTuple):
    """A desk's files as :meth:`FileStore.read_ahead` found them."""

    snapshot: tuple[int, int, int, int, int] | None
    """(device, inode, size, mtime, ctime) of the snapshot read."""
    beside: list[tuple[int, int, int, int, int] | None]
    """The same of the closed cases' index and the kept tallies (``None``: none)."""
    log: tuple[int, int] | None
    """(device, inode) of the log read."""
    end: int
    """Where the reading of the log ended."""
    last_line_start: int
    """Where the last line read starts."""
    last_line: bytes
    """That line's checksum and last bytes."""


_CHECKSUM_BYTES = 8
_TAIL_BYTES = 64
"""How much of the end of the last line a kept store read is compared, with the line's
checksum, to the log on disk (a log copied over it in place differs there)."""


def _identity(found: os.stat_result) -> tuple[int, int, int, int, int]:
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _identities(paths: list[str]) -> list[tuple[int, int, int, int, int] | None]:
    found: list[tuple[int, int, int, int, int] | None] = []
    for path in paths:
        try:
            found.append(_identity(os.stat(path)))
        except FileNotFoundError:
            found.append(None)
    return found


def _host_name() -> str:
    """This machine's name, for the lock holder (``socket`` imported only by a writer)."""
    import socket

    return socket.gethostname()[:200]
