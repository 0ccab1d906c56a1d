"""Notifications outside the app: when a deadline of a case assigned to an agent becomes at
risk or breached (CORE-SLA-2), the agent is told once, naming the rule, the deadline in the
desk's time zone and the case ID. ``workbench run`` delivers them (:mod:`workbench.webhook`)
after each sweep; one is recorded on its case only once delivered, so one that failed is
tried again at the next sweep and none is lost or sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from workbench.desk.cases import AlreadySwept, change_case

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.model import Case

TOLD = ("at-risk", "breached")
"""The states of a deadline an assignee is told of."""


@dataclass(frozen=True)
class Notification:
    """One deadline of one assigned case that became at risk or breached."""

    case: str
    subject: str
    assignee: str
    state: str
    deadline: str
    rule: str
    due: datetime
    key: str
    """The case's sweep key once delivered: ``notify:<state>:<deadline>:<its start>``."""

    def text(self, tz: tzinfo) -> str:
        due = self.due.astimezone(tz)
        return (
            f"{self.case} {self.state}: {self.deadline} ({self.rule}) due {due:%Y-%m-%d %H:%M %Z} — "
            f"{self.subject} (assigned to {self.assignee})"
        )

    def payload(self, tz: tzinfo) -> dict[str, Any]:
        """The JSON a chat tool's incoming webhook takes (``text``), with the facts as fields."""
        return {
            "text": self.text(tz),
            "case": self.case,
            "state": self.state,
            "deadline": self.deadline,
            "rule": self.rule,
            "due": self.due.astimezone(tz).isoformat(),
            "assignee": self.assignee,
        }


def due_notifications(desk: Desk) -> list[Notification]:
    """Every notification not yet delivered: each at-risk or breached deadline of each open
    assigned case, once per state and per run of its clock."""
    assigned = [case for case in desk.cases(open_only=True) if case.assignee]
    due = []
    for case, deadlines in zip(assigned, desk.deadlines_for(assigned), strict=True):
        for deadline in deadlines:
            if deadline.state not in TOLD or deadline.due is None:
                continue
            start = deadline.start.isoformat() if deadline.start else ""
            key = f"notify:{deadline.state}:{deadline.name}:{start}"
            if key not in case.sweep_keys:
                due.append(
                    _notification(case, deadline.state, deadline.name, deadline.rule, deadline.due, key)
                )
    return due


def _notification(case: Case, state: str, deadline: str, rule: str, due: datetime, key: str) -> Notification:
    return Notification(case.id, case.subject, case.assignee, state, deadline, rule, due, key)


def record_delivered(desk: Desk, notification: Notification, channel: str) -> bool:
    """Record on the case that ``notification`` was delivered by ``channel``; ``False`` when
    another sweeper recorded it first."""

    def change(case: Case) -> None:
        case.sweep_keys.append(notification.key)

    try:
        change_case(
            desk,
            notification.case,
            "notify",
            change,
            rule=notification.rule,
            reason=f"{notification.assignee} told by {channel}: {notification.deadline} {notification.state}",
            data={"key": notification.key, "channel": channel, "assignee": notification.assignee},
            by_sweep=True,
            sweep_key=notification.key,
        )
    except AlreadySwept:
        return False
    return True
