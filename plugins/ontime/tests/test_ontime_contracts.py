"""Products and fees: ONTIME-PROD-1 (yearly fees from the licence list price) and
ONTIME-PROD-2 (technical support needs maintenance, maintenance needs a licence)."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.desk import Invalid


def _errors(findings):
    return [f for f in findings if f.level == "error"]


# -- ONTIME-PROD-1: quotes ----------------------------------------------------------------


def test_licence_quote_shows_both_yearly_fees_rounded_down_ontime_prod_1(desk, licence) -> None:
    """20 % and 15 % of 1,234,567 yen are 246,913.4 and 185,185.05: rounded down to whole yen."""
    quote = desk.quote(licence.id)
    assert quote.rule == "ONTIME-PROD-1"
    assert [(line.item, line.amount, line.currency, line.rule) for line in quote.lines] == [
        (f"maintenance, yearly ({licence.id})", 246_913, "JPY", "ONTIME-PROD-1"),
        (f"technical support, yearly ({licence.id})", 185_185, "JPY", "ONTIME-PROD-1"),
    ]
    assert "20 % of licence" in quote.lines[0].reason and "1,234,567 JPY" in quote.lines[0].reason
    assert "15 % of licence" in quote.lines[1].reason
    assert all("rounded down to whole yen" in line.reason for line in quote.lines)
    assert "rounded down to whole yen" in quote.note


def test_rounding_never_rounds_up_ontime_prod_1(desk, customer) -> None:
    """99 yen: 20 % is 19.8 and 15 % is 14.85 — 19 and 14, not 20 and 15."""
    cheap = desk.add_contract(customer.id, "ontime", "license", date(2024, 4, 1), list_price=99)
    assert [line.amount for line in desk.quote(cheap.id).lines] == [19, 14]


def test_add_on_quote_computes_from_each_licence_list_price_ontime_prod_1(desk, customer, licence) -> None:
    """A core and an option licence: the maintenance quote has a line per licence."""
    option = desk.add_contract(customer.id, "ontime", "license", date(2025, 1, 10), list_price=500_000,
                               attributes={"licence": "option"})
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1),
                                    date(2027, 3, 31), list_price=0)
    quote = desk.quote(maintenance.id)
    assert [(line.item, line.amount) for line in quote.lines] == [
        (f"maintenance, yearly ({licence.id})", 246_913),
        (f"maintenance, yearly ({option.id})", 100_000),
    ]
    support = desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1),
                                date(2027, 3, 31))
    assert [line.amount for line in desk.quote(support.id).lines] == [185_185, 75_000]


def test_quote_counts_only_licences_active_on_the_add_on_start_ontime_prod_1(desk, customer, licence) -> None:
    """A licence that ended before the maintenance started is not priced in."""
    desk.add_contract(customer.id, "ontime", "license", date(2020, 1, 1), date(2023, 12, 31),
                      list_price=9_000_000)
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1))
    assert [line.amount for line in desk.quote(maintenance.id).lines] == [246_913]


# -- ONTIME-PROD-2: what needs what ----------------------------------------------------------


def test_maintenance_without_a_licence_is_refused_ontime_prod_2(desk, customer) -> None:
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1))
    assert [f.rule for f in _errors(refused.value.findings)] == ["ONTIME-PROD-2"]
    assert "needs an active licence" in str(refused.value)
    assert desk.contracts(customer.id, "ontime") == []


def test_maintenance_before_the_licence_starts_is_refused_ontime_prod_2(desk, customer, licence) -> None:
    """The licence starts 2024-04-01: maintenance from the day before has no licence; from that
    day it has."""
    with pytest.raises(Invalid, match="ONTIME-PROD-2"):
        desk.add_contract(customer.id, "ontime", "maintenance", date(2024, 3, 31))
    assert desk.add_contract(customer.id, "ontime", "maintenance", date(2024, 4, 1)).product == "maintenance"


def test_another_customers_licence_does_not_count_ontime_prod_2(desk, licence) -> None:
    other = desk.add_customer("Northwind Traders")
    with pytest.raises(Invalid, match="ONTIME-PROD-2"):
        desk.add_contract(other.id, "ontime", "maintenance", date(2026, 4, 1))


def test_technical_support_without_maintenance_is_refused_ontime_prod_2(desk, customer, licence) -> None:
    """A licence alone is not enough: technical support is an add-on to maintenance."""
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1))
    assert [f.rule for f in _errors(refused.value.findings)] == ["ONTIME-PROD-2"]
    assert "needs an active maintenance" in str(refused.value)


def test_technical_support_after_maintenance_ended_is_refused_ontime_prod_2(desk, customer, licence) -> None:
    desk.add_contract(customer.id, "ontime", "maintenance", date(2025, 4, 1), date(2026, 3, 31))
    with pytest.raises(Invalid, match="ONTIME-PROD-2"):
        desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1), date(2027, 3, 31))


def test_technical_support_within_maintenance_is_accepted_without_findings_ontime_prod_2(
    desk, customer, licence
) -> None:
    """Two consecutive maintenance years cover a two-year support term: no finding."""
    desk.add_contract(customer.id, "ontime", "maintenance", date(2025, 4, 1), date(2026, 3, 31))
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    support = desk.add_contract(customer.id, "ontime", "technical-support", date(2025, 4, 1),
                                date(2027, 3, 31))
    assert desk.check_contract(support) == []


def test_technical_support_outlasting_maintenance_is_a_warning_ontime_prod_2(desk, customer, licence) -> None:
    """Sold while maintenance is active, but running a day past it: warned, not refused."""
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    support = desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 4, 1),
                                date(2027, 4, 1))
    [finding] = desk.check_contract(support)
    assert (finding.level, finding.rule) == ("warning", "ONTIME-PROD-2")
    assert "runs only until 2027-03-31" in finding.message


def test_existing_support_whose_maintenance_lapsed_is_flagged_ontime_prod_2(
    desk, clock, customer, licence
) -> None:
    """Stored data: the support was sold beside maintenance, maintenance ended on 2026-11-23
    and support still runs on 2026-11-24 — flagged as an error with the rule."""
    clock("2026-01-10T10:00+09:00")
    desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 1, 1), date(2026, 11, 23))
    support = desk.add_contract(customer.id, "ontime", "technical-support", date(2026, 1, 1),
                                date(2026, 12, 31))
    assert [f.level for f in desk.check_contract(support)] == ["warning"]
    clock("2026-11-23T23:00+09:00")
    assert [f.level for f in desk.check_contract(support)] == ["warning"]
    clock("2026-11-24T10:00+09:00")
    [flag] = desk.check_contract(support)
    assert (flag.level, flag.rule) == ("error", "ONTIME-PROD-2")
    assert "ended on 2026-11-23" in flag.message
    assert "ended on 2026-11-23" in desk.quote(support.id).note


def test_existing_maintenance_whose_licence_ended_is_flagged_ontime_prod_2(desk, clock, customer) -> None:
    clock("2025-06-01T10:00+09:00")
    desk.add_contract(customer.id, "ontime", "license", date(2024, 1, 1), date(2025, 12, 31),
                      list_price=100_000)
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2025, 1, 1))
    clock("2026-01-01T10:00+09:00")
    [flag] = desk.check_contract(maintenance)
    assert (flag.level, flag.rule) == ("error", "ONTIME-PROD-2")
    assert "licence ended on 2025-12-31" in flag.message
