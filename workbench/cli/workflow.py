"""``workbench workflow …`` and ``workbench renewals``: dated checklists."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import (
    Output,
    check_filters,
    customer_name,
    parse_date,
    parse_pairs,
    with_desk,
    words,
)

if TYPE_CHECKING:
    from workbench.desk import Desk, WorkflowView


@click.group()
def workflow() -> None:
    """Orders, renewals, option requests, onboarding: dated checklists."""


def _workflow_text(desk: Desk, view: WorkflowView) -> list[str]:
    return words(desk).workflow(view, customer_name(desk, view.workflow.customer_id))


@workflow.command("templates")
@click.argument("vendor")
@with_desk
def workflow_templates(desk: Desk, vendor: str) -> Output:
    """The workflows VENDOR defines."""
    found = desk.workflow_templates(vendor)
    return Output(
        [t.to_dict() for t in found],
        [f"{t.id:20} {t.kind:10} {t.title} — " + " → ".join(s.id for s in t.steps) for t in found],
    )


@workflow.command("fields")
@click.argument("vendor")
@click.argument("template")
@click.argument("step_id")
@with_desk
def workflow_fields(desk: Desk, vendor: str, template: str, step_id: str) -> Output:
    """The fields of the form STEP_ID of a VENDOR TEMPLATE asks for: the keys a script passes
    to `workflow step … --field KEY=VALUE`."""
    fields = desk.step_fields(vendor, template, step_id)
    lines = [
        f"{f.name:28} {f.kind:9} {'required' if f.required else 'optional':8} {f.label}"
        + (f" — when {', '.join(f'{k}={v}' for k, v in f.when.items())}" if f.when else "")
        + (f" — one of {', '.join(f.choices)}" if f.choices else "")
        + (f" ({f.rule})" if f.rule else "")
        for f in fields
    ]
    return Output([f.to_dict() for f in fields], lines or [f"step {step_id} asks for no form"])


@workflow.command("new")
@click.option("--vendor", required=True)
@click.option("--template", required=True)
@click.option("--customer", "customer_id", default="")
@click.option("--contract", "contract_id", default="")
@click.option("--anchor", default=None, help="The date due dates count from (YYYY-MM-DD).")
@with_desk
def workflow_new(
    desk: Desk, vendor: str, template: str, customer_id: str, contract_id: str, anchor: str | None
) -> Output:
    """Open a workflow from one of the vendor's templates."""
    created = desk.open_workflow(vendor, template, customer_id, contract_id, parse_date(anchor, "--anchor"))
    view = desk.workflow_view(created.id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@workflow.command("list")
@click.option("--vendor", default=None)
@click.option("--open", "open_only", is_flag=True, help="Only workflows with steps left.")
@with_desk
def workflow_list(desk: Desk, vendor: str | None, open_only: bool) -> Output:
    """Workflows."""
    check_filters(desk, vendor, None)
    views = [desk.workflow_view(w.id) for w in desk.workflows(vendor=vendor, open_only=open_only)]
    lines = [
        f"{v.workflow.id:6} [{v.state:8}] {v.workflow.vendor:8} {v.workflow.title:34} "
        f"{customer_name(desk, v.workflow.customer_id)} — next: "
        + (f"{v.next_step.title} due {v.next_step.due or '-'}" if v.next_step else "done")
        for v in views
    ]
    return Output([v.to_dict() for v in views], lines or ["no workflows"])


@workflow.command("show")
@click.argument("workflow_id")
@click.option(
    "--form",
    "form_step",
    default=None,
    metavar="STEP",
    help="Print STEP's form answers as plain text, in the form's order.",
)
@with_desk
def workflow_show(desk: Desk, workflow_id: str, form_step: str | None) -> Output:
    """A workflow's checklist, or one step's form as text to paste."""
    if form_step:
        lines = desk.form_text(workflow_id, form_step)
        return Output({"workflow": workflow_id, "step": form_step, "lines": lines}, lines)
    view = desk.workflow_view(workflow_id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@workflow.command("step")
@click.argument("workflow_id")
@click.argument("step_id")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="An answer of the step's form.")
@with_desk
def workflow_step(desk: Desk, workflow_id: str, step_id: str, fields: tuple[str, ...]) -> Output:
    """Complete a step (in order; its form and the vendor's conditions are checked)."""
    desk.complete_step(workflow_id, step_id, parse_pairs(fields, "--field"))
    view = desk.workflow_view(workflow_id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@click.command()
@click.option("--within", type=int, default=None, help="Only those due within DAYS.")
@with_desk
def renewals(desk: Desk, within: int | None) -> Output:
    """Renewals of every vendor, oldest deadline first."""
    views = desk.renewals(within)
    shown = words(desk)
    lines = [
        f"{v.workflow.id:6} [{v.state:8}] {v.workflow.vendor:8} {v.workflow.title:34} "
        f"{customer_name(desk, v.workflow.customer_id)} — "
        + (f"next: {v.next_step.title} due {v.next_step.due}" if v.next_step else "done")
        + "".join(f"\n    {shown.finding(f)}" for f in v.findings)
        for v in views
    ]
    return Output([v.to_dict() for v in views], lines or ["no renewals due"])
