"""The Inbox: the mail the desk took in that belongs to no case yet (issue #21). The highlighted
message is shown below the list, escaped; ``o`` opens a case from it (the vendor's form filled
from the message), ``d`` sets it aside, ``p`` polls the mailbox now, ``a`` shows every message
the desk took, on a case or not."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from workbench.model import Mail
from workbench.tui.format import CellText, Markup
from workbench.tui.screens.base import DeskScreen
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

COLUMNS = [
    Column("id", "Mail", 6),
    Column("received", "Received", 16),
    Column("from", "From", 18, most=32),
    Column("subject", "Subject", flex=True),
    Column("where", "Where", 10),
]


class InboxScreen(DeskScreen):
    """Messages waiting for a case, the highlighted one in full (palette: Go to Inbox, F9)."""

    CSS_PATH = "inbox.tcss"
    SECTION = "inbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_case", "Open a case (Enter)"),
        Binding("d", "dismiss", "Set aside"),
        Binding("p", "poll", "Poll mail"),
        Binding("a", "everything", "All / Inbox"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.everything = False
        self.messages: dict[str, Mail] = {}

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Label("", id="inbox-status", classes="status")
        yield VirtualTable(COLUMNS, select_label="", empty="The Inbox is empty.", id="inbox")
        with VerticalScroll(id="inbox-reader"):
            yield Static("", id="inbox-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#inbox-reader").border_title = "Message"
        self.query_one("#inbox").focus()
        self.wb.desk_changed.subscribe(self, lambda change: self.load())
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox")
    def load(self) -> None:
        found = self.ask(self.desk.inbox, self.everything)
        self.back(self.show, found)

    def show(self, found: list[Mail]) -> None:
        self.messages = {m.id: m for m in found}
        words = CellText(self.wb.timezone)
        where = {"filed": lambda m: m.case, "dismissed": lambda m: "set aside"}
        rows = [
            Row(
                m.id,
                [
                    (m.id, "bold"),
                    words.time(m.received_at),
                    words.data(m.sender or "?"),
                    words.data(m.subject or "(no subject)"),
                    (where.get(m.state, lambda m: "Inbox")(m), "dim"),
                ],
            )
            for m in found
        ]
        table = self.query_one("#inbox", VirtualTable)
        table.set_rows(rows)
        waiting = sum(1 for m in found if m.state == "inbox")
        shown = "every message taken" if self.everything else "the Inbox"
        self.query_one("#inbox-status", Label).update(f"{waiting} waiting for a case · showing {shown}")
        self._show_message()

    def _show_message(self) -> None:
        key = self.query_one("#inbox", VirtualTable).cursor_key
        message = self.messages.get(key or "")
        text = "\n".join(Markup(self.wb.timezone).mail(message)) if message else ""
        self.query_one("#inbox-message", Static).update(text)

    @on(VirtualTable.Highlighted, "#inbox")
    def _highlighted(self) -> None:
        self._show_message()

    @on(VirtualTable.Selected, "#inbox")
    def _selected(self) -> None:
        self.action_open_case()

    def _current(self) -> Mail | None:
        key = self.query_one("#inbox", VirtualTable).cursor_key
        return self.messages.get(key or "")

    def action_open_case(self) -> None:
        message = self._current()
        if message is None:
            return
        if message.state != "inbox":
            if message.case:
                self.wb.open_case(message.case)
            return
        self.prefill(message.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-open")
    def prefill(self, key: str) -> None:
        found = self.ask(self.desk.mail_prefill, key)
        self.back(self._new_case, key, found.customer_id, found.subject)

    def _new_case(self, key: str, customer_id: str, subject: str) -> None:
        from workbench.tui.screens.new_case import NewCaseScreen

        self.app.push_screen(
            NewCaseScreen(section=self.section, customer_id=customer_id or None, mail=key, subject=subject)
        )

    def action_dismiss(self) -> None:
        message = self._current()
        if message is not None and message.state == "inbox":
            self.act(f"{message.id} set aside", self.desk.dismiss_mail, message.id)

    def action_everything(self) -> None:
        self.everything = not self.everything
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-poll")
    def action_poll(self) -> None:
        from workbench.mail.poll import poll

        try:
            report = self.change(poll, self.desk)
        except Exception as error:
            self.back(self.wb.report_error, error)
            return
        taken = len(report.taken)
        inbox = sum(1 for m in report.taken if m.state == "inbox")
        text = f"{taken} new message{'s' if taken != 1 else ''} ({inbox} to the Inbox)"
        if report.failed:
            text += " · " + "; ".join(report.failed)
        severity = "warning" if report.failed else "information"
        self.back(lambda: self.app.notify(text, title="Mail polled", severity=severity, markup=False))
        self.back(self.wb.desk_changed.publish, ("mail", None))
