"""The ``workbench`` group: the terminal desk when no subcommand is given.

A command's module is imported when the command is used (or help lists it), not before:
``workbench`` alone draws the terminal desk's first frame without reading the code of
forty commands it does not run.
"""

from __future__ import annotations

import gc
import importlib
from typing import NamedTuple

import click

from workbench import __version__
from workbench.cli.common import Context, check_environment_now, desk_options


class Listed(NamedTuple):
    """A command of the group as help lists it, without importing its module."""

    where: str
    """Where it is defined: ``module:name``."""
    summary: str
    """What help shows beside its name: the first sentence of its help, as click shortens
    it (a test holds it to the command's own help)."""


COMMANDS = {
    "demo": Listed("workbench.cli.demo:demo", "Fill a desk with realistic demo data for all four vendors."),
    "plugins": Listed(
        "workbench.cli.plugins:plugins", "Vendor programs, versions, hooks and rule catalogues."
    ),
    "settings": Listed(
        "workbench.cli.settings:settings", "List desk settings, show one, or set KEY to VALUE (validated)."
    ),
    "customer": Listed(
        "workbench.cli.customer:customer",
        "Customers: e-mail, domain, users, and what vendor programs record of them.",
    ),
    "eligibility": Listed(
        "workbench.cli.customer:eligibility", "Priority and program eligibility of a customer, with reasons."
    ),
    "contract": Listed(
        "workbench.cli.contract:contract", "Contracts: vendor, product, dates, quantities, list price."
    ),
    "quote": Listed("workbench.cli.contract:quote", "Fees derived from list prices."),
    "case": Listed("workbench.cli.case:case", "Cases: open, list, show, and the timeline actions."),
    "agent": Listed(
        "workbench.cli.agent:agent",
        "The desk's agents: add, list, edit (a lead's change once the desk has agents).",
    ),
    "workload": Listed(
        "workbench.cli.agent:workload",
        "Each agent's open cases: breaching, at risk, waiting, the oldest untouched, ball time.",
    ),
    "workflow": Listed(
        "workbench.cli.workflow:workflow", "Orders, renewals, option requests, onboarding: dated checklists."
    ),
    "renewals": Listed("workbench.cli.workflow:renewals", "Renewals of every vendor, oldest deadline first."),
    "report": Listed("workbench.cli.report:report", "Reports a lead can take to a vendor."),
    "calendar": Listed(
        "workbench.cli.report:calendar_command",
        "The desk's dates as an iCalendar file: renewal dates, workflow steps' due dates and, with "
        "--breaching, case deadlines at risk; stable UIDs, a reminder alarm (setting "
        "core.calendar_alarm_minutes).",
    ),
    "sweep": Listed(
        "workbench.cli.sweep:sweep",
        "Apply time-driven rules now: reminders, automatic closes, breaches, renewals.",
    ),
    "compact": Listed(
        "workbench.cli.sweep:compact",
        "Rewrite the desk file's snapshot so that opening it replays no log (a command starts this in "
        "the background once the log has grown 2 MB past the snapshot).",
    ),
    "run": Listed(
        "workbench.cli.run:run",
        "Sweep the desk on a schedule until stopped (SIGTERM or ctrl+c): reminders, breaches, renewals "
        "and automatic closes happen without anyone at a terminal.",
    ),
    "mail": Listed(
        "workbench.cli.mail:mail",
        "The desk's mail in: poll the mailbox, the Inbox, open a case from a message.",
    ),
    "vendor-times": Listed(
        "workbench.cli.vendor_times:vendor_times",
        "Average, median and worst answer times of VENDOR per month and severity, beside each "
        "commitment, with the cases behind each figure.",
    ),
    "export": Listed(
        "workbench.cli.transfer:export_command",
        "Export the desk: JSON is lossless (import gives the same desk); CSV is one row per case.",
    ),
    "import": Listed(
        "workbench.cli.transfer:import_command",
        "Import a JSON export into an empty desk; every record is checked as the desk checks the same "
        "record made through it, and a bad file writes nothing.",
    ),
    "doctor": Listed(
        "workbench.cli.doctor:doctor",
        "Check a desk (a file, or a desk in PostgreSQL): what is wrong and how to recover.",
    ),
    "serve": Listed(
        "workbench.cli.serve:serve",
        "Serve the terminal desk to browsers: each agent signs in with the password set by "
        "`workbench agent password`, and each tab runs the desk as that agent.",
    ),
    "new-plugin": Listed(
        "workbench.cli.scaffold:new_plugin",
        "Write a vendor plugin package for program NAME (entry point, rule catalogue, one hook of each "
        "kind, demo, README, tests running the conformance suite), ready to install.",
    ),
    "daemon": Listed(
        "workbench.cli.daemon:daemon",
        "The desk server: a process with the code loaded that answers short commands (it starts with "
        "the first command unless WORKBENCH_DAEMON is manual or off).",
    ),
    "db": Listed(
        "workbench.cli.db:db", "Desks in PostgreSQL: create one, copy a desk between a file and a server."
    ),
}
"""Each command of the group: where it is defined, and its line in ``workbench --help``."""


class CommandsByModule(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from workbench import plugin_commands

        return sorted({*COMMANDS, *self.commands, *plugin_commands.listing(set(COMMANDS))})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their help as click lists them, each command not loaded yet from
        a listing: a core command's from ``COMMANDS``, a plugin's from the plugins' listing
        (``workbench.plugin_commands``). A warm help imports no command's module and no
        plugin."""
        from workbench import plugin_commands

        listed = plugin_commands.listing(set(COMMANDS))
        commands = []
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                command: click.Command | None = click.Command(name, help=COMMANDS[name].summary)
            elif name in listed and name not in self.commands:
                command = click.Command(name, help=listed[name])
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name].where.split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        elif cmd_name not in self.commands:
            self._add_plugin_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _add_plugin_command(self, cmd_name: str) -> None:
        """A plugin's own subcommand (``workbench_commands``), asked of the plugins only for
        a name the core does not have: the core's commands start without loading them."""
        from workbench import plugin_commands

        command = plugin_commands.commands(set(COMMANDS)).get(cmd_name)
        if command is not None:
            self.add_command(command, cmd_name)


@click.group(
    cls=CommandsByModule,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name="workbench")
@desk_options
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Case Workbench: one terminal desk for every vendor program you support.

    Run without a command to open the desk in your terminal.
    """
    ctx.ensure_object(Context).debug = debug
    check_environment_now()
    if ctx.invoked_subcommand is None:
        from workbench.tui.app import run

        run(ctx.obj.desk)  # opened behind the first frame; an error in words after the app
    else:
        gc.enable()  # paused by main() for the terminal desk's start only
