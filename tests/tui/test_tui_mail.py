"""The TUI's Send as an e-mail (issue #21): the vendor's request is composed from the case and
shown in a preview before anything happens; n leaves the case as it was, y sends it through a
real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS and AUTH) and records its Message-ID."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static, Switch

from workbench.mail.compose import case_of_message_id
from workbench.tui.screens.dialogs import FormDialog, MailPreviewScreen

from .conftest import SIZE
from .test_tui_case import open_case

SMTP_USER = "desk@example.co.jp"
SMTP_PASSWORD = "smtp-Pw-7x!"
ZOHO_FORM = {
    "customer_email": "it@sakura-logistics.co.jp",
    "request_type": "technical-support",
    "category": "malfunction",
    "severity": "2",
    "zoho_product": "crm",
    "reproducible": "no",
    "description": "The workflow rule 'Delivery status sync' no longer updates the deal stage in Zoho CRM; "
    "the custom function reports success but the field keeps its old value every time.",
    "troubleshooting": "Re-ran the function by hand.",
}


async def test_send_shows_the_composed_request_before_it_goes_zoho_form_1(
    app, demo, wait, smtp_server, monkeypatch
) -> None:
    server = smtp_server("starttls")
    monkeypatch.setenv("WORKBENCH_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", SMTP_PASSWORD)
    for key, value in {
        **server.settings(),
        "zoho.sender_email": "zoho-desk@reseller.co.jp",
        "zoho.support_email": "partner-support@zoho.example",
    }.items():
        demo.set_setting(key, value)
    customer = demo.add_customer("Sakura Logistics Test KK", email="it@sakura-logistics.co.jp")
    demo.add_contract(customer.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
    case = demo.open_case("zoho", customer.id, "Deluge function fails", ZOHO_FORM)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)

        async def send_dialog() -> MailPreviewScreen:
            await pilot.press("s")
            await wait(pilot)
            assert isinstance(app.screen, FormDialog)
            await pilot.press(*"See below")
            app.screen.query_one("#f-mail", Switch).value = True
            await pilot.press("ctrl+s")
            await wait(pilot)
            assert isinstance(app.screen, MailPreviewScreen)
            return app.screen

        preview = await send_dialog()
        shown = str(preview.query_one("#mail-preview", Static).render())
        assert f"Subject: [{case.id}] Zoho CRM technical-support: Deluge function fails" in shown
        assert "From: zoho-desk@reseller.co.jp" in shown and "(ZOHO-FORM-1:" in shown
        assert "Request type: technical-support" in shown
        assert f"127.0.0.1:{server.port} (starttls)" in str(
            preview.query_one("#dialog-intro", Static).render()
        )
        await pilot.press("n")
        await wait(pilot)
        assert app.screen is screen
        assert server.received == [] and demo.case(case.id).state == "open"

        await send_dialog()
        await pilot.press("y")
        await wait(pilot)
        assert app.screen is screen
        (mail,) = server.received
        assert mail.tls and mail.authenticated
        assert case_of_message_id(mail.message["Message-ID"]) == case.id
        sent = demo.events("cases", case.id)[-1]
        assert sent.action == "send" and sent.data["mail"]["message_id"] == mail.message["Message-ID"]
        assert demo.case(case.id).state == "waiting-vendor"
        assert any("sent <" in n.message for n in app._notifications)


async def test_resolve_mails_the_resolution_to_the_customer_after_the_preview_core_sla_3(
    app, demo, wait, smtp_server, monkeypatch
) -> None:
    server = smtp_server("tls")
    monkeypatch.setenv("WORKBENCH_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", SMTP_PASSWORD)
    for key, value in {**server.settings(), "mail.from": "support@reseller.co.jp"}.items():
        demo.set_setting(key, value)
    customer = demo.add_customer("Sakura Logistics Test KK", email="it@sakura-logistics.co.jp")
    demo.add_contract(customer.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
    case = demo.open_case("zoho", customer.id, "Deluge function fails", ZOHO_FORM)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        await pilot.press("r")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await pilot.press(*"Fixed by the patch")
        dialog.query_one("#f-mail", Switch).value = True
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "e-mail without to-customer is refused in the dialog"
        assert "only a resolution sent to the customer is e-mailed" in str(
            dialog.query_one("#dialog-error", Static).render()
        )
        dialog.query_one("#f-to_customer", Switch).value = True
        await pilot.press("ctrl+s")
        await wait(pilot)
        preview = app.screen
        assert isinstance(preview, MailPreviewScreen)
        shown = str(preview.query_one("#mail-preview", Static).render())
        assert "To: it@sakura-logistics.co.jp" in shown and f"[{case.id}] Resolution: " in shown
        assert "Fixed by the patch" in shown
        await pilot.press("y")
        await wait(pilot)
        assert app.screen is screen
        (mail,) = server.received
        assert mail.recipients == ["it@sakura-logistics.co.jp"] and mail.tls
        resolved = demo.events("cases", case.id)[-1]
        assert (
            resolved.action == "resolve" and resolved.data["mail"]["message_id"] == mail.message["Message-ID"]
        )
        assert demo.case(case.id).state == "resolved"
