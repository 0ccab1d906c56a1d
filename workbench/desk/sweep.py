"""The sweep: every time-driven rule applied once at the desk clock — the plugins' actions on
open cases and on the desk (reminders, automatic closes, new workflows) and a breach event per
breached deadline (CORE-SLA-2). Each action carries a key, so a second sweep at the same time
does nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workbench.desk.cases import UNREADABLE, AlreadySwept, change_case, end_pause, stopped
from workbench.desk.records import flatten, record_event
from workbench.desk.views import (
    SweepReport,
)
from workbench.desk.workflows import breached_steps
from workbench.errors import BadInput
from workbench.model import (
    Action,
    Case,
    Deadline,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


AHEAD = timedelta(days=14)
"""How far ahead :func:`next_automatic` looks for the rules' next action on a case."""
STEP = timedelta(hours=6)
"""How often within :data:`AHEAD` the rules are asked before narrowing to the minute."""


def next_automatic(desk: Desk, case: Case) -> tuple[datetime, Action] | None:
    """When the time-driven rules will next act on ``case`` by themselves (a reminder, an
    automatic close …) and what they will do, within :data:`AHEAD`: the sweep's own hooks
    asked every :data:`STEP`, then to the second within the step where one comes due (an
    action once due stays due until a sweep applies it); actions already applied do not
    count. ``None`` for a closed case or none in sight."""
    if not case.is_open:
        return None

    def due(at: datetime) -> list[Action]:
        actions = flatten(desk.plugins.call("workbench_sweep", case=case, desk=desk, now=at))
        return [a for a in actions if a.key not in case.sweep_keys]

    start = desk.now()
    if due(start):
        return start, due(start)[0]
    before = start
    for steps in range(1, AHEAD // STEP + 1):
        at = start + steps * STEP
        if due(at):
            low, high = before, at
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if due(middle) else (middle, high)
            return high, due(high)[0]
        before = at
    return None


def sweep(desk: Desk, progress: Callable[[int, int], None] | None = None) -> SweepReport:
    """Apply every time-driven rule at the desk clock, once: plugins' actions on open
    cases and on the desk, and a breach event per breached deadline (CORE-SLA-2)."""
    now = desk.now()
    report = SweepReport(at=now)
    open_cases = desk.cases(open_only=True)
    # Every open case's deadlines in one batch (each case's events read once, the settings
    # and the desk calendar once for all); a case an action changed is asked again.
    batched = desk.deadlines_for(open_cases)
    for index, (case, deadlines) in enumerate(zip(open_cases, batched, strict=True), 1):
        report.checked += 1
        try:
            _sweep_case(desk, case, deadlines, now, report)
        except (BadInput, *UNREADABLE) as exc:
            report.skipped.append({"case": case.id, "reason": str(exc)})
        if progress:
            progress(index, len(open_cases))
    # A workflow the sweep opens may itself be due for a reminder: ask again until no
    # new workflow opens, so a second sweep at the same time finds nothing to do.
    opened = -1
    while opened != len(report.opened):
        opened = len(report.opened)
        keys = {record.get("key") for record in desk.store.all("workflows")}
        for action in flatten(desk.plugins.call("workbench_sweep_desk", desk=desk, now=now)):
            _apply_desk_action(desk, action, report, keys)
    # Every dated step of an open workflow that passed its due date is a breach, once
    # (CORE-SLA-2); after the openings, so a second sweep at the same time finds none.
    for workflow in desk.workflows(open_only=True):
        for step in breached_steps(desk, workflow):
            key = f"breach:{step.id}:{step.due.isoformat()}"
            action = Action(
                "note",
                key,
                step.rule,
                f"{step.title} breached (due {step.due.isoformat()})",
                {"workflow": workflow.id, "step": step.id, "due": step.due.isoformat()},
            )
            if key not in workflow.data.get("sweep_keys", []):
                try:
                    marked = _mark_workflow(desk, workflow.id, action, "breach")
                except BadInput as exc:  # its history is later than the sweep (CORE-AUDIT-1)
                    report.skipped.append({"workflow": workflow.id, "reason": str(exc)})
                    break
                if not marked:
                    continue
                report.breaches.append(
                    {"workflow": workflow.id, "step": step.id, "rule": step.rule, "due": step.due.isoformat()}
                )
    return report


def _sweep_case(
    desk: Desk, case: Case, deadlines: list[Deadline] | None, now: datetime, report: SweepReport
) -> None:
    """One open case: its plugins' actions, then a breach event per breached deadline."""
    problem = desk.unreadable.get(f"case {case.id}")
    if problem:
        raise ValueError(problem)
    actions = flatten(desk.plugins.call("workbench_sweep", case=case, desk=desk, now=now))
    for action in actions:
        if not case.is_open:
            break
        if action.key not in case.sweep_keys:
            try:
                _apply_case_action(desk, case, action, report)
            except AlreadySwept:
                pass  # another sweep at the same time recorded it
            case = desk.case(case.id)
            deadlines = None
    if case.is_open:
        for deadline in deadlines if deadlines is not None else desk.deadlines(case):
            breach_key = f"breach:{deadline.name}:{deadline.start.isoformat() if deadline.start else ''}"
            if deadline.state == "breached" and breach_key not in case.sweep_keys:
                try:
                    _mark(
                        desk,
                        case.id,
                        breach_key,
                        "breach",
                        deadline.rule,
                        f"{deadline.name} breached (due {deadline.due.isoformat()}, {deadline.calendar})",
                        {"deadline": deadline.name, "due": deadline.due.isoformat()},
                    )
                except AlreadySwept:
                    continue  # another sweep at the same time recorded it
                report.breaches.append(
                    {
                        "case": case.id,
                        "deadline": deadline.name,
                        "rule": deadline.rule,
                        "due": deadline.due.isoformat(),
                    }
                )


def _mark(
    desk: Desk, key: str, sweep_key: str, action: str, rule: str, reason: str, data: dict[str, Any]
) -> Case:
    def change(case: Case) -> None:
        case.sweep_keys.append(sweep_key)

    return change_case(
        desk,
        key,
        action,
        change,
        rule=rule,
        reason=reason,
        data={**data, "key": sweep_key},
        by_sweep=True,
        sweep_key=sweep_key,
    )


def _apply_case_action(desk: Desk, case: Case, action: Action, report: SweepReport) -> None:
    if action.kind == "close":
        reason = action.data.get("reason") or automatic_close_reason(desk, case)

        def change(c: Case) -> None:
            now = desk.now()
            c.outcomes = stopped(desk.deadlines(c), now) + desk.earlier_windows(c)
            end_pause(c, now)
            c.state, c.closed_at, c.close_reason = "closed", now, reason
            c.sweep_keys.append(action.key)

        change_case(
            desk,
            case.id,
            "close",
            change,
            rule=action.rule,
            reason=action.reason,
            data={**action.data, "reason": reason, "key": action.key},
            sweep_key=action.key,
        )
    elif action.kind == "reroute":

        def reroute(c: Case) -> None:
            c.path, c.queue = action.data["path"], action.data["queue"]
            c.route_rule, c.route_reason = action.rule, action.reason
            c.sweep_keys.append(action.key)

        change_case(
            desk,
            case.id,
            "reroute",
            reroute,
            rule=action.rule,
            reason=action.reason,
            data={**action.data, "key": action.key},
            by_sweep=True,
            sweep_key=action.key,
        )
    else:
        _mark(desk, case.id, action.key, action.kind, action.rule, action.reason, action.data)
    report.applied.append({"case": case.id, **action.to_dict()})


def automatic_close_reason(desk: Desk, case: Case) -> str:
    """The reason an automatic close records: the vendor's own (its closure reason no agent
    gives by hand), else the core's ``no-reply``."""
    automatic = [r for r in desk.close_reasons(case) if not r.manual]
    return automatic[0].code if automatic else "no-reply"


def _apply_desk_action(desk: Desk, action: Action, report: SweepReport, keys: set[str]) -> None:
    """Apply one desk-wide action; ``keys`` are the keys of the workflows there are (an
    opening already done is skipped without reading every workflow again)."""
    if action.kind == "open-workflow":
        if action.key in keys:
            return
        try:
            workflow = desk.open_workflow(
                action.data["vendor"],
                action.data["template"],
                customer_id=action.data.get("customer_id", ""),
                contract_id=action.data.get("contract_id", ""),
                anchor=date.fromisoformat(action.data["anchor"]) if action.data.get("anchor") else None,
                key=action.key,
                rule=action.rule,
                reason=action.reason,
            )
        except AlreadySwept:
            return
        keys.add(action.key)
        report.opened.append(workflow.id)
        report.applied.append({"workflow": workflow.id, **action.to_dict()})
        return
    workflow = desk.workflow(action.data["workflow"])
    if action.key in workflow.data.get("sweep_keys", []):
        return
    if _mark_workflow(desk, workflow.id, action, action.kind):
        report.applied.append({"workflow": workflow.id, **action.to_dict()})


def _mark_workflow(desk: Desk, key: str, action: Action, kind: str) -> bool:
    """Record ``action`` on workflow ``key`` once (its key joins the workflow's sweep keys);
    whether it was recorded now (not by another sweep at the same time: checked under the
    lock)."""
    with desk.store.transaction() as tx:
        record = tx.get("workflows", key)
        keys = record["data"].setdefault("sweep_keys", [])
        if action.key in keys:
            return False
        keys.append(action.key)
        tx.put("workflows", key, record)
        record_event(
            desk,
            tx,
            "workflows",
            key,
            kind,
            None,
            None,
            rule=action.rule,
            reason=action.reason,
            data={**action.data, "key": action.key},
        )
    return True
