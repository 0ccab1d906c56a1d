"""``workbench report …``: vendor commitments kept (ZOHO-SLA-3), the desk's own (CORE-SLA-3),
the backlog and open escalations, renewals and orders due; as text, ``--json`` or
``--format csv``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from workbench.cli.common import Output, with_desk

if TYPE_CHECKING:
    from workbench.desk import Desk

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="csv: the rows as CSV.",
)


def period_options(command: Callable) -> Callable:
    for option in (
        click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Last day (default: today)."),
        click.option(
            "--from", "start", default=None, metavar="YYYY-MM-DD", help="First day (default: the 1st)."
        ),
        click.option("--month", default=None, metavar="YYYY-MM", help="A calendar month of the desk."),
    ):
        command = option(command)
    return command


@click.group()
def report() -> None:
    """Reports a lead can take to a vendor."""


def _output(document: dict[str, Any], rows: list[dict[str, Any]], fmt: str, text: list[str]) -> Output:
    if fmt == "csv":
        from workbench.documents import rows_csv

        return Output(document, rows_csv(rows).rstrip("\n"))
    return Output(document, text or ["nothing in this report"])


def _ids(ids: list[str], shown: int = 6) -> str:
    more = f" +{len(ids) - shown}" if len(ids) > shown else ""
    return " ".join(ids[:shown]) + more


def _minutes(value: int | None) -> str:
    return "-" if value is None else f"{value}"


@report.command("vendor")
@period_options
@click.option("--vendor", default=None, help="Only this vendor.")
@click.option(
    "--by",
    type=click.Choice(["severity", "kind"]),
    default="severity",
    show_default=True,
    help="Group each vendor's month by the cases' severity or their kind (what they are about).",
)
@FORMAT
@with_desk
def report_vendor(
    desk: Desk,
    month: str | None,
    start: str | None,
    end: str | None,
    vendor: str | None,
    by: str,
    fmt: str,
) -> Output:
    """Vendor commitments kept: per vendor, month and severity (or kind), met / late /
    running, and the average, median and worst business minutes against the commitment
    (ZOHO-SLA-3)."""
    first, last = desk.report_period(month, start, end)
    document = desk.vendor_report(first, last, vendor, by)
    text = [f"Vendor commitments kept, cases sent {first} to {last} (business minutes; ZOHO-SLA-3)"]
    label = "sev" if by == "severity" else "kind"
    width = 2 if by == "severity" else 20
    for row in document["rows"]:
        target = f" target {row['target_minutes']}" if row["target_minutes"] is not None else ""
        text.append(
            f"{row['vendor']:9} {row['month']} {label} {row[by]:{width}} {row['commitment']:34} "
            f"met {len(row['met']):4} late {len(row['late']):4} running {len(row['running']):4}  "
            f"avg {_minutes(row['average_minutes'])} median {_minutes(row['median_minutes'])} "
            f"worst {_minutes(row['worst_minutes'])} ({row['worst_case'] or '-'}) "
            f"of {row['commitment_minutes']}{target} ({row['rule']})"
        )
        if row["late"]:
            text.append(f"    late: {_ids(row['late'])}")
    return _output(document, document["rows"], fmt, text if document["rows"] else [])


@report.command("desk")
@period_options
@FORMAT
@with_desk
def report_desk(desk: Desk, month: str | None, start: str | None, end: str | None, fmt: str) -> Output:
    """The desk's own commitments (CORE-SLA-3): first response and update attainment per
    vendor and per agent, and the breaches with their cases."""
    first, last = desk.report_period(month, start, end)
    document = desk.desk_report(first, last)
    text = [f"The desk's commitments, cases sent or opened {first} to {last} (CORE-SLA-3)"]
    for kind in ("vendor", "agent"):
        text.append(f"by {kind}:")
        for row in document[f"by_{kind}"]:
            share = "-" if row["attainment"] is None else f"{row['attainment']:.0%}"
            text.append(
                f"  {row[kind]:14} {row['commitment']:22} met {len(row['met']):4} late {len(row['late']):4} "
                f"running {len(row['running']):4}  attained {share}"
            )
    for breach in document["breaches"]:
        text.append(
            f"breach {breach['case']:8} {breach['commitment']:22} due {breach['due']} "
            f"({breach['agent'] or '-'})"
        )
    rows = [{"by": "vendor", **r} for r in document["by_vendor"]] + [
        {"by": "agent", **r} for r in document["by_agent"]
    ]
    rows = [
        {k: v for k, v in r.items() if k not in ("vendor", "agent")}
        | {"who": r.get("vendor") or r.get("agent")}
        for r in rows
    ]
    return _output(document, rows, fmt, text)


@report.command("backlog")
@FORMAT
@with_desk
def report_backlog(desk: Desk, fmt: str) -> Output:
    """Open cases by age band, by who holds the ball and by vendor; escalations open per
    track and level with their age."""
    document = desk.backlog_report()
    text = ["Open cases by age:"]
    text += [f"  {r['band']:14} {r['count']:5}  {_ids(r['cases'])}" for r in document["by_age"]]
    text.append("By who holds the ball (CORE-SLA-4):")
    text += [f"  {r['ball']:14} {r['count']:5}  {_ids(r['cases'])}" for r in document["by_ball"]]
    text.append("By vendor:")
    text += [f"  {r['vendor']:14} {r['count']:5}  {_ids(r['cases'])}" for r in document["by_vendor"]]
    text.append("Escalations open:")
    text += [
        f"  {r['track']} level {r['level']}: {r['count']}, oldest {r['oldest_days']} days  {_ids(r['cases'])}"
        for r in document["escalations"]
    ] or ["  none"]
    rows = (
        [
            {"group": "age", "value": r["band"], "count": r["count"], "cases": r["cases"]}
            for r in document["by_age"]
        ]
        + [
            {"group": "ball", "value": r["ball"], "count": r["count"], "cases": r["cases"]}
            for r in document["by_ball"]
        ]
        + [
            {"group": "vendor", "value": r["vendor"], "count": r["count"], "cases": r["cases"]}
            for r in document["by_vendor"]
        ]
        + [
            {
                "group": f"escalation {r['track']}",
                "value": r["level"],
                "count": r["count"],
                "cases": r["cases"],
            }
            for r in document["escalations"]
        ]
    )
    return _output(document, rows, fmt, text)


@report.command("renewals")
@FORMAT
@with_desk
def report_renewals(desk: Desk, fmt: str) -> Output:
    """Renewals and orders whose next step is overdue or due within 30, 60 or 90 days, by vendor."""
    document = desk.renewals_report()
    text = [
        f"{r['band']:15} {r['due']} {r['vendor']:9} {r['workflow']:8} {r['step']} — {r['title']} "
        f"({r['rule']})"
        for r in document["rows"]
    ]
    return _output(document, document["rows"], fmt, text)


@click.command("calendar")
@click.option("--format", "fmt", type=click.Choice(["ics"]), default="ics", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write it to FILE."
)
@click.option("--breaching", is_flag=True, help="Also each open case's deadline at risk or breached.")
@with_desk
def calendar_command(desk: Desk, fmt: str, output: str | None, breaching: bool) -> Output:
    """The desk's dates as an iCalendar file: renewal dates, workflow steps' due dates and,
    with --breaching, case deadlines at risk; stable UIDs, a reminder alarm
    (setting core.calendar_alarm_minutes)."""
    from pathlib import Path

    from workbench.documents import ics_document

    entries = desk.calendar_entries(breaching)
    document = ics_document(
        entries, desk.now(), int(desk.setting("core.calendar_alarm_minutes")), str(desk.setting("desk.name"))
    )
    data = [
        {
            **e,
            "date": e["date"].isoformat() if e["date"] else None,
            "at": e["at"].isoformat() if e["at"] else None,
        }
        for e in entries
    ]
    if output is None:
        return Output(data, document.decode("utf-8").replace("\r\n", "\n").rstrip("\n"))
    Path(output).write_bytes(document)
    return Output({"written": output, "events": len(entries)}, f"wrote {len(entries)} events to {output}")
