"""The desk's team: its agents, who a process acts as, and what each role may change
(CORE-TEAM-1).

The team is one record of the ``settings`` kind, key ``team``::

    {"key": "team", "value": {"agents": {HANDLE: Agent, …}, "round_robin": HANDLE}}

so every store (the desk file, memory, PostgreSQL), export and import carry it as they
carry any desk setting, and a transaction reads the whole team with one ``get``: every
check of who acts runs inside the transaction that writes (:func:`acting` is called by
:func:`workbench.desk.records.record_event`). ``round_robin`` is the agent the last new
case went to under the round-robin rule (CORE-TEAM-2).

A desk with no agents is one person's desk: anyone acts, as their login name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from workbench.desk import records
from workbench.desk.values import EMAIL
from workbench.errors import BadInput, NotFound, Refused
from workbench.model import AGENT_ROLES, Agent, Case, Decision

if TYPE_CHECKING:
    from workbench.desk.facade import Desk
    from workbench.store.base import Transaction

TEAM = "team"
"""The key of the team's record (kind ``settings``)."""

HANDLE = re.compile(r"^[a-z][a-z0-9._-]{0,31}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Reader(Protocol):
    """A store or a transaction: what the team is read from."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...


def _team_record(reader: Reader) -> dict[str, Any]:
    return reader.get("settings", TEAM) or {"key": TEAM, "value": {"agents": {}, "round_robin": ""}}


def team(reader: Reader) -> dict[str, Agent]:
    """The desk's agents by handle (read from a store, or inside a transaction)."""
    return {handle: Agent.from_dict(a) for handle, a in _team_record(reader)["value"]["agents"].items()}


def find(roster: dict[str, Agent], name: str) -> Agent | None:
    """The agent ``name`` is: a handle, else a login name mapped to an agent."""
    return roster.get(name) or next((a for a in roster.values() if a.login and a.login == name), None)


def acting(desk: Desk, reader: Reader | None = None) -> Agent | None:
    """The agent this desk acts as (``desk.actor``: ``--as``, ``WORKBENCH_AGENT`` or the login
    name); ``None`` on a desk with no agents. An actor who is not an active agent of a desk
    that has agents is bad input (CORE-TEAM-1)."""
    roster = team(reader or desk.store)
    if not roster:
        return None
    agent = find(roster, desk.actor)
    active = sorted(h for h, a in roster.items() if a.active)
    if agent is None:
        raise BadInput(
            "agent",
            f"{desk.actor!r} is not an agent of this desk: act as one with --as HANDLE "
            f"or WORKBENCH_AGENT (active agents: {', '.join(active)})",
            rule="CORE-TEAM-1",
        )
    if not agent.active:
        raise BadInput(
            "agent",
            f"{agent.handle} is no longer an active agent of this desk; nothing was changed",
            rule="CORE-TEAM-1",
        )
    return agent


def require_lead(desk: Desk, tx: Transaction, what: str) -> None:
    """Refuse ``what`` unless the actor is a lead (or the desk has no agents), CORE-TEAM-1."""
    agent = acting(desk, tx)
    if agent is not None and not agent.is_lead:
        reason = f"{what} needs the lead role; {agent.handle} is an agent"
        raise Refused(Decision(False, "CORE-TEAM-1", reason))


def check_case_change(desk: Desk, tx: Transaction, record: dict[str, Any]) -> None:
    """An agent changes the cases assigned to them or to nobody; another agent's case needs
    the lead role (CORE-TEAM-1)."""
    agent = acting(desk, tx)
    owner = record.get("assignee") or ""
    if agent is None or agent.is_lead or owner in ("", agent.handle):
        return
    raise Refused(
        Decision(
            False,
            "CORE-TEAM-1",
            f"case {record['id']} is assigned to {owner}: changing another agent's case needs the lead "
            f"role; {agent.handle} is an agent",
        )
    )


# -- reading and changing the team ------------------------------------------------------


def agents(desk: Desk) -> list[Agent]:
    """Every agent of the desk, active or not, by handle."""
    return sorted(team(desk.store).values(), key=lambda a: a.handle)


def agent(desk: Desk, handle: str) -> Agent:
    found = team(desk.store).get(handle)
    if found is None:
        raise NotFound("agent", handle)
    return found


def acting_agent(desk: Desk) -> Agent | None:
    """The agent this process acts as, or ``None`` on a desk with no agents."""
    return acting(desk)


def add_agent(
    desk: Desk, handle: str, name: str, email: str = "", role: str = "agent", login: str = ""
) -> Agent:
    """Add an agent; a lead does it, except the first agent of a desk, who must be a lead
    (CORE-TEAM-1). The process must act as an agent once the desk has one: the first agent
    is whoever adds it (``--as`` its handle, or its login)."""
    new = Agent(handle=handle.strip(), name=name.strip(), email=email.strip(), role=role, login=login.strip())
    with desk.store.transaction() as tx:
        record = _team_record(tx)
        roster = team(tx)
        if roster:
            require_lead(desk, tx, "adding an agent")
        elif new.role != "lead":
            raise BadInput(
                "role",
                "the first agent of a desk is its lead (--role lead): a desk keeps one",
                rule="CORE-TEAM-1",
            )
        elif find({new.handle: new}, desk.actor) is None:
            raise BadInput(
                "login",
                f"the first agent of a desk is the one adding it, and you act as {desk.actor!r}: "
                f"give --login {desk.actor}, or act as the new agent with --as {new.handle}",
                rule="CORE-TEAM-1",
            )
        if new.handle in roster:
            raise BadInput("handle", f"an agent {new.handle!r} already exists (`workbench agent edit`)")
        _check(new, roster)
        record["value"]["agents"][new.handle] = new.to_dict()
        tx.put("settings", TEAM, record)
        records.record_event(
            desk, tx, "settings", TEAM, "agent-add", None, {new.handle: new.to_dict()}, rule="CORE-TEAM-1"
        )
    return new


def edit_agent(desk: Desk, handle: str, **changes: Any) -> Agent:
    """Change an agent's name, e-mail, role, login or whether they are active; a lead does
    it, and the desk keeps at least one active lead (CORE-TEAM-1)."""
    allowed = {"name", "email", "role", "active", "login"}
    unknown = set(changes) - allowed
    if unknown:
        raise BadInput(
            "agent", f"cannot change {', '.join(sorted(unknown))} (only {', '.join(sorted(allowed))})"
        )
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items() if v is not None}
    with desk.store.transaction() as tx:
        record = _team_record(tx)
        roster = team(tx)
        if handle not in roster:
            raise NotFound("agent", handle)
        require_lead(desk, tx, "changing an agent")
        before = roster[handle]
        after = Agent.from_dict({**before.to_dict(), **changes})
        _check(after, {h: a for h, a in roster.items() if h != handle})
        leads = [a for a in {**roster, handle: after}.values() if a.is_lead and a.active]
        if not leads:
            raise Refused(
                Decision(
                    False,
                    "CORE-TEAM-1",
                    f"{handle} is the desk's last active lead: make another agent a lead first",
                )
            )
        old, new = records.diff(before.to_dict(), after.to_dict())
        if new:  # recorded by the lead as they were before the change (one may retire themselves)
            records.record_event(
                desk, tx, "settings", TEAM, "agent-edit", {handle: old}, {handle: new}, rule="CORE-TEAM-1"
            )
        record["value"]["agents"][handle] = after.to_dict()
        tx.put("settings", TEAM, record)
    return after


def _check(agent: Agent, others: dict[str, Agent]) -> None:
    """An agent's values, against the rest of the team; bad input names the field."""
    if not HANDLE.match(agent.handle):
        raise BadInput(
            "handle",
            f"{agent.handle!r} is not a handle: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter, at most 32",
        )
    if not agent.name or CONTROL.search(agent.name):
        raise BadInput("name", "a display name is needed, without control characters")
    if agent.email and not EMAIL.match(agent.email):
        raise BadInput("email", f"{agent.email!r} is not an e-mail address")
    if agent.role not in AGENT_ROLES:
        raise BadInput("role", f"{agent.role!r} is not a role ({', '.join(AGENT_ROLES)})")
    if not isinstance(agent.active, bool):
        raise BadInput("active", "is yes or no")
    if agent.login:
        if CONTROL.search(agent.login) or " " in agent.login:
            raise BadInput("login", f"{agent.login!r} is not a login name")
        clash = find(others, agent.login)
        if clash is not None:
            raise BadInput("login", f"{agent.login!r} already acts as {clash.handle}")
    clash = next((a for a in others.values() if a.login == agent.handle), None)
    if clash is not None:
        raise BadInput("handle", f"{agent.handle!r} is the login of {clash.handle}")


# -- new cases (CORE-TEAM-2) ------------------------------------------------------------


def vendor_assignees(desk: Desk, entries: list[str]) -> dict[str, str]:
    """``core.vendor_assignees`` (``VENDOR=HANDLE`` entries) as a mapping, each vendor a
    program of the desk and each handle an agent; bad input names the entry."""
    roster = team(desk.store)
    mapping = {}
    for entry in entries:
        vendor, sep, handle = str(entry).partition("=")
        vendor, handle = vendor.strip(), handle.strip()
        if not sep or not vendor or not handle:
            raise BadInput("core.vendor_assignees", f"{entry!r} is not VENDOR=HANDLE")
        desk.program(vendor)
        if handle not in roster:
            raise BadInput("core.vendor_assignees", f"{handle!r} is not an agent of this desk")
        mapping[vendor] = handle
    return mapping


def assign_new_case(desk: Desk, tx: Transaction, case: Case) -> str:
    """The desk's rule for a new case (setting ``core.assign_new_cases``, CORE-TEAM-2):
    set ``case.assignee`` and return the reason, or ``""`` when the rule assigns nobody."""
    rule = desk.setting("core.assign_new_cases")
    record = _team_record(tx)
    roster = team(tx)
    active = sorted(h for h, a in roster.items() if a.active)
    if rule == "vendor":
        mapping = {}
        for entry in desk.setting("core.vendor_assignees"):
            vendor, _, handle = str(entry).partition("=")
            mapping[vendor.strip()] = handle.strip()
        handle = mapping.get(case.vendor, "")
        if handle not in active:
            return ""
        case.assignee = handle
        return f"the default assignee of {case.vendor} cases (core.vendor_assignees)"
    if rule == "round-robin" and active:
        last = record["value"].get("round_robin", "")
        handle = next((h for h in active if h > last), active[0])
        record["value"]["round_robin"] = handle
        tx.put("settings", TEAM, record)
        case.assignee = handle
        return f"round-robin among the active agents ({', '.join(active)})"
    return ""
