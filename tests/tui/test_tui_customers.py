"""Customers and contracts: detail with eligibility and quotes, add and edit validated."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Select, Static

from workbench.desk import next_running
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_customer_detail_eligibility_quote_and_cases(app, demo, wait):
    contract = next(k for k in demo.contracts(vendor="ontime") if k.product == "license")
    customer = demo.customer(contract.customer_id)
    quote = demo.quote(contract.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        screen = app.screen
        assert len(screen.query_one("#customer-list", VirtualTable).rows) == len(demo.customers())
        screen.query_one("#customer-list", VirtualTable).move_to(customer.id)
        await wait(pilot)
        info = text(screen, "#customer-info")
        for eligibility in demo.eligibility(customer.id):
            assert eligibility.rule in info and eligibility.reason[:30] in info
        contracts = screen.query_one("#contracts", VirtualTable)
        assert [r.key for r in contracts.rows] == [k.id for k in demo.contracts(customer.id)]
        contracts.move_to(contract.id)
        await wait(pilot)
        quoted = text(screen, "#contract-info")
        for line in quote.lines:
            assert f"{line.amount:,}" in quoted and line.rule in quoted
        cases = screen.query_one("#customer-cases", VirtualTable)
        assert {r.key for r in cases.rows} == {c.id for c in demo.cases(customer_id=customer.id)}
        if cases.rows:
            cases.focus()
            await pilot.press("enter")
            await wait(pilot)
            assert isinstance(app.screen, CaseScreen)


async def test_add_a_customer_with_a_validation_error_fixed_in_place(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        await pilot.press("a")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#f-name", Input).value = "株式会社テスト"
        dialog.query_one("#f-email", Input).value = "not-an-address"
        dialog.query_one("#f-users", Input).value = "80"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        assert "not an e-mail address" in text(dialog, "#problem-email")
        dialog.query_one("#f-email", Input).value = "it@test.co.jp"
        await pilot.press("ctrl+s")
        await wait(pilot)
        added = [c for c in demo.customers() if c.name == "株式会社テスト"]
        assert len(added) == 1 and added[0].users == 80 and added[0].email == "it@test.co.jp"
        rows = app.screen.query_one("#customer-list", VirtualTable).rows
        assert added[0].id in {r.key for r in rows}


async def test_add_a_contract_and_edit_the_customer(app, demo, wait):
    customer = demo.customers()[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        await pilot.press("C")
        await wait(pilot)
        dialog = app.screen
        dialog.query_one("#f-product", Select).value = "ontime/maintenance"
        dialog.query_one("#f-start", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "maintenance needs a licence (ONTIME-PROD-2)"
        assert "ONTIME-PROD-2" in text(dialog, "#dialog-error")
        dialog.query_one("#f-product", Select).value = "ontime/license"
        dialog.query_one("#f-list_price", Input).value = "1200000"
        await pilot.press("ctrl+s")
        await wait(pilot)
        added = demo.contracts(customer.id, "ontime")
        assert [k.product for k in added] == ["license"] and added[0].list_price == 1_200_000

        await pilot.press("e")
        await wait(pilot)
        edit = app.screen
        assert edit.query_one("#f-name", Input).value == customer.name
        edit.query_one("#f-users", Input).value = "999"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.customer(customer.id).users == 999


async def test_edit_a_contract_with_a_validation_error_fixed_in_place(app, demo, wait):
    """The highlighted contract's values are in the form; an end before the start keeps the
    dialog open with the problem under the field and nothing saved; the fixed edit is saved,
    said, and shown in the contract list and the quote (ONTIME-PROD-1)."""
    licence = next(k for k in demo.contracts(vendor="ontime") if k.product == "license")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        screen = app.screen
        screen.query_one("#customer-list", VirtualTable).move_to(licence.customer_id)
        await wait(pilot)
        screen.query_one("#contracts", VirtualTable).move_to(licence.id)
        await wait(pilot)
        await pilot.press("ctrl+e")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert dialog.query_one("#f-product", Select).value == "license"
        assert dialog.query_one("#f-start", Input).value == licence.start.isoformat()
        assert dialog.query_one("#f-list_price", Input).value == str(licence.list_price)
        assert dialog.query_one("#f-attributes", Input).value == ", ".join(
            f"{k}={v}" for k, v in licence.attributes.items()
        )
        dialog.query_one("#f-end", Input).value = "2000-01-01"
        dialog.query_one("#f-list_price", Input).value = "2000000"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        assert "before it starts" in text(dialog, "#problem-end")
        assert demo.contract(licence.id) == licence
        dialog.query_one("#f-end", Input).value = ""
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is screen
        assert demo.contract(licence.id).list_price == 2_000_000
        assert demo.events("contracts", licence.id)[-1].after == {"list_price": 2_000_000}
        assert any(n.message == f"{licence.id}: contract saved" for n in app._notifications)
        row = screen.query_one("#contracts", VirtualTable).rows
        assert "2,000,000 JPY" in next(r for r in row if r.key == licence.id).cells[-1]
        assert "400,000 JPY" in text(screen, "#contract-info")


async def test_edit_contract_without_a_contract_says_so(app, demo, wait):
    customer = demo.add_customer("株式会社まだ契約なし")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        app.screen.query_one("#customer-list", VirtualTable).move_to(customer.id)
        await wait(pilot)
        await pilot.press("ctrl+e")
        await wait(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert any("No contract to edit" in n.message for n in app._notifications)


async def test_a_customers_cases_show_their_next_deadlines_at_80_by_24(app, demo, wait):
    customer = max(demo.customers(), key=lambda c: len(demo.cases(customer_id=c.id)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        await pilot.press("f4")
        await wait(pilot)
        screen = app.screen
        screen.query_one("#customer-list", VirtualTable).move_to(customer.id)
        await wait(pilot)
        cases = screen.query_one("#customer-cases", VirtualTable)
        assert cases.region.height >= 5, "the case list stays on screen"
        assert "deadline" in cases.shown_columns()
        open_cases = [c for c in demo.cases(customer_id=customer.id) if c.is_open]
        for case in open_cases:
            found = next_running(demo.deadlines(case))
            row = cases.rows[cases.index_of(case.id)]
            text = row.cells[3][0]
            assert (found.name in text) if found else text == "—"
        assert [r.key for r in cases.rows][: len(open_cases)] == [
            r.key for r in cases.rows if demo.case(r.key).is_open
        ], "open cases first"


async def test_an_advisor_hour_is_booked_on_a_case_by_its_own_field_bt_onboard_2(app, demo, wait):
    """The case an advisor hour is for is a field of the contract form, shown for that product
    only and checked by the desk (a product-problem is refused, BT-ONBOARD-2)."""
    customer = demo.customers()[0]  # the one the customers screen opens on
    demo.add_contract(customer.id, "bittitan", "user-migration-bundle", date(2026, 1, 1), date(2027, 12, 31))
    ticket = {
        "account_email": "it@example.co.jp",
        "region": "apac",
        "cutover_date": "2027-02-01",
        "description": "d",
    }
    no_problem = {
        "run_error": False,
        "not_as_documented": False,
        "items_missing": False,
        "cannot_access": False,
    }
    guidance = demo.open_case(
        "bittitan", customer.id, "Plan", {**ticket, **no_problem, "kind": "guidance-request"}
    )
    problem = demo.open_case("bittitan", customer.id, "Run fails", {**ticket, "kind": "product-problem"})
    key = "attr-bittitan-advisor-hour-case_id"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        await pilot.press("C")
        await wait(pilot)
        dialog = app.screen
        dialog.query_one("#f-product", Select).value = "bittitan/advisor-hour"
        await wait(pilot)
        dialog.query_one("#f-start", Input).value = "2026-12-01"
        dialog.query_one(f"#f-{key}", Input).value = problem.id
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog and "BT-ONBOARD-2" in text(dialog, "#dialog-error")
        dialog.query_one(f"#f-{key}", Input).value = guidance.id
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is not dialog, text(dialog, "#dialog-error")
    [booked] = [k for k in demo.contracts(customer.id, "bittitan") if k.product == "advisor-hour"]
    assert booked.attributes == {"case_id": guidance.id}


async def test_the_customer_form_offers_and_checks_what_vendor_programs_declare_zoho_prio_1(app, demo, wait):
    """Zoho declares the region and super-admin e-mail it needs of a customer (ZOHO-PRIO-1):
    the form offers them under Zoho's name, the desk refuses a bad value naming the attribute,
    and the edit form shows what was saved."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        await pilot.press("a")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        labels = [field.label for field in dialog.fields]
        assert "Zoho partner support: Zoho region" in labels
        assert "Zoho partner support: Super-admin e-mail" in labels
        assert not any(field.name in ("region", "super_admin_email") for field in dialog.fields)
        dialog.query_one("#f-name", Input).value = "Contoso Japan"
        dialog.query_one("#f-users", Input).value = "80"
        dialog.query_one("#f-domain", Input).value = "contoso.co.jp"
        dialog.query_one("#f-zoho_region", Select).value = "apac-japan"
        dialog.query_one("#f-zoho_super_admin_email", Input).value = "nobody"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        refusal = text(dialog, "#dialog-error")
        assert "zoho.super_admin_email" in refusal and "not an e-mail address" in refusal
        assert "not an e-mail address" in text(dialog, "#problem-zoho_super_admin_email")
        dialog.query_one("#f-zoho_super_admin_email", Input).value = "admin@contoso.co.jp"
        await pilot.press("ctrl+s")
        await wait(pilot)
        [added] = [c for c in demo.customers() if c.name == "Contoso Japan"]
        assert added.attributes == {
            "zoho.region": "apac-japan",
            "zoho.super_admin_email": "admin@contoso.co.jp",
        }
        [zoho] = [e for e in demo.eligibility(added.id) if e.vendor == "zoho"]
        assert zoho.eligible and zoho.claimable

        app.screen.query_one("#customer-list", VirtualTable).move_to(added.id)
        await wait(pilot)
        assert "zoho.region" in text(app.screen, "#customer-info")
        await pilot.press("e")
        await wait(pilot)
        edit = app.screen
        assert edit.query_one("#f-zoho_region", Select).value == "apac-japan"
        assert edit.query_one("#f-zoho_super_admin_email", Input).value == "admin@contoso.co.jp"
        edit.query_one("#f-zoho_super_admin_email", Input).value = ""
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.customer(added.id).attributes == {"zoho.region": "apac-japan"}


async def test_editing_a_customer_keeps_a_moved_region_its_choice_cannot_show(app, demo, wait):
    """A region typed before it was Zoho's (``apac``, moved into ``zoho.region`` when the desk
    was opened) is not one of Zoho's choices, so the form cannot show it: saving the form for
    another change keeps it as it was."""
    with demo.store.transaction() as tx:
        tx.put(
            "customers",
            "CUS-99",
            {
                **demo.customers()[0].to_dict(),
                "id": "CUS-99",
                "name": "Legacy KK",
                "attributes": {"zoho.region": "apac"},
            },
        )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait(pilot)
        app.screen.query_one("#customer-list", VirtualTable).move_to("CUS-99")
        await wait(pilot)
        await pilot.press("e")
        await wait(pilot)
        edit = app.screen
        assert isinstance(edit, FormDialog)
        edit.query_one("#f-users", Input).value = "77"
        await pilot.press("ctrl+s")
        await wait(pilot)
        saved = demo.customer("CUS-99")
        assert saved.users == 77 and saved.attributes == {"zoho.region": "apac"}
