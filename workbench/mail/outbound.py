"""Mail out: a message composed from a case (:mod:`workbench.mail.compose`) sent over SMTP
(STARTTLS or implicit TLS; no protection only to a server on this machine), or written as an
``.eml`` file for the user's mail program where the desk has no SMTP server.

The message is delivered inside the case's change, after the change is known to be valid and
before it commits (:func:`workbench.desk.cases.change_case`): when the SMTP server does not
take it, nothing is recorded and the case is as it was (:class:`MailNotSent`, exit 1). Only if
the desk then could not save the change although the server took the message does the error
say so, with the Message-ID, so the agent does not send it twice.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import BadInput, DeskError, StoreError
from workbench.mail.compose import Composed
from workbench.mail.credentials import CredentialsUnreadable, Login, smtp_login

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.model import Case

SECURITY = ("starttls", "tls", "none")
"""How the connection to the SMTP server is protected (setting ``mail.smtp_security``)."""
LOOPBACK_NAMES = ("localhost",)
TIMEOUT_SECONDS = 20
"""How long the desk waits for the SMTP server at each step (connect, each command)."""


class MailNotSent(DeskError):
    """The message was not sent (nor recorded): the server, and why, in words."""


class SentNotRecorded(DeskError):
    """The SMTP server took the message but the desk could not record it on the case."""


@dataclass(frozen=True)
class SmtpServer:
    """Where the desk's mail goes: settings ``mail.smtp_host``, ``_port`` and ``_security``."""

    host: str
    port: int
    security: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def smtp_server(desk: Desk) -> SmtpServer | None:
    """The desk's SMTP server, checked; ``None`` when the desk has none (``mail.smtp_host``
    empty): its messages are then written as .eml files."""
    host = str(desk.setting("mail.smtp_host") or "").strip()
    if not host:
        return None
    security = str(desk.setting("mail.smtp_security"))
    check_server(host, security)
    return SmtpServer(host, int(desk.setting("mail.smtp_port")), security)


def check_server(host: str, security: str) -> None:
    """Bad input unless ``host`` is a host name or address and ``security`` one of
    :data:`SECURITY` — ``none`` (a password and the mail in clear) only for this machine."""
    if host and (any(c.isspace() or c in "/@:[]" for c in host.strip("[]")) or "://" in host):
        raise BadInput("mail.smtp_host", f"{host!r} is not a host name or address (e.g. smtp.example.com)")
    if security not in SECURITY:
        raise BadInput("mail.smtp_security", f"{security!r} is not one of {', '.join(SECURITY)}")
    if security == "none" and host and not is_loopback(host):
        raise BadInput(
            "mail.smtp_security",
            f"none sends the login and the mail in clear: only to a server on this machine "
            f"(127.0.0.1, ::1, localhost), not {host}; use starttls or tls",
        )


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def deliver(message: EmailMessage, sender: str, recipients: list[str], server: SmtpServer) -> None:
    """Hand ``message`` to ``server`` for ``recipients`` (envelope sender ``sender``), logging
    in when a login is found (:func:`workbench.mail.credentials.smtp_login`). The server's
    certificate is checked against the system's trusted authorities (``SSL_CERT_FILE`` names
    another bundle). :class:`MailNotSent` says why it was not taken."""
    try:
        login = smtp_login(server.host)
    except CredentialsUnreadable as error:
        raise MailNotSent(f"not sent: {error}") from None
    context = ssl.create_default_context()
    try:
        if server.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if server.security == "starttls":
                if not client.has_extn("starttls"):
                    raise MailNotSent(
                        f"not sent: {server} does not offer STARTTLS; the desk does not send a login "
                        "or mail in clear (set mail.smtp_security to tls if it speaks TLS on connect)"
                    )
                client.starttls(context=context)
                client.ehlo()
            if login is not None:
                _log_in(client, login, server)
            refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
    except MailNotSent:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailNotSent(f"not sent: {server} refused the login {login}: {_said(error)}") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailNotSent(f"not sent: {server} refused the sender {sender}: {_said(error)}") from None
    except smtplib.SMTPRecipientsRefused as error:
        refused_all = ", ".join(error.recipients)
        raise MailNotSent(f"not sent: {server} refused every recipient ({refused_all})") from None
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"not sent: {server} answered {_said(error)}") from None
    except ssl.SSLCertVerificationError as error:
        raise MailNotSent(
            f"not sent: the certificate of {server} is not trusted ({error.verify_message}); "
            "SSL_CERT_FILE names a bundle to trust"
        ) from None
    except (ssl.SSLError, smtplib.SMTPException, socket.gaierror, OSError) as error:
        raise MailNotSent(f"not sent: {server} cannot be reached: {_reason(error)}") from None
    if refused:
        names = ", ".join(
            f"{address} ({code} {text.decode(errors='replace')})" for address, (code, text) in refused.items()
        )
        raise MailNotSent(f"not sent to every recipient: {server} refused {names}")


def _log_in(client: smtplib.SMTP, login: Login, server: SmtpServer) -> None:
    if not client.has_extn("auth"):
        raise MailNotSent(f"not sent: a login was found ({login}) but {server} offers no AUTH")
    client.login(login.user, login.password)


def _said(error: smtplib.SMTPResponseException) -> str:
    text = (
        error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    )
    return f"{error.smtp_code} {' '.join(str(text).split())}"


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return f"no answer within {TIMEOUT_SECONDS} s"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def write_eml(message: EmailMessage, path: Path) -> None:
    """Write ``message`` as an ``.eml`` file (readable by its owner only: it is the desk's
    mail), replacing nothing: an existing file is bad input."""
    if path.exists():
        raise BadInput("--eml", f"{path} exists: give a new file name (the desk replaces no file)")
    if not path.parent.is_dir():
        raise BadInput("--eml", f"the folder of {path} does not exist")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise BadInput("--eml", f"{path} cannot be written: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(message.as_bytes())


class Delivery:
    """One composed message on its way out with its case's change (the ``outgoing`` of
    :func:`workbench.desk.cases.change_case`): over SMTP, or into an .eml file."""

    def __init__(self, composed: Composed, server: SmtpServer | None, eml: Path | None) -> None:
        self.composed = composed
        self.server = server
        self.eml = eml
        channel = "smtp" if server is not None and eml is None else "eml"
        self.record: dict[str, Any] = composed.record(channel, str(eml) if channel == "eml" else "")

        self.delivered = False
        """Set once the message is handed over: a failure after it is :class:`SentNotRecorded`."""

    def deliver(self) -> None:
        if self.record["channel"] == "eml":
            assert self.eml is not None
            write_eml(self.composed.message, self.eml)
        else:
            assert self.server is not None
            deliver(self.composed.message, self.composed.sender, self.composed.recipients, self.server)
        self.delivered = True

    def done(self) -> str:
        """What happened, in words."""
        if self.record["channel"] == "eml":
            return (
                f"wrote {self.composed.message_id} to {self.eml} for your mail program "
                "(recorded on the case; the desk did not send it)"
            )
        return f"sent {self.composed.message_id} to {', '.join(self.composed.recipients)} via {self.server}"


def send(desk: Desk, composed: Composed, eml: Path | None = None) -> tuple[Case, Delivery]:
    """Record ``composed``'s change on its case (``send``, ``respond`` or ``resolve``) and
    deliver it with the change: to ``eml`` when given or when the desk has no SMTP server,
    else over SMTP. Without an SMTP server and without ``eml`` it is bad input (nothing
    happens: the message needs somewhere to go)."""
    server = smtp_server(desk)
    if server is None and eml is None:
        raise BadInput(
            "mail.smtp_host",
            "the desk has no SMTP server: write the message for your mail program with --eml FILE, "
            "or set mail.smtp_host (see `workbench settings`)",
        )
    delivery = Delivery(composed, server, eml)
    action = {"send": desk.send_to_vendor, "respond": _respond(desk), "resolve": _resolve(desk)}[
        composed.action
    ]
    try:
        changed = action(composed.case_id, composed.text, outgoing=delivery)
    except (StoreError, DeskError) as error:
        if delivery.delivered:
            raise SentNotRecorded(
                f"{delivery.done()}, but the desk could not record it on {composed.case_id}: {error}; "
                "note it on the case rather than sending it again"
            ) from None
        raise
    return changed, delivery


def _respond(desk: Desk) -> Any:
    return lambda key, text, outgoing: desk.note(key, text, to_customer=True, outgoing=outgoing)


def _resolve(desk: Desk) -> Any:
    return lambda key, text, outgoing: desk.resolve(key, text, to_customer=True, outgoing=outgoing)


def default_eml_path(composed: Composed) -> Path:
    """Where a message goes for the user's mail program when the desk has no SMTP server: the
    Downloads folder (the home folder without one), named by case and Message-ID."""
    import platformdirs

    downloads = platformdirs.user_downloads_path()
    folder = downloads if downloads.is_dir() else Path.home()
    unique = composed.message_id.strip("<>").split("@", 1)[0]
    return folder / f"{unique}.eml"


def destination(desk: Desk, composed: Composed, eml: Path | None = None) -> tuple[Path | None, str]:
    """Where ``composed`` goes, before it is sent: the .eml file (``eml``, or without an SMTP
    server the Downloads folder's :func:`default_eml_path`; ``None`` for SMTP) and in words."""
    server = smtp_server(desk)
    if eml is None and server is None:
        eml = default_eml_path(composed)
    if eml is not None:
        why = "" if server is not None else " (the desk has no SMTP server: mail.smtp_host)"
        return eml, f"to be written to {eml} for your mail program{why}"
    return None, f"to be sent through {server}"
