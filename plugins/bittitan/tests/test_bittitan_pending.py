"""BT-PENDING-1: BitTitan's 72 hours on its own ticket run against the desk. A BitTitan reply
that asks starts a deadline for the desk, with BitTitan's warning e-mails expected at 24 h
and 48 h; the desk's send stops it; when it passes, the case records that BitTitan closed its
ticket and stays open. The desk closing its *own* case is the core policy (tests of
``core.pending_close_hours`` at the end)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

T0 = datetime.fromisoformat("2026-11-24T10:00+09:00")
"""When BitTitan asks (the desk clock's start)."""

ANSWER = "answer BitTitan before its ticket closes"


def answer_deadlines(desk, key: str) -> list:
    return [d for d in desk.deadlines(desk.case(key)) if d.name == ANSWER]


def pending_notes(desk, key: str) -> list:
    """The notes BT-PENDING-1 recorded (BitTitan closed its ticket)."""
    return [e for e in desk.events("cases", key) if e.rule == "BT-PENDING-1" and e.action == "note"]


@pytest.fixture
def asked(desk, ticket, clock):
    """A product-problem filed with BitTitan an hour before T0; BitTitan asks for the error log
    at T0 and sets its ticket pending."""
    clock(T0 - timedelta(hours=1))
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock(T0)
    desk.vendor_reply(case.id, "please send the migration error log", milestone="pending")
    return desk.case(case.id)


@pytest.fixture
def at(desk, clock) -> Callable[..., object]:
    """Move the clock ``hours`` after T0 and sweep."""

    def run(hours: float):
        clock(T0 + timedelta(hours=hours))
        return desk.sweep()

    return run


def test_bittitans_question_starts_72_hours_for_the_desk_bt_pending_1(desk, asked, at) -> None:
    at(0)
    [deadline] = answer_deadlines(desk, asked.id)
    assert (deadline.rule, deadline.calendar, deadline.state) == ("BT-PENDING-1", "24x7", "ok")
    assert deadline.due == T0 + timedelta(hours=72)
    assert "Wed 2026-11-25 10:00 JST" in deadline.reason and "Thu 2026-11-26 10:00 JST" in deadline.reason
    at(54)
    assert answer_deadlines(desk, asked.id)[0].state == "ok"
    at(54 + 1 / 60)
    assert answer_deadlines(desk, asked.id)[0].state == "at-risk"
    at(71 + 59 / 60)
    assert answer_deadlines(desk, asked.id)[0].state == "at-risk"
    assert pending_notes(desk, asked.id) == []
    at(72)
    assert answer_deadlines(desk, asked.id)[0].state == "breached"
    [breach] = [e for e in desk.events("cases", asked.id)
                if e.action == "breach" and e.rule == "BT-PENDING-1"]
    assert breach.data["deadline"] == ANSWER


def test_the_warnings_bittitan_sends_are_shown_on_the_case_bt_pending_1(desk, asked, at) -> None:
    at(23 + 59 / 60)
    [shown] = [f for f in desk.view(asked.id).findings if f.rule == "BT-PENDING-1"]
    assert "warning 1 expected Wed 2026-11-25 10:00 JST" in shown.message
    assert "warning 2 expected Thu 2026-11-26 10:00 JST" in shown.message
    assert "admin@northwind.example" in shown.message
    at(24)
    [shown] = [f for f in desk.view(asked.id).findings if f.rule == "BT-PENDING-1"]
    assert "warning 1 sent" in shown.message and "warning 2 expected" in shown.message


def test_it_runs_while_the_desk_waits_on_its_customer_bt_pending_1(desk, asked, at, clock) -> None:
    clock(T0 + timedelta(hours=1))
    desk.pending(asked.id, "asked the customer for the log")
    at(72)
    [deadline] = answer_deadlines(desk, asked.id)
    assert deadline.state == "breached" and deadline.due == T0 + timedelta(hours=72)


def test_when_it_passes_bittitan_closed_its_ticket_and_the_case_stays_open_bt_pending_1(
    desk, asked, at
) -> None:
    at(72)
    at(80)  # applied once
    [note] = pending_notes(desk, asked.id)
    assert note.action == "note" and note.data["ticket_close_reason"] == "pending-timeout"
    assert "Reply to BitTitan's ticket or file a new one" in note.reason
    case = desk.case(asked.id)
    assert case.state == "open" and case.closed_at is None
    [warning] = [f for f in desk.view(asked.id).findings if f.rule == "BT-PENDING-1"]
    assert warning.level == "warning" and "file a new ticket" in warning.message


def test_the_desks_answer_stops_it_bt_pending_1(desk, asked, at, clock) -> None:
    clock(T0 + timedelta(hours=71, minutes=59))
    desk.send_to_vendor(asked.id, "log attached")
    at(200)
    [deadline] = answer_deadlines(desk, asked.id)
    assert deadline.state == "met" and deadline.met_at == T0 + timedelta(hours=71, minutes=59)
    assert pending_notes(desk, asked.id) == []
    assert [f for f in desk.view(asked.id).findings if f.rule == "BT-PENDING-1"] == []


def test_going_pending_on_the_customer_after_a_reply_reads_as_bittitan_asking_bt_pending_1(
    desk, ticket, clock
) -> None:
    """A reply without the milestone, after which the desk waits on its customer: BitTitan's
    question is being fetched, so its 72 hours count from the reply."""
    clock(T0 - timedelta(hours=1))
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock(T0)
    desk.vendor_reply(case.id, "which mailbox fails?")
    assert answer_deadlines(desk, case.id) == []
    clock(T0 + timedelta(hours=2))
    desk.pending(case.id, "asked the customer")
    [deadline] = answer_deadlines(desk, case.id)
    assert deadline.start == T0 and deadline.due == T0 + timedelta(hours=72)


def test_a_reply_that_asks_nothing_starts_nothing_bt_pending_1(desk, ticket, clock) -> None:
    clock(T0 - timedelta(hours=1))
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock(T0)
    desk.vendor_reply(case.id, "fixed on our side")
    clock(T0 + timedelta(hours=100))
    desk.sweep()
    assert answer_deadlines(desk, case.id) == [] and pending_notes(desk, case.id) == []


def test_warning_hours_are_settings_bt_pending_1(desk, asked, at) -> None:
    desk.set_setting("bittitan.first_warning_hours", "12")
    desk.set_setting("bittitan.second_warning_hours", "36")
    at(12)
    [shown] = [f for f in desk.view(asked.id).findings if f.rule == "BT-PENDING-1"]
    assert "warning 1 sent Tue 2026-11-24 22:00 JST" in shown.message
    assert "warning 2 expected Wed 2026-11-25 22:00 JST" in shown.message


def test_the_desk_no_longer_closes_its_case_by_itself_bt_pending_1(desk, asked, at, clock) -> None:
    """Waiting on its own customer for 100 hours closes nothing while the desk's policy is off
    (the default)."""
    desk.send_to_vendor(asked.id, "answered")
    desk.pending(asked.id, "waiting for the customer")
    at(100)
    assert desk.case(asked.id).state == "pending"
    assert [e for e in desk.events("cases", asked.id) if e.action in ("reminder", "close")] == []


# -- the desk's own policy (core setting, off by default) -----------------------------------


@pytest.fixture
def waiting(desk, ticket, clock):
    """A BitTitan case pending on the customer since T0, the desk's policy on at 72 h."""
    desk.set_setting("core.pending_close_hours", "72")
    case = ticket(kind="product-problem")
    clock(T0)
    desk.pending(case.id, "waiting for the customer's admin")
    return desk.case(case.id)


def acts(desk, key: str) -> list:
    return [e for e in desk.events("cases", key) if e.action in ("reminder", "close")]


def test_desk_policy_reminds_then_closes_with_the_vendors_automatic_reason_core_sla_3(
    desk, waiting, at
) -> None:
    at(23 + 59 / 60)
    assert acts(desk, waiting.id) == []
    at(24)
    at(48)
    at(71 + 59 / 60)
    assert [(e.action, e.rule, e.data["reminder"]) for e in acts(desk, waiting.id)] == [
        ("reminder", "CORE-SLA-3", 1), ("reminder", "CORE-SLA-3", 2)]
    assert acts(desk, waiting.id)[0].data["to"] == "it@northwind.example"
    at(72)
    case = desk.case(waiting.id)
    assert (case.state, case.close_reason) == ("closed", "pending-timeout")
    assert acts(desk, waiting.id)[-1].rule == "CORE-SLA-3"


def test_desk_policy_late_sweep_only_closes_core_sla_3(desk, waiting, at) -> None:
    at(73)
    at(73)
    assert [e.action for e in acts(desk, waiting.id)] == ["close"]


def test_a_vendor_reply_is_offered_the_pending_milestone_bt_pending_1(desk, ticket) -> None:
    [meaning] = desk.vendor_milestones(ticket(kind="product-problem"))["pending"]
    assert "72 hours" in meaning and "BT-PENDING-1" in meaning
