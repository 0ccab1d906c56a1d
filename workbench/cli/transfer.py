"""``workbench export`` and ``workbench import``."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from workbench.cli.common import Context, Output, desk_options, warn_unreadable, with_desk
from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of stdout.",
)
@desk_options
def export_command(fmt: str, output: str | None) -> None:
    """Export the desk: JSON is lossless (import gives the same desk); CSV is one row per case."""
    from workbench import transfer

    context = click.get_current_context().ensure_object(Context)
    if context.json and fmt == "csv":
        raise BadInput("--json", "a CSV export is not a JSON document: leave out --json, or export JSON")
    desk = context.desk()
    if output:
        transfer.export_file(desk, fmt, Path(output))
        click.echo(f"exported to {output}", err=True)
    elif fmt == "csv" and sys.stdout.isatty():
        terminal = VisibleText(sys.stdout.buffer)
        transfer.write_export(desk, fmt, terminal)
        terminal.finish()
    else:
        transfer.write_export(desk, fmt, sys.stdout.buffer)
        sys.stdout.flush()
    warn_unreadable(context)


class VisibleText:
    """A terminal shown the CSV export: the desk's text reaches it with its control
    characters as visible escapes (:func:`workbench.render.visible`; ESC shows as ``\\x1b``),
    each row's CR LF ending as a line feed. Written to a file or a pipe the export keeps its
    exact text."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._held = ""
        """A CR at the end of one write, whose LF may start the next."""

    def write(self, data: bytes) -> int:
        self._show(self._decoder.decode(data))
        return len(data)

    def finish(self) -> None:
        self._show(self._decoder.decode(b"", final=True), final=True)
        self._out.flush()

    def _show(self, text: str, final: bool = False) -> None:
        from workbench.render import visible

        text = self._held + text
        self._held = "\r" if text.endswith("\r") and not final else ""
        text = text[: len(text) - len(self._held)]
        self._out.write(visible(text.replace("\r\n", "\n")).encode())


@click.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--allow-vendor",
    "allow_vendors",
    multiple=True,
    metavar="VENDOR",
    help="Keep the records of VENDOR as they are although its plugin is not installed "
    "(they can be listed, not worked, until it is). Repeatable.",
)
@with_desk
def import_command(desk: Desk, source: str, allow_vendors: tuple[str, ...]) -> Output:
    """Import a JSON export into an empty desk; every record is checked as the desk checks
    the same record made through it, and a bad file writes nothing. An export is read a
    record at a time, whatever its size and layout; a JSON document in another order is
    read whole, at most 512 MiB."""
    from workbench import transfer

    interactive = sys.stderr.isatty()
    with click.progressbar(length=1, label="importing", file=sys.stderr, hidden=not interactive) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        counts = transfer.import_file(desk, source, progress, allow_vendors)
    kept = sorted(set(allow_vendors) - set(desk.vendors()))
    return Output(
        {"imported": counts, "db": desk.store.location, "vendors_without_plugin": kept},
        "imported "
        + ", ".join(f"{n} {k}" for k, n in counts.items())
        + "".join(f"\nvendor {v} has no plugin here: its records are kept as they are" for v in kept),
    )
