"""The plugins' subcommands as ``workbench --help`` lists them, without loading the plugins.

Help lists each command with one line of its help. Asking the plugins for theirs means
loading every plugin (and pluggy, and the model): far more than help may cost. So what
they answered is kept in a small file, ``plugin-commands-<ID>.marshal`` in the user's cache
folder (``$XDG_CACHE_HOME/case-workbench``, else ``~/.cache/case-workbench``; one file per
Python environment), written whenever the plugins' commands are asked for. It is believed
only while nothing it was made from has changed: the folders on ``sys.path`` (installing
or removing a package changes its ``site-packages``), the files that define each plugin's
``workbench_commands`` and its commands, and the variables that choose the plugins
(``WORKBENCH_PLUGINS``, ``WORKBENCH_DISABLE_PLUGINS``). Otherwise the plugins are loaded,
once, and the file is written again. Help that finds the file current reads it and stats
a few files; nothing else.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

CHOOSING = ("WORKBENCH_PLUGINS", "WORKBENCH_DISABLE_PLUGINS")
"""The variables that choose which plugins load."""


def cache_file() -> str:
    """Where the listing of this Python environment is kept."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    environment = zlib.crc32(sys.prefix.encode("utf-8", "surrogateescape"))
    return os.path.join(base, "case-workbench", f"plugin-commands-{environment:08x}.marshal")


def listing(taken: set[str]) -> dict[str, str]:
    """Each plugin subcommand's name and the help click shortens for ``--help``: from the
    cache while it is current, else from the plugins (which writes it)."""
    cached = _read()
    if cached is not None:
        return cached
    return {name: command.help or command.short_help or "" for name, command in commands(taken).items()}


def commands(taken: set[str]) -> dict[str, click.Command]:
    """The plugins' subcommands by name (``Plugins.commands``: a name in ``taken`` or of
    another plugin left out and recorded); the listing is written for the next help."""
    from workbench.plugins import get_plugins

    plugins = get_plugins()
    found = plugins.commands(taken)
    files = {_source(impl.function) for impl in plugins.pm.hook.workbench_commands.get_hookimpls()}
    files |= {_source(command.callback) for command in found.values() if command.callback}
    _write(
        {name: command.help or command.short_help or "" for name, command in found.items()},
        sorted(f for f in files if f),
    )
    return found


def _source(function: Any) -> str | None:
    """The file a plugin's function is defined in (through the contained stand-in and
    click's decorators)."""
    import inspect

    try:
        return inspect.getsourcefile(inspect.unwrap(function))
    except (TypeError, ValueError):
        return None


def _signature(files: list[str]) -> list[Any]:
    """The folders packages are installed in and ``files``, with their times and sizes, and
    the variables that choose plugins. ``sys.path[0]`` is left out: it is the running
    script's folder (or the current one), where no package is installed, and it differs
    between ``workbench`` and ``python -m workbench``."""
    stamps = []
    for path in [*sys.path[1:], *files]:
        try:
            found = os.stat(path or ".")
            stamps.append([path, found.st_mtime_ns, found.st_size])
        except OSError:
            stamps.append([path, None, None])
    return [stamps, [os.environ.get(name, "") for name in CHOOSING]]


def _read() -> dict[str, str] | None:
    try:
        with open(cache_file(), "rb") as source:
            cached = marshal.loads(source.read())  # built in: help imports no JSON library
        if cached["signature"] == _signature(cached["files"]):
            return dict(cached["commands"])
    except (OSError, EOFError, KeyError, TypeError, ValueError):
        pass
    return None


def _write(found: dict[str, str], files: list[str]) -> None:
    """Write the listing atomically; a cache folder that cannot be written only costs the
    next help a load of the plugins."""
    write_cache(cache_file(), {"commands": found, "files": files, "signature": _signature(files)})


def write_cache(target: str, document: dict) -> None:
    """Write a cache file (marshal) atomically: beside its target, then renamed into place;
    a cache folder that cannot be written leaves no temporary file and costs only the next
    command the work the cache saves."""
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(marshal.dumps(document))
        os.replace(temporary, target)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
