"""Case Workbench plugin: the Zoho partner support program (rules ZOHO-* of RULES.md).

This module is the plugin's hook table: each hook answers for Zoho only (``None`` for any
other vendor) and hands the work to the module that owns the rule.
"""

from __future__ import annotations

from datetime import datetime

from workbench import DemoDesk, DeskReader, hookimpl
from workbench.model import (
    Case,
    CloseReason,
    Commitment,
    Customer,
    Decision,
    Eligibility,
    Field,
    Finding,
    Ladder,
    MailDraft,
    Route,
    Tally,
    VendorProgram,
)
from workbench_zoho import escalation, guidance, intake, mail, priority, routing, sending, sla
from workbench_zoho.program import MAIL_DOMAINS, VENDOR, declaration


@hookimpl
def workbench_vendor() -> VendorProgram:
    return declaration()


@hookimpl
def workbench_case_fields(vendor: str, desk: DeskReader) -> list[Field] | None:
    return intake.case_fields() if vendor == VENDOR else None


@hookimpl
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    if case.vendor != VENDOR:
        return None
    return [
        *intake.form_findings(case),
        *sending.findings(case, desk),
        guidance.channel_finding(desk),
        *guidance.recorded_channel_finding(case, desk),
        *guidance.status_finding(case),
        *guidance.first_level_finding(case),
        *guidance.howto_finding(case, desk),
        *escalation.recommendation(case),
        *guidance.owner_findings(case),
    ]


@hookimpl
def workbench_route_case(case: Case, desk: DeskReader) -> Route | None:
    return routing.route(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_case_severity(case: Case, desk: DeskReader) -> str | None:
    return intake.severity(case) if case.vendor == VENDOR else None


@hookimpl
def workbench_check_send(case: Case, desk: DeskReader, now: datetime) -> Decision | None:
    return sending.check_send(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_compose_mail(
    case: Case, purpose: str, text: str, desk: DeskReader
) -> MailDraft | Decision | None:
    if case.vendor != VENDOR or purpose != "vendor":
        return None
    return mail.compose(case, text, desk)


@hookimpl
def workbench_commitments(case: Case, desk: DeskReader) -> list[Commitment] | None:
    return sla.commitments(case, desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_escalation_ladder(case: Case, desk: DeskReader) -> Ladder | None:
    return escalation.ladder(desk) if case.vendor == VENDOR else None


@hookimpl
def workbench_check_escalation(
    case: Case, track: str, level: int, desk: DeskReader, now: datetime
) -> Decision | None:
    return escalation.check(case, track, level, desk, now) if case.vendor == VENDOR else None


@hookimpl
def workbench_close_reasons(case: Case, desk: DeskReader) -> list[CloseReason] | None:
    return list(routing.CLOSE_REASONS) if case.vendor == VENDOR else None


@hookimpl
def workbench_eligibility(customer: Customer, desk: DeskReader) -> list[Eligibility] | None:
    if not priority.is_zoho_customer(customer, desk):
        return None
    return [priority.eligibility(customer)]


@hookimpl
def workbench_demo(desk: DemoDesk) -> list[str]:
    from workbench_zoho import demo  # `workbench demo`'s only: not loaded by every command

    return demo.fill(desk)


@hookimpl
def workbench_mail_domains(vendor: str, desk: DeskReader) -> list[str] | None:
    return list(MAIL_DOMAINS) if vendor == VENDOR else None


@hookimpl
def workbench_tallies() -> list[Tally]:
    return [guidance.HOWTO_REQUESTS]
