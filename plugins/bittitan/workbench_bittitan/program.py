"""The BitTitan MigrationWiz program as declared to the desk: rules, products, settings.

Source: RULES.md, section "BitTitan (MigrationWiz) — source: 003". Names of queues, kinds,
regions and products used by every other module of the plugin live here.
"""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Field, Rule, Setting, VendorProgram

VENDOR = "bittitan"
VERSION = "0.1.0"

# -- case kinds and queues (BT-FORM-1, BT-ROUTE-1, BT-ROUTE-2) --------------------------------

GUIDANCE = "guidance-request"
PROBLEM = "product-problem"
CASE_KINDS = [GUIDANCE, PROBLEM]

SUCCESS_QUEUE = "customer-success"
SUPPORT_QUEUE = "customer-support"

REGIONS = ["americas", "apac", "emea"]
"""Support regions of the ticket form (BT-FORM-1); each has a time zone setting (BT-SLA-1)."""

# -- products (BT-ONBOARD-1) -----------------------------------------------------------------

LICENCES = ["user-migration-bundle", "mailbox-migration", "document-migration"]
"""MigrationWiz licences: free customer support comes with them, so they are the products
that count as an active subscription with support (CORE-PATH-2)."""

ONBOARDING = "onboarding"
ENTERPRISE_ONBOARDING = "enterprise-onboarding"
ADVISOR_HOUR = "advisor-hour"
CONSULTING = [ONBOARDING, ENTERPRISE_ONBOARDING, ADVISOR_HOUR]

# -- rules -----------------------------------------------------------------------------------

RULES = [
    Rule("BT-FORM-1", "A ticket carries: MigrationWiz account e-mail; support region (americas, "
         "apac, emea); phone and workgroup (optional); planned cutover date; kind "
         "guidance-request or product-problem; MigrationWiz project (recommended: a warning when "
         "empty); subject; description."),
    Rule("BT-ROUTE-1", "A guidance-request goes to customer success on the guidance path: "
         "prerequisites, project setup, planning, what to expect during a run. Free, English, "
         "Monday–Friday business hours, no urgent handling."),
    Rule("BT-ROUTE-2", "Errors during a run, the tool not behaving as documented, the user "
         "unable to access the BitTitan software, items that did not migrate, and a cutover within "
         "3 days (counted from today: an open case is moved when its cutover enters the window) "
         "always go to customer support (subscription-support), whatever kind was picked; a "
         "product-problem goes there too."),
    Rule("BT-SLA-1", "Customer support answers by e-mail within 24 hours of the ticket (24x7); "
         "customer success has no commitment, its target is the end of the next business day on "
         "the support region's Monday–Friday 09:00–17:00 calendar."),
    Rule("BT-ESC-1", "Ladder: software support representative → software support engineer of the "
         "nearest region (Monday–Friday, weekend escalation limited) → escalation engineers with "
         "the developers, whose review needs at least 24 hours."),
    Rule("BT-PENDING-1", "BitTitan's clock on its own ticket, against the desk: a BitTitan reply "
         "asking for feedback, details or confirmation sets its ticket pending, and without the "
         "desk's answer within 72 hours BitTitan closes it (pending-timeout) after warning "
         "e-mails at 24 h and 48 h; the deadline runs while the desk waits on its customer, the "
         "desk's send stops it, and when it passes the desk replies or files anew while its own "
         "case stays open."),
    Rule("BT-CLOSE-1", "A ticket closes with exactly one reason: resolved-confirmed, "
         "outside-scope, resolution-steps, workaround, feature-request, third-party-limitation, "
         "user-education, cannot-reproduce or pending-timeout."),
    Rule("BT-ONBOARD-1", "Paid consulting offers: onboarding (dedicated CSM, one licence / project "
         "scenario, milestones kickoff → planning → proof of concept → deliverables), "
         "enterprise-onboarding (multi-licence, success criteria, post-project review), "
         "advisor-hour (one-hour setup and planning call)."),
    Rule("BT-ONBOARD-2", "Advisor hours cannot be used for support questions: a product-problem, "
         "or a case BT-ROUTE-2 sends to support, cannot be booked on one."),
    Rule("BT-SAFE-1", "On a customer's first ticket the desk is reminded to put @bittitan.com and "
         "@migrationwiz.com on the safe-sender list and to check the BitTitan status page for "
         "maintenance windows and outages before filing."),
]

# -- settings --------------------------------------------------------------------------------

REGION_TIMEZONES = {"americas": "America/Los_Angeles", "apac": "Asia/Singapore",
                    "emea": "Europe/London"}

SETTINGS = [
    Setting("bittitan.support_email", "",
            "BitTitan support's address the desk's tickets go to by e-mail (case send --mail).",
            kind="email", rule="BT-FORM-1"),
    Setting("bittitan.imminent_cutover_days", 3,
            "A cutover this many days away or nearer (or already passed) is imminent: the case "
            "goes to customer support whatever kind was picked.", kind="number", rule="BT-ROUTE-2"),
    *[
        Setting(f"bittitan.tz_{region}", tz,
                f"Time zone of the {region} support region: customer success's Monday–Friday "
                "09:00–17:00 calendar and the engineers' working week.", kind="timezone",
                rule="BT-SLA-1")
        for region, tz in REGION_TIMEZONES.items()
    ],
    Setting("bittitan.first_warning_hours", 24,
            "Hours after BitTitan set its ticket pending when its first warning e-mail to the "
            "ticket's address is expected.", kind="number", rule="BT-PENDING-1"),
    Setting("bittitan.second_warning_hours", 48,
            "Hours after BitTitan set its ticket pending when its second warning e-mail is "
            "expected (it closes the ticket at 72 hours).", kind="number", rule="BT-PENDING-1"),
]


def declaration() -> VendorProgram:
    """The declaration answered by ``workbench_vendor``."""
    return VendorProgram(
        id=VENDOR,
        name="BitTitan MigrationWiz",
        version=VERSION,
        rules=RULES,
        products=[*LICENCES, *CONSULTING],
        case_kinds=CASE_KINDS,
        settings=SETTINGS,
        description="MigrationWiz tickets: guidance vs problem routing, customer support's 24 h "
                    "answer, the support ladder, BitTitan's 72 hours on a pending ticket, "
                    "closure, onboarding.",
        support_products=LICENCES,
        consulting_products=CONSULTING,
        products_rule="BT-ONBOARD-1",
        reply_milestones={"pending": "BitTitan asks for feedback, details or confirmation and sets "
                          "its ticket pending: the desk has 72 hours to answer (BT-PENDING-1)"},
        contract_attributes=[
            Field("case_id", "The case the advisor hour is booked for", "text", rule="BT-ONBOARD-2",
                  when={"product": ADVISOR_HOUR},
                  help="A BitTitan guidance case of the same customer (e.g. C-3); never a support "
                  "question (BT-ONBOARD-2)."),
        ],
    )


def region_timezone(desk: DeskReader, region: str) -> str:
    """The time zone of a support region (BT-SLA-1 setting); the americas one if unknown."""
    return str(desk.setting(f"bittitan.tz_{region if region in REGIONS else REGIONS[0]}"))


MAIL_DOMAINS = ("bittitan.com", "migrationwiz.com")
"""Where BitTitan's support answers from: the senders the desk puts on its safe-sender list
(BT-SAFE-1); a reply from them is BitTitan's answer on its ticket."""
