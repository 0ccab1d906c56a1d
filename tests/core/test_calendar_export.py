"""``workbench calendar --format ics``: the desk's dates as an iCalendar file, read back with
the iCalendar library: renewal dates and step due dates all-day, breaching deadlines timed
(CORE-SLA-2), stable UIDs, and the reminder alarm of setting core.calendar_alarm_minutes."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import icalendar
import pytest


@pytest.fixture
def demo(run_cli) -> None:
    status, _, err = run_cli("demo")
    assert status == 0, err


def export(run_cli, tmp_path, *args: str) -> icalendar.Calendar:
    target = tmp_path / "desk.ics"
    status, out, err = run_cli("calendar", "--format", "ics", "-o", str(target), *args)
    assert status == 0, err
    assert str(target) in out
    return icalendar.Calendar.from_ical(target.read_bytes())


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "every UID once"
    return found


def test_every_open_step_due_date_is_an_all_day_event(run_cli, demo, tmp_path) -> None:
    """CORE-SLA-2: each dated step still to do of every open workflow is in the calendar on its due date."""
    found = events(export(run_cli, tmp_path))
    status, out, _ = run_cli("workflow", "list", "--json")
    assert status == 0
    steps = [
        (view["workflow"]["id"], step)
        for view in json.loads(out)
        for step in view["workflow"]["steps"]
        if step["done_at"] is None and step["due"] is not None
    ]
    assert steps
    for workflow_id, step in steps:
        event = found[f"step-{workflow_id}-{step['id']}@case-workbench"]
        start = event.decoded("dtstart")
        assert type(start) is date and start == date.fromisoformat(step["due"])
        assert event.decoded("dtend") == start + timedelta(days=1)
        assert str(event["categories"].cats[0]) == step["rule"]
    renewals = [e for uid, e in found.items() if uid.startswith("renewal-")]
    assert renewals and all(type(e.decoded("dtstart")) is date for e in renewals)


def test_uids_stay_the_same_from_one_export_to_the_next(run_cli, demo, tmp_path) -> None:
    """A calendar that imports the file again updates its events instead of duplicating them."""
    first = set(events(export(run_cli, tmp_path, "--breaching")))
    again = set(events(export(run_cli, tmp_path, "--breaching", "--now", "+1h")))
    deadlines = {uid for uid in first if uid.startswith("deadline-")}
    assert deadlines and deadlines <= again
    assert {u for u in first if not u.startswith("deadline-")} == {
        u for u in again if not u.startswith("deadline-")
    }


def test_breaching_deadlines_are_timed_events_at_their_due_time(run_cli, demo, tmp_path) -> None:
    """CORE-SLA-2: with --breaching, each open case's deadline at risk or breached, at its due time."""
    without = events(export(run_cli, tmp_path))
    assert not any(uid.startswith("deadline-") for uid in without)
    found = events(export(run_cli, tmp_path, "--breaching"))
    status, out, _ = run_cli("case", "list", "--breaching", "--json")
    assert status == 0
    breaching = json.loads(out)
    assert breaching
    timed = {uid: e for uid, e in found.items() if uid.startswith("deadline-")}
    for case in breaching:
        mine = [e for uid, e in timed.items() if uid.startswith(f"deadline-{case['id']}-")]
        assert mine, case["id"]
        for event in mine:
            start = event.decoded("dtstart")
            assert isinstance(start, datetime) and start.utcoffset() == timedelta(0)
            assert event.decoded("dtend") - start == timedelta(minutes=15)


def test_alarm_follows_the_setting(run_cli, demo, tmp_path) -> None:
    found = events(export(run_cli, tmp_path))
    alarms = [a for e in found.values() for a in e.walk("VALARM")]
    assert len(alarms) == len(found)
    assert all(a.decoded("trigger") == timedelta(minutes=-1440) for a in alarms)
    status, _, err = run_cli("settings", "core.calendar_alarm_minutes", "30")
    assert status == 0, err
    alarms = [a for e in events(export(run_cli, tmp_path)).values() for a in e.walk("VALARM")]
    assert alarms and all(a.decoded("trigger") == timedelta(minutes=-30) for a in alarms)
    status, _, err = run_cli("settings", "core.calendar_alarm_minutes", "0")
    assert status == 0, err
    assert not [a for e in events(export(run_cli, tmp_path)).values() for a in e.walk("VALARM")]


def test_printed_without_a_file_and_bad_format(run_cli, demo) -> None:
    status, out, _ = run_cli("calendar")
    assert status == 0 and out.startswith("BEGIN:VCALENDAR")
    status, _, err = run_cli("calendar", "--format", "pdf")
    assert status == 2 and "pdf" in err
