"""Which path and queue a Zoho case takes (ZOHO-FIRST-1, ZOHO-FORM-1, ZOHO-SEV-1), and how
it may be closed."""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Case, CloseReason, Route
from workbench_zoho.intake import CATEGORIES, category, outside_sla
from workbench_zoho.program import VENDOR

FIRST_LEVEL = "first-level"
PARTNER_SUPPORT = "zoho-partner-support"


def route(case: Case, desk: DeskReader) -> Route | None:
    """The route of a Zoho case; ``None`` (the core's self-service answer) without an active
    Zoho support contract."""
    if not desk.has_support(case.customer_id, VENDOR):
        return None
    request_type = case.fields.get("request_type")
    if request_type != "technical-support":
        return Route("subscription-support", PARTNER_SUPPORT, "ZOHO-FORM-1",
                     f"a {request_type} request goes to Zoho partner support on its request form")
    about = category(case)
    if outside_sla(case):
        return Route("subscription-support", PARTNER_SUPPORT, "ZOHO-SEV-1",
                     f"a {about.replace('-', ' ')} goes to Zoho partner support for its product "
                     "team, outside the SLA: no vendor deadlines")
    if about == "how-to":
        return Route("self-service", FIRST_LEVEL, "ZOHO-FIRST-1",
                     "a how-to question: the desk answers it at first level from Zoho's docs and "
                     "its product expertise, and sends to Zoho only what it cannot answer "
                     "(ZOHO-HOWTO-1)")
    return Route("subscription-support", PARTNER_SUPPORT, "ZOHO-FIRST-1",
                 f"a problem inside a Zoho service ({about}: {CATEGORIES.get(about, 'unknown')}): "
                 "after the desk's first-level support and basic debugging it goes to Zoho "
                 "partner support")


CLOSE_REASONS = [
    CloseReason("resolved", "resolved by the desk or Zoho partner support", "CORE-PATH-1"),
    CloseReason("answered-at-first-level", "the desk answered at first level, without Zoho",
                "ZOHO-FIRST-1"),
    CloseReason("feature-request-forwarded",
                "a feature request handed to Zoho's product team; outside the SLA", "ZOHO-SEV-1"),
    CloseReason("product-limitation",
                "a product limitation, not a defect; the customer was told so", "ZOHO-SEV-1"),
    CloseReason("withdrawn", "the customer withdrew the request", "CORE-PATH-1"),
]
