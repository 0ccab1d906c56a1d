"""Case Workbench plugin: the OnTime Group Calendar program (rules ONTIME-* of RULES.md).

The hooks live here and answer only for ``ontime``; the rules are in the modules beside:
``program`` (catalogue, settings), ``contracts`` (ONTIME-PROD-*), ``forms`` and ``routing``
(ONTIME-TRIAGE-*, ONTIME-PAID-1), ``escalation`` (ONTIME-ESC-*, ONTIME-PARTNER-1),
``renewals`` (ONTIME-RENEW-1) and ``demo``.
"""

from __future__ import annotations

from datetime import datetime

from workbench import DemoDesk, DeskReader, hookimpl
from workbench.model import (
    Action,
    Case,
    Contract,
    Decision,
    Field,
    Finding,
    Ladder,
    MailDraft,
    Quote,
    Route,
    VendorProgram,
    Workflow,
    WorkflowTemplate,
)
from workbench_ontime import contracts, escalation, mail, renewals, routing
from workbench_ontime.forms import FIELDS
from workbench_ontime.program import MAIL_DOMAINS, VENDOR, declaration


@hookimpl
def workbench_vendor() -> VendorProgram:
    return declaration()


@hookimpl
def workbench_case_fields(vendor: str, desk: DeskReader) -> list[Field] | None:
    return list(FIELDS) if vendor == VENDOR else None


@hookimpl
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    return routing.findings(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_route_case(case: Case, desk: DeskReader) -> Route | None:
    return routing.route(case) if case.vendor == VENDOR else None


@hookimpl
def workbench_compose_mail(
    case: Case, purpose: str, text: str, desk: DeskReader
) -> MailDraft | Decision | None:
    if case.vendor != VENDOR or purpose != "vendor":
        return None
    return mail.compose(case, text, desk)


@hookimpl
def workbench_escalation_ladder(case: Case, desk: DeskReader) -> Ladder | None:
    return escalation.ladder(desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_check_escalation(
    case: Case, track: str, level: int, desk: DeskReader, now: datetime
) -> Decision | None:
    """The technical track only: the core decides the commercial one (CORE-ESC-2)."""
    if case.vendor != VENDOR or track != "technical":
        return None
    return escalation.check(case, level, desk)


@hookimpl
def workbench_check_contract(contract: Contract, desk: DeskReader) -> list[Finding] | None:
    return contracts.check_contract(contract, desk) if contract.vendor == VENDOR else None


@hookimpl
def workbench_quote(contract: Contract, desk: DeskReader) -> Quote | None:
    return contracts.quote(contract, desk) if contract.vendor == VENDOR else None


@hookimpl
def workbench_workflow_templates(vendor: str, desk: DeskReader) -> list[WorkflowTemplate] | None:
    return [renewals.template(desk)] if vendor == VENDOR else None


@hookimpl
def workbench_sweep_desk(desk: DeskReader, now: datetime) -> list[Action]:
    return renewals.sweep(desk, now)


@hookimpl
def workbench_check_step(
    workflow: Workflow, step: str, data: dict, desk: DeskReader, now: datetime
) -> Decision | None:
    if workflow.vendor != VENDOR or workflow.template != renewals.TEMPLATE:
        return None
    return renewals.check_step(workflow, step, desk)


@hookimpl
def workbench_workflow_findings(workflow: Workflow, desk: DeskReader, now: datetime) -> list[Finding] | None:
    if workflow.vendor != VENDOR or workflow.template != renewals.TEMPLATE:
        return None
    return renewals.findings(workflow, desk, now)


@hookimpl
def workbench_demo(desk: DemoDesk) -> list[str]:
    from workbench_ontime import demo  # `workbench demo`'s only: not loaded by every command

    return demo.fill(desk)


@hookimpl
def workbench_mail_domains(vendor: str, desk: DeskReader) -> list[str] | None:
    return list(MAIL_DOMAINS) if vendor == VENDOR else None
