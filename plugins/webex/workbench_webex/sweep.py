"""Desk-wide time-driven actions: renewal workflows to open, reminders on open workflows
(WX-RENEW-1, WX-SITE-2, WX-GRAD-1).

Keys name the state a reminder is about, not the sweep that finds it, so a sweep that runs
twice changes nothing and a late sweep emits only what is still true: once the password link
has expired, the late sweep gives the forgot-password advice, not the stale "tell the
administrator" reminder.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from workbench.model import Action, Contract, Workflow
from workbench_webex import workflows as wf
from workbench_webex.program import VENDOR
from workbench_webex.timing import FORGOT_PASSWORD, local, provisioning_due, renewal_opens


def renewal_key(contract: Contract) -> str:
    """One renewal workflow per contract term: the contract's ID and its renewal date."""
    return f"webex-renewal:{contract.id}:{contract.end}"


def _renewed_by_successor(contract: Contract, renewal: date, same_line: list[Contract]) -> bool:
    """A later contract of the same customer and product (``same_line``) that runs past this
    one's renewal date and starts no later than the day after it is the renewed term."""
    return any(
        other.id != contract.id
        and contract.start < other.start <= renewal + timedelta(days=1)
        and (other.end is None or other.end > renewal)
        for other in same_line
    )


def renewal_openings(contracts: list[Contract], today: date, window_days: int) -> list[Action]:
    """WX-RENEW-1: a renewal workflow opens ``window_days`` before each contract's renewal date.

    A contract renewed by a later one is skipped, and so is a renewal date more than
    ``window_days`` past: that site has been stopped that long and is history, not a renewal
    to work (a desk opens one by hand if the customer returns).
    """
    lines: dict[tuple[str, str], list[Contract]] = {}
    for contract in contracts:  # each contract is compared with its own line's only, not all
        lines.setdefault((contract.customer_id, contract.product), []).append(contract)
    actions = []
    for contract in contracts:
        renewal = contract.end
        if renewal is None or not renewal_opens(renewal, window_days) <= today <= renewal + timedelta(
            days=window_days
        ):
            continue
        if _renewed_by_successor(contract, renewal, lines[contract.customer_id, contract.product]):
            continue
        actions.append(Action(
            "open-workflow", renewal_key(contract), "WX-RENEW-1",
            f"{contract.product} contract {contract.id} renews on {renewal}: its renewal workflow opens "
            f"{window_days} days before",
            {"vendor": VENDOR, "template": wf.RENEWAL, "contract_id": contract.id,
             "customer_id": contract.customer_id, "anchor": renewal.isoformat()},
        ))
    return actions


def workflow_reminders(workflow: Workflow, ctx: wf.Context, now: datetime) -> list[Action]:
    """Reminders on one open WebEx workflow at ``now``."""
    if workflow.template == wf.NEW_ORDER:
        return _site_reminders(workflow, ctx, now)
    if workflow.template == wf.RENEWAL and workflow.anchor is not None:
        return _renewal_reminders(workflow, workflow.anchor, ctx)
    return []


def _remind(kind: Literal["reminder", "note"], key: str, rule: str, reason: str,
            workflow: Workflow) -> Action:
    return Action(kind, key, rule, reason, {"workflow": workflow.id})


def _site_reminders(workflow: Workflow, ctx: wf.Context, now: datetime) -> list[Action]:
    link = wf.password_link(workflow, ctx.password_hours)
    if link is None:
        return []
    whom = wf.form_data(workflow, wf.PROVISIONING).get("admin_email", "the site administrator")
    if link.works_at(now):
        actions = [_remind("reminder", f"webex-password-link:{workflow.id}", "WX-SITE-2",
                           f"tell {whom} to set the password: the Welcome e-mail's link works until "
                           f"{local(link.expires)} and the e-mail cannot be resent", workflow)]
    else:
        actions = [_remind("note", f"webex-password-expired:{workflow.id}", "WX-SITE-2",
                           f"the Welcome e-mail's password link expired {local(link.expires)}: "
                           f"{FORGOT_PASSWORD}", workflow)]
    site_ready = wf.step_of(workflow, wf.SITE_READY)
    if site_ready and site_ready.done_at and not wf.is_done(workflow, wf.GRADUATED):
        week = (ctx.today - site_ready.done_at.astimezone(ctx.tz).date()).days // 7
        actions.append(_remind("reminder", f"webex-graduation:{workflow.id}:week-{week}", "WX-GRAD-1",
                               "submit the graduation form: without it Cisco assigns no customer success "
                               "manager to this customer", workflow))
    return actions


def _renewal_reminders(workflow: Workflow, renewal_date: date, ctx: wf.Context) -> list[Action]:
    if wf.is_done(workflow, wf.RENEWED):
        return []
    if ctx.today > renewal_date:
        return [_remind("reminder", f"webex-site-stopped:{workflow.id}", "WX-RENEW-1",
                        f"site stopped: the renewal was not complete by {renewal_date}", workflow)]
    due = provisioning_due(renewal_date, ctx.lead_days)
    if not wf.is_done(workflow, wf.PROVISIONING) and ctx.today > due:
        return [_remind("reminder", f"webex-provisioning-late:{workflow.id}", "WX-RENEW-1",
                        f"provisioning is late (due {due}): submit it now, the site stops if the renewal "
                        f"is not complete by {renewal_date}", workflow)]
    return []
