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
    assert all(w.message.startswith("owner not yet recorded") for w in warnings)
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
    key = sent("2026-11-24T10:00+09:00", severity="2")
    clock("2026-11-24T21:59+09:00")
    rung, decision = technical(desk, key)
    assert rung.level == 1 and not decision.allowed
    assert decision.rule == "ZOHO-ESC-1"
    assert decision.earliest == at("2026-11-24T22:00+09:00")
    assert "has not run out" in decision.reason and decision.missing
    with pytest.raises(Refused) as refused:
        desk.escalate(key, "technical")
    assert refused.value.decision.earliest == at("2026-11-24T22:00+09:00")
    assert desk.case(key).escalations == []


def test_allowed_once_the_acknowledgement_time_ran_out_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="2")
    clock("2026-11-24T22:00+09:00")
    _, decision = technical(desk, key)
    assert decision.allowed and decision.rule == "ZOHO-ESC-1"
    assert "acknowledgement response time ran out" in decision.reason
    escalated = desk.escalate(key, "technical", owner="Ravi")
    assert escalated.escalations[0].rule == "ZOHO-ESC-1"


def test_answered_in_time_still_opens_at_the_acknowledgement_time_zoho_esc_1(
    desk, clock, sent
) -> None:
    """"Any time after the response time": from the send, whether or not Zoho answered."""
    key = sent("2026-11-24T10:00+09:00", severity="2")
    clock("2026-11-24T11:00+09:00")
    desk.vendor_reply(key, "looking into it")
    clock("2026-11-24T21:59+09:00")
    assert technical(desk, key)[1].earliest == at("2026-11-24T22:00+09:00")
    clock("2026-11-24T22:00+09:00")
    assert technical(desk, key)[1].allowed


def test_an_unanswered_identification_window_is_cited_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="2")
    clock("2026-11-24T11:00+09:00")
    desk.vendor_reply(key, "please send a log")
    clock("2026-11-24T12:00+09:00")
    desk.send_to_vendor(key, "log attached")
    clock("2026-11-26T11:59+09:00")
    assert "acknowledgement" in technical(desk, key)[1].reason
    clock("2026-11-26T12:00+09:00")
    _, decision = technical(desk, key)
    assert decision.allowed and "identification window" in decision.reason


def test_recorded_dissatisfaction_allows_escalation_before_the_time_zoho_esc_1(
    desk, clock, sent
) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="3")
    clock("2026-11-24T11:00+09:00")
    assert not technical(desk, key)[1].allowed
    desk.update_fields(key, {"dissatisfaction": "three answers repeat the docs we quoted"})
    _, decision = technical(desk, key)
    assert decision.allowed and "not satisfied" in decision.reason


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


@pytest.mark.parametrize("category", ["downtime", "outage", "sign-in"])
def test_severity_1_critical_case_is_recommended_at_once_zoho_esc_1(
    desk, customer, form, category
) -> None:
    """Clear production impact by itself: recommended and allowed before it is even sent."""
    case = desk.open_case("zoho", customer.id, "s", form(severity="1", category=category))
    [shown] = [f for f in desk.view(case.id).findings if f.rule == "ZOHO-ESC-1"]
    assert shown.message.startswith("escalation recommended") and category in shown.message
    _, decision = technical(desk, case.id)
    assert decision.allowed and "recommended" in decision.reason
    desk.escalate(case.id, "technical", owner="Ravi")
    assert not [f for f in desk.view(case.id).findings if f.rule == "ZOHO-ESC-1"]


def test_severity_1_malfunction_is_not_recommended_zoho_esc_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(severity="1", category="malfunction"))
    assert not [f for f in desk.view(case.id).findings if f.rule == "ZOHO-ESC-1"]
    assert not technical(desk, case.id)[1].allowed


def test_pause_moves_the_edge_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1", category="malfunction")
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


@pytest.mark.parametrize("risk", ["production-impact", "critical-isolation-delay",
                                  "prolonged-outage", "recurring-incidents", "security-breach"])
def test_business_risk_allows_escalation_at_any_time_zoho_esc_1(desk, customer, form, risk) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(business_risk=risk))
    _, decision = technical(desk, case.id)
    assert decision.allowed and decision.rule == "ZOHO-ESC-1" and risk in decision.reason
    [shown] = [f for f in desk.view(case.id).findings if f.rule == "ZOHO-ESC-1"]
    assert "escalation recommended" in shown.message
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


def test_without_the_partners_contract_escalation_is_refused_naming_the_setting_zoho_esc_1(
    desk, form
) -> None:
    """The end customer's active CRM subscription is not the partner's contract with Zoho."""
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    subscribed = desk.add_customer("Contoso KK", attributes={"zoho.region": "apac-japan"}, users=80)
    desk.add_contract(subscribed.id, "zoho", "crm", date(2026, 1, 1))
    case = desk.open_case("zoho", subscribed.id, "s", form(business_risk="prolonged-outage"))
    for track in ("technical", "commercial"):
        decision = next(o for o in desk.view(case.id).options if o.track == track).decision
        assert not decision.allowed and decision.rule == "ZOHO-ESC-1"
        assert "zoho.partner_contract_until" in decision.reason
        assert "zoho.partner_contract_until" in decision.missing[0]


def test_partner_contract_is_valid_through_its_last_day_zoho_esc_1(
    desk, clock, customer, form
) -> None:
    desk.set_setting("zoho.partner_contract_until", "2026-11-24")
    clock("2026-11-24T23:59+09:00")
    case = desk.open_case("zoho", customer.id, "s", form(business_risk="prolonged-outage"))
    assert technical(desk, case.id)[1].allowed
    clock("2026-11-25T00:00+09:00")
    _, decision = technical(desk, case.id)
    assert not decision.allowed and "ran until 2026-11-24" in decision.reason


def test_the_end_customers_subscription_does_not_decide_zoho_esc_1(desk, form) -> None:
    """The valid support contract is the partner's with Zoho, not the customer's: a customer
    on a trial can still be escalated for."""
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    desk.set_setting("zoho.partner_contract_until", "2027-03-31")
    trial = desk.add_customer("Fabrikam Pty Ltd", attributes={"zoho.region": "anz"}, users=49)
    desk.add_contract(trial.id, "zoho", "trial", date(2026, 11, 1))
    case = desk.open_case("zoho", trial.id, "s", form(business_risk="prolonged-outage"))
    assert technical(desk, case.id)[1].allowed


def test_later_levels_need_the_same_condition_zoho_esc_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1", category="malfunction")
    clock("2026-11-24T13:00+09:00")
    desk.escalate(key, "technical", owner="Ravi")
    rung, decision = technical(desk, key)
    assert rung.level == 2 and decision.allowed and decision.rule == "ZOHO-ESC-1"


def test_level_4_follows_level_3_and_is_the_commercial_escalation_zoho_esc_2(
    desk, clock, sent
) -> None:
    """The partner account manager is the ladder's fourth rung under ZOHO-ESC-1: no evidence
    and no 30-day stall (CORE-ESC-2) needed, but level 3 first."""
    key = sent("2026-11-24T10:00+09:00", severity="1", category="malfunction")
    clock("2026-11-24T13:00+09:00")
    option = next(o for o in desk.view(key).options if o.track == "commercial")
    assert option.rung.level == 4 and option.rung.role.startswith("partner account manager")
    assert not option.decision.allowed and option.decision.rule == "ZOHO-ESC-2"
    assert "level 3" in option.decision.reason
    for owner in ("Ravi", "Priya", "Danny"):
        desk.escalate(key, "technical", owner=owner)
    option = next(o for o in desk.view(key).options if o.track == "commercial")
    assert option.decision.allowed and "CORE-ESC-2" in option.decision.reason
    escalated = desk.escalate(key, "commercial", owner="partner account manager")
    assert (escalated.escalations[-1].level, escalated.escalations[-1].track) == (4, "commercial")
    assert escalated.escalations[-1].rule == "ZOHO-ESC-2"
    assert escalated.level("commercial") == 4
