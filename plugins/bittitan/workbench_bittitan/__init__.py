"""Case Workbench plugin: the BitTitan MigrationWiz program (rules BT-* of RULES.md).

The hooks below answer for BitTitan only (``None`` for any other vendor) and hand the
decision to the module of the rule: ``forms`` (BT-FORM-1, BT-SAFE-1), ``routing``
(BT-ROUTE-1, BT-ROUTE-2), ``sla`` (BT-SLA-1), ``escalation`` (BT-ESC-1), ``pending``
(BT-PENDING-1), ``closing`` (BT-CLOSE-1), ``onboarding`` (BT-ONBOARD-1, BT-ONBOARD-2) and
``demo``.
"""

from __future__ import annotations

from datetime import datetime

from workbench import DemoDesk, DeskReader, hookimpl
from workbench.model import (
    Action,
    Case,
    CloseReason,
    Commitment,
    Contract,
    Customer,
    Decision,
    Eligibility,
    Field,
    Finding,
    Ladder,
    MailDraft,
    Route,
    VendorProgram,
    Workflow,
    WorkflowTemplate,
)
from workbench_bittitan import (
    closing,
    escalation,
    forms,
    mail,
    onboarding,
    pending,
    routing,
    sla,
)
from workbench_bittitan.program import MAIL_DOMAINS, VENDOR, declaration


@hookimpl
def workbench_vendor() -> VendorProgram:
    return declaration()


# -- cases -----------------------------------------------------------------------------------


@hookimpl
def workbench_case_fields(vendor: str) -> list[Field] | None:
    return forms.case_fields() if vendor == VENDOR else None


@hookimpl
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    if case.vendor != VENDOR:
        return None
    return [
        *forms.form_findings(case),
        *forms.first_ticket_findings(case, desk),
        *routing.reroute_findings(case, desk),
        *escalation.developer_review_findings(case, desk),
        *pending.findings(case, desk),
    ]


@hookimpl
def workbench_compose_mail(
    case: Case, purpose: str, text: str, desk: DeskReader
) -> MailDraft | Decision | None:
    if case.vendor != VENDOR or purpose != "vendor":
        return None
    return mail.compose(case, text, desk)


@hookimpl
def workbench_route_case(case: Case, desk: DeskReader) -> Route | None:
    return routing.route(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_commitments(case: Case, desk: DeskReader) -> list[Commitment] | None:
    if case.vendor != VENDOR:
        return None
    return [*sla.commitments(case, desk),
            *pending.commitments(case, desk, desk.events("cases", case.id))]


# -- escalation ------------------------------------------------------------------------------


@hookimpl
def workbench_escalation_ladder(case: Case) -> Ladder | None:
    return escalation.ladder(case) if case.vendor == VENDOR else None


@hookimpl
def workbench_check_escalation(
    case: Case, track: str, level: int, desk: DeskReader, now: datetime
) -> Decision | None:
    if case.vendor != VENDOR or track != "technical":
        return None  # the commercial track is the core's (CORE-ESC-2)
    return escalation.check(case, level, desk, now)


# -- closing and time-driven actions ---------------------------------------------------------


@hookimpl
def workbench_close_reasons(case: Case, desk: DeskReader) -> list[CloseReason] | None:
    return closing.close_reasons(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_sweep(case: Case, desk: DeskReader, now: datetime) -> list[Action] | None:
    if case.vendor != VENDOR:
        return None
    return [*routing.sweep(case, desk), *pending.sweep(case, desk, now)]


@hookimpl
def workbench_sweep_desk(desk: DeskReader, now: datetime) -> list[Action]:
    return onboarding.onboarding_to_open(desk, now)


# -- customers and contracts -----------------------------------------------------------------


@hookimpl
def workbench_eligibility(customer: Customer, desk: DeskReader) -> list[Eligibility]:
    return onboarding.eligibility(customer, desk)


@hookimpl
def workbench_check_contract(contract: Contract, desk: DeskReader) -> list[Finding] | None:
    return onboarding.contract_findings(contract, desk) if contract.vendor == VENDOR else None


# -- workflows -------------------------------------------------------------------------------


@hookimpl
def workbench_workflow_templates(vendor: str) -> list[WorkflowTemplate] | None:
    return onboarding.TEMPLATES if vendor == VENDOR else None


@hookimpl
def workbench_form_fields(vendor: str, form: str) -> list[Field] | None:
    return onboarding.FORMS.get(form) if vendor == VENDOR else None


@hookimpl
def workbench_check_step(
    workflow: Workflow, step: str, data: dict, desk: DeskReader
) -> Decision | None:
    return onboarding.check_step(workflow, step, data, desk) if workflow.vendor == VENDOR else None


@hookimpl
def workbench_workflow_findings(workflow: Workflow) -> list[Finding] | None:
    return onboarding.workflow_findings(workflow) if workflow.vendor == VENDOR else None


# -- demo desk -------------------------------------------------------------------------------


@hookimpl
def workbench_demo(desk: DemoDesk) -> list[str]:
    from workbench_bittitan import demo  # `workbench demo`'s only: not loaded by every command

    return demo.fill(desk)


@hookimpl
def workbench_mail_domains(vendor: str, desk: DeskReader) -> list[str] | None:
    return list(MAIL_DOMAINS) if vendor == VENDOR else None
