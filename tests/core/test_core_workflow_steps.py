"""CORE-SLA-2 for workflows: every dated step is ok, at-risk (less than 25 % of its window left)
or breached, like a case clock; the sweep records a missed step as a breach, once."""

from __future__ import annotations

import json
from datetime import date

import pytest


@pytest.fixture
def renewal(desk, clock):
    """A WebEx renewal opened 2026-11-25 for a contract renewing 2027-01-24: its first four
    steps are due 2027-01-10 (a 46-day window), the last two on 2027-01-24."""
    clock("2026-11-25T09:00+09:00")
    customer = desk.add_customer("Sakura Logistics")
    contract = desk.add_contract(customer.id, "webex", "named-host", date(2026, 1, 25), date(2027, 1, 24), 50)
    return desk.open_workflow("webex", "renewal", contract_id=contract.id)


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        ("2026-12-29", "ok", "ok"),  # 12 days left of 46: more than a quarter
        ("2026-12-30", "at-risk", "ok"),  # 11 days left: less than a quarter
        ("2027-01-10", "at-risk", "ok"),  # due today; the last has its whole 14-day window left
        ("2027-01-11", "breached", "ok"),
        ("2027-01-20", "breached", "ok"),  # 4 days of 14 left
        ("2027-01-21", "breached", "at-risk"),  # 3 days of 14 left
        ("2027-01-25", "breached", "breached"),
    ],
)
def test_every_dated_step_has_a_state_core_sla_2(desk, clock, renewal, today, first, last) -> None:
    clock(f"{today}T09:00+09:00")
    view = desk.workflow_view(renewal.id)
    assert view.step_states["ordered"] == first and view.state == first
    assert view.step_states["renewed"] == last
    assert view.to_dict()["step_states"]["renewed"] == last


def test_the_sweep_records_a_missed_step_as_a_breach_once_core_sla_2(desk, clock, renewal) -> None:
    clock("2027-01-11T09:00+09:00")
    report = desk.sweep()
    breaches = [b for b in report.breaches if b.get("workflow") == renewal.id]
    assert [(b["step"], b["due"]) for b in breaches] == [
        ("ordered", "2027-01-10"),
        ("compliance-hold", "2027-01-10"),
        ("confirmation-received", "2027-01-10"),
        ("provisioning-submitted", "2027-01-10"),
    ]
    assert {b["rule"] for b in breaches} >= {"WX-RENEW-1"}
    assert [e.action for e in desk.events("workflows", renewal.id)].count("breach") == 4
    assert not [b for b in desk.sweep().breaches if b.get("workflow") == renewal.id]


def test_a_step_breach_on_the_command_line_core_sla_2(run_cli) -> None:
    assert run_cli("customer", "add", "Sakura", "--now", "2026-11-25T09:00+09:00")[0] == 0
    assert (
        run_cli(
            "contract",
            "add",
            "--customer",
            "CUS-1",
            "--vendor",
            "webex",
            "--product",
            "named-host",
            "--start",
            "2026-01-25",
            "--end",
            "2027-01-24",
            "--now",
            "2026-11-25T09:00+09:00",
        )[0]
        == 0
    )
    assert (
        run_cli(
            "workflow",
            "new",
            "--vendor",
            "webex",
            "--template",
            "renewal",
            "--contract",
            "K-1",
            "--now",
            "2026-11-25T09:00+09:00",
        )[0]
        == 0
    )
    status, out, _ = run_cli("sweep", "--json", "--now", "2027-01-11T09:00+09:00")
    assert status == 0
    assert {b["step"] for b in json.loads(out)["breaches"] if b.get("workflow") == "W-1"} >= {"ordered"}
    status, out, _ = run_cli("sweep", "--now", "2027-01-25T09:00+09:00")
    assert "W-1 step renewed breached" in out
