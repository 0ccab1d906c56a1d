"""The command palette: every screen, the actions of the screen it was opened on, the
app-wide actions, and any case by its ID."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from textual import on
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

CASE_ID = re.compile(r"^\s*(?:c-?)?(\d+)\s*$", re.IGNORECASE)
MAX_CASE_HITS = 20

NOT_COMMANDS = {binding.action for binding in Screen.BINDINGS} | {"help", "command_palette"}
"""Keys every screen has (focus moves, copy) and those the palette lists once already."""

SCREENS = [
    ("queue", "Queue", "open cases, most urgent deadline first (F2)"),
    ("work", "Work: renewals and orders", "workflows as checklists (F3)"),
    ("customers", "Customers and contracts", "eligibility, quotes, the customer's cases (F4)"),
    ("plugins", "Plugins and rules", "vendor programs, versions, rule catalogues (F5)"),
    ("settings", "Settings", "desk and plugin settings (F6)"),
    ("team", "Team and workload", "agents, each one's open work; reassign a case (F7)"),
    ("reports", "Reports", "vendor and desk commitments kept, backlog by age; drill down to the cases"),
    ("inbox", "Inbox", "mail that belongs to no case yet; open a case from a message (F9)"),
]


def is_command(screen: Any, node: Any, binding: Any, enabled: bool) -> bool:
    """Whether a key of ``screen`` is something a person means to run: the screen's own
    actions (shown in the footer or not) and the footer keys of its widgets; not a
    widget's cursor keys ("Up", "Page up"), focus moves or copy."""
    if not binding.description or not enabled or binding.system or binding.action in NOT_COMMANDS:
        return False
    return node is screen or binding.show


class DeskPalette(CommandPalette):
    """Textual's command palette, where Enter waits for the search of what was typed.

    Textual searches in a worker as each key arrives. An Enter that came while that search
    still ran (a quick typist, a busy machine, a browser's keys arriving together) was lost,
    or ran the best match of what had been typed before. Here the search finishes first and
    then Enter runs the best match of the whole text, as the agent read it."""

    @on(Input.Submitted)
    async def finish_the_search(self, event: Input.Submitted) -> None:
        searching = [
            worker
            for worker in self.app.workers
            if worker.node is self and worker.group == self._GATHER_COMMANDS_GROUP and not worker.is_finished
        ]
        for worker in searching:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                continue


class DeskCommands(Provider):
    """Screens, actions and cases for the command palette."""

    def commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: Any = self.app
        found: list[tuple[str, str, Callable[[], Any]]] = [
            (f"Go to {label}", help_text, partial(app.switch_mode, mode))
            for mode, label, help_text in SCREENS
        ]
        found += [
            ("New case", "the vendor first, then its form, checked as you type", app.new_case),
            ("Sweep now", "apply the time-driven rules to every open case", self._sweep),
            ("New customer", "add a customer (validated)", partial(self._on, "customers", "add")),
            (
                "New workflow",
                "open an order, renewal or onboarding checklist",
                partial(self._on, "work", "new"),
            ),
            ("Help", "the keys of this screen and how to find everything", app.action_help),
        ]
        if app.desk is not None:
            found += [
                (
                    f"Export the desk ({fmt.upper()})",
                    f"as workbench export --format {fmt}: to Downloads (or home); in a browser, downloaded",
                    partial(app.export_desk, fmt),
                )
                for fmt in ("json", "csv")
            ]
            found += [
                (command.title, command.help, partial(app.run_plugin_command, plugin, command))
                for plugin, command in app.desk.palette_commands()
            ]
        screen = self.screen
        name = getattr(screen, "palette_name", type(screen).__name__.removesuffix("Screen"))
        for node, binding, enabled, _ in screen.active_bindings.values():
            if is_command(screen, node, binding, enabled):
                found.append(
                    (
                        f"{name}: {binding.description}",
                        f"key {app.get_key_display(binding)}",
                        partial(screen.run_action, binding.action),
                    )
                )
        return found

    def _sweep(self) -> None:
        self._on("queue", "sweep")

    def _cases_of(self, handle: str) -> None:
        app: Any = self.app

        async def go() -> None:
            await app.switch_mode("queue")
            app.screen.show_filter(f"assignee:{handle}")

        app.call_later(go)

    def _on(self, mode: str, action: str) -> None:
        app: Any = self.app

        async def go() -> None:
            await app.switch_mode(mode)
            await app.screen.run_action(action)

        app.call_later(go)

    async def discover(self) -> Hits:
        for title, help_text, command in self.commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        app: Any = self.app
        number = CASE_ID.match(query)
        if number:
            key = f"C-{number.group(1)}"
            yield Hit(
                1.0,
                f"Open case {key}",
                partial(app.open_case, key),
                help="any case by its ID, closed ones included",
            )
        matcher = self.matcher(query)
        for title, help_text, command in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
        hits = 0
        needle = query.strip().lower()
        if len(needle) < 2:
            return
        for handle, name in app.team:
            if needle in f"{handle} {name}".lower():
                yield Hit(
                    0.8,
                    f"Cases of {name} ({handle})",
                    partial(self._cases_of, handle),
                    text=f"Cases of {name} ({handle})",
                    help="the queue, filtered to this agent's open cases",
                )
        for case_id, subject, customer, assignee in app.case_index:
            text = f"{case_id} {subject} · {customer}" + (f" · {assignee}" if assignee else "")
            if needle in text.lower():
                yield Hit(
                    0.5,
                    matcher.highlight(text) if matcher.match(text) else text,
                    partial(app.open_case, case_id),
                    text=text,
                    help="open case",
                )
                hits += 1
                if hits >= MAX_CASE_HITS:
                    return
