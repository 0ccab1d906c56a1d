"""The demo desk's team: four agents, and work spread among them as a real desk's is.

Before the vendors' demos run, the team is added — the person running the demo is its lead
— and new cases go round-robin (CORE-TEAM-2), so each case is assigned when it was opened
and the ball time per agent means something. Afterwards the rule is switched off again
(its default) and a day's changes of hands are made: the newest cases wait unassigned, an
agent hands a case off with a note, another releases one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.model import Case

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

LEAD = "sato"
TEAM = [
    (LEAD, "佐藤 美咲", "sato.misaki@reseller-demo.co.jp", "lead"),
    ("tanaka", "田中 健太", "tanaka.kenta@reseller-demo.co.jp", "agent"),
    ("emma", "Emma Wilson", "emma.wilson@reseller-demo.co.jp", "agent"),
    ("ito", "伊藤 翔", "ito.sho@reseller-demo.co.jp", "agent"),
]
UNASSIGNED_NEWEST = 4
"""The newest open cases the demo leaves for someone to take."""


def add_team(desk: Desk) -> list[str]:
    """The four agents (the lead acts as whoever runs the demo) and round-robin for the
    cases the vendors' demos open; nothing on a desk that already has a team."""
    if desk.agents():
        return []
    lines = []
    for handle, name, email, role in TEAM:
        login = desk.actor if handle == LEAD else ""
        added = desk.add_agent(handle, name, email=email, role=role, login=login)
        lines.append(f"team: {added.handle} {added.name} ({added.role}{', login ' + login if login else ''})")
    desk.act_as_agent()
    desk.set_setting("core.assign_new_cases", "round-robin")
    return lines


def spread_work(desk: Desk) -> list[str]:
    """Back to no rule for new cases; the newest cases unassigned, one hand-off, one release."""
    if desk.setting("core.assign_new_cases") != "round-robin" or desk.acting_agent() is None:
        return []
    desk.set_setting("core.assign_new_cases", "off")
    open_cases = [c for c in desk.cases(open_only=True) if c.assignee]
    lines = []
    for case in open_cases[:UNASSIGNED_NEWEST]:
        desk.release(case.id, "back to the queue: the morning's triage takes it")
        lines.append(f"team: {case.id} unassigned")
    rest = open_cases[UNASSIGNED_NEWEST:]
    handed = _first(rest, "tanaka")
    if handed is not None:
        desk.hand_off(
            handed.id, "emma", "tanaka is on leave from tomorrow; the customer expects an answer this week"
        )
        lines.append(f"team: {handed.id} handed off from tanaka to emma")
    released = _first(rest, "ito")
    if released is not None:
        desk.release(released.id, "ito moves to the migration project")
        lines.append(f"team: {released.id} released by ito's lead")
    return lines


def _first(cases: list[Case], handle: str) -> Case | None:
    return next((c for c in cases if c.assignee == handle), None)
