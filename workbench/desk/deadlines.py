"""A commitment turned into a deadline: due, target, state and when it was met (CORE-SLA-1,
CORE-SLA-2), or when it stopped (CORE-SLA-3: a resolved case's desk clocks, every clock of a
closed case)."""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench.calendar import Calendar, Pause
from workbench.model import (
    Commitment,
    Deadline,
    Event,
)


def deadline_of(
    commitment: Commitment, pauses: list[Pause], events: list[Event], now: datetime, threshold: float
) -> Deadline:
    calendar = Calendar.from_dict(commitment.calendar)
    counted = pauses if commitment.pauses else []
    minutes = business_minutes(commitment, calendar)
    due = calendar.add(commitment.start, timedelta(minutes=minutes), counted)
    target = (
        calendar.add(commitment.start, timedelta(minutes=commitment.target_minutes), counted)
        if commitment.target_minutes is not None
        else None
    )
    stopped = commitment.stops_at if commitment.stops_at is not None and commitment.stops_at <= now else None
    until = stopped or now
    met_at = next(
        (e.at for e in events if commitment.start <= e.at <= until and meets(e, commitment.met_by)),
        None,
    )
    # Time used past the due moment changes nothing (the remainder is nought either way),
    # so the count stops there: a far-future --now costs no more than today.
    counted_until = met_at or until
    used = calendar.elapsed(
        commitment.start, counted_until if due is None else min(counted_until, due), counted
    )
    remaining = minutes - int(used.total_seconds() // 60)
    if met_at is not None:
        state = "met" if due is None or met_at <= due else "met-late"
    elif due is not None and until >= due:
        state = "breached"  # a fact of the case's evidence, even once the clock stopped
    elif stopped is not None:
        state = "stopped"
    elif due is None:
        state = "paused"
    elif remaining < threshold * minutes:
        state = "at-risk"
    else:
        state = "ok"
    return Deadline(
        name=commitment.name,
        clock=commitment.clock,
        due=due,
        calendar=calendar.name,
        rule=commitment.rule,
        reason=commitment.reason,
        state=state,
        target=target,
        start=commitment.start,
        met_at=met_at,
        minutes=minutes,
        remaining_minutes=max(remaining, 0) if met_at is None and stopped is None else None,
        stopped_at=stopped,
    )


def business_minutes(commitment: Commitment, calendar: Calendar) -> int:
    """The business time a commitment gives, in minutes of its calendar: ``minutes``, or
    ``business_days`` whole working days."""
    if commitment.business_days is None:
        return commitment.minutes
    return commitment.business_days * sum(end - start for start, end in calendar.hours)


def meets(event: Event, met_by: list[str]) -> bool:
    """Whether ``event`` is one of the actions ``met_by`` names: ``ACTION``,
    ``ACTION:MILESTONE`` (the milestone the event names) or ``ACTION:to-customer`` (an action
    whose text went to the customer)."""
    names = {event.action, f"{event.action}:{event.data.get('milestone', '')}"}
    if event.data.get("to_customer"):
        names.add(f"{event.action}:to-customer")
    return not names.isdisjoint(met_by)


RUNNING = ("ok", "at-risk", "breached")
"""Deadline states still counting down (not met, not paused, not stopped)."""


def next_running(deadlines: list[Deadline]) -> Deadline | None:
    """The running deadline that falls first: the one a queue counts down to. A clock that
    stopped (a resolved case's desk clocks, a closed case's) is not running, breached or not."""
    running = [d for d in deadlines if d.state in RUNNING and d.due is not None and d.stopped_at is None]
    return min(running, key=lambda d: d.due) if running else None
