"""The request form and its checks when a case is saved: ZOHO-FORM-1, ZOHO-FORM-2, ZOHO-FIRST-1,
ZOHO-TIER-1 / ZOHO-CHAN-1 and ZOHO-SEV-1, through the desk (ZOHO-EMAIL-1 and ZOHO-CONSENT-1,
checked before sending, are in test_zoho_sending.py)."""

from __future__ import annotations

import pytest

from workbench.desk import BadInput, Invalid


def by_rule(findings, rule: str, level: str | None = None) -> list:
    return [f for f in findings if f.rule == rule and (level is None or f.level == level)]


def preview(desk, customer, answers):
    return desk.preview_case("zoho", customer.id, "CRM workflow stops", answers)


# -- ZOHO-FORM-1 ----------------------------------------------------------------------------


def test_form_has_the_fields_of_zohos_template_zoho_form_1(desk) -> None:
    fields = {f.name: f for f in desk.case_fields("zoho")}
    assert list(fields)[:6] == ["customer_email", "request_type", "category", "severity",
                                "zoho_product", "reproducible"]
    assert fields["request_type"].choices == [
        "technical-support", "payment-renewal", "trial-extension", "store", "upgrade",
        "invoice-change", "commission-payment", "product-management", "sales-discussion"]
    assert fields["reproducible"].kind == "bool"
    assert fields["attachments"].kind == "list" and not fields["attachments"].required
    for name in ("customer_email", "request_type", "severity", "zoho_product", "reproducible",
                 "description", "troubleshooting"):
        assert fields[name].required, name
    for name in ("user_id", "super_admin_email", "customisations", "occurred_at", "support_access"):
        assert fields[name].required and fields[name].when == {"reproducible": True}, name
        assert fields[name].rule == "ZOHO-FORM-1"


def test_request_type_outside_the_fixed_list_is_refused_zoho_form_1(desk, customer, form) -> None:
    with pytest.raises(BadInput, match="request_type"):
        desk.open_case("zoho", customer.id, "s", form(request_type="billing"))


def test_reproducible_yes_requires_its_details_zoho_form_1(desk, customer, form) -> None:
    shown = preview(desk, customer, form(reproducible="yes"))
    errors = by_rule(shown.findings, "ZOHO-FORM-1", "error")
    assert shown.blocked
    assert {f.field for f in errors} == {"user_id", "super_admin_email", "customisations",
                                         "occurred_at", "support_access"}
    assert not preview(desk, customer, form(reproducible="no")).blocked


def test_reproducible_case_with_every_detail_opens_zoho_form_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(
        reproducible="yes", user_id="ops.kimura", super_admin_email="admin@sakura-logistics.co.jp",
        customisations="Delivery status sync, fn_update_stage",
        occurred_at="2026-11-24T08:10+09:00", support_access="yes",
        attachments="/tmp/recording.mp4, /tmp/log.png"))
    assert case.fields["customisations"] == ["Delivery status sync", "fn_update_stage"]
    assert case.fields["attachments"] == ["/tmp/recording.mp4", "/tmp/log.png"]


def test_support_access_must_be_enabled_when_reproducible_zoho_form_1(desk, customer, form) -> None:
    answers = form(reproducible="yes", user_id="u1", super_admin_email="admin@sakura-logistics.co.jp",
                   customisations="none", occurred_at="2026-11-24T08:10+09:00", support_access="no")
    with pytest.raises(Invalid) as refused:
        desk.open_case("zoho", customer.id, "s", answers)
    [error] = by_rule(refused.value.findings, "ZOHO-FORM-1", "error")
    assert error.field == "support_access" and "support access enabled" in error.message


def test_description_and_troubleshooting_are_required_zoho_form_1(desk, customer, form) -> None:
    shown = preview(desk, customer, form(description=None, troubleshooting=None))
    assert {f.field for f in by_rule(shown.findings, "ZOHO-FORM-1", "error")} == {
        "description", "troubleshooting"}


# -- ZOHO-FORM-2 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "warned"), [(149, True), (150, False), (200, False), (201, True)])
def test_description_length_is_a_warning_outside_150_to_200_zoho_form_2(
    desk, customer, form, length: int, warned: bool
) -> None:
    shown = preview(desk, customer, form(description="x" * length))
    warnings = by_rule(shown.findings, "ZOHO-FORM-2")
    assert not shown.blocked
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].level == "warning" and f"{length} characters" in warnings[0].message


def test_japanese_description_counts_characters_not_bytes_zoho_form_2(desk, customer, form) -> None:
    assert not by_rule(preview(desk, customer, form(description="あ" * 150)).findings, "ZOHO-FORM-2")


def test_short_description_still_opens_the_case_zoho_form_2(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(description="Deals do not save."))
    assert by_rule(desk.view(case.id).findings, "ZOHO-FORM-2", "warning")


# -- ZOHO-FIRST-1 ---------------------------------------------------------------------------


def test_first_level_guidance_shows_on_a_new_case_until_sent_zoho_first_1(desk, customer, form) -> None:
    assert by_rule(preview(desk, customer, form()).findings, "ZOHO-FIRST-1", "info")
    case = desk.open_case("zoho", customer.id, "s", form())
    [info] = by_rule(desk.view(case.id).findings, "ZOHO-FIRST-1", "info")
    assert "first-level support" in info.message and "from scratch" in info.message
    desk.send_to_vendor(case.id)
    assert not by_rule(desk.view(case.id).findings, "ZOHO-FIRST-1")


def test_how_to_goes_to_first_level_zoho_first_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(category="how-to", severity="3"))
    assert (case.path, case.queue, case.route_rule) == ("self-service", "first-level", "ZOHO-FIRST-1")
    problem = desk.open_case("zoho", customer.id, "s", form())
    assert (problem.path, problem.queue, problem.route_rule) == (
        "subscription-support", "zoho-partner-support", "ZOHO-FIRST-1")


def test_non_technical_request_goes_to_partner_support_zoho_form_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(request_type="invoice-change", category=None))
    assert (case.queue, case.route_rule) == ("zoho-partner-support", "ZOHO-FORM-1")
    assert "invoice-change" in case.route_reason


def test_without_a_support_contract_the_core_routes_to_self_service(desk, form) -> None:
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    trial = desk.add_customer("Fabrikam Pty Ltd", attributes={"zoho.region": "anz"}, users=49)
    desk.add_contract(trial.id, "zoho", "trial", desk.today())
    case = desk.open_case("zoho", trial.id, "s", form(request_type="trial-extension", category=None))
    assert (case.path, case.route_rule) == ("self-service", "CORE-PATH-1")


# -- ZOHO-TIER-1 and ZOHO-CHAN-1 ------------------------------------------------------------


@pytest.mark.parametrize(("tier", "granted", "channels"), [
    ("authorized", False, "e-mail;"),
    ("authorized", True, "e-mail, web chat;"),
    ("advanced", False, "e-mail, web chat, toll-free phone, partner success manager calls & POC."),
    ("premium", False, "e-mail, web chat, toll-free phone, partner success manager calls & POC."),
])
def test_channels_toward_zoho_follow_the_tier_zoho_chan_1(
    desk, customer, form, tier, granted, channels
) -> None:
    desk.set_setting("zoho.partner_tier", tier)
    desk.set_setting("zoho.web_chat_granted", granted)
    case = desk.open_case("zoho", customer.id, "s", form())
    [info] = by_rule(desk.view(case.id).findings, "ZOHO-CHAN-1")
    article = "an" if tier != "premium" else "a"
    assert info.message.startswith(
        f"as {article} {tier} partner (ZOHO-TIER-1) the desk may reach Zoho by {channels}")
    assert info.message.endswith("Support hours are 24x5 for every tier.")


def test_tier_outside_the_three_is_refused_zoho_tier_1(desk) -> None:
    with pytest.raises(BadInput):
        desk.set_setting("zoho.partner_tier", "gold")


# -- ZOHO-SEV-1 -----------------------------------------------------------------------------


def test_severity_help_lets_an_agent_pick_zoho_sev_1(desk) -> None:
    severity = next(f for f in desk.case_fields("zoho") if f.name == "severity")
    assert severity.choices == ["1", "2", "3"] and severity.rule == "ZOHO-SEV-1"
    for words in ("1 = critical", "all users", "2 = moderate", "wrong results", "3 = minimal",
                  "how-to", "outside the SLA"):
        assert words in severity.help


def test_severity_is_shown_on_the_case_zoho_sev_1(desk, customer, form) -> None:
    assert desk.open_case("zoho", customer.id, "s", form(severity="1")).severity == "1"


@pytest.mark.parametrize("category", ["feature-request", "product-limitation"])
def test_feature_requests_and_limitations_are_outside_the_sla_zoho_sev_1(
    desk, customer, form, category
) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(category=category, severity="3"))
    assert case.severity == "3 (outside SLA)"
    desk.send_to_vendor(case.id)
    view = desk.view(case.id)
    [info] = by_rule(view.findings, "ZOHO-SEV-1", "info")
    assert "outside Zoho's SLA" in info.message and "no acknowledgement" in info.message
    assert [d for d in view.deadlines if d.clock == "vendor"] == []
    assert case.route_rule == "ZOHO-SEV-1"


@pytest.mark.parametrize(("category", "severity", "warned"), [
    ("downtime", "2", True), ("sign-in", "1", False), ("data-integrity", "3", True),
    ("how-to", "2", True), ("how-to", "3", False), ("malfunction", "1", False),
])
def test_severity_that_does_not_fit_the_category_is_a_warning_zoho_sev_1(
    desk, customer, form, category, severity, warned
) -> None:
    shown = preview(desk, customer, form(category=category, severity=severity))
    assert bool(by_rule(shown.findings, "ZOHO-SEV-1", "warning")) is warned
    assert not shown.blocked


def test_category_is_asked_of_technical_requests_only_zoho_sev_1(desk, customer, form) -> None:
    assert preview(desk, customer, form(category=None)).blocked
    assert not preview(desk, customer, form(request_type="store", category=None)).blocked


def test_close_reasons_tell_a_limitation_from_a_request(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form())
    reasons = {r.code: r.rule for r in desk.close_reasons(case)}
    assert reasons["feature-request-forwarded"] == reasons["product-limitation"] == "ZOHO-SEV-1"
    assert reasons["answered-at-first-level"] == "ZOHO-FIRST-1"
    closed = desk.close(case.id, "product-limitation")
    assert closed.close_reason == "product-limitation"
