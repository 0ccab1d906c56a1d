"""Agents in the terminal desk: the queue's Assignee column, views and filter words, the
palette finding an agent's cases, and the Team screen where a lead reassigns with a key
(CORE-TEAM-1, CORE-TEAM-2). The demo desk's lead, sato, is the login ``tester``."""

from __future__ import annotations

from textual.widgets import Input, Select

from workbench.cli.common import Context
from workbench.desk import BadInput, Desk
from workbench.plugins import get_plugins
from workbench.store import open_store
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.team import TeamScreen
from workbench.tui.widgets.table import VirtualTable
from workbench.tui.widgets.viewbar import ViewBar

from .conftest import SIZE


def shown_ids(app: WorkbenchApp) -> list[str]:
    return [row.key for row in app.screen.query_one("#queue", VirtualTable).rows]


def held_by(desk: Desk, handle: str) -> list[str]:
    """The open cases of ``handle`` as the workload lists them, oldest first."""
    return next(load.cases for load in desk.workload() if load.handle == handle)


def open_ids(desk: Desk, assignee: str | None) -> set[str]:
    return {c.id for c in desk.cases(open_only=True, assignee=assignee)}


async def test_queue_assignee_column_views_and_filter_words(app, demo, wait):
    mine, unassigned = open_ids(demo, "sato"), open_ids(demo, "")
    assert mine and unassigned
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        table = app.screen.query_one("#queue", VirtualTable)
        column = [c.key for c in table.columns].index("assignee")
        some = next(iter(unassigned))
        assert table.rows[table.index_of(some)].cells[column] == ("—", "dim")
        views = app.screen.query_one(ViewBar)
        views.active = "mine"
        await wait(pilot)
        assert set(shown_ids(app)) == mine
        assert views.counts["mine"] == len(mine) and views.counts["unassigned"] == len(unassigned)
        views.active = "unassigned"
        await wait(pilot)
        assert set(shown_ids(app)) == unassigned
        views.active = "all"
        for words, expected in (
            ("assignee:me", mine),
            ("assignee:none", unassigned),
            ("assignee:tanaka", open_ids(demo, "tanaka")),
            ("a:emma", open_ids(demo, "emma")),
        ):
            app.screen.query_one("#filter", Input).value = words
            await wait(pilot)
            assert set(shown_ids(app)) == expected, words


async def test_the_palette_finds_an_agent_s_cases(app, demo, wait):
    tanaka = open_ids(demo, "tanaka")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("ctrl+p")
        await wait(pilot)
        await pilot.press(*"田中")
        await wait(pilot, typed=True)
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one("#filter", Input).value == "assignee:tanaka"
        assert set(shown_ids(app)) == tanaka


async def test_team_screen_shows_each_agent_s_workload(app, demo, wait):
    loads = {load.handle or "(unassigned)": load for load in demo.workload()}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        agents = screen.query_one("#team", VirtualTable)
        assert [r.key for r in agents.rows] == ["emma", "ito", "sato", "tanaka", "(unassigned)"]
        for row in agents.rows:
            load = loads[row.key]
            assert row.cells[3] == str(len(load.cases))
            assert row.cells[4][0] == str(len(load.breaching))
        agents.move_to("tanaka")
        await wait(pilot)
        cases = screen.query_one("#team-cases", VirtualTable)
        assert [r.key for r in cases.rows] == loads["tanaka"].cases
        assert "田中 健太" in str(screen.query_one("#team-agent").render())


async def test_a_lead_reassigns_a_case_with_a_key_core_team_2(app, demo, wait):
    case_id = held_by(demo, "tanaka")[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait(pilot)
        screen = app.screen
        screen.query_one("#team", VirtualTable).move_to("tanaka")
        await wait(pilot)
        await pilot.press("tab")
        screen.query_one("#team-cases", VirtualTable).move_to(case_id)
        await pilot.press("A")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#f-assignee", Select).value = "emma"
        dialog.query_one("#f-note", Input).value = "emma knows this customer"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.case(case_id).assignee == "emma"
        last = demo.events("cases", case_id)[-1]
        assert (last.action, last.actor, last.before, last.after, last.rule) == (
            "assign",
            "sato",
            {"assignee": "tanaka"},
            {"assignee": "emma"},
            "CORE-TEAM-2",
        )
        screen.query_one("#team", VirtualTable).move_to("emma")
        await wait(pilot)
        assert case_id in [r.key for r in screen.query_one("#team-cases", VirtualTable).rows]


async def test_an_agent_may_not_reassign_another_s_case_the_refusal_names_the_role(demo, wait, tmp_path):
    """tanaka, an agent, in a second terminal desk on the same store."""
    case_id = held_by(demo, "emma")[0]
    tanaka = Desk(demo.store, demo.plugins, actor="tanaka")
    app = WorkbenchApp(tanaka, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait(pilot)
        screen = app.screen
        assert "You act as tanaka (agent)" in str(screen.query_one("#team-who").render())
        screen.query_one("#team", VirtualTable).move_to("emma")
        await wait(pilot)
        screen.query_one("#team-cases", VirtualTable).move_to(case_id)
        await pilot.press("A")
        await wait(pilot)
        dialog = app.screen
        dialog.query_one("#f-assignee", Select).value = "tanaka"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "a refused change keeps the dialog open"
        error = str(dialog.query_one("#dialog-error").render())
        assert "CORE-TEAM-1" in error and "needs the lead role" in error
        assert demo.case(case_id).assignee == "emma"


async def test_the_lead_adds_an_agent_on_the_team_screen(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait(pilot)
        await pilot.press("a")
        await wait(pilot)
        dialog = app.screen
        dialog.query_one("#f-handle", Input).value = "kobayashi"
        dialog.query_one("#f-name", Input).value = "小林 花子"
        dialog.query_one("#f-email", Input).value = "kobayashi@reseller-demo.co.jp"
        await pilot.press("ctrl+s")
        await wait(pilot)
        added = demo.agent("kobayashi")
        assert (added.name, added.role, added.active) == ("小林 花子", "agent", True)
        assert "kobayashi" in [r.key for r in app.screen.query_one("#team", VirtualTable).rows]


async def test_an_agent_takes_a_case_and_hands_it_off_from_the_case_screen(demo, wait, tmp_path):
    case_id = sorted(open_ids(demo, ""))[0]
    tanaka = Desk(demo.store, demo.plugins, actor="tanaka")
    app = WorkbenchApp(tanaka, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        app.open_case(case_id)
        await wait(pilot)
        await pilot.press("t")
        await wait(pilot)
        assert demo.case(case_id).assignee == "tanaka"
        await pilot.press("A")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#f-assignee", Select).value = "emma"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert "a hand-off says where the case stands" in str(dialog.query_one("#dialog-error").render())
        dialog.query_one("#f-note", Input).value = "the customer calls back on Friday"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.case(case_id).assignee == "emma"
        last = demo.events("cases", case_id)[-1]
        assert (last.action, last.actor, last.data["text"]) == (
            "hand-off",
            "tanaka",
            "the customer calls back on Friday",
        )


async def test_the_terminal_desk_refuses_an_actor_who_is_not_an_agent(tmp_path, clock):
    """``workbench --as nobody`` on a desk with agents: the desk the command line opens
    refuses the actor (CORE-TEAM-1), and the app ends with the reason before any screen."""
    path = tmp_path / "desk.json"
    lead = Desk(open_store(str(path)), get_plugins(), actor="sato")
    lead.add_agent("sato", "佐藤 美咲", role="lead")
    lead.store.close()
    context = Context()
    context.db, context.agent = str(path), "nobody"
    app = WorkbenchApp(context.desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            if not app.is_running:
                break
            await pilot.pause(0.01)
        assert not app.is_running, "the app ends by itself"
    context.close()
    assert isinstance(app.desk_error, BadInput) and app.desk is None
    assert "'nobody' is not an agent of this desk" in str(app.desk_error)
