"""Mail out (issue #21): ``case send --mail`` and the customer-facing messages, through the
command line, against a real SMTP server (aiosmtpd on 127.0.0.1, started by the test) with
STARTTLS or implicit TLS and AUTH, the login from the environment or a netrc file.

Every message carries its case ID in the subject and in its Message-ID, and the Message-ID is
recorded on the case's event; a refusal (ZOHO-EMAIL-1, ONTIME-ESC-2, …) or an SMTP failure
sends nothing and changes not one byte of the desk."""

from __future__ import annotations

import io
import json
import socket
import sys
from datetime import date
from pathlib import Path

import pytest

from workbench.desk import Desk
from workbench.mail.compose import case_of_message_id
from workbench.plugins import get_plugins
from workbench.store import open_store

SMTP_USER = "desk@example.co.jp"
SMTP_PASSWORD = "smtp-Pw-7x!"
SENDER = "zoho-desk@reseller.co.jp"
ZOHO_SUPPORT = "partner-support@zoho.example"
CUSTOMER_EMAIL = "it@sakura-logistics.co.jp"
DESCRIPTION = (
    "Since this morning the workflow rule 'Delivery status sync' no longer updates the deal stage "
    "in Zoho CRM; the custom function reports success but the field keeps its old value."
)
ZOHO_FORM = {
    "customer_email": CUSTOMER_EMAIL,
    "request_type": "technical-support",
    "category": "malfunction",
    "severity": "2",
    "zoho_product": "crm",
    "reproducible": "no",
    "description": DESCRIPTION,
    "troubleshooting": "Re-ran the function by hand and checked the execution log.",
}


def _open(db: Path) -> Desk:
    return Desk(open_store(str(db)), get_plugins(), actor="aiko")


def _zoho_case(db: Path, **settings: str) -> str:
    """A desk with the desk's Zoho sender and partner-support address, a customer with a Zoho
    CRM subscription, and one complete Zoho request (C-1); ``settings`` set besides."""
    desk = _open(db)
    try:
        for key, value in {
            "mail.from": "support@reseller.co.jp",
            "zoho.sender_email": SENDER,
            "zoho.support_email": ZOHO_SUPPORT,
            **settings,
        }.items():
            if value:  # empty: the setting's default, none
                desk.set_setting(key, value)
        customer = desk.add_customer(
            "株式会社さくら物流",
            email=CUSTOMER_EMAIL,
            domain="sakura-logistics.co.jp",
        )
        desk.add_contract(customer.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
        return desk.open_case("zoho", customer.id, "Deluge function fails", ZOHO_FORM).id
    finally:
        desk.store.close()


def _desk_bytes(db: Path) -> dict[str, bytes]:
    """Every file of the desk, by name: what "nothing changed" is checked against (but the
    writer lock's note of who holds it, which any attempt to write rewrites)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(db.parent.glob(db.name + "*"))
        if p.is_file() and not p.name.endswith(".holder")
    }


def _events(db: Path, case_id: str) -> list:
    desk = _open(db)
    try:
        return desk.events("cases", case_id)
    finally:
        desk.store.close()


@pytest.fixture
def login_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", SMTP_PASSWORD)


def _use(run_cli, server) -> None:
    for key, value in server.settings().items():
        assert run_cli("settings", key, value)[0] == 0


def test_zoho_request_goes_over_starttls_from_the_registered_sender_zoho_form_1_zoho_email_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    status, out, err = run_cli("case", "send", case_id, "Please look at this first.", "--mail", "--yes")
    assert status == 0, err
    assert f"{case_id} sent to the vendor: sent <{case_id}." in out
    (mail,) = server.received
    assert mail.tls and mail.authenticated and mail.login == SMTP_USER
    assert (mail.sender, mail.recipients) == (SENDER, [ZOHO_SUPPORT])
    message = mail.message
    assert message["From"] == SENDER and message["To"] == ZOHO_SUPPORT
    assert message["Subject"].startswith(f"[{case_id}] Zoho CRM technical-support: Deluge function fails")
    assert case_of_message_id(message["Message-ID"]) == case_id
    body = message.get_content()
    for line in (
        f"Customer e-mail: {CUSTOMER_EMAIL}",
        "Request type: technical-support",
        "Zoho product: Zoho CRM",
        "Can the problem be reproduced?: no",
        f"Description of the problem / question: {DESCRIPTION}",
        "Troubleshooting steps taken: Re-ran the function by hand and checked the execution log.",
    ):
        assert line in body
    assert body.startswith("Please look at this first.")
    assert "User ID" not in body  # asked only of a reproducible problem (ZOHO-FORM-1)
    sent = _events(run_cli.db, case_id)[-1]
    assert sent.action == "send"
    assert sent.data["mail"]["message_id"] == message["Message-ID"]
    assert (
        sent.data["mail"] | {"channel": "smtp", "to": [ZOHO_SUPPORT], "rule": "ZOHO-FORM-1"}
        == sent.data["mail"]
    )
    shown = json.loads(run_cli("case", "show", case_id, "--json")[1])
    assert shown["case"]["state"] == "waiting-vendor"
    history = run_cli("case", "show", case_id)[1]
    assert f"e-mailed to {ZOHO_SUPPORT} {message['Message-ID']}" in history
    assert SMTP_PASSWORD not in out + err


def test_a_free_mail_sender_is_refused_naming_zoho_email_1_and_nothing_is_sent(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db, **{"zoho.sender_email": "reseller.desk@gmail.com"})
    _use(run_cli, server)
    before = _desk_bytes(run_cli.db)
    status, out, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1
    assert "ZOHO-EMAIL-1" in err and "gmail.com" in err and "Traceback" not in err
    assert server.received == []
    assert _desk_bytes(run_cli.db) == before


def test_a_zoho_request_without_a_sender_is_refused_naming_zoho_email_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db, **{"zoho.sender_email": ""})
    _use(run_cli, server)
    before = _desk_bytes(run_cli.db)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and "refused by ZOHO-EMAIL-1" in err and "zoho.sender_email" in err
    assert server.received == [] and _desk_bytes(run_cli.db) == before


def test_implicit_tls_with_the_login_from_a_netrc_file_sends_the_resolution_to_the_customer(
    run_cli, smtp_server, tmp_path, monkeypatch
) -> None:
    server = smtp_server("tls")
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {SMTP_USER} password {SMTP_PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    status, out, err = run_cli(
        "case",
        "resolve",
        case_id,
        "The function works again after the fix.",
        "--to-customer",
        "--mail",
        "--yes",
    )
    assert status == 0, err
    (mail,) = server.received
    assert mail.tls and mail.authenticated and mail.login == SMTP_USER
    assert (mail.sender, mail.recipients) == ("support@reseller.co.jp", [CUSTOMER_EMAIL])
    assert mail.message["Subject"] == f"[{case_id}] Resolution: Deluge function fails"
    assert "The function works again after the fix." in mail.message.get_content()
    resolved = _events(run_cli.db, case_id)[-1]
    assert resolved.action == "resolve" and resolved.data["to_customer"] is True
    assert resolved.data["mail"]["message_id"] == mail.message["Message-ID"]


def test_a_second_message_on_a_case_threads_on_the_first(run_cli, smtp_server, login_env) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    assert run_cli("case", "send", case_id, "--mail", "--yes")[0] == 0
    status, _, err = run_cli(
        "case", "note", case_id, "We sent it to Zoho.", "--to-customer", "--mail", "--yes"
    )
    assert status == 0, err
    first, second = (m.message for m in server.received)
    assert second["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in second["References"]
    assert second["To"] == CUSTOMER_EMAIL and second["Subject"].startswith(f"[{case_id}] Re: ")
    assert [e.action for e in _events(run_cli.db, case_id)][-2:] == ["send", "respond"]


@pytest.mark.parametrize(
    ("trouble", "said"),
    [
        ("refuse", "answered 554 5.7.1 Message refused by policy"),
        ("password", f"refused the login {SMTP_USER} (from WORKBENCH_SMTP_USER"),
        ("unreachable", "cannot be reached"),
        ("no-login", "530"),
    ],
)
def test_a_message_the_server_does_not_take_records_nothing_and_exits_1(
    run_cli, smtp_server, monkeypatch, trouble, said
) -> None:
    server = smtp_server("starttls", refuse=1 if trouble == "refuse" else 0)
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    if trouble != "no-login":
        monkeypatch.setenv("WORKBENCH_SMTP_USER", SMTP_USER)
        monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", "wrong" if trouble == "password" else SMTP_PASSWORD)
    if trouble == "unreachable":
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            assert run_cli("settings", "mail.smtp_port", str(probe.getsockname()[1]))[0] == 0
    before = _desk_bytes(run_cli.db)
    status, out, err = run_cli("case", "send", case_id, "--mail", "--yes", "--json")
    assert status == 1
    assert said in err and "not sent" in err and "Traceback" not in err
    assert "wrong" not in err and SMTP_PASSWORD not in err
    assert json.loads(out)["error"]["message"].startswith("not sent")
    assert _desk_bytes(run_cli.db) == before


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("mail.smtp_port", "70000", "above the greatest allowed value, 65535"),
        ("mail.smtp_port", "smtp", "mail.smtp_port"),
        ("mail.smtp_security", "ssl", "not one of"),
        ("mail.smtp_host", "smtp://mail.example.com", "not a host name"),
        ("mail.from", "not-an-address", "mail.from"),
    ],
)
def test_bad_smtp_settings_exit_2_and_change_nothing(run_cli, key, value, said) -> None:
    _zoho_case(run_cli.db)
    before = _desk_bytes(run_cli.db)
    status, _, err = run_cli("settings", key, value)
    assert status == 2 and said in err and "Traceback" not in err
    assert _desk_bytes(run_cli.db) == before


def test_no_protection_is_only_for_a_server_on_this_machine(run_cli) -> None:
    _zoho_case(run_cli.db)
    assert run_cli("settings", "mail.smtp_host", "smtp.example.com")[0] == 0
    status, _, err = run_cli("settings", "mail.smtp_security", "none")
    assert status == 2 and "only to a server on this machine" in err
    assert run_cli("settings", "mail.smtp_host", "127.0.0.1")[0] == 0
    assert run_cli("settings", "mail.smtp_security", "none")[0] == 0
    status, _, err = run_cli("settings", "mail.smtp_host", "smtp.example.com")
    assert status == 2 and "in clear" in err


def test_without_smtp_the_message_is_written_as_an_eml_file_and_recorded(run_cli, tmp_path) -> None:
    case_id = _zoho_case(run_cli.db)
    target = tmp_path / "request.eml"
    status, out, err = run_cli("case", "send", case_id, "--mail", "--yes", "--eml", str(target))
    assert status == 0, err
    assert f"to {target} for your mail program" in out
    from email import message_from_bytes
    from email.policy import default

    written = message_from_bytes(target.read_bytes(), policy=default)
    assert written["From"] == SENDER and written["To"] == ZOHO_SUPPORT
    assert written["Subject"].startswith(f"[{case_id}] ")
    sent = _events(run_cli.db, case_id)[-1]
    assert sent.data["mail"]["channel"] == "eml" and sent.data["mail"]["path"] == str(target)
    assert sent.data["mail"]["message_id"] == written["Message-ID"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    status, _, err = run_cli(
        "case", "note", case_id, "hello", "--to-customer", "--mail", "--yes", "--eml", str(target)
    )
    assert status == 2 and "exists" in err  # never replaces a file


def test_without_smtp_and_without_eml_the_message_goes_to_the_downloads_folder(
    run_cli, tmp_path, monkeypatch
) -> None:
    case_id = _zoho_case(run_cli.db)
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    status, out, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 0, err
    (written,) = (home / "Downloads").glob("*.eml")
    assert str(written) in out and written.name.startswith(f"{case_id}.")


def test_the_message_is_shown_and_asked_for_before_it_goes(
    run_cli, smtp_server, login_env, monkeypatch
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    before = _desk_bytes(run_cli.db)
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    status, out, err = run_cli("case", "send", case_id, "--mail")
    assert status == 1 and "aborted" in err
    assert f"Subject: [{case_id}] Zoho CRM technical-support: Deluge function fails" in err
    assert f"To: {ZOHO_SUPPORT}" in err and "(ZOHO-FORM-1:" in err and "Send it?" in err
    assert server.received == [] and _desk_bytes(run_cli.db) == before
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert run_cli("case", "send", case_id, "--mail")[0] == 0
    assert len(server.received) == 1


def test_json_cannot_ask_so_it_needs_yes(run_cli, smtp_server, login_env) -> None:
    case_id = _zoho_case(run_cli.db)
    before = _desk_bytes(run_cli.db)
    status, out, err = run_cli("case", "send", case_id, "--mail", "--json")
    assert status == 2 and json.loads(out)["error"]["field"] == "--yes"
    assert _desk_bytes(run_cli.db) == before


def test_yes_or_eml_without_mail_is_bad_input(run_cli) -> None:
    case_id = _zoho_case(run_cli.db)
    status, _, err = run_cli("case", "send", case_id, "--yes")
    assert status == 2 and "--yes and --eml go with --mail" in err


ONTIME_EVIDENCE = {
    "platform": "hcl-notes-domino",
    "platform_version": "Domino 12.0.2 FP3",
    "isolation": "does-not-reproduce",
    "user_settings": "not-the-cause",
    "reproduction_steps": "Open group 'Sales' in week view; Thursday entries are blank.",
    "browser": "Microsoft Edge",
    "browser_version": "131.0.2903.70",
    "environment_notes": "OnTime 11.3.2 on two Domino servers; 320 users.",
}


def _ontime_case(db: Path, **fields: str) -> str:
    """A tier-2 desk that buys OnTime through a distributor, with its technical contact and
    both addresses of the chain, and one OnTime case with ``fields``."""
    desk = _open(db)
    try:
        for key, value in {
            "mail.from": "support@reseller.co.jp",
            "ontime.technical_contact": "Aiko Sato",
            "ontime.partner_tier": "tier-2",
            "ontime.tier1_partner": "Calendar Distribution KK",
            "ontime.tier1_email": "escalations@distributor.example",
            "ontime.team_email": "japan-team@ontime.example",
        }.items():
            desk.set_setting(key, value)
        customer = desk.add_customer("北斗精機株式会社", email="it@hokuto.example")
        desk.add_contract(customer.id, "ontime", "license", date(2024, 4, 1), list_price=1_234_567)
        return desk.open_case("ontime", customer.id, "Group view shows blank Thursdays", fields).id
    finally:
        desk.store.close()


def test_ontime_escalation_without_its_evidence_is_refused_naming_ontime_esc_2(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _ontime_case(run_cli.db, **{**ONTIME_EVIDENCE, "browser_version": "", "environment_notes": ""})
    _use(run_cli, server)
    before = _desk_bytes(run_cli.db)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and "refused by ONTIME-ESC-2" in err
    assert "Browser version" in err and "Environment notes" in err
    assert server.received == [] and _desk_bytes(run_cli.db) == before


def test_ontime_escalation_carries_the_evidence_of_ontime_esc_2_up_the_tier_chain_of_ontime_esc_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _ontime_case(run_cli.db, **ONTIME_EVIDENCE)
    _use(run_cli, server)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 0, err
    (mail,) = server.received
    assert mail.recipients == ["escalations@distributor.example"]  # the tier-1, not OnTime itself
    message = mail.message
    assert message["From"].addresses[0].display_name == "Aiko Sato"  # ONTIME-PARTNER-1
    assert message["Subject"] == f"[{case_id}] OnTime escalation: Group view shows blank Thursdays"
    body = message.get_content()
    for line in (
        "Route (ONTIME-ESC-1): to the tier-1 / distributor Calendar Distribution KK, which brings it to the "
        "OnTime Japan team (tier-2 desk)",
        "Technical contact (ONTIME-PARTNER-1): Aiko Sato",
        "Reproduction steps: Open group 'Sales' in week view; Thursday entries are blank.",
        "Browser name: Microsoft Edge",
        "Browser version: 131.0.2903.70",
        "Calendar platform: HCL Notes/Domino",
        "Platform version: Domino 12.0.2 FP3",
        "Environment notes: OnTime 11.3.2 on two Domino servers; 320 users.",
    ):
        assert line in body
    assert _events(run_cli.db, case_id)[-1].data["mail"]["rule"] == "ONTIME-ESC-2"
    assert run_cli("settings", "ontime.partner_tier", "tier-1")[0] == 0
    assert run_cli("case", "vendor-reply", case_id, "Looking at it")[0] == 0
    assert run_cli("case", "send", case_id, "--mail", "--yes")[0] == 0
    assert server.received[1].recipients == ["japan-team@ontime.example"]  # a tier-1 desk goes direct


def test_bittitan_ticket_carries_the_fields_of_bt_form_1(run_cli, smtp_server, login_env) -> None:
    server = smtp_server("starttls")
    desk = _open(run_cli.db)
    try:
        desk.set_setting("mail.from", "support@reseller.co.jp")
        desk.set_setting("bittitan.support_email", "support@bittitan.example")
        customer = desk.add_customer(
            "Northwind Traders", email="it@northwind.example", domain="northwind.example"
        )
        desk.add_contract(
            customer.id,
            "bittitan",
            "user-migration-bundle",
            date(2026, 1, 1),
            date(2027, 12, 31),
            quantity=100,
        )
        case_id = desk.open_case(
            "bittitan",
            customer.id,
            "Mailbox items missing after pass 2",
            {
                "account_email": "admin@northwind.example",
                "region": "apac",
                "cutover_date": "2026-12-24",
                "kind": "product-problem",
                "description": "Calendar items of 12 mailboxes did not migrate.",
            },
        ).id
    finally:
        desk.store.close()
    _use(run_cli, server)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 0, err
    (mail,) = server.received
    assert mail.recipients == ["support@bittitan.example"]
    body = mail.message.get_content()
    for line in (
        "MigrationWiz account e-mail: admin@northwind.example",
        "Support region: apac",
        "Phone: -",
        "Planned cutover date: 2026-12-24",
        "Kind: product-problem",
        "MigrationWiz project: -",
        "Description: Calendar items of 12 mailboxes did not migrate.",
        "Subject: Mailbox items missing after pass 2",
    ):
        assert line in body
    assert "An error occurred during a migration run" not in body  # asked of a guidance request only


def test_webex_takes_no_request_by_mail_and_says_where_to_go_wx_hours_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    desk = _open(run_cli.db)
    try:
        desk.set_setting("mail.from", "support@reseller.co.jp")
        customer = desk.add_customer("Contoso KK", email="it@contoso.example")
        case_id = desk.open_case(
            "webex", customer.id, "Meetings drop after 40 minutes", {"kind": "technical"}
        ).id
    finally:
        desk.store.close()
    _use(run_cli, server)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and "refused by WX-HOURS-1" in err and "technical line" in err
    assert server.received == []


def test_a_case_already_with_the_vendor_is_refused_before_anything_is_shown(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    assert run_cli("case", "send", case_id, "--mail", "--yes")[0] == 0
    before = _desk_bytes(run_cli.db)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and f"CORE-CASE-1: case {case_id} is waiting-vendor; cannot send it" in err
    assert "Subject:" not in err and len(server.received) == 1
    assert _desk_bytes(run_cli.db) == before


def test_a_back_dated_message_is_refused_before_it_is_shown_core_audit_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    before = _desk_bytes(run_cli.db)
    status, out, err = run_cli("case", "send", case_id, "--mail", "--now", "2020-01-01T09:00+09:00")
    assert status == 2 and "CORE-AUDIT-1" in err and "before its last event" in err
    assert "Subject:" not in out + err and server.received == []
    assert _desk_bytes(run_cli.db) == before


def test_a_missing_consent_refuses_the_request_before_it_is_shown_zoho_consent_1(
    run_cli, smtp_server, login_env
) -> None:
    server = smtp_server("starttls")
    desk_path = run_cli.db
    _zoho_case(desk_path)
    desk = _open(desk_path)
    try:
        changed = desk.open_case(
            "zoho", "CUS-1", "Change the super-admin", {**ZOHO_FORM, "account_change": "admin-change"}
        )
    finally:
        desk.store.close()
    _use(run_cli, server)
    status, _, err = run_cli("case", "send", changed.id, "--mail", "--yes")
    assert status == 1 and "refused by ZOHO-CONSENT-1" in err and "Subject:" not in err
    assert server.received == []


def test_the_login_comes_from_the_system_keyring_when_neither_env_nor_netrc_has_one(
    run_cli, smtp_server, tmp_path, monkeypatch
) -> None:
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.credentials import SimpleCredential

    class Keyring(KeyringBackend):
        """The system keyring's API over a dict: what `keyring set` would have stored."""

        priority = 1
        stored = {("workbench-smtp:127.0.0.1", SMTP_USER): SMTP_PASSWORD}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

        def get_credential(self, service, username):
            found = [(u, p) for (s, u), p in self.stored.items() if s == service and username in (None, u)]
            return SimpleCredential(*found[0]) if found else None

    monkeypatch.delenv("WORKBENCH_SMTP_USER", raising=False)
    monkeypatch.delenv("WORKBENCH_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    previous = keyring.get_keyring()
    keyring.set_keyring(Keyring())
    try:
        server = smtp_server("starttls")
        case_id = _zoho_case(run_cli.db)
        _use(run_cli, server)
        status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    finally:
        keyring.set_keyring(previous)
    assert status == 0, err
    (mail,) = server.received
    assert mail.authenticated and mail.login == SMTP_USER


def test_no_protection_to_a_server_on_this_machine_sends_without_a_login(
    run_cli, smtp_server, monkeypatch
) -> None:
    monkeypatch.delenv("WORKBENCH_SMTP_USER", raising=False)
    server = smtp_server("none")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    status, out, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 0, err and "(none)" in out
    (mail,) = server.received
    assert not mail.tls and not mail.authenticated and mail.recipients == [ZOHO_SUPPORT]


def test_control_characters_are_shown_escaped_and_never_reach_a_header(run_cli, tmp_path) -> None:
    case_id = _zoho_case(run_cli.db)
    desk = _open(run_cli.db)
    try:
        desk.update_fields(case_id, {"troubleshooting": "Cleared \x1b[2J the cache\x07"})
    finally:
        desk.store.close()
    target = tmp_path / "request.eml"
    status, out, err = run_cli(
        "case", "send", case_id, "Note:\x1b]0;owned\x07", "--mail", "--yes", "--eml", str(target)
    )
    assert status == 0, err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2J" in err
    raw = target.read_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert b"\x1b" not in head and b"\x07" not in head


def test_a_subject_cannot_inject_a_header(run_cli, tmp_path) -> None:
    desk = _open(run_cli.db)
    try:
        case_id = _zoho_case(run_cli.db)
    finally:
        desk.store.close()
    desk = _open(run_cli.db)
    try:
        customer = desk.case(case_id).customer_id
        injected = desk.open_case("zoho", customer, "Help\r\nBcc: all@evil.example", ZOHO_FORM).id
    finally:
        desk.store.close()
    target = tmp_path / "x.eml"
    status, _, err = run_cli("case", "send", injected, "--mail", "--yes", "--eml", str(target))
    assert status == 0, err
    from email import message_from_bytes
    from email.policy import default

    written = message_from_bytes(target.read_bytes(), policy=default)
    assert (
        written["Bcc"] is None
        and written["Subject"] == f"[{injected}] Zoho CRM technical-support: Help Bcc: all@evil.example"
    )


def test_a_login_half_given_or_a_broken_netrc_is_named_never_its_password(
    run_cli, smtp_server, tmp_path, monkeypatch
):
    server = smtp_server("starttls")
    case_id = _zoho_case(run_cli.db)
    _use(run_cli, server)
    monkeypatch.setenv("WORKBENCH_SMTP_USER", SMTP_USER)
    monkeypatch.delenv("WORKBENCH_SMTP_PASSWORD", raising=False)
    before = _desk_bytes(run_cli.db)
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and "WORKBENCH_SMTP_PASSWORD is not set" in err
    monkeypatch.delenv("WORKBENCH_SMTP_USER")
    netrc = tmp_path / "netrc"
    netrc.write_text(
        f"machine 127.0.0.1 login {SMTP_USER} password {SMTP_PASSWORD} bogus\n", encoding="utf-8"
    )
    monkeypatch.setenv("NETRC", str(netrc))
    status, _, err = run_cli("case", "send", case_id, "--mail", "--yes")
    assert status == 1 and f"the netrc file {netrc} cannot be read" in err and SMTP_PASSWORD not in err
    assert server.received == [] and _desk_bytes(run_cli.db) == before


def test_the_same_lookup_finds_an_imap_login_for_mail_in(monkeypatch) -> None:
    from workbench.mail.credentials import find_login

    monkeypatch.setenv("WORKBENCH_IMAP_USER", "inbox@example.co.jp")
    monkeypatch.setenv("WORKBENCH_IMAP_PASSWORD", "imap-pw")
    found = find_login("imap.example.co.jp", "imap")
    assert (found.user, found.password) == ("inbox@example.co.jp", "imap-pw")
    assert "imap-pw" not in f"{found} {found!r}"
