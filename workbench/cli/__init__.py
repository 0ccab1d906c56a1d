"""The ``workbench`` command: the TUI by default, subcommands for people and scripts.

Every subcommand takes ``--db``, ``--now`` and ``--json``. With ``--json`` it prints one JSON
document on stdout and nothing else. Errors go to stderr: exit 2 for bad input, 1 for
everything else (a rule's refusal included); a refused or bad command changes nothing.

One module per command group (``root.COMMANDS`` names them); ``common`` holds what they
share (options, the desk, output) and ``entry`` the entry point that turns errors into words.

The desk, its store and the plugins are imported where a command first needs them, not
here: the TUI draws its first frame while a thread opens the desk, and importing them
first would hold that frame back by 40 ms.
"""

from workbench.cli.entry import main
from workbench.cli.root import cli

__all__ = ["cli", "main"]
