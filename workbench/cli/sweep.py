"""``workbench sweep``: apply the time-driven rules now."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk, words

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command()
@with_desk
def sweep(desk: Desk) -> Output:
    """Apply time-driven rules now: reminders, automatic closes, breaches, renewals."""
    report = desk.sweep()
    lines = words(desk).sweep(report)
    return Output(report.to_dict(), lines)
