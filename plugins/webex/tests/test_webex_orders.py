"""New orders: the workflow, the compliance hold, the tier-2 hand-off, option requests
(WX-FLOW-1, WX-HOLD-1, WX-HOLD-2, WX-TIER-1, WX-OPT-1)."""

from __future__ import annotations

import pytest

from workbench.desk import BadInput, FormInvalid, Invalid, Refused


def test_wx_flow1_templates_and_their_steps_in_order(desk):
    """WX-FLOW-1: new order, renewal (confirm completion before renewed, WX-RENEW-3), option request."""
    found = {t.id: t for t in desk.workflow_templates("webex")}
    assert {t.id: t.kind for t in found.values()} == {
        "new-order": "order", "renewal": "renewal", "option-request": "option"}
    assert [s.id for s in found["new-order"].steps] == [
        "ordered", "compliance-hold", "confirmation-received", "provisioning-submitted", "site-ready",
        "graduated"]
    assert [s.id for s in found["renewal"].steps] == [
        "ordered", "compliance-hold", "confirmation-received", "provisioning-submitted",
        "completion-confirmed", "renewed"]
    assert found["renewal"].steps[4].title == "Confirm completion with Cisco (no e-mail tells the customer)"
    assert found["renewal"].steps[4].rule == "WX-RENEW-3"
    assert [s.id for s in found["option-request"].steps] == ["requested", "done"]
    assert {t.rule for t in found.values()} == {"WX-FLOW-1"}


def test_wx_flow1_steps_complete_in_order(wx):
    """WX-FLOW-1: an out-of-order step is refused, naming the step that comes first; a step done
    twice is refused."""
    flow = wx.order()
    with pytest.raises(Refused) as refused:
        wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet())
    assert refused.value.decision.rule == "WX-FLOW-1"
    assert "'Ordered from Cisco (WebEx part numbers)' comes first" in refused.value.decision.reason
    wx.desk.complete_step(flow.id, "ordered")
    with pytest.raises(Refused, match="already completed"):
        wx.desk.complete_step(flow.id, "ordered")


def test_wx_hold1_confirmation_only_after_the_hold_is_released(wx):
    """WX-HOLD-1: the confirmation comes only after release: recording it first is refused; while
    on hold the workflow says so."""
    flow = wx.advance(wx.order(), "ordered")
    with pytest.raises(Refused, match="'Compliance hold released' comes first"):
        wx.desk.complete_step(flow.id, "confirmation-received", {"so_number": "88410231"})
    (note,) = wx.findings(flow, "WX-HOLD-1")
    assert "Cisco sends the confirmation only after release" in note
    assert "no overage terms are needed" in note


@pytest.mark.parametrize(
    ("product", "audio", "missing"),
    [
        ("named-host", False, []),
        ("active-host", False, []),
        ("named-host", True, ["audio-overage terms"]),
        ("active-host", True, ["audio-overage terms"]),
        ("port", False, ["port-overage terms"]),
        ("port", True, ["port-overage terms", "audio-overage terms"]),
    ],
)
def test_wx_hold2_release_needs_the_overage_terms_of_port_and_audio_commit(wx, product, audio, missing):
    """WX-HOLD-2: each combination of port contract and audio commit plan: released without terms
    only when neither is in the order; otherwise refused naming each missing term, then released
    once they are submitted."""
    flow = wx.advance(wx.order(product, audio), "ordered")
    if missing:
        with pytest.raises(Refused) as refused:
            wx.desk.complete_step(flow.id, "compliance-hold", {})
        assert refused.value.decision.rule == "WX-HOLD-2"
        assert refused.value.decision.missing == missing
        for term in missing:
            assert term in str(refused.value)
    terms = {"port_overage_terms": "yes"} if "port-overage terms" in missing else {}
    terms |= {"audio_overage_terms": "yes"} if "audio-overage terms" in missing else {}
    done = wx.desk.complete_step(flow.id, "compliance-hold", terms)
    assert done.steps[1].done_at is not None
    assert [e.rule for e in wx.desk.events("workflows", flow.id) if e.action == "step"][-1] == "WX-HOLD-2"


def test_wx_hold2_each_missing_term_is_named_alone(wx):
    """WX-HOLD-2: port and audio commit with only the port terms: the audio terms are missing;
    a term answered "no" counts as not submitted."""
    flow = wx.advance(wx.order("port", True), "ordered")
    with pytest.raises(Refused) as refused:
        wx.desk.complete_step(flow.id, "compliance-hold", {"port_overage_terms": "yes",
                                                           "audio_overage_terms": "no"})
    assert refused.value.decision.missing == ["audio-overage terms"]
    (note,) = wx.findings(flow, "WX-HOLD-2")
    assert "until the customer submits the port-overage terms and the audio-overage terms" in note


def test_wx_hold2_an_order_without_its_contract_cannot_be_released(wx):
    """WX-HOLD-2: the contract decides the terms; without one the release is refused."""
    flow = wx.desk.open_workflow("webex", "new-order", customer_id=wx.customer.id)
    wx.desk.complete_step(flow.id, "ordered")
    with pytest.raises(Refused) as refused:
        wx.desk.complete_step(flow.id, "compliance-hold", {"port_overage_terms": "yes"})
    assert refused.value.decision.missing == ["the order's WebEx contract"]
    assert any("no WebEx contract is linked" in m for m in wx.findings(flow, "WX-HOLD-2"))


def test_wx_hold2_another_vendors_contract_is_not_the_orders_contract(wx):
    """WX-HOLD-2: the overage terms follow from the order's WebEx contract, so an order
    cannot be opened on another vendor's contract: the desk refuses it, naming both."""
    from datetime import date

    from workbench.desk import BadInput

    zoho = wx.desk.add_contract(wx.customer.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31),
                                quantity=10)
    with pytest.raises(BadInput, match=f"{zoho.id} is a zoho contract, not webex"):
        wx.desk.open_workflow("webex", "new-order", contract_id=zoho.id)
    assert wx.desk.workflows(vendor="webex") == []


def test_wx_tier1_confirmation_from_cisco_on_a_tier1_desk(wx):
    """WX-TIER-1: a tier-1 desk receives the confirmation from Cisco."""
    flow = wx.order()
    step = flow.steps[2]
    assert (step.id, step.rule) == ("confirmation-received", "WX-HOLD-1")
    assert step.title.startswith("Confirmation received from Cisco")


def test_wx_tier1_a_tier2_desk_gets_the_confirmation_from_its_tier1(wx):
    """WX-TIER-1: on a tier-2 desk the workflow shows the hand-off "confirmation received from
    tier-1" as a step and says whom to ask; workflows opened before keep their steps."""
    before = wx.order()
    wx.desk.set_setting("webex.partner_tier", "tier-2")
    flow = wx.advance(wx.order(), "compliance-hold")
    step = flow.steps[2]
    assert (step.id, step.rule) == ("confirmation-received", "WX-TIER-1")
    assert step.title.startswith("Confirmation received from tier-1")
    assert wx.findings(flow, "WX-TIER-1") == [
        "info: Cisco sends the confirmation to the tier-1 partner: ask your tier-1 to forward it (SO# and "
        "provisioning form link)"]
    assert wx.desk.workflow(before.id).steps[2].rule == "WX-HOLD-1"
    done = wx.desk.complete_step(flow.id, "confirmation-received", {"so_number": "88410231"})
    assert done.steps[2].data == {"so_number": "88410231"}
    assert [e.rule for e in wx.desk.events("workflows", flow.id) if e.action == "step"][-1] == "WX-TIER-1"
    renewal = wx.desk.workflow_templates("webex")[1]
    assert renewal.steps[2].rule == "WX-TIER-1"


def test_wx_prov1_confirmation_needs_a_sales_order_number(wx):
    """WX-PROV-1: provisioning starts from the SO#: the confirmation step asks for it."""
    flow = wx.advance(wx.order(), "compliance-hold")
    with pytest.raises(Invalid, match="Sales order number"):
        wx.desk.complete_step(flow.id, "confirmation-received", {})
    with pytest.raises(FormInvalid, match="not a sales order number") as refused:
        wx.desk.complete_step(flow.id, "confirmation-received", {"so_number": "SO 8841"})
    assert refused.value.decision.rule == "WX-PROV-1"
    done = wx.desk.complete_step(flow.id, "confirmation-received", {"so_number": "88410231"})
    assert done.steps[2].data["so_number"] == "88410231"
    assert [e.rule for e in wx.desk.events("workflows", flow.id) if e.action == "step"][-1] == "WX-HOLD-1"


def test_wx_opt1_option_requests(wx):
    """WX-OPT-1: the request types of Cisco's site; adding a language names it, a site split
    names a valid site; then requested → done."""
    flow = wx.desk.open_workflow("webex", "option-request", customer_id=wx.customer.id)
    (request,) = [f for f in wx.desk.form_fields("webex", "option-request") if f.name == "request"]
    assert request.choices == ["add-language", "site-split", "contact-change", "custom-session-type",
                               "logo-change", "renewal-date-confirmation", "csm-confirmation", "other"]
    with pytest.raises(Invalid) as invalid:
        wx.desk.complete_step(flow.id, "requested", {"request": "add-language", "details": "Korean"})
    assert [f.field for f in invalid.value.findings] == ["language"]
    with pytest.raises(FormInvalid, match="not a WebEx site address"):
        wx.desk.complete_step(flow.id, "requested", {"request": "site-split", "details": "Osaka",
                                                     "new_site_url": "https://osaka.webex.com"})
    with pytest.raises(BadInput, match="not one of"):
        wx.desk.complete_step(flow.id, "requested", {"request": "new-logo", "details": "x"})
    wx.desk.complete_step(flow.id, "requested", {"request": "site-split", "details": "Osaka branch",
                                                 "new_site_url": "sakura-osaka.webex.com"})
    assert wx.desk.complete_step(flow.id, "done").done
