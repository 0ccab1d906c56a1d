"""The one clock of the program.

Everything time-dependent calls :func:`now`. ``--now ISO-8601`` on the command line or the
``WORKBENCH_NOW`` environment variable fixes it, so a desk can ask "what if it were Monday
09:00" and tests are exact.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo

_fixed: datetime | None = None


class ClockError(ValueError):
    """A time given by the user could not be read."""


def parse_instant(text: str, *, what: str = "time", tz: tzinfo | None = None) -> datetime:
    """Read an ISO-8601 instant. A time without an offset is read in ``tz`` (the desk's
    time zone, for form answers); without ``tz`` it is refused, since guessing UTC would
    shift it by hours.

    Raises :class:`ClockError` naming ``what`` and the text when it cannot be read.
    """
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(f"{what}: {text!r} is not an ISO-8601 time (e.g. 2026-11-23T09:00+09:00)") from None
    if value.tzinfo is None:
        if tz is None:
            raise ClockError(
                f"{what}: {text!r} has no UTC offset; add one, e.g. {text.strip()}+09:00 for Japan time"
            )
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ClockError(f"{what}: {text!r} falls outside the years 1-9999 in UTC") from None


def set_now(value: datetime | str | None) -> None:
    """Fix the clock at ``value`` (an aware datetime or ISO text); ``None`` releases it."""
    global _fixed
    if isinstance(value, str):
        value = parse_instant(value, what="--now")
    _fixed = value.astimezone(UTC) if value is not None else None


def fixed() -> datetime | None:
    """The time the clock is fixed at by :func:`set_now`, if any."""
    return _fixed


def now() -> datetime:
    """The current instant in UTC: the fixed time if set, else ``WORKBENCH_NOW``, else the wall clock."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("WORKBENCH_NOW")
    if env:
        return parse_instant(env, what="WORKBENCH_NOW")
    return datetime.now(UTC)


def to_iso(value: datetime) -> str:
    """Store form of an instant: ISO-8601 in UTC."""
    return value.astimezone(UTC).isoformat()
