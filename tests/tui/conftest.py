"""Fixtures of the TUI tests: the demo desk at the fixed clock, the app, and `settle`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from workbench.desk import Desk
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


DEBOUNCE = 0.3
"""Longer than the live checks wait for typing to stop."""


async def settle(pilot: Pilot, typed: bool = False) -> None:
    """Wait until every worker has finished and the screen has caught up; ``typed`` also
    waits out the live checks' debounce."""
    if typed:
        await pilot.pause(DEBOUNCE)
    for _ in range(8):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: that one is awaited next
            continue
        await pilot.pause()
        if all(w.is_finished for w in pilot.app.workers):
            await pilot.pause()
            if all(w.is_finished for w in pilot.app.workers):
                return


@pytest.fixture
def demo(desk: Desk) -> Desk:
    """The demo desk (all four vendors) at Tue 2026-11-24 10:00 JST."""
    desk.fill_demo()
    return desk


@pytest.fixture
def app(demo: Desk, tmp_path) -> WorkbenchApp:
    """The app on the demo desk; the theme is remembered in a temporary file."""
    return WorkbenchApp(demo, prefs_path=tmp_path / "tui.json")


@pytest.fixture
def wait() -> Callable[[Pilot], Awaitable[None]]:
    return settle
