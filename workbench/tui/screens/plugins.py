"""Plugins: the installed vendor programs with their versions and searchable rule
catalogues, and every plugin that failed, with its error."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from workbench.model import VendorProgram
from workbench.plugins import PluginFailure
from workbench.tui.format import escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

PROGRAM_COLUMNS = [
    Column("id", "ID", 9),
    Column("name", "Program", flex=True),
    Column("version", "Version", 8),
    Column("rules", "Rules", 5, align="right"),
]
RULE_COLUMNS = [
    Column("id", "Rule", 16),
    Column("program", "Program", 9),
    Column("text", "What it says", flex=True),
]
ALL = "*"


class PluginsScreen(DeskScreen):
    """What the desk runs on: vendor programs, their rules, and what failed."""

    CSS_PATH = "plugins.tcss"
    SECTION = "plugins"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search rules"),
        Binding("escape", "leave_search", "Back to programs", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.programs: dict[str, VendorProgram] = {}
        self.failures: list[PluginFailure] = []
        self.packages: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield self.nav()
        with Horizontal(id="plugins"):
            with Vertical(id="plugins-left"):
                yield VirtualTable(PROGRAM_COLUMNS, select_label="Rules", id="programs")
                yield Static(id="program", classes="box")
                yield Static(id="failures", classes="box")
            with Vertical(id="plugins-right"):
                yield Input(
                    placeholder="search rules: ID or words (e.g. ESC, 24 hours)",
                    id="rule-search",
                    compact=True,
                )
                yield VirtualTable(RULE_COLUMNS, empty="No rule matches.", select_label="", id="rules")
                yield Static(id="rule", classes="box")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#program").border_title = "Program"
        self.query_one("#failures").border_title = "Failures"
        self.query_one("#rule").border_title = "Rule"
        self.query_one("#programs").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plugins")
    def load(self) -> None:
        programs = self.ask(self.desk.programs)
        plugins = self.desk.plugins
        self.back(self.show, programs, list(plugins.failures), dict(plugins.distributions))

    def show(
        self, programs: dict[str, VendorProgram], failures: list[PluginFailure], packages: dict[str, str]
    ) -> None:
        self.programs, self.failures, self.packages = programs, failures, packages
        rows = [
            Row(ALL, [("all", "dim"), "Every program", "", str(sum(len(p.rules) for p in programs.values()))])
        ]
        for program in sorted(programs.values(), key=lambda p: (p.id == "core", p.id)):
            rows.append(
                Row(
                    program.id, [(program.id, "bold"), program.name, program.version, str(len(program.rules))]
                )
            )
        for failure in failures:
            if failure.hook is None:
                rows.append(
                    Row(
                        f"!{failure.plugin}",
                        [(failure.plugin, "breached"), ("failed to load", "breached"), "", ""],
                    )
                )
        self.query_one("#programs", VirtualTable).set_rows(rows)
        text = "\n".join(f"[$text-error]✗[/] {escape(str(f))}" for f in failures)
        self.query_one("#failures", Static).update(
            text or "[$text-success]✓ Every plugin loaded and answered.[/]"
        )
        self._describe()
        self.filter_rules()

    def _selected(self) -> str:
        return self.query_one("#programs", VirtualTable).cursor_key or ALL

    def _describe(self) -> None:
        key = self._selected()
        box = self.query_one("#program", Static)
        if key.startswith("!"):
            failure = next(f for f in self.failures if f.plugin == key[1:])
            box.update(f"[$text-error]{escape(str(failure))}[/]")
            return
        program = self.programs.get(key)
        if program is None:
            box.update(
                f"{len(self.programs)} programs (the core's rules included). Choose one to see its catalogue."
            )
            return
        package = self.packages.get(program.id, "")
        lines = [
            f"[b]{escape(program.name)}[/b] {program.version}"
            f"{' · package ' + escape(package) if package else ''}"
        ]
        if program.description:
            lines.append(escape(program.description))
        for label, values in (
            ("products", program.products),
            ("case kinds", program.case_kinds),
            ("support", program.support_products),
            ("consulting", program.consulting_products),
            ("customer attributes", [f.name for f in program.customer_attributes]),
        ):
            if values:
                lines.append(f"{label}: {escape(', '.join(values))}")
        lines.append(f"{len(program.rules)} rules · {len(program.settings)} settings")
        box.update("\n".join(lines))

    def filter_rules(self) -> None:
        key = self._selected()
        words = self.query_one("#rule-search", Input).value.lower().split()
        rows = []
        for program in self.programs.values():
            if key not in (ALL, program.id):
                continue
            for rule in program.rules:
                haystack = f"{rule.id} {program.id} {rule.text}".lower()
                if all(w in haystack for w in words):
                    rows.append(Row(rule.id, [(rule.id, "info"), program.id, rule.text]))
        rows.sort(key=lambda r: r.key)
        self.query_one("#rules", VirtualTable).set_rows(rows)

    @on(VirtualTable.Highlighted, "#programs")
    def _program_changed(self) -> None:
        self._describe()
        self.filter_rules()

    @on(VirtualTable.Highlighted, "#rules")
    def _rule_changed(self, event: VirtualTable.Highlighted) -> None:
        box = self.query_one("#rule", Static)
        for program in self.programs.values():
            for rule in program.rules:
                if rule.id == event.key:
                    box.update(f"[b $text-accent]{rule.id}[/] ({escape(program.name)})\n{escape(rule.text)}")
                    return
        box.update("")

    @on(VirtualTable.Selected, "#programs")
    def _to_rules(self) -> None:
        self.query_one("#rules").focus()

    @on(Input.Changed, "#rule-search")
    def _search_changed(self) -> None:
        self.filter_rules()

    @on(Input.Submitted, "#rule-search")
    def _search_done(self) -> None:
        self.query_one("#rules").focus()

    def action_search(self) -> None:
        self.query_one("#rule-search").focus()

    def action_leave_search(self) -> None:
        self.query_one("#programs").focus()
