"""A store in memory only: for tests and for trying things out."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workbench.store.base import KINDS


class MemoryTransaction:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.puts: dict[tuple[str, str], dict[str, Any]] = {}
        self.new_events: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        if (kind, key) in self.puts:
            return copy.deepcopy(self.puts[(kind, key)])
        return self._store.get(kind, key)

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        self.puts[(kind, key)] = copy.deepcopy(record)

    def append_event(self, event: dict[str, Any]) -> int:
        number = len(self._store._events) + len(self.new_events) + 1
        self.new_events.append({**copy.deepcopy(event), "id": number})
        return number

    def next_number(self, kind: str) -> int:
        current = self.counters.get(kind, self._store._counters.get(kind, 0))
        self.counters[kind] = current + 1
        return current + 1


class MemoryStore:
    """Holds everything in dicts; nothing survives the process."""

    location = "memory"

    def __init__(self) -> None:
        self._records: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KINDS}
        self._events: list[dict[str, Any]] = []
        self._counters: dict[str, int] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        record = self._records[kind].get(key)
        return copy.deepcopy(record) if record is not None else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(r) for r in self._records[kind].values()]

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(e)
            for e in self._events
            if (kind is None or e["kind"] == kind) and (key is None or e["key"] == key)
        ]

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        tx = MemoryTransaction(self)
        yield tx
        for (kind, key), record in tx.puts.items():
            self._records[kind][key] = record
        self._events.extend(tx.new_events)
        self._counters.update(tx.counters)

    def refresh(self) -> bool:
        return False

    def close(self) -> None:
        pass
