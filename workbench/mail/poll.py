"""One poll of the desk's mail (``workbench mail poll``, and ``workbench run`` after each
sweep): every message waiting in the IMAP mailbox and the Maildir is read and taken by the
desk (:mod:`workbench.desk.inbox`), then marked taken where it came from. A message the desk
could not record stays unmarked, for the next poll, and is reported with why."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.errors import BadInput, DeskError, StoreError
from workbench.mail import imap, maildir
from workbench.mail.inbound import read_message

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.model import Mail


@dataclass
class PollReport:
    """What one poll did."""

    sources: list[str] = field(default_factory=list)
    taken: list[Mail] = field(default_factory=list)
    again: int = 0
    """Messages already taken (by an earlier poll, or another poller): marked, not recorded twice."""
    failed: list[str] = field(default_factory=list)
    """Each message or source that could not be read or recorded, with why; left for the next poll."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "taken": [
                {
                    "id": m.id,
                    "message_id": m.message_id,
                    "state": m.state,
                    "case": m.case,
                    "rule": m.rule,
                    "reason": m.reason,
                    "from": m.sender,
                    "subject": m.subject,
                }
                for m in self.taken
            ],
            "already_taken": self.again,
            "failed": self.failed,
        }


def mailbox(desk: Desk) -> imap.Mailbox | None:
    """The desk's IMAP mailbox from its settings, ``None`` when it has none."""
    host = str(desk.setting("mail.imap_host")).strip()
    if not host:
        return None
    security = str(desk.setting("mail.imap_security"))
    port = int(desk.setting("mail.imap_port")) or imap.PORTS[security]
    return imap.Mailbox(host, port, security, str(desk.setting("mail.imap_folder")) or "INBOX")


def configured(desk: Desk) -> bool:
    return mailbox(desk) is not None or bool(str(desk.setting("mail.maildir")).strip())


def poll(desk: Desk) -> PollReport:
    """Read and take every waiting message of the desk's mailbox and Maildir. When the
    mailbox is all the desk has and it cannot be read (the server, TLS, the login),
    :class:`~workbench.mail.imap.MailboxError` says why."""
    box, folder = mailbox(desk), str(desk.setting("mail.maildir")).strip()
    if box is None and not folder:
        raise BadInput(
            "mail", "the desk has no mailbox: set mail.imap_host or mail.maildir (workbench settings)"
        )
    report = PollReport()
    if folder:
        maildir.check_maildir(folder)
        report.sources.append(f"maildir:{folder}")
        _take_each(desk, report, ((d.source, d.read, d.mark_taken) for d in maildir.waiting(folder)))
    if box is not None:
        report.sources.append(box.source)
        try:
            connection = imap.Connection(box)
        except imap.MailboxError as error:
            if not folder:
                raise
            report.failed.append(str(error))
        else:
            try:
                _take_each(
                    desk,
                    report,
                    (
                        (box.source, _bytes(m.raw), lambda m=m: connection.mark_taken(m))
                        for m in connection.waiting()
                    ),
                )
            except (OSError, imap.imaplib.IMAP4.error) as error:
                report.failed.append(
                    f"{box.source}: the connection failed ({error}); the rest waits for the next poll"
                )
            finally:
                connection.close()
    return report


def _bytes(raw: bytes) -> Callable[[], bytes]:
    return lambda: raw


def _take_each(
    desk: Desk, report: PollReport, messages: Iterator[tuple[str, Callable[[], bytes], Callable[[], None]]]
) -> None:
    for source, read, mark_taken in messages:
        try:
            incoming = read_message(read())
        except OSError as error:
            report.failed.append(f"{source}: a message could not be read ({error.strerror or error})")
            continue
        try:
            mail = desk.take_mail(incoming, source)
        except (DeskError, StoreError) as error:
            report.failed.append(
                f"{source}: {incoming.message_id} not recorded, left for the next poll: {error}"
            )
            continue
        if mail is None:
            report.again += 1
        else:
            report.taken.append(mail)
        mark_taken()
