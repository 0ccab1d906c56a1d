"""Workflows (renewals, transfers, … opened from a vendor's templates): opening one, the
order and conditions of its steps, the forms they ask for, and the open renewals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from workbench.calendar import local_date
from workbench.desk.cases import AlreadySwept
from workbench.desk.records import diff, flatten, key_number, record_event
from workbench.desk.values import parse_value
from workbench.desk.views import (
    WorkflowView,
)
from workbench.errors import BadInput, FormInvalid, Invalid, NotFound, Refused
from workbench.model import (
    Contract,
    Decision,
    Field,
    Finding,
    Step,
    Workflow,
    WorkflowTemplate,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


def workflow_templates(desk: Desk, vendor: str) -> list[WorkflowTemplate]:
    desk.program(vendor)
    return desk.plugins.first("workbench_workflow_templates", vendor=vendor, desk=desk) or []


def form_fields(desk: Desk, vendor: str, form: str) -> list[Field]:
    return desk.plugins.first("workbench_form_fields", vendor=vendor, form=form, desk=desk) or []


def workflow(desk: Desk, key: str) -> Workflow:
    record = desk.store.get("workflows", key)
    if record is None:
        raise NotFound("workflow", key)
    return Workflow.from_dict(record)


def workflows(
    desk: Desk, vendor: str | None = None, kind: str | None = None, open_only: bool = False
) -> list[Workflow]:
    """The workflows of ``vendor`` and ``kind``, or open; the records are filtered before
    they are typed (the sweep asks for each vendor's open ones among thousands done)."""
    records = desk.store.all("workflows", match={"vendor": vendor} if vendor else None)
    if open_only:  # Workflow.done: every step done
        records = [r for r in records if not all(s.get("done_at") is not None for s in r.get("steps", []))]
    found = [Workflow.from_dict(r) for r in records]
    if kind:
        found = [w for w in found if _template_of(desk, w) and _template_of(desk, w).kind == kind]
    return sorted(found, key=lambda w: key_number(w.id))


def _template_of(desk: Desk, workflow: Workflow) -> WorkflowTemplate | None:
    return next((t for t in desk.workflow_templates(workflow.vendor) if t.id == workflow.template), None)


def open_workflow(
    desk: Desk,
    vendor: str,
    template: str,
    customer_id: str = "",
    contract_id: str = "",
    anchor: date | None = None,
    key: str = "",
    rule: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Workflow:
    """Open a workflow from one of the vendor's templates; due dates count from ``anchor``."""
    templates = {t.id: t for t in desk.workflow_templates(vendor)}
    if template not in templates:
        raise BadInput("template", f"{template!r} is not a {vendor} workflow ({', '.join(templates)})")
    chosen = templates[template]
    if customer_id:
        desk.customer(customer_id)
    if contract_id:
        contract = desk.contract(contract_id)
        if contract.vendor != vendor:
            raise BadInput("contract", f"{contract_id} is a {contract.vendor} contract, not {vendor}")
        if customer_id and contract.customer_id != customer_id:
            raise BadInput("contract", f"{contract_id} belongs to {contract.customer_id}, not {customer_id}")
        customer_id = customer_id or contract.customer_id
        if anchor is None and chosen.kind == "renewal" and contract.end is not None:
            anchor = contract.end  # a renewal counts from the contract's end, its renewal date
    if any(s.offset_days is not None for s in chosen.steps) and anchor is None:
        raise BadInput(
            "anchor",
            f"{chosen.title} needs an anchor date (its steps' due dates count from it)"
            + (": give --anchor, or a contract with an end date" if chosen.kind == "renewal" else ""),
        )
    steps = [
        Step(
            id=s.id,
            title=s.title,
            rule=s.rule,
            form=s.form,
            due=anchor + timedelta(days=s.offset_days) if anchor and s.offset_days is not None else None,
        )
        for s in chosen.steps
    ]
    workflow = Workflow(
        id="",
        vendor=vendor,
        template=template,
        title=chosen.title,
        steps=steps,
        opened_at=desk.now(),
        customer_id=customer_id,
        contract_id=contract_id,
        anchor=anchor,
        key=key,
        data=data or {},
        updated_at=desk.now(),
    )
    with desk.store.transaction() as tx:
        if key and any(r.get("key") == key for r in desk.store.all("workflows")):
            raise AlreadySwept(key)  # another sweep opened it first (the store caught up under the lock)
        workflow.id = f"W-{tx.next_number('workflows')}"
        record = workflow.to_dict()
        tx.put("workflows", workflow.id, record)
        record_event(
            desk,
            tx,
            "workflows",
            workflow.id,
            "open",
            None,
            record,
            rule=rule or chosen.rule,
            reason=reason or f"{chosen.title} opened",
        )
    return workflow


def check_step(desk: Desk, workflow: Workflow, step_id: str, data: dict[str, Any]) -> Decision:
    """May ``step_id`` be completed now? Order first (the template's rule), then the
    form's required fields, then the vendor's own condition."""
    template = _template_of(desk, workflow)
    rule = template.rule if template else step_rule(workflow, step_id)
    step = next((s for s in workflow.steps if s.id == step_id), None)
    if step is None:
        raise BadInput(
            "step",
            f"{step_id!r} is not a step of {workflow.id} ({', '.join(s.id for s in workflow.steps)})",
        )
    if step.done_at is not None:
        return Decision(False, rule, f"step {step.title!r} was already completed")
    if workflow.next_step is not step:
        return Decision(False, rule, f"steps complete in order: {workflow.next_step.title!r} comes first")
    if step.form:
        fields = desk.form_fields(workflow.vendor, step.form)
        missing = [
            f.label for f in fields if f.required and f.applies(data) and data.get(f.name) in (None, "")
        ]
        if missing:
            return Decision(False, step.rule, f"the {step.form} form is incomplete", missing=missing)
    decision = desk.plugins.first(
        "workbench_check_step", workflow=workflow, step=step_id, data=data, desk=desk, now=desk.now()
    )
    return decision or Decision(True, step.rule, "no condition blocks this step")


def step_rule(workflow: Workflow, step_id: str) -> str:
    """The rule of one of the workflow's steps (its template may be gone), or of its first."""
    return next(
        (s.rule for s in workflow.steps if s.id == step_id), workflow.steps[0].rule if workflow.steps else ""
    )


def step_fields(desk: Desk, vendor: str, template: str, step_id: str) -> list[Field]:
    """The fields of the form a template's step asks for (none when it asks for no form)."""
    templates = {t.id: t for t in desk.workflow_templates(vendor)}
    if template not in templates:
        raise BadInput("template", f"{template!r} is not a {vendor} workflow ({', '.join(templates)})")
    steps = {s.id: s for s in templates[template].steps}
    if step_id not in steps:
        raise BadInput("step", f"{step_id!r} is not a step of {template} ({', '.join(steps)})")
    form = steps[step_id].form
    return desk.form_fields(vendor, form) if form else []


def complete_step(desk: Desk, key: str, step_id: str, data: dict[str, Any] | None = None) -> Workflow:
    """Complete the next step of a workflow, with the form's answers where it asks for one."""
    workflow = desk.workflow(key)
    step = next((s for s in workflow.steps if s.id == step_id), None)
    values = dict(data or {})
    if step is not None and step.form:
        fields = {f.name: f for f in desk.form_fields(workflow.vendor, step.form)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise BadInput(unknown[0], f"not a field of the {step.form} form")
        values = {
            n: parse_value(n, fields[n].kind, v, fields[n].choices, desk.timezone())
            for n, v in values.items()
            if v not in (None, "")
        }
        for name, definition in fields.items():
            if name not in values and definition.default is not None and definition.applies(values):
                values[name] = definition.default
    if step is not None and step.form:
        missing = [
            Finding("error", f.rule or step.rule, f"{f.label} is required", f.name)
            for f in desk.form_fields(workflow.vendor, step.form)
            if f.required and f.applies(values) and values.get(f.name) in (None, "")
        ]
        if missing and workflow.next_step is step:
            raise Invalid(missing)
    with desk.store.transaction() as tx:
        # Order, blockers and the vendor's condition (a hold's release, WX-HOLD-2) are
        # decided on the workflow as of the writer lock: of two agents completing the same
        # step at once, one does, and the other gets what a late single command gets.
        record = tx.get("workflows", key)
        fresh = Workflow.from_dict(record)
        decision = desk.check_step(fresh, step_id, values)
        if not decision.allowed:
            raise _form_error(desk, fresh, step, decision) or Refused(decision)
        target = next(s for s in fresh.steps if s.id == step_id)
        target.done_at = desk.now()
        target.done_by = desk.actor
        target.data = values
        for later in fresh.steps:
            if later.id in decision.records.get("due", {}):
                later.due = date.fromisoformat(decision.records["due"][later.id])
        fresh.updated_at = desk.now()
        after = fresh.to_dict()
        tx.put("workflows", key, after)
        record_event(
            desk,
            tx,
            "workflows",
            key,
            "step",
            None,
            {"step": step_id, "data": values},
            rule=decision.rule,
            reason=decision.reason,
        )
        if decision.records.get("contract_start") and fresh.contract_id:
            _start_contract(desk, tx, fresh, date.fromisoformat(decision.records["contract_start"]), decision)
    return fresh


def _form_error(desk: Desk, workflow: Workflow, step: Step | None, decision: Decision) -> FormInvalid | None:
    """A refusal whose missing items are all answers of the step's form is a form error, bad
    input like any other (exit 2): one finding per answer, under the refusing rule."""
    if step is None or not step.form or not decision.missing:
        return None
    names = {f.label: f.name for f in desk.form_fields(workflow.vendor, step.form)}
    if not all(label in names for label in decision.missing):
        return None
    findings = [Finding("error", decision.rule, decision.reason, names[label]) for label in decision.missing]
    return FormInvalid(findings, decision)


def _start_contract(desk: Desk, tx: Any, workflow: Workflow, start: date, decision: Decision) -> None:
    """Record ``start`` as the start of the workflow's contract and move its end (the renewal
    date) to keep the contract's term: ``term_years`` when the contract names it, else its
    span in whole years (at least one)."""
    before = tx.get("contracts", workflow.contract_id)
    contract = Contract.from_dict(before)
    years = contract.attributes.get("term_years")
    if not isinstance(years, int) or years < 1:
        span = (contract.end - contract.start).days if contract.end else 365
        years = max(round(span / 365.25), 1)
    contract.start = start
    contract.end = _years_after(start, years)
    after = contract.to_dict()
    tx.put("contracts", contract.id, after)
    old, new = diff(before, after)
    record_event(
        desk,
        tx,
        "contracts",
        contract.id,
        "update",
        old,
        new,
        rule=decision.rule,
        reason=f"{workflow.id}: the contract starts on {start} and renews on {contract.end} "
        f"({years} year term)",
    )


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def form_text(desk: Desk, key: str, step_id: str) -> list[str]:
    """A completed step's form answers as ``Label: value`` lines in the form's order,
    ready to paste into the vendor's own form."""
    workflow = desk.workflow(key)
    step = next((s for s in workflow.steps if s.id == step_id), None)
    if step is None or not step.form:
        raise BadInput("step", f"{step_id!r} is not a step of {key} that asks for a form")
    lines = []
    for definition in desk.form_fields(workflow.vendor, step.form):
        value = step.data.get(definition.name, "")
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"{definition.label}: {value}")
    return lines


def workflow_view(desk: Desk, key: str) -> WorkflowView:
    workflow = desk.workflow(key)
    findings = flatten(
        desk.plugins.call("workbench_workflow_findings", workflow=workflow, desk=desk, now=desk.now())
    )
    step = workflow.next_step
    decision = desk.check_step(workflow, step.id, {}) if step and not step.form else None
    states = step_states(desk, workflow)
    return WorkflowView(
        workflow,
        _template_of(desk, workflow),
        findings,
        step,
        decision,
        states[step.id] if step else "done",
        states,
    )


STEP_STATES = ("ok", "at-risk", "breached")
"""What a vendor may answer for a step's state (``workbench_step_state``)."""


def step_states(desk: Desk, workflow: Workflow) -> dict[str, str]:
    """Each step's state (CORE-SLA-2), like a case clock's: ``done``; what the vendor's rule
    says where it judges the step itself (``workbench_step_state``: a WebEx hold held too long
    is at risk, WX-HOLD-1); else ``ok`` without a due date; ``breached`` once its due date
    has passed; ``at-risk`` when less than ``core.at_risk_share`` of its window is left — the
    window runs from the latest earlier due date of the workflow's steps (or the day the
    workflow opened) to its own."""
    today = desk.today()
    share = float(desk.setting("core.at_risk_share"))
    opened = local_date(workflow.opened_at, desk.timezone())
    dues = [s.due for s in workflow.steps if s.due is not None]
    states = {}
    for step in workflow.steps:
        if step.done_at is not None:
            states[step.id] = "done"
            continue
        judged = desk.plugins.first(
            "workbench_step_state", workflow=workflow, step=step, desk=desk, now=desk.now()
        )
        if judged in STEP_STATES:
            states[step.id] = judged
        elif step.due is None:
            states[step.id] = "ok"
        elif today > step.due:
            states[step.id] = "breached"
        else:
            begins = max([d for d in dues if d < step.due] + [opened])
            window = max((step.due - begins).days, 1)
            states[step.id] = "at-risk" if (step.due - today).days < share * window else "ok"
    return states


def breached_steps(desk: Desk, workflow: Workflow) -> list[Step]:
    """The steps not done whose due date has passed (CORE-SLA-2)."""
    today = desk.today()
    return [s for s in workflow.steps if s.done_at is None and s.due is not None and today > s.due]


def renewals(desk: Desk, within_days: int | None = None) -> list[WorkflowView]:
    """Open renewal workflows (every vendor), oldest next deadline first."""
    if within_days is not None and within_days < 0:
        raise BadInput("within", "must be zero or more days")
    views = []
    for workflow in desk.workflows(kind="renewal", open_only=True):
        step = workflow.next_step
        if within_days is not None and step and step.due and (step.due - desk.today()).days > within_days:
            continue
        views.append(desk.workflow_view(workflow.id))
    views.sort(key=lambda v: (v.next_step.due or date.max) if v.next_step else date.max)
    return views
