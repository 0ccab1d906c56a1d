"""After provisioning: the site-ready estimate, the password link, the graduation reminder
(WX-SITE-1, WX-SITE-2, WX-GRAD-1)."""

from __future__ import annotations

import pytest

from workbench.desk import FormInvalid

WELCOME_SENT = "2026-11-24T15:00+09:00"
"""Tuesday 15:00 JST: the password link works until Friday 2026-11-27 15:00 JST."""


@pytest.fixture
def provisioned(wx, clock):
    """A new order whose provisioning form was submitted Tue 2026-11-24 10:00 JST."""
    clock("2026-11-24T10:00+09:00")
    return wx.advance(wx.order(), "provisioning-submitted")


@pytest.fixture
def ready(wx, clock, provisioned):
    """The same order, site ready: the Welcome e-mail went out Tue 15:00, recorded Wed 09:00."""
    clock("2026-11-25T09:00+09:00")
    return wx.desk.complete_step(provisioned.id, "site-ready", {"welcome_sent_at": WELCOME_SENT})


def test_wx_site1_ready_estimate_across_golden_week(wx, clock):
    """WX-SITE-1: provisioned Mon 2026-04-27; 7 Japan business days skip Showa Day and the Golden
    Week holidays (Apr 29, May 3–6): the estimate is Tue 2026-05-12, shown as an estimate."""
    clock("2026-04-27T10:00+09:00")
    flow = wx.advance(wx.order(), "provisioning-submitted")
    (estimate,) = wx.findings(flow, "WX-SITE-1")
    assert estimate.startswith("info: site ready estimated Tue 2026-05-12 (about 7 Japan business days after "
                               "provisioning on 2026-04-27; an estimate, not a date Cisco commits to)")
    assert "The Welcome e-mail goes to yui.suzuki@sakura-logi.co.jp, not to the partner" in estimate
    clock("2026-05-12T17:00+09:00")
    assert wx.findings(flow, "WX-SITE-1")[0].startswith("info: site ready estimated Tue 2026-05-12")
    clock("2026-05-13T09:00+09:00")
    (passed,) = wx.findings(flow, "WX-SITE-1")
    assert passed.startswith("warning:") and "the estimate has passed" in passed


def test_wx_site1_estimate_follows_the_setting_and_ends_when_ready(wx, provisioned):
    """WX-SITE-1: from Tue 2026-11-24 (Labour Thanksgiving was the day before): 7 business days is
    Thu 2026-12-03, 3 is Fri 2026-11-27; once the site is ready the estimate goes."""
    assert "estimated Thu 2026-12-03" in wx.findings(provisioned, "WX-SITE-1")[0]
    wx.desk.set_setting("webex.site_ready_business_days", "3")
    assert "estimated Fri 2026-11-27" in wx.findings(provisioned, "WX-SITE-1")[0]
    wx.desk.complete_step(provisioned.id, "site-ready")
    assert wx.findings(provisioned, "WX-SITE-1") == []


def test_wx_site2_password_link_at_71_and_72_hours(wx, clock, ready):
    """WX-SITE-2: at 71 h the desk is reminded to tell the administrator (link works, no resend);
    at 72 h the link has expired and the advice is forgot-password / contact Cisco."""
    clock("2026-11-27T14:00+09:00")  # 71 h after the Welcome e-mail
    (reminder,) = wx.findings(ready, "WX-SITE-2")
    assert reminder == ("warning: tell yui.suzuki@sakura-logi.co.jp to set the password now: the Welcome "
                        "e-mail's link works until 2026-11-27 15:00 JST (72 h after it was sent) and the "
                        "e-mail cannot be resent")
    assert "webex-password-link:" + ready.id in wx.sweep_keys()
    clock("2026-11-27T15:00+09:00")  # 72 h
    (advice,) = wx.findings(ready, "WX-SITE-2")
    assert advice == ("info: the Welcome e-mail's password link expired 2026-11-27 15:00 JST: use \"Forgot "
                      "your password?\" on the site's login page; for a lost user name, contact Cisco")
    assert wx.sweep_keys() == ["webex-password-expired:" + ready.id]


def test_wx_site2_a_late_sweep_gives_the_advice_not_the_stale_reminder(wx, clock, ready):
    """WX-SITE-2: the first sweep after 72 h records only the expiry advice, once."""
    clock("2026-11-28T11:00+09:00")
    keys = wx.sweep_keys()
    assert "webex-password-expired:" + ready.id in keys
    assert "webex-password-link:" + ready.id not in keys
    assert wx.sweep_keys() == []


def test_wx_site2_link_hours_are_a_setting_and_count_from_the_step_without_a_time(wx, clock, provisioned):
    """WX-SITE-2: without a Welcome time the link counts from when the site was marked ready."""
    wx.desk.set_setting("webex.password_link_hours", "24")
    clock("2026-11-26T09:00+09:00")
    flow = wx.desk.complete_step(provisioned.id, "site-ready")
    clock("2026-11-27T08:59+09:00")
    assert wx.findings(flow, "WX-SITE-2")[0].startswith("warning: tell")
    clock("2026-11-27T09:00+09:00")
    assert wx.findings(flow, "WX-SITE-2")[0].startswith("info: the Welcome e-mail's password link expired")


@pytest.mark.parametrize("sent", ["2026-11-25T09:01+09:00", "2026-11-24T09:59+09:00"])
def test_wx_site2_welcome_time_between_provisioning_and_now(wx, clock, provisioned, sent):
    """WX-SITE-2: the Welcome e-mail cannot be sent in the future nor before provisioning."""
    clock("2026-11-25T09:00+09:00")
    with pytest.raises(FormInvalid) as refused:
        wx.desk.complete_step(provisioned.id, "site-ready", {"welcome_sent_at": sent})
    assert refused.value.decision.rule == "WX-SITE-2"
    assert refused.value.decision.missing == ["Welcome e-mail sent at"]


def test_wx_grad1_sweep_reminds_weekly_while_graduation_is_missing(wx, clock, ready):
    """WX-GRAD-1: after site-ready the sweep reminds once a week until the graduation form is in;
    a sweep that runs twice in a week reminds once."""
    key = "webex-graduation:" + ready.id
    assert key + ":week-0" in wx.sweep_keys()
    assert any("no Cisco customer success manager" in m for m in wx.findings(ready, "WX-GRAD-1"))
    clock("2026-12-01T09:00+09:00")  # 6 days after site-ready
    assert [k for k in wx.sweep_keys() if k.startswith(key)] == []
    clock("2026-12-02T09:00+09:00")  # 7 days
    assert [k for k in wx.sweep_keys() if k.startswith(key)] == [key + ":week-1"]
    wx.desk.complete_step(ready.id, "graduated", wx.graduation_sheet())
    clock("2026-12-09T09:00+09:00")
    assert [k for k in wx.sweep_keys() if k.startswith(key)] == []
    assert wx.findings(ready, "WX-GRAD-1") == []


def test_wx_grad1_no_reminder_before_the_site_is_ready(wx, provisioned):
    """WX-GRAD-1: the graduation reminder starts with the site."""
    assert wx.sweep_keys() == []
    assert wx.findings(provisioned, "WX-GRAD-1") == []
