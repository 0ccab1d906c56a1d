"""The OnTime program declaration: rule catalogue, products, platforms and desk settings."""

from __future__ import annotations

from workbench.model import Rule, Setting, VendorProgram

VENDOR = "ontime"
VERSION = "0.1.0"

RULES = [
    Rule("ONTIME-PROD-1", "Three products: license (the root contract), maintenance (fixes and new "
         "versions; yearly 20% of the current licence list price) and technical-support "
         "(investigation and recovery help; yearly 15% of the licence list price)."),
    Rule("ONTIME-PROD-2", "technical-support is an add-on to maintenance and cannot be sold or "
         "active without active maintenance; maintenance needs a license."),
    Rule("ONTIME-TRIAGE-1", "Isolation first: reproduces on the calendar platform without OnTime → "
         "platform path, platform-support queue, no OnTime escalation; does not reproduce → "
         "subscription-support; not checked yet → triage, no escalation yet. Isolation covers the "
         "end users' own platform settings too (OnTime follows them, e.g. each user's "
         "meeting-response settings)."),
    Rule("ONTIME-TRIAGE-2", "Most cases are 'does not behave as expected': the desk first checks "
         "the OnTime manual / FAQ and the platform settings (path self-service until isolation "
         "says otherwise)."),
    Rule("ONTIME-ESC-1", "The desk is first line: it escalates to the OnTime Japan team only after "
         "isolation says 'does not reproduce', through its commercial chain (a tier-2 reseller "
         "via its tier-1 / distributor)."),
    Rule("ONTIME-ESC-2", "An escalation to OnTime carries reproduction steps, browser name and "
         "version, platform name and version and environment notes; missing items are listed "
         "and the escalation is refused until they are filled in."),
    Rule("ONTIME-PARTNER-1", "The desk names a technical contact for OnTime; escalations go out "
         "under that contact, and without one vendor escalation is refused."),
    Rule("ONTIME-PAID-1", "A customer without technical support who cannot do the isolation and "
         "has no platform partner is offered paid technical support; a report that already "
         "carries isolation and reproduction is not charged."),
    Rule("ONTIME-RENEW-1", "A maintenance renewal workflow opens 60 days before each licence "
         "anniversary: notice sent (due 30 days before) → customer order received → vendor "
         "order placed → renewed, everything by the anniversary."),
]

LICENSE = "license"
MAINTENANCE = "maintenance"
TECHNICAL_SUPPORT = "technical-support"
PRODUCTS = [LICENSE, MAINTENANCE, TECHNICAL_SUPPORT]

PLATFORMS = {
    "hcl-notes-domino": "HCL Notes/Domino",
    "hcl-verse-smartcloud-notes": "HCL Verse / SmartCloud Notes",
    "microsoft-365-exchange-online": "Microsoft 365 / Exchange Online",
    "microsoft-exchange-on-premises": "Microsoft Exchange (on-premises)",
}
"""The calendar platforms of ONTIME-TRIAGE-1: form value → name."""

NOT_CHECKED = "not-checked"
REPRODUCES = "reproduces-without-ontime"
DOES_NOT_REPRODUCE = "does-not-reproduce"
ISOLATION_ANSWERS = [NOT_CHECKED, REPRODUCES, DOES_NOT_REPRODUCE]
SETTINGS_EXPLAIN = "explain-it"
SETTINGS_NOT_THE_CAUSE = "not-the-cause"
USER_SETTINGS_ANSWERS = [NOT_CHECKED, SETTINGS_EXPLAIN, SETTINGS_NOT_THE_CAUSE]
"""Whether the end users' own platform settings explain the behaviour (ONTIME-TRIAGE-1)."""

CASE_KINDS = ["unexpected-behaviour", "failure", "question"]

TIER_1 = "tier-1"
TIER_2 = "tier-2"

SETTINGS = [
    Setting("ontime.technical_contact", "", "The desk's technical contact for OnTime: escalations "
            "to the OnTime Japan team go out under this name; empty refuses vendor escalation.",
            rule="ONTIME-PARTNER-1"),
    Setting("ontime.partner_tier", TIER_1, "How the desk buys OnTime: tier-1 (directly from the "
            "OnTime Japan team) or tier-2 (through a tier-1 partner / distributor).",
            kind="choice", choices=[TIER_1, TIER_2], rule="ONTIME-ESC-1"),
    Setting("ontime.tier1_partner", "", "A tier-2 desk's tier-1 partner or distributor: its "
            "escalations to OnTime go through it.", rule="ONTIME-ESC-1"),
    Setting("ontime.team_email", "", "The OnTime Japan team's address a tier-1 desk e-mails its "
            "escalations to (case send --mail).", kind="email", rule="ONTIME-ESC-1"),
    Setting("ontime.tier1_email", "", "The tier-1 partner / distributor's address a tier-2 desk "
            "e-mails its escalations to, for it to bring to OnTime (case send --mail).",
            kind="email", rule="ONTIME-ESC-1"),
    Setting("ontime.renewal_window_days", 60, "A maintenance renewal workflow opens this many days "
            "before the licence anniversary.", kind="number", rule="ONTIME-RENEW-1"),
    Setting("ontime.renewal_notice_days", 30, "The renewal notice is due this many days before the "
            "licence anniversary.", kind="number", rule="ONTIME-RENEW-1"),
]


def declaration() -> VendorProgram:
    return VendorProgram(
        id=VENDOR,
        name="OnTime Group Calendar",
        version=VERSION,
        rules=RULES,
        products=PRODUCTS,
        case_kinds=CASE_KINDS,
        settings=SETTINGS,
        description="OnTime Group Calendar (Japan team): products and fees, isolation on the "
        "calendar platform first, escalation through the commercial chain, maintenance renewals.",
        # Maintenance is the entitlement under which OnTime takes bug reports; technical
        # support adds investigation help (ONTIME-PROD-1).
        support_products=[MAINTENANCE, TECHNICAL_SUPPORT],
        # The form asks what happened as the steps that reproduce it (ONTIME-ESC-2).
        description_field="reproduction_steps",
        products_rule="ONTIME-PROD-1",
    )


MAIL_DOMAINS = ("ontimesuite.com", "intravision.no")
"""Where OnTime's support (IntraVision) answers the partner from."""
