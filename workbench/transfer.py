"""Export and import of a whole desk: JSON (lossless) and CSV (one row per case).

An import brings in only what the desk itself would accept: every record is checked as
the same record made through the desk is (its fields' types, bounds, known states, the
records it names, its vendor's rules; every setting as ``settings KEY VALUE`` checks it;
every event names a record of the file and a record's events are in time order). A record
of a vendor whose plugin is not installed is refused unless the import is asked to keep
that vendor's records as they are. Nothing is written if anything is bad, and every
problem is listed with its record. It goes into an empty desk only, so history is never
rewritten (CORE-AUDIT-1). A file past :data:`IMPORT_LIMIT` is refused before it is read:
memory stays bounded.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import os
import re
import stat
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from workbench.desk import BadInput, Desk, agents, next_running, passwords
from workbench.desk.customers import _check_customer, _validate_contract
from workbench.desk.settings import setting_value
from workbench.errors import DeskError, Invalid
from workbench.model import CASE_STATES, Case, Contract, Customer, Event, Workflow
from workbench.store import KINDS, MemoryStore
from workbench.store.fileio import PRIVATE_FILE

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

IMPORT_LIMIT = 512 << 20
"""The largest import file read (512 MiB; the export of a 50,000-case desk is about 250 MB):
an import is checked whole before anything is written, and takes about five times its
size in memory while it is."""


class ImportRefused(BadInput):
    """The import file has bad records; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "import", f"{len(problems)} problem(s), nothing imported:\n  " + "\n  ".join(problems)
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
    a failed export (a full disk) leaves no half file, nor an old one half overwritten;
    created readable by its owner only (it holds customers' data). A failure names the path."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        with open(fd, "wb", buffering=1 << 20) as out:
            write_export(desk, fmt, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except OSError as error:
        raise DeskError(
            f"{target}: the export was not written ({error.strerror or error}); the earlier file is whole"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _write_lines(out: BinaryIO, items: Iterator[dict[str, Any]]) -> None:
    """``items`` as JSON array members, each on a line of its own."""
    separator = b"\n"
    for item in items:
        out.write(separator + orjson.dumps(item))
        separator = b",\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula gets a
    leading apostrophe (OWASP's advice). Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(desk: Desk) -> str:
    """One row per case, with the columns a spreadsheet user wants; cells that would run as
    a formula are neutralised (:func:`spreadsheet_safe`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    customers = {c["id"]: c["name"] for c in desk.store.all("customers")}
    cases = sorted(desk.cases(), key=lambda case: _order({"id": case.id}))
    open_cases = [case for case in cases if case.is_open]
    deadlines = dict(zip((case.id for case in open_cases), desk.deadlines_for(open_cases), strict=True))
    for case in cases:
        nearest = next_running(deadlines[case.id] if case.is_open else case.outcomes)
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
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


def read_source(source: str) -> bytes:
    """The bytes of an import file: a regular file of at most :data:`IMPORT_LIMIT` bytes
    (a FIFO or a device would never end, and a huge file would take all memory)."""
    try:
        with open(os.open(source, os.O_RDONLY | os.O_NONBLOCK), "rb", buffering=0) as file:
            found = os.fstat(file.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise BadInput("import", f"{source} is not a regular file")
            if found.st_size > IMPORT_LIMIT:
                raise BadInput(
                    "import",
                    f"{source} is {found.st_size:,} bytes; an import reads at most "
                    f"{IMPORT_LIMIT:,} bytes (512 MiB): nothing was imported",
                )
            return file.read(IMPORT_LIMIT + 1)
    except OSError as error:
        raise BadInput("import", f"{source} cannot be read ({error.strerror})") from None


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


def validate_document(desk: Desk, document: dict[str, Any], allow_vendors: Iterable[str] = ()) -> list[str]:
    """Every problem of the document, each with its position and record."""
    with _collector_paused():
        return _validate(desk, document, frozenset(allow_vendors))


TOP_LEVEL = ("format", "version", "records", "events")
ALL_KINDS = (*RECORD_TYPES, "settings")


def _validate(desk: Desk, document: dict[str, Any], allow_vendors: frozenset[str]) -> list[str]:
    problems = [f"{name}: not part of an export" for name in document if name not in TOP_LEVEL]
    records = document.get("records")
    if not isinstance(records, dict):
        return [*problems, "records: missing or not an object"]
    problems += [
        f"records.{kind}: unknown kind of record (an export holds {', '.join(ALL_KINDS)})"
        for kind in records
        if kind not in ALL_KINDS
    ]
    lists: dict[str, list[Any]] = {}
    for kind in ALL_KINDS:
        value = records.get(kind, [])
        if not isinstance(value, list):
            problems.append(f"records.{kind}: not a list of records")
            value = []
        lists[kind] = value
    events = document.get("events", [])
    if not isinstance(events, list):
        problems.append("events: not a list of events")
        events = []
    typed: dict[str, dict[str, Any]] = {}
    present = {  # every ID given, bad records' too: what names one is not wrong because of it
        kind: {r["id"] for r in lists[kind] if isinstance(r, dict) and isinstance(r.get("id"), str)}
        for kind in RECORD_TYPES
    }
    for kind, kind_type in RECORD_TYPES.items():
        typed[kind] = {}
        round_trips, field_types = _round_trip_check(kind_type), _field_types_check(kind_type)
        for index, record in enumerate(lists[kind]):
            # The quick check accepts exactly records that round-trip; any other record
            # goes through the full round trip, which says what is wrong with it.
            where = f"records.{kind}[{index}]"
            if not round_trips(record):
                try:
                    if kind_type.from_dict(record).to_dict() != record:
                        raise ValueError("has fields that do not round-trip")
                except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
                    problems.append(f"{where}: {_why(exc)}")
                    continue
            wrong = field_types(record)
            if wrong:
                problems.append(f"{where} ({record['id']}): {wrong}")
                continue
            if record["id"] in typed[kind]:
                problems.append(f"{where}: ID {record['id']} appears twice")
                continue
            typed[kind][record["id"]] = record
    settings = _settings(desk, lists["settings"], problems)
    view = _desk_of(desk, typed, settings)
    problems += _customer_problems(typed["customers"])
    vendors = set(desk.vendors())
    for kind in ("contracts", "cases", "workflows"):
        check = {"contracts": _contract_problem, "cases": _case_problem, "workflows": _workflow_problem}[kind]
        for index, (key, record) in enumerate(typed[kind].items()):
            where = f"records.{kind}[{index}] ({key})"
            customer = record.get("customer_id")
            if customer and customer not in present["customers"]:
                problems.append(f"{where}: customer {customer} is not in the file")
            elif record["vendor"] not in vendors:
                if record["vendor"] not in allow_vendors:
                    problems.append(
                        f"{where}: vendor {record['vendor']!r} has no plugin installed here (one of "
                        f"{', '.join(sorted(vendors))}); import with --allow-vendor "
                        f"{record['vendor']} to keep its records as they are"
                    )
            elif customer in typed["customers"] or not customer:
                problem = check(view, record, present)
                if problem:
                    problems.append(f"{where}: {problem}")
    problems += _event_problems(events, present, {s["key"] for s in lists["settings"] if isinstance(s, dict)})
    return problems


def _settings(desk: Desk, settings: list[Any], problems: list[str]) -> dict[str, Any]:
    """The settings of the file that the desk accepts, by key (each checked as
    ``settings KEY VALUE`` checks it); the others are added to ``problems``."""
    accepted: dict[str, Any] = {}
    for index, setting in enumerate(settings):
        where = f"records.settings[{index}]"
        if (
            not isinstance(setting, dict)
            or set(setting) != {"key", "value"}
            or not isinstance(setting["key"], str)
        ):
            problems.append(f"{where}: needs exactly key (text) and value")
            continue
        key = setting["key"]
        if key in accepted:
            problems.append(f"{where}: setting {key} appears twice")
            continue
        if key == passwords.PASSWORDS:  # the agents' password hashes, as the desk keeps them
            value = setting["value"]
            if not (
                isinstance(value, dict)
                and all(
                    isinstance(h, str) and isinstance(v, str) and v.startswith("scrypt$") and v.count("$") > 4
                    for h, v in value.items()
                )
            ):
                problems.append(f"{where} ({key}): not the agents' password hashes")
                continue
            accepted[key] = value
            continue
        if key == agents.TEAM:  # the desk's agents (CORE-TEAM-1), read as the desk reads them
            try:
                value = setting["value"]
                if not isinstance(value.get("round_robin"), str):
                    raise TypeError("round_robin is not text")
                agents.team(OneSetting(setting))
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                problems.append(f"{where} ({key}): not the desk's team ({_why(exc)})")
                continue
            accepted[key] = setting["value"]
            continue
        try:
            value = setting_value(desk, key, setting["value"])
        except BadInput as exc:
            problems.append(f"{where} ({key}): {exc.problem}")
            continue
        if type(value) is not type(setting["value"]) or value != setting["value"]:
            problems.append(
                f"{where} ({key}): {setting['value']!r} is not how the desk stores it ({value!r})"
            )
            continue
        accepted[key] = value
    return accepted


class OneSetting:
    """The one settings record ``setting``, as a reader of the store sees it."""

    def __init__(self, setting: dict[str, Any]) -> None:
        self.setting = setting

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.setting if kind == "settings" and key == self.setting["key"] else None


def _desk_of(desk: Desk, typed: dict[str, dict[str, Any]], settings: dict[str, Any]) -> Desk:
    """A desk in memory holding the file's records: the vendors' rules check each record
    against the others as they would on the desk."""
    store = MemoryStore()
    with store.transaction() as tx:
        for key, value in settings.items():
            tx.put("settings", key, {"key": key, "value": value})
        for kind in RECORD_TYPES:
            for key, record in typed[kind].items():
                tx.put(kind, key, record)
    return Desk(store, desk.plugins, actor=desk.actor)


def _customer_problems(customers: dict[str, Any]) -> list[str]:
    problems, names = [], {}
    for index, (key, record) in enumerate(customers.items()):
        where = f"records.customers[{index}] ({key})"
        try:
            _check_customer(Customer.from_dict(record))
        except BadInput as exc:
            problems.append(f"{where}: {exc}")
            continue
        name = "".join(record["name"].split()).casefold()
        if name in names:
            problems.append(f"{where}: {names[name]} is already called {record['name']!r}")
        names.setdefault(name, key)
    return problems


def _contract_problem(view: Desk, record: dict[str, Any], present: dict[str, set[str]]) -> str | None:
    try:
        _validate_contract(view, Contract.from_dict(record))
    except (BadInput, Invalid) as exc:
        return str(exc)
    return None


def _case_problem(view: Desk, record: dict[str, Any], present: dict[str, set[str]]) -> str | None:
    if record["state"] not in CASE_STATES:
        return f"state {record['state']!r} is not a case state ({', '.join(CASE_STATES)})"
    if (record["state"] == "closed") != (record["closed_at"] is not None):
        return "a closed case has its closing time, and only a closed case"
    for pause in record["pauses"]:
        try:
            start = datetime.fromisoformat(pause["start"])
            end = pause.get("end")
            if end is not None and datetime.fromisoformat(end) < start:
                return f"a pause ends ({end}) before it starts ({pause['start']})"
        except (KeyError, TypeError, ValueError):
            return f"a pause is not {{start, end}} times: {pause!r}"
    case = Case.from_dict(record)
    if any(e.level < 1 for e in case.escalations):
        return "an escalation level below 1"
    if case.is_open:
        try:
            errors = [f for f in view.validate(case) if f.level == "error"]
        except DeskError as exc:
            return str(exc)
        if errors:
            return str(Invalid(errors))
    return None


def _workflow_problem(view: Desk, record: dict[str, Any], present: dict[str, set[str]]) -> str | None:
    contract = record["contract_id"]
    if contract and contract not in present["contracts"]:
        return f"contract {contract} is not in the file"
    templates = {t.id for t in view.workflow_templates(record["vendor"])}
    if record["template"] not in templates:
        known = ", ".join(sorted(templates))
        return f"template {record['template']!r} is not a {record['vendor']} workflow ({known})"
    steps = [step["id"] for step in record["steps"]]
    if len(steps) != len(set(steps)):
        return "a step appears twice"
    return None


def _event_problems(events: list[Any], present: dict[str, set[str]], settings: set[Any]) -> list[str]:
    """Events: the shape of an event, numbered 1, 2, …, each of a record in the file, and
    each record's events in time order (CORE-AUDIT-1)."""
    problems = []
    loads = _event_check()
    last: dict[tuple[str, str], str] = {}
    for index, event in enumerate(events):
        if not (loads(event) and event["id"] == index + 1):
            try:
                Event.from_dict(event)
                if event["id"] != index + 1:
                    raise ValueError(f"event IDs must run 1, 2, … (found {event['id']})")
            except (TypeError, ValueError, KeyError, OverflowError) as exc:
                problems.append(f"events[{index}]: {_why(exc)}")
                continue
        kind, key = event["kind"], event["key"]
        known = settings if kind == "settings" else present.get(kind)
        if kind not in KINDS or not isinstance(key, str) or known is None or key not in known:
            problems.append(f"events[{index}]: names {kind} {key}, which is not in the file")
            continue
        at = event["at"]
        previous = last.get((kind, key))
        if previous is not None and datetime.fromisoformat(at) < datetime.fromisoformat(previous):
            problems.append(
                f"events[{index}]: {kind} {key} changed at {at}, before its previous event ({previous}): "
                "a record's history is in time order (CORE-AUDIT-1)"
            )
        last[(kind, key)] = at
    return problems


def _field_types_check(cls: type) -> Callable[[dict[str, Any]], str | None]:
    """What is wrong with the JSON types of a record's fields (``subject: 12``,
    ``users: "many"``), or ``None``: the round trip does not check them."""
    hints = typing.get_type_hints(cls)
    checks = [(f.name, _json_type(hints[f.name])) for f in dataclasses.fields(cls)]

    def check(record: dict[str, Any]) -> str | None:
        for name, expected in checks:
            wrong = expected(record[name])
            if wrong:
                return f"{name}: {wrong}"
        return None

    return check


def _json_type(kind: Any) -> Callable[[Any], str | None]:
    """A check of a stored value against field type ``kind``: what is wrong, or ``None``."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        inner = _json_type(options[0]) if len(options) == 1 else (lambda value: None)
        return lambda value: None if value is None else inner(value)
    if origin is typing.Literal:
        allowed = typing.get_args(kind)
        return lambda value: (
            None if value in allowed else f"{value!r} is not one of {', '.join(map(str, allowed))}"
        )
    if origin is list:
        item = _json_type(typing.get_args(kind)[0])
        return lambda value: (
            f"{value!r} is not a list"
            if type(value) is not list
            else next(filter(None, map(item, value)), None)
        )
    if origin is dict:
        return lambda value: None if type(value) is dict else f"{value!r} is not an object"
    if kind is str or kind is datetime or kind is date:
        return lambda value: None if type(value) is str else f"{value!r} is not text"
    if kind is int:
        return lambda value: None if type(value) is int else f"{value!r} is not a whole number"
    if kind is float:
        return lambda value: None if type(value) in (int, float) else f"{value!r} is not a number"
    if kind is bool:
        return lambda value: None if type(value) is bool else f"{value!r} is not yes or no"
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        fields = _field_types_check(kind)
        return lambda value: f"{value!r} is not an object" if type(value) is not dict else fields(value)
    return lambda value: None


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


def import_document(
    desk: Desk,
    document: dict[str, Any],
    progress: Progress | None = None,
    allow_vendors: Iterable[str] = (),
) -> dict[str, int]:
    """Write a validated export into an empty desk, in one transaction. Records of a vendor
    in ``allow_vendors`` whose plugin is not installed are kept as they are."""
    if not desk.is_empty():
        raise BadInput(
            "import",
            f"the desk at {desk.store.location} already holds data; import into a new desk file (--db)",
        )
    with _collector_paused():
        return _import(desk, document, progress, frozenset(allow_vendors))


def _import(
    desk: Desk, document: dict[str, Any], progress: Progress | None, allow_vendors: frozenset[str]
) -> dict[str, int]:
    problems = _validate(desk, document, allow_vendors)
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
    return {kind: len(records.get(kind, [])) for kind in ALL_KINDS} | {"events": len(events)}


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
