"""The terminal desk's Inbox (F9, palette: Go to Inbox): messages waiting for a case listed, the
highlighted one shown escaped, a case opened from one with the form filled from it, a message
set aside, and a poll from the screen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from tests.mail.conftest import Maildir, message
from tests.tui.conftest import settle
from workbench.mail.poll import poll
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.inbox import InboxScreen
from workbench.tui.screens.new_case import NewCaseScreen
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)
ESCAPE = "\x1b]0;owned\x07"


@pytest.fixture
def inbox_desk(desk, tmp_path: Path):
    """A desk with an OnTime customer, two messages in the Inbox and a Maildir to deliver more."""
    customer = desk.add_customer("Hokuto Systems", email="it@hokuto.example", domain="hokuto.example")
    desk.add_contract(customer.id, "ontime", "license", date(2026, 1, 1), None, list_price=1_000_000)
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 1, 1), date(2027, 12, 31))
    desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 1, 1), date(2027, 12, 31))
    box = Maildir(tmp_path / "Maildir")
    desk.set_setting("mail.maildir", str(box.path))
    box.deliver(
        message(
            "Ken <ken@hokuto.example>",
            f"Re: Client does not start {ESCAPE}",
            f"It stops at Loading. {ESCAPE}",
            message_id="<one@hokuto>",
        )
    )
    box.deliver(message("news@vendor-news.example", "Newsletter", message_id="<two@news>"))
    assert len(poll(desk).taken) == 2
    desk.box = box
    return desk


async def test_the_inbox_lists_messages_and_shows_the_highlighted_one_escaped(inbox_desk, tmp_path) -> None:
    app = WorkbenchApp(inbox_desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one("#inbox", VirtualTable)
        assert [row.key for row in table.rows] == ["M-2", "M-1"]
        table.move_to("M-1")
        await settle(pilot)
        shown = str(screen.query_one("#inbox-message", Static).render())
        assert "It stops at Loading. \\x1b]0;owned\\x07" in shown and "\x1b" not in shown
        assert "From: Ken <ken@hokuto.example>" in shown
        assert "\x1b" not in table.row_text(table.index_of("M-1"))
        assert "2 waiting for a case" in str(screen.query_one("#inbox-status").render())


async def test_a_case_opens_from_a_message_filled_from_it_and_leaves_the_inbox(inbox_desk, tmp_path) -> None:
    app = WorkbenchApp(inbox_desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        app.screen.query_one("#inbox", VirtualTable).move_to("M-1")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewCaseScreen) and form.mail == "M-1"
        assert form.query_one("#subject", Input).value == f"Client does not start {ESCAPE}"
        assert form.query_one("#customer", Select).value == "CUS-1"
        assert not form.typed  # what the message gave is not typed work: Esc leaves at once
        form.query_one("#vendor", Select).value = "ontime"
        await settle(pilot, typed=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        case = inbox_desk.mail("M-1").case
        assert case and inbox_desk.case(case).subject == f"Client does not start {ESCAPE}"
        assert inbox_desk.events("cases", case)[-1].data["mail"]["id"] == "M-1"
        assert [m.id for m in inbox_desk.inbox()] == ["M-2"]


async def test_set_aside_and_poll_from_the_screen(inbox_desk, tmp_path) -> None:
    app = WorkbenchApp(inbox_desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.switch_mode("inbox")
        await settle(pilot)
        table = app.screen.query_one("#inbox", VirtualTable)
        table.move_to("M-2")
        await pilot.press("d")
        await settle(pilot)
        assert inbox_desk.mail("M-2").state == "dismissed"
        assert [row.key for row in table.rows] == ["M-1"]
        inbox_desk.box.deliver(message("new@example.org", "Fresh", message_id="<three@x>"))
        await pilot.press("p")
        await settle(pilot)
        assert [row.key for row in table.rows] == ["M-3", "M-1"]
        await pilot.press("a")
        await settle(pilot)
        assert [row.key for row in table.rows] == ["M-3", "M-2", "M-1"]
        assert table.rows[1].cells[4][0] == "set aside"
