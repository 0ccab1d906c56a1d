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
    lines = [f"swept {report.checked} open cases at {words(desk).time(report.at)}"]
    lines += [
        f"  {a.get('case') or a.get('workflow')}: {a['kind']} — {a['reason']} ({a['rule']})"
        for a in report.applied
    ]
    lines += [f"  {b['case']}: {b['deadline']} breached ({b['rule']})" for b in report.breaches]
    if not report.applied and not report.breaches:
        lines.append("  nothing to do")
    return Output(report.to_dict(), lines)
