"""Escalation toward Zoho: ZOHO-ESC-1 (when) and ZOHO-ESC-2 (the regional ladder, the owner)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workbench.desk import Refused

REGIONS = ["anz", "apac-japan", "india", "mea", "europe-uk", "usa", "latam", "brazil", "canada"]


def technical(desk, key: str):
    """The decision for the next technical rung of the case, at the desk clock."""
    option = next(o for o in desk.view(key).options if o.track == "technical")
    return option.rung, option.decision


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- ZOHO-ESC-2: the ladder -----------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_four_level_ladder_for_the_desks_region_zoho_esc_2(desk, customer, form, region) -> None:
    desk.set_setting("zoho.region", region)
    case = desk.open_case("zoho", customer.id, "s", form())
    ladder = desk.ladder(case)
    assert ladder.rule == "ZOHO-ESC-2" and region in ladder.reason
    assert [(r.level, r.track) for r in ladder.rungs] == [
        (1, "technical"), (2, "technical"), (3, "technical"), (4, "commercial")]
    assert ladder.rungs[0].role == "partner-support escalation desk"
    assert "partner-support" in ladder.rungs[1].role and "partner-support" in ladder.rungs[2].role
    assert ladder.rungs[3].role.startswith("partner account manager")
    assert all(r.rule == "ZOHO-ESC-2" and "@" not in r.role for r in ladder.rungs)


def test_ladder_names_the_region_on_levels_2_and_4_zoho_esc_2(desk, customer, form) -> None:
    desk.set_setting("zoho.region", "europe-uk")
    roles = [r.role for r in desk.ladder(desk.open_case("zoho", customer.id, "s", form())).rungs]
    assert roles[1] == "regional partner-support DRI / team lead (Europe & UK)"
    assert roles[3] == "partner account manager (Europe & UK)"


def test_owner_is_recorded_on_each_escalation_zoho_esc_2(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:00+09:00")
    desk.escalate(key, "technical", "no acknowledgement", owner="Ravi (escalation desk)")
    case = desk.case(key)
    assert (case.escalations[0].level, case.escalations[0].owner) == (1, "Ravi (escalation desk)")
    assert not [f for f in desk.view(key).findings if f.rule == "ZOHO-ESC-2"]
    desk.escalate(key, "technical", "still nothing")
    [warning] = [f for f in desk.view(key).findings if f.rule == "ZOHO-ESC-2"]
    assert warning.level == "warning" and "level 2" in warning.message and "owner" in warning.message


def test_owner_warning_clears_once_the_owner_is_recorded_later_zoho_esc_2(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:00+09:00")
    desk.escalate(key, "technical", "no acknowledgement")
    desk.escalate(key, "technical", "still nothing")
    warnings = [f for f in desk.view(key).findings if f.rule == "ZOHO-ESC-2"]
    assert [w.level for w in warnings] == ["warning", "warning"]
    assert f"`workbench case owner {key} OWNER --track technical --level 2`" in warnings[1].message
    desk.set_escalation_owner(key, "technical", 2, "Priya (regional partner-support lead)")
    [left] = [f for f in desk.view(key).findings if f.rule == "ZOHO-ESC-2"]
    assert "level 1" in left.message and "--level 1" in left.message
    desk.set_escalation_owner(key, "technical", 1, "Ravi (escalation desk)")
    assert not [f for f in desk.view(key).findings if f.rule == "ZOHO-ESC-2"]
    assert [e.owner for e in desk.case(key).escalations] == [
        "Ravi (escalation desk)", "Priya (regional partner-support lead)"]


# -- ZOHO-ESC-1: the deadline edge ----------------------------------------------------------


def test_refused_one_minute_before_the_deadline_with_the_earliest_time_zoho_esc_1(
    desk, clock, sent
) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T12:59+09:00")
    rung, decision = technical(desk, key)
    assert rung.level == 1 and not decision.allowed
    assert decision.rule == "ZOHO-ESC-1"
    assert decision.earliest == at("2026-11-24T13:00+09:00")
    assert "no Zoho deadline has passed" in decision.reason and decision.missing
    with pytest.raises(Refused) as refused:
        desk.escalate(key, "technical")
    assert refused.value.decision.earliest == at("2026-11-24T13:00+09:00")
    assert desk.case(key).escalations == []


def test_allowed_at_the_deadline_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:00+09:00")
    _, decision = technical(desk, key)
    assert decision.allowed and decision.rule == "ZOHO-ESC-1"
    assert "Zoho acknowledgement deadline" in decision.reason
    escalated = desk.escalate(key, "technical", owner="Ravi")
    assert escalated.escalations[0].rule == "ZOHO-ESC-1"


def test_deadline_from_friday_evening_opens_escalation_on_monday_zoho_esc_1(desk, clock, sent) -> None:
    """Severity 2 sent Friday 20:00: acknowledgement due Monday 08:00, not over the weekend."""
    key = sent("2026-11-27T20:00+09:00", severity="2")
    clock("2026-11-29T23:00+09:00")
    _, decision = technical(desk, key)
    assert not decision.allowed and decision.earliest == at("2026-11-30T08:00+09:00")
    clock("2026-11-30T07:59+09:00")
    assert not technical(desk, key)[1].allowed
    clock("2026-11-30T08:00+09:00")
    assert technical(desk, key)[1].allowed


def test_24x7_case_opens_escalation_on_saturday_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-27T23:00+09:00", severity="1", category="outage")
    clock("2026-11-28T01:59+09:00")
    assert technical(desk, key)[1].earliest == at("2026-11-28T02:00+09:00")
    clock("2026-11-28T02:00+09:00")
    assert technical(desk, key)[1].allowed


def test_acknowledged_in_time_waits_for_the_identification_deadline_zoho_esc_1(
    desk, clock, sent
) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T12:00+09:00")
    desk.vendor_reply(key, "looking into it", milestone="acknowledged")
    clock("2026-11-24T13:00+09:00")
    _, decision = technical(desk, key)
    assert not decision.allowed and decision.earliest == at("2026-11-24T18:00+09:00")
    assert "Zoho issue identification" in decision.reason
    clock("2026-11-24T17:59+09:00")
    assert not technical(desk, key)[1].allowed
    clock("2026-11-24T18:00+09:00")
    assert technical(desk, key)[1].allowed


def test_late_acknowledgement_still_counts_as_a_passed_deadline_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:30+09:00")
    desk.vendor_reply(key, "sorry for the delay", milestone="acknowledged")
    assert technical(desk, key)[1].allowed


def test_both_commitments_met_needs_business_risk_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T11:00+09:00")
    desk.vendor_reply(key, "cause found", milestone="identified")
    clock("2026-11-25T10:00+09:00")
    _, decision = technical(desk, key)
    assert not decision.allowed and decision.earliest is None
    assert "met its acknowledgement and identification" in decision.reason
    desk.update_fields(key, {"business_risk": "recurring-incidents"})
    assert technical(desk, key)[1].allowed


def test_pause_moves_the_edge_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T11:00+09:00")
    desk.pending(key, "need a log")
    clock("2026-11-24T14:00+09:00")
    _, decision = technical(desk, key)
    assert not decision.allowed and decision.earliest is None and "paused" in decision.reason
    desk.customer_reply(key, "log attached")
    clock("2026-11-24T15:59+09:00")
    assert technical(desk, key)[1].earliest == at("2026-11-24T16:00+09:00")
    clock("2026-11-24T16:00+09:00")
    assert technical(desk, key)[1].allowed


@pytest.mark.parametrize("risk", ["critical-isolation-delay", "prolonged-outage",
                                  "recurring-incidents", "security-breach"])
def test_business_risk_allows_escalation_at_any_time_zoho_esc_1(desk, customer, form, risk) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(business_risk=risk))
    _, decision = technical(desk, case.id)
    assert decision.allowed and decision.rule == "ZOHO-ESC-1" and risk in decision.reason
    assert desk.escalate(case.id, "technical", owner="Ravi").escalations[0].level == 1


def test_not_sent_without_risk_is_refused_zoho_esc_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form())
    _, decision = technical(desk, case.id)
    assert not decision.allowed and "not been sent" in decision.reason and decision.earliest is None


def test_outside_the_sla_no_deadline_can_pass_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", category="feature-request", severity="3")
    clock("2026-12-24T10:00+09:00")
    _, decision = technical(desk, key)
    assert not decision.allowed and "outside Zoho's SLA" in decision.reason


def test_no_support_contract_refuses_even_with_business_risk_zoho_esc_1(desk, form) -> None:
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    trial = desk.add_customer("Fabrikam Pty Ltd", region="anz", users=49)
    desk.add_contract(trial.id, "zoho", "trial", date(2026, 11, 1))
    lapsed = desk.add_contract(trial.id, "zoho", "crm", date(2025, 1, 1), date(2026, 11, 23))
    case = desk.open_case("zoho", trial.id, "s", form(business_risk="prolonged-outage"))
    for track in ("technical", "commercial"):
        decision = next(o for o in desk.view(case.id).options if o.track == track).decision
        assert not decision.allowed and decision.rule == "ZOHO-ESC-1"
        assert "support contract" in decision.missing[0] and lapsed.product in decision.missing[0]


def test_later_levels_need_the_same_condition_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:00+09:00")
    desk.escalate(key, "technical", owner="Ravi")
    rung, decision = technical(desk, key)
    assert rung.level == 2 and decision.allowed and "level 2" in decision.reason


def test_level_4_is_the_commercial_track_under_core_esc_2(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:00+09:00")
    option = next(o for o in desk.view(key).options if o.track == "commercial")
    assert option.rung.level == 4 and option.rung.role.startswith("partner account manager")
    assert not option.decision.allowed and option.decision.rule == "CORE-ESC-2"
    desk.attach_evidence(key, "log", "execution log of fn_update_stage")
    clock("2026-12-24T13:00+09:00")
    escalated = desk.escalate(key, "commercial", owner="partner account manager")
    assert escalated.escalations[-1].level == 4 and escalated.escalations[-1].rule == "CORE-ESC-2"
