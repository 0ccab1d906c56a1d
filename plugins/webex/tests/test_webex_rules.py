"""WX-SITE-1 (the site-ready notice is the contract start; the estimate is the step's due date),
WX-HOLD-1 (a hold older than 5 Japan business days is at risk), and the workflow step forms on
the command line (fields a script passes; a form error is bad input)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from workbench.desk import Invalid


def test_the_estimate_is_the_site_ready_steps_due_date_wx_site_1(wx, clock) -> None:
    """Provisioned Tue 2026-11-24: 7 Japan business days later is Thu 2026-12-03."""
    clock("2026-11-24T10:00+09:00")
    flow = wx.advance(wx.order(), "provisioning-submitted")
    site = next(s for s in flow.steps if s.id == "site-ready")
    assert site.due == date(2026, 12, 3)
    assert wx.desk.workflow_view(flow.id).to_dict()["next_step"]["due"] == "2026-12-03"


def test_site_ready_records_the_contract_start_and_the_renewal_date_follows_wx_site_1(wx, clock) -> None:
    clock("2026-11-24T10:00+09:00")
    flow = wx.advance(wx.order(), "provisioning-submitted")
    clock("2026-12-04T09:00+09:00")
    wx.desk.complete_step(flow.id, "site-ready", {"welcome_sent_at": "2026-12-03T15:00+09:00"})
    contract = wx.desk.contract(flow.contract_id)
    assert (contract.start, contract.end) == (date(2026, 12, 3), date(2027, 12, 3))
    [event] = [e for e in wx.desk.events("contracts", contract.id) if e.action == "update"]
    assert event.rule == "WX-SITE-1" and "renews on 2027-12-03" in event.reason


def test_a_term_named_on_the_contract_decides_the_renewal_date_wx_site_1(wx, clock) -> None:
    clock("2026-11-24T10:00+09:00")
    contract = wx.desk.add_contract(
        wx.customer.id,
        "webex",
        "named-host",
        date(2026, 11, 1),
        date(2027, 10, 31),
        quantity=50,
        attributes={"audio_commit": False, "term_years": 3},
    )
    flow = wx.desk.open_workflow("webex", "new-order", contract_id=contract.id)
    flow = wx.advance(flow, "site-ready")
    assert wx.desk.contract(contract.id).end == date(2029, 11, 24)


def test_a_hold_older_than_5_japan_business_days_is_at_risk_wx_hold_1(wx, clock) -> None:
    """Ordered Tue 2026-11-24 10:00: five Japan business days run to Tue 2026-12-01 10:00."""
    clock("2026-11-24T10:00+09:00")
    flow = wx.advance(wx.order(), "ordered")
    clock("2026-12-01T09:59+09:00")
    assert not [f for f in wx.findings(flow, "WX-HOLD-1") if f.startswith("warning")]
    clock("2026-12-01T10:00+09:00")
    [warning] = [f for f in wx.findings(flow, "WX-HOLD-1") if f.startswith("warning")]
    assert "at risk" in warning and "WX-HOLD-2" in warning and "tier-1" in warning
    wx.desk.set_setting("webex.hold_at_risk_business_days", "6")
    assert not [f for f in wx.findings(flow, "WX-HOLD-1") if f.startswith("warning")]


def test_the_hold_steps_state_is_at_risk_after_5_japan_business_days_in_the_cli_wx_hold_1(run_cli) -> None:
    """WX-HOLD-1 as the step's state (CORE-SLA-2), like a due date's: ordered Tue 2026-11-24
    10:00, the hold is ok at Tue 2026-12-01 09:59 and at risk from 10:00 — in `workflow show`'s
    text and --json, and in `workflow list` — with the advice beside it; released, done."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    port = ("--vendor", "webex", "--product", "port", "--start", "2026-11-01", "--end", "2027-10-31")
    assert run_cli("contract", "add", "--customer", "CUS-1", *port, "--now", "2026-11-24T10:00+09:00")[0] == 0
    opened = run_cli("workflow", "new", "--vendor", "webex", "--template", "new-order", "--contract", "K-1",
                     "--json", "--now", "2026-11-24T10:00+09:00")
    key = json.loads(opened[1])["workflow"]["id"]
    assert run_cli("workflow", "step", key, "ordered", "--now", "2026-11-24T10:00+09:00")[0] == 0

    def shown(now: str) -> tuple[dict, str, list]:
        status, out, err = run_cli("workflow", "show", key, "--json", "--now", now)
        assert status == 0, err
        status, text, err = run_cli("workflow", "show", key, "--now", now)
        assert status == 0, err
        status, listed, err = run_cli("workflow", "list", "--json", "--now", now)
        assert status == 0, err
        return json.loads(out), text, json.loads(listed)

    view, text, listed = shown("2026-12-01T09:59+09:00")
    assert view["step_states"]["compliance-hold"] == "ok" and view["state"] == "ok"
    assert "state ok" in text and [w["state"] for w in listed] == ["ok"]
    view, text, listed = shown("2026-12-01T10:00+09:00")
    assert view["step_states"]["compliance-hold"] == "at-risk" and view["state"] == "at-risk"
    assert "state at-risk" in text and "WX-HOLD-2" in text and "tier-1" in text
    assert [w["state"] for w in listed] == ["at-risk"]
    assert any(f["rule"] == "WX-HOLD-1" and f["level"] == "warning" for f in view["findings"])
    released = ("workflow", "step", key, "compliance-hold", "--field", "port_overage_terms=yes")
    assert run_cli(*released, "--now", "2026-12-01T10:00+09:00")[0] == 0
    view, _, _ = shown("2026-12-24T10:00+09:00")
    assert view["step_states"]["compliance-hold"] == "done"


def test_a_released_hold_is_not_at_risk_wx_hold_1(wx, clock) -> None:
    clock("2026-11-24T10:00+09:00")
    flow = wx.advance(wx.order(), "compliance-hold")
    clock("2026-12-24T10:00+09:00")
    assert not [f for f in wx.findings(flow, "WX-HOLD-1") if f.startswith("warning")]


def test_a_missing_form_answer_is_bad_input_wx_prov_1(wx, clock) -> None:
    clock("2026-11-24T10:00+09:00")
    flow = wx.advance(wx.order(), "confirmation-received")
    with pytest.raises(Invalid) as invalid:
        wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(admin_email=None))
    [finding] = invalid.value.findings
    assert (finding.rule, finding.field, finding.message) == (
        "WX-PROV-1",
        "admin_email",
        "Admin Contact Email Address is required",
    )


def test_workflow_fields_lists_the_keys_a_script_passes(run_cli) -> None:
    status, out, _ = run_cli("workflow", "fields", "webex", "new-order", "provisioning-submitted", "--json")
    assert status == 0
    names = [f["name"] for f in json.loads(out)]
    assert "admin_email" in names and "primary_site_url" in names
    status, out, _ = run_cli("workflow", "fields", "webex", "new-order", "provisioning-submitted")
    assert "admin_email" in out and "required" in out
    assert run_cli("workflow", "fields", "webex", "new-order", "nope")[0] == 2


def add_named_host(run_cli, start: str, end: str) -> None:
    """Customer Sakura (CUS-1) with WebEx contract K-1: 50 named hosts from ``start`` to ``end``."""
    run_cli.json("customer", "add", "Sakura")
    run_cli.json(
        "contract", "add", "--customer", "CUS-1", "--vendor", "webex", "--product", "named-host",
        "--start", start, "--end", end, "--quantity", "50",
    )  # fmt: skip


def test_a_form_error_exits_2_on_the_command_line(run_cli) -> None:
    """A required answer missing from a step's form is bad input (exit 2), naming the field."""
    add_named_host(run_cli, "2026-11-01", "2027-10-31")
    assert (
        run_cli("workflow", "new", "--vendor", "webex", "--template", "new-order", "--contract", "K-1")[0]
        == 0
    )
    assert run_cli("workflow", "step", "W-1", "ordered")[0] == 0
    assert run_cli("workflow", "step", "W-1", "compliance-hold")[0] == 0
    status, out, _ = run_cli("workflow", "step", "W-1", "confirmation-received", "--json")
    assert status == 2
    assert "so_number" in [f["field"] for f in json.loads(out)["error"]["findings"]]
    assert (
        run_cli("workflow", "step", "W-1", "confirmation-received", "--field", "so_number=88410231")[0] == 0
    )


def test_a_renewal_from_a_contract_counts_from_its_end(run_cli) -> None:
    """WX-RENEW-1: opened from a contract without --anchor, the renewal date is the contract's end."""
    add_named_host(run_cli, "2026-01-01", "2026-12-31")
    status, out, _ = run_cli(
        "workflow", "new", "--vendor", "webex", "--template", "renewal", "--contract", "K-1", "--json"
    )
    assert status == 0 and json.loads(out)["workflow"]["anchor"] == "2026-12-31"
