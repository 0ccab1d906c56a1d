"""Intake: a new case's form (the vendor's fields), its validation, its route
(path and queue), a preview of what saving would do, and the save; changing a case's form
answers validates and routes it again."""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from workbench.builtin.core import NATURE, consulting_route
from workbench.desk import agents
from workbench.desk.records import flatten, record_event, save_changed
from workbench.desk.values import parse_value
from workbench.desk.views import (
    CasePreview,
)
from workbench.errors import BadInput, Invalid
from workbench.model import (
    Case,
    Field,
    Finding,
    Route,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.store.base import Transaction


def case_fields(desk: Desk, vendor: str) -> list[Field]:
    """The vendor's intake form, and the nature of the case every intake asks (CORE-PATH-3)
    unless the vendor's form asks it itself."""
    desk.program(vendor)
    form = desk.plugins.first("workbench_case_fields", vendor=vendor, desk=desk) or []
    return form if any(f.name == NATURE.name for f in form) else [*form, NATURE]


def _draft(desk: Desk, vendor: str, customer_id: str, subject: str, fields: dict[str, Any]) -> Case:
    desk.customer(customer_id)
    form = {f.name: f for f in desk.case_fields(vendor)}
    unknown = sorted(set(fields) - set(form))
    if unknown:
        raise BadInput(unknown[0], f"not a field of the {vendor} form ({', '.join(form)})")
    values = {
        name: parse_value(name, form[name].kind, raw, form[name].choices, desk.timezone())
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
        opened_at=desk.now(),
        fields=values,
    )


def validate(desk: Desk, case: Case) -> list[Finding]:
    """Required fields of the form, then every plugin's findings."""
    findings = []
    for definition in desk.case_fields(case.vendor):
        if not definition.required or not definition.applies(case.fields):
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
    findings += flatten(desk.plugins.call("workbench_validate_case", case=case, desk=desk))
    return findings


def route(desk: Desk, case: Case) -> Route:
    """A tuning case of a customer with a consulting contract goes to consulting (CORE-PATH-3);
    otherwise the vendor's route, or the core's."""
    return consulting_route(case, desk) or desk.plugins.first("workbench_route_case", case=case, desk=desk)


def preview_case(
    desk: Desk, vendor: str, customer_id: str, subject: str, fields: dict[str, Any]
) -> CasePreview:
    """What the case would be if saved now: findings, route, deadlines."""
    case = _draft(desk, vendor, customer_id, subject, fields)
    findings = desk.validate(case)
    route = None if any(f.level == "error" for f in findings) else desk.route(case)
    if route:
        _apply_route(case, route)
        if route.path == "consulting":  # CORE-PATH-2 is checked on the routed case
            findings = desk.validate(case)
            route = None if any(f.level == "error" for f in findings) else route
        case.severity = desk.plugins.first("workbench_case_severity", case=case, desk=desk) or ""
    deadlines = desk.deadlines(case, []) if route else []
    if route is None:
        case.path = case.queue = case.route_rule = case.route_reason = ""
    return CasePreview(case, findings, route, deadlines)


def open_case(
    desk: Desk,
    vendor: str,
    customer_id: str,
    subject: str,
    fields: dict[str, Any] | None = None,
    *,
    tx: Transaction | None = None,
) -> Case:
    """Validate, route and save a new case; an error finding blocks it. Given ``tx``, the case
    is saved in that transaction (a case opened from a message of the Inbox)."""
    preview = desk.preview_case(vendor, customer_id, subject, fields or {})
    if preview.blocked:
        raise Invalid(preview.findings)
    case = preview.case
    with nullcontext(tx) if tx is not None else desk.store.transaction() as tx:
        case.id = f"C-{tx.next_number('cases')}"
        case.updated_at = case.opened_at
        assigned = agents.assign_new_case(desk, tx, case)
        record = case.to_dict()
        tx.put("cases", case.id, record)
        record_event(
            desk, tx, "cases", case.id, "open", None, record, rule=case.route_rule, reason=case.route_reason
        )
        if assigned:
            record_event(
                desk,
                tx,
                "cases",
                case.id,
                "assign",
                {"assignee": ""},
                {"assignee": case.assignee},
                rule="CORE-TEAM-2",
                reason=assigned,
            )
    return case


def update_fields(desk: Desk, key: str, changes: dict[str, Any]) -> Case:
    """Change form answers; the case is validated and routed again, and a new route
    is recorded with its rule and reason."""
    case = desk.case(key)
    draft = _draft(desk, case.vendor, case.customer_id, case.subject, {**case.fields, **changes})
    updated = Case.from_dict({**case.to_dict(), "fields": draft.fields})
    findings = desk.validate(updated)
    if any(f.level == "error" for f in findings):
        raise Invalid(findings)
    route = desk.route(updated)
    _apply_route(updated, route)
    if route.path == "consulting":
        findings = desk.validate(updated)
        if any(f.level == "error" for f in findings):
            raise Invalid(findings)
    updated.severity = desk.plugins.first("workbench_case_severity", case=updated, desk=desk) or ""
    updated.updated_at = desk.now()
    rerouted = (route.path, route.queue) != (case.path, case.queue)
    save_changed(
        desk,
        "cases",
        key,
        case.to_dict(),
        updated.to_dict(),
        "reroute" if rerouted else "fields",
        guard=lambda tx, fresh: agents.check_case_change(desk, tx, fresh),
        rule=route.rule if rerouted else "",
        reason=route.reason if rerouted else "",
    )
    return desk.case(key)


def _apply_route(case: Case, route: Route) -> None:
    case.path, case.queue = route.path, route.queue
    case.route_rule, case.route_reason = route.rule, route.reason
