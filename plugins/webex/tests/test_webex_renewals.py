"""Renewals: opened by the sweep, provisioning lead, site stopped, completion confirmed with
Cisco, the desk's renewals list (WX-RENEW-1, WX-RENEW-3)."""

from __future__ import annotations

from datetime import date

import pytest

from workbench import hookimpl
from workbench.desk import Refused
from workbench.model import Rule, StepTemplate, VendorProgram, WorkflowTemplate
from workbench.testing import make_desk

RENEWAL_DATE = date(2027, 1, 24)
"""61 days after the desk clock's Tue 2026-11-24: provisioning is due 2027-01-10."""


def open_renewal(wx, clock):
    """The sweep opens the renewal 60 days before; ordered, released, confirmed on 2026-12-01."""
    contract = wx.contract("named-host", 50, start=date(2026, 1, 25), end=RENEWAL_DATE)
    clock("2026-11-25T09:00+09:00")
    wx.desk.sweep()
    (flow,) = wx.desk.workflows(vendor="webex")
    assert flow.contract_id == contract.id
    clock("2026-12-01T10:00+09:00")
    return wx.advance(flow, "confirmation-received")


def test_wx_renew1_sweep_opens_the_renewal_60_days_before_once(wx, clock):
    """WX-RENEW-1: not 61 days before the renewal date, then 60 days before, once; due dates count
    from the renewal date (provisioning 14 days before, renewed on it)."""
    contract = wx.contract("port", 20, start=date(2026, 1, 25), end=RENEWAL_DATE)
    assert wx.desk.sweep().opened == []
    clock("2026-11-25T00:00+09:00")
    report = wx.desk.sweep()
    (opened,) = report.opened
    flow = wx.desk.workflow(opened)
    assert (flow.template, flow.anchor, flow.key) == ("renewal", RENEWAL_DATE,
                                                      f"webex-renewal:{contract.id}:2027-01-24")
    assert flow.customer_id == wx.customer.id
    assert [a["rule"] for a in report.applied if a.get("workflow") == opened] == ["WX-RENEW-1"]
    assert {s.id: s.due for s in flow.steps} == {
        "ordered": date(2027, 1, 10), "compliance-hold": date(2027, 1, 10),
        "confirmation-received": date(2027, 1, 10), "provisioning-submitted": date(2027, 1, 10),
        "completion-confirmed": RENEWAL_DATE, "renewed": RENEWAL_DATE}
    assert wx.desk.sweep().opened == []
    clock("2027-01-02T09:00+09:00")
    assert wx.desk.sweep().opened == []


def test_wx_renew1_window_and_lead_are_settings(wx, clock):
    """WX-RENEW-1: a 30-day window opens 30 days before; a 21-day lead moves provisioning."""
    wx.desk.set_setting("webex.renewal_window_days", "30")
    wx.desk.set_setting("webex.provisioning_lead_days", "21")
    wx.contract(end=RENEWAL_DATE)
    clock("2026-12-24T09:00+09:00")  # 31 days before
    assert wx.desk.sweep().opened == []
    clock("2026-12-25T09:00+09:00")
    (opened,) = wx.desk.sweep().opened
    assert wx.desk.workflow(opened).steps[3].due == date(2027, 1, 3)


def test_wx_renew1_sweep_skips_renewed_and_long_stopped_contracts(wx, clock):
    """WX-RENEW-1: a term renewed by a later contract, or whose date is more than the window past,
    opens no renewal; a sweep that missed the window still opens one within it after the date."""
    renewed = wx.contract(start=date(2026, 1, 1), end=date(2026, 12, 31))
    wx.contract(start=date(2027, 1, 1), end=date(2027, 12, 31))  # the renewed term: opens in 2027
    wx.contract("active-host", 10, start=date(2025, 1, 1), end=date(2025, 9, 1))  # long stopped
    late = wx.contract("port", 5, start=date(2025, 11, 1), end=date(2026, 11, 20))
    clock("2026-11-24T10:00+09:00")
    opened = [wx.desk.workflow(w) for w in wx.desk.sweep().opened]
    assert [w.contract_id for w in opened] == [late.id]
    assert renewed.id not in {w.contract_id for w in wx.desk.workflows()}
    assert any(m.startswith("warning: site stopped") for m in wx.findings(opened[0], "WX-RENEW-1"))


@pytest.mark.parametrize(
    ("today", "days_before", "state", "finding"),
    [
        ("2027-01-09", 15, "at-risk", "info: provisioning is due by 2027-01-10 (14 days before the renewal "
                                      "date 2027-01-24); 1 day(s) left"),
        ("2027-01-10", 14, "at-risk", "info: provisioning is due by 2027-01-10 (14 days before the renewal "
                                      "date 2027-01-24); 0 day(s) left"),
        ("2027-01-11", 13, "breached", "warning: provisioning is late: it was due by 2027-01-10, 14 days "
                                      "before the renewal date 2027-01-24; the site stops if the renewal "
                                      "is not complete by then"),
    ],
)
def test_wx_renew1_provisioning_15_14_13_days_before(wx, clock, today, days_before, state, finding):
    """WX-RENEW-1: provisioning is due at least 14 days before the renewal date: 15 and 14 days
    before are on time, 13 is late (shown, reminded, recorded as late; never refused, since the
    site stops without it)."""
    flow = open_renewal(wx, clock)
    clock(f"{today}T17:00+09:00")
    view = wx.desk.workflow_view(flow.id)
    assert view.state == state
    assert wx.findings(flow, "WX-RENEW-1") == [finding]
    late_key = f"webex-provisioning-late:{flow.id}"
    assert (late_key in wx.sweep_keys()) is (days_before < 14)
    done = wx.desk.complete_step(flow.id, "provisioning-submitted", wx.hearing_sheet(existing_customer="yes"))
    event = [e for e in wx.desk.events("workflows", flow.id) if e.action == "step"][-1]
    assert event.rule == "WX-RENEW-1"
    assert f"submitted {days_before} days before the renewal date 2027-01-24" in event.reason
    assert ("on time" in event.reason) is (days_before >= 14)
    after = wx.findings(done, "WX-RENEW-1")
    assert after == ([] if days_before >= 14 else [
        "warning: provisioning was submitted 13 days before the renewal date 2027-01-24, later than the 14 "
        "days asked: confirm with Cisco that the renewal completes in time"])


def test_wx_renew1_site_stops_after_the_renewal_date(wx, clock):
    """WX-RENEW-1: on the renewal date the site still runs (stops if not complete today); the day
    after, the workflow shows "site stopped" and the sweep reminds once; renewed, it is gone."""
    flow = wx.advance(open_renewal(wx, clock), "provisioning-submitted")
    clock("2027-01-24T23:59+09:00")
    assert wx.findings(flow, "WX-RENEW-1") == [
        "warning: the renewal date is today (2027-01-24): the site stops if the renewal is not complete "
        "today"]
    assert wx.sweep_keys() == []
    clock("2027-01-25T00:00+09:00")
    assert wx.findings(flow, "WX-RENEW-1") == [
        "warning: site stopped: the renewal was not complete by the renewal date 2027-01-24; complete it "
        "with Cisco to restart the site"]
    assert wx.desk.workflow_view(flow.id).state == "breached"
    assert wx.sweep_keys() == [f"webex-site-stopped:{flow.id}"]
    assert wx.sweep_keys() == []
    done = wx.advance(flow, "renewed")
    assert done.done and wx.findings(done, "WX-RENEW-1") == []
    event = [e for e in wx.desk.events("workflows", flow.id) if e.action == "step"][-1]
    assert "the site had stopped after the renewal date 2027-01-24" in event.reason


def test_wx_renew3_completion_is_confirmed_with_cisco_before_renewed(wx, clock):
    """WX-RENEW-3: no e-mail tells the customer: "renewed" is refused until completion is confirmed
    with Cisco, and the workflow says so after provisioning."""
    flow = wx.advance(open_renewal(wx, clock), "provisioning-submitted")
    assert wx.findings(flow, "WX-RENEW-3") == [
        "info: no e-mail tells the customer the renewal completed: confirm completion with Cisco, then mark "
        "the workflow renewed"]
    with pytest.raises(Refused) as refused:
        wx.desk.complete_step(flow.id, "renewed")
    assert "'Confirm completion with Cisco (no e-mail tells the customer)' comes first" in str(refused.value)
    wx.desk.complete_step(flow.id, "completion-confirmed")
    assert wx.findings(flow, "WX-RENEW-3") == []
    assert wx.desk.complete_step(flow.id, "renewed").done


class OtherRenewals:
    """A throwaway vendor with a renewal checklist, standing in for OnTime in the renewals list."""

    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(id="otherco", name="Other Co", version="1",
                             rules=[Rule("OTHER-1", "Renewal notice 30 days before the anniversary.")])

    @hookimpl
    def workbench_workflow_templates(self, vendor, desk):
        if vendor != "otherco":
            return None
        notice = StepTemplate("notice", "Notice sent", "OTHER-1", -30)
        return [WorkflowTemplate("renewal", "otherco", "Other renewal", [notice], "OTHER-1", "renewal")]


def test_wx_renew1_renewals_list_with_other_vendors_oldest_deadline_first(clock):
    """WX-RENEW-1: `workbench renewals` lists WebEx renewals among other vendors' by their next
    deadline, oldest first, with WebEx's findings."""
    desk = make_desk([("otherco", OtherRenewals())])
    customer = desk.add_customer("Northwind Traders")
    soon = desk.add_contract(customer.id, "webex", "named-host", date(2026, 1, 1), date(2026, 12, 20), 10)
    later = desk.add_contract(customer.id, "webex", "port", date(2026, 3, 1), date(2027, 1, 20), 10)
    desk.sweep()
    other = desk.open_workflow("otherco", "renewal", customer.id, anchor=date(2027, 1, 1))
    listed = [(v.workflow.vendor, v.workflow.contract_id, v.next_step.due) for v in desk.renewals()]
    assert listed == [("otherco", "", date(2026, 12, 2)), ("webex", soon.id, date(2026, 12, 6)),
                      ("webex", later.id, date(2027, 1, 6))]
    assert desk.renewals()[0].workflow.id == other.id
    (first_webex,) = [v for v in desk.renewals() if v.workflow.contract_id == soon.id]
    assert any(f.rule == "WX-RENEW-1" for f in first_webex.findings)
