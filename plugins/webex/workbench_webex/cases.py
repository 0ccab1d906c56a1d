"""WebEx cases and contracts: the intake form, the guidance shown on a case, and what a
WebEx contract must say for its orders and renewals to work."""

from __future__ import annotations

from datetime import datetime

from workbench.model import Case, Contract, Field, Finding
from workbench_webex.forms import site_url_problem
from workbench_webex.program import CASE_KINDS
from workbench_webex.timing import FORGOT_PASSWORD, support_hours
from workbench_webex.workflows import required_terms

CONTRACT_ATTRIBUTES = {"audio_commit": "whether the order includes a WebEx audio commit plan (true / false)"}
"""The contract attributes WebEx reads (WX-HOLD-2)."""


def case_fields() -> list[Field]:
    return [
        Field("kind", "Kind", "choice", required=True, choices=CASE_KINDS,
              help="technical: a question for Cisco's technical line; order: an order, renewal or "
              "option question; site-access: a lost password or user name."),
        Field("site_url", "WebEx site", help="<name>.webex.com", rule="WX-PROV-1"),
        Field("so_number", "Sales order number (SO#)", rule="WX-PROV-1"),
    ]


def validate_case(case: Case, now: datetime) -> list[Finding]:
    """Support hours on every case (WX-HOURS-1), the site address, and the guidance a kind calls for."""
    found = [support_hours(now)]
    site = case.fields.get("site_url")
    if site and site_url_problem(str(site)):
        found.append(Finding("error", "WX-PROV-1", site_url_problem(str(site)) or "", "site_url"))
    kind = case.fields.get("kind")
    if kind == "site-access":
        found.append(Finding("info", "WX-SITE-2", f"the Welcome e-mail cannot be resent: {FORGOT_PASSWORD}",
                             "kind"))
    elif kind == "order":
        found.append(Finding("info", "WX-FLOW-1", "orders, renewals and option requests are worked as "
                             "workflows (`workbench workflow new --vendor webex`)", "kind"))
    return found


def check_contract(contract: Contract) -> list[Finding]:
    """A WebEx contract's end is its renewal date; its quantity the licences bought; its
    ``audio_commit`` attribute whether the order has an audio commit plan."""
    found = []
    if contract.end is None:
        found.append(Finding("error", "WX-RENEW-1", "a WebEx subscription needs its renewal date: the "
                             "contract's end is the renewal date, the last day the site runs unless "
                             "renewed", "end"))
    if contract.quantity < 1:
        found.append(Finding("error", "WX-PROV-1", f"the {contract.product} licences bought must be 1 or "
                             "more (named users per site add up to the named-host licences)", "quantity"))
    audio = contract.attributes.get("audio_commit", False)
    if not isinstance(audio, bool):
        found.append(Finding("error", "WX-HOLD-2", f"audio_commit must be true or false, not {audio!r}",
                             "attributes"))
    unknown = sorted(set(contract.attributes) - set(CONTRACT_ATTRIBUTES))
    if unknown:
        found.append(Finding("warning", "WX-HOLD-2", f"WebEx does not read the attribute(s) "
                             f"{', '.join(unknown)}; it reads: "
                             + "; ".join(f"{k}: {v}" for k, v in CONTRACT_ATTRIBUTES.items()), "attributes"))
    terms = [words for _, words in required_terms(contract)]
    if terms:
        found.append(Finding("info", "WX-HOLD-2", f"Cisco keeps this order on compliance hold until the "
                             f"customer submits the {' and the '.join(terms)}"))
    return found
