"""Shared set-up of the mail-in tests: a Zoho customer and case, messages as a mail program
writes them, and a Maildir to deliver them to."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from workbench.model import Customer

CUSTOMER_DOMAIN = "sakura-logistics.co.jp"
DESCRIPTION = (
    "Since this morning the workflow rule 'Delivery status sync' no longer updates the deal stage "
    "in Zoho CRM; the custom function reports success but the field keeps its old value."
)


@pytest.fixture
def customer(desk) -> Customer:
    """A Zoho customer in apac-japan with an active CRM subscription, and the desk's
    registered-domain sender address (ZOHO-EMAIL-1)."""
    desk.set_setting("zoho.sender_email", "zoho-desk@reseller.co.jp")
    found = desk.add_customer(
        "株式会社さくら物流",
        email=f"it@{CUSTOMER_DOMAIN}",
        domain=CUSTOMER_DOMAIN,
        users=120,
        attributes={"zoho.region": "apac-japan", "zoho.super_admin_email": f"admin@{CUSTOMER_DOMAIN}"},
    )
    desk.add_contract(found.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
    return found


def zoho_form(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "customer_email": f"it@{CUSTOMER_DOMAIN}",
        "request_type": "technical-support",
        "category": "malfunction",
        "severity": "2",
        "zoho_product": "crm",
        "reproducible": "no",
        "description": DESCRIPTION,
        "troubleshooting": "Re-ran the function by hand and checked the execution log.",
    }
    answers.update(changes)
    return answers


@pytest.fixture
def zoho_case(desk, customer) -> Callable[..., str]:
    """Open a Zoho case (and send it to Zoho with ``sent=True``); returns its ID."""

    def make(sent: bool = True, **changes: Any) -> str:
        key = desk.open_case("zoho", customer.id, "CRM workflow stops", zoho_form(**changes)).id
        if sent:
            desk.send_to_vendor(key)
        return key

    return make


def message(
    sender: str,
    subject: str,
    text: str = "Hello",
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: Any = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    to: str = "support@reseller.co.jp",
) -> bytes:
    """A message as a mail program writes it (RFC 5322 bytes)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    if message_id is not None:
        mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    if date is not None:
        mail["Date"] = date if isinstance(date, str) else format_datetime(date)
    if html is not None:
        mail.set_content(html, subtype="html")
    else:
        mail.set_content(text)
    for name, kind, data in attachments:
        main, _, sub = kind.partition("/")
        mail.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(mail)


class Maildir:
    """A Maildir a test delivers messages to, as a mail delivery agent does (tmp/, then new/)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.count = 0

    def deliver(self, raw: bytes) -> Path:
        self.count += 1
        name = f"{time.time_ns()}.{self.count}.test"
        (self.path / "tmp" / name).write_bytes(raw)
        (self.path / "tmp" / name).rename(self.path / "new" / name)
        return self.path / "new" / name

    def seen(self) -> list[str]:
        return sorted(p.name for p in (self.path / "cur").iterdir() if p.name.endswith(",S"))

    def waiting(self) -> list[str]:
        return sorted(p.name for p in (self.path / "new").iterdir())


@pytest.fixture
def maildir(tmp_path: Path, desk) -> Maildir:
    """An empty Maildir the desk reads (setting ``mail.maildir``)."""
    box = Maildir(tmp_path / "Maildir")
    desk.set_setting("mail.maildir", str(box.path))
    return box


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch):
    """A Dovecot IMAP server of this test's own on 127.0.0.1 (skipped without the package,
    failed under CI), its certificate trusted through ``SSL_CERT_FILE``."""
    import os

    from tests.mail.dovecot import INSTALL_HINT, dovecot_binary, start_dovecot

    binary = dovecot_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT + " (CI must run the IMAP tests)", pytrace=False)
        pytest.skip(INSTALL_HINT)
    server = start_dovecot(binary)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.certificate))
    try:
        yield server
    finally:
        server.stop()
