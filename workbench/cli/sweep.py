"""``workbench sweep``: apply the time-driven rules now."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Context, Output, desk_options, emit, with_desk, words

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command()
@with_desk
def sweep(desk: Desk) -> Output:
    """Apply time-driven rules now: reminders, automatic closes, breaches, renewals."""
    from workbench.store.filestore import FileStore

    report = desk.sweep()
    if isinstance(desk.store, FileStore):
        desk.store.compact(if_due=True)  # the periodic job: nobody waits for it
    lines = words(desk).sweep(report)
    return Output(report.to_dict(), lines)


@click.command()
@click.option("--if-due", is_flag=True, help="Only when the log has grown past the snapshot.")
@desk_options
def compact(if_due: bool) -> None:
    """Rewrite the desk file's snapshot so that opening it replays no log (a command
    starts this in the background once the log has grown 2 MB past the snapshot)."""
    from workbench.store.filestore import FileStore

    context = click.get_current_context().ensure_object(Context)
    store = context.desk().store
    done = isinstance(store, FileStore) and store.compact(if_due=if_due)
    emit(
        context,
        Output(
            {"compacted": done, "db": store.location},
            f"{'compacted' if done else 'nothing to compact'}: {store.location}",
        ),
    )
