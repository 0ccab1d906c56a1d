"""A case's evidence pack (CORE-SLA-4): what a vendor would accept in a dispute. The case,
customer, vendor, program, severity, commitments and the calendars they ran on (with their
holidays) at its head; then every clock start, pause, resume, met, late and breach with its
due time, the minutes of each stretch and in total, who held the ball and the rule that
decided the line; then the vendor's answers and the desk's messages with their times.

Its clock lines are :func:`workbench.desk.clocks.timeline`'s, so the numbers agree with
``case timeline``; a breach is a fact of the evidence (CORE-SLA-2): a clock met late keeps
the breach at its due time, and every breach the sweep recorded stays in the pack."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbench.calendar import Calendar, local_date
from workbench.desk.records import flatten

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

MESSAGES = {
    "send": "desk → vendor",
    "vendor-reply": "vendor → desk",
    "respond": "desk → customer",
    "pending": "desk → customer",
    "reply": "customer → desk",
    "resolve": "desk → customer",
    "reopen": "customer → desk",
    "close": "desk",
    "note": "desk note",
}
"""The events whose text is a message of the case, and who spoke to whom."""


def evidence_pack(desk: Desk, key: str) -> dict[str, Any]:
    """The evidence pack of case ``key`` as a JSON-able document, times in ISO-8601 with the
    desk's zone (CORE-SLA-4)."""
    case = desk.case(key)
    events = desk.events("cases", key)
    tz = desk.timezone()
    customer = desk.customer(case.customer_id)
    program = desk.programs().get(case.vendor)
    commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
    until = local_date(case.closed_at or desk.now(), tz)
    calendars = {c.calendar["name"]: Calendar.from_dict(c.calendar) for c in commitments}
    desk_calendar = desk.desk_calendar()
    calendars.setdefault(desk_calendar.name, desk_calendar)

    def at(instant: datetime | None) -> str | None:
        return instant.astimezone(tz).isoformat() if instant else None

    holders = _ball_changes(case.opened_at, events)
    lines = []
    last_counted: dict[str, int] = {}
    window = {c.name: c.minutes for c in commitments}
    entries = desk.timeline(key)
    breaches = {(e["deadline"], e["at"]) for e in entries if e["what"] == "breach"}
    for entry in entries:
        if entry["what"] == "met-late" and entry["due"]:
            # met late: the breach at the due time stays a fact (CORE-SLA-2); by then the
            # clock had counted its whole window
            due = datetime.fromisoformat(entry["due"])
            if (entry["deadline"], due) not in breaches:
                lines.append(
                    {**entry, "at": due, "what": "breach", "counted_minutes": window[entry["deadline"]]}
                )
                breaches.add((entry["deadline"], due))
        lines.append(entry)
    for event in events:
        if event.action == "breach":
            due = datetime.fromisoformat(event.data["due"])
            if (event.data["deadline"], due) not in breaches:
                lines.append(
                    {
                        "at": due,
                        "deadline": event.data["deadline"],
                        "clock": "",
                        "what": "breach",
                        "calendar": "",
                        "counted_minutes": None,
                        "rule": event.rule,
                        "due": due.isoformat(),
                        "reason": f"recorded by the sweep at {at(event.at)}: {event.reason}",
                    }
                )
                breaches.add((event.data["deadline"], due))
    lines.sort(key=lambda e: (e["at"], e["deadline"]))
    reasons = {c.name: c.reason for c in commitments}
    rows = []
    for line in lines:
        counted = line["counted_minutes"]
        previous = last_counted.get(line["deadline"], 0)
        if counted is not None:
            last_counted[line["deadline"]] = counted
        rows.append(
            {
                "at": at(line["at"]),
                "deadline": line["deadline"],
                "clock": line["clock"],
                "what": line["what"],
                "due": at(datetime.fromisoformat(line["due"])) if line["due"] else None,
                "calendar": line["calendar"],
                "stretch_minutes": None if counted is None or line["what"] == "start" else counted - previous,
                "counted_minutes": counted,
                "ball": _holder_at(holders, line["at"]),
                "rule": line["rule"],
                "reason": line.get("reason") or reasons.get(line["deadline"], ""),
            }
        )
    outcomes = case.outcomes if not case.is_open else desk.deadlines(case, events)
    deadlines = [d for _, d in zip(commitments, outcomes, strict=False)]  # each clock's last window
    return {
        "case": {
            "id": case.id,
            "subject": case.subject,
            "state": case.state,
            "opened_at": at(case.opened_at),
            "sent_at": at(case.sent_at),
            "closed_at": at(case.closed_at),
            "assignee": case.assignee,
        },
        "customer": {"id": case.customer_id, "name": customer.name if customer else ""},
        "vendor": {"id": case.vendor, "name": program.name if program else case.vendor},
        "program": {
            "path": case.path,
            "queue": case.queue,
            "rule": case.route_rule,
            "reason": case.route_reason,
        },
        "severity": case.severity or str(case.fields.get("severity", "")),
        "timezone": str(tz),
        "commitments": [
            {
                "name": c.name,
                "clock": c.clock,
                "minutes": c.minutes,
                "target_minutes": c.target_minutes,
                "calendar": c.calendar["name"],
                "pauses_on_customer": c.pauses,
                "rule": c.rule,
                "reason": c.reason,
            }
            for c in commitments
        ],
        "calendars": [
            {
                "name": calendar.name,
                "describe": calendar.describe(),
                "tz": calendar.tz,
                "holidays": _holidays(calendar, case.opened_at.astimezone(tz).date(), until),
            }
            for calendar in calendars.values()
        ],
        "lines": rows,
        "totals": [
            {
                "deadline": d.name,
                "clock": d.clock,
                "state": d.state,
                "due": at(d.due),
                "counted_minutes": last_counted.get(d.name, 0),
                "commitment_minutes": d.minutes,
                "rule": d.rule,
            }
            for d in deadlines
        ],
        "ball_minutes": desk.ball_minutes(case, events),
        "messages": [
            {
                "at": at(event.at),
                "actor": event.actor,
                "action": event.action,
                "direction": MESSAGES[event.action],
                "text": str(event.data.get("text", "")),
                "milestone": str(event.data.get("milestone", "")),
            }
            for event in events
            if event.action in MESSAGES
            and (event.data.get("text") or event.action in ("send", "vendor-reply"))
        ],
        "rule": "CORE-SLA-4",
    }


def _ball_changes(opened_at: datetime, events: list) -> list[tuple[datetime, str]]:
    """Who held the ball from when (CORE-SLA-4), as ``ball_minutes`` counts it."""
    changes = [(opened_at, "desk")]
    for event in events:
        state = (event.after or {}).get("state")
        if state is not None:
            changes.append((event.at, {"pending": "customer", "waiting-vendor": "vendor"}.get(state, "desk")))
    return changes


def _holder_at(changes: list[tuple[datetime, str]], instant: datetime) -> str:
    holder = changes[0][1]
    for since, who in changes:
        if since > instant:
            break
        holder = who
    return holder


def _holidays(calendar: Calendar, start: date, end: date) -> list[dict[str, str]]:
    """The calendar's days off between ``start`` and ``end``: public holidays of its
    country and its other closed dates."""
    days: dict[date, str] = {}
    if calendar.holiday_country:
        import holidays  # 50 ms to import: only for an evidence pack, not every command

        years = range(start.year, end.year + 1)
        for day, name in holidays.country_holidays(calendar.holiday_country, years=years).items():
            if start <= day <= end:
                days[day] = name
    for day in calendar.closed_dates:
        if start <= day <= end:
            days.setdefault(day, "closed")
    return [{"date": day.isoformat(), "name": name} for day, name in sorted(days.items())]
