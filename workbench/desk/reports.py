"""Reports a lead can take to a vendor: whether each vendor kept its commitments (and, for
Zoho, its averages, ZOHO-SLA-3), the desk's own commitments (CORE-SLA-3) per vendor and per
agent, the backlog and open escalations, renewals and orders coming due.

The month's cases come from the store's index of cases by the day they were sent
(``within=("sent_at", …)``); a closed case's clocks are the outcomes frozen at its close, so
only the open cases of the period have their deadlines worked out. Every figure carries the
IDs of the cases behind it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from workbench.calendar import Calendar
from workbench.desk.records import flatten
from workbench.errors import BadInput
from workbench.model import Case, Deadline, VendorProgram

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

KEPT = ("met",)
LATE = ("met-late", "breached")
RUNNING = ("ok", "at-risk", "paused")
AGE_BANDS = ((2, "0-2 days"), (7, "3-7 days"), (30, "8-30 days"), (None, "over 30 days"))
RENEWAL_BANDS = ((30, "within 30 days"), (60, "31-60 days"), (90, "61-90 days"))


def period(
    desk: Desk, month: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[date, date]:
    """The report's days, first and last, from ``month`` (``2026-11``) or ``start`` /
    ``end`` (ISO dates, both included); the desk's current month when none is given."""
    try:
        if month is not None:
            first = date.fromisoformat(f"{month}-01")
            following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            return first, following - timedelta(days=1)
        today = desk.today()
        first = date.fromisoformat(start) if start else today.replace(day=1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise BadInput("month" if month is not None else "from/to", "expects YYYY-MM or YYYY-MM-DD") from None
    if last < first:
        raise BadInput("to", f"{last} is before {first}")
    return first, last


def sent_between(desk: Desk, first: date, last: date) -> list[Case]:
    """The cases sent to their vendor on the desk's days ``first`` to ``last``, from the
    store's index by day sent."""
    tz = desk.timezone()
    after = datetime.combine(first, time.min, tz) - timedelta(microseconds=1)
    until = datetime.combine(last, time.max, tz)
    return [Case.from_dict(r) for r in desk.store.all("cases", within=("sent_at", after, until))]


def clocks_of(desk: Desk, cases: list[Case], windows: bool = False) -> list[tuple[Case, list[Deadline]]]:
    """Each case with its clocks: a closed case's frozen outcomes, an open case's deadlines
    at the desk clock (worked out in one batch) and, with ``windows``, the earlier windows
    of its clocks that start again (the desk's update clock: a breach stays, CORE-SLA-2)."""
    batch = desk.read_batch()
    open_cases = [c for c in cases if c.is_open]
    worked = dict(zip((c.id for c in open_cases), batch.deadlines_for(open_cases), strict=True))
    if windows:
        for case in open_cases:
            worked[case.id] = worked[case.id] + batch.earlier_windows(case)
    return [(case, case.outcomes if not case.is_open else worked[case.id]) for case in cases]


GROUPINGS = ("severity", "kind")
"""What the vendor report groups a vendor's month by: the case's severity, or its kind (the
field its program names, ``VendorProgram.kind_field``)."""


def vendor_report(
    desk: Desk, first: date, last: date, vendor: str | None = None, by: str = "severity"
) -> dict[str, Any]:
    """Vendor commitments kept over the cases sent from ``first`` to ``last``: per vendor,
    month (of the day sent), severity or kind (``by``) and commitment, how many waits were
    met, late or still running, the average, median and worst business minutes taken
    against the commitment (and its target, the lower bound of Zoho's windows, ZOHO-SLA-3),
    with the cases behind each figure."""
    if by not in GROUPINGS:
        raise BadInput("by", f"expects one of {', '.join(GROUPINGS)}, not {by!r}")
    cases = [c for c in sent_between(desk, first, last) if vendor is None or c.vendor == vendor]
    tz = desk.timezone()
    calendars = _Calendars(desk)
    programs = desk.programs()
    groups: dict[tuple, dict[str, Any]] = {}
    for case, deadlines in clocks_of(desk, cases):
        month = case.sent_at.astimezone(tz).strftime("%Y-%m")
        group_of = _severity(case) if by == "severity" else _kind(case, programs.get(case.vendor))
        for deadline in deadlines:
            if deadline.clock != "vendor" or deadline.start is None:
                continue
            key = (case.vendor, month, group_of, deadline.name)
            group = groups.setdefault(
                key,
                {
                    "vendor": case.vendor,
                    "month": month,
                    by: group_of,
                    "commitment": deadline.name,
                    "rule": deadline.rule,
                    "commitment_minutes": deadline.minutes,
                    "target_minutes": None,
                    "taken": [],
                    "met": [],
                    "late": [],
                    "running": [],
                    "stopped": [],
                },
            )
            if deadline.target is not None and deadline.due is not None:
                group["target_minutes"] = _counted_at(calendars, case, deadline, deadline.target)
            if deadline.state in KEPT:
                group["met"].append(case.id)
            elif deadline.state in LATE:
                group["late"].append(case.id)
            elif deadline.state in RUNNING:
                group["running"].append(case.id)
            else:
                group["stopped"].append(case.id)
            if deadline.met_at is not None and deadline.due is not None:
                group["taken"].append((_counted_at(calendars, case, deadline, deadline.met_at), case.id))
    rows = [
        {
            **_measured(group),
            "measure_rule": programs[group["vendor"]].measure_rule if group["vendor"] in programs else "",
        }
        for _, group in sorted(groups.items())
    ]
    return {"from": first.isoformat(), "to": last.isoformat(), "rule": "ZOHO-SLA-3", "by": by, "rows": rows}


def _severity(case: Case) -> str:
    return case.severity or str(case.fields.get("severity", "")) or "-"


def _kind(case: Case, program: VendorProgram | None) -> str:
    """What the case is about: its program's kind field (``VendorProgram.kind_field``)."""
    return str(case.fields.get(program.kind_field if program else "kind", "")) or "-"


def attainment_by_month(desk: Desk, first: date, last: date) -> dict[str, Any]:
    """Per vendor and month (of the day sent) from ``first`` to ``last``: how many of the
    vendor's commitments were met and how many late (met late or breached), their share
    kept, and the cases behind them — the trend a lead shows a vendor (ZOHO-SLA-3's
    measure, every vendor), counted as :func:`vendor_report` counts them."""
    tz = desk.timezone()
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for case, deadlines in clocks_of(desk, sent_between(desk, first, last)):
        month = case.sent_at.astimezone(tz).strftime("%Y-%m")
        for deadline in deadlines:
            if deadline.clock != "vendor" or deadline.start is None:
                continue
            row = found.setdefault(
                (case.vendor, month), {"vendor": case.vendor, "month": month, "met": [], "late": []}
            )
            if deadline.state in KEPT:
                row["met"].append(case.id)
            elif deadline.state in LATE:
                row["late"].append(case.id)
    rows = []
    for _, row in sorted(found.items()):
        met, late = sorted(set(row["met"]), key=_number), sorted(set(row["late"]), key=_number)
        decided = len(row["met"]) + len(row["late"])
        kept = round(len(row["met"]) / decided, 3) if decided else None
        rows.append({**row, "met": met, "late": late, "kept_share": kept})
    return {"from": first.isoformat(), "to": last.isoformat(), "rule": "ZOHO-SLA-3", "rows": rows}


def _counted_at(calendars: _Calendars, case: Case, deadline: Deadline, instant: datetime) -> int:
    """Business minutes a clock had counted at ``instant`` (its answer, its target): the
    commitment less what was left then, or plus how far past the due time it was."""
    if instant <= deadline.due:
        return deadline.minutes - calendars.minutes(case, deadline, instant, deadline.due)
    return deadline.minutes + calendars.minutes(case, deadline, deadline.due, instant)


def _measured(group: dict[str, Any]) -> dict[str, Any]:
    import statistics  # a report's only: 3 ms of every command's start

    taken = group.pop("taken")
    minutes = [m for m, _ in taken]
    worst = max(taken, default=None)
    for state in ("met", "late", "running", "stopped"):
        group[state].sort(key=_number)
    return {
        **group,
        "answered": len(taken),
        "average_minutes": round(statistics.fmean(minutes)) if minutes else None,
        "median_minutes": round(statistics.median(minutes)) if minutes else None,
        "worst_minutes": worst[0] if worst else None,
        "worst_case": worst[1] if worst else None,
        "kept_share": round(len(group["met"]) / (len(group["met"]) + len(group["late"])), 3)
        if group["met"] or group["late"]
        else None,
    }


class _Calendars:
    """The calendars the deadlines name, each asked of its vendor's commitments once."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.known: dict[tuple[str, str], Calendar] = {}

    def minutes(self, case: Case, deadline: Deadline, start: datetime, end: datetime) -> int:
        key = (case.vendor, deadline.calendar)
        if key not in self.known:
            for commitment in flatten(
                self.desk.plugins.call("workbench_commitments", case=case, desk=self.desk)
            ):
                self.known.setdefault(
                    (case.vendor, commitment.calendar["name"]), Calendar.from_dict(commitment.calendar)
                )
        calendar = self.known.get(key)
        if calendar is None:
            return int((end - start).total_seconds() // 60)
        return int(calendar.elapsed(start, end).total_seconds() // 60)


def desk_report(desk: Desk, first: date, last: date) -> dict[str, Any]:
    """The desk's own commitments (CORE-SLA-3) over the cases sent from ``first`` to
    ``last`` and the cases opened then and never sent: first response and update, per
    vendor and per agent, met, late (met late or breached) and running, with the cases."""
    tz = desk.timezone()
    after = datetime.combine(first, time.min, tz)
    until = datetime.combine(last, time.max, tz)
    cases = {c.id: c for c in sent_between(desk, first, last)}
    for record in desk.store.all("cases", closed=False):
        if record["sent_at"] is None and record["id"] not in cases:
            case = Case.from_dict(record)
            if after <= case.opened_at <= until:
                cases[case.id] = case
    by: dict[str, dict[tuple[str, str], dict[str, Any]]] = {"vendor": {}, "agent": {}}
    breaches = []
    for case, deadlines in clocks_of(desk, list(cases.values()), windows=True):
        for deadline in deadlines:
            if deadline.clock != "desk":
                continue
            state = "met" if deadline.state in KEPT else "late" if deadline.state in LATE else "running"
            if deadline.state in RUNNING or deadline.state in KEPT or deadline.state in LATE:
                for kind, who in (("vendor", case.vendor), ("agent", case.assignee or "(unassigned)")):
                    row = by[kind].setdefault(
                        (who, deadline.name),
                        {
                            kind: who,
                            "commitment": deadline.name,
                            "rule": deadline.rule,
                            "met": [],
                            "late": [],
                            "running": [],
                        },
                    )
                    row[state].append(case.id)
            if deadline.state in LATE:
                breaches.append(
                    {
                        "case": case.id,
                        "vendor": case.vendor,
                        "agent": case.assignee,
                        "commitment": deadline.name,
                        "due": deadline.due.astimezone(tz).isoformat() if deadline.due else None,
                        "state": deadline.state,
                        "rule": deadline.rule,
                    }
                )
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "rule": "CORE-SLA-3",
        "by_vendor": [_attained(row) for _, row in sorted(by["vendor"].items())],
        "by_agent": [_attained(row) for _, row in sorted(by["agent"].items())],
        "breaches": sorted(breaches, key=lambda b: (b["due"] or "", b["case"])),
    }


def _attained(row: dict[str, Any]) -> dict[str, Any]:
    for state in ("met", "late", "running"):
        row[state].sort(key=_number)
    decided = len(row["met"]) + len(row["late"])
    return {**row, "attainment": round(len(row["met"]) / decided, 3) if decided else None}


def backlog_report(desk: Desk) -> dict[str, Any]:
    """The open cases by age band, by who holds the ball (CORE-SLA-4) and by vendor, and the
    escalations open per track and level with their age (CORE-ESC-1/2), at the desk clock: a
    what-if clock earlier than a case's opening or an escalation leaves them out (never a
    negative age)."""
    now = desk.now()
    bands: dict[str, list[str]] = {label: [] for _, label in AGE_BANDS}
    ball: dict[str, list[str]] = {"desk": [], "vendor": [], "customer": []}
    vendors: dict[str, list[str]] = defaultdict(list)
    escalations: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for record in desk.store.all("cases", closed=False):
        case = Case.from_dict(record)
        if case.opened_at > now:
            continue  # a what-if clock before the case was opened: not yet in the backlog then
        age = (now - case.opened_at).days
        bands[next(label for limit, label in AGE_BANDS if limit is None or age <= limit)].append(case.id)
        ball[case.ball].append(case.id)
        vendors[case.vendor].append(case.id)
        for track in ("technical", "commercial"):
            made = [e for e in case.escalations if e.track == track and e.at <= now]
            if made:
                level = max(e.level for e in made)
                since = max(e.at for e in made if e.level == level)
                escalations[(track, level)].append({"case": case.id, "age_days": (now - since).days})
    return {
        "at": now.isoformat(),
        "rule": "CORE-SLA-4",
        "by_age": [
            {"band": label, "count": len(ids), "cases": sorted(ids, key=_number)}
            for label, ids in bands.items()
        ],
        "by_ball": [
            {"ball": who, "count": len(ids), "cases": sorted(ids, key=_number)} for who, ids in ball.items()
        ],
        "by_vendor": [
            {"vendor": v, "count": len(ids), "cases": sorted(ids, key=_number)}
            for v, ids in sorted(vendors.items())
        ],
        "escalations": [
            {
                "track": track,
                "level": level,
                "count": len(items),
                "oldest_days": max(i["age_days"] for i in items),
                "cases": sorted((i["case"] for i in items), key=_number),
            }
            for (track, level), items in sorted(escalations.items())
        ],
    }


def renewals_report(desk: Desk) -> dict[str, Any]:
    """Open renewal and order workflows by when their next step is due: overdue, within 30,
    31-60 and 61-90 days, per vendor (CORE-SLA-2 holds for dated steps too)."""
    today = desk.today()
    rows = []
    for workflow in desk.workflows(open_only=True):
        step = workflow.next_step
        if step is None or step.due is None:
            continue
        days = (step.due - today).days
        band = _renewal_band(days)
        if band is None:
            continue
        rows.append(
            {
                "band": band,
                "vendor": workflow.vendor,
                "workflow": workflow.id,
                "title": workflow.title,
                "customer": workflow.customer_id,
                "step": step.title,
                "due": step.due.isoformat(),
                "days": days,
                "rule": step.rule,
            }
        )
    rows.sort(key=lambda r: (r["due"], r["workflow"]))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        counts[(row["vendor"], row["band"])] += 1
    return {
        "at": today.isoformat(),
        "rule": "CORE-SLA-2",
        "by_vendor": [{"vendor": v, "band": b, "count": n} for (v, b), n in sorted(counts.items())],
        "rows": rows,
    }


def _renewal_band(days: int) -> str | None:
    """``overdue`` before today, else the first band of :data:`RENEWAL_BANDS` that holds
    ``days``; ``None`` beyond 90 days."""
    if days < 0:
        return "overdue"
    return next((label for limit, label in RENEWAL_BANDS if days <= limit), None)


def _number(key: str) -> tuple[str, int]:
    prefix, _, number = key.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (key, 0)


def calendar_entries(desk: Desk, breaching: bool = False) -> list[dict[str, Any]]:
    """The desk's dates for a calendar: each open workflow's renewal date and every step
    still to do with its due date (all-day; CORE-SLA-2 holds for dated steps), and with
    ``breaching`` each open case's deadline that is at risk or breached (timed). Every entry
    has a ``uid`` that stays the same from one export to the next, so a calendar updates
    the event instead of adding it again."""
    entries = []
    renewals = {w.id for w in desk.workflows(kind="renewal", open_only=True)}
    for workflow in desk.workflows(open_only=True):
        customer = desk.customer(workflow.customer_id) if workflow.customer_id else None
        who = f" — {customer.name}" if customer else ""
        if workflow.id in renewals and workflow.anchor is not None:
            entries.append(
                {
                    "uid": f"renewal-{workflow.id}",
                    "summary": f"Renewal: {workflow.title}{who}",
                    "date": workflow.anchor,
                    "at": None,
                    "description": f"{workflow.vendor} renewal date of {workflow.id}",
                    "rule": workflow.steps[0].rule if workflow.steps else "",
                }
            )
        for step in workflow.steps:
            if step.done_at is None and step.due is not None:
                entries.append(
                    {
                        "uid": f"step-{workflow.id}-{step.id}",
                        "summary": f"{step.title} ({workflow.id}){who}",
                        "date": step.due,
                        "at": None,
                        "description": f"{workflow.title}: {step.title}, due {step.due} ({step.rule})",
                        "rule": step.rule,
                    }
                )
    if breaching:
        cases = [Case.from_dict(r) for r in desk.store.all("cases", closed=False)]
        for case, deadlines in zip(cases, desk.deadlines_for(cases), strict=True):
            for deadline in deadlines:
                if deadline.state in ("at-risk", "breached") and deadline.due is not None:
                    start = deadline.start.isoformat() if deadline.start else ""
                    entries.append(
                        {
                            "uid": f"deadline-{case.id}-{_slug(deadline.name)}-{_slug(start)}",
                            "summary": f"{case.id} {deadline.name} {deadline.state}: {case.subject}",
                            "date": None,
                            "at": deadline.due,
                            "description": f"{deadline.name} due on {deadline.calendar} ({deadline.rule}: "
                            f"{deadline.reason})",
                            "rule": deadline.rule,
                        }
                    )
    entries.sort(key=lambda e: (e["at"].date() if e["at"] else e["date"], e["uid"]))
    return entries


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
