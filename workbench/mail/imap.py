"""The desk's IMAP mailbox (settings ``mail.imap_*``): IMAPS, or IMAP upgraded with STARTTLS,
the server's certificate checked against the system's trust store (``SSL_CERT_FILE`` names
another). The user and password come from the environment (``WORKBENCH_IMAP_USER``,
``WORKBENCH_IMAP_PASSWORD``) or a netrc entry for the server's host (``~/.netrc``, or the
file ``NETRC`` names): never from the desk, never shown.

A message not yet taken is one without the ``\\Seen`` flag; it is fetched with ``BODY.PEEK[]``
(reading it does not mark it) and flagged ``\\Seen`` only once the desk has recorded it, so
a poll that fails or is killed half-way leaves the rest for the next."""

from __future__ import annotations

import imaplib
import netrc
import os
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.errors import BadInput, DeskError

PORTS = {"tls": 993, "starttls": 143}
TIMEOUT_SECONDS = 30.0


class MailboxError(DeskError):
    """The mailbox could not be read: the server, the login or the folder, in words."""


@dataclass(frozen=True)
class Mailbox:
    """Where the desk's IMAP mail is, from the desk's settings."""

    host: str
    port: int
    security: str
    folder: str

    @property
    def source(self) -> str:
        return f"imap:{self.host}:{self.port}/{self.folder}"


def credentials(host: str) -> tuple[str, str]:
    """The IMAP user and password: ``WORKBENCH_IMAP_USER`` / ``WORKBENCH_IMAP_PASSWORD``, else
    the netrc entry of ``host``. Bad input naming where they are looked for when neither has
    them (the password itself is never named)."""
    user, password = os.environ.get("WORKBENCH_IMAP_USER", ""), os.environ.get("WORKBENCH_IMAP_PASSWORD", "")
    if user and password:
        return user, password
    path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
    try:
        entry = netrc.netrc(path).authenticators(host) if os.path.exists(path) else None
    except (netrc.NetrcParseError, OSError) as error:
        raise BadInput("netrc", f"{path} cannot be read: {getattr(error, 'msg', error)}") from None
    if entry is not None and entry[0] and entry[2]:
        return entry[0], entry[2]
    raise BadInput(
        "mail.imap_host",
        f"no IMAP login for {host}: set WORKBENCH_IMAP_USER and WORKBENCH_IMAP_PASSWORD, or add "
        f"'machine {host} login USER password PASSWORD' to {path} (readable by you only)",
    )


@dataclass
class Fetched:
    """One message of the mailbox not yet taken."""

    uid: bytes
    raw: bytes


class Connection:
    """An open, logged-in IMAP connection with the desk's folder selected."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        user, password = credentials(mailbox.host)
        context = ssl.create_default_context()
        where = f"{mailbox.host}:{mailbox.port}"
        try:
            if mailbox.security == "tls":
                self.imap = imaplib.IMAP4_SSL(
                    mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT_SECONDS
                )
            else:
                self.imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
                self.imap.starttls(ssl_context=context)
        except ssl.SSLError as error:
            raise MailboxError(f"IMAP server {where}: TLS failed ({error.reason or error})") from None
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"IMAP server {where} cannot be reached: {_words(error)}") from None
        try:
            self.imap.login(user, password)
        except imaplib.IMAP4.error:
            self.close()
            raise MailboxError(f"IMAP server {where} refused the login of {user!r}") from None
        except OSError as error:
            raise MailboxError(f"IMAP server {where}: {_words(error)}") from None
        status, answer = self.imap.select(_quoted(mailbox.folder))
        if status != "OK":
            self.close()
            raise MailboxError(f"IMAP server {where} has no folder {mailbox.folder!r}: {_answer(answer)}")

    def waiting(self) -> Iterator[Fetched]:
        """Every message of the folder without ``\\Seen``, oldest first, read without marking it."""
        status, answer = self.imap.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise MailboxError(f"IMAP search failed: {_answer(answer)}")
        for uid in (answer[0] or b"").split():
            status, parts = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
            if status == "OK" and isinstance(raw, bytes):
                yield Fetched(uid, raw)

    def mark_taken(self, fetched: Fetched) -> None:
        self.imap.uid("STORE", fetched.uid, "+FLAGS.SILENT", "(\\Seen)")

    def close(self) -> None:
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _answer(answer: list) -> str:
    return " ".join(a.decode(errors="replace") if isinstance(a, bytes) else str(a) for a in answer or [])


def _words(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return f"no answer within {TIMEOUT_SECONDS:g} seconds"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
