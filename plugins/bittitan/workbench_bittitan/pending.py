"""Pending tickets: two reminders, then the automatic close (BT-PENDING-1).

The pending clock runs on the wall clock (BitTitan's system sends the e-mails every day)
from the moment the case went pending, ``case.pauses[-1]["start"]``. A customer reply ends
that pause and opens the case, so the clock stops; the next pending spell starts afresh.

Each sweep proposes only the latest stage due, keyed by the pending spell and the stage:

- from 72 h: the close with reason ``pending-timeout``, and no reminder with it;
- from the second reminder's hour (48 h): the second reminder only — a late sweep does not
  send a first reminder the customer should have had a day earlier;
- from the first reminder's hour (24 h): the first reminder.

The desk applies a key once, so a sweep run twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DeskReader
from workbench.model import Action, Case
from workbench_bittitan.sla import shown

CLOSE_AFTER = timedelta(hours=72)
TIMEOUT = "pending-timeout"
REMINDERS = (1, 2)


def pending_since(case: Case) -> datetime | None:
    """When the case went pending, while it still is."""
    if case.state != "pending" or not case.pauses or case.pauses[-1].get("end"):
        return None
    return datetime.fromisoformat(case.pauses[-1]["start"])


def reminder_hours(desk: DeskReader, number: int) -> float:
    """Hours pending before reminder ``number`` (1 or 2), from the desk settings."""
    name = "first" if number == 1 else "second"
    return float(desk.setting(f"bittitan.{name}_reminder_hours"))


def sweep(case: Case, desk: DeskReader, now: datetime) -> list[Action]:
    since = pending_since(case)
    if since is None:
        return []
    key = f"bt-pending:{case.pauses[-1]['start']}"
    closes_at = since + CLOSE_AFTER
    waited = now - since
    if waited >= CLOSE_AFTER:
        return [Action("close", f"{key}:close", "BT-PENDING-1",
                       f"pending on the customer since {shown(desk, since)} with no reply for 72 "
                       f"hours (due {shown(desk, closes_at)}): closed automatically",
                       {"reason": TIMEOUT, "pending_since": since.isoformat(),
                        "due": closes_at.isoformat()})]
    due = [number for number in REMINDERS
           if waited >= timedelta(hours=reminder_hours(desk, number))]
    if not due:
        return []
    number = due[-1]
    to = str(case.fields.get("account_email", ""))
    return [Action("reminder", f"{key}:reminder-{number}", "BT-PENDING-1",
                   f"reminder {number} of 2 to {to}: no reply for "
                   f"{reminder_hours(desk, number):g} hours; the ticket closes "
                   f"{shown(desk, closes_at)}",
                   {"to": to, "reminder": number, "pending_since": since.isoformat(),
                    "closes_at": closes_at.isoformat(),
                    "email": reminder_email(case, desk, number, since, closes_at)})]


def reminder_email(case: Case, desk: DeskReader, number: int, since: datetime,
                   closes_at: datetime) -> str:
    """The reminder to the ticket address, ready to copy: Japanese first, then English."""
    customer = desk.customer(case.customer_id).name
    last = number == len(REMINDERS)
    subject_ja = "最終のご確認" if last else "ご返信のお願い"
    subject_en = "last reminder" if last else "reminder"
    return "\n".join([
        f"To: {case.fields.get('account_email', '')}",
        f"Subject: [{case.id}] {subject_ja} / {subject_en}: {case.subject}",
        "",
        f"{customer} ご担当者様",
        "",
        f"お問い合わせ「{case.subject}」({case.id}) について、{shown(desk, since)} より"
        "お客様からのご返信をお待ちしております。",
        f"{shown(desk, closes_at)} までにご返信がない場合、本チケットは自動的にクローズされます。",
        "このメールにご返信いただければ、引き続き対応いたします。",
        "",
        f"Dear {customer},",
        "",
        f"We have been waiting for your reply on \"{case.subject}\" ({case.id}) since "
        f"{shown(desk, since)}.",
        f"Without a reply by {shown(desk, closes_at)}, the ticket closes automatically.",
        "Reply to this e-mail and we carry on.",
        "",
        str(desk.setting("desk.name")),
    ])
