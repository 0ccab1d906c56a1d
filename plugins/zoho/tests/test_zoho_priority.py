"""Priority support for large-user accounts (ZOHO-PRIO-1): eligibility by region and user
count, claimable only with the super-admin e-mail and domain recorded."""

from __future__ import annotations

import pytest

THRESHOLDS = {"anz": 50, "apac-japan": 50, "india": 100, "mea": 60, "europe-uk": 60,
              "usa": 70, "latam": 70, "canada": 50, "brazil": 50}
"""The table of RULES.md, written out here so a wrong constant in the plugin fails."""

COMPLETE = {"domain": "northwindtraders.com", "super_admin_email": "admin@northwindtraders.com"}


def northwind(desk, region: str = "", super_admin_email: str = "", **values):
    """Northwind Traders with the Zoho attributes given (ZOHO-PRIO-1 reads them)."""
    attributes = {"zoho.region": region, "zoho.super_admin_email": super_admin_email}
    return desk.add_customer("Northwind Traders", attributes=attributes, **values)


def zoho_priority(desk, customer_id: str):
    [found] = [e for e in desk.eligibility(customer_id) if e.vendor == "zoho"]
    assert found.rule == "ZOHO-PRIO-1"
    return found


@pytest.mark.parametrize(("region", "threshold"), THRESHOLDS.items())
def test_one_below_the_threshold_is_not_eligible_zoho_prio_1(desk, region, threshold) -> None:
    customer = northwind(desk, region, users=threshold - 1, **COMPLETE)
    found = zoho_priority(desk, customer.id)
    assert (found.eligible, found.claimable) == (False, False)
    assert f"{threshold - 1} user licences in {region}" in found.reason
    assert f"starts at {threshold}" in found.reason


@pytest.mark.parametrize(("region", "threshold"), THRESHOLDS.items())
def test_at_the_threshold_is_eligible_and_claimable_zoho_prio_1(desk, region, threshold) -> None:
    customer = northwind(desk, region, users=threshold, **COMPLETE)
    found = zoho_priority(desk, customer.id)
    assert (found.eligible, found.claimable) == (True, True)
    assert "admin@northwindtraders.com" in found.reason and "northwindtraders.com" in found.reason


@pytest.mark.parametrize(("missing", "named"), [
    ({"super_admin_email": ""}, "super-admin e-mail"),
    ({"domain": ""}, "domain"),
    ({"domain": "", "super_admin_email": ""}, "super-admin e-mail and domain"),
])
def test_eligible_by_count_not_claimable_without_admin_or_domain_zoho_prio_1(
    desk, missing, named
) -> None:
    customer = northwind(desk, "usa", users=70, **{**COMPLETE, **missing})
    found = zoho_priority(desk, customer.id)
    assert (found.eligible, found.claimable) == (True, False)
    assert found.reason.startswith("eligible by count, not claimable yet")
    assert found.reason.endswith(f"record the {named}")


def test_without_a_zoho_region_the_threshold_is_unknown_zoho_prio_1(desk) -> None:
    customer = desk.add_customer("株式会社さくら物流", users=500, domain=COMPLETE["domain"],
                                 attributes={"zoho.super_admin_email": COMPLETE["super_admin_email"]})
    desk.add_contract(customer.id, "zoho", "crm", desk.today())
    found = zoho_priority(desk, customer.id)
    assert not found.eligible and "region is not recorded" in found.reason


def test_shown_on_every_case_of_the_customer_zoho_prio_1(desk, customer, form) -> None:
    first = desk.open_case("zoho", customer.id, "first", form())
    second = desk.open_case("zoho", customer.id, "second", form(category="how-to", severity="3"))
    for key in (first.id, second.id):
        [shown] = [e for e in desk.view(key).eligibility if e.vendor == "zoho"]
        assert shown.rule == "ZOHO-PRIO-1" and shown.eligible and shown.claimable


def test_follows_the_customer_record_zoho_prio_1(desk) -> None:
    customer = northwind(desk, "usa", users=70)
    assert not zoho_priority(desk, customer.id).claimable
    desk.update_customer(customer.id, domain=COMPLETE["domain"], attributes={
        **customer.attributes, "zoho.super_admin_email": COMPLETE["super_admin_email"]})
    assert zoho_priority(desk, customer.id).claimable
    desk.update_customer(customer.id, users=69)
    assert not zoho_priority(desk, customer.id).eligible
