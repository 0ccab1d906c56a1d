"""The one clock of the program.

Everything time-dependent calls :func:`now`. ``--now`` on the command line or the
``WORKBENCH_NOW`` environment variable fixes it, so a desk can ask "what if it were Monday
09:00" and tests are exact. Either takes ISO-8601 with an offset or what a person types
(:func:`read_time`): a shift from the clock's time (``+2d``) or a day and a time in the desk's
time zone (``monday 09:00``, ``tomorrow 9:00``), read once the desk's zone is known
(:func:`settle`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from workbench.errors import ClockError

_fixed: datetime | None = None

SHIFT = re.compile(r"^([+-])\s*((?:\d+\s*[mhdw]\s*)+)$")
"""``+2d``, ``-90m``, ``+1d 4h``: a shift from the clock's time."""
SHIFT_PART = re.compile(r"(\d+)\s*([mhdw])")
SHIFT_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

DAY_AND_TIME = re.compile(r"^(today|tomorrow|yesterday|[a-z]+)(?:\s+(\d{1,2}):(\d{2}))?$")
"""``monday 09:00``, ``tomorrow 9:00``, ``today``: a day in the desk's zone, and a time (00:00
when none is given)."""
DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

FORMS = (
    "ISO-8601 with an offset (2026-11-23T09:00+09:00), a shift from now (+2d, -3h, +90m, +1w) "
    "or a day and a time in the desk's time zone (today 17:00, tomorrow 9:00, monday 09:00)"
)
"""What a person may type for a time, for messages."""


def parse_instant(text: str, *, what: str = "time", tz: tzinfo | None = None) -> datetime:
    """Read an ISO-8601 instant. A time without an offset is read in ``tz`` (the desk's
    time zone, for form answers); without ``tz`` it is refused, since guessing UTC would
    shift it by hours.

    Raises :class:`ClockError` naming ``what`` and the text when it cannot be read.
    """
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(what, f"{text!r} is not an ISO-8601 time (e.g. 2026-11-23T09:00+09:00)") from None
    if value.tzinfo is None:
        if tz is None:
            raise ClockError(
                what, f"{text!r} has no UTC offset; add one, e.g. {text.strip()}+09:00 for Japan time"
            )
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ClockError(what, f"{text!r} falls outside the years 1-9999 in UTC") from None


@dataclass(frozen=True)
class TypedTime:
    """A time as a person typed it, read against ``base`` (the clock's time when it was typed)."""

    text: str
    what: str
    """Where it came from (``--now``, ``WORKBENCH_NOW``), for messages."""
    base: datetime

    @property
    def needs_zone(self) -> bool:
        """A day and a time (``monday 09:00``) is read in the desk's zone; ISO-8601 and shifts
        are not."""
        day = DAY_AND_TIME.match(self.text.strip().lower())
        return bool(day) and (day.group(1) in DAYS or day.group(1) in WEEKDAYS)

    def read(self, tz: tzinfo) -> datetime:
        """The instant meant, a day and a time read in ``tz``; :class:`ClockError` naming
        :attr:`what` when it is not a time."""
        text = self.text.strip().lower()
        if shift := SHIFT.match(text):
            import arrow  # only for what a person types: ISO-8601 reads without it (15 ms)

            sign = 1 if shift.group(1) == "+" else -1
            parts = {SHIFT_UNITS[unit]: sign * int(n) for n, unit in SHIFT_PART.findall(shift.group(2))}
            return arrow.get(self.base).shift(**parts).datetime.astimezone(UTC)
        if day := DAY_AND_TIME.match(text):
            name, hour, minute = day.group(1), int(day.group(2) or 0), int(day.group(3) or 0)
            if name not in DAYS and name not in WEEKDAYS or hour > 23 or minute > 59:
                raise ClockError(self.what, f"{self.text!r} is not a time; give {FORMS}")
            import arrow

            base = arrow.get(self.base).to(tz)
            at = base.shift(days=DAYS.get(name, 0)).replace(hour=hour, minute=minute, second=0, microsecond=0)
            if name in WEEKDAYS:
                at = at.shift(weekday=WEEKDAYS.index(name))
                if at < base:
                    at = at.shift(weeks=1)
            return at.datetime.astimezone(UTC)
        try:
            datetime.fromisoformat(self.text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ClockError(self.what, f"{self.text!r} is not a time; give {FORMS}") from None
        return parse_instant(self.text, what=self.what)  # an ISO time without an offset is refused


_typed: TypedTime | None = None
"""A day and a time typed for the clock, waiting for the desk's zone (:func:`settle`)."""


def set_now(value: datetime | str | None, *, what: str = "--now") -> None:
    """Fix the clock at ``value``: an aware datetime, or text a person typed (see
    :class:`TypedTime`; a day and a time waits for :func:`settle`). ``None`` releases it.

    Raises :class:`ClockError` naming ``what`` when the text is not a time."""
    global _fixed, _typed
    if isinstance(value, str):
        typed = TypedTime(value, what, now_or_wall())
        typed.read(UTC)  # a typo is refused now, before anything runs
        _fixed, _typed = (None, typed) if typed.needs_zone else (typed.read(UTC), None)
        return
    _fixed, _typed = (value.astimezone(UTC) if value is not None else None), None


def now_or_wall() -> datetime:
    """What a shift counts from: the time the clock is fixed at, else the wall clock."""
    return _fixed or datetime.now(UTC)


def settle(tz: tzinfo) -> None:
    """Read a day and a time typed for the clock in the desk's zone ``tz``, now that it is known."""
    global _fixed, _typed
    if _typed is not None:
        _fixed, _typed = _typed.read(tz), None


def fixed() -> datetime | None:
    """The time the clock is fixed at by :func:`set_now`, if any."""
    return _fixed


def now() -> datetime:
    """The current instant in UTC: the fixed time if set, else ``WORKBENCH_NOW``, else the wall clock."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("WORKBENCH_NOW")
    typed = _typed or (TypedTime(env, "WORKBENCH_NOW", datetime.now(UTC)) if env else None)
    if typed is None:
        return datetime.now(UTC)
    if typed.needs_zone:
        raise ClockError(typed.what, f"{typed.text!r} is read in the desk's time zone, not known yet")
    return typed.read(UTC)


def to_iso(value: datetime) -> str:
    """Store form of an instant: ISO-8601 in UTC."""
    return value.astimezone(UTC).isoformat()
