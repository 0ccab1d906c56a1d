"""Isolation first: the route of a case (ONTIME-TRIAGE-1, ONTIME-TRIAGE-2) and the guidance
shown with it (evidence, technical contact, paid technical support)."""

from __future__ import annotations

from workbench.model import Case, Finding, Route
from workbench_ontime.contracts import active, fee_text, has_technical_support
from workbench_ontime.forms import (
    answer,
    has_reproduction,
    isolation,
    missing_evidence,
    platform_name,
    user_settings,
)
from workbench_ontime.program import (
    DOES_NOT_REPRODUCE,
    LICENSE,
    MAINTENANCE,
    NOT_CHECKED,
    REPRODUCES,
    SETTINGS_EXPLAIN,
    SETTINGS_NOT_THE_CAUSE,
    TECHNICAL_SUPPORT,
)


def route(case: Case) -> Route:
    """The isolation answer sets path and queue; changing it re-routes the case."""
    platform = platform_name(case)
    if isolation(case) == REPRODUCES:
        who = answer(case, "platform_partner") or "the desk's platform team or the SIer that runs it"
        return Route("platform", "platform-support", "ONTIME-TRIAGE-1",
                     f"it reproduces on {platform} without OnTime: the cause is on the platform, "
                     f"so {who} works it, and OnTime is not escalated")
    if user_settings(case) == SETTINGS_EXPLAIN:
        who = answer(case, "platform_partner") or "the desk's platform team or the SIer that runs it"
        return Route("platform", "platform-support", "ONTIME-TRIAGE-1",
                     f"the end users' own settings on {platform} explain it (OnTime follows them, "
                     f"e.g. each user's meeting-response settings): {who} works it, and OnTime is "
                     "not escalated")
    if isolation(case) == DOES_NOT_REPRODUCE:
        return Route("subscription-support", "subscription-support", "ONTIME-TRIAGE-1",
                     f"it does not reproduce on {platform} without OnTime: an OnTime product "
                     "question, worked by the desk as first line and escalated to OnTime once the "
                     "evidence is complete")
    return Route("self-service", "triage", "ONTIME-TRIAGE-2",
                 "isolation is not checked yet, so the case waits in triage (ONTIME-TRIAGE-1); "
                 "most OnTime questions are 'does not behave as expected', answered from the "
                 "OnTime manual / FAQ and the platform settings")


def findings(case: Case, desk) -> list[Finding]:
    """What the desk should know or do next on this case, each with its rule."""
    return _user_settings(case) + _triage(case, desk) + _paid_support(case, desk)


SHOWN_SETTINGS = {
    NOT_CHECKED: "not checked yet: isolation covers them too, check them before OnTime is asked",
    SETTINGS_EXPLAIN: "they explain the behaviour: a platform matter, not OnTime's",
    SETTINGS_NOT_THE_CAUSE: "checked, they do not explain the behaviour",
}


def _user_settings(case: Case) -> list[Finding]:
    """ONTIME-TRIAGE-1: the case shows where the end users' own platform settings stand."""
    answered = user_settings(case)
    level = "warning" if answered == NOT_CHECKED and isolation(case) == DOES_NOT_REPRODUCE else "info"
    return [Finding(level, "ONTIME-TRIAGE-1",
                    "the end users' own platform settings (OnTime follows them, e.g. each user's "
                    f"meeting-response settings): {SHOWN_SETTINGS[answered]}", "user_settings")]


def _triage(case: Case, desk) -> list[Finding]:
    answered = isolation(case)
    platform = platform_name(case)
    if answered == NOT_CHECKED:
        return [Finding("info", "ONTIME-TRIAGE-2",
                        "check the OnTime manual / FAQ and the platform settings first, then "
                        f"whether the behaviour reproduces on {platform} without OnTime", "isolation")]
    if not answer(case, "platform"):
        return [Finding("error", "ONTIME-TRIAGE-1",
                        "isolation is checked on the customer's calendar platform: name the "
                        "platform the answer was checked on", "platform")]
    if answered == REPRODUCES:
        if answer(case, "platform_partner"):
            return []
        return [Finding("warning", "ONTIME-TRIAGE-1",
                        "name who supports the platform (the desk's platform team or the SIer that "
                        "runs it): platform troubleshooting starts with them", "platform_partner")]
    found = []
    missing = missing_evidence(case)
    if missing:
        found.append(Finding("warning", "ONTIME-ESC-2",
                             "an escalation to OnTime is refused until the evidence is complete; "
                             "missing: " + ", ".join(missing)))
    if not str(desk.setting("ontime.technical_contact")).strip():
        found.append(Finding("warning", "ONTIME-PARTNER-1",
                             "the desk names no OnTime technical contact (setting "
                             "ontime.technical_contact): escalation to OnTime is refused"))
    if not active(desk, case.customer_id, MAINTENANCE, desk.today()):
        found.append(Finding("warning", "ONTIME-PROD-1",
                             "the customer holds no active maintenance: fixes and new versions of "
                             "OnTime come with maintenance"))
    return found


def _paid_support(case: Case, desk) -> list[Finding]:
    """ONTIME-PAID-1: offer paid technical support, or say that this report is not charged."""
    today = desk.today()
    if has_technical_support(desk, case.customer_id, today):
        return []
    if isolation(case) != NOT_CHECKED and has_reproduction(case):
        return [Finding("info", "ONTIME-PAID-1",
                        "not charged: the report already carries isolation and reproduction steps")]
    if case.fields.get("customer_can_isolate") is not False or answer(case, "platform_partner"):
        return []
    reason = ("offer paid technical support: the customer cannot do the isolation, has no platform "
              "partner and holds no technical-support contract")
    licences = active(desk, case.customer_id, LICENSE, today)
    if not licences:
        return [Finding("info", "ONTIME-PAID-1",
                        f"{reason}; its fee is 15 % of the licence list price a year, and no active "
                        "OnTime licence is on file to quote from")]
    fees = "; ".join(fee_text(TECHNICAL_SUPPORT, licence) for licence in licences)
    text = f"{reason}; technical support costs {fees}"
    if not active(desk, case.customer_id, MAINTENANCE, today):
        text += ("; it is sold only with active maintenance (ONTIME-PROD-2), which costs "
                 + "; ".join(fee_text(MAINTENANCE, licence) for licence in licences))
    return [Finding("info", "ONTIME-PAID-1", text)]
