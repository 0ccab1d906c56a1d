"""Business calendars and exact business-time arithmetic (CORE-SLA-1).

A :class:`Calendar` is a named value: a time zone, working weekdays, working spans of the
local day, public holidays (the ``holidays`` package) and extra closed dates. On it,
:meth:`Calendar.add` finds when a business duration runs out and :meth:`Calendar.elapsed`
measures the business time between two instants, both leaving out :class:`Pause` intervals
(time pending on the customer).

Conventions, shared by every function here:

- Every instant given must be timezone-aware (a naive one is a ``ValueError``); every
  instant returned is in UTC.
- Arithmetic is exact: ``datetime`` and ``timedelta`` are integer counts of microseconds,
  so nothing is rounded and nothing drifts.
- Open time is half-open: a span 09:00–18:00 is open at 09:00 and closed at 18:00.
- Wall-clock times map to instants as *the first instant at which the local clock reads that
  time or later*. So on a daylight-saving day a span is as long as the clock says: a span
  across the spring-forward gap is an hour shorter, and a span across the autumn repeat is an
  hour longer (an ambiguous start or end is its first occurrence).
- Pauses may overlap one another and closed time; paused time is never counted twice and
  closed time is never counted at all. A pause with no end runs forever.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WHOLE_DAY = ((0, 24 * 60),)
_MICROSECOND = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_FOREVER = datetime.max.replace(tzinfo=UTC)  # the end of a pause that has none

Interval = tuple[datetime, datetime]


def _utc(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused, naming ``what``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Pause:
    """An interval that does not count as business time (e.g. pending on the customer).

    ``end`` is ``None`` while still paused: the pause then runs forever from ``start``.
    """

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        start = _utc(self.start, "pause start")
        if self.end is not None and _utc(self.end, "pause end") < start:
            raise ValueError(
                f"pause ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})"
            )


@dataclass(frozen=True)
class Calendar:
    """A named business calendar (CORE-SLA-1).

    ``days`` are working weekdays (0 = Monday); ``hours`` are working spans in minutes of the
    local day, sorted and not overlapping (``((540, 1080),)`` is 09:00–18:00, ``((0, 1440),)``
    the whole day); ``holiday_country`` is a ``holidays`` country code whose public holidays
    are closed; ``closed_dates`` are further closed local dates.
    """

    name: str
    tz: str
    days: frozenset[int]
    hours: tuple[tuple[int, int], ...]
    holiday_country: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Accept any iterables (e.g. lists from JSON) but store hashable, canonical values.
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "hours", tuple((int(a), int(b)) for a, b in self.hours))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"calendar {self.name!r}: unknown time zone {self.tz!r}") from None
        if not self.days or not self.days <= set(range(7)):
            raise ValueError(f"calendar {self.name!r}: days must be weekdays 0–6, at least one")
        if not self.hours:
            raise ValueError(f"calendar {self.name!r}: needs at least one working span")
        previous_end = 0
        for start, end in self.hours:
            if not previous_end <= start < end <= 24 * 60:
                raise ValueError(
                    f"calendar {self.name!r}: working spans must be sorted, not overlapping, "
                    f"within 00:00–24:00; got {self.hours}"
                )
            previous_end = end
        if self.holiday_country is not None:
            _check_country(self.holiday_country)

    # -- queries ----------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` is working time (pauses aside); a span's end is closed."""
        at = _utc(at, "at")
        return self.next_open(at) == at

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself if it is working time, else the start of the next working span;
        ``datetime.max`` (UTC) when the calendar opens no more before its last date."""
        at = _utc(at, "at")
        start, _ = next(self._open_from(at), (_FOREVER, _FOREVER))
        return start

    def add(self, start: datetime, duration: timedelta, pauses: Iterable[Pause] = ()) -> datetime | None:
        """The first instant at which ``duration`` of business time, less ``pauses``, has
        elapsed since ``start``.

        Being the *first* such instant, the result for a positive duration is always just
        after counted time: it is inside a working span or exactly at the end of one (Friday
        18:00 rather than Monday 09:00), never elsewhere in closed time. A zero duration
        gives ``start`` back. When an open-ended pause begins before the duration has run
        out, the deadline never comes and the result is ``None``.

        ``elapsed(start, add(start, d, p), p) == d`` for every ``d >= 0``; see
        :meth:`elapsed` for the other direction.
        """
        return self.counted(start, duration, pauses)[0]

    def counted(
        self, start: datetime, duration: timedelta, pauses: Iterable[Pause] = ()
    ) -> tuple[datetime | None, list[Interval], datetime | None]:
        """:meth:`add`'s answer, the intervals of business time it counted from ``start``
        (the last one cut at that answer), and their *reach*: that answer, or where an
        open-ended pause stopped the count for good (``None`` when the calendar ran out).
        For any ``end``, :meth:`elapsed` of ``start`` and ``min(end, reach)`` is the part
        of those intervals before ``end`` — once no whole local year lies between ``start``
        and the reach (:meth:`elapsed` counts a whole year apart)."""
        start = _utc(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        if not duration:
            return start, [], start
        left = duration
        spans = []
        paused = _merge(pauses, start)
        for begin, end in self._counted(start, paused):
            if end - begin >= left:
                spans.append((begin, begin + left))
                return begin + left, spans, begin + left
            spans.append((begin, end))
            left -= end - begin
        endless = paused and paused[-1][1] == _FOREVER
        return None, spans, max(start, paused[-1][0]) if endless else None

    def elapsed(self, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> timedelta:
        """Business time between ``start`` and ``end``, less ``pauses``; zero if ``end <= start``.

        ``add(start, elapsed(start, end, p), p)`` is ``end`` moved back over any closed or
        paused time to where counting last stopped (never before ``start``). So it is ``end``
        itself exactly when ``end == start`` or the moment just before ``end`` was counted:
        ``end`` inside a working span (or at its end) and not paused, with counting not just
        resumed at ``end`` (Monday 09:00 goes back to Friday 18:00).
        """
        start, end = _utc(start, "start"), _utc(end, "end")
        paused = _merge(pauses, start)
        if paused and paused[-1][1] == _FOREVER:
            end = min(end, max(start, paused[-1][0]))  # nothing counts once an endless pause begins
        total = timedelta(0)
        cursor = start
        for year, begin, stop in self._whole_years(start, end):
            if any(pause_start < stop and begin < pause_end for pause_start, pause_end in paused):
                continue  # a paused year is counted day by day with the stretch around it
            total += self._walk(cursor, begin, paused) + _year_open_time(self, year)
            cursor = stop
        return total + self._walk(cursor, end, paused)

    # -- words and storage ------------------------------------------------------------------

    def describe(self) -> str:
        """The calendar in words, e.g. "Mon–Fri 09:00–18:00 Asia/Tokyo, JP public holidays off"."""
        spans = " and ".join(f"{_clock(a)}–{_clock(b)}" for a, b in self.hours)
        text = f"{_describe_days(self.days)} {spans} {self.tz}"
        if self.holiday_country:
            text += f", {self.holiday_country} public holidays off"
        if self.closed_dates:
            count = len(self.closed_dates)
            text += f", {count} other closed date{'s' if count > 1 else ''}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form; :meth:`from_dict` gives back an equal calendar."""
        return {
            "name": self.name,
            "tz": self.tz,
            "days": sorted(self.days),
            "hours": [[start, end] for start, end in self.hours],
            "holiday_country": self.holiday_country,
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calendar:
        """The calendar stored by :meth:`to_dict`: the same instance for the same values
        (a queue's thousands of deadlines name a handful of calendars; one instance each
        finds its working days in the day cache by identity, not by comparing calendars)."""
        return _stored_calendar(
            cls,
            data["name"],
            data["tz"],
            tuple(data["days"]),
            tuple((start, end) for start, end in data["hours"]),
            data.get("holiday_country"),
            tuple(data.get("closed_dates", ())),
        )

    # -- internals --------------------------------------------------------------------------

    def _open_from(self, start: datetime) -> Iterator[Interval]:
        """Working intervals (UTC) from ``start`` on, the first one clipped to ``start``;
        they end with the last local date a ``date`` can hold (9999-12-31).

        Starts a local day early: on a zone whose clock goes back over midnight, the early
        part of a day's spans can read as the previous local date.
        """
        day = local_date(start, self.tz) - _DAY
        while True:
            for begin, end in _day_intervals(self, day):
                if end > start:
                    yield max(begin, start), end
            if day == date.max:
                return
            day += _DAY

    def _whole_years(self, start: datetime, end: datetime) -> Iterator[tuple[int, datetime, datetime]]:
        """The local calendar years that lie wholly between ``start`` and ``end``, each with
        the instants its first day begins and the next year's first day begins. A year's
        working time lies between the two (a day's spans end by the next day's 00:00)."""
        if end <= start:
            return
        first, last = local_date(start, self.tz).year + 1, local_date(end, self.tz).year
        for year in range(first, last):
            begin = _wall_to_instant(self.tz, datetime(year, 1, 1))
            stop = _wall_to_instant(self.tz, datetime(year + 1, 1, 1))
            if start <= begin and stop <= end:
                yield year, begin, stop

    def _walk(self, start: datetime, end: datetime, paused: list[Interval]) -> timedelta:
        """Counted time between ``start`` and ``end``, interval by interval."""
        total = timedelta(0)
        if end <= start:
            return total
        for begin, stop in self._counted(start, paused):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total

    def _counted(self, start: datetime, paused: list[Interval]) -> Iterator[Interval]:
        """Working intervals from ``start`` on with ``paused`` (pauses as :func:`_merge`
        gives them) cut out.

        They end with 9999-12-31, or where an open-ended pause stops the count for good.
        """
        i = 0
        for begin, end in self._open_from(start):
            while begin < end:
                while i < len(paused) and paused[i][1] <= begin:
                    i += 1
                if i == len(paused) or paused[i][0] >= end:
                    yield begin, end
                    break
                pause_start, pause_end = paused[i]
                if pause_start > begin:
                    yield begin, pause_start
                if pause_end == _FOREVER:
                    return
                begin = pause_end


@lru_cache(maxsize=256)
def _stored_calendar(
    cls: type[Calendar],
    name: str,
    tz: str,
    days: tuple[int, ...],
    hours: tuple[tuple[int, int], ...],
    holiday_country: str | None,
    closed_dates: tuple[str, ...],
) -> Calendar:
    return cls(
        name=name,
        tz=tz,
        days=days,
        hours=hours,
        holiday_country=holiday_country,
        closed_dates=frozenset(date.fromisoformat(d) for d in closed_dates),
    )


def _wall_to_instant(tz: str, local: datetime) -> datetime:
    """The first instant (UTC) at which the clock in ``tz`` reads ``local`` (naive) or later."""
    zone = ZoneInfo(tz)
    after = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if after.astimezone(zone).replace(tzinfo=None) == local:
        return after
    # ``local`` falls in a gap (the clock went forward): the answer is the transition,
    # which lies between the readings with the offsets after and before it.
    before = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while after - before > _MICROSECOND:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).replace(tzinfo=None) >= local:
            after = middle
        else:
            before = middle
    return after


def local_date(at: datetime, tz: str | tzinfo) -> date:
    """The local date of ``at`` in the zone ``tz`` (a name or a zone). Within a day of the
    last instant a datetime holds the local date can be past 9999-12-31 (``9999-12-31T23:59Z``
    is already the year 10000 in Tokyo): that is 9999-12-31, and before year 1, 0001-01-01."""
    try:
        return at.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()
    except OverflowError:
        return date.max if at.year == date.max.year else date.min


@lru_cache(maxsize=1 << 12)
def _year_open_time(calendar: Calendar, year: int) -> timedelta:
    """The working time of one local calendar year (up to 9998), without walking its days.

    Every working weekday counts its spans' wall-clock length; closed dates and holidays
    on working weekdays count nothing; and the few days on which the zone's offset
    changes are measured one by one (:func:`_day_intervals`). A change is found by
    comparing the offsets at local midnights a week apart, then day by day inside that
    week: no zone changes its offset and back within one week.
    """
    zone = ZoneInfo(calendar.tz)
    first, following = date(year, 1, 1), date(year + 1, 1, 1)
    length = (following - first).days
    working = sum(length // 7 + ((weekday - first.weekday()) % 7 < length % 7) for weekday in calendar.days)
    closed = {
        day
        for day in calendar.closed_dates
        | (_holidays(calendar.holiday_country, year) if calendar.holiday_country else frozenset())
        if day.year == year and day.weekday() in calendar.days
    }
    day_length = timedelta(minutes=sum(end - start for start, end in calendar.hours))
    total = day_length * (working - len(closed))

    def offset(day: date) -> timedelta | None:
        return zone.utcoffset(datetime(day.year, day.month, day.day))

    weeks = [first + n * 7 * _DAY for n in range(length // 7 + 1)] + [following]
    offsets = [offset(week) for week in weeks]
    for week, week_end, before, after in zip(weeks, weeks[1:], offsets, offsets[1:], strict=False):
        if before == after:
            continue
        for day in (week + n * _DAY for n in range((week_end - week).days)):
            if offset(day) != offset(day + _DAY) and day.weekday() in calendar.days and day not in closed:
                measured = sum((stop - begin for begin, stop in _day_intervals(calendar, day)), timedelta(0))
                total += measured - day_length
    return total


@lru_cache(maxsize=1 << 16)
def _day_intervals(calendar: Calendar, day: date) -> tuple[Interval, ...]:
    """The working intervals (UTC) of one local day; empty on a closed day."""
    if (
        day.weekday() not in calendar.days
        or day in calendar.closed_dates
        or (calendar.holiday_country and day in _holidays(calendar.holiday_country, day.year))
    ):
        return ()
    midnight = datetime.combine(day, time())
    intervals = []
    for start, end in calendar.hours:
        try:
            begin = _wall_to_instant(calendar.tz, midnight + timedelta(minutes=start))
        except OverflowError:
            break  # past the last instant a datetime holds
        try:
            stop = _wall_to_instant(calendar.tz, midnight + timedelta(minutes=end))
        except OverflowError:
            stop = _FOREVER
        if begin < stop:
            intervals.append((begin, stop))
    return tuple(intervals)


class _HolidayCache:
    """Public holidays, and the country codes the ``holidays`` package knows, kept in a
    file of the user's cache folder (``holidays.json`` in ``~/.cache/case-workbench`` on
    Linux; ``XDG_CACHE_HOME`` moves it).

    Importing ``holidays`` and building one country's year costs 200-400 ms: more than
    the rest of a ``workbench case show``. Every year of every country is asked of the
    package once and kept, for the installed version of the package only; a file that is
    missing, unreadable, damaged or of another version is built again, and one that
    cannot be written leaves the answers in memory only."""

    def __init__(self) -> None:
        self._data: dict[str, Any] | None = None

    @staticmethod
    def path() -> Path:
        import platformdirs

        return Path(platformdirs.user_cache_dir("case-workbench", appauthor=False)) / "holidays.json"

    @staticmethod
    def _version() -> str:
        """The installed version of ``holidays``, from its ``.dist-info`` folder's name
        (``importlib.metadata`` would cost more than the cache saves)."""
        from importlib.util import find_spec

        spec = find_spec("holidays")
        if spec is not None and spec.origin:
            folder = os.path.dirname(os.path.dirname(spec.origin))
            for name in os.listdir(folder):
                if name.startswith("holidays-") and name.endswith(".dist-info"):
                    return name.removeprefix("holidays-").removesuffix(".dist-info")
        from importlib.metadata import version

        return version("holidays")

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            version = self._version()
            try:
                data = orjson.loads(self.path().read_bytes())
            except (OSError, orjson.JSONDecodeError):
                data = None
            if not _is_holiday_cache(data, version):
                data = {"holidays": version, "codes": None, "days": {}}
            self._data = data
        return self._data

    def _save(self) -> None:
        path = self.path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(orjson.dumps(self._data))
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only home: the answers stay in memory

    def days(self, country: str, year: int) -> frozenset[date]:
        """None outside the years the package knows the country's holidays for (a count
        over centuries asks for thousands of years: they are not kept one by one)."""
        first, last = self.years(country)
        if not first <= year <= last:
            return frozenset()
        data = self._load()
        key = f"{country}:{year}"
        if key not in data["days"]:
            import holidays  # only when the cache does not know the year: slow to import

            found = holidays.country_holidays(country, years=year)
            data["days"][key] = sorted(day.isoformat() for day in found)
            self._save()
        return frozenset(date.fromisoformat(day) for day in data["days"][key])

    def years(self, country: str) -> tuple[int, int]:
        """The first and last year the package knows ``country``'s holidays for."""
        data = self._load()
        known = data.setdefault("years", {})
        if country not in known:
            import holidays

            found = holidays.country_holidays(country)
            known[country] = [found.start_year, found.end_year]
            self._save()
        first, last = known[country]
        return first, last

    def codes(self) -> frozenset[str]:
        data = self._load()
        if data["codes"] is None:
            from holidays.registry import EntityLoader

            data["codes"] = sorted({*EntityLoader.get_country_codes(), *EntityLoader.get_financial_codes()})
            self._save()
        return frozenset(data["codes"])


def _is_holiday_cache(data: Any, version: str) -> bool:
    """Whether ``data`` is a holiday cache of the package's ``version``, in its shape."""
    return (
        isinstance(data, dict)
        and data.get("holidays") == version
        and (data.get("codes") is None or _strings(data.get("codes")))
        and isinstance(data.get("days"), dict)
        and all(_strings(days) for days in data["days"].values())
        and isinstance(data.get("years", {}), dict)
        and all(
            isinstance(span, list) and len(span) == 2 and all(type(year) is int for year in span)
            for span in data.get("years", {}).values()
        )
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_HOLIDAY_CACHE = _HolidayCache()


def holidays_version() -> str:
    """The installed version of the ``holidays`` package, which says which days are public
    holidays (a deadline kept between processes is kept for one version only)."""
    return _HOLIDAY_CACHE._version()


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    """Public holidays of ``country`` in ``year``."""
    return _HOLIDAY_CACHE.days(country, year)


@cache
def _holiday_codes() -> frozenset[str]:
    """The codes ``holidays.country_holidays`` takes: countries and markets, aliases too
    (from the package's registry: building one country's holidays to check its code would
    import every country)."""
    return _HOLIDAY_CACHE.codes()


def _check_country(country: str) -> None:
    """Refuse a country code the ``holidays`` package does not know."""
    if country not in _holiday_codes():
        raise ValueError(f"no public holidays known for country {country!r}")


def _merge(pauses: Iterable[Pause], start: datetime) -> list[Interval]:
    """Pauses in UTC that matter after ``start``, sorted, overlaps merged; no end is _FOREVER."""
    merged: list[Interval] = []
    for begin, end in sorted(
        (_utc(p.start, "pause start"), _FOREVER if p.end is None else _utc(p.end, "pause end"))
        for p in pauses
    ):
        if end <= max(begin, start):
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str) -> int:
    """Minutes of the day for "HH:MM" (up to "24:00")."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day like 09:00") from None
    if not (0 <= minutes < 60 and 0 <= hours * 60 + minutes <= 24 * 60):
        raise ValueError(f"{text!r} is not a time of day between 00:00 and 24:00")
    return hours * 60 + minutes


def _describe_days(days: frozenset[int]) -> str:
    if len(days) == 7:
        return "every day"
    firsts = [d for d in sorted(days) if (d - 1) % 7 not in days]
    if len(firsts) == 1 and len(days) > 1:
        return f"{DAY_NAMES[firsts[0]]}–{DAY_NAMES[(firsts[0] + len(days) - 1) % 7]}"
    return ", ".join(DAY_NAMES[d] for d in sorted(days))


# -- ready-made calendars -------------------------------------------------------------------

TWENTY_FOUR_SEVEN = Calendar(name="24x7", tz="UTC", days=frozenset(range(7)), hours=WHOLE_DAY)
"""Every hour of every day (ZOHO-SLA-2 critical cases, BT-SLA-1 support, WX-HOURS-1)."""


def twenty_four_five(tz: str) -> Calendar:
    """Monday 00:00 to Friday 24:00 in ``tz``, no holidays off (ZOHO-SLA-1)."""
    return Calendar(name=f"24x5 {tz}", tz=tz, days=frozenset(range(5)), hours=WHOLE_DAY)


def weekdays(
    tz: str,
    start: str = "09:00",
    end: str = "17:00",
    holiday_country: str | None = None,
    name: str | None = None,
) -> Calendar:
    """Monday–Friday from ``start`` to ``end`` ("HH:MM", end up to "24:00") in ``tz``.

    ``holiday_country`` takes that country's public holidays off. Without a ``name`` the
    calendar is named by its description, e.g. "Mon–Fri 09:00–17:00 America/Los_Angeles".
    """
    calendar = Calendar(
        name=name or "",
        tz=tz,
        days=frozenset(range(5)),
        hours=((_minutes(start), _minutes(end)),),
        holiday_country=holiday_country,
    )
    return calendar if name else replace(calendar, name=calendar.describe())


def japan_business() -> Calendar:
    """Japanese business days: Monday–Friday 09:00–18:00 Asia/Tokyo less Japanese public
    holidays (WX-SITE-1)."""
    return weekdays(
        "Asia/Tokyo",
        "09:00",
        "18:00",
        holiday_country="JP",
        name="Japan business days (Mon-Fri 09:00-18:00 Asia/Tokyo, JP holidays)",
    )


def desk_calendar(
    tz: str = "Asia/Tokyo",
    start: str = "09:00",
    end: str = "18:00",
    days: Iterable[int] = (0, 1, 2, 3, 4),
    holiday_country: str | None = "JP",
    closed_dates: Iterable[date] = (),
) -> Calendar:
    """The desk's own calendar for its commitment to its customer (CORE-SLA-3), from the
    desk settings; named "desk"."""
    return Calendar(
        name="desk",
        tz=tz,
        days=frozenset(days),
        hours=((_minutes(start), _minutes(end)),),
        holiday_country=holiday_country,
        closed_dates=frozenset(closed_dates),
    )


# -- whole business days --------------------------------------------------------------------


def _business_day_after(calendar: Calendar, day: date, count: int) -> date:
    """The ``count``-th business day (a local date with working time) after ``day``."""
    while count:
        day += _DAY
        if _day_intervals(calendar, day):
            count -= 1
    return day


def add_business_days(calendar: Calendar, start: datetime, days: int) -> datetime:
    """The same local time of day on the ``days``-th business day after ``start``'s local date.

    A business day is a local date with working time on ``calendar``. Days are counted
    from the day after ``start``, whether or not ``start`` itself falls on a business day:
    from a Saturday or a Friday, one business day later is Monday. The time of day is kept
    as it is, even outside working hours. ``days == 0`` gives ``start`` back (in UTC).
    Used for estimates such as WX-SITE-1's "7 Japan business days after provisioning".
    """
    start = _utc(start, "start")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    if not days:
        return start
    local = start.astimezone(ZoneInfo(calendar.tz))
    target = _business_day_after(calendar, local.date(), days)
    return _wall_to_instant(calendar.tz, datetime.combine(target, local.time()))


def end_of_next_business_day(calendar: Calendar, at: datetime) -> datetime:
    """The close of the first business day after ``at``'s local date (BT-SLA-1).

    The close is the end of that day's last working span: from a ticket on Friday at any
    hour, Monday at 17:00 on a Monday–Friday 09:00–17:00 calendar.
    """
    at = _utc(at, "at")
    day = _business_day_after(calendar, at.astimezone(ZoneInfo(calendar.tz)).date(), 1)
    return _day_intervals(calendar, day)[-1][1]
