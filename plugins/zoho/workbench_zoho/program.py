"""The Zoho partner support program: its rule catalogue, regions, products and settings.

Everything here is a constant built at import time; the hooks live in the other modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.model import Field, Rule, Setting, VendorProgram

if TYPE_CHECKING:
    from workbench import DeskReader

VENDOR = "zoho"
VERSION = "0.1.0"

RULES = [
    Rule("ZOHO-TIER-1", "The desk's Zoho partner tier: authorized, advanced or premium."),
    Rule("ZOHO-CHAN-1", "Channels toward Zoho: e-mail for every tier; web chat for advanced and "
         "premium, and for an authorized partner only where its account manager granted it; "
         "toll-free phone, partner success manager calls & POC for advanced and premium; "
         "support hours 24x5 for every tier. Requests go through the partner-support help; "
         "other channels such as Cliq are not used (a warning if one is recorded)."),
    Rule("ZOHO-FIRST-1", "The desk gives first-level support and basic debugging itself and brings "
         "to Zoho execution problems inside Zoho services; Zoho does not build an API connection "
         "from scratch."),
    Rule("ZOHO-FORM-1", "A request to Zoho carries: customer e-mail, request type, reproducible "
         "yes/no (if yes: user ID, super-admin e-mail, customisation names, date and time, support "
         "access enabled), Zoho product, description, troubleshooting steps, attachments."),
    Rule("ZOHO-FORM-2", "The description is 150 to 200 characters; outside that range is a warning "
         "shown before sending, not a refusal."),
    Rule("ZOHO-EMAIL-1", "Requests go from the desk's registered domain, never from a free mail "
         "provider: such an address is refused because Zoho cannot track or automate it."),
    Rule("ZOHO-CONSENT-1", "Account disputes and administrator changes need the account owner's "
         "e-mail consent, recorded before the case can be sent."),
    Rule("ZOHO-SEV-1", "Severity 1 critical, 2 moderate, 3 minimal (how-to); product limitations "
         "and feature requests are outside the SLA."),
    Rule("ZOHO-SLA-1", "Acknowledgement (time to Zoho's first response) and issue identification "
         "(time between Zoho's subsequent responses, an update interval that restarts whenever "
         "Zoho holds the ball again) in business time on the 24x5 calendar of the desk's Zoho "
         "region; both are Zoho's averages: per case the upper bound is the deadline of each wait, "
         "the lower the target."),
    Rule("ZOHO-SLA-2", "Zoho does not work weekends except for critical cases: a severity-1 downtime, "
         "outage or sign-in case runs on a 24x7 calendar."),
    Rule("ZOHO-SLA-3", "Zoho's commitments are averages, so the desk measures them: per month and "
         "severity, Zoho's average, median and worst acknowledgement and identification times over "
         "the desk's cases, beside the commitment, with the cases behind each figure."),
    Rule("ZOHO-STATUS-1", "Before sending a severity-1 downtime / outage / sign-in case, the desk is "
         "reminded to check Zoho's status page (and blog) for a known incident."),
    Rule("ZOHO-HOWTO-1", "The desk sees its count of severity-3 how-to requests to Zoho over the "
         "last 30 days, and a warning above 10."),
    Rule("ZOHO-ESC-1", "Escalation needs the partner's valid support-service contract with Zoho (a "
         "desk setting). With it the desk may escalate any time once the acknowledgement response "
         "time has run out since the send, when a later identification window runs out without a "
         "response, or when it records that it is not satisfied with the service's level or "
         "timeliness; clear production impact or a major business risk makes escalation "
         "recommended (a severity-1 downtime / outage / sign-in case by itself). Otherwise it is "
         "refused with the earliest time."),
    Rule("ZOHO-ESC-2", "The ladder per region, four levels under ZOHO-ESC-1: 1 partner-support "
         "escalation desk, 2 regional partner-support lead, 3 partner-support manager (central), "
         "4 partner account manager, which is also the case's commercial escalation (CORE-ESC-2) "
         "without its 30-day stall; every escalation shows 'owner not yet recorded' until the "
         "named Zoho owner is recorded."),
    Rule("ZOHO-PRIO-1", "Priority support for large-user accounts: eligible at or above the region's "
         "user threshold, claimable once the super-admin e-mail and domain are recorded."),
]


@dataclass(frozen=True)
class Region:
    """A Zoho partner-support region: its time zone (ZOHO-SLA-1) and priority threshold
    (ZOHO-PRIO-1)."""

    id: str
    name: str
    timezone: str
    priority_users: int


REGIONS: dict[str, Region] = {
    r.id: r
    for r in (
        Region("anz", "Australia & New Zealand", "Australia/Sydney", 50),
        Region("apac-japan", "Asia Pacific & Japan", "Asia/Tokyo", 50),
        Region("india", "India", "Asia/Kolkata", 100),
        Region("mea", "Middle East & Africa", "Asia/Dubai", 60),
        Region("europe-uk", "Europe & UK", "Europe/London", 60),
        Region("usa", "USA", "America/New_York", 70),
        Region("latam", "Latin America", "America/Mexico_City", 70),
        Region("brazil", "Brazil", "America/Sao_Paulo", 50),
        Region("canada", "Canada", "America/Toronto", 50),
    )
}

TIERS = ("authorized", "advanced", "premium")

PRODUCTS: dict[str, str] = {
    "zoho-one": "Zoho One",
    "crm": "Zoho CRM",
    "desk": "Zoho Desk",
    "books": "Zoho Books",
    "people": "Zoho People",
    "workplace": "Zoho Workplace",
    "projects": "Zoho Projects",
    "creator": "Zoho Creator",
    "analytics": "Zoho Analytics",
    "trial": "a Zoho product on trial",
}
"""Contract products. Every paid subscription carries Zoho partner support; a trial does not."""

SUPPORT_PRODUCTS = [p for p in PRODUCTS if p != "trial"]

REQUEST_TYPES = [
    "technical-support",
    "payment-renewal",
    "trial-extension",
    "store",
    "upgrade",
    "invoice-change",
    "commission-payment",
    "product-management",
    "sales-discussion",
]

DEFAULT_REGION = "apac-japan"

PARTNER_CONTRACT = "zoho.partner_contract_until"
"""The setting holding until when the desk's own support-service contract with Zoho runs
(ZOHO-ESC-1)."""


def timezone_key(region: str) -> str:
    """The setting that holds a region's time zone (ZOHO-SLA-1)."""
    return f"zoho.timezone.{region}"


SETTINGS = [
    Setting("zoho.partner_tier", "authorized",
            "The desk's Zoho partner tier; it decides the channels the desk may use toward Zoho.",
            kind="choice", choices=list(TIERS), rule="ZOHO-TIER-1"),
    Setting("zoho.region", DEFAULT_REGION,
            "The desk's Zoho partner-support region: its time zone counts the SLA (ZOHO-SLA-1) and "
            "it picks the escalation ladder (ZOHO-ESC-2).",
            kind="choice", choices=list(REGIONS), rule="ZOHO-SLA-1"),
    Setting("zoho.web_chat_granted", False,
            "An authorized partner may use web chat only where its Zoho partner account manager "
            "granted it; advanced and premium partners always may.",
            kind="bool", rule="ZOHO-CHAN-1"),
    Setting("zoho.sender_email", "",
            "The desk's registered-domain address its requests to Zoho go from; while it is a "
            "free mail address, no Zoho case can be sent.",
            kind="email", rule="ZOHO-EMAIL-1"),
    Setting("zoho.support_email", "",
            "Zoho's partner-support address the desk's requests go to by e-mail (case send "
            "--mail); the partner-support help tracks what arrives there.",
            kind="email", rule="ZOHO-CHAN-1"),
    Setting("zoho.free_mail_domains", [],
            "Free mail domains refused besides the built-in list (gmail.com, yahoo.co.jp, "
            "outlook.com, hotmail.com, icloud.com, …), comma-separated.",
            kind="list", rule="ZOHO-EMAIL-1"),
    Setting(PARTNER_CONTRACT, "",
            "Until when (YYYY-MM-DD) the desk's own support-service contract with Zoho runs; "
            "escalation to Zoho is refused without a valid one.",
            kind="date", rule="ZOHO-ESC-1"),
    Setting("zoho.howto_warning_above", 10,
            "Warn when the desk sent more than this many severity-3 how-to requests to Zoho in "
            "the last 30 days.",
            kind="number", rule="ZOHO-HOWTO-1"),
    *[
        Setting(timezone_key(r.id), r.timezone,
                f"Time zone of the Zoho region {r.id} ({r.name}) for the 24x5 SLA calendar.",
                kind="timezone", rule="ZOHO-SLA-1")
        for r in REGIONS.values()
    ],
]


CUSTOMER_REGION = "zoho.region"
"""The customer attribute of the Zoho region the customer's account is in (ZOHO-PRIO-1)."""
SUPER_ADMIN = "zoho.super_admin_email"
"""The customer attribute of the Zoho account's super-admin (ZOHO-PRIO-1, ZOHO-CONSENT-1)."""
CUSTOMER_ATTRIBUTES = [
    Field(CUSTOMER_REGION, "Zoho region", "choice", choices=list(REGIONS),
          help="the Zoho region the customer's account is in: it sets the priority-support user "
          "threshold", rule="ZOHO-PRIO-1"),
    Field(SUPER_ADMIN, "Super-admin e-mail", "email",
          help="the Zoho account's super-admin (its owner): Zoho checks a priority-support claim "
          "against it, and an account change's consent should come from it",
          rule="ZOHO-PRIO-1"),
]


def declaration() -> VendorProgram:
    """The program as declared to the desk."""
    return VendorProgram(
        id=VENDOR,
        name="Zoho partner support",
        version=VERSION,
        rules=RULES,
        products=list(PRODUCTS),
        case_kinds=REQUEST_TYPES,
        settings=SETTINGS,
        customer_attributes=CUSTOMER_ATTRIBUTES,
        description="Zoho partner support: tiers and channels, the request form, severities and the "
        "24x5 SLA, the regional escalation ladder, and priority support for large-user accounts.",
        support_products=SUPPORT_PRODUCTS,
        measure_rule="ZOHO-SLA-3",
        kind_field="category",
        products_rule="ZOHO-FORM-1",
    )


def desk_region(desk: DeskReader) -> Region:
    """The desk's Zoho region (setting ``zoho.region``)."""
    return REGIONS[desk.setting("zoho.region")]


MAIL_DOMAINS = (
    "zoho.com", "zohocorp.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zoho.com.cn",
    "zohocloud.ca", "zoho.sa",
)
"""Where Zoho's partner support answers from: its company domain and each region's (a reply
from one of them is Zoho's response, ZOHO-SLA-1). Zoho Mail's free addresses (zohomail.com) are
not Zoho's support."""
