"""The BitTitan program declaration: complete catalogue, settings, and silence for others."""

from __future__ import annotations

from datetime import date

import workbench_bittitan

from workbench.model import Case, Contract, Workflow
from workbench.testing import check_program


def test_program_declaration_is_complete(desk) -> None:
    """check_program finds nothing missing in the BT-* declaration."""
    program = desk.programs()["bittitan"]
    assert check_program(program, "BT") == []
    assert program.case_kinds == ["guidance-request", "product-problem"]
    assert set(program.support_products) | set(program.consulting_products) == set(program.products)


def test_every_number_marked_setting_is_a_setting(desk) -> None:
    """BT-ROUTE-2's 3 days, BT-SLA-1's region time zones, BT-PENDING-1's 24 h and 48 h."""
    settings = {s.key: (s.value, s.rule) for s in desk.settings() if s.program == "bittitan"}
    assert settings == {
        "bittitan.imminent_cutover_days": (3, "BT-ROUTE-2"),
        "bittitan.tz_americas": ("America/Los_Angeles", "BT-SLA-1"),
        "bittitan.tz_apac": ("Asia/Singapore", "BT-SLA-1"),
        "bittitan.tz_emea": ("Europe/London", "BT-SLA-1"),
        "bittitan.first_warning_hours": (24, "BT-PENDING-1"),
        "bittitan.second_warning_hours": (48, "BT-PENDING-1"),
        "bittitan.support_email": ("", "BT-FORM-1"),  # where `case send --mail` sends the ticket
    }


def test_hooks_answer_only_for_bittitan(desk) -> None:
    """Every hook with a vendor, case, contract or workflow stays silent for another vendor."""
    other = Case(id="C-1", vendor="zoho", customer_id="CUS-1", subject="x",
                 opened_at=desk.now(), state="pending",
                 pauses=[{"start": "2026-11-01T00:00:00+00:00", "end": None}])
    contract = Contract(id="K-1", customer_id="CUS-1", vendor="zoho", product="onboarding",
                        start=date(2026, 1, 1), quantity=5)
    workflow = Workflow(id="W-1", vendor="zoho", template="onboarding", title="x", steps=[],
                        opened_at=desk.now())
    now = desk.now()
    plugin = workbench_bittitan
    assert plugin.workbench_case_fields(vendor="zoho") is None
    assert plugin.workbench_validate_case(case=other, desk=desk) is None
    assert plugin.workbench_route_case(case=other, desk=desk) is None
    assert plugin.workbench_commitments(case=other, desk=desk) is None
    assert plugin.workbench_escalation_ladder(case=other) is None
    assert plugin.workbench_check_escalation(case=other, track="technical", level=1, desk=desk,
                                             now=now) is None
    assert plugin.workbench_close_reasons(case=other, desk=desk) is None
    assert plugin.workbench_sweep(case=other, desk=desk, now=now) is None
    assert plugin.workbench_check_contract(contract=contract, desk=desk) is None
    assert plugin.workbench_workflow_templates(vendor="zoho") is None
    assert plugin.workbench_form_fields(vendor="zoho", form="deliverable") is None
    assert plugin.workbench_check_step(workflow=workflow, step="poc",
                                       data={"works_as_expected": False}, desk=desk) is None
    assert plugin.workbench_workflow_findings(workflow=workflow) is None


def test_commercial_track_is_left_to_the_core(desk, ticket) -> None:
    """BT-ESC-1 is technical only: the commercial decision is CORE-ESC-2's."""
    case = ticket(kind="product-problem")
    assert workbench_bittitan.workbench_check_escalation(
        case=case, track="commercial", level=1, desk=desk, now=desk.now()) is None
    commercial = next(o for o in desk.escalation_options(case) if o.track == "commercial")
    assert commercial.decision.rule == "CORE-ESC-2"
