"""The read cache of one batch of reads (:meth:`Desk.deadlines_for`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.desk import records, settings

if TYPE_CHECKING:
    from workbench.calendar import Calendar
    from workbench.desk.facade import Desk
    from workbench.model import Event


class ReadCache:
    """What one batch of reads asks again and again, read once.

    It caches three reads: each setting's value, the desk calendar (CORE-SLA-3, built from
    four settings) and each record's events. Each is read from the store the first time the
    batch asks for it and then remembered for as long as the cache lives, which is one batch:
    :meth:`Desk.read_batch` makes a desk with a fresh cache for one call of
    :meth:`Desk.deadlines_for` (the queue's thousands of open cases, each asking every
    plugin for its commitments), and the cache is dropped when that call returns.

    Only for reading while nothing changes: a batch makes no change, and the store changes
    only by a transaction or ``refresh()``, never during a call. A calendar built from
    candidate values (a setting checked before it is saved) is never cached.
    """

    def __init__(self) -> None:
        self._settings: dict[str, Any] = {}
        self._calendar: Calendar | None = None
        self._events: dict[tuple[str, str], list[Event]] = {}

    def setting(self, desk: Desk, key: str) -> Any:
        if key not in self._settings:
            self._settings[key] = settings.setting(desk, key)
        return self._settings[key]

    def desk_calendar(self, desk: Desk) -> Calendar:
        if self._calendar is None:
            self._calendar = settings.desk_calendar(desk)
        return self._calendar

    def events(self, desk: Desk, kind: str, key: str) -> list[Event]:
        if (kind, key) not in self._events:
            self._events[kind, key] = records.events(desk, kind, key)
        return list(self._events[kind, key])
