"""New case: vendor first, then the vendor's own form with live findings; an error found
as the agent types blocks saving until it is fixed in place (one case per vendor)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Input, Select, Static, Switch, TextArea

from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import ConfirmScreen
from workbench.tui.screens.new_case import NewCaseScreen
from workbench.tui.widgets.form import slug

SIZE = (120, 36)

DESCRIPTION = (
    "Scheduled workflow stops updating the delivery records after the nightly import; "
    "the log shows a time-out in the custom function and no record is changed after."
)

SCENARIOS: dict[str, dict[str, Any]] = {
    "zoho": {
        "fields": {
            "customer_email": "someone@gmail.com",
            "request_type": "store",
            "severity": "3",
            "zoho_product": "crm",
            "reproducible": False,
            "description": DESCRIPTION,
            "troubleshooting": "Checked the function log",
        },
        "error": ("ZOHO-EMAIL-1", "customer_email"),
        "fix": {"customer_email": "it@example.co.jp"},
    },
    "bittitan": {
        "fields": {
            "account_email": "admin@example.co.jp",
            "region": "apac",
            "cutover_date": "2026-12-20",
            "kind": "guidance-request",
            "description": "How to plan the cutover",
        },
        "error": ("BT-ROUTE-2", "run_error"),
        "fix": {
            "run_error": False,
            "not_as_documented": False,
            "items_missing": False,
            "cannot_access": False,
        },
    },
    "ontime": {
        "fields": {"kind": "unexpected-behaviour", "isolation": "does-not-reproduce"},
        "error": ("ONTIME-TRIAGE-1", "platform"),
        "fix": {"platform": "microsoft-365-exchange-online"},
    },
    "webex": {
        "fields": {"site_url": "example.webex.com"},
        "error": ("CORE-PATH-1", "kind"),
        "fix": {"kind": "technical"},
    },
}


async def put(pilot, selector: str, value: Any) -> None:
    """Answer one input the way the agent would leave it."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    if isinstance(widget, Select | Switch):
        widget.value = value
    elif isinstance(widget, TextArea):
        widget.load_text(value)
    elif isinstance(widget, Input):
        widget.value = value


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.parametrize("vendor", sorted(SCENARIOS))
async def test_create_a_case_through_the_vendor_form(app, demo, wait, vendor):
    scenario = SCENARIOS[vendor]
    customer = next(k.customer_id for k in demo.contracts(vendor=vendor))
    before = {c.id for c in demo.cases()}
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("n")
        await wait(pilot)
        screen = app.screen
        assert isinstance(screen, NewCaseScreen)
        assert screen.query_one("#vendor", Select).has_focus, "the vendor comes first"
        if vendor == demo.vendors()[0]:
            await pilot.press("enter", "down", "enter")  # by keyboard: open, first, choose
        else:
            await put(pilot, "#vendor", vendor)
        await wait(pilot)
        assert screen.vendor == vendor
        labels = " ".join(str(label.render()) for label in screen.query(".field-label"))
        for definition in demo.case_fields(vendor):
            if not definition.when:
                assert definition.label in labels, "the form is the vendor's own"
        await put(pilot, "#customer", customer)
        await pilot.press("tab", *"Help")
        for name, value in scenario["fields"].items():
            await put(pilot, f"#f-{slug(name)}", value)
        await wait(pilot, typed=True)

        rule, field = scenario["error"]
        assert rule in text(screen, "#preview-findings"), "the plugin's finding shows live"
        assert "errors block saving" in text(screen, "#preview-findings")
        assert screen.query_one("#save", Button).disabled
        assert rule in text(screen, f"#problem-{slug(field)}"), "on the field it concerns"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is screen, "an error blocks saving"
        assert {c.id for c in demo.cases()} == before

        for name, value in scenario["fix"].items():
            await put(pilot, f"#f-{slug(name)}", value)
        await wait(pilot, typed=True)
        assert "can be saved" in text(screen, "#preview-findings")
        assert "path" in text(screen, "#preview-route")
        preview = screen.preview
        assert preview is not None and not preview.blocked
        await pilot.press("ctrl+s")
        await wait(pilot)

        created = [c for c in demo.cases() if c.id not in before]
        assert len(created) == 1
        case = created[0]
        assert case.vendor == vendor and case.subject == "Help"
        assert (case.path, case.queue) == (preview.route.path, preview.route.queue)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == case.id


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_a_long_form_scrolls_to_the_focused_field(app, demo, wait, size):
    """The Zoho form with its conditional fields shown is longer than the screen: Tab moves
    through it and every focused field is on screen, with a scrollbar showing where."""
    customer = next(k.customer_id for k in demo.contracts(vendor="zoho"))
    async with app.run_test(size=size) as pilot:
        await wait(pilot)
        await pilot.press("n")
        await wait(pilot)
        screen = app.screen
        await put(pilot, "#vendor", "zoho")
        await wait(pilot)
        await put(pilot, "#customer", customer)
        await put(pilot, "#f-reproducible", True)
        await wait(pilot, typed=True)
        intake = screen.query_one("#intake")
        assert intake.max_scroll_y > 0, "the form is longer than the screen and scrolls"
        region = intake.content_region
        scrolled = 0.0
        for _ in range(len(demo.case_fields("zoho"))):
            await pilot.press("tab")
            await pilot.pause()
            focused = screen.focused
            if focused is None or intake not in focused.ancestors:
                continue
            box = focused.region
            assert region.y <= box.y and box.y < region.bottom, f"{focused.id} is on screen"
            scrolled = max(scrolled, intake.scroll_y)
        assert scrolled > 0, "the form scrolled to follow the focus"


async def test_esc_on_a_half_filled_case_asks_before_discarding(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("n")
        await wait(pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, NewCaseScreen), "nothing typed: Esc leaves at once"
        await pilot.press("n")
        await wait(pilot)
        screen = app.screen
        await put(pilot, "#subject", "Printer on fire")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen and screen.query_one("#subject", Input).value == "Printer on fire"
        await pilot.press("f2")
        assert isinstance(app.screen, ConfirmScreen), "F2 asks too"
        await pilot.press("y")
        await wait(pilot)
        assert type(app.screen).__name__ == "QueueScreen"
