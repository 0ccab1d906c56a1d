"""ONTIME-PAID-1: paid technical support is offered, with its fee, to a customer without
technical support who cannot do the isolation and has no platform partner; a report that
already carries isolation and reproduction is not charged."""

from __future__ import annotations

from datetime import date

import pytest

CANNOT_ISOLATE = {"platform": "microsoft-exchange-on-premises", "customer_can_isolate": False}


def _paid(desk, customer, fields):
    case = desk.open_case("ontime", customer.id, "Times shift by one hour", fields)
    return [f for f in desk.view(case.id).findings if f.rule == "ONTIME-PAID-1"]


def _maintenance(desk, customer):
    return desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))


def test_offered_with_its_fee_when_the_conditions_hold_ontime_paid_1(desk, customer, licence) -> None:
    _maintenance(desk, customer)
    [offer] = _paid(desk, customer, CANNOT_ISOLATE)
    assert offer.level == "info"
    assert offer.message.startswith("offer paid technical support")
    assert f"185,185 JPY a year (15 % of licence {licence.id}'s list price 1,234,567 JPY" in offer.message
    assert "maintenance" not in offer.message.split("technical support costs")[1]


def test_offer_adds_maintenance_when_the_customer_has_none_ontime_paid_1(desk, customer, licence) -> None:
    """Technical support is sold only with maintenance (ONTIME-PROD-2): the offer says so and
    quotes both fees."""
    [offer] = _paid(desk, customer, CANNOT_ISOLATE)
    assert "185,185 JPY a year" in offer.message
    assert "only with active maintenance (ONTIME-PROD-2)" in offer.message
    assert "246,913 JPY a year (20 %" in offer.message


def test_offer_without_a_licence_on_file_says_what_the_fee_is_ontime_paid_1(desk, customer) -> None:
    [offer] = _paid(desk, customer, CANNOT_ISOLATE)
    assert "15 % of the licence list price" in offer.message and "no active OnTime licence" in offer.message


@pytest.mark.parametrize("fields", [
    {**CANNOT_ISOLATE, "platform_partner": "Hokuto IT (Exchange administrators)"},
    {**CANNOT_ISOLATE, "customer_can_isolate": True},
    {"platform": "microsoft-exchange-on-premises"},
], ids=["has a platform partner", "can isolate", "not asked yet"])
def test_not_offered_when_a_condition_fails_ontime_paid_1(desk, customer, licence, fields) -> None:
    assert _paid(desk, customer, fields) == []


def test_not_offered_to_a_customer_with_technical_support_ontime_paid_1(desk, customer, licence) -> None:
    _maintenance(desk, customer)
    desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1), date(2027, 3, 31))
    assert _paid(desk, customer, CANNOT_ISOLATE) == []


def test_support_whose_maintenance_lapsed_does_not_count_ontime_paid_1(
    desk, clock, customer, licence
) -> None:
    """Technical support cannot be active without maintenance (ONTIME-PROD-2): once
    maintenance ends, the customer is offered paid support again."""
    clock("2026-05-01T10:00+09:00")
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2026, 11, 23))
    desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1), date(2027, 3, 31))
    assert _paid(desk, customer, CANNOT_ISOLATE) == []
    clock("2026-11-24T10:00+09:00")
    [offer] = _paid(desk, customer, CANNOT_ISOLATE)
    assert offer.message.startswith("offer paid technical support")


def test_a_report_with_isolation_and_reproduction_is_not_charged_ontime_paid_1(
    desk, customer, licence
) -> None:
    """Even from a customer who says it cannot isolate: the report already carries both."""
    [note] = _paid(desk, customer, {**CANNOT_ISOLATE, "isolation": "does-not-reproduce",
                                    "reproduction_steps": "Create a meeting at 10:00; OnTime shows 11:00."})
    assert note.message.startswith("not charged")
    [note] = _paid(desk, customer, {**CANNOT_ISOLATE, "isolation": "reproduces-without-ontime",
                                    "reproduction_steps": "Outlook shows 11:00 too."})
    assert note.message.startswith("not charged")


@pytest.mark.parametrize("fields", [
    {**CANNOT_ISOLATE, "isolation": "does-not-reproduce"},
    {**CANNOT_ISOLATE, "reproduction_steps": "Create a meeting at 10:00; OnTime shows 11:00."},
], ids=["isolation without reproduction", "reproduction without isolation"])
def test_isolation_or_reproduction_alone_is_still_offered_ontime_paid_1(
    desk, customer, licence, fields
) -> None:
    [offer] = _paid(desk, customer, fields)
    assert offer.message.startswith("offer paid technical support")
