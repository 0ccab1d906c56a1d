"""``workbench case …``: open, list, show, and the actions on a case's timeline."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workbench.cli.common import Output, parse_pairs, with_desk, words
from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import CaseView, Desk
    from workbench.model import Case


@click.group()
def case() -> None:
    """Cases: open, list, show, and the timeline actions."""


@case.command("new")
@click.option("--vendor", required=True)
@click.option("--customer", "customer_id", required=True)
@click.option("--subject", required=True)
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="A form answer.")
@click.option("--preview", is_flag=True, help="Show route, deadlines and findings; save nothing.")
@with_desk
def case_new(
    desk: Desk, vendor: str, customer_id: str, subject: str, fields: tuple[str, ...], preview: bool
) -> Output:
    """Open a case under VENDOR's program (see `case fields VENDOR` for its form)."""
    answers = parse_pairs(fields, "--field")
    if preview:
        shown = desk.preview_case(vendor, customer_id, subject, answers)
        parts = words(desk).preview(shown)
        text = [line for part in ("findings", "route", "deadlines") for line in _indented(parts[part])]
        return Output(shown.to_dict(), ["Preview:", *text])
    created = desk.open_case(vendor, customer_id, subject, answers)
    view = desk.view(created.id)
    return Output(view.to_dict(), _case_text(desk, view))


@case.command("fields")
@click.argument("vendor")
@with_desk
def case_fields(desk: Desk, vendor: str) -> Output:
    """The intake form of VENDOR's cases."""
    from workbench import render

    found = desk.case_fields(vendor)
    text = [
        f"{f.name:24} {f.kind:8} {render.requirement(f.required, f.when)}"
        + (f"  one of: {', '.join(f.choices)}" if f.choices else "")
        + (f"\n    {f.help}" if f.help else "")
        for f in found
    ]
    return Output([f.to_dict() for f in found], text)


@case.command("list")
@click.option("--vendor", default=None)
@click.option("--state", default=None)
@click.option("--queue", default=None)
@click.option("--customer", "customer_id", default=None)
@click.option("--text", default=None, help="Words in the subject or ID.")
@click.option("--all", "include_closed", is_flag=True, help="Closed cases too.")
@click.option("--breaching", is_flag=True, help="Only cases with a breached or at-risk deadline.")
@click.option("--assignee", default=None, metavar="HANDLE|me|none", help="An agent's cases, or unassigned.")
@click.option("--mine", is_flag=True, help="Your cases (--assignee me).")
@with_desk
def case_list(
    desk: Desk,
    vendor: str | None,
    state: str | None,
    queue: str | None,
    customer_id: str | None,
    text: str | None,
    include_closed: bool,
    breaching: bool,
    assignee: str | None,
    mine: bool,
) -> Output:
    """Cases, newest first (open ones unless --all or --state closed)."""
    from workbench.desk import next_running

    if mine:
        if assignee not in (None, "me"):
            raise BadInput("--mine", "is --assignee me: give one or the other")
        assignee = "me"
    found = desk.cases(
        assignee=_assignee(desk, assignee),
        vendor=vendor,
        state=state,
        queue=queue,
        text=text,
        customer_id=customer_id,
        open_only=not include_closed and state != "closed",
    )
    running = iter(desk.deadlines_for([c for c in found if c.is_open]))
    rows = []
    for c in found:
        deadlines = next(running) if c.is_open else c.outcomes
        urgent = [d for d in deadlines if d.state in ("breached", "at-risk")]
        if breaching and not urgent:
            continue
        # --breaching shows the deadline that put the case on the list (breached before at risk,
        # the earliest first), which may have stopped (a resolved case's) or not be the next due
        why = min(urgent, key=lambda d: (d.state != "breached", d.due is None, d.due)) if breaching else None
        rows.append((c, next_running(deadlines), why))

    def data() -> list[dict[str, Any]]:
        return [{**c.to_dict(), "next_deadline": d.to_dict() if d else None} for c, d, _ in rows]

    shown = words(desk)
    lines = []
    for c, next_due, why in rows:
        d = why or next_due
        lines.append(
            f"{c.id:7} {c.vendor:9} {c.state:14} {c.queue:18} {c.assignee or '-':10} {c.subject[:40]:40} "
            + (f"{d.name} {d.state} {shown.when(d.due)}" if d else "")
        )
    return Output(data, lines or ["no cases"])


def _assignee(desk: Desk, given: str | None) -> str | None:
    """``--assignee``: a handle, ``me`` (the agent you act as) or ``none`` (unassigned)."""
    if given is None:
        return None
    if given == "none":
        return ""
    if given == "me":
        me = desk.acting_agent()
        if me is None:
            raise BadInput("--assignee", "this desk has no agents: no case is yours (`workbench agent add`)")
        return me.handle
    return given


def _indented(lines: list[str]) -> list[str]:
    return ["  " + line if line else "" for line in lines]


def _case_text(desk: Desk, view: CaseView) -> list[str]:
    """The case as the case screen shows it, one titled part after another, then its history."""
    from workbench import render

    shown = words(desk)
    parts = {
        "route": shown.route(view.route),
        "deadlines": shown.deadlines(view.deadlines),
        "escalation": shown.escalation(view),
        "ball": shown.ball(view),
        "findings": shown.findings(view.findings),
        "answers": shown.answers(view.case, desk.case_fields(view.case.vendor)),
        "customer": shown.customer(view),
    }
    text = shown.case_head(view)
    for part, lines in parts.items():
        text += [f"{render.CASE_SECTIONS[part]}:", *_indented(lines)]
    return [*text, "History:", *_indented([line for e in view.events for line in shown.event(e)])]


@case.command("show")
@click.argument("case_id")
@with_desk
def case_show(desk: Desk, case_id: str) -> Output:
    """Route, path, deadlines, ladder, findings and history, each with its rule ID."""
    view = desk.view(case_id)
    return Output(view.to_dict(), _case_text(desk, view))


@case.command("timeline")
@click.argument("case_id")
@with_desk
def case_timeline(desk: Desk, case_id: str) -> Output:
    """SLA evidence: every clock start, pause, resume, met and breach, with counted minutes."""
    entries = desk.timeline(case_id)
    shown = words(desk)
    text = [
        f"{shown.time(e['at'])}  {e['deadline']:28} {e['what']:8} {e['counted_minutes']:>6} min"
        f"  on {e['calendar']} ({e['rule']})"
        for e in entries
    ]
    return Output([{**e, "at": e["at"].isoformat()} for e in entries], text or ["no clocks on this case"])


@case.command("evidence")
@click.argument("case_id")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "csv", "json"]), default="md", show_default=True
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write it to FILE.",
)
@with_desk
def case_evidence_pack(desk: Desk, case_id: str, fmt: str, output: str | None) -> Output:
    """The case's evidence pack for a vendor dispute (CORE-SLA-4): heading, every clock line
    with due time, minutes and ball holder, the messages; times in the desk's zone. (Technical
    evidence is attached with ``case attach``.)"""
    from workbench.documents import evidence_document

    pack = desk.evidence_pack(case_id)
    document = evidence_document(pack, fmt)
    if output is None:
        return Output(pack, document.rstrip("\n"))
    Path(output).write_text(document, encoding="utf-8")
    return Output(
        {"written": output, "format": fmt, "case": case_id},
        f"wrote the {fmt} evidence pack of {case_id} to {output}",
    )


case.add_command(
    click.Command(
        "evidence-pack",
        callback=case_evidence_pack.callback,
        params=case_evidence_pack.params,
        help="The same as `case evidence` (its earlier name).",
        hidden=True,
    )
)


def case_action(name: str, *params: Callable, text: str | None = "optional") -> Callable:
    """A ``case`` subcommand that acts on one case: ``CASE_ID``, then ``TEXT`` (``"optional"``,
    ``"required"`` or None for none), then ``params`` (click options and arguments, in order).

    The decorated function returns the changed case and what was done, printed as
    ``C-1 <what> (now <state>)``; with ``--json``, the case's whole view."""

    def decorate(act: Callable[..., tuple[Case, str]]) -> click.Command:
        @functools.wraps(act)
        def command(desk: Desk, **values: Any) -> Output:
            changed, what = act(desk, **values)
            return Output(desk.view(changed.id).to_dict(), f"{changed.id} {what} (now {changed.state})")

        built = with_desk(command)
        for param in reversed(params):
            built = param(built)
        if text is not None:
            built = click.argument("text", **({} if text == "required" else {"default": ""}))(built)
        return case.command(name)(click.argument("case_id")(built))

    return decorate


TRACK = click.option("--track", default="technical", type=click.Choice(["technical", "commercial"]))


MAIL = click.option(
    "--mail",
    is_flag=True,
    help="E-mail it, composed from the case: shown first, then sent through the desk's SMTP server "
    "(mail.smtp_host) or, without one, written as an .eml file; recorded with its Message-ID.",
)
YES = click.option(
    "--yes", is_flag=True, help="With --mail: send without asking (the message is still shown)."
)
EML = click.option(
    "--eml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --mail: write the message to FILE (a new file) for your mail program instead of sending it.",
)


def _mail_out(
    desk: Desk, case_id: str, purpose: str, text: str, yes: bool, eml: Path | None
) -> tuple[Case, str]:
    """Compose the case's message, show it, ask (unless ``yes``), then record the change with
    it and deliver it (:func:`workbench.mail.outbound.send`): SMTP, or an .eml file."""
    from workbench.cli.common import Context
    from workbench.mail.compose import compose
    from workbench.mail.outbound import destination, send
    from workbench.render import visible

    context = click.get_current_context().find_object(Context)
    as_json = context is not None and context.json
    if as_json and not yes:
        raise BadInput("--yes", "--json prints one document and cannot ask before sending: give --yes")
    composed = compose(desk, case_id, purpose, text)
    eml, where = destination(desk, composed, eml)
    if not as_json:
        click.echo(visible(f"{composed.preview()}\n\n({where})"), err=True)
    if not yes:
        click.confirm("Send it?" if eml is None else "Write it?", err=True, abort=True)
    changed, delivery = send(desk, composed, eml)
    return changed, delivery.done()


@case_action(
    "note",
    click.option("--to-customer", is_flag=True, help="A response to the customer (meets CORE-SLA-3)."),
    MAIL,
    YES,
    EML,
    text="required",
)
def case_note(
    desk: Desk, case_id: str, text: str, to_customer: bool, mail: bool, yes: bool, eml: Path | None
) -> tuple[Case, str]:
    """Add a note (internal, or a response to the customer; --mail e-mails the response)."""
    _mail_options(mail, yes, eml)
    if mail:
        if not to_customer:
            raise BadInput("--mail", "only a response to the customer is e-mailed: add --to-customer")
        changed, done = _mail_out(desk, case_id, "response", text, yes, eml)
        return changed, f"response {done}"
    changed = desk.note(case_id, text, to_customer=to_customer)
    return changed, "response recorded" if to_customer else "note added"


def _mail_options(mail: bool, yes: bool, eml: Path | None) -> None:
    if not mail and (yes or eml is not None):
        raise BadInput("--mail", "--yes and --eml go with --mail")


@case_action("send", MAIL, YES, EML)
def case_send(
    desk: Desk, case_id: str, text: str, mail: bool, yes: bool, eml: Path | None
) -> tuple[Case, str]:
    """Send the case to the vendor (the vendor holds the ball; vendor clocks start). With --mail,
    the vendor's request as an e-mail: Zoho's request (ZOHO-FORM-1), OnTime's escalation
    (ONTIME-ESC-2), BitTitan's ticket (BT-FORM-1)."""
    _mail_options(mail, yes, eml)
    if mail:
        changed, done = _mail_out(desk, case_id, "vendor", text, yes, eml)
        return changed, f"sent to the vendor: {done}"
    return desk.send_to_vendor(case_id, text), "sent to the vendor"


@case_action(
    "vendor-reply",
    click.option(
        "--milestone",
        default="",
        help="A label the vendor's rules may read: `case show` names those that meet a deadline; "
        "BitTitan reads 'pending' as BitTitan asking the desk (BT-PENDING-1).",
    ),
)
def case_vendor_reply(desk: Desk, case_id: str, text: str, milestone: str) -> tuple[Case, str]:
    """Record the vendor's answer (the ball comes back to the desk)."""
    return desk.vendor_reply(case_id, text, milestone), "vendor reply recorded"


@case_action("pending")
def case_pending(desk: Desk, case_id: str, text: str) -> tuple[Case, str]:
    """Wait on the customer (clocks that honour pauses stop)."""
    return desk.pending(case_id, text), "pending on the customer"


@case_action("reply")
def case_reply(desk: Desk, case_id: str, text: str) -> tuple[Case, str]:
    """Record the customer's reply (a pending case resumes)."""
    return desk.customer_reply(case_id, text), "customer reply recorded"


@case_action(
    "resolve",
    click.option(
        "--to-customer",
        is_flag=True,
        help="TEXT is the resolution sent to the customer: it meets a running first response (CORE-SLA-3).",
    ),
    MAIL,
    YES,
    EML,
)
def case_resolve(
    desk: Desk, case_id: str, text: str, to_customer: bool, mail: bool, yes: bool, eml: Path | None
) -> tuple[Case, str]:
    """Mark the case resolved (it stays open until closed; the desk's clocks stop); --mail
    e-mails the resolution to the customer."""
    _mail_options(mail, yes, eml)
    if mail:
        if not to_customer:
            raise BadInput("--mail", "only a resolution sent to the customer is e-mailed: add --to-customer")
        changed, done = _mail_out(desk, case_id, "resolve", text, yes, eml)
        return changed, f"resolved: {done}"
    return desk.resolve(case_id, text, to_customer=to_customer), "resolved"


@case_action(
    "attach", click.option("--kind", required=True, help="reproduction, patch or log"), text="required"
)
def case_attach(desk: Desk, case_id: str, text: str, kind: str) -> tuple[Case, str]:
    """Attach technical evidence (CORE-ESC-2): a reproduction, a patch or a log."""
    return desk.attach_evidence(case_id, kind, text), f"{kind} attached"


@case_action(
    "edit", click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", required=True), text=None
)
def case_edit(desk: Desk, case_id: str, fields: tuple[str, ...]) -> tuple[Case, str]:
    """Change form answers; the case is validated and routed again."""
    changed = desk.update_fields(case_id, parse_pairs(fields, "--field"))
    return changed, (
        f"updated: path {changed.path}, queue {changed.queue} — {changed.route_reason} ({changed.route_rule})"
    )


@case.command("escalate")
@click.argument("case_id")
@TRACK
@click.option("--reason", default="", help="Why, in words.")
@click.option("--owner", default="", help="The owner on the vendor's side, when known.")
@with_desk
def case_escalate(desk: Desk, case_id: str, track: str, reason: str, owner: str) -> Output:
    """Climb one level of the vendor's ladder, if its condition holds now."""
    changed = desk.escalate(case_id, track, reason, owner)
    last = changed.escalations[-1]
    view = desk.view(changed.id)
    allowed = view.events[-1]
    return Output(
        view.to_dict(),
        f"{changed.id} escalated to {track} level {last.level} ({last.role}) — allowed by {allowed.rule}: "
        f"{allowed.reason}",
    )


@case_action(
    "owner",
    click.argument("owner"),
    TRACK,
    click.option("--level", type=int, required=True, help="The escalation level the owner took."),
    text=None,
)
def case_owner(desk: Desk, case_id: str, owner: str, track: str, level: int) -> tuple[Case, str]:
    """Record the vendor-side owner of an escalation (e.g. named by Zoho, ZOHO-ESC-2)."""
    return desk.set_escalation_owner(case_id, track, level, owner), f"owner {owner} recorded"


@case_action("close", click.option("--reason", required=True, help="A closure reason of the case's vendor."))
def case_close(desk: Desk, case_id: str, reason: str, text: str) -> tuple[Case, str]:
    """Close with a reason from the vendor's list."""
    return desk.close(case_id, reason, text), f"closed ({reason})"


@case_action("reopen")
def case_reopen(desk: Desk, case_id: str, text: str) -> tuple[Case, str]:
    """Reopen a closed or resolved case."""
    return desk.reopen(case_id, text), "reopened"


NOTE = click.option("--note", default="", help="Why, or where the case stands.")


@case_action("assign", click.argument("handle"), NOTE, text=None)
def case_assign(desk: Desk, case_id: str, handle: str, note: str) -> tuple[Case, str]:
    """Assign the case to the agent HANDLE (a lead's change; CORE-TEAM-1/2)."""
    return _assigned(desk, desk.assign(case_id, handle, note))


@case_action("take", NOTE, text=None)
def case_take(desk: Desk, case_id: str, note: str) -> tuple[Case, str]:
    """Take the case yourself (an unassigned one; a lead takes any)."""
    return _assigned(desk, desk.take(case_id, note))


@case_action("release", NOTE, text=None)
def case_release(desk: Desk, case_id: str, note: str) -> tuple[Case, str]:
    """Give the case back: it is unassigned."""
    return _assigned(desk, desk.release(case_id, note))


@case_action(
    "handoff",
    click.argument("handle"),
    click.option("--note", required=True, help="Where the case stands, for the next agent."),
    text=None,
)
def case_handoff(desk: Desk, case_id: str, handle: str, note: str) -> tuple[Case, str]:
    """Hand the case off to the agent HANDLE with a note."""
    return _assigned(desk, desk.hand_off(case_id, handle, note))


def _assigned(desk: Desk, changed: Case) -> tuple[Case, str]:
    last = desk.events("cases", changed.id)[-1]
    who = f"assigned to {changed.assignee}" if changed.assignee else "unassigned"
    return changed, f"{who} — {last.reason} ({last.rule})"
