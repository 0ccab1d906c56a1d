"""A whole new desk written from a stream of records and events (an import), in bounded
memory, beside the desk it is meant for, and put in place only when it is whole.

:class:`DeskLoader` writes a desk file's three files under a temporary name: the log (its
header, then transactions of a few MB each, as :meth:`FileStore.transaction` writes
them), the closed cases as the snapshot's table (one per line, as they come), and at
:meth:`DeskLoader.finish` the snapshot and the closed cases' index. What it holds in memory
is the open work (a few thousand records), each record's event offsets and each closed
case's index entry: never the closed cases or the events themselves, so an import of
200,000 cases takes what one of 2,000 does plus those entries.

:func:`load_new_desk` is how a caller uses it for any store: on a desk file, the files
are written beside it and renamed into place under its writer lock (the log, then the
snapshot: until the snapshot is renamed the desk is the empty one it was); on another
store (PostgreSQL) the desk is written to a temporary folder and then copied into the
store in one transaction. Either way nothing reaches the desk when the block raises.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
import uuid
import zlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

import orjson

from workbench.store.base import KINDS, Definition, instant, is_closed
from workbench.store.closed_index import attributes, encode_index, index_path
from workbench.store.fileio import PRIVATE_FILE, fsync_directory, write_all
from workbench.store.log import EventsJSON, encode_header, encode_transaction, log_path
from workbench.store.snapshot import (
    CLOSED,
    HISTORY,
    SCHEMA,
    TABLES,
    ScratchTable,
    encode_meta,
    meta_of_line,
    table_parts,
)
from workbench.store.staging import check_kind, encode
from workbench.store.tallies import Counted, counted, encode_tallies, tallies_path

if TYPE_CHECKING:
    from workbench.store.base import Store

TRANSACTION_BYTES = 4 << 20
"""About how much of the records and events each transaction of the new log holds."""
TABLE_BLOCK = 256 << 10
"""How much of a snapshot table is gathered before it is written to its file."""


def _create(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd


_PLACE = struct.Struct("<QIIq")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _packed(start: int, length: int, crc: int, sent_at: Any) -> bytes | tuple[int, int, int, Any]:
    """A closed case's place, CRC and time sent in 24 bytes; as they are when ``sent_at``
    is not an instant as the desk stores it (its UTC ISO form, which unpacks the same)."""
    moment = instant(sent_at)
    if moment is None or moment.isoformat() != sent_at:
        return (start, length, crc, sent_at)
    return _PLACE.pack(start, length, crc, (moment - _EPOCH) // timedelta(microseconds=1))


def _encoded(value: dict[str, Any], kind: str, key: Any) -> bytes:
    """``value`` as JSON (:func:`~workbench.store.staging.encode`, whose ``TypeError`` names
    the record or event, worked out only when it is not JSON)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return encode(value, f"event {key}" if kind == "event" else f"{kind} record {key!r}")


def _unpacked(packed: bytes | tuple[int, int, int, Any]) -> tuple[int, int, int, Any]:
    if isinstance(packed, tuple):
        return packed
    start, length, crc, micros = _PLACE.unpack(packed)
    return start, length, crc, (_EPOCH + timedelta(microseconds=micros)).isoformat()


class TableFile(ScratchTable):
    """One table of the new snapshot (its JSON), written to a temporary file as it grows,
    a block of :data:`TABLE_BLOCK` at a time, entry by entry, copied into the snapshot at
    the end."""

    block = TABLE_BLOCK

    def __init__(self, path: str, opening: bytes) -> None:
        super().__init__(path)
        self.entries = 0
        self.write(opening)

    def add(self, name: bytes, entry: bytes, separator: bytes) -> int:
        """Write one entry, ``name`` (JSON and its colon) and its value ``entry``, after
        ``separator`` but for the first; return where it starts."""
        if self.entries:
            self.write(separator)
        self.entries += 1
        start = self.size
        self.write(name)
        self.write(entry)
        return start


class DeskLoader:
    """Writes a new desk at ``path`` (its snapshot there, its log and index beside it, as
    for any desk file) from records and events given one at a time, the way a
    transaction takes them: :meth:`put`, :meth:`append_event`, :meth:`advance_number`.
    :meth:`finish` completes the files (fsynced); :meth:`discard` removes them. With
    ``tallies`` (definitions, as the plugins declare them) it keeps their counts of the
    closed cases beside the snapshot too (:mod:`.tallies`), as a compaction would."""

    def __init__(self, path: str, tallies: list[Definition] | None = None) -> None:
        self.path = path
        self._tallies = {definition["name"]: definition for definition in tallies or []}
        self._counted: list[Counted] = []
        """The closed cases the tallies count, as :func:`~workbench.store.tallies.counted` gives them."""
        self.desk = uuid.uuid4().hex
        self._log = _create(log_path(path))
        self._tables = {kind: TableFile(f"{path}.{kind}", b"{") for kind in KINDS}
        """The records that are not closed cases, as JSON: the snapshot's first tables."""
        self._closed = TableFile(f"{path}.{CLOSED}", b"{\n")
        header = encode_header(self.desk, SCHEMA)
        write_all(self._log, header)
        self._end = len(header)
        self._seq = 0
        self._last_event_id = 0
        self._next_event_id = 1
        self._counters: dict[str, int] = {}
        self._history: dict[str, dict[str, array[int]]] = {kind: {} for kind in KINDS}
        """Each record's events, as log offsets."""
        self._live: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
        """The records not closed, in order."""
        self._entries: list[tuple[Any, ...]] = []
        """Each closed case's index entry, packed (:func:`_packed`): its key, customer and
        vendor (shared objects), and its place counted within the closed table, its CRC and
        when it was sent, in 24 bytes (200,000 of them are held until the end)."""
        self._interned: dict[Any, Any] = {}
        self._puts: list[tuple[str, str, bytes]] = []
        self._events = EventsJSON()
        self._pending = 0
        self.finished = False

    # -- what a transaction takes ------------------------------------------------------

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        check_kind(kind)
        data = _encoded(record, kind, key)
        self._puts.append((kind, key, data))
        self._pending += len(data)
        name = orjson.dumps(key) + b":"
        if is_closed(kind, record):
            start = self._closed.add(name, data, b",\n")
            customer, vendor, sent_at = attributes(record)
            packed = _packed(start, len(name) + len(data), zlib.crc32(data, zlib.crc32(name)), sent_at)
            self._entries.append((key, self._intern(customer), self._intern(vendor), packed))
            entry = counted(self._tallies, key, record) if self._tallies else None
            if entry is not None:
                self._counted.append(entry)
        else:
            self._tables[kind].add(name, data, b",")
            self._live[kind][key] = None
        if self._pending > TRANSACTION_BYTES:
            self._flush()

    def append_event(self, event: dict[str, Any]) -> int:
        kind, key = event.get("kind"), event.get("key")
        check_kind(kind)  # type: ignore[arg-type]
        if not isinstance(key, str) or not key:
            raise ValueError(f"an event needs the string key of its record, not {key!r}")
        number = self._next_event_id
        numbered = event if event.get("id") == number else {**event, "id": number}
        data = _encoded(numbered, "event", number)
        self._events.append(kind, key, data)  # type: ignore[arg-type]
        self._next_event_id = number + 1
        self._pending += len(data)
        if self._pending > TRANSACTION_BYTES:
            self._flush()
        return number

    def advance_number(self, kind: str, at_least: int) -> None:
        if at_least > self._counters.get(kind, 0):
            self._counters[kind] = at_least

    # -- the files -----------------------------------------------------------------------

    def _intern(self, value: Any) -> Any:
        """One object for each customer and vendor the index entries share."""
        return self._interned.setdefault(value, value) if isinstance(value, str) else value

    def _flush(self) -> None:
        """Append the records and events given since the last one as one transaction."""
        if not (self._puts or self._events or self._counters):
            return
        self._seq += 1
        head = {
            "seq": self._seq,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "counters": self._counters,
            "events": self._events.records,
            "last_event_id": self._last_event_id + len(self._events),
        }
        line, offsets = encode_transaction(head, self._puts, self._events)
        for chunk in line:
            write_all(self._log, chunk)
        for (kind, key), offset in zip(self._events.records, offsets, strict=True):
            index = self._history[kind]
            found = index.get(key)
            if found is None:
                found = index[sys.intern(key)] = array("q")
            found.append(self._end + offset)
        self._end += sum(map(len, line))
        self._last_event_id = head["last_event_id"]
        self._puts, self._events, self._pending = [], EventsJSON(), 0

    def _history_table(self) -> bytes:
        """The event index, each kind's records not closed first, as a compaction writes it
        (:func:`~workbench.store.snapshot.live_first`: a lookup of an open case's events
        searches only the start of its kind)."""
        parts = [b"{"]
        for number, kind in enumerate(KINDS):
            parts.append(b"," if number else b"")
            parts.append(orjson.dumps(kind) + b":{")
            history, live = self._history[kind], self._live[kind]
            order = chain((k for k in live if k in history), (k for k in history if k not in live))
            parts.append(
                b",".join(orjson.dumps(key) + b":" + orjson.dumps(history[key].tolist()) for key in order)
            )
            parts.append(b"}")
        parts.append(b"}")
        return b"".join(parts)

    def finish(self) -> None:
        """Write the last transaction, the snapshot covering the whole log, and the closed
        cases' index; fsync them all. Then the desk at :attr:`path` can be opened."""
        self._flush()
        os.fsync(self._log)
        self._closed.write(b"\n}")
        for table in self._tables.values():
            table.write(b"}")
        history = self._history_table()
        self._history, self._live = {}, {}
        tables = {**self._tables, CLOSED: self._closed}
        sizes = {name: table.sealed() for name, table in tables.items()}
        sizes[HISTORY] = (len(history), zlib.crc32(history))
        meta = {
            "desk": self.desk,
            "seq": self._seq,
            "log_offset": self._end,
            "last_event_id": self._last_event_id,
            "counters": self._counters,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        first = encode_meta(meta, sizes)
        written = meta_of_line(first)
        fd = _create(self.path)
        try:
            write_all(fd, first)
            for name in TABLES:
                prefix, suffix = table_parts(name, [])
                write_all(fd, prefix)
                if name == HISTORY:
                    write_all(fd, history)
                else:
                    tables[name].copy_to(fd)
                write_all(fd, suffix)
            os.fsync(fd)
        finally:
            os.close(fd)
        table_start = len(first) + written["tables"][CLOSED][0]
        entries, self._entries = self._entries, []
        for number, (key, customer, vendor, packed) in enumerate(entries):  # replaced as it goes
            start, length, crc, sent_at = _unpacked(packed)
            entries[number] = (key, table_start + start, length, crc, customer, vendor, sent_at)
        index = encode_index(self.desk, written["checksum"], iter(entries))
        del entries
        self._write(index_path(self.path), index)
        if self._tallies:
            tallies, self._counted = self._counted, []
            self._write(
                tallies_path(self.path),
                encode_tallies(self.desk, written["checksum"], self._tallies, tallies),
            )
        self._close_files()
        self.finished = True

    def _write(self, path: str, lines: list[bytes]) -> None:
        fd = _create(path)
        try:
            for line in lines:
                write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _close_files(self) -> None:
        if self._log >= 0:
            os.close(self._log)
            self._log = -1
        for table in (*self._tables.values(), self._closed):
            table.remove()

    def files(self, path: str | None = None) -> list[str]:
        """The files of the new desk (of the desk at ``path``, to take their place): its
        index and kept tallies, its log, its snapshot (the order in which they are put in
        place: the snapshot last makes the desk)."""
        path = self.path if path is None else path
        derived = [index_path(path), tallies_path(path)] if self._tallies else [index_path(path)]
        return [*derived, log_path(path), path]

    def put_in_place(self, path: str) -> None:
        """Rename the finished desk's files over the desk at ``path``: its index (and
        tallies), its log, then its snapshot (the one rename that makes the desk appear)."""
        folder = os.path.dirname(path)
        for source, target in zip(self.files(), self.files(path), strict=True):
            os.replace(source, target)
            fsync_directory(folder)

    def discard(self) -> None:
        """Remove every file written."""
        self._close_files()
        for name in self.files():
            with suppress(FileNotFoundError):
                os.unlink(name)


@contextmanager
def load_new_desk(store: Store, tallies: list[Definition] | None = None) -> Iterator[DeskLoader]:
    """A :class:`DeskLoader` for a whole new desk in ``store``, which must hold nothing
    yet; when the block ends without raising (having called :meth:`DeskLoader.finish`),
    the new desk becomes ``store``'s. Raising in the block changes nothing.

    On a desk file the new files are written beside it (temporary names that a later
    compaction removes should a crash leave them) under its writer lock, and renamed into
    place; on any other store, in a temporary folder, then copied in one transaction."""
    from workbench.store.filestore import FileStore

    if isinstance(store, FileStore):
        with store.load_new_desk(tallies) as loader:
            yield loader
        return
    folder = tempfile.mkdtemp(prefix="workbench-import-")
    try:
        loader = DeskLoader(os.path.join(folder, "desk.json"))
        yield loader
        _copy_into(loader, store)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_into(loader: DeskLoader, store: Store) -> None:
    from workbench.errors import StoreError
    from workbench.store.filestore import FileStore

    written = FileStore(loader.path, compact_on_write=False)
    try:
        with store.transaction() as tx:
            for kind in KINDS:
                for record in written.iter_all(kind):
                    tx.put(kind, str(record["key" if kind == "settings" else "id"]), record)
            for event in written.iter_events():
                if tx.append_event(event) != event["id"]:
                    raise StoreError(f"{store.location} already holds events: import into a new desk")
            for name, value in written.counters().items():
                tx.advance_number(name, value)
    finally:
        written.close()


def temporary_desk(path: str) -> str:
    """Where a new desk for ``path`` is written: beside it, under a name that
    :func:`~workbench.store.fileio.temporary_files` finds. (``secrets`` is imported here:
    it brings hashlib and OpenSSL, 5 ms of every command that opens a desk.)"""
    import secrets

    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.import-{os.getpid()}-{secrets.token_hex(4)}.tmp")
