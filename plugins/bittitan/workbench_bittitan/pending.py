"""BitTitan's pending clock on *its* ticket, running against the desk (BT-PENDING-1).

When BitTitan asks the ticket's submitter (the desk, for its customer) for feedback, details
or confirmation, it sets its ticket ``pending``; after 72 hours without an answer BitTitan
closes the ticket (``pending-timeout``), and its system e-mails two warnings to the ticket's
address first (expected at 24 h and 48 h, settings). So a BitTitan reply that asks starts a
deadline *for the desk*: answer BitTitan (``case send``) within 72 hours. It runs on the wall
clock, also while the desk waits on its own customer for the answer.

BitTitan asked when:

- a vendor reply names the milestone ``pending`` (BitTitan set its ticket pending), or
- the desk went pending on its own customer after a BitTitan reply, before answering BitTitan:
  it is fetching what BitTitan asked for. (Cases a desk had pending under the earlier reading
  of this rule get their deadline this way, from the BitTitan reply before the pending spell.)

When the 72 hours pass, the sweep records that BitTitan closed its ticket and the case says
to reply to it or file a new one; the desk's own case with its customer stays open. Closing
the desk's case after waiting on its customer is the desk's own policy (core setting
``core.pending_close_hours``), not this rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DeskReader
from workbench.calendar import TWENTY_FOUR_SEVEN
from workbench.model import Action, Case, Commitment, Event, Finding
from workbench_bittitan.sla import shown

CLOSE_AFTER = timedelta(hours=72)
TIMEOUT = "pending-timeout"
ASKED = "pending"
"""The milestone of a vendor reply with which BitTitan set its ticket pending."""
ANSWER = "answer BitTitan before its ticket closes"


def asks(case: Case, events: list[Event]) -> list[datetime]:
    """When BitTitan asked the desk for something, one instant per ask: a reply with the
    milestone ``pending``, or a reply the desk followed by going pending on its customer
    before it answered BitTitan."""
    found: list[datetime] = []
    reply: Event | None = None
    for event in events:
        if event.action == "vendor-reply":
            reply = event
            if event.data.get("milestone") == ASKED:
                found.append(event.at)
        elif event.action == "send":
            reply = None
        elif event.action == "pending" and reply is not None:
            if reply.at not in found:
                found.append(reply.at)
            reply = None
    return found


def warning_hours(desk: DeskReader) -> tuple[float, float]:
    """When BitTitan's two warning e-mails are expected, in hours after it asked."""
    return (float(desk.setting("bittitan.first_warning_hours")),
            float(desk.setting("bittitan.second_warning_hours")))


def commitments(case: Case, desk: DeskReader, events: list[Event]) -> list[Commitment]:
    """One 72-hour deadline for the desk per BitTitan ask, met by the desk's next send."""
    first, second = warning_hours(desk)
    found = []
    for asked in asks(case, events):
        found.append(Commitment(
            name=ANSWER, start=asked, minutes=int(CLOSE_AFTER.total_seconds() // 60),
            calendar=TWENTY_FOUR_SEVEN.to_dict(), rule="BT-PENDING-1",
            reason=(f"BitTitan asked for feedback, details or confirmation at {shown(desk, asked)} "
                    "and set its ticket pending: without the desk's answer (case send) within 72 "
                    f"hours BitTitan closes its ticket (pending-timeout); its warning e-mails are "
                    f"expected at {shown(desk, asked + timedelta(hours=first))} and "
                    f"{shown(desk, asked + timedelta(hours=second))}; it runs while the desk waits "
                    "on its own customer"),
            met_by=["send"], pauses=False,
        ))
    return found


def _answered(events: list[Event], asked: datetime) -> datetime | None:
    return next((e.at for e in events if e.at >= asked and e.action == "send"), None)


def findings(case: Case, desk: DeskReader) -> list[Finding]:
    """The warnings BitTitan's system sends while an ask is open, and its close once the 72
    hours passed without the desk's answer."""
    if not case.is_open:
        return []
    events = desk.events("cases", case.id)
    now = desk.now()
    found = []
    for asked in asks(case, events):
        if _answered(events, asked) is not None:
            continue
        closes = asked + CLOSE_AFTER
        if now >= closes:
            found.append(Finding("warning", "BT-PENDING-1",
                                 f"BitTitan closed its ticket by pending-timeout at "
                                 f"{shown(desk, closes)}: no answer within 72 hours of its question "
                                 f"of {shown(desk, asked)}. Reply to BitTitan's ticket (case send) "
                                 "or file a new ticket; this case with the customer stays open"))
            continue
        warnings = [asked + timedelta(hours=h) for h in warning_hours(desk)]
        expected = "; ".join(f"warning {n} {'sent' if now >= at else 'expected'} "
                             f"{shown(desk, at)}" for n, at in enumerate(warnings, 1))
        found.append(Finding("info", "BT-PENDING-1",
                             f"BitTitan waits for the desk's answer since {shown(desk, asked)}: "
                             f"its ticket closes {shown(desk, closes)} without one ({expected} to "
                             f"{case.fields.get('account_email', 'the ticket address')})"))
    return found


def sweep(case: Case, desk: DeskReader, now: datetime) -> list[Action]:
    """Once per ask whose 72 hours passed unanswered: record that BitTitan closed its ticket."""
    events = desk.events("cases", case.id)
    actions = []
    for asked in asks(case, events):
        closes = asked + CLOSE_AFTER
        answered = _answered(events, asked)
        if now < closes or (answered is not None and answered <= closes):
            continue
        actions.append(Action(
            "note", f"bt-ticket-closed:{asked.isoformat()}", "BT-PENDING-1",
            f"BitTitan closed its ticket by pending-timeout at {shown(desk, closes)}: the desk did "
            f"not answer its question of {shown(desk, asked)} within 72 hours. Reply to BitTitan's "
            "ticket or file a new one; this case with the customer stays open",
            {"ticket_close_reason": TIMEOUT, "asked_at": asked.isoformat(),
             "closed_at": closes.isoformat()}))
    return actions
