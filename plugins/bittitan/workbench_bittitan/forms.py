"""The ticket form (BT-FORM-1) and the first-ticket reminder (BT-SAFE-1).

The desk types every answer from the field kinds declared here: the account e-mail must be
an e-mail address, the cutover a date, the region one of the list; a wrong value is refused
naming the field. This module adds what a kind cannot say: the phone number's shape and the
recommended project.
"""

from __future__ import annotations

import re

from workbench import DeskReader
from workbench.model import Case, Field, Finding
from workbench_bittitan.program import GUIDANCE, PROBLEM, REGIONS, VENDOR

PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
PHONE_DIGITS = 6

ROUTING_QUESTIONS = {
    "run_error": "An error occurred during a migration run",
    "not_as_documented": "MigrationWiz does not behave as documented",
    "items_missing": "Items that should have migrated did not",
    "cannot_access": "The user cannot access the BitTitan software",
}
"""The yes / no questions that send a ticket to customer support (BT-ROUTE-2), asked on
the form rather than guessed from the description."""

ASKED_FOR_GUIDANCE = {"kind": GUIDANCE}


def case_fields() -> list[Field]:
    """The MigrationWiz "Submit a Request" form, in its order (BT-FORM-1), with the routing
    questions (BT-ROUTE-2) after the kind."""
    return [
        Field("account_email", "MigrationWiz account e-mail", "email", required=True,
              help="BitTitan writes to this address only: every answer and reminder goes here.",
              rule="BT-FORM-1"),
        Field("region", "Support region", "choice", required=True, choices=REGIONS,
              help="The region nearest the user's time zone: it picks the engineers and the "
                   "customer success calendar.", rule="BT-FORM-1"),
        Field("phone", "Phone", "text", help="Optional.", rule="BT-FORM-1"),
        Field("workgroup", "Workgroup", "text", help="Optional: the MigrationWiz workgroup.",
              rule="BT-FORM-1"),
        Field("cutover_date", "Planned cutover date", "date", required=True,
              help="A cutover within a few days sends the ticket to customer support.",
              rule="BT-FORM-1"),
        Field("kind", "Kind", "choice", required=True, choices=[GUIDANCE, PROBLEM],
              help="guidance-request: how-to and planning (customer success); product-problem: "
                   "something does not work (customer support).", rule="BT-FORM-1"),
        *[
            Field(name, f"{label}?", "bool", required=True, when=ASKED_FOR_GUIDANCE,
                  help="Yes sends the ticket to customer support whatever kind was picked.",
                  rule="BT-ROUTE-2")
            for name, label in ROUTING_QUESTIONS.items()
        ],
        Field("project", "MigrationWiz project", "text",
              help="Optional but recommended: BitTitan finds the migration faster.",
              rule="BT-FORM-1"),
        Field("description", "Description", "longtext", required=True,
              help="As much detail as possible.", rule="BT-FORM-1"),
    ]


def form_findings(case: Case) -> list[Finding]:
    """What the field kinds cannot check (BT-FORM-1)."""
    findings = []
    phone = str(case.fields.get("phone") or "")
    if phone and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < PHONE_DIGITS):
        findings.append(Finding("error", "BT-FORM-1",
                                f"{phone!r} is not a phone number (digits, spaces, + - ( ) only)",
                                "phone"))
    if not case.fields.get("project"):
        findings.append(Finding("warning", "BT-FORM-1",
                                "no MigrationWiz project named: it is optional, but BitTitan "
                                "recommends it so the team finds the migration without asking",
                                "project"))
    return findings


def first_ticket_findings(case: Case, desk: DeskReader) -> list[Finding]:
    """BT-SAFE-1: the reminder shown on the customer's first BitTitan ticket.

    A ticket is the first when the customer has no BitTitan case opened before it; the
    reminder stays on that case while it is open, so whoever works it later sees it too.
    """
    if not case.is_open:
        return []
    earlier = [
        other for other in desk.cases(vendor=VENDOR, customer_id=case.customer_id)
        if other.id != case.id and _order(other) < _order(case)
    ]
    if earlier:
        return []
    return [Finding("info", "BT-SAFE-1",
                    "first BitTitan ticket for this customer: have @bittitan.com and "
                    "@migrationwiz.com on the safe-sender list (or answers land in junk mail), "
                    "and check https://status.bittitan.com for maintenance windows and outages "
                    "before filing")]


def _order(case: Case) -> tuple:
    """Opening order of cases; a case not saved yet comes after every saved one."""
    tail = case.id.rsplit("-", 1)[-1]
    return case.opened_at, int(tail) if tail.isdigit() else float("inf")
