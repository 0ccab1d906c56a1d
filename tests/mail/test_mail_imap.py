"""``workbench mail poll`` against a real IMAP server started by the test (Dovecot on
127.0.0.1, :mod:`tests.mail.dovecot`): IMAPS and STARTTLS, the certificate checked, the login
from the environment or a netrc and never shown, each message taken once and flagged Seen
only once recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mail.conftest import CUSTOMER_DOMAIN, Maildir, message
from tests.mail.dovecot import PASSWORD, USER
from tests.mail.test_mail_cli import setup_desk


@pytest.fixture
def imap_desk(run_cli, dovecot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A desk with a Zoho customer and case C-1 sent to Zoho, reading ``dovecot`` over IMAPS."""
    setup_desk(run_cli, Maildir(tmp_path / "unused"))
    assert run_cli("settings", "mail.maildir", "")[0] == 0
    assert run_cli("settings", "mail.imap_host", "127.0.0.1")[0] == 0
    assert run_cli("settings", "mail.imap_port", str(dovecot.imaps_port))[0] == 0
    monkeypatch.setenv("WORKBENCH_IMAP_USER", USER)
    monkeypatch.setenv("WORKBENCH_IMAP_PASSWORD", PASSWORD)
    from tests.mail.conftest import zoho_form

    args = [arg for name, value in zoho_form().items() for arg in ("--field", f"{name}={value}")]
    status, _, err = run_cli(
        "case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "CRM", *args
    )
    assert status == 0, err
    assert run_cli("case", "send", "C-1")[0] == 0
    return dovecot


def test_imaps_poll_records_the_vendors_answer_and_files_the_rest_in_the_inbox(run_cli, imap_desk) -> None:
    imap_desk.append(
        message("support@zohocorp.com", "Re: [C-1] CRM", "Looking into it.", message_id="<z@zoho>")
    )
    imap_desk.append(message("someone@example.org", "A question", message_id="<q@example.org>"))

    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:00+09:00", "--json")

    assert status == 0, err
    report = json.loads(out)
    assert report["sources"] == [f"imap:127.0.0.1:{imap_desk.imaps_port}/INBOX"]
    assert [(m["case"], m["rule"], m["state"]) for m in report["taken"]] == [
        ("C-1", "CORE-SLA-4", "filed"),
        ("", "", "inbox"),
    ]
    assert all("\\Seen" in flags for flags in imap_desk.flags())
    status, out, _ = run_cli("case", "show", "C-1", "--json", "--now", "2026-11-24T11:00+09:00")
    shown = json.loads(out)
    assert shown["case"]["state"] == "open"
    [ack] = [d for d in shown["deadlines"] if d["name"] == "Zoho acknowledgement"]
    assert ack["state"] == "met"

    status, out, _ = run_cli("mail", "poll", "--now", "2026-11-24T11:05+09:00")
    assert status == 0 and out.strip() == f"no new mail in imap:127.0.0.1:{imap_desk.imaps_port}/INBOX"
    assert PASSWORD not in out + err


def test_starttls_on_the_plain_port(run_cli, imap_desk) -> None:
    assert run_cli("settings", "mail.imap_security", "starttls")[0] == 0
    assert run_cli("settings", "mail.imap_port", str(imap_desk.imap_port))[0] == 0
    imap_desk.append(message(f"it@{CUSTOMER_DOMAIN}", "Re: [C-1] CRM", message_id="<s@sakura>"))
    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:00+09:00")
    assert status == 0, err
    assert "M-1 on C-1 CORE-SLA-3" in out


def test_the_login_comes_from_a_netrc_when_the_environment_has_none(
    run_cli, imap_desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("WORKBENCH_IMAP_USER")
    monkeypatch.delenv("WORKBENCH_IMAP_PASSWORD")
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    imap_desk.append(message("someone@example.org", "hello", message_id="<n@example.org>"))
    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:00+09:00")
    assert status == 0, err and "M-1 into the Inbox" in out

    netrc.write_text("machine elsewhere login x password y\n")
    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:01+09:00")
    assert status == 2 and "no IMAP login for 127.0.0.1" in err and "WORKBENCH_IMAP_USER" in err


def test_a_refused_login_or_an_untrusted_certificate_reads_nothing_and_says_why(
    run_cli, imap_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_desk.append(message("someone@example.org", "hello", message_id="<r@example.org>"))
    before = Path(run_cli.db).read_bytes(), Path(str(run_cli.db) + ".log").read_bytes()

    monkeypatch.setenv("WORKBENCH_IMAP_PASSWORD", "wrong-secret")
    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:00+09:00")
    assert status == 1 and f"refused the login of '{USER}'" in err
    assert "wrong-secret" not in out + err

    monkeypatch.setenv("WORKBENCH_IMAP_PASSWORD", PASSWORD)
    monkeypatch.delenv("SSL_CERT_FILE")
    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:00+09:00", "--json")
    assert status == 1 and "TLS failed" in json.loads(out)["error"]["message"]

    assert (Path(run_cli.db).read_bytes(), Path(str(run_cli.db) + ".log").read_bytes()) == before
    assert not any("\\Seen" in flags for flags in imap_desk.flags())


def test_a_message_recorded_before_a_crash_is_not_taken_again_only_flagged(run_cli, imap_desk, clock) -> None:
    """A poll killed between recording a message and flagging it Seen: the next poll finds it
    unseen, knows its Message-ID, records nothing and flags it."""
    from workbench.desk import Desk
    from workbench.mail.inbound import read_message
    from workbench.plugins import get_plugins
    from workbench.store import open_store

    raw = message(f"it@{CUSTOMER_DOMAIN}", "Re: [C-1] CRM", "once", message_id="<crash@sakura>")
    imap_desk.append(raw)
    clock("2026-11-24T11:00+09:00")
    desk = Desk(open_store(run_cli.db), get_plugins(), actor="aiko")
    assert desk.take_mail(read_message(raw), "imap").case == "C-1"
    desk.store.close()
    assert not any("\\Seen" in flags for flags in imap_desk.flags())

    status, out, err = run_cli("mail", "poll", "--now", "2026-11-24T11:05+09:00", "--json")
    assert status == 0, err
    assert json.loads(out)["taken"] == [] and json.loads(out)["already_taken"] == 1
    assert all("\\Seen" in flags for flags in imap_desk.flags())
    status, out, _ = run_cli("case", "show", "C-1", "--json", "--now", "2026-11-24T11:05+09:00")
    assert (
        sum(1 for e in json.loads(out)["events"] if (e["data"].get("mail") or {}).get("direction") == "in")
        == 1
    )
