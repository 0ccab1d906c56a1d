"""``workbench --help`` lists the subcommands plugins add (``workbench_commands``), with their
help, and a warm help loads no plugin: the listing comes from a cache that holds while nothing
it was made from changed (``workbench.plugin_commands``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

HELP = textwrap.dedent(
    """
    import sys
    from workbench.cli.entry import main
    try:
        main(["--help"])
    except SystemExit:
        pass
    loaded = sorted(name for name in ("wb_acme_help",) if name in sys.modules)
    print("loaded:", ",".join(loaded) or "nothing", file=sys.stderr)
    """
)

PLUGIN = '''
import click
from workbench import Output, hookimpl, with_desk

@click.command("acme-status")
@with_desk
def acme_status(desk):
    """{help}"""
    return Output({{}}, "ok")

@click.command("case")
def not_the_case_command():
    """Shadows the core's case command: left out."""

@hookimpl
def workbench_commands():
    return [acme_status, not_the_case_command]
'''


def listed(help_text: str, name: str) -> str | None:
    """The help line of command ``name`` in ``workbench --help``, if listed."""
    found = re.search(rf"^  {re.escape(name)} +(.+)$", help_text, re.MULTILINE)
    return found.group(1) if found else None


def help_output() -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", HELP], capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def test_help_lists_a_plugins_subcommands_and_a_warm_help_loads_no_plugin(install) -> None:
    site = install("acme_help", PLUGIN.format(help="How many open cases each vendor has."))
    out, loaded = help_output()
    assert listed(out, "acme-status") == "How many open cases each vendor has."
    assert "Shadows the core" not in out, "a name the core has stays the core's"
    out, loaded = help_output()
    assert listed(out, "acme-status") == "How many open cases each vendor has."
    assert loaded.strip() == "loaded: nothing", "help read the listing, not the plugins"

    (site / "wb_acme_help.py").write_text(PLUGIN.format(help="Open cases per vendor, now."))
    out, _ = help_output()
    assert listed(out, "acme-status") == "Open cases per vendor, now.", "a changed plugin is asked again"

    for info in site.glob("workbench_acme_help_*.dist-info"):
        for file in info.iterdir():
            file.unlink()
        info.rmdir()
    out, _ = help_output()
    assert listed(out, "acme-status") is None, "an uninstalled plugin's command is no longer listed"


def test_a_damaged_listing_is_made_again(install) -> None:
    install("acme_help", PLUGIN.format(help="How many open cases each vendor has."))
    help_output()
    from workbench.plugin_commands import cache_file

    Path(cache_file()).write_bytes(b"{not json")
    out, loaded = help_output()
    assert listed(out, "acme-status") == "How many open cases each vendor has."
