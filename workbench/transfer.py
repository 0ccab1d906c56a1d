"""Export and import of a whole desk: JSON (lossless) and CSV (one row per case).

An import validates every record first and writes nothing if any is bad, listing each bad
record with its position and the reason. It goes into an empty desk only, so history is
never rewritten (CORE-AUDIT-1).
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from workbench.desk import BadInput, Desk, next_running
from workbench.model import Case, Contract, Customer, Event, Workflow

FORMAT = "case-workbench-export"
VERSION = 1
EXPORT_FORMATS = ("json", "csv")
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
    "assignee",
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cycle collector while a whole desk's worth of JSON objects is built.

    An export or import makes millions of dicts, lists and strings (acyclic: reference
    counting frees them); left on, the collector walks the growing heap again and again,
    which triples the time. Restored as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_json(desk: Desk, out: BinaryIO) -> None:
    """Write the whole desk to ``out`` as one JSON document — every record and every event —
    a record or an event a line, as they are read: the closed cases and the history are
    never held whole (an export of 200,000 cases holds one of each at a time).

    Records come in number order, except the closed cases, which come first in the order
    the desk keeps them (importing the export keeps that order, so exporting the imported
    desk gives the same bytes). Any JSON reader reads the document whole."""
    with _collector_paused():
        out.write(b'{"format":' + orjson.dumps(FORMAT) + b',"version":' + orjson.dumps(VERSION))
        out.write(b',"records":{')
        for index, kind in enumerate((*RECORD_TYPES, "settings")):
            out.write(b"," if index else b"")
            out.write(orjson.dumps(kind) + b":[")
            if kind == "cases":
                closed = (r for r in desk.store.iter_all(kind) if r.get("state") == "closed")
                records = chain(closed, sorted(desk.store.all(kind, closed=False), key=_order))
            else:
                records = iter(sorted(desk.store.all(kind), key=_order))
            _write_lines(out, records)
            out.write(b"]")
        out.write(b'},"events":[')
        _write_lines(out, desk.store.iter_events())
        out.write(b"]}\n")


def write_export(desk: Desk, fmt: str, out: BinaryIO) -> None:
    """The desk to ``out`` in ``fmt`` (one of ``EXPORT_FORMATS``), as ``workbench export``
    and the terminal desk's Export commands write it."""
    if fmt == "json":
        write_json(desk, out)
    else:
        out.write(export_csv(desk).encode())


def export_file(desk: Desk, fmt: str, target: Path) -> None:
    """Write the export to ``target``: beside it first and put in its place when whole, so
    a failed export leaves no half file (nor an old one half overwritten)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb", buffering=1 << 20) as out:
            write_export(desk, fmt, out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _write_lines(out: BinaryIO, items: Iterator[dict[str, Any]]) -> None:
    """``items`` as JSON array members, each on a line of its own."""
    separator = b"\n"
    for item in items:
        out.write(separator + orjson.dumps(item))
        separator = b",\n"


def export_csv(desk: Desk) -> str:
    """One row per case, with the columns a spreadsheet user wants."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    customers = {c["id"]: c["name"] for c in desk.store.all("customers")}
    for record in sorted(desk.store.all("cases"), key=_order):
        case = Case.from_dict(record)
        nearest = next_running(desk.deadlines(case) if case.is_open else case.outcomes)
        writer.writerow(
            [
                case.id,
                case.vendor,
                customers.get(case.customer_id, case.customer_id),
                case.subject,
                case.state,
                case.queue,
                case.assignee,
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
        with _collector_paused():
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
    with _collector_paused():
        return _validate(document)


def _validate(document: dict[str, Any]) -> list[str]:
    problems = []
    records = document.get("records")
    if not isinstance(records, dict):
        return ["records: missing or not an object"]
    ids: dict[str, set[str]] = {}
    for kind, kind_type in RECORD_TYPES.items():
        ids[kind] = set()
        round_trips = _round_trip_check(kind_type)
        for index, record in enumerate(records.get(kind, [])):
            # The quick check accepts exactly records that round-trip; any other record
            # goes through the full round trip, which says what is wrong with it.
            if round_trips(record):
                key = record["id"]
            else:
                where = f"records.{kind}[{index}]"
                try:
                    typed = kind_type.from_dict(record)
                    if typed.to_dict() != record:
                        raise ValueError("has fields that do not round-trip")
                except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
                    problems.append(f"{where}: {_why(exc)}")
                    continue
                key = typed.id
            if key in ids[kind]:
                problems.append(f"records.{kind}[{index}]: ID {key} appears twice")
            ids[kind].add(key)
    for kind in ("contracts", "cases", "workflows"):
        for index, record in enumerate(records.get(kind, [])):
            customer = record.get("customer_id") if isinstance(record, dict) else None
            if customer and customer not in ids["customers"]:
                problems.append(f"records.{kind}[{index}]: customer {customer} is not in the file")
    for index, setting in enumerate(records.get("settings", [])):
        if not isinstance(setting, dict) or set(setting) != {"key", "value"}:
            problems.append(f"records.settings[{index}]: needs exactly key and value")
    loads = _event_check()
    for index, event in enumerate(document.get("events", [])):
        if loads(event) and event["id"] == index + 1:
            continue
        try:
            Event.from_dict(event)
            if event["id"] != index + 1:
                raise ValueError(f"event IDs must run 1, 2, … (found {event['id']})")
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            problems.append(f"events[{index}]: {_why(exc)}")
    return problems


# ----------------------------------------------------------------------------------------
# Quick checks: ``Record.from_dict`` / ``to_dict`` without building the objects
# ----------------------------------------------------------------------------------------
# A record round-trips through its type exactly when it has every field of the type and
# no other, and each value reads back as itself: ``None`` anywhere; an instant in its
# stored form (ISO-8601 UTC); a date as YYYY-MM-DD; a list, a dict, a nested record of the
# right shape; anything else as it is (a ``str`` or ``int`` field is not type-checked by
# the round trip either). The checks below mirror ``workbench.model._load`` / ``_dump``
# type by type and answer ``False`` whenever in doubt, so a record they pass is one the
# full round trip passes: they only spare building 300,000 objects to compare them.

Check = Callable[[Any], bool]


_STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(?!000000)\d{6})?\+00:00")
"""An instant as ``_dump`` writes it: UTC ``isoformat()``, microseconds only when not zero."""


def _instant_check(value: Any) -> bool:
    return (
        type(value) is str
        and _STORED_INSTANT.fullmatch(value) is not None
        and datetime.fromisoformat(value) is not None
    )


def _date_check(value: Any) -> bool:
    return type(value) is str and date.fromisoformat(value).isoformat() == value


def _value_check(kind: Any) -> Check | None:
    """How a value of field type ``kind`` is checked; ``None``: any value reads back as itself."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _value_check(options[0]) if len(options) == 1 else None
    if origin is list:
        item = _value_check(typing.get_args(kind)[0])
        if item is None:
            return lambda value: type(value) is list
        return lambda value: type(value) is list and all(v is None or item(v) for v in value)
    if origin is dict:
        item = _value_check(typing.get_args(kind)[1])
        if item is None:
            return lambda value: type(value) is dict
        return lambda value: type(value) is dict and all(v is None or item(v) for v in value.values())
    if kind is datetime:
        return _instant_check
    if kind is date:
        return _date_check
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record_check(kind)
    return None


def _record_check(cls: type) -> Check:
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls))
    checks = [(name, check) for name in names if (check := _value_check(hints[name])) is not None]

    def check(record: Any) -> bool:
        if type(record) is not dict or record.keys() != names:
            return False
        for name, value_check in checks:
            value = record[name]
            if value is not None and not value_check(value):
                return False
        return True

    return check


def _round_trip_check(cls: type) -> Check:
    """Whether a record surely round-trips through ``cls`` (``False`` also when unsure)."""
    check = _record_check(cls)

    def safe(record: Any) -> bool:
        try:
            return check(record)
        except Exception:  # a value the quick check cannot read: the full check decides
            return False

    return safe


def _event_check() -> Check:
    """Whether ``Event.from_dict`` surely reads an event (``False`` also when unsure)."""
    required = frozenset(
        f.name
        for f in dataclasses.fields(Event)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )

    def check(event: Any) -> bool:
        try:
            if type(event) is not dict or not event.keys() >= required:
                return False
            at, before, after, data = event["at"], event.get("before"), event.get("after"), event.get("data")
            return (
                (at is None or _instant_check(at))
                and (before is None or type(before) is dict)
                and (after is None or type(after) is dict)
                and (data is None or type(data) is dict)
            )
        except Exception:
            return False

    return check


def import_document(desk: Desk, document: dict[str, Any], progress: Progress | None = None) -> dict[str, int]:
    """Write a validated export into an empty desk, in one transaction."""
    if not desk.is_empty():
        raise BadInput(
            "import",
            f"the desk at {desk.store.location} already holds data; import into a new desk file (--db)",
        )
    with _collector_paused():
        return _import(desk, document, progress)


def _import(desk: Desk, document: dict[str, Any], progress: Progress | None) -> dict[str, int]:
    problems = _validate(document)
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
