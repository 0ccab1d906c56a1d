"""CORE-PATH-3: intake asks every case its nature; a tuning case goes to consulting where the
customer holds an active consulting contract with the vendor, otherwise it stays on its support
path with a finding offering consulting (CORE-PATH-2 allows it only with support)."""

from __future__ import annotations

from datetime import date

import pytest

BITTITAN = {
    "account_email": "admin@northwind.example",
    "region": "apac",
    "cutover_date": "2027-01-20",
    "kind": "guidance-request",
    "run_error": False,
    "not_as_documented": False,
    "items_missing": False,
    "cannot_access": False,
    "description": "The delta passes are slow: which project settings speed them up?",
}


@pytest.fixture
def licensed(desk):
    customer = desk.add_customer("Northwind Traders", email="it@northwind.example")
    desk.add_contract(customer.id, "bittitan", "user-migration-bundle", date(2026, 1, 1), date(2027, 12, 31))
    return customer


@pytest.mark.parametrize("vendor", ["bittitan", "ontime", "webex", "zoho"])
def test_intake_asks_every_case_its_nature_core_path_3(desk, vendor) -> None:
    nature = next(f for f in desk.case_fields(vendor) if f.name == "nature")
    assert nature.choices == ["problem", "how-to", "tuning"] and nature.required
    assert (nature.default, nature.rule) == ("problem", "CORE-PATH-3")


def test_tuning_with_a_consulting_contract_goes_to_consulting_core_path_3(desk, licensed) -> None:
    contract = desk.add_contract(licensed.id, "bittitan", "onboarding", date(2026, 11, 1), date(2027, 4, 30))
    case = desk.open_case(
        "bittitan", licensed.id, "Speed up the delta passes", {**BITTITAN, "nature": "tuning"}
    )
    assert (case.path, case.queue, case.route_rule) == ("consulting", "consulting", "CORE-PATH-3")
    assert contract.id in case.route_reason


def test_tuning_without_one_stays_on_support_and_offers_consulting_core_path_3(desk, licensed) -> None:
    case = desk.open_case(
        "bittitan", licensed.id, "Speed up the delta passes", {**BITTITAN, "nature": "tuning"}
    )
    assert case.path == "guidance" and case.route_rule == "BT-ROUTE-1"
    [offer] = [f for f in desk.view(case.id).findings if f.rule == "CORE-PATH-3"]
    assert offer.level == "info" and "offer consulting (onboarding" in offer.message


def test_a_consulting_contract_routes_only_tuning_core_path_3(desk, licensed) -> None:
    desk.add_contract(licensed.id, "bittitan", "onboarding", date(2026, 11, 1), date(2027, 4, 30))
    case = desk.open_case("bittitan", licensed.id, "How do I add users?", {**BITTITAN, "nature": "how-to"})
    assert case.path == "guidance"
    assert not [f for f in desk.view(case.id).findings if f.rule == "CORE-PATH-3"]


def test_a_vendor_without_consulting_says_so_core_path_3(desk) -> None:
    customer = desk.add_customer("Contoso Japan KK")
    case = desk.open_case(
        "webex", customer.id, "Tune the meetings", {"kind": "technical", "nature": "tuning"}
    )
    [offer] = [f for f in desk.view(case.id).findings if f.rule == "CORE-PATH-3"]
    assert "sells no consulting" in offer.message


def test_an_ended_consulting_contract_does_not_route_core_path_3(desk, licensed, clock) -> None:
    desk.add_contract(licensed.id, "bittitan", "onboarding", date(2026, 1, 1), date(2026, 6, 30))
    case = desk.open_case("bittitan", licensed.id, "Speed up", {**BITTITAN, "nature": "tuning"})
    assert case.path != "consulting"


def test_the_nature_is_asked_on_the_command_line_core_path_3(run_cli) -> None:
    status, out, _ = run_cli("case", "fields", "webex")
    assert status == 0 and "nature" in out and "tuning" in out
