"""The WebEx program declaration, its contract checks, cases, support hours and the demo."""

from __future__ import annotations

from datetime import date

import pytest
import workbench_webex

from workbench.desk import Invalid
from workbench.model import CASE_STATES, Case, Contract, Workflow
from workbench.testing import check_program


def test_wx_program_is_complete():
    """Every WX-* declaration passes the kit's conformance check."""
    assert check_program(workbench_webex.workbench_vendor(), "WX") == []


def test_wx_settings_declared_with_their_rules(desk):
    """WX-TIER-1, WX-RENEW-1, WX-SITE-1, WX-SITE-2: the numbers a desk may change are settings."""
    assert {s.key: (s.value, s.rule) for s in desk.settings() if s.program == "webex"} == {
        "webex.partner_tier": ("tier-1", "WX-TIER-1"),
        "webex.renewal_window_days": (60, "WX-RENEW-1"),
        "webex.provisioning_lead_days": (14, "WX-RENEW-1"),
        "webex.site_ready_business_days": (7, "WX-SITE-1"),
        "webex.password_link_hours": (72, "WX-SITE-2"),
        "webex.hold_at_risk_business_days": (5, "WX-HOLD-1"),
    }
    with pytest.raises(Exception, match="tier-1, tier-2"):
        desk.set_setting("webex.partner_tier", "tier-3")


def test_wx_hooks_answer_for_webex_only(desk):
    """Every hook returns None for another vendor's case, contract, form or workflow."""
    other = Case("C-1", "zoho", "CUS-1", "x", desk.now(), fields={"kind": "technical"})
    contract = Contract("K-1", "CUS-1", "zoho", "named-host", date(2026, 1, 1))
    flow = Workflow("W-1", "zoho", "new-order", "x", [], desk.now())
    assert workbench_webex.workbench_case_fields(vendor="zoho", desk=desk) is None
    assert workbench_webex.workbench_validate_case(case=other, desk=desk) is None
    assert workbench_webex.workbench_check_contract(contract=contract, desk=desk) is None
    assert workbench_webex.workbench_workflow_templates(vendor="zoho", desk=desk) is None
    assert workbench_webex.workbench_form_fields(vendor="zoho", form="provisioning", desk=desk) is None
    assert workbench_webex.workbench_check_step(workflow=flow, step="ordered", data={}, desk=desk,
                                                now=desk.now()) is None
    assert workbench_webex.workbench_workflow_findings(workflow=flow, desk=desk, now=desk.now()) is None
    assert workbench_webex.workbench_form_fields(vendor="webex", form="nope", desk=desk) is None


# -- contracts ------------------------------------------------------------------------------


def test_wx_renew1_a_contract_needs_its_renewal_date(wx):
    """WX-RENEW-1: the contract's end is the renewal date; without one it is refused."""
    with pytest.raises(Invalid) as refused:
        wx.desk.add_contract(wx.customer.id, "webex", "named-host", date(2026, 1, 1), None, quantity=5)
    errors = [(f.rule, f.field) for f in refused.value.findings if f.level == "error"]
    assert errors == [("WX-RENEW-1", "end")]


def test_wx_hold2_contract_attributes_are_checked(wx):
    """WX-HOLD-2: audio_commit is yes / no; a port or audio order is told it needs terms."""
    with pytest.raises(Invalid, match="audio_commit must be true or false"):
        wx.desk.add_contract(wx.customer.id, "webex", "port", date(2026, 1, 1), date(2026, 12, 31),
                             attributes={"audio_commit": "maybe"})
    port = wx.contract("port", 20, audio_commit=True)
    messages = [f.message for f in wx.desk.check_contract(port) if f.rule == "WX-HOLD-2"]
    assert messages == ["Cisco keeps this order on compliance hold until the customer submits the "
                        "port-overage terms and the audio-overage terms"]
    named = wx.contract("named-host", 5)
    assert [f for f in wx.desk.check_contract(named) if f.rule.startswith("WX-")] == []
    with pytest.raises(Invalid, match="1 or more"):
        wx.contract("named-host", 0)


# -- cases and support hours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "japanese"),
    [
        ("2026-11-24T09:59+09:00", False),
        ("2026-11-24T10:00+09:00", True),
        ("2026-11-24T17:59+09:00", True),
        ("2026-11-24T18:00+09:00", False),
        ("2026-11-28T12:00+09:00", False),  # Saturday
        ("2026-11-23T12:00+09:00", False),  # Labour Thanksgiving Day, a Monday
    ],
)
def test_wx_hours1_language_of_support_now_on_cases_and_workflows(wx, clock, at, japanese):
    """WX-HOURS-1: Japanese-language support weekdays 10:00–18:00 JST (not on public holidays),
    English otherwise, shown on every WebEx case and workflow at the desk clock."""
    case = wx.desk.open_case("webex", wx.customer.id, "Recording fails", {"kind": "technical"})
    flow = wx.order()
    clock(at)
    on_case = [f for f in wx.desk.view(case.id).findings if f.rule == "WX-HOURS-1"]
    on_flow = [f for f in wx.desk.workflow_view(flow.id).findings if f.rule == "WX-HOURS-1"]
    assert len(on_case) == len(on_flow) == 1
    assert on_case[0].level == "info"
    expected = "Japanese-language support now" if japanese else "English only now"
    assert on_case[0].message.startswith(expected)
    assert on_flow[0].message == on_case[0].message


def test_wx_hours1_english_says_when_japanese_resumes(wx, clock):
    """WX-HOURS-1: on Friday evening the next Japanese-language hours are Monday 10:00."""
    clock("2026-11-27T19:00+09:00")
    case = wx.desk.open_case("webex", wx.customer.id, "Recording fails", {"kind": "technical"})
    (finding,) = [f for f in wx.desk.view(case.id).findings if f.rule == "WX-HOURS-1"]
    assert "resumes Mon 2026-11-30 10:00 JST" in finding.message


def test_wx_prov1_case_site_must_be_a_webex_site(wx):
    """WX-PROV-1: a case's site is <name>.webex.com."""
    with pytest.raises(Invalid, match="not a WebEx site address"):
        wx.desk.open_case("webex", wx.customer.id, "Login", {"kind": "technical", "site_url": "sakura.com"})
    case = wx.desk.open_case("webex", wx.customer.id, "Login", {"kind": "technical",
                                                                 "site_url": "sakura-logi.webex.com"})
    assert case.fields["site_url"] == "sakura-logi.webex.com"


def test_wx_site2_site_access_case_gets_the_forgot_password_advice(wx):
    """WX-SITE-2: the Welcome e-mail cannot be resent: forgot-password, or Cisco for the user name."""
    case = wx.desk.open_case("webex", wx.customer.id, "Lost password", {"kind": "site-access"})
    (advice,) = [f for f in wx.desk.view(case.id).findings if f.rule == "WX-SITE-2"]
    assert "cannot be resent" in advice.message and "lost user name, contact Cisco" in advice.message


# -- demo ------------------------------------------------------------------------------------


def test_wx_demo_fills_an_empty_desk(desk):
    """The demo makes WebEx cases in every state, a contract of every product, and workflows of
    every template on an empty desk."""
    lines = desk.fill_demo()
    assert not [f for f in desk.plugins.failures if f.plugin == "webex"]
    assert any(line.startswith("webex:") for line in lines)
    cases = desk.cases(vendor="webex")
    assert len(cases) >= 10
    assert {c.state for c in cases} == set(CASE_STATES)
    assert {c.product for c in desk.contracts(vendor="webex")} == {"named-host", "active-host", "port"}
    flows = desk.workflows(vendor="webex")
    assert {w.template for w in flows} == {"new-order", "renewal", "option-request"}
    assert len({desk.customer(c.customer_id).name for c in cases}) >= 3
    assert desk.sweep().opened == []  # the demo's renewals carry the sweep's keys


def test_wx_demo_reuses_a_customer_already_on_the_desk(desk):
    """A real desk has one customer with contracts of several vendors: the WebEx demo reuses a
    customer of the same name (another vendor's demo made it), filling in only what it lacks."""
    from workbench_webex import demo

    before = desk.add_customer("Northwind Traders", email="it@northwind.example.com", users=70)
    lines = demo.fill(desk)
    [northwind] = [c for c in desk.customers() if c.name == "Northwind Traders"]
    assert northwind.id == before.id and northwind.users == 70
    assert (northwind.domain, northwind.attributes) == ("northwind.example.com", {})
    assert any(k.vendor == "webex" for k in desk.contracts(customer_id=before.id))
    assert f"webex: customer {before.id} Northwind Traders (updated: already on the desk)" in lines
    names = [c.name for c in desk.customers()]
    assert len(names) == len(set(names))
