"""Issue #21 §5 end to end, against real servers the test starts — Dovecot (IMAP, the desk's
mailbox) and aiosmtpd (SMTP, the desk's outgoing server), both over TLS on 127.0.0.1: a
customer's mail opens a case, the desk sends Zoho's request, Zoho's reply from a Zoho domain
meets the acknowledgement clock (ZOHO-SLA-1), the customer's reply resumes the pending case
(CORE-SLA-3), and a breach mails the assignee (CORE-SLA-2) from ``workbench run``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.core.test_run import ENV, Runner
from tests.mail.conftest import CUSTOMER_DOMAIN, DESCRIPTION, Maildir, message, zoho_form
from tests.mail.dovecot import PASSWORD as IMAP_PASSWORD
from tests.mail.dovecot import USER as IMAP_USER
from tests.mail.test_mail_cli import setup_desk

SMTP_USER, SMTP_PASSWORD = "desk@example.co.jp", "smtp-Pw-7x!"
ZOHO_SUPPORT = "partner-support@zohocorp.com"
ASSIGNEE = "aiko@reseller.co.jp"
OPENED, SENT, ANSWERED, PENDING, REPLIED, LATER = (
    "2026-11-24T10:00+09:00",
    "2026-11-24T10:30+09:00",
    "2026-11-24T12:00+09:00",
    "2026-11-24T12:10+09:00",
    "2026-11-25T09:30+09:00",
    "2026-11-26T10:00+09:00",
)


def case(run_cli, now: str) -> dict:
    status, out, err = run_cli("case", "show", "C-1", "--json", "--now", now)
    assert status == 0, err
    return json.loads(out)


def test_a_customers_mail_becomes_a_case_that_goes_to_zoho_and_back_by_mail(
    run_cli, dovecot, smtp_server, tls_certificate, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    smtp = smtp_server("starttls")
    trust = tmp_path / "trust.pem"  # the desk trusts both test servers' certificates
    trust.write_bytes(dovecot.certificate.read_bytes() + tls_certificate[0].read_bytes())
    logins = {
        "SSL_CERT_FILE": str(trust),
        "WORKBENCH_IMAP_USER": IMAP_USER,
        "WORKBENCH_IMAP_PASSWORD": IMAP_PASSWORD,
        "WORKBENCH_SMTP_USER": SMTP_USER,
        "WORKBENCH_SMTP_PASSWORD": SMTP_PASSWORD,
    }
    for name, value in logins.items():
        monkeypatch.setenv(name, value)
    setup_desk(run_cli, Maildir(tmp_path / "unused"))
    settings = {
        "mail.maildir": "",
        "mail.imap_host": "127.0.0.1",
        "mail.imap_port": str(dovecot.imaps_port),
        **smtp.settings(),
        "mail.from": "support@reseller.co.jp",
        "zoho.support_email": ZOHO_SUPPORT,
    }
    for key, value in settings.items():
        assert run_cli("settings", key, value)[0] == 0, key
    assert run_cli("agent", "edit", "aiko", "--email", ASSIGNEE)[0] == 0

    # A customer's mail lands in the Inbox; a case opens from it, filled from the mail.
    dovecot.append(
        message(
            f"Hanako <hanako@{CUSTOMER_DOMAIN}>",
            "CRM workflow stopped",
            DESCRIPTION,
            message_id="<c1@sakura>",
        )
    )
    status, out, err = run_cli("mail", "poll", "--now", OPENED)
    assert status == 0 and "M-1 into the Inbox" in out, err
    form = {k: v for k, v in zoho_form().items() if k not in ("description", "customer_email")}
    args = [arg for name, value in form.items() for arg in ("--field", f"{name}={value}")]
    status, out, err = run_cli("mail", "open", "M-1", "--vendor", "zoho", *args, "--now", OPENED)
    assert status == 0 and out.startswith("C-1 opened from M-1"), err
    assert run_cli("case", "take", "C-1", "--now", OPENED)[0] == 0
    opened = case(run_cli, OPENED)["case"]
    assert opened["fields"]["description"] == DESCRIPTION and opened["customer_id"] == "CUS-1"

    # The desk sends Zoho's request by SMTP, from its registered sender (ZOHO-EMAIL-1).
    status, out, err = run_cli("case", "send", "C-1", "--mail", "--yes", "--now", SENT)
    assert status == 0, err
    [request] = smtp.received
    assert request.recipients == [ZOHO_SUPPORT] and request.tls and request.authenticated
    assert request.message["From"] == "zoho-desk@reseller.co.jp"
    sent_id = request.message["Message-ID"]
    assert sent_id.startswith("<C-1.")

    # Zoho answers from a Zoho domain, threading by Message-ID alone (no case ID in its subject).
    dovecot.append(
        message(
            "Zoho Partner Support <support@zohocorp.com>",
            "RE: your request",
            "Please send us the function's execution log.",
            message_id="<z1@zohocorp.com>",
            in_reply_to=sent_id,
            references=sent_id,
        )
    )
    status, out, err = run_cli("mail", "poll", "--now", ANSWERED)
    assert status == 0 and "M-2 on C-1 CORE-SLA-4" in out, err
    answered = case(run_cli, ANSWERED)
    [ack] = [d for d in answered["deadlines"] if d["name"] == "Zoho acknowledgement"]
    assert ack["state"] == "met" and ack["rule"] == "ZOHO-SLA-1"
    assert answered["case"]["state"] == "open"

    # The desk asks its customer; the customer's reply (a mail) resumes the pending case.
    assert run_cli("case", "pending", "C-1", "Asked for the execution log", "--now", PENDING)[0] == 0
    dovecot.append(
        message(
            f"it@{CUSTOMER_DOMAIN}",
            "Re: [C-1] CRM workflow stopped",
            "The log is attached.",
            message_id="<c2@sakura>",
            attachments=[("execution.log", "text/plain", b"02:00 sync started\n02:01 stage unchanged\n")],
        )
    )
    status, out, err = run_cli("mail", "poll", "--now", REPLIED)
    assert status == 0 and "M-3 on C-1 CORE-SLA-3" in out, err
    replied = case(run_cli, REPLIED)
    assert replied["case"]["state"] == "open"
    assert replied["case"]["pauses"][-1]["end"] is not None
    assert not any(d["state"] == "paused" for d in replied["deadlines"])
    status, out, _ = run_cli("case", "show", "C-1", "--now", REPLIED)
    assert "Attachment: execution.log (text/plain" in out

    # Later, with nobody at a terminal, `workbench run` mails the assignee of the breach.
    env = {**ENV, **logins, "WORKBENCH_NOW": LATER, "WORKBENCH_AGENT": "aiko"}
    before = len(smtp.received)
    runner = Runner(run_cli.db, "--every", "0.005", env=env)
    try:
        runner.wait_for("by e-mail")
        runner.wait_for("open cases checked")
        assert runner.stop() == 0
    finally:
        if runner.process.poll() is None:
            runner.process.kill()
            runner.process.wait()
    told = [m for m in smtp.received[before:] if m.recipients == [ASSIGNEE]]
    assert told, runner.lines
    text = "\n".join(str(m.message) for m in told)
    assert "C-1" in text and "breached" in text
    assert os.environ["WORKBENCH_SMTP_PASSWORD"] not in "\n".join(runner.lines)

    # A copy of that notification comes back to the desk's own mailbox: it is the desk's own
    # mail, so it neither lands in the Inbox nor is recorded on C-1 (CORE-AUDIT-1).
    history = case(run_cli, LATER)["events"]
    dovecot.append(told[0].message.as_bytes())
    status, out, err = run_cli("mail", "poll", "--now", LATER)
    assert status == 0 and "dismissed" in out, (out, err)
    assert "the desk's own notification" in out
    assert case(run_cli, LATER)["events"] == history
    status, out, _ = run_cli("mail", "list", "--json", "--now", LATER)
    assert status == 0 and json.loads(out) == []
