"""Business calendars: properties on every ready-made calendar, and the named edges.

Rules served: CORE-SLA-1 (deadlines on a named calendar, pending time left out), CORE-SLA-3
(the desk calendar), ZOHO-SLA-1/2 (24x5 per region, 24x7 for critical cases), BT-SLA-1
(24x7 support, end of the next business day), WX-SITE-1 (7 Japan business days),
WX-HOURS-1 (Japanese-language hours).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.calendar import (
    TWENTY_FOUR_SEVEN,
    Calendar,
    Pause,
    add_business_days,
    desk_calendar,
    end_of_next_business_day,
    japan_business,
    twenty_four_five,
    weekdays,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
MICROSECOND = timedelta(microseconds=1)

NEW_YEAR_CLOSED = [date(2025, 12, 29) + timedelta(days=n) for n in range(6)]  # Dec 29 – Jan 3

CALENDARS = {
    "24x7": TWENTY_FOUR_SEVEN,  # ZOHO-SLA-2, BT-SLA-1, WX-HOURS-1
    **{  # ZOHO-SLA-1: 24x5 in Zoho region zones (a sample: no DST, northern and southern DST)
        f"24x5-{tz}": twenty_four_five(tz) for tz in ("Asia/Tokyo", "America/New_York", "Australia/Sydney")
    },
    **{  # BT-SLA-1: customer success, Monday–Friday 09:00–17:00 of the support region
        f"weekdays-{tz}": weekdays(tz) for tz in ("America/Los_Angeles", "Europe/London")
    },
    "japan-business": japan_business(),  # WX-SITE-1
    "japanese-language": weekdays("Asia/Tokyo", "10:00", "18:00", "JP"),  # WX-HOURS-1
    "desk": desk_calendar(closed_dates=NEW_YEAR_CLOSED),  # CORE-SLA-3
    "split-shifts": Calendar(  # CORE-SLA-1: several spans a day, Saturdays, a DST zone
        name="split shifts",
        tz="America/New_York",
        days=frozenset(range(6)),
        hours=((0, 30), (540, 720), (780, 1050), (1320, 1440)),
        holiday_country="US",
    ),
}
ALL = pytest.mark.parametrize("cal", CALENDARS.values(), ids=CALENDARS.keys())
PROPERTY = settings(max_examples=50, deadline=None)  # per calendar: 550 per property


# Times are either arbitrary, to the microsecond, or on whole hours, where spans begin and
# end and the boundaries bite. They are drawn in UTC for exact arithmetic in the tests: aware
# datetime arithmetic in a named zone is wall-clock arithmetic. The named tests below pass
# local times.
FIRST_HOUR = datetime(2024, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def spans_of_time(days: int) -> st.SearchStrategy[timedelta]:
    """Up to ``days`` long: to the microsecond, or in whole hours."""
    return st.one_of(
        st.integers(0, days * 24 * 3600 * 10**6).map(lambda n: n * MICROSECOND),
        st.integers(0, days * 24).map(lambda n: n * HOUR),
    )


instants = spans_of_time(5 * 365).map(lambda offset: FIRST_HOUR + offset)  # 2024–2028
durations = spans_of_time(40)
short_durations = spans_of_time(10)


@st.composite
def pauses(draw, around: datetime, open_ended: bool = True) -> list[Pause]:
    """Up to three pauses near ``around``, overlapping freely; possibly one open-ended."""
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = around + draw(spans_of_time(23)) - timedelta(days=3)
        ends = draw(st.booleans()) if open_ended else True
        end = start + draw(spans_of_time(6)) if ends else None
        result.append(Pause(start, end))
    return result


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


# -- properties on every ready-made calendar (CORE-SLA-1) -----------------------------------


@ALL
@PROPERTY
@given(data=st.data(), start=instants, duration=durations)
def test_sla1_elapsed_undoes_add(cal: Calendar, data, start: datetime, duration: timedelta):
    """CORE-SLA-1: elapsed(start, add(start, d, p), p) == d; None only for an open pause."""
    paused = data.draw(pauses(start))
    due = cal.add(start, duration, paused)
    if due is None:
        assert any(p.end is None for p in paused)
        assert cal.elapsed(start, start + timedelta(days=400), paused) < duration
    else:
        assert due.tzinfo is UTC
        assert cal.elapsed(start, due, paused) == duration


@ALL
@PROPERTY
@given(data=st.data(), start=instants, wall=durations)
def test_sla1_add_undoes_elapsed(cal: Calendar, data, start: datetime, wall: timedelta):
    """CORE-SLA-1: add(start, elapsed(start, end, p), p) is end moved back over closed or
    paused time to where counting last stopped; end itself when counted time runs up to it."""
    paused = data.draw(pauses(start, open_ended=False))
    end = start + wall
    back = cal.add(start, cal.elapsed(start, end, paused), paused)
    assert start <= back <= end
    assert cal.elapsed(back, end, paused) == timedelta(0)
    if back > start:  # counting ran right up to ``back``
        assert cal.elapsed(back - MICROSECOND, back, paused) == MICROSECOND
    just_before = end - MICROSECOND
    counted_up_to_end = (
        just_before >= start
        and cal.is_open(just_before)
        and not any(p.start <= just_before < p.end for p in paused)
    )
    assert (back == end) is (end == start or counted_up_to_end)


@ALL
@PROPERTY
@given(start=instants, first=durations, second=durations)
def test_sla1_add_is_monotone_in_duration(cal: Calendar, start, first, second):
    """CORE-SLA-1: a longer commitment never falls due earlier."""
    shorter, longer = sorted((first, second))
    assert cal.add(start, shorter) <= cal.add(start, longer)


@ALL
@PROPERTY
@given(start=instants, duration=durations)
def test_sla1_deadline_never_in_closed_time(cal: Calendar, start, duration):
    """CORE-SLA-1: a positive duration ends in working time or exactly at a span's end:
    either way the instant just before it is working time."""
    due = cal.add(start, duration)
    if duration:
        assert cal.is_open(due - MICROSECOND)
    else:
        assert due == start


@ALL
@PROPERTY
@given(start=instants, first=short_durations, second=short_durations)
def test_sla1_elapsed_within_wall_time_and_additive(cal: Calendar, start, first, second):
    """CORE-SLA-1: business time never exceeds wall time, and splits at any instant."""
    middle, end = start + first, start + first + second
    total = cal.elapsed(start, end)
    assert timedelta(0) <= total <= end - start
    assert total == cal.elapsed(start, middle) + cal.elapsed(middle, end)
    assert cal.elapsed(end, start) == timedelta(0)


@ALL
@PROPERTY
@given(data=st.data(), start=instants, wall=short_durations)
def test_sla1_pause_removes_at_most_its_length(cal: Calendar, data, start, wall):
    """CORE-SLA-1: pending-on-customer time reduces elapsed time by at most its length."""
    end = start + wall
    pause_start = start + data.draw(spans_of_time(13)) - timedelta(days=3)
    pause = Pause(pause_start, pause_start + data.draw(short_durations))
    removed = cal.elapsed(start, end) - cal.elapsed(start, end, [pause])
    assert timedelta(0) <= removed <= pause.end - pause.start


ORACLE_WINDOWS = [  # (first UTC midnight, days): holidays and DST changes of the zones above
    (datetime(2025, 12, 26, tzinfo=UTC), 12),  # New Year
    (datetime(2026, 3, 3, tzinfo=UTC), 10),  # United States spring forward (Mar 8)
    (datetime(2026, 3, 26, tzinfo=UTC), 14),  # Europe forward (Mar 29), Sydney back (Apr 5)
    (datetime(2026, 4, 25, tzinfo=UTC), 14),  # Golden Week
    (datetime(2026, 9, 30, tzinfo=UTC), 7),  # Sydney forward (Oct 4)
    (datetime(2026, 10, 22, tzinfo=UTC), 14),  # Europe back (Oct 25), United States back (Nov 1)
    (datetime(2018, 11, 1, tzinfo=UTC), 7),  # Sao Paulo's clock skips Sunday 00:00 (Nov 4)
]
ORACLE_CALENDARS = {
    **CALENDARS,
    "24x5-America/Sao_Paulo": twenty_four_five("America/Sao_Paulo"),
    "weekdays-Asia/Singapore": weekdays("Asia/Singapore"),
    "weekend-America/Sao_Paulo": Calendar("weekend", "America/Sao_Paulo", frozenset({5, 6}), ((0, 1440),)),
}


@cache
def public_holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def open_by_wall_clock(cal: Calendar, at: datetime) -> bool:
    """The plain definition: the local clock shows a working day and a working time."""
    wall = at.astimezone(ZoneInfo(cal.tz))
    day = wall.date()
    minute = wall.hour * 60 + wall.minute
    return (
        wall.weekday() in cal.days
        and day not in cal.closed_dates
        and not (cal.holiday_country and day in public_holidays(cal.holiday_country))
        and any(start <= minute < end for start, end in cal.hours)
    )


@pytest.mark.parametrize("cal", ORACLE_CALENDARS.values(), ids=ORACLE_CALENDARS.keys())
def test_sla1_agrees_with_the_wall_clock_quarter_hour_by_quarter_hour(cal: Calendar):
    """CORE-SLA-1: across holidays and DST changes, is_open and elapsed agree with reading the
    local clock every quarter of an hour (all these calendars change on quarter hours)."""
    quarter = timedelta(minutes=15)
    for first, days in ORACLE_WINDOWS:
        for n in range(days):
            day_start = first + timedelta(days=n)
            steps = [day_start + quarter * k for k in range(96)]
            opens = [open_by_wall_clock(cal, at) for at in steps]
            assert [cal.is_open(at) for at in steps] == opens
            assert cal.elapsed(day_start, day_start + timedelta(days=1)) == quarter * sum(opens)


@ALL
def test_sla1_calendar_round_trips_through_json(cal: Calendar):
    """CORE-SLA-1: a commitment stores its calendar as JSON and gets the same one back."""
    assert Calendar.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal


@ALL
def test_sla1_calendar_has_a_name_and_a_description(cal: Calendar):
    """CORE-SLA-1: every deadline is shown with its calendar's name."""
    assert cal.name
    assert cal.tz in cal.describe()


@pytest.mark.parametrize(
    ("days", "hours", "words"),
    [
        (range(7), ((0, 1440),), "every day 00:00–24:00 UTC"),
        ({6, 0, 1, 2, 3}, ((480, 1020),), "Sun–Thu 08:00–17:00 UTC"),
        ({0, 2, 4}, ((540, 720), (780, 1080)), "Mon, Wed, Fri 09:00–12:00 and 13:00–18:00 UTC"),
    ],
)
def test_sla1_calendar_described_in_words(days, hours, words):
    """CORE-SLA-1: the calendar behind a deadline can be told in one line."""
    assert Calendar("c", "UTC", frozenset(days), hours).describe() == words


# -- ZOHO-SLA-1/2: 24x5 and 24x7 -------------------------------------------------------------


def test_zoho_sla1_friday_2359_plus_two_minutes_is_monday_0001():
    """ZOHO-SLA-1: 24x5 runs to Friday 24:00 and resumes Monday 00:00."""
    cal = twenty_four_five("Asia/Tokyo")
    due = cal.add(local(TOKYO, 2026, 11, 27, 23, 59), timedelta(minutes=2))
    assert due == local(TOKYO, 2026, 11, 30, 0, 1)
    assert due.tzinfo is UTC
    assert cal.name == "24x5 Asia/Tokyo"


def test_zoho_sla1_24x5_takes_no_holidays_off():
    """ZOHO-SLA-1: the page names no holidays (2026-11-23 is a Japanese holiday)."""
    cal = twenty_four_five("Asia/Tokyo")
    assert cal.is_open(local(TOKYO, 2026, 11, 23, 12))
    assert cal.describe() == "Mon–Fri 00:00–24:00 Asia/Tokyo"


def test_zoho_sla1_24x5_across_the_new_york_spring_forward():
    """ZOHO-SLA-1: Friday 24:00 EST to Monday 00:00 EDT is closed, DST or not."""
    cal = twenty_four_five("America/New_York")
    friday = local(NEW_YORK, 2026, 3, 6, 23)
    assert cal.add(friday, timedelta(hours=2)) == local(NEW_YORK, 2026, 3, 9, 1)
    assert cal.add(friday, timedelta(hours=2)) == datetime(2026, 3, 9, 5, tzinfo=UTC)
    assert cal.elapsed(local(NEW_YORK, 2026, 3, 6), local(NEW_YORK, 2026, 3, 9)) == timedelta(hours=24)


def test_zoho_sla2_critical_case_runs_through_the_weekend():
    """ZOHO-SLA-2: a critical severity-1 case is on 24x7."""
    friday = local(TOKYO, 2026, 11, 27, 23)
    assert TWENTY_FOUR_SEVEN.add(friday, timedelta(hours=3)) == local(TOKYO, 2026, 11, 28, 2)
    assert TWENTY_FOUR_SEVEN.name == "24x7"


# -- DST in a vendor's zone (CORE-SLA-1, BT-SLA-1) -------------------------------------------


def test_bt_sla1_weekdays_across_the_los_angeles_spring_forward():
    """BT-SLA-1: Friday 16:00 PST + 2 business hours is Monday 10:00 PDT."""
    cal = weekdays("America/Los_Angeles")
    due = cal.add(local(LOS_ANGELES, 2026, 3, 6, 16), timedelta(hours=2))
    assert due == datetime(2026, 3, 9, 17, tzinfo=UTC)  # 10:00 PDT
    start, end = local(LOS_ANGELES, 2026, 3, 6, 9), local(LOS_ANGELES, 2026, 3, 9, 17)
    assert cal.elapsed(start, end) == timedelta(hours=16)


def test_bt_sla1_weekdays_across_the_los_angeles_fall_back():
    """BT-SLA-1: Friday 16:00 PDT + 2 business hours is Monday 10:00 PST."""
    cal = weekdays("America/Los_Angeles")
    due = cal.add(local(LOS_ANGELES, 2026, 10, 30, 16), timedelta(hours=2))
    assert due == datetime(2026, 11, 2, 18, tzinfo=UTC)  # 10:00 PST


def test_sla1_dst_days_are_as_long_as_the_clock_says():
    """CORE-SLA-1: on a 7-day calendar in New York the spring-forward day has 23 hours and
    the fall-back day 25; a span through the gap is an hour shorter, one through the repeat
    an hour longer."""
    every_day = Calendar("NY 24x7", "America/New_York", frozenset(range(7)), ((0, 1440),))
    assert every_day.elapsed(local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 9)) == timedelta(hours=23)
    assert every_day.elapsed(local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2)) == timedelta(
        hours=25
    )
    night = Calendar("NY night", "America/New_York", frozenset(range(7)), ((60, 180),))
    assert night.elapsed(local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 9)) == timedelta(hours=1)
    assert night.next_open(local(NEW_YORK, 2026, 3, 8)) == datetime(2026, 3, 8, 6, tzinfo=UTC)
    assert night.elapsed(local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2)) == timedelta(hours=3)


def test_sla1_span_starting_in_the_gap_opens_when_the_clock_jumps():
    """CORE-SLA-1: a span from 02:30 on the spring-forward day opens at 03:00 EDT."""
    cal = Calendar("NY small hours", "America/New_York", frozenset(range(7)), ((150, 240),))
    opens = cal.next_open(local(NEW_YORK, 2026, 3, 8))
    assert opens == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT
    assert cal.add(opens, timedelta(hours=1)) == datetime(2026, 3, 8, 8, tzinfo=UTC)


# -- Japanese holidays (WX-SITE-1, CORE-SLA-3) -----------------------------------------------


@pytest.mark.parametrize("cal", [japan_business(), desk_calendar()], ids=["japan", "desk"])
def test_sla3_golden_week_is_closed(cal: Calendar):
    """CORE-SLA-3, WX-SITE-1: 2026-04-29 and 2026-05-03..06 are Japanese public holidays."""
    assert cal.add(local(TOKYO, 2026, 4, 28, 17), timedelta(hours=2)) == local(TOKYO, 2026, 4, 30, 10)
    assert cal.add(local(TOKYO, 2026, 5, 1, 17), timedelta(hours=2)) == local(TOKYO, 2026, 5, 7, 10)
    for day in (29, 30):
        assert cal.is_open(local(TOKYO, 2026, 4, day, 12)) is (day == 30)
    for day in range(2, 8):
        assert cal.is_open(local(TOKYO, 2026, 5, day, 12)) is (day == 7)
    # Two weeks hold six working days: Apr 27, 28, 30, May 1, 7, 8.
    two_weeks = cal.elapsed(local(TOKYO, 2026, 4, 27), local(TOKYO, 2026, 5, 11))
    assert two_weeks == timedelta(hours=6 * 9)


@pytest.mark.parametrize("cal", [japan_business(), desk_calendar()], ids=["japan", "desk"])
def test_sla3_new_year_day_is_closed(cal: Calendar):
    """CORE-SLA-3, WX-SITE-1: January 1 is a public holiday; January 2 is not."""
    assert cal.add(local(TOKYO, 2025, 12, 31, 17), timedelta(hours=2)) == local(TOKYO, 2026, 1, 2, 10)


def test_sla3_desk_closed_dates_cover_the_new_year_break():
    """CORE-SLA-3: the desk may close Dec 29 – Jan 3 on top of the public holidays."""
    cal = desk_calendar(closed_dates=NEW_YEAR_CLOSED)
    assert cal.add(local(TOKYO, 2025, 12, 26, 17), timedelta(hours=2)) == local(TOKYO, 2026, 1, 5, 10)
    assert cal.name == "desk"
    assert cal.describe() == ("Mon–Fri 09:00–18:00 Asia/Tokyo, JP public holidays off, 6 other closed dates")


def test_sla3_desk_first_response_within_four_business_hours():
    """CORE-SLA-3: opened Friday 16:00, first response due Monday 11:00 Tokyo."""
    due = desk_calendar().add(local(TOKYO, 2026, 11, 27, 16), timedelta(hours=4))
    assert due == local(TOKYO, 2026, 11, 30, 11)


def test_sla1_elapsed_then_add_goes_back_to_where_counting_stopped():
    """CORE-SLA-1: Monday 09:00 is open, but the business time up to it was all counted by
    Friday 18:00, so adding it back lands on Friday 18:00."""
    cal = japan_business()
    start, monday = local(TOKYO, 2026, 11, 27, 17), local(TOKYO, 2026, 11, 30, 9)
    assert cal.add(start, cal.elapsed(start, monday)) == local(TOKYO, 2026, 11, 27, 18)
    later = monday + timedelta(minutes=5)
    assert cal.add(start, cal.elapsed(start, later)) == later


def test_sla1_span_end_convention():
    """CORE-SLA-1: open time is half-open and a deadline may fall on a span's end:
    Friday 17:00 + 1 h is Friday 18:00, not Monday 09:00."""
    cal = japan_business()
    friday_close = local(TOKYO, 2026, 11, 27, 18)
    assert cal.add(local(TOKYO, 2026, 11, 27, 17), timedelta(hours=1)) == friday_close
    assert cal.is_open(local(TOKYO, 2026, 11, 27, 9))
    assert not cal.is_open(friday_close)
    assert cal.next_open(friday_close) == local(TOKYO, 2026, 11, 30, 9)
    assert cal.elapsed(friday_close, local(TOKYO, 2026, 11, 30, 9)) == timedelta(0)


# -- pauses (CORE-SLA-1) ---------------------------------------------------------------------


def test_sla1_pause_across_a_weekend():
    """CORE-SLA-1: pending Friday 17:30 to Monday 10:00 stops the clock for Monday 09–10."""
    cal = japan_business()
    start = local(TOKYO, 2026, 11, 27, 17)
    pending = Pause(local(TOKYO, 2026, 11, 27, 17, 30), local(TOKYO, 2026, 11, 30, 10))
    due = cal.add(start, timedelta(hours=2), [pending])
    assert due == local(TOKYO, 2026, 11, 30, 11, 30)
    assert cal.elapsed(start, due, [pending]) == timedelta(hours=2)
    assert cal.elapsed(start, due) == timedelta(hours=3, minutes=30)


def test_sla1_overlapping_pauses_count_once():
    """CORE-SLA-1: overlapping pending intervals are not removed twice."""
    cal = japan_business()
    day = local(TOKYO, 2026, 11, 24, 9)
    both = [
        Pause(day + timedelta(hours=1), day + timedelta(hours=3)),
        Pause(day + timedelta(hours=2), day + timedelta(hours=4)),
    ]
    assert cal.elapsed(day, day + timedelta(hours=9), both) == timedelta(hours=6)
    assert cal.add(day, timedelta(hours=2), both) == day + timedelta(hours=5)


def test_sla1_open_pause_stops_the_clock_for_good():
    """CORE-SLA-1: still pending on the customer: no due time, elapsed stops at the pause."""
    cal = japan_business()
    start = local(TOKYO, 2026, 11, 24, 9)
    pending = Pause(local(TOKYO, 2026, 11, 24, 10))
    assert cal.add(start, timedelta(hours=2), [pending]) is None
    assert cal.add(start, timedelta(minutes=30), [pending]) == local(TOKYO, 2026, 11, 24, 9, 30)
    assert cal.elapsed(start, local(TOKYO, 2027, 1, 1), [pending]) == timedelta(hours=1)


def test_sla1_pause_that_ends_before_it_starts_is_refused():
    """CORE-SLA-1: an inverted pending interval is a mistake, not an empty pause."""
    with pytest.raises(ValueError, match="before it starts"):
        Pause(local(TOKYO, 2026, 11, 24, 10), local(TOKYO, 2026, 11, 24, 9))


# -- whole business days (WX-SITE-1, BT-SLA-1) -----------------------------------------------


def test_wx_site1_seven_business_days_across_golden_week():
    """WX-SITE-1: provisioned Mon 2026-04-27 10:00; ready 7 Japan business days later:
    Apr 28, 30, May 1, 7, 8, 11, 12 -> Tue 2026-05-12 10:00."""
    ready = add_business_days(japan_business(), local(TOKYO, 2026, 4, 27, 10), 7)
    assert ready == local(TOKYO, 2026, 5, 12, 10)
    assert ready.tzinfo is UTC


def test_wx_site1_business_days_count_from_the_next_day():
    """WX-SITE-1: from a Saturday or a Friday one business day later is Monday; 0 is start."""
    cal = japan_business()
    monday = local(TOKYO, 2026, 11, 30, 15)
    assert add_business_days(cal, local(TOKYO, 2026, 11, 28, 15), 1) == monday
    assert add_business_days(cal, local(TOKYO, 2026, 11, 27, 15), 1) == monday
    assert add_business_days(cal, monday, 0) == monday
    with pytest.raises(ValueError):
        add_business_days(cal, monday, -1)


def test_bt_sla1_end_of_next_business_day_from_a_friday():
    """BT-SLA-1: customer success, ticket on a Friday: target Monday 17:00 of the region."""
    cal = weekdays("America/Los_Angeles")
    target = end_of_next_business_day(cal, local(LOS_ANGELES, 2026, 11, 20, 10))
    assert target == local(LOS_ANGELES, 2026, 11, 23, 17)


def test_bt_sla1_end_of_next_business_day_on_a_holiday_eve():
    """BT-SLA-1: on the eve of a holiday the next business day is the one after it."""
    us = weekdays("America/Los_Angeles", holiday_country="US")
    thanksgiving_eve = local(LOS_ANGELES, 2026, 11, 25, 16)
    assert end_of_next_business_day(us, thanksgiving_eve) == local(LOS_ANGELES, 2026, 11, 27, 17)
    showa_eve = local(TOKYO, 2026, 4, 28, 12)
    assert end_of_next_business_day(japan_business(), showa_eve) == local(TOKYO, 2026, 4, 30, 18)


# -- WX-HOURS-1, validation, speed -----------------------------------------------------------


def test_wx_hours1_japanese_language_support_hours():
    """WX-HOURS-1: Japanese-language support is weekdays 10:00–18:00 Japan time."""
    cal = weekdays("Asia/Tokyo", "10:00", "18:00")
    assert cal.name == "Mon–Fri 10:00–18:00 Asia/Tokyo"
    assert not cal.is_open(local(TOKYO, 2026, 11, 24, 9, 59))
    assert cal.is_open(local(TOKYO, 2026, 11, 24, 10))
    assert not cal.is_open(local(TOKYO, 2026, 11, 24, 18))
    assert not cal.is_open(local(TOKYO, 2026, 11, 28, 12))


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, t: cal.is_open(t),
        lambda cal, t: cal.next_open(t),
        lambda cal, t: cal.add(t, timedelta(hours=1)),
        lambda cal, t: cal.elapsed(t, t),
        lambda cal, t: add_business_days(cal, t, 1),
        lambda cal, t: end_of_next_business_day(cal, t),
        lambda cal, t: Pause(t, None),
    ],
)
def test_sla1_naive_times_are_refused(call):
    """CORE-SLA-1: a time without a zone is ambiguous; it is refused by name."""
    with pytest.raises(ValueError, match="naive"):
        call(japan_business(), datetime(2026, 11, 24, 10))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Mars/Olympus"},
        {"days": frozenset()},
        {"days": frozenset({7})},
        {"hours": ()},
        {"hours": ((600, 540),)},
        {"hours": ((540, 720), (700, 1080))},
        {"hours": ((0, 1500),)},
        {"holiday_country": "XX"},
    ],
)
def test_sla1_malformed_calendar_is_refused(kwargs):
    """CORE-SLA-1: a calendar that cannot be worked out is refused at construction."""
    fields = {"name": "bad", "tz": "UTC", "days": frozenset(range(5)), "hours": ((540, 1080),)}
    with pytest.raises(ValueError):
        Calendar(**(fields | kwargs))


def test_sla1_negative_duration_is_refused():
    """CORE-SLA-1: commitments are durations forward in time."""
    with pytest.raises(ValueError, match="negative"):
        TWENTY_FOUR_SEVEN.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=-1))


@pytest.mark.parametrize("code", ["JP", "JPN", "US", "GB", "UK", "NYSE", "XNYS", "jp", "ZZ", "", "J P"])
def test_sla1_a_holiday_country_is_accepted_exactly_when_holidays_knows_it(code):
    """CORE-SLA-1: the calendar takes the codes ``holidays.country_holidays`` takes (read
    from its registry, which is cheaper than building the country's holidays)."""
    try:
        holidays.country_holidays(code)
        known = True
    except NotImplementedError:
        known = False
    fields = {"name": "c", "tz": "UTC", "days": frozenset(range(5)), "hours": ((540, 1080),)}
    if known:
        assert Calendar(**fields, holiday_country=code).holiday_country == code
    else:
        with pytest.raises(ValueError, match="no public holidays known"):
            Calendar(**fields, holiday_country=code)


# -- the holiday cache: the holidays package is asked once per country and year --------------

HOLIDAY_PROGRAM = """
import sys
from datetime import datetime, timedelta, timezone
from workbench.calendar import desk_calendar
start = datetime(2026, 12, 31, 18, 0, tzinfo=timezone(timedelta(hours=9)))
due = desk_calendar().add(start, timedelta(hours=9))
print(due.isoformat(), "holidays" in sys.modules)
"""
"""Nine desk hours from the end of 31 December 2026, across New Year's Day 2027 (a Friday), in a
fresh process; prints the deadline and whether the ``holidays`` package was imported."""


def _run_holiday_program(cache: Path) -> tuple[str, bool]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", HOLIDAY_PROGRAM], env=env, capture_output=True, text=True, check=True
    )
    due, imported = done.stdout.split()
    return due, imported == "True"


def test_sla1_public_holidays_are_read_from_the_cache_once_known(tmp_path):
    """CORE-SLA-1: the first process asks the holidays package for Japan's holidays and
    keeps them in the user's cache folder; the next one reads them from there without
    importing the package, and gets the same deadline."""
    first, imported_first = _run_holiday_program(tmp_path)
    second, imported_second = _run_holiday_program(tmp_path)
    assert (imported_first, imported_second) == (True, False)
    assert first == second == "2027-01-04T09:00:00+00:00"
    cached = json.loads((tmp_path / "case-workbench" / "holidays.json").read_text())
    assert cached["days"]["JP:2027"] == sorted(
        day.isoformat() for day in holidays.country_holidays("JP", years=2027)
    )
    assert "JP" in cached["codes"]


@pytest.mark.parametrize(
    "contents",
    [b"{not json", b'{"holidays": "0.0", "codes": ["JP"], "days": {"JP:2027": []}}', b"[]"],
    ids=["damaged", "another version", "not a cache"],
)
def test_sla1_a_damaged_or_stale_holiday_cache_is_built_again(tmp_path, contents):
    """CORE-SLA-1: a cache file that is damaged, of another version of the holidays
    package, or not a cache at all is not believed: the package is asked again (the stale
    one above says 2027 has no holidays, which would make the deadline 1 January)."""
    folder = tmp_path / "case-workbench"
    folder.mkdir()
    (folder / "holidays.json").write_bytes(contents)
    due, imported = _run_holiday_program(tmp_path)
    assert imported
    assert due == "2027-01-04T09:00:00+00:00"
    assert json.loads((folder / "holidays.json").read_text())["holidays"] == holidays.__version__


# -- long stretches: counted a year at a time, exactly as day by day ------------------------


@ALL
@pytest.mark.parametrize("year", [2024, 2026, 2031])
def test_a_stretch_of_whole_years_counts_what_its_months_count(cal, year) -> None:
    """CORE-SLA-1: over years the count skips whole years (weekdays, holidays, closed dates
    and the zone's offset changes reckoned per year); month by month it walks the days.
    Both must give the same business time, DST and holidays included."""
    zone = ZoneInfo(cal.tz)
    start = datetime(year - 1, 12, 31, 17, 30, tzinfo=zone)
    months = [start] + [datetime(year + m // 12, m % 12 + 1, 1, tzinfo=zone) for m in range(37)]
    end = months[-1] + timedelta(hours=15, minutes=45)
    walked = sum(
        (cal.elapsed(a, b) for a, b in zip([*months, end], [*months[1:], end], strict=False)), timedelta(0)
    )
    assert cal.elapsed(start, end) == walked


@ALL
def test_whole_years_skipped_around_a_pause_still_leave_the_pause_out(cal) -> None:
    """CORE-SLA-1: a year with pending time in it is walked, the others are skipped."""
    zone = ZoneInfo(cal.tz)
    start, end = datetime(2026, 3, 2, 9, tzinfo=zone), datetime(2031, 6, 1, 12, tzinfo=zone)
    pause = Pause(datetime(2028, 2, 1, tzinfo=zone), datetime(2028, 4, 1, tzinfo=zone))
    assert cal.elapsed(start, end, [pause]) == cal.elapsed(start, end) - cal.elapsed(pause.start, pause.end)


@ALL
def test_business_time_up_to_the_last_representable_instant_is_an_answer(cal) -> None:
    """CORE-SLA-1: `--now 9999-12-31T23:59Z` is a time like any other: counting up to it
    ends (a year at a time), and a deadline that would fall past year 9999 never comes."""
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    start = datetime(2026, 11, 24, 1, tzinfo=UTC)
    assert cal.elapsed(start, last) == cal.elapsed(start, datetime(9999, 1, 1, tzinfo=UTC)) + cal.elapsed(
        datetime(9999, 1, 1, tzinfo=UTC), last
    )
    assert cal.add(datetime(9999, 12, 31, 20, tzinfo=UTC), timedelta(days=3)) is None


def test_a_whole_year_on_a_plain_calendar_is_its_weekdays_times_its_hours() -> None:
    """CORE-SLA-1, worked by hand: 2027 has 261 weekdays; 9 hours each on UTC 09:00–18:00."""
    cal = weekdays("UTC", "09:00", "18:00")
    assert cal.elapsed(datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)) == timedelta(
        hours=261 * 9
    )
    assert cal.elapsed(datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)) == timedelta(
        hours=(261 + 261 + 260) * 9
    )
