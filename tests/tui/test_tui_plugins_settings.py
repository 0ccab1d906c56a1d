"""Plugins (versions, searchable rule catalogues, failures) and settings (validated edits)."""

from __future__ import annotations

from textual.widgets import Input, Static

from workbench import hookimpl
from workbench.plugins import PluginFailure
from workbench.testing import make_desk
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ConfirmScreen, FormDialog
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)


class Broken:
    """A plugin that raises inside a hook: the desk reports it and carries on."""

    @hookimpl
    def workbench_eligibility(self, customer, desk):
        raise RuntimeError("the partner portal is down")


async def test_plugins_list_versions_rules_and_failures(wait, clock, tmp_path):
    desk = make_desk([("broken", Broken())])
    desk.add_customer("Northwind Traders")
    desk.eligibility("CUS-1")  # the broken hook runs once
    desk.plugins.failures.append(PluginFailure("workbench-acme", None, "ImportError: no acme"))
    app = WorkbenchApp(desk, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait(pilot)
        screen = app.screen
        programs = screen.query_one("#programs", VirtualTable)
        keys = [r.key for r in programs.rows]
        for program in desk.programs().values():
            assert program.id in keys
            row = programs.rows[keys.index(program.id)]
            assert row.cells[2] == program.version
        assert "!workbench-acme" in keys, "a plugin that failed to load is listed"
        failures = str(screen.query_one("#failures", Static).render())
        assert "plugin broken failed in hook workbench_eligibility" in failures
        assert "the partner portal is down" in failures
        assert "plugin workbench-acme failed to load: ImportError: no acme" in failures

        rules = screen.query_one("#rules", VirtualTable)
        everything = sum(len(p.rules) for p in desk.programs().values())
        assert len(rules.rows) == everything
        await pilot.press("slash", *"esc-2")
        assert rules.rows and all("ESC-2" in r.key for r in rules.rows)
        await pilot.press("escape")
        programs.move_to("zoho")
        await wait(pilot)
        assert all(r.cells[1] == "zoho" for r in rules.rows)
        shown = str(screen.query_one("#program", Static).render())
        assert "customer attributes: zoho.region, zoho.super_admin_email" in shown


async def test_settings_edit_with_validation(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait(pilot)
        screen = app.screen
        table = screen.query_one("#settings", VirtualTable)
        assert {r.key for r in table.rows} == {s.key for s in demo.settings()}
        table.move_to("core.stall_days")
        await pilot.press("enter")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        value = dialog.query_one("#f-value", Input)
        value.value = "soon"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        assert "is not a number" in str(dialog.query_one("#problem-value", Static).render())
        value.value = "45"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.setting("core.stall_days") == 45
        assert table.rows[table.index_of("core.stall_days")].cells[1] == ("45", "info")
        await pilot.press("u")
        await wait(pilot)
        assert isinstance(app.screen, ConfirmScreen), "a reset asks first"
        assert demo.setting("core.stall_days") == 45
        await pilot.press("y")
        await wait(pilot)
        assert demo.setting("core.stall_days") == 30


async def test_a_whole_number_setting_stores_a_whole_number(app, demo, wait):
    """Issue 19: 2.0 typed (or reset) into core.update_days was stored as 2.0."""
    async with app.run_test(size=(120, 36)) as pilot:
        await wait(pilot)
        await pilot.press("f6")
        await wait(pilot)
        table = app.screen.query_one("#settings", VirtualTable)
        table.move_to("core.update_days")
        await pilot.press("enter")
        await wait(pilot)
        dialog = app.screen
        dialog.query_one("#f-value", Input).value = "3.0"
        await pilot.press("ctrl+s")
        await wait(pilot)
    value = demo.setting("core.update_days")
    assert value == 3 and isinstance(value, int)
