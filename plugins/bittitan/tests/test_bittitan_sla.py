"""BT-SLA-1: customer support's 24 hours on 24x7; customer success's next-business-day target."""

from __future__ import annotations

from datetime import datetime, timedelta

SUPPORT = "BitTitan support answer"
SUCCESS = "BitTitan customer success target"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _vendor(desk, case_id: str):
    deadlines = [d for d in desk.deadlines(desk.case(case_id))
                 if d.clock == "vendor" and d.rule == "BT-SLA-1"]
    assert len(deadlines) <= 1
    return deadlines[0] if deadlines else None


def test_bt_sla_1_no_vendor_clock_before_the_ticket_is_filed(desk, ticket) -> None:
    """BT-SLA-1: the clocks run from the ticket, i.e. when the desk sends it to BitTitan."""
    assert _vendor(desk, ticket(kind="product-problem").id) is None
    assert _vendor(desk, ticket().id) is None


def test_bt_sla_1_customer_support_answers_within_24_hours_on_24x7(desk, ticket, clock) -> None:
    """BT-SLA-1: 24 hours from sending, weekend and night included; a reply meets it."""
    case = ticket(kind="product-problem")
    clock("2026-11-27T18:00+09:00")  # a Friday evening: 24x7 runs through the weekend
    desk.send_to_vendor(case.id)
    deadline = _vendor(desk, case.id)
    assert (deadline.name, deadline.rule, deadline.calendar) == (SUPPORT, "BT-SLA-1", "24x7")
    assert deadline.due == _at("2026-11-28T18:00+09:00")
    clock("2026-11-28T17:59+09:00")
    assert _vendor(desk, case.id).state == "at-risk"
    clock("2026-11-28T18:00+09:00")
    assert _vendor(desk, case.id).state == "breached"
    clock("2026-11-28T18:01+09:00")
    desk.vendor_reply(case.id, "first answer")
    assert _vendor(desk, case.id).state == "met-late"


def test_bt_sla_1_a_reply_at_23_59_meets_the_answer(desk, ticket, clock) -> None:
    """BT-SLA-1: a reply one minute before the 24 hours is met."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock("2026-11-25T09:59+09:00")
    desk.vendor_reply(case.id, "answer")
    assert _vendor(desk, case.id).state == "met"


def test_bt_sla_1_time_pending_on_the_customer_is_left_out(desk, ticket, clock) -> None:
    """BT-SLA-1 with CORE-SLA-1: 5 hours pending move the 24-hour answer by 5 hours."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    desk.vendor_reply(case.id, "which mailbox?", milestone="question")
    desk.pending(case.id, "asked for the mailbox")
    clock("2026-11-24T15:00+09:00")
    desk.customer_reply(case.id, "this one")
    assert _vendor(desk, case.id).state == "met"  # the first reply already answered


def test_bt_sla_1_pending_moves_an_unanswered_support_clock(desk, ticket, clock) -> None:
    """BT-SLA-1: with no reply yet, pending time is added to the due time."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock("2026-11-24T12:00+09:00")
    desk.pending(case.id, "the desk asked the customer for logs")
    clock("2026-11-24T17:00+09:00")
    desk.customer_reply(case.id, "logs")
    assert _vendor(desk, case.id).due == _at("2026-11-25T15:00+09:00")


def test_bt_sla_1_customer_success_target_is_end_of_next_business_day(desk, ticket) -> None:
    """BT-SLA-1: Tue 09:00 Singapore → Wed 17:00 Singapore, on the region's calendar."""
    case = ticket()
    desk.send_to_vendor(case.id)
    deadline = _vendor(desk, case.id)
    assert (deadline.name, deadline.rule) == (SUCCESS, "BT-SLA-1")
    assert deadline.due == _at("2026-11-25T17:00+08:00")
    assert deadline.target == deadline.due  # a target, not a commitment
    assert "Mon–Fri 09:00–17:00 Asia/Singapore" in deadline.calendar
    assert "no response commitment" in deadline.reason


def test_bt_sla_1_customer_success_over_a_weekend(desk, ticket, clock) -> None:
    """BT-SLA-1: a ticket on Friday evening is due Monday 17:00 in the region."""
    case = ticket()
    clock("2026-11-27T20:00+09:00")  # Friday 19:00 in Singapore
    desk.send_to_vendor(case.id)
    assert _vendor(desk, case.id).due == _at("2026-11-30T17:00+08:00")
    clock("2026-11-28T11:00+09:00")  # Saturday: the next business day is still Monday
    other = ticket("Saturday question")
    desk.send_to_vendor(other.id)
    assert _vendor(desk, other.id).due == _at("2026-11-30T17:00+08:00")


def test_bt_sla_1_customer_success_runs_on_the_ticket_region(desk, ticket) -> None:
    """BT-SLA-1: americas → America/Los_Angeles (Tue 10:00 JST is still Monday there)."""
    case = ticket(region="americas")
    desk.send_to_vendor(case.id)
    deadline = _vendor(desk, case.id)
    assert deadline.due == _at("2026-11-24T17:00-08:00")
    assert "America/Los_Angeles" in deadline.calendar
    emea = ticket(region="emea")
    desk.send_to_vendor(emea.id)
    assert _vendor(desk, emea.id).due == _at("2026-11-25T17:00+00:00")


def test_bt_sla_1_region_time_zones_are_settings(desk, ticket) -> None:
    """BT-SLA-1: bittitan.tz_apac moves the apac calendar."""
    desk.set_setting("bittitan.tz_apac", "Asia/Tokyo")
    case = ticket()
    desk.send_to_vendor(case.id)
    assert _vendor(desk, case.id).due == _at("2026-11-25T17:00+09:00")


def test_bt_sla_1_the_clock_follows_a_reroute(desk, ticket, clock) -> None:
    """BT-SLA-1: a guidance case re-routed to support gets the 24-hour answer."""
    case = ticket()
    desk.send_to_vendor(case.id)
    assert _vendor(desk, case.id).name == SUCCESS
    clock(desk.case(case.id).sent_at + timedelta(hours=1))
    desk.update_fields(case.id, {"run_error": True})
    deadline = _vendor(desk, case.id)
    assert deadline.name == SUPPORT
    assert deadline.due == desk.case(case.id).sent_at + timedelta(hours=24)
