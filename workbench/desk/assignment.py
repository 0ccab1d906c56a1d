"""Who owns a case (CORE-TEAM-2): assign, take, release and hand off, each an event with the
assignee before and after, checked and written in one transaction.

Who may do which (CORE-TEAM-1): a lead assigns any open case to any active agent; an
agent takes an unassigned case, and releases or hands off a case of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.desk import agents, records
from workbench.errors import BadInput, NotFound, Refused
from workbench.model import Agent, Case, Decision

if TYPE_CHECKING:
    from workbench.desk.facade import Desk

ACTIONS = ("assign", "take", "release", "hand-off")
"""The actions of the events that change a case's assignee."""


def assign(desk: Desk, key: str, handle: str, note: str = "") -> Case:
    """Assign the case to the agent ``handle`` (a lead's change, or an agent taking it)."""
    return _change_assignee(desk, key, "assign", handle, note)


def take(desk: Desk, key: str, note: str = "") -> Case:
    """The acting agent takes the case (an unassigned one, or any as a lead)."""
    return _change_assignee(desk, key, "take", None, note)


def release(desk: Desk, key: str, note: str = "") -> Case:
    """The case goes back to nobody."""
    return _change_assignee(desk, key, "release", "", note)


def hand_off(desk: Desk, key: str, handle: str, note: str) -> Case:
    """Pass the case to another agent with a note of where it stands."""
    if not note.strip():
        raise BadInput("note", "a hand-off says where the case stands: the note must not be empty")
    return _change_assignee(desk, key, "hand-off", handle, note)


def _change_assignee(desk: Desk, key: str, action: str, handle: str | None, note: str) -> Case:
    """Set the assignee to ``handle`` (``None``: the acting agent; ``""``: nobody)."""
    with desk.store.transaction() as tx:
        record = tx.get("cases", key)
        if record is None:
            raise NotFound("case", key)
        me = agents.acting(desk, tx)
        if me is None:
            raise BadInput("agent", "this desk has no agents yet: add them first (`workbench agent add`)")
        roster = agents.team(tx)
        new = me.handle if handle is None else handle
        if new and (new not in roster or not roster[new].active):
            state = "not an agent of this desk" if new not in roster else "not an active agent"
            raise BadInput("assignee", f"{new!r} is {state} (see `workbench agent list`)")
        case = Case.from_dict(record)
        old = case.assignee
        if not case.is_open:
            raise Refused(
                Decision(
                    False,
                    "CORE-TEAM-2",
                    f"case {key} is closed: it keeps the assignee it closed with ({old or 'nobody'}); "
                    "reopen it to assign it",
                )
            )
        if action in ("release", "hand-off") and not old:
            raise BadInput("case", f"case {key} is not assigned to anyone (take or assign it)")
        if new == old:
            now = f"assigned to {old}" if old else "unassigned"
            raise BadInput("assignee", f"case {key} is already {now}")
        _check_may(me, key, old, new)
        case.assignee = new
        case.updated_at = desk.now()
        tx.put("cases", key, case.to_dict())
        records.record_event(
            desk,
            tx,
            "cases",
            key,
            action,
            {"assignee": old},
            {"assignee": new},
            rule="CORE-TEAM-2",
            reason=_reason(action, me.handle, old, new),
            data={"text": note.strip()} if note.strip() else None,
        )
    return case


def _check_may(me: Agent, key: str, old: str, new: str) -> None:
    """An agent changes only their own assignment, or takes an unassigned case (CORE-TEAM-1)."""
    if me.is_lead or old == me.handle or (not old and new == me.handle):
        return
    what = (
        f"case {key} is assigned to {old}: changing another agent's assignment"
        if old
        else f"assigning case {key} to {new} (an agent takes an unassigned case for themselves)"
    )
    raise Refused(Decision(False, "CORE-TEAM-1", f"{what} needs the lead role; {me.handle} is an agent"))


def _reason(action: str, me: str, old: str, new: str) -> str:
    if action == "release":
        return f"{me} released the case; it is unassigned"
    if action == "hand-off":
        return f"{me} handed the case off from {old} to {new}"
    if new == me:
        return f"{me} took the case" + (f" from {old}" if old else "")
    return f"{me} assigned the case to {new}" + (f" (it was {old}'s)" if old else "")
