"""The open terminal desk sweeps the time-driven rules by itself every ``desk.sweep_minutes``
(CORE-SLA-2: a breach is recorded once, by the sweep): in a worker, told in a toast, never a
dialog, never taking the focus or the text being typed. The desk clock is set by the test;
the schedule is a fraction of a minute so the test need not wait one."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.queue import QueueScreen

SIZE = (120, 36)
TICKS = 600
"""Pauses of the Pilot a test waits at most for the scheduled sweep (a loaded machine)."""


def breaches(desk) -> list[dict]:
    return [e for e in desk.store.events("cases") if e["action"] == "breach"]


async def test_the_scheduled_sweep_records_breaches_with_a_toast_and_keeps_typed_work(demo, clock, tmp_path):
    """CORE-SLA-2: three days on, the scheduled sweep marks the breached deadlines while an
    agent types a filter; the filter keeps its text and the focus, no dialog opens."""
    demo.set_setting("desk.sweep_minutes", 0.005)
    clock(demo.now() + timedelta(days=3))
    app = WorkbenchApp(demo, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"northwind")
        for _ in range(TICKS):
            if any(n.title == "Scheduled sweep" for n in app._notifications):
                break
            await pilot.pause(0.05)
        toast = next(n for n in app._notifications if n.title == "Scheduled sweep")
        marked = breaches(demo)
        assert marked, "the scheduled sweep marked the breaches through the desk"
        assert f"{len(marked)} breaches marked on {len({e['key'] for e in marked})} cases" in toast.message
        assert isinstance(app.screen, QueueScreen), "no dialog is pushed over the agent's work"
        typed = app.screen.query_one("#filter", Input)
        assert typed.value == "northwind"
        assert app.focused is typed
        await pilot.press(*" zoho")
        assert typed.value == "northwind zoho"
        await app.workers.wait_for_complete()
    assert len(breaches(demo)) == len(marked), "the later scheduled sweeps found nothing new"


async def test_no_scheduled_sweep_while_another_sweeper_holds_the_lease(demo, clock, tmp_path):
    """One sweeper per desk: while `workbench run` (here: the lease taken first) sweeps the
    desk, the terminal desk's schedule leaves it alone (CORE-SLA-2 breaches stay unmarked
    until that sweeper marks them)."""
    demo.set_setting("desk.sweep_minutes", 0.005)
    clock(demo.now() + timedelta(days=3))
    held = demo.store.sweeper_lease()
    assert held.take()
    app = WorkbenchApp(demo, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        assert not breaches(demo)
        assert not any(n.title == "Scheduled sweep" for n in app._notifications)
        held.release()
        for _ in range(TICKS):
            if breaches(demo):
                break
            await pilot.pause(0.05)
        assert breaches(demo), "once the lease is free the terminal desk sweeps"
        await app.workers.wait_for_complete()
