"""The desk: the one service layer the CLI and the TUI use.

It opens and changes customers, contracts, cases and workflows; asks the plugins to
validate, route, time and escalate; and records every change as an event (CORE-AUDIT-1).
Nothing outside this module calls a hook.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workbench import clock
from workbench.calendar import Calendar, Pause, desk_calendar
from workbench.desk.deadlines import deadline_of
from workbench.desk.values import EMAIL, EVIDENCE_KINDS, parse_value
from workbench.desk.views import (
    CasePreview,
    CaseView,
    EscalationOption,
    SettingView,
    SweepReport,
    WorkflowView,
)
from workbench.errors import BadInput, Invalid, NotFound, Refused
from workbench.model import (
    CASE_STATES,
    Action,
    Case,
    CloseReason,
    Contract,
    Customer,
    Deadline,
    Decision,
    Eligibility,
    Escalation,
    Event,
    Field,
    Finding,
    Ladder,
    Quote,
    Route,
    Rung,
    Setting,
    Step,
    VendorProgram,
    Workflow,
    WorkflowTemplate,
)
from workbench.plugins import Plugins
from workbench.store.base import Store, Transaction

# ----------------------------------------------------------------------------------------
# The desk
# ----------------------------------------------------------------------------------------


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[dict, dict]:
    """The keys that changed, as (before, after) halves for an event."""
    before = before or {}
    keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return {k: before.get(k) for k in keys if k in before}, {k: after[k] for k in keys}


CALENDAR_SETTINGS = ("desk.timezone", "core.desk_hours", "core.desk_holidays", "core.closed_dates")
"""The settings the desk calendar (CORE-SLA-3) is built from."""

EDITABLE_CONTRACT_FIELDS = ("product", "start", "end", "quantity", "list_price", "currency", "attributes")
"""What a desk agent may correct on a stored contract (``Desk.update_contract``)."""


class Desk:
    """One reseller desk: its store, its plugins and the actor making changes."""

    def __init__(self, store: Store, plugins: Plugins, actor: str = "desk") -> None:
        self.store = store
        self.plugins = plugins
        self.actor = actor
        self._programs: dict[str, VendorProgram] | None = None

    # -- context offered to plugins --------------------------------------------------

    def now(self) -> datetime:
        """The desk clock (``--now`` / ``WORKBENCH_NOW`` aware)."""
        return clock.now()

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Make changes as of ``when`` (demo data, replayed history); the clock is put
        back afterwards."""
        saved = clock.fixed()
        clock.set_now(when)
        try:
            yield
        finally:
            clock.set_now(saved)

    def today(self) -> date:
        """Today in the desk's time zone."""
        return self.now().astimezone(self.timezone()).date()

    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.setting("desk.timezone"))

    def programs(self) -> dict[str, VendorProgram]:
        """Declared programs by id (the core's built-in included as ``core``)."""
        if self._programs is None:
            self._programs = {p.id: p for p in self.plugins.call("workbench_vendor")}
        return self._programs

    def vendors(self) -> list[str]:
        """The vendor programs a case can be opened under (the core is not one)."""
        return sorted(p for p in self.programs() if p != "core")

    def rule_text(self, rule_id: str) -> str:
        for program in self.programs().values():
            for rule in program.rules:
                if rule.id == rule_id:
                    return rule.text
        return ""

    def _setting_defs(self) -> dict[str, tuple[Setting, str]]:
        return {s.key: (s, p.id) for p in self.programs().values() for s in p.settings}

    def setting(self, key: str) -> Any:
        """A desk setting's value, or its default."""
        stored = self.store.get("settings", key)
        if stored is not None:
            return stored["value"]
        definition = self._setting_defs().get(key)
        if definition is None:
            raise BadInput("setting", f"unknown setting {key!r}")
        return definition[0].default

    def settings(self) -> list[SettingView]:
        views = []
        for key, (setting, program) in sorted(self._setting_defs().items()):
            views.append(
                SettingView(
                    key=key,
                    value=self.setting(key),
                    default=setting.default,
                    help=setting.help,
                    kind=setting.kind,
                    choices=setting.choices,
                    program=program,
                    rule=setting.rule,
                )
            )
        return views

    def set_setting(self, key: str, raw: Any) -> SettingView:
        """Validate and store one setting; the change is an event (CORE-AUDIT-1)."""
        definition = self._setting_defs().get(key)
        if definition is None:
            raise BadInput("setting", f"unknown setting {key!r} (see `workbench settings`)")
        setting, _ = definition
        value = parse_value(key, setting.kind, raw, setting.choices)
        if setting.kind == "number":
            if setting.minimum is not None and value < setting.minimum:
                raise BadInput(key, f"{value} is below the least allowed value, {setting.minimum}")
            if setting.maximum is not None and value > setting.maximum:
                raise BadInput(key, f"{value} is above the greatest allowed value, {setting.maximum}")
        if key in CALENDAR_SETTINGS:
            try:
                self.desk_calendar({key: value})
            except ValueError as exc:
                raise BadInput(key, f"the desk calendar cannot use it: {exc}") from None
        with self.store.transaction() as tx:
            before = tx.get("settings", key)
            record = {"key": key, "value": value}
            tx.put("settings", key, record)
            self._record(
                tx,
                "settings",
                key,
                "set",
                {"value": before["value"] if before else setting.default},
                {"value": value},
            )
        return next(v for v in self.settings() if v.key == key)

    def customer_of(self, case: Case) -> Customer | None:
        record = self.store.get("customers", case.customer_id)
        return Customer.from_dict(record) if record else None

    def is_empty(self) -> bool:
        return not any(self.store.all(kind) for kind in ("customers", "contracts", "cases", "workflows"))

    def fill_demo(self) -> list[str]:
        """Fill the desk with every plugin's demo records (``workbench demo``)."""
        return _flatten(self.plugins.call("workbench_demo", desk=self))

    # -- events -----------------------------------------------------------------------

    def _record(
        self,
        tx: Transaction,
        kind: str,
        key: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        rule: str = "",
        reason: str = "",
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        tx.append_event(
            Event(
                id=0,
                at=at or self.now(),
                actor=self.actor,
                kind=kind,
                key=key,
                action=action,
                before=before,
                after=after,
                rule=rule,
                reason=reason,
                data=data or {},
            ).to_dict()
        )

    def events(self, kind: str, key: str) -> list[Event]:
        return [Event.from_dict(e) for e in self.store.events(kind, key)]

    # -- customers ----------------------------------------------------------------------

    def customer(self, key: str) -> Customer:
        record = self.store.get("customers", key)
        if record is None:
            raise NotFound("customer", key)
        return Customer.from_dict(record)

    def customers(self) -> list[Customer]:
        return sorted(
            (Customer.from_dict(r) for r in self.store.all("customers")),
            key=lambda c: _number(c.id),
        )

    def add_customer(self, name: str, **values: Any) -> Customer:
        """Create a customer; e-mail addresses, users and region are checked."""
        customer = Customer(id="", name=name.strip(), created_at=self.now(), **values)
        _check_customer(customer)
        twin = self.customer_named(customer.name)
        if twin is not None:
            raise BadInput(
                "name", f"{twin.id} is already called {twin.name!r}; change it with `customer edit {twin.id}`"
            )
        with self.store.transaction() as tx:
            customer.id = f"CUS-{tx.next_number('customers')}"
            record = customer.to_dict()
            tx.put("customers", customer.id, record)
            self._record(tx, "customers", customer.id, "create", None, record)
        return customer

    def customer_named(self, name: str) -> Customer | None:
        """The customer of that name (case and spaces ignored), if any."""
        wanted = "".join(name.split()).casefold()
        return next((c for c in self.customers() if "".join(c.name.split()).casefold() == wanted), None)

    def update_customer(self, key: str, **changes: Any) -> Customer:
        current = self.customer(key)
        if not changes:
            raise BadInput("customer", "nothing to change: give at least one new value")
        unknown = set(changes) - set(Customer.__dataclass_fields__) | ({"id"} & set(changes))
        if unknown:
            raise BadInput("customer", f"cannot change {', '.join(sorted(unknown))}")
        updated = Customer.from_dict({**current.to_dict(), **changes})
        _check_customer(updated)
        self._save_changed("customers", key, current.to_dict(), updated.to_dict(), "update")
        return updated

    def _save_changed(
        self, kind: str, key: str, before: dict, after: dict, action: str, **event: Any
    ) -> None:
        with self.store.transaction() as tx:
            fresh = tx.get(kind, key)
            if fresh != before:
                # another process changed it meanwhile: re-apply our change on top of theirs
                after = {**fresh, **{k: v for k, v in after.items() if before.get(k) != v}}
            tx.put(kind, key, after)
            old, new = _diff(fresh, after)
            self._record(tx, kind, key, action, old, new, **event)

    # -- contracts ----------------------------------------------------------------------

    def contract(self, key: str) -> Contract:
        record = self.store.get("contracts", key)
        if record is None:
            raise NotFound("contract", key)
        return Contract.from_dict(record)

    def contracts(self, customer_id: str | None = None, vendor: str | None = None) -> list[Contract]:
        """Contracts of one customer and / or vendor (filtered before they are typed)."""
        return sorted(
            (
                Contract.from_dict(r)
                for r in self.store.all("contracts")
                if (customer_id is None or r["customer_id"] == customer_id)
                and (vendor is None or r["vendor"] == vendor)
            ),
            key=lambda c: _number(c.id),
        )

    def check_contract(self, contract: Contract) -> list[Finding]:
        findings = _flatten(self.plugins.call("workbench_check_contract", contract=contract, desk=self))
        return findings

    def add_contract(
        self,
        customer_id: str,
        vendor: str,
        product: str,
        start: date,
        end: date | None = None,
        quantity: int = 1,
        list_price: int = 0,
        currency: str = "JPY",
        attributes: dict[str, Any] | None = None,
    ) -> Contract:
        """Create a contract; the vendor's contract rules run first and an error blocks it."""
        self.customer(customer_id)
        contract = Contract(
            id="",
            customer_id=customer_id,
            vendor=vendor,
            product=product,
            start=start,
            end=end,
            quantity=quantity,
            list_price=list_price,
            currency=currency,
            attributes=attributes or {},
            created_at=self.now(),
        )
        self._validate_contract(contract)
        with self.store.transaction() as tx:
            contract.id = f"K-{tx.next_number('contracts')}"
            record = contract.to_dict()
            tx.put("contracts", contract.id, record)
            self._record(tx, "contracts", contract.id, "create", None, record)
        return contract

    def update_contract(self, key: str, **changes: Any) -> Contract:
        """Correct a stored contract (see :data:`EDITABLE_CONTRACT_FIELDS`); it is checked
        exactly as a new one is, the vendor's contract rules included, and an error blocks
        it. A contract keeps its customer and vendor. Saving the same values writes nothing."""
        current = self.contract(key)
        if not changes:
            raise BadInput("contract", "nothing to change: give at least one new value")
        for name, owner in (("customer_id", "customer"), ("vendor", "vendor")):
            if name in changes and changes[name] != getattr(current, name):
                raise BadInput(
                    name,
                    f"{key} is a contract of {getattr(current, name)}; a contract cannot move to "
                    f"another {owner}: add a new contract instead",
                )
        unknown = sorted(set(changes) - set(EDITABLE_CONTRACT_FIELDS) - {"customer_id", "vendor"})
        if unknown:
            raise BadInput(
                unknown[0],
                f"cannot be changed on a contract (these can: {', '.join(EDITABLE_CONTRACT_FIELDS)})",
            )
        updated = dataclasses.replace(current, **changes)
        if updated == current:
            return current
        self._validate_contract(updated)
        self._save_changed("contracts", key, current.to_dict(), updated.to_dict(), "update")
        return updated

    def _validate_contract(self, contract: Contract) -> None:
        """Refuse a contract with a product its vendor does not sell, an end before its
        start, a negative quantity or price, or an error of the vendor's contract rules."""
        program = self.program(contract.vendor)
        if program.products and contract.product not in program.products:
            raise BadInput(
                "product",
                f"{contract.product!r} is not a {program.name} product ({', '.join(program.products)})",
            )
        if contract.end is not None and contract.end < contract.start:
            raise BadInput("end", f"ends {contract.end} before it starts {contract.start}")
        if contract.quantity < 0 or contract.list_price < 0:
            raise BadInput("quantity" if contract.quantity < 0 else "list_price", "must not be negative")
        findings = self.check_contract(contract)
        if any(f.level == "error" for f in findings):
            raise Invalid(findings)

    def active_contracts(self, customer_id: str, vendor: str, on: date | None = None) -> list[Contract]:
        day = on or self.today()
        return [c for c in self.contracts(customer_id, vendor) if c.active_on(day)]

    def has_support(self, customer_id: str, vendor: str, on: date | None = None) -> bool:
        """Whether the customer holds an active subscription with support (CORE-PATH-2)."""
        support = set(self.program(vendor).support_products)
        return any(c.product in support for c in self.active_contracts(customer_id, vendor, on))

    def quote(self, key: str) -> Quote:
        contract = self.contract(key)
        quote = self.plugins.first("workbench_quote", contract=contract, desk=self)
        if quote is None:
            raise BadInput("contract", f"{contract.vendor} gives no quote for {contract.product!r}")
        return quote

    def eligibility(self, customer_id: str) -> list[Eligibility]:
        customer = self.customer(customer_id)
        return _flatten(self.plugins.call("workbench_eligibility", customer=customer, desk=self))

    # -- cases: intake -------------------------------------------------------------------

    def program(self, vendor: str) -> VendorProgram:
        program = self.programs().get(vendor)
        if program is None or vendor == "core":
            raise BadInput("vendor", self._missing_program(vendor))
        return program

    def _missing_program(self, vendor: str) -> str:
        """Why there is no program ``vendor``: switched off, failed to load, or unknown."""
        unavailable = "its cases can be listed, not worked, until it is back"
        if vendor in self.plugins.disabled:
            return f"the {vendor} plugin is switched off (WORKBENCH_DISABLE_PLUGINS): {unavailable}"
        failed = [f for f in self.plugins.failures if f.plugin == vendor and f.hook is None]
        if failed:
            return f"{failed[0]}: {unavailable} (see `workbench plugins`)"
        return f"unknown vendor {vendor!r} (one of: {', '.join(self.vendors())})"

    def case_fields(self, vendor: str) -> list[Field]:
        """The vendor's intake form."""
        self.program(vendor)
        return self.plugins.first("workbench_case_fields", vendor=vendor, desk=self) or []

    def _draft(self, vendor: str, customer_id: str, subject: str, fields: dict[str, Any]) -> Case:
        self.customer(customer_id)
        form = {f.name: f for f in self.case_fields(vendor)}
        unknown = sorted(set(fields) - set(form))
        if unknown:
            raise BadInput(unknown[0], f"not a field of the {vendor} form ({', '.join(form)})")
        values = {
            name: parse_value(name, form[name].kind, raw, form[name].choices, self.timezone())
            for name, raw in fields.items()
            if raw not in (None, "")
        }
        for name, definition in form.items():
            if name not in values and definition.default is not None:
                values[name] = definition.default
        if not subject.strip():
            raise BadInput("subject", "must not be empty")
        return Case(
            id="(new)",
            vendor=vendor,
            customer_id=customer_id,
            subject=subject.strip(),
            opened_at=self.now(),
            fields=values,
        )

    def validate(self, case: Case) -> list[Finding]:
        """Required fields of the form, then every plugin's findings."""
        findings = []
        for definition in self.case_fields(case.vendor):
            if not definition.required or not _applies(definition, case.fields):
                continue
            if case.fields.get(definition.name) in (None, ""):
                findings.append(
                    Finding(
                        "error",
                        definition.rule or "CORE-PATH-1",
                        f"{definition.label} is required",
                        definition.name,
                    )
                )
        findings += _flatten(self.plugins.call("workbench_validate_case", case=case, desk=self))
        return findings

    def route(self, case: Case) -> Route:
        route = self.plugins.first("workbench_route_case", case=case, desk=self)
        return route

    def preview_case(
        self, vendor: str, customer_id: str, subject: str, fields: dict[str, Any]
    ) -> CasePreview:
        """What the case would be if saved now: findings, route, deadlines."""
        case = self._draft(vendor, customer_id, subject, fields)
        findings = self.validate(case)
        route = None if any(f.level == "error" for f in findings) else self.route(case)
        if route:
            _apply_route(case, route)
            if route.path == "consulting":  # CORE-PATH-2 is checked on the routed case
                findings = self.validate(case)
                route = None if any(f.level == "error" for f in findings) else route
            case.severity = self.plugins.first("workbench_case_severity", case=case, desk=self) or ""
        deadlines = self.deadlines(case, []) if route else []
        if route is None:
            case.path = case.queue = case.route_rule = case.route_reason = ""
        return CasePreview(case, findings, route, deadlines)

    def open_case(
        self, vendor: str, customer_id: str, subject: str, fields: dict[str, Any] | None = None
    ) -> Case:
        """Validate, route and save a new case; an error finding blocks it."""
        preview = self.preview_case(vendor, customer_id, subject, fields or {})
        if preview.blocked:
            raise Invalid(preview.findings)
        case = preview.case
        with self.store.transaction() as tx:
            case.id = f"C-{tx.next_number('cases')}"
            case.updated_at = case.opened_at
            record = case.to_dict()
            tx.put("cases", case.id, record)
            self._record(
                tx, "cases", case.id, "open", None, record, rule=case.route_rule, reason=case.route_reason
            )
        return case

    def update_fields(self, key: str, changes: dict[str, Any]) -> Case:
        """Change form answers; the case is validated and routed again, and a new route
        is recorded with its rule and reason."""
        case = self.case(key)
        draft = self._draft(case.vendor, case.customer_id, case.subject, {**case.fields, **changes})
        updated = Case.from_dict({**case.to_dict(), "fields": draft.fields})
        findings = self.validate(updated)
        if any(f.level == "error" for f in findings):
            raise Invalid(findings)
        route = self.route(updated)
        _apply_route(updated, route)
        if route.path == "consulting":
            findings = self.validate(updated)
            if any(f.level == "error" for f in findings):
                raise Invalid(findings)
        updated.severity = self.plugins.first("workbench_case_severity", case=updated, desk=self) or ""
        updated.updated_at = self.now()
        rerouted = (route.path, route.queue) != (case.path, case.queue)
        self._save_changed(
            "cases",
            key,
            case.to_dict(),
            updated.to_dict(),
            "reroute" if rerouted else "fields",
            rule=route.rule if rerouted else "",
            reason=route.reason if rerouted else "",
        )
        return self.case(key)

    # -- cases: reading -------------------------------------------------------------------

    def case(self, key: str) -> Case:
        record = self.store.get("cases", key)
        if record is None:
            raise NotFound("case", key)
        return Case.from_dict(record)

    def cases(
        self,
        vendor: str | None = None,
        state: str | None = None,
        queue: str | None = None,
        text: str | None = None,
        customer_id: str | None = None,
        open_only: bool = False,
    ) -> list[Case]:
        """Cases matching every filter given, newest first."""
        if vendor is not None:
            self.program(vendor)
        if customer_id is not None:
            self.customer(customer_id)
        if state is not None and state not in CASE_STATES:
            raise BadInput("state", f"{state!r} is not a case state ({', '.join(CASE_STATES)})")
        needle = text.lower() if text else None
        fields = {"customer_id": customer_id, "vendor": vendor, "state": state, "queue": queue}
        match = {name: value for name, value in fields.items() if value}
        found = []
        for record in self.store.all("cases", closed=not open_only, match=match):
            if needle and needle not in record["subject"].lower() and needle not in record["id"].lower():
                continue
            found.append(Case.from_dict(record))
        found.sort(key=lambda c: _number(c.id), reverse=True)
        return found

    def vendor_milestones(self, case: Case) -> dict[str, list[str]]:
        """The milestones a vendor reply may name to meet a deadline of ``case`` (its
        vendor's commitments say ``met_by: vendor-reply:MILESTONE``), each with the
        deadlines it meets."""
        milestones: dict[str, list[str]] = {}
        for commitment in _flatten(self.plugins.call("workbench_commitments", case=case, desk=self)):
            for action in commitment.met_by:
                done, _, milestone = action.partition(":")
                if done == "vendor-reply" and milestone:
                    milestones.setdefault(milestone, []).append(commitment.name)
        return milestones

    def deadlines(self, case: Case, events: list[Event] | None = None) -> list[Deadline]:
        """Both clocks' deadlines of a case at the desk clock (CORE-SLA-1..3)."""
        now = self.now()
        if events is None:
            events = self.events("cases", case.id)
        return self._deadlines(case, events, now, float(self.setting("core.at_risk_share")))

    def deadlines_for(self, cases: list[Case]) -> list[list[Deadline]]:
        """``deadlines(case)`` of each case, in order, at one desk clock: what every case
        asks the same (each setting, the desk calendar) is read once for all of them, and
        each case's events once, not again by every hook that reads them (the queue's
        thousands of open cases)."""
        reads = _ReadOnce(self)
        now = self.now()
        threshold = float(reads.setting("core.at_risk_share"))
        return [reads._deadlines(case, reads.events("cases", case.id), now, threshold) for case in cases]

    def _deadlines(self, case: Case, events: list[Event], now: datetime, threshold: float) -> list[Deadline]:
        commitments = _flatten(self.plugins.call("workbench_commitments", case=case, desk=self))
        pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
        return [deadline_of(c, pauses, events, now, threshold) for c in commitments]

    def ladder(self, case: Case) -> Ladder:
        """The vendor's ladder; the core's commercial track (CORE-ESC-2) where it has none."""
        answers = self.plugins.call("workbench_escalation_ladder", case=case, desk=self)
        ladder = answers[0]
        if not any(r.track == "commercial" for r in ladder.rungs):
            core = answers[-1]
            ladder = Ladder(
                ladder.rungs + [r for r in core.rungs if r.track == "commercial"],
                ladder.rule,
                ladder.reason,
            )
        return ladder

    def escalation_options(self, case: Case, ladder: Ladder | None = None) -> list[EscalationOption]:
        ladder = ladder or self.ladder(case)
        options = []
        for track in ("technical", "commercial"):
            current = case.level(track)
            rung = ladder.next_rung(track, current)
            decision = self._check_escalation(case, track, rung) if rung and case.is_open else None
            options.append(EscalationOption(track, current, rung, decision))
        return options

    def _check_escalation(self, case: Case, track: str, rung: Rung) -> Decision:
        return self.plugins.first(
            "workbench_check_escalation",
            case=case,
            track=track,
            level=rung.level,
            desk=self,
            now=self.now(),
        )

    def ball_minutes(self, case: Case, events: list[Event]) -> dict[str, int]:
        """Business minutes (desk calendar) each side has held the ball (CORE-SLA-4)."""
        calendar = self.desk_calendar()
        totals = {"desk": 0, "vendor": 0, "customer": 0}
        holder, since = "desk", case.opened_at
        for event in events:
            state = (event.after or {}).get("state")
            if state is None:
                continue
            totals[holder] += int(calendar.elapsed(since, event.at).total_seconds() // 60)
            holder = {"pending": "customer", "waiting-vendor": "vendor"}.get(state, "desk")
            since = event.at
        end = case.closed_at or self.now()
        totals[holder] += int(calendar.elapsed(since, max(since, end)).total_seconds() // 60)
        return totals

    def desk_calendar(self, candidate: dict[str, Any] | None = None) -> Calendar:
        """The desk's own calendar (CORE-SLA-3), from settings (with ``candidate`` values
        in place of the stored ones, to check a change before it is saved).

        Raises ``ValueError`` naming the problem when the settings make no calendar."""
        values = {key: self.setting(key) for key in CALENDAR_SETTINGS} | (candidate or {})
        hours = str(values["core.desk_hours"])
        start, sep, end = hours.partition("-")
        if not sep:
            raise ValueError(f"{hours!r} is not working hours HH:MM-HH:MM (e.g. 09:00-18:00)")
        return desk_calendar(
            tz=values["desk.timezone"],
            start=start.strip(),
            end=end.strip(),
            holiday_country=values["core.desk_holidays"] or None,
            closed_dates=tuple(date.fromisoformat(d) for d in values["core.closed_dates"]),
        )

    def timeline(self, key: str) -> list[dict[str, Any]]:
        """SLA evidence of one case (CORE-SLA-4): for every deadline, its start, each pause
        and resume, when it was met or breached, on which calendar, with the business
        minutes counted up to that moment."""
        case = self.case(key)
        events = self.events("cases", key)
        commitments = _flatten(self.plugins.call("workbench_commitments", case=case, desk=self))
        deadlines = case.outcomes if not case.is_open else self.deadlines(case, events)
        pauses = [Pause(_instant(p["start"]), _instant(p.get("end"))) for p in case.pauses]
        entries = []
        for commitment, deadline in zip(commitments, deadlines, strict=False):
            calendar = Calendar.from_dict(commitment.calendar)
            counted = pauses if commitment.pauses else []

            def entry(at: datetime, what: str, deadline=deadline, calendar=calendar, counted=counted):
                minutes = calendar.elapsed(deadline.start, at, counted).total_seconds() // 60
                return {
                    "at": at,
                    "deadline": deadline.name,
                    "clock": deadline.clock,
                    "what": what,
                    "calendar": calendar.name,
                    "counted_minutes": int(minutes),
                    "rule": deadline.rule,
                    "due": deadline.due.isoformat() if deadline.due else None,
                }

            entries.append(entry(deadline.start, "start"))
            for pause in counted:
                if pause.start >= deadline.start:
                    entries.append(entry(pause.start, "pause"))
                    if pause.end:
                        entries.append(entry(pause.end, "resume"))
            if deadline.met_at:
                entries.append(entry(deadline.met_at, "met" if deadline.state == "met" else "met-late"))
            elif deadline.state == "breached" and deadline.due:
                entries.append(entry(deadline.due, "breach"))
        entries.sort(key=lambda e: (e["at"], e["deadline"]))
        return entries

    def close_reasons(self, case: Case) -> list[CloseReason]:
        return self.plugins.first("workbench_close_reasons", case=case, desk=self) or []

    def view(self, key: str) -> CaseView:
        case = self.case(key)
        events = self.events("cases", key)
        ladder = self.ladder(case)
        customer = self.customer_of(case)
        return CaseView(
            case=case,
            customer=customer,
            route=Route(case.path, case.queue, case.route_rule, case.route_reason),
            findings=self.validate(case),
            deadlines=case.outcomes if not case.is_open else self.deadlines(case, events),
            ladder=ladder,
            options=self.escalation_options(case, ladder),
            eligibility=[e for e in self.eligibility(case.customer_id) if e.vendor == case.vendor]
            if customer
            else [],
            ball=case.ball,
            ball_minutes=self.ball_minutes(case, events),
            close_reasons=self.close_reasons(case),
            events=events,
        )

    # -- cases: timeline actions --------------------------------------------------------------

    def _change_case(
        self,
        key: str,
        action: str,
        change: Callable[[Case], None],
        rule: str = "",
        reason: str = "",
        data: dict[str, Any] | None = None,
        allowed_from: Iterable[str] = ("open", "waiting-vendor", "pending", "resolved"),
    ) -> Case:
        """Apply ``change`` to the freshest copy of the case under the lock, and record it."""
        with self.store.transaction() as tx:
            record = tx.get("cases", key)
            if record is None:
                raise NotFound("case", key)
            case = Case.from_dict(record)
            if case.state not in allowed_from:
                raise BadInput("state", f"case {key} is {case.state}; cannot {action} it")
            change(case)
            case.updated_at = self.now()
            after = case.to_dict()
            tx.put("cases", key, after)
            old, new = _diff(record, after)
            self._record(tx, "cases", key, action, old, new, rule=rule, reason=reason, data=data)
        return case

    def note(self, key: str, text: str, *, to_customer: bool = False) -> Case:
        """An internal note, or a response to the customer (which meets the desk's
        response commitments, CORE-SLA-3)."""
        if not text.strip():
            raise BadInput("text", "must not be empty")
        action = "respond" if to_customer else "note"
        return self._change_case(key, action, lambda c: None, data={"text": text.strip()})

    def send_to_vendor(self, key: str, text: str = "") -> Case:
        """The case goes to the vendor: the ball is theirs, vendor clocks start (CORE-SLA-4)."""
        decision = self.plugins.first("workbench_check_send", case=self.case(key), desk=self, now=self.now())
        if decision is not None and not decision.allowed:
            raise Refused(decision)

        def change(case: Case) -> None:
            case.state = "waiting-vendor"
            if case.sent_at is None:
                case.sent_at = self.now()

        return self._change_case(key, "send", change, data={"text": text}, allowed_from=("open", "resolved"))

    def vendor_reply(self, key: str, text: str = "", milestone: str = "") -> Case:
        """The vendor answered: the ball is back with the desk."""

        def change(case: Case) -> None:
            if case.sent_at is None:
                raise BadInput("case", f"case {key} was never sent to the vendor (`case send` first)")
            case.state = "open"

        return self._change_case(
            key,
            "vendor-reply",
            change,
            data={"text": text, "milestone": milestone},
            allowed_from=("open", "waiting-vendor"),
        )

    def pending(self, key: str, text: str = "") -> Case:
        """Waiting on the customer: clocks that honour pauses stop (CORE-SLA-1, CORE-SLA-3)."""

        def change(case: Case) -> None:
            case.state = "pending"
            case.pauses.append({"start": self.now().isoformat(), "end": None})

        return self._change_case(
            key,
            "pending",
            change,
            rule="CORE-SLA-3",
            reason="waiting on the customer pauses the clocks",
            data={"text": text},
            allowed_from=("open", "waiting-vendor"),
        )

    def customer_reply(self, key: str, text: str = "") -> Case:
        """The customer answered: a pending case resumes; a resolved or closed one (e.g.
        closed automatically while pending) reopens."""

        def change(case: Case) -> None:
            _end_pause(case, self.now())
            case.state, case.closed_at, case.close_reason = "open", None, ""

        return self._change_case(
            key,
            "reply",
            change,
            data={"text": text},
            allowed_from=("open", "pending", "resolved", "waiting-vendor", "closed"),
        )

    def resolve(self, key: str, text: str = "") -> Case:
        def change(case: Case) -> None:
            _end_pause(case, self.now())
            case.state = "resolved"

        return self._change_case(key, "resolve", change, data={"text": text})

    def attach_evidence(self, key: str, kind: str, text: str) -> Case:
        """Technical evidence on the case: a reproduction, a patch or a log (CORE-ESC-2)."""
        if kind not in EVIDENCE_KINDS:
            raise BadInput("kind", f"{kind!r} is not one of {', '.join(EVIDENCE_KINDS)}")
        if not text.strip():
            raise BadInput("text", "must describe the evidence")

        def change(case: Case) -> None:
            case.evidence.append({"kind": kind, "text": text.strip(), "at": self.now().isoformat()})

        return self._change_case(key, "evidence", change, data={"kind": kind})

    def close(self, key: str, reason: str, text: str = "") -> Case:
        """Close with one of the vendor's closure reasons; deadline outcomes are kept."""
        case = self.case(key)
        reasons = {r.code: r for r in self.close_reasons(case)}
        if reason not in reasons:
            raise BadInput(
                "reason", f"{reason!r} is not a closure reason for {case.vendor} ({', '.join(reasons)})"
            )
        chosen = reasons[reason]
        outcomes = self.deadlines(case)

        def change(c: Case) -> None:
            now = self.now()
            _end_pause(c, now)
            c.state = "closed"
            c.closed_at = now
            c.close_reason = reason
            c.outcomes = outcomes

        return self._change_case(
            key, "close", change, rule=chosen.rule, reason=chosen.text, data={"text": text}
        )

    def reopen(self, key: str, text: str = "") -> Case:
        def change(case: Case) -> None:
            case.state = "open"
            case.closed_at = None
            case.close_reason = ""

        return self._change_case(
            key, "reopen", change, data={"text": text}, allowed_from=("closed", "resolved")
        )

    def escalate(self, key: str, track: str = "technical", reason: str = "", owner: str = "") -> Case:
        """Climb one rung on ``track`` if the vendor's condition holds (CORE-ESC-1/2);
        otherwise :class:`Refused` with the rule, the reason, the earliest time and what is missing."""
        if track not in ("technical", "commercial"):
            raise BadInput("track", f"{track!r} is not technical or commercial")
        case = self.case(key)
        if not case.is_open:
            raise BadInput("state", f"case {key} is closed; reopen it first")
        ladder = self.ladder(case)
        rung = ladder.next_rung(track, case.level(track))
        if rung is None:
            raise Refused(Decision(False, ladder.rule, f"case {key} is at the top of the {track} ladder"))
        decision = self._check_escalation(case, track, rung)
        if not decision.allowed:
            raise Refused(decision)
        escalation = Escalation(
            track=track,
            level=rung.level,
            role=rung.role,
            rule=decision.rule,
            reason=reason or decision.reason,
            at=self.now(),
            actor=self.actor,
            owner=owner,
        )

        def change(c: Case) -> None:
            c.escalations.append(escalation)

        return self._change_case(
            key,
            "escalate",
            change,
            rule=decision.rule,
            reason=decision.reason,
            data={"track": track, "level": rung.level, "role": rung.role, "owner": owner, "why": reason},
        )

    def set_escalation_owner(self, key: str, track: str, level: int, owner: str) -> Case:
        """Record who owns an escalation on the vendor's side once the vendor names them."""
        if not owner.strip():
            raise BadInput("owner", "must name the vendor-side owner")

        def change(case: Case) -> None:
            escalation = next((e for e in case.escalations if e.track == track and e.level == level), None)
            if escalation is None:
                raise BadInput("level", f"case {key} has no {track} escalation at level {level}")
            escalation.owner = owner.strip()

        return self._change_case(
            key, "escalation-owner", change, data={"track": track, "level": level, "owner": owner.strip()}
        )

    # -- time-driven work -------------------------------------------------------------------

    def sweep(self, progress: Callable[[int, int], None] | None = None) -> SweepReport:
        """Apply every time-driven rule at the desk clock, once: plugins' actions on open
        cases and on the desk, and a breach event per breached deadline (CORE-SLA-2)."""
        now = self.now()
        report = SweepReport(at=now)
        open_cases = self.cases(open_only=True)
        for index, case in enumerate(open_cases, 1):
            report.checked += 1
            actions = _flatten(self.plugins.call("workbench_sweep", case=case, desk=self, now=now))
            for action in actions:
                if not case.is_open:
                    break
                if action.key not in case.sweep_keys:
                    self._apply_case_action(case, action, report)
                    case = self.case(case.id)
            if case.is_open:
                for deadline in self.deadlines(case):
                    breach_key = (
                        f"breach:{deadline.name}:{deadline.start.isoformat() if deadline.start else ''}"
                    )
                    if deadline.state == "breached" and breach_key not in case.sweep_keys:
                        self._mark(
                            case.id,
                            breach_key,
                            "breach",
                            deadline.rule,
                            f"{deadline.name} breached (due {deadline.due.isoformat()}, {deadline.calendar})",
                            {"deadline": deadline.name, "due": deadline.due.isoformat()},
                        )
                        report.breaches.append(
                            {
                                "case": case.id,
                                "deadline": deadline.name,
                                "rule": deadline.rule,
                                "due": deadline.due.isoformat(),
                            }
                        )
            if progress:
                progress(index, len(open_cases))
        # A workflow the sweep opens may itself be due for a reminder: ask again until no
        # new workflow opens, so a second sweep at the same time finds nothing to do.
        opened = -1
        while opened != len(report.opened):
            opened = len(report.opened)
            for action in _flatten(self.plugins.call("workbench_sweep_desk", desk=self, now=now)):
                self._apply_desk_action(action, report)
        return report

    def _mark(
        self, key: str, sweep_key: str, action: str, rule: str, reason: str, data: dict[str, Any]
    ) -> Case:
        def change(case: Case) -> None:
            case.sweep_keys.append(sweep_key)

        return self._change_case(
            key, action, change, rule=rule, reason=reason, data={**data, "key": sweep_key}
        )

    def _apply_case_action(self, case: Case, action: Action, report: SweepReport) -> None:
        if action.kind == "close":
            reason = action.data["reason"]

            def change(c: Case) -> None:
                now = self.now()
                c.outcomes = self.deadlines(c)
                _end_pause(c, now)
                c.state, c.closed_at, c.close_reason = "closed", now, reason
                c.sweep_keys.append(action.key)

            self._change_case(
                case.id,
                "close",
                change,
                rule=action.rule,
                reason=action.reason,
                data={**action.data, "key": action.key},
            )
        else:
            self._mark(case.id, action.key, action.kind, action.rule, action.reason, action.data)
        report.applied.append({"case": case.id, **action.to_dict()})

    def _apply_desk_action(self, action: Action, report: SweepReport) -> None:
        if action.kind == "open-workflow":
            if any(record.get("key") == action.key for record in self.store.all("workflows")):
                return
            workflow = self.open_workflow(
                action.data["vendor"],
                action.data["template"],
                customer_id=action.data.get("customer_id", ""),
                contract_id=action.data.get("contract_id", ""),
                anchor=date.fromisoformat(action.data["anchor"]) if action.data.get("anchor") else None,
                key=action.key,
                rule=action.rule,
                reason=action.reason,
            )
            report.opened.append(workflow.id)
            report.applied.append({"workflow": workflow.id, **action.to_dict()})
            return
        workflow = self.workflow(action.data["workflow"])
        if action.key in workflow.data.get("sweep_keys", []):
            return
        with self.store.transaction() as tx:
            record = tx.get("workflows", workflow.id)
            keys = record["data"].setdefault("sweep_keys", [])
            keys.append(action.key)
            tx.put("workflows", workflow.id, record)
            self._record(
                tx,
                "workflows",
                workflow.id,
                action.kind,
                None,
                None,
                rule=action.rule,
                reason=action.reason,
                data={**action.data, "key": action.key},
            )
        report.applied.append({"workflow": workflow.id, **action.to_dict()})

    # -- workflows ----------------------------------------------------------------------------

    def workflow_templates(self, vendor: str) -> list[WorkflowTemplate]:
        self.program(vendor)
        return self.plugins.first("workbench_workflow_templates", vendor=vendor, desk=self) or []

    def form_fields(self, vendor: str, form: str) -> list[Field]:
        return self.plugins.first("workbench_form_fields", vendor=vendor, form=form, desk=self) or []

    def workflow(self, key: str) -> Workflow:
        record = self.store.get("workflows", key)
        if record is None:
            raise NotFound("workflow", key)
        return Workflow.from_dict(record)

    def workflows(
        self, vendor: str | None = None, kind: str | None = None, open_only: bool = False
    ) -> list[Workflow]:
        found = [Workflow.from_dict(r) for r in self.store.all("workflows")]
        if vendor:
            found = [w for w in found if w.vendor == vendor]
        if kind:
            found = [w for w in found if self._template_of(w) and self._template_of(w).kind == kind]
        if open_only:
            found = [w for w in found if not w.done]
        return sorted(found, key=lambda w: _number(w.id))

    def _template_of(self, workflow: Workflow) -> WorkflowTemplate | None:
        return next((t for t in self.workflow_templates(workflow.vendor) if t.id == workflow.template), None)

    def open_workflow(
        self,
        vendor: str,
        template: str,
        customer_id: str = "",
        contract_id: str = "",
        anchor: date | None = None,
        key: str = "",
        rule: str = "",
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> Workflow:
        """Open a workflow from one of the vendor's templates; due dates count from ``anchor``."""
        templates = {t.id: t for t in self.workflow_templates(vendor)}
        if template not in templates:
            raise BadInput("template", f"{template!r} is not a {vendor} workflow ({', '.join(templates)})")
        chosen = templates[template]
        if customer_id:
            self.customer(customer_id)
        if contract_id:
            contract = self.contract(contract_id)
            if contract.vendor != vendor:
                raise BadInput("contract", f"{contract_id} is a {contract.vendor} contract, not {vendor}")
            if customer_id and contract.customer_id != customer_id:
                raise BadInput(
                    "contract", f"{contract_id} belongs to {contract.customer_id}, not {customer_id}"
                )
            customer_id = customer_id or contract.customer_id
        if any(s.offset_days is not None for s in chosen.steps) and anchor is None:
            raise BadInput(
                "anchor", f"{chosen.title} needs an anchor date (its steps' due dates count from it)"
            )
        steps = [
            Step(
                id=s.id,
                title=s.title,
                rule=s.rule,
                form=s.form,
                due=anchor + timedelta(days=s.offset_days) if anchor and s.offset_days is not None else None,
            )
            for s in chosen.steps
        ]
        workflow = Workflow(
            id="",
            vendor=vendor,
            template=template,
            title=chosen.title,
            steps=steps,
            opened_at=self.now(),
            customer_id=customer_id,
            contract_id=contract_id,
            anchor=anchor,
            key=key,
            data=data or {},
            updated_at=self.now(),
        )
        with self.store.transaction() as tx:
            workflow.id = f"W-{tx.next_number('workflows')}"
            record = workflow.to_dict()
            tx.put("workflows", workflow.id, record)
            self._record(
                tx,
                "workflows",
                workflow.id,
                "open",
                None,
                record,
                rule=rule or chosen.rule,
                reason=reason or f"{chosen.title} opened",
            )
        return workflow

    def check_step(self, workflow: Workflow, step_id: str, data: dict[str, Any]) -> Decision:
        """May ``step_id`` be completed now? Order first (the template's rule), then the
        form's required fields, then the vendor's own condition."""
        template = self._template_of(workflow)
        rule = template.rule if template else ""
        step = next((s for s in workflow.steps if s.id == step_id), None)
        if step is None:
            raise BadInput(
                "step",
                f"{step_id!r} is not a step of {workflow.id} ({', '.join(s.id for s in workflow.steps)})",
            )
        if step.done_at is not None:
            return Decision(False, rule, f"step {step.title!r} was already completed")
        if workflow.next_step is not step:
            return Decision(False, rule, f"steps complete in order: {workflow.next_step.title!r} comes first")
        if step.form:
            fields = self.form_fields(workflow.vendor, step.form)
            missing = [
                f.label for f in fields if f.required and _applies(f, data) and data.get(f.name) in (None, "")
            ]
            if missing:
                return Decision(False, step.rule, f"the {step.form} form is incomplete", missing=missing)
        decision = self.plugins.first(
            "workbench_check_step", workflow=workflow, step=step_id, data=data, desk=self, now=self.now()
        )
        return decision or Decision(True, step.rule, "no condition blocks this step")

    def complete_step(self, key: str, step_id: str, data: dict[str, Any] | None = None) -> Workflow:
        """Complete the next step of a workflow, with the form's answers where it asks for one."""
        workflow = self.workflow(key)
        step = next((s for s in workflow.steps if s.id == step_id), None)
        values = dict(data or {})
        if step is not None and step.form:
            fields = {f.name: f for f in self.form_fields(workflow.vendor, step.form)}
            unknown = sorted(set(values) - set(fields))
            if unknown:
                raise BadInput(unknown[0], f"not a field of the {step.form} form")
            values = {
                n: parse_value(n, fields[n].kind, v, fields[n].choices, self.timezone())
                for n, v in values.items()
                if v not in (None, "")
            }
            for name, definition in fields.items():
                if name not in values and definition.default is not None and _applies(definition, values):
                    values[name] = definition.default
        decision = self.check_step(workflow, step_id, values)
        if not decision.allowed:
            raise Refused(decision)
        with self.store.transaction() as tx:
            record = tx.get("workflows", key)
            fresh = Workflow.from_dict(record)
            target = next(s for s in fresh.steps if s.id == step_id)
            if target.done_at is not None:
                raise Refused(Decision(False, decision.rule, f"step {target.title!r} was already completed"))
            target.done_at = self.now()
            target.done_by = self.actor
            target.data = values
            fresh.updated_at = self.now()
            after = fresh.to_dict()
            tx.put("workflows", key, after)
            self._record(
                tx,
                "workflows",
                key,
                "step",
                None,
                {"step": step_id, "data": values},
                rule=decision.rule,
                reason=decision.reason,
            )
        return fresh

    def form_text(self, key: str, step_id: str) -> list[str]:
        """A completed step's form answers as ``Label: value`` lines in the form's order,
        ready to paste into the vendor's own form."""
        workflow = self.workflow(key)
        step = next((s for s in workflow.steps if s.id == step_id), None)
        if step is None or not step.form:
            raise BadInput("step", f"{step_id!r} is not a step of {key} that asks for a form")
        lines = []
        for definition in self.form_fields(workflow.vendor, step.form):
            value = step.data.get(definition.name, "")
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            lines.append(f"{definition.label}: {value}")
        return lines

    def workflow_view(self, key: str) -> WorkflowView:
        workflow = self.workflow(key)
        findings = _flatten(
            self.plugins.call("workbench_workflow_findings", workflow=workflow, desk=self, now=self.now())
        )
        step = workflow.next_step
        decision = self.check_step(workflow, step.id, {}) if step and not step.form else None
        return WorkflowView(
            workflow, self._template_of(workflow), findings, step, decision, self._workflow_state(workflow)
        )

    def _workflow_state(self, workflow: Workflow) -> str:
        step = workflow.next_step
        if step is None:
            return "done"
        if step.due is None:
            return "ok"
        days_left = (step.due - self.today()).days
        if days_left < 0:
            return "overdue"
        return "at-risk" if days_left <= int(self.setting("core.workflow_at_risk_days")) else "ok"

    def renewals(self, within_days: int | None = None) -> list[WorkflowView]:
        """Open renewal workflows (every vendor), oldest next deadline first."""
        if within_days is not None and within_days < 0:
            raise BadInput("within", "must be zero or more days")
        views = []
        for workflow in self.workflows(kind="renewal", open_only=True):
            step = workflow.next_step
            if within_days is not None and step and step.due and (step.due - self.today()).days > within_days:
                continue
            views.append(self.workflow_view(workflow.id))
        views.sort(key=lambda v: (v.next_step.due or date.max) if v.next_step else date.max)
        return views


class _ReadOnce(Desk):
    """The desk as one batch of reads sees it (:meth:`Desk.deadlines_for`): each setting,
    the desk calendar and each record's events are read the first time they are asked
    for and remembered. Only for reading, while nothing changes: a batch makes no change,
    and the store changes only by a transaction or ``refresh()``, not during a call."""

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk.store, desk.plugins, desk.actor)
        self._programs = desk.programs()
        self._settings: dict[str, Any] = {}
        self._calendar: Calendar | None = None
        self._events: dict[tuple[str, str], list[Event]] = {}

    def setting(self, key: str) -> Any:
        if key not in self._settings:
            self._settings[key] = super().setting(key)
        return self._settings[key]

    def desk_calendar(self, candidate: dict[str, Any] | None = None) -> Calendar:
        if candidate:
            return super().desk_calendar(candidate)
        if self._calendar is None:
            self._calendar = super().desk_calendar()
        return self._calendar

    def events(self, kind: str, key: str) -> list[Event]:
        if (kind, key) not in self._events:
            self._events[kind, key] = super().events(kind, key)
        return list(self._events[kind, key])


# ----------------------------------------------------------------------------------------
# Helpers of the desk (pure functions)
# ----------------------------------------------------------------------------------------


def _number(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _flatten(answers: list[Any]) -> list[Any]:
    flat = []
    for answer in answers:
        flat.extend(answer if isinstance(answer, list) else [answer])
    return flat


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _applies(definition: Field, values: dict[str, Any]) -> bool:
    return all(values.get(k) == v for k, v in definition.when.items())


def _apply_route(case: Case, route: Route) -> None:
    case.path, case.queue = route.path, route.queue
    case.route_rule, case.route_reason = route.rule, route.reason


def _end_pause(case: Case, now: datetime) -> None:
    if case.pauses and case.pauses[-1]["end"] is None:
        case.pauses[-1]["end"] = now.isoformat()


def _check_customer(customer: Customer) -> None:
    if not customer.name:
        raise BadInput("name", "must not be empty")
    for name in ("email", "super_admin_email"):
        value = getattr(customer, name)
        if value and not EMAIL.match(value):
            raise BadInput(name, f"{value!r} is not an e-mail address")
    if customer.domain and ("@" in customer.domain or "." not in customer.domain):
        raise BadInput("domain", f"{customer.domain!r} is not a domain name (e.g. example.co.jp)")
    if not isinstance(customer.users, int) or customer.users < 0:
        raise BadInput("users", "must be a whole number, zero or more")
