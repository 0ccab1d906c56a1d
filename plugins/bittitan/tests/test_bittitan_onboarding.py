"""BT-ONBOARD-1 (paid offers, onboarding workflows) and BT-ONBOARD-2 (advisor hours)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from workbench.desk import BadInput, Invalid, Refused

START = date(2026, 11, 24)


def _errors(refused: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in refused.value.findings if f.level == "error"]


def test_bt_onboard_1_offers_are_consulting_and_need_a_licence(desk) -> None:
    """BT-ONBOARD-1 with CORE-PATH-2: no paid offer without an active MigrationWiz licence."""
    program = desk.programs()["bittitan"]
    assert program.consulting_products == ["onboarding", "enterprise-onboarding", "advisor-hour"]
    assert program.support_products == ["user-migration-bundle", "mailbox-migration",
                                        "document-migration"]
    bare = desk.add_customer("Fabrikam Japan")
    for product in program.consulting_products:
        with pytest.raises(Invalid) as refused:
            desk.add_contract(bare.id, "bittitan", product, START)
        assert _errors(refused)[0][0] == "CORE-PATH-2"
    desk.add_contract(bare.id, "bittitan", "mailbox-migration", START, quantity=50)
    for product in program.consulting_products:
        assert desk.add_contract(bare.id, "bittitan", product, START).product == product


def test_bt_onboard_1_onboarding_is_one_licence_scenario(desk, customer) -> None:
    """BT-ONBOARD-1: onboarding covers a single licence / project scenario."""
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "bittitan", "onboarding", START, quantity=2)
    assert _errors(refused)[0][0] == "BT-ONBOARD-1"
    assert "enterprise-onboarding" in _errors(refused)[0][1]
    assert desk.add_contract(customer.id, "bittitan", "enterprise-onboarding", START, quantity=3)


def test_bt_onboard_1_eligibility_for_the_offers(desk, customer) -> None:
    """BT-ONBOARD-1 / CORE-PATH-2: eligible with an active licence; silent for non-customers."""
    [offer] = desk.eligibility(customer.id)
    assert (offer.vendor, offer.eligible, offer.rule) == ("bittitan", True, "CORE-PATH-2")
    lapsed = desk.add_customer("Lapsed KK")
    desk.add_contract(lapsed.id, "bittitan", "mailbox-migration", date(2025, 1, 1),
                      date(2025, 12, 31))
    [offer] = desk.eligibility(lapsed.id)
    assert not offer.eligible and "no active MigrationWiz licence" in offer.reason
    assert desk.eligibility(desk.add_customer("Zoho only Ltd").id) == []


def test_bt_onboard_1_sweep_opens_the_onboarding_workflow_once(desk, customer) -> None:
    """BT-ONBOARD-1: an active onboarding contract gets its milestone workflow, once."""
    contract = desk.add_contract(customer.id, "bittitan", "onboarding", START)
    desk.add_contract(customer.id, "bittitan", "advisor-hour", START)
    first = desk.sweep()
    desk.sweep()
    [workflow] = desk.workflows(vendor="bittitan")
    assert first.opened == [workflow.id]
    assert (workflow.template, workflow.contract_id, workflow.customer_id) == (
        "onboarding", contract.id, customer.id)
    assert [s.id for s in workflow.steps] == ["kickoff", "planning", "poc", "scope",
                                              "project-settings", "strategy", "kb-articles"]
    assert all(s.rule == "BT-ONBOARD-1" for s in workflow.steps)
    assert desk.events("workflows", workflow.id)[0].rule == "BT-ONBOARD-1"


def test_bt_onboard_1_sweep_leaves_a_workflow_opened_by_hand(desk, customer) -> None:
    """BT-ONBOARD-1: a contract whose workflow the desk opened itself gets no second one."""
    contract = desk.add_contract(customer.id, "bittitan", "enterprise-onboarding", START)
    desk.open_workflow("bittitan", "enterprise-onboarding", contract_id=contract.id)
    assert desk.sweep().opened == []
    assert len(desk.workflows(vendor="bittitan")) == 1


def test_bt_onboard_1_onboarding_milestones_and_deliverables(desk, customer) -> None:
    """BT-ONBOARD-1: kickoff on a licence held, proof of concept only when it works, then the
    four deliverables."""
    contract = desk.add_contract(customer.id, "bittitan", "onboarding", START)
    workflow = desk.open_workflow("bittitan", "onboarding", contract_id=contract.id)
    view = desk.workflow_view(workflow.id)
    assert [f.rule for f in view.findings] == ["BT-ONBOARD-1"]
    assert "one licence / project scenario" in view.findings[0].message
    kickoff = {"licence": "mailbox-migration", "scenario": "Exchange 2016 → M365",
               "workloads": "mailbox, onedrive", "scope": "100 users, one tenant"}
    with pytest.raises(Refused) as refused:
        desk.complete_step(workflow.id, "kickoff", kickoff)
    assert refused.value.decision.rule == "BT-ONBOARD-1"
    assert refused.value.decision.missing == ["active mailbox-migration licence"]
    desk.complete_step(workflow.id, "kickoff", {**kickoff, "licence": "user-migration-bundle"})
    desk.complete_step(workflow.id, "planning")
    with pytest.raises(Refused, match="works as expected"):
        desk.complete_step(workflow.id, "poc", {"test_migration": "NW-POC, 5 users",
                                                "works_as_expected": "no"})
    desk.complete_step(workflow.id, "poc", {"test_migration": "NW-POC, 5 users",
                                            "works_as_expected": "yes"})
    with pytest.raises(Invalid, match="is required"):
        desk.complete_step(workflow.id, "scope", {})
    for step in ("scope", "project-settings", "strategy", "kb-articles"):
        desk.complete_step(workflow.id, step, {"summary": f"{step} delivered"})
    assert desk.workflow(workflow.id).done


def test_bt_onboard_1_enterprise_onboarding_milestones(desk, customer) -> None:
    """BT-ONBOARD-1: multi-licence kickoff, success criteria, post-project review."""
    contract = desk.add_contract(customer.id, "bittitan", "enterprise-onboarding", START)
    workflow = desk.open_workflow("bittitan", "enterprise-onboarding", contract_id=contract.id)
    assert [s.id for s in workflow.steps] == ["kickoff", "success-criteria", "poc",
                                              "post-project-review"]
    with pytest.raises(Refused, match="not MigrationWiz licences: exchange-plan"):
        desk.complete_step(workflow.id, "kickoff", {"licences": "mailbox-migration, exchange-plan",
                                                    "scope": "3 tenants"})
    desk.complete_step(workflow.id, "kickoff", {"licences": "mailbox-migration, "
                                                "document-migration", "scope": "3 tenants"})
    desk.complete_step(workflow.id, "success-criteria", {"plan": "6 waves",
                                                         "criteria": "99.9% items"})
    desk.complete_step(workflow.id, "poc", {"test_migration": "wave 0",
                                            "works_as_expected": True})
    desk.complete_step(workflow.id, "post-project-review", {"criteria_met": False,
                                                           "feedback": "slow archive moves"})
    assert desk.workflow(workflow.id).done


def test_bt_onboard_2_advisor_hour_refused_for_a_product_problem(desk, customer, ticket) -> None:
    """BT-ONBOARD-2: a product-problem case cannot be booked on an advisor hour."""
    case = ticket(kind="product-problem")
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "bittitan", "advisor-hour", START,
                          attributes={"case_id": case.id})
    [(rule, message)] = _errors(refused)
    assert rule == "BT-ONBOARD-2" and "product-problem" in message
    assert "setup and planning only" in message


def test_bt_onboard_2_advisor_hour_refused_for_a_case_sent_to_support(desk, customer,
                                                                      ticket) -> None:
    """BT-ONBOARD-2: a guidance request that BT-ROUTE-2 sent to support is refused, naming why."""
    case = ticket(items_missing=True)
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "bittitan", "advisor-hour", START,
                          attributes={"case_id": case.id})
    [(rule, message)] = _errors(refused)
    assert rule == "BT-ONBOARD-2" and "items that should have migrated did not" in message


def test_bt_onboard_2_advisor_hour_refused_when_the_cutover_came_near(desk, customer, ticket,
                                                                      clock) -> None:
    """BT-ONBOARD-2: a guidance case whose cutover is now within the bound is a support case."""
    case = ticket(cutover_date="2026-11-28")
    assert case.queue == "customer-success"
    clock("2026-11-25T10:00+09:00")
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "bittitan", "advisor-hour", START,
                          attributes={"case_id": case.id})
    assert "2026-11-28 is 3 days away" in _errors(refused)[0][1]


def test_bt_onboard_2_advisor_hour_for_a_guidance_case(desk, customer, ticket) -> None:
    """BT-ONBOARD-2: setup and planning guidance may be booked; an unknown case may not."""
    case = ticket()
    booked = desk.add_contract(customer.id, "bittitan", "advisor-hour", START,
                               attributes={"case_id": case.id})
    assert booked.attributes == {"case_id": case.id}
    with pytest.raises(Invalid) as refused:
        desk.add_contract(customer.id, "bittitan", "advisor-hour", START,
                          attributes={"case_id": "C-99"})
    assert _errors(refused) == [("BT-ONBOARD-2",
                                 "C-99 is not a BitTitan case of this customer")]
    other = desk.add_customer("Other KK")
    desk.add_contract(other.id, "bittitan", "mailbox-migration", START)
    with pytest.raises(Invalid):
        desk.add_contract(other.id, "bittitan", "advisor-hour", START,
                          attributes={"case_id": case.id})


# -- the advisor hour's case is a declared attribute, checked like any field -----------------


def test_bt_onboard_2_an_advisor_hours_case_is_a_declared_attribute(desk, customer, ticket) -> None:
    case = ticket()
    booked = desk.add_contract(customer.id, "bittitan", "advisor-hour", date(2026, 12, 1),
                               attributes={"case_id": case.id})
    assert booked.attributes == {"case_id": case.id}
    with pytest.raises(BadInput) as misspelt:
        desk.add_contract(customer.id, "bittitan", "advisor-hour", date(2026, 12, 1),
                          attributes={"case": case.id})
    assert misspelt.value.field == "case" and "it takes: case_id" in misspelt.value.problem
    with pytest.raises(BadInput, match="it takes: none"):
        desk.add_contract(customer.id, "bittitan", "onboarding", date(2026, 12, 1),
                          attributes={"case_id": case.id})


def test_bt_onboard_2_the_command_line_offers_and_checks_the_attribute(run_cli) -> None:
    status, out, _ = run_cli("contract", "fields", "bittitan")
    assert status == 0 and "case_id" in out and "advisor-hour" in out and "BT-ONBOARD-2" in out
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    status, _, err = run_cli("contract", "add", "--customer", "CUS-1", "--vendor", "bittitan",
                             "--product", "advisor-hour", "--start", "2026-12-01", "--attr", "case=C-1")
    assert status == 2 and "case" in err and "case_id" in err


def test_bt_onboard_1_a_product_bittitan_does_not_sell_is_refused_naming_the_rule(run_cli) -> None:
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    status, out, err = run_cli("contract", "add", "--customer", "CUS-1", "--vendor", "bittitan",
                               "--product", "foo", "--start", "2026-12-01", "--json")
    assert status == 2 and "BT-ONBOARD-1" in err
    assert json.loads(out)["error"]["field"] == "product"
