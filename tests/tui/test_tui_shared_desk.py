"""The terminal desk shared with other agents: another agent's change shows by itself (the
desk file's log looked at every second; PostgreSQL's notifications), a change made on a
case another agent changed since is refused and the case read again, and a lost server
shows as offline until the desk reconnects by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store import open_store
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.widgets.navbar import NavBar
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)
PATIENCE = 60
"""Pauses of a quarter second to wait at most for what another agent did to show."""


@pytest.fixture(params=["file", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path, clock) -> Iterator[str]:
    """A demo desk shared by the agents: a desk file, or a desk in PostgreSQL."""
    where = (
        request.getfixturevalue("pg_desk_url")
        if request.param == "postgresql"
        else str(tmp_path / "desk.json")
    )
    store = open_store(where)
    Desk(store, get_plugins(), actor="setup").fill_demo()
    store.close()
    yield where


def agent(target: str, name: str) -> Desk:
    return Desk(open_store(target), get_plugins(), actor=name)


async def until(pilot: Pilot, wait, holds, what: str) -> None:
    """Wait (a quarter second at a time, a bounded number of times) until ``holds()``."""
    for _ in range(PATIENCE):
        await wait(pilot)
        if holds():
            return
        await pilot.pause(0.25)
    raise AssertionError(f"never happened: {what}")


def queue_keys(app: WorkbenchApp) -> list[str]:
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    return [item.case.id for item in queue.items]


def navbar_text(app: WorkbenchApp) -> str:
    return str(app.screen.query_one(NavBar).render())


async def test_another_agents_new_case_shows_in_the_open_queue(target: str, wait) -> None:
    app = WorkbenchApp(agent(target, "sato"), remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        before = queue_keys(app)
        tanaka = agent(target, "tanaka")
        customer = next(c.customer_id for c in tanaka.contracts(vendor="webex"))
        case = tanaka.open_case("webex", customer, "Opened on another machine", {"kind": "technical"})
        assert case.id not in before
        await until(pilot, wait, lambda: case.id in queue_keys(app), f"{case.id} in sato's queue")
        tanaka.store.close()


async def test_a_change_on_a_case_another_agent_changed_meanwhile_is_refused_and_the_case_reloads(
    target: str, wait
) -> None:
    """CORE-AUDIT-1: sato writes a note on the case as she opened it; tanaka notes it
    first; sato's note is refused, names tanaka, and the case shows tanaka's note."""
    sato = agent(target, "sato")
    customer = next(c.customer_id for c in sato.contracts(vendor="webex"))
    key = sato.open_case("webex", customer, "Meeting join fails", {"kind": "technical"}).id  # unassigned
    app = WorkbenchApp(sato, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        app.open_case(key)
        await wait(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.data is not None
        await pilot.press("n")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await pilot.press(*"sato was here")
        tanaka = agent(target, "tanaka")
        tanaka.note(key, "tanaka got there first")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "a refusal keeps the dialog open"
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert "Refused by CORE-AUDIT-1" in error
        assert f"{key} changed by tanaka at 10:00 since you opened it" in error
        await until(
            pilot,
            wait,
            lambda: (
                screen.data is not None
                and screen.data.view.events[-1].data.get("text") == "tanaka got there first"
            ),
            "the case read again",
        )
        timeline = screen.query_one("#timeline", VirtualTable)
        assert "tanaka" in str(timeline.rows[0].cells)
        notes = [e.data.get("text") for e in tanaka.events("cases", key) if e.action == "note"]
        assert "sato was here" not in notes
        tanaka.store.close()


async def test_a_lost_server_shows_as_offline_and_the_desk_reconnects(
    postgres_server, pg_desk_url: str, clock, wait
) -> None:
    url = pg_desk_url
    app = WorkbenchApp(agent(url, "sato"), remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        assert "OFFLINE" not in navbar_text(app)
        postgres_server.stop()
        try:
            await until(pilot, wait, lambda: "OFFLINE, reconnecting" in navbar_text(app), "offline shown")
            assert any(n.title == "The desk is offline: reconnecting" for n in app._notifications)
        finally:
            postgres_server.start()
        tanaka = agent(url, "tanaka")
        customer = tanaka.add_customer("Kobe Trading")
        tanaka.store.close()
        await until(pilot, wait, lambda: "OFFLINE" not in navbar_text(app), "back online")
        assert any(n.title == "The desk is back online" for n in app._notifications)
        await until(
            pilot, wait, lambda: app.desk.store.get("customers", customer.id) is not None, "caught up"
        )
