"""Demo records of the Zoho program, made through the desk's own methods at times relative
to the desk clock, so every rule runs and deadlines are ok, at risk, breached and met."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from workbench import DemoDesk
from workbench_zoho.program import CUSTOMER_REGION, PARTNER_CONTRACT, SUPER_ADMIN, VENDOR

SENDER = "zoho-desk@reseller-demo.co.jp"
CUSTOMER_SINCE = timedelta(days=400)
"""Demo customers are created this long before the desk clock, before any of their records."""


def demo_customer(desk: DemoDesk, name: str, attributes: dict[str, Any], **values: Any
                  ) -> tuple[Any, str]:
    """The customer called ``name`` and what the demo did: ``"new"``, ``"updated"`` or
    ``"reused"``. A real desk has one customer with contracts of several vendors, so a customer
    another vendor's demo already made is reused, and only what Zoho needs and the customer lacks
    is filled in: an empty field, or a Zoho attribute it does not hold (ZOHO-PRIO-1)."""
    wanted = name.strip().casefold()
    existing = next((c for c in desk.customers() if c.name.strip().casefold() == wanted), None)
    if existing is None:
        with desk.at(desk.now() - CUSTOMER_SINCE):
            return desk.add_customer(name, attributes=attributes, **values), "new"
    missing = {key: value for key, value in values.items() if value and not getattr(existing, key)}
    lacking = {key: value for key, value in attributes.items() if not existing.attributes.get(key)}
    if lacking:
        missing["attributes"] = {**existing.attributes, **lacking}
    if not missing:
        return existing, "reused"
    return desk.update_customer(existing.id, **missing), "updated"


def _form(email: str, request_type: str, severity: str, product: str, description: str,
          troubleshooting: str, **extra: Any) -> dict[str, Any]:
    """Form answers; a technical request gives ``category`` in ``extra``."""
    return {"customer_email": email, "request_type": request_type, "severity": severity,
            "zoho_product": product, "reproducible": "no", "description": description,
            "troubleshooting": troubleshooting, **extra}


def _reproduction(user_id: str, admin: str, customisations: str, occurred: datetime) -> dict:
    return {"reproducible": "yes", "user_id": user_id, "super_admin_email": admin,
            "customisations": customisations, "occurred_at": occurred.isoformat(),
            "support_access": "yes"}


def fill(desk: DemoDesk) -> list[str]:
    """Customers, contracts of every Zoho product and cases in every state.

    ``desk`` is the :class:`workbench.desk.Desk` (the demo writes through its methods).
    """
    now, today = desk.now(), desk.today()

    def ago(hours: float = 0, days: float = 0) -> datetime:
        return now - timedelta(hours=hours, days=days)

    lines = []
    if not desk.setting("zoho.sender_email"):
        desk.set_setting("zoho.sender_email", SENDER)
        lines.append(f"zoho: desk sender address {SENDER} (ZOHO-EMAIL-1)")
    if not desk.setting(PARTNER_CONTRACT):
        until = (today + timedelta(days=240)).isoformat()
        desk.set_setting(PARTNER_CONTRACT, until)
        lines.append(f"zoho: the desk's support-service contract with Zoho runs until {until} "
                     "(ZOHO-ESC-1)")

    customers = {}
    for key, name, values in (
        ("sakura", "株式会社さくら物流", dict(
            email="it@sakura-logi.co.jp", domain="sakura-logi.co.jp", users=120,
            attributes={CUSTOMER_REGION: "apac-japan", SUPER_ADMIN: "admin@sakura-logi.co.jp"})),
        ("northwind", "Northwind Traders", dict(
            email="it@northwind.example.com", domain="northwind.example.com", users=70,
            attributes={CUSTOMER_REGION: "usa"})),
        ("midori", "有限会社みどり設計", dict(
            email="info@midori-sekkei.jp", domain="midori-sekkei.jp", users=12,
            attributes={CUSTOMER_REGION: "apac-japan", SUPER_ADMIN: "owner@midori-sekkei.jp"})),
        ("fabrikam", "Fabrikam Pty Ltd", dict(
            email="ops@fabrikam.com.au", domain="fabrikam.com.au", users=49,
            attributes={CUSTOMER_REGION: "anz"})),
    ):
        customers[key] = demo_customer(desk, name, **values)
    sakura, northwind = customers["sakura"][0], customers["northwind"][0]
    midori, fabrikam = customers["midori"][0], customers["fabrikam"][0]
    for key, why in (("sakura", "priority support claimable"),
                     ("northwind", "eligible by count, super-admin e-mail missing"),
                     ("midori", "below the threshold"), ("fabrikam", "trial only, one user short")):
        customer, how = customers[key]
        made = "" if how == "new" else f"{how}: already on the desk, "
        lines.append(f"zoho: customer {customer.id} {customer.name} ({made}{why}, ZOHO-PRIO-1)")

    start, end = today - timedelta(days=200), today + timedelta(days=165)
    for customer, product, users, price, currency in (
        (sakura, "zoho-one", 120, 5_400_000, "JPY"), (sakura, "people", 120, 540_000, "JPY"),
        (sakura, "analytics", 10, 360_000, "JPY"), (northwind, "crm", 70, 33_600, "USD"),
        (northwind, "desk", 15, 6_300, "USD"), (northwind, "creator", 5, 2_400, "USD"),
        (midori, "books", 3, 72_000, "JPY"), (midori, "workplace", 12, 86_400, "JPY"),
        (midori, "projects", 12, 86_400, "JPY"),
    ):
        contract = desk.add_contract(customer.id, VENDOR, product, start, end, users, price, currency)
        lines.append(f"zoho: contract {contract.id} {product} for {customer.name}")
    trial = desk.add_contract(fabrikam.id, VENDOR, "trial", today - timedelta(days=20),
                              today + timedelta(days=10), 49, 0, "AUD", {"trial_of": "crm"})
    lines.append(f"zoho: contract {trial.id} trial (Zoho CRM) for {fabrikam.name}: no support")

    def case(when: datetime, customer: Any, subject: str, fields: dict[str, Any]) -> str:
        with desk.at(when):
            return desk.open_case(VENDOR, customer.id, subject, fields).id

    def act(when: datetime, method: str, key: str, *args: Any, **kwargs: Any) -> None:
        with desk.at(when):
            getattr(desk, method)(key, *args, **kwargs)

    sakura_mail, northwind_mail = "it@sakura-logi.co.jp", "it@northwind.example.com"
    midori_mail = "info@midori-sekkei.jp"

    signin = case(ago(3), sakura, "全ドライバーが Zoho One にサインインできない", _form(
        sakura_mail, "technical-support", "1", "zoho-one",
        "Since 07:10 JST none of our 120 drivers can sign in to Zoho One: the SAML login page "
        "returns 'invalid assertion'. Admin accounts with password login still work fine.",
        "Checked SAML certificate expiry and clock skew on our IdP, cleared caches, tried three "
        "browsers.", category="sign-in",
        **_reproduction("driver.tanaka", "admin@sakura-logi.co.jp", "none", ago(3.5))))
    act(ago(2.9), "note", signin, "We are on it and have raised it with Zoho.", to_customer=True)
    act(ago(2.5), "send_to_vendor", signin, "sent via partner support help widget")
    lines.append(f"zoho: case {signin} severity-1 sign-in on 24x7, acknowledgement at risk")

    workflow = case(ago(days=10), sakura, "CRM workflow rule stops updating delivery status",
                    _form(sakura_mail, "technical-support", "2", "zoho-one",
                          "The workflow rule 'Delivery status sync' stopped updating the Deals "
                          "stage after the last release; the custom function returns success "
                          "but the field keeps its old value.",
                          "Re-ran the function by hand, checked the execution log and field "
                          "permissions.", category="malfunction",
                          **_reproduction("ops.kimura", "admin@sakura-logi.co.jp",
                                          "Delivery status sync, fn_update_stage", ago(days=10.5))))
    act(ago(days=10) + timedelta(hours=1), "send_to_vendor", workflow)
    act(ago(days=10) + timedelta(hours=2), "note", workflow, "Raised with Zoho partner support.",
        to_customer=True)
    act(ago(days=5), "escalate", workflow, "technical",
        "no acknowledgement after five days", "Arun (Zoho partner-support escalation desk)")
    lines.append(f"zoho: case {workflow} severity-2 unanswered, breached and escalated (ZOHO-ESC-1)")

    howto = case(ago(2), northwind, "How to call an external REST API from Deluge", _form(
        northwind_mail, "technical-support", "3", "crm",
        "We need to call our ERP's REST API from a Deluge custom function when a deal closes, "
        "passing an OAuth token kept in a connection. Which Deluge task should we use for this?",
        "Read the Deluge invokeurl documentation and the connections help page.",
        category="how-to"))
    lines.append(f"zoho: case {howto} how-to at first level, not sent (ZOHO-FIRST-1)")

    webhook = case(ago(days=4), northwind, "Desk webhook to CRM fails with 401", _form(
        northwind_mail, "technical-support", "2", "desk",
        "The Zoho Desk webhook that creates CRM tasks fails with HTTP 401 since Monday; the "
        "connection was re-authorised but each ticket update still logs an authentication error.",
        "Re-authorised the connection, checked the OAuth scopes, replayed one webhook by hand.",
        category="integration",
        **_reproduction("helpdesk.api", "it@northwind.example.com", "ticket_to_task webhook",
                        ago(days=4.2))))
    act(ago(days=4) + timedelta(hours=2), "send_to_vendor", webhook)
    act(ago(days=3), "vendor_reply", webhook, "Zoho asks for the webhook payload")
    act(ago(days=2), "pending", webhook, "asked the customer for a payload sample")
    lines.append(f"zoho: case {webhook} acknowledged, pending on the customer")

    feature = case(ago(days=6), northwind, "Bulk-merge duplicate contacts in Desk", _form(
        northwind_mail, "technical-support", "3", "desk",
        "Agents ask for a bulk merge of duplicate contacts in Zoho Desk: today contacts can only "
        "be merged two at a time, which takes hours after each import from our web shop.",
        "Confirmed in the Desk help pages that merging is pairwise only.",
        category="feature-request"))
    act(ago(days=6) + timedelta(hours=1), "send_to_vendor", feature)
    act(ago(days=5), "vendor_reply", feature, "logged with the product team")
    act(ago(days=1), "resolve", feature, "customer told it is a feature request")
    lines.append(f"zoho: case {feature} feature request outside the SLA, resolved (ZOHO-SEV-1)")

    tax = case(ago(days=20), midori, "Books: two consumption tax rates on one invoice", _form(
        midori_mail, "technical-support", "3", "books",
        "How do we set up the reduced 8% and standard 10% consumption tax rates on one invoice "
        "in Zoho Books, so that qualified invoice numbers print on every PDF we send to clients?",
        "Read the Japan tax help page; our test invoice shows only one rate.",
        category="how-to"))
    act(ago(days=20) + timedelta(hours=1), "send_to_vendor", tax)
    act(ago(days=20) + timedelta(hours=2), "note", tax, "Asked Zoho for the exact steps.",
        to_customer=True)
    act(ago(days=19), "vendor_reply", tax, "steps for a tax group")
    act(ago(days=18), "close", tax, "resolved", "tax group configured")
    lines.append(f"zoho: case {tax} how-to answered by Zoho, closed (counts for ZOHO-HOWTO-1)")

    renewal = case(ago(days=1), midori, "Books renewal invoice shows the wrong plan", _form(
        midori_mail, "payment-renewal", "3", "books",
        "The renewal invoice for Zoho Books lists the Premium plan, but the customer renews on "
        "the Standard plan with three users; please correct the plan before the payment is due.",
        "Checked the subscription page in the partner store: Standard with three users."))
    act(ago(days=1) + timedelta(minutes=30), "send_to_vendor", renewal)
    lines.append(f"zoho: case {renewal} payment-renewal request waiting on Zoho")

    extension = case(ago(5), fabrikam, "Extend the Zoho CRM trial by 15 days", _form(
        "ops@fabrikam.com.au", "trial-extension", "3", "crm",
        "Fabrikam is evaluating Zoho CRM for 49 users and needs 15 more days of trial to finish "
        "the pipeline import; the trial ends in ten days. Please extend it before it lapses.",
        "Confirmed the trial end date in the customer's admin console."))
    lines.append(f"zoho: case {extension} trial extension without a support contract (self-service)")

    admin = case(ago(days=3), sakura, "Change the Zoho People super-admin", _form(
        sakura_mail, "product-management", "2", "people",
        "The current super-admin left the company; the account owner asks to move the Zoho "
        "People super-admin role to admin@sakura-logi.co.jp. Consent e-mail is attached.",
        "Confirmed the new admin's user is active; the old admin cannot sign in any more.",
        account_change="admin-change", consent_from="admin@sakura-logi.co.jp",
        consent_received=(today - timedelta(days=3)).isoformat()))
    act(ago(days=3) + timedelta(hours=1), "send_to_vendor", admin)
    act(ago(days=2), "vendor_reply", admin, "role moved")
    act(ago(days=1), "resolve", admin, "customer confirmed the new super-admin")
    lines.append(f"zoho: case {admin} administrator change with consent, resolved (ZOHO-CONSENT-1)")

    dispute = case(ago(days=1), midori, "Workplace account held by a former contractor", _form(
        midori_mail, "product-management", "2", "workplace",
        "A former IT contractor registered the Zoho Workplace account under his own e-mail and no "
        "longer answers; the owner asks Zoho to move account ownership to owner@midori-sekkei.jp.",
        "Confirmed in the admin console that the contractor's address is the account owner.",
        account_change="account-dispute"))
    act(ago(days=1) + timedelta(hours=1), "note", dispute,
        "Please send us the account owner's consent e-mail; we forward the request to Zoho then.",
        to_customer=True)
    lines.append(f"zoho: case {dispute} account dispute saved, not sent until the owner's consent "
                 "is recorded (ZOHO-CONSENT-1)")

    outage = case(ago(6), northwind, "Zoho CRM outage: deals cannot be saved", _form(
        northwind_mail, "technical-support", "1", "crm",
        "Since 06:00 ET saving any deal in Zoho CRM returns 'Internal error' for all 70 users; "
        "sales cannot record orders. The Zoho status page shows no incident for our data centre.",
        "Tried several users, browsers and the mobile app; API inserts fail with code 500 too.",
        category="outage", business_risk="prolonged-outage",
        **_reproduction("sales.lee", "it@northwind.example.com", "none", ago(6.5))))
    act(ago(5.9), "send_to_vendor", outage)
    act(ago(5.5), "vendor_reply", outage, "investigating")
    act(ago(5.4), "send_to_vendor", outage, "sales blocked")
    act(ago(5), "escalate", outage, "technical", "sales blocked for all users",
        "Ravi (Zoho partner-support escalation desk)")
    act(ago(3), "escalate", outage, "technical", "outage continues",
        "Zoho regional partner-support lead (USA)")
    lines.append(f"zoho: case {outage} severity-1 outage with business risk, escalated to level 2")

    limitation = case(ago(days=12), midori, "Workplace: shared mailbox above 50 members", _form(
        midori_mail, "technical-support", "3", "workplace",
        "The customer wants one shared mailbox in Zoho Workplace for 60 members, but the admin "
        "console stops at 50. Is there a way around the limit, or is it a limit of the plan?",
        "Checked the plan comparison page and the admin console help.",
        category="product-limitation"))
    act(ago(days=12) + timedelta(hours=1), "send_to_vendor", limitation)
    act(ago(days=10), "vendor_reply", limitation, "a limit of the plan")
    act(ago(days=8), "close", limitation, "product-limitation", "customer told")
    lines.append(f"zoho: case {limitation} product limitation, closed (ZOHO-SEV-1)")

    dashboard = case(ago(days=2), sakura, "Analytics: share a dashboard with drivers", _form(
        sakura_mail, "technical-support", "3", "analytics",
        "How can we share one Zoho Analytics dashboard with 100 drivers as view-only users "
        "without giving them access to the underlying tables or the other reports in workspace?",
        "Found the answer in the Analytics sharing help page.", category="how-to"))
    act(ago(days=2) + timedelta(hours=1), "note", dashboard,
        "Share it as a view-only dashboard: steps attached.", to_customer=True)
    act(ago(days=1), "close", dashboard, "answered-at-first-level", "answered from the docs")
    lines.append(f"zoho: case {dashboard} answered at first level, closed (ZOHO-FIRST-1)")
    return lines
