"""Where each closed case sits in the snapshot, by customer and by the day it was sent
(``desk.json.index``), so that a rule reading a customer's past cases (BT-SAFE-1) or the
cases sent in a window (ZOHO-HOWTO-1) reads those cases' lines, not the whole archive.

The file is derived data, written beside every snapshot the desk writes (a crash between
the two leaves the old one, which then names another snapshot and is not used)::

    {"format":"case-workbench-index","desk":ID,"snapshot":CHECKSUM,"size":SIZE}
    CRC ["customer","CUS-7",[ENTRY,…]]
    CRC ["sent","2026-11-25",[ENTRY,…]]

``CHECKSUM`` is the snapshot's ``_meta`` checksum: an index is used only with the very
snapshot it was written for. ``SIZE`` is the length in bytes of the lines after the
header: an index cut short (or grown) is not used, as a line missing would silently drop
cases from the answers. Each further line carries the CRC-32 of its JSON, like the log's,
checked when the line is read; a line that fails it, or is not a group of entries, makes the
lookup fall back to the closed-cases table, and the next snapshot written rebuilds the
index whole. An ENTRY is ``[key, start, length, crc, customer_id, vendor, sent_at]``: the closed
case's line in the snapshot file (``"KEY":{…}``, ``length`` bytes from byte ``start``,
with its own CRC-32, so it is read and checked alone) and the fields the lines are grouped
and filtered by. Every closed case has one entry in its customer's line, and one in the line
of the UTC day it was sent to the vendor on, if it was.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from workbench.store.base import instant

FORMAT = "case-workbench-index"
_CRC_WIDTH = 9  # eight hex digits and a space
_CUSTOMER = b'["customer",'
_CUSTOMER_HEAD = re.compile(rb'\["customer",(?:"(?:[^"\\]|\\.)*"|-?[0-9.eE+]+|null|true|false),\[')
"""The start of a customer's line up to its entries, for an id that is a string or number."""


def checked_line(payload: bytes) -> bytes:
    """``payload`` as a line of an index file (this one, the kept tallies): its CRC in eight
    hex digits, a space, the payload and a newline."""
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def checked_payload(data: bytes, start: int) -> bytes | None:
    """The payload of the line of ``data`` that starts at ``start`` (see :func:`checked_line`);
    ``None`` when it is cut short or fails its CRC."""
    end = data.find(b"\n", start)
    payload = data[start + _CRC_WIDTH : end]
    if end < 0 or data[start : start + 8] != b"%08x" % zlib.crc32(payload):
        return None
    return payload


def header_of(data: bytes) -> tuple[Any, int]:
    """An index file's header (its first line, parsed; ``None`` when it is none) and the
    length of the lines after it, which the header states."""
    newline = data.find(b"\n")
    try:
        header = orjson.loads(data[:newline]) if newline > 0 else None
    except orjson.JSONDecodeError:
        header = None
    return header, len(data) - newline - 1


Entry = list[Any]
"""``[key, start, length, crc, customer_id, vendor, sent_at]``."""


def index_path(path: str) -> str:
    """The index of the desk whose snapshot is at ``path``."""
    return path + ".index"


def _sent_day(sent_at: Any) -> str | None:
    moment = instant(sent_at)
    return moment.date().isoformat() if moment else None


def attributes(record: dict[str, Any]) -> list[Any]:
    """What an entry keeps of a closed case: customer, vendor and when it was sent."""
    return [record.get("customer_id"), record.get("vendor"), record.get("sent_at")]


def index_entries(
    pieces: list[bytes], table_start: int, known: dict[str, list[Any]], changed: dict[str, Any]
) -> Iterator[Entry]:
    """An entry for every line of a closed-cases table given as ``pieces`` (whole, or as
    :func:`~workbench.store.snapshot.splice_closed` gives it) that starts at byte
    ``table_start`` of its file. A line's attributes come from ``changed`` (the records
    written since the last snapshot: a dict, or its JSON), else from ``known`` (the last
    index), else from parsing the line."""
    contents = [pieces[0][2:-2]] if len(pieces) == 1 else pieces[1:-1:2]
    position = table_start + 2
    for index, piece in enumerate(contents):
        if index:
            position += 2  # the ",\n" between pieces
        view = memoryview(piece)
        start = 0
        while start < len(piece):
            end = piece.find(b",\n", start)
            end = len(piece) if end < 0 else end
            line = view[start:end]
            head = piece[start : piece.find(b'":', start) + 1]
            key = (
                orjson.loads(head)
                if b"\\" not in head
                else next(iter(orjson.loads(b"{" + bytes(line) + b"}")))
            )
            if key in changed:
                record = changed[key]
                found = attributes(orjson.loads(record) if isinstance(record, bytes) else record)
            elif key in known:
                found = known[key]
            else:
                found = attributes(orjson.loads(b"{" + bytes(line) + b"}")[key])
            yield [key, position + start, end - start, zlib.crc32(line), *found]
            start = end + 2
        position += len(piece)


def encode_index(desk: str, snapshot_checksum: int, found: Iterator[Entry]) -> list[bytes]:
    """The index file's lines."""
    customers: dict[Any, list[Entry]] = {}
    days: dict[str, list[Entry]] = {}
    for entry in found:
        customers.setdefault(entry[4], []).append(entry)
        day = _sent_day(entry[6])
        if day is not None:
            days.setdefault(day, []).append(entry)
    lines = []
    for group, grouped in (("customer", customers), ("sent", days)):
        for value, members in grouped.items():
            lines.append(checked_line(orjson.dumps([group, value, members])))
    header = {"format": FORMAT, "desk": desk, "snapshot": snapshot_checksum, "size": sum(map(len, lines))}
    return [orjson.dumps(header) + b"\n", *lines]


def _exact(data: bytes) -> bytes:
    """``data`` in an object of its own size: what orjson returns keeps the buffer it was
    written in (4 KB for a short value), which for 200,000 entries kept is 800 MB."""
    return bytes(memoryview(data))


class PlacedEntries:
    """The index entries of a closed-cases table as it is written a line at a time (a
    compaction), each kept as its JSON with its place counted within the table and grouped
    as :func:`encode_index` groups them: 200,000 entries take 25 MB so, where lists of
    values took 150 MB. :meth:`lines` gives the index once the table's place in its
    snapshot is known."""

    def __init__(self) -> None:
        self._customers: dict[bytes, list[bytes]] = {}
        self._days: dict[str, list[bytes]] = {}
        self.count = 0

    def add(self, key: str, start: int, line: bytes, found: list[Any]) -> None:
        """The entry of the closed case ``key`` whose ``line`` starts at ``start`` of the
        table, with its attributes (:func:`attributes`) ``found``."""
        entry = _exact(orjson.dumps([key, start, len(line), zlib.crc32(line), *found]))
        self.count += 1
        customer = orjson.dumps(found[0])
        members = self._customers.get(customer)
        if members is None:
            members = self._customers[_exact(customer)] = []
        members.append(entry)
        day = _sent_day(found[2])
        if day is not None:
            self._days.setdefault(day, []).append(entry)

    def lines(self, desk: str, snapshot_checksum: int, table_start: int) -> list[bytes]:
        """The index file's lines (as :func:`encode_index` writes them) for the table
        starting at byte ``table_start`` of its snapshot; the entries are given up as they
        are written."""
        lines = []
        for group, grouped in (("customer", self._customers), ("sent", self._days)):
            while grouped:
                value, members = next(iter(grouped.items()))
                del grouped[value]
                entries = orjson.loads(b"[" + b",".join(members) + b"]")
                for entry in entries:
                    entry[1] += table_start
                shown = orjson.loads(value) if group == "customer" else value
                lines.append(checked_line(orjson.dumps([group, shown, entries])))
        header = {"format": FORMAT, "desk": desk, "snapshot": snapshot_checksum, "size": sum(map(len, lines))}
        return [orjson.dumps(header) + b"\n", *lines]


def _is_entry(entry: Any) -> bool:
    """``[key, start, length, crc, …]``, as :func:`index_entries` writes it."""
    return (
        isinstance(entry, list)
        and len(entry) == 7
        and isinstance(entry[0], str)
        and all(isinstance(number, int) and number >= 0 for number in entry[1:4])
    )


def _is_group(line: Any) -> bool:
    """``[group, value, [ENTRY, …]]``, as :func:`encode_index` writes it."""
    return (
        isinstance(line, list)
        and len(line) == 3
        and line[0] in ("customer", "sent")
        and isinstance(line[2], list)
        and all(map(_is_entry, line[2]))
    )


class ClosedIndex:
    """An index file's content, checked line by line as it is read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._days: dict[bytes, int] | None = None
        self._customers: dict[bytes, int] | None = None
        """Where each customer's line starts, by the text of its ``["customer",ID,[``,
        found by :meth:`read_ahead` (else each customer's line is searched for)."""

    def read_ahead(self) -> None:
        """Find each day's and each customer's line now rather than searching for them on
        need: for a desk server's kept desk, whose commands then look up a customer's
        closed cases without searching 25 MB (at 200,000 cases)."""
        self._day_lines()
        customers: dict[bytes, int] = {}
        for position in self._line_starts():
            if self.data.startswith(_CUSTOMER, position + _CRC_WIDTH):
                head = _CUSTOMER_HEAD.match(self.data, position + _CRC_WIDTH)
                if head is None:
                    return  # an id that is not a string or a number: each is searched for
                customers[head.group()] = position
        self._customers = customers

    def _line_starts(self) -> Iterator[int]:
        """Where each line after the header starts."""
        position = self.data.find(b"\n") + 1
        while 0 < position < len(self.data):
            yield position
            end = self.data.find(b"\n", position)
            position = end + 1 if end >= 0 else 0

    def _day_lines(self) -> dict[bytes, int]:
        """Where each day's ``sent`` line starts, by its day (``b"2026-11-25"``): found once
        by stepping over the lines' starts, so that a window of 30 days costs 30 lookups in a
        dict, not 30 searches of the whole file (25 MB at 200,000 cases)."""
        if self._days is None:
            self._days = {}
            head = b'["sent","'
            for position in self._line_starts():
                if self.data.startswith(head, position + _CRC_WIDTH):
                    day = position + _CRC_WIDTH + len(head)
                    self._days[self.data[day : self.data.find(b'"', day)]] = position
        return self._days

    @classmethod
    def read(cls, data: bytes, desk: str, snapshot_checksum: int) -> ClosedIndex | None:
        """The index in ``data`` if it was written for this snapshot of this desk, whole."""
        header, size = header_of(data)
        if header != {"format": FORMAT, "desk": desk, "snapshot": snapshot_checksum, "size": size}:
            return None
        return cls(data)

    def _line(self, at: int) -> list[Any] | None:
        """The checked line holding byte ``at`` (``None``: it fails its check: cut short,
        altered, or not a group of entries; the index is then not believed)."""
        payload = checked_payload(self.data, self.data.rfind(b"\n", 0, at) + 1)
        if payload is None:
            return None
        try:
            line = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
        return line if _is_group(line) else None

    def _group(self, group: str, value: Any) -> list[Entry] | None:
        """The entries of one line (``[]``: there is none); ``None``: the line is damaged."""
        needle = orjson.dumps([group, value])[:-1] + b",["
        if group == "customer" and self._customers is not None:
            at = self._customers.get(needle, -1) + _CRC_WIDTH
            if at < _CRC_WIDTH:
                return []
        else:
            at = self.data.find(b" " + needle)
            if at < 0:
                return []
        line = self._line(at + 1)
        return None if line is None else line[2]

    def customer(self, customer_id: Any) -> list[Entry] | None:
        """The entries of the customer's closed cases (``None``: the index is damaged)."""
        return self._group("customer", customer_id)

    def sent(self, after: datetime, until: datetime) -> list[Entry] | None:
        """The entries of the closed cases sent after ``after``, at or before ``until``."""
        found: list[Entry] = []
        first, last = after.astimezone(UTC).date(), until.astimezone(UTC).date()
        lines = self._day_lines()
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
            at = lines.get(day.isoformat().encode())
            line = self._line(at) if at is not None else ["sent", day, []]
            if line is None:
                return None
            found += [e for e in line[2] if (moment := instant(e[6])) and after < moment <= until]
        return found

    def entry(self, key: str) -> Entry | None | bool:
        """The entry of one closed case; ``False``: no closed case has that key; ``None``:
        the index is damaged."""
        needle = b"[" + orjson.dumps(key) + b","
        at = self.data.find(needle)
        while at >= 0:
            line = self._line(at)
            if line is None:
                return None
            for entry in line[2]:
                if entry[0] == key:
                    return entry
            at = self.data.find(needle, at + 1)
        return False

    def known(self) -> dict[str, list[Any]]:
        """Every entry's attributes by key (to carry them into the next index)."""
        found: dict[str, list[Any]] = {}
        position = self.data.find(b"\n") + 1
        while position < len(self.data):
            end = self.data.find(b"\n", position)
            if end < 0:
                return {}  # cut short: nothing of it is carried over
            if self.data.startswith(b'["customer",', position + _CRC_WIDTH):
                line = self._line(position)
                if line is None:
                    return {}
                for entry in line[2]:
                    found[entry[0]] = entry[4:]
            position = end + 1
        return found
