"""What must hold before a case goes to Zoho (``case send``): requests go from the desk's
registered domain and name a customer e-mail that is not free mail (ZOHO-EMAIL-1), and an
account dispute or administrator change carries the account owner's consent (ZOHO-CONSENT-1).

Each check gives the finding shown on the case and, while it does not hold, the refusal of
``case send``. Only a free-mail customer e-mail also blocks saving (an error finding): it is a
typing fix the desk makes at once. A missing consent and a free-mail sender address are
warnings, so the desk can record the case while it waits for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench import DeskReader
from workbench.model import Case, Decision, Finding
from workbench_zoho.program import SUPER_ADMIN

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.jp", "ymail.com", "rocketmail.com",
        "outlook.com", "outlook.jp", "hotmail.com", "hotmail.co.jp", "live.com", "live.jp",
        "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.net", "mail.com",
        "proton.me", "protonmail.com", "yandex.com", "zohomail.com", "qq.com", "163.com",
        "docomo.ne.jp", "ezweb.ne.jp", "au.com", "i.softbank.jp", "softbank.ne.jp",
    }
)
"""Free mail providers ZOHO-EMAIL-1 refuses; ``zoho.free_mail_domains`` adds more."""

CONSENT_FIELDS = {
    "consent_from": "the account owner's address the consent e-mail came from",
    "consent_received": "the date the consent e-mail arrived",
}
"""What ZOHO-CONSENT-1 needs recorded, by form field."""


@dataclass(frozen=True)
class Check:
    """One check before sending: the finding shown on the case, and the refusal of
    ``case send`` while the check does not hold (``None``: it does not stop sending)."""

    finding: Finding
    refusal: Decision | None = None


def checks(case: Case, desk: DeskReader) -> list[Check]:
    """Every check of ZOHO-EMAIL-1 and ZOHO-CONSENT-1 on ``case``, in the order ``case send``
    reports them: the desk's sender address, the customer e-mail, the consent."""
    extra = list(desk.setting("zoho.free_mail_domains") or [])
    return [*_sender(desk, extra), *_customer_email(case, desk, extra), *_consent(case, desk)]


def findings(case: Case, desk: DeskReader) -> list[Finding]:
    """The checks as findings on the case (validation before it is saved, and its view)."""
    return [check.finding for check in checks(case, desk)]


def check_send(case: Case, desk: DeskReader) -> Decision | None:
    """The first refusal of ``case send``; ``None`` lets the case go and leaves the answer to
    any later plugin (a desk policy), as the hook stops at the first non-None result."""
    return next((c.refusal for c in checks(case, desk) if c.refusal is not None), None)


def free_mail_domain(address: str, extra: list[str]) -> str | None:
    """The free mail provider's domain ``address`` belongs to, if it does (ZOHO-EMAIL-1)."""
    domain = address.rsplit("@", 1)[-1].strip().lower()
    refused = FREE_MAIL_DOMAINS | {d.strip().lower().lstrip("@") for d in extra if d.strip()}
    return domain if domain in refused else None


def _held(level: Literal["error", "warning"], rule: str, reason: str, fix: str,
          missing: list[str], field: str | None = None) -> Check:
    """A check that refuses ``case send`` with ``reason`` and ``missing``; on the case it
    shows as a ``level`` finding: the reason, then ``fix`` (what to do, and what waits)."""
    return Check(Finding(level, rule, f"{reason}; {fix}", field),
                 Decision(False, rule, reason, missing=missing))


def _sender(desk: DeskReader, extra: list[str]) -> list[Check]:
    """ZOHO-EMAIL-1 on the desk's sender address (setting ``zoho.sender_email``)."""
    sender = str(desk.setting("zoho.sender_email") or "").strip()
    if not sender:
        return [Check(Finding("warning", "ZOHO-EMAIL-1",
                              "the desk's sender address toward Zoho is not set (setting "
                              "zoho.sender_email): requests must go from the desk's registered "
                              "domain, never from free mail"))]
    provider = free_mail_domain(sender, extra)
    if provider is None:
        return []
    return [_held("warning", "ZOHO-EMAIL-1",
                  f"the desk's sender address {sender} is free mail ({provider}): Zoho cannot "
                  "track or automate a request sent from it",
                  "no Zoho case can be sent until zoho.sender_email is set to an address of the "
                  "desk's registered domain (workbench settings zoho.sender_email ADDRESS)",
                  ["setting zoho.sender_email: an address of the desk's registered domain, "
                   "not free mail"])]


def _customer_email(case: Case, desk: DeskReader, extra: list[str]) -> list[Check]:
    """ZOHO-EMAIL-1 on the form's customer e-mail: an error, so the case is not saved with it;
    the refusal also stops a case saved before its provider was added to the list."""
    address = str(case.fields.get("customer_email") or "")
    provider = free_mail_domain(address, extra) if address else None
    if provider is None:
        return []
    domain = desk.customer(case.customer_id).domain
    registered = f"an address of the customer's registered domain{f' ({domain})' if domain else ''}"
    return [_held("error", "ZOHO-EMAIL-1",
                  f"the customer e-mail {address} is free mail ({provider}): Zoho cannot track "
                  "or automate a request under it",
                  f"use {registered}", [f"customer_email: {registered}"], "customer_email")]


def _consent(case: Case, desk: DeskReader) -> list[Check]:
    """ZOHO-CONSENT-1: account disputes and administrator changes need the owner's consent
    recorded before the case is sent; it may be saved while the desk waits for it."""
    change = case.fields.get("account_change", "none")
    if change in (None, "none"):
        return []
    what = "an account dispute" if change == "account-dispute" else "an administrator change"
    missing = {name: label for name, label in CONSENT_FIELDS.items() if not case.fields.get(name)}
    if missing:
        return [_held("warning", "ZOHO-CONSENT-1",
                      f"{what} needs the account owner's e-mail consent recorded before it goes "
                      "to Zoho (security and verification)",
                      "the case is saved, but it cannot be sent to Zoho until the consent is "
                      f"recorded: {' and '.join(missing.values())} (fields {', '.join(missing)})",
                      [f"{name}: {label}" for name, label in missing.items()],
                      next(iter(missing)))]
    owner = desk.customer(case.customer_id).attributes.get(SUPER_ADMIN, "")
    sender = str(case.fields["consent_from"])
    if owner and sender.lower() != owner.lower():
        return [Check(Finding("warning", "ZOHO-CONSENT-1",
                              f"the consent came from {sender}, but the customer's recorded "
                              f"super-admin (account owner) is {owner}: Zoho verifies the owner's "
                              "consent", "consent_from"))]
    return [Check(Finding("info", "ZOHO-CONSENT-1",
                          f"the account owner's consent for {what} is recorded ({sender}, "
                          f"{case.fields['consent_received']})"))]
