"""Reading cases (one, a filtered list, the full view) and the actions on a case's timeline:
notes and responses, sending to the vendor and its reply, pending on the customer, resolve,
evidence, close and reopen. Every action changes the freshest copy of the case under the
store's lock and records an event (:func:`change_case`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from workbench.desk import agents
from workbench.desk.records import check_view, diff, key_number, record_event
from workbench.desk.values import EVIDENCE_KINDS
from workbench.desk.views import (
    CaseView,
)
from workbench.errors import BadInput, NotFound, Refused
from workbench.model import (
    CASE_STATES,
    Case,
    CloseReason,
    Deadline,
    Decision,
    Event,
    Route,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.store.base import Transaction


UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, OverflowError)
"""What reading a damaged or unexpected record raises: a listing leaves such a record out,
naming it (``Desk.unreadable``), and shows the others."""


def case(desk: Desk, key: str) -> Case:
    record = desk.store.get("cases", key)
    if record is None:
        raise NotFound("case", key)
    return Case.from_dict(record)


def cases(
    desk: Desk,
    vendor: str | None = None,
    state: str | None = None,
    queue: str | None = None,
    text: str | None = None,
    customer_id: str | None = None,
    open_only: bool = False,
    sent_within: tuple[datetime, datetime] | None = None,
    assignee: str | None = None,
) -> list[Case]:
    """Cases matching every filter given, newest first; with ``sent_within`` only those
    first sent to the vendor after its first instant, at or before its second; ``assignee``
    is an agent's handle, or ``""`` for the unassigned cases. The store reads only what can
    match: a customer's cases, or the cases sent in the window, are found through its
    indexes, not by reading every case (BT-SAFE-1, ZOHO-HOWTO-1)."""
    if vendor is not None:
        desk.program(vendor)
    if customer_id is not None:
        desk.customer(customer_id)
    if state is not None and state not in CASE_STATES:
        raise BadInput("state", f"{state!r} is not a case state ({', '.join(CASE_STATES)})")
    if assignee:
        desk.agent(assignee)
    needle = text.lower() if text else None
    fields = {
        "customer_id": customer_id,
        "vendor": vendor,
        "state": state,
        "queue": queue,
        "assignee": assignee,
    }
    match = {name: value for name, value in fields.items() if value}
    found = []
    within = ("sent_at", *sent_within) if sent_within is not None else None
    for record in desk.store.all("cases", closed=not open_only, match=match, within=within):
        try:
            if needle and needle not in record["subject"].lower() and needle not in record["id"].lower():
                continue
            if assignee == "" and record.get("assignee"):
                continue
            found.append(Case.from_dict(record))
        except UNREADABLE as exc:
            desk.unreadable[f"case {record.get('id', '?')}"] = f"{type(exc).__name__}: {exc}"
    found.sort(key=lambda c: key_number(c.id), reverse=True)
    return found


def unworkable_cases(desk: Desk) -> dict[str, str]:
    """Every case the desk cannot work out (read it, its deadlines, who held the ball), each
    with why: what `workbench doctor` names, and what a listing leaves out."""
    found = desk.cases()
    desk.deadlines_for([c for c in found if c.is_open])
    for case in found:
        try:
            desk.ball_minutes(case, desk.events("cases", case.id))
        except UNREADABLE as exc:
            desk.unreadable[f"case {case.id}"] = f"{type(exc).__name__}: {exc}"
    return dict(desk.unreadable)


def close_reasons(desk: Desk, case: Case) -> list[CloseReason]:
    return desk.plugins.first("workbench_close_reasons", case=case, desk=desk) or []


def view(desk: Desk, key: str) -> CaseView:
    case = desk.case(key)
    events = desk.events("cases", key)
    ladder = desk.ladder(case)
    customer = desk.customer_of(case)
    return CaseView(
        case=case,
        customer=customer,
        route=Route(case.path, case.queue, case.route_rule, case.route_reason),
        findings=desk.validate(case),
        deadlines=case.outcomes if not case.is_open else desk.deadlines(case, events),
        ladder=ladder,
        options=desk.escalation_options(case, ladder),
        eligibility=[e for e in desk.eligibility(case.customer_id) if e.vendor == case.vendor]
        if customer
        else [],
        ball=case.ball,
        ball_minutes=desk.ball_minutes(case, events),
        desk_minutes_by_agent=desk.desk_minutes_by_agent(case, events),
        close_reasons=desk.close_reasons(case),
        events=events,
    )


WORKING = ("open", "waiting-vendor", "pending", "resolved")
"""The states of a case that is still being worked (every one but closed)."""

ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "note": WORKING,
    "respond": WORKING,
    "send": ("open", "resolved"),
    "vendor-reply": ("open", "waiting-vendor"),
    "pending": ("open", "waiting-vendor"),
    "reply": (*WORKING, "closed"),
    "resolve": WORKING,
    "evidence": WORKING,
    "close": WORKING,
    "reopen": ("closed", "resolved"),
    "escalate": WORKING,
    "escalation-owner": WORKING,
}
"""The states each timeline action may be taken from: the one table the actions check
and the screens ask (:func:`actions`), so a key is offered only where it can work."""

ACTION_WORDS = {
    "note": "add a note to it",
    "respond": "respond to the customer on it",
    "send": "send it to the vendor",
    "vendor-reply": "record a vendor reply on it",
    "pending": "put it pending on the customer",
    "reply": "record a customer reply on it",
    "resolve": "resolve it",
    "evidence": "attach evidence to it",
    "close": "close it",
    "reopen": "reopen it",
    "escalate": "escalate it",
    "escalation-owner": "record an escalation owner on it",
}
"""What each action does, for a refusal that says it in words ("cannot put it pending on
the customer", not "cannot pending it")."""


def state_refusal(case: Case, action: str) -> Refused:
    """The refusal of ``action`` on a case whose state does not allow it (CORE-CASE-1)."""
    return Refused(
        Decision(
            allowed=False,
            rule="CORE-CASE-1",
            reason=f"case {case.id} is {case.state}; cannot {ACTION_WORDS.get(action, action + ' it')}",
        )
    )


def actions(desk: Desk, case: Case) -> set[str]:
    """The timeline actions a case in its state may take (see :data:`ALLOWED_FROM`)."""
    return {action for action, states in ALLOWED_FROM.items() if case.state in states}


class Outgoing(Protocol):
    """A message that goes out with a change of a case (:mod:`workbench.mail.outbound`)."""

    record: dict[str, Any]
    """What the change's event keeps of it, under ``data["mail"]`` (its Message-ID, …)."""

    def deliver(self) -> None:
        """Hand the message over (SMTP, an .eml file); raise when it could not be."""


class AlreadySwept(Exception):
    """Another sweep recorded this action of the time-driven rules first (its key)."""


BOOKKEEPING = ("breach", "notify")
"""The desk's notes of its own work on a case: a deadline's breach marked (CORE-SLA-2), a
notification delivered. The history records them, but they do not update the case: its
Updated time stays the last change of the case itself (a reply, a state, a reminder)."""


def change_case(
    desk: Desk,
    key: str,
    action: str,
    change: Callable[[Case], dict[str, Any] | None],
    rule: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    by_sweep: bool = False,
    sweep_key: str = "",
    outgoing: Outgoing | None = None,
    tx: Transaction | None = None,
) -> Case:
    """Apply ``change`` to the freshest copy of the case under the lock, and record it.
    Whatever decides whether the change may happen belongs in ``change``: it then sees the
    case as of the lock (two agents at once cannot both pass a check only one should). It
    may return the event's ``rule``, ``reason`` and ``data`` as it decided them.

    An agent changes the cases assigned to them or to nobody (CORE-TEAM-1); ``by_sweep``
    changes are the desk's time-driven rules, applied to every case whoever runs them. A
    change of the sweep carries its ``sweep_key``: when another sweep recorded it first (two
    at once), :class:`AlreadySwept` is raised and nothing is written.

    Everything that follows from the changed case (its pauses, deadlines and the time each
    side held the ball) is worked out before the transaction commits: a change the desk
    could not show afterwards is refused, not saved.

    An ``outgoing`` message (an e-mail of the change) is recorded in the event's data and
    delivered last, once the change is valid and before it commits: a message that cannot
    be delivered leaves the case unchanged, and no change is recorded as sent unless it went.

    Given ``tx``, the change is made in that transaction (taking a message in records it
    with the message, :mod:`workbench.desk.inbox`) instead of one of its own."""
    with nullcontext(tx) if tx is not None else desk.store.transaction() as tx:
        record = tx.get("cases", key)
        if record is None:
            raise NotFound("case", key)
        if not by_sweep:
            agents.check_case_change(desk, tx, record)
        # A change made on a view another agent has changed since is refused as such first
        # (CORE-AUDIT-1): the decisions in ``change`` were made by a person looking at the
        # older case, so "look at it again" is the answer, not a refusal of the fresh state.
        check_view(desk, "cases", key)
        case = Case.from_dict(record)
        if sweep_key and sweep_key in case.sweep_keys:
            raise AlreadySwept(sweep_key)
        if case.state not in ALLOWED_FROM.get(action, WORKING):
            raise state_refusal(case, action)
        decided = change(case) or {}
        if outgoing is not None:
            decided["data"] = {**decided.get("data", data or {}), "mail": outgoing.record}
        if action not in BOOKKEEPING:
            case.updated_at = desk.now()
        after = case.to_dict()
        tx.put("cases", key, after)
        old, new = diff(record, after)
        batch = desk.read_batch()  # the case's events, read once for all that follows
        record_event(
            desk,
            tx,
            "cases",
            key,
            action,
            old,
            new,
            rule=decided.get("rule", rule),
            reason=decided.get("reason", reason),
            data=decided.get("data", data),
            history=batch.events("cases", key),
        )
        check_derived(desk, case, action, batch)
        if outgoing is not None:
            outgoing.deliver()
    return case


def check_derived(desk: Desk, case: Case, action: str, batch: Desk | None = None) -> None:
    """Work out what the desk shows of ``case`` (as it will be once saved); refuse the
    change when that fails, naming the case, so nothing unshowable is ever saved. Worked
    out through one read batch (``batch``, the change's own when it has one): the case's
    events are read once, not again by each plugin asking for them (the desk's own clocks,
    CORE-SLA-3), so a change to a case with a long history reads it once."""
    batch = batch if batch is not None else desk.read_batch()
    events = [*batch.events("cases", case.id), Event(0, desk.now(), desk.actor, "cases", case.id, action)]
    try:
        if case.is_open:
            batch.deadlines(case, events)
        batch.ball_minutes(case, events)
    except (ValueError, OverflowError) as exc:
        raise BadInput(f"case {case.id}", f"the change was not saved: {exc}") from None


def note(
    desk: Desk,
    key: str,
    text: str,
    *,
    to_customer: bool = False,
    outgoing: Outgoing | None = None,
    mail: dict[str, Any] | None = None,
    rule: str = "",
    reason: str = "",
    tx: Transaction | None = None,
) -> Case:
    """An internal note, or a response to the customer (which meets the desk's
    response commitments, CORE-SLA-3); ``outgoing``: the response's e-mail. ``mail`` (with
    ``tx``): a message the desk took in, recorded on the case as a note with its ``rule`` and
    ``reason``."""
    if not text.strip() and mail is None:
        raise BadInput("text", "must not be empty")
    if outgoing is not None and not to_customer:
        raise BadInput("to_customer", "an internal note is not e-mailed: only a response to the customer is")
    action = "respond" if to_customer else "note"
    return change_case(
        desk,
        key,
        action,
        lambda c: None,
        rule=rule,
        reason=reason,
        data={"text": text.strip(), **(mail or {})},
        by_sweep=mail is not None,
        outgoing=outgoing,
        tx=tx,
    )


def send_to_vendor(desk: Desk, key: str, text: str = "", *, outgoing: Outgoing | None = None) -> Case:
    """The case goes to the vendor: the ball is theirs, vendor clocks start (CORE-SLA-4);
    ``outgoing``: the vendor's request as an e-mail (:mod:`workbench.mail.outbound`)."""
    decision = desk.plugins.first("workbench_check_send", case=desk.case(key), desk=desk, now=desk.now())
    if decision is not None and not decision.allowed:
        raise Refused(decision)

    def change(case: Case) -> None:
        case.state = "waiting-vendor"
        if case.sent_at is None:
            case.sent_at = desk.now()

    return change_case(desk, key, "send", change, data={"text": text}, outgoing=outgoing)


def vendor_reply(
    desk: Desk,
    key: str,
    text: str = "",
    milestone: str = "",
    *,
    mail: dict[str, Any] | None = None,
    rule: str = "",
    reason: str = "",
    tx: Transaction | None = None,
) -> Case:
    """The vendor answered: the ball is back with the desk. ``mail`` (with ``tx``) is the
    message the answer came in, taken by the desk's mail intake in that transaction."""

    def change(case: Case) -> None:
        if case.sent_at is None:
            raise BadInput("case", f"case {key} was never sent to the vendor (`case send` first)")
        case.state = "open"

    return change_case(
        desk,
        key,
        "vendor-reply",
        change,
        rule=rule,
        reason=reason,
        data={"text": text, "milestone": milestone, **(mail or {})},
        by_sweep=mail is not None,
        tx=tx,
    )


def pending(desk: Desk, key: str, text: str = "") -> Case:
    """Waiting on the customer: clocks that honour pauses stop (CORE-SLA-1, CORE-SLA-3)."""

    def change(case: Case) -> None:
        case.state = "pending"
        case.pauses.append({"start": desk.now().isoformat(), "end": None})

    return change_case(
        desk,
        key,
        "pending",
        change,
        rule="CORE-SLA-3",
        reason="waiting on the customer pauses the clocks",
        data={"text": text},
    )


def customer_reply(
    desk: Desk,
    key: str,
    text: str = "",
    *,
    mail: dict[str, Any] | None = None,
    rule: str = "",
    reason: str = "",
    tx: Transaction | None = None,
) -> Case:
    """The customer answered: a pending case resumes; a resolved or closed one (e.g.
    closed automatically while pending) reopens. ``mail`` (with ``tx``): as for
    :func:`vendor_reply`."""

    def change(case: Case) -> None:
        end_pause(case, desk.now())
        case.state, case.closed_at, case.close_reason = "open", None, ""

    return change_case(
        desk,
        key,
        "reply",
        change,
        rule=rule,
        reason=reason,
        data={"text": text, **(mail or {})},
        by_sweep=mail is not None,
        tx=tx,
    )


def resolve(
    desk: Desk, key: str, text: str = "", *, to_customer: bool = False, outgoing: Outgoing | None = None
) -> Case:
    """Resolved: the desk's clocks stop (CORE-SLA-3); the case stays open until closed. With
    ``to_customer`` the text is the desk's message to its customer, which meets a running first
    response; ``outgoing``: that message as an e-mail."""
    if to_customer and not text.strip():
        raise BadInput("text", "a resolution sent to the customer needs the message")
    if outgoing is not None and not to_customer:
        raise BadInput("to_customer", "only a resolution sent to the customer is e-mailed")

    def change(case: Case) -> None:
        end_pause(case, desk.now())
        case.state = "resolved"

    data = {"text": text, "to_customer": True} if to_customer else {"text": text}
    return change_case(desk, key, "resolve", change, data=data, outgoing=outgoing)


def attach_evidence(desk: Desk, key: str, kind: str, text: str) -> Case:
    """Technical evidence on the case: a reproduction, a patch or a log (CORE-ESC-2)."""
    if kind not in EVIDENCE_KINDS:
        raise BadInput("kind", f"{kind!r} is not one of {', '.join(EVIDENCE_KINDS)}")
    if not text.strip():
        raise BadInput("text", "must describe the evidence")

    def change(case: Case) -> None:
        case.evidence.append({"kind": kind, "text": text.strip(), "at": desk.now().isoformat()})

    return change_case(desk, key, "evidence", change, data={"kind": kind})


def close(desk: Desk, key: str, reason: str, text: str = "") -> Case:
    """Close with one of the vendor's closure reasons; deadline outcomes are kept. The
    reason and the outcomes are decided on the case as of the writer lock."""
    desk.case(key)

    def change(c: Case) -> dict[str, Any]:
        reasons = {r.code: r for r in desk.close_reasons(c)}
        offered = ", ".join(code for code, r in reasons.items() if r.manual)
        if reason not in reasons:
            raise Refused(
                Decision(
                    False,
                    closing_rule(list(reasons.values())),
                    f"{reason!r} is not a closure reason for {c.vendor}: close with exactly one of {offered}",
                )
            )
        chosen = reasons[reason]
        if not chosen.manual:
            raise Refused(
                Decision(
                    False,
                    chosen.rule,
                    f"{reason} is the reason of an automatic close ({chosen.text}), not one given by hand: "
                    f"close with one of {offered}",
                )
            )
        now = desk.now()
        c.outcomes = stopped(desk.deadlines(c), now) + desk.earlier_windows(c)
        end_pause(c, now)
        c.state = "closed"
        c.closed_at = now
        c.close_reason = reason
        return {"rule": chosen.rule, "reason": chosen.text, "data": {"text": text}}

    return change_case(desk, key, "close", change, data={"text": text})


def reopen(desk: Desk, key: str, text: str = "") -> Case:
    def change(case: Case) -> None:
        case.state = "open"
        case.closed_at = None
        case.close_reason = ""

    return change_case(desk, key, "reopen", change, data={"text": text})


def closing_rule(reasons: list[CloseReason]) -> str:
    """The rule a vendor's closure reasons come under (the one most of them cite)."""
    rules = Counter(r.rule for r in reasons)
    return rules.most_common(1)[0][0] if rules else "CORE-PATH-1"


def stopped(deadlines: list[Deadline], at: datetime) -> list[Deadline]:
    """The deadlines as a close freezes them (CORE-SLA-3): a closed case has no running or
    paused clock, so every clock not met or breached is stopped at ``at``."""
    for deadline in deadlines:
        deadline.stop(at)
    return deadlines


def end_pause(case: Case, now: datetime) -> None:
    """End the case's running pause (waiting on the customer), if it has one."""
    if case.pauses and case.pauses[-1]["end"] is None:
        case.pauses[-1]["end"] = now.isoformat()
