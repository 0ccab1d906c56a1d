"""A store in memory only: for tests and for trying things out.

It keeps the same promises as the on-disk store wherever they make sense in one process:
records in JSON normal form, private copies from ``get`` / ``events``, shared read-only
dicts from ``all``, all-or-nothing transactions, events indexed by record.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson

from workbench.store.base import KINDS, Definition, Window, in_window, is_closed, matches, tallied
from workbench.store.lease import ProcessLease
from workbench.store.staging import StagedTransaction, WriterMutex, check_kind, plain


class MemoryStore:
    """Holds everything in dicts; nothing survives the process."""

    location = "memory"

    def __init__(self) -> None:
        self._records: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KINDS}
        self._events: list[dict[str, Any]] = []
        self._by_record: dict[tuple[str, str], list[int]] = {}
        self._counters: dict[str, int] = {}
        self._writer = WriterMutex()
        self._sweeper = threading.Lock()

    def sweeper_lease(self) -> ProcessLease:
        """The lease of the desk's one scheduled sweeper (:mod:`workbench.store.lease`)."""
        return ProcessLease(self._sweeper)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        check_kind(kind)
        record = self._records[kind].get(key)
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
        return [
            r
            for r in self._records[kind].values()
            if (closed or not is_closed(kind, r)) and matches(r, match) and in_window(r, within)
        ]

    def tally(self, definition: Definition, sent_within: tuple[datetime, datetime]) -> int:
        within = ("sent_at", *sent_within)
        return sum(
            1 for r in self._records["cases"].values() if in_window(r, within) and tallied(definition, r)
        )

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        if kind is not None and key is not None:
            found = [self._events[i] for i in self._by_record.get((kind, key), ())]
        else:
            found = [
                e
                for e in self._events
                if (kind is None or e["kind"] == kind) and (key is None or e["key"] == key)
            ]
        return plain(found)

    def iter_events(self) -> Iterator[dict[str, Any]]:
        return iter(self.events())

    def iter_all(self, kind: str) -> Iterator[dict[str, Any]]:
        return iter(self.all(kind))

    @contextmanager
    def transaction(self) -> Iterator[StagedTransaction]:
        with self._writer.hold(self.location):
            tx = StagedTransaction(
                lambda kind, key: self._records[kind].get(key), self._counters, len(self._events)
            )
            try:
                yield tx
            finally:
                tx.close()
            for (kind, key), record in tx.puts.items():
                self._records[kind][key] = orjson.loads(record)
            for (kind, key), event in zip(tx.events.records, tx.events.decoded(), strict=True):
                self._by_record.setdefault((kind, key), []).append(len(self._events))
                self._events.append(event)
            self._counters.update(tx.counters)

    def counters(self) -> dict[str, int]:
        return dict(self._counters)

    def refresh(self) -> bool:
        return False

    def close(self) -> None:
        pass
