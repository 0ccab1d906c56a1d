"""A message composed from a case: the vendor's plugin (or the core, for the customer)
drafts it (hook ``workbench_compose_mail``), and the desk makes it an e-mail that threads
onto the case: ``[C-12]`` in the subject, a Message-ID that carries the case ID
(``<C-12.…@domain>``), ``In-Reply-To`` / ``References`` to the desk's earlier messages on the
case, and the date of the desk clock."""

from __future__ import annotations

import mimetypes
import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.desk.cases import state_refusal
from workbench.desk.records import check_in_time_order
from workbench.errors import BadInput, Refused
from workbench.model import MAIL_PURPOSES, Decision, MailDraft

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.model import Case

ACTIONS = {"vendor": "send", "response": "respond", "resolve": "resolve"}
"""The case action each purpose records (the event the message is recorded on)."""

MESSAGE_ID = re.compile(r"<(?P<case>[A-Z]+-\d+)\.[0-9a-z]+\.[0-9a-f]+@[^>]+>")
"""A Message-ID the desk made: the case ID first, so a reply's ``In-Reply-To`` or
``References`` names its case even when the subject was changed."""

SUBJECT_TAG = re.compile(r"\[(?P<case>[A-Z]+-\d+)\]")
"""The case ID in a subject: ``[C-12]``."""

LARGEST_ATTACHMENT = 20_000_000
"""The largest file the desk attaches: most mail servers refuse a message over 25 MB."""

EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


@dataclass(frozen=True)
class Composed:
    """A message ready to send, and what recording it on its case needs."""

    case_id: str
    purpose: str
    text: str
    """What the agent wrote: the text of the case's event (and in the message)."""
    message: EmailMessage
    draft: MailDraft

    @property
    def action(self) -> str:
        return ACTIONS[self.purpose]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def sender(self) -> str:
        """The envelope sender: the address of ``From``."""
        return self.message["From"].addresses[0].addr_spec

    @property
    def recipients(self) -> list[str]:
        return [*self.draft.to, *self.draft.cc]

    def record(self, channel: str, path: str = "") -> dict[str, Any]:
        """What the case's event keeps of the message (``data["mail"]``): enough to thread a
        reply onto the case and to show what went where; ``channel`` ``smtp`` or ``eml``."""
        kept = {
            "message_id": self.message_id,
            "from": str(self.message["From"]),
            "to": self.draft.to,
            "cc": self.draft.cc,
            "subject": str(self.message["Subject"]),
            "rule": self.draft.rule,
            "channel": channel,
        }
        return {**kept, "path": path} if path else kept

    def preview(self) -> str:
        """The message as it will go out: its headers, a blank line, its text."""
        shown = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To"]
        head = [f"{name}: {self.message[name]}" for name in shown if self.message[name]]
        why = f"({self.draft.rule}: {self.draft.reason})"
        attached = [f"Attached: {Path(p).name}" for p in self.draft.attachments]
        body = self.message.get_body(("plain",))
        text = body.get_content().rstrip("\n") if body is not None else ""
        return "\n".join([*head, *attached, why, "", text])


def compose(desk: Desk, case_id: str, purpose: str, text: str = "") -> Composed:
    """The message of ``purpose`` for case ``case_id`` (see
    :data:`workbench.model.MAIL_PURPOSES`), as it will be sent. What the change itself would
    refuse is refused before anything is shown: the case's state, a change dated before its
    last event (CORE-AUDIT-1), and for the vendor its check before sending
    (``workbench_check_send``). A plugin's refusal is raised as :class:`Refused` (its rule,
    what is missing); a draft with no valid recipient or sender is
    bad input naming the setting to fix."""
    if purpose not in MAIL_PURPOSES:
        raise BadInput("purpose", f"{purpose!r} is not one of {', '.join(MAIL_PURPOSES)}")
    case = desk.case(case_id)
    action = ACTIONS[purpose]
    if action not in desk.case_actions(case):
        raise state_refusal(case, action)
    check_in_time_order(desk, "cases", case.id)
    if purpose == "vendor":
        allowed = desk.plugins.first("workbench_check_send", case=case, desk=desk, now=desk.now())
        if allowed is not None and not allowed.allowed:
            raise Refused(allowed)
    answer = desk.plugins.first("workbench_compose_mail", case=case, purpose=purpose, text=text, desk=desk)
    if answer is None:
        program = desk.program(case.vendor).name
        raise Refused(
            Decision(False, "CORE-PATH-1", f"{program} takes no e-mail the desk composes for this case")
        )
    if isinstance(answer, Decision):
        raise Refused(answer)
    return Composed(case.id, purpose, text, _message(desk, case, answer), answer)


def _message(desk: Desk, case: Case, draft: MailDraft) -> EmailMessage:
    sender = draft.sender or str(desk.setting("mail.from") or "").strip()
    if not sender:
        raise BadInput(
            "mail.from",
            "the desk has no sender address: set one (workbench settings mail.from desk@your-domain)",
        )
    for address in [sender, *draft.to, *draft.cc]:
        if not EMAIL.match(address):
            raise BadInput("address", f"{address!r} is not an e-mail address ({draft.rule})")
    if not draft.to:
        raise BadInput("to", f"the message has no recipient ({draft.rule})")
    message = EmailMessage()
    local, domain = sender.rsplit("@", 1)
    message["From"] = Address(draft.sender_name, local, domain) if draft.sender_name else sender
    message["To"] = ", ".join(draft.to)
    if draft.cc:
        message["Cc"] = ", ".join(draft.cc)
    message["Subject"] = f"[{case.id}] {_one_line(draft.subject)}"
    message["Date"] = format_datetime(desk.now().astimezone(desk.timezone()))
    message["Message-ID"] = new_message_id(case.id, domain, desk)
    earlier = sent_message_ids(desk, case.id)
    if earlier:
        message["In-Reply-To"] = earlier[-1]
        message["References"] = " ".join(earlier[-10:])
    message["X-Workbench-Case"] = case.id
    message.set_content(draft.body)
    for path in draft.attachments:
        _attach(message, Path(path).expanduser(), draft.rule)
    return message


def _attach(message: EmailMessage, path: Path, rule: str) -> None:
    if not path.is_file():
        raise BadInput("attachments", f"{path} is not a file to attach ({rule})")
    if path.stat().st_size > LARGEST_ATTACHMENT:
        raise BadInput(
            "attachments", f"{path} is over {LARGEST_ATTACHMENT // 1_000_000} MB, more than mail servers take"
        )
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    main, sub = kind.split("/", 1)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise BadInput("attachments", f"{path} cannot be read: {error.strerror}") from None
    message.add_attachment(content, maintype=main, subtype=sub, filename=path.name)


def _one_line(text: str) -> str:
    """A subject on one line, without control characters (no header can be injected)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def new_message_id(case_id: str, domain: str, desk: Desk) -> str:
    """``<C-12.<desk time, base 36>.<random>@domain>``: unique, and names its case."""
    stamp = _base36(int(desk.now().timestamp() * 1000))
    return f"<{case_id}.{stamp}.{secrets.token_hex(8)}@{domain.lower()}>"


NOTIFICATION_ID = re.compile(r"<notify\.[0-9a-f]{20}@[^<>@\s]+>")


def new_notification_id(domain: str) -> str:
    """``<notify.<random>@domain>``: the Message-ID of a notification to an agent."""
    return f"<notify.{secrets.token_hex(10)}@{domain.lower()}>"


def is_desks_notification(message_id: str, sender: str, desk_sender: str) -> bool:
    """Whether a message is one of the desk's own notifications to its agents (come back
    through a copy, a forward or a mailbox shared with the desk): its Message-ID is one the
    desk makes for notifications and it is from the desk's own address."""
    own_address = bool(desk_sender) and sender.strip().lower() == desk_sender.strip().lower()
    return own_address and NOTIFICATION_ID.fullmatch(message_id.strip()) is not None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def case_of_message_id(message_id: str) -> str | None:
    """The case a Message-ID the desk made belongs to (``<C-12.….@…>`` → ``C-12``)."""
    found = MESSAGE_ID.fullmatch(message_id.strip())
    return found["case"] if found else None


def case_of_subject(subject: str) -> str | None:
    """The case ID a subject carries in brackets (``Re: [C-12] …`` → ``C-12``)."""
    found = SUBJECT_TAG.search(subject)
    return found["case"] if found else None


def sent_message_ids(desk: Desk, case_id: str) -> list[str]:
    """The Message-IDs of the messages recorded on the case, oldest first."""
    return [e.data["mail"]["message_id"] for e in desk.events("cases", case_id) if e.data.get("mail")]
