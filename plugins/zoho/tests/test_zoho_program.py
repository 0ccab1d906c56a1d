"""The program declaration: the complete ZOHO-* catalogue of RULES.md, settings for every
number RULES.md marks *(setting)*, and hooks that answer for Zoho only."""

from __future__ import annotations

from datetime import UTC, datetime

import workbench_zoho

from workbench.model import Case
from workbench.testing import check_program

REGION_TIME_ZONES = {
    "anz": "Australia/Sydney",
    "apac-japan": "Asia/Tokyo",
    "india": "Asia/Kolkata",
    "mea": "Asia/Dubai",
    "europe-uk": "Europe/London",
    "usa": "America/New_York",
    "latam": "America/Mexico_City",
    "brazil": "America/Sao_Paulo",
    "canada": "America/Toronto",
}
"""ZOHO-SLA-1's table of regions, written out here so a wrong default in the plugin fails."""


def test_program_declaration_passes_the_kit_check() -> None:
    assert check_program(workbench_zoho.workbench_vendor(), "ZOHO") == []


def test_region_time_zones_are_settings_with_the_defaults_of_zoho_sla_1(desk) -> None:
    """ZOHO-SLA-1: "Region time zones *(setting)*: anz Australia/Sydney, …"."""
    zones = REGION_TIME_ZONES
    for region, tz in zones.items():
        assert desk.setting(f"zoho.timezone.{region}") == tz
    settings = {s.key: s for s in workbench_zoho.workbench_vendor().settings}
    assert settings["zoho.timezone.usa"].rule == "ZOHO-SLA-1"
    assert settings["zoho.region"].choices == list(zones)


def test_other_numbers_marked_setting_are_settings(desk) -> None:
    """ZOHO-CHAN-1 web chat for authorized partners *(setting, default off)*; ZOHO-HOWTO-1
    a warning above 10 *(setting)*; ZOHO-TIER-1 the tier."""
    settings = {s.key: s for s in workbench_zoho.workbench_vendor().settings}
    assert desk.setting("zoho.web_chat_granted") is False
    assert settings["zoho.web_chat_granted"].rule == "ZOHO-CHAN-1"
    assert desk.setting("zoho.howto_warning_above") == 10
    assert settings["zoho.howto_warning_above"].rule == "ZOHO-HOWTO-1"
    assert settings["zoho.partner_tier"].choices == ["authorized", "advanced", "premium"]
    assert settings["zoho.partner_tier"].rule == "ZOHO-TIER-1"
    assert settings["zoho.sender_email"].rule == settings["zoho.free_mail_domains"].rule == "ZOHO-EMAIL-1"


def test_products_and_support_products_are_declared() -> None:
    program = workbench_zoho.workbench_vendor()
    assert {"zoho-one", "crm", "desk", "books"} <= set(program.products)
    assert set(program.support_products) == set(program.products) - {"trial"}
    assert program.case_kinds == [
        "technical-support", "payment-renewal", "trial-extension", "store", "upgrade",
        "invoice-change", "commission-payment", "product-management", "sales-discussion"]


def test_hooks_answer_only_for_zoho(desk) -> None:
    """Every hook of the plugin returns None for another vendor's case, form or customer."""
    other = Case(id="C-9", vendor="ontime", customer_id="CUS-1", subject="x",
                 opened_at=datetime(2026, 11, 24, tzinfo=UTC), sent_at=datetime(2026, 11, 24, tzinfo=UTC),
                 fields={"severity": "1", "request_type": "technical-support"})
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert workbench_zoho.workbench_case_fields(vendor="ontime", desk=desk) is None
    assert workbench_zoho.workbench_validate_case(case=other, desk=desk) is None
    assert workbench_zoho.workbench_route_case(case=other, desk=desk) is None
    assert workbench_zoho.workbench_case_severity(case=other, desk=desk) is None
    assert workbench_zoho.workbench_commitments(case=other, desk=desk) is None
    assert workbench_zoho.workbench_escalation_ladder(case=other, desk=desk) is None
    assert workbench_zoho.workbench_check_escalation(
        case=other, track="technical", level=1, desk=desk, now=now) is None
    assert workbench_zoho.workbench_close_reasons(case=other, desk=desk) is None
    stranger = desk.add_customer("Contoso", users=500)
    assert workbench_zoho.workbench_eligibility(customer=stranger, desk=desk) is None
    assert not [e for e in desk.eligibility(stranger.id) if e.vendor == "zoho"]
