"""The ``workbench`` group: the terminal desk when no subcommand is given.

A command's module is imported when the command is used (or help lists it), not before:
``workbench`` alone draws the terminal desk's first frame without reading the code of
forty commands it does not run.
"""

from __future__ import annotations

import gc
import importlib

import click

from workbench import __version__
from workbench.cli.common import Context, check_environment_now, desk_options

COMMANDS = {
    "demo": "workbench.cli.demo:demo",
    "plugins": "workbench.cli.plugins:plugins",
    "settings": "workbench.cli.settings:settings",
    "customer": "workbench.cli.customer:customer",
    "eligibility": "workbench.cli.customer:eligibility",
    "contract": "workbench.cli.contract:contract",
    "quote": "workbench.cli.contract:quote",
    "case": "workbench.cli.case:case",
    "agent": "workbench.cli.agent:agent",
    "workload": "workbench.cli.agent:workload",
    "workflow": "workbench.cli.workflow:workflow",
    "renewals": "workbench.cli.workflow:renewals",
    "report": "workbench.cli.report:report",
    "calendar": "workbench.cli.report:calendar_command",
    "sweep": "workbench.cli.sweep:sweep",
    "compact": "workbench.cli.sweep:compact",
    "run": "workbench.cli.run:run",
    "vendor-times": "workbench.cli.vendor_times:vendor_times",
    "export": "workbench.cli.transfer:export_command",
    "import": "workbench.cli.transfer:import_command",
    "doctor": "workbench.cli.doctor:doctor",
    "serve": "workbench.cli.serve:serve",
    "new-plugin": "workbench.cli.scaffold:new_plugin",
    "db": "workbench.cli.db:db",
}
"""Each command of the group and where it is defined (``module:name``)."""


class CommandsByModule(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from workbench import plugin_commands

        return sorted({*COMMANDS, *self.commands, *plugin_commands.listing(set(COMMANDS))})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their help as click lists them; a plugin's command not loaded yet
        from the plugins' listing (``workbench.plugin_commands``), so a warm help loads no
        plugin."""
        from workbench import plugin_commands

        listed = plugin_commands.listing(set(COMMANDS))
        commands = []
        for name in self.list_commands(ctx):
            if name in listed and name not in self.commands:
                command: click.Command | None = click.Command(name, help=listed[name])
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
            module, name = COMMANDS[cmd_name].split(":")
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
