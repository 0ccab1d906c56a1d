"""How a vendor kept its commitments, measured over the desk's cases.

Some vendors state their response times as averages (Zoho's acknowledgement and issue
identification, ZOHO-SLA-1): whether they keep them shows only over many cases (ZOHO-SLA-3).
Per month (of the wait's start, in the desk's time zone), severity and commitment: how many
waits were answered, the average, median and worst time to the vendor's answer in business
minutes on the commitment's own calendar (time pending on the customer left out where the
commitment says so), beside the commitment's target and deadline, with the cases behind each
figure; waits whose deadline passed with no answer are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workbench.calendar import Calendar, Pause
from workbench.desk.deadlines import meets
from workbench.desk.records import flatten, key_number
from workbench.errors import BadInput
from workbench.model import Record

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


@dataclass
class CommitmentFigures(Record):
    """One month, severity and commitment of a vendor, measured."""

    month: str
    severity: str
    commitment: str
    rule: str
    target_minutes: int | None
    due_minutes: int
    answered: int
    average_minutes: int | None
    median_minutes: int | None
    worst_minutes: int | None
    worst_case: str | None
    cases: list[str] = field(default_factory=list)
    unanswered_cases: list[str] = field(default_factory=list)
    """Waits whose deadline passed with no answer yet (not in the figures)."""

    @property
    def average_within(self) -> bool | None:
        """Whether the average answer came within the commitment's deadline."""
        return None if self.average_minutes is None else self.average_minutes <= self.due_minutes


@dataclass
class VendorTimes(Record):
    vendor: str
    rule: str
    reason: str
    month: str | None
    rows: list[CommitmentFigures]


def vendor_times(desk: Desk, vendor: str, month: str | None = None) -> VendorTimes:
    """The vendor's answer times per month, severity and commitment (see the module)."""
    program = desk.program(vendor)
    if month is not None:
        try:
            datetime.strptime(month, "%Y-%m")
        except ValueError:
            raise BadInput("month", f"{month!r} is not a month YYYY-MM") from None
    tz = desk.timezone()
    now = desk.now()
    groups: dict[tuple[str, str, str], dict] = {}
    for case in desk.cases(vendor=vendor):
        events = desk.events("cases", case.id)
        pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
        commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
        for commitment in commitments:
            if commitment.clock != "vendor":
                continue
            when = commitment.start.astimezone(tz).strftime("%Y-%m")
            if month is not None and when != month:
                continue
            calendar = Calendar.from_dict(commitment.calendar)
            counted = pauses if commitment.pauses else []
            group = groups.setdefault(
                (when, case.severity or "-", commitment.name),
                {"commitment": commitment, "answered": [], "unanswered": []},
            )
            answer = next(
                (e.at for e in events if e.at >= commitment.start and meets(e, commitment.met_by)), None
            )
            if answer is None:
                due = calendar.add(commitment.start, timedelta(minutes=commitment.minutes), counted)
                if due is not None and now >= due:
                    group["unanswered"].append(case.id)
                continue
            minutes = int(calendar.elapsed(commitment.start, answer, counted) // timedelta(minutes=1))
            group["answered"].append((minutes, case.id))
    import statistics  # 10 ms to import (fractions, decimal): only for the vendor figures

    rows = []
    for (when, severity, name), group in sorted(groups.items()):
        commitment = group["commitment"]
        answered = group["answered"]
        times = [m for m, _ in answered]
        rows.append(
            CommitmentFigures(
                month=when,
                severity=severity,
                commitment=name,
                rule=commitment.rule,
                target_minutes=commitment.target_minutes,
                due_minutes=commitment.minutes,
                answered=len(times),
                average_minutes=round(statistics.fmean(times)) if times else None,
                median_minutes=round(statistics.median(times)) if times else None,
                worst_minutes=max(times) if times else None,
                worst_case=max(answered)[1] if answered else None,
                cases=sorted({key for _, key in answered}, key=key_number),
                unanswered_cases=sorted(set(group["unanswered"]), key=key_number),
            )
        )
    rule = program.measure_rule or "CORE-SLA-4"
    return VendorTimes(
        vendor=vendor,
        rule=rule,
        reason=f"{program.name}'s answer times measured over the desk's cases: per month and severity, "
        "the average, median and worst business time to the vendor's answer beside each commitment, "
        "with the cases behind each figure",
        month=month,
        rows=rows,
    )


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None
