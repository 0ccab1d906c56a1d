"""The clocks of a case: its deadlines on both clocks (CORE-SLA-1..3), the time each side has
held the ball (CORE-SLA-4) and the SLA evidence timeline. The arithmetic of one deadline is
:mod:`workbench.desk.deadlines`; the commitments come from the plugins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workbench.calendar import Calendar, Pause
from workbench.desk.deadlines import Clock, deadline_of
from workbench.desk.kept_deadlines import KeptDeadlines, WatchedDesk
from workbench.desk.records import flatten
from workbench.model import (
    Case,
    Commitment,
    Deadline,
    Event,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


def vendor_milestones(desk: Desk, case: Case) -> dict[str, list[str]]:
    """The milestones a vendor reply may name on ``case``, each with what it does in words:
    the deadlines it meets (its vendor's commitments say ``met_by: vendor-reply:MILESTONE``)
    and what the vendor's program reads it as (``VendorProgram.reply_milestones``)."""
    milestones: dict[str, list[str]] = {}
    for commitment in flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk)):
        for action in commitment.met_by:
            done, _, milestone = action.partition(":")
            if done == "vendor-reply" and milestone:
                milestones.setdefault(milestone, []).append(f"meets {commitment.name}")
    program = desk.programs().get(case.vendor)
    for milestone, meaning in (program.reply_milestones if program else {}).items():
        milestones.setdefault(milestone, []).append(meaning)
    return milestones


def deadlines(desk: Desk, case: Case, events: list[Event] | None = None) -> list[Deadline]:
    """Both clocks' deadlines of a case at the desk clock (CORE-SLA-1..3)."""
    now = desk.now()
    if events is None:
        events = desk.events("cases", case.id)
    return _deadlines(desk, case, events, now, float(desk.setting("core.at_risk_share")))


def deadlines_for(desk: Desk, cases: list[Case], keep: bool = True) -> list[list[Deadline]]:
    """``deadlines(case)`` of each case, in order, at one desk clock: what every case
    asks the same (each setting, the desk calendar) is read once for all of them, and
    each case's events once, not again by every hook that reads them (the queue's
    thousands of open cases). Asked of a batch (``desk.read_batch()``) it reads through
    that batch's cache, so its caller reads the same events again for free (the workload).

    A case's clocks kept between processes (:mod:`~workbench.desk.kept_deadlines`) under
    the key it has now are read from there instead of from its events; those worked out
    are kept for the next command (``keep=False``: kept by a later call, or by
    :func:`keep_deadlines`, as the queue does once after its chunks)."""
    batch = desk if desk._reads is not None else desk.read_batch()
    now = desk.now()
    threshold = float(batch.setting("core.at_risk_share"))
    kept = KeptDeadlines.of(desk)
    if kept is not None:
        kept.begin(batch, cases)
    found = []
    for case in cases:
        try:
            pauses = _pauses(case)
            found.append(_from_kept(kept, batch, case, now, threshold, pauses))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            desk.unreadable[f"case {case.id}"] = (
                f"its deadlines cannot be worked out ({type(exc).__name__}: {exc})"
            )
            found.append([])
    if kept is not None and keep:
        kept.save(batch)
    return found


def keep_deadlines(desk: Desk) -> None:
    """Keep (write) the clocks :func:`deadlines_for` worked out with ``keep=False``."""
    kept = KeptDeadlines.of(desk)
    if kept is not None:
        kept.save(desk)


def _from_kept(
    kept: KeptDeadlines | None, desk: Desk, case: Case, now: datetime, threshold: float, pauses: list[Pause]
) -> list[Deadline]:
    """The case's deadlines at ``now`` from its kept clocks when they are current, else
    from clocks worked out afresh (kept for the next command where they may be). Kept
    clocks that cannot be read (a file changed by hand) are worked out afresh too."""
    if kept is not None:
        clocks = kept.clocks(desk, case)
        try:
            if clocks is not None:
                return [clock.at(now, threshold, pauses) for clock in clocks]
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            kept.drop(case)
    return [clock.at(now, threshold, pauses) for clock in _clocks(desk, case, pauses, kept)]


def _clocks(desk: Desk, case: Case, pauses: list[Pause], kept: KeptDeadlines | None) -> list[Clock]:
    """The case's clocks from its commitments and events; kept when the hooks read only
    what their key covers and none of them failed."""
    if kept is None:
        commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
        events = desk.events("cases", case.id)
        return [Clock.of(c, pauses, events) for c in commitments]
    watched = WatchedDesk(desk, case.id)
    failures = _failures(desk)
    commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=watched))
    events = desk.events("cases", case.id)
    clocks = [Clock.of(c, pauses, events) for c in commitments]
    if not watched.other_reads and _failures(desk) == failures and not desk.plugins._timed_out:
        kept.keep(desk, case, clocks)
    else:
        kept.drop(case)
    return clocks


def _failures(desk: Desk) -> int:
    """How many hook calls failed so far: an answer left out is not kept, nor is anything
    worked out while a hook is switched off for running past the time limit."""
    return sum(f.count for f in desk.plugins.failures)


def _deadlines(
    desk: Desk, case: Case, events: list[Event], now: datetime, threshold: float
) -> list[Deadline]:
    commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
    pauses = _pauses(case)
    return [deadline_of(c, pauses, events, now, threshold) for c in commitments]


def _pauses(case: Case) -> list[Pause]:
    return [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]


def ball_minutes(desk: Desk, case: Case, events: list[Event]) -> dict[str, int]:
    """Business minutes (desk calendar) each side has held the ball (CORE-SLA-4)."""
    calendar = desk.desk_calendar()
    totals = {"desk": 0, "vendor": 0, "customer": 0}
    holder, since = "desk", case.opened_at
    for event in events:
        state = (event.after or {}).get("state")
        if state is None:
            continue
        totals[holder] += int(calendar.elapsed(since, event.at).total_seconds() // 60)
        holder = {"pending": "customer", "waiting-vendor": "vendor"}.get(state, "desk")
        since = event.at
    end = case.closed_at or desk.now()
    totals[holder] += int(calendar.elapsed(since, max(since, end)).total_seconds() // 60)
    return totals


def timeline(desk: Desk, key: str) -> list[dict[str, Any]]:
    """SLA evidence of one case (CORE-SLA-4): for every deadline, its start, each pause
    and resume, when it was met or breached, on which calendar, with the business
    minutes counted up to that moment; and the same for the earlier windows of a clock that
    starts again (``Commitment.earlier_windows``), so a breach of one is kept whether or not
    a sweep recorded it (CORE-SLA-2)."""
    case = desk.case(key)
    events = desk.events("cases", key)
    commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
    deadlines = case.outcomes if not case.is_open else desk.deadlines(case, events)
    pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
    clocks = [(c, d, None) for c, d in zip(commitments, deadlines, strict=False)]
    clocks += [(c, d, end) for c, d, end in _windows(desk, case, events, commitments)]
    entries = []
    for commitment, deadline, until in clocks:
        calendar = Calendar.from_dict(commitment.calendar)
        counted = pauses if commitment.pauses else []

        def entry(at: datetime, what: str, deadline=deadline, calendar=calendar, counted=counted):
            minutes = calendar.elapsed(deadline.start, at, counted).total_seconds() // 60
            return {
                "at": at,
                "deadline": deadline.name,
                "clock": deadline.clock,
                "what": what,
                "calendar": calendar.name,
                "counted_minutes": int(minutes),
                "rule": deadline.rule,
                "due": deadline.due.isoformat() if deadline.due else None,
            }

        entries.append(entry(deadline.start, "start"))
        for pause in counted:
            if deadline.start <= pause.start and (until is None or pause.start < until):
                entries.append(entry(pause.start, "pause"))
                if pause.end:
                    entries.append(entry(pause.end, "resume"))
        if deadline.due and deadline.state in ("breached", "met-late"):
            entries.append(entry(deadline.due, "breach"))
        if deadline.met_at:
            entries.append(entry(deadline.met_at, "met" if deadline.state == "met" else "met-late"))
    entries += _recorded_breaches(events, entries, commitments)
    entries.sort(key=lambda e: (e["at"], e["deadline"]))
    return entries


def earlier_windows(desk: Desk, case: Case, events: list[Event] | None = None) -> list[Deadline]:
    """The deadlines of the earlier windows of the case's clocks that start again
    (``Commitment.earlier_windows``: the desk's update clock, at each response): each
    breached when its due time passed before it ended (CORE-SLA-2: a breach stays once it
    happened), met when the next window's start (the next response) ended it in time, else
    stopped (the case was resolved). Reports count them beside the running window; a close
    keeps them with the case's outcomes."""
    if events is None:
        events = desk.events("cases", case.id)
    commitments = flatten(desk.plugins.call("workbench_commitments", case=case, desk=desk))
    return [deadline for _, deadline, _ in _windows(desk, case, events, commitments)]


def _windows(
    desk: Desk, case: Case, events: list[Event], commitments: list[Commitment]
) -> list[tuple[Commitment, Deadline, datetime]]:
    pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
    threshold = float(desk.setting("core.at_risk_share"))
    found = []
    for commitment in commitments:
        starts = [start for start, _ in commitment.earlier_windows] + [commitment.start]
        for (start, end), next_start in zip(commitment.earlier_windows, starts[1:], strict=True):
            window = replace(commitment, start=start, stops_at=end, earlier_windows=[])
            deadline = deadline_of(window, pauses, events, end, threshold)
            if deadline.state == "stopped" and end == next_start:
                deadline = replace(deadline, state="met", met_at=end, stopped_at=None)
            found.append((commitment, deadline, end))
    return found


def _recorded_breaches(
    events: list[Event], entries: list[dict[str, Any]], commitments: list[Any]
) -> list[dict[str, Any]]:
    """Breaches the sweep recorded whose window has since closed: a response restarts the
    desk's update clock, and the evidence keeps the breach of the window before
    (CORE-SLA-4), its whole window counted."""
    shown = {(e["deadline"], e["due"]) for e in entries if e["what"] == "breach"}
    by_name = {c.name: c for c in commitments}
    found = []
    for event in events:
        name, due = event.data.get("deadline"), event.data.get("due")
        commitment = by_name.get(name)
        if event.action != "breach" or commitment is None or not due or (name, due) in shown:
            continue
        shown.add((name, due))
        found.append(
            {
                "at": _instant(due),
                "deadline": name,
                "clock": commitment.clock,
                "what": "breach",
                "calendar": Calendar.from_dict(commitment.calendar).name,
                "counted_minutes": commitment.minutes,
                "rule": event.rule,
                "due": due,
            }
        )
    return found


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None
