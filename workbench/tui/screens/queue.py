"""The queue (home): open cases, the most urgent deadline first, with saved views and a
filter that narrows as you type."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label, ProgressBar
from textual.worker import get_current_worker

from workbench.model import Case, Customer, Deadline
from workbench.render import TONE_OF_STATE, escalation_levels, relative, shown
from workbench.tui.format import age, severity_badge, short_company, vendor_name
from workbench.tui.screens.base import DeskScreen
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, LazyRows, Row, VirtualTable
from workbench.tui.widgets.viewbar import ViewBar

if TYPE_CHECKING:
    from collections.abc import Callable

    from workbench.desk import SweepReport

COLUMNS = [
    Column("id", "ID", 5, most=7, priority=100),
    Column("severity", "Sev", 3, priority=65),
    Column("customer", "Customer", 10, most=20, priority=80),
    Column("subject", "Subject", 24, flex=True),
    Column("deadline", "Next deadline", 14, most=34, priority=90),
    Column("ball", "Ball", 8, priority=70),
    Column("updated", "Updated", 7, priority=60),
    Column("state", "State", 8, most=14, priority=55),
    Column("esc", "Esc", 5, priority=58),
    Column("assignee", "Assignee", 8, most=12, priority=52),
    Column("vendor", "Vendor", 6, most=9, priority=40),
    Column("requester", "Requester", 10, most=30, priority=30),
    Column("queue", "Queue", 8, most=22, priority=20),
]
"""The queue's columns, in the order drawn. At 80 columns ID, severity, customer, subject,
next deadline, ball and the last update stay; escalation, state, assignee (the Mine view
tells), vendor (the vendor views name it), requester and queue give way."""

SORTS = [c.key for c in COLUMNS]
"""Columns the queue sorts by (``>`` moves to the next, ``<`` reverses the order)."""

VIEWS: list[tuple[str, str]] = [
    ("all", "All"),
    ("mine", "Mine"),
    ("unassigned", "Unassigned"),
    ("breaching", "Breaching"),
    ("at-risk", "At risk"),
    ("vendor", "Waiting on vendor"),
    ("customer", "Waiting on customer"),
    ("escalated", "Escalated"),
]

SHORT_VIEWS = {
    "all": "All",
    "mine": "Mine",
    "unassigned": "Unasg.",
    "breaching": "Breach",
    "at-risk": "Risk",
    "vendor": "On vendor",
    "customer": "On customer",
    "escalated": "Escal.",
}

FILTER_KEYS = {
    "vendor": "vendor",
    "v": "vendor",
    "state": "state",
    "s": "state",
    "queue": "queue",
    "q": "queue",
    "sev": "severity",
    "ball": "ball",
    "assignee": "assignee",
    "a": "assignee",
}
"""``key:value`` words the filter understands (anything else is free text)."""

OPENING = "Opening the desk…"
NO_MATCH = "No open case matches."
NO_OPEN_CASE = "No open case on this desk: n opens one (its customer first: F4 Customers)."
"""What the queue says when the desk has no open case at all, so a new desk says what to do."""

CHUNK_CASES = 100
"""Open cases per deadline computation (about 20 ms on the benchmark machine)."""
CHUNK_SECONDS = 0.1
"""How often a sweep reports progress."""
PAINT_CHECK_SECONDS = 0.05
"""How often a load waiting for its rows to be drawn checks whether it was cancelled."""
PAINT_WAIT_SECONDS = 0.5
"""The longest a load waits for its rows to be drawn before it works out their deadlines: a
table with no room on screen (a terminal of one line) is never drawn."""


@dataclass
class QueueItem:
    """One open case as the queue shows it."""

    case: Case
    customer: str
    me: str = ""
    """The handle of the agent the desk acts as (``""`` on a desk without agents)."""
    requester: str = ""
    """Who asked: the case's first e-mail answer, else the customer's e-mail."""
    vendor: str = ""
    """The vendor program's short name, as the vendor views call it."""
    deadlines: list[Deadline] | None = None
    next: Deadline | None = None
    haystack: str = field(default="", repr=False)
    views: frozenset[str] = field(default=frozenset(), repr=False)
    """The saved views the case appears in."""
    _row: tuple[tuple[datetime, str], Row] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        c = self.case
        self.vendor = self.vendor or c.vendor
        self.haystack = " ".join(
            (
                c.id,
                c.vendor,
                self.vendor,
                self.customer,
                c.subject,
                c.state,
                c.queue,
                c.severity,
                c.assignee,
                self.requester,
            )
        ).lower()
        self._place()

    def set_deadlines(self, deadlines: list[Deadline]) -> None:
        from workbench.desk import next_running  # imported by the desk's thread by now

        self.deadlines = deadlines
        self.next = next_running(deadlines)
        self._row = None
        self._place()

    def states(self) -> set[str]:
        return {d.state for d in self.deadlines or []}

    def _place(self) -> None:
        case, states = self.case, self.states()
        views = {"all", f"v:{case.vendor}"}
        if not case.assignee:
            views.add("unassigned")
        elif case.assignee == self.me:
            views.add("mine")
        if "breached" in states:
            views.add("breaching")
        if "at-risk" in states:
            views.add("at-risk")
        if case.state == "waiting-vendor":
            views.add("vendor")
        if case.state == "pending":
            views.add("customer")
        if case.escalations:
            views.add("escalated")
        self.views = frozenset(views)

    def row(self, now: datetime, locale: str) -> Row:
        """The queue row at ``now``, its next deadline said in ``locale`` (made once per minute
        tick, not per keystroke)."""
        if self._row is None or self._row[0] != (now, locale):
            self._row = ((now, locale), row_of(self, now, locale))
        return self._row[1]

    def sort_key(self) -> tuple:
        due = self.next.due.timestamp() if self.next and self.next.due else float("inf")
        return (due, -_number(self.case.id))

    def key_of(self, column: str) -> tuple:
        """What the queue sorts by for ``column`` (ties: most urgent deadline first)."""
        case = self.case
        value: Any
        if column == "deadline":
            return self.sort_key()
        if column == "id":
            value = _number(case.id)
        elif column == "severity":
            value = severity_badge(case.severity)[0].strip() or "~"
        elif column == "updated":
            value = (case.updated_at or case.opened_at).timestamp()
        elif column == "esc":
            value = -(case.level("technical") + case.level("commercial"))
        elif column == "customer":
            value = short_company(self.customer).lower()
        elif column == "vendor":
            value = self.vendor.lower()
        elif column == "requester":
            value = self.requester.lower() or "~"
        elif column == "ball":
            value = case.ball
        else:
            value = str(getattr(case, column)).lower()
        return (value, *self.sort_key())


def _number(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def parse_filter(text: str) -> tuple[dict[str, str], list[str]]:
    """``vendor:zoho state:pending printer`` → ({"vendor": "zoho", "state": "pending"}, ["printer"])."""
    fields: dict[str, str] = {}
    words: list[str] = []
    for word in text.lower().split():
        key, sep, value = word.partition(":")
        if sep and key in FILTER_KEYS and value:
            fields[FILTER_KEYS[key]] = value
        else:
            words.append(word)
    return fields, words


def matches(item: QueueItem, fields: dict[str, str], words: list[str]) -> bool:
    case = item.case
    for name, value in fields.items():
        if name == "assignee":
            if not _assigned_to(case.assignee, value, item.me):
                return False
            continue
        actual = (case.ball if name == "ball" else str(getattr(case, name))).lower()
        if not actual.startswith(value):
            return False
    return all(word in item.haystack for word in words)


def _assigned_to(assignee: str, value: str, me: str) -> bool:
    """``assignee:me`` (the agent the desk acts as), ``assignee:none``, or a handle's start."""
    if value == "none":
        return not assignee
    if value == "me":
        return bool(me) and assignee == me
    return assignee.lower().startswith(value)


def row_of(item: QueueItem, now: datetime, locale: str) -> Row:
    case = item.case
    if item.deadlines is None:
        deadline: Any = ("…", "dim")
    elif item.next is None:
        deadline = ("—", "dim")
    else:
        d = item.next
        deadline = (f"{relative(d.due, now, locale)} {shown(d.name)}", TONE_OF_STATE.get(d.state, ""))
    state_tone = {"waiting-vendor": "info", "pending": "dim", "resolved": "ok"}.get(case.state, "")
    escalation = escalation_levels(case)
    return Row(
        case.id,
        [
            (case.id, "bold"),
            severity_badge(shown(case.severity)),
            shown(short_company(item.customer)),
            shown(case.subject),
            deadline,
            case.ball,
            (age(case.updated_at or case.opened_at, now), "dim"),
            (case.state, state_tone),
            (escalation, "at-risk" if escalation != "-" else "dim"),
            (shown(case.assignee) or "—", "" if case.assignee else "dim"),
            item.vendor,
            (shown(item.requester) or "-", "" if item.requester else "dim"),
            shown(case.queue),
        ],
    )


RELATIVE_SAMPLE = "in 23 minutes"
"""As wide as most relative times (``in 3 hours``, ``2 days ago``): the deadline column is
measured with it instead of saying every case's time in words."""


def natural_widths(items: list[QueueItem]) -> dict[str, int]:
    """The content width of the queue's growing columns over ``items`` (without making
    their rows: a filter over thousands of cases costs their texts' widths only)."""
    widths = {c.key: cell_len(c.label) + 2 for c in COLUMNS if c.most}
    found: dict[str, set[str]] = {key: set() for key in widths}
    for item in items:
        case = item.case
        found["id"].add(case.id)
        found["customer"].add(item.customer)
        found["state"].add(case.state)
        found["vendor"].add(item.vendor)
        found["requester"].add(item.requester)
        found["queue"].add(case.queue)
        found["assignee"].add(case.assignee or "—")
        if item.next is not None:
            found["deadline"].add(f"{RELATIVE_SAMPLE} {item.next.name}")
    for key, texts in found.items():
        shown = (short_company(t) for t in texts) if key == "customer" else texts
        widths[key] = max([widths[key], *(cell_len(t) for t in shown)])
    return widths


class QueueScreen(DeskScreen):
    """Every open case, most urgent deadline first."""

    SECTION = "queue"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_case", "New case"),
        Binding("slash", "filter", "Filter"),
        Binding("right_square_bracket", "view(1)", "Next view"),
        Binding("left_square_bracket", "view(-1)", "Prev view"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("S", "sweep", "Sweep"),
        Binding("V", "save_view", "Save view"),
        Binding("greater_than_sign", "sort(1)", "Sort by next column"),
        Binding("less_than_sign", "reverse", "Reverse order"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[QueueItem] = []
        self.shown: list[QueueItem] = []
        self.busy = False
        self.me = ""
        """The handle of the agent the desk acts as (``""`` on a desk without agents)."""
        self._keep: str | None = None
        self.saved: dict[str, str] = {}
        """The desk's saved views: name → filter."""
        self.sort: tuple[str, bool] = ("deadline", False)
        """The column the queue is sorted by and whether in reverse (most urgent first)."""
        self.vendor_names: dict[str, str] = {}
        self.requester_fields: dict[str, list[str]] = {}
        """Per vendor, the case form's e-mail fields (the first answered names the requester)."""

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield ViewBar(VIEWS, alerts={"breaching"}, shorts=SHORT_VIEWS, id="views")
        with Horizontal(id="queue-filter"):
            yield Label("Filter", id="filter-label")
            yield Input(
                placeholder="words, or vendor:zoho state:pending sev:1 ball:vendor assignee:me|none|HANDLE",
                id="filter",
                compact=True,
            )
        opening = self.wb.desk is None
        yield VirtualTable(COLUMNS, empty=OPENING if opening else NO_MATCH, id="queue")
        with Horizontal(id="queue-status", classes="status"):
            yield Label(OPENING if opening else "Loading open cases…", id="status")
            yield ProgressBar(id="progress", show_eta=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one(VirtualTable).focus()
        if self.wb.desk is None:
            self.wb.desk_opened.subscribe(self, lambda _desk: self._start())
        else:
            self._start()

    def _start(self) -> None:
        """The desk is open: its vendors' views, its changes, the minute tick, the cases."""
        programs = self.desk.programs()
        self.vendor_names = {v: vendor_name(programs[v].name, v) for v in self.desk.vendors()}
        self._set_views()
        self.wb.desk_changed.subscribe(self, self.on_desk_changed)
        self.set_interval(60, self.tick)
        self.load()

    def _set_views(self) -> None:
        """The built-in views, the desk's saved views (desk.saved_views), then one per vendor."""
        self.saved = dict(self.desk.saved_views())
        saved = [(f"saved:{name}", name) for name in self.saved]
        vendors = [(f"v:{v}", name) for v, name in self.vendor_names.items()]
        self.query_one(ViewBar).set_views(VIEWS + saved + vendors)

    def _in_view(self, item: QueueItem, view: str) -> bool:
        if view.startswith("saved:"):
            return matches(item, *parse_filter(self.saved.get(view[6:], "")))
        return view in item.views

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Filter and views work at once; what needs the desk waits for it to open."""
        return self.wb.desk is not None or action in ("filter", "view", "clear_filter")

    # -- loading ---------------------------------------------------------------------------

    def load(self, keep: str | None = None) -> None:
        """Reload the open cases; the cursor stays on ``keep`` (default: where it is)."""
        self._keep = keep if keep is not None else self.query_one(VirtualTable).cursor_key
        self.load_cases()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def load_cases(self) -> None:
        """Open cases first (shown at once), then their deadlines in the background."""
        self.back(self._busy, "Loading open cases…", None)
        cases = self.ask(self.desk.cases, open_only=True)
        customers = {c.id: c for c in self.ask(self.desk.customers, {c.customer_id for c in cases})}
        me = self.ask(self.desk.acting_agent)
        self.me = me.handle if me else ""
        self.wb.team = [(a.handle, a.name) for a in self.ask(self.desk.agents) if a.active]
        if not self.requester_fields:
            self.requester_fields = {
                v: [f.name for f in self.ask(self.desk.case_fields, v) if f.kind == "email"]
                for v in self.vendor_names
            }
        items = [self._item(c, customers.get(c.customer_id)) for c in cases]
        drawn = threading.Event()
        self.back(self._set_items, items, drawn.set)
        # The deadlines wait for the rows to be drawn: worked out at once, their first chunk
        # (and the kept clocks it reads) took the interpreter from the paint of the rows.
        worker = get_current_worker()
        give_up = time.monotonic() + PAINT_WAIT_SECONDS
        while not drawn.wait(PAINT_CHECK_SECONDS) and time.monotonic() < give_up:
            if worker.is_cancelled:
                return
        self._compute_deadlines(items, resort=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def refresh_deadlines(self) -> None:
        """The minute tick: new countdowns and states in place, the order and cursor kept
        (other agents' changes come in as they happen: ``WorkbenchApp._watch``)."""
        self._compute_deadlines(list(self.items), resort=False)

    def _compute_deadlines(self, items: list[QueueItem], resort: bool) -> None:
        """The deadlines of ``CHUNK_CASES`` cases per desk call (the desk lock is held for no
        longer), each chunk shown as it comes; a newer load or tick ends this one."""
        worker = get_current_worker()
        total = len(items)
        for start in range(0, total, CHUNK_CASES):
            chunk = items[start : start + CHUNK_CASES]
            deadlines = self.ask(self.desk.deadlines_for, [item.case for item in chunk], keep=False)
            if worker.is_cancelled:
                return
            self.back(self._apply_deadlines, chunk, deadlines, start + len(chunk), total)
        self.ask(self.desk.keep_deadlines)  # before the queue says it is done: it may close then
        self.back(self._loaded, resort)

    def _busy(self, text: str, total: int | None) -> None:
        self.busy = True
        self.query_one("#status", Label).update(text)
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=total, progress=0)

    def _set_items(self, items: list[QueueItem], drawn: Callable[[], None]) -> None:
        """Show ``items`` (their deadlines still to come); ``drawn`` is called once they are
        on screen."""
        self.items = items
        self.query_one(VirtualTable).empty = NO_MATCH if items else NO_OPEN_CASE
        self.wb.case_index = [(i.case.id, i.case.subject, i.customer, i.case.assignee) for i in items]
        self.apply_filter(keep=self._keep or "")
        self._busy(f"{len(items):,} open cases · computing deadlines…", len(items))
        if self.is_current:
            self.query_one(VirtualTable).after_drawn(drawn)
        else:
            drawn()  # not on screen (another screen or a dialog is): nothing to wait for

    def _apply_deadlines(
        self, items: list[QueueItem], deadlines: list[list[Deadline]], done: int, total: int
    ) -> None:
        now = self.desk.now()
        table = self.query_one(VirtualTable)
        for item, found in zip(items, deadlines, strict=True):
            item.set_deadlines(found)
            table.update_row(item.row(now, self.wb.locale))
        self.query_one("#progress", ProgressBar).update(total=total, progress=done)

    def _loaded(self, resort: bool) -> None:
        self.busy = False
        if resort:
            self.wb.settled()
        self.query_one("#progress").display = False
        if resort:
            self.apply_filter(keep=self._keep or "")
            rows = self.query_one("#queue", VirtualTable).rows
            if rows:
                self.prepare_first_view(rows[0].key)
        else:
            self._count_views(self._filtered())
        self._status()

    def tick(self) -> None:
        if not self.busy:
            self.refresh_deadlines()

    def on_desk_changed(self, change: tuple[str, Any]) -> None:
        kind, record = change
        if kind == "cases" and isinstance(record, Case):
            self.refresh_case(record.id)
        elif kind in ("settings", "sweep", "team", "desk", "clock"):
            if kind == "settings":
                self._set_views()
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-first-view")
    def prepare_first_view(self, key: str) -> None:
        """Work out the view of the case at the top of the queue once, unseen, while nobody
        waits: a process's first case view reads what every later one finds in memory (the
        closed cases' index and the event index, 38 MB at 200,000 cases), which made the
        first Enter take 110 ms instead of 31 (a BitTitan case at 50,000, issue 16)."""
        self.desk.view(key)

    @work(thread=True, exit_on_error=False, group="queue-case")
    def refresh_case(self, key: str) -> None:
        case = self.ask(self.desk.case, key)
        deadlines = self.ask(self.desk.deadlines, case) if case.is_open else []
        customer = self.ask(self.desk.customer_of, case)
        self.back(self._replace, case, customer, deadlines)

    def _item(self, case: Case, customer: Customer | None) -> QueueItem:
        requester = next(
            (str(case.fields[f]) for f in self.requester_fields.get(case.vendor, []) if case.fields.get(f)),
            customer.email if customer else "",
        )
        return QueueItem(
            case,
            customer.name if customer else case.customer_id,
            self.me,
            requester=requester or "",
            vendor=self.vendor_names.get(case.vendor, case.vendor),
        )

    def _replace(self, case: Case, customer: Customer | None, deadlines: list[Deadline]) -> None:
        self.items = [i for i in self.items if i.case.id != case.id]
        if case.is_open:
            item = self._item(case, customer)
            item.set_deadlines(deadlines)
            self.items.append(item)
        self.wb.case_index = [(i.case.id, i.case.subject, i.customer, i.case.assignee) for i in self.items]
        self.apply_filter()
        self._status()

    # -- views and filter ----------------------------------------------------------------

    def _filtered(self) -> list[QueueItem]:
        fields, words = parse_filter(self.query_one("#filter", Input).value)
        if not fields and not words:
            return self.items
        return [i for i in self.items if matches(i, fields, words)]

    def _count_views(self, items: list[QueueItem]) -> None:
        counts = Counter(view for item in items for view in item.views)
        for name, text in self.saved.items():
            fields, words = parse_filter(text)
            counts[f"saved:{name}"] = sum(1 for item in items if matches(item, fields, words))
        bar = self.query_one(ViewBar)
        bar.set_counts({view: counts.get(view, 0) for view, _ in bar.views})

    def apply_filter(self, keep: str | None = None) -> None:
        """Show the items of the active view that match the filter, most urgent first."""
        if self.wb.desk is None:
            return  # no case yet: the filter and view apply once the desk is open
        view = self.query_one(ViewBar).active
        filtered = self._filtered()
        self._count_views(filtered)
        shown = [i for i in filtered if self._in_view(i, view)]
        column, reverse = self.sort
        if column != "deadline" or not self.busy or all(i.deadlines is not None for i in shown):
            shown.sort(key=lambda item: item.key_of(column), reverse=reverse)
        self.shown = shown
        now, locale = self.desk.now(), self.wb.locale
        rows = LazyRows([i.case.id for i in shown], lambda index: shown[index].row(now, locale))
        table = self.query_one(VirtualTable)
        table.set_sort(column, reverse)
        table.set_rows(rows, keep=keep, natural=natural_widths(shown))
        if not self.busy:
            self._status()

    def _status(self) -> None:
        shown, total = len(self.shown), len(self.items)
        breaching = sum(1 for i in self.items if "breaching" in i.views)
        at_risk = sum(1 for i in self.items if "at-risk" in i.views)
        column, reverse = self.sort
        order = (
            "most urgent deadline first"
            if self.sort == ("deadline", False)
            else f"sorted by {next(c.label for c in COLUMNS if c.key == column)}"
            f"{', reversed' if reverse else ''}"
        )
        text = f"{shown:,} shown of {total:,} open · {breaching:,} breaching · {at_risk:,} at risk · {order}"
        self.query_one("#status", Label).update(text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.apply_filter(keep="")  # the first match: Enter opens what the filter found

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(VirtualTable).focus()

    @on(ViewBar.Changed)
    def _view_changed(self) -> None:
        if self.is_mounted:
            self.apply_filter(keep="")

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        self.wb.open_case(event.key)

    # -- actions ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def show_filter(self, text: str) -> None:
        """Show the open cases matching ``text`` (e.g. ``assignee:ken``, from the palette)."""
        self.query_one(ViewBar).active = "all"
        self.query_one("#filter", Input).value = text

    def action_clear_filter(self) -> None:
        search = self.query_one("#filter", Input)
        if search.has_focus:
            self.query_one(VirtualTable).focus()
        elif search.value:
            search.value = ""

    def action_save_view(self) -> None:
        """Keep the filter as typed under a name, in the desk: a tab for everyone who opens it."""
        from workbench.model import Field
        from workbench.tui.screens.dialogs import FormDialog

        text = self.query_one("#filter", Input).value.strip()
        if not text:
            self.app.notify("Type a filter first (/), then save it as a view.", severity="warning")
            return
        fields = [Field("name", "Name of the view", "text", required=True, help=f"filter: {text}")]

        def submit(values: dict[str, Any]) -> Any:
            return self.desk.save_view(values.get("name", ""), text)

        def done(result: Any) -> None:
            if result is not None:
                self.wb.changed(result, "view saved in the desk")

        self.app.push_screen(FormDialog("Save the filter as a view", fields, submit), done)

    def action_sort(self, delta: int) -> None:
        """Sort by the next column (as drawn), from its natural end."""
        index = SORTS.index(self.sort[0])
        self.sort_by(SORTS[(index + delta) % len(SORTS)], reverse=False)

    def action_reverse(self) -> None:
        self.sort_by(self.sort[0], reverse=not self.sort[1])

    @on(VirtualTable.HeaderSelected, "#queue")
    def _header(self, event: VirtualTable.HeaderSelected) -> None:
        """A click on a header sorts by that column; a second click reverses it."""
        same = self.sort[0] == event.column
        self.sort_by(event.column, reverse=not self.sort[1] if same else False)

    def sort_by(self, column: str, reverse: bool) -> None:
        self.sort = (column, reverse)
        self.apply_filter(keep="")
        label = next(c.label for c in COLUMNS if c.key == column)
        self.query_one("#status", Label).update(
            f"sorted by {label}{', reversed' if reverse else ''} · > next column · < reverse"
        )

    def action_view(self, delta: int) -> None:
        self.query_one(ViewBar).step(delta)

    def action_new_case(self) -> None:
        self.wb.new_case()

    def action_reload(self) -> None:
        self.load()

    def action_sweep(self) -> None:
        from workbench.tui.screens.dialogs import confirm

        confirm(
            self.app,
            "Sweep the whole desk now?",
            f"The time-driven rules run on all {len(self.items):,} open cases at once: reminders, "
            "breach marks and automatic closes are recorded and cannot be taken back.",
            "Sweep",
            self.sweep,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="sweep")
    def sweep(self) -> None:
        """Apply the time-driven rules to every open case, with a progress bar."""
        self.back(self._busy, "Sweeping: applying time-driven rules…", None)
        last = [0.0]

        def progress(index: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= CHUNK_SECONDS or index == total:
                last[0] = now
                self.app.call_from_thread(self._progress, index, total)

        try:
            report = self.change(self.desk.sweep, progress=progress)
        except Exception as error:
            self.back(self.wb.report_error, error)
            self.back(self._loaded, False)
            return
        self.back(self._swept, report)

    def _progress(self, index: int, total: int) -> None:
        self.query_one("#progress", ProgressBar).update(total=total, progress=index)
        self.query_one("#status", Label).update(f"Sweeping: {index:,} of {total:,} open cases")

    def _swept(self, report: SweepReport) -> None:
        from workbench.tui.screens.dialogs import SweepReportScreen

        self.busy = False
        self.query_one("#progress").display = False
        self.app.notify(sweep_summary(report), title="Sweep done")
        self.load()
        if report.applied or report.breaches or report.opened:
            self.app.push_screen(SweepReportScreen(report, self.wb.timezone))


def sweep_summary(report: SweepReport) -> str:
    """What a sweep did in one line, breaches counted by deadline and by case (the queue's
    Breaching view counts cases)."""
    on_cases = [b for b in report.breaches if "case" in b]
    cases = len({b["case"] for b in on_cases})
    breaches = len(on_cases)
    steps = len(report.breaches) - breaches
    return (
        f"{report.checked:,} cases checked · {len(report.applied)} actions · "
        f"{breaches} {'breach' if breaches == 1 else 'breaches'} marked on {cases} "
        f"{'case' if cases == 1 else 'cases'} · "
        + (f"{steps} workflow {'step' if steps == 1 else 'steps'} breached · " if steps else "")
        + f"{len(report.opened)} workflows opened"
    )
