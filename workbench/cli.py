"""The ``workbench`` command: the TUI by default, subcommands for people and scripts.

Every subcommand takes ``--db``, ``--now`` and ``--json``. With ``--json`` it prints one JSON
document on stdout and nothing else. Errors go to stderr: exit 2 for bad input, 1 for
everything else (a rule's refusal included); a refused or bad command changes nothing.

The desk, its store and the plugins are imported where a command first needs them, not
here: the TUI draws its first frame while a thread opens the desk, and importing them
first would hold that frame back by 40 ms.
"""

from __future__ import annotations

import functools
import gc
import getpass
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from workbench import __version__, clock
from workbench.errors import BadInput, DeskError, Invalid, PluginContractError, Refused, StoreError

if TYPE_CHECKING:
    from workbench.desk import Desk

# ----------------------------------------------------------------------------------------
# Shared options and output
# ----------------------------------------------------------------------------------------


class Context:
    """Options collected from the group and the subcommand (the subcommand's win)."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.json = False
        self.debug = False
        self._desk: Desk | None = None

    def desk(self) -> Desk:
        from workbench.desk import Desk
        from workbench.plugins import get_plugins
        from workbench.store import open_store

        if self._desk is None:
            chosen = self.db or os.environ.get("WORKBENCH_DB") or None
            if chosen and not Path(chosen).expanduser().resolve().parent.is_dir():
                raise BadInput("--db", f"the folder of {chosen} does not exist (a typo in the path?)")
            store = open_store(chosen)
            actor = os.environ.get("WORKBENCH_ACTOR") or getpass.getuser()
            self._desk = Desk(store, get_plugins(), actor=actor)
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.store.close()


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Context).db = value


def _set_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        try:
            clock.set_now(value)
        except clock.ClockError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from None


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Context).json = True


def desk_options(command: Callable) -> Callable:
    """``--db``, ``--now`` and ``--json`` on a command."""
    command = click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_json,
        help="Print one JSON document on stdout and nothing else.",
    )(command)
    command = click.option(
        "--now",
        metavar="ISO",
        expose_value=False,
        is_eager=True,
        callback=_set_now,
        help="Act as if it were this time (ISO-8601); also WORKBENCH_NOW.",
    )(command)
    command = click.option(
        "--db",
        metavar="PATH",
        expose_value=False,
        is_eager=True,
        callback=_set_db,
        help="The desk file (default: your data directory; also WORKBENCH_DB).",
    )(command)
    return command


def with_desk(command: Callable) -> Callable:
    """Pass the desk as the first argument and print what the command returns."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        context = click.get_current_context().ensure_object(Context)
        result = command(context.desk(), *args, **kwargs)
        emit(context, result)

    return desk_options(wrapper)


class Output:
    """A command's answer: a JSON-able document and its text for people."""

    def __init__(self, data: Any, text: str | list[str]) -> None:
        self.data = data
        self.text = text if isinstance(text, str) else "\n".join(text)


def emit(context: Context, result: Output | None) -> None:
    if context._desk is not None:
        for failure in context._desk.plugins.failures:
            click.echo(f"workbench: warning: {failure}; its answers are missing above", err=True)
    if result is None:
        return
    if context.json:
        click.echo(orjson.dumps(result.data, option=orjson.OPT_INDENT_2, default=str).decode())
    else:
        click.echo(result.text)


def parse_pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput(option, f"{pair!r} is not KEY=VALUE")
        values[key.strip()] = value
    return values


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(name, f"{value!r} is not a date YYYY-MM-DD") from None


def local(desk: Desk, instant: Any) -> str:
    """An instant in the desk's time zone, for people."""
    if instant is None:
        return "-"
    return instant.astimezone(desk.timezone()).strftime("%Y-%m-%d %H:%M %Z")


# ----------------------------------------------------------------------------------------
# The group: the TUI when no subcommand is given
# ----------------------------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name="workbench")
@desk_options
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Case Workbench: one terminal desk for every vendor program you support.

    Run without a command to open the desk in your terminal.
    """
    ctx.ensure_object(Context).debug = debug
    if ctx.invoked_subcommand is None:
        from workbench.tui.app import run

        run(ctx.obj.desk)  # opened behind the first frame; an error in words after the app
    else:
        gc.enable()  # paused by main() for the terminal desk's start only


# ----------------------------------------------------------------------------------------
# Demo, plugins, settings
# ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--force", is_flag=True, help="Add the demo records even if the desk holds data.")
@with_desk
def demo(desk: Desk, force: bool) -> Output:
    """Fill a desk with realistic demo data for all four vendors."""
    if not desk.is_empty() and not force:
        raise BadInput(
            "--db",
            f"the desk at {desk.store.location} already holds data; "
            "use another --db, or --force to add the demo records to it",
        )
    lines = desk.fill_demo()
    counts = {kind: len(desk.store.all(kind)) for kind in ("customers", "contracts", "cases", "workflows")}
    return Output(
        {"created": lines, "counts": counts, "db": desk.store.location},
        [
            *lines,
            "",
            f"Demo desk at {desk.store.location}: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
        ],
    )


@cli.command()
@with_desk
def plugins(desk: Desk) -> Output:
    """Vendor programs, versions, hooks and rule catalogues."""
    data = []
    text = []
    for name in desk.plugins.names():
        plugin = desk.plugins.pm.get_plugin(name)
        hooks = sorted(h.name for h in desk.plugins.pm.get_hookcallers(plugin) or [])
        program = next(
            (
                p
                for p in desk.programs().values()
                if desk.plugins.pm.get_name(plugin) == name and p.id == name
            ),
            None,
        )
        entry = {
            "plugin": name,
            "package": desk.plugins.distributions.get(name, ""),
            "hooks": hooks,
            "program": program.to_dict() if program else None,
        }
        data.append(entry)
        if program:
            text.append(f"{program.name} ({program.id} {program.version}) — {len(program.rules)} rules")
            text += [f"  {r.id}  {r.text}" for r in program.rules]
        else:
            text.append(f"{name} — adds policy, declares no program")
    failures = [{"plugin": f.plugin, "hook": f.hook, "error": f.error} for f in desk.plugins.failures]
    text += [f"! {f}" for f in desk.plugins.failures]
    return Output({"plugins": data, "failures": failures, "disabled": desk.plugins.disabled}, text)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("key", required=False)
@click.argument("value", required=False)
@with_desk
def settings(desk: Desk, key: str | None, value: str | None) -> Output:
    """List desk settings, show one, or set KEY to VALUE (validated)."""
    if key is not None and value is not None:
        view = desk.set_setting(key, value)
        return Output(view.to_dict(), f"{view.key} = {view.value!r}")
    views = desk.settings()
    if key is not None:
        views = [v for v in views if v.key == key]
        if not views:
            raise BadInput("setting", f"unknown setting {key!r} (see `workbench settings`)")
    text = [
        f"{v.key} = {v.value!r}"
        + ("" if v.value == v.default else f"  (default {v.default!r})")
        + f"\n    {v.help}"
        for v in views
    ]
    return Output([v.to_dict() for v in views], text)


# ----------------------------------------------------------------------------------------
# Customers and contracts
# ----------------------------------------------------------------------------------------


@cli.group()
def customer() -> None:
    """Customers: region, users, domain, super-admin e-mail …"""


CUSTOMER_OPTIONS = [
    click.option("--email", default=None, help="Contact e-mail."),
    click.option("--domain", default=None, help="The customer's mail domain."),
    click.option("--region", default=None, help="Region (e.g. a Zoho region)."),
    click.option("--users", type=int, default=None, help="User licence count."),
    click.option("--super-admin-email", default=None, help="Super-admin e-mail (Zoho)."),
    click.option("--notes", default=None),
]


def customer_options(command: Callable) -> Callable:
    for option in reversed(CUSTOMER_OPTIONS):
        command = option(command)
    return command


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@customer.command("add")
@click.argument("name")
@customer_options
@with_desk
def customer_add(desk: Desk, name: str, **values: Any) -> Output:
    """Add a customer called NAME."""
    created = desk.add_customer(name, **_given(**values))
    return Output(created.to_dict(), f"{created.id} {created.name}")


@customer.command("edit")
@click.argument("customer_id")
@click.option("--name", default=None)
@customer_options
@with_desk
def customer_edit(desk: Desk, customer_id: str, **values: Any) -> Output:
    """Change a customer's details."""
    updated = desk.update_customer(customer_id, **_given(**values))
    return Output(updated.to_dict(), f"{updated.id} {updated.name} updated")


@customer.command("list")
@with_desk
def customer_list(desk: Desk) -> Output:
    """Every customer."""
    found = desk.customers()
    return Output(
        [c.to_dict() for c in found],
        [f"{c.id:8} {c.name}  {c.region or '-'}  {c.users} users  {c.domain}" for c in found]
        or ["no customers"],
    )


@customer.command("show")
@click.argument("customer_id")
@with_desk
def customer_show(desk: Desk, customer_id: str) -> Output:
    """A customer with contracts, eligibility and cases."""
    found = desk.customer(customer_id)
    contracts = desk.contracts(customer_id=customer_id)
    eligibility = desk.eligibility(customer_id)
    cases = desk.cases(customer_id=customer_id)
    text = [
        f"{found.id} {found.name}",
        f"  e-mail {found.email or '-'}  domain {found.domain or '-'}  region {found.region or '-'}"
        f"  users {found.users}  super-admin {found.super_admin_email or '-'}",
        "Contracts:",
        *[f"  {c.id} {c.vendor} {c.product} {c.start}–{c.end or ''}" for c in contracts],
        "Eligibility:",
        *[
            f"  {e.program}: {'eligible' if e.eligible else 'not eligible'}"
            f"{', claimable' if e.claimable else ''} — {e.reason} ({e.rule})"
            for e in eligibility
        ],
        "Cases:",
        *[f"  {c.id} [{c.state}] {c.vendor} {c.subject}" for c in cases],
    ]
    return Output(
        {
            "customer": found.to_dict(),
            "contracts": [c.to_dict() for c in contracts],
            "eligibility": [e.to_dict() for e in eligibility],
            "cases": [c.to_dict() for c in cases],
            "history": [e.to_dict() for e in desk.events("customers", customer_id)],
        },
        text,
    )


@cli.group()
def contract() -> None:
    """Contracts: vendor, product, dates, quantities, list price."""


@contract.command("add")
@click.option("--customer", "customer_id", required=True)
@click.option("--vendor", required=True)
@click.option("--product", required=True)
@click.option("--start", required=True, help="YYYY-MM-DD")
@click.option("--end", default=None, help="YYYY-MM-DD")
@click.option("--quantity", type=int, default=1)
@click.option("--list-price", type=int, default=0, help="Whole currency units (yen).")
@click.option("--currency", default="JPY")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Vendor-specific facts.")
@with_desk
def contract_add(
    desk: Desk,
    customer_id: str,
    vendor: str,
    product: str,
    start: str,
    end: str | None,
    quantity: int,
    list_price: int,
    currency: str,
    attrs: tuple[str, ...],
) -> Output:
    """Add a contract (the vendor's contract rules run first)."""
    from workbench.desk import attribute_value

    attributes = {k: attribute_value(v) for k, v in parse_pairs(attrs, "--attr").items()}
    created = desk.add_contract(
        customer_id,
        vendor,
        product,
        parse_date(start, "--start"),
        parse_date(end, "--end"),
        quantity,
        list_price,
        currency,
        attributes,
    )
    return Output(created.to_dict(), f"{created.id} {created.vendor} {created.product} for {customer_id}")


@contract.command("edit")
@click.argument("contract_id")
@click.option("--product", default=None)
@click.option("--start", default=None, help="YYYY-MM-DD")
@click.option("--end", default=None, help="YYYY-MM-DD, or 'none' for an open-ended contract.")
@click.option("--quantity", type=int, default=None)
@click.option("--list-price", type=int, default=None, help="Whole currency units (yen).")
@click.option("--currency", default=None)
@click.option(
    "--attribute",
    "--attr",
    "attrs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a vendor-specific fact; KEY= with nothing after it removes one.",
)
@with_desk
def contract_edit(
    desk: Desk,
    contract_id: str,
    product: str | None,
    start: str | None,
    end: str | None,
    quantity: int | None,
    list_price: int | None,
    currency: str | None,
    attrs: tuple[str, ...],
) -> Output:
    """Correct a contract (checked like a new one: the vendor's contract rules run first)."""
    from workbench.desk import attribute_value

    current = desk.contract(contract_id)
    changes = _given(
        product=product,
        start=parse_date(start, "--start"),
        quantity=quantity,
        list_price=list_price,
        currency=currency,
    )
    if end is not None:
        changes["end"] = None if end.strip().lower() == "none" else parse_date(end, "--end")
    if attrs:
        attributes = dict(current.attributes)
        for name, text in parse_pairs(attrs, "--attribute").items():
            if text.strip():
                attributes[name] = attribute_value(text)
            else:
                attributes.pop(name, None)
        changes["attributes"] = attributes
    updated = desk.update_contract(contract_id, **changes)
    before, after = current.to_dict(), updated.to_dict()
    changed = [name for name in after if before[name] != after[name]]
    return Output(
        updated.to_dict(),
        f"{updated.id} {updated.vendor} {updated.product} "
        + (f"updated: {', '.join(changed)}" if changed else "unchanged"),
    )


def _customer_name(desk: Desk, customer_id: str) -> str:
    return desk.customer(customer_id).name if customer_id else "(no customer)"


def _check_filters(desk: Desk, vendor: str | None, customer_id: str | None) -> None:
    """A filter naming an unknown vendor or customer is a typo, not an empty answer."""
    if vendor is not None:
        desk.program(vendor)
    if customer_id is not None:
        desk.customer(customer_id)


@contract.command("list")
@click.option("--customer", "customer_id", default=None)
@click.option("--vendor", default=None)
@with_desk
def contract_list(desk: Desk, customer_id: str | None, vendor: str | None) -> Output:
    """Contracts, optionally of one customer or vendor."""
    _check_filters(desk, vendor, customer_id)
    found = desk.contracts(customer_id, vendor)
    return Output(
        [c.to_dict() for c in found],
        [
            f"{c.id:6} {c.customer_id:8} {c.vendor:9} {c.product:22} {c.start}–{c.end or ''}"
            f"  ×{c.quantity}  {c.list_price:,} {c.currency}"
            for c in found
        ]
        or ["no contracts"],
    )


@contract.command("show")
@click.argument("contract_id")
@with_desk
def contract_show(desk: Desk, contract_id: str) -> Output:
    """A contract and what its vendor's rules say of it."""
    found = desk.contract(contract_id)
    findings = desk.check_contract(found)
    text = [
        f"{found.id} {found.vendor} {found.product} for {found.customer_id}",
        f"  {found.start} – {found.end or 'open-ended'}  ×{found.quantity}  "
        f"list price {found.list_price:,} {found.currency}",
        *[f"  {k}: {v}" for k, v in found.attributes.items()],
        *[f"  {f.level}: {f.message} ({f.rule})" for f in findings],
    ]
    return Output({"contract": found.to_dict(), "findings": [f.to_dict() for f in findings]}, text)


@cli.command()
@click.argument("customer_id")
@with_desk
def eligibility(desk: Desk, customer_id: str) -> Output:
    """Priority and program eligibility of a customer, with reasons."""
    found = desk.eligibility(customer_id)
    return Output(
        [e.to_dict() for e in found],
        [
            f"{e.program}: {'eligible' if e.eligible else 'not eligible'}"
            f"{', claimable' if e.claimable else ', not claimable' if e.eligible else ''}"
            f" — {e.reason} ({e.rule})"
            for e in found
        ]
        or ["no program has a rule for this customer"],
    )


@cli.command()
@click.argument("contract_id")
@with_desk
def quote(desk: Desk, contract_id: str) -> Output:
    """Fees derived from list prices (e.g. OnTime maintenance 20 %, support 15 %)."""
    found = desk.quote(contract_id)
    text = [
        f"Quote for {found.contract_id} ({found.rule})",
        *[
            f"  {line.item:32} {line.amount:>12,} {line.currency}  — {line.reason} ({line.rule})"
            for line in found.lines
        ],
    ]
    if found.note:
        text.append(f"  {found.note}")
    return Output(found.to_dict(), text)


# ----------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------


@cli.group()
def case() -> None:
    """Cases: open, list, show, and the timeline actions."""


def _findings_text(findings: list) -> list[str]:
    return [f"  {f.level}: {f.field + ': ' if f.field else ''}{f.message} ({f.rule})" for f in findings]


@case.command("new")
@click.option("--vendor", required=True)
@click.option("--customer", "customer_id", required=True)
@click.option("--subject", required=True)
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="A form answer.")
@click.option("--preview", is_flag=True, help="Show route, deadlines and findings; save nothing.")
@with_desk
def case_new(
    desk: Desk, vendor: str, customer_id: str, subject: str, fields: tuple[str, ...], preview: bool
) -> Output:
    """Open a case under VENDOR's program (see `case fields VENDOR` for its form)."""
    answers = parse_pairs(fields, "--field")
    if preview:
        shown = desk.preview_case(vendor, customer_id, subject, answers)
        text = [f"Preview ({'blocked' if shown.blocked else 'can be saved'})"]
        if shown.route:
            text.append(
                f"  path {shown.route.path}, queue {shown.route.queue} — "
                f"{shown.route.reason} ({shown.route.rule})"
            )
        text += [f"  {d.name}: due {local(desk, d.due)} on {d.calendar} ({d.rule})" for d in shown.deadlines]
        return Output(shown.to_dict(), text + _findings_text(shown.findings))
    created = desk.open_case(vendor, customer_id, subject, answers)
    view = desk.view(created.id)
    return Output(view.to_dict(), _case_text(desk, view))


@case.command("fields")
@click.argument("vendor")
@with_desk
def case_fields(desk: Desk, vendor: str) -> Output:
    """The intake form of VENDOR's cases."""
    found = desk.case_fields(vendor)
    text = [
        f"{f.name:24} {f.kind:8} {_requirement(f.required, f.when)}"
        + (f"  one of: {', '.join(f.choices)}" if f.choices else "")
        + (f"\n    {f.help}" if f.help else "")
        for f in found
    ]
    return Output([f.to_dict() for f in found], text)


def _requirement(required: bool, when: dict[str, Any]) -> str:
    """``required`` / ``optional``, and the answers it depends on (``when reproducible=yes``)."""
    need = "required" if required else "optional"
    if not when:
        return need
    answers = [
        f"{name}={'yes' if value is True else 'no' if value is False else value}"
        for name, value in when.items()
    ]
    return f"{need} when {', '.join(answers)}"


@case.command("list")
@click.option("--vendor", default=None)
@click.option("--state", default=None)
@click.option("--queue", default=None)
@click.option("--customer", "customer_id", default=None)
@click.option("--text", default=None, help="Words in the subject or ID.")
@click.option("--all", "include_closed", is_flag=True, help="Closed cases too.")
@click.option("--breaching", is_flag=True, help="Only cases with a breached or at-risk deadline.")
@with_desk
def case_list(
    desk: Desk,
    vendor: str | None,
    state: str | None,
    queue: str | None,
    customer_id: str | None,
    text: str | None,
    include_closed: bool,
    breaching: bool,
) -> Output:
    """Cases, newest first (open ones unless --all or --state closed)."""
    from workbench.desk import next_running

    found = desk.cases(
        vendor=vendor,
        state=state,
        queue=queue,
        text=text,
        customer_id=customer_id,
        open_only=not include_closed and state != "closed",
    )
    rows = []
    for c in found:
        deadlines = desk.deadlines(c) if c.is_open else c.outcomes
        urgent = [d for d in deadlines if d.state in ("breached", "at-risk")]
        if breaching and not urgent:
            continue
        rows.append((c, next_running(deadlines)))
    data = [{**c.to_dict(), "next_deadline": d.to_dict() if d else None} for c, d in rows]
    lines = [
        f"{c.id:7} {c.vendor:9} {c.state:14} {c.queue:18} {c.subject[:40]:40} "
        + (f"{d.name} {d.state} {local(desk, d.due)}" if d else "")
        for c, d in rows
    ]
    return Output(data, lines or ["no cases"])


def _case_text(desk: Desk, view) -> list[str]:
    c = view.case
    text = [
        f"{c.id} [{c.state}] {c.vendor} — {c.subject}",
        f"  customer {view.customer.name if view.customer else c.customer_id} ({c.customer_id})"
        f"  opened {local(desk, c.opened_at)}  ball: {view.ball}",
        f"  path {c.path}, queue {c.queue} — {c.route_reason} ({c.route_rule})",
    ]
    if c.severity:
        text.append(f"  severity {c.severity}")
    text += [f"  {k}: {v}" for k, v in c.fields.items()]
    text.append("Deadlines:")
    text += [
        f"  [{d.state}] {d.clock} · {d.name}: due {local(desk, d.due)}"
        + (f" (target {local(desk, d.target)})" if d.target else "")
        + f" on {d.calendar} — {d.reason} ({d.rule})"
        for d in view.deadlines
    ]
    text.append("Escalation:")
    for option in view.options:
        if option.rung is None:
            text.append(f"  {option.track}: level {option.current}, top of the ladder")
            continue
        decision = option.decision
        verdict = "allowed" if decision and decision.allowed else "not yet"
        line = (
            f"  {option.track}: level {option.current} → {option.rung.level} {option.rung.role}: "
            f"{verdict} — {decision.reason if decision else ''} ({decision.rule if decision else ''})"
        )
        if decision and decision.earliest:
            line += f"; from {local(desk, decision.earliest)}"
        if decision and decision.missing:
            line += f"; missing: {', '.join(decision.missing)}"
        text.append(line)
    if view.findings:
        text.append("Findings:")
        text += _findings_text(view.findings)
    if view.eligibility:
        text.append("Customer eligibility:")
        text += [f"  {e.program}: {e.reason} ({e.rule})" for e in view.eligibility]
    text.append(
        "Ball time (business minutes): " + ", ".join(f"{k} {v}" for k, v in view.ball_minutes.items())
    )
    text.append("History:")
    text += [
        f"  {local(desk, e.at)} {e.actor}: {e.action}"
        + (f" — {e.reason} ({e.rule})" if e.rule else "")
        + (f" — {e.data['text']}" if e.data.get("text") else "")
        + (
            f"\n      to {e.data.get('to', '')}:\n      " + e.data["email"].replace("\n", "\n      ")
            if e.data.get("email")
            else ""
        )
        for e in view.events
    ]
    return text


@case.command("show")
@click.argument("case_id")
@with_desk
def case_show(desk: Desk, case_id: str) -> Output:
    """Route, path, deadlines, ladder, findings and history, each with its rule ID."""
    view = desk.view(case_id)
    return Output(view.to_dict(), _case_text(desk, view))


@case.command("timeline")
@click.argument("case_id")
@with_desk
def case_timeline(desk: Desk, case_id: str) -> Output:
    """SLA evidence: every clock start, pause, resume, met and breach, with counted minutes."""
    entries = desk.timeline(case_id)
    text = [
        f"{local(desk, e['at'])}  {e['deadline']:28} {e['what']:8} {e['counted_minutes']:>6} min"
        f"  on {e['calendar']} ({e['rule']})"
        for e in entries
    ]
    return Output([{**e, "at": e["at"].isoformat()} for e in entries], text or ["no clocks on this case"])


def _done(desk: Desk, changed, what: str) -> Output:
    return Output(desk.view(changed.id).to_dict(), f"{changed.id} {what} (now {changed.state})")


@case.command("note")
@click.argument("case_id")
@click.argument("text")
@click.option("--to-customer", is_flag=True, help="A response to the customer (meets CORE-SLA-3).")
@with_desk
def case_note(desk: Desk, case_id: str, text: str, to_customer: bool) -> Output:
    """Add a note (internal, or a response to the customer)."""
    return _done(
        desk,
        desk.note(case_id, text, to_customer=to_customer),
        "response recorded" if to_customer else "note added",
    )


@case.command("send")
@click.argument("case_id")
@click.argument("text", default="")
@with_desk
def case_send(desk: Desk, case_id: str, text: str) -> Output:
    """Send the case to the vendor (the vendor holds the ball; vendor clocks start)."""
    return _done(desk, desk.send_to_vendor(case_id, text), "sent to the vendor")


@case.command("vendor-reply")
@click.argument("case_id")
@click.argument("text", default="")
@click.option("--milestone", default="", help="e.g. acknowledged, identified")
@with_desk
def case_vendor_reply(desk: Desk, case_id: str, text: str, milestone: str) -> Output:
    """Record the vendor's answer (the ball comes back to the desk)."""
    return _done(desk, desk.vendor_reply(case_id, text, milestone), "vendor reply recorded")


@case.command("pending")
@click.argument("case_id")
@click.argument("text", default="")
@with_desk
def case_pending(desk: Desk, case_id: str, text: str) -> Output:
    """Wait on the customer (clocks that honour pauses stop)."""
    return _done(desk, desk.pending(case_id, text), "pending on the customer")


@case.command("reply")
@click.argument("case_id")
@click.argument("text", default="")
@with_desk
def case_reply(desk: Desk, case_id: str, text: str) -> Output:
    """Record the customer's reply (a pending case resumes)."""
    return _done(desk, desk.customer_reply(case_id, text), "customer reply recorded")


@case.command("resolve")
@click.argument("case_id")
@click.argument("text", default="")
@with_desk
def case_resolve(desk: Desk, case_id: str, text: str) -> Output:
    """Mark the case resolved (it stays open until closed)."""
    return _done(desk, desk.resolve(case_id, text), "resolved")


@case.command("evidence")
@click.argument("case_id")
@click.argument("text")
@click.option("--kind", required=True, help="reproduction, patch or log")
@with_desk
def case_evidence(desk: Desk, case_id: str, text: str, kind: str) -> Output:
    """Attach technical evidence (CORE-ESC-2)."""
    return _done(desk, desk.attach_evidence(case_id, kind, text), f"{kind} attached")


@case.command("edit")
@click.argument("case_id")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", required=True)
@with_desk
def case_edit(desk: Desk, case_id: str, fields: tuple[str, ...]) -> Output:
    """Change form answers; the case is validated and routed again."""
    changed = desk.update_fields(case_id, parse_pairs(fields, "--field"))
    return _done(
        desk,
        changed,
        f"updated: path {changed.path}, queue {changed.queue} — "
        f"{changed.route_reason} ({changed.route_rule})",
    )


@case.command("escalate")
@click.argument("case_id")
@click.option("--track", default="technical", type=click.Choice(["technical", "commercial"]))
@click.option("--reason", default="", help="Why, in words.")
@click.option("--owner", default="", help="The owner on the vendor's side, when known.")
@with_desk
def case_escalate(desk: Desk, case_id: str, track: str, reason: str, owner: str) -> Output:
    """Climb one level of the vendor's ladder, if its condition holds now."""
    changed = desk.escalate(case_id, track, reason, owner)
    last = changed.escalations[-1]
    view = desk.view(changed.id)
    allowed = view.events[-1]
    return Output(
        view.to_dict(),
        f"{changed.id} escalated to {track} level {last.level} ({last.role}) — allowed by {allowed.rule}: "
        f"{allowed.reason}",
    )


@case.command("owner")
@click.argument("case_id")
@click.argument("owner")
@click.option("--track", default="technical", type=click.Choice(["technical", "commercial"]))
@click.option("--level", type=int, required=True, help="The escalation level the owner took.")
@with_desk
def case_owner(desk: Desk, case_id: str, owner: str, track: str, level: int) -> Output:
    """Record the vendor-side owner of an escalation (e.g. named by Zoho, ZOHO-ESC-2)."""
    return _done(desk, desk.set_escalation_owner(case_id, track, level, owner), f"owner {owner} recorded")


@case.command("close")
@click.argument("case_id")
@click.option("--reason", required=True, help="A closure reason of the case's vendor.")
@click.argument("text", default="")
@with_desk
def case_close(desk: Desk, case_id: str, reason: str, text: str) -> Output:
    """Close with a reason from the vendor's list."""
    return _done(desk, desk.close(case_id, reason, text), f"closed ({reason})")


@case.command("reopen")
@click.argument("case_id")
@click.argument("text", default="")
@with_desk
def case_reopen(desk: Desk, case_id: str, text: str) -> Output:
    """Reopen a closed or resolved case."""
    return _done(desk, desk.reopen(case_id, text), "reopened")


# ----------------------------------------------------------------------------------------
# Workflows, renewals, sweep
# ----------------------------------------------------------------------------------------


@cli.group()
def workflow() -> None:
    """Orders, renewals, option requests, onboarding: dated checklists."""


def _workflow_text(desk: Desk, view) -> list[str]:
    w = view.workflow
    text = [
        f"{w.id} [{view.state}] {w.vendor} — {w.title}"
        + (f"  customer {w.customer_id}" if w.customer_id else "")
        + (f"  contract {w.contract_id}" if w.contract_id else "")
        + (f"  anchor {w.anchor}" if w.anchor else "")
    ]
    for step in w.steps:
        mark = "x" if step.done_at else " "
        text.append(
            f"  [{mark}] {step.id:28} {step.title}"
            + (f"  due {step.due}" if step.due else "")
            + (f"  done {local(desk, step.done_at)}" if step.done_at else "")
            + f"  ({step.rule})"
        )
    if view.next_decision and not view.next_decision.allowed:
        text.append(f"  blocked: {view.next_decision.reason} ({view.next_decision.rule})")
    text += _findings_text(view.findings)
    return text


@workflow.command("templates")
@click.argument("vendor")
@with_desk
def workflow_templates(desk: Desk, vendor: str) -> Output:
    """The workflows VENDOR defines."""
    found = desk.workflow_templates(vendor)
    return Output(
        [t.to_dict() for t in found],
        [f"{t.id:20} {t.kind:10} {t.title} — " + " → ".join(s.id for s in t.steps) for t in found],
    )


@workflow.command("new")
@click.option("--vendor", required=True)
@click.option("--template", required=True)
@click.option("--customer", "customer_id", default="")
@click.option("--contract", "contract_id", default="")
@click.option("--anchor", default=None, help="The date due dates count from (YYYY-MM-DD).")
@with_desk
def workflow_new(
    desk: Desk, vendor: str, template: str, customer_id: str, contract_id: str, anchor: str | None
) -> Output:
    """Open a workflow from one of the vendor's templates."""
    created = desk.open_workflow(vendor, template, customer_id, contract_id, parse_date(anchor, "--anchor"))
    view = desk.workflow_view(created.id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@workflow.command("list")
@click.option("--vendor", default=None)
@click.option("--open", "open_only", is_flag=True, help="Only workflows with steps left.")
@with_desk
def workflow_list(desk: Desk, vendor: str | None, open_only: bool) -> Output:
    """Workflows."""
    _check_filters(desk, vendor, None)
    views = [desk.workflow_view(w.id) for w in desk.workflows(vendor=vendor, open_only=open_only)]
    lines = [
        f"{v.workflow.id:6} [{v.state:8}] {v.workflow.vendor:8} {v.workflow.title:34} "
        f"{_customer_name(desk, v.workflow.customer_id)} — next: "
        + (f"{v.next_step.title} due {v.next_step.due or '-'}" if v.next_step else "done")
        for v in views
    ]
    return Output([v.to_dict() for v in views], lines or ["no workflows"])


@workflow.command("show")
@click.argument("workflow_id")
@click.option(
    "--form",
    "form_step",
    default=None,
    metavar="STEP",
    help="Print STEP's form answers as plain text, in the form's order.",
)
@with_desk
def workflow_show(desk: Desk, workflow_id: str, form_step: str | None) -> Output:
    """A workflow's checklist, or one step's form as text to paste."""
    if form_step:
        lines = desk.form_text(workflow_id, form_step)
        return Output({"workflow": workflow_id, "step": form_step, "lines": lines}, lines)
    view = desk.workflow_view(workflow_id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@workflow.command("step")
@click.argument("workflow_id")
@click.argument("step_id")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="An answer of the step's form.")
@with_desk
def workflow_step(desk: Desk, workflow_id: str, step_id: str, fields: tuple[str, ...]) -> Output:
    """Complete a step (in order; its form and the vendor's conditions are checked)."""
    desk.complete_step(workflow_id, step_id, parse_pairs(fields, "--field"))
    view = desk.workflow_view(workflow_id)
    return Output(view.to_dict(), _workflow_text(desk, view))


@cli.command()
@click.option("--within", type=int, default=None, help="Only those due within DAYS.")
@with_desk
def renewals(desk: Desk, within: int | None) -> Output:
    """Renewals of every vendor, oldest deadline first."""
    views = desk.renewals(within)
    lines = [
        f"{v.workflow.id:6} [{v.state:8}] {v.workflow.vendor:8} {v.workflow.title:34} "
        f"{_customer_name(desk, v.workflow.customer_id)} — "
        + (f"next: {v.next_step.title} due {v.next_step.due}" if v.next_step else "done")
        + "".join(f"\n    {f.level}: {f.message} ({f.rule})" for f in v.findings)
        for v in views
    ]
    return Output([v.to_dict() for v in views], lines or ["no renewals due"])


@cli.command()
@with_desk
def sweep(desk: Desk) -> Output:
    """Apply time-driven rules now: reminders, automatic closes, breaches, renewals."""
    report = desk.sweep()
    lines = [f"swept {report.checked} open cases at {local(desk, report.at)}"]
    lines += [
        f"  {a.get('case') or a.get('workflow')}: {a['kind']} — {a['reason']} ({a['rule']})"
        for a in report.applied
    ]
    lines += [f"  {b['case']}: {b['deadline']} breached ({b['rule']})" for b in report.breaches]
    if not report.applied and not report.breaches:
        lines.append("  nothing to do")
    return Output(report.to_dict(), lines)


# ----------------------------------------------------------------------------------------
# Export, import, doctor
# ----------------------------------------------------------------------------------------


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of stdout.",
)
@desk_options
def export_command(fmt: str, output: str | None) -> None:
    """Export the desk: JSON is lossless (import gives the same desk); CSV is one row per case."""
    from workbench import transfer

    desk = click.get_current_context().ensure_object(Context).desk()
    data = transfer.export_json(desk) if fmt == "json" else transfer.export_csv(desk).encode()
    if output:
        Path(output).write_bytes(data)
        click.echo(f"exported to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_desk
def import_command(desk: Desk, source: str) -> Output:
    """Import a JSON export into an empty desk; every record is checked first and a bad
    file writes nothing."""
    from workbench import transfer

    document = transfer.read_document(Path(source).read_bytes(), source)
    interactive = sys.stderr.isatty()
    with click.progressbar(length=1, label="importing", file=sys.stderr, hidden=not interactive) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        counts = transfer.import_document(desk, document, progress)
    return Output(
        {"imported": counts, "db": desk.store.location},
        "imported " + ", ".join(f"{n} {k}" for k, n in counts.items()),
    )


@cli.command()
@desk_options
def doctor() -> None:
    """Check a desk file: what is wrong and how to recover."""
    from workbench.store import default_path
    from workbench.store import doctor as store_doctor

    context = click.get_current_context().ensure_object(Context)
    report = store_doctor(context.db or os.environ.get("WORKBENCH_DB") or default_path())
    data = {"ok": report.ok, "problems": report.problems, "advice": report.advice, "facts": report.facts}
    emit(
        context,
        Output(
            data,
            [
                f"{'ok' if report.ok else 'PROBLEMS FOUND'}",
                *[f"  {k}: {v}" for k, v in report.facts.items()],
                *[f"  problem: {p}" for p in report.problems],
                *[f"  advice: {a}" for a in report.advice],
            ],
        ),
    )
    if not report.ok:
        sys.exit(1)


# ----------------------------------------------------------------------------------------
# Entry point: errors in words, never a traceback
# ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit 2 for bad input, 1 for everything else."""
    context = Context()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    # Starting the terminal desk builds only objects that live as long as it does: the
    # cycle collector would walk them again and again (20-30 ms of the start). Paused
    # here; a subcommand turns it back on, the desk once its queue is loaded.
    gc.disable()
    try:
        cli.main(args=argv, prog_name="workbench", standalone_mode=False, obj=context)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail(context, "aborted", 1)
    except click.ClickException as exc:
        _fail(
            context,
            exc.format_message(),
            2 if isinstance(exc, click.UsageError) else exc.exit_code,
            field=getattr(getattr(exc, "param", None), "name", None),
        )
    except Invalid as exc:
        _fail(context, f"not saved: {exc}", 2, findings=[f.to_dict() for f in exc.findings])
    except BadInput as exc:
        _fail(context, str(exc), 2, field=exc.field)
    except Refused as exc:
        _fail(context, _refusal(context, exc), 1, decision=exc.decision.to_dict())
    except clock.ClockError as exc:
        _fail(context, str(exc), 2)
    except OSError as exc:
        _fail(context, f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)
    except (DeskError, StoreError, PluginContractError) as exc:
        _fail(context, str(exc), 1)
    except Exception as exc:
        if debug:
            raise
        _fail(context, f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", 1)
    finally:
        gc.enable()
        context.close()


def _refusal(context: Context, exc: Refused) -> str:
    """A refusal in words, its earliest time in the desk's time zone."""
    decision = exc.decision
    text = f"refused by {decision.rule}: {decision.reason.rstrip('.')}."
    if decision.missing:
        text += " Missing: " + ", ".join(decision.missing) + "."
    if decision.earliest:
        when = local(context._desk, decision.earliest) if context._desk else decision.earliest.isoformat()
        text += f" Allowed from {when}."
    return text


def _fail(context: Context, message: str, status: int, **detail: Any) -> None:
    click.echo(f"workbench: {message}", err=True)
    if context.json:
        click.echo(orjson.dumps({"error": {"message": message, **detail}}, default=str).decode())
    sys.exit(status)


if __name__ == "__main__":
    main()
