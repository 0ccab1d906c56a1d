"""Views: what a screen or a JSON document shows of a record, reasons included."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workbench.model import (
    Case,
    CloseReason,
    Customer,
    Deadline,
    Decision,
    Eligibility,
    Event,
    Finding,
    Ladder,
    Route,
    Rung,
    Step,
    Workflow,
    WorkflowTemplate,
)

# ----------------------------------------------------------------------------------------
# Views: what a screen or a JSON document shows of a record
# ----------------------------------------------------------------------------------------


@dataclass
class SettingView:
    key: str
    value: Any
    default: Any
    help: str
    kind: str
    choices: list[str]
    program: str
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class EscalationOption:
    """The next rung on a track and whether it may be climbed now."""

    track: str
    current: int
    rung: Rung | None
    decision: Decision | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "current": self.current,
            "next": self.rung.to_dict() if self.rung else None,
            "decision": self.decision.to_dict() if self.decision else None,
        }


@dataclass
class CaseView:
    """Everything the case screen and ``case show`` display, reasons included."""

    case: Case
    customer: Customer | None
    route: Route
    findings: list[Finding]
    deadlines: list[Deadline]
    ladder: Ladder
    options: list[EscalationOption]
    eligibility: list[Eligibility]
    ball: str
    ball_minutes: dict[str, int]
    close_reasons: list[CloseReason]
    events: list[Event]
    desk_minutes_by_agent: dict[str, int] = field(default_factory=dict)
    """The desk's ball time split by the agent assigned at the time (``""``: nobody)."""

    @property
    def version(self) -> int:
        """The id of the case's last event: what a change made on this view names as the
        state it was made on (``Desk.viewing``)."""
        return self.events[-1].id if self.events else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "case": self.case.to_dict(),
            "customer": self.customer.to_dict() if self.customer else None,
            "route": self.route.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "ladder": self.ladder.to_dict(),
            "escalation": [o.to_dict() for o in self.options],
            "eligibility": [e.to_dict() for e in self.eligibility],
            "ball": self.ball,
            "ball_minutes": self.ball_minutes,
            "desk_minutes_by_agent": self.desk_minutes_by_agent,
            "close_reasons": [r.to_dict() for r in self.close_reasons],
            "events": [e.to_dict() for e in self.events],
        }


@dataclass
class CasePreview:
    """What a new case would be: its findings, route and deadlines, before saving."""

    case: Case
    findings: list[Finding]
    route: Route | None
    deadlines: list[Deadline]

    @property
    def blocked(self) -> bool:
        return any(f.level == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "route": self.route.to_dict() if self.route else None,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "blocked": self.blocked,
        }


@dataclass
class SweepReport:
    """What one sweep changed; a second sweep at the same time changes nothing."""

    at: datetime
    applied: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    checked: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    """Cases left as they were, each with why: one whose history is later than the sweep's
    time (CORE-AUDIT-1), or one the desk cannot work out; the others are swept."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "checked": self.checked,
            "applied": self.applied,
            "breaches": self.breaches,
            "opened_workflows": self.opened,
            "skipped": self.skipped,
        }


@dataclass
class WorkflowView:
    workflow: Workflow
    template: WorkflowTemplate | None
    findings: list[Finding]
    next_step: Step | None
    next_decision: Decision | None
    state: str
    """The next step's state: ``ok``, ``at-risk``, ``breached`` or ``done`` (CORE-SLA-2)."""
    step_states: dict[str, str] = field(default_factory=dict)
    """Every step's state by step ID (CORE-SLA-2)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "next_step": self.next_step.to_dict() if self.next_step else None,
            "next_decision": self.next_decision.to_dict() if self.next_decision else None,
            "state": self.state,
            "step_states": self.step_states,
        }
