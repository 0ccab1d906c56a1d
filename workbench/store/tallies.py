"""The tallies the desk file keeps (``desk.json.tallies``): for each tally a plugin declares
(``workbench_tallies``, e.g. ZOHO-HOWTO-1's ``zoho.howto``), the closed cases of the
snapshot it counts, by the UTC day each was sent, so that a count over a window reads the
window's days of one small file instead of the window's cases.

The file is derived data, written beside the snapshot it was counted from::

    {"format":"case-workbench-tallies","desk":ID,"snapshot":CHECKSUM,"tallies":{NAME:DEFINITION,…},"size":SIZE}
    CRC ["2026-11-25",[[KEY,SENT_AT,[NAME,…]],…]]

``CHECKSUM`` is the snapshot's ``_meta`` checksum and ``SIZE`` the length of the lines after
the header, as in the closed cases' index (:mod:`.closed_index`): a file written for another
snapshot, cut short or grown is not used. ``tallies`` holds each tally's definition as it
was counted (:data:`~workbench.store.base.Definition`): a count is believed only for a
definition equal to the one the desk asks about, so a plugin that changes what a tally
counts (a new version, another rule) is answered from the cases themselves until the tallies
are counted again (:meth:`FileStore.keep_tallies`). Each further line carries the CRC-32 of
its JSON; a line that fails it makes the count fall back to the cases, never a wrong number.

A snapshot written by compaction carries the kept tallies over without reading the closed
cases: the entries of the cases closed since stand for theirs, a case no longer closed
leaves. The cases not closed, and those closed after the snapshot, are counted from memory
when asked (they are the open work and the log's tail).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from workbench.store.base import Definition, instant, tallied
from workbench.store.closed_index import checked_line, checked_payload, header_of

FORMAT = "case-workbench-tallies"
_CRC_WIDTH = 9  # eight hex digits and a space
_DAY_START = _CRC_WIDTH + 2  # past the line's ``["``
_DAY_WIDTH = 10  # 2026-11-25

Counted = list[Any]
"""``[key, sent_at, [name, …]]``: one closed case and the tallies that count it."""


def tallies_path(path: str) -> str:
    """The kept tallies of the desk whose snapshot is at ``path``."""
    return path + ".tallies"


def counted(definitions: dict[str, Definition], key: str, record: dict[str, Any]) -> Counted | None:
    """The entry of the closed case ``record``: the tallies of ``definitions`` that count it,
    if it was sent (``None``: it counts toward none)."""
    if instant(record.get("sent_at")) is None:
        return None
    names = [name for name, definition in definitions.items() if tallied(definition, record)]
    return [key, record["sent_at"], names] if names else None


def encode_tallies(
    desk: str, snapshot_checksum: int, definitions: dict[str, Definition], entries: Iterable[Counted]
) -> list[bytes]:
    """The file's lines: one per day a counted case was sent on, days in order."""
    days: dict[str, list[Counted]] = {}
    for entry in entries:
        days.setdefault(instant(entry[1]).date().isoformat(), []).append(entry)
    lines = []
    for day in sorted(days):
        lines.append(checked_line(orjson.dumps([day, days[day]])))
    header = {
        "format": FORMAT,
        "desk": desk,
        "snapshot": snapshot_checksum,
        "tallies": definitions,
        "size": sum(map(len, lines)),
    }
    return [orjson.dumps(header) + b"\n", *lines]


def _is_entry(entry: Any) -> bool:
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], str)
        and instant(entry[1]) is not None
        and isinstance(entry[2], list)
    )


class KeptTallies:
    """A tallies file's content, checked line by line as it is read."""

    def __init__(self, data: bytes, definitions: dict[str, Definition]) -> None:
        self.data = data
        self.definitions = definitions
        self._days: dict[bytes, int] | None = None

    @classmethod
    def read(cls, data: bytes, desk: str, snapshot_checksum: int) -> KeptTallies | None:
        """The tallies in ``data`` if they were kept for this snapshot of this desk, whole."""
        header, size = header_of(data)
        if not isinstance(header, dict) or not isinstance(header.get("tallies"), dict):
            return None
        expected = {"format": FORMAT, "desk": desk, "snapshot": snapshot_checksum, "size": size}
        if {name: header.get(name) for name in expected} != expected:
            return None
        return cls(data, header["tallies"])

    def read_ahead(self) -> None:
        """Find each day's line now rather than on first need (a desk server's kept desk)."""
        self._day_lines()

    def _day_lines(self) -> dict[bytes, int] | None:
        """Where each day's line starts, by its day, found once by stepping over the lines,
        each checked against its CRC on the way (a few hundred KB at 200,000 cases: a day
        altered in place would otherwise drop that day's cases from a count unnoticed);
        ``None``: a line fails its check."""
        if self._days is None:
            days: dict[bytes, int] = {}
            position = self.data.find(b"\n") + 1
            while position < len(self.data):
                payload = checked_payload(self.data, position)
                if payload is None:
                    return None
                days[self.data[position + _DAY_START : position + _DAY_START + _DAY_WIDTH]] = position
                position += _CRC_WIDTH + len(payload) + 1
            self._days = days
        return self._days

    def _line(self, start: int) -> list[Counted] | None:
        """The checked entries of the line starting at ``start`` (``None``: it fails its check)."""
        payload = checked_payload(self.data, start)
        if payload is None:
            return None
        try:
            line = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
        if not (isinstance(line, list) and len(line) == 2 and isinstance(line[1], list)):
            return None
        return line[1] if all(map(_is_entry, line[1])) else None

    def count(self, name: str, after: datetime, until: datetime, leaving_out: Container[str]) -> int | None:
        """How many kept cases ``name`` counts among those sent after ``after``, at or before
        ``until``, leaving out the keys in ``leaving_out`` (``None``: a line is damaged)."""
        found = 0
        first, last = after.astimezone(UTC).date(), until.astimezone(UTC).date()
        lines = self._day_lines()
        if lines is None:
            return None
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
            start = lines.get(day.isoformat().encode())
            entries = self._line(start) if start is not None else []
            if entries is None:
                return None
            found += sum(
                1
                for key, sent_at, names in entries
                if name in names and key not in leaving_out and after < instant(sent_at) <= until
            )
        return found

    def entries(self) -> list[Counted] | None:
        """Every kept entry (to carry them into the next snapshot's file; ``None``: damaged)."""
        found: list[Counted] = []
        lines = self._day_lines()
        if lines is None:
            return None
        for start in lines.values():
            entries = self._line(start)
            if entries is None:
                return None
            found += entries
        return found


def carried(
    previous: KeptTallies | None, changes: dict[str, dict[str, Any] | bytes | None]
) -> tuple[dict[str, Definition], list[Counted]] | None:
    """The tallies of the next snapshot, from those kept for the previous one and the closed
    cases changed since (``changes``: a closed case, as a dict or its JSON, or ``None`` for
    one no longer closed); ``None`` when none were kept (or they are damaged)."""
    entries = previous.entries() if previous is not None else None
    if entries is None:
        return None
    kept = [entry for entry in entries if entry[0] not in changes]
    for key, changed in changes.items():
        if changed is not None:
            record = orjson.loads(changed) if isinstance(changed, bytes) else changed
            entry = counted(previous.definitions, key, record)
            if entry is not None:
                kept.append(entry)
    return previous.definitions, kept
