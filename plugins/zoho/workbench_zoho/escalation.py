"""Escalation toward Zoho: the regional ladder (ZOHO-ESC-2), when an escalation is allowed
(ZOHO-ESC-1) and when it is recommended."""

from __future__ import annotations

from datetime import date, datetime

from workbench import DeskReader
from workbench.model import Case, Decision, Finding, Ladder, Rung
from workbench_zoho.intake import BUSINESS_RISKS, category, outside_sla
from workbench_zoho.program import PARTNER_CONTRACT, Region, desk_region
from workbench_zoho.sla import IDENTIFICATION, clocks, is_critical, shown

NEEDS = ("the desk's valid support-service contract with Zoho (setting zoho.partner_contract_until), "
         "and the acknowledgement response time run out since the send, an identification window "
         "run out, production impact / a major business risk, or the desk's recorded "
         "dissatisfaction (ZOHO-ESC-1)")
ACCOUNT_NEEDS = f"level 3 reached; {NEEDS}"

OWNER_HINT = "(--owner, or later with `workbench case owner` or the case screen's owner key; ZOHO-ESC-2)"
"""Where the desk records the owner Zoho names for an escalation."""

REGIONAL_LEADS = {
    "europe-uk": "regional partner-support DRI / team lead",
    "mea": "regional partner-support DRI / senior lead",
}
CENTRAL_MANAGERS = {"europe-uk": "senior team lead / central partner-support manager"}

ACCOUNT_LEVEL = 4
"""The partner account manager: the ladder's fourth rung and the case's commercial escalation."""


def ladder(desk: DeskReader) -> Ladder:
    """The four levels for the desk's Zoho region. Level 4 is the account side: it sits on
    the commercial track, so reaching it is the case's commercial escalation (CORE-ESC-2),
    but it is climbed after level 3 under ZOHO-ESC-1's conditions like the others."""
    region = desk_region(desk)
    return Ladder(
        rungs=[
            Rung(1, "partner-support escalation desk", "technical", NEEDS, "ZOHO-ESC-2"),
            Rung(2, f"{REGIONAL_LEADS.get(region.id, 'regional partner-support lead')} "
                 f"({region.name})", "technical", NEEDS, "ZOHO-ESC-2"),
            Rung(3, CENTRAL_MANAGERS.get(region.id, "partner-support manager (central)"),
                 "technical", NEEDS, "ZOHO-ESC-2"),
            Rung(ACCOUNT_LEVEL, f"partner account manager ({region.name})", "commercial",
                 ACCOUNT_NEEDS, "ZOHO-ESC-2"),
        ],
        rule="ZOHO-ESC-2",
        reason=_ladder_reason(region),
    )


def _ladder_reason(region: Region) -> str:
    return (f"Zoho's escalation ladder for the desk's region {region.id} ({region.name}, setting "
            "zoho.region), four levels under ZOHO-ESC-1; level 4, the partner account manager, "
            "is the case's commercial escalation (CORE-ESC-2) without CORE-ESC-2's 30-day stall; "
            "Zoho names an owner for every escalation, recorded on the case")


def contract_refusal(desk: DeskReader) -> Decision | None:
    """ZOHO-ESC-1: escalation needs the desk's own support-service contract with Zoho, valid
    today (setting ``zoho.partner_contract_until``); not the end customer's subscription."""
    until = desk.setting(PARTNER_CONTRACT)
    missing = [f"setting {PARTNER_CONTRACT}: the date the desk's support-service contract "
               "with Zoho runs until (workbench settings zoho.partner_contract_until YYYY-MM-DD)"]
    if not until:
        return Decision(False, "ZOHO-ESC-1",
                        "escalation to Zoho needs the partner's valid support-service contract "
                        f"with Zoho, and none is recorded (setting {PARTNER_CONTRACT})",
                        missing=missing)
    if date.fromisoformat(str(until)) < desk.today():
        return Decision(False, "ZOHO-ESC-1",
                        f"the desk's support-service contract with Zoho ran until {until} (setting "
                        f"{PARTNER_CONTRACT}): escalation needs a valid one", missing=missing)
    return None


def production_impact(case: Case) -> str | None:
    """Why the case has clear production impact or a major business risk, if it has: a
    severity-1 downtime / outage / sign-in case by itself, or a recorded business risk."""
    risk = case.fields.get("business_risk") or "none"
    if risk != "none":
        return f"{risk}: {BUSINESS_RISKS.get(risk, risk)}"
    if is_critical(case):
        return f"a severity-1 {category(case)} case is clear production impact by itself"
    return None


def recommendation(case: Case) -> list[Finding]:
    """ZOHO-ESC-1: "escalation recommended" while a case with production impact has not been
    escalated yet."""
    impact = production_impact(case)
    if impact is None or case.level("technical") or not case.is_open:
        return []
    return [Finding("warning", "ZOHO-ESC-1",
                    f"escalation recommended: clear production impact or a major business risk "
                    f"({impact}); Zoho's page says to escalate, at any time")]


def check(case: Case, track: str, level: int, desk: DeskReader, now: datetime) -> Decision:
    """ZOHO-ESC-1 for every rung of the ladder; level 4 (the commercial track) also needs
    level 3 reached (ZOHO-ESC-2)."""
    refusal = contract_refusal(desk)
    if refusal is not None:
        return refusal
    if track == "commercial" and case.level("technical") < ACCOUNT_LEVEL - 1:
        return Decision(False, "ZOHO-ESC-2",
                        "the partner account manager is level 4 of Zoho's ladder: it follows "
                        f"level 3 (the case is at level {case.level('technical')})",
                        missing=["technical escalation to level 3"])
    allowed = _condition(case, desk, now)
    if allowed.allowed and track == "commercial":
        allowed.rule = "ZOHO-ESC-2"
        allowed.reason += ("; level 4 is the account side, so this is the case's commercial "
                           "escalation (CORE-ESC-2), without CORE-ESC-2's 30-day stall")
    return allowed


def _condition(case: Case, desk: DeskReader, now: datetime) -> Decision:
    """When ZOHO-ESC-1 allows climbing one rung now, and otherwise the earliest time."""
    then = f"the desk may escalate; record the owner Zoho names {OWNER_HINT}"
    impact = production_impact(case)
    if impact is not None:
        return Decision(True, "ZOHO-ESC-1",
                        f"escalation recommended, at any time: clear production impact or a major "
                        f"business risk ({impact}); {then}")
    why = str(case.fields.get("dissatisfaction") or "").strip()
    if why and case.sent_at is not None:
        return Decision(True, "ZOHO-ESC-1",
                        f"after Zoho's standard process the desk is not satisfied with the level or "
                        f"timeliness of the service ({why}); {then}")
    missing = ["the acknowledgement response time run out since the send, production impact or "
               "business risk recorded (field business_risk), or the desk's dissatisfaction "
               "recorded (field dissatisfaction)"]
    if case.sent_at is None:
        return Decision(False, "ZOHO-ESC-1",
                        "the case has not been sent to Zoho, so no response time runs, and no "
                        "production impact or major business risk is recorded", missing=missing)
    if outside_sla(case):
        return Decision(False, "ZOHO-ESC-1",
                        "feature requests and product limitations are outside Zoho's SLA "
                        "(ZOHO-SEV-1): no response time runs out, so escalation needs production "
                        "impact, a business risk or the desk's dissatisfaction recorded",
                        missing=missing)
    waits = clocks(case, desk)
    late = [c for c in waits if c.name == IDENTIFICATION and c.unanswered(now)]
    if late:
        window = late[-1]
        return Decision(True, "ZOHO-ESC-1",
                        f"the identification window from {shown(desk, window.start)} ran out at "
                        f"{shown(desk, window.due)} without a Zoho response; {then}")
    acknowledgement = waits[0]
    if acknowledgement.passed(now):
        return Decision(True, "ZOHO-ESC-1",
                        f"the acknowledgement response time ran out at "
                        f"{shown(desk, acknowledgement.due)} since the send (answered or not, the "
                        f"page allows escalation any time after it); {then}")
    if acknowledgement.due is None:
        return Decision(False, "ZOHO-ESC-1",
                        "Zoho's clock is paused while the case is pending on the customer, and no "
                        "production impact or major business risk is recorded: escalation opens "
                        "when the acknowledgement response time runs out after the customer "
                        "answers", missing=missing)
    return Decision(False, "ZOHO-ESC-1",
                    "the acknowledgement response time has not run out since the send, and no "
                    "production impact, business risk or dissatisfaction is recorded: "
                    f"escalation opens at {shown(desk, acknowledgement.due)}",
                    earliest=acknowledgement.due, missing=missing)
