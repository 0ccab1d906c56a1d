"""Escalation toward Zoho: the regional ladder (ZOHO-ESC-2) and when a technical
escalation is allowed (ZOHO-ESC-1)."""

from __future__ import annotations

from datetime import datetime

from workbench import DeskReader
from workbench.model import Case, Decision, Ladder, Rung
from workbench_zoho.intake import BUSINESS_RISKS, outside_sla
from workbench_zoho.program import SUPPORT_PRODUCTS, VENDOR, Region, desk_region
from workbench_zoho.sla import clocks, shown

TECHNICAL_NEEDS = ("an active Zoho support contract, and a Zoho deadline passed unmet or "
                   "production impact / a major business risk recorded (ZOHO-ESC-1)")
COMMERCIAL_NEEDS = ("an active Zoho support contract (ZOHO-ESC-1), a stalled technical track "
                    "and technical evidence (CORE-ESC-2)")

OWNER_HINT = "(--owner, or later with `workbench case owner`; ZOHO-ESC-2)"
"""Where the desk records the owner Zoho names for an escalation."""

REGIONAL_LEADS = {
    "europe-uk": "regional partner-support DRI / team lead",
    "mea": "regional partner-support DRI / senior lead",
}
CENTRAL_MANAGERS = {"europe-uk": "senior team lead / central partner-support manager"}


def ladder(desk: DeskReader) -> Ladder:
    """The four levels for the desk's Zoho region; level 4 is the commercial track."""
    region = desk_region(desk)
    return Ladder(
        rungs=[
            Rung(1, "partner-support escalation desk", "technical", TECHNICAL_NEEDS, "ZOHO-ESC-2"),
            Rung(2, f"{REGIONAL_LEADS.get(region.id, 'regional partner-support lead')} "
                 f"({region.name})", "technical", TECHNICAL_NEEDS, "ZOHO-ESC-2"),
            Rung(3, CENTRAL_MANAGERS.get(region.id, "partner-support manager (central)"),
                 "technical", TECHNICAL_NEEDS, "ZOHO-ESC-2"),
            Rung(4, f"partner account manager ({region.name})", "commercial", COMMERCIAL_NEEDS,
                 "ZOHO-ESC-2"),
        ],
        rule="ZOHO-ESC-2",
        reason=_ladder_reason(region),
    )


def _ladder_reason(region: Region) -> str:
    return (f"Zoho's escalation ladder for the desk's region {region.id} ({region.name}, setting "
            "zoho.region); level 4 goes through the commercial side; Zoho names an owner for "
            "every escalation, recorded on the case")


def check(case: Case, track: str, level: int, desk: DeskReader, now: datetime) -> Decision | None:
    """ZOHO-ESC-1 for the technical track. The commercial track (level 4) needs the support
    contract here and is then left to the core's CORE-ESC-2 (``None``)."""
    if not desk.has_support(case.customer_id, VENDOR):
        return Decision(False, "ZOHO-ESC-1",
                        "escalation to Zoho needs a valid support contract, and the customer has no "
                        "active Zoho subscription with partner support",
                        missing=[f"an active Zoho support contract ({', '.join(SUPPORT_PRODUCTS)})"])
    if track != "technical":
        return None
    risk = case.fields.get("business_risk") or "none"
    if risk != "none":
        return Decision(True, "ZOHO-ESC-1",
                        f"production impact / major business risk is recorded ({risk}: "
                        f"{BUSINESS_RISKS.get(risk, risk)}), so the desk may escalate to level "
                        f"{level} at any time; record the owner Zoho names {OWNER_HINT}")
    missing = ["a Zoho deadline passed unmet, or production impact / business risk recorded "
               "(field business_risk)"]
    if case.sent_at is None:
        return Decision(False, "ZOHO-ESC-1",
                        "the case has not been sent to Zoho, so no Zoho deadline runs, and no "
                        "production impact or major business risk is recorded", missing=missing)
    if outside_sla(case):
        return Decision(False, "ZOHO-ESC-1",
                        "feature requests and product limitations are outside Zoho's SLA "
                        "(ZOHO-SEV-1): no deadline can pass, so escalation needs production "
                        "impact or a major business risk recorded", missing=missing)
    running = clocks(case, desk)
    passed = [c for c in running if c.passed(now)]
    if passed:
        first = passed[0]
        return Decision(True, "ZOHO-ESC-1",
                        f"the {first.name} deadline ({shown(desk, first.due)}) passed without Zoho "
                        f"meeting it: with an active support contract the desk may escalate to "
                        f"level {level}; record the owner Zoho names {OWNER_HINT}")
    ahead = [c for c in running if c.running(now)]
    due = [c for c in ahead if c.due is not None]
    if due:
        nearest = min(due, key=lambda c: c.due)
        return Decision(False, "ZOHO-ESC-1",
                        f"no Zoho deadline has passed yet and no production impact or major "
                        f"business risk is recorded: escalation opens when the {nearest.name} "
                        f"deadline passes unmet at {shown(desk, nearest.due)}",
                        earliest=nearest.due, missing=missing)
    if ahead:
        return Decision(False, "ZOHO-ESC-1",
                        "Zoho's clocks are paused while the case is pending on the customer, and no "
                        "production impact or major business risk is recorded: escalation opens "
                        "when a deadline passes unmet after the customer answers", missing=missing)
    return Decision(False, "ZOHO-ESC-1",
                    "Zoho met its acknowledgement and identification commitments on time: "
                    "escalation now needs production impact or a major business risk recorded",
                    missing=missing)
