"""The built-in core plugin declares the CORE-* rules, and settings for every number the core
rules mark *(setting)*."""

from __future__ import annotations

from workbench.testing import check_program


def test_core_program_declaration_is_complete(desk) -> None:
    assert check_program(desk.programs()["core"], "CORE", namespaces=("core", "desk", "mail")) == []


def test_core_settings_carry_the_numbers_of_the_rules(desk) -> None:
    """CORE-ESC-2 30 days, CORE-SLA-2 25 %, CORE-SLA-3 4 hours / 2 days / Mon–Fri 09:00–18:00 JP."""
    defaults = {s.key: (s.default, s.rule) for s in desk.settings()}
    assert defaults["core.stall_days"] == (30, "CORE-ESC-2")
    assert defaults["core.at_risk_share"] == (0.25, "CORE-SLA-2")
    assert defaults["core.first_response_hours"] == (4, "CORE-SLA-3")
    assert defaults["core.update_days"] == (2, "CORE-SLA-3")
    assert defaults["core.desk_hours"] == ("09:00-18:00", "CORE-SLA-3")
    assert defaults["core.desk_holidays"] == ("JP", "CORE-SLA-3")
    assert defaults["desk.timezone"][0] == "Asia/Tokyo"
