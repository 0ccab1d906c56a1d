"""Escalation to the OnTime Japan team: after isolation (ONTIME-ESC-1), with the complete
evidence (ONTIME-ESC-2), under the desk's technical contact (ONTIME-PARTNER-1), through the
commercial chain the desk buys through. The commercial track is the core's (CORE-ESC-2)."""

from __future__ import annotations

from workbench.model import Case, Decision, Ladder, Rung
from workbench_ontime.forms import isolation, missing_evidence, platform_name, user_settings
from workbench_ontime.program import NOT_CHECKED, REPRODUCES, SETTINGS_EXPLAIN, TIER_2

ONTIME_TEAM = "OnTime Japan team"
NEEDS = ("isolation says it does not reproduce without OnTime (ONTIME-TRIAGE-1), the complete "
         "evidence (ONTIME-ESC-2) and the desk's OnTime technical contact (ONTIME-PARTNER-1)")


def _tier1(desk) -> str:
    return str(desk.setting("ontime.tier1_partner")).strip()


def _is_tier2(desk) -> bool:
    return desk.setting("ontime.partner_tier") == TIER_2


def ladder(desk) -> Ladder:
    """The technical track: the desk is first line (level 0); a tier-2 desk climbs through
    its tier-1 / distributor before the OnTime Japan team."""
    if not _is_tier2(desk):
        return Ladder([Rung(1, ONTIME_TEAM, "technical", NEEDS, "ONTIME-ESC-1")], "ONTIME-ESC-1",
                      "the desk is first line and, as a tier-1 partner, escalates to the OnTime "
                      "Japan team directly")
    tier1 = _tier1(desk)
    role = f"tier-1 partner / distributor ({tier1})" if tier1 else "tier-1 partner / distributor"
    return Ladder(
        [Rung(1, role, "technical", NEEDS, "ONTIME-ESC-1"),
         Rung(2, ONTIME_TEAM, "technical", "the tier-1 / distributor brings the case to OnTime",
              "ONTIME-ESC-1")],
        "ONTIME-ESC-1",
        "the desk is first line and, as a tier-2 reseller, escalates through the tier-1 partner / "
        "distributor it buys through",
    )


def check(case: Case, level: int, desk) -> Decision:
    """May the case climb to ``level`` of the technical track now? Each condition in turn,
    the first that fails names its rule and what is missing."""
    answered = isolation(case)
    if answered == NOT_CHECKED:
        return Decision(False, "ONTIME-TRIAGE-1",
                        "isolation is not checked yet: check whether it reproduces on "
                        f"{platform_name(case)} without OnTime first",
                        missing=["isolation: does it reproduce without OnTime?"])
    if answered == REPRODUCES:
        return Decision(False, "ONTIME-TRIAGE-1",
                        f"it reproduces on {platform_name(case)} without OnTime: the cause is on "
                        "the platform, which platform support works, and OnTime is not escalated")
    settings = user_settings(case)
    if settings == SETTINGS_EXPLAIN:
        return Decision(False, "ONTIME-TRIAGE-1",
                        "the end users' own platform settings explain the behaviour: platform "
                        "support works it, and OnTime is not escalated")
    if settings == NOT_CHECKED:
        return Decision(False, "ONTIME-TRIAGE-1",
                        "isolation covers the end users' own platform settings too (OnTime follows "
                        "them, e.g. each user's meeting-response settings), and they are not "
                        "checked yet", missing=["user_settings: do the end users' own settings "
                                                "explain it?"])
    missing = missing_evidence(case)
    if missing:
        return Decision(False, "ONTIME-ESC-2",
                        "an escalation to OnTime carries reproduction steps, browser and platform "
                        "with their versions and the environment notes; fill in what is missing",
                        missing=missing)
    contact = str(desk.setting("ontime.technical_contact")).strip()
    if not contact:
        return Decision(False, "ONTIME-PARTNER-1",
                        "escalations to OnTime go out under the desk's OnTime technical contact, "
                        "and the desk names none",
                        missing=["OnTime technical contact (setting ontime.technical_contact)"])
    if not _is_tier2(desk):
        return Decision(True, "ONTIME-ESC-1",
                        "isolated and fully evidenced: to the OnTime Japan team directly (tier-1 "
                        f"partner), under technical contact {contact}")
    tier1 = _tier1(desk)
    if not tier1:
        return Decision(False, "ONTIME-ESC-1",
                        "a tier-2 desk escalates through its tier-1 partner / distributor, and "
                        "the desk names none",
                        missing=["tier-1 partner / distributor (setting ontime.tier1_partner)"])
    if level == 1:
        return Decision(True, "ONTIME-ESC-1",
                        f"isolated and fully evidenced: to the tier-1 / distributor {tier1}, which "
                        f"brings it to the OnTime Japan team; under technical contact {contact}")
    return Decision(True, "ONTIME-ESC-1",
                    f"the tier-1 / distributor {tier1} takes the case to the OnTime Japan team, "
                    f"under technical contact {contact}")
