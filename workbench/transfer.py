"""Export and import of a whole desk: JSON (lossless) and CSV (one row per case).

An import validates every record first and writes nothing if any is bad, listing each bad
record with its position and the reason. It goes into an empty desk only, so history is
never rewritten (CORE-AUDIT-1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import orjson

from workbench.desk import BadInput, Desk
from workbench.model import Case, Contract, Customer, Event, Workflow

FORMAT = "case-workbench-export"
VERSION = 1
RECORD_TYPES: dict[str, type] = {
    "customers": Customer,
    "contracts": Contract,
    "cases": Case,
    "workflows": Workflow,
}
CSV_COLUMNS = [
    "id",
    "vendor",
    "customer",
    "subject",
    "state",
    "queue",
    "path",
    "severity",
    "opened",
    "next_deadline",
    "next_deadline_due",
    "next_deadline_state",
    "technical_level",
    "commercial_level",
    "closed",
    "closure_reason",
]

Progress = Callable[[int, int], None]


class ImportRefused(BadInput):
    """The import file has bad records; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            "import", f"{len(problems)} bad record(s), nothing imported:\n  " + "\n  ".join(shown) + more
        )


def export_document(desk: Desk) -> dict[str, Any]:
    """The whole desk as one JSON-able document: every record and every event."""
    records = {kind: sorted(desk.store.all(kind), key=_order) for kind in (*RECORD_TYPES, "settings")}
    return {"format": FORMAT, "version": VERSION, "records": records, "events": desk.store.events()}


def export_json(desk: Desk) -> bytes:
    return orjson.dumps(export_document(desk), option=orjson.OPT_INDENT_2) + b"\n"


def export_csv(desk: Desk) -> str:
    """One row per case, with the columns a spreadsheet user wants."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    customers = {c["id"]: c["name"] for c in desk.store.all("customers")}
    for record in sorted(desk.store.all("cases"), key=_order):
        case = Case.from_dict(record)
        deadlines = desk.deadlines(case) if case.is_open else case.outcomes
        running = sorted(
            (d for d in deadlines if d.due and d.state in ("ok", "at-risk", "breached")), key=lambda d: d.due
        )
        nearest = running[0] if running else None
        writer.writerow(
            [
                case.id,
                case.vendor,
                customers.get(case.customer_id, case.customer_id),
                case.subject,
                case.state,
                case.queue,
                case.path,
                case.severity,
                case.opened_at.isoformat(),
                nearest.name if nearest else "",
                nearest.due.isoformat() if nearest else "",
                nearest.state if nearest else "",
                case.level("technical"),
                case.level("commercial"),
                case.closed_at.isoformat() if case.closed_at else "",
                case.close_reason,
            ]
        )
    return out.getvalue()


def read_document(raw: bytes, source: str) -> dict[str, Any]:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput("import", f"{source} is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadInput("import", f'{source} is not a Case Workbench export (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise BadInput(
            "import",
            f"{source} is export version {document.get('version')!r}; this workbench reads version {VERSION}",
        )
    return document


def validate_document(document: dict[str, Any]) -> list[str]:
    """Every problem of the document, each with its position."""
    problems = []
    records = document.get("records")
    if not isinstance(records, dict):
        return ["records: missing or not an object"]
    ids: dict[str, set[str]] = {}
    for kind, kind_type in RECORD_TYPES.items():
        ids[kind] = set()
        for index, record in enumerate(records.get(kind, [])):
            where = f"records.{kind}[{index}]"
            try:
                typed = kind_type.from_dict(record)
                if typed.to_dict() != record:
                    raise ValueError("has fields that do not round-trip")
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                problems.append(f"{where}: {_why(exc)}")
                continue
            if typed.id in ids[kind]:
                problems.append(f"{where}: ID {typed.id} appears twice")
            ids[kind].add(typed.id)
    for kind in ("contracts", "cases", "workflows"):
        for index, record in enumerate(records.get(kind, [])):
            customer = record.get("customer_id") if isinstance(record, dict) else None
            if customer and customer not in ids["customers"]:
                problems.append(f"records.{kind}[{index}]: customer {customer} is not in the file")
    for index, setting in enumerate(records.get("settings", [])):
        if not isinstance(setting, dict) or set(setting) != {"key", "value"}:
            problems.append(f"records.settings[{index}]: needs exactly key and value")
    for index, event in enumerate(document.get("events", [])):
        try:
            Event.from_dict(event)
            if event["id"] != index + 1:
                raise ValueError(f"event IDs must run 1, 2, … (found {event['id']})")
        except (TypeError, ValueError, KeyError) as exc:
            problems.append(f"events[{index}]: {_why(exc)}")
    return problems


def import_document(desk: Desk, document: dict[str, Any], progress: Progress | None = None) -> dict[str, int]:
    """Write a validated export into an empty desk, in one transaction."""
    if not desk.is_empty():
        raise BadInput(
            "import",
            f"the desk at {desk.store.location} already holds data; import into a new desk file (--db)",
        )
    problems = validate_document(document)
    if problems:
        raise ImportRefused(problems)
    records = document["records"]
    events = document.get("events", [])
    total = sum(len(records.get(kind, [])) for kind in (*RECORD_TYPES, "settings")) + len(events)
    done = 0
    with desk.store.transaction() as tx:
        for kind in (*RECORD_TYPES, "settings"):
            for record in records.get(kind, []):
                tx.put(kind, record["key"] if kind == "settings" else record["id"], record)
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, total)
            numbers = [_order(r)[0] for r in records.get(kind, [])] if kind != "settings" else []
            if numbers:
                tx.advance_number(kind, max(numbers))
        for event in events:
            tx.append_event(event)
            done += 1
            if progress and done % 1000 == 0:
                progress(done, total)
    if progress:
        progress(total, total)
    return {kind: len(records.get(kind, [])) for kind in records} | {"events": len(events)}


def _order(record: dict[str, Any]) -> tuple[int, str]:
    key = str(record.get("id") or record.get("key") or "")
    tail = key.rsplit("-", 1)[-1]
    return (int(tail) if tail.isdigit() else 0, key)


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    missing = re.search(r"required (?:positional|keyword-only) arguments?: (.*)$", str(exc))
    if missing:
        return f"missing {missing.group(1).replace(' and ', ', ')}"
    return str(exc)
