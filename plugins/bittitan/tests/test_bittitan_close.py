"""BT-CLOSE-1: a ticket closes with exactly one reason of BitTitan's list."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from workbench.desk import Refused

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
    """BT-CLOSE-1: the core's reasons, two reasons at once, or a near miss are refused, naming
    the rule and the reasons to choose from."""
    case = ticket()
    with pytest.raises(Refused) as refused:
        desk.close(case.id, code)
    assert refused.value.decision.rule == "BT-CLOSE-1"
    assert "resolved-confirmed" in refused.value.decision.reason
    assert desk.case(case.id).state == "open"


def test_bt_close_1_the_list(desk, ticket) -> None:
    """BT-CLOSE-1: the offered reasons are BitTitan's, each with its rule and words;
    pending-timeout is listed for automatic closes only."""
    reasons = desk.close_reasons(ticket())
    assert [r.code for r in reasons if r.manual] == REASONS
    assert [r.code for r in reasons if not r.manual] == ["pending-timeout"]
    assert all(r.rule == "BT-CLOSE-1" and r.text for r in reasons)


def test_bt_close_1_pending_timeout_by_hand_is_refused_as_the_automatic_closes(
    desk, ticket, clock
) -> None:
    """BT-CLOSE-1: pending-timeout is the reason of an automatic close, never given by hand,
    even after 72 hours pending."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    desk.pending(case.id, "waiting for the customer")
    clock(desk.now() + timedelta(hours=100))
    with pytest.raises(Refused) as refused:
        desk.close(case.id, "pending-timeout")
    assert refused.value.decision.rule == "BT-CLOSE-1"
    assert "automatic close" in refused.value.decision.reason
    assert "resolved-confirmed" in refused.value.decision.reason
    assert desk.case(case.id).state == "pending"


def test_bt_close_1_refusals_exit_1_and_name_the_rule_on_the_command_line(run_cli, form) -> None:
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    assert run_cli("contract", "add", "--customer", "CUS-1", "--vendor", "bittitan",
                   "--product", "user-migration-bundle", "--start", "2026-01-01")[0] == 0
    fields = [f"{k}={v}" for k, v in form(kind="product-problem").items()]
    assert run_cli("case", "new", "--vendor", "bittitan", "--customer", "CUS-1", "--subject", "s",
                   *[a for f in fields for a in ("--field", f)])[0] == 0
    for reason in ("pending-timeout", "resolved"):
        status, out, err = run_cli("case", "close", "C-1", "--reason", reason, "--json")
        assert status == 1 and "BT-CLOSE-1" in err
        assert json.loads(out)["error"]["decision"]["rule"] == "BT-CLOSE-1"
