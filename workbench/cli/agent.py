"""``workbench agent …``: the desk's team (CORE-TEAM-1), and ``workbench workload``: each
agent's open work, for the lead."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk, words

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.model import Agent

ROLES = click.Choice(["agent", "lead"])


@click.group()
def agent() -> None:
    """The desk's agents: add, list, edit (a lead's change once the desk has agents)."""


def _line(found: Agent, me: str) -> str:
    """One agent; ``me`` is the handle the command acts as (``(you)``)."""
    return (
        f"{found.handle:12} {found.role:5} {'active' if found.active else 'inactive':8} {found.name}"
        + (f" <{found.email}>" if found.email else "")
        + (f"  login {found.login}" if found.login else "")
        + ("  (you)" if me == found.handle else "")
    )


@agent.command("add")
@click.argument("handle")
@click.option("--name", required=True, help="The display name (any script).")
@click.option("--email", default="")
@click.option("--role", type=ROLES, default="agent", show_default=True)
@click.option("--login", default="", help="The login name that acts as this agent.")
@with_desk
def agent_add(desk: Desk, handle: str, name: str, email: str, role: str, login: str) -> Output:
    """Add an agent with a HANDLE; the first agent of a desk is its lead, and you."""
    added = desk.add_agent(handle, name, email=email, role=role, login=login)
    return Output(added.to_dict(), f"agent {added.handle} added ({added.role}): {added.name}")


@agent.command("list")
@with_desk
def agent_list(desk: Desk) -> Output:
    """Every agent, active or not."""
    found = desk.agents()
    return Output(
        [a.to_dict() for a in found], [_line(a, desk.actor) for a in found] or ["no agents: anyone acts"]
    )


@agent.command("edit")
@click.argument("handle")
@click.option("--name", default=None)
@click.option("--email", default=None)
@click.option("--role", type=ROLES, default=None)
@click.option("--login", default=None)
@click.option("--active/--inactive", default=None, help="Whether the agent works the desk.")
@with_desk
def agent_edit(
    desk: Desk,
    handle: str,
    name: str | None,
    email: str | None,
    role: str | None,
    login: str | None,
    active: bool | None,
) -> Output:
    """Change an agent's name, e-mail, role, login, or whether they are active."""
    changed = desk.edit_agent(handle, name=name, email=email, role=role, login=login, active=active)
    return Output(changed.to_dict(), _line(changed, desk.actor))


@agent.command("password")
@click.argument("handle")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)
@with_desk
def agent_password(desk: Desk, handle: str, password_stdin: bool) -> Output:
    """Set the password HANDLE signs in with to the desk served to browsers (`workbench serve`);
    only a strong hash of it is kept. The agent themselves or a lead sets it (CORE-TEAM-1)."""
    from workbench.desk.passwords import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"{handle}'s new password", hide_input=True, confirmation_prompt=True)
    changed = set_password(desk, handle, password)
    return Output({"agent": changed.handle, "password": "set"}, f"password of {changed.handle} set")


@click.command()
@with_desk
def workload(desk: Desk) -> Output:
    """Each agent's open cases: breaching, at risk, waiting, the oldest untouched, ball time."""
    loads = desk.workload()
    text = [
        f"{'agent':14} {'open':>4} {'breach':>6} {'risk':>4} {'vendor':>6} {'cust.':>5} {'desk min':>8}"
        "  oldest untouched"
    ]
    for load in loads:
        oldest = "-"
        if load.oldest_untouched:
            oldest = f"{load.oldest_untouched} since {words(desk).time(load.untouched_since)}"
        text.append(
            f"{load.handle or '(unassigned)':14} {len(load.cases):>4} {len(load.breaching):>6} "
            f"{len(load.at_risk):>4} {len(load.waiting_vendor):>6} {len(load.waiting_customer):>5} "
            f"{load.desk_minutes:>8}  {oldest}"
        )
    return Output([load.to_dict() for load in loads], text)
