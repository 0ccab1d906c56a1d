"""Maintenance renewals per licence anniversary (ONTIME-RENEW-1), on the core's workflow engine.

The sweep opens one renewal workflow per licence and anniversary (key
``ontime-renewal:<licence id>:<anniversary>``) once the anniversary is within the window;
steps count from the anniversary: the notice is due ``renewal_notice_days`` before it, the
orders and the renewal itself by the anniversary.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from workbench.calendar import local_date
from workbench.model import Action, Decision, Finding, StepTemplate, Workflow, WorkflowTemplate
from workbench_ontime.contracts import TITLES, active, covered_until, fee_text
from workbench_ontime.program import LICENSE, MAINTENANCE, TECHNICAL_SUPPORT, VENDOR

TEMPLATE = "maintenance-renewal"
NOTICE = "notice-sent"
RENEWED = "renewed"


def template(desk) -> WorkflowTemplate:
    notice = int(desk.setting("ontime.renewal_notice_days"))
    return WorkflowTemplate(
        id=TEMPLATE,
        vendor=VENDOR,
        title="OnTime maintenance renewal",
        steps=[
            StepTemplate(NOTICE, "Renewal notice sent to the customer", "ONTIME-RENEW-1", -notice),
            StepTemplate("customer-order", "Customer order received", "ONTIME-RENEW-1", 0),
            StepTemplate("vendor-order", "Vendor order placed", "ONTIME-RENEW-1", 0),
            StepTemplate(RENEWED, "Maintenance renewed", "ONTIME-RENEW-1", 0),
        ],
        rule="ONTIME-RENEW-1",
        kind="renewal",
    )


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_anniversary(start: date, today: date) -> date:
    """The licence's first anniversary on or after ``today`` (an anniversary is never the
    start date itself)."""
    years = max(1, today.year - start.year)
    while add_years(start, years) < today:
        years += 1
    return add_years(start, years)


def renewal_key(licence_id: str, anniversary: date) -> str:
    return f"ontime-renewal:{licence_id}:{anniversary.isoformat()}"


def _today(desk, now: datetime) -> date:
    return local_date(now, desk.setting("desk.timezone"))


def sweep(desk, now: datetime) -> list[Action]:
    """Open the renewals that entered their window; remind of a renewal step on its due date.

    Only the next anniversary of each licence is looked at, so a sweep that runs late opens
    the current renewal once (already overdue where it is) and never an anniversary that
    has passed. A reminder is for the step that is next now: steps done meanwhile are not
    reminded of, however late the sweep runs.
    """
    today = _today(desk, now)
    window = int(desk.setting("ontime.renewal_window_days"))
    actions = []
    for licence in desk.contracts(vendor=VENDOR):
        if licence.product != LICENSE:
            continue
        try:
            anniversary = next_anniversary(licence.start, today)
        except ValueError:
            continue  # its next anniversary falls after 9999-12-31: no renewal opens
        days = (anniversary - today).days
        if days > window or not licence.active_on(anniversary):
            continue
        actions.append(Action(
            "open-workflow", renewal_key(licence.id, anniversary), "ONTIME-RENEW-1",
            f"licence {licence.id}'s anniversary {anniversary} is {days} days away: the maintenance "
            f"renewal opens {window} days before it",
            {"vendor": VENDOR, "template": TEMPLATE, "contract_id": licence.id,
             "anchor": anniversary.isoformat()},
        ))
    for workflow in desk.workflows(vendor=VENDOR, open_only=True):
        step = workflow.next_step
        if workflow.template != TEMPLATE or step.due is None or step.due > today:
            continue
        actions.append(Action(
            "reminder", f"ontime-renewal-due:{workflow.id}:{step.id}", step.rule,
            _due_text(workflow, today),
            {"workflow": workflow.id, "step": step.id, "due": step.due.isoformat()},
        ))
    return actions


def _due_text(workflow: Workflow, today: date) -> str:
    """``step 'Renewal notice sent to the customer' is due today (before the licence …)``."""
    step = workflow.next_step
    late = (today - step.due).days
    when = "is due today" if late == 0 else f"was due on {step.due}, {late} days ago"
    deadline = "before" if step.id == NOTICE else "by"
    return f"step {step.title!r} {when} ({deadline} the licence anniversary {workflow.anchor})"


def check_step(workflow: Workflow, step: str, desk) -> Decision | None:
    """``renewed`` needs the renewed maintenance on record: a maintenance contract that runs
    from the anniversary through the year after it."""
    if step != RENEWED or workflow.anchor is None:
        return None
    anniversary = workflow.anchor
    year_end = add_years(anniversary, 1) - timedelta(days=1)
    maintenance = [c for c in desk.contracts(workflow.customer_id, VENDOR) if c.product == MAINTENANCE]
    until = covered_until(maintenance, anniversary)
    if until is not None and until < year_end:
        return Decision(False, "ONTIME-RENEW-1",
                        f"the renewal is done when maintenance runs from the anniversary "
                        f"{anniversary} to {year_end}; record the renewed maintenance contract first",
                        missing=[f"maintenance contract from {anniversary} to {year_end}"])
    return Decision(True, "ONTIME-RENEW-1",
                    f"maintenance is on record from the anniversary {anniversary} to {year_end}")


def findings(workflow: Workflow, desk, now: datetime) -> list[Finding]:
    """The fees the notice quotes (ONTIME-PROD-1) and what is late (ONTIME-RENEW-1)."""
    found = []
    licence = desk.contract(workflow.contract_id) if workflow.contract_id else None
    if licence and licence.vendor == VENDOR and licence.product == LICENSE and workflow.anchor:
        products = [MAINTENANCE]
        if active(desk, workflow.customer_id, TECHNICAL_SUPPORT, workflow.anchor - timedelta(days=1)):
            products.append(TECHNICAL_SUPPORT)
        found.append(Finding("info", "ONTIME-PROD-1", "renewal fees: " + "; ".join(
            f"{TITLES[p]} {fee_text(p, licence)}" for p in products)))
    step = workflow.next_step
    today = _today(desk, now)
    if step is not None and step.due is not None and step.due < today:
        found.append(Finding("warning", "ONTIME-RENEW-1", _due_text(workflow, today)))
    if step is not None and workflow.anchor is not None and workflow.anchor < today:
        found.append(Finding("warning", "ONTIME-RENEW-1",
                             f"the licence anniversary {workflow.anchor} has passed without the "
                             "renewal done: maintenance lapses until it is renewed"))
    return found
