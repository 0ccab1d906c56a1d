"""The plugin contract: every hook a vendor program (or a desk's own policy plugin) may implement.

Hooks are called by the desk service only, always with keyword arguments. ``desk`` is the
desk the call is made for, as a :class:`workbench.DeskReader`: a plugin reads settings
(``desk.setting(key)``), the clock, customers, contracts and other cases through it, and
never writes (``workbench_demo`` alone is given a :class:`workbench.DemoDesk`).

A vendor plugin answers only for its own vendor and returns ``None`` otherwise. Every answer
that decides something carries a rule ID from RULES.md and a reason in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

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
        PaletteCommand,
        Quote,
        Route,
        Step,
        Tally,
        VendorProgram,
        Workflow,
        WorkflowTemplate,
    )
    from workbench.protocols import DemoDesk, DeskReader

hookspec = pluggy.HookspecMarker("workbench")

# ----------------------------------------------------------------------------------------
# Programs
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_vendor() -> VendorProgram | None:
    """Declare the vendor program this plugin supplies rules for.

    :return: the program's id, display name, version, complete rule catalogue, products,
        case kinds and settings with defaults; ``None`` for a plugin that adds policy to
        other programs without declaring one.
    """


# ----------------------------------------------------------------------------------------
# Cases: intake, validation, routing
# ----------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def workbench_case_fields(vendor: str, desk: DeskReader) -> list[Field] | None:
    """The intake form of ``vendor``'s cases.

    :param vendor: the program id the form is asked for.
    :param desk: the desk (settings may change choices or defaults).
    :return: typed fields in form order. Stops at the first non-None result.
    """


@hookspec
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    """Check a case before it is saved, and add guidance to it.

    Findings of every plugin add up. An ``error`` finding blocks the change; ``warning``
    and ``info`` findings are shown with the case.

    :param case: the case as it would be saved (fields filled in, not yet routed).
    :param desk: the desk.
    """


@hookspec(firstresult=True)
def workbench_route_case(case: Case, desk: DeskReader) -> Route | None:
    """Choose the path (CORE-PATH-1) and queue of a case, with the rule and the reason.

    Stops at the first non-None result; the built-in core plugin answers last.
    """


@hookspec(firstresult=True)
def workbench_case_severity(case: Case, desk: DeskReader) -> str | None:
    """The severity shown on the queue (e.g. Zoho ``1``–``3``). Stops at the first non-None result."""


@hookspec(firstresult=True)
def workbench_check_send(case: Case, desk: DeskReader, now: datetime) -> Decision | None:
    """May ``case`` go to its vendor now (e.g. a consent the vendor requires is recorded)?

    :param case: the case the desk is about to send.
    :param now: the desk clock.
    :return: a refusal with rule, reason and missing items, or an allowance. Stops at the
        first non-None result; no answer means the case may be sent.
    """


@hookspec(firstresult=True)
def workbench_compose_mail(
    case: Case, purpose: str, text: str, desk: DeskReader
) -> MailDraft | Decision | None:
    """Compose the e-mail of ``case`` for ``purpose`` (``case send --mail``, the TUI's Send).

    :param case: the case as it stands (its form answers, evidence, escalations).
    :param purpose: ``vendor`` (the vendor's request: Zoho's request of ZOHO-FORM-1, OnTime's
        escalation, BitTitan's ticket), ``response`` (a response to the customer) or
        ``resolve`` (the resolution sent to the customer).
    :param text: what the agent wrote to go with it (may be empty for ``vendor``).
    :param desk: the desk (settings name the vendor's addresses and the desk's sender).
    :return: the draft (recipients, subject, body, the rule it is composed under); or a
        refusal (a :class:`Decision` not allowed) naming the rule that stops the message and
        what is missing; or ``None`` for a case of another vendor. Stops at the first non-None
        result; the built-in core answers last, for ``response`` and ``resolve`` (to the
        customer's contact).
    """


# ----------------------------------------------------------------------------------------
# Deadlines
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_commitments(case: Case, desk: DeskReader) -> list[Commitment] | None:
    """The response commitments that run on a case: the vendor's to the desk and the desk's
    to its customer (CORE-SLA-1, CORE-SLA-3).

    Each is a business duration from a start on a named calendar; the desk leaves out
    time pending on the customer where the commitment says so, and derives due dates,
    states (ok / at-risk / breached) and when each was met. Answers of all plugins add up.
    """


# ----------------------------------------------------------------------------------------
# Escalation
# ----------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def workbench_escalation_ladder(case: Case, desk: DeskReader) -> Ladder | None:
    """The vendor's escalation ladder for this case, levels on the technical and the
    commercial track (CORE-ESC-1, CORE-ESC-2). Stops at the first non-None result."""


@hookspec(firstresult=True)
def workbench_check_escalation(
    case: Case, track: str, level: int, desk: DeskReader, now: datetime
) -> Decision | None:
    """May ``case`` go to ``level`` on ``track`` now?

    :param track: ``technical`` or ``commercial``.
    :param level: the level asked for (the next rung of the ladder).
    :param now: the desk clock.
    :return: the decision with rule, reason, earliest time it will hold and missing items.
        Stops at the first non-None result; the built-in answers for the commercial track
        (CORE-ESC-2) when the vendor does not.
    """


# ----------------------------------------------------------------------------------------
# Closing and time-driven actions
# ----------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def workbench_close_reasons(case: Case, desk: DeskReader) -> list[CloseReason] | None:
    """The closure reasons allowed for this case. Stops at the first non-None result."""


@hookspec
def workbench_sweep(case: Case, desk: DeskReader, now: datetime) -> list[Action] | None:
    """Time-driven actions due on an open case at ``now`` (reminders, automatic close).

    Each action has a key; the desk applies an action once, however often the sweep
    runs. Answers of all plugins add up.
    """


@hookspec
def workbench_sweep_desk(desk: DeskReader, now: datetime) -> list[Action] | None:
    """Desk-wide time-driven actions at ``now``: workflows to open (renewals), reminders on
    workflows. Idempotent by key like :func:`workbench_sweep`."""


# ----------------------------------------------------------------------------------------
# Counts the desk keeps
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_tallies() -> list[Tally] | None:
    """The tallies this plugin's rules count over a window of sent cases, instead of listing
    the window's cases (ZOHO-HOWTO-1: severity-3 how-to requests sent to Zoho in the last 30
    days). Ask one with ``desk.tally(name, sent_within=(after, until))``: the desk keeps each
    tally's counts beside its closed cases and counts the open work live, so the answer costs
    the same at 10,000 cases as at 200,000, and equals counting the cases themselves.

    A :class:`~workbench.model.Tally` is data, not code: the record values a counted case
    holds (``where``) and does not hold (``where_not``). It may not depend on settings or the
    clock; change it freely between versions: counts kept for another declaration are not
    believed, and are counted again at the desk's next sweep or compaction. Name each under
    your program id. Answers of all plugins add up.
    """


# ----------------------------------------------------------------------------------------
# Customers and contracts
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_eligibility(customer: Customer, desk: DeskReader) -> list[Eligibility] | None:
    """Programs the customer is or is not eligible for (e.g. priority support), with reasons.
    Answers of all plugins add up."""


@hookspec
def workbench_check_contract(contract: Contract, desk: DeskReader) -> list[Finding] | None:
    """Check a contract before it is saved, added or edited (an add-on without its base
    product, …). Findings of all plugins add up; an ``error`` blocks the change.

    On an edit ``contract`` carries its stored ID and the new values, while the desk still
    holds the old version: leave ``contract.id`` out when you look at the customer's other
    contracts."""


@hookspec(firstresult=True)
def workbench_quote(contract: Contract, desk: DeskReader) -> Quote | None:
    """Fees derived from the contract's list price. Stops at the first non-None result."""


# ----------------------------------------------------------------------------------------
# Workflows
# ----------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def workbench_workflow_templates(vendor: str, desk: DeskReader) -> list[WorkflowTemplate] | None:
    """The workflows (orders, renewals, onboarding …) ``vendor`` defines.
    Stops at the first non-None result."""


@hookspec(firstresult=True)
def workbench_check_step(
    workflow: Workflow, step: str, data: dict, desk: DeskReader, now: datetime
) -> Decision | None:
    """May ``step`` of ``workflow`` be completed now, with ``data`` (a form's answers)?

    The desk already enforces step order; this decides the vendor's own conditions
    (e.g. a compliance hold release needs the overage terms). Stops at the first
    non-None result; no answer means allowed.
    """


@hookspec(firstresult=True)
def workbench_form_fields(vendor: str, form: str, desk: DeskReader) -> list[Field] | None:
    """The fields of a form a workflow step asks for (e.g. WebEx's provisioning sheet).

    :param vendor: the program id.
    :param form: the form name a :class:`~workbench.model.StepTemplate` refers to.
    :return: typed fields in the form's order. Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def workbench_step_state(workflow: Workflow, step: Step, desk: DeskReader, now: datetime) -> str | None:
    """The state (CORE-SLA-2) of ``step``, not yet done, of ``workflow`` at ``now``, where the
    vendor's rule judges it by more than its due date: ``"ok"``, ``"at-risk"`` or
    ``"breached"`` (e.g. a WebEx compliance hold older than 5 Japan business days is at risk,
    WX-HOLD-1; a finding says why and what to do). Without an answer the step's due date
    decides. Stops at the first non-None result."""


@hookspec
def workbench_workflow_findings(workflow: Workflow, desk: DeskReader, now: datetime) -> list[Finding] | None:
    """Notes shown on a workflow at ``now``: estimates, reminders, warnings (e.g. a site
    ready estimate, a renewal past its date). Findings of all plugins add up."""


# ----------------------------------------------------------------------------------------
# Mail
# ----------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def workbench_mail_domains(vendor: str, desk: DeskReader) -> list[str] | None:
    """The domains ``vendor``'s support answers the desk by e-mail from (``zohocorp.com``).

    A message the desk takes in (``workbench mail poll``) that is recorded on one of
    ``vendor``'s cases and comes from one of these domains, or a subdomain of one, is the
    vendor's answer: it is recorded as a vendor reply and stops the vendor's clock, exactly
    as recording the reply by hand does.

    :param vendor: the program id asked about.
    :param desk: the desk (a setting may add a region's domains).
    :return: domain names, lower case, without ``@``. Stops at the first non-None result; no
        answer means no mail counts as the vendor's answer.
    """


# ----------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_commands() -> list[click.Command] | None:
    """Subcommands of ``workbench`` this plugin adds, as click commands (``workbench acme-status``).

    A command reaches the desk as the core's do: decorate it with ``workbench.with_desk`` (it
    then takes ``--db``, ``--now`` and ``--json``, is given the desk first and returns a
    ``workbench.Output``: a JSON-able document and its text). A name the core or another
    plugin already has is left out and reported. Answers of all plugins add up.

    ``workbench --help`` lists each command with its help without loading the plugins: from a
    listing the workbench keeps in the user's cache folder, made again whenever a package is
    installed or removed or the file defining this hook or a command changes.
    """


@hookspec
def workbench_palette_commands(desk: DeskReader) -> list[PaletteCommand] | None:
    """Commands this plugin adds to the terminal desk's command palette (ctrl+p), e.g. "Acme:
    check the status page". Each runs in the background and its text is shown; a failure
    names the plugin. Answers of all plugins add up.
    """


# ----------------------------------------------------------------------------------------
# Demo desk
# ----------------------------------------------------------------------------------------


@hookspec
def workbench_demo(desk: DemoDesk) -> list[str] | None:
    """Fill ``desk`` with realistic demo records of this plugin's program, through the
    desk's own methods (so every rule runs), at the desk clock.

    :return: one line per thing created, for the demo command's summary.
    """
