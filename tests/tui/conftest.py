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


ROUNDS = 40
"""More rounds of work than any screen starts in a row (each round waits for its workers)."""


async def settle(pilot: Pilot, typed: bool = False) -> None:
    """Wait until every worker has finished and the screen has caught up; ``typed`` also
    waits out the live checks' debounce.

    Only the workers still running are awaited, one by one: an exclusive worker the app
    cancels on purpose (a preview replaced by a newer one while the agent types) is not an
    error, its replacement is awaited in the next round."""
    if typed:
        await pilot.pause(DEBOUNCE)
    for _ in range(ROUNDS):
        await pilot.pause()
        running = [w for w in pilot.app.workers if not w.is_finished]
        if not running:
            await pilot.pause()
            if all(w.is_finished for w in pilot.app.workers):
                return
        for worker in running:
            try:
                await worker.wait()
            except WorkerCancelled:
                continue
    still = ", ".join(w.name for w in pilot.app.workers if not w.is_finished)
    pytest.fail(f"the app did not settle: workers still running after {ROUNDS} rounds: {still}")


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
