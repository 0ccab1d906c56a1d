"""How the desk writes: every change is an event (CORE-AUDIT-1) recorded in the same
transaction as the change; and the small helpers every part of the desk shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.desk import agents
from workbench.errors import BadInput, Stale
from workbench.model import Decision, Event
from workbench.store.base import Transaction

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


def record_event(
    desk: Desk,
    tx: Transaction,
    kind: str,
    key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    rule: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    history: list[Event] | None = None,
) -> None:
    """Record one change as an event, in the transaction that makes it (CORE-AUDIT-1), by
    the agent the desk acts as (CORE-TEAM-1: on a desk with agents, an actor who is not an
    active agent is refused here, and the transaction writes nothing); a change made on a
    view another agent has changed since is refused here too (:func:`check_view`).

    A record's history is in time order: a change dated before the record's last event is
    refused (``--now`` may ask about the future, never back-date what the desk did). Read
    under the writer lock, so it holds against every other writer too; ``history``: the
    record's events as read in this transaction, when the caller has them already."""
    check_in_time_order(desk, kind, key, history)
    agent = agents.acting(desk, tx)
    check_view(desk, kind, key)
    tx.append_event(
        Event(
            id=0,
            at=desk.now(),
            actor=agent.handle if agent else desk.actor,
            kind=kind,
            key=key,
            action=action,
            before=before,
            after=after,
            rule=rule,
            reason=reason,
            data=data or {},
        ).to_dict()
    )


def check_view(desk: Desk, kind: str, key: str) -> None:
    """Refuse a change made on a view of the record (``Desk.viewing``) that another agent
    has changed since (CORE-AUDIT-1: their change is history, never silently written
    over). Called inside the transaction, so the record's history is as of the writer lock:
    of two agents changing one view at once, exactly one gets through."""
    seen = desk.views.get((kind, key))
    if seen is None:
        return
    history = desk.store.events(kind, key)
    if not history or history[-1]["id"] <= seen:
        return
    last = Event.from_dict(history[-1])
    at = last.at.astimezone(desk.timezone())
    when = (
        at.strftime("%H:%M")
        if at.date() == desk.now().astimezone(at.tzinfo).date()
        else at.strftime("%Y-%m-%d %H:%M")
    )
    raise Stale(
        Decision(
            False,
            "CORE-AUDIT-1",
            f"{key} changed by {last.actor} at {when} since you opened it ({last.action}); "
            "look at it again before changing it",
        ),
        kind,
        key,
    )


def check_in_time_order(desk: Desk, kind: str, key: str, history: list[Event] | None = None) -> None:
    """Refuse a change to ``kind`` ``key`` dated before its last event (CORE-AUDIT-1);
    ``history``: its events, read in this transaction (read here when ``None``)."""
    if history is None:
        events = desk.store.events(kind, key)
        if not events:
            return
        last = datetime.fromisoformat(events[-1]["at"])
    elif not history:
        return
    else:
        last = history[-1].at
    asked = desk.now()
    if asked < last:
        zone = desk.timezone()
        raise BadInput(
            f"{kind.rstrip('s')} {key}",
            f"a change dated {asked.astimezone(zone).isoformat()} is before its last event "
            f"({last.astimezone(zone).isoformat()}): a record's history is in time order, and "
            "--now cannot back-date what the desk did",
            rule="CORE-AUDIT-1",
        )


def save_changed(
    desk: Desk,
    kind: str,
    key: str,
    before: dict,
    after: dict,
    action: str,
    guard: Callable[[Transaction, dict], None] | None = None,
    check: Callable[[dict[str, Any]], None] | None = None,
    **event: Any,
) -> None:
    """Save ``after`` over a record read as ``before``, with the event of what changed;
    ``guard`` checks the fresh record under the lock first (it raises to refuse), and
    ``check`` (the record's rules) runs on the record as it will be saved, under the lock."""
    with desk.store.transaction() as tx:
        fresh = tx.get(kind, key)
        if guard is not None:
            guard(tx, fresh)
        if fresh != before:
            # another process changed it meanwhile: re-apply our change on top of theirs
            after = {**fresh, **{k: v for k, v in after.items() if before.get(k) != v}}
        if check is not None:
            check(after)
        tx.put(kind, key, after)
        old, new = diff(fresh, after)
        record_event(desk, tx, kind, key, action, old, new, **event)


def events(desk: Desk, kind: str, key: str) -> list[Event]:
    """The events of one record, oldest first."""
    return [Event.from_dict(e) for e in desk.store.events(kind, key)]


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[dict, dict]:
    """The keys that changed, as (before, after) halves for an event."""
    before = before or {}
    keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return {k: before.get(k) for k in keys if k in before}, {k: after[k] for k in keys}


def key_number(key: str) -> int:
    """The number of a record key (``C-12`` → 12), to sort records in the order they were made."""
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def flatten(answers: list[Any]) -> list[Any]:
    """The answers of a hook that each plugin gives as a list or as one item, as one list."""
    flat = []
    for answer in answers:
        flat.extend(answer if isinstance(answer, list) else [answer])
    return flat
