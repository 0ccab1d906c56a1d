"""A commitment turned into a deadline: due, target, state and when it was met (CORE-SLA-1, CORE-SLA-2)."""

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
    due = calendar.add(commitment.start, timedelta(minutes=commitment.minutes), counted)
    target = (
        calendar.add(commitment.start, timedelta(minutes=commitment.target_minutes), counted)
        if commitment.target_minutes is not None
        else None
    )
    met_at = next(
        (
            e.at
            for e in events
            if e.at >= commitment.start
            and (
                e.action in commitment.met_by
                or f"{e.action}:{e.data.get('milestone', '')}" in commitment.met_by
            )
        ),
        None,
    )
    used = calendar.elapsed(commitment.start, met_at or now, counted)
    remaining = commitment.minutes - int(used.total_seconds() // 60)
    if met_at is not None:
        state = "met" if due is None or met_at <= due else "met-late"
    elif due is None:
        state = "paused"
    elif now >= due:
        state = "breached"
    elif remaining < threshold * commitment.minutes:
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
        minutes=commitment.minutes,
        remaining_minutes=max(remaining, 0) if met_at is None else None,
    )


RUNNING = ("ok", "at-risk", "breached")
"""Deadline states still counting down (not met, not paused)."""


def next_running(deadlines: list[Deadline]) -> Deadline | None:
    """The running deadline that falls first: the one a queue counts down to."""
    running = [d for d in deadlines if d.state in RUNNING and d.due is not None]
    return min(running, key=lambda d: d.due) if running else None
