"""The lead's view of the team's work: per agent, the open cases and how they stand — which
breach or are at risk (CORE-SLA-2), which wait on the vendor or the customer, the one left
untouched longest — and the business time the desk has held the ball on them, per agent
(CORE-SLA-4 per side, split by who was assigned at the time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.desk.assignment import ACTIONS
from workbench.model import Agent, Case, Event

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

UNASSIGNED = ""


@dataclass
class AgentLoad:
    """One agent's open work (``agent`` is ``None`` for the unassigned cases)."""

    agent: Agent | None
    cases: list[str]
    breaching: list[str]
    at_risk: list[str]
    waiting_vendor: list[str]
    waiting_customer: list[str]
    oldest_untouched: str | None
    """The case whose last touch (:func:`last_touch`) is the oldest."""
    untouched_since: datetime | None
    desk_minutes: int
    """Business minutes (desk calendar) the desk held the ball on these cases while this
    agent was their assignee."""

    @property
    def handle(self) -> str:
        return self.agent.handle if self.agent else UNASSIGNED

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": self.handle or None,
            "name": self.agent.name if self.agent else "(unassigned)",
            "role": self.agent.role if self.agent else None,
            "active": self.agent.active if self.agent else None,
            "open": len(self.cases),
            "breaching": len(self.breaching),
            "at_risk": len(self.at_risk),
            "waiting_on_vendor": len(self.waiting_vendor),
            "waiting_on_customer": len(self.waiting_customer),
            "oldest_untouched": {"case": self.oldest_untouched, "since": self.untouched_since.isoformat()}
            if self.oldest_untouched and self.untouched_since
            else None,
            "desk_ball_minutes": self.desk_minutes,
            "cases": self.cases,
        }


def workload(desk: Desk) -> list[AgentLoad]:
    """Every active agent (and an inactive one still holding cases), by handle, then the
    unassigned cases: what each has open and how it stands at the desk clock."""
    team = {a.handle: a for a in desk.agents()}
    open_cases = sorted(
        (Case.from_dict(r) for r in desk.store.all("cases", closed=False)), key=lambda c: c.opened_at
    )
    batch = desk.read_batch()
    deadlines = batch.deadlines_for(open_cases)
    held: dict[str, list[tuple[Case, list[str]]]] = {h: [] for h, a in team.items() if a.active}
    minutes: dict[str, int] = {}
    touched: dict[str, datetime] = {}
    for case, found in zip(open_cases, deadlines, strict=True):
        held.setdefault(case.assignee, []).append((case, [d.state for d in found]))
        events = batch.events("cases", case.id)
        touched[case.id] = last_touch(case, events)
        for handle, counted in desk_minutes_by_agent(batch, case, events).items():
            minutes[handle] = minutes.get(handle, 0) + counted
    loads = []
    for handle in sorted(held, key=lambda h: (h == UNASSIGNED, h)):
        cases = held[handle]
        untouched = min(cases, key=lambda pair: touched[pair[0].id], default=None)
        loads.append(
            AgentLoad(
                agent=team.get(handle),
                cases=[c.id for c, _ in cases],
                breaching=[c.id for c, states in cases if "breached" in states],
                at_risk=[c.id for c, states in cases if "at-risk" in states and "breached" not in states],
                waiting_vendor=[c.id for c, _ in cases if c.state == "waiting-vendor"],
                waiting_customer=[c.id for c, _ in cases if c.state == "pending"],
                oldest_untouched=untouched[0].id if untouched else None,
                untouched_since=touched[untouched[0].id] if untouched else None,
                desk_minutes=minutes.get(handle, 0),
            )
        )
    if not held.get(UNASSIGNED):
        loads.append(AgentLoad(None, [], [], [], [], [], None, None, minutes.get(UNASSIGNED, 0)))
    return loads


def last_touch(case: Case, events: list[Event]) -> datetime:
    """When someone last worked the case: its last event that is neither a time rule the
    sweep applied (its key is in ``sweep_keys``) nor a change of assignee."""
    worked = [
        e.at
        for e in events
        if e.action not in ACTIONS and not (e.data.get("key") and e.data["key"] in case.sweep_keys)
    ]
    return max(worked, default=case.opened_at)


def desk_minutes_by_agent(desk: Desk, case: Case, events: list[Event]) -> dict[str, int]:
    """Business minutes (desk calendar) the desk has held the ball on ``case``, split by the
    agent assigned at the time (``""``: nobody) — the desk's side of CORE-SLA-4, per agent."""
    calendar = desk.desk_calendar()
    totals: dict[str, int] = {}

    def count(start: datetime, end: datetime) -> None:
        minutes = int(calendar.elapsed(start, max(start, end)).total_seconds() // 60)
        totals[assignee] = totals.get(assignee, 0) + minutes

    on_desk, assignee, since = True, "", case.opened_at
    for event in events:
        after = event.after or {}
        if "state" not in after and "assignee" not in after:
            continue
        if on_desk:
            count(since, event.at)
        if "state" in after:
            on_desk = after["state"] not in ("pending", "waiting-vendor")
        if "assignee" in after:
            assignee = after["assignee"] or ""
        since = event.at
    end = case.closed_at or desk.now()
    if on_desk:
        count(since, end)
    return {handle: minutes for handle, minutes in totals.items() if minutes}
