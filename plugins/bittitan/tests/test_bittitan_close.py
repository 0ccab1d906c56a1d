"""BT-CLOSE-1: a ticket closes with exactly one reason of BitTitan's list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workbench.desk import BadInput

REASONS = ["resolved-confirmed", "outside-scope", "resolution-steps", "workaround",
           "feature-request", "third-party-limitation", "user-education", "cannot-reproduce"]


@pytest.mark.parametrize("code", REASONS)
def test_bt_close_1_each_listed_reason_closes(desk, ticket, code) -> None:
    """BT-CLOSE-1: every reason of the list closes the ticket, recorded with the rule."""
    case = ticket(kind="product-problem")
    closed = desk.close(case.id, code, "done")
    assert (closed.state, closed.close_reason) == ("closed", code)
    event = desk.events("cases", case.id)[-1]
    assert (event.action, event.rule) == ("close", "BT-CLOSE-1")


@pytest.mark.parametrize("code", ["resolved", "withdrawn", "workaround,resolution-steps",
                                  "workaround resolution-steps", "", "Workaround"])
def test_bt_close_1_anything_else_is_refused(desk, ticket, code) -> None:
    """BT-CLOSE-1: the core's reasons, two reasons at once, or a near miss are refused."""
    case = ticket()
    with pytest.raises(BadInput) as refused:
        desk.close(case.id, code)
    assert refused.value.field == "reason"
    assert desk.case(case.id).state == "open"


def test_bt_close_1_the_list(desk, ticket) -> None:
    """BT-CLOSE-1: the offered reasons are BitTitan's, each with its rule and words."""
    reasons = desk.close_reasons(ticket())
    assert [r.code for r in reasons] == REASONS
    assert all(r.rule == "BT-CLOSE-1" and r.text for r in reasons)


def test_bt_close_1_pending_timeout_only_after_72_hours_pending(desk, ticket, clock) -> None:
    """BT-CLOSE-1 / BT-PENDING-1: pending-timeout is refused at 71:59, taken at 72:00."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    desk.pending(case.id, "waiting for the customer")
    since = desk.case(case.id).pauses[-1]["start"]
    assert "pending-timeout" not in [r.code for r in desk.close_reasons(desk.case(case.id))]
    clock(desk.now() + timedelta(hours=71, minutes=59))
    with pytest.raises(BadInput, match="pending-timeout"):
        desk.close(case.id, "pending-timeout")
    clock(desk.now() + timedelta(minutes=1))
    offered = desk.close_reasons(desk.case(case.id))
    assert [r.code for r in offered] == [*REASONS, "pending-timeout"]
    closed = desk.close(case.id, "pending-timeout", "closed by hand before the sweep")
    assert closed.close_reason == "pending-timeout" and closed.pauses[-1]["start"] == since
    assert desk.events("cases", case.id)[-1].rule == "BT-PENDING-1"


def test_bt_close_1_pending_timeout_is_not_for_an_open_case(desk, ticket, clock) -> None:
    """BT-CLOSE-1: a case that is not pending cannot claim a pending timeout."""
    case = ticket()
    clock(desk.now() + timedelta(days=10))
    with pytest.raises(BadInput):
        desk.close(case.id, "pending-timeout")
