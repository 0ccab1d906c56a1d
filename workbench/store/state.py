"""A desk's state in memory: every record, the event index, counters, and how much of the
log it reflects. Built from a snapshot plus the log transactions after it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import orjson

from workbench.store.base import KINDS, Definition, Window, in_window, is_closed, matches, tallied
from workbench.store.closed_index import ClosedIndex, PlacedEntries, attributes
from workbench.store.log import Entry
from workbench.store.snapshot import (
    CLOSED,
    HISTORY,
    READ_BY_TABLE,
    RecordTables,
    ScratchTable,
    Snapshot,
    carry_history,
    closed_entry,
    encode_closed,
    entry_key,
    find_closed,
    find_matching,
    live_first,
    long_lived_objects,
    parse_closed,
    records_of,
    splice_closed,
)


def _empty_index() -> dict[str, dict[str, list[int]]]:
    return {kind: {} for kind in KINDS}


class ClosedCases:
    """The closed cases: the snapshot's, read from disk when first asked for, and the
    changes since (a closed case — its JSON until it is first needed as a dict — or
    ``None`` for a case that is no longer closed).

    Most work never needs them: listing, filtering and sweeping the open cases, opening an
    open case. One closed case is found in the snapshot's table without parsing the
    others; listing them all parses them all, once."""

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self.snapshot = snapshot
        self.changes: dict[str, dict[str, Any] | bytes | None] = {}
        self._table: bytes | None = None
        """The snapshot's table, checked, while single cases are looked up in it."""
        self._saved: dict[str, dict[str, Any]] | None = None
        """The snapshot's closed cases, once parsed."""

    def _saved_table(self) -> bytes:
        if self.snapshot is None:
            return encode_closed([])
        return self.snapshot.closed()

    def _index(self) -> ClosedIndex | None:
        """The snapshot's index of its closed cases, while it is worth reading."""
        if self.snapshot is None or self._saved is not None:
            return None
        return self.snapshot.closed_index()

    def get(self, key: str) -> dict[str, Any] | None:
        if key in self.changes:
            changed = self.changes[key]
            return orjson.loads(changed) if isinstance(changed, bytes) else changed
        if self._saved is not None:
            return self._saved.get(key)
        if self.snapshot is None:
            return None
        index = self._index()
        if index is not None:
            entry = index.entry(key)
            if entry is False:
                return None
            record = self.snapshot.closed_case(entry) if entry is not None else None
            if record is not None:
                return record
        if self._table is None:
            self._table = self._saved_table()
        return find_closed(self._table, key, self.snapshot.path)

    def records(self) -> list[dict[str, Any]]:
        """Every closed case (the dicts are the store's own)."""
        if self._saved is None:
            table = self._table or self._saved_table()
            with long_lived_objects():
                self._saved = parse_closed(table, self.snapshot.path if self.snapshot else "")
            self._table = None
        with long_lived_objects():
            for key, changed in self.changes.items():
                if isinstance(changed, bytes):
                    self.changes[key] = orjson.loads(changed)
        if not self.changes:
            return list(self._saved.values())
        merged = {**self._saved, **self.changes}
        return [record for record in merged.values() if record is not None]

    def matching(self, match: dict[str, Any], within: Window | None = None) -> list[dict[str, Any]]:
        """The closed cases whose fields equal ``match``'s values (and inside ``within``).
        Before the closed cases are parsed, only the cases the index places (a customer's,
        or those sent in the window) are read; without an index for the query, only the
        lines that hold the first value of ``match`` that is not ``None`` (a case without
        the field matches ``None``, and its line holds no text of it)."""
        found = self._indexed(match, within)
        if found is None:
            if self._saved is not None or all(value is None for value in match.values()):
                return [r for r in self.records() if matches(r, match) and in_window(r, within)]
            found = {}
            if self.snapshot is not None:
                if self._table is None:
                    self._table = self._saved_table()
                found = {
                    key: record
                    for key, record in find_matching(self._table, match, self.snapshot.path).items()
                    if in_window(record, within)
                }
        for key, changed in self.changes.items():
            found.pop(key, None)
            record = orjson.loads(changed) if isinstance(changed, bytes) else changed
            if record is not None and matches(record, match) and in_window(record, within):
                found[key] = record
        return list(found.values())

    def _indexed(self, match: dict[str, Any], within: Window | None) -> dict[str, dict[str, Any]] | None:
        """The saved closed cases matching, from the index; ``None`` when there is no index
        for this query (or it cannot be believed)."""
        index = self._index()
        if index is None:
            return None
        if match.get("customer_id") is not None:
            entries = index.customer(match["customer_id"])
        elif within is not None and within[0] == "sent_at":
            entries = index.sent(within[1], within[2])
        else:
            return None
        if entries is None:
            return None
        found = {}
        for entry in entries:
            key, customer_id, vendor = entry[0], entry[4], entry[5]
            if key in self.changes or match.get("customer_id", customer_id) != customer_id:
                continue
            if match.get("vendor", vendor) != vendor:
                continue
            record = self.snapshot.closed_case(entry)
            if record is None:
                return None
            if matches(record, match) and in_window(record, within):
                found[key] = record
        return found

    def tally(self, definition: Definition, after: datetime, until: datetime) -> int | None:
        """How many closed cases the tally ``definition`` counts among those sent after
        ``after``, at or before ``until``: the snapshot's from the tallies kept beside it,
        the changes since from memory. ``None`` when the snapshot has no tallies kept for
        this very definition (or they are damaged): then count the cases themselves."""
        found = 0
        if self.snapshot is not None:
            kept = self.snapshot.kept_tallies()
            if kept is None or kept.definitions.get(definition["name"]) != definition:
                return None
            found = kept.count(definition["name"], after, until, self.changes)
            if found is None:
                return None
        within = ("sent_at", after, until)
        for changed in self.changes.values():
            record = orjson.loads(changed) if isinstance(changed, bytes) else changed
            if record is not None and in_window(record, within) and tallied(definition, record):
                found += 1
        return found

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Every closed case, the saved ones parsed a line at a time as they are yielded
        and not kept (an export of 200,000 closed cases holds one)."""
        if self._saved is not None or self.snapshot is None:
            yield from self.records()
            return
        for key, record in self.snapshot.iter_closed():
            if key not in self.changes:
                yield record
        for changed in list(self.changes.values()):
            if changed is not None:
                yield orjson.loads(changed) if isinstance(changed, bytes) else changed

    def put(self, key: str, record: dict[str, Any] | bytes | None) -> None:
        self.changes[key] = record

    def table(self) -> list[bytes]:
        """The closed cases as a snapshot table, in pieces: the saved lines carried over as
        bytes, the changed ones replaced."""
        return splice_closed(self._table or self._saved_table(), self.changes)

    def carry(self, table: ScratchTable) -> PlacedEntries:
        """Write the closed cases as the next snapshot's table to ``table``, a line at a
        time, and return each one's index entry: the snapshot's lines carried over as bytes
        (read a few MB at a time, checked), those of the cases changed since dropped, and
        the changed ones added. A case's attributes for the index are read from its own
        line, so the index is written whole from the table, never carried from the last
        one; at no time is more than one case parsed."""
        placed = PlacedEntries()
        changed = {orjson.dumps(key) for key in self.changes}

        def add(key: str, line: bytes, record: dict[str, Any]) -> None:
            if placed.count:
                table.write(b",\n")
            placed.add(key, table.size, line, attributes(record))
            table.write(line)

        table.write(b"{\n")
        if self.snapshot is not None:
            path = self.snapshot.path
            for line in self.snapshot.closed_lines():
                if entry_key(line) not in changed:
                    key, record = next(iter(records_of(b"{" + line + b"}", path, CLOSED).items()))
                    add(key, line, record)
        for key, record in self.changes.items():
            if record is not None:
                parsed = orjson.loads(record) if isinstance(record, bytes) else record
                add(key, closed_entry(key, record), parsed)
        table.write(b"\n}")
        return placed

    def rebase(self, snapshot: Snapshot) -> None:
        """``snapshot`` (just written from :meth:`table` or :meth:`carry`) now holds every
        change."""
        if self._saved is not None:
            for key, record in self.changes.items():
                if record is None:
                    self._saved.pop(key, None)
                else:
                    self._saved[key] = orjson.loads(record) if isinstance(record, bytes) else record
        if self.snapshot is not None:
            self.snapshot.close()
        self.snapshot, self.changes, self._table = snapshot, {}, None

    def close(self) -> None:
        if self.snapshot is not None:
            self.snapshot.close()


@dataclass
class DeskState:
    desk: str
    """The desk's id, shared by its snapshot and its log."""
    start: int
    """Where the log's first transaction begins (just past its header)."""
    records: Mapping[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    """Every record of every kind, except the closed cases (a snapshot's: each kind parsed
    when first asked for, :class:`~workbench.store.snapshot.RecordTables`)."""
    closed: ClosedCases = field(default_factory=ClosedCases)
    counters: dict[str, int] = field(default_factory=dict)
    seq: int = 0
    """The number of the last transaction applied."""
    last_event_id: int = 0
    checkpoint: int = 0
    """The log offset the snapshot on disk covers."""
    end: int = 0
    """The log offset just past the last transaction applied."""
    saved_history: Snapshot | dict[str, dict[str, list[int]]] = field(default_factory=_empty_index)
    """The snapshot's index of events by record (log offsets), left unread in the snapshot
    until events are first asked for: listing cases needs no history."""
    recent_history: dict[str, dict[str, list[int]]] = field(default_factory=_empty_index)
    """The same for the events after the checkpoint."""
    _by_customer: dict[str, dict[Any, dict[str, None]]] = field(default_factory=dict)
    """Per kind, once asked for: customer → the keys of its records (see :meth:`_of_customer`)."""
    _mentions: dict[tuple[str, tuple[str, ...]], bool] = field(default_factory=dict)
    """:meth:`may_mention`'s answers found before the kind's table was parsed, by kind and
    words, until a record of the kind is written."""

    def __post_init__(self) -> None:
        self.checkpoint = self.checkpoint or self.start
        self.end = self.end or self.checkpoint

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot, start: int) -> DeskState:
        meta = snapshot.meta
        return cls(
            desk=meta["desk"],
            start=start,
            records=snapshot.tables,
            closed=ClosedCases(snapshot),
            counters=meta["counters"],
            seq=meta["seq"],
            last_event_id=meta["last_event_id"],
            checkpoint=meta["log_offset"],
            saved_history=snapshot,
        )

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record (the store's own dict), closed cases included."""
        record = self.records[kind].get(key)
        if record is None and kind == "cases":
            return self.closed.get(key)
        return record

    def may_mention(self, kind: str, words: Iterable[str]) -> bool:
        """Whether a record of ``kind`` may hold one of ``words`` (as a field's name or a
        text): ``False`` only when the snapshot's table of ``kind``, not parsed yet, holds
        none (:meth:`RecordTables.may_mention`); opening the desk asks so of the customers
        without parsing them. An answer found so is kept until a record of ``kind`` is
        written: a desk server asks before reading its kept desk's tables, and each command
        it hands the desk to asks again."""
        asked = (kind, tuple(words))
        if asked in self._mentions:
            return self._mentions[asked]
        if not isinstance(self.records, RecordTables):
            return True
        found = self.records.may_mention(kind, words)
        if not self.records.parsed(kind):
            self._mentions[asked] = found
        return found

    def _of_customer(self, kind: str, customer_id: Any) -> list[dict[str, Any]]:
        """The records of ``kind`` (closed cases aside) of one customer, through an index by
        customer built on first need and kept up to date by every put: renewals read each
        workflow's customer's contracts, which must not cost every contract each time."""
        index = self._by_customer.get(kind)
        if index is None:
            index = self._by_customer[kind] = {}
            for key, record in self.records[kind].items():
                index.setdefault(record.get("customer_id"), {})[key] = None
        keys = index.get(customer_id, {})
        return [self.records[kind][key] for key in keys]

    def read_ahead(self) -> None:
        """Build now what is built on first need: each kind's index by customer, and the
        snapshot's indexes (:meth:`Snapshot.read_ahead`)."""
        for kind in KINDS:
            self._of_customer(kind, None)
        if self.closed.snapshot is not None:
            self.closed.snapshot.read_ahead()

    def _set(self, kind: str, key: str, record: dict[str, Any]) -> None:
        self._drop(kind, key)
        self.records[kind][key] = record
        index = self._by_customer.get(kind)
        if index is not None:
            index.setdefault(record.get("customer_id"), {})[key] = None

    def _forget_mentions(self, kind: str) -> None:
        if self._mentions:
            self._mentions = {asked: found for asked, found in self._mentions.items() if asked[0] != kind}

    def _drop(self, kind: str, key: str) -> None:
        self._forget_mentions(kind)
        record = self.records[kind].pop(key, None)
        index = self._by_customer.get(kind)
        if record is not None and index is not None:
            index.get(record.get("customer_id"), {}).pop(key, None)

    def all(
        self, kind: str, closed: bool, match: dict[str, Any] | None = None, within: Window | None = None
    ) -> list[dict[str, Any]]:
        """Every record of ``kind`` matching ``match`` inside ``within``; closed cases only
        with ``closed``."""
        if match and "customer_id" in match:
            candidates = self._of_customer(kind, match["customer_id"])
        else:
            candidates = list(self.records[kind].values())
        if match or within is not None:
            candidates = [r for r in candidates if matches(r, match) and in_window(r, within)]
        found = candidates
        if not (closed and kind == "cases"):
            return found
        if not match and within is None:
            return self.closed.records() + found
        return self.closed.matching(match or {}, within) + found

    def tally(self, definition: Definition, after: datetime, until: datetime) -> int:
        """How many cases, closed ones included, the tally ``definition`` counts among those
        sent after ``after``, at or before ``until`` (see :meth:`Store.tally`): the closed
        ones from the kept tallies where they can be believed, else from the cases."""
        within = ("sent_at", after, until)
        closed = self.closed.tally(definition, after, until)
        if closed is None:
            return sum(1 for r in self.all("cases", True, None, within) if tallied(definition, r))
        return closed + sum(1 for r in self.all("cases", False, None, within) if tallied(definition, r))

    def iter_all(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every record of ``kind``; closed cases one at a time (see :meth:`ClosedCases.iter_records`)."""
        if kind == "cases":
            yield from self.closed.iter_records()
        yield from list(self.records[kind].values())

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        if kind != "cases":
            self._set(kind, key, record)
        elif is_closed(kind, record):
            self._drop(kind, key)
            self.closed.put(key, record)
        else:
            if key not in self.records[kind]:
                self.closed.put(key, None)  # new, or reopened
            self._set(kind, key, record)

    def put_json(self, kind: str, key: str, record: bytes, closed: bool) -> None:
        """:meth:`put` for a record committed as JSON: a closed case stays JSON until it is
        needed (an import brings 48,000 of them)."""
        if closed:
            self._drop(kind, key)
            self.closed.put(key, record)
        else:
            self.put(kind, key, orjson.loads(record))

    def apply(self, entry: Entry) -> None:
        """Add one committed transaction."""
        head = entry.head
        for kind, key, record in head["puts"]:
            self.put(kind, key, record)
        for (kind, key), offset in zip(head["events"], entry.event_offsets, strict=True):
            self.recent_history[kind].setdefault(key, []).append(offset)
        self.counters.update(head["counters"])
        self.seq = head["seq"]
        self.last_event_id = head["last_event_id"]
        self.end = entry.end

    def _saved(self) -> dict[str, dict[str, list[int]]]:
        if isinstance(self.saved_history, Snapshot):
            with long_lived_objects(freeze=False):
                self.saved_history = {**_empty_index(), **self.saved_history.history()}
        return self.saved_history

    def event_offsets(self, kind: str, key: str | None) -> Iterator[int]:
        """Log offsets of the events of one record (or of every record of ``kind``), oldest
        first within a record. One record's are looked up in the snapshot's index without
        parsing it (:meth:`Snapshot.history_of`) until something needs it whole."""
        found = (
            self.saved_history.history_of(kind, key)
            if key is not None and isinstance(self.saved_history, Snapshot)
            else None
        )
        if found is not None:
            yield from found
            yield from self.recent_history[kind].get(key, ())
            return
        for index in (self._saved()[kind], self.recent_history[kind]):
            yield from index.get(key, ()) if key is not None else chain.from_iterable(index.values())

    def history(self) -> dict[str, dict[str, list[int]]]:
        """The whole event index (the recent part folded into the saved one)."""
        saved = self._saved()
        for kind, index in self.recent_history.items():
            for key, offsets in index.items():
                saved[kind].setdefault(key, []).extend(offsets)
        self.recent_history = _empty_index()
        return saved

    def meta(self) -> dict[str, Any]:
        """The snapshot's ``_meta`` for this state (see :mod:`.snapshot`)."""
        return {
            "desk": self.desk,
            "seq": self.seq,
            "log_offset": self.end,
            "last_event_id": self.last_event_id,
            "counters": self.counters,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def tables(self) -> dict[str, bytes | list[bytes]]:
        """The snapshot's tables for this state, as JSON."""
        values = {kind: orjson.dumps(self.records[kind]) for kind in KINDS}
        values[HISTORY] = orjson.dumps(live_first(self.history(), self.records))
        values[CLOSED] = self.closed.table()
        return values

    def record_tables(self) -> dict[str, bytes]:
        """The snapshot's tables for this state but the closed cases (:meth:`ClosedCases.carry`
        writes those), as JSON: the event index carried over from the snapshot's as bytes
        with the events logged since (:func:`~workbench.store.snapshot.carry_history`),
        not parsed, unless it was parsed already."""
        values = {kind: orjson.dumps(self.records[kind]) for kind in KINDS}
        saved = self.saved_history
        carried = None
        if isinstance(saved, Snapshot) and saved.schema >= READ_BY_TABLE:
            carried = carry_history(saved.read(HISTORY), self.recent_history, self.records)
        if carried is None:
            carried = orjson.dumps(live_first(self.history(), self.records))
        values[HISTORY] = carried
        return values

    def rebase(self, snapshot: Snapshot) -> None:
        """``snapshot``, just written from this state, is now the one on disk; its event
        index is read from it when first needed."""
        self.closed.rebase(snapshot)
        self.saved_history, self.recent_history = snapshot, _empty_index()
        self.checkpoint = self.end

    def close(self) -> None:
        self.closed.close()
