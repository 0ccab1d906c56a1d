"""Documents the desk hands to people outside it: a case's evidence pack (CORE-SLA-4) as
Markdown, HTML that prints cleanly to PDF from a browser, CSV or JSON; and any report's rows
as CSV. Each takes the JSON-able document the desk built and changes none of its figures."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

EVIDENCE_FORMATS = ("md", "html", "csv", "json")

LINE_COLUMNS = (
    ("at", "at"),
    ("deadline", "clock"),
    ("what", "what"),
    ("due", "due"),
    ("calendar", "calendar"),
    ("stretch_minutes", "stretch min"),
    ("counted_minutes", "counted min"),
    ("ball", "ball"),
    ("rule", "rule"),
)


def evidence_document(pack: dict[str, Any], fmt: str) -> str:
    """The evidence pack in format ``fmt`` (one of :data:`EVIDENCE_FORMATS`)."""
    if fmt == "json":
        return orjson.dumps(pack, option=orjson.OPT_INDENT_2).decode()
    if fmt == "csv":
        return _evidence_csv(pack)
    if fmt == "html":
        return _evidence_html(pack)
    return _evidence_markdown(pack)


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV, the columns those of the first row (lists joined by spaces)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


def _heading(pack: dict[str, Any]) -> list[tuple[str, str]]:
    case, program = pack["case"], pack["program"]
    return [
        ("Case", f"{case['id']} — {case['subject']} ({case['state']})"),
        ("Customer", f"{pack['customer']['name']} ({pack['customer']['id']})"),
        ("Vendor", f"{pack['vendor']['name']} ({pack['vendor']['id']})"),
        ("Program", f"{program['path']} / {program['queue']} ({program['rule']}: {program['reason']})"),
        ("Severity", pack["severity"] or "-"),
        ("Opened", case["opened_at"]),
        ("Sent to vendor", case["sent_at"] or "-"),
        ("Closed", case["closed_at"] or "-"),
        ("Times in", pack["timezone"]),
    ]


def _commitment_text(c: dict[str, Any]) -> str:
    target = f", target {c['target_minutes']} min" if c["target_minutes"] is not None else ""
    paused = "pauses while pending on the customer" if c["pauses_on_customer"] else "does not pause"
    return f"{c['minutes']} min{target} on {c['calendar']}, {paused} ({c['rule']}: {c['reason']})"


def _holiday_text(calendar: dict[str, Any]) -> str:
    days = ", ".join(f"{h['date']} {h['name']}" for h in calendar["holidays"])
    return days or "none in the case's time"


def _cell(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _evidence_markdown(pack: dict[str, Any]) -> str:
    def esc(value: Any) -> str:
        return _cell(value).replace("|", "\\|").replace("\n", " ")

    out = [f"# Evidence pack: {pack['case']['id']} ({pack['rule']})", ""]
    out += [f"- **{label}:** {esc(value)}" for label, value in _heading(pack)]
    out += ["", "## Commitments", ""]
    out += [
        f"- **{esc(c['name'])}** ({c['clock']} clock): {esc(_commitment_text(c))}"
        for c in pack["commitments"]
    ]
    out += ["", "## Calendars", ""]
    for calendar in pack["calendars"]:
        out.append(
            f"- **{esc(calendar['name'])}**: {esc(calendar['describe'])}; "
            f"days off: {esc(_holiday_text(calendar))}"
        )
    out += ["", "## Clock lines", ""]
    out.append("| " + " | ".join(title for _, title in LINE_COLUMNS) + " | why |")
    out.append("|" + "---|" * (len(LINE_COLUMNS) + 1))
    for line in pack["lines"]:
        cells = [esc(line[key]) for key, _ in LINE_COLUMNS] + [esc(line["reason"])]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Totals", ""]
    for total in pack["totals"]:
        out.append(
            f"- **{esc(total['deadline'])}**: {total['state']}, {total['counted_minutes']} of "
            f"{total['commitment_minutes']} min counted, due {esc(total['due'])} ({total['rule']})"
        )
    ball = pack["ball_minutes"]
    out.append(
        f"- **Ball held** (business minutes, desk calendar): desk {ball['desk']}, "
        f"vendor {ball['vendor']}, customer {ball['customer']}"
    )
    out += ["", "## Messages", ""]
    for message in pack["messages"]:
        out.append(
            f"- {message['at']} — {esc(message['direction'])} ({esc(message['actor'])}, "
            f"{message['action']}): {esc(message['text'])}"
        )
    return "\n".join(out) + "\n"


PRINT_CSS = """
body { font: 11pt/1.4 system-ui, sans-serif; color: #000; background: #fff; margin: 2em; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #888; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.breach td { font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
dt { font-weight: bold; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; }
  thead { display: table-header-group; }
  tr, li { page-break-inside: avoid; break-inside: avoid; }
  h2 { page-break-after: avoid; break-after: avoid; }
}
"""


def _evidence_html(pack: dict[str, Any]) -> str:
    def esc(value: Any) -> str:
        return html.escape(_cell(value))

    title = f"Evidence pack: {pack['case']['id']} ({pack['rule']})"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{PRINT_CSS}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        "<dl>",
    ]
    out += [f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in _heading(pack)]
    out += ["</dl>", "<h2>Commitments</h2>", "<ul>"]
    out += [
        f"<li><b>{esc(c['name'])}</b> ({esc(c['clock'])} clock): {esc(_commitment_text(c))}</li>"
        for c in pack["commitments"]
    ]
    out += ["</ul>", "<h2>Calendars</h2>", "<ul>"]
    out += [
        f"<li><b>{esc(c['name'])}</b>: {esc(c['describe'])}; days off: {esc(_holiday_text(c))}</li>"
        for c in pack["calendars"]
    ]
    out += ["</ul>", "<h2>Clock lines</h2>", "<table><thead><tr>"]
    out += [f"<th>{esc(title)}</th>" for _, title in LINE_COLUMNS] + ["<th>why</th>", "</tr></thead><tbody>"]
    for line in pack["lines"]:
        cells = "".join(
            f'<td class="num">{esc(line[key])}</td>'
            if key.endswith("minutes")
            else f"<td>{esc(line[key])}</td>"
            for key, _ in LINE_COLUMNS
        )
        kind = ' class="breach"' if line["what"] == "breach" else ""
        out.append(f"<tr{kind}>{cells}<td>{esc(line['reason'])}</td></tr>")
    out += ["</tbody></table>", "<h2>Totals</h2>", "<ul>"]
    for total in pack["totals"]:
        out.append(
            f"<li><b>{esc(total['deadline'])}</b>: {esc(total['state'])}, {total['counted_minutes']} of "
            f"{total['commitment_minutes']} min counted, due {esc(total['due'])} ({esc(total['rule'])})</li>"
        )
    ball = pack["ball_minutes"]
    out.append(
        f"<li><b>Ball held</b> (business minutes, desk calendar): desk {ball['desk']}, "
        f"vendor {ball['vendor']}, customer {ball['customer']}</li>"
    )
    out += [
        "</ul>",
        "<h2>Messages</h2>",
        "<table><thead><tr><th>at</th><th>who</th><th>direction</th><th>text</th></tr></thead><tbody>",
    ]
    for message in pack["messages"]:
        out.append(
            f"<tr><td>{esc(message['at'])}</td><td>{esc(message['actor'])}</td>"
            f"<td>{esc(message['direction'])}</td><td>{esc(message['text'])}</td></tr>"
        )
    out += ["</tbody></table>", "</body></html>"]
    return "\n".join(out) + "\n"


def _evidence_csv(pack: dict[str, Any]) -> str:
    """The heading as ``# label: value`` comment lines, then one row per clock line."""
    out = io.StringIO()
    for label, value in _heading(pack):
        out.write(f"# {label}: {_cell(value)}\n")
    for c in pack["commitments"]:
        out.write(f"# Commitment {c['name']}: {_commitment_text(c)}\n")
    for c in pack["calendars"]:
        out.write(f"# Calendar {c['name']}: {c['describe']}; days off: {_holiday_text(c)}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in LINE_COLUMNS] + ["reason"])
    for line in pack["lines"]:
        writer.writerow(
            [_cell(line[key]) if line[key] is not None else "" for key, _ in LINE_COLUMNS] + [line["reason"]]
        )
    return out.getvalue()


def ics_document(entries: list[dict[str, Any]], stamp: datetime, alarm_minutes: int, desk_name: str) -> bytes:
    """The desk's dates as an iCalendar file (RFC 5545): an all-day event for a date, a
    15-minute event at a due time (in UTC), each with its stable UID and, unless
    ``alarm_minutes`` is 0, a display alarm that many minutes before."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Case Workbench//workbench calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", desk_name or "Case Workbench")
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", f"{entry['uid']}@case-workbench")
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("summary", entry["summary"])
        event.add("description", entry["description"])
        if entry["at"] is not None:
            event.add("dtstart", entry["at"].astimezone(UTC))
            event.add("dtend", entry["at"].astimezone(UTC) + timedelta(minutes=15))
        else:
            event.add("dtstart", entry["date"])
            event.add("dtend", entry["date"] + timedelta(days=1))
        if entry["rule"]:
            event.add("categories", [entry["rule"]])
        if alarm_minutes:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry["summary"])
            alarm.add("trigger", timedelta(minutes=-alarm_minutes))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
