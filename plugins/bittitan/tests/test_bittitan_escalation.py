"""BT-ESC-1: representative → regional engineer → escalation engineers with the developers."""

from __future__ import annotations

from datetime import datetime

import pytest

from workbench.desk import Refused


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _technical(desk, case_id: str):
    return next(o for o in desk.escalation_options(desk.case(case_id)) if o.track == "technical")


@pytest.fixture
def answered(desk, ticket):
    """A product-problem filed Tue 10:00 JST and answered by the representative at 11:00."""

    def make(region: str = "apac"):
        case = ticket(kind="product-problem", region=region)
        desk.send_to_vendor(case.id)
        desk.vendor_reply(case.id, "the representative's first answer")
        return case

    return make


def test_bt_esc_1_the_ladder(desk, ticket) -> None:
    """BT-ESC-1: three technical levels; the engineer is the ticket's region's; the core adds
    the commercial track."""
    ladder = desk.ladder(ticket(kind="product-problem", region="emea"))
    technical = [(r.level, r.role, r.rule) for r in ladder.rungs if r.track == "technical"]
    assert technical == [
        (0, "software support representative", "BT-ESC-1"),
        (1, "software support engineer, emea region (Monday–Friday)", "BT-ESC-1"),
        (2, "escalation engineers with the development team", "BT-ESC-1"),
    ]
    assert ladder.rule == "BT-ESC-1"
    assert [r.rule for r in ladder.rungs if r.track == "commercial"] == ["CORE-ESC-2", "CORE-ESC-2"]


def test_bt_esc_1_customer_success_has_no_ladder(desk, ticket) -> None:
    """BT-ESC-1: a guidance case with customer success is refused, with the way to support."""
    case = ticket()
    desk.send_to_vendor(case.id)
    with pytest.raises(Refused) as refused:
        desk.escalate(case.id)
    assert refused.value.decision.rule == "BT-ESC-1"
    assert "customer success" in refused.value.decision.reason
    assert desk.case(case.id).escalations == []


def test_bt_esc_1_only_a_filed_ticket_climbs(desk, ticket) -> None:
    """BT-ESC-1: before the desk sends it, BitTitan has no ticket to escalate."""
    case = ticket(kind="product-problem")
    with pytest.raises(Refused) as refused:
        desk.escalate(case.id)
    assert refused.value.decision.missing == ["ticket filed with BitTitan"]


def test_bt_esc_1_engineer_after_the_representatives_24_hours(desk, ticket, clock) -> None:
    """BT-ESC-1: with no answer yet, level 1 is refused until the 24 hours run out (CORE-ESC-1)."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    clock("2026-11-25T09:59+09:00")
    with pytest.raises(Refused) as refused:
        desk.escalate(case.id, reason="no answer")
    assert refused.value.decision.rule == "BT-ESC-1"
    assert refused.value.decision.earliest == _at("2026-11-25T10:00+09:00")
    clock("2026-11-25T10:00+09:00")
    escalated = desk.escalate(case.id, reason="no answer")
    assert escalated.level("technical") == 1
    assert escalated.escalations[0].role.startswith("software support engineer, apac")
    assert "overdue" in desk.events("cases", case.id)[-1].reason


def test_bt_esc_1_engineer_right_after_the_representatives_answer(desk, answered) -> None:
    """BT-ESC-1: once the representative has answered, level 1 may follow at once."""
    case = answered()
    decision = _technical(desk, case.id).decision
    assert decision.allowed and decision.rule == "BT-ESC-1"
    assert "representative has answered" in decision.reason
    assert "weekend" not in decision.reason


def test_bt_esc_1_no_earliest_while_pending_without_an_answer(desk, ticket, clock) -> None:
    """BT-ESC-1: an unanswered ticket pending on the customer has no escalation time yet."""
    case = ticket(kind="product-problem")
    desk.send_to_vendor(case.id)
    desk.pending(case.id, "asked for logs before BitTitan answered")
    clock("2026-11-26T10:00+09:00")
    decision = _technical(desk, case.id).decision
    assert not decision.allowed and decision.earliest is None
    assert "paused" in decision.reason


def test_bt_esc_1_weekend_escalation_is_limited(desk, answered, clock) -> None:
    """BT-ESC-1: engineers work Monday–Friday in the region: a Saturday escalation says so."""
    case = answered()
    clock("2026-11-28T12:00+09:00")  # Saturday 11:00 in Singapore
    escalated = desk.escalate(case.id, reason="cutover on Monday")
    reason = escalated.escalations[-1].reason
    event = desk.events("cases", case.id)[-1]
    assert event.rule == "BT-ESC-1"
    assert "weekend escalation is limited" in event.reason
    assert "Mon 2026-11-30 01:00 JST" in event.reason  # Monday 00:00 in Singapore
    assert reason == "cutover on Monday"


def test_bt_esc_1_developers_earliest_answer_is_escalation_plus_24_hours(desk, answered,
                                                                          clock) -> None:
    """BT-ESC-1: level 2 shows its earliest answer, escalation + 24 h, until BitTitan answers."""
    case = answered()
    desk.escalate(case.id)
    clock("2026-11-26T10:00+09:00")  # Thursday
    option = _technical(desk, case.id)
    assert option.rung.level == 2 and option.decision.allowed
    assert "earliest answer Fri 2026-11-27 10:00 JST" in option.decision.reason
    assert "weekend" not in option.decision.reason
    escalated = desk.escalate(case.id, reason="engineer suspects a bug")
    assert escalated.level("technical") == 2
    clock("2026-11-26T15:00+09:00")
    shown = [f for f in desk.view(case.id).findings if f.rule == "BT-ESC-1"]
    assert len(shown) == 1 and shown[0].level == "info"
    assert "earliest answer Fri 2026-11-27 10:00 JST" in shown[0].message
    clock("2026-11-27T11:00+09:00")
    desk.vendor_reply(case.id, "developers' answer")
    assert not [f for f in desk.view(case.id).findings if f.rule == "BT-ESC-1"]
    with pytest.raises(Refused, match="top of the technical ladder"):
        desk.escalate(case.id)


def test_bt_esc_1_developers_answer_landing_on_a_weekend(desk, answered, clock) -> None:
    """BT-ESC-1: a Friday level-2 escalation answers at the earliest on Saturday: limited."""
    case = answered()
    desk.escalate(case.id)
    clock("2026-11-27T10:00+09:00")  # Friday; the answer would be Saturday 10:00 JST
    decision = _technical(desk, case.id).decision
    assert "earliest answer Sat 2026-11-28 10:00 JST" in decision.reason
    assert "weekend escalation is limited" in decision.reason
    desk.escalate(case.id)
    shown = next(f for f in desk.view(case.id).findings if f.rule == "BT-ESC-1")
    assert "weekend escalation is limited" in shown.message
