"""ONTIME-RENEW-1: a maintenance renewal per licence anniversary, opened by the sweep 60 days
before, notice due 30 days before, everything done by the anniversary.

The licence fixture starts on 2024-04-01, so the anniversary in view is 2027-04-01.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbench.desk import Refused

ANNIVERSARY = date(2027, 4, 1)
STEPS = ["notice-sent", "customer-order", "vendor-order", "renewed"]


def _days_before(clock, days: int) -> None:
    """Set the desk clock to 10:00 Tokyo, ``days`` days before the anniversary."""
    clock(f"{ANNIVERSARY - timedelta(days=days)}T10:00+09:00")


def _renewals(desk):
    return [v for v in desk.renewals() if v.workflow.vendor == "ontime"]


def _sweep_opens(desk) -> list[str]:
    return desk.sweep().opened


def test_renewal_opens_60_days_before_the_anniversary_not_61_ontime_renew_1(desk, clock, licence) -> None:
    _days_before(clock, 61)
    assert _sweep_opens(desk) == [] and _renewals(desk) == []
    _days_before(clock, 60)
    [opened] = _sweep_opens(desk)
    workflow = desk.workflow(opened)
    assert workflow.key == f"ontime-renewal:{licence.id}:2027-04-01"
    assert (workflow.template, workflow.anchor) == ("maintenance-renewal", ANNIVERSARY)
    assert (workflow.contract_id, workflow.customer_id) == (licence.id, licence.customer_id)
    assert [(s.id, s.due) for s in workflow.steps] == [
        ("notice-sent", date(2027, 3, 2)), ("customer-order", ANNIVERSARY),
        ("vendor-order", ANNIVERSARY), ("renewed", ANNIVERSARY)]
    [event] = desk.events("workflows", opened)
    assert (event.action, event.rule) == ("open", "ONTIME-RENEW-1")
    assert "60 days away" in event.reason
    [view] = _renewals(desk)
    assert (view.workflow.id, view.state) == (opened, "ok")


def test_a_second_sweep_opens_nothing_more_ontime_renew_1(desk, clock, licence) -> None:
    _days_before(clock, 60)
    assert len(_sweep_opens(desk)) == 1
    assert _sweep_opens(desk) == []
    _days_before(clock, 45)
    assert _sweep_opens(desk) == []
    assert len(desk.workflows(vendor="ontime")) == 1


@pytest.mark.parametrize("days,state", [(60, "ok"), (31, "at-risk"), (30, "at-risk"), (0, "breached"),
                                        (-1, "breached")])
def test_states_as_the_anniversary_nears_ontime_renew_1(desk, clock, licence, days, state) -> None:
    """Opened at 60 days; the notice is due at 30: due tomorrow at 31 days (at risk), due
    today at 30 (at risk, not yet late), 30 days late on the anniversary (overdue)."""
    _days_before(clock, 60)
    _sweep_opens(desk)
    _days_before(clock, days)
    [view] = _renewals(desk)
    assert (view.state, view.next_step.id) == (state, "notice-sent")
    late = [f for f in view.findings if f.level == "warning"]
    if days > 30:
        assert late == []
    if days == 0:
        assert [f.rule for f in late] == ["ONTIME-RENEW-1"]
        assert "was due on 2027-03-02, 30 days ago" in late[0].message
    if days == -1:
        assert any("anniversary 2027-04-01 has passed" in f.message for f in late)


def test_with_the_notice_sent_the_rest_is_due_by_the_anniversary_ontime_renew_1(desk, clock, licence) -> None:
    _days_before(clock, 60)
    [key] = _sweep_opens(desk)
    _days_before(clock, 31)
    desk.complete_step(key, "notice-sent")
    assert desk.workflow_view(key).state == "ok"
    _days_before(clock, 0)
    view = desk.workflow_view(key)
    assert (view.state, view.next_step.id, view.next_step.due) == ("at-risk", "customer-order", ANNIVERSARY)
    _days_before(clock, -1)
    assert desk.workflow_view(key).state == "breached"


def test_a_late_first_sweep_opens_the_renewal_once_already_overdue_ontime_renew_1(
    desk, clock, licence
) -> None:
    """No sweep ran in the window until the anniversary itself: the renewal opens then."""
    _days_before(clock, 0)
    [key] = _sweep_opens(desk)
    assert desk.workflow_view(key).state == "breached"
    assert _sweep_opens(desk) == []


def test_a_passed_anniversary_is_not_opened_late_ontime_renew_1(desk, clock, licence) -> None:
    """The day after: the next anniversary is a year away; nothing opens."""
    _days_before(clock, -1)
    assert _sweep_opens(desk) == []


def test_one_renewal_per_anniversary_ontime_renew_1(desk, clock, licence) -> None:
    _days_before(clock, 60)
    _sweep_opens(desk)
    clock("2028-02-01T10:00+09:00")  # 60 days before 2028-04-01 (a leap year)
    [second] = _sweep_opens(desk)
    assert desk.workflow(second).key == f"ontime-renewal:{licence.id}:2028-04-01"
    assert len(desk.workflows(vendor="ontime")) == 2


def test_notice_reminder_comes_once_on_its_due_date_ontime_renew_1(desk, clock, licence) -> None:
    _days_before(clock, 60)
    [key] = _sweep_opens(desk)
    _days_before(clock, 31)
    assert desk.sweep().applied == []
    _days_before(clock, 30)
    [reminder] = desk.sweep().applied
    assert (reminder["kind"], reminder["rule"], reminder["workflow"]) == ("reminder", "ONTIME-RENEW-1", key)
    assert "is due today" in reminder["reason"]
    assert desk.sweep().applied == []


def test_a_late_sweep_skips_reminders_of_steps_done_meanwhile_ontime_renew_1(desk, clock, licence) -> None:
    """No sweep ran between 60 days and the anniversary; the notice went out meanwhile. The
    late sweep reminds of the step that is next now, never of the notice."""
    _days_before(clock, 60)
    [key] = _sweep_opens(desk)
    _days_before(clock, 35)
    desk.complete_step(key, "notice-sent")
    _days_before(clock, 0)
    applied = desk.sweep().applied
    assert [a["data"]["step"] for a in applied] == ["customer-order"]


def test_window_and_notice_are_settings_ontime_renew_1(desk, clock, licence) -> None:
    desk.set_setting("ontime.renewal_window_days", "90")
    desk.set_setting("ontime.renewal_notice_days", "45")
    _days_before(clock, 91)
    assert _sweep_opens(desk) == []
    _days_before(clock, 90)
    [key] = _sweep_opens(desk)
    assert desk.workflow(key).steps[0].due == ANNIVERSARY - timedelta(days=45)


def test_renewed_needs_the_renewed_maintenance_on_record_ontime_renew_1(
    desk, clock, customer, licence
) -> None:
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    _days_before(clock, 60)
    [key] = _sweep_opens(desk)
    for step in STEPS[:-1]:
        desk.complete_step(key, step)
    with pytest.raises(Refused) as refused:
        desk.complete_step(key, "renewed")
    assert refused.value.decision.rule == "ONTIME-RENEW-1"
    assert refused.value.decision.missing == ["maintenance contract from 2027-04-01 to 2028-03-31"]
    desk.add_contract(customer.id, "ontime", "maintenance", date(2027, 4, 1), date(2028, 3, 30))
    with pytest.raises(Refused):
        desk.complete_step(key, "renewed")
    desk.add_contract(customer.id, "ontime", "maintenance", date(2028, 3, 31), date(2028, 3, 31))
    assert desk.complete_step(key, "renewed").done
    assert _renewals(desk) == []


def test_renewal_shows_the_fees_to_quote_ontime_prod_1(desk, clock, customer, licence) -> None:
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    _days_before(clock, 60)
    [key] = _sweep_opens(desk)
    [fees] = [f for f in desk.workflow_view(key).findings if f.rule == "ONTIME-PROD-1"]
    assert "maintenance 246,913 JPY a year" in fees.message and "technical support" not in fees.message
    desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1), date(2027, 3, 31))
    [fees] = [f for f in desk.workflow_view(key).findings if f.rule == "ONTIME-PROD-1"]
    assert "technical support 185,185 JPY a year" in fees.message


def test_a_leap_day_licence_renews_on_28_february_ontime_renew_1(desk, clock, customer) -> None:
    start = desk.add_contract(customer.id, "ontime", "license", date(2024, 2, 29), list_price=100)
    clock("2026-12-30T10:00+09:00")  # 60 days before 2027-02-28
    [key] = _sweep_opens(desk)
    assert desk.workflow(key).key == f"ontime-renewal:{start.id}:2027-02-28"


def test_a_licence_ended_before_its_anniversary_is_not_renewed_ontime_renew_1(desk, clock, customer) -> None:
    desk.add_contract(customer.id, "ontime", "license", date(2024, 4, 1), date(2027, 3, 31), list_price=100)
    _days_before(clock, 60)
    assert _sweep_opens(desk) == []


def test_a_renewal_opened_by_hand_on_a_non_licence_shows_no_fee_ontime_prod_1(
    desk, customer, licence
) -> None:
    """`workbench workflow new` on a maintenance contract: no licence list price to quote."""
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    workflow = desk.open_workflow("ontime", "maintenance-renewal", contract_id=maintenance.id,
                                  anchor=ANNIVERSARY)
    assert [f.rule for f in desk.workflow_view(workflow.id).findings] == []
