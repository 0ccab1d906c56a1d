"""``workbench export`` and ``workbench import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli.common import Context, Output, desk_options, with_desk

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

    desk = click.get_current_context().ensure_object(Context).desk()
    if output:
        transfer.export_file(desk, fmt, Path(output))
        click.echo(f"exported to {output}", err=True)
    else:
        transfer.write_export(desk, fmt, sys.stdout.buffer)
        sys.stdout.flush()


@click.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_desk
def import_command(desk: Desk, source: str) -> Output:
    """Import a JSON export into an empty desk; every record is checked first and a bad
    file writes nothing."""
    from workbench import transfer

    document = transfer.read_document(Path(source).read_bytes(), source)
    interactive = sys.stderr.isatty()
    with click.progressbar(length=1, label="importing", file=sys.stderr, hidden=not interactive) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        counts = transfer.import_document(desk, document, progress)
    return Output(
        {"imported": counts, "db": desk.store.location},
        "imported " + ", ".join(f"{n} {k}" for k, n in counts.items()),
    )
