"""Demo records of the OnTime program, dated relative to the desk clock, made through the
desk's own methods so every OnTime rule runs on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from workbench.model import Contract, Customer
from workbench_ontime.program import LICENSE, MAINTENANCE, TECHNICAL_SUPPORT, VENDOR
from workbench_ontime.renewals import TEMPLATE, add_years, next_anniversary, renewal_key

DEMO_CONTACT = "OnTime 技術窓口 (demo)"

EVIDENCE_WEEK_VIEW = {
    "platform": "hcl-notes-domino",
    "platform_version": "Domino 12.0.2 FP3",
    "isolation": "does-not-reproduce",
    "user_settings": "not-the-cause",
    "reproduction_steps": "1. Open the group 'Sales' in week view. 2. Scroll to Thursday. "
    "3. Entries of the Osaka office show as blank boxes; the Notes calendar shows them fine.",
    "browser": "Microsoft Edge",
    "browser_version": "131.0.2903.70",
    "environment_notes": "OnTime 11.3.2 on two Domino servers; 320 users; issue since the "
    "Domino fix pack of last month.",
}


def demo_customer(desk, name: str, **values) -> tuple[Customer, str]:
    """The customer called ``name`` and what the demo did: ``"new"``, ``"updated"`` or
    ``"reused"``. A real desk has one customer with contracts of several vendors, so a customer
    another vendor's demo already made is reused, and only the fields it lacks are filled in.
    A new one is created at the desk clock (the caller sets it)."""
    wanted = name.strip().casefold()
    existing = next((c for c in desk.customers() if c.name.strip().casefold() == wanted), None)
    if existing is None:
        return desk.add_customer(name, **values), "new"
    missing = {key: value for key, value in values.items() if value and not getattr(existing, key)}
    if not missing:
        return existing, "reused"
    return desk.update_customer(existing.id, **missing), "updated"


class _Demo:
    """The demo desk being filled, and the lines that describe it."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.now = desk.now()
        self.today = desk.today()
        self.lines: list[str] = []

    def at(self, days_ago: float):
        return self.desk.at(self.now - timedelta(days=days_ago))

    def licence_with_add_ons(self, customer_id: str, anniversary_in: int, list_price: int,
                  products: list[str], users: int) -> Contract:
        """A licence bought three years before an anniversary ``anniversary_in`` days away,
        with ``products`` for the current maintenance year."""
        start = add_years(self.today + timedelta(days=anniversary_in), -3)
        with self.at((self.today - start).days):
            licence = self.desk.add_contract(customer_id, VENDOR, LICENSE, start, quantity=users,
                                             list_price=list_price, attributes={"licence": "core"})
        anniversary = next_anniversary(start, self.today)
        term_start = add_years(anniversary, -1)
        with self.at((self.today - term_start).days + 14):
            for product in products:
                self.desk.add_contract(customer_id, VENDOR, product, term_start,
                                       anniversary - timedelta(days=1), quantity=users)
        self.lines.append(f"ontime: {customer_id} licence {licence.id} ({list_price:,} JPY, "
                          f"{users} users), anniversary {anniversary}, " + ", ".join(products))
        return licence

    def case(self, customer_id: str, subject: str, fields: dict, days_ago: float,
             story: Callable[[str], None] | None = None) -> None:
        with self.at(days_ago):
            case = self.desk.open_case(VENDOR, customer_id, subject, fields)
        if story:
            story(case.id)
        state = self.desk.case(case.id).state
        self.lines.append(f"ontime: case {case.id} [{state}] {subject}")

    def step(self, days_ago: float, action: Callable[[], object]) -> None:
        with self.at(days_ago):
            action()


def fill(desk) -> list[str]:
    """Three customers, contracts of every product, eleven cases in every state and
    renewal workflows (one done, one overdue, one on time)."""
    demo = _Demo(desk)
    if not str(desk.setting("ontime.technical_contact")).strip():
        desk.set_setting("ontime.technical_contact", DEMO_CONTACT)
        demo.lines.append(f"ontime: technical contact set to {DEMO_CONTACT!r} (ONTIME-PARTNER-1)")
    made = []
    with demo.at(1200):
        for name, values in (
            ("株式会社あさひ物流", dict(email="it-support@asahi-butsuryu.co.jp",
                                 domain="asahi-butsuryu.co.jp", users=320)),
            ("Tailspin Toys Japan", dict(email="helpdesk@tailspintoys.example.com",
                                   domain="tailspintoys.example.com", users=150)),
            ("北斗精機株式会社", dict(email="joho@hokuto-seiki.co.jp", domain="hokuto-seiki.co.jp",
                                users=85)),
        ):
            made.append(demo_customer(desk, name, **values))
    (asahi, _), (tailspin, _), (hokuto, _) = made
    demo.lines.append("ontime: customers " + ", ".join(
        f"{c.id} {c.name}" + ("" if how == "new" else f" ({how}: already on the desk)")
        for c, how in made))

    asahi_licence = demo.licence_with_add_ons(asahi.id, 45, 1_800_000, [MAINTENANCE, TECHNICAL_SUPPORT], 320)
    tailspin_licence = demo.licence_with_add_ons(tailspin.id, 20, 960_000, [MAINTENANCE], 150)
    hokuto_licence = demo.licence_with_add_ons(hokuto.id, 120, 600_000, [MAINTENANCE], 85)
    _renewals(demo, asahi_licence, tailspin_licence, hokuto_licence)
    _cases(demo, asahi.id, tailspin.id, hokuto.id)
    return demo.lines


def _open_renewal(demo: _Demo, licence: Contract, anniversary: date) -> str:
    """Open the renewal the sweep would have opened when the anniversary entered the window."""
    window = int(demo.desk.setting("ontime.renewal_window_days"))
    opened = max((demo.today - anniversary).days + window, 0)
    with demo.at(opened):
        workflow = demo.desk.open_workflow(
            VENDOR, TEMPLATE, contract_id=licence.id, anchor=anniversary,
            key=renewal_key(licence.id, anniversary), rule="ONTIME-RENEW-1",
            reason=f"licence {licence.id}'s anniversary {anniversary} is {window} days away",
        )
    return workflow.id


def _renewals(demo: _Demo, on_time: Contract, overdue: Contract, done: Contract) -> None:
    desk = demo.desk
    for licence in (on_time, overdue):
        anniversary = next_anniversary(licence.start, demo.today)
        key = _open_renewal(demo, licence, anniversary)
        demo.lines.append(f"ontime: renewal {key} for licence {licence.id}, anniversary {anniversary}")
    last = add_years(next_anniversary(done.start, demo.today), -1)
    key = _open_renewal(demo, done, last)
    days_before = (demo.today - last).days
    for offset, step in ((35, "notice-sent"), (20, "customer-order"), (12, "vendor-order"),
                         (2, "renewed")):
        demo.step(days_before + offset, lambda step=step: desk.complete_step(key, step))
    demo.lines.append(f"ontime: renewal {key} for licence {done.id}, anniversary {last}, done")


def _cases(demo: _Demo, asahi: str, tailspin: str, hokuto: str) -> None:
    desk = demo.desk
    m365 = {"platform": "microsoft-365-exchange-online", "platform_version": "current cloud release"}
    exchange = {"platform": "microsoft-exchange-on-premises", "platform_version": "Exchange 2019 CU14"}

    demo.case(asahi, "グループ表示で会議室の予約が表示されない",
              {"platform": "hcl-notes-domino", "kind": "unexpected-behaviour"}, 0.9)

    def escalated(case_id: str) -> None:
        demo.step(5.8, lambda: desk.note(case_id, "受付しました。切り分け結果を確認中です。",
                                         to_customer=True))
        demo.step(5.0, lambda: desk.escalate(case_id, reason="Domino 単体では再現せず"))
        demo.step(5.0, lambda: desk.send_to_vendor(case_id, "Escalated with full evidence"))

    demo.case(asahi, "OnTime の週表示で他部署の予定が空白になる", EVIDENCE_WEEK_VIEW, 6, escalated)

    def platform_fixed(case_id: str) -> None:
        demo.step(9.9, lambda: desk.note(case_id, "Checking Exchange Online sharing policy.",
                                         to_customer=True))
        demo.step(8, lambda: desk.resolve(case_id, "Sharing policy now publishes free/busy."))

    demo.case(tailspin, "Free/busy missing for shared mailboxes",
              {**m365, "isolation": "reproduces-without-ontime",
               "platform_partner": "Tailspin IT (Microsoft 365 administrators)"}, 10, platform_fixed)

    def waiting_browser(case_id: str) -> None:
        demo.step(2.9, lambda: desk.note(case_id, "Could you send the browser version?",
                                         to_customer=True))

    demo.case(tailspin, "Meeting responses not updated in OnTime",
              {**m365, "isolation": "does-not-reproduce", "user_settings": "not-the-cause",
               "browser": "Google Chrome",
               "reproduction_steps": "Accept an OnTime invitation in Outlook; OnTime still shows "
               "'needs action' after 10 minutes.", "environment_notes": "OnTime 11.3 (cloud)"},
              3, waiting_browser)

    def from_docs(case_id: str) -> None:
        demo.step(39, lambda: desk.note(case_id, "See the manual, 'Default views'.", to_customer=True))
        demo.step(38, lambda: desk.resolve(case_id))
        demo.step(30, lambda: desk.close(case_id, "answered-from-docs"))

    demo.case(tailspin, "How to set a default group view for everyone",
              {**m365, "kind": "question"}, 40, from_docs)

    def waiting_customer(case_id: str) -> None:
        demo.step(1.9, lambda: desk.note(case_id, "画面のスクリーンショットをお送りください。",
                                         to_customer=True))
        demo.step(1.9, lambda: desk.pending(case_id, "スクリーンショット待ち"))

    demo.case(hokuto, "予定の時刻が1時間ずれて表示される",
              {**exchange, "customer_can_isolate": False}, 2, waiting_customer)

    def long_wait(case_id: str) -> None:
        demo.step(21.8, lambda: desk.note(case_id, "ログを確認しています。", to_customer=True))
        demo.step(21, lambda: desk.escalate(case_id, reason="Exchange 単体では再現せず"))
        demo.step(21, lambda: desk.send_to_vendor(case_id))
        demo.step(21, lambda: desk.attach_evidence(case_id, "log", "OnTime sync log of the failure"))

    demo.case(hokuto, "OnTime クライアントが起動しない",
              {**exchange, "kind": "failure", "isolation": "does-not-reproduce",
               "user_settings": "not-the-cause",
               "reproduction_steps": "Start the OnTime client after login; it stops at 'Loading'.",
               "browser": "Microsoft Edge", "browser_version": "131.0.2903.70",
               "environment_notes": "OnTime 11.2 on Windows Server 2022; all 85 users affected."},
              22, long_wait)

    def platform_closed(case_id: str) -> None:
        demo.step(14.8, lambda: desk.note(case_id, "Domino の ACL で代理人権限を確認しました。",
                                          to_customer=True))
        demo.step(13, lambda: desk.resolve(case_id))
        demo.step(11, lambda: desk.close(case_id, "platform"))

    demo.case(asahi, "代理人が上司の予定を編集できない",
              {"platform": "hcl-notes-domino", "platform_version": "Domino 12.0.2",
               "isolation": "reproduces-without-ontime", "platform_partner": "あさひ物流 情報システム部"},
              15, platform_closed)

    def vendor_answered(case_id: str) -> None:
        demo.step(8.8, lambda: desk.note(case_id, "OnTime に問い合わせます。", to_customer=True))
        demo.step(8.5, lambda: desk.escalate(case_id))
        demo.step(8.5, lambda: desk.send_to_vendor(case_id))
        demo.step(4, lambda: desk.vendor_reply(case_id, "Fixed in 11.3.1; workaround attached.",
                                               milestone="answer"))
        demo.step(3.5, lambda: desk.resolve(case_id, "Workaround applied."))

    demo.case(hokuto, "Outlook で作成した定期会議が OnTime に表示されない",
              {**exchange, "isolation": "does-not-reproduce", "user_settings": "not-the-cause",
               "reproduction_steps": "Create a weekly meeting in Outlook with an end date; OnTime "
               "shows only the first occurrence.", "browser": "Google Chrome",
               "browser_version": "131.0.6778.86",
               "environment_notes": "OnTime 11.3.0; Exchange 2019 CU14; all users."}, 9, vendor_answered)

    def fixed_by_vendor(case_id: str) -> None:
        demo.step(59, lambda: desk.note(case_id, "Escalating to OnTime.", to_customer=True))
        demo.step(58, lambda: desk.escalate(case_id))
        demo.step(58, lambda: desk.send_to_vendor(case_id))
        demo.step(50, lambda: desk.vendor_reply(case_id, "Fixed in 11.2.4.", milestone="fix"))
        demo.step(45, lambda: desk.resolve(case_id, "Upgraded to 11.2.4."))
        demo.step(40, lambda: desk.close(case_id, "resolved"))

    demo.case(tailspin, "Room booked twice in OnTime", {
        **m365, "isolation": "does-not-reproduce", "user_settings": "not-the-cause",
        "reproduction_steps": "Two users book room 4F-A for the same slot within a minute.",
        "browser": "Microsoft Edge", "browser_version": "128.0.2739.42",
        "environment_notes": "OnTime 11.2.3 (cloud); rooms are Exchange room mailboxes."}, 60,
        fixed_by_vendor)

    def asked_for_detail(case_id: str) -> None:
        demo.step(4.8, lambda: desk.note(case_id, "iOS のバージョンを教えてください。", to_customer=True))
        demo.step(4.8, lambda: desk.pending(case_id))

    demo.case(asahi, "iPhone で OnTime モバイルが白い画面になる",
              {"platform": "hcl-notes-domino", "kind": "unexpected-behaviour"}, 5, asked_for_detail)
