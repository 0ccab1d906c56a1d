"""Dialogs: a form that the desk checks (live, where it can) and saves, a help page, the
sweep report. A dialog that the desk refuses stays open and says which rule and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Label, Static, TextArea

from workbench.desk import BadInput, Invalid, SweepReport
from workbench.model import Decision, Field, Finding
from workbench.tui.format import Markup, error_title_and_text, escape
from workbench.tui.widgets.form import Form
from workbench.tui.widgets.keybar import KeyBar

LiveAnswer = list[Finding] | Decision | str | None
"""What a live check answers: findings, a decision, or a line of text."""


def findings_markup(findings: list[Finding]) -> str:
    return "\n".join(Markup(UTC).findings(findings))  # a finding carries no time


def decision_markup(decision: Decision, tz: tzinfo) -> str:
    return Markup(tz).decision(decision)


class ConfirmScreen(ModalScreen[bool]):
    """A question before something that cannot be taken back: y (or the button) goes on,
    n or Esc does not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__(classes="-confirm")
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(escape(self.title_text), id="dialog-title")
            yield Static(self.text, id="confirm-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes", compact=True)
                yield Button("No (n)", variant="primary", id="no", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


def confirm(app: Any, title: str, text: str, yes: str, then: Callable[[], Any]) -> None:
    """Ask ``title`` / ``text``; run ``then`` only when the answer is yes."""
    app.push_screen(ConfirmScreen(title, text, yes), lambda answer: then() if answer else None)


class FormDialog(ModalScreen[Any]):
    """A titled form; ``submit(values)`` runs in a worker and its result dismisses the
    dialog. ``live(values)``, when given, is asked as the user types (findings or a decision)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
        Binding("ctrl+o", "editor", "$EDITOR"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[Field],
        submit: Callable[[dict[str, Any]], Any],
        *,
        intro: str = "",
        values: dict[str, Any] | None = None,
        live: Callable[[dict[str, Any]], LiveAnswer] | None = None,
        submit_label: str = "Save",
        wide: bool = False,
    ) -> None:
        super().__init__(classes="-wide" if wide else "")
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.intro = intro
        self.values = values
        self.live = live
        self.submit_label = submit_label
        self._debounce: Timer | None = None
        self._typed_from: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(escape(self.title_text), id="dialog-title")
            if self.intro:
                yield Static(self.intro, id="dialog-intro")
            yield Static("", id="dialog-error")
            with VerticalScroll(id="dialog-body"):
                yield Form(self.fields, self.values, id="dialog-form")
            yield Static("", id="dialog-live")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.submit_label, variant="primary", id="submit", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#dialog-live").display = self.live is not None
        self.query_one("#dialog-error").display = False
        form = self.query_one(Form)
        self._typed_from = form.raw()
        if form.fields:
            form.focus_field(form.fields[0].name)
        if self.live:
            self._check_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "editor":
            return isinstance(self.focused, TextArea)
        return True

    @on(Form.Changed)
    def _changed(self) -> None:
        if self.live is None:
            return
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.25, self._check_now)

    def _check_now(self) -> None:
        self.check(self.query_one(Form).values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="live")
    def check(self, values: dict[str, Any]) -> None:
        try:
            with self.app.desk_lock:  # type: ignore[attr-defined]
                answer = self.live(values) if self.live else None
        except Exception as error:
            self.app.call_from_thread(self._show_live_error, error)
            return
        self.app.call_from_thread(self._show_live, answer)

    def _show_live(self, answer: LiveAnswer) -> None:
        live = self.query_one("#dialog-live", Static)
        form = self.query_one(Form)
        if isinstance(answer, Decision):
            live.update(decision_markup(answer, self.app.timezone))  # type: ignore[attr-defined]
            form.show_findings([])
        elif isinstance(answer, list):
            live.update(findings_markup(answer))
            form.show_findings(answer)
        else:
            live.update(escape(answer or ""))

    def _show_live_error(self, error: Exception) -> None:
        title, text = error_title_and_text(error, self.app.timezone)  # type: ignore[attr-defined]
        self.query_one("#dialog-live", Static).update(f"[$text-error]✗ {escape(title)}:[/] {escape(text)}")
        if isinstance(error, BadInput):
            self.query_one(Form).show_findings([], {error.field: error.problem})

    @property
    def typed(self) -> bool:
        """Whether anything was typed or chosen since the dialog opened."""
        return self.query_one(Form).raw() != self._typed_from

    def ask_before_leaving(self, go: Callable[[], Any]) -> None:
        """Leave at once when nothing was typed; otherwise ask before discarding it."""
        if not self.typed:
            go()
            return
        confirm(self.app, "Discard what you typed?", escape(self.title_text), "Discard", go)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.ask_before_leaving(lambda: self.dismiss(None))

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        self.save(self.query_one(Form).values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, values: dict[str, Any]) -> None:
        try:
            with self.app.desk_lock:  # type: ignore[attr-defined]
                result = self.submit(values)
        except Exception as error:
            self.app.call_from_thread(self.refused, error)
            return
        self.app.call_from_thread(self.dismiss, result)

    def refused(self, error: Exception) -> None:
        """Say why the desk would not save, on the dialog and in a notification."""
        title, text = error_title_and_text(error, self.app.timezone)  # type: ignore[attr-defined]
        box = self.query_one("#dialog-error", Static)
        box.display = True
        box.update(f"[b]{escape(title)}[/b]\n{escape(text)}")
        form = self.query_one(Form)
        if isinstance(error, Invalid):
            form.show_findings(error.findings)
        elif isinstance(error, BadInput) and (form.has_field(error.field) or len(form.fields) == 1):
            name = error.field if form.has_field(error.field) else form.fields[0].name
            form.show_findings([], {name: error.problem})
            form.focus_field(name)
        self.app.notify(text, title=title, severity="error", timeout=8)

    def action_editor(self) -> None:
        area = self.focused
        if isinstance(area, TextArea):
            text = self.app.edit_in_editor(area.text)  # type: ignore[attr-defined]
            if text is not None:
                area.load_text(text)


class HelpScreen(ModalScreen[None]):
    """Keys of the screen underneath, the app's keys, and how to find everything else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], about: str) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Label(f"Help — {escape(self.title_text)}", id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                width = max((len(k) for k, _ in self.keys), default=4)
                lines = [f"[b $text-accent]{escape(k.rjust(width))}[/]  {escape(d)}" for k, d in self.keys]
                yield Static("\n".join(lines), id="help-keys")
                yield Static(self.about, id="help-about")
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield KeyBar()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """A page of text to read (and select with the mouse to copy)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="-wide")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(escape(self.title_text), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield Static(self.text, markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield KeyBar()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class MailPreviewScreen(ModalScreen[bool]):
    """An e-mail composed from a case, shown as it will go out (headers, the rule it is composed
    under, its text) before it is sent: y (or Send) sends it, n or Esc does not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Send"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, title: str, preview: str, where: str) -> None:
        super().__init__(classes="-wide")
        self.title_text = title
        self.preview = preview
        """The message as text (control characters already made visible)."""
        self.where = where
        """Where it goes: the SMTP server, or the .eml file it is written to."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(escape(self.title_text), id="dialog-title")
            yield Static(escape(self.where[:1].upper() + self.where[1:]), id="dialog-intro")
            with VerticalScroll(id="dialog-body"):
                yield Static(self.preview, markup=False, id="mail-preview")
            with Horizontal(id="dialog-buttons"):
                yield Button("Send (y)", variant="primary", id="yes", compact=True)
                yield Button("Cancel (n)", id="no", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class SweepReportScreen(ModalScreen[None]):
    """What one sweep changed, each line with its rule and reason."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, report: SweepReport, tz: tzinfo) -> None:
        super().__init__(classes="-wide")
        self.report = report
        self.tz = tz
        """The desk's time zone: every time is shown in it."""

    def compose(self) -> ComposeResult:
        lines = Markup(self.tz).sweep(self.report)
        with Vertical(id="dialog"):
            yield Label("Sweep report", id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield Static("\n".join(lines))
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield KeyBar()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
