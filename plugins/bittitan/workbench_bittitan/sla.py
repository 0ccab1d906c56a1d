"""BitTitan's answer times (BT-SLA-1).

Both clocks start when the desk files the ticket with BitTitan ("Submit a Request"), that
is when the case is sent to the vendor: BitTitan's 24 hours run "from the ticket", and
before the desk files it BitTitan has no ticket. Time pending on the customer is left out
(CORE-SLA-1).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DeskReader
from workbench.calendar import TWENTY_FOUR_SEVEN, Calendar, end_of_next_business_day, weekdays
from workbench.model import Case, Commitment
from workbench_bittitan.program import SUCCESS_QUEUE, SUPPORT_QUEUE, region_timezone

SUPPORT_ANSWER_HOURS = 24
SUPPORT_ANSWER = "BitTitan support answer"
SUCCESS_TARGET = "BitTitan customer success target"


def shown(desk: DeskReader, at: datetime) -> str:
    """An instant as the desk reads it, e.g. "Wed 2026-11-25 10:00 JST"."""
    return at.astimezone(desk.timezone()).strftime("%a %Y-%m-%d %H:%M %Z")


def success_calendar(desk: DeskReader, region: str) -> Calendar:
    """Customer success's Monday–Friday 09:00–17:00 in the support region's time zone; the
    source names no holidays, so none are taken off."""
    tz = region_timezone(desk, region)
    return weekdays(tz, "09:00", "17:00",
                    name=f"BitTitan {region} business hours (Mon–Fri 09:00–17:00 {tz})")


def support_answer(case: Case) -> Commitment:
    """Customer support's answer: 24 hours on the 24x7 clock from the ticket."""
    return Commitment(
        name=SUPPORT_ANSWER,
        start=case.sent_at,
        minutes=SUPPORT_ANSWER_HOURS * 60,
        calendar=TWENTY_FOUR_SEVEN.to_dict(),
        rule="BT-SLA-1",
        reason="customer support answers by e-mail within 24 hours of the ticket, every day of "
               "the week; the clock runs from when the desk filed the ticket",
        met_by=["vendor-reply"],
    )


def success_target(case: Case, desk: DeskReader) -> Commitment:
    """Customer success's target: the end of the next business day in the region."""
    calendar = success_calendar(desk, str(case.fields.get("region", "")))
    due = end_of_next_business_day(calendar, case.sent_at)
    minutes = int(calendar.elapsed(case.sent_at, due) // timedelta(minutes=1))
    return Commitment(
        name=SUCCESS_TARGET,
        start=case.sent_at,
        minutes=minutes,
        target_minutes=minutes,
        calendar=calendar.to_dict(),
        rule="BT-SLA-1",
        reason="customer success makes no response commitment: its target is the end of the "
               "next business day in the support region, with no urgent handling",
        met_by=["vendor-reply"],
    )


def commitments(case: Case, desk: DeskReader) -> list[Commitment]:
    """The clock of the team the case is routed to, once the ticket is filed."""
    if case.sent_at is None:
        return []
    if case.queue == SUPPORT_QUEUE:
        return [support_answer(case)]
    if case.queue == SUCCESS_QUEUE:
        return [success_target(case, desk)]
    return []
