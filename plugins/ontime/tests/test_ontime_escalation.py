"""Escalation to OnTime: ONTIME-ESC-1 (after isolation, through the commercial chain),
ONTIME-ESC-2 (complete evidence, every missing item named) and ONTIME-PARTNER-1 (the desk's
technical contact)."""

from __future__ import annotations

import pytest
from workbench_ontime import workbench_check_escalation

from workbench.desk import Refused
from workbench.model import Case, Decision

EVIDENCE_LABELS = {
    "reproduction_steps": "Reproduction steps",
    "browser": "Browser name",
    "browser_version": "Browser version",
    "platform": "Calendar platform",
    "platform_version": "Platform version",
    "environment_notes": "Environment notes",
}


def _open(desk, customer, fields):
    return desk.open_case("ontime", customer.id, "Week view shows blank entries", fields)


def _refusal(desk, case_id) -> Decision:
    """The decision of a refused escalation; the case is left as it was."""
    before = desk.case(case_id).escalations
    with pytest.raises(Refused) as refused:
        desk.escalate(case_id)
    assert desk.case(case_id).escalations == before
    return refused.value.decision


def test_ladder_of_a_tier_1_desk_goes_to_the_ontime_japan_team_ontime_esc_1(desk, customer) -> None:
    ladder = desk.view(_open(desk, customer, {}).id).ladder
    technical = [(r.level, r.role, r.rule) for r in ladder.rungs if r.track == "technical"]
    assert technical == [(1, "OnTime Japan team", "ONTIME-ESC-1")]
    assert ladder.rule == "ONTIME-ESC-1"
    assert [r.role for r in ladder.rungs if r.track == "commercial"] == ["account manager", "sales executive"]


@pytest.mark.parametrize("answer", ["not-checked", "reproduces-without-ontime"])
def test_escalation_is_refused_until_isolation_says_does_not_reproduce_ontime_triage_1(
    desk, customer, contact, complete, answer
) -> None:
    """Everything else is in place: only the isolation answer stands in the way, and the
    refusal names the rule that decides it, ONTIME-TRIAGE-1."""
    case = _open(desk, customer, {**complete, "isolation": answer})
    refusal = _refusal(desk, case.id)
    assert refusal.rule == "ONTIME-TRIAGE-1"
    desk.update_fields(case.id, {"isolation": "does-not-reproduce"})
    assert desk.escalate(case.id).escalations[0].role == "OnTime Japan team"


def test_not_checked_names_the_isolation_as_missing_ontime_esc_1(desk, customer, contact) -> None:
    refusal = _refusal(desk, _open(desk, customer, {}).id)
    assert refusal.missing == ["isolation: does it reproduce without OnTime?"]


@pytest.mark.parametrize("item", [i for i in EVIDENCE_LABELS if i != "platform"])
def test_each_missing_evidence_item_is_named_and_refuses_ontime_esc_2(
    desk, customer, contact, complete, item
) -> None:
    case_id = _open(desk, customer, {k: v for k, v in complete.items() if k != item}).id
    refusal = _refusal(desk, case_id)
    assert refusal.rule == "ONTIME-ESC-2"
    assert refusal.missing == [EVIDENCE_LABELS[item]]
    desk.update_fields(case_id, {item: complete[item]})
    assert len(desk.escalate(case_id).escalations) == 1


def test_a_missing_platform_is_named_too_ontime_esc_2(desk, customer, contact, complete) -> None:
    """The desk never saves an isolation answer without its platform (ONTIME-TRIAGE-1), so
    only data from elsewhere lacks it: the escalation check still names it."""
    del complete["platform"]
    case = Case(id="C-9", vendor="ontime", customer_id=customer.id, subject="imported",
                opened_at=desk.now(), fields=complete)
    decision = workbench_check_escalation(case=case, track="technical", level=1, desk=desk, now=desk.now())
    assert (decision.allowed, decision.rule) == (False, "ONTIME-ESC-2")
    assert decision.missing == ["Calendar platform"]


def test_blank_answers_count_as_missing_and_all_are_listed_in_form_order_ontime_esc_2(
    desk, customer, contact
) -> None:
    case = _open(desk, customer, {"platform": "microsoft-exchange-on-premises",
                                  "isolation": "does-not-reproduce", "user_settings": "not-the-cause",
                                  "browser": "   "})
    refusal = _refusal(desk, case.id)
    assert refusal.missing == ["Reproduction steps", "Browser name", "Browser version",
                               "Platform version", "Environment notes"]
    [warning] = [f for f in desk.view(case.id).findings if f.rule == "ONTIME-ESC-2"]
    assert warning.level == "warning" and "Browser version" in warning.message


def test_a_reproduction_attached_as_evidence_counts_as_the_steps_ontime_esc_2(
    desk, customer, contact, complete
) -> None:
    del complete["reproduction_steps"]
    case = _open(desk, customer, complete)
    assert _refusal(desk, case.id).missing == ["Reproduction steps"]
    desk.attach_evidence(case.id, "log", "sync log")
    assert _refusal(desk, case.id).missing == ["Reproduction steps"]
    desk.attach_evidence(case.id, "reproduction", "Screen recording of the blank week view")
    assert len(desk.escalate(case.id).escalations) == 1


def test_without_a_technical_contact_vendor_escalation_is_refused_ontime_partner_1(
    desk, customer, complete
) -> None:
    case = _open(desk, customer, complete)
    refusal = _refusal(desk, case.id)
    assert refusal.rule == "ONTIME-PARTNER-1"
    assert refusal.missing == ["OnTime technical contact (setting ontime.technical_contact)"]
    assert any(f.rule == "ONTIME-PARTNER-1" for f in desk.view(case.id).findings)
    desk.set_setting("ontime.technical_contact", "Aiko Sato")
    escalated = desk.escalate(case.id)
    assert escalated.escalations[0].rule == "ONTIME-ESC-1"
    assert "under technical contact Aiko Sato" in desk.events("cases", case.id)[-1].reason


def test_a_blank_technical_contact_is_no_contact_ontime_partner_1(desk, customer, complete) -> None:
    desk.set_setting("ontime.technical_contact", "   ")
    assert _refusal(desk, _open(desk, customer, complete).id).rule == "ONTIME-PARTNER-1"


def test_tier_2_desk_climbs_through_its_tier_1_then_to_ontime_ontime_esc_1(
    desk, customer, contact, complete
) -> None:
    desk.set_setting("ontime.partner_tier", "tier-2")
    desk.set_setting("ontime.tier1_partner", "Example Distribution K.K.")
    case = _open(desk, customer, complete)
    technical = [(r.level, r.role) for r in desk.ladder(case).rungs if r.track == "technical"]
    assert technical == [(1, "tier-1 partner / distributor (Example Distribution K.K.)"),
                         (2, "OnTime Japan team")]
    first = desk.escalate(case.id)
    assert [e.role for e in first.escalations] == ["tier-1 partner / distributor (Example Distribution K.K.)"]
    assert "Example Distribution K.K." in desk.events("cases", case.id)[-1].reason
    second = desk.escalate(case.id)
    assert [e.level for e in second.escalations] == [1, 2]
    assert second.escalations[-1].role == "OnTime Japan team"


def test_tier_2_desk_without_its_tier_1_named_is_refused_ontime_esc_1(
    desk, customer, contact, complete
) -> None:
    desk.set_setting("ontime.partner_tier", "tier-2")
    refusal = _refusal(desk, _open(desk, customer, complete).id)
    assert refusal.rule == "ONTIME-ESC-1"
    assert refusal.missing == ["tier-1 partner / distributor (setting ontime.tier1_partner)"]


def test_tier_2_conditions_hold_on_every_rung_ontime_esc_2(desk, customer, contact, complete) -> None:
    """Evidence removed after the tier-1 rung: the tier-1 cannot take it on to OnTime."""
    desk.set_setting("ontime.partner_tier", "tier-2")
    desk.set_setting("ontime.tier1_partner", "Example Distribution K.K.")
    case = _open(desk, customer, complete)
    desk.escalate(case.id)
    desk.update_fields(case.id, {"environment_notes": ""})
    refusal = _refusal(desk, case.id)
    assert (refusal.rule, refusal.missing) == ("ONTIME-ESC-2", ["Environment notes"])


def test_the_commercial_track_is_left_to_the_core_core_esc_2(desk, customer, contact, complete) -> None:
    case = _open(desk, customer, complete)
    [commercial] = [o for o in desk.view(case.id).options if o.track == "commercial"]
    assert commercial.decision.rule == "CORE-ESC-2"
