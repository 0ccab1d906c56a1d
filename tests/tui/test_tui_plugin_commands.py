"""Plugins add commands to the command palette: chosen, each runs on the desk and shows its
text; one that fails is named, and the desk carries on."""

from __future__ import annotations

from textual.command import CommandPalette

from workbench import hookimpl
from workbench.model import PaletteCommand
from workbench.testing import make_desk
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


class AcmeCommands:
    @hookimpl
    def workbench_palette_commands(self, desk):
        return [
            PaletteCommand(
                "Acme: count open cases",
                "how many cases are open on the desk",
                lambda desk: f"{len(desk.cases(open_only=True))} open cases",
            ),
            PaletteCommand("Acme: break", "a command that fails", lambda desk: 1 / 0),
        ]


async def run_from_palette(pilot, app, wait, words: str) -> None:
    await pilot.press("ctrl+p")
    await wait(pilot)
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await wait(pilot)


async def test_hook_workbench_palette_commands(wait, clock):
    desk = make_desk([("acme_commands", AcmeCommands())])
    desk.fill_demo()
    opened = len(desk.cases(open_only=True))
    app = WorkbenchApp(desk, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await run_from_palette(pilot, app, wait, "Acme: count")
        assert [n.message for n in app._notifications] == [f"{opened} open cases"]
        await run_from_palette(pilot, app, wait, "Acme: break")
        messages = [n.message for n in app._notifications]
        assert "plugin acme_commands failed in 'Acme: break': ZeroDivisionError: division by zero" in messages
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin acme_commands failed in hook workbench_palette_commands: ZeroDivisionError: division by zero"
    ]
