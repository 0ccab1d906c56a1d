"""Correcting a stored contract (``Desk.update_contract``): checked exactly as a new one,
the vendor's contract rules included; one event with before and after (CORE-AUDIT-1);
a refusal names the field and changes nothing; eligibility and quotes follow the edit."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.desk import BadInput, Desk, Invalid, NotFound
from workbench.model import Contract, Customer


@pytest.fixture
def customer(desk: Desk) -> Customer:
    return desk.add_customer("株式会社さくら物流", users=320)


@pytest.fixture
def licence(desk: Desk, customer: Customer) -> Contract:
    """A perpetual OnTime licence bought on 2024-04-01 (the desk clock is 2026-11-24)."""
    return desk.add_contract(customer.id, "ontime", "license", date(2024, 4, 1), list_price=1_200_000)


def stored(desk: Desk, contract: Contract) -> tuple[dict, int]:
    """The contract as stored and how many events it has: what a refusal must leave alone."""
    return desk.store.get("contracts", contract.id), len(desk.events("contracts", contract.id))


def test_an_edit_is_saved_with_one_event_of_before_and_after_core_audit_1(desk, licence) -> None:
    updated = desk.update_contract(licence.id, list_price=1_500_000, attributes={"licence": "core"})
    assert updated.list_price == 1_500_000 and updated.attributes == {"licence": "core"}
    assert desk.contract(licence.id) == updated
    create, update = desk.events("contracts", licence.id)
    assert (create.action, update.action, update.actor) == ("create", "update", "tester")
    assert update.before == {"list_price": 1_200_000, "attributes": {}}
    assert update.after == {"list_price": 1_500_000, "attributes": {"licence": "core"}}


def test_every_editable_field_can_change(desk, licence) -> None:
    changes = {
        "product": "license",
        "start": date(2024, 5, 1),
        "end": date(2030, 4, 30),
        "quantity": 300,
        "list_price": 1_300_000,
        "currency": "USD",
        "attributes": {"licence": "option"},
    }
    updated = desk.update_contract(licence.id, **changes)
    assert {name: getattr(updated, name) for name in changes} == changes
    assert (updated.id, updated.customer_id, updated.vendor, updated.created_at) == (
        licence.id,
        licence.customer_id,
        licence.vendor,
        licence.created_at,
    )


def test_the_same_values_write_no_event(desk, licence) -> None:
    before = stored(desk, licence)
    same = desk.update_contract(
        licence.id, product="license", list_price=1_200_000, customer_id=licence.customer_id, vendor="ontime"
    )
    assert same == licence
    assert stored(desk, licence) == before


REFUSALS = [
    ({}, "contract", "nothing to change"),
    ({"product": "premium-support"}, "product", "is not a OnTime Group Calendar product"),
    ({"end": date(2024, 3, 31)}, "end", "ends 2024-03-31 before it starts 2024-04-01"),
    ({"start": date(2031, 1, 1), "end": date(2030, 12, 31)}, "end", "before it starts"),
    ({"quantity": -1}, "quantity", "must not be negative"),
    ({"list_price": -100}, "list_price", "must not be negative"),
    ({"customer_id": "CUS-2"}, "customer_id", "cannot move to another customer"),
    ({"vendor": "zoho"}, "vendor", "cannot move to another vendor"),
    ({"colour": "blue"}, "colour", "cannot be changed on a contract"),
    ({"id": "K-7"}, "id", "cannot be changed on a contract"),
    ({"created_at": None, "list_price": 1}, "created_at", "cannot be changed on a contract"),
]


@pytest.mark.parametrize("changes,field,problem", REFUSALS, ids=lambda v: str(v))
def test_a_refused_edit_names_the_field_and_changes_nothing(desk, licence, changes, field, problem) -> None:
    desk.add_customer("Northwind Traders")
    before = stored(desk, licence)
    with pytest.raises(BadInput) as refused:
        desk.update_contract(licence.id, **changes)
    assert refused.value.field == field and problem in refused.value.problem
    assert stored(desk, licence) == before


def test_an_unknown_contract_is_not_found(desk) -> None:
    with pytest.raises(NotFound, match="no contract with ID 'K-99'"):
        desk.update_contract("K-99", quantity=2)


def test_a_vendor_rule_blocks_the_edit_ontime_prod_2(desk, licence) -> None:
    """ONTIME-PROD-2: maintenance needs a licence; turning the only licence into maintenance
    is an error of the vendor's contract rules, so nothing is saved."""
    before = stored(desk, licence)
    with pytest.raises(Invalid) as blocked:
        desk.update_contract(licence.id, product="maintenance")
    assert [(f.rule, f.field) for f in blocked.value.findings if f.level == "error"] == [
        ("ONTIME-PROD-2", "product")
    ]
    assert stored(desk, licence) == before


def test_an_add_on_checks_its_base_but_not_its_own_old_version_ontime_prod_2(desk, customer, licence) -> None:
    """ONTIME-PROD-2 on an edit: maintenance moved to a start the licence covers is saved;
    moved before the licence existed it is refused."""
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2025, 4, 1), date(2026, 3, 31))
    moved = desk.update_contract(maintenance.id, start=date(2026, 4, 1), end=date(2027, 3, 31))
    assert (moved.start, moved.end) == (date(2026, 4, 1), date(2027, 3, 31))
    with pytest.raises(Invalid, match="ONTIME-PROD-2"):
        desk.update_contract(maintenance.id, start=date(2023, 4, 1))
    assert desk.contract(maintenance.id) == moved


def test_a_vendor_attribute_rule_blocks_the_edit_wx_hold_2(desk, customer) -> None:
    """WX-HOLD-2: ``audio_commit`` must be true or false; WX-RENEW-1: a WebEx contract keeps
    its renewal date (its end)."""
    webex = desk.add_contract(customer.id, "webex", "named-host", date(2026, 11, 1), date(2027, 10, 31), 50)
    before = stored(desk, webex)
    with pytest.raises(Invalid, match="WX-HOLD-2"):
        desk.update_contract(webex.id, attributes={"audio_commit": "maybe"})
    with pytest.raises(Invalid, match="WX-RENEW-1"):
        desk.update_contract(webex.id, end=None)
    assert stored(desk, webex) == before


def test_a_vendor_quantity_rule_blocks_the_edit_bt_onboard_1(desk, customer) -> None:
    """BT-ONBOARD-1: onboarding covers one licence / project scenario."""
    desk.add_contract(customer.id, "bittitan", "mailbox-migration", date(2026, 1, 1), date(2026, 12, 31))
    onboarding = desk.add_contract(customer.id, "bittitan", "onboarding", date(2026, 11, 1))
    with pytest.raises(Invalid, match="BT-ONBOARD-1"):
        desk.update_contract(onboarding.id, quantity=2)
    assert desk.contract(onboarding.id).quantity == 1


def test_an_advisor_hour_moved_to_a_product_problem_is_refused_bt_onboard_2(desk, customer) -> None:
    """BT-ONBOARD-2 on an edit: the case an advisor hour is booked for must be setup and
    planning guidance, not a product problem."""
    desk.add_contract(customer.id, "bittitan", "mailbox-migration", date(2026, 1, 1), date(2027, 12, 31))
    problem = desk.open_case(
        "bittitan",
        customer.id,
        "Items missing after the run",
        {
            "account_email": "admin@sakura-logi.co.jp",
            "region": "apac",
            "cutover_date": "2026-12-24",
            "kind": "product-problem",
            "project": "SAKURA-M365",
            "description": "Calendar items did not migrate.",
        },
    )
    advisor = desk.add_contract(customer.id, "bittitan", "advisor-hour", date(2026, 12, 1))
    with pytest.raises(Invalid) as blocked:
        desk.update_contract(advisor.id, attributes={"case_id": problem.id})
    assert [f.rule for f in blocked.value.findings if f.level == "error"] == ["BT-ONBOARD-2"]
    assert desk.contract(advisor.id).attributes == {}


# -- what follows the edit -------------------------------------------------------------------


def test_the_quote_follows_an_edited_list_price_ontime_prod_1(desk, customer, licence) -> None:
    maintenance = desk.add_contract(customer.id, "ontime", "maintenance", date(2026, 4, 1), date(2027, 3, 31))
    assert [line.amount for line in desk.quote(maintenance.id).lines] == [240_000]
    desk.update_contract(licence.id, list_price=1_500_000)
    assert [line.amount for line in desk.quote(licence.id).lines] == [300_000, 225_000]
    assert [line.amount for line in desk.quote(maintenance.id).lines] == [300_000]


def test_eligibility_follows_an_edited_end_core_path_2(desk, customer) -> None:
    """BitTitan's paid offers need an active MigrationWiz licence (CORE-PATH-2): ending the
    licence in the past makes them not sellable."""
    mailbox = desk.add_contract(customer.id, "bittitan", "mailbox-migration", date(2026, 1, 1))
    (offers,) = [e for e in desk.eligibility(customer.id) if e.vendor == "bittitan"]
    assert offers.eligible and offers.rule == "CORE-PATH-2"
    desk.update_contract(mailbox.id, end=date(2026, 6, 30))
    (offers,) = [e for e in desk.eligibility(customer.id) if e.vendor == "bittitan"]
    assert not offers.eligible and "no active MigrationWiz licence" in offers.reason


def test_support_follows_an_edited_product_core_path_2(desk, customer) -> None:
    """A Zoho trial carries no partner support; corrected to a paid CRM subscription it does."""
    trial = desk.add_contract(customer.id, "zoho", "trial", date(2026, 11, 1), date(2026, 12, 31))
    assert not desk.has_support(customer.id, "zoho")
    desk.update_contract(trial.id, product="crm", end=date(2027, 10, 31))
    assert desk.has_support(customer.id, "zoho")


def test_findings_follow_an_edited_attribute_wx_hold_2(desk, customer) -> None:
    """An order with a WebEx audio commit plan stays on hold until the audio-overage terms."""
    webex = desk.add_contract(customer.id, "webex", "named-host", date(2026, 11, 1), date(2027, 10, 31), 50)
    assert not [f for f in desk.check_contract(webex) if f.rule == "WX-HOLD-2"]
    updated = desk.update_contract(webex.id, attributes={"audio_commit": True})
    (hold,) = [f for f in desk.check_contract(updated) if f.rule == "WX-HOLD-2"]
    assert hold.level == "info" and "audio" in hold.message
