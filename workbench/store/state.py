"""A desk's state in memory: every record, the event index, counters, and how much of the
log it reflects. Built from a snapshot plus the log transactions after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from workbench.store.base import KINDS
from workbench.store.log import Entry
from workbench.store.snapshot import HISTORY, META, SCHEMA, Snapshot, long_lived_objects


def _empty_index() -> dict[str, dict[str, list[int]]]:
    return {kind: {} for kind in KINDS}


@dataclass
class DeskState:
    desk: str
    """The desk's id, shared by its snapshot and its log."""
    start: int
    """Where the log's first transaction begins (just past its header)."""
    records: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    counters: dict[str, int] = field(default_factory=dict)
    seq: int = 0
    """The number of the last transaction applied."""
    last_event_id: int = 0
    checkpoint: int = 0
    """The log offset the snapshot on disk covers."""
    end: int = 0
    """The log offset just past the last transaction applied."""
    saved_history: Snapshot | dict[str, dict[str, list[int]]] = field(default_factory=_empty_index)
    """The snapshot's index of events by record (log offsets), left unparsed in the
    snapshot until events are first asked for: listing cases needs no history."""
    recent_history: dict[str, dict[str, list[int]]] = field(default_factory=_empty_index)
    """The same for the events after the checkpoint."""

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
            counters=meta["counters"],
            seq=meta["seq"],
            last_event_id=meta["last_event_id"],
            checkpoint=meta["log_offset"],
            saved_history=snapshot,
        )

    def apply(self, entry: Entry) -> None:
        """Add one committed transaction."""
        head = entry.head
        for kind, key, record in head["puts"]:
            self.records[kind][key] = record
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
        first within a record."""
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

    def snapshot(self) -> dict[str, Any]:
        """The snapshot document for this state (TinyDB layout; see :mod:`.snapshot`)."""
        meta = {
            "schema": SCHEMA,
            "desk": self.desk,
            "seq": self.seq,
            "log_offset": self.end,
            "last_event_id": self.last_event_id,
            "counters": self.counters,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return {META: {"1": meta}, **self.records, HISTORY: self.history()}
