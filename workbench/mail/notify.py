"""Notifications by e-mail (issue #21), sent by ``workbench run`` after each sweep: each
notice of :func:`workbench.desk.notifications.mail_notices` goes to its agent's address
(``agent edit HANDLE --email``) through the desk's SMTP server, from ``mail.from``.

``mail.notify`` chooses how: ``immediate`` (one message per notice), ``hourly`` (one digest per
agent at most once an hour of the desk clock: the first after ``workbench run`` starts, then
hourly) or ``off``. A notice is recorded on its case or workflow only once its message went,
so each is sent once (across restarts and two sweepers), and one that failed is retried
(:data:`attempts` tries, backing off) and again at the next sweep: every failure is logged,
none is lost silently."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Protocol

from workbench.desk.notifications import Notice, mail_notices, record_notice
from workbench.errors import BadInput, DeskError, StoreError
from workbench.mail.compose import new_notification_id
from workbench.mail.outbound import MailNotSent, SmtpServer, deliver, smtp_server

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

DIGEST_EVERY = timedelta(hours=1)
"""How often an agent gets a digest under ``mail.notify`` ``hourly``."""


class Stop(Protocol):
    """What ``workbench run`` stops on: waited on between tries."""

    def is_set(self) -> bool: ...

    def wait(self, seconds: float) -> bool: ...


class MailNotifier:
    """Tells agents by e-mail, sweep after sweep, for the life of one ``workbench run``."""

    def __init__(self, log: Callable[[str], None], attempts: int, retry_seconds: float) -> None:
        self.log = log
        self.attempts = attempts
        self.retry_seconds = retry_seconds
        self.last_digest: dict[str, datetime] = {}
        """When each agent's last digest went (``hourly``), by the desk clock."""
        self.said: set[str] = set()
        """Warnings already logged once (no SMTP server, an agent without an address)."""

    def notify(self, desk: Desk, stop: Stop) -> None:
        """Send what is due now; log what went, what failed and what waits."""
        mode = str(desk.setting("mail.notify"))
        if mode == "off":
            return
        try:
            server = smtp_server(desk)
        except BadInput as error:
            self._once(f"notifications by e-mail are not sent: {error}")
            return
        sender = str(desk.setting("mail.from") or "").strip()
        if server is None or not sender:
            missing = "an SMTP server (mail.smtp_host)" if server is None else "a sender (mail.from)"
            self._once(f"notifications by e-mail wait for {missing}")
            return
        try:
            notices = mail_notices(desk)
            addresses = {a.handle: a.email for a in desk.agents()}
        except (StoreError, DeskError) as error:
            self.log(f"notifications by e-mail not read, trying again at the next sweep: {error}")
            return
        by_agent: dict[str, list[Notice]] = {}
        for notice in notices:
            by_agent.setdefault(notice.handle, []).append(notice)
        for handle, pending in by_agent.items():
            if not addresses.get(handle):
                self._once(
                    f"{handle} has no e-mail address: told of nothing by e-mail (agent edit {handle} --email)"
                )
                continue
            if mode == "hourly":
                last = self.last_digest.get(handle)
                if last is not None and desk.now() - last < DIGEST_EVERY:
                    continue
                batches = [pending]
            else:
                batches = [[notice] for notice in pending]
            for batch in batches:
                if self._send(desk, server, sender, addresses[handle], batch, stop) and mode == "hourly":
                    self.last_digest[handle] = desk.now()
                if stop.is_set():
                    return

    def _send(
        self, desk: Desk, server: SmtpServer, sender: str, address: str, batch: list[Notice], stop: Stop
    ) -> bool:
        """One message of ``batch`` to ``address``, tried :attr:`attempts` times; each notice
        recorded once it went. Whether it went."""
        message = notice_message(desk, sender, address, batch)
        handle = batch[0].handle
        for attempt in range(1, self.attempts + 1):
            try:
                deliver(message, sender, [address], server)
            except MailNotSent as error:
                last = attempt == self.attempts
                then = "trying again at the next sweep" if last else "retrying"
                tries = f"try {attempt} of {self.attempts}"
                self.log(f"e-mail notification to {handle} failed ({tries}), {then}: {error}")
                if last or stop.wait(self.retry_seconds * 2 ** (attempt - 1)):
                    return False
                continue
            tz = desk.timezone()
            for notice in batch:
                try:
                    record_notice(desk, notice, "email", str(message["Message-ID"]))
                except (StoreError, DeskError) as error:
                    self.log(f"mailed but not recorded (may be sent again): {error}")
                self.log(f"notified {handle} by e-mail: {notice.text(tz)}")
            return True
        return False

    def _once(self, warning: str) -> None:
        if warning not in self.said:
            self.said.add(warning)
            self.log(warning)


def notice_message(desk: Desk, sender: str, address: str, batch: list[Notice]) -> EmailMessage:
    """The e-mail of one notice (its subject says it all) or of an agent's digest."""
    tz = desk.timezone()
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    if len(batch) == 1:
        notice = batch[0]
        due = f" due {notice.due.astimezone(tz):%Y-%m-%d %H:%M %Z}" if notice.due else ""
        message["Subject"] = f"[{notice.record}] {notice.what} ({notice.rule}){due}"
    else:
        message["Subject"] = f"Case Workbench: {len(batch)} notifications for {batch[0].handle}"
    message["Date"] = format_datetime(desk.now().astimezone(tz))
    message["Message-ID"] = new_notification_id(sender.rsplit("@", 1)[-1])
    name = str(desk.setting("desk.name") or "the desk")
    lines = [notice.text(tz) for notice in batch]
    footer = (
        f"Told by workbench run of {name}; times in the desk's time zone ({desk.setting('desk.timezone')}). "
        f"Open a case with: workbench case show ID"
    )
    message.set_content("\n".join([*lines, "", footer]) + "\n")
    return message
