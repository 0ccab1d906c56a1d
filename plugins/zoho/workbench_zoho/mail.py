"""Zoho's request as an e-mail (``case send --mail``): the items of ZOHO-FORM-1 in the order
of Zoho's request template, from the desk's registered address (ZOHO-EMAIL-1) to the
partner-support address the desk was given (ZOHO-CHAN-1: requests are sent and tracked through
the partner-support help, e-mail for every tier)."""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, Decision, MailDraft
from workbench_zoho.intake import case_fields
from workbench_zoho.program import PRODUCTS
from workbench_zoho.sending import free_mail_domain

SUPPORT_EMAIL = "zoho.support_email"
"""The setting holding Zoho's partner-support address the desk's requests go to."""

REPRODUCIBLE_ITEMS = ("user_id", "super_admin_email", "customisations", "occurred_at", "support_access")
"""What ZOHO-FORM-1 asks only of a reproducible problem."""

FORM_ITEMS = ("customer_email", "request_type", "category", "severity", "zoho_product", "reproducible",
              *REPRODUCIBLE_ITEMS, "description", "troubleshooting", "attachments")
"""The request's items, in the order of Zoho's template (ZOHO-FORM-1)."""


def compose(case: Case, text: str, desk: DeskReader) -> MailDraft | Decision:
    """The request, or the refusal of ZOHO-EMAIL-1 (no registered-domain sender) or of
    ZOHO-CHAN-1 (no partner-support address)."""
    sender = str(desk.setting("zoho.sender_email") or "").strip()
    if not sender:
        return Decision(False, "ZOHO-EMAIL-1",
                        "requests to Zoho go from the desk's registered domain, and the desk names "
                        "no sender address toward Zoho",
                        missing=["setting zoho.sender_email: an address of the desk's registered domain"])
    provider = free_mail_domain(sender, list(desk.setting("zoho.free_mail_domains") or []))
    if provider is not None:
        return Decision(False, "ZOHO-EMAIL-1",
                        f"the desk's sender address {sender} is free mail ({provider}): Zoho cannot "
                        "track or automate a request sent from it",
                        missing=["setting zoho.sender_email: an address of the desk's registered "
                                 "domain, not free mail"])
    to = str(desk.setting(SUPPORT_EMAIL) or "").strip()
    if not to:
        return Decision(False, "ZOHO-CHAN-1",
                        "requests go to Zoho through its partner-support e-mail, and the desk has "
                        "not recorded that address",
                        missing=[f"setting {SUPPORT_EMAIL}: Zoho's partner-support address"])
    product = PRODUCTS.get(str(case.fields.get("zoho_product") or ""), case.fields.get("zoho_product") or "")
    lines = [text.strip(), ""] if text.strip() else []
    lines += [f"{label}: {value}" for label, value in _items(case)]
    attachments = [str(p).strip() for p in case.fields.get("attachments") or [] if str(p).strip()]
    return MailDraft(
        to=[to],
        subject=f"{product or 'Zoho'} {case.fields.get('request_type') or 'request'}: {case.subject}",
        body="\n".join(lines) + "\n",
        rule="ZOHO-FORM-1",
        reason=f"Zoho's request template, from the desk's registered address {sender} (ZOHO-EMAIL-1) "
               f"to partner support {to} (ZOHO-CHAN-1)",
        sender=sender,
        attachments=attachments,
    )


def _items(case: Case) -> list[tuple[str, str]]:
    """(label, answer) of each item of the request, in the template's order; the items of a
    reproducible problem only when it is reproducible."""
    labels = {f.name: f.label for f in case_fields()}
    reproducible = _answer(case.fields.get("reproducible")) == "yes"
    items = []
    for name in FORM_ITEMS:
        if name in REPRODUCIBLE_ITEMS and not reproducible:
            continue
        value = case.fields.get(name)
        if name == "zoho_product":
            value = PRODUCTS.get(str(value or ""), value)
        items.append((labels.get(name, name), _answer(value) or "-"))
    return items


def _answer(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
