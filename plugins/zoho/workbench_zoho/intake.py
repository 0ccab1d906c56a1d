"""The request form (ZOHO-FORM-1) and what is checked on its answers when a case is saved:
support access (ZOHO-FORM-1), description length (ZOHO-FORM-2) and severity (ZOHO-SEV-1).
Free mail (ZOHO-EMAIL-1) and the account owner's consent (ZOHO-CONSENT-1) are checks before
the case is sent: see :mod:`workbench_zoho.sending`."""

from __future__ import annotations

from workbench.model import Case, Field, Finding
from workbench_zoho.program import PRODUCTS, REQUEST_TYPES, SUPPORT_PRODUCTS

CATEGORIES: dict[str, str] = {
    "downtime": "a Zoho service is down",
    "outage": "an outage of a Zoho service or feature",
    "sign-in": "users cannot sign in",
    "data-integrity": "data lost, corrupted or inconsistent",
    "slowness": "a Zoho service is severely slow",
    "malfunction": "a function fails, returns wrong results or performs below the documentation",
    "integration": "an API / script integration, custom function or migration fails inside Zoho",
    "how-to": "how to do something: functions, scripts, configuration, integrations",
    "feature-request": "a new feature or an enhancement",
    "product-limitation": "the product does not do this by design",
}
"""What a technical-support request is about; it decides 24x7 (ZOHO-SLA-2) and the SLA at all."""

CRITICAL_CATEGORIES = ("downtime", "outage", "sign-in")
"""The categories Zoho works weekends for, at severity 1 (ZOHO-SLA-2)."""

OUTSIDE_SLA = ("feature-request", "product-limitation")
"""Categories outside Zoho's SLA (ZOHO-SEV-1): no vendor deadlines."""

SEVERITY_1_CATEGORIES = ("downtime", "outage", "sign-in", "data-integrity")
"""Categories that ZOHO-SEV-1 names as critical business impact."""

BUSINESS_RISKS: dict[str, str] = {
    "none": "none recorded",
    "production-impact": "clear production impact: the customer's production use is hurt now",
    "critical-isolation-delay": "a critical issue with high business impact is taking too long "
    "to isolate",
    "prolonged-outage": "a prolonged outage exceeds, or threatens to exceed, the commitment",
    "recurring-incidents": "frequently recurring or multiple related high-priority incidents",
    "security-breach": "a security breach with reputational damage or possible data loss",
}
"""Production impact / major business risk: escalation is recommended, and allowed at any
time (ZOHO-ESC-1); the last four are the page's examples."""

CHANNELS: dict[str, str] = {
    "partner-support-help": "the partner-support help (portal / widget / e-mail): how requests "
    "are sent and tracked",
    "e-mail": "e-mail to partner support",
    "web-chat": "web chat",
    "toll-free-phone": "toll-free phone",
    "cliq": "Zoho Cliq",
    "other": "another channel",
}
"""Where a request to Zoho was made or followed up (ZOHO-CHAN-1)."""

UNTRACKED_CHANNELS = ("cliq", "other")
"""Channels Zoho's page says not to use: requests there are not tracked against the SLA."""

ACCOUNT_CHANGES = ("none", "account-dispute", "admin-change")

SEVERITY_HELP = (
    "1 = critical business impact: all users affected, the system or account unusable, data "
    "integrity, service downtime or severe slowness. 2 = moderate: a function returns wrong "
    "results or performs below the documentation, but the service works. 3 = minimal: a how-to "
    "answerable from Zoho's docs or product expertise (functions, scripts, configuration, "
    "integrations), or other functions work around it. Feature requests and product limitations "
    "are outside the SLA whatever the severity: choose that category."
)

DESCRIPTION_RANGE = (150, 200)

REPRODUCIBLE = {"reproducible": True}


def case_fields() -> list[Field]:
    """The intake form, in the order of Zoho's request template (ZOHO-FORM-1)."""
    return [
        Field("customer_email", "Customer e-mail", "email", required=True, rule="ZOHO-FORM-1",
              help="The address Zoho refers to the request by: a registered-domain address, never "
              "free mail (ZOHO-EMAIL-1)."),
        Field("request_type", "Request type", "choice", required=True, choices=REQUEST_TYPES,
              rule="ZOHO-FORM-1", help="The request type of Zoho's partner-support form."),
        Field("category", "What it is about", "choice", required=True, choices=list(CATEGORIES),
              rule="ZOHO-SEV-1", when={"request_type": "technical-support"},
              help="; ".join(f"{k}: {v}" for k, v in CATEGORIES.items())
              + ". Severity-1 downtime, outage and sign-in cases run 24x7 (ZOHO-SLA-2); feature "
              "requests and product limitations are outside the SLA."),
        Field("severity", "Severity", "choice", required=True, choices=["1", "2", "3"],
              rule="ZOHO-SEV-1", help=SEVERITY_HELP),
        Field("zoho_product", "Zoho product", "choice", required=True, choices=SUPPORT_PRODUCTS,
              rule="ZOHO-FORM-1",
              help="; ".join(f"{k}: {PRODUCTS[k]}" for k in SUPPORT_PRODUCTS) + "."),
        Field("reproducible", "Can the problem be reproduced?", "bool", required=True,
              rule="ZOHO-FORM-1", help="If yes, Zoho needs the user ID, the super-admin e-mail, "
              "the customisations involved, when it happened, and support access enabled."),
        Field("user_id", "User ID", "text", required=True, when=REPRODUCIBLE, rule="ZOHO-FORM-1",
              help="The Zoho user ID the problem reproduces with."),
        Field("super_admin_email", "Super-admin e-mail", "email", required=True, when=REPRODUCIBLE,
              rule="ZOHO-FORM-1", help="The super-admin of the customer's Zoho account."),
        Field("customisations", "Customisation names (workflows / functions)", "list",
              required=True, when=REPRODUCIBLE, rule="ZOHO-FORM-1",
              help="Workflow rules, custom functions, scripts involved (comma-separated); "
              "write 'none' when none is."),
        Field("occurred_at", "Date and time of the occurrence", "datetime", required=True,
              when=REPRODUCIBLE, rule="ZOHO-FORM-1"),
        Field("support_access", "Support access enabled in the product", "bool", required=True,
              when=REPRODUCIBLE, rule="ZOHO-FORM-1",
              help="Enable support access in the Zoho product before sending."),
        Field("description", "Description of the problem / question", "longtext", required=True,
              rule="ZOHO-FORM-1", help="150 to 200 characters (ZOHO-FORM-2)."),
        Field("troubleshooting", "Troubleshooting steps taken", "longtext", required=True,
              rule="ZOHO-FORM-1", help="The first-level support and basic debugging the desk "
              "did (ZOHO-FIRST-1)."),
        Field("attachments", "Screenshots / screen recordings (file paths)", "list",
              rule="ZOHO-FORM-1", help="Attached to the e-mail when the request is sent."),
        Field("business_risk", "Production impact / major business risk", "choice",
              choices=list(BUSINESS_RISKS), default="none", rule="ZOHO-ESC-1",
              help="Any of these makes escalation recommended and allows it at any time (a "
              "severity-1 downtime, outage or sign-in case counts as production impact by "
              "itself): "
              + "; ".join(f"{k}: {v}" for k, v in BUSINESS_RISKS.items() if k != "none") + "."),
        Field("dissatisfaction", "Not satisfied with Zoho's service level or timeliness: why",
              "longtext", rule="ZOHO-ESC-1",
              help="After working through Zoho's standard process, the desk may escalate at any "
              "time when it is not satisfied with the level or timeliness of the service: record "
              "why here."),
        Field("channel", "Channel toward Zoho", "choice", choices=list(CHANNELS),
              default="partner-support-help", rule="ZOHO-CHAN-1",
              help="; ".join(f"{k}: {v}" for k, v in CHANNELS.items())
              + ". Requests go through the partner-support help; Cliq and other channels are "
              "not used (a warning)."),
        Field("account_change", "Account dispute or administrator change", "choice",
              choices=list(ACCOUNT_CHANGES), default="none", rule="ZOHO-CONSENT-1",
              help="Either needs the account owner's e-mail consent recorded before sending."),
        Field("consent_from", "Account owner's consent: sent from", "email",
              rule="ZOHO-CONSENT-1", help="The account owner's address the consent e-mail came "
              "from (account disputes and administrator changes)."),
        Field("consent_received", "Account owner's consent: received on", "date",
              rule="ZOHO-CONSENT-1", help="The date the consent e-mail arrived (YYYY-MM-DD)."),
    ]


def category(case: Case) -> str | None:
    """The technical category, or ``None`` for a non-technical request."""
    if case.fields.get("request_type") != "technical-support":
        return None
    return case.fields.get("category")


def outside_sla(case: Case) -> bool:
    """Feature requests and product limitations are outside Zoho's SLA (ZOHO-SEV-1)."""
    return category(case) in OUTSIDE_SLA


def severity(case: Case) -> str | None:
    """The severity shown on the queue (ZOHO-SEV-1), marked when outside the SLA."""
    chosen = case.fields.get("severity")
    if not chosen:
        return None
    return f"{chosen} (outside SLA)" if outside_sla(case) else chosen


def form_findings(case: Case) -> list[Finding]:
    """Checks of the form's answers when the case is saved."""
    return [*_reproduction(case), *_description(case), *_severity(case)]


def _reproduction(case: Case) -> list[Finding]:
    """ZOHO-FORM-1: a reproducible problem needs support access enabled in the product."""
    if case.fields.get("reproducible") is True and case.fields.get("support_access") is False:
        return [Finding("error", "ZOHO-FORM-1",
                        "the problem reproduces, so Zoho needs support access enabled in the "
                        "product before the request is sent", "support_access")]
    return []


def _description(case: Case) -> list[Finding]:
    """ZOHO-FORM-2: 150 to 200 characters, a warning outside (never a refusal)."""
    text = str(case.fields.get("description") or "").strip()
    low, high = DESCRIPTION_RANGE
    if not text or low <= len(text) <= high:
        return []
    side = "short" if len(text) < low else "long"
    return [Finding("warning", "ZOHO-FORM-2",
                    f"the description is {len(text)} characters, too {side}: Zoho's form asks "
                    f"for {low} to {high}", "description")]


def _severity(case: Case) -> list[Finding]:
    """ZOHO-SEV-1: the severity fits the category; outside-SLA requests say so."""
    chosen, about = case.fields.get("severity"), category(case)
    if about in OUTSIDE_SLA:
        what = "a feature request" if about == "feature-request" else "a product limitation"
        return [Finding("info", "ZOHO-SEV-1",
                        f"{what} is outside Zoho's SLA: no acknowledgement or identification "
                        "deadline runs and the case cannot be escalated on a passed deadline; Zoho "
                        "hands it to its product team. Tell the customer what to expect.",
                        "category")]
    if about in SEVERITY_1_CATEGORIES and chosen != "1":
        return [Finding("warning", "ZOHO-SEV-1",
                        f"a {about} problem is critical business impact, severity 1; severity "
                        f"{chosen} gives Zoho longer to acknowledge", "severity")]
    if about == "how-to" and chosen != "3":
        return [Finding("warning", "ZOHO-SEV-1",
                        f"a how-to question is minimal business impact, severity 3; severity "
                        f"{chosen} is for a service that fails or misbehaves", "severity")]
    return []
