"""Control characters in the desk's data never reach the terminal raw: a customer named to
set the terminal's title and clear its screen is shown with its escapes visible, in the
queue and on the case screen, as on the command line (``workbench.render.shown``)."""

from __future__ import annotations

from workbench.desk import Desk
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.queue import COLUMNS
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)
EVIL = "Evil\x1b]0;pwned\x07 Corp\x1b[2J\x9b31m"
SHOWN = "Evil\\x1b]0;pwned\\x07 Corp\\x1b[2J\\x9b31m"


async def test_a_hostile_name_is_shown_escaped_in_the_queue_and_the_case(desk: Desk, tmp_path, wait) -> None:
    customer = desk.add_customer(EVIL)
    desk.open_case("ontime", customer.id, "Sync \x1b[2J stops", {})
    app = WorkbenchApp(desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        grid = app.screen.query_one("#queue", VirtualTable)
        [row] = grid.rows
        names = [c.key for c in COLUMNS]
        assert str(row.cells[names.index("customer")]).startswith(SHOWN[:12])
        assert "\x1b" not in str(row.cells[names.index("subject")])
        screen = app.export_screenshot()
        assert "\x1b" not in screen and "\x07" not in screen and "\x9b" not in screen
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        screen = app.export_screenshot()
        assert "\x1b" not in screen and "\x9b" not in screen
        assert "pwned" in screen
