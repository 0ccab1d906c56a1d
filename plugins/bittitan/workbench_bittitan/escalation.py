"""BitTitan's support ladder (BT-ESC-1).

Level 0 is the software support representative who answers every triaged ticket; level 1
the software support engineer of the region nearest the user (Monday–Friday, so weekend
escalation is limited); level 2 the escalation engineers working with the development team,
whose review needs at least 24 hours. Only customer support tickets climb it: customer
success answers guidance and has no ladder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DeskReader
from workbench.calendar import TWENTY_FOUR_SEVEN, Pause, twenty_four_five
from workbench.model import Case, Decision, Finding, Ladder, Rung
from workbench_bittitan.program import SUPPORT_QUEUE, region_timezone
from workbench_bittitan.sla import SUPPORT_ANSWER_HOURS, shown

REPRESENTATIVE, ENGINEER, DEVELOPERS = 0, 1, 2
DEVELOPER_REVIEW = timedelta(hours=24)


def ladder(case: Case) -> Ladder:
    region = case.fields.get("region", "")
    return Ladder(
        rungs=[
            Rung(REPRESENTATIVE, "software support representative", "technical",
                 "a triaged ticket: the representative answers it first", "BT-ESC-1"),
            Rung(ENGINEER, f"software support engineer, {region} region (Monday–Friday)",
                 "technical", "the representative's answer, or its 24 hours passed without one; "
                 "weekend escalation is limited", "BT-ESC-1"),
            Rung(DEVELOPERS, "escalation engineers with the development team", "technical",
                 "an engineer's case; the developers' review needs at least 24 hours", "BT-ESC-1"),
        ],
        rule="BT-ESC-1",
        reason="BitTitan's two-tier support model, then the escalation engineers",
    )


def weekend_note(case: Case, desk: DeskReader, *moments: datetime) -> str:
    """The weekend limitation, when any of ``moments`` falls on the region's weekend."""
    tz = region_timezone(desk, str(case.fields.get("region", "")))
    week = twenty_four_five(tz)
    weekend = [m for m in moments if not week.is_open(m)]
    if not weekend:
        return ""
    back = week.next_open(weekend[0])
    return (f"; the region's engineers work Monday–Friday ({tz}), so weekend escalation is "
            f"limited: expect them from {shown(desk, back)}")


def check(case: Case, level: int, desk: DeskReader, now: datetime) -> Decision:
    """May the ticket climb to ``level`` now (CORE-ESC-1 with BT-ESC-1's conditions)?"""
    if case.queue != SUPPORT_QUEUE:
        return Decision(False, "BT-ESC-1",
                        "customer success answers guidance and has no escalation ladder; if "
                        "something is broken, answer the form's routing questions so the case "
                        "goes to customer support (BT-ROUTE-2)")
    if case.sent_at is None:
        return Decision(False, "BT-ESC-1",
                        "BitTitan escalates only a ticket it has triaged: send the case to "
                        "BitTitan first", missing=["ticket filed with BitTitan"])
    if level == ENGINEER:
        return _to_engineer(case, desk, now)
    answer = now + DEVELOPER_REVIEW
    return Decision(True, "BT-ESC-1",
                    "the escalation engineers take the case to the development team, whose "
                    f"review needs at least 24 hours: earliest answer {shown(desk, answer)}"
                    + weekend_note(case, desk, now, answer))


def _to_engineer(case: Case, desk: DeskReader, now: datetime) -> Decision:
    """Level 1 follows the representative's triage: after their answer, or once the 24-hour
    answer is overdue."""
    answered = any(e.action == "vendor-reply" and e.at >= case.sent_at
                   for e in desk.events("cases", case.id))
    due = TWENTY_FOUR_SEVEN.add(case.sent_at, timedelta(hours=SUPPORT_ANSWER_HOURS),
                                _pauses(case))
    if not answered and (due is None or now < due):
        when = (f"its answer is due {shown(desk, due)}" if due
                else "its clock is paused while the case waits on the customer")
        return Decision(False, "BT-ESC-1",
                        "the software support representative answers a triaged ticket first "
                        f"and escalates what needs complex investigation; {when}", earliest=due)
    why = ("the representative has answered" if answered
           else "the representative's 24-hour answer is overdue")
    return Decision(True, "BT-ESC-1",
                    f"{why}: the {case.fields.get('region', '')} region's software support "
                    "engineer takes a case that needs complex investigation"
                    + weekend_note(case, desk, now))


def developer_review_findings(case: Case, desk: DeskReader) -> list[Finding]:
    """On a case at level 2 that has no answer since: its earliest answer (BT-ESC-1)."""
    escalation = next((e for e in reversed(case.escalations)
                       if e.track == "technical" and e.level == DEVELOPERS), None)
    if escalation is None or not case.is_open:
        return []
    if any(e.action == "vendor-reply" and e.at >= escalation.at
           for e in desk.events("cases", case.id)):
        return []
    answer = escalation.at + DEVELOPER_REVIEW
    return [Finding("info", "BT-ESC-1",
                    f"with the escalation engineers since {shown(desk, escalation.at)}: the "
                    f"developers' review needs at least 24 hours, earliest answer "
                    f"{shown(desk, answer)}" + weekend_note(case, desk, escalation.at, answer))]


def _pauses(case: Case) -> list[Pause]:
    return [Pause(datetime.fromisoformat(p["start"]),
                  datetime.fromisoformat(p["end"]) if p.get("end") else None)
            for p in case.pauses]
