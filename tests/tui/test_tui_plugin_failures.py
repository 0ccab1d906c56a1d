"""A broken plugin never takes the terminal desk down: the queue gets every deadline the other
plugins answer, the failure is listed on the plugins screen, and a hook running past the time
limit leaves the screen responsive."""

from __future__ import annotations

import threading

from textual.widgets import Static

from workbench import hookimpl
from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.testing import make_desk
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.customers import CustomersScreen
from workbench.tui.screens.queue import QueueScreen

SIZE = (120, 36)


class Garbage:
    @hookimpl
    def workbench_commitments(self, case, desk):
        return "garbage"


class HangingForGood:
    """Never answers while the test runs (let go only at its end): a hook that hangs."""

    def __init__(self) -> None:
        self.release = threading.Event()

    @hookimpl
    def workbench_commitments(self, case, desk):
        self.release.wait(60)
        return []


class Hanging:
    """Answers nothing until the test lets it go, the first time it is asked."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()

    @hookimpl
    def workbench_commitments(self, case, desk):
        self.asked.set()
        self.release.wait(30)
        return []


def deadlines_of(app: WorkbenchApp) -> dict[str, object]:
    queue = next(s for s in app.screen_stack if isinstance(s, QueueScreen))
    return {item.case.id: item.deadlines for item in queue.items}


async def test_wrong_type_answers_leave_the_queue_its_deadlines(wait, clock):
    desk = make_desk([("garbage", Garbage())])
    desk.fill_demo()
    expected = {case.id: desk.deadlines(case) for case in desk.cases(open_only=True)}
    app = WorkbenchApp(desk, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        assert deadlines_of(app) == expected
        await pilot.press("f5")
        await wait(pilot)
        failures = str(app.screen.query_one("#failures", Static).render())
        assert "plugin garbage failed in hook workbench_commitments" in failures
        assert "answered 'garbage' where the contract asks for list[Commitment] | None" in failures


async def test_a_hook_past_the_time_limit_leaves_the_screen_responsive_and_is_left_out(wait, clock):
    filled = make_desk()
    filled.fill_demo()
    filled.set_setting("core.plugin_time_limit", "0.1")
    hanging = Hanging()
    desk = Desk(filled.store, get_plugins([("hanging", hanging)]), actor=filled.actor)
    app = WorkbenchApp(desk, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(600):
            if hanging.asked.is_set():
                break
            await pilot.pause(0.05)
        assert hanging.asked.is_set(), "the queue asks for deadlines"
        await pilot.press("f4")
        assert isinstance(app.screen, CustomersScreen), "keys work while a hook hangs"
        hanging.release.set()
        await wait(pilot)
        await pilot.press("f2")
        await wait(pilot)
        assert all(found is not None for found in deadlines_of(app).values())
    assert [str(f) for f in desk.plugins.failures if f.plugin == "hanging"] == [
        "plugin hanging failed in hook workbench_commitments: ran past the time limit of 0.1 s "
        "(core.plugin_time_limit): its answer is left out and the hook is not called again"
    ]


async def test_the_time_limit_holds_in_the_terminal_desk_while_a_hook_hangs(wait, clock):
    """A hook that hangs and is never let go: at core.plugin_time_limit the queue's read leaves
    it behind and is made again without it, so the queue gets every other deadline, a toast
    names the plugin and the hook, and other screens load (the desk is not held)."""
    filled = make_desk()
    filled.fill_demo()
    filled.set_setting("core.plugin_time_limit", "0.2")
    expected = {case.id: filled.deadlines(case) for case in filled.cases(open_only=True)}
    hanging = HangingForGood()
    desk = Desk(filled.store, get_plugins([("hanging", hanging)]), actor=filled.actor)
    app = WorkbenchApp(desk, remember=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait(pilot)
            assert deadlines_of(app) == expected, "every deadline but the hanging plugin's"
            told = [
                n.message for n in app._notifications if n.title == "A plugin failed; the desk carries on"
            ]
            assert told == [
                "plugin hanging failed in hook workbench_commitments: ran past the time limit of 0.2 s "
                "(core.plugin_time_limit): its answer is left out and the hook is not called again"
            ]
            await pilot.press("f4")
            await wait(pilot)
            assert isinstance(app.screen, CustomersScreen)
            assert [c.id for c in app.screen.customers] == [c.id for c in filled.customers()]
            assert not hanging.release.is_set(), "the hook was still hanging all along"
    finally:
        hanging.release.set()
