"""Across the app: the command palette, help, themes remembered, screen keys, the
headless core, and the entry point without a terminal."""

from __future__ import annotations

import json
import subprocess
import sys

from textual.command import CommandPalette

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.customers import CustomersScreen
from workbench.tui.screens.dialogs import HelpScreen
from workbench.tui.screens.plugins import PluginsScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.settings import SettingsScreen
from workbench.tui.screens.workflows import WorkflowsScreen

SIZE = (120, 36)


async def test_screen_keys_and_the_top_bar(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        for key, kind in (
            ("f3", WorkflowsScreen),
            ("f4", CustomersScreen),
            ("f5", PluginsScreen),
            ("f6", SettingsScreen),
            ("f2", QueueScreen),
        ):
            await pilot.press(key)
            assert isinstance(app.screen, kind)
        await pilot.click("NavBar", offset=(app.size.width - 40, 0))
        assert not isinstance(app.screen, QueueScreen), "the top bar is clickable"


async def test_palette_opens_any_case_by_id_and_runs_actions(app, demo, wait):
    closed = next(c for c in demo.cases() if c.state == "closed")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("ctrl+p")
        await wait(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*closed.id.lower())
        await wait(pilot)
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == closed.id

        await pilot.press("ctrl+p", *"new case")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait(pilot)
        assert type(app.screen).__name__ == "NewCaseScreen"


async def test_help_lists_the_keys_of_the_screen(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["n"] == "New case" and keys["S"] == "Sweep"
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_the_theme_is_remembered(demo, tmp_path, wait):
    prefs = tmp_path / "config" / "tui.json"
    app = WorkbenchApp(demo, prefs_path=prefs)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert json.loads(prefs.read_text())["theme"] == "nord"
    again = WorkbenchApp(demo, prefs_path=prefs)
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


def test_the_core_stays_headless():
    """Nothing outside workbench.tui imports textual, and the core never imports the TUI."""
    code = (
        "import sys, importlib, pathlib, workbench\n"
        "root = pathlib.Path(workbench.__file__).parent\n"
        "for path in sorted(root.rglob('*.py')):\n"
        "    parts = path.relative_to(root.parent).with_suffix('').parts\n"
        "    if parts[1:2] != ('tui',) and parts[-1] != '__main__':\n"
        "        importlib.import_module('.'.join(p for p in parts if p != '__init__'))\n"
        "from workbench.plugins import get_plugins\n"
        "get_plugins()\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'textual'}),"
        " sorted(n for n in sys.modules if n.startswith('workbench.tui')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"


def test_without_a_terminal_the_app_says_so_and_stops():
    code = "from workbench.testing import make_desk\nfrom workbench.tui.app import run\nrun(make_desk())\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )
    assert out.returncode == 1
    assert "needs a terminal" in out.stderr
