"""Customers and contracts: list and detail, add and edit with the desk's validation,
eligibility with reasons, quotes, and the customer's cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from workbench.desk import (
    BadInput,
    DeskError,
    attribute_text,
    attribute_value,
    next_running,
    parse_value,
)
from workbench.model import (
    Case,
    Contract,
    Customer,
    Deadline,
    Eligibility,
    Field,
    Finding,
    Quote,
    VendorProgram,
)
from workbench.render import TONE_OF_STATE, day, relative
from workbench.tui.format import escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import FormDialog, findings_markup
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

CUSTOMER_COLUMNS = [
    Column("id", "ID", 6, most=7, priority=100),
    Column("name", "Customer", 12, flex=True),
    Column("domain", "Domain", 10, most=20, priority=40),
    Column("users", "Users", 6, align="right", priority=30),
]
CONTRACT_COLUMNS = [
    Column("id", "ID", 5, priority=100),
    Column("vendor", "Vendor", 8, priority=40),
    Column("product", "Product", 10, flex=True),
    Column("start", "Start", 10, priority=30),
    Column("end", "End", 10, priority=80),
    Column("qty", "Qty", 4, align="right", priority=20),
    Column("price", "List price", 14, align="right", priority=25),
]
CASE_COLUMNS = [
    Column("id", "ID", 5, most=7, priority=100),
    Column("vendor", "Vendor", 8, priority=30),
    Column("subject", "Subject", 12, flex=True),
    Column("deadline", "Next deadline", 14, most=40, priority=90),
    Column("state", "State", 8, most=14, priority=60),
]
"""A customer's cases, open ones first with their next deadline, then the closed."""

CUSTOMER_FIELDS = [
    Field("name", "Name", "text", required=True),
    Field("email", "E-mail", "email"),
    Field("domain", "Domain", "text", help="e.g. example.co.jp"),
    Field("users", "Users", "number", help="user licence count"),
    Field("notes", "Notes", "longtext"),
]
"""The core's fields of a customer; the attributes vendor programs declare follow them
(:func:`attribute_fields`)."""


def attribute_fields(declared: dict[str, tuple[VendorProgram, Field]]) -> list[Field]:
    """Each customer attribute a program declares as a field of the customer form, named by
    its key (``zoho.region``: a refusal of the desk, which names the key, shows under it) and
    labelled with the program's name. The desk checks the values as it checks the rest."""
    return [
        Field(
            key,
            f"{program.name}: {field.label}",
            field.kind,
            choices=field.choices,
            help=field.help,
            rule=field.rule,
            when=dict(field.when),
        )
        for key, (program, field) in declared.items()
    ]


CONTRACT_FIELDS = [
    Field("start", "Start", "date", required=True),
    Field("end", "End", "date", help="empty: open-ended"),
    Field("quantity", "Quantity", "number", default=1),
    Field("list_price", "List price", "number", default=0),
    Field("currency", "Currency", "text", default="JPY"),
    Field(
        "attributes",
        "Attributes",
        "text",
        help="key=value, comma-separated (e.g. audio_commit=yes for WebEx)",
    ),
]
"""A contract's fields after its product (the add and the edit form ask for the product
their own way)."""


@dataclass
class Detail:
    """What the right-hand side shows of one customer."""

    customer: Customer
    contracts: list[Contract]
    cases: list[Case]
    eligibility: list[Eligibility]
    next_deadlines: dict[str, Deadline | None]
    """The next running deadline of each open case (by case ID)."""


def deadline_cell(deadline: Deadline | None, now: datetime, is_open: bool, locale: str) -> tuple[str, str]:
    """A case's next deadline as the queue draws it: when, in words, and its name, in its tone."""
    if deadline is None:
        return ("—" if is_open else "", "dim")
    return (f"{relative(deadline.due, now, locale)} {deadline.name}", TONE_OF_STATE.get(deadline.state, ""))


def case_order(case: Case, deadline: Deadline | None) -> tuple:
    """Open cases first, most urgent deadline first; then the closed, newest first."""
    due = deadline.due.timestamp() if deadline and deadline.due else float("inf")
    return (not case.is_open, due, -case.opened_at.timestamp())


def whole_number(name: str, raw: Any) -> int:
    """A form's number answer that must be whole (users, quantity, list price)."""
    value = parse_value(name, "number", raw)
    if not isinstance(value, int):
        raise BadInput(name, "must be a whole number, zero or more")
    return value


def customer_values(
    values: dict[str, Any], attributes: list[Field], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Form answers as :class:`Customer` values (users as a whole number), the answers to the
    declared ``attributes`` over those of ``current`` (a declared attribute left empty is
    removed; one no installed program declares stays, and so does a value a choice cannot
    show: a region moved from an older desk that is not one of the program's)."""
    keys = {field.name for field in attributes}
    result = {k: v for k, v in values.items() if k != "users" and k not in keys}
    if values.get("users") not in (None, ""):
        result["users"] = whole_number("users", values["users"])
    given = dict(current or {})
    for field in attributes:
        unshown = field.kind == "choice" and field.name in given and given[field.name] not in field.choices
        if not (unshown and values.get(field.name) in (None, "")):
            given[field.name] = values.get(field.name)
    result["attributes"] = given
    return result


def searchable(customer: Customer) -> str:
    """A customer's attribute values, for the filter."""
    return " ".join(str(value) for value in customer.attributes.values())


def contract_values(values: dict[str, Any]) -> dict[str, Any]:
    """Answers to :data:`CONTRACT_FIELDS` as :class:`Contract` values; an empty end is an
    open-ended contract."""
    end = values.get("end")
    return {
        "start": date.fromisoformat(parse_value("start", "date", values.get("start", ""))),
        "end": date.fromisoformat(parse_value("end", "date", end)) if end else None,
        "quantity": whole_number("quantity", values.get("quantity", 1)),
        "list_price": whole_number("list_price", values.get("list_price", 0)),
        "currency": values.get("currency", "JPY"),
        "attributes": attributes_of(values.get("attributes", "")),
    }


def attributes_of(text: str) -> dict[str, Any]:
    """``audio_commit=yes, licence=core`` → ``{"audio_commit": True, "licence": "core"}``."""
    found: dict[str, Any] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput("attributes", f"{pair!r} is not key=value")
        found[key.strip()] = attribute_value(value)
    return found


def attributes_text(attributes: dict[str, Any]) -> str:
    """The attributes field's text for ``attributes`` (read back by :func:`attributes_of`)."""
    return ", ".join(f"{key}={attribute_text(value)}" for key, value in attributes.items())


class CustomersScreen(DeskScreen):
    """Customers on the left; the highlighted one's contracts, eligibility and cases."""

    CSS_PATH = "customers.tcss"
    SECTION = "customers"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add customer"),
        Binding("e", "edit", "Edit customer"),
        Binding("C", "add_contract", "Add contract"),
        Binding("ctrl+e", "edit_contract", "Edit contract"),
        Binding("n", "new_case", "New case"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "leave", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.customers: list[Customer] = []
        self.detail: Detail | None = None

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Input(
            placeholder="filter customers: ID, name, domain, attributes", id="customer-filter", compact=True
        )
        with Horizontal(id="customers"):
            yield VirtualTable(CUSTOMER_COLUMNS, select_label="Contracts", id="customer-list")
            with Vertical(id="customer-side"):
                yield Static(id="customer-info", classes="box")
                yield VirtualTable(
                    CONTRACT_COLUMNS, empty="No contract.", select_label="Quote", id="contracts"
                )
                yield Static(id="contract-info", classes="box")
                yield VirtualTable(
                    CASE_COLUMNS, empty="No case.", select_label="Open case", id="customer-cases"
                )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#customer-info").border_title = "Customer"
        self.query_one("#contract-info").border_title = "Quote and contract findings"
        self.query_one("#customer-list").focus()
        self.wb.desk_changed.subscribe(self, self._desk_changed)
        self.load()

    def _desk_changed(self, change: tuple[str, Any]) -> None:
        kind, _ = change
        if kind in ("customers", "contracts", "settings", "desk"):
            self.load()
        elif kind in ("cases", "sweep", "clock") and self.detail is not None:
            self.load_detail(self.detail.customer.id)

    # -- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="customers")
    def load(self) -> None:
        self.back(self.show, self.ask(self.desk.customers))

    def show(self, customers: list[Customer]) -> None:
        self.customers = customers
        self.apply_filter()

    def apply_filter(self) -> None:
        words = self.query_one("#customer-filter", Input).value.lower().split()
        rows = [
            Row(c.id, [(c.id, "bold"), c.name, c.domain or "-", str(c.users)])
            for c in self.customers
            if all(w in f"{c.id} {c.name} {c.domain} {c.email} {searchable(c)}".lower() for w in words)
        ]
        table = self.query_one("#customer-list", VirtualTable)
        table.set_rows(rows)
        if table.cursor_key:
            self.load_detail(table.cursor_key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load_detail(self, key: str) -> None:
        try:
            customer = self.ask(self.desk.customer, key)
        except DeskError:
            return
        cases = self.ask(self.desk.cases, customer_id=key)
        open_cases = [c for c in cases if c.is_open]
        deadlines = self.ask(self.desk.deadlines_for, open_cases)
        detail = Detail(
            customer,
            self.ask(self.desk.contracts, key),
            cases,
            self.ask(self.desk.eligibility, key),
            {c.id: next_running(found) for c, found in zip(open_cases, deadlines, strict=True)},
        )
        self.back(self.show_detail, detail)

    def show_detail(self, detail: Detail) -> None:
        self.detail = detail
        c = detail.customer
        lines = [
            f"[b]{escape(c.name)}[/b] ({c.id}) · users {c.users}",
            f"e-mail {escape(c.email or '-')} · domain {escape(c.domain or '-')}",
        ]
        if c.attributes:
            lines.append(
                " · ".join(
                    f"[$text-muted]{key}[/] {escape(str(value))}" for key, value in c.attributes.items()
                )
            )
        if c.notes:
            lines.append(f"[$text-muted]{escape(c.notes)}[/]")
        for e in detail.eligibility:
            mark = "[$text-success]✓[/]" if e.eligible else "[$text-error]✗[/]"
            claim = "claimable" if e.claimable else "not claimable yet"
            lines.append(
                f"{mark} {escape(e.program)}: {'eligible' if e.eligible else 'not eligible'}"
                f", {claim} — [$text-accent]{e.rule}[/] {escape(e.reason)}"
            )
        self.query_one("#customer-info", Static).update("\n".join(lines))
        today = self.desk.today()
        contracts = [
            Row(
                k.id,
                [
                    (k.id, "bold"),
                    k.vendor,
                    (k.product, "" if k.active_on(today) else "dim"),
                    day(k.start),
                    day(k.end),
                    str(k.quantity),
                    f"{k.list_price:,} {k.currency}",
                ],
            )
            for k in detail.contracts
        ]
        self.query_one("#contracts", VirtualTable).set_rows(contracts)
        now = self.desk.now()
        cases = [
            Row(
                x.id,
                [
                    (x.id, "bold"),
                    x.vendor,
                    x.subject,
                    deadline_cell(detail.next_deadlines.get(x.id), now, x.is_open, self.wb.locale),
                    (x.state, "dim" if x.state == "closed" else ""),
                ],
            )
            for x in sorted(detail.cases, key=lambda c: case_order(c, detail.next_deadlines.get(c.id)))
        ]
        self.query_one("#customer-cases", VirtualTable).set_rows(cases)
        self._contract_changed()

    @on(VirtualTable.Highlighted, "#customer-list")
    def _customer_changed(self, event: VirtualTable.Highlighted) -> None:
        if event.key:
            self.load_detail(event.key)

    @on(VirtualTable.Selected, "#customer-list")
    def _to_contracts(self) -> None:
        self.query_one("#contracts").focus()

    @on(VirtualTable.Highlighted, "#contracts")
    def _contract_changed(self) -> None:
        key = self.query_one("#contracts", VirtualTable).cursor_key
        if key:
            self.load_quote(key)
        else:
            self.query_one("#contract-info", Static).update("[$text-muted]No contract.[/]")

    @on(VirtualTable.Selected, "#contracts")
    def _contract_selected(self) -> None:
        self.query_one("#contract-info").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="quote")
    def load_quote(self, key: str) -> None:
        contract = self.ask(self.desk.contract, key)
        findings = self.ask(self.desk.check_contract, contract)
        try:
            quote: Quote | str = self.ask(self.desk.quote, key)
        except DeskError as error:
            quote = str(error.problem if isinstance(error, BadInput) else error)
        self.back(self._show_quote, contract, quote, findings)

    def _show_quote(self, contract: Contract, quote: Quote | str, findings: list[Finding]) -> None:
        lines = [
            f"[b]{contract.id}[/b] {contract.vendor} {escape(contract.product)}"
            + (
                f" · {escape(', '.join(f'{k}={v}' for k, v in contract.attributes.items()))}"
                if contract.attributes
                else ""
            )
        ]
        if isinstance(quote, str):
            lines.append(f"[$text-muted]{escape(quote)}[/]")
        else:
            for line in quote.lines:
                lines.append(
                    f"{escape(line.item)}: [b]{line.amount:,} {line.currency}[/b] "
                    f"[$text-accent]{line.rule}[/] {escape(line.reason)}"
                )
            if quote.note:
                lines.append(f"[$text-muted]{escape(quote.note)}[/]")
        lines.append(findings_markup(findings))
        self.query_one("#contract-info", Static).update("\n".join(lines))

    @on(VirtualTable.Selected, "#customer-cases")
    def _open_case(self, event: VirtualTable.Selected) -> None:
        self.wb.open_case(event.key)

    @on(Input.Changed, "#customer-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#customer-filter")
    def _filter_done(self) -> None:
        self.query_one("#customer-list").focus()

    # -- actions -------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#customer-filter").focus()

    def action_leave(self) -> None:
        self.query_one("#customer-list").focus()

    def action_new_case(self) -> None:
        self.wb.new_case(customer_id=self.detail.customer.id if self.detail else None)

    def _saved(self, what: str) -> Any:
        def finished(result: Any) -> None:
            if result is not None:
                self.wb.changed(result, f"{result.id}: {what}")

        return finished

    def action_add(self) -> None:
        attributes = attribute_fields(self.desk.customer_attributes())

        def submit(values: dict[str, Any]) -> Customer:
            data = customer_values(values, attributes)
            return self.desk.add_customer(data.pop("name", ""), **data)

        self.app.push_screen(
            FormDialog("New customer", [*CUSTOMER_FIELDS, *attributes], submit, submit_label="Add"),
            self._saved("customer added"),
        )

    def action_edit(self) -> None:
        if self.detail is None:
            return
        customer = self.detail.customer
        attributes = attribute_fields(self.desk.customer_attributes())
        current = customer.to_dict() | {
            field.name: attribute_text(customer.attributes[field.name])
            for field in attributes
            if field.name in customer.attributes
        }

        def submit(values: dict[str, Any]) -> Customer:
            changes = {f.name: "" for f in CUSTOMER_FIELDS if f.name != "users"}
            changes.update(customer_values(values, attributes, customer.attributes))
            return self.desk.update_customer(customer.id, **changes)

        self.app.push_screen(
            FormDialog(
                f"Edit customer {customer.id}", [*CUSTOMER_FIELDS, *attributes], submit, values=current
            ),
            self._saved("customer saved"),
        )

    def action_add_contract(self) -> None:
        if self.detail is None:
            return
        customer = self.detail.customer
        products = {
            f"{vendor}/{product}": (vendor, product)
            for vendor in self.desk.vendors()
            for product in self.desk.programs()[vendor].products
        }
        declared = self._declared_attributes(products)
        fields = [
            Field("product", "Vendor / product", "choice", required=True, choices=list(products)),
            *self._contract_fields(),
            *(field for field, _ in declared.values()),
        ]

        def submit(values: dict[str, Any]) -> Contract:
            if not values.get("product"):
                raise BadInput("product", "choose the vendor and product")
            vendor, product = products[values["product"]]
            given = contract_values(values)
            for key, (field, name) in declared.items():
                if values.get("product") == field.when["product"] and values.get(key) not in (None, ""):
                    given["attributes"][name] = values[key]
            return self.desk.add_contract(customer.id, vendor, product, **given)

        self.app.push_screen(
            FormDialog(
                f"New contract for {customer.name} ({customer.id})", fields, submit, submit_label="Add"
            ),
            self._saved("contract added"),
        )

    def _declared_attributes(self, products: dict[str, tuple[str, str]]) -> dict[str, tuple[Field, str]]:
        """Each attribute a vendor declares for its contracts as a field of its own, shown for
        the products that take it (the desk checks the value as it checks the rest): form key →
        (field, attribute name)."""
        declared = {}
        for vendor in self.desk.vendors():
            for f in self.desk.programs()[vendor].contract_attributes:
                takes = [
                    choice
                    for choice, (owner, product) in products.items()
                    if owner == vendor and all({"product": product}.get(k) == v for k, v in f.when.items())
                ]
                for choice in takes:
                    key = f"attr-{choice.replace('/', '-')}-{f.name}"
                    field = Field(key, f.label, f.kind, help=f.help, rule=f.rule, when={"product": choice})
                    declared[key] = (field, f.name)
        return declared

    def _contract_fields(self) -> list[Field]:
        """:data:`CONTRACT_FIELDS`, the attributes' help naming what each vendor's contracts take."""
        declared = [
            f"{vendor}: {f.name} ({f.label}"
            + (f", {', '.join(str(v) for v in f.when.values())}" if f.when else "")
            + ")"
            for vendor in self.desk.vendors()
            for f in self.desk.programs()[vendor].contract_attributes
        ]
        if not declared:
            return CONTRACT_FIELDS
        return [
            Field(f.name, f.label, f.kind, help=f"{f.help}; {'; '.join(declared)}")
            if f.name == "attributes"
            else f
            for f in CONTRACT_FIELDS
        ]

    def action_edit_contract(self) -> None:
        """Correct the highlighted contract; the desk checks it as it checks a new one."""
        if self.detail is None:
            return
        customer = self.detail.customer
        key = self.query_one("#contracts", VirtualTable).cursor_key
        contract = next((k for k in self.detail.contracts if k.id == key), None)
        if contract is None:
            self.notify("No contract to edit: add one with C.", title="Edit contract", severity="warning")
            return
        program = self.desk.programs().get(contract.vendor)
        products = program.products if program else []
        product = Field(
            "product", "Product", "choice" if products else "text", required=True, choices=products
        )

        def submit(values: dict[str, Any]) -> Contract:
            if not values.get("product"):
                raise BadInput("product", "choose the product")
            return self.desk.update_contract(
                contract.id, product=values["product"], **contract_values(values)
            )

        self.app.push_screen(
            FormDialog(
                f"Edit contract {contract.id} ({contract.vendor}) of {customer.name} ({customer.id})",
                [product, *self._contract_fields()],
                submit,
                values={**contract.to_dict(), "attributes": attributes_text(contract.attributes)},
            ),
            self._saved("contract saved"),
        )
