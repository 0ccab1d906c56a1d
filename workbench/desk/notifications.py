"""Notifications outside the app: when a deadline of a case assigned to an agent becomes at
risk or breached (CORE-SLA-2), the agent is told once, naming the rule, the deadline in the
desk's time zone and the case ID. ``workbench run`` delivers them (:mod:`workbench.webhook`)
after each sweep; one is recorded on its case only once delivered, so one that failed is
tried again at the next sweep and none is lost or sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from workbench.desk.cases import AlreadySwept, change_case
from workbench.desk.deadlines import next_running
from workbench.desk.records import record_event

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
            "kind": "deadline",
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


# -- notices by e-mail: to the agent concerned and to the leads (issue #21) ----------------


@dataclass(frozen=True)
class Notice:
    """One event an agent is told of by e-mail: a case's deadline at risk or breached
    (CORE-SLA-2), a vendor's answer on a case (CORE-SLA-4: the ball is back with the desk), or
    a renewal's step falling due (CORE-SLA-2 on the step's own rule). Each names its rule and
    its deadline; ``handle`` is who is told (the case's assignee, or a lead: CORE-TEAM-1)."""

    kind: str
    """``deadline``, ``vendor-reply`` or ``step-due``."""
    record_kind: str
    """Where it is recorded once delivered: ``cases`` or ``workflows``."""
    record: str
    """The case (``C-12``) or workflow (``W-3``) it is about."""
    subject: str
    what: str
    """What happened, in words: ``breached: acknowledgement``, ``the vendor answered``."""
    rule: str
    due: datetime | None
    """The deadline it is about (for a step, the end of its due date in the desk's zone)."""
    handle: str
    why: str
    """Why this agent is told: ``assigned to ken`` or ``lead``."""
    key: str
    """The sweep key recorded on the record once delivered: ``mail:<handle>:…``."""

    def text(self, tz: tzinfo) -> str:
        due = f" due {self.due.astimezone(tz):%Y-%m-%d %H:%M %Z}" if self.due else ""
        return f"{self.record} {self.what} ({self.rule}){due} — {self.subject} ({self.why})"

    def payload(self, tz: tzinfo) -> dict[str, Any]:
        """The webhook's JSON (``text``, as a chat tool takes it), with the facts as fields."""
        return {
            "text": self.text(tz),
            "kind": self.kind,
            "case" if self.record_kind == "cases" else "workflow": self.record,
            "rule": self.rule,
            "due": self.due.astimezone(tz).isoformat() if self.due else None,
            "assignee": self.handle,
        }


def mail_notices(desk: Desk) -> list[Notice]:
    """Every notice not yet delivered by e-mail, per agent told, in record order: the case's
    assignee and every lead of the desk (a lead hears of any case, CORE-TEAM-1); the deadlines
    at risk or breached, the vendors' answers, the renewal steps falling due."""
    return _notices(desk, "mail")


def webhook_notices(desk: Desk) -> list[Notice]:
    """What the webhook (one channel, not a person) is told besides the deadlines of
    :func:`due_notifications`: the vendors' answers on assigned cases and the renewal steps
    falling due, each once."""
    return _notices(desk, "webhook")


def _notices(desk: Desk, channel: str) -> list[Notice]:
    team = [a for a in desk.agents() if a.active]
    leads = [a.handle for a in team if a.is_lead]
    active = {a.handle for a in team}
    found = []
    cases = desk.cases(open_only=True)
    for case, deadlines in zip(cases, desk.deadlines_for(cases), strict=True):
        if channel == "mail":
            told = _told(case.assignee, leads, active)
        else:
            told = {case.assignee: f"assigned to {case.assignee}"} if case.assignee else {}
        if not told:
            continue
        for deadline in deadlines if channel == "mail" else []:
            if deadline.state in TOLD and deadline.due is not None:
                start = deadline.start.isoformat() if deadline.start else ""
                event = f"{deadline.state}:{deadline.name}:{start}"
                what = f"{deadline.state}: {deadline.name}"
                found += _per_agent(case, "deadline", what, deadline.rule, deadline.due, event, told, channel)
        answer = _unanswered_vendor_reply(desk, case)
        if answer is not None:
            following = next_running(deadlines)
            rule = following.rule if following else "CORE-SLA-4"
            what = "the vendor answered: the ball is back with the desk" + (
                f", next {following.name}" if following else ""
            )
            due = following.due if following else None
            event = f"vendor-reply:{answer}"
            found += _per_agent(case, "vendor-reply", what, rule, due, event, told, channel)
    steps_told = {lead: "lead" for lead in leads} if channel == "mail" else {"": "for the leads"}
    return [*found, *_step_notices(desk, steps_told, channel)]


def _key(channel: str, handle: str, event: str) -> str:
    """The sweep key a notice is recorded under: per agent by e-mail, once for the webhook."""
    return f"mail:{handle}:{event}" if channel == "mail" else f"notify:{event}"


def _told(assignee: str, leads: list[str], active: set[str]) -> dict[str, str]:
    """Who is told of a case, and why: its assignee (if active), then each lead."""
    told = {assignee: f"assigned to {assignee}"} if assignee in active else {}
    for lead in leads:
        told.setdefault(lead, "lead")
    return told


def _per_agent(
    case: Case,
    kind: str,
    what: str,
    rule: str,
    due: datetime | None,
    event: str,
    told: dict[str, str],
    channel: str,
) -> list[Notice]:
    notices = [
        Notice(
            kind, "cases", case.id, case.subject, what, rule, due, handle, why, _key(channel, handle, event)
        )
        for handle, why in told.items()
    ]
    return [n for n in notices if n.key not in case.sweep_keys]


def _unanswered_vendor_reply(desk: Desk, case: Case) -> int | None:
    """The event id of the vendor's answer the desk has not acted on yet: the case's last
    timeline change is a vendor reply (the desk has not sent again, resolved or closed)."""
    if case.state != "open" or case.sent_at is None:
        return None
    for event in reversed(desk.events("cases", case.id)):
        if event.action == "vendor-reply":
            return event.id
        if event.action in ("send", "resolve", "pending", "reopen", "respond"):
            return None
    return None


def _step_notices(desk: Desk, told: dict[str, str], channel: str) -> list[Notice]:
    """The next step of each open renewal that is at risk or past its due date (CORE-SLA-2 on
    the step's rule), told to the leads: a renewal belongs to no agent."""
    from workbench.desk.workflows import step_states

    found = []
    tz = desk.timezone()
    for workflow in desk.workflows(kind="renewal", open_only=True):
        step = workflow.next_step
        if step is None or step.due is None:
            continue
        state = step_states(desk, workflow)[step.id]
        if state not in TOLD:
            continue
        end_of_day = datetime.combine(step.due, time(23, 59), tz)
        what = f"{state}: step '{step.title}' falls due"
        recorded = workflow.data.get("sweep_keys", [])
        for handle, why in told.items():
            key = _key(channel, handle, f"step:{state}:{step.id}:{step.due.isoformat()}")
            if key not in recorded:
                found.append(
                    Notice(
                        "step-due",
                        "workflows",
                        workflow.id,
                        workflow.title,
                        what,
                        step.rule,
                        end_of_day,
                        handle,
                        why,
                        key,
                    )
                )
    return found


def record_notice(desk: Desk, notice: Notice, channel: str, message_id: str = "") -> bool:
    """Record on the case or workflow that ``notice`` was delivered by ``channel`` (``email``
    or ``webhook``): its key joins the record's sweep keys, an event names the agent and the
    e-mail's Message-ID; ``False`` when another sweeper recorded it first."""
    who = notice.handle or "the webhook's channel"
    reason = f"{who} told by {'e-mail' if channel == 'email' else channel}: {notice.what}"
    data = {"key": notice.key, "channel": channel, "agent": notice.handle}
    if message_id:
        data["message_id"] = message_id
    if notice.record_kind == "cases":
        try:
            change_case(
                desk,
                notice.record,
                "notify",
                lambda case: case.sweep_keys.append(notice.key),
                rule=notice.rule,
                reason=reason,
                data=data,
                by_sweep=True,
                sweep_key=notice.key,
            )
        except AlreadySwept:
            return False
        return True
    with desk.store.transaction() as tx:
        record = tx.get("workflows", notice.record)
        keys = record["data"].setdefault("sweep_keys", [])
        if notice.key in keys:
            return False
        keys.append(notice.key)
        tx.put("workflows", notice.record, record)
        record_event(
            desk,
            tx,
            "workflows",
            notice.record,
            "notify",
            None,
            None,
            rule=notice.rule,
            reason=reason,
            data=data,
        )
    return True
