"""``workbench db``: a desk in PostgreSQL — create one, or copy a desk between a desk file
and a PostgreSQL server (either way)."""

from __future__ import annotations

import os

import click

from workbench.cli.common import Context, Output, desk_options, emit, no_password
from workbench.errors import BadInput


@click.group()
def db() -> None:
    """Desks in PostgreSQL: create one, copy a desk between a file and a server.

    A URL is postgresql://USER@HOST:PORT/DATABASE (add ?options=-csearch_path%3DSCHEMA for a
    desk in a schema of its own) or service=NAME (a libpq service file entry). Leave the
    password out: libpq reads it from PGPASSFILE (~/.pgpass) or the service file.
    """


def _postgres_url(value: str, name: str) -> str:
    from workbench.store import is_postgres

    if not is_postgres(value):
        raise BadInput(name, f"{value!r} is not a PostgreSQL URL (postgresql://… or service=NAME)")
    return no_password(value, name)


@db.command("init")
@click.argument("url")
@desk_options
def init(url: str) -> None:
    """Create an empty desk (the schema, at its current version) in the database at URL."""
    from workbench.store.pgstore import SCHEMA, init_desk

    context = click.get_current_context().ensure_object(Context)
    where = init_desk(_postgres_url(url, "URL"))
    emit(
        context,
        Output(
            {"created": where, "schema": SCHEMA},
            f"Created an empty desk (schema {SCHEMA}) at {where}. Open it with --db URL or WORKBENCH_DB.",
        ),
    )


@db.command("copy")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@desk_options
def copy(source: str, target: str) -> None:
    """Copy the whole desk FROM (a desk file or a PostgreSQL URL) into the empty desk TO
    (the other kind, or the same), then check the copy: every count and a digest of all
    records, events and counters must match before it says done. FROM is locked for
    writing while it is copied; TO gets everything in one transaction, or nothing."""
    from workbench.store import is_postgres, open_store
    from workbench.store.copy import copy_desk
    from workbench.store.pgstore import NoDesk, PostgresStore, init_desk

    context = click.get_current_context().ensure_object(Context)
    for value, name in ((source, "FROM"), (target, "TO")):
        if is_postgres(value):
            no_password(value, name)
        elif not os.path.isdir(os.path.dirname(os.path.abspath(value))):
            raise BadInput(name, f"the folder of {value} does not exist (a typo in the path?)")
    if not is_postgres(source) and not os.path.exists(source):
        raise BadInput("FROM", f"there is no desk file at {source}")
    origin = open_store(source)
    try:
        if is_postgres(target):
            try:
                destination = PostgresStore(target)
            except NoDesk:
                init_desk(target)
                destination = PostgresStore(target)
        else:
            destination = open_store(target)
        try:
            summary = copy_desk(origin, destination, lambda: open_store(target))
        finally:
            destination.close()
    finally:
        origin.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in summary.counts.items())
    emit(
        context,
        Output(
            {
                "from": origin.location,
                "to": destination.location,
                "counts": summary.counts,
                "digest": summary.digest,
            },
            [
                f"Copied {origin.location} to {destination.location}: {counts}.",
                f"Checked: the copy read back has the same counts and digest (sha256 {summary.digest}).",
            ],
        ),
    )
