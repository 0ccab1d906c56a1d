"""Renewals and orders: workflows as checklists — steps, due dates, blockers with reasons —
most urgent first. Completing a step asks for what it needs and says why when refused."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from workbench.desk import BadInput, WorkflowView, parse_value
from workbench.model import Customer, Field, Step, Workflow
from workbench.render import TONE_OF_STATE, day
from workbench.tui.format import CellText, Markup, escape, short_company
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import (
    FormDialog,
    TextScreen,
)
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable
from workbench.tui.widgets.viewbar import ViewBar

VIEWS = [
    ("open", "Open"),
    ("renewal", "Renewals"),
    ("order", "Orders"),
    ("option", "Options"),
    ("onboarding", "Onboarding"),
    ("done", "Done"),
    ("all", "All"),
]

COLUMNS = [
    Column("id", "ID", 4, most=6, priority=100),
    Column("vendor", "Vendor", 8, priority=30),
    Column("title", "Workflow", 12, most=32, priority=60),
    Column("customer", "Customer", 10, most=22, priority=75),
    Column("next", "Next step", 16, flex=True),
    Column("due", "Due", 10, priority=90),
    Column("renews", "Renews", 10, priority=65),
    Column("state", "State", 8, priority=85),
    Column("progress", "Steps", 5, align="right", priority=80),
]
"""At 80 columns the vendor and the workflow's title give way before its state and steps;
a renewal's date (its anchor) has a column of its own."""

FORM_HINT = " — press d to fill it in"
"""How the next step's form is filled in on this screen."""

STEP_COLUMNS = [
    Column("mark", "", 1),
    Column("step", "Step", flex=True),
    Column("due", "Due", 10),
    Column("done", "Done", 10),
    Column("rule", "Rule", 16),
]


def kind_of(view: WorkflowView) -> str:
    return view.template.kind if view.template else ""


def in_view(view: WorkflowView, name: str) -> bool:
    done = view.workflow.done
    if name == "all":
        return True
    if name == "done":
        return done
    if done:
        return False
    return name == "open" or kind_of(view) == name


def urgency(view: WorkflowView) -> tuple:
    step = view.next_step
    return (
        view.workflow.done,
        step.due if step and step.due else date.max,
        int(view.workflow.id.rsplit("-", 1)[-1]),
    )


class WorkflowsScreen(DeskScreen):
    """Orders, renewals, option requests and onboarding, as checklists."""

    CSS_PATH = "workflows.tcss"
    SECTION = "work"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "complete", "Done: step"),
        Binding("n", "new", "New workflow"),
        Binding("slash", "filter", "Filter"),
        Binding("right_square_bracket", "view(1)", "Next view"),
        Binding("left_square_bracket", "view(-1)", "Prev view"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[WorkflowView] = []
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield ViewBar(VIEWS, alerts=set(), id="work-views")
        yield Input(placeholder="filter: ID, vendor, customer, title or step", id="work-filter", compact=True)
        yield VirtualTable(COLUMNS, empty="No workflow here.", select_label="Steps", id="workflows")
        with Horizontal(id="work"):
            yield VirtualTable(STEP_COLUMNS, empty="Choose a workflow.", select_label="Complete", id="steps")
            with VerticalScroll(id="work-side"):
                yield Static(id="workflow", classes="box")
                yield Static(id="work-findings", classes="box")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#workflow").border_title = "Next step"
        self.query_one("#work-findings").border_title = "Findings"
        self.query_one("#workflows").focus()
        self.wb.desk_changed.subscribe(self, self._desk_changed)
        self.load()

    def _desk_changed(self, change: tuple[str, Any]) -> None:
        if change[0] in ("workflows", "sweep", "settings", "contracts", "customers", "desk", "clock"):
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="workflows")
    def load(self) -> None:
        workflows = self.ask(self.desk.workflows)
        views = [self.ask(self.desk.workflow_view, w.id) for w in workflows]
        names = {c.id: c.name for c in self.ask(self.desk.customers)}
        self.back(self.show, views, names)

    def show(self, views: list[WorkflowView], names: dict[str, str]) -> None:
        self.views = sorted(views, key=urgency)
        self.names = names
        self.apply_filter()

    def show_workflow(self, key: str) -> None:
        """Show the workflow ``key`` alone (its ID as the filter, in the view of all), its
        steps beside it: where the Reports screen's renewals lead."""
        self.query_one("#work-views", ViewBar).active = "all"
        self.query_one("#work-filter", Input).value = key
        self.apply_filter()
        self.query_one("#workflows", VirtualTable).move_to(key)

    def _current(self) -> WorkflowView | None:
        key = self.query_one("#workflows", VirtualTable).cursor_key
        return next((v for v in self.views if v.workflow.id == key), None)

    def apply_filter(self) -> None:
        bar = self.query_one("#work-views", ViewBar)
        words = self.query_one("#work-filter", Input).value.lower().split()
        matching = [v for v in self.views if all(w in self._haystack(v) for w in words)]
        bar.set_counts({name: sum(1 for v in matching if in_view(v, name)) for name, _ in VIEWS})
        rows = [self._row(v) for v in matching if in_view(v, bar.active)]
        self.query_one("#workflows", VirtualTable).set_rows(rows)
        self._describe()

    def _haystack(self, view: WorkflowView) -> str:
        w = view.workflow
        step = view.next_step.title if view.next_step else ""
        return f"{w.id} {w.vendor} {w.title} {self.names.get(w.customer_id, '')} {step}".lower()

    def _row(self, view: WorkflowView) -> Row:
        w = view.workflow
        step = view.next_step
        done = sum(1 for s in w.steps if s.done_at)
        return Row(
            w.id,
            [
                (w.id, "bold"),
                w.vendor,
                w.title,
                short_company(self.names.get(w.customer_id, w.customer_id or "-")),
                step.title if step else ("done", "dim"),
                (day(step.due) if step else "-", TONE_OF_STATE.get(view.state, "")),
                (day(w.anchor), "") if kind_of(view) == "renewal" and w.anchor else ("-", "dim"),
                (view.state, TONE_OF_STATE.get(view.state, "")),
                f"{done}/{len(w.steps)}",
            ],
        )

    def _describe(self) -> None:
        view = self._current()
        steps = self.query_one("#steps", VirtualTable)
        box = self.query_one("#workflow", Static)
        findings = self.query_one("#work-findings", Static)
        if view is None:
            steps.set_rows([])
            box.update("")
            findings.update("")
            return
        w, tz = view.workflow, self.wb.timezone
        cells = CellText(tz)
        next_id = view.next_step.id if view.next_step else None
        rows = []
        for s in w.steps:
            form = f" · form {s.form}" if s.form else ""
            rows.append(
                Row(
                    s.id,
                    [
                        cells.step_mark(s, next_id),
                        (s.title + form, "bold" if s.id == next_id else ""),
                        day(s.due),
                        cells.time(s.done_at)[:10] if s.done_at else "",
                        (s.rule, "info"),
                    ],
                )
            )
        steps.set_rows(rows, keep=next_id or "")
        words = Markup(tz)
        customer = self.names.get(w.customer_id, w.customer_id)
        box.update("\n".join(words.workflow_head(view, customer) + words.next_step(view, FORM_HINT)))
        findings.update("\n".join(words.findings(view.findings)))

    @on(VirtualTable.Highlighted, "#workflows")
    def _highlighted(self) -> None:
        self._describe()

    @on(VirtualTable.Selected, "#workflows")
    def _to_steps(self) -> None:
        self.query_one("#steps").focus()

    @on(VirtualTable.Selected, "#steps")
    def _step_selected(self, event: VirtualTable.Selected) -> None:
        view = self._current()
        if view is None:
            return
        step = next(s for s in view.workflow.steps if s.id == event.key)
        if step.done_at and step.form:
            self.show_answers(view.workflow.id, step)
        else:
            self.complete(view.workflow, step)

    @on(ViewBar.Changed, "#work-views")
    def _view_changed(self) -> None:
        if self.is_mounted:
            self.apply_filter()

    @on(Input.Changed, "#work-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#work-filter")
    def _filter_done(self) -> None:
        self.query_one("#workflows").focus()

    # -- actions -------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#work-filter").focus()

    def action_leave(self) -> None:
        self.query_one("#workflows").focus()

    def action_view(self, delta: int) -> None:
        self.query_one("#work-views", ViewBar).step(delta)

    def action_reload(self) -> None:
        self.load()

    def action_complete(self) -> None:
        view = self._current()
        if view is None:
            return
        if view.next_step is None:
            self.app.notify(f"{view.workflow.id}: every step is done.")
            return
        self.complete(view.workflow, view.next_step)

    @work(thread=True, exclusive=True, exit_on_error=False, group="step")
    def complete(self, workflow: Workflow, step: Step) -> None:
        """Ask for what the step needs (its form), check it live, and complete it."""
        fields = self.ask(self.desk.form_fields, workflow.vendor, step.form) if step.form else []
        self.back(self._step_dialog, workflow, step, fields)

    def _step_dialog(self, workflow: Workflow, step: Step, fields: list[Field]) -> None:
        key = workflow.id

        def live(values: dict[str, Any]) -> Any:
            return self.desk.check_step(self.desk.workflow(key), step.id, values)

        def submit(values: dict[str, Any]) -> Workflow:
            return self.desk.complete_step(key, step.id, values)

        def finished(result: Workflow | None) -> None:
            if result is not None:
                self.wb.changed(result, f"{key}: {step.title} done")

        intro = f"{escape(workflow.title)} · due {day(step.due)} · {step.rule}"
        if step.form:
            intro += f"\nThe {escape(step.form)} form: [b $text-error]*[/] required."
        self.app.push_screen(
            FormDialog(
                f"Complete: {step.title} — {key}",
                fields,
                submit,
                intro=intro,
                live=live,
                submit_label="Complete step",
                wide=bool(fields),
            ),
            finished,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="step")
    def show_answers(self, key: str, step: Step) -> None:
        lines = self.ask(self.desk.form_text, key, step.id)
        self.back(self._answers_dialog, key, step, lines)

    def _answers_dialog(self, key: str, step: Step, lines: list[str]) -> None:
        self.app.push_screen(TextScreen(f"{step.title} — {key}: the {step.form} form", "\n".join(lines)))

    def action_new(self) -> None:
        self.new_workflow()

    @work(thread=True, exclusive=True, exit_on_error=False, group="new")
    def new_workflow(self) -> None:
        templates = [
            (vendor, t)
            for vendor in self.desk.vendors()
            for t in self.ask(self.desk.workflow_templates, vendor)
        ]
        customers = self.ask(self.desk.customers)
        self.back(self._new_dialog, templates, customers)

    def _new_dialog(self, templates: list, customers: list[Customer]) -> None:
        choices = {f"{vendor}/{t.id}": (vendor, t) for vendor, t in templates}
        people = {f"{c.id} {c.name}": c.id for c in customers}
        fields = [
            Field(
                "template",
                "Workflow",
                "choice",
                required=True,
                choices=list(choices),
                help="; ".join(f"{k}: {t.title} ({t.kind}, {t.rule})" for k, (_, t) in choices.items()),
            ),
            Field("customer", "Customer", "choice", choices=list(people)),
            Field("contract", "Contract ID", "text", help="e.g. K-12; the customer follows from it"),
            Field(
                "anchor",
                "Anchor date",
                "date",
                help="the date due dates count from (an anniversary, a renewal date)",
            ),
        ]

        def submit(values: dict[str, Any]) -> Workflow:
            if not values.get("template"):
                raise BadInput("template", "choose the workflow to open")
            vendor, template = choices[values["template"]]
            anchor = values.get("anchor")
            return self.desk.open_workflow(
                vendor,
                template.id,
                customer_id=people.get(values.get("customer", ""), ""),
                contract_id=values.get("contract", "").strip(),
                anchor=date.fromisoformat(parse_value("anchor", "date", anchor)) if anchor else None,
            )

        def finished(result: Workflow | None) -> None:
            if result is not None:
                self.wb.changed(result, f"{result.id} opened: {result.title}")

        self.app.push_screen(FormDialog("New workflow", fields, submit, submit_label="Open"), finished)
