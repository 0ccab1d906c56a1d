"""Zoho's commitments to the desk (ZOHO-SLA-1, ZOHO-SLA-2): acknowledgement and issue
identification, counted from when the desk sent the case to Zoho."""

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
    if case.fields.get("severity") == "1" and about in CRITICAL_CATEGORIES:
        return (TWENTY_FOUR_SEVEN, "ZOHO-SLA-2",
                f"a severity-1 {about} case runs 24x7, because Zoho works weekends for downtime, "
                "outage and sign-in problems")
    region = desk_region(desk)
    tz = desk.setting(timezone_key(region.id))
    return (twenty_four_five(tz), "ZOHO-SLA-1",
            f"counted in business time on the 24x5 calendar (Monday 00:00 to Friday 24:00, no "
            f"holidays off) of the desk's Zoho region {region.id}, {tz}")


def commitments(case: Case, desk: DeskReader) -> list[Commitment]:
    """Acknowledgement and identification, due at the upper bound with the lower as target.

    None before the case is sent to Zoho (the clock starts then), and none for feature
    requests and product limitations (outside the SLA, ZOHO-SEV-1).
    """
    chosen = case.fields.get("severity")
    if case.sent_at is None or outside_sla(case) or chosen not in SLA_HOURS:
        return []
    calendar, rule, why = sla_calendar(case, desk)
    common = (f"counted from when the desk sent the case to Zoho; {why}; the upper bound is "
              "the deadline and the lower the target, the same for every partner tier; time "
              "pending on the customer is left out")
    (ack_low, ack_high), (id_low, id_high) = SLA_HOURS[chosen]
    return [
        Commitment(
            name=ACKNOWLEDGEMENT, start=case.sent_at, minutes=ack_high * HOURS,
            target_minutes=ack_low * HOURS, calendar=calendar.to_dict(), rule=rule,
            reason=f"severity {chosen}: Zoho acknowledges within {ack_low}–{ack_high} h, {common}",
            met_by=["vendor-reply"],
        ),
        Commitment(
            name=IDENTIFICATION, start=case.sent_at, minutes=id_high * HOURS,
            target_minutes=id_low * HOURS, calendar=calendar.to_dict(), rule=rule,
            reason=f"severity {chosen}: Zoho identifies the issue within {id_low}–{id_high} h, "
            f"{common}; met by a reply with the milestone 'identified'",
            met_by=["vendor-reply:identified"],
        ),
    ]


@dataclass(frozen=True)
class ZohoClock:
    """Where one of Zoho's commitments stands: its due time (``None`` while paused) and when
    it was met."""

    name: str
    due: datetime | None
    met_at: datetime | None

    def passed(self, now: datetime) -> bool:
        """Whether the deadline passed unmet: reached without being met, or met late."""
        if self.due is None:
            return False
        if self.met_at is not None:
            return self.met_at > self.due
        return now >= self.due

    def running(self, now: datetime) -> bool:
        """Whether the deadline is still ahead and unmet."""
        return self.met_at is None and (self.due is None or now < self.due)


def clocks(case: Case, desk: DeskReader) -> list[ZohoClock]:
    """Zoho's commitments on ``case`` as the desk counts them (pauses left out)."""
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
                       if e.at >= commitment.start and _meets(e, commitment.met_by)), None)
        result.append(ZohoClock(commitment.name, due, met_at))
    return result


def _meets(event: Event, met_by: list[str]) -> bool:
    return (event.action in met_by
            or f"{event.action}:{event.data.get('milestone', '')}" in met_by)


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def shown(desk: DeskReader, instant: datetime) -> str:
    """An instant in the desk's time zone, for a reason in words."""
    return instant.astimezone(ZoneInfo(desk.setting("desk.timezone"))).strftime("%Y-%m-%d %H:%M %Z")
