"""Zoho's commitments to the desk (ZOHO-SLA-1, ZOHO-SLA-2): the acknowledgement, counted from
when the desk sent the case, and issue identification, an update interval that runs again
every time Zoho holds the ball after one of its responses.

ZOHO-SLA-1 states both as Zoho's *averages*; on one case the product takes the upper bound as
the deadline of each wait and the lower bound as its target. The averages themselves are
measured over many cases in :mod:`workbench_zoho.measure` (ZOHO-SLA-3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from workbench import DeskReader
from workbench.calendar import TWENTY_FOUR_SEVEN, Calendar, Pause, twenty_four_five
from workbench.model import Case, Commitment, Event
from workbench_zoho.intake import CRITICAL_CATEGORIES, category, outside_sla
from workbench_zoho.program import desk_region, timezone_key

HOURS = 60

SLA_HOURS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "1": ((1, 3), (2, 8)),
    "2": ((6, 12), (24, 48)),
    "3": ((16, 24), (48, 72)),
}
"""Severity -> ((acknowledgement low, high), (identification low, high)) in business hours."""

ACKNOWLEDGEMENT = "Zoho acknowledgement"
IDENTIFICATION = "Zoho issue identification"


def sla_calendar(case: Case, desk: DeskReader) -> tuple[Calendar, str, str]:
    """The calendar Zoho's clock runs on for ``case``, the rule that picks it, and why."""
    about = category(case)
    if is_critical(case):
        return (TWENTY_FOUR_SEVEN, "ZOHO-SLA-2",
                f"a severity-1 {about} case runs 24x7, because Zoho works weekends for downtime, "
                "outage and sign-in problems")
    region = desk_region(desk)
    tz = desk.setting(timezone_key(region.id))
    return (twenty_four_five(tz), "ZOHO-SLA-1",
            f"counted in business time on the 24x5 calendar (Monday 00:00 to Friday 24:00, no "
            f"holidays off) of the desk's Zoho region {region.id}, {tz}")


def is_critical(case: Case) -> bool:
    """A severity-1 downtime, outage or sign-in case (ZOHO-SLA-2, ZOHO-STATUS-1, ZOHO-ESC-1)."""
    return case.fields.get("severity") == "1" and category(case) in CRITICAL_CATEGORIES


def waits(case: Case, events: list[Event]) -> list[tuple[str, datetime]]:
    """Each wait on Zoho, as (commitment name, start): the acknowledgement from the first
    send, then one identification window from every send that hands the case back to Zoho
    after one of its responses (a Zoho response hands the ball to the desk; the window runs
    again once Zoho holds it again)."""
    if case.sent_at is None:
        return []
    found = [(ACKNOWLEDGEMENT, case.sent_at)]
    answered = False
    for event in events:
        if event.at < case.sent_at:
            continue
        if event.action == "vendor-reply":
            answered = True
        elif event.action == "send" and answered:
            found.append((IDENTIFICATION, event.at))
            answered = False
    return found


def commitments(case: Case, desk: DeskReader) -> list[Commitment]:
    """Every wait on Zoho as a commitment: due at the upper bound, the lower bound as target,
    met by Zoho's next response.

    None before the case is sent to Zoho (the clock starts then), and none for feature
    requests and product limitations (outside the SLA, ZOHO-SEV-1).
    """
    chosen = case.fields.get("severity")
    if case.sent_at is None or outside_sla(case) or chosen not in SLA_HOURS:
        return []
    calendar, rule, why = sla_calendar(case, desk)
    common = (f"{why}; Zoho states it as an average: on this case the upper bound is the "
              "deadline and the lower the target, the same for every partner tier; time pending "
              "on the customer is left out")
    (ack_low, ack_high), (id_low, id_high) = SLA_HOURS[chosen]
    found = []
    for name, start in waits(case, desk.events("cases", case.id)):
        if name == ACKNOWLEDGEMENT:
            low, high = ack_low, ack_high
            what = (f"Zoho's first response comes within {ack_low}–{ack_high} h of the desk "
                    "sending the case")
        else:
            low, high = id_low, id_high
            what = (f"issue identification: Zoho's next response comes within {id_low}–{id_high} "
                    "h of the case being back with Zoho, an interval that restarts after every "
                    "Zoho response")
        found.append(Commitment(
            name=name, start=start, minutes=high * HOURS, target_minutes=low * HOURS,
            calendar=calendar.to_dict(), rule=rule,
            reason=f"severity {chosen}: {what}; {common}", met_by=["vendor-reply"],
        ))
    return found


@dataclass(frozen=True)
class ZohoClock:
    """One wait on Zoho as the desk counts it: its start, due time (``None`` while paused)
    and when Zoho's response met it."""

    name: str
    start: datetime
    due: datetime | None
    met_at: datetime | None

    def passed(self, now: datetime) -> bool:
        """Whether the wait's window has run out (``due`` reached), answered or not."""
        return self.due is not None and now >= self.due

    def unanswered(self, now: datetime) -> bool:
        """Whether the window ran out with no Zoho response inside it."""
        if self.due is None:
            return False
        if self.met_at is not None:
            return self.met_at > self.due
        return now >= self.due


def clocks(case: Case, desk: DeskReader) -> list[ZohoClock]:
    """Zoho's waits on ``case`` as the desk counts them (pauses left out)."""
    found = commitments(case, desk)
    if not found:
        return []
    events = desk.events("cases", case.id)
    pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
    result = []
    for commitment in found:
        calendar = Calendar.from_dict(commitment.calendar)
        due = calendar.add(commitment.start, timedelta(minutes=commitment.minutes), pauses)
        met_at = next((e.at for e in events
                       if e.at >= commitment.start and e.action == "vendor-reply"), None)
        result.append(ZohoClock(commitment.name, commitment.start, due, met_at))
    return result


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def shown(desk: DeskReader, instant: datetime) -> str:
    """An instant in the desk's time zone, for a reason in words."""
    return instant.astimezone(ZoneInfo(desk.setting("desk.timezone"))).strftime("%Y-%m-%d %H:%M %Z")
