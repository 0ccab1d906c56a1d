"""The storage contract: all the desk sees of persistence.

Records are JSON-able dicts keyed by ``(kind, key)``; ``kind`` is one of :data:`KINDS`.
Events are append-only dicts (see :class:`workbench.model.Event`) numbered by the store;
there is no way to change or remove one (CORE-AUDIT-1).

What callers may do with what a store returns:

* :meth:`Store.get`, :meth:`Transaction.get` and :meth:`Store.events` return private
  copies: change them freely (put a changed record back through a transaction).
* :meth:`Store.all` returns the store's own record dicts, uncopied, so that listing 50,000
  cases costs a list, not 50,000 deep copies. They are read-only: never change one (copy
  it first); the list itself is new on every call and is the caller's.

Kept narrow on purpose: the desk file (:mod:`.filestore`), memory (:mod:`.memory`) and
PostgreSQL (:mod:`.pgstore`) all fit behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

KINDS: tuple[str, ...] = ("customers", "contracts", "cases", "workflows", "settings", "mail")
"""The kinds of record: ``mail`` is every message the desk took in (:mod:`workbench.mail`),
its Inbox and the record that each Message-ID was taken once."""
KINDS_3: tuple[str, ...] = KINDS[:-1]
"""The kinds a schema-3 desk file holds (``mail`` came with schema 4)."""
DEFAULT_LOCK_TIMEOUT = 5.0
"""Seconds a writer waits for another writer's transaction before :class:`StoreLocked`."""


def matches(record: dict[str, Any], match: dict[str, Any] | None) -> bool:
    """Whether ``record``'s top-level fields equal every value of ``match``."""
    return not match or all(record.get(name) == value for name, value in match.items())


Window = tuple[str, datetime, datetime]
"""``(field, after, until)``: records whose ``field`` holds an instant (ISO-8601 text) after
``after`` and at or before ``until`` (see :meth:`Store.all`)."""


def instant(value: Any) -> datetime | None:
    """A stored instant (ISO-8601 text with its offset) in UTC; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def in_window(record: dict[str, Any], within: Window | None) -> bool:
    """Whether ``record``'s field named by ``within`` holds an instant inside it."""
    if within is None:
        return True
    name, after, until = within
    moment = instant(record.get(name))
    return moment is not None and after < moment <= until


Definition = dict[str, Any]
"""A tally as a store counts it (``Tally.definition()`` of :mod:`workbench.model`):
``{"name": …, "where": {PATH: [VALUE, …], …}, "where_not": {PATH: [VALUE, …], …}}``. A
``PATH`` names a value inside a case record (``"vendor"``, ``"fields.severity"``); a
``VALUE`` is a string or a boolean, compared as JSON compares them."""

_MISSING = object()


def _at(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` inside ``record`` (:data:`_MISSING` when there is none)."""
    value: Any = record
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return _MISSING
        value = value[name]
    return value


def _one_of(value: Any, values: list[Any]) -> bool:
    """Whether ``value`` equals one of ``values`` as JSON values do (``True`` is not ``1``)."""
    return any(type(value) is type(wanted) and value == wanted for wanted in values)


def tallied(definition: Definition, record: dict[str, Any]) -> bool:
    """Whether the tally ``definition`` counts the case ``record`` (wherever it was sent):
    every ``where`` path holds one of its values, no ``where_not`` path holds one of its."""
    return all(
        _one_of(_at(record, path), values) for path, values in definition["where"].items()
    ) and not any(
        _one_of(_at(record, path), values) for path, values in definition.get("where_not", {}).items()
    )


def is_closed(kind: str, record: dict[str, Any]) -> bool:
    """Whether ``record`` is a closed case: a store may keep those apart from the open work
    (see :meth:`Store.all`)."""
    return kind == "cases" and record.get("state") == "closed"


class Transaction(Protocol):
    """Changes made under the writer lock; all become durable together, or none do."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record as this transaction sees it (its own puts included); a private copy."""

    def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        """Create or replace one record."""

    def append_event(self, event: dict[str, Any]) -> int:
        """Append one event (its ``id`` is assigned here and returned)."""

    def next_number(self, kind: str) -> int:
        """The next free sequence number for ``kind`` (1, 2, …), never handed out twice."""

    def advance_number(self, kind: str, at_least: int) -> None:
        """Make ``next_number(kind)`` hand out numbers above ``at_least`` from now on (an
        import brings records numbered up to it); a counter never moves back."""


class Store(Protocol):
    """One desk's persistent state."""

    location: str
    """Where the desk lives, in words (a path, or ``memory``)."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """One record (a private copy), or ``None``."""

    def all(
        self,
        kind: str,
        *,
        closed: bool = True,
        match: dict[str, Any] | None = None,
        within: Window | None = None,
    ) -> list[dict[str, Any]]:
        """Every record of ``kind``, in no particular order; with ``closed=False`` the closed
        cases (``state`` ``"closed"``) are left out: a store may keep them apart and read
        them only when asked for (the desk file does). With ``match``, only the records
        whose top-level fields equal those values; with ``within`` (``(field, after,
        until)``), only those whose ``field`` holds an instant after ``after``, at or before
        ``until``. A store uses both to leave unread what cannot match: the desk file keeps
        its closed cases indexed by ``customer_id`` and by ``sent_at``, a database has
        indexes on them, so a customer's past cases or a month's sent cases cost what they
        hold, not the archive. The dicts are the store's own: read them, never change them."""

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        """Events in order, all or those of one record (fresh dicts)."""

    def tally(self, definition: Definition, sent_within: tuple[datetime, datetime]) -> int:
        """How many cases, closed ones included, the tally ``definition`` counts (see
        :func:`tallied`) among those sent after ``sent_within[0]``, at or before
        ``sent_within[1]``. A store answers without reading the window's cases where it can:
        the desk file from the counts it keeps beside its snapshot (:mod:`.tallies`), a
        database with a count through its ``sent_at`` index."""

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """Every event in order, each read as it is yielded (an export of a large desk
        holds one at a time, not three years of history)."""

    def iter_all(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every record of ``kind``, closed cases included, each read as it is yielded
        where the store keeps it on disk (the desk file's closed cases: an export holds
        one at a time, not 200,000). Read-only, like :meth:`all`'s."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Take the writer lock, bring the state up to date with the file, and yield a
        transaction. A clean exit writes it atomically and durably; an exception writes
        nothing and propagates."""

    def counters(self) -> dict[str, int]:
        """Every sequence counter at the value it last handed out (for copying a desk)."""

    def refresh(self) -> bool:
        """Pick up changes other processes wrote; ``True`` when there were any."""

    def close(self) -> None: ...


def iter_kinds() -> Iterator[str]:
    yield from KINDS
