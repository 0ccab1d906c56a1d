"""BT-ROUTE-1 and BT-ROUTE-2: the queue follows the form's answers, with the reason."""

from __future__ import annotations

import pytest

SUCCESS = ("guidance", "customer-success", "BT-ROUTE-1")
SUPPORT = ("subscription-support", "customer-support", "BT-ROUTE-2")


def _route(case) -> tuple[str, str, str]:
    return case.path, case.queue, case.route_rule


def test_bt_route_1_a_plain_guidance_request_goes_to_customer_success(ticket) -> None:
    """BT-ROUTE-1: guidance with no forcing condition → customer success, guidance path."""
    case = ticket()
    assert _route(case) == SUCCESS
    assert "customer success" in case.route_reason and "no urgent handling" in case.route_reason


def test_bt_route_2_a_product_problem_goes_to_customer_support(ticket) -> None:
    """BT-ROUTE-2: product-problem → customer support, subscription-support path."""
    case = ticket(kind="product-problem")
    assert _route(case) == SUPPORT
    assert "product-problem" in case.route_reason


@pytest.mark.parametrize(("question", "words"), [
    ("run_error", "an error occurred during a migration run"),
    ("not_as_documented", "migrationwiz does not behave as documented"),
    ("items_missing", "items that should have migrated did not"),
    ("cannot_access", "the user cannot access the bittitan software"),
])
def test_bt_route_2_a_forcing_answer_overrides_guidance(ticket, question, words) -> None:
    """BT-ROUTE-2: each yes sends a guidance request to support, and the reason names it."""
    case = ticket(**{question: True})
    assert _route(case) == SUPPORT
    assert words in case.route_reason


def test_bt_route_2_every_condition_met_is_named(ticket) -> None:
    """BT-ROUTE-2: the reason lists all the conditions, not only the first."""
    case = ticket(run_error=True, items_missing=True, cutover_date="2026-11-25")
    assert _route(case) == SUPPORT
    for words in ("error occurred", "did not", "2026-11-25 is 1 day away"):
        assert words in case.route_reason


@pytest.mark.parametrize(("cutover", "route"), [
    ("2026-11-27", SUPPORT),  # exactly 3 days away: the bound is inclusive
    ("2026-11-28", SUCCESS),  # 4 days away
    ("2026-11-24", SUPPORT),  # today
    ("2026-11-20", SUPPORT),  # planned cutover already passed
])
def test_bt_route_2_cutover_at_the_bound(ticket, cutover, route) -> None:
    """BT-ROUTE-2: a cutover within 3 days (setting) goes to support; 4 days away does not."""
    case = ticket(cutover_date=cutover)
    assert _route(case) == route
    if route == SUPPORT:
        assert cutover in case.route_reason


def test_bt_route_2_cutover_bound_is_a_setting(desk, ticket) -> None:
    """BT-ROUTE-2: the 3 days are bittitan.imminent_cutover_days."""
    desk.set_setting("bittitan.imminent_cutover_days", "5")
    assert _route(ticket(cutover_date="2026-11-29")) == SUPPORT
    assert "within 5" in ticket(cutover_date="2026-11-29").route_reason
    assert _route(ticket(cutover_date="2026-11-30")) == SUCCESS


def test_bt_route_2_cutover_counts_from_the_desks_today(ticket, clock) -> None:
    """BT-ROUTE-2: days count from the desk's date (Asia/Tokyo), not UTC's."""
    clock("2026-11-24T00:30+09:00")  # still 2026-11-23 in UTC
    assert _route(ticket(cutover_date="2026-11-27")) == SUPPORT
    assert _route(ticket(cutover_date="2026-11-28")) == SUCCESS


def test_bt_route_2_a_guidance_case_whose_cutover_came_near_is_flagged_and_rerouted(
        desk, ticket, clock) -> None:
    """BT-ROUTE-2: time brings the cutover within the bound: a warning, then a re-route."""
    case = ticket(cutover_date="2026-11-28")
    assert _route(case) == SUCCESS
    assert not [f for f in desk.view(case.id).findings if f.rule == "BT-ROUTE-2"]
    clock("2026-11-25T09:00+09:00")
    warning = [f for f in desk.view(case.id).findings if f.rule == "BT-ROUTE-2"]
    assert [(f.level, f.field) for f in warning] == [("warning", "cutover_date")]
    assert "3 days away" in warning[0].message
    rerouted = desk.update_fields(case.id, {"cutover_date": "2026-11-28"})
    assert _route(rerouted) == SUPPORT
    event = desk.events("cases", case.id)[-1]
    assert (event.action, event.rule) == ("reroute", "BT-ROUTE-2")
    assert not [f for f in desk.view(case.id).findings if f.rule == "BT-ROUTE-2"]


def test_bt_route_2_description_wording_does_not_route(ticket) -> None:
    """BT-ROUTE-2: the queue comes from the answers, not from words like 'error'."""
    case = ticket(description="Error 500 during the run, items missing, cutover tomorrow!")
    assert _route(case) == SUCCESS


def test_bt_route_2_the_sweep_moves_a_guidance_case_whose_cutover_enters_the_window(
    desk, ticket, clock
) -> None:
    """BT-ROUTE-2, counted from today: cutover 2026-12-01 is 4 days away on 11-27 (customer
    success), 3 days away on 11-28: the sweep moves it, once, with an event citing the rule."""
    clock("2026-11-27T10:00+09:00")
    case = ticket(cutover_date="2026-12-01")
    desk.send_to_vendor(case.id)
    desk.sweep()
    assert _route(desk.case(case.id)) != SUPPORT
    clock("2026-11-28T00:00+09:00")
    [warning] = [f for f in desk.view(case.id).findings if f.rule == "BT-ROUTE-2"]
    assert "the next sweep moves the case" in warning.message
    report = desk.sweep()
    desk.sweep()
    moved = desk.case(case.id)
    assert _route(moved) == SUPPORT and moved.route_rule == "BT-ROUTE-2"
    [event] = [e for e in desk.events("cases", case.id) if e.action == "reroute"]
    assert event.rule == "BT-ROUTE-2" and "3 days away" in event.reason
    assert [a["kind"] for a in report.applied if a.get("case") == case.id] == ["reroute"]
    assert [d.name for d in desk.deadlines(moved) if d.rule == "BT-SLA-1"] == ["BitTitan support answer"]
    assert not [f for f in desk.view(case.id).findings if f.rule == "BT-ROUTE-2"]
