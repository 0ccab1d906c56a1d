"""Mail in (issue #21): each message the desk reads from its IMAP mailbox or Maildir is taken
once, by its Message-ID, and either recorded on the case it belongs to or put in the Inbox.

A message belongs to a case when it answers a message of the case (its In-Reply-To or
References name a message the desk sent on the case, or one it recorded there), or names the
case (``[C-12]`` in its subject or text, or ``C-12`` in its subject). On the case it is, by
who sent it:

- **the vendor's answer** — from a domain the vendor's plugin declares
  (``workbench_mail_domains``) — a vendor reply: the ball is back with the desk and the
  vendor's clock stops, exactly as ``case vendor-reply`` records it (CORE-SLA-4);
- **the customer's reply** — from the customer's domain or address (its e-mail, or one of its
  vendor attributes, such as Zoho's super-admin e-mail), or an address the case's form
  holds — a customer reply: a pending case resumes and the clocks that paused run again
  (CORE-SLA-1, CORE-SLA-3; BitTitan's clock on its ticket, BT-PENDING-1, reads it as it reads
  one recorded by hand);
- anyone else's, or a vendor answer the case's state does not take (not sent, pending): a
  note on the case, changing no clock.

A copy of a message the desk sent (its Message-ID is recorded on the case: a Bcc to the desk's
own mailbox, a sent folder) is taken and left on the case as it is. Every change is dated by
the desk clock; the message's Date header is kept as data, so a
message written before the case's last event never back-dates its history (CORE-AUDIT-1).
Whether the Message-ID was taken is checked again under the writer lock, in the transaction
that records it: two pollers at once, or a poll after a crash, take each message once.
Attachments are kept beside the desk up to ``mail.attachment_max_kb`` and listed on the case.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.desk import cases
from workbench.desk.records import key_number, record_event
from workbench.errors import BadInput, NotFound
from workbench.model import Attachment, Case, Customer, Mail

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.mail.inbound import Incoming
    from workbench.store.base import Transaction

ATTACHMENT_MAX_KB = "mail.attachment_max_kb"
UNSAFE_NAME = re.compile(r"[^\w.+ -]+")


@dataclass(frozen=True)
class Target:
    """The case a message belongs to, and how the desk knows."""

    case: str
    how: str


def is_taken(desk: Desk, message_id: str) -> bool:
    """Whether a message with this Message-ID was taken already."""
    return bool(desk.store.all("mail", match={"message_id": message_id}))


def take_mail(desk: Desk, incoming: Incoming, source: str) -> Mail | None:
    """Take one message: record it on its case, or put it in the Inbox; ``None`` when its
    Message-ID was taken already (by an earlier poll, or another poller just now)."""
    from workbench.mail.compose import case_of_message_id, is_desks_notification  # with mail only

    if is_taken(desk, incoming.message_id):
        return None
    target = find_case(desk, incoming)
    attachments = keep_attachments(desk, incoming)
    with desk.store.transaction() as tx:
        if is_taken(desk, incoming.message_id):
            return None
        mail = Mail(
            id=f"M-{tx.next_number('mail')}",
            message_id=incoming.message_id,
            received_at=desk.now(),
            source=source,
            sender=incoming.sender,
            sender_name=incoming.sender_name,
            to=incoming.to,
            subject=incoming.subject,
            date=incoming.date,
            date_header=incoming.date_header,
            in_reply_to=incoming.in_reply_to,
            references=incoming.references,
            text=incoming.text,
            attachments=attachments,
            problems=incoming.problems,
        )
        own = case_of_message_id(mail.message_id)
        record = tx.get("cases", target.case) if target else None
        if own and _sent_on(desk, own, mail.message_id):
            mail.state, mail.case, mail.rule = "filed", own, "CORE-AUDIT-1"
            mail.reason = (
                f"the desk's own message, recorded on {own} when it was sent: the case is not changed"
            )
        elif is_desks_notification(mail.message_id, mail.sender, str(desk.setting("mail.from") or "")):
            mail.state, mail.rule = "dismissed", "CORE-AUDIT-1"
            mail.reason = "the desk's own notification to an agent, come back: nothing to record"
        elif target is not None and record is not None:
            _record_on_case(desk, tx, mail, Case.from_dict(record), target.how)
        else:
            mail.reason = (
                f"{target.case} is named but is not a case of this desk; nothing else ties it to one"
                if target
                else "it names no case and answers no message of a case"
            )
        tx.put("mail", mail.id, mail.to_dict())
        record_event(
            desk,
            tx,
            "mail",
            mail.id,
            "take",
            None,
            {"state": mail.state, "case": mail.case, "message_id": mail.message_id, "source": source},
            rule=mail.rule,
            reason=mail.reason,
        )
    return mail


def _record_on_case(desk: Desk, tx: Transaction, mail: Mail, case: Case, how: str) -> None:
    """Record ``mail`` on ``case`` as the vendor's answer, the customer's reply or a note,
    in the transaction ``tx`` (see the module's docstring)."""
    facts = mail_facts(mail)
    sender = sender_of(desk, case, mail.sender)
    domain = mail.sender.rpartition("@")[2]
    vendor_name = desk.programs()[case.vendor].name if case.vendor in desk.programs() else case.vendor
    if sender == "vendor" and case.state in cases.ALLOWED_FROM["vendor-reply"] and case.sent_at is not None:
        rule = "CORE-SLA-4"
        reason = (
            f"{how}; from {domain}, a domain {vendor_name} answers from: {vendor_name}'s answer, "
            "the ball is back with the desk"
        )
        cases.vendor_reply(desk, case.id, mail.text, mail=facts, rule=rule, reason=reason, tx=tx)
    elif sender == "customer":
        rule = "CORE-SLA-3"
        reason = f"{how}; from the customer ({mail.sender}): the customer's reply" + (
            ", waiting on the customer ends" if case.state == "pending" else ""
        )
        cases.customer_reply(desk, case.id, mail.text, mail=facts, rule=rule, reason=reason, tx=tx)
    else:
        rule = "CORE-AUDIT-1"
        if sender == "vendor":
            why = f"from {vendor_name} ({domain}), but the case is {case.state}" + (
                ", never sent to the vendor" if case.sent_at is None else ""
            )
        else:
            why = f"from {mail.sender or 'an unreadable sender'}, neither {vendor_name} nor the customer"
        reason = f"{how}; {why}: recorded as a note, no clock changes"
        cases.note(desk, case.id, mail.text, mail=facts, rule=rule, reason=reason, tx=tx)
    mail.state, mail.case, mail.rule, mail.reason = "filed", case.id, rule, reason


def mail_facts(mail: Mail) -> dict[str, Any]:
    """What a case's event keeps of the message it records, under ``data["mail"]`` as for a
    message the desk sent (its text is the event's text)."""
    return {
        "mail": {
            "id": mail.id,
            "direction": "in",
            "message_id": mail.message_id,
            "from": mail.sender,
            "subject": mail.subject,
            "date": mail.date_header,
            "attachments": [a.to_dict() for a in mail.attachments],
        }
    }


def sender_of(desk: Desk, case: Case, sender: str) -> str:
    """Who ``sender`` is to ``case``: ``vendor`` (a domain the vendor's plugin declares),
    ``customer`` (the customer's domain or e-mail, an address among its vendor attributes
    such as Zoho's super-admin e-mail, or an address the case's form holds) or ``other``."""
    domain = sender.rpartition("@")[2]
    if not domain:
        return "other"
    declared = desk.plugins.first("workbench_mail_domains", vendor=case.vendor, desk=desk) or []
    if any(_within(domain, d) for d in declared):
        return "vendor"
    customer = desk.customer_of(case)
    if customer is not None and _is_customer(customer, sender):
        return "customer"
    if any(isinstance(v, str) and v.strip().lower() == sender for v in case.fields.values()):
        return "customer"
    return "other"


def _within(domain: str, declared: str) -> bool:
    declared = declared.strip().lower().lstrip("@")
    return bool(declared) and (domain == declared or domain.endswith("." + declared))


def _is_customer(customer: Customer, sender: str) -> bool:
    domain = sender.rpartition("@")[2]
    attributes = [v for v in customer.attributes.values() if isinstance(v, str) and "@" in v]
    addresses = {a.strip().lower() for a in [customer.email, *attributes]} - {""}
    return sender in addresses or _within(domain, customer.domain)


def find_case(desk: Desk, incoming: Incoming) -> Target | None:
    """The case ``incoming`` belongs to: a message it answers (recorded on a case, or sent
    by the desk on one), else a case it names; ``None`` for neither."""
    from workbench.mail.compose import case_of_message_id

    for reference in incoming.answers():
        for record in desk.store.all("mail", match={"message_id": reference}):
            if record.get("case"):
                return Target(record["case"], f"it answers {reference}, recorded on {record['case']}")
        sent = case_of_message_id(reference)
        if sent and _sent_on(desk, sent, reference):
            return Target(sent, f"it answers {reference}, the desk's message on {sent}")
    for key in incoming.case_ids():
        if desk.store.get("cases", key) is not None:
            return Target(key, f"it names {key}")
    named = incoming.case_ids()
    return Target(named[0], f"it names {named[0]}") if named else None


def _sent_on(desk: Desk, key: str, message_id: str) -> bool:
    """Whether the case's history records a message the desk sent with this Message-ID (a
    made-up reference that only looks like the desk's threads nothing)."""
    if desk.store.get("cases", key) is None:
        return False
    for event in desk.store.events("cases", key):
        mail = (event.get("data") or {}).get("mail")
        if isinstance(mail, dict) and mail.get("message_id") == message_id:
            return True
    return False


# -- attachments ------------------------------------------------------------------------------


def attachments_folder(desk: Desk) -> Path:
    """Where the desk keeps attachments: beside the desk file (``desk.json.attachments``);
    for a desk in PostgreSQL, in the user data folder under the desk's location."""
    path = getattr(desk.store, "path", None)
    if isinstance(path, str):
        return Path(path + ".attachments")
    import hashlib

    from workbench.store import default_path

    digest = hashlib.sha256(desk.store.location.encode()).hexdigest()[:16]
    return default_path().parent / "attachments" / digest


def keep_attachments(desk: Desk, incoming: Incoming) -> list[Attachment]:
    """Keep each attachment of ``incoming`` up to the size limit, in a folder of its own
    named by its Message-ID (so a poll after a crash writes the same files again), private
    to the user; a larger one is listed with why it was not kept."""
    import hashlib

    limit = int(float(desk.setting(ATTACHMENT_MAX_KB)) * 1024)
    folder_name = hashlib.sha256(incoming.message_id.encode()).hexdigest()[:24]
    kept: list[Attachment] = []
    for number, file in enumerate(incoming.files, 1):
        size = len(file.data)
        if size > limit:
            kept.append(
                Attachment(
                    file.name,
                    file.content_type,
                    size,
                    reason=f"not kept: {size} bytes is over {ATTACHMENT_MAX_KB} ({limit // 1024} KiB)",
                )
            )
            continue
        relative = f"{folder_name}/{number}-{safe_name(file.name)}"
        _write_private(attachments_folder(desk) / relative, file.data)
        kept.append(Attachment(file.name, file.content_type, size, path=relative))
    return kept


def safe_name(name: str) -> str:
    """A file name from a message as one safe name in a folder: no path, no control
    character, no leading dot, at most 100 characters."""
    base = UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return base[:100] or "attachment"


def _write_private(path: Path, data: bytes) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (path.parent, path.parent.parent):
        os.chmod(folder, 0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- the Inbox --------------------------------------------------------------------------------


def mail(desk: Desk, key: str) -> Mail:
    record = desk.store.get("mail", key)
    if record is None:
        raise NotFound("message", key)
    return Mail.from_dict(record)


def inbox(desk: Desk, everything: bool = False) -> list[Mail]:
    """The messages in the Inbox (``everything``: every message taken), newest first."""
    records = desk.store.all("mail") if everything else desk.store.all("mail", match={"state": "inbox"})
    found = [Mail.from_dict(r) for r in records]
    found.sort(key=lambda m: key_number(m.id), reverse=True)
    return found


@dataclass(frozen=True)
class Prefill:
    """What a case opened from a message starts with: the customer (by the sender's
    address or domain), the subject and the vendor's form answers the message gives."""

    customer_id: str
    subject: str
    fields: dict[str, Any]
    how: list[str]
    """How each value was found, in words."""


REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr|sv|vs)\s*:\s*)+", re.IGNORECASE)


def prefill(desk: Desk, key: str, vendor: str | None = None) -> Prefill:
    """The case a message of the Inbox would open (see :class:`Prefill`)."""
    message = mail(desk, key)
    how = []
    customer_id = ""
    domain = message.sender.rpartition("@")[2]
    for record in desk.store.all("customers"):
        customer = Customer.from_dict(record)
        if domain and _is_customer(customer, message.sender):
            customer_id = customer.id
            how.append(f"customer {customer.id} by the sender {message.sender}")
            break
    subject = REPLY_PREFIX.sub("", message.subject).strip()
    fields: dict[str, Any] = {}
    if vendor is not None:
        program = desk.programs().get(vendor)
        description = program.description_field if program else "description"
        for field in desk.case_fields(vendor):
            if field.name == description and message.text:
                fields[field.name] = message.text
                how.append(f"{field.name} from the message's text")
            elif (
                field.kind == "email" and field.name in ("customer_email", "account_email") and message.sender
            ):
                fields[field.name] = message.sender
                how.append(f"{field.name} from the sender")
    return Prefill(customer_id, subject, fields, how)


def open_case_from_mail(
    desk: Desk, key: str, vendor: str, customer_id: str, subject: str, fields: dict[str, Any]
) -> Case:
    """Open a case from a message of the Inbox and record the message on it, in one
    transaction: the message leaves the Inbox only with its case saved."""
    found = mail(desk, key)
    if found.state != "inbox":
        raise BadInput("message", _not_in_inbox(found))
    with desk.store.transaction() as tx:
        record = tx.get("mail", key)
        fresh = Mail.from_dict(record)
        if fresh.state != "inbox":
            raise BadInput("message", _not_in_inbox(fresh))
        case = desk.open_case(vendor, customer_id, subject, fields, tx=tx)
        reason = f"the case was opened from {key}"
        cases.note(
            desk, case.id, fresh.text, mail=mail_facts(fresh), rule="CORE-AUDIT-1", reason=reason, tx=tx
        )
        fresh.state, fresh.case, fresh.rule, fresh.reason = "filed", case.id, "CORE-AUDIT-1", reason
        tx.put("mail", key, fresh.to_dict())
        record_event(
            desk, tx, "mail", key, "open-case", {"state": "inbox"}, {"state": "filed", "case": case.id}
        )
    return case


def dismiss_mail(desk: Desk, key: str, text: str = "") -> Mail:
    """Set a message of the Inbox aside (spam, a newsletter): it stays recorded, out of the Inbox."""
    with desk.store.transaction() as tx:
        record = tx.get("mail", key)
        if record is None:
            raise NotFound("message", key)
        found = Mail.from_dict(record)
        if found.state != "inbox":
            raise BadInput("message", _not_in_inbox(found))
        found.state, found.reason = "dismissed", text.strip() or "set aside from the Inbox"
        tx.put("mail", key, found.to_dict())
        record_event(
            desk, tx, "mail", key, "dismiss", {"state": "inbox"}, {"state": "dismissed"}, data={"text": text}
        )
    return found


def _not_in_inbox(found: Mail) -> str:
    where = f"recorded on {found.case}" if found.state == "filed" else "set aside"
    return f"{found.id} is not in the Inbox: it is {where}"
