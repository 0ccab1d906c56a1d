"""A new case: the vendor first, then the form its plugin defines, with the plugin's
findings live as the agent types and a preview of the route and deadlines before saving.
Opened from a message of the Inbox, it starts filled from the message (customer by the
sender, subject, and each vendor's form answers the message gives) and saving records the
message on the new case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalGroup, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static

from workbench.desk import BadInput, CasePreview
from workbench.model import Case, Customer, Field
from workbench.tui.format import Markup, error_title_and_text, escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import confirm
from workbench.tui.widgets.form import Form
from workbench.tui.widgets.keybar import KeyBar

DEBOUNCE = 0.2
"""Seconds of quiet typing before the desk is asked again."""


class NewCaseScreen(DeskScreen):
    """Vendor, customer and subject, then the vendor's own form."""

    CSS_PATH = "new_case.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save case"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        section: str | None = None,
        vendor: str | None = None,
        customer_id: str | None = None,
        *,
        mail: str | None = None,
        subject: str = "",
    ) -> None:
        super().__init__(section)
        self.vendor = vendor
        self.customer_id = customer_id
        self.mail = mail
        """The message of the Inbox the case is opened from, if any."""
        self.subject = subject
        self.given = (vendor, customer_id)
        """The vendor and customer the screen was opened with (not typed work)."""
        self.prefilled: dict[str, Any] = {}
        """The form answers the message gave for the vendor chosen (not typed work)."""
        self.fields: list[Field] = []
        self.preview: CasePreview | None = None
        self._debounce: Timer | None = None
        self._form_version = 0

    def compose(self) -> ComposeResult:
        yield self.nav()
        head = "[b]New case[/b] — choose the vendor first; its form follows."
        if self.mail:
            head = f"[b]New case from {escape(self.mail)}[/b] — filled from the message; choose the vendor."
        yield Static(head, id="new-head")
        with Horizontal(id="new-case"):
            with VerticalScroll(id="intake"):
                yield Label("Vendor [b $text-error]*[/]", classes="field-label")
                yield Select([], prompt="Choose the vendor program", id="vendor", compact=True)
                yield Label("Customer [b $text-error]*[/]", classes="field-label")
                yield Select(
                    [], prompt="Choose the customer", id="customer", type_to_search=True, compact=True
                )
                yield Label("Subject [b $text-error]*[/]", classes="field-label")
                yield Input(self.subject, placeholder="One line: what is wrong", id="subject", compact=True)
                yield Static("", id="subject-problem", classes="field-problem")
                yield VerticalGroup(id="vendor-form")
            with VerticalScroll(id="preview"):
                yield Static(
                    "Choose a vendor, a customer and a subject.", id="preview-findings", classes="box"
                )
                yield Static("", id="preview-route", classes="box")
                yield Static("", id="preview-deadlines", classes="box")
                yield Button("Save case", variant="primary", id="save", disabled=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#preview-findings").border_title = "Findings (live)"
        self.query_one("#preview-route").border_title = "Route"
        self.query_one("#preview-deadlines").border_title = "Deadlines if saved now"
        self.load_choices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="choices")
    def load_choices(self) -> None:
        programs = self.desk.programs()
        vendors = [(f"{programs[v].name} ({v})", v) for v in self.desk.vendors()]
        customers = self.ask(self.desk.customers)
        self.back(self._set_choices, vendors, customers)

    def _set_choices(self, vendors: list[tuple[str, str]], customers: list[Customer]) -> None:
        vendor = self.query_one("#vendor", Select)
        vendor.set_options(vendors)
        customer = self.query_one("#customer", Select)
        customer.set_options([(f"{c.name} ({c.id})", c.id) for c in customers])
        if not customers:
            customer.prompt = "No customer yet (F4 adds)"
        if self.customer_id:
            customer.value = self.customer_id
        if self.vendor:
            vendor.value = self.vendor
        else:
            vendor.focus()

    # -- the vendor's form ------------------------------------------------------------------

    @on(Select.Changed, "#vendor")
    def _vendor_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        self.vendor = str(event.value)
        self.load_form(self.vendor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def load_form(self, vendor: str) -> None:
        try:
            fields = self.ask(self.desk.case_fields, vendor)
            given = self.ask(self.desk.mail_prefill, self.mail, vendor).fields if self.mail else {}
        except Exception as error:
            self.back(self.wb.report_error, error)
            return
        self.back(self._mount_form, vendor, fields, given)

    async def _mount_form(
        self, vendor: str, fields: list[Field], given: dict[str, Any] | None = None
    ) -> None:
        self.fields = fields
        self.prefilled = given or {}
        box = self.query_one("#vendor-form", VerticalGroup)
        await box.remove_children()
        name = self.desk.programs()[vendor].name
        self._form_version += 1
        await box.mount(
            Label(f"[b]{escape(name)}[/b] form — [b $text-error]*[/] required", classes="form-title"),
            Form(fields, self.prefilled or None, id=f"form-{self._form_version}"),
        )
        self.schedule_preview()

    def form(self) -> Form | None:
        forms = self.query(Form)
        return forms.last() if forms else None

    # -- live preview -------------------------------------------------------------------------

    @on(Form.Changed)
    @on(Input.Changed, "#subject")
    @on(Select.Changed, "#customer")
    def schedule_preview(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._preview_now)

    def draft(self) -> tuple[str | None, str | None, str, dict[str, Any]]:
        customer = self.query_one("#customer", Select).value
        form = self.form()
        return (
            self.vendor,
            None if customer is Select.NULL else str(customer),
            self.query_one("#subject", Input).value,
            form.values() if form else {},
        )

    def _preview_now(self) -> None:
        vendor, customer, subject, values = self.draft()
        missing = [
            what
            for what, value in (("vendor", vendor), ("customer", customer), ("subject", subject.strip()))
            if not value
        ]
        if missing:
            self.preview = None
            self.query_one("#save", Button).disabled = True
            self.query_one("#preview-findings", Static).update(
                "[$text-muted]Still to choose: " + ", ".join(missing) + ".[/]"
            )
            return
        self.run_preview(vendor, customer, subject, values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def run_preview(self, vendor: str, customer: str, subject: str, values: dict[str, Any]) -> None:
        try:
            preview = self.ask(self.desk.preview_case, vendor, customer, subject, values)
        except Exception as error:
            self.back(self._preview_failed, error)
            return
        self.back(self._show_preview, preview)

    def _show_preview(self, preview: CasePreview) -> None:
        self.preview = preview
        tz = self.wb.timezone
        self.query_one("#subject-problem", Static).set_class(False, "-shown")
        form = self.form()
        if form:
            form.show_findings(preview.findings)
        for part, lines in Markup(tz).preview(preview).items():
            self.query_one(f"#preview-{part}", Static).update("\n".join(lines))
        self.query_one("#save", Button).disabled = preview.blocked

    def _preview_failed(self, error: Exception) -> None:
        self.preview = None
        title, text = error_title_and_text(error, self.wb.timezone)
        self.query_one("#save", Button).disabled = True
        self.query_one("#preview-findings", Static).update(
            f"[$text-error]✗ {escape(title)}[/]: {escape(text)}"
        )
        form = self.form()
        if isinstance(error, BadInput):
            if error.field == "subject":
                problem = self.query_one("#subject-problem", Static)
                problem.update(f"✗ {escape(error.problem)}")
                problem.set_class(True, "-shown")
            elif form and form.has_field(error.field):
                form.show_findings([], {error.field: error.problem})

    # -- saving --------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        vendor, customer, subject, values = self.draft()
        if not vendor or not customer:
            self.app.notify("Choose the vendor and the customer first.", severity="warning")
            return
        self.save(vendor, customer, subject, values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, vendor: str, customer: str, subject: str, values: dict[str, Any]) -> None:
        try:
            if self.mail:
                opened = self.desk.open_case_from_mail
                case = self.change(opened, self.mail, vendor, customer, subject, values)
            else:
                case = self.change(self.desk.open_case, vendor, customer, subject, values)
        except Exception as error:
            self.back(self._save_failed, error)
            return
        self.back(self._saved, case)

    def _save_failed(self, error: Exception) -> None:
        self.wb.report_error(error)
        self._preview_now()

    def _saved(self, case: Case) -> None:
        source = f" from {self.mail}" if self.mail else ""
        self.wb.changed(case, f"{case.id} opened{source}: path {case.path}, queue {case.queue}")
        self.app.pop_screen()
        self.wb.open_case(case.id)

    @property
    def typed(self) -> bool:
        """Whether anything was typed or chosen beyond what the screen was opened with."""
        vendor, customer, subject, values = self.draft()
        typed = {k: v for k, v in values.items() if self.prefilled.get(k) != v}
        return bool(
            subject.strip() != self.subject.strip()
            or typed
            or vendor != self.given[0]
            or customer != self.given[1]
        )

    def ask_before_leaving(self, go: Callable[[], Any]) -> None:
        """Leave at once when nothing was typed; otherwise ask before discarding the case."""
        if not self.typed:
            go()
            return
        confirm(self.app, "Discard this new case?", "What you typed is not saved.", "Discard", go)

    def action_cancel(self) -> None:
        self.wb.leave(self)
