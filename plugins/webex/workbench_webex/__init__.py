"""Case Workbench plugin: the Cisco WebEx (Japan orders) program (rules WX-* of RULES.md).

Mostly workflows, not cases: new orders, renewals and option requests as dated checklists
(:mod:`workbench_webex.workflows`), the forms their steps ask for (:mod:`workbench_webex.forms`),
the sweep that opens renewals and reminds (:mod:`workbench_webex.sweep`), and Cisco's support
hours on every case and workflow. Every hook answers for the ``webex`` vendor only.
"""

from __future__ import annotations

from datetime import datetime

from workbench import DemoDesk, DeskReader, hookimpl
from workbench.calendar import local_date
from workbench.model import (
    Action,
    Case,
    Contract,
    Decision,
    Field,
    Finding,
    Step,
    VendorProgram,
    Workflow,
    WorkflowTemplate,
)
from workbench_webex import cases, forms, mail, sweep, workflows
from workbench_webex.forms import render_form
from workbench_webex.program import MAIL_DOMAINS, VENDOR, declaration

__all__ = ["render_form"]


@hookimpl
def workbench_vendor() -> VendorProgram:
    return declaration()


@hookimpl
def workbench_case_fields(vendor: str, desk: DeskReader) -> list[Field] | None:
    return cases.case_fields() if vendor == VENDOR else None


@hookimpl
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    return cases.validate_case(case, desk.now()) if case.vendor == VENDOR else None


@hookimpl
def workbench_compose_mail(case: Case, purpose: str, text: str, desk: DeskReader) -> Decision | None:
    if case.vendor != VENDOR or purpose != "vendor":
        return None
    return mail.refusal(case, desk.now())


@hookimpl
def workbench_check_contract(contract: Contract, desk: DeskReader) -> list[Finding] | None:
    return cases.check_contract(contract) if contract.vendor == VENDOR else None


@hookimpl
def workbench_workflow_templates(vendor: str, desk: DeskReader) -> list[WorkflowTemplate] | None:
    if vendor != VENDOR:
        return None
    return workflows.templates(desk.setting("webex.partner_tier"),
                               int(desk.setting("webex.provisioning_lead_days")))


@hookimpl
def workbench_form_fields(vendor: str, form: str, desk: DeskReader) -> list[Field] | None:
    return forms.fields_of(form) if vendor == VENDOR else None


@hookimpl
def workbench_check_step(
    workflow: Workflow, step: str, data: dict, desk: DeskReader, now: datetime
) -> Decision | None:
    if workflow.vendor != VENDOR:
        return None
    return workflows.check_step(workflow, step, data, workflows.context(workflow, desk, now), now)


@hookimpl
def workbench_workflow_findings(workflow: Workflow, desk: DeskReader, now: datetime) -> list[Finding] | None:
    if workflow.vendor != VENDOR:
        return None
    return workflows.findings(workflow, workflows.context(workflow, desk, now), now)


@hookimpl
def workbench_step_state(workflow: Workflow, step: Step, desk: DeskReader, now: datetime) -> str | None:
    return workflows.step_state(workflow, step, desk, now) if workflow.vendor == VENDOR else None


@hookimpl
def workbench_sweep_desk(desk: DeskReader, now: datetime) -> list[Action]:
    today = local_date(now, desk.timezone())
    actions = sweep.renewal_openings(desk.contracts(vendor=VENDOR), today,
                                     int(desk.setting("webex.renewal_window_days")))
    for workflow in desk.workflows(vendor=VENDOR, open_only=True):
        actions += sweep.workflow_reminders(workflow, workflows.context(workflow, desk, now), now)
    return actions


@hookimpl
def workbench_demo(desk: DemoDesk) -> list[str]:
    from workbench_webex import demo  # `workbench demo`'s only: not loaded by every command

    return demo.fill(desk)


@hookimpl
def workbench_mail_domains(vendor: str, desk: DeskReader) -> list[str] | None:
    return list(MAIL_DOMAINS) if vendor == VENDOR else None
