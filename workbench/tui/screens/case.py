"""One case: every field and answer, the route and why, both clocks, the ball, both
escalation tracks, findings and the timeline; the case's actions by key."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import ContentSwitcher, Static

from workbench.desk import EVIDENCE_KINDS, BadInput, CaseView, Stale
from workbench.documents import EVIDENCE_FORMATS, evidence_document
from workbench.model import Action, Case, Event, Field
from workbench.render import CASE_SECTIONS, duration, visible
from workbench.tui.format import CellText, Markup, escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import FormDialog, MailPreviewScreen, TextScreen
from workbench.tui.screens.team import NOBODY
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable
from workbench.tui.widgets.viewbar import ViewBar

if TYPE_CHECKING:
    from workbench.mail.compose import Composed

MAIL_TO_CUSTOMER = Field(
    "mail",
    "E-mail it to the customer's contact",
    "bool",
    default=False,
    help="With the above: shown before it goes; sent through the desk's SMTP server, or written as an "
    ".eml file for your mail program without one.",
    rule="CORE-SLA-3",
)
"""A response's or a resolution's e-mail (issue #21), composed and previewed before it goes."""

TABS = [
    ("overview", "Overview"),
    ("details", "Form & customer"),
    ("timeline", "Timeline"),
    ("clocks", "SLA evidence"),
]

TIMELINE_COLUMNS = [
    Column("at", "When", 16, priority=90),
    Column("actor", "Actor", 6, most=12, priority=40),
    Column("action", "Action", 7, most=13, priority=80),
    Column("audience", "For", 8, most=13, priority=85),
    Column("rule", "Rule", 8, most=16, priority=30),
    Column("what", "What", 20, flex=True),
]
"""Enter on a row reads it in full; 'For' tells an internal note from a message to or
from the customer or the vendor."""

CLOCK_COLUMNS = [
    Column("at", "When", 16),
    Column("deadline", "Deadline", 22),
    Column("clock", "Clock", 6),
    Column("what", "What", 9),
    Column("counted", "Counted", 8, align="right"),
    Column("calendar", "Calendar", flex=True),
    Column("rule", "Rule", 16),
]


TEXT = Field("text", "Text", "longtext", help="ctrl+o writes it in $EDITOR")


@dataclass
class CaseData:
    """What the case screen shows, fetched in one go from the desk."""

    view: CaseView
    fields: list[Field]
    actions: set[str]
    """The timeline actions the desk allows on the case in its state."""


DESK_ACTION = {
    "note": "note",
    "pending": "pending",
    "customer_reply": "reply",
    "vendor_reply": "vendor-reply",
    "send": "send",
    "escalate": "escalate",
    "owner": "escalation-owner",
    "evidence": "evidence",
    "resolve": "resolve",
    "close_case": "close",
    "reopen": "reopen",
}
"""The desk's action behind each key: a key is shown only where the desk allows it."""


AUDIENCE = {
    "note": ("internal", "dim"),
    "respond": ("to customer", "ok"),
    "reply": ("from customer", "info"),
    "pending": ("to customer", "ok"),
    "send": ("to vendor", "at-risk"),
    "vendor-reply": ("from vendor", "at-risk"),
}
"""Who saw an event's text: an internal note, or a message to or from the customer or
the vendor — told apart at a glance on the timeline."""


def event_row(event: Event, words: CellText) -> Row:
    audience, tone = AUDIENCE.get(event.action, ("", "dim"))
    return Row(
        str(event.id),
        [
            words.time(event.at),
            event.actor,
            (event.action, "bold"),
            (audience, tone),
            (event.rule or "", "info"),
            words.event_what(event),
        ],
    )


MESSAGES = ("respond", "reply", "vendor-reply", "send", "pending", "note")
"""The events that carry a message someone wrote."""


def conversation(view: CaseView, words: Markup, description_field: str) -> list[str]:
    """The case's description (its program's ``description_field``) and its last message, on
    the overview: what it is about and where it stands; the timeline (3, then Enter) reads
    every message."""
    case = view.case
    description = str(case.fields.get(description_field) or "").strip()
    lines = [words.data(description) if description else words.muted("No description.")]
    last = next((e for e in reversed(view.events) if e.action in MESSAGES and e.data.get("text")), None)
    if last is not None:
        audience = AUDIENCE.get(last.action, ("", ""))[0]
        lines += [
            "",
            words.strong(f"Last message · {words.time(last.at)} · {last.actor} · {audience}"),
            words.data(str(last.data["text"])),
        ]
    lines.append(words.muted("every message in full: 3 (timeline), then Enter"))
    return lines


def event_text(event: Event, words: CellText) -> str:
    """One event in full, to read: who, when, for whom, the rule and every word written."""
    audience = AUDIENCE.get(event.action, ("", ""))[0]
    lines = [
        f"{words.time(event.at)} · {event.actor} · {event.action}{' · ' + audience if audience else ''}",
    ]
    if event.rule or event.reason:
        lines.append(f"{event.rule} {event.reason}".strip())
    for key, value in (event.data or {}).items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, str) and "\n" in value:
            lines += ["", f"{key}:", value]
        else:
            lines.append(f"{key}: {value}")
    after = event.after or {}
    if "state" in after:
        lines.append(f"state {(event.before or {}).get('state', '?')} → {after['state']}")
    return "\n".join(lines)


class CaseScreen(DeskScreen):
    """Everything about one case, and what can be done to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "note", "Note"),
        Binding("p", "pending", "Pending"),
        Binding("c", "customer_reply", "Customer reply"),
        Binding("v", "vendor_reply", "Vendor reply"),
        Binding("s", "send", "Send"),
        Binding("r", "resolve", "Resolve"),
        Binding("o", "reopen", "Reopen"),
        Binding("t", "take", "Take"),
        Binding("A", "assign", "Assign"),
        Binding("E", "escalate", "Escalate"),
        Binding("w", "owner", "Owner"),
        Binding("a", "evidence", "Evidence"),
        Binding("x", "close_case", "Close"),
        Binding("e", "edit", "Edit"),
        Binding("P", "evidence_pack", "Evidence pack", show=False),
        Binding("1", "show_tab('overview')", "Overview", show=False),
        Binding("2", "show_tab('details')", "Form & customer", show=False),
        Binding("3", "show_tab('timeline')", "Timeline", show=False),
        Binding("4", "show_tab('clocks')", "SLA evidence", show=False),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, case_id: str, section: str | None = None) -> None:
        super().__init__(section)
        self.case_id = case_id
        self.data: CaseData | None = None
        self._clocks_loaded = False

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Static(f"[b]{self.case_id}[/b] loading…", id="case-head")
        yield ViewBar(TABS, id="case-tabs")
        with ContentSwitcher(initial="overview", id="case-pages"):
            with Horizontal(id="overview"):
                with VerticalScroll(classes="column"):
                    yield Static(id="conversation", classes="box")
                    yield Static(id="route", classes="box")
                    yield Static(id="escalation", classes="box")
                with VerticalScroll(classes="column"):
                    yield Static(id="deadlines", classes="box")
                    yield Static(id="ball", classes="box")
                    yield Static(id="automatic", classes="box")
                    yield Static(id="findings", classes="box")
            with Horizontal(id="details"):
                with VerticalScroll(classes="column"):
                    yield Static(id="answers", classes="box")
                with VerticalScroll(classes="column"):
                    yield Static(id="customer", classes="box")
            yield VirtualTable(TIMELINE_COLUMNS, empty="No events.", select_label="Read", id="timeline")
            yield VirtualTable(
                CLOCK_COLUMNS, empty="No clock has run on this case.", select_label="", id="clocks"
            )
        yield KeyBar()

    def on_mount(self) -> None:
        for key, title in CASE_SECTIONS.items():
            self.query_one(f"#{key}").border_title = title
        self.query_one("#conversation").border_title = "Conversation"
        self.query_one("#automatic").border_title = "Next automatic action"
        self.wb.desk_changed.subscribe(self, self._desk_changed)
        self.set_interval(60, self._tick)
        self.load()

    def show_case(self, case_id: str) -> None:
        """Make this (reused) screen show another case: blank first, then its data."""
        self.case_id = case_id
        self.data = None
        self.query_one("#case-head", Static).update(f"[b]{case_id}[/b] loading…")
        for key in (*CASE_SECTIONS, "conversation", "automatic"):
            self.query_one(f"#{key}", Static).update("")
        self.query_one("#timeline", VirtualTable).set_rows([])
        self.query_one("#clocks", VirtualTable).set_rows([])
        self.query_one("#case-tabs", ViewBar).active = "overview"
        self.load()

    def _tick(self) -> None:
        if self.is_current:
            self.load()

    @on(VirtualTable.Selected, "#timeline")
    def _read_event(self, event: VirtualTable.Selected) -> None:
        """Enter on a timeline row: the note, reply or vendor answer in full."""
        if self.data is None:
            return
        found = next((e for e in self.data.view.events if str(e.id) == event.key), None)
        if found is not None:
            words = CellText(self.wb.timezone, self.desk.now())
            title = f"{self.case_id} — {found.action} {AUDIENCE.get(found.action, ('', ''))[0]}".strip()
            self.app.push_screen(TextScreen(title, event_text(found, words)))

    def _desk_changed(self, change: tuple[str, Any]) -> None:
        kind, record = change
        if kind in ("cases", "sweep", "desk", "clock") and (
            not isinstance(record, Case) or record.id == self.case_id
        ):
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def load(self) -> None:
        try:
            view = self.ask(self.desk.view, self.case_id)
            fields = self.ask(self.desk.case_fields, view.case.vendor)
            actions = self.ask(self.desk.case_actions, view.case)
        except Exception as error:
            self.back(self.wb.report_error, error)
            self.back(self.dismiss_if_missing)
            return
        self.back(self.show, CaseData(view, fields, actions))

    def dismiss_if_missing(self) -> None:
        if self.data is None and self.is_current:
            self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="automatic")
    def load_automatic(self, case: Case) -> None:
        """When the rules will next act on the case by themselves (after it is drawn: the
        rules are asked hour by hour, up to two weeks ahead)."""
        self.back(self._show_automatic, case.id, self.ask(self.desk.next_automatic, case))

    def _show_automatic(self, key: str, found: tuple[datetime, Action] | None) -> None:
        if key != self.case_id:
            return
        words = Markup(self.wb.timezone, self.desk.now(), self.wb.locale)
        box = self.query_one("#automatic", Static)
        if found is None:
            box.update(words.muted("Nothing within two weeks: no reminder or automatic close is due."))
            return
        at, action = found
        when = "now (the next sweep)" if at <= self.desk.now() else words.time(at)
        box.update(
            f"{words.strong(action.kind)} {when} {words.accent(action.rule)}\n{words.data(action.reason)}"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only what can be done to the case in its state is offered (a closed case offers
        a customer reply and reopening, not escalation or sending; a case already yours is
        not offered to take). The keys are in the order they give way in a narrow key bar:
        the conversation, resolving and who owns the case stay longest."""
        if action == "take" and self.data is not None:
            return self.data.view.case.assignee != self.desk.actor
        needed = DESK_ACTION.get(action)
        if needed is None or self.data is None:
            return True
        if action == "owner" and not self.data.view.case.escalations:
            return False
        return needed in self.data.actions

    def description_field(self, vendor: str) -> str:
        program = self.desk.programs().get(vendor)
        return program.description_field if program else "description"

    def show(self, data: CaseData) -> None:
        """Draw the case (called on the UI thread once the desk answered)."""
        self.data = data
        self.refresh_bindings()
        self.load_automatic(data.view.case)
        view, tz, now = data.view, self.wb.timezone, self.desk.now()
        words = Markup(tz, now, self.wb.locale)
        sections = {
            "case-head": words.case_head(view),
            "conversation": conversation(view, words, self.description_field(view.case.vendor)),
            "route": words.route(view.route),
            "ball": words.ball(view),
            "deadlines": words.deadlines(view.deadlines),
            "escalation": words.escalation(view),
            "findings": words.findings(view.findings),
            "answers": words.answers(view.case, data.fields),
            "customer": words.customer(view),
        }
        for key, lines in sections.items():
            self.query_one(f"#{key}", Static).update("\n".join(lines))
        cells = CellText(tz, now)
        rows = [event_row(e, cells) for e in reversed(view.events)]
        self.query_one("#timeline", VirtualTable).set_rows(rows)
        self._clocks_loaded = False
        if self.query_one(ContentSwitcher).current == "clocks":
            self.load_clocks()

    @work(thread=True, exclusive=True, exit_on_error=False, group="clocks")
    def load_clocks(self) -> None:
        entries = self.ask(self.desk.timeline, self.case_id)
        self.back(self._show_clocks, entries)

    def _show_clocks(self, entries: list[dict[str, Any]]) -> None:
        words = CellText(self.wb.timezone)
        tones = {"breach": "breached", "met-late": "at-risk", "met": "ok", "pause": "dim"}
        rows = [
            Row(
                str(i),
                [
                    words.time(e["at"]),
                    e["deadline"],
                    e["clock"],
                    (e["what"], tones.get(e["what"], "")),
                    duration(e["counted_minutes"]),
                    e["calendar"],
                    (e["rule"], "info"),
                ],
            )
            for i, e in enumerate(entries)
        ]
        self.query_one("#clocks", VirtualTable).set_rows(rows)
        self._clocks_loaded = True

    # -- tabs ---------------------------------------------------------------------------------

    @on(ViewBar.Changed, "#case-tabs")
    def _tab_changed(self, event: ViewBar.Changed) -> None:
        self.query_one(ContentSwitcher).current = event.view
        if event.view == "clocks" and not self._clocks_loaded:
            self.load_clocks()
        if event.view in ("timeline", "clocks"):
            self.query_one(f"#{event.view}").focus()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#case-tabs", ViewBar).active = tab

    def action_tab(self, delta: int) -> None:
        self.query_one("#case-tabs", ViewBar).step(delta)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- actions -----------------------------------------------------------------------------

    def _dialog(
        self, title: str, fields: list[Field], submit: Any, intro: str = "", done: str = "", **options: Any
    ) -> None:
        def finished(result: Any) -> None:
            if isinstance(result, tuple):  # an e-mail composed: shown before anything changes
                self._preview_mail(*result)
            elif result is not None:
                self.wb.changed(result, done or title)

        dialog = FormDialog(title, fields, self._on_view(submit), intro=intro, **options)
        self.app.push_screen(dialog, finished)

    def _composed(self, purpose: str, text: str) -> tuple[Composed, Path | None, str]:
        """The case's e-mail of ``purpose`` and where it would go (from a dialog's worker)."""
        from workbench.mail.compose import compose
        from workbench.mail.outbound import destination

        composed = compose(self.desk, self.case_id, purpose, text)
        return (composed, *destination(self.desk, composed))

    def _on_view(self, submit: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        """``submit`` made on the case as this screen shows it now: refused (CORE-AUDIT-1)
        if another agent changes the case before it is saved, and the case is read again."""
        key, version = self.case_id, self.data.view.version if self.data else None

        def on_view(values: dict[str, Any]) -> Any:
            if version is None:
                return submit(values)
            try:
                with self.desk.viewing("cases", key, version):
                    return submit(values)
            except Stale:
                self.app.call_from_thread(self.load)
                raise

        return on_view

    def _text_action(
        self, title: str, intro: str, call: Any, required: bool = False, extra: list[Field] | None = None
    ) -> None:
        text = Field("text", "Text", "longtext", required=required, help=TEXT.help)
        key = self.case_id

        def submit(values: dict[str, Any]) -> Case:
            text_value = values.pop("text", "")
            return call(key, text_value, **values)

        self._dialog(
            f"{title} — {key}", [text, *(extra or [])], submit, intro, done=f"{key}: {title.lower()} recorded"
        )

    def action_note(self) -> None:
        key = self.case_id
        fields = [
            Field("text", "Note", "longtext", required=True, help=TEXT.help),
            Field(
                "to_customer",
                "Send it to the customer as a response",
                "bool",
                default=False,
                help="A response meets the desk's first-response and update commitments.",
                rule="CORE-SLA-3",
            ),
            MAIL_TO_CUSTOMER,
        ]

        def submit(values: dict[str, Any]) -> Any:
            text, to_customer = values.get("text", ""), bool(values.get("to_customer"))
            if values.get("mail"):
                if not to_customer:
                    raise BadInput("mail", "only a response to the customer is e-mailed")
                return self._composed("response", text)
            return self.desk.note(key, text, to_customer=to_customer)

        self._dialog(f"Note — {key}", fields, submit, done=f"{key}: note added")

    def action_pending(self) -> None:
        self._text_action(
            "Pending on the customer",
            "Waiting on the customer: clocks that honour pauses stop (CORE-SLA-3).",
            self.desk.pending,
        )

    def action_customer_reply(self) -> None:
        self._text_action(
            "Customer reply", "The customer answered: a pending case resumes.", self.desk.customer_reply
        )

    def action_vendor_reply(self) -> None:
        meets = self.desk.vendor_milestones(self.data.view.case) if self.data else {}
        named = "; ".join(f"{milestone}: {', '.join(names)}" for milestone, names in meets.items())
        milestone = Field(
            "milestone",
            "Milestone",
            "text",
            help=named or "no deadline of this case is met by a named milestone; a label is kept",
        )
        self._text_action(
            "Vendor reply",
            "The vendor answered: the ball is back with the desk.",
            self.desk.vendor_reply,
            extra=[milestone],
        )

    def action_send(self) -> None:
        """Send the case to the vendor; with "E-mail it", the vendor's request is composed from
        the case and shown before it goes (:meth:`_preview_mail`)."""
        key = self.case_id
        fields = [
            Field("text", "Text", "longtext", help=TEXT.help),
            Field(
                "mail",
                "E-mail the vendor's request, composed from the case",
                "bool",
                default=False,
                help="Shown before it goes; sent through the desk's SMTP server (mail.smtp_host), or "
                "written as an .eml file for your mail program without one.",
            ),
        ]

        def submit(values: dict[str, Any]) -> Any:
            if values.get("mail"):
                return self._composed("vendor", values.get("text") or "")
            return self.desk.send_to_vendor(key, values.get("text") or "")

        intro = "The ball goes to the vendor and the vendor's clocks start (CORE-SLA-4)."
        self._dialog(f"Send to the vendor — {key}", fields, submit, intro, done=f"{key}: sent to the vendor")

    def _preview_mail(self, composed: Composed, eml: Path | None, where: str) -> None:
        """Show the composed message and where it goes; send it (recording the case's change)
        only on yes."""
        title = f"Send this e-mail? — {composed.case_id}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._send_mail(composed, eml)

        self.app.push_screen(MailPreviewScreen(title, visible(composed.preview()), where), answered)

    @work(thread=True, exit_on_error=False, group="act")
    def _send_mail(self, composed: Composed, eml: Path | None) -> None:
        from workbench.mail.outbound import send

        try:
            changed, delivery = self._on_view(lambda _: self.ask(send, self.desk, composed, eml))({})
        except Exception as error:  # the desk's refusals and the server's answer are shown
            self.back(self.wb.report_error, error)
            return
        self.back(self.wb.changed, changed, f"{composed.case_id}: {delivery.done()}")

    def action_resolve(self) -> None:
        to_customer = Field(
            "to_customer",
            "Send it to the customer as the resolution",
            "bool",
            default=False,
            help="A resolution sent to the customer meets a running first response.",
            rule="CORE-SLA-3",
        )
        key = self.case_id

        def submit(values: dict[str, Any]) -> Any:
            text, to_customer = values.get("text", ""), bool(values.get("to_customer"))
            if values.get("mail"):
                if not to_customer:
                    raise BadInput("mail", "only a resolution sent to the customer is e-mailed")
                return self._composed("resolve", text)
            return self.desk.resolve(key, text, to_customer=to_customer)

        fields = [Field("text", "Text", "longtext", help=TEXT.help), to_customer, MAIL_TO_CUSTOMER]
        intro = "Resolved: the desk's clocks stop; the case stays open until it is closed."
        self._dialog(f"Resolve — {key}", fields, submit, intro, done=f"{key}: resolve recorded")

    def action_reopen(self) -> None:
        self._text_action("Reopen", "Reopen a closed or resolved case.", self.desk.reopen)

    def action_take(self) -> None:
        """The case becomes yours (an unassigned one; a lead takes any, CORE-TEAM-1)."""
        key = self.case_id
        self.act(f"{key}: yours now", self.desk.take, key)

    def action_assign(self) -> None:
        """Assign the case to an agent, hand off your own with a note, or release it."""
        key = self.case_id
        me = self.desk.acting_agent()
        current = self.data.view.case.assignee if self.data else ""
        handles = [a.handle for a in self.desk.agents() if a.active and a.handle != current]
        fields = [
            Field("assignee", "Agent", "choice", True, [*handles, NOBODY], rule="CORE-TEAM-2"),
            Field("note", "Note", "text", help="Where the case stands (a hand-off needs one)."),
        ]

        def submit(values: dict[str, Any]) -> Case:
            note = values.get("note") or ""
            if values["assignee"] == NOBODY:
                return self.desk.release(key, note)
            if me is not None and current == me.handle:
                return self.desk.hand_off(key, values["assignee"], note)
            return self.desk.assign(key, values["assignee"], note)

        intro = f"now {current or 'nobody'}" + (f" · you act as {me.handle} ({me.role})" if me else "")
        self._dialog(f"Assign — {key}", fields, submit, intro, done=f"{key}: assignee changed")

    def action_evidence(self) -> None:
        key = self.case_id
        fields = [
            Field(
                "kind",
                "Kind",
                "choice",
                required=True,
                choices=list(EVIDENCE_KINDS),
                rule="CORE-ESC-2",
                help="Technical evidence grounds a commercial escalation.",
            ),
            Field("text", "What it shows", "longtext", required=True, help=TEXT.help),
        ]

        def submit(values: dict[str, Any]) -> Case:
            return self.desk.attach_evidence(key, values.get("kind", ""), values.get("text", ""))

        self._dialog(f"Attach evidence — {key}", fields, submit, done=f"{key}: evidence attached")

    def action_evidence_pack(self) -> None:
        """Write the case's evidence pack (CORE-SLA-4) to a file, as ``workbench case
        evidence`` writes it (in a browser, the browser downloads it); the html prints
        cleanly to PDF from a browser."""
        key = self.case_id
        fields = [
            Field(
                "format", "Format", "choice", required=True, choices=list(EVIDENCE_FORMATS), rule="CORE-SLA-4"
            ),
            Field("file", "File", "text", required=True, help="Where to write it; a file there is replaced."),
        ]

        def submit(values: dict[str, Any]) -> str:
            fmt = values.get("format") or "html"
            target = Path(values.get("file") or f"{key}-evidence.{fmt}").expanduser()
            document = evidence_document(self.desk.evidence_pack(key), fmt)
            if self.app.is_web:  # in a browser (workbench serve): the browser downloads it
                self.app.call_from_thread(
                    self.app.deliver_text, io.StringIO(document), save_filename=target.name
                )
                return f"your browser's downloads ({target.name})"
            try:
                target.write_text(document, encoding="utf-8")
            except OSError as error:
                raise BadInput("file", f"cannot write {target}: {error.strerror}") from None
            return str(target)

        def written(path: str | None) -> None:
            if path is not None:
                self.app.notify(f"{key}: evidence pack written to {path}", title="Written", markup=False)

        values = {"format": "html", "file": f"{key}-evidence.html"}
        dialog = FormDialog(f"Evidence pack — {key}", fields, submit, values=values, submit_label="Write")
        self.app.push_screen(dialog, written)

    def action_escalate(self) -> None:
        if self.data is None:
            return
        key = self.case_id
        options = self.data.view.options
        allowed = [o.track for o in options if o.decision and o.decision.allowed]
        allowed += [o.track for o in options if o.rung is not None]
        lines = []
        for option in options:
            if option.rung is None:
                lines.append(f"{option.track}: top of the ladder")
            elif option.decision is not None:
                verdict = "allowed" if option.decision.allowed else "refused"
                lines.append(
                    f"{option.track} → level {option.rung.level} {option.rung.role}: "
                    f"{verdict} ({CellText(self.wb.timezone).decision_text(option.decision)})"
                )
        fields = [
            Field(
                "track",
                "Track",
                "choice",
                required=True,
                choices=["technical", "commercial"],
                default=allowed[0] if allowed else "technical",
                help="technical climbs the vendor's ladder; commercial goes through the "
                "account and sales side",
                rule="CORE-ESC-1",
            ),
            Field("reason", "Why now", "longtext", help=TEXT.help),
            Field(
                "owner",
                "Owner on the vendor's side",
                "text",
                help="the named person who took the escalation, recorded on the case",
            ),
        ]

        def live(values: dict[str, Any]) -> Any:
            track = values.get("track") or "technical"
            for option in self.desk.escalation_options(self.desk.case(key)):
                if option.track == track:
                    if option.rung is None:
                        return f"{track}: the case is at the top of the ladder"
                    return option.decision
            return None

        def submit(values: dict[str, Any]) -> Case:
            return self.desk.escalate(
                key,
                values.get("track") or "technical",
                reason=values.get("reason", ""),
                owner=values.get("owner", ""),
            )

        self._dialog(
            f"Escalate — {key}",
            fields,
            submit,
            intro=escape("\n".join(lines)),
            done=f"{key}: escalated",
            live=live,
            submit_label="Escalate",
            wide=True,
        )

    def action_owner(self) -> None:
        """Record the vendor-side owner the vendor named for one of the case's escalations."""
        if self.data is None:
            return
        key = self.case_id
        escalations = self.data.view.case.escalations
        if not escalations:
            self.notify("This case has no escalation to record an owner for.", severity="warning")
            return
        names = {f"{e.track} level {e.level}": e for e in escalations}
        unowned = [name for name, e in names.items() if not e.owner.strip()]
        fields = [
            Field(
                "escalation",
                "Escalation",
                "choice",
                required=True,
                choices=list(names),
                default=(unowned or list(names))[-1],
                help="; ".join(
                    f"{name}: {e.role}, owner {e.owner or 'not yet recorded'}" for name, e in names.items()
                ),
            ),
            Field(
                "owner",
                "Owner on the vendor's side",
                "text",
                required=True,
                help="the named person the vendor assigned to the escalation",
            ),
        ]

        def submit(values: dict[str, Any]) -> Case:
            chosen = names[values["escalation"]]
            return self.desk.set_escalation_owner(key, chosen.track, chosen.level, values.get("owner", ""))

        self._dialog(f"Escalation owner — {key}", fields, submit, done=f"{key}: owner recorded")

    def action_close_case(self) -> None:
        if self.data is None:
            return
        key = self.case_id
        reasons = [r for r in self.data.view.close_reasons if r.manual]
        fields = [
            Field(
                "reason",
                "Closure reason",
                "choice",
                required=True,
                choices=[r.code for r in reasons],
                help="; ".join(f"{r.code}: {r.text} ({r.rule})" for r in reasons),
            ),
            Field("text", "Closing note", "longtext", help=TEXT.help),
        ]

        def submit(values: dict[str, Any]) -> Case:
            return self.desk.close(key, values.get("reason", ""), values.get("text", ""))

        self._dialog(f"Close — {key}", fields, submit, done=f"{key}: closed", submit_label="Close case")

    def action_edit(self) -> None:
        if self.data is None:
            return
        case = self.data.view.case
        key = case.id

        def live(values: dict[str, Any]) -> Any:
            return self.desk.preview_case(case.vendor, case.customer_id, case.subject, values).findings

        def submit(values: dict[str, Any]) -> Case:
            return self.desk.update_fields(key, values)

        self._dialog(
            f"Edit the {case.vendor} form — {key}",
            self.data.fields,
            submit,
            values=case.fields,
            live=live,
            done=f"{key}: fields saved",
            wide=True,
        )
