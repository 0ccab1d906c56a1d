"""The OnTime program declaration, the vendor boundary and the demo desk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from workbench_ontime import (
    workbench_case_fields,
    workbench_check_contract,
    workbench_check_escalation,
    workbench_escalation_ladder,
    workbench_quote,
    workbench_route_case,
    workbench_validate_case,
    workbench_workflow_templates,
)

from workbench.model import CASE_STATES, Case, Contract
from workbench.testing import check_program


def _program(desk):
    return desk.programs()["ontime"]


def test_program_declaration_is_complete(desk) -> None:
    assert check_program(_program(desk), "ONTIME") == []


def test_three_products_ontime_prod_1(desk) -> None:
    """ONTIME-PROD-1: exactly the three products; maintenance and technical support are the
    support entitlements, nothing is consulting."""
    program = _program(desk)
    assert program.products == ["license", "maintenance", "technical-support"]
    assert program.support_products == ["maintenance", "technical-support"]
    assert program.consulting_products == []


def test_numbers_marked_setting_are_settings(desk) -> None:
    """ONTIME-RENEW-1's 60 and 30 days, ONTIME-PARTNER-1's contact, ONTIME-ESC-1's chain."""
    settings = {s.key: s for s in _program(desk).settings}
    assert settings["ontime.renewal_window_days"].default == 60
    assert settings["ontime.renewal_window_days"].rule == "ONTIME-RENEW-1"
    assert settings["ontime.renewal_notice_days"].default == 30
    assert settings["ontime.technical_contact"].default == ""
    assert settings["ontime.technical_contact"].rule == "ONTIME-PARTNER-1"
    assert settings["ontime.partner_tier"].choices == ["tier-1", "tier-2"]
    assert settings["ontime.tier1_partner"].rule == "ONTIME-ESC-1"


def test_answers_only_for_ontime(desk, customer) -> None:
    """Another vendor's case, contract and workflow get no OnTime answer."""
    case = Case(id="C-1", vendor="zoho", customer_id=customer.id, subject="x",
                opened_at=desk.now(), fields={"isolation": "does-not-reproduce"})
    contract = Contract(id="K-1", customer_id=customer.id, vendor="zoho", product="maintenance",
                        start=desk.today())
    assert workbench_case_fields(vendor="zoho", desk=desk) is None
    assert workbench_validate_case(case=case, desk=desk) is None
    assert workbench_route_case(case=case, desk=desk) is None
    assert workbench_escalation_ladder(case=case, desk=desk) is None
    assert workbench_check_escalation(case=case, track="technical", level=1, desk=desk,
                                      now=desk.now()) is None
    assert workbench_check_contract(contract=contract, desk=desk) is None
    assert workbench_quote(contract=contract, desk=desk) is None
    assert workbench_workflow_templates(vendor="zoho", desk=desk) is None


@pytest.mark.parametrize("now", ["2026-11-24T10:00+09:00", "2028-02-29T23:30+09:00"])
def test_demo_fills_an_empty_desk_with_cases_in_every_state(desk, clock, now) -> None:
    """At any desk clock (here also a leap day, late at night)."""
    clock(now)
    lines = desk.fill_demo()
    assert any(line.startswith("ontime:") for line in lines)
    assert not [f for f in desk.plugins.failures if f.plugin == "ontime"]
    cases = desk.cases(vendor="ontime")
    assert len(cases) >= 10
    assert {c.state for c in cases} == set(CASE_STATES)
    customers = {c.customer_id for c in cases}
    assert len(customers) >= 3
    assert {c.product for c in desk.contracts(vendor="ontime")} == {
        "license", "maintenance", "technical-support"}
    renewals = [v for v in desk.renewals() if v.workflow.vendor == "ontime"]
    assert {v.state for v in renewals} >= {"ok", "breached"}
    assert any(w.done for w in desk.workflows(vendor="ontime"))
    # every path of ONTIME-TRIAGE-1 / -2 is on show
    assert {c.path for c in cases} == {"self-service", "platform", "subscription-support"}
    # the sweep finds the demo's renewals already open: nothing opened twice
    assert desk.sweep().opened == []


def test_demo_reuses_a_customer_already_on_the_desk(desk) -> None:
    """A real desk has one customer with contracts of several vendors: the OnTime demo reuses a
    customer of the same name (another vendor's demo made it), filling in only what it lacks."""
    from workbench_ontime import demo

    # made before the demo's history begins: a record's history is in time order (CORE-AUDIT-1)
    with desk.at(datetime(2020, 1, 6, 10, tzinfo=UTC)):
        before = desk.add_customer("北斗精機株式会社", users=85)
    demo.fill(desk)
    [hokuto] = [c for c in desk.customers() if c.name == "北斗精機株式会社"]
    assert hokuto.id == before.id and hokuto.domain == "hokuto-seiki.co.jp"
    assert {k.product for k in desk.contracts(customer_id=before.id, vendor="ontime")} >= {
        "license", "maintenance"}
    assert len(desk.customers()) == 3
