"""Demo records of the WebEx program, made through the desk's own methods at dates relative to
the desk clock: customers, a contract of every licence model, cases in every state, and orders
and renewals at every stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from workbench import DemoDesk
from workbench.model import Contract, Customer
from workbench_webex import sweep, workflows
from workbench_webex.program import ACTIVE_HOST, NAMED_HOST, PORT, VENDOR


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    domain: str
    site: str
    contact: tuple[str, str]
    admin: tuple[str, str]
    prefecture: str
    city: str
    postal_code: str
    employees: int


SAKURA = DemoCustomer("株式会社さくら物流", "sakura-logi.co.jp", "sakura-logi.webex.com", ("Haruto", "Sato"),
                      ("Yui", "Suzuki"), "Tokyo", "Minato-ku", "107-0052", 420)
NORTHWIND = DemoCustomer("Northwind Traders", "northwind.example.com", "northwind.webex.com",
                         ("Nancy", "Davolio"), ("Andrew", "Fuller"), "Osaka", "Kita-ku", "530-0001", 180)
MINATO = DemoCustomer("合同会社みなと設計", "minato-sekkei.jp", "minato-sekkei.webex.com",
                      ("Ren", "Takahashi"), ("Aoi", "Ito"), "Kanagawa", "Yokohama", "220-0012", 35)
CONTOSO = DemoCustomer("Contoso Japan KK", "contoso.co.jp", "contoso-jp.webex.com", ("Emi", "Yamada"),
                       ("Kenji", "Watanabe"), "Tokyo", "Chiyoda-ku", "100-0005", 950)
FABRIKAM = DemoCustomer("ファブリカム株式会社", "fabrikam.co.jp", "fabrikam.webex.com", ("Sota", "Kobayashi"),
                        ("Mio", "Kato"), "Aichi", "Nagoya", "450-0002", 260)

CUSTOMER_SINCE = timedelta(days=400)
"""Demo customers are created this long before the desk clock, before their oldest contract."""

PARTNER = {"partner_company": "Demo desk KK", "partner_first_name": "Taro", "partner_last_name": "Desk",
           "partner_email": "webex-orders@desk.example.jp"}


def provisioning_form(who: DemoCustomer, named_users: list[int], renewal: bool = False) -> dict[str, Any]:
    """A filled hearing sheet for ``who`` (WX-PROV-1)."""
    return {
        "existing_customer": renewal,
        "end_customer_company": who.name,
        "end_customer_first_name": who.contact[0], "end_customer_last_name": who.contact[1],
        "end_customer_phone": "03-5555-0100", "end_customer_email": f"it@{who.domain}",
        "end_customer_employees": who.employees, "end_customer_website": f"https://www.{who.domain}",
        "hq_address1": "1-2-3 " + who.city, "city": who.city, "country": "Japan", "state": who.prefecture,
        "postal_code": who.postal_code, **PARTNER,
        "admin_email": f"{who.admin[0].lower()}.{who.admin[1].lower()}@{who.domain}",
        "admin_first_name": who.admin[0], "admin_last_name": who.admin[1], "admin_phone": "090-5555-0101",
        "sites": len(named_users) or 1, "primary_site_url": who.site,
        "named_users": [str(n) for n in named_users], "primary_language": "Japanese",
        "additional_languages": ["English"], "timezone": "Asia/Tokyo",
    }


def graduation_form(who: DemoCustomer) -> dict[str, Any]:
    """A filled graduation form for ``who`` (WX-GRAD-1)."""
    return {
        "pm_first_name": "Taro", "pm_last_name": "Desk", "pm_email": PARTNER["partner_email"],
        "partner_name": PARTNER["partner_company"], "customer_name": who.name, "webex_url": who.site,
        "term_years": 1, "site_admin": f"{who.admin[0]} {who.admin[1]}", "checklist_done": True,
        "customer_using": True, "requirements_met": True, "renewal_contact": "Taro Desk",
        "main_customer_contact": f"{who.contact[0]} {who.contact[1]}", "outstanding_issues": "None",
        "next_steps": "Quarterly usage review", "upsell": False, "copy_wanted": True,
        "copy_email": PARTNER["partner_email"],
    }


def demo_customer(desk: DemoDesk, name: str, **values: Any) -> tuple[Customer, str]:
    """The customer called ``name`` and what the demo did: ``"new"``, ``"updated"`` or
    ``"reused"``. A real desk has one customer with contracts of several vendors, so a customer
    another vendor's demo already made is reused, and only the fields it lacks are filled in."""
    wanted = name.strip().casefold()
    existing = next((c for c in desk.customers() if c.name.strip().casefold() == wanted), None)
    if existing is None:
        with desk.at(desk.now() - CUSTOMER_SINCE):
            return desk.add_customer(name, **values), "new"
    missing = {key: value for key, value in values.items() if value and not getattr(existing, key)}
    if not missing:
        return existing, "reused"
    return desk.update_customer(existing.id, **missing), "updated"


def fill(desk: DemoDesk) -> list[str]:
    """Create the WebEx demo records at the desk clock; one line per thing created."""
    now: datetime = desk.now()
    today = desk.today()
    lines: list[str] = []

    def ago(days: float = 0, hours: float = 0) -> datetime:
        return now - timedelta(days=days, hours=hours)

    def customer(who: DemoCustomer, users: int) -> Customer:
        made, how = demo_customer(desk, who.name, email=f"it@{who.domain}", domain=who.domain,
                                  users=users)
        lines.append(f"webex: customer {made.id} {made.name}"
                     + ("" if how == "new" else f" ({how}: already on the desk)"))
        return made

    def contract(owner: Customer, product: str, start_days_ago: int, quantity: int,
                 audio_commit: bool = False) -> Contract:
        start = today - timedelta(days=start_days_ago)
        with desk.at(ago(start_days_ago + 30)):
            made = desk.add_contract(owner.id, VENDOR, product, start, _year_after(start),
                                     quantity=quantity, list_price=quantity * 24_000,
                                     attributes={"audio_commit": audio_commit})
        lines.append(f"webex: contract {made.id} {product} ×{quantity} for {owner.name}, renews {made.end}"
                     + (" (audio commit plan)" if audio_commit else ""))
        return made

    sakura = customer(SAKURA, 120)
    northwind = customer(NORTHWIND, 70)
    minato = customer(MINATO, 35)
    contoso = customer(CONTOSO, 950)
    fabrikam = customer(FABRIKAM, 260)

    sakura_k = contract(sakura, NAMED_HOST, 325, 50, audio_commit=True)
    northwind_k = contract(northwind, PORT, 3, 20)
    minato_k = contract(minato, ACTIVE_HOST, 12, 10)
    contoso_k = contract(contoso, NAMED_HOST, 20, 100)
    fabrikam_k = contract(fabrikam, ACTIVE_HOST, 355, 25)

    def order(kind: str, owned: Contract, opened: datetime, key: str = "") -> str:
        with desk.at(opened):
            made = desk.open_workflow(VENDOR, kind, contract_id=owned.id,
                                      anchor=owned.end if kind == workflows.RENEWAL else None, key=key)
        return made.id

    def steps(workflow_id: str, done: list[tuple[str, datetime, dict[str, Any]]]) -> None:
        for step, at, data in done:
            with desk.at(at):
                desk.complete_step(workflow_id, step, data)

    hold = {"audio_overage_terms": True}
    first = order(workflows.NEW_ORDER, sakura_k, ago(341))
    steps(first, [  # the site-ready notice is the contract's start (WX-SITE-1)
        ("ordered", ago(341), {}), ("compliance-hold", ago(338), hold),
        ("confirmation-received", ago(337), {"so_number": "88410231"}),
        ("provisioning-submitted", ago(335), provisioning_form(SAKURA, [30, 20])),
        ("site-ready", ago(325), {}), ("graduated", ago(320), graduation_form(SAKURA)),
    ])
    lines.append(f"webex: {first} new order for {sakura.name}, graduated")

    renewal = order(workflows.RENEWAL, sakura_k, ago(20), sweep.renewal_key(sakura_k))
    steps(renewal, [("ordered", ago(15), {}), ("compliance-hold", ago(10), hold),
                    ("confirmation-received", ago(8), {"so_number": "88533017"})])
    lines.append(f"webex: {renewal} renewal for {sakura.name} (renews {sakura_k.end}), provisioning next")

    late = order(workflows.RENEWAL, fabrikam_k, ago(50), sweep.renewal_key(fabrikam_k))
    steps(late, [("ordered", ago(40), {}), ("compliance-hold", ago(36), {})])
    lines.append(f"webex: {late} renewal for {fabrikam.name} (renews {fabrikam_k.end}), provisioning late")

    on_hold = order(workflows.NEW_ORDER, northwind_k, ago(3))
    steps(on_hold, [("ordered", ago(3), {})])
    lines.append(f"webex: {on_hold} new order for {northwind.name}: on hold until the port-overage terms")

    provisioned = order(workflows.NEW_ORDER, minato_k, ago(12))
    steps(provisioned, [
        ("ordered", ago(12), {}), ("compliance-hold", ago(9), {}),
        ("confirmation-received", ago(8), {"so_number": "88560412"}),
        ("provisioning-submitted", ago(3), provisioning_form(MINATO, [])),
    ])
    lines.append(f"webex: {provisioned} new order for {minato.name}: provisioned, site-ready estimate shown")

    ready = order(workflows.NEW_ORDER, contoso_k, ago(20))
    steps(ready, [
        ("ordered", ago(20), {}), ("compliance-hold", ago(17), {}),
        ("confirmation-received", ago(16), {"so_number": "88549876"}),
        ("provisioning-submitted", ago(14), provisioning_form(CONTOSO, [100])),
        ("site-ready", ago(1), {"welcome_sent_at": ago(1, 3).isoformat()}),
    ])
    lines.append(f"webex: {ready} new order for {contoso.name}: site ready, password link running, "
                 "graduation missing")

    option = order(workflows.OPTION_REQUEST, sakura_k, ago(4))
    steps(option, [("requested", ago(4), {"request": "add-language", "language": "Korean",
                                           "details": "Add Korean for the Busan branch"})])
    lines.append(f"webex: {option} option request for {sakura.name}: add Korean")

    lines += _cases(desk, ago, {"sakura": sakura, "northwind": northwind, "minato": minato,
                                "contoso": contoso, "fabrikam": fabrikam})
    return lines


def _cases(desk: DemoDesk, ago: Callable[..., datetime], who: dict[str, Customer]) -> list[str]:
    """Twelve WebEx cases in every state, with their history."""
    sites = {"sakura": SAKURA.site, "northwind": NORTHWIND.site, "minato": MINATO.site,
             "contoso": CONTOSO.site, "fabrikam": FABRIKAM.site}
    # (customer, subject, kind, opened days ago, [(action, days ago, argument)])
    stories: list[tuple[str, str, str, float, list[tuple[str, float, str]]]] = [
        ("contoso", "Site administrator did not set the password from the Welcome e-mail", "site-access",
         0.1, []),
        ("sakura", "Meeting recordings fail to start on the Osaka site", "technical", 2,
         [("respond", 1.95, "Asked Cisco's technical line; we will update you tomorrow"),
          ("send", 1.9, "Recording fails with error 1012 since Monday")]),
        ("fabrikam", "Renewal SO# not received from Cisco", "order", 3, []),
        ("northwind", "Port-overage terms page rejects the customer's submission", "order", 1.5,
         [("send", 1.4, "Terms page returns an error on Submit")]),
        ("minato", "Audio dial-in numbers for the Yokohama office", "technical", 6,
         [("respond", 5.9, "Checking with Cisco"),
          ("send", 5.8, "Which local dial-in numbers apply?"), ("vendor-reply", 4, "List attached"),
          ("pending", 3.9, "Asked the customer which numbers to publish")]),
        ("sakura", "Webinar registration page shows an error", "technical", 9,
         [("send", 8.9, "Registration page HTTP 500"), ("vendor-reply", 7, "Fixed in the next release"),
          ("pending", 6.9, "Asked the customer to retry after the release")]),
        ("contoso", "Site administrator forgot the user name", "site-access", 4,
         [("send", 3.8, "Asked Cisco to confirm the administrator's user name")]),
        ("fabrikam", "Outlook calendar integration adds no meeting link", "technical", 12,
         [("respond", 11.95, "Received; forwarding to Cisco"),
          ("send", 11.9, "Productivity Tools add no link"), ("vendor-reply", 10, "Reinstall PT 41.x"),
          ("resolve", 9, "Reinstalled; links appear")]),
        ("sakura", "Invoice counts 55 named hosts instead of 50", "order", 8,
         [("send", 7.9, "Billing mismatch"), ("vendor-reply", 6, "Corrected on the next invoice"),
          ("resolve", 5, "Customer informed")]),
        ("minato", "Screen sharing shows a black screen on macOS", "technical", 30,
         [("send", 29.9, "Black screen when sharing"), ("vendor-reply", 28, "Grant screen recording"),
          ("resolve", 27, "Permission granted"), ("close:resolved", 20, "")]),
        ("northwind", "How to add a company logo to the site", "order", 25,
         [("resolve", 24.8, "Answered from the order guide: option request, logo change"),
          ("close:answered-from-docs", 18, "")]),
        ("contoso", "Custom session type for training sessions", "order", 40,
         [("close:withdrawn", 38, "Customer chose the standard Training Center type")]),
    ]
    lines = []
    for owner, subject, kind, opened, history in stories:
        with desk.at(ago(opened)):
            case = desk.open_case(VENDOR, who[owner].id, subject, {"kind": kind, "site_url": sites[owner]})
        for action, days, text in history:
            with desk.at(ago(days)):
                if action == "respond":
                    desk.note(case.id, text, to_customer=True)
                elif action == "send":
                    desk.send_to_vendor(case.id, text)
                elif action == "vendor-reply":
                    desk.vendor_reply(case.id, text)
                elif action == "pending":
                    desk.pending(case.id, text)
                elif action == "resolve":
                    desk.resolve(case.id, text)
                else:
                    desk.close(case.id, action.split(":", 1)[1], text)
        lines.append(f"webex: case {case.id} {desk.case(case.id).state}: {subject}")
    return lines


def _year_after(day: date) -> date:
    """The renewal date of a one-year term starting on ``day`` (WX-SITE-1: start + term)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
