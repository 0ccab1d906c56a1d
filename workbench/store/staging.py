"""What every store shares: the JSON normal form of records and a transaction's staged changes.

Both the in-memory and the on-disk store keep records in *JSON normal form* (what
``orjson.loads(orjson.dumps(value))`` gives: tuples become lists, datetimes ISO strings), so
a value reads back the same from memory as after reopening the desk from disk.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import orjson

from workbench.errors import StoreError
from workbench.store.base import KINDS, is_closed
from workbench.store.log import EventsJSON


@contextmanager
def long_lived_objects(freeze: bool = True) -> Iterator[None]:
    """Around building a desk's records: the cycle collector is kept out while a million
    objects are created (it would walk them again and again, doubling the time), then,
    with ``freeze``, they are moved out of its reach for good (``gc.freeze``): they live
    as long as the desk is open, and every full collection over them would stall a
    screen for 100 ms. Records are plain acyclic dicts, so reference counting still frees
    the ones a change replaces. The desk is opened before a TUI builds its widgets, so
    what else gets frozen is long-lived too (modules, settings)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def encode(value: Any, what: str = "value") -> bytes:
    """``value`` as JSON; ``TypeError`` when it is not JSON."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as error:
        raise TypeError(f"{what} cannot be stored as JSON: {error}") from None


def plain(value: Any, what: str = "value") -> Any:
    """A private copy of ``value`` in JSON normal form; ``TypeError`` when it is not JSON."""
    return orjson.loads(encode(value, what))


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r} (one of {', '.join(KINDS)})")


class WriterMutex:
    """One transaction at a time within a process: other threads wait their turn; the
    same thread opening a second one (a nested transaction) is a programming error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    @contextmanager
    def hold(self, location: str) -> Iterator[None]:
        if self._owner == threading.get_ident():
            raise StoreError(f"{location}: a transaction is already open in this thread")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None

    @contextmanager
    def hold_if_free(self) -> Iterator[bool]:
        """Hold it when no transaction is running in this process; never wait."""
        if not self._lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            self._lock.release()


class StagedTransaction:
    """A transaction's changes, held apart from the store until it commits.

    ``committed`` (a record by kind and key), ``counters`` and ``last_event_id`` are the
    store's committed state, read under the writer lock; nothing here changes them.
    """

    def __init__(
        self,
        committed: Callable[[str, str], dict[str, Any] | None],
        counters: Mapping[str, int],
        last_event_id: int,
    ) -> None:
        self._committed = committed
        self._counters = counters
        self._last_event_id = last_event_id
        self.puts: dict[tuple[str, str], bytes] = {}
        """Records to create or replace, as JSON (encoded once), by ``(kind, key)``."""
        self.closing: set[tuple[str, str]] = set()
        """Those of :attr:`puts` that are closed cases."""
        self.events = EventsJSON()
        """Events to append, numbered, as JSON."""
        self.counters: dict[str, int] = {}
        """Sequence counters this transaction moved, at their new values."""
        self._open = True

    @property
    def changed(self) -> bool:
        return bool(self.puts or self.events or self.counters)

    @property
    def last_event_id(self) -> int:
        """The id of the last event once this transaction commits."""
        return self._last_event_id + len(self.events)

    def close(self) -> None:
        """Refuse any further change: the transaction has ended."""
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise StoreError("the transaction has ended; open a new one to change the desk")

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record as this transaction sees it (its own puts included); a private copy
        the caller may change and put back."""
        check_kind(kind)
        staged = self.puts.get((kind, key))
        if staged is not None:
            return orjson.loads(staged)
        record = self._committed(kind, key)
        return plain(record) if record is not None else None

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        """Create or replace one record (a copy is taken: later changes to ``record`` do not
        reach the store)."""
        self._check_open()
        check_kind(kind)
        if not isinstance(key, str) or not key:
            raise ValueError(f"a {kind} record needs a non-empty string key, not {key!r}")
        if not isinstance(record, dict):
            raise TypeError(f"a record must be a dict, not {type(record).__name__}")
        self.puts[(kind, key)] = encode(record, f"{kind} record {key!r}")
        if is_closed(kind, record):
            self.closing.add((kind, key))
        else:
            self.closing.discard((kind, key))

    def append_event(self, event: dict[str, Any]) -> int:
        """Append one event; its ``id`` is assigned here (any given ``id`` is replaced)."""
        self._check_open()
        if not isinstance(event, dict):
            raise TypeError(f"an event must be a dict, not {type(event).__name__}")
        check_kind(event.get("kind"))  # type: ignore[arg-type]
        if not isinstance(event.get("key"), str) or not event["key"]:
            raise ValueError(f"an event needs the string key of its record, not {event.get('key')!r}")
        number = self.last_event_id + 1
        numbered = event if event.get("id") == number else {**event, "id": number}
        self.events.append(event["kind"], event["key"], encode(numbered, f"event {number}"))
        return number

    def next_number(self, kind: str) -> int:
        """The next free sequence number for ``kind`` (1, 2, …), never handed out twice."""
        self._check_open()
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"a counter needs a non-empty string name, not {kind!r}")
        number = self.counters.get(kind, self._counters.get(kind, 0)) + 1
        self.counters[kind] = number
        return number

    def advance_number(self, kind: str, at_least: int) -> None:
        """Make sure ``next_number(kind)`` hands out numbers above ``at_least`` (an import
        brings records numbered up to it); a counter never moves back."""
        self._check_open()
        current = self.counters.get(kind, self._counters.get(kind, 0))
        if at_least > current:
            self.counters[kind] = at_least
