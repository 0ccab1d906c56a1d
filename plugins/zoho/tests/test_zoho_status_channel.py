"""ZOHO-STATUS-1 (the status page before a critical send) and ZOHO-CHAN-1 (a channel such as
Cliq recorded on the case)."""

from __future__ import annotations

import pytest


def ruled(desk, key: str, rule: str) -> list:
    return [f for f in desk.view(key).findings if f.rule == rule]


@pytest.mark.parametrize("category", ["downtime", "outage", "sign-in"])
def test_status_page_reminder_before_a_critical_send_zoho_status_1(desk, customer, form, category) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(severity="1", category=category))
    [reminder] = ruled(desk, case.id, "ZOHO-STATUS-1")
    assert reminder.level == "warning" and "status page" in reminder.message
    assert "blog" in reminder.message
    desk.send_to_vendor(case.id)
    assert ruled(desk, case.id, "ZOHO-STATUS-1") == []


@pytest.mark.parametrize(("severity", "category"), [("2", "outage"), ("1", "malfunction"),
                                                    ("1", "data-integrity")])
def test_no_status_reminder_for_other_cases_zoho_status_1(desk, customer, form, severity, category) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(severity=severity, category=category))
    assert ruled(desk, case.id, "ZOHO-STATUS-1") == []


@pytest.mark.parametrize("channel", ["cliq", "other"])
def test_a_channel_such_as_cliq_is_a_warning_zoho_chan_1(desk, customer, form, channel) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(channel=channel))
    [warning] = [f for f in ruled(desk, case.id, "ZOHO-CHAN-1") if f.level == "warning"]
    assert warning.field == "channel" and "not to use other channels such as Cliq" in warning.message


def test_the_partner_support_help_is_the_default_channel_zoho_chan_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form())
    assert case.fields["channel"] == "partner-support-help"
    assert [f.level for f in ruled(desk, case.id, "ZOHO-CHAN-1")] == ["info"]


def test_phone_is_a_warning_for_an_authorized_partner_only_zoho_chan_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(channel="toll-free-phone"))
    [warning] = [f for f in ruled(desk, case.id, "ZOHO-CHAN-1") if f.level == "warning"]
    assert "does not offer" in warning.message
    desk.set_setting("zoho.partner_tier", "advanced")
    assert [f.level for f in ruled(desk, case.id, "ZOHO-CHAN-1")] == ["info"]
