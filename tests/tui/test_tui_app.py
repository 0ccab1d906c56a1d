"""Across the app: the command palette, help, themes remembered, screen keys, the
headless core, and the entry point without a terminal or with a damaged desk."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Select

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.customers import CustomersScreen
from workbench.tui.screens.dialogs import HelpScreen
from workbench.tui.screens.plugins import PluginsScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.settings import SettingsScreen
from workbench.tui.screens.workflows import WorkflowsScreen
from workbench.tui.widgets.table import VirtualTable

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


async def test_each_screen_brings_its_own_rules_when_first_shown(app, wait):
    """The start parses and applies the rules of the queue, a case and the dialogs only;
    every other screen's file (its CSS_PATH) is read when the screen is first shown, and
    then lays it out as before."""
    screens = {
        "f3": ("workflows.tcss", "#work-side", 54),
        "f4": ("customers.tcss", "#customer-list", 46),
        "f5": ("plugins.tcss", "#plugins-left", 52),
    }

    def rules_for(selector: str) -> list[str]:
        return [r.selectors for r in app.stylesheet.rules if selector in r.selectors]

    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        read = {Path(path).name for path, _ in app.stylesheet.source}
        assert "workbench.tcss" in read
        for key, (file, selector, width) in screens.items():
            assert file not in read and not rules_for(selector), f"{selector} is not parsed at start"
            await pilot.press(key)
            await wait(pilot)
            assert file in {Path(path).name for path, _ in app.stylesheet.source}
            assert app.screen.query_one(selector).size.width == width


async def test_help_lists_the_keys_of_the_screen(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["n"] == "New case" and keys["S"] == "Sweep"
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_help_on_a_small_terminal_starts_with_what_the_screen_does(app, demo, wait):
    """At 80x24 the case's help shows its actions (note, escalate) in its first rows, not the
    scrolling keys of the panel that has the focus, and names every screen of the top bar once."""
    case = next(c for c in demo.cases(open_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        app.open_case(case.id)
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = [description for _, description in app.screen.keys]
        assert "Scroll Up" in described, "the panel's keys are still listed"
        assert described.index("Note") < described.index("Escalate") < described.index("Scroll Up")
        assert ("f8", "Reports") in app.screen.keys and ("f2", "Queue") in app.screen.keys
        assert all(described.count(screen) == 1 for screen in ("Queue", "Reports", "Inbox"))


async def test_an_empty_desk_says_how_to_start(desk, tmp_path, wait):
    """A new desk's queue says how to open the first case, not that nothing matches, and New
    case says where the customer it needs is added."""
    app = WorkbenchApp(desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        assert isinstance(app.screen, QueueScreen)
        shown = app.screen.query_one(VirtualTable).empty
        assert "n opens one" in shown and "F4 Customers" in shown
        await pilot.press("n")
        await wait(pilot)
        assert type(app.screen).__name__ == "NewCaseScreen"
        customer = app.screen.query_one("#customer", Select)
        assert customer.prompt == "No customer yet (F4 adds)"


async def test_a_filter_nothing_matches_says_so(app, wait):
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        await pilot.press("slash", *"zzzz")
        await wait(pilot, typed=True)
        table = app.screen.query_one(VirtualTable)
        assert table.row_count == 0 and table.empty == "No open case matches."


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


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_without_a_terminal_the_app_says_so_and_stops(tmp_path, as_json):
    """`workbench` in a script: a message, exit 1, no traceback; with --json one JSON document."""
    env = {**os.environ, "WORKBENCH_DB": str(tmp_path / "desk.json")}
    command = [sys.executable, "-m", "workbench", *(["--json"] if as_json else [])]
    out = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=60
    )
    assert out.returncode == 1
    assert "workbench: the desk needs a terminal" in out.stderr and "Traceback" not in out.stderr
    if as_json:
        assert "needs a terminal" in json.loads(out.stdout)["error"]["message"]
    else:
        assert out.stdout == ""


def test_a_damaged_desk_is_said_in_words_after_the_first_frame(tmp_path):
    """``workbench`` draws its first frame before the desk is read; a desk that cannot be
    opened ends the app, and the reason is printed on the restored terminal, exit 1, no
    traceback."""
    desk = tmp_path / "desk.json"
    desk.write_text('{"users": [1, 2]}')
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "--db", str(desk)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    try:
        while process.poll() is None or select.select([master], [], [], 0)[0]:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    output += os.read(master, 1 << 16)
                except OSError:  # the other end closed
                    break
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    text = output.decode(errors="replace")
    assert process.returncode == 1
    assert f"workbench: {desk}" in text and "not a Case Workbench desk" in text
    assert "Traceback" not in text


async def palette_titles(pilot) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    options = palette.query_one("CommandList")
    titles = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
    await pilot.press("escape")
    return titles


async def test_the_palette_lists_only_commands_a_user_means_to_run(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        titles = await palette_titles(pilot)
        assert "Queue: New case" in titles and "Queue: Sweep" in titles and "Sweep now" in titles
        for noise in ("Queue: Up", "Queue: Page up", "Queue: Focus Next", "Copy selected text"):
            assert not any(noise in t for t in titles), noise
        assert len(titles) == len(set(titles)), "no command twice"
        await pilot.press("n")
        await wait(pilot)
        titles = await palette_titles(pilot)
        assert "NewCase: Save case" in titles
        assert not any("Cursor" in t for t in titles)


async def test_a_screenshot_goes_to_a_folder_that_exists_and_says_where(app, tmp_path, monkeypatch, wait):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("ctrl+p", *"screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        saved = list(tmp_path.glob("*.svg"))
        assert len(saved) == 1, "no Downloads folder: saved in the home folder"
        note = next(n for n in app._notifications if n.title == "Screenshot saved")
        assert note.message == str(saved[0])


async def test_the_export_commands_write_what_workbench_export_writes(
    app, tmp_path, monkeypatch, wait, run_cli
):
    """Issue #23: the desk's export from the palette, in a terminal, lands in the
    screenshot's folder (here the home folder: no Downloads) and says where; the JSON is
    lossless (CORE-AUDIT-1: an import into a new desk exports the same bytes) and the CSV
    is the CLI's one row per case."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        for fmt in ("json", "csv"):
            await pilot.press("ctrl+p", *f"export the desk ({fmt})", "enter")
            await wait(pilot)
    written = {path.suffix: path for path in tmp_path.glob("workbench-export-*")}
    assert sorted(written) == [".csv", ".json"]
    said = [n.message for n in app._notifications if n.title == "Export written"]
    assert sorted(said) == sorted(str(path) for path in written.values())

    status, out, err = run_cli("import", str(written[".json"]))
    assert status == 0, err
    assert "imported" in out
    monkeypatch.setenv("WORKBENCH_AGENT", "emma")  # an agent of the imported demo desk
    status, _, err = run_cli("export", "-o", str(tmp_path / "cli.json"))
    assert status == 0, err
    assert (tmp_path / "cli.json").read_bytes() == written[".json"].read_bytes()
    status, _, err = run_cli("export", "--format", "csv", "-o", str(tmp_path / "cli.csv"))
    assert status == 0, err
    assert (tmp_path / "cli.csv").read_bytes() == written[".csv"].read_bytes()


@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_enter_while_the_palette_still_searches_runs_the_best_match_of_all_typed(
    app, tmp_path, monkeypatch, wait, fmt
):
    """A quick typist's Enter (or a browser's keys arriving together, or a busy machine)
    lands while the palette still searches for what was typed: it runs the best match of
    the whole text, not nothing and not a match of the text typed so far. The search is
    slowed here as a loaded machine slows it."""
    from workbench.tui.commands import DeskCommands

    search = DeskCommands.search

    async def slowly(self, query):
        async for hit in search(self, query):
            await asyncio.sleep(0.02)
            yield hit

    monkeypatch.setattr(DeskCommands, "search", slowly)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    names = {" ": "space", "(": "left_parenthesis", ")": "right_parenthesis"}
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("ctrl+p")
        await wait(pilot)
        for character in f"export the desk ({fmt})":  # all at once, as a burst arrives
            app.post_message(events.Key(names.get(character, character), character))
        app.post_message(events.Key("enter", "\r"))
        await wait(pilot)
    assert [path.suffix for path in tmp_path.glob("workbench-export-*")] == [f".{fmt}"]


async def test_a_dialog_shows_its_own_keys_in_the_footer(app, demo, wait):
    from workbench.tui.widgets.keybar import KeyBar

    case = demo.cases(open_only=True)[0]
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        app.open_case(case.id)
        await wait(pilot)
        await pilot.press("n")
        await wait(pilot)
        dialog = app.screen
        shown = {description for _, description, _, _ in dialog.query_one(KeyBar).entries()}
        assert {"Cancel", "Save"} <= shown
        assert not shown & {"Pending", "Resolve", "Escalate"}, "not the case screen's keys"
        bars = [bar for bar in app.screen.query(KeyBar) if bar.region.height]
        assert bars and bars[0].region.y == SIZE[1] - 1
