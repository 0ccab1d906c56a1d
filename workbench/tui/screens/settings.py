"""Settings: the desk's and every plugin's, each edited with the desk's validation."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from workbench.desk import SettingView
from workbench.model import Field
from workbench.tui.format import escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import FormDialog, confirm
from workbench.tui.widgets.form import shown_value
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

COLUMNS = [
    Column("key", "Setting", 32),
    Column("value", "Value", 22),
    Column("program", "Program", 9),
    Column("rule", "Rule", 16),
    Column("help", "What it does", flex=True),
]


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shown_value(value) or "—"


class SettingsScreen(DeskScreen):
    """Every setting with its value, default, help and rule."""

    CSS_PATH = "settings.tcss"
    SECTION = "settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", show=False),
        Binding("u", "default", "Reset to default"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "leave_filter", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.settings: list[SettingView] = []

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Input(placeholder="filter settings: key, program or words", id="settings-filter", compact=True)
        yield VirtualTable(COLUMNS, select_label="Edit", id="settings")
        yield Static(id="setting", classes="box")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#setting").border_title = "Setting"
        self.query_one("#settings").focus()
        self.wb.desk_changed.subscribe(self, lambda change: self.load())
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def load(self) -> None:
        self.back(self.show, self.ask(self.desk.settings))

    def show(self, settings: list[SettingView]) -> None:
        self.settings = sorted(settings, key=lambda s: (s.program != "core", s.program, s.key))
        self.apply_filter()

    def apply_filter(self) -> None:
        words = self.query_one("#settings-filter", Input).value.lower().split()
        rows = []
        for s in self.settings:
            if not all(w in f"{s.key} {s.program} {s.help} {s.rule or ''}".lower() for w in words):
                continue
            changed = s.value != s.default
            rows.append(
                Row(
                    s.key,
                    [
                        (s.key, "bold" if changed else ""),
                        (shown(s.value), "info" if changed else ""),
                        s.program,
                        (s.rule or "", "info"),
                        s.help,
                    ],
                )
            )
        self.query_one("#settings", VirtualTable).set_rows(rows)
        self._describe()

    def _current(self) -> SettingView | None:
        key = self.query_one("#settings", VirtualTable).cursor_key
        return next((s for s in self.settings if s.key == key), None)

    def _describe(self) -> None:
        setting = self._current()
        box = self.query_one("#setting", Static)
        if setting is None:
            box.update("")
            return
        choices = f" · one of: {escape(', '.join(setting.choices))}" if setting.choices else ""
        box.update(
            f"[b]{setting.key}[/b] ({setting.kind}{choices}) — {escape(setting.help)}\n"
            f"value [b]{escape(shown(setting.value))}[/b] · default {escape(shown(setting.default))}"
            f" · from {setting.program}{' · rule ' + setting.rule if setting.rule else ''}"
        )

    @on(VirtualTable.Highlighted, "#settings")
    def _highlighted(self) -> None:
        self._describe()

    @on(VirtualTable.Selected, "#settings")
    def _selected(self) -> None:
        self.action_edit()

    @on(Input.Changed, "#settings-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#settings-filter")
    def _filter_done(self) -> None:
        self.query_one("#settings").focus()

    def action_filter(self) -> None:
        self.query_one("#settings-filter").focus()

    def action_leave_filter(self) -> None:
        self.query_one("#settings").focus()

    def action_edit(self) -> None:
        setting = self._current()
        if setting is None:
            return
        kind = setting.kind
        field = Field(
            "value",
            setting.key,
            kind,
            required=kind not in ("list", "text"),
            choices=setting.choices,
            help=setting.help,
            rule=setting.rule,
        )

        def submit(values: dict[str, Any]) -> SettingView:
            return self.desk.set_setting(setting.key, values.get("value", ""))

        def finished(result: SettingView | None) -> None:
            if result is not None:
                self.wb.changed(result, f"{result.key} = {shown(result.value)}")

        self.app.push_screen(
            FormDialog(
                f"Setting {setting.key}",
                [field],
                submit,
                values={"value": setting.value},
                intro=f"default: {escape(shown(setting.default))}",
            ),
            finished,
        )

    def action_default(self) -> None:
        setting = self._current()
        if setting is None:
            return
        if setting.value == setting.default:
            self.app.notify(f"{setting.key} already has its default value.", markup=False)
            return
        confirm(
            self.app,
            f"Reset {setting.key}?",
            f"{escape(shown(setting.value))} → {escape(shown(setting.default))} (its default)",
            "Reset",
            lambda: self.act(
                f"{setting.key} back to its default", self.desk.set_setting, setting.key, setting.default
            ),
        )
