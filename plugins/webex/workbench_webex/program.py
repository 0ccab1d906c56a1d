"""The WebEx program's declaration: rule catalogue (RULES.md, WX-*), products and settings."""

from __future__ import annotations

from workbench.model import Rule, Setting, VendorProgram

VENDOR = "webex"

RULES = [
    Rule("WX-FLOW-1", "A new order is a workflow: ordered → compliance-hold → confirmation-received → "
         "provisioning-submitted → site-ready → graduated; a renewal the same without graduated and "
         "ending in renewed; an option request is requested → done."),
    Rule("WX-HOLD-1", "Every order, new or renewal, goes on compliance hold, normally released in a few "
         "days; the confirmation (SO#, provisioning form link) is sent only after release."),
    Rule("WX-HOLD-2", "An order with a port contract or a WebEx audio commit plan stays on hold until the "
         "customer submits the port-overage and / or audio-overage terms; releasing it without them is "
         "refused, naming what is missing."),
    Rule("WX-TIER-1", "Cisco sends the confirmation to the tier-1 partner (or distributor); a tier-2 desk "
         "receives it through its tier-1, and its workflow shows that hand-off as a step."),
    Rule("WX-PROV-1", "The partner facing the customer submits the provisioning form (the hearing sheet) "
         "from the SO# and the form link; the evidence e-mail goes to the partner contact address."),
    Rule("WX-SITE-1", "About 7 Japan business days after provisioning the site is ready and the Welcome "
         "e-mail goes to the site administrator, not the partner; the date is an estimate."),
    Rule("WX-SITE-2", "The Welcome e-mail's password link works for 72 hours and cannot be resent; after "
         "that: forgot-password on the site, and Cisco for a lost user name."),
    Rule("WX-GRAD-1", "After a new site starts the desk submits the graduation form to hand the customer "
         "to Cisco's customer success manager; without it no CSM is assigned."),
    Rule("WX-RENEW-1", "A renewal's provisioning is submitted at least 14 days before the renewal date; "
         "a renewal not complete by the renewal date stops the site; the workflow opens 60 days before."),
    Rule("WX-RENEW-2", "In a renewal's provisioning form, \"Is the end customer an existing WebEx "
         "customer?\" is always Yes."),
    Rule("WX-RENEW-3", "No e-mail tells the customer a renewal completed: the workflow confirms completion "
         "with Cisco before it is marked renewed."),
    Rule("WX-OPT-1", "Option requests: add a language, site split, customer / partner contact change, "
         "custom session type, logo change, renewal-date confirmation, CSM confirmation, other."),
    Rule("WX-HOURS-1", "Cisco's technical line is 24×7; Japanese-language support is weekdays 10:00–18:00 "
         "Japan time, English otherwise."),
]

NAMED_HOST, ACTIVE_HOST, PORT = "named-host", "active-host", "port"
PRODUCTS = [NAMED_HOST, ACTIVE_HOST, PORT]
"""A WebEx subscription's licence model; the contract's quantity is the licences bought."""

CASE_KINDS = ["technical", "order", "site-access"]

TIER_1, TIER_2 = "tier-1", "tier-2"

SETTINGS = [
    Setting("webex.partner_tier", TIER_1, "The desk's partner tier with Cisco: a tier-2 desk receives "
            "the order confirmation through its tier-1 partner.", kind="choice",
            choices=[TIER_1, TIER_2], rule="WX-TIER-1"),
    Setting("webex.renewal_window_days", 60, "A renewal workflow opens this many days before the "
            "contract's renewal date.", kind="number", rule="WX-RENEW-1"),
    Setting("webex.provisioning_lead_days", 14, "A renewal's provisioning is due this many days before "
            "the renewal date.", kind="number", rule="WX-RENEW-1"),
    Setting("webex.site_ready_business_days", 7, "Japan business days from provisioning to the estimated "
            "site-ready date.", kind="number", rule="WX-SITE-1"),
    Setting("webex.hold_at_risk_business_days", 5, "Japan business days after the order when a "
            "compliance hold still not released is at risk.", kind="number", rule="WX-HOLD-1"),
    Setting("webex.password_link_hours", 72, "Hours the Welcome e-mail's password link works.",
            kind="number", rule="WX-SITE-2"),
]


def declaration() -> VendorProgram:
    """The WebEx program as the plugin declares it."""
    return VendorProgram(
        id=VENDOR,
        name="Cisco WebEx (Japan orders)",
        version="0.2.0",
        rules=RULES,
        products=PRODUCTS,
        case_kinds=CASE_KINDS,
        settings=SETTINGS,
        support_products=PRODUCTS,
        products_rule="WX-HOLD-2",
        description="New orders, renewals and option requests as dated checklists: compliance hold, "
        "provisioning, site ready, graduation; Cisco's support hours.",
    )


MAIL_DOMAINS = ("webex.com", "cisco.com")
"""Where Cisco WebEx answers from (its order and provisioning desks, and Cisco's TAC)."""
