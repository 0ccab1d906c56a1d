"""``workbench sweep``: apply the time-driven rules now."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli.common import Context, Output, desk_options, emit, with_desk, words
from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command()
@with_desk
def sweep(desk: Desk) -> Output:
    """Apply time-driven rules now: reminders, automatic closes, breaches, renewals."""
    from workbench.compaction import compact_desk

    report = desk.sweep()
    compact_desk(desk, if_due=True)  # the periodic job: nobody waits for it
    lines = words(desk).sweep(report)
    skipped = [f"skipped {item.get('case') or item['workflow']}: {item['reason']}" for item in report.skipped]
    return Output(report.to_dict(), [*lines, *skipped])


@click.command()
@click.option("--if-due", is_flag=True, help="Only when the log has grown past the snapshot.")
@desk_options
def compact(if_due: bool) -> None:
    """Rewrite the desk file's snapshot so that opening it replays no log (a command
    starts this in the background once the log has grown 2 MB past the snapshot). It also
    keeps the plugins' tallies counted beside it; it changes no record, so it needs no agent."""
    from workbench.compaction import compact_desk
    from workbench.desk import Desk
    from workbench.plugins import get_plugins
    from workbench.store import open_store

    context = click.get_current_context().ensure_object(Context)
    chosen = context.db or os.environ.get("WORKBENCH_DB") or None
    if chosen and not Path(chosen).expanduser().resolve().parent.is_dir():
        raise BadInput("--db", f"the folder of {chosen} does not exist (a typo in the path?)")
    store = open_store(chosen)
    try:
        done = compact_desk(Desk(store, get_plugins()), if_due=if_due)
    finally:
        store.close()
    emit(
        context,
        Output(
            {"compacted": done, "db": store.location},
            f"{'compacted' if done else 'nothing to compact'}: {store.location}",
        ),
    )
