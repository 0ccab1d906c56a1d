"""The demo desk: realistic BitTitan records in every state, on an empty desk."""

from __future__ import annotations

from collections import Counter

from workbench.model import CASE_STATES


def test_demo_fills_an_empty_desk_with_bittitan_records_in_every_state(desk) -> None:
    """Demo: ≥3 customers, every product, ≥10 cases in every state, onboarding workflows; then
    the first sweep records that BitTitan closed the tickets whose 72 hours for the desk's
    answer passed (BT-PENDING-1), moves the guidance case whose cutover came within three days to
    customer support (BT-ROUTE-2), and closes none of the desk's cases."""
    assert desk.is_empty()
    lines = desk.fill_demo()
    assert any(line.startswith("bittitan:") for line in lines)
    cases = desk.cases(vendor="bittitan")
    assert len(cases) >= 10
    assert set(Counter(c.state for c in cases)) == set(CASE_STATES)
    assert {c.queue for c in cases} == {"customer-success", "customer-support"}
    contracts = desk.contracts(vendor="bittitan")
    assert {c.product for c in contracts} == set(desk.programs()["bittitan"].products)
    assert len({c.customer_id for c in contracts}) >= 3
    assert {w.template for w in desk.workflows(vendor="bittitan")} == {
        "onboarding", "enterprise-onboarding"}
    deadline_states = {d.state for c in cases if c.is_open for d in desk.deadlines(c)
                       if d.clock == "vendor"}
    assert {"at-risk", "breached"} <= deadline_states
    assert not [f for f in desk.plugins.failures if f.plugin == "bittitan"]

    report = desk.sweep()
    mine = {c.id for c in cases}
    kinds = Counter(a["kind"] for a in report.applied if a.get("case") in mine)
    assert kinds == {"note": 2, "reroute": 1}
    rules = {a["kind"]: a["rule"] for a in report.applied if a.get("case") in mine}
    assert rules == {"note": "BT-PENDING-1", "reroute": "BT-ROUTE-2"}
    assert not report.opened  # the demo's onboarding workflows are the sweep's own


def test_bt_demo_reuses_a_customer_already_on_the_desk(desk) -> None:
    """A real desk has one customer with contracts of several vendors: the BitTitan demo reuses
    a customer of the same name (another vendor's demo made it), filling in only what it lacks."""
    from workbench_bittitan import demo

    before = desk.add_customer("Fabrikam Europe Ltd", email="it@fabrikam.co.uk", notes="moved to the UK")
    lines = demo.fill(desk)
    [fabrikam] = [c for c in desk.customers() if c.name == "Fabrikam Europe Ltd"]
    assert fabrikam.id == before.id
    assert (fabrikam.email, fabrikam.notes, fabrikam.users) == ("it@fabrikam.co.uk", "moved to the UK", 120)
    assert desk.contracts(customer_id=before.id, vendor="bittitan")
    assert any(line.startswith(f"bittitan: customer {before.id} ") for line in lines)
    assert len(desk.customers()) == 4
