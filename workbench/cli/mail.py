"""``workbench mail …``: the desk's mail in — poll the mailbox, the Inbox, a message, and
opening a case from one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, parse_pairs, with_desk, words

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.mail.poll import PollReport


@click.group()
def mail() -> None:
    """The desk's mail in: poll the mailbox, the Inbox, open a case from a message."""


@mail.command("poll")
@with_desk
def mail_poll(desk: Desk) -> Output:
    """Read the desk's IMAP mailbox and Maildir once: each new message is recorded on its case
    (the vendor's answer, the customer's reply, or a note) or put in the Inbox."""
    from workbench.mail.poll import poll

    report = poll(desk)
    return Output(report.to_dict(), poll_lines(desk, report))


def poll_lines(desk: Desk, report: PollReport) -> list[str]:
    """What a poll did, a line per message (shared with ``workbench run``'s log)."""
    say = words(desk)
    lines = []
    for taken in report.taken:
        where = {
            "filed": f"on {taken.case} {taken.rule}",
            "dismissed": f"dismissed {taken.rule}",
        }.get(taken.state, "into the Inbox")
        sender, subject = say.data(taken.sender or "?"), say.data(taken.subject)
        lines.append(f"{taken.id} {where}: {sender} “{subject}” — {say.data(taken.reason)}")
    if report.again:
        lines.append(f"{report.again} already taken (by an earlier poll or another poller)")
    lines += [f"failed: {say.data(problem)}" for problem in report.failed]
    return lines or [f"no new mail in {', '.join(report.sources)}"]


@mail.command("list")
@click.option("--all", "everything", is_flag=True, help="Every message taken, not only the Inbox.")
@with_desk
def mail_list(desk: Desk, everything: bool) -> Output:
    """The Inbox: messages that belong to no case yet, newest first."""
    found = desk.inbox(everything=everything)
    say = words(desk)
    text = [say.mail_row(m) for m in found] or [
        "the Inbox is empty" if not everything else "no mail taken yet"
    ]
    return Output(lambda: [_summary(m) for m in found], text)


def _summary(found) -> dict:
    record = found.to_dict()
    record.pop("text")
    return record


@mail.command("show")
@click.argument("key")
@with_desk
def mail_show(desk: Desk, key: str) -> Output:
    """One message as the desk took it, with where it went and why."""
    found = desk.mail(key)
    lines = words(desk).mail(found)
    if any(a.path for a in found.attachments):
        lines.insert(1, f"Attachments kept in {words(desk).data(desk.attachments_folder())}")
    return Output(found.to_dict(), lines)


@mail.command("open")
@click.argument("key")
@click.option("--vendor", required=True, help="The vendor program the case is opened under.")
@click.option(
    "--customer", "customer_id", help="The customer (default: found by the sender's address or domain)."
)
@click.option("--subject", help="The case's subject (default: the message's, without Re:/Fwd:).")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="KEY=VALUE",
    help="A form answer (beside those the message gives).",
)
@with_desk
def mail_open(
    desk: Desk, key: str, vendor: str, customer_id: str | None, subject: str | None, fields: tuple[str, ...]
) -> Output:
    """Open a case from message KEY of the Inbox: the vendor's form pre-filled from the
    message (customer by its sender, subject, description), and the message recorded on it."""
    from workbench.errors import BadInput

    prefill = desk.mail_prefill(key, vendor)
    chosen = customer_id or prefill.customer_id
    if not chosen:
        raise BadInput(
            "--customer", f"no customer has the sender's address or domain of {key}: give --customer"
        )
    answers = {**prefill.fields, **parse_pairs(fields, "--field")}
    case = desk.open_case_from_mail(key, vendor, chosen, subject or prefill.subject, answers)
    view = desk.view(case.id)
    say = words(desk)
    return Output(
        view.to_dict(),
        [
            f"{case.id} opened from {key} ({'; '.join(prefill.how) or 'nothing pre-filled'})",
            *say.case_head(view),
        ],
    )


@mail.command("dismiss")
@click.argument("key")
@click.option("--note", default="", help="Why it is set aside.")
@with_desk
def mail_dismiss(desk: Desk, key: str, note: str) -> Output:
    """Set message KEY aside (spam, a newsletter): it stays recorded, out of the Inbox."""
    found = desk.dismiss_mail(key, note)
    return Output(found.to_dict(), f"{found.id} set aside: {words(desk).data(found.reason)}")
