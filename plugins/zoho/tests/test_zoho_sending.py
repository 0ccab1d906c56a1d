"""What must hold before a case goes to Zoho (``case send``): ZOHO-EMAIL-1 (no free mail, from
the desk or as the customer e-mail) and ZOHO-CONSENT-1 (the account owner's consent on an
account dispute or administrator change), through the desk."""

from __future__ import annotations

from dataclasses import replace

import pytest
import workbench_zoho

from workbench.desk import Invalid, Refused
from workbench.testing import make_desk

OWNER = "admin@sakura-logistics.co.jp"


def by_rule(findings, rule: str, level: str | None = None) -> list:
    return [f for f in findings if f.rule == rule and (level is None or f.level == level)]


def preview(desk, customer, answers):
    return desk.preview_case("zoho", customer.id, "CRM workflow stops", answers)


def refusal(desk, key: str):
    """The decision that refused ``case send``; the case stays with the desk, unsent."""
    with pytest.raises(Refused) as refused:
        desk.send_to_vendor(key)
    case = desk.case(key)
    assert (case.state, case.sent_at) == ("open", None)
    assert not [e for e in desk.events("cases", key) if e.action == "send"]
    return refused.value.decision


# -- ZOHO-EMAIL-1: the customer e-mail --------------------------------------------------------


@pytest.mark.parametrize("address", ["someone@gmail.com", "ops@yahoo.co.jp", "a@outlook.com",
                                     "b@hotmail.com", "c@icloud.com", "d@GMAIL.COM"])
def test_free_mail_customer_email_is_refused_at_intake_zoho_email_1(desk, customer, form, address) -> None:
    with pytest.raises(Invalid) as refused:
        desk.open_case("zoho", customer.id, "s", form(customer_email=address))
    [error] = by_rule(refused.value.findings, "ZOHO-EMAIL-1", "error")
    assert error.field == "customer_email" and "cannot track or automate" in error.message
    assert "sakura-logistics.co.jp" in error.message


def test_registered_domain_address_passes_zoho_email_1(desk, customer, form) -> None:
    shown = preview(desk, customer, form(customer_email="it@sakura-logistics.co.jp"))
    assert not by_rule(shown.findings, "ZOHO-EMAIL-1")


def test_free_mail_list_is_extendable_in_settings_zoho_email_1(desk, customer, form) -> None:
    answers = form(customer_email="me@freemail.example.jp")
    assert not by_rule(preview(desk, customer, answers).findings, "ZOHO-EMAIL-1")
    desk.set_setting("zoho.free_mail_domains", " @FreeMail.example.jp, other.example")
    assert by_rule(preview(desk, customer, answers).findings, "ZOHO-EMAIL-1", "error")


def test_free_mail_customer_email_refuses_sending_zoho_email_1(desk, customer, form) -> None:
    """A case saved before its customer's provider joined the free-mail list is not sent."""
    key = desk.open_case("zoho", customer.id, "s", form(customer_email="me@freemail.example.jp")).id
    desk.set_setting("zoho.free_mail_domains", "freemail.example.jp")
    decision = refusal(desk, key)
    assert decision.rule == "ZOHO-EMAIL-1" and not decision.allowed
    assert "me@freemail.example.jp is free mail (freemail.example.jp)" in decision.reason
    assert "cannot track or automate" in decision.reason
    assert decision.missing == [
        "customer_email: an address of the customer's registered domain (sakura-logistics.co.jp)"]
    desk.update_fields(key, {"customer_email": "it@sakura-logistics.co.jp"})
    assert desk.send_to_vendor(key).state == "waiting-vendor"


# -- ZOHO-EMAIL-1: the desk's sender address ------------------------------------------------


def test_free_mail_sender_address_refuses_sending_not_saving_zoho_email_1(desk, customer, form) -> None:
    desk.set_setting("zoho.sender_email", "ourdesk@gmail.com")
    case = desk.open_case("zoho", customer.id, "s", form())
    [warning] = by_rule(desk.view(case.id).findings, "ZOHO-EMAIL-1")
    assert warning.level == "warning" and warning.field is None
    assert "ourdesk@gmail.com" in warning.message
    assert "no Zoho case can be sent until zoho.sender_email is set" in warning.message
    decision = refusal(desk, case.id)
    assert decision.rule == "ZOHO-EMAIL-1" and "ourdesk@gmail.com is free mail" in decision.reason
    assert len(decision.missing) == 1 and decision.missing[0].startswith("setting zoho.sender_email")
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    assert not by_rule(desk.view(case.id).findings, "ZOHO-EMAIL-1")
    assert desk.send_to_vendor(case.id).sent_at == desk.now()


def test_unset_sender_address_is_a_warning_and_does_not_refuse_zoho_email_1(clock, form) -> None:
    desk = make_desk()
    customer = desk.add_customer("Northwind Traders", attributes={"zoho.region": "usa"})
    desk.add_contract(customer.id, "zoho", "crm", desk.today())
    case = desk.open_case("zoho", customer.id, "s", form())
    [warning] = by_rule(desk.view(case.id).findings, "ZOHO-EMAIL-1")
    assert warning.level == "warning" and "zoho.sender_email" in warning.message
    assert desk.send_to_vendor(case.id).state == "waiting-vendor"


# -- ZOHO-CONSENT-1 -------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "what"), [("account-dispute", "an account dispute"),
                                              ("admin-change", "an administrator change")])
def test_account_change_saves_without_consent_but_is_not_sent_until_recorded_zoho_consent_1(
    desk, customer, form, change, what
) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(request_type="product-management",
                                                         account_change=change))
    [warning] = by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert warning.level == "warning" and warning.field == "consent_from"
    assert "cannot be sent to Zoho until the consent is recorded" in warning.message
    decision = refusal(desk, case.id)
    assert decision.rule == "ZOHO-CONSENT-1" and not decision.allowed
    assert decision.reason.startswith(what) and "account owner's e-mail consent" in decision.reason
    assert [m.split(":")[0] for m in decision.missing] == ["consent_from", "consent_received"]

    desk.update_fields(case.id, {"consent_from": OWNER})
    assert [m.split(":")[0] for m in refusal(desk, case.id).missing] == ["consent_received"]
    [warning] = by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert warning.field == "consent_received"

    desk.update_fields(case.id, {"consent_received": "2026-11-24"})
    [info] = by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert info.level == "info" and "recorded" in info.message and OWNER in info.message
    sent = desk.send_to_vendor(case.id)
    assert (sent.state, sent.sent_at) == ("waiting-vendor", desk.now())


def test_account_change_with_recorded_consent_opens_and_sends_zoho_consent_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(
        request_type="product-management", account_change="admin-change",
        consent_from=OWNER, consent_received="2026-11-23"))
    [info] = by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert info.level == "info" and "recorded" in info.message
    assert desk.send_to_vendor(case.id).state == "waiting-vendor"


def test_consent_from_someone_other_than_the_owner_warns_but_sends_zoho_consent_1(
    desk, customer, form
) -> None:
    case = desk.open_case("zoho", customer.id, "s", form(
        account_change="account-dispute", consent_from="clerk@sakura-logistics.co.jp",
        consent_received="2026-11-23"))
    [warning] = by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert warning.level == "warning" and OWNER in warning.message
    assert desk.send_to_vendor(case.id).state == "waiting-vendor"


def test_no_account_change_needs_no_consent_zoho_consent_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form())
    assert not by_rule(desk.view(case.id).findings, "ZOHO-CONSENT-1")
    assert desk.send_to_vendor(case.id).state == "waiting-vendor"


def test_refusal_names_the_sender_first_then_the_consent_zoho_email_1(desk, customer, form) -> None:
    """ZOHO-EMAIL-1 and ZOHO-CONSENT-1 both unmet: ``case send`` cites the sender, then, once
    the setting is fixed, the consent."""
    desk.set_setting("zoho.sender_email", "ourdesk@gmail.com")
    key = desk.open_case("zoho", customer.id, "s", form(account_change="admin-change")).id
    assert refusal(desk, key).rule == "ZOHO-EMAIL-1"
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    assert refusal(desk, key).rule == "ZOHO-CONSENT-1"


def test_check_send_leaves_other_answers_to_later_plugins_zoho_consent_1(desk, customer, form) -> None:
    """An allowed Zoho case and another vendor's case get no answer (``None``), so a desk
    policy plugin after this one still decides; only a refusal stops the hook."""
    case = desk.open_case("zoho", customer.id, "s", form(account_change="admin-change"))
    now = desk.now()
    assert workbench_zoho.workbench_check_send(case=case, desk=desk, now=now).rule == "ZOHO-CONSENT-1"
    other = replace(case, vendor="webex")
    assert workbench_zoho.workbench_check_send(case=other, desk=desk, now=now) is None
    allowed = desk.update_fields(case.id, {"consent_from": OWNER, "consent_received": "2026-11-24"})
    assert workbench_zoho.workbench_check_send(case=allowed, desk=desk, now=now) is None
