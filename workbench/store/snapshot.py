"""The desk snapshot (``desk.json``): every record as of one point of the log.

It is a TinyDB database file — :class:`SnapshotStorage` is its TinyDB ``Storage`` — in
TinyDB's layout (table → document id → document), each record's key its document id.
Schema 3 and later write one table per line, the closed cases last, one case per line::

    {"_meta":{"1":{"schema":3,"desk":…,"seq":…,"log_offset":…,"tables":{…},"body":…,"checksum":…}},
    "customers":{"CUS-1":{…},…},
    "contracts":{…},
    "cases":{"C-7":{…},…},                       the cases not closed
    "workflows":{…},
    "settings":{…},
    "mail":{…},
    "_history":{"cases":{"C-1":[offset,…],…},…},
    "closed_cases":{
    "C-1":{…},
    "C-2":{…}
    }}

``tables`` gives each table's value as ``[start, length, crc32]`` (``start`` counted from
the second line, whose offset ``body`` follows from the first line's length; ``body`` is
the number of bytes after the first line), and ``checksum`` is the CRC-32 of the rest of
``_meta``. So a reader checks and parses only the tables it needs: opening the desk reads
and checks the tables of records, the open work (a few MB of a 90 MB file), and parses each
when first asked for (:class:`RecordTables`); the event index and the closed cases are read,
checked and parsed when first asked for. Every byte a reader believes is checked: a
damaged or hand-edited snapshot is refused. The file is only ever replaced whole,
atomically. Closed cases sit one per line so that a rewrite can carry them over as bytes
(:meth:`~workbench.store.state.ClosedCases.carry`) and one of them can be found without
parsing the others (:func:`find_closed`).

Schema 4 adds the table ``mail`` (the messages the desk took in) after ``settings``; a
schema-3 file is read as it was written and its tables carried over as bytes, with an empty
``mail`` table, by the migration. Schemas 1 (the prototype's plain TinyDB desk) and 2 (every
case in ``cases``, one checksum over the whole file) are read whole, as they were written, for
migration (:mod:`workbench.store.migrate`).
"""

from __future__ import annotations

import bisect
import os
import re
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import Any

import orjson
from tinydb.storages import Storage

from workbench.errors import StoreError
from workbench.store.base import KINDS, KINDS_3, matches
from workbench.store.closed_index import ClosedIndex, Entry, index_path
from workbench.store.fileio import PRIVATE_FILE, open_regular, replace_atomically, write_all, write_beside
from workbench.store.staging import long_lived_objects
from workbench.store.tallies import KeptTallies, tallies_path

SCHEMA = 4
"""The desk schema this version writes."""
READ_BY_TABLE = 3
"""The first schema whose tables are read one at a time, when needed (older ones are read
whole, for migration); schema 3, not yet migrated, is still read so (``workbench doctor``)."""

META = "_meta"
HISTORY = "_history"
CLOSED = "closed_cases"
TABLES = (*KINDS, HISTORY, CLOSED)
"""The tables of a snapshot, in file order: the records read at open come first."""
TABLES_3 = (*KINDS_3, HISTORY, CLOSED)
"""The tables of a schema-3 snapshot (before ``mail``)."""


def kinds_of(schema: int) -> tuple[str, ...]:
    """The kinds of record a snapshot of ``schema`` (3 or later) holds tables of."""
    return KINDS_3 if schema == 3 else KINDS


_HEAD = b'{"' + META.encode() + b'":{"1":'
_EMPTY_CLOSED = b"{\n\n}"

SCANS_BEFORE_PARSING = 32
"""One record's events are looked up in the snapshot's event index without parsing it
(a case shown: a few ms at 200,000 cases); once the lookups of a process have searched
this many times the index's length (a report, a batch asking for closed cases), it
parses the index once instead of searching it again for each. A parse costs about 75
searches of the whole table (3 MB at 50,000 cases: 260 ms against 3.5 ms), and an open
case's entry, near the start of its kind's object (:func:`live_first`), costs
a small part of one."""


def _damaged(path: str, problem: str) -> StoreError:
    return StoreError(
        f"{path}: {problem}: the file was changed outside Case Workbench or damaged; "
        "nothing was changed (see `workbench doctor`)"
    )


def _meta_of(document: Any, path: str) -> dict[str, Any]:
    """The ``_meta`` document, with a whole-number ``schema`` this version can read."""
    meta = document.get(META, {}).get("1") if isinstance(document, dict) else None
    if not isinstance(meta, dict) or type(meta.get("schema")) is not int or meta["schema"] < 1:
        raise StoreError(
            f"{path}: not a Case Workbench desk (no {META} table with a schema version); nothing was changed"
        )
    if meta["schema"] > SCHEMA:
        raise StoreError(
            f"{path} was written by a newer Case Workbench (desk schema {meta['schema']}; this "
            f"version reads schema {SCHEMA} and older). Upgrade Case Workbench to open it; "
            "nothing was changed."
        )
    return meta


def _meta_checksum(meta: dict[str, Any]) -> int:
    """CRC-32 of ``meta`` with its checksum left out."""
    return zlib.crc32(orjson.dumps({name: value for name, value in meta.items() if name != "checksum"}))


def _parse(value: bytes | memoryview, path: str, table: str) -> dict[str, Any]:
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise _damaged(path, f"table {table!r} is not valid JSON ({error})") from None
    if not isinstance(parsed, dict):
        raise _damaged(path, f"table {table!r} is not a table")
    return parsed


def _list_at(table: bytes, start: int, path: str) -> list[int]:
    """The list of log offsets starting at ``start`` in the event index's table."""
    return _parse_list(table[start : table.index(b"]", start) + 1], path)


def _parse_list(value: bytes, path: str) -> list[int]:
    try:
        offsets = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise _damaged(path, f"table {HISTORY!r} is not valid JSON ({error})") from None
    if not (isinstance(offsets, list) and all(type(offset) is int for offset in offsets)):
        raise _damaged(path, f"table {HISTORY!r} is not an index of events by record")
    return offsets


ENTRY = re.compile(rb'("(?:[^"\\]|\\.)*":\[)[0-9,]*\][,}]')
"""One entry of a kind's object in the event index: ``"KEY":[OFFSET,…]`` and the ``,`` or
``}`` after it (a key's quote and backslash are escaped, as orjson writes them)."""
ENTRY_PARTS = re.compile(rb'("(?:[^"\\]|\\.)*":\[)([0-9,]*\][,}])')
""":data:`ENTRY` in two parts: the entry's ``"KEY":[``, and the rest of it."""
ENTRIES_READ_AHEAD = 1 << 18
"""How far past what was read before :meth:`Snapshot.history_of` reads entry by entry
before it searches instead (a closed case's entry lies far in)."""


class EntryPlaces:
    """Where the list of each entry of one kind's object in the event index starts, found
    by reading the object whole once (:meth:`Snapshot.read_ahead`): for each entry the CRC
    of its ``"KEY":[`` and where its list starts, packed in one sorted 64-bit number (8 bytes
    an entry, 2 MB at 200,000 cases; a dict of them took 45 MB, and every command a desk
    server forks copies the page tables of what it holds)."""

    def __init__(self, placed: array) -> None:
        self.placed = placed

    @classmethod
    def of(cls, table: bytes, kind: str, section: int, end: int) -> EntryPlaces | None:
        """The places of the kind's entries; ``None`` when its object is not laid out entry
        by entry, back to back up to its closing brace (the search of
        :meth:`Snapshot.history_of` answers then)."""
        first = section + len(orjson.dumps(kind)) + 2
        parts = ENTRY_PARTS.findall(table, first, end)
        starts = list(accumulate((len(needle) + len(rest) for needle, rest in parts), initial=first))
        closed = parts[-1][1].endswith(b"}") if parts else table[first : first + 1] == b"}"
        if not closed or (starts[-1] if parts else first + 1) != end - 1 or starts[-1] >= 1 << 32:
            return None
        placed = sorted(
            zlib.crc32(needle) << 32 | start + len(needle) - 1
            for (needle, _), start in zip(parts, starts, strict=False)
        )
        return cls(array("Q", placed))

    def find(self, table: bytes, needle: bytes) -> int | None:
        """Where the list of the entry ``needle`` (``"KEY":[``) starts; ``None``: there is none."""
        crc = zlib.crc32(needle)
        at = bisect.bisect_left(self.placed, crc << 32)
        while at < len(self.placed) and self.placed[at] >> 32 == crc:
            start = self.placed[at] & 0xFFFFFFFF
            if table[start + 1 - len(needle) : start + 1] == needle and table[start - len(needle)] in b"{,":
                return start
            at += 1
        return None


def _sections(table: bytes) -> dict[str, tuple[int, int] | None]:
    """Where each kind's object starts and ends in the event index (``"cases":{`` occurs
    once: a record's key is followed by ``:[``). Each kind is searched for from where the one
    before it was found, so the index written in the order of ``KINDS`` is read once (at
    200,000 cases it is 13 MB: searching it from the start for every kind, and then for every
    other kind's end, was five to ten passes of every case shown)."""
    starts: dict[str, int] = {}
    position = 0
    for kind in KINDS:
        header = orjson.dumps(kind) + b":{"
        at = table.find(header, position)
        if at < 0:
            at = table.find(header)  # written in another order
        if at >= 0:
            starts[kind] = at
            position = at
    ends = sorted(starts.values())
    return {
        kind: (starts[kind], next((at for at in ends if at > starts[kind]), len(table)))
        if kind in starts
        else None
        for kind in KINDS
    }


def records_of(value: bytes | memoryview, path: str, table: str) -> dict[str, dict[str, Any]]:
    records = _parse(value, path, table)
    if not set(map(type, records.values())) <= {dict}:
        raise _damaged(path, f"table {table!r} does not hold one document per record")
    return records


class RecordTables(Mapping[str, dict[str, dict[str, Any]]]):
    """The records of each kind of a schema-3 snapshot (cases: those not closed), by kind.

    Every table's bytes were checked against its checksum when the snapshot was read (a
    damaged one refuses the desk, as always); each table is parsed when it is first asked
    for, and only then: ``case list`` reads the cases and the settings, never the 6,000
    customers, 10,000 contracts and 700 workflows of a 200,000-case desk (18 ms of its 50
    ms to open). A table that is not JSON, or not one document per record, is refused then,
    naming the file and the table (:func:`records_of`)."""

    def __init__(self, path: str, stretch: bytes, unparsed: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self._kinds = tuple(unparsed)
        self._stretch = stretch
        """The tables of records as read, checked."""
        self._unparsed = unparsed
        """Where in ``_stretch`` each table not parsed yet lies (start, end)."""
        self._parsed: dict[str, dict[str, dict[str, Any]]] = {}

    def __getitem__(self, kind: str) -> dict[str, dict[str, Any]]:
        found = self._parsed.get(kind)
        if found is None:
            start, end = self._unparsed[kind]
            with long_lived_objects():
                found = self._parsed[kind] = records_of(memoryview(self._stretch)[start:end], self.path, kind)
            del self._unparsed[kind]
            if not self._unparsed:
                self._stretch = b""
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def parsed(self, kind: str) -> bool:
        """Whether the table of ``kind`` has been parsed."""
        return kind in self._parsed

    def may_mention(self, kind: str, words: Iterable[str]) -> bool:
        """Whether a record of ``kind`` may hold one of ``words`` (as a field's name or a
        text): ``False`` only when its table is not parsed yet and its JSON holds none of
        them as a string, nor a ``\\u`` escape that could spell one (searched, not parsed:
        1 ms for the 6,000 customers of a 200,000-case desk)."""
        if kind not in self._unparsed:
            return True
        start, end = self._unparsed[kind]

        def found(text: bytes) -> bool:
            return self._stretch.find(text, start, end) >= 0

        escaped = found(b"\\") and found(b"\\u")  # a backslash is rare: one found at memchr's speed
        return escaped or any(found(orjson.dumps(word)) for word in words)


@dataclass
class Snapshot:
    """A snapshot as read from disk.

    Schema 3: ``tables`` holds the records of each kind (cases: those not closed), each
    parsed when first asked for (:class:`RecordTables`), and the file stays open so that
    :meth:`history` and :meth:`closed` read their tables later — from this very file, even
    after a writer has replaced it (:meth:`close` ends that).
    Older schemas: ``tables`` is everything, parsed, for migration.
    """

    path: str
    meta: dict[str, Any]
    tables: Mapping[str, Any]
    fd: int | None = None
    body: int = 0
    """Where the second line starts."""
    _index: ClosedIndex | bool | None = None
    """The closed cases' index once looked for (``False``: there is none to use)."""
    _tallies: KeptTallies | bool | None = None
    """The tallies kept for this snapshot once looked for (``False``: none to use)."""
    _history: bytes | None = None
    """The event index's table, checked, once one record's events were looked up in it."""
    _sections: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    """Where each kind's object lies in ``_history``, found once: a report looking up the
    events of 500 cases searched the 13 MB table for every kind's start 3,500 times (8 s)."""
    scanned: int = 0
    """Bytes of ``_history`` searched by :meth:`history_of` so far (the cost of finding
    entries one at a time, weighed against parsing the table whole)."""
    _read_to: dict[str, int] = field(default_factory=dict)
    """How far each kind's object has been read entry by entry (:meth:`_read_entries`)."""
    _entries: dict[tuple[str, bytes], int] = field(default_factory=dict)
    """Where the list of each entry read so far starts, by kind and the entry's ``"KEY":[``."""
    _placed: dict[str, EntryPlaces] = field(default_factory=dict)
    """Each kind's entries, all placed by :meth:`read_ahead`."""

    @property
    def schema(self) -> int:
        return self.meta["schema"]

    def read(self, name: str) -> bytes:
        """One table's JSON, checked against its checksum."""
        if self.fd is None:
            raise StoreError(f"{self.path}: the snapshot was closed")
        start, length, crc = self.meta["tables"][name]
        value = os.pread(self.fd, length, self.body + start)
        if len(value) != length or zlib.crc32(value) != crc:
            raise _damaged(self.path, f"table {name!r} fails its checksum")
        return value

    def history(self) -> dict[str, dict[str, list[int]]]:
        """The event index: record → log offsets of its events."""
        if self.schema < READ_BY_TABLE:
            return self.tables[HISTORY]
        history = _parse(self.read(HISTORY), self.path, HISTORY)
        if not all(isinstance(index, dict) for index in history.values()):
            raise _damaged(self.path, f"table {HISTORY!r} is not an index of events by record")
        return history

    def history_of(self, kind: str, key: str) -> list[int] | None:
        """The log offsets of one record's events, found in the event index without
        parsing it: in the table (``{"cases":{"C-1":[…],…},…}``) a record's key is always
        followed by ``:[`` and a kind's by ``:{``, and neither text can occur inside a key
        (a quote in one is escaped). At 200,000 cases the index is 13 MB: parsing it took
        100 ms and 150 MB for a case's five events. ``None`` when the table is not laid out
        so (every kind has its object there), or once the searches have cost more than a
        parse (:data:`SCANS_BEFORE_PARSING`): the caller parses it whole, which refuses
        damage in words. The records not closed come first in each kind's object
        (:func:`live_first`), so the search for an open case's entry ends early."""
        if self._history is None:
            self._history = self.read(HISTORY) if self.schema >= READ_BY_TABLE else b""
        table = self._history
        if self.scanned > SCANS_BEFORE_PARSING * len(table):
            return None
        if not self._sections:
            self._sections = _sections(table)
        if self._sections.get(kind) is None:
            return None
        section, end = self._sections[kind]
        needle = orjson.dumps(key) + b":["
        placed = self._placed.get(kind)
        if placed is not None:
            start = placed.find(table, needle)
            return [] if start is None else _list_at(table, start, self.path)
        start = self._read_entries(kind, needle, section, end)
        if start is not None:
            return _list_at(table, start, self.path)
        at = table.find(needle, section, end)
        while at >= 0 and table[at - 1 : at] not in (b"{", b","):
            at = table.find(needle, at + 1, end)
        self.scanned += (end if at < 0 else at) - section
        if at < 0:
            return []
        start = at + len(needle) - 1
        return _list_at(table, start, self.path)

    def _read_entries(self, kind: str, needle: bytes, section: int, end: int) -> int | None:
        """Where the list of the entry ``needle`` starts, read entry by entry from the start
        of the kind's object, at most :data:`ENTRIES_READ_AHEAD` bytes past what was read
        before (``None``: not among them; the caller searches). The open records come first
        (:func:`live_first`): the queue's 2,000 open cases are read once, in one stretch,
        instead of 2,000 searches of it (170 ms at 200,000 cases)."""
        if (kind, needle) in self._entries:
            return self._entries[kind, needle]
        table = self._history or b""
        position = self._read_to.get(kind, section + len(orjson.dumps(kind)) + 2)
        limit = min(end, position + ENTRIES_READ_AHEAD)
        while position < limit:
            entry = ENTRY.match(table, position, end)
            if entry is None:
                position = end  # not laid out entry by entry: the caller's search answers
                break
            self._entries[kind, entry.group(1)] = entry.end(1) - 1
            position = entry.end()
            if entry.group(1) == needle:
                break
        self._read_to[kind] = position
        return self._entries.get((kind, needle))

    def read_ahead(self) -> None:
        """Read the closed cases' index, the kept tallies and the event index now rather
        than on first need (:meth:`FileStore.read_ahead`)."""
        if self.schema < READ_BY_TABLE:
            return
        index = self.closed_index()
        if index is not None:
            index.read_ahead()
        tallies = self.kept_tallies()
        if tallies is not None:
            tallies.read_ahead()
        if self._history is None:
            self._history = self.read(HISTORY)
        if not self._sections:
            self._sections = _sections(self._history)
        for kind, section in self._sections.items():
            placed = EntryPlaces.of(self._history, kind, *section) if section is not None else None
            if placed is not None:
                self._placed[kind] = placed

    def closed(self) -> bytes:
        """The closed cases' table, as JSON: one case per line (see :func:`find_closed`)."""
        value = self.read(CLOSED)
        if not (value.startswith(b"{\n") and value.endswith(b"\n}")):
            raise _damaged(self.path, f"table {CLOSED!r} is not one case per line")
        return value

    def closed_index(self) -> ClosedIndex | None:
        """The index of the closed cases written with this snapshot
        (:mod:`~workbench.store.closed_index`), read on first need; ``None`` when there
        is none for this snapshot (an older desk, or a crash between the two writes)."""
        if self._index is None:
            self._index = False
            if self.schema >= READ_BY_TABLE:
                try:
                    fd = open_regular(index_path(self.path), os.O_RDONLY)
                    with open(fd, "rb") as file:
                        data = file.read()
                except (OSError, StoreError):
                    data = b""  # derived data: without it the closed cases are read in full
                self._index = ClosedIndex.read(data, self.meta["desk"], self.meta["checksum"]) or False
        return self._index or None

    def set_closed_index(self, data: bytes) -> None:
        """The index just written for this snapshot."""
        self._index = ClosedIndex(data)

    def kept_tallies(self) -> KeptTallies | None:
        """The tallies kept for this snapshot (:mod:`~workbench.store.tallies`), read on
        first need; ``None`` when none were kept for it (an older desk, a crash between the
        writes, a desk no plugin counted yet)."""
        if self._tallies is None:
            self._tallies = False
            if self.schema >= READ_BY_TABLE:
                try:
                    fd = open_regular(tallies_path(self.path), os.O_RDONLY)
                    with open(fd, "rb") as file:
                        data = file.read()
                except (OSError, StoreError):
                    data = b""  # derived data: without it a tally counts the cases themselves
                self._tallies = KeptTallies.read(data, self.meta["desk"], self.meta["checksum"]) or False
        return self._tallies or None

    def set_kept_tallies(self, data: bytes | None) -> None:
        """The tallies just kept for this snapshot (``None``: none were)."""
        self._tallies = (
            KeptTallies.read(data, self.meta["desk"], self.meta["checksum"]) if data else None
        ) or False

    def closed_case(self, entry: Entry) -> dict[str, Any] | None:
        """The closed case an index entry places, read and checked alone (``None``: its
        bytes fail their checksum, so the index cannot be believed)."""
        key, start, length, crc = entry[:4]
        if self.fd is None:
            raise StoreError(f"{self.path}: the snapshot was closed")
        line = os.pread(self.fd, length, start)
        if len(line) != length or zlib.crc32(line) != crc:
            return None
        found = records_of(b"{" + line + b"}", self.path, CLOSED)
        return found.get(key)

    def closed_lines(self) -> Iterator[bytes]:
        """Every line of the closed cases' table (``"KEY":{…}``, one case each), read a few
        MB at a time and not kept. The table's checksum is checked as it is read: damage is
        refused with :class:`StoreError` once the table has been read, after the lines
        before it (a compaction carrying them over puts nothing in place then)."""
        if self.fd is None:
            raise StoreError(f"{self.path}: the snapshot was closed")
        start, length, crc = self.meta["tables"][CLOSED]
        position, end = self.body + start, self.body + start + length
        running, pending = 0, b""
        while position < end:
            block = os.pread(self.fd, min(SPLICE_STEP, end - position), position)
            if not block:
                raise _damaged(self.path, f"table {CLOSED!r} is cut short")
            running = zlib.crc32(block, running)
            position += len(block)
            lines = block.split(b"\n")
            del block
            lines[0] = pending + lines[0]
            pending = lines.pop() if position < end else b""
            for line in lines:
                entry = line.removesuffix(b",")
                if entry not in (b"", b"{", b"}"):
                    yield entry
        if running != crc:
            raise _damaged(self.path, f"table {CLOSED!r} fails its checksum")

    def iter_closed(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every closed case as (key, record), read and parsed a few MB at a time and not
        kept (see :meth:`closed_lines`)."""
        for entry in self.closed_lines():
            yield from records_of(b"{" + entry + b"}", self.path, CLOSED).items()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd = None


def closed_entries(value: bytes) -> list[bytes]:
    """The lines of a closed-cases table, one ``"KEY":{…}`` per case."""
    inner = value[2:-2]
    return inner.split(b",\n") if inner else []


def encode_closed(entries: Iterable[bytes]) -> bytes:
    """A closed-cases table from its lines (see :func:`closed_entries`)."""
    return b"{\n" + b",\n".join(entries) + b"\n}"


def closed_entry(key: str, record: dict[str, Any] | bytes) -> bytes:
    """One line of a closed-cases table, from the case or its JSON."""
    return orjson.dumps(key) + b":" + (record if isinstance(record, bytes) else orjson.dumps(record))


def find_closed(value: bytes, key: str, path: str) -> dict[str, Any] | None:
    """The closed case ``key`` of a closed-cases table, parsing only its line. orjson
    writes no raw newline inside a value, so a line start is always an entry's start."""
    start = value.find(b"\n" + orjson.dumps(key) + b":")
    if start < 0:
        return None
    end = value.index(b"\n", start + 1)
    entry = value[start + 1 : end].removesuffix(b",")
    found = records_of(b"{" + entry + b"}", path, CLOSED)
    return found.get(key)


def entry_key(entry: bytes) -> bytes:
    """The JSON of a closed-cases line's key. Up to the first ``":`` is the whole key when
    that stretch holds no backslash (a quote inside a key is always escaped); otherwise
    the line is parsed to be sure."""
    head = entry[: entry.find(b'":') + 1]
    if b"\\" not in head:
        return head
    return orjson.dumps(next(iter(orjson.loads(b"{" + entry + b"}"))))


def find_matching(value: bytes, match: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    """The closed cases of a closed-cases table whose fields equal ``match``'s values,
    parsing only the lines that hold the first field not matched to ``None`` as JSON
    (``"customer_id":"CUS-7"``: orjson writes no spaces, so a match always holds it; what
    else holds it is parsed and then left out). ``match`` holds at least one such field: a
    case without a field matches ``None``, and its line holds no text to find it by."""
    name, wanted = next((name, value) for name, value in match.items() if value is not None)
    needle = orjson.dumps(name) + b":" + orjson.dumps(wanted)
    found: dict[str, dict[str, Any]] = {}
    at = value.find(needle)
    while at >= 0:
        start = value.rfind(b"\n", 0, at) + 1
        end = value.find(b"\n", at)
        entry = value[start:end].removesuffix(b",")
        for key, record in records_of(b"{" + entry + b"}", path, CLOSED).items():
            if matches(record, match):
                found[key] = record
        at = value.find(needle, end)
    return found


def parse_closed(value: bytes, path: str) -> dict[str, dict[str, Any]]:
    """Every case of a closed-cases table, parsed a line at a time: as fast as one parse of
    the whole table, and a thread doing it lets the others run between lines."""
    found: dict[str, Any] = {}
    try:
        for entry in closed_entries(value):
            found.update(orjson.loads(b"{" + entry + b"}"))
    except orjson.JSONDecodeError as error:
        raise _damaged(path, f"table {CLOSED!r} is not valid JSON ({error})") from None
    if not set(map(type, found.values())) <= {dict}:
        raise _damaged(path, f"table {CLOSED!r} does not hold one document per record")
    return found


SPLICE_STEP = 1 << 20
"""How much of a closed-cases table is read, spliced (:func:`splice_closed`) or written
(:class:`ScratchTable`) at a time: what a compaction holds of it."""


def splice_closed(value: bytes, changes: dict[str, dict[str, Any] | bytes | None]) -> list[bytes]:
    """``value`` (a closed-cases table) with ``changes`` made, in pieces: each changed key's
    line dropped, and a new line for each record given (``None``: no longer closed). The
    other lines are carried over as bytes, unparsed, a few MB at a time, so no single step
    holds the interpreter long (a compaction runs in a TUI's worker thread)."""
    if not changes:
        return [value]
    changed = {orjson.dumps(key) for key in changes}
    pieces: list[bytes] = []
    start, end = 2, len(value) - 2
    while start < end:
        stop = value.find(b",\n", min(start + SPLICE_STEP, end))
        stop = end if stop < 0 else stop
        kept = [entry for entry in value[start:stop].split(b",\n") if entry_key(entry) not in changed]
        if kept:
            pieces.append(b",\n".join(kept))
        start = stop + 2
    pieces += [closed_entry(key, record) for key, record in changes.items() if record is not None]
    parts = [b"{\n"]
    for index, piece in enumerate(pieces):
        parts += [b",\n", piece] if index else [piece]
    return [*parts, b"\n}"]


def _prefix(name: str) -> bytes:
    return b'"' + name.encode() + b'":'


def _suffix(name: str) -> bytes:
    return b"}\n" if name == TABLES[-1] else b",\n"


def encode_meta(meta: dict[str, Any], sizes: dict[str, tuple[int, int]]) -> bytes:
    """The first line of a schema-3 snapshot whose tables' JSON has these lengths and CRCs
    (one ``(length, crc)`` per name of :data:`TABLES`): the body follows it as
    ``"NAME":VALUE`` for each table in order, each but the last followed by ``,\\n``."""
    tables: dict[str, list[int]] = {}
    position = 0
    for name in TABLES:
        length, crc = sizes[name]
        tables[name] = [position + len(_prefix(name)), length, crc]
        position += len(_prefix(name)) + length + len(_suffix(name))
    meta = {name: value for name, value in meta.items() if name not in ("checksum", "tables", "body")}
    meta.update(schema=SCHEMA, tables=tables, body=position)
    meta["checksum"] = _meta_checksum(meta)
    return _HEAD + orjson.dumps(meta) + b"},\n"


def table_parts(name: str, value: bytes | list[bytes]) -> list[bytes]:
    """Table ``name`` as the body holds it, in pieces: its name, its JSON, what follows it."""
    return [_prefix(name), *(value if isinstance(value, list) else [value]), _suffix(name)]


def encode(meta: dict[str, Any], values: dict[str, bytes | list[bytes]]) -> list[bytes]:
    """The bytes of a schema-3 snapshot whose tables' JSON is ``values`` (one per name of
    :data:`TABLES`, whole or in pieces), in pieces, so a 90 MB table is not copied to be
    joined."""
    sizes = {}
    for name in TABLES:
        crc = 0
        parts = values[name] if isinstance(values[name], list) else [values[name]]
        for part in parts:
            crc = zlib.crc32(part, crc)
        sizes[name] = (sum(map(len, parts)), crc)
    body = [part for name in TABLES for part in table_parts(name, values[name])]
    return [encode_meta(meta, sizes), *body]


def write_snapshot(path: str, meta: dict[str, Any], values: dict[str, bytes | list[bytes]]) -> Snapshot:
    """Replace the snapshot at ``path`` atomically with one holding ``values`` (see
    :func:`encode`); return it, open for reading its tables later. Call it under the
    writer lock: no one else replaces the file between writing and opening it."""
    chunks = encode(meta, values)
    replace_atomically(path, chunks)
    first_line = chunks[0]
    return Snapshot(path, meta_of_line(first_line), {}, os.open(path, os.O_RDONLY), len(first_line))


class ScratchTable:
    """A table of a snapshot being written, kept in a scratch file as it is made, a block of
    :attr:`block` bytes at a time, with its length and CRC (:meth:`sealed`), and read back
    into the snapshot once its first line (which gives every table's length and CRC) can be
    written: a compaction carries 370 MB of closed cases at 200,000 cases, and an import
    writes every table of the new desk, never held in memory."""

    block = SPLICE_STEP
    """How much is gathered before it is written to the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.fchmod(self.fd, PRIVATE_FILE)
        self.size, self.crc = 0, 0
        self._pending = bytearray()
        """What is written and not yet in the file (nor in :attr:`crc`)."""

    @classmethod
    def beside(cls, path: str, name: str) -> ScratchTable:
        """A scratch table for the table ``name`` of a snapshot of ``path``, in a file beside
        it whose name :func:`~workbench.store.fileio.temporary_files` finds, should a crash
        leave it."""
        folder, base = os.path.split(os.path.abspath(path))
        return cls(os.path.join(folder, f".{base}.{os.getpid()}-{os.urandom(4).hex()}.tmp.{name}"))

    def write(self, data: bytes) -> None:
        self._pending += data
        self.size += len(data)
        if len(self._pending) >= self.block:
            self.flush()

    def flush(self) -> None:
        """Put what was written in the file."""
        write_all(self.fd, self._pending)
        self.crc = zlib.crc32(self._pending, self.crc)
        self._pending.clear()

    def sealed(self) -> tuple[int, int]:
        """The table's length and CRC, everything written in the file."""
        self.flush()
        return self.size, self.crc

    def blocks(self) -> Iterator[bytes]:
        """The table as written, a few MB at a time."""
        self.flush()
        position = 0
        while position < self.size:
            block = os.pread(self.fd, min(SPLICE_STEP, self.size - position), position)
            if not block:
                raise OSError(f"{self.path} is shorter than was written to it")
            position += len(block)
            yield block

    def copy_to(self, fd: int) -> None:
        """Append the table as written to the file ``fd``, in the kernel."""
        self.flush()
        copied = 0
        while copied < self.size:
            copied += os.copy_file_range(self.fd, fd, self.size - copied, copied)

    def remove(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with suppress(FileNotFoundError):
            os.unlink(self.path)


def write_snapshot_beside(
    path: str, meta: dict[str, Any], values: dict[str, bytes], closed: ScratchTable
) -> Snapshot:
    """A snapshot holding ``values`` (every table's JSON but the closed cases') and the
    closed cases written to ``closed``, in a temporary file beside ``path``, fsynced, not yet
    in its place (its :attr:`Snapshot.path` is that file's name; the caller renames it, then
    sets ``path``): a compaction writes it without the writer lock. The snapshot is open on
    the file, which it keeps reading after the rename."""
    sizes = {name: (len(value), zlib.crc32(value)) for name, value in values.items()}
    sizes[CLOSED] = closed.sealed()
    first_line = encode_meta(meta, sizes)

    def body() -> Iterator[bytes]:
        yield first_line
        for name in TABLES:
            prefix, suffix = table_parts(name, [])
            yield prefix
            yield from closed.blocks() if name == CLOSED else [values[name]]
            yield suffix

    temporary = write_beside(path, body())
    try:
        fd = os.open(temporary, os.O_RDONLY)
    except BaseException:
        os.unlink(temporary)
        raise
    return Snapshot(temporary, meta_of_line(first_line), {}, fd, len(first_line))


def carry_history(
    table: bytes, recent: dict[str, dict[str, list[int]]], live: dict[str, dict[str, Any]]
) -> bytes | None:
    """The event index of the next snapshot, from the last one's (``table``, checked) and
    the events logged since (``recent``), exactly as :func:`live_first` of the two merged
    writes it (``live``: the records not closed), without parsing it: the entries of the
    records with no event since are carried over as bytes, the others' lists extended. At
    200,000 cases the table is 13 MB, and parsed it took 240 MB. ``None`` when ``table`` is
    not laid out entry by entry, kind by kind (the caller merges them parsed)."""
    sections = _sections(table)
    starts = [section[0] for section in sections.values() if section is not None]
    if not (table.startswith(b"{") and table.endswith(b"}")) or min(starts, default=len(table) - 1) != 1:
        return None
    parts = []
    for kind in KINDS:
        pieces = _carried_kind(table, sections[kind], kind, recent.get(kind, {}), live.get(kind, {}))
        if pieces is None:
            return None
        parts.append(orjson.dumps(kind) + b":{" + b",".join(pieces) + b"}")
    return b"{" + b",".join(parts) + b"}"


def _carried_kind(
    table: bytes,
    section: tuple[int, int] | None,
    kind: str,
    recent: dict[str, list[int]],
    live: dict[str, Any],
) -> list[bytes] | None:
    """The entries of one kind's object in the next event index (see :func:`carry_history`):
    the live records' first, in their order, then the others in the order they had, then
    the others first logged since; ``None``: the object is not laid out entry by entry."""
    wanted = {orjson.dumps(key) + b":[": key for key in chain(live, recent)}
    chosen: dict[str, bytes] = {}
    """The live records' entries (a few thousand), placed first."""
    rest: list[bytes] = []
    """The others, in order: stretches of entries carried as they were, and those extended."""
    seen: set[str] = set()
    if section is not None:
        start, end = section
        position = run = start + len(orjson.dumps(kind)) + 2
        if table[position : position + 1] == b"}":
            position += 1
        else:
            while True:
                entry = ENTRY.match(table, position, end)
                if entry is None:
                    return None
                key = wanted.get(entry.group(1))
                if key is not None:
                    if run < entry.start():
                        rest.append(table[run : entry.start() - 1])
                    offsets = table[entry.end(1) - 1 : entry.end() - 1]
                    if key in recent:
                        offsets = orjson.dumps([*orjson.loads(offsets), *recent[key]])
                    line = entry.group(1)[:-1] + offsets
                    if key in live:
                        chosen[key] = line
                    else:
                        rest.append(line)
                    seen.add(key)
                    run = entry.end()
                position = entry.end()
                if table[position - 1 : position] == b"}":
                    break
            if run < position - 1:
                rest.append(table[run : position - 1])
        if table[position:end] not in (b",", b"}"):
            return None
    first = [
        chosen[key] if key in chosen else orjson.dumps(key) + b":" + orjson.dumps(recent[key])
        for key in live
        if key in chosen or key in recent
    ]
    return [
        *first,
        *rest,
        *(
            orjson.dumps(key) + b":" + orjson.dumps(offsets)
            for key, offsets in recent.items()
            if key not in live and key not in seen
        ),
    ]


def meta_of_line(first_line: bytes) -> dict[str, Any]:
    """The ``_meta`` that :func:`encode_meta` put in ``first_line``."""
    return orjson.loads(first_line[len(_HEAD) : -3])


def live_first(
    history: dict[str, dict[str, list[int]]], live: dict[str, dict[str, Any]]
) -> dict[str, dict[str, list[int]]]:
    """The event index with each kind's records not closed (``live``) first: the open
    work is what is looked up one record at a time (a month's report reads the events of
    its 500 open cases), and :meth:`Snapshot.history_of` finds an entry by searching the
    table from the start of its kind."""
    return {
        kind: {**{key: index[key] for key in live.get(kind, ()) if key in index}, **index}
        for kind, index in history.items()
    }


def encode_tables(meta: dict[str, Any], tables: dict[str, Any]) -> list[bytes]:
    """:func:`encode` for parsed tables: every kind, ``_history``, and ``closed_cases``
    (cases may hold closed ones too: they are moved to ``closed_cases``)."""
    cases = {
        key: record
        for key, record in tables["cases"].items()
        if not (isinstance(record, dict) and record.get("state") == "closed")
    }
    closed = {**tables.get(CLOSED, {}), **{k: r for k, r in tables["cases"].items() if k not in cases}}
    values = {kind: orjson.dumps(tables.get(kind, {})) for kind in KINDS}
    values["cases"] = orjson.dumps(cases)
    values[HISTORY] = orjson.dumps(tables[HISTORY])
    values[CLOSED] = encode_closed(closed_entry(key, record) for key, record in closed.items())
    return encode(meta, values)


def _read_schema_2(raw: bytes, first_line: int, meta: dict[str, Any], path: str) -> Snapshot:
    """Check and parse a schema-2 snapshot (a table per line, one checksum), whole."""
    view = memoryview(raw)
    if meta.get("checksum") != zlib.crc32(view[first_line + 1 :], _meta_checksum(meta)):
        raise _damaged(path, "checksum mismatch")
    tables: dict[str, Any] = {}
    start = first_line + 1
    names = (*KINDS_3, HISTORY)
    for index, name in enumerate(names):
        end = raw.find(b"\n", start)
        prefix = b'"' + name.encode() + b'":'
        closing = b"}" if index == len(names) - 1 else b","
        if end < 0 or raw[start : start + len(prefix)] != prefix or raw[end - 1 : end] != closing:
            raise _damaged(path, f"table {name!r} is not where it belongs")
        value = view[start + len(prefix) : end - 1]
        tables[name] = _parse(value, path, name) if name == HISTORY else records_of(value, path, name)
        start = end + 1
    return Snapshot(path, meta, tables)


def _read_current(fd: int, first_line: bytes, meta: dict[str, Any], path: str) -> Snapshot:
    """Check a schema-3 snapshot's first line and size; read and check the tables of every
    kind, parsed when first asked for (:class:`RecordTables`; the event index and the
    closed cases wait for :class:`Snapshot`)."""
    fields = {
        "desk": str,
        "seq": int,
        "log_offset": int,
        "last_event_id": int,
        "counters": dict,
        "tables": dict,
        "body": int,
    }
    for name, kind in fields.items():
        if type(meta.get(name)) is not kind:
            raise _damaged(path, f"{META} has no valid {name!r}")
    if meta.get("checksum") != _meta_checksum(meta):
        raise _damaged(path, f"checksum mismatch in {META}")
    spans = meta["tables"]
    kinds = kinds_of(meta["schema"])
    if list(spans) != [*kinds, HISTORY, CLOSED] or not all(
        isinstance(span, list) and len(span) == 3 and all(type(n) is int and n >= 0 for n in span)
        for span in spans.values()
    ):
        raise _damaged(path, f"{META} does not place every table")
    body = len(first_line)
    size = os.fstat(fd).st_size
    if size != body + meta["body"]:
        raise _damaged(
            path, f"the file is {size} bytes, its {META} says {body + meta['body']} (truncated, or added to)"
        )
    first, last = spans[kinds[0]], spans[kinds[-1]]
    stretch = os.pread(fd, last[0] + last[1] - first[0], body + first[0])
    unparsed = {}
    for kind in kinds:
        start, length, crc = spans[kind]
        placed = (start - first[0], start - first[0] + length)
        if zlib.crc32(memoryview(stretch)[placed[0] : placed[1]]) != crc:
            raise _damaged(path, f"table {kind!r} fails its checksum")
        unparsed[kind] = placed
    return Snapshot(path, meta, RecordTables(path, stretch, unparsed), fd, body)


def _first_line(fd: int) -> bytes:
    """The snapshot's first line, newline included (or every byte there is)."""
    data, step = b"", 4096
    while b"\n" not in data:
        block = os.pread(fd, step, len(data))
        if not block:
            return data
        data += block
    return data[: data.index(b"\n") + 1]


def _meta_value(path: str, name: str) -> Any:
    """One value of the ``_meta`` of the snapshot at ``path``, read from its first line
    alone; ``None`` when that cannot be told (no file, an older schema, damage)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        first_line = _first_line(fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        meta = orjson.loads(first_line[len(_HEAD) : -3]) if first_line.startswith(_HEAD) else None
    except orjson.JSONDecodeError:
        return None
    return meta.get(name) if isinstance(meta, dict) else None


def snapshot_checkpoint(path: str) -> int:
    """How much of the log the snapshot at ``path`` covers (its ``log_offset``), read from
    its first line alone; 0 when that cannot be told (no file, an older schema, damage)."""
    offset = _meta_value(path, "log_offset")
    return offset if type(offset) is int else 0


def snapshot_checksum(path: str) -> int | None:
    """The ``_meta`` checksum of the snapshot at ``path`` (which snapshot is on disk), read
    from its first line alone; ``None`` when that cannot be told."""
    checksum = _meta_value(path, "checksum")
    return checksum if type(checksum) is int else None


def read_snapshot(path: str) -> Snapshot | None:
    """The snapshot at ``path``, or ``None`` when there is no file.

    A schema-3 file has its first line and every table of records checked (each is parsed
    when first asked for: :class:`RecordTables`), and stays open for the rest (close the
    :class:`Snapshot`); an older one is read and parsed whole, for migration. Raises
    :class:`StoreError` naming the path and the problem for an empty, truncated, non-JSON,
    damaged, hand-edited or newer file.
    """
    try:
        fd = open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"{path}: cannot read the desk ({error.strerror})") from None
    try:
        first_line = _first_line(fd)
        if first_line.startswith(_HEAD) and first_line.endswith(b"},\n"):
            try:
                meta = orjson.loads(first_line[len(_HEAD) : -3])
            except orjson.JSONDecodeError:
                meta = None
            if isinstance(meta, dict) and meta.get("schema") in (3, SCHEMA):
                return _read_current(fd, first_line, meta, path)
        raw = b"".join(iter(lambda: os.read(fd, 1 << 24), b""))
    except OSError as error:
        os.close(fd)
        raise StoreError(f"{path}: cannot read the desk ({error.strerror})") from None
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return _read_older(raw, path)


def _read_older(raw: bytes, path: str) -> Snapshot:
    """A snapshot of an older schema (or no desk at all), read whole."""
    if not raw.strip():
        raise StoreError(f"{path}: the desk file is empty; nothing was changed")
    first_line = raw.find(b"\n")
    if first_line > 0 and raw.startswith(_HEAD) and raw[first_line - 2 : first_line] == b"},":
        try:
            meta = orjson.loads(raw[len(_HEAD) : first_line - 2])
        except orjson.JSONDecodeError:
            meta = None
        if isinstance(meta, dict) and meta.get("schema") == 2:
            if not raw.endswith(b"}\n"):
                raise _damaged(path, "the file does not end with its last table (truncated, or added to)")
            return _read_schema_2(raw, first_line, meta, path)
    try:
        with long_lived_objects(freeze=False):
            document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise StoreError(
            f"{path}: not valid JSON ({error}): truncated, damaged or edited by hand; "
            "nothing was changed (see `workbench doctor`)"
        ) from None
    meta = _meta_of(document, path)
    if meta["schema"] >= 2:
        raise _damaged(path, f"the layout of a schema-{meta['schema']} desk is broken")
    return Snapshot(path, meta, document)


class SnapshotStorage(Storage):
    """TinyDB storage of a desk snapshot: checked reads, checksummed atomic writes."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def read(self) -> dict[str, Any] | None:
        """The whole snapshot as a TinyDB document (see :func:`read_snapshot`): for schema
        3, every table, ``closed_cases`` included."""
        snapshot = read_snapshot(self.path)
        if snapshot is None:
            return None
        if snapshot.schema < READ_BY_TABLE:
            return snapshot.tables
        try:
            with long_lived_objects(freeze=False):
                closed = parse_closed(snapshot.closed(), self.path)
            return {
                META: {"1": snapshot.meta},
                **snapshot.tables,
                HISTORY: snapshot.history(),
                CLOSED: closed,
            }
        finally:
            snapshot.close()

    def write(self, data: dict[str, Any]) -> None:
        """Replace the snapshot with ``data`` (``_meta`` and every table), atomically."""
        replace_atomically(self.path, encode_tables(data[META]["1"], data))
