"""``workbench vendor-times``: how a vendor kept its commitments, measured over the desk's
cases (e.g. ZOHO-SLA-3, Zoho's averages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk
from workbench.render import duration

if TYPE_CHECKING:
    from workbench.desk import Desk


def _time(minutes: int | None) -> str:
    return "-" if minutes is None else duration(minutes)


@click.command("vendor-times")
@click.argument("vendor")
@click.option("--month", default=None, help="Only waits that started in this month (YYYY-MM).")
@with_desk
def vendor_times(desk: Desk, vendor: str, month: str | None) -> Output:
    """Average, median and worst answer times of VENDOR per month and severity, beside each
    commitment, with the cases behind each figure."""
    report = desk.vendor_times(vendor, month)
    lines = [f"{report.vendor}: {report.reason} ({report.rule})"]
    if not report.rows:
        lines.append("  no vendor commitment ran on the desk's cases" + (f" in {month}" if month else ""))
    for row in report.rows:
        bounds = (
            f"{_time(row.target_minutes)}–{_time(row.due_minutes)}"
            if row.target_minutes is not None
            else _time(row.due_minutes)
        )
        verdict = {True: "average within the commitment", False: "average beyond the commitment"}.get(
            row.average_within, "no answer yet"
        )
        lines.append(
            f"  {row.month} severity {row.severity} {row.commitment} (commitment {bounds}, {row.rule}): "
            f"{row.answered} answered — average {_time(row.average_minutes)}, median "
            f"{_time(row.median_minutes)}, worst {_time(row.worst_minutes)}"
            + (f" ({row.worst_case})" if row.worst_case else "")
            + f"; {verdict}"
        )
        if row.cases:
            lines.append(f"    cases: {', '.join(row.cases)}")
        if row.unanswered_cases:
            lines.append(f"    past the deadline with no answer: {', '.join(row.unanswered_cases)}")
    data = report.to_dict()
    for row, shown in zip(report.rows, data["rows"], strict=True):
        shown["average_within"] = row.average_within
    return Output(data, lines)
