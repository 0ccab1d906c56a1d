"""Times as people use them: ``--now`` / ``WORKBENCH_NOW`` take what a person types beside
ISO-8601, and the command's text says when something is due relative to now, in the desk's
language (the desk setting ``desk.locale``; ``auto`` follows the desk's time zone)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
"""The test clock: Tuesday 2026-11-24 10:00 in Tokyo (the desk's default zone)."""


def created_at(run, *args: str) -> datetime:
    """When the desk says a new customer was created, with ``args`` on the command line."""
    status, out, err = run("customer", "add", "Northwind Traders", "--json", *args)
    assert status == 0, err
    return datetime.fromisoformat(json.loads(out)["created_at"])


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("+2d", NOW + timedelta(days=2)),
        ("-90m", NOW - timedelta(minutes=90)),
        ("+1d 4h", NOW + timedelta(days=1, hours=4)),
        ("+1w", NOW + timedelta(weeks=1)),
        ("tomorrow 9:00", datetime(2026, 11, 25, 0, 0, tzinfo=UTC)),
        ("today", datetime(2026, 11, 23, 15, 0, tzinfo=UTC)),
        ("monday 09:00", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("Tuesday 11:00", datetime(2026, 11, 24, 2, 0, tzinfo=UTC)),
        ("tuesday 09:00", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        ("2026-11-23T09:00+09:00", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
    ],
)
def test_now_takes_what_a_person_types(run_cli, typed, expected) -> None:
    """A shift counts from the clock's time; a day and a time is the next such moment in the
    desk's zone (the same weekday later today, else next week)."""
    assert created_at(run_cli, "--now", typed) == expected


def test_a_day_and_a_time_is_read_in_the_desk_zone(run_cli) -> None:
    assert run_cli("settings", "desk.timezone", "Europe/London")[0] == 0
    assert created_at(run_cli, "--now", "tomorrow 9:00") == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_workbench_now_takes_the_same_and_now_replaces_it(run_cli, clock, monkeypatch) -> None:
    """A shift given to --now counts from the clock, not from WORKBENCH_NOW."""
    monkeypatch.setenv("WORKBENCH_NOW", "monday 09:00")
    assert created_at(run_cli) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    clock(NOW)  # the next command starts afresh, as a new process would
    status, out, err = run_cli("customer", "add", "Contoso", "--json", "--now", "+1d")
    assert status == 0, err
    assert datetime.fromisoformat(json.loads(out)["created_at"]) == NOW + timedelta(days=1)


@pytest.mark.parametrize("typed", ["soon", "+2x", "monday 25:00", "next tuesday", "2026-11-24 10:00"])
def test_a_time_that_is_not_one_exits_2_naming_now_and_changes_nothing(run_cli, typed) -> None:
    run_cli("customer", "add", "Northwind Traders")
    before = run_cli.db.read_bytes()
    status, out, err = run_cli("customer", "add", "Contoso", "--now", typed)
    assert status == 2 and out == ""
    assert f"workbench: --now: {typed!r}" in err and "Traceback" not in err
    assert run_cli.db.read_bytes() == before


def test_a_bad_now_with_json_is_one_error_document_naming_the_option(run_cli) -> None:
    status, out, err = run_cli("customer", "list", "--json", "--now", "soon")
    assert status == 2 and "--now: 'soon' is not a time" in err
    assert json.loads(out)["error"]["field"] == "--now"


def test_a_bad_workbench_now_exits_2_naming_it(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_NOW", "whenever")
    status, _, err = run_cli("customer", "list")
    assert status == 2 and "workbench: WORKBENCH_NOW: 'whenever' is not a time" in err


@pytest.fixture
def hours_to_due(run_cli) -> int:
    """An OnTime case opened at the test clock; the whole hours from now until its next
    deadline."""
    run_cli("customer", "add", "Northwind Traders")
    run_cli("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Sync stops")
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0, err
    due = datetime.fromisoformat(json.loads(out)[0]["next_deadline"]["due"])
    hours = (due - NOW) // timedelta(hours=1)
    assert 1 < hours < 24 and (due - NOW) % timedelta(hours=1) == timedelta(0)
    return hours


def test_due_times_are_said_relative_to_now_in_the_desk_language(run_cli, hours_to_due) -> None:
    """desk.locale auto with the zone Asia/Tokyo: Japanese; set to en: English; auto with
    another zone: English."""
    hours = hours_to_due
    assert f"JST ({hours}時間後)" in run_cli("case", "list")[1]
    assert run_cli("settings", "desk.locale", "en")[0] == 0
    assert f"JST (in {hours} hours)" in run_cli("case", "list")[1]
    shown = run_cli("case", "show", "C-1")[1]
    assert f"JST (in {hours} hours)" in shown
    assert run_cli("settings", "desk.locale", "auto")[0] == 0
    assert run_cli("settings", "desk.timezone", "Europe/Berlin")[0] == 0
    assert re.search(r"CET \(in \d+ hours\)", run_cli("case", "list")[1])


def test_an_unknown_locale_is_refused(run_cli) -> None:
    status, _, err = run_cli("settings", "desk.locale", "klingon")
    assert status == 2 and "desk.locale" in err


ZONES = ["UTC", "Asia/Tokyo", "America/New_York", "Australia/Lord_Howe"]


@settings(max_examples=600, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    shift=st.one_of(
        st.integers(-200, 200),
        st.integers(-3 * 86_400, 3 * 86_400),
        st.integers(-800 * 86_400, 800 * 86_400),
    ),
    zone=st.sampled_from(ZONES),
    seen_in=st.sampled_from(ZONES),
    locale=st.sampled_from(["en", "ja"]),
)
def test_a_time_relative_to_now_reads_as_arrow_words_it(instant, shift, zone, seen_in, locale) -> None:
    """``render.relative`` works out Arrow's ``humanize`` itself (importing Arrow was 15 ms of
    every command, issue 16): the same words for every instant, distance, time zone (one with
    a half-hour daylight-saving shift) and language the desk speaks."""
    from zoneinfo import ZoneInfo

    import arrow

    from workbench.render import relative

    due = instant.replace(tzinfo=ZoneInfo(zone))
    now = (due + timedelta(seconds=shift)).astimezone(ZoneInfo(seen_in))
    assert relative(due, now, locale) == arrow.get(due).humanize(now, locale=locale)
