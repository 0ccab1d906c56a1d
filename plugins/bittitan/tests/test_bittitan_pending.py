"""BT-PENDING-1 through `workbench sweep`: reminders at 24 h and 48 h, close at 72 h."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

T0 = datetime.fromisoformat("2026-11-24T10:00+09:00")
"""When the test case goes pending (the desk clock's start)."""


def _acts(desk, case_id: str) -> list:
    return [e for e in desk.events("cases", case_id) if e.action in ("reminder", "close")]


@pytest.fixture
def pending_case(desk, ticket):
    """A product-problem, filed and answered, pending on the customer since T0."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    desk.vendor_reply(case.id, "please send the migration error log")
    desk.pending(case.id, "waiting for the error log")
    return desk.case(case.id)


@pytest.fixture
def sweep_at(desk, clock) -> Callable[..., object]:
    """Move the clock ``hours`` after T0 (or to an ISO time) and sweep."""

    def run(when: float | str):
        clock(T0 + timedelta(hours=when) if isinstance(when, (int, float)) else when)
        return desk.sweep()

    return run


def test_bt_pending_1_reminders_then_automatic_close(desk, pending_case, sweep_at) -> None:
    """BT-PENDING-1: nothing at 23:59, reminder 1 at 24:00, reminder 2 at 48:00, still pending
    at 71:59, closed with pending-timeout at 72:00 — each once."""
    key = pending_case.id
    sweep_at(23 + 59 / 60)
    assert _acts(desk, key) == []
    sweep_at(24)
    sweep_at(24)  # twice: applied once
    first = _acts(desk, key)
    assert [(e.action, e.rule, e.data["reminder"]) for e in first] == [
        ("reminder", "BT-PENDING-1", 1)]
    assert first[0].data["to"] == "admin@northwind.example"
    assert datetime.fromisoformat(first[0].data["closes_at"]) == T0 + timedelta(hours=72)
    sweep_at(47 + 59 / 60)
    assert len(_acts(desk, key)) == 1
    sweep_at(48)
    assert [e.data.get("reminder") for e in _acts(desk, key)] == [1, 2]
    sweep_at(71 + 59 / 60)
    assert desk.case(key).state == "pending"
    report = sweep_at(72)
    closed = desk.case(key)
    assert (closed.state, closed.close_reason) == ("closed", "pending-timeout")
    close = _acts(desk, key)[-1]
    assert (close.action, close.rule, close.data["reason"]) == ("close", "BT-PENDING-1",
                                                                "pending-timeout")
    assert [a["kind"] for a in report.applied if a.get("case") == key] == ["close"]
    sweep_at(80)
    assert len(_acts(desk, key)) == 3


def test_bt_pending_1_reminder_email_is_ready_to_copy(desk, pending_case, sweep_at) -> None:
    """BT-PENDING-1: each reminder carries the e-mail text to the ticket address."""
    sweep_at(24)
    sweep_at(48)
    first, second = (e.data["email"] for e in _acts(desk, pending_case.id))
    assert first.startswith("To: admin@northwind.example\nSubject: [C-1] ")
    for text in (first, second):
        assert "Prerequisites for the mailbox migration" in text
        assert "Fri 2026-11-27 10:00 JST" in text  # when it closes
        assert "Tue 2026-11-24 10:00 JST" in text  # pending since
        assert "Northwind Traders" in text
    assert "last reminder" in second and "last reminder" not in first


def test_bt_pending_1_a_reply_at_71_59_reopens_and_stops_the_clock(desk, pending_case,
                                                                   sweep_at, clock) -> None:
    """BT-PENDING-1: the customer's reply opens the case; the 72-hour sweep closes nothing."""
    sweep_at(24)
    sweep_at(48)
    clock(T0 + timedelta(hours=71, minutes=59))
    replied = desk.customer_reply(pending_case.id, "log attached")
    assert replied.state == "open" and replied.pauses[-1]["end"] is not None
    sweep_at(72)
    sweep_at(200)
    case = desk.case(pending_case.id)
    assert (case.state, case.close_reason) == ("open", "")
    assert [e.action for e in _acts(desk, case.id)] == ["reminder", "reminder"]


def test_bt_pending_1_a_late_sweep_sends_only_the_reminder_due_now(desk, pending_case,
                                                                    sweep_at) -> None:
    """BT-PENDING-1: first sweep at 50 h → reminder 2 only (no stale reminder 1); then close."""
    sweep_at(50)
    assert [e.data["reminder"] for e in _acts(desk, pending_case.id)] == [2]
    sweep_at(72)
    assert [e.action for e in _acts(desk, pending_case.id)] == ["reminder", "close"]


def test_bt_pending_1_a_sweep_after_a_closed_weekend_only_closes(desk, ticket, clock) -> None:
    """BT-PENDING-1: pending Fri 09:00, no sweep until Mon 10:00 (73 h): the close alone,
    recording when the 72 hours ran out; run twice, it closes once."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock("2026-11-27T09:00+09:00")
    desk.pending(case.id, "waiting for the customer's admin")
    clock("2026-11-30T10:00+09:00")
    desk.sweep()
    desk.sweep()
    acts = _acts(desk, case.id)
    assert [(e.action, e.data["reason"]) for e in acts] == [("close", "pending-timeout")]
    assert datetime.fromisoformat(acts[0].data["due"]) == datetime.fromisoformat(
        "2026-11-30T09:00+09:00")
    assert desk.case(case.id).state == "closed"


def test_bt_pending_1_each_pending_spell_has_its_own_reminders(desk, pending_case, sweep_at,
                                                               clock) -> None:
    """BT-PENDING-1: after a reply, the next pending spell starts from zero."""
    sweep_at(24)
    clock(T0 + timedelta(hours=30))
    desk.customer_reply(pending_case.id, "here is part of it")
    clock(T0 + timedelta(hours=31))
    desk.pending(pending_case.id, "waiting for the rest")
    sweep_at(54)  # 23 h into the second spell
    assert len(_acts(desk, pending_case.id)) == 1
    sweep_at(55)
    reminders = _acts(desk, pending_case.id)
    assert [e.data["reminder"] for e in reminders] == [1, 1]
    assert reminders[0].data["key"] != reminders[1].data["key"]
    sweep_at(31 + 71.5)
    assert desk.case(pending_case.id).state == "pending"


def test_bt_pending_1_reminder_hours_are_settings(desk, pending_case, sweep_at) -> None:
    """BT-PENDING-1: bittitan.first_reminder_hours / second_reminder_hours move the reminders."""
    desk.set_setting("bittitan.first_reminder_hours", "12")
    desk.set_setting("bittitan.second_reminder_hours", "36")
    sweep_at(12)
    sweep_at(36)
    assert [e.data["reminder"] for e in _acts(desk, pending_case.id)] == [1, 2]
    assert "no reply for 36 hours" in _acts(desk, pending_case.id)[-1].reason


def test_bt_pending_1_only_a_pending_case_is_swept(desk, ticket, sweep_at) -> None:
    """BT-PENDING-1: a case waiting on BitTitan for days gets no reminder and no close."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    sweep_at(100)
    assert _acts(desk, case.id) == []
    assert desk.case(case.id).state == "waiting-vendor"
