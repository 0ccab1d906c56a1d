"""WebEx orders as workflows: the templates, what each step needs before it completes, and
what a workflow shows at a given moment (WX-FLOW-1 and the rules of each step).

The desk enforces step order and required form fields; this module decides WebEx's own
conditions (the overage terms of a hold release, a form's cross-field validation, the
renewal's provisioning lead) and the estimates, reminders and warnings a workflow shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from workbench import DeskReader
from workbench.calendar import add_business_days, japan_business, local_date
from workbench.model import Contract, Decision, Field, Finding, Step, StepTemplate, Workflow, WorkflowTemplate
from workbench_webex import forms
from workbench_webex.program import NAMED_HOST, PORT, TIER_2, VENDOR
from workbench_webex.timing import (
    FORGOT_PASSWORD,
    PasswordLink,
    local,
    provisioning_due,
    site_ready_estimate,
    support_hours,
)

NEW_ORDER, RENEWAL, OPTION_REQUEST = "new-order", "renewal", "option-request"

ORDERED = "ordered"
HOLD = "compliance-hold"
CONFIRMATION = "confirmation-received"
PROVISIONING = "provisioning-submitted"
SITE_READY = "site-ready"
GRADUATED = "graduated"
COMPLETION_CONFIRMED = "completion-confirmed"
RENEWED = "renewed"
REQUESTED = "requested"
DONE = "done"

PORT_TERMS = ("port_overage_terms", "port-overage terms")
AUDIO_TERMS = ("audio_overage_terms", "audio-overage terms")

# -- templates -------------------------------------------------------------------------------


def _confirmation_step(tier: str, offset_days: int | None) -> StepTemplate:
    """Cisco sends the confirmation to the tier-1 partner; a tier-2 desk gets it from its tier-1."""
    if tier == TIER_2:
        return StepTemplate(CONFIRMATION, "Confirmation received from tier-1 (Cisco sends it to the tier-1 "
                            "partner): SO# and provisioning form link", "WX-TIER-1", offset_days,
                            forms.CONFIRMATION)
    return StepTemplate(CONFIRMATION, "Confirmation received from Cisco (PDF with the SO# and the "
                        "provisioning form link)", "WX-HOLD-1", offset_days, forms.CONFIRMATION)


def templates(tier: str, lead_days: int) -> list[WorkflowTemplate]:
    """New order, renewal and option request (WX-FLOW-1) for a desk of ``tier``.

    A new order's steps carry no due dates (its only date, the site-ready day, is an
    estimate shown as a finding). A renewal is anchored on the renewal date: everything up to
    provisioning is due ``lead_days`` before it (WX-RENEW-1), confirming completion and
    the renewal itself on it.
    """
    before = -lead_days
    new_order = WorkflowTemplate(
        NEW_ORDER, VENDOR, "WebEx new order",
        [
            StepTemplate(ORDERED, "Ordered from Cisco (WebEx part numbers)", "WX-FLOW-1"),
            StepTemplate(HOLD, "Compliance hold released", "WX-HOLD-1", form=forms.HOLD_RELEASE),
            _confirmation_step(tier, None),
            StepTemplate(PROVISIONING, "Provisioning form submitted", "WX-PROV-1", form=forms.PROVISIONING),
            StepTemplate(SITE_READY, "Site ready: Welcome e-mail sent to the site administrator",
                         "WX-SITE-1", form=forms.SITE_READY),
            StepTemplate(GRADUATED, "Graduation form submitted (hand-off to Cisco's CSM)", "WX-GRAD-1",
                         form=forms.GRADUATION),
        ],
        rule="WX-FLOW-1", kind="order",
    )
    renewal = WorkflowTemplate(
        RENEWAL, VENDOR, "WebEx renewal",
        [
            StepTemplate(ORDERED, "Renewal ordered from Cisco (WebEx renewal part numbers)", "WX-FLOW-1",
                         before),
            StepTemplate(HOLD, "Compliance hold released", "WX-HOLD-1", before, forms.HOLD_RELEASE),
            _confirmation_step(tier, before),
            StepTemplate(PROVISIONING, f"Provisioning form submitted (at least {lead_days} days before the "
                         "renewal date)", "WX-RENEW-1", before, forms.RENEWAL_PROVISIONING),
            StepTemplate(COMPLETION_CONFIRMED, "Confirm completion with Cisco (no e-mail tells the customer)",
                         "WX-RENEW-3", 0),
            StepTemplate(RENEWED, "Renewed", "WX-RENEW-1", 0),
        ],
        rule="WX-FLOW-1", kind="renewal",
    )
    option = WorkflowTemplate(
        OPTION_REQUEST, VENDOR, "WebEx option request",
        [
            StepTemplate(REQUESTED, "Requested on Cisco's option request site", "WX-OPT-1",
                         form=forms.OPTION_REQUEST),
            StepTemplate(DONE, "Option work done by Cisco", "WX-OPT-1"),
        ],
        rule="WX-FLOW-1", kind="option",
    )
    return [new_order, renewal, option]


# -- what the plugin reads of the desk -------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The desk facts a WebEx step decision or finding depends on."""

    contract: Contract | None
    """The order's WebEx contract; ``None`` when none is linked or the linked one is not WebEx's."""
    today: date
    lead_days: int
    site_ready_days: int
    password_hours: int
    hold_days: int
    tz: tzinfo
    """The desk's time zone: dates on a workflow are local dates there."""
    foreign: Contract | None = None
    """A contract of another vendor linked to the order by mistake: it decides nothing here."""

    def no_contract(self) -> str:
        """Why the order has no WebEx contract to go by, in words."""
        if self.foreign is not None:
            return (f"the linked contract {self.foreign.id} is a {self.foreign.vendor} "
                    f"{self.foreign.product} contract, not a WebEx one")
        return "no WebEx contract is linked to this order"


def context(workflow: Workflow, desk: DeskReader, now: datetime) -> Context:
    """Read the workflow's contract and the WebEx settings from ``desk``."""
    linked = desk.contract(workflow.contract_id) if workflow.contract_id else None
    webex = linked is not None and linked.vendor == VENDOR
    return Context(
        contract=linked if webex else None,
        foreign=None if webex else linked,
        today=local_date(now, desk.timezone()),
        lead_days=int(desk.setting("webex.provisioning_lead_days")),
        site_ready_days=int(desk.setting("webex.site_ready_business_days")),
        password_hours=int(desk.setting("webex.password_link_hours")),
        hold_days=int(desk.setting("webex.hold_at_risk_business_days")),
        tz=desk.timezone(),
    )


def step_of(workflow: Workflow, step_id: str) -> Step | None:
    return next((s for s in workflow.steps if s.id == step_id), None)


def is_done(workflow: Workflow, step_id: str) -> bool:
    step = step_of(workflow, step_id)
    return step is not None and step.done_at is not None


def required_terms(contract: Contract) -> list[tuple[str, str]]:
    """The overage terms Cisco needs before releasing the hold (WX-HOLD-2), as (field, words)."""
    needed = []
    if contract.product == PORT:
        needed.append(PORT_TERMS)
    if contract.attributes.get("audio_commit") is True:
        needed.append(AUDIO_TERMS)
    return needed


def order_includes(contract: Contract) -> str:
    """What of the order decides the overage terms, in words."""
    parts = ["a port contract" if contract.product == PORT else f"a {contract.product} contract"]
    parts.append("a WebEx audio commit plan" if contract.attributes.get("audio_commit") is True
                 else "no WebEx audio commit plan")
    return " with ".join(parts)


def named_host_licences(contract: Contract | None) -> int | None:
    return contract.quantity if contract is not None and contract.product == NAMED_HOST else None


def password_link(workflow: Workflow, hours: int) -> PasswordLink | None:
    """The Welcome e-mail's link, once the site is ready (WX-SITE-2)."""
    step = step_of(workflow, SITE_READY)
    if step is None or step.done_at is None:
        return None
    sent = step.data.get("welcome_sent_at")
    return PasswordLink.from_welcome(datetime.fromisoformat(sent) if sent else step.done_at, hours)


def form_data(workflow: Workflow, step_id: str) -> dict[str, Any]:
    step = step_of(workflow, step_id)
    return step.data if step is not None else {}


# -- may a step complete? --------------------------------------------------------------------


def check_step(workflow: Workflow, step_id: str, data: dict[str, Any], ctx: Context,
               now: datetime) -> Decision | None:
    """WebEx's own condition on completing ``step_id`` with ``data``; ``None`` where it sets none."""
    if workflow.template in (NEW_ORDER, RENEWAL):
        if step_id == HOLD:
            return hold_release(ctx.contract, data, ctx.no_contract())
        if step_id == CONFIRMATION:
            return confirmation(step_of(workflow, CONFIRMATION), data)
        if step_id == PROVISIONING:
            return provisioning(workflow, data, ctx, now)
    if workflow.template == NEW_ORDER:
        if step_id == SITE_READY:
            return site_ready(workflow, data, ctx, now)
        if step_id == GRADUATED:
            return graduation(data)
    if workflow.template == RENEWAL and step_id in (COMPLETION_CONFIRMED, RENEWED):
        return renewal_close(workflow, step_id, ctx)
    if workflow.template == OPTION_REQUEST and step_id == REQUESTED:
        return _form_decision(forms.option_request_fields(), forms.option_request_problems(data),
                              "WX-OPT-1", "the option request", "Cisco's option request site takes it")
    return None


def _form_decision(fields: list[Field], problems: dict[str, str], rule: str, what: str,
                   accepted: str) -> Decision:
    """Refuse a form with problems, naming each field and what is wrong with it."""
    if not problems:
        return Decision(True, rule, accepted)
    labels = {f.name: f.label for f in fields}
    return Decision(False, rule,
                    f"{what} does not validate: "
                    + "; ".join(f"{labels.get(name, name)}: {problem}" for name, problem in problems.items()),
                    missing=[labels.get(name, name) for name in problems])


def hold_release(contract: Contract | None, data: dict[str, Any],
                 why_none: str = "no WebEx contract is linked to this order") -> Decision:
    """WX-HOLD-2: a port contract or an audio commit plan needs the customer's overage terms."""
    if contract is None:
        return Decision(False, "WX-HOLD-2",
                        f"{why_none}: its licence model (port or not) and "
                        "its audio commit plan decide which overage terms Cisco needs to release the hold",
                        missing=["the order's WebEx contract"])
    needed = required_terms(contract)
    missing = [words for name, words in needed if data.get(name) is not True]
    if missing:
        return Decision(False, "WX-HOLD-2",
                        f"the order includes {order_includes(contract)}: Cisco keeps it on compliance "
                        f"hold until the customer has submitted the {' and the '.join(missing)}",
                        missing=missing)
    if needed:
        return Decision(True, "WX-HOLD-2",
                        f"the order includes {order_includes(contract)} and the customer submitted the "
                        f"{' and the '.join(words for _, words in needed)}: Cisco can release the hold")
    return Decision(True, "WX-HOLD-2",
                    f"the order is {order_includes(contract)}: it needs no overage terms, and the hold "
                    "is normally released within a few days (WX-HOLD-1)")


def _from_tier_1(step: Step | None) -> bool:
    """Whether the workflow was opened on a tier-2 desk, whose confirmation comes from its tier-1."""
    return step is not None and step.rule == "WX-TIER-1"


def confirmation(step: Step | None, data: dict[str, Any]) -> Decision:
    """The confirmation arrives after the hold release, from Cisco or, for a tier-2 desk, its tier-1."""
    problems = forms.sales_order_problems(data)
    if problems:
        return _form_decision(forms.confirmation_fields(), problems, "WX-PROV-1", "the confirmation", "")
    if _from_tier_1(step):
        return Decision(True, "WX-TIER-1", "the tier-1 partner forwarded Cisco's confirmation: "
                        "provisioning starts from its SO# and form link")
    return Decision(True, "WX-HOLD-1", "Cisco sent the confirmation after releasing the compliance hold: "
                    "provisioning starts from its SO# and form link")


def provisioning(workflow: Workflow, data: dict[str, Any], ctx: Context, now: datetime) -> Decision:
    """WX-PROV-1 (the hearing sheet), WX-RENEW-2 (existing customer) and WX-RENEW-1 (lead time);
    on a new order, the estimated site-ready date becomes that step's due date (WX-SITE-1)."""
    renewal = workflow.template == RENEWAL
    if ctx.contract is None:
        return Decision(False, "WX-PROV-1",
                        f"{ctx.no_contract()}: the named users per site are checked "
                        "against the named-host licences bought", missing=["the order's WebEx contract"])
    if renewal and data.get("existing_customer") is False:
        return Decision(False, "WX-RENEW-2",
                        "on a renewal the answer to \"Is the end customer an existing WebEx customer?\" "
                        "is always Yes", missing=["Is the end customer an existing WebEx customer? (Yes)"])
    fields = forms.provisioning_fields(renewal)
    problems = forms.provisioning_problems(data, named_host_licences(ctx.contract))
    evidence = (f"Cisco e-mails the submission's evidence to the partner contact "
                f"{data.get('partner_email', '')}")
    decision = _form_decision(fields, problems, "WX-PROV-1", "the provisioning form",
                              f"the hearing sheet is complete and consistent; {evidence}")
    if decision.allowed and not renewal:
        estimate = site_ready_estimate(now, ctx.site_ready_days).astimezone(ctx.tz).date()
        decision.reason += (f"; site ready estimated {estimate} (about {ctx.site_ready_days} Japan "
                            "business days, WX-SITE-1): the site-ready step's due date")
        decision.records = {"due": {SITE_READY: estimate.isoformat()}}
    if not decision.allowed or not renewal or workflow.anchor is None:
        return decision
    days_before = (workflow.anchor - ctx.today).days
    if days_before >= ctx.lead_days:
        return Decision(True, "WX-RENEW-1",
                        f"submitted {days_before} days before the renewal date {workflow.anchor}: on time "
                        f"(at least {ctx.lead_days} days before); {evidence}")
    return Decision(True, "WX-RENEW-1",
                    f"submitted {days_before} days before the renewal date {workflow.anchor}, later than the "
                    f"{ctx.lead_days} days asked: recorded as late; make sure with Cisco that the renewal "
                    f"completes by {workflow.anchor} or the site stops; {evidence}")


def site_ready(workflow: Workflow, data: dict[str, Any], ctx: Context, now: datetime) -> Decision:
    """The Welcome e-mail was sent after provisioning and not in the future (WX-SITE-2); the
    site-ready notice is the contract start (WX-SITE-1), recorded on the order's contract."""
    provisioned = step_of(workflow, PROVISIONING)
    sent_text = data.get("welcome_sent_at")
    sent = datetime.fromisoformat(sent_text) if sent_text else now
    if sent > now:
        return Decision(False, "WX-SITE-2", f"the Welcome e-mail cannot have been sent in the future "
                        f"({local(sent)})", missing=["Welcome e-mail sent at"])
    if provisioned is not None and provisioned.done_at is not None and sent < provisioned.done_at:
        return Decision(False, "WX-SITE-2", f"the Welcome e-mail ({local(sent)}) cannot precede the "
                        f"provisioning it answers ({local(provisioned.done_at)})",
                        missing=["Welcome e-mail sent at"])
    started = sent.astimezone(ctx.tz).date()
    contract = (f"; the site-ready notice is the contract start: {ctx.contract.id} starts on {started} "
                "and renews a term later" if ctx.contract is not None else
                "; no WebEx contract is linked, so no contract start is recorded")
    return Decision(True, "WX-SITE-1", "the site is ready: the Welcome e-mail went to the site "
                    "administrator, not to the partner; its password link now runs (WX-SITE-2)"
                    + contract,
                    records={"contract_start": started.isoformat()} if ctx.contract is not None else {})


def graduation(data: dict[str, Any]) -> Decision:
    return _form_decision(forms.graduation_fields(), forms.graduation_problems(data), "WX-GRAD-1",
                          "the graduation form",
                          "the graduation form hands the customer to Cisco's customer success manager")


def renewal_close(workflow: Workflow, step_id: str, ctx: Context) -> Decision:
    """WX-RENEW-3: completion is confirmed with Cisco, since no e-mail tells the customer."""
    if step_id == COMPLETION_CONFIRMED:
        return Decision(True, "WX-RENEW-3", "no e-mail tells the customer a renewal completed: the desk "
                        "confirmed completion with Cisco")
    late = workflow.anchor is not None and ctx.today > workflow.anchor
    return Decision(True, "WX-RENEW-3",
                    "completion was confirmed with Cisco"
                    + (f"; the site had stopped after the renewal date {workflow.anchor} (WX-RENEW-1)"
                       if late else ""))


# -- what a workflow shows -------------------------------------------------------------------


def findings(workflow: Workflow, ctx: Context, now: datetime) -> list[Finding]:
    """Support hours, then what the workflow's state calls for at ``now``."""
    found = [support_hours(now)]
    if workflow.template in (NEW_ORDER, RENEWAL):
        found += _order_findings(workflow, ctx)
        found += _hold_age(workflow, ctx, now)
    if workflow.template == NEW_ORDER:
        found += _site_findings(workflow, ctx, now)
    if workflow.template == RENEWAL and workflow.anchor is not None:
        found += _renewal_findings(workflow, workflow.anchor, ctx)
    return found


def _order_findings(workflow: Workflow, ctx: Context) -> list[Finding]:
    if ctx.foreign is not None:
        return [Finding("error", "WX-HOLD-2", f"{ctx.no_contract()}: open the order with its WebEx "
                        "contract, whose licence model and audio commit plan decide the overage terms",
                        "contract_id")]
    if ctx.contract is None:
        return [Finding("warning", "WX-HOLD-2", "no WebEx contract is linked: open the order with its "
                        "contract, whose licence model and audio commit plan decide the overage terms")]
    found = []
    if not is_done(workflow, HOLD):
        needed = required_terms(ctx.contract)
        terms = (f"Cisco keeps it on hold until the customer submits the "
                 f"{' and the '.join(words for _, words in needed)} on Cisco's terms pages" if needed
                 else "no overage terms are needed")
        found.append(Finding("info", "WX-HOLD-2" if needed else "WX-HOLD-1",
                             f"every order goes on compliance hold, normally released within a few days, "
                             f"and Cisco sends the confirmation only after release; the order includes "
                             f"{order_includes(ctx.contract)}: {terms}"))
    elif not is_done(workflow, CONFIRMATION) and _from_tier_1(step_of(workflow, CONFIRMATION)):
        found.append(Finding("info", "WX-TIER-1", "Cisco sends the confirmation to the tier-1 partner: ask "
                             "your tier-1 to forward it (SO# and provisioning form link)"))
    return found


def hold_at_risk(workflow: Workflow, hold_days: int, now: datetime) -> bool:
    """WX-HOLD-1: a hold is normally released within a few days; one held longer than
    ``hold_days`` Japan business days since the order (setting
    ``webex.hold_at_risk_business_days``) is at risk."""
    ordered = step_of(workflow, ORDERED)
    if ordered is None or ordered.done_at is None or is_done(workflow, HOLD):
        return False
    return now >= add_business_days(japan_business(), ordered.done_at, hold_days)


def step_state(workflow: Workflow, step: Step, desk: DeskReader, now: datetime) -> str | None:
    """The compliance hold's state (WX-HOLD-1): at risk once held too long, else ok; the other
    steps are judged by their due dates."""
    if workflow.template not in (NEW_ORDER, RENEWAL) or step.id != HOLD:
        return None
    held_too_long = hold_at_risk(workflow, int(desk.setting("webex.hold_at_risk_business_days")), now)
    return "at-risk" if held_too_long else "ok"


def _hold_age(workflow: Workflow, ctx: Context, now: datetime) -> list[Finding]:
    """WX-HOLD-1's advice for a hold at risk."""
    ordered = step_of(workflow, ORDERED)
    if not hold_at_risk(workflow, ctx.hold_days, now):
        return []
    return [Finding("warning", "WX-HOLD-1",
                    f"at risk: on compliance hold since {local(ordered.done_at)}, more than "
                    f"{ctx.hold_days} Japan business days (setting webex.hold_at_risk_business_days); "
                    "a hold is normally released within a few days: check the overage terms of "
                    "WX-HOLD-2 and ask the tier-1 partner", "compliance-hold")]


def _site_findings(workflow: Workflow, ctx: Context, now: datetime) -> list[Finding]:
    found = []
    provisioned = step_of(workflow, PROVISIONING)
    admin = form_data(workflow, PROVISIONING).get("admin_email", "the site administrator")
    if provisioned and provisioned.done_at and not is_done(workflow, SITE_READY):
        estimate = site_ready_estimate(provisioned.done_at, ctx.site_ready_days)
        estimate_day = estimate.astimezone(ctx.tz).date()
        passed = ctx.today > estimate_day
        found.append(Finding(
            "warning" if passed else "info", "WX-SITE-1",
            f"site ready estimated {estimate_day:%a %Y-%m-%d} (about {ctx.site_ready_days} Japan business "
            f"days after provisioning on {provisioned.done_at.astimezone(ctx.tz):%Y-%m-%d}; an estimate, "
            f"not a date Cisco commits to)"
            + ("; the estimate has passed: ask the administrator, then Cisco" if passed else "")
            + f". The Welcome e-mail goes to {admin}, not to the partner"))
    link = password_link(workflow, ctx.password_hours)
    if link is not None:
        if link.works_at(now):
            found.append(Finding("warning", "WX-SITE-2",
                                 f"tell {admin} to set the password now: the Welcome e-mail's link works "
                                 f"until {local(link.expires)} ({ctx.password_hours} h after it was sent) "
                                 "and the e-mail cannot be resent"))
        else:
            found.append(Finding("info", "WX-SITE-2",
                                 f"the Welcome e-mail's password link expired {local(link.expires)}: "
                                 f"{FORGOT_PASSWORD}"))
        if not is_done(workflow, GRADUATED):
            found.append(Finding("warning", "WX-GRAD-1",
                                 "the graduation form is not submitted: no Cisco customer success manager "
                                 "is assigned until it is"))
    return found


def _renewal_findings(workflow: Workflow, renewal_date: date, ctx: Context) -> list[Finding]:
    found = []
    due = provisioning_due(renewal_date, ctx.lead_days)
    provisioned = step_of(workflow, PROVISIONING)
    if provisioned is not None and provisioned.done_at is None:
        if ctx.today <= due:
            found.append(Finding("info", "WX-RENEW-1",
                                 f"provisioning is due by {due} ({ctx.lead_days} days before the renewal "
                                 f"date {renewal_date}); {(due - ctx.today).days} day(s) left"))
        elif ctx.today <= renewal_date:
            found.append(Finding("warning", "WX-RENEW-1",
                                 f"provisioning is late: it was due by {due}, {ctx.lead_days} days before "
                                 f"the renewal date {renewal_date}; the site stops if the renewal is not "
                                 "complete by then"))
    elif provisioned is not None and provisioned.done_at is not None:
        submitted = provisioned.done_at.astimezone(ctx.tz).date()
        if submitted > due:
            found.append(Finding("warning", "WX-RENEW-1",
                                 f"provisioning was submitted {(renewal_date - submitted).days} days before "
                                 f"the renewal date {renewal_date}, later than the {ctx.lead_days} days "
                                 "asked: confirm with Cisco that the renewal completes in time"))
        if not is_done(workflow, COMPLETION_CONFIRMED):
            found.append(Finding("info", "WX-RENEW-3",
                                 "no e-mail tells the customer the renewal completed: confirm completion "
                                 "with Cisco, then mark the workflow renewed"))
    if not is_done(workflow, RENEWED):
        if ctx.today > renewal_date:
            found.append(Finding("warning", "WX-RENEW-1",
                                 f"site stopped: the renewal was not complete by the renewal date "
                                 f"{renewal_date}; complete it with Cisco to restart the site"))
        elif ctx.today == renewal_date:
            found.append(Finding("warning", "WX-RENEW-1",
                                 f"the renewal date is today ({renewal_date}): the site stops if the "
                                 "renewal is not complete today"))
    return found

