"""``workbench export`` and ``workbench import``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

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

    def write(out: BinaryIO) -> None:
        if fmt == "json":
            transfer.write_json(desk, out)
        else:
            out.write(transfer.export_csv(desk).encode())

    if output:
        # Written beside the file and put in its place when whole: a failed export leaves
        # no half file (nor an old one half overwritten).
        target = Path(output)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            with open(partial, "wb", buffering=1 << 20) as out:
                write(out)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        click.echo(f"exported to {output}", err=True)
    else:
        write(sys.stdout.buffer)
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
