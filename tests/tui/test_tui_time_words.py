"""Relative times in the desk's language (desk setting ``desk.locale``; ``auto`` follows the
desk's time zone, Asia/Tokyo → ja): the queue's next deadline and the case screen's due
times, changed from the settings screen."""

from __future__ import annotations

from textual.widgets import Select, Static

from workbench.desk import Desk, next_running
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.screens.queue import COLUMNS, QueueScreen
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)
DEADLINE = [c.key for c in COLUMNS].index("deadline")


def soon(demo: Desk) -> tuple[str, str, int]:
    """An open case of the demo whose next deadline is due within the hour: its ID, the
    deadline's name and the whole minutes until it."""
    now = demo.now()
    for case in demo.cases(open_only=True):
        d = next_running(demo.deadlines(case))
        if d and d.due and 60 < (d.due - now).total_seconds() < 45 * 60:
            seconds = (d.due - now).total_seconds()
            if seconds % 60 == 0:
                return case.id, d.name, int(seconds // 60)
    raise AssertionError("the demo has a deadline due within the hour")


async def set_locale(pilot, wait, value: str) -> None:
    """Set desk.locale from the settings screen (F6), as a person would."""
    await pilot.press("f6")
    await wait(pilot)
    pilot.app.screen.query_one("#settings", VirtualTable).move_to("desk.locale")
    await pilot.press("enter")
    await wait(pilot)
    assert isinstance(pilot.app.screen, FormDialog)
    pilot.app.screen.query_one("#f-value", Select).value = value
    await pilot.press("ctrl+s")
    await wait(pilot)


async def test_queue_and_case_say_when_in_the_desk_language(app, demo, wait):
    key, name, minutes = soon(demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        queue = app.screen.query_one("#queue", VirtualTable)
        row = queue.rows[queue.index_of(key)]
        assert row.cells[DEADLINE][0] == f"{minutes}分後 {name}", "Asia/Tokyo: Japanese"
        app.open_case(key)
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert f"({minutes}分後)" in str(app.screen.query_one("#deadlines", Static).render())

        await set_locale(pilot, wait, "en")
        assert demo.setting("desk.locale") == "en"
        await pilot.press("f2")
        await wait(pilot)
        assert isinstance(app.screen, QueueScreen)
        queue = app.screen.query_one("#queue", VirtualTable)
        assert queue.rows[queue.index_of(key)].cells[DEADLINE][0] == f"in {minutes} minutes {name}"
        app.open_case(key)
        await wait(pilot)
        assert f"(in {minutes} minutes)" in str(app.screen.query_one("#deadlines", Static).render())
