"""Generate a realistic large desk through the store protocol, for the benchmarks.

    python benchmarks/desk_data.py PATH [--cases 50000] [--open 2000] [--check 300]

Three years of a reseller desk: 50,000 cases (2,000 still open, the rest closed), about
five events each, across the four bundled vendor programs; customers and their contracts,
and the desk's settings. Every change goes through :class:`workbench.store.Store`
transactions, one per day, as a desk would write them (in bulk, for speed).

The records are the real model's: customers, contracts and cases are built as
:mod:`workbench.model` types and stored with ``to_dict()``; every case change is written
the way :class:`workbench.desk.Desk` writes it (the same actions, states, before / after
halves, rules and reasons: ``open``, ``respond``, ``send``, ``vendor-reply``, ``pending``,
``reply``, ``resolve``, ``close``). Case forms are a few answer sets per vendor that the
vendor's form accepts; their route, severity and closure reasons are asked of the installed
plugins once, before generating, and each answer set is checked there (every field on the
form, every value typed as the form types it, no error finding). A closed case keeps its
deadline outcomes, computed by the desk's own deadline code at the moment it closed.

The desk clock for benchmarks on this desk is :data:`NOW`, the morning after the last day
generated. ``--check N`` re-validates N random cases against a desk on the written file.
"""

from __future__ import annotations

import argparse
import functools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.calendar import Calendar
from workbench.desk import Desk
from workbench.desk.records import diff
from workbench.desk.values import parse_value
from workbench.model import Case, CloseReason, Contract, Customer, Event, _dump
from workbench.plugins import Plugins, get_plugins
from workbench.store import FileStore, Store, Transaction
from workbench.store.memory import MemoryStore

VENDORS = ("ontime", "zoho", "bittitan", "webex")
ACTORS = ("aiko", "kenji", "mariko", "tomoya", "yui")
START = datetime(2023, 11, 27, 1, 0, tzinfo=UTC)
"""The first day (10:00 in Tokyo, a Monday)."""
DAYS = 3 * 365
NOW = START + timedelta(days=DAYS)
"""The desk clock after the last day generated: 2026-11-26 10:00 Tokyo, a Thursday."""

SETTINGS = {
    "desk.name": "Benchmark desk",
    "zoho.sender_email": "zoho-desk@reseller-bench.co.jp",
    "ontime.technical_contact": "OnTime 技術窓口",
}

# -- forms: answer sets each vendor's intake form accepts --------------------------------------
# Values that differ per case ({email}, {admin}, {cutover}, {occurred}, {site}, {project}) are
# filled in per case; none of them changes the route.

ONTIME_FORMS = [
    {"kind": "unexpected-behaviour", "platform": "hcl-notes-domino", "isolation": "not-checked"},
    {"kind": "question", "platform": "microsoft-365-exchange-online", "isolation": "not-checked"},
    {
        "kind": "failure",
        "platform": "microsoft-exchange-on-premises",
        "platform_version": "Exchange 2019 CU14",
        "isolation": "reproduces-without-ontime",
        "platform_partner": "the desk's platform team",
    },
    {
        "kind": "unexpected-behaviour",
        "platform": "hcl-notes-domino",
        "platform_version": "Domino 12.0.2 FP3",
        "isolation": "does-not-reproduce",
        "reproduction_steps": "Open the group view, pick the room group, move a week ahead: the "
        "booking made in Notes is missing.",
        "browser": "Microsoft Edge",
        "browser_version": "131.0.2903.70",
        "environment_notes": "OnTime 11.2 on two Domino servers; 300 users; Windows clients.",
        "customer_can_isolate": True,
    },
]
ZOHO_DESCRIPTION = (
    "Since this morning {what}. It happens for every user we tried, in two browsers, and the "
    "admin console shows no warning; we need it working again before the month-end close."
)
ZOHO_FORMS = [
    {
        "customer_email": "{email}",
        "request_type": "technical-support",
        "category": "sign-in",
        "severity": "1",
        "zoho_product": "zoho-one",
        "reproducible": True,
        "user_id": "driver.tanaka",
        "super_admin_email": "{admin}",
        "customisations": ["none"],
        "occurred_at": "{occurred}",
        "support_access": True,
        "description": ZOHO_DESCRIPTION.format(what="users cannot sign in through SAML"),
        "troubleshooting": "Checked the IdP certificate and clock skew, cleared caches.",
        "business_risk": "none",
        "account_change": "none",
    },
    {
        "customer_email": "{email}",
        "request_type": "technical-support",
        "category": "malfunction",
        "severity": "2",
        "zoho_product": "crm",
        "reproducible": False,
        "description": ZOHO_DESCRIPTION.format(what="the CRM workflow rule no longer sends mail"),
        "troubleshooting": "Re-saved the workflow rule and tested it on a sandbox record.",
        "business_risk": "none",
        "account_change": "none",
    },
    {
        "customer_email": "{email}",
        "request_type": "technical-support",
        "category": "how-to",
        "severity": "3",
        "zoho_product": "books",
        "reproducible": False,
        "description": ZOHO_DESCRIPTION.format(what="we cannot find how to print two tax rates"),
        "troubleshooting": "Read the Japan tax help pages; a test invoice shows one rate.",
        "business_risk": "none",
        "account_change": "none",
    },
    {
        "customer_email": "{email}",
        "request_type": "technical-support",
        "category": "feature-request",
        "severity": "3",
        "zoho_product": "desk",
        "reproducible": False,
        "description": ZOHO_DESCRIPTION.format(what="we would like ticket fields in Japanese order"),
        "troubleshooting": "Checked the layout rules and the field settings.",
        "business_risk": "none",
        "account_change": "none",
    },
    {
        "customer_email": "{email}",
        "request_type": "payment-renewal",
        "severity": "3",
        "zoho_product": "zoho-one",
        "reproducible": False,
        "description": ZOHO_DESCRIPTION.format(what="the renewal invoice shows the wrong seats"),
        "troubleshooting": "Compared the invoice with the subscription page.",
        "business_risk": "none",
        "account_change": "none",
    },
]
BITTITAN_FORM = {
    "account_email": "{email}",
    "region": "apac",
    "cutover_date": "{cutover}",
    "project": "{project}",
    "description": "Mailbox migration from Exchange 2016 to Microsoft 365.",
}
BITTITAN_FORMS = [
    {
        **BITTITAN_FORM,
        "kind": "guidance-request",
        "run_error": False,
        "not_as_documented": False,
        "items_missing": False,
        "cannot_access": False,
    },
    {
        **BITTITAN_FORM,
        "kind": "guidance-request",
        "run_error": True,
        "not_as_documented": False,
        "items_missing": False,
        "cannot_access": False,
    },
    {**BITTITAN_FORM, "kind": "product-problem", "region": "emea"},
]
WEBEX_FORMS = [
    {"kind": "technical", "site_url": "{site}"},
    {"kind": "site-access", "site_url": "{site}"},
    {"kind": "order", "site_url": "{site}", "so_number": "SO-{number}"},
]
FORMS = {
    vendor: [{"nature": "problem", **form} for form in forms]  # CORE-PATH-3: every case's nature
    for vendor, forms in {
        "ontime": ONTIME_FORMS,
        "zoho": ZOHO_FORMS,
        "bittitan": BITTITAN_FORMS,
        "webex": WEBEX_FORMS,
    }.items()
}

TOPICS = {
    "ontime": ("Group view", "Room booking", "Domino connector", "Mobile app", "Calendar sync"),
    "zoho": ("Mail delivery", "CRM workflow", "Sign-in", "Books invoice", "Desk layout"),
    "bittitan": ("Mailbox migration", "Licence assignment", "Delta pass", "Throttling", "OneDrive"),
    "webex": ("Meeting audio", "Recording", "SSO login", "Site administrator", "Calling plan"),
}
PROBLEMS = ("fails", "stalls", "is slow", "shows an error", "times out", "stopped working")
CONTRACTS = {
    "ontime": ("license", "maintenance"),
    "zoho": ("zoho-one", "crm", "desk", "books", "workplace"),
    "bittitan": ("user-migration-bundle", "mailbox-migration"),
    "webex": ("named-host", "active-host"),
}

# -- what the plugins say about each form, asked once ------------------------------------------


@dataclass
class Form:
    """One answer set of a vendor's form and what the plugins make of it."""

    vendor: str
    fields: dict[str, Any]
    path: str
    queue: str
    route_rule: str
    route_reason: str
    severity: str
    reasons: list[CloseReason]


class _Scratch(Desk):
    """A desk on a throw-away in-memory store, answering ``events`` and ``now`` for the case
    being generated: the plugins' hooks and the desk's deadline code run unchanged on it."""

    def __init__(self, plugins: Plugins) -> None:
        super().__init__(MemoryStore(), plugins)
        self.moment = START
        self.history: list[Event] = []

    def now(self) -> datetime:
        return self.moment

    def events(self, kind: str, key: str) -> list[Event]:
        return self.history

    # The scratch desk's settings never change: remember them (the desk looks each one up
    # afresh, which would be a third of the generator's time).
    @functools.cache  # noqa: B019 - one scratch desk per generation
    def setting(self, key: str) -> Any:
        return super().setting(key)

    @functools.cache  # noqa: B019
    def _calendar(self) -> Calendar:
        return super().desk_calendar()

    def desk_calendar(self, candidate: dict[str, Any] | None = None) -> Calendar:
        return super().desk_calendar(candidate) if candidate else self._calendar()


def _fill(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    return {
        name: value.format(**values) if isinstance(value, str) and "{" in value else value
        for name, value in template.items()
    }


def _forms(plugins: Plugins) -> tuple[_Scratch, dict[str, list[Form]]]:
    """Route, severity and closure reasons of every answer set, from the plugins; each is
    checked as the desk checks a new case (form fields and types, error findings)."""
    desk = _Scratch(plugins)
    with desk.store.transaction() as tx:
        for key, value in SETTINGS.items():
            tx.put("settings", key, {"key": key, "value": value})
        tx.put("customers", "CUS-1", Customer("CUS-1", "Scratch K.K.", email="it@scratch.co.jp").to_dict())
        for number, (vendor, product) in enumerate(
            [(v, p) for v, products in CONTRACTS.items() for p in products], start=1
        ):
            contract = Contract(f"K-{number}", "CUS-1", vendor, product, START.date() - timedelta(days=1))
            tx.put("contracts", contract.id, contract.to_dict())
    sample = _values(random.Random(0), 1, "CUS-1", START, "scratch.co.jp")
    forms: dict[str, list[Form]] = {}
    for vendor, templates in FORMS.items():
        definitions = {f.name: f for f in desk.case_fields(vendor)}
        for template in templates:
            fields = _fill(template, sample)
            for name, value in fields.items():
                if name not in definitions:
                    raise ValueError(f"{vendor}: {name!r} is not a field of the form")
                d = definitions[name]
                if parse_value(name, d.kind, value, d.choices, UTC) != value:
                    raise ValueError(f"{vendor}: {name}={value!r} is not stored as the form types it")
            case = Case("C-0", vendor, "CUS-1", "scratch", START, fields=fields)
            errors = [f for f in desk.validate(case) if f.level == "error"]
            route = desk.route(case)
            case.path, case.queue = route.path, route.queue
            errors += [f for f in desk.validate(case) if f.level == "error"]
            if errors:
                raise ValueError(f"{vendor} form {template} is refused: {errors}")
            severity = plugins.first("workbench_case_severity", case=case, desk=desk) or ""
            forms.setdefault(vendor, []).append(
                Form(
                    vendor,
                    template,
                    route.path,
                    route.queue,
                    route.rule,
                    route.reason,
                    severity,
                    desk.close_reasons(case),
                )
            )
    return desk, forms


def _values(rng: random.Random, number: int, customer: str, opened: datetime, domain: str) -> dict[str, str]:
    return {
        "email": f"it@{domain}",
        "admin": f"admin@{domain}",
        "occurred": (opened - timedelta(minutes=rng.randint(20, 600))).isoformat(),
        "cutover": (opened.date() + timedelta(days=rng.randint(10, 60))).isoformat(),
        "project": f"{customer}-M365-{number % 7 + 1}",
        "site": f"{domain.split('.')[0]}.webex.com",
        "number": str(4_000_000 + number),
    }


# -- writing the desk's changes as the desk writes them ---------------------------------------


@dataclass
class Life:
    """One case being generated: the model object, its stored form, its events so far."""

    case: Case
    form: Form
    record: dict[str, Any]
    history: list[Event] | None = field(default_factory=list)
    """The case's events as the desk reads them, while its close (and outcomes) is ahead."""


def _event(
    key: str,
    action: str,
    at: datetime,
    actor: str,
    before: Any,
    after: Any,
    rule: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    kind: str = "cases",
) -> dict[str, Any]:
    """An event exactly as ``Desk._record`` writes it."""
    return Event(
        id=0,
        at=at,
        actor=actor,
        kind=kind,
        key=key,
        action=action,
        before=before,
        after=after,
        rule=rule,
        reason=reason,
        data=data or {},
    ).to_dict()


def _change(
    tx: Transaction,
    life: Life,
    action: str,
    at: datetime,
    actor: str,
    change: Any = None,
    touched: tuple[str, ...] = (),
    rule: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """``Desk._change_case``: change the case, store it, record the changed halves.

    Only the ``touched`` fields (and ``updated_at``) are turned into their stored form again,
    exactly as ``Case.to_dict`` turns them (a whole ``to_dict`` per change would cost more
    than the rest of the generator)."""
    case = life.case
    if change:
        change(case)
    case.updated_at = at
    after = dict(life.record)
    for name in (*touched, "updated_at"):
        after[name] = _dump(getattr(case, name))
    tx.put("cases", case.id, after)
    old, new = diff(life.record, after)
    _append(tx, life, _event(case.id, action, at, actor, old, new, rule, reason, data), at)
    life.record = after


def _append(tx: Transaction, life: Life, event: dict[str, Any], at: datetime) -> None:
    tx.append_event(event)
    if life.history is not None:  # the typed history the desk's deadline code reads
        life.history.append(
            Event(
                0,
                at,
                event["actor"],
                "cases",
                event["key"],
                event["action"],
                event["before"],
                event["after"],
                event["rule"],
                event["reason"],
                event["data"],
            )
        )


def _end_pause(case: Case, at: datetime) -> None:
    if case.pauses and case.pauses[-1]["end"] is None:
        case.pauses[-1]["end"] = at.isoformat()


def _open(tx: Transaction, life: Life, at: datetime, actor: str) -> None:
    case = life.case
    case.updated_at = at
    life.record = case.to_dict()
    tx.put("cases", case.id, life.record)
    _append(
        tx,
        life,
        _event(case.id, "open", at, actor, None, life.record, case.route_rule, case.route_reason),
        at,
    )


def _send(case: Case, at: datetime) -> None:
    case.state = "waiting-vendor"
    if case.sent_at is None:
        case.sent_at = at


def _pending(case: Case, at: datetime) -> None:
    case.state = "pending"
    case.pauses.append({"start": at.isoformat(), "end": None})


def _reply(case: Case, at: datetime) -> None:
    _end_pause(case, at)
    case.state, case.closed_at, case.close_reason = "open", None, ""


def _resolve(case: Case, at: datetime) -> None:
    _end_pause(case, at)
    case.state = "resolved"


def _step(
    tx: Transaction, rng: random.Random, life: Life, name: str, at: datetime, scratch: _Scratch
) -> None:
    """One change of the case's plan, as the desk method of that name makes it."""
    actor = rng.choice(ACTORS)
    if name == "respond":
        _change(tx, life, "respond", at, actor, data={"text": "Thank you: we are looking into it."})
    elif name == "note":
        _change(tx, life, "note", at, actor, data={"text": "Asked for logs and screenshots."})
    elif name == "send":
        _change(tx, life, "send", at, actor, lambda c: _send(c, at), ("state", "sent_at"), data={"text": ""})
    elif name == "pending":
        _change(
            tx,
            life,
            "pending",
            at,
            actor,
            lambda c: _pending(c, at),
            ("state", "pauses"),
            rule="CORE-SLA-3",
            reason="waiting on the customer pauses the clocks",
            data={"text": "Asked the customer for the logs."},
        )
    elif name == "reply":
        _change(
            tx,
            life,
            "reply",
            at,
            actor,
            lambda c: _reply(c, at),
            ("state", "pauses", "closed_at", "close_reason"),
            data={"text": "The customer sent the logs."},
        )
    elif name == "vendor-reply":
        milestone = "identified" if life.case.vendor == "zoho" and rng.random() < 0.6 else ""
        _change(
            tx,
            life,
            "vendor-reply",
            at,
            actor,
            lambda c: setattr(c, "state", "open"),
            ("state",),
            data={"text": "The vendor answered.", "milestone": milestone},
        )
    elif name == "resolve":
        _change(
            tx,
            life,
            "resolve",
            at,
            actor,
            lambda c: _resolve(c, at),
            ("state", "pauses"),
            data={"text": "Fix confirmed; waiting for the customer to agree to close."},
        )
    elif name == "close":
        reason = rng.choice(life.form.reasons)
        scratch.moment, scratch.history = at, life.history
        outcomes = scratch.deadlines(life.case)

        def close(c: Case) -> None:
            _end_pause(c, at)
            c.state, c.closed_at, c.close_reason, c.outcomes = "closed", at, reason.code, outcomes

        _change(
            tx,
            life,
            "close",
            at,
            actor,
            close,
            ("state", "pauses", "closed_at", "close_reason", "outcomes"),
            reason.rule,
            reason.text,
            {"text": ""},
        )
        life.history = None
    else:
        raise ValueError(name)


# -- plans: what happens to a case, and when ----------------------------------------------------

CLOSED_PLANS = (
    (0.45, ["respond", "send"], ["vendor-reply"], ["close"]),
    (0.20, ["respond", "pending"], ["reply"], ["close"]),
    (0.20, ["respond", "send"], ["vendor-reply", "resolve"], ["close"]),
    (0.15, ["respond", "note"], [], ["close"]),
)
OPEN_PLANS = (
    (0.25, ["respond"], []),
    (0.35, ["respond", "send"], []),
    (0.15, ["respond", "pending"], []),
    (0.10, ["respond", "send"], ["vendor-reply"]),
    (0.15, ["respond", "send"], ["vendor-reply", "resolve"]),
)


def _pick(rng: random.Random, plans: tuple) -> tuple:
    roll, total = rng.random(), 0.0
    for plan in plans:
        total += plan[0]
        if roll < total:
            return plan[1:]
    return plans[-1][1:]


def _reference_data(
    tx: Transaction, rng: random.Random, customers: int, desk: Desk
) -> dict[str, tuple[str, list[str]]]:
    """Settings, customers and their contracts; returns each customer's domain and vendors.

    Contracts run four years from the day the customer joined (in the year before the first
    day), so every one is active throughout; a licence has no end. About one in six WebEx
    contracts renews, and one in six OnTime licences has its anniversary, within 60 days
    of :data:`NOW`: a sweep opens their renewal workflows."""
    known: dict[str, tuple[str, list[str]]] = {}
    defaults = {view.key: view.default for view in desk.settings()}
    for key, value in SETTINGS.items():
        tx.put("settings", key, {"key": key, "value": value})
        tx.append_event(
            _event(
                key,
                "set",
                START - timedelta(days=400),
                "desk",
                {"value": defaults[key]},
                {"value": value},
                kind="settings",
            )
        )
    for number in range(1, customers + 1):
        joined = START - timedelta(days=rng.randint(1, 365))
        domain = f"customer{number}.co.jp"
        customer = Customer(
            id=f"CUS-{tx.next_number('customers')}",
            name=f"Customer {number} K.K.",
            email=f"it@{domain}",
            domain=domain,
            users=rng.randint(5, 5000),
            created_at=joined,
            attributes={"zoho.region": "apac-japan", "zoho.super_admin_email": f"admin@{domain}"},
        )
        record = customer.to_dict()
        tx.put("customers", customer.id, record)
        tx.append_event(_event(customer.id, "create", joined, "desk", None, record, kind="customers"))
        vendors = rng.sample(VENDORS, 2 if rng.random() < 0.4 else 1)
        known[customer.id] = (domain, vendors)
        for vendor in vendors:
            products = CONTRACTS[vendor] if vendor == "ontime" else (rng.choice(CONTRACTS[vendor]),)
            for product in products:
                contract = Contract(
                    id=f"K-{tx.next_number('contracts')}",
                    customer_id=customer.id,
                    vendor=vendor,
                    product=product,
                    start=joined.date(),
                    end=None if product == "license" else _years_later(joined.date(), 4),
                    quantity=min(customer.users, rng.randint(5, 500)),
                    list_price=rng.randint(10, 900) * 10_000,
                    created_at=joined,
                )
                record = contract.to_dict()
                tx.put("contracts", contract.id, record)
                tx.append_event(_event(contract.id, "create", joined, "desk", None, record, kind="contracts"))
    return known


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def generate(store: Store, cases: int = 50_000, open_cases: int = 2_000, seed: int = 7) -> None:
    """Fill an empty ``store`` with a desk of ``cases`` cases, ``open_cases`` still open."""
    rng = random.Random(seed)
    scratch, forms = _forms(get_plugins())
    with store.transaction() as tx:
        customers = _reference_data(tx, rng, max(10, cases // 33), scratch)
    keys = list(customers)
    per_day = cases / DAYS
    due: dict[int, list[tuple[Life, list[str]]]] = {}
    number = 0
    for index in range(DAYS):
        day = START + timedelta(days=index)
        with store.transaction() as tx:
            for life, names in due.pop(index, []):  # cases opened earlier: their later changes
                at = day + timedelta(minutes=rng.randint(0, 300))
                for name in names:
                    if name == "close":
                        at = max(at, day + timedelta(minutes=420)) + timedelta(minutes=rng.randint(0, 120))
                    _step(tx, rng, life, name, at, scratch)
                    at += timedelta(minutes=rng.randint(10, 90))
            target = round(per_day * (index + 1))
            while number < target:
                number = tx.next_number("cases")
                customer = rng.choice(keys)
                domain, vendors = customers[customer]
                vendor = rng.choice(vendors)
                form = rng.choice(forms[vendor])
                opened = day + timedelta(minutes=rng.randint(0, 480))
                case = Case(
                    id=f"C-{number}",
                    vendor=vendor,
                    customer_id=customer,
                    subject=f"{rng.choice(TOPICS[vendor])} {rng.choice(PROBLEMS)} for "
                    f"{rng.randint(2, 900)} users",
                    opened_at=opened,
                    fields=_fill(form.fields, _values(rng, number, customer, opened, domain)),
                    severity=form.severity,
                    path=form.path,
                    queue=form.queue,
                    route_rule=form.route_rule,
                    route_reason=form.route_reason,
                )
                closes = number <= cases - open_cases
                life = Life(case, form, {}, [] if closes else None)
                _open(tx, life, opened, rng.choice(ACTORS))
                first, *later = _pick(rng, CLOSED_PLANS if closes else OPEN_PLANS)
                at = opened
                for name in first:
                    at += timedelta(minutes=rng.randint(5, 120))
                    _step(tx, rng, life, name, at, scratch)
                middle, last = (later + [[]])[:2]
                if closes:
                    ends = index + rng.randint(1, 20)
                    if middle:
                        due.setdefault(index + rng.randint(1, ends - index), []).append((life, middle))
                    due.setdefault(ends, []).append((life, last))
                elif middle:
                    due.setdefault(index + rng.randint(1, 12), []).append((life, middle))
    # changes planned past the last day never happened: those cases stay as they are


def check(store: Store, sample: int, seed: int = 1) -> list[str]:
    """Problems of ``sample`` random cases as the desk sees them: a record that does not
    round-trip through :class:`Case`, a state, field or closure reason the plugins refuse."""
    desk = Desk(store, get_plugins())
    problems = []
    records = store.all("cases")
    for record in random.Random(seed).sample(records, min(sample, len(records))):
        case = Case.from_dict(record)
        where = case.id
        if case.to_dict() != record:
            problems.append(f"{where}: does not round-trip through Case")
        definitions = {f.name: f for f in desk.case_fields(case.vendor)}
        for name, value in case.fields.items():
            d = definitions.get(name)
            if d is None or parse_value(name, d.kind, value, d.choices, UTC) != value:
                problems.append(f"{where}: field {name}={value!r} is not the form's")
        if case.state not in ("open", "waiting-vendor", "pending", "resolved", "closed"):
            problems.append(f"{where}: state {case.state!r}")
        if case.state == "closed":
            codes = {r.code: r.rule for r in desk.close_reasons(case)}
            if case.close_reason not in codes:
                problems.append(f"{where}: close reason {case.close_reason!r} not in {sorted(codes)}")
        for event in store.events("cases", case.id):
            Event.from_dict(event)
    return problems


def open_for_generating(path: str | Path) -> FileStore:
    """The desk file to generate into: no snapshot is rewritten while generating (a desk
    compacts every 2 MB of log, which here would rewrite a growing 90 MB snapshot 150 times);
    call ``compact()`` once at the end."""
    return FileStore(path, compact_bytes=1 << 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_cases")
    parser.add_argument("--check", type=int, default=0, metavar="N", help="re-validate N random cases")
    args = parser.parse_args()
    store = open_for_generating(args.path)
    if not store.all("cases"):
        generate(store, args.cases, args.open_cases)
        store.compact()
    if args.check:
        problems = check(store, args.check)
        print("\n".join(problems) or f"{args.check} cases checked: no problems")
    store.close()


if __name__ == "__main__":
    main()
