"""The demo: realistic Zoho records on an empty desk, at any desk clock."""

from __future__ import annotations

import pytest
import workbench_zoho

from workbench.desk import Refused

CLOCKS = ["2026-11-24T10:00+09:00", "2026-11-29T03:00+09:00", "2027-03-28T01:30+00:00"]
"""A Tuesday morning, a Sunday night in Tokyo, and the night Europe's clocks go forward."""


@pytest.mark.parametrize("now", CLOCKS)
def test_demo_fills_an_empty_desk_with_cases_in_every_state(desk, clock, now) -> None:
    clock(now)
    lines = desk.fill_demo()
    assert not [f for f in desk.plugins.failures if f.plugin == "zoho"]
    assert any(line.startswith("zoho: case") for line in lines)
    cases = desk.cases(vendor="zoho")
    assert len(cases) >= 10
    assert {c.state for c in cases} == {"open", "waiting-vendor", "pending", "resolved", "closed"}
    products = {c.product for c in desk.contracts(vendor="zoho")}
    assert products == set(workbench_zoho.workbench_vendor().products)
    names = {desk.customer(c.customer_id).name for c in cases}
    assert "株式会社さくら物流" in names and "Northwind Traders" in names and len(names) >= 3
    states = {d.state for c in cases if c.is_open for d in desk.deadlines(c) if d.clock == "vendor"}
    assert {"at-risk", "breached", "met"} <= states


def test_demo_cases_carry_no_error_and_no_form_warning(desk) -> None:
    desk.fill_demo()
    for case in desk.cases(vendor="zoho"):
        findings = desk.view(case.id).findings
        assert not [f for f in findings if f.level == "error"], case.id
        assert not [f for f in findings if f.rule in ("ZOHO-FORM-2", "ZOHO-EMAIL-1")], case.id


def test_demo_shows_every_priority_answer(desk) -> None:
    desk.fill_demo()
    answers = {(e.eligible, e.claimable) for c in desk.customers() for e in desk.eligibility(c.id)
               if e.vendor == "zoho"}
    assert answers == {(True, True), (True, False), (False, False)}


def test_demo_account_dispute_waits_for_consent_zoho_consent_1(desk) -> None:
    desk.fill_demo()
    [dispute] = [c for c in desk.cases(vendor="zoho")
                 if c.fields.get("account_change") == "account-dispute"]
    assert (dispute.state, dispute.sent_at) == ("open", None)
    with pytest.raises(Refused, match="ZOHO-CONSENT-1"):
        desk.send_to_vendor(dispute.id)


@pytest.mark.parametrize("now", CLOCKS)
def test_demo_makes_one_customer_per_name_across_vendors(desk, clock, now) -> None:
    """A real desk has one customer with contracts of several vendors: the whole demo (every
    plugin) makes each customer once, Japanese and English names alike."""
    clock(now)
    desk.fill_demo()
    names = [c.name for c in desk.customers()]
    assert len(names) == len(set(names)) >= 12
    sakura = next(c for c in desk.customers() if c.name == "株式会社さくら物流")
    assert {k.vendor for k in desk.contracts(customer_id=sakura.id)} >= {"zoho", "webex"}


def test_demo_reuses_a_customer_and_fills_in_what_zoho_needs_zoho_prio_1(desk) -> None:
    """A customer already on the desk under the same name is reused; only what it lacks for
    Zoho (a Zoho region, users, domain, super-admin) is filled in, its own values are kept."""
    before = desk.add_customer("株式会社さくら物流", email="info@sakura-logi.co.jp")
    lines = desk.fill_demo()
    [sakura] = [c for c in desk.customers() if c.name == "株式会社さくら物流"]
    assert sakura.id == before.id and sakura.email == "info@sakura-logi.co.jp"
    assert (sakura.domain, sakura.attributes) == ("sakura-logi.co.jp", {
        "zoho.region": "apac-japan", "zoho.super_admin_email": "admin@sakura-logi.co.jp"})
    assert sakura.users > 0
    assert any(line.startswith(f"zoho: customer {before.id} ") and "already on the desk" in line
               for line in lines)
    [answer] = [e for e in desk.eligibility(sakura.id) if e.vendor == "zoho"]
    assert (answer.eligible, answer.claimable) == (True, True)
