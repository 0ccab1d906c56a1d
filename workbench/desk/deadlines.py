"""A commitment turned into a deadline: due, target, state and when it was met (CORE-SLA-1,
CORE-SLA-2), or when it stopped (CORE-SLA-3: a resolved case's desk clocks, every clock of a
closed case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.calendar import Calendar, Pause
from workbench.model import (
    Commitment,
    Deadline,
    Event,
)

SPANS_WITHIN = timedelta(days=364)
"""How long a clock's window may be for its elapsed time to be read off the counted
intervals it keeps (:meth:`Clock.elapsed`): shorter than any local calendar year, which
:meth:`Calendar.elapsed` counts apart."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    """``at`` as whole microseconds since 1970 UTC: exact, as ``datetime`` arithmetic is."""
    return (at - _EPOCH) // _MICROSECOND


@dataclass(slots=True)
class Clock:
    """A commitment worked out as far as it can be without the desk clock: its due time and
    target (CORE-SLA-1: on its calendar, paused time left out), when each case action that
    meets it happened, and the business time its window counts. A pure function of the
    commitment, the case's pauses and its events, so it can be kept between processes
    (:mod:`workbench.desk.kept_deadlines`); :meth:`at` is the deadline at a given clock."""

    name: str
    clock: str
    rule: str
    reason: str
    calendar: dict[str, Any]
    """The calendar as ``Calendar.to_dict()``."""
    start: datetime
    minutes: int
    """The business time allowed, in minutes of the calendar (``business_days`` turned
    into minutes)."""
    stops_at: datetime | None
    due: datetime | None
    target: datetime | None
    meets: tuple[datetime, ...]
    """When each event that meets the commitment happened, from its start on, in the
    order of the case's history."""
    spans: tuple[int, ...] | None
    """The business time counted from the start to the due time (or to where a pause with
    no end stops the count), as intervals of microseconds since 1970 (:func:`micros`), each
    interval's start and end one after the other;
    ``None`` when that reach is :data:`SPANS_WITHIN` or more after the start, or there is
    none: then the calendar counts."""
    counts_pauses: bool
    """Whether time pending on the customer is left out (``Commitment.pauses``)."""

    @classmethod
    def of(cls, commitment: Commitment, pauses: list[Pause], events: list[Event]) -> Clock:
        calendar = Calendar.from_dict(commitment.calendar)
        counted = pauses if commitment.pauses else []
        minutes = business_minutes(commitment, calendar)
        due, spans, reach = calendar.counted(commitment.start, timedelta(minutes=minutes), counted)
        target = (
            calendar.add(commitment.start, timedelta(minutes=commitment.target_minutes), counted)
            if commitment.target_minutes is not None
            else None
        )
        short = reach is not None and reach - commitment.start < SPANS_WITHIN
        return cls(
            name=commitment.name,
            clock=commitment.clock,
            rule=commitment.rule,
            reason=commitment.reason,
            calendar=commitment.calendar,
            start=commitment.start,
            minutes=minutes,
            stops_at=commitment.stops_at,
            due=due,
            target=target,
            meets=tuple(e.at for e in events if commitment.start <= e.at and meets(e, commitment.met_by)),
            spans=tuple(micros(edge) for span in spans for edge in span) if short else None,
            counts_pauses=commitment.pauses,
        )

    def elapsed(self, end: datetime, pauses: list[Pause]) -> timedelta:
        """Business time from the start to ``end`` (at most the due time, when there is
        one): the counted intervals before ``end`` — what ``Calendar.elapsed`` walks
        through (``Calendar.counted``) — or the calendar's own count when the clock keeps
        none."""
        if self.spans is None:
            calendar = Calendar.from_dict(self.calendar)
            return calendar.elapsed(self.start, end, pauses if self.counts_pauses else [])
        limit = micros(end)
        total = 0
        spans = self.spans
        for at in range(0, len(spans) - 1, 2):
            begin = spans[at]
            if begin >= limit:
                break
            total += min(spans[at + 1], limit) - begin
        return timedelta(microseconds=total)

    def at(self, now: datetime, threshold: float, pauses: list[Pause]) -> Deadline:
        """The deadline at the clock ``now`` (CORE-SLA-1..3); ``pauses`` are the case's."""
        due, stops_at = self.due, self.stops_at
        stopped = stops_at if stops_at is not None and stops_at <= now else None
        until = stopped or now
        met_at = None
        for at in self.meets:  # the first that happened by then (a loop: 2,000 cases' clocks)
            if at <= until:
                met_at = at
                break
        minutes = self.minutes
        remaining = 0
        if met_at is None and stopped is None:
            # What is left matters only while the clock runs (a met or stopped one says
            # none): half the open cases' clocks are not counted. Time used past the due
            # moment changes nothing (the remainder is nought either way), so the count
            # stops there: a far-future --now costs no more than today.
            used = self.elapsed(until if due is None else min(until, due), pauses)
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
            name=self.name,
            clock=self.clock,
            due=due,
            calendar=self.calendar["name"],
            rule=self.rule,
            reason=self.reason,
            state=state,
            target=self.target,
            start=self.start,
            met_at=met_at,
            minutes=minutes,
            remaining_minutes=max(remaining, 0) if met_at is None and stopped is None else None,
            stopped_at=stopped,
        )


def deadline_of(
    commitment: Commitment, pauses: list[Pause], events: list[Event], now: datetime, threshold: float
) -> Deadline:
    return Clock.of(commitment, pauses, events).at(now, threshold, pauses)


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
