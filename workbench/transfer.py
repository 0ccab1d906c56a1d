"""Export and import of a whole desk: JSON (lossless) and CSV (one row per case).

An import brings in only what the desk itself would accept: every record is checked as
the same record made through the desk is (its fields' types, bounds, known states, the
records it names, its vendor's rules; every setting as ``settings KEY VALUE`` checks it;
every event names a record of the file and a record's events are in time order). A record
of a vendor whose plugin is not installed is refused unless the import is asked to keep
that vendor's records as they are. Nothing is written if anything is bad, and every
problem is listed with its record. It goes into an empty desk only, so history is never
rewritten (CORE-AUDIT-1). An export is read a record or an event at a time, whatever its
size; a file that is not in an export's order is read whole, and refused past
:data:`IMPORT_LIMIT` before it is read: memory stays bounded.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gc
import io
import os
import re
import stat
import sys
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
from workbench.desk.customers import _check_customer, _validate_contract, customer_attributes
from workbench.desk.settings import setting_value
from workbench.errors import DeskError, Invalid
from workbench.jsonstream import JSONStream, Malformed, TooLong, line_and_column
from workbench.model import CASE_STATES, MAIL_STATES, Case, Contract, Customer, Event, Mail, Workflow, _dump
from workbench.shapes import date_check, instant_check, shape_check
from workbench.store import KINDS, FileStore
from workbench.store.fileio import PRIVATE_FILE
from workbench.store.loading import DeskLoader, load_new_desk
from workbench.store.upgrade import MOVED_CUSTOMER_FIELDS, needs_upgrade, upgraded_customer

FORMAT = "case-workbench-export"
VERSION = 1
EXPORT_FORMATS = ("json", "csv")
RECORD_TYPES: dict[str, type] = {
    "customers": Customer,
    "contracts": Contract,
    "cases": Case,
    "workflows": Workflow,
    "mail": Mail,
}
"""The kinds of record an export holds, in its order: what a record names comes before it
(a message names its case)."""
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
"""The largest import file read whole (512 MiB): one whose records are not in an export's
order (:func:`export_members`), which takes about five times its size in memory while it
is checked. An export in its order is read a value at a time whatever its size."""


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


def open_source(source: str) -> BinaryIO:
    """The import file, open for reading: a regular file (a FIFO or a device would never
    end; it is opened without waiting for a writer and refused)."""
    try:
        file = open(os.open(source, os.O_RDONLY | os.O_NONBLOCK), "rb", buffering=0)
    except OSError as error:
        raise BadInput("import", f"{source} cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        raise BadInput("import", f"{source} is not a regular file")
    return file


def read_source(file: BinaryIO, source: str, layout: NotStreamable) -> bytes:
    """The whole of an import file that cannot be read a value at a time (``layout`` says
    why): at most :data:`IMPORT_LIMIT` bytes, or a huge file would take all memory."""
    size = os.fstat(file.fileno()).st_size
    if size > IMPORT_LIMIT:
        raise BadInput(
            "import",
            f"{source} is {size:,} bytes and not laid out as `workbench export` writes it "
            f"({layout.reason}; an export is read a value at a time whatever the size); an import "
            f"reads at most {IMPORT_LIMIT:,} bytes (512 MiB) of a file laid out otherwise: "
            "nothing was imported",
        )
    try:
        file.seek(0)
        return file.read(IMPORT_LIMIT + 1)
    except OSError as error:
        raise BadInput("import", f"{source} cannot be read ({error.strerror})") from None


def read_document(raw: bytes, source: str) -> dict[str, Any]:
    try:
        with _collector_paused():
            document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput("import", f"{source} is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise _not_an_export(source)
    _check_head(document, source)
    return document


def _not_an_export(source: str) -> BadInput:
    return BadInput("import", f'{source} is not a Case Workbench export (no "format": "{FORMAT}")')


def _check_head(head: dict[str, Any], source: str) -> None:
    """Refuse a document whose format or version is not an export's this workbench reads."""
    if head.get("format") != FORMAT:
        raise _not_an_export(source)
    if head.get("version") != VERSION:
        raise BadInput(
            "import",
            f"{source} is export version {head.get('version')!r}; this workbench reads version {VERSION}",
        )


TOP_LEVEL = ("format", "version", "records", "events")
ALL_KINDS = (*RECORD_TYPES, "settings")
EVENTS = "events"

Member = tuple[str, int, Any]
"""One record (its kind) or event (``"events"``) of an export, and its place in its list."""


def document_members(document: dict[str, Any]) -> tuple[list[str], Callable[[], Iterator[Member]]]:
    """What is wrong with a whole export's layout, and its members (each kind's records in
    :data:`ALL_KINDS` order, then the events)."""
    problems = [_not_part(name) for name in document if name not in TOP_LEVEL]
    records = document.get("records")
    if not isinstance(records, dict):
        return [*problems, NO_RECORDS], lambda: iter(())
    problems += [_unknown_kind(kind) for kind in records if kind not in ALL_KINDS]
    lists: dict[str, list[Any]] = {}
    for kind in ALL_KINDS:
        value = records.get(kind, [])
        if not isinstance(value, list):
            problems.append(_not_a_list(kind))
            value = []
        lists[kind] = value
    events = document.get(EVENTS, [])
    if not isinstance(events, list):
        problems.append(_not_a_list(EVENTS))
        events = []
    lists[EVENTS] = events

    def members() -> Iterator[Member]:
        for section, items in lists.items():
            for index, item in enumerate(items):
                yield section, index, item

    return problems, members


NO_RECORDS = "records: missing or not an object"


def _not_part(name: str) -> str:
    return f"{name}: not part of an export"


def _unknown_kind(kind: str) -> str:
    return f"records.{kind}: unknown kind of record (an export holds {', '.join(ALL_KINDS)})"


def _not_a_list(section: str) -> str:
    if section == EVENTS:
        return "events: not a list of events"
    return f"records.{section}: not a list of records"


# ----------------------------------------------------------------------------------------
# Reading an export a value at a time
# ----------------------------------------------------------------------------------------
# An export is read a record or an event at a time, whatever its layout (a value a line as
# ``write_json`` writes it, one line as older versions wrote it, indented): its memory is
# the reader's window and one value (:mod:`workbench.jsonstream`). What it needs is the
# order ``write_json`` writes: the format and version, then the records of each kind in
# :data:`ALL_KINDS` order (what a record names comes before it), then the events. A file in
# another order is read whole (:func:`read_source`), as is one with a value longer than
# :data:`MEMBER_LIMIT`.

MEMBER_LIMIT = 64 << 20
"""The longest record or event read from an export a value at a time (64 MiB: a record that
large is no desk's); a file with a longer one is read whole, within :data:`IMPORT_LIMIT`."""


class NotStreamable(Exception):
    """The file cannot be read a value at a time: :attr:`reason` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def export_members(file: BinaryIO, source: str, problems: list[str]) -> Iterator[Member]:
    """The members of the export in ``file``, a value at a time; what is wrong with its
    layout is added to ``problems`` as the whole-document reading names it. Bad input when
    it is not JSON (naming the place) or no export; :class:`NotStreamable` when it is not in
    the order :func:`write_json` writes (nor a record longer than :data:`MEMBER_LIMIT`)."""
    stream = JSONStream(file, MEMBER_LIMIT)
    try:
        yield from _walk(stream, source, problems)
    except Malformed as error:
        line, column = line_and_column(file, error.at)
        raise BadInput(
            "import",
            f"{source} is not JSON: {error.problem}: line {line} column {column} (byte {error.at:,})",
        ) from None
    except TooLong:
        raise NotStreamable(f"a value longer than {MEMBER_LIMIT:,} bytes") from None


def _walk(stream: JSONStream, source: str, problems: list[str]) -> Iterator[Member]:
    """The document's members, in the order :func:`write_json` writes."""
    if stream.peek() != ord("{"):
        raise NotStreamable("it is not one JSON object")
    stream.take(b"{")
    head: dict[str, Any] = {}
    seen: list[str] = []
    read_members = True
    while stream.peek() != ord("}"):
        if seen:
            stream.take(b",")
        name = _name(stream)
        if name in seen:
            raise NotStreamable(f"{name} appears twice")
        seen.append(name)
        if name in ("records", EVENTS):
            if not head.keys() >= {"format", "version"}:
                raise NotStreamable(f"{name} before the format and version")
            _check_head(head, source)
        if name in ("format", "version"):
            if "records" in seen or EVENTS in seen:
                raise NotStreamable(f"the {name} after the records")
            head[name] = stream.value()
        elif name == "records":
            if stream.peek() == ord("{"):
                yield from _records(stream, problems)
            else:
                problems.append(NO_RECORDS)
                read_members = False
                _skip(stream)
        elif name == EVENTS:
            if "records" not in seen:
                raise NotStreamable("the events before the records")
            if not read_members:
                _skip(stream)
            elif stream.peek() == ord("["):
                yield from _list(stream, EVENTS)
            else:
                problems.append(_not_a_list(EVENTS))
                _skip(stream)
        else:
            problems.append(_not_part(name))
            _skip(stream)
    stream.take(b"}")
    if not stream.at_end():
        raise stream.unexpected("the end of the file after the document")
    if "records" not in seen:
        _check_head(head, source)
        problems.append(NO_RECORDS)


def _records(stream: JSONStream, problems: list[str]) -> Iterator[Member]:
    """Each kind's records, the kinds in :data:`ALL_KINDS` order."""
    stream.take(b"{")
    last = -1
    first = True
    while stream.peek() != ord("}"):
        if not first:
            stream.take(b",")
        first = False
        kind = _name(stream)
        if kind not in ALL_KINDS:
            problems.append(_unknown_kind(kind))
            _skip(stream)
            continue
        place = ALL_KINDS.index(kind)
        if place <= last:
            raise NotStreamable(f"records.{kind} after records.{ALL_KINDS[last]}")
        last = place
        if stream.peek() == ord("["):
            yield from _list(stream, kind)
        else:
            problems.append(_not_a_list(kind))
            _skip(stream)
    stream.take(b"}")


def _list(stream: JSONStream, section: str) -> Iterator[Member]:
    for index, value in enumerate(stream.items()):
        yield section, index, value


def _skip(stream: JSONStream) -> None:
    """Read past a value that is no member (a list a value at a time)."""
    if stream.peek() == ord("["):
        for _ in stream.items():
            pass
    else:
        stream.value()


def _name(stream: JSONStream) -> str:
    """A member name and its colon."""
    if stream.peek() != ord('"'):
        raise stream.unexpected("a name in quotes")
    name = stream.value()
    stream.take(b":")
    return name


# ----------------------------------------------------------------------------------------
# Checking and writing
# ----------------------------------------------------------------------------------------


class ImportCheck:
    """Every check of an import, in one pass over the file's members (in :data:`ALL_KINDS`
    order, then the events: what a record names comes before it), then one on the new
    desk, so that nothing but what the checks need is held:

    1. :meth:`take`, every member: each record's fields and types (an older export's
       records get the fields added since, at their defaults), duplicate IDs, customers'
       names, what each record names is in the file, its vendor has a plugin (or is allowed
       without), a case's states and pauses, a workflow's contract and steps; the settings
       as ``settings KEY VALUE`` checks them; each event's shape, record and time order
       (CORE-AUDIT-1). Every record and event is written to the new desk's loader.
    2. :meth:`on_the_desk`, on the new desk (written, not yet in place): the vendor's rules
       for each contract, open case and workflow, as the desk applies them.

    :attr:`problems` lists every problem found, each with its record."""

    def __init__(self, desk: Desk, allow_vendors: Iterable[str]) -> None:
        self.desk = desk
        self.allow_vendors = frozenset(allow_vendors)
        self.vendors = set(desk.vendors())
        self.problems: list[str] = []
        self.counts = {section: 0 for section in (*ALL_KINDS, EVENTS)}
        self.present: dict[str, set[str]] = {kind: set() for kind in RECORD_TYPES}
        """Every ID given, bad records' too (what names one is not wrong because of it), each
        one string object shared with the event checks and the loader (``sys.intern``):
        200,000 cases' IDs are held once."""
        self.typed_customers: set[str] = set()
        """The customers whose fields and types are right."""
        self.highest: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.raw_settings: list[Any] = []
        self.settings: dict[str, Any] = {}
        self.settings_checked = False
        self.setting_keys: set[Any] = set()
        self.later: list[tuple[str, int, str]] = []
        """The records whose vendor rules are checked on the new desk (step 2)."""
        self.last_change: dict[str, dict[str, str | datetime]] = {kind: {} for kind in KINDS}
        self.checks = {
            kind: (
                shape_check(kind_type),
                _round_trip_check(kind_type),
                _field_types_check(kind_type),
                _defaults(kind_type),
            )
            for kind, kind_type in RECORD_TYPES.items()
        }
        self.event_check = _event_check()

    # -- step 1 ----------------------------------------------------------------------------

    def take(self, section: str, index: int, member: Any, loader: DeskLoader) -> None:
        """Check one member and write it to the new desk."""
        self.counts[section] += 1
        if section == EVENTS:
            self._settings_taken(loader)
            self._event(index, member, loader)
        elif section == "settings":
            self.raw_settings.append(member)
        else:
            self._record(section, index, member, loader)

    def _record(self, kind: str, index: int, record: Any, loader: DeskLoader) -> None:
        record = _moved(kind, record)
        twice = False
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            record["id"] = sys.intern(record["id"])
            twice = record["id"] in self.present[kind]
            self.present[kind].add(record["id"])
        where = f"records.{kind}[{index}]"
        problem = self._typed_problem(kind, record)
        if problem is None and twice:
            problem = f"ID {record['id']} appears twice"
        if problem is not None:
            self.problems.append(f"{where}{problem}" if problem.startswith(" (") else f"{where}: {problem}")
            return
        record = _upgraded(record, self.checks[kind][3])
        if kind == "customers":
            self.typed_customers.add(record["id"])
        number = _order(record)[0]
        if number > self.highest.get(kind, 0):
            self.highest[kind] = number
        if kind == "customers":
            problem = self._customer_problem(record)
            if problem is not None:
                self.problems.append(f"{where} ({record['id']}): {problem}")
        elif kind == "mail":
            self._mail_problem(index, record)
        else:
            self._named_problem(kind, index, record)
        loader.put(kind, record["id"], record)

    def _typed_problem(self, kind: str, record: Any) -> str | None:
        """What is wrong with a record's fields or their JSON types (`` (ID): …`` when the
        record is read far enough to name it), or ``None``."""
        shaped, round_trips, field_types, defaults = self.checks[kind]
        if shaped(record):
            return None
        if not round_trips(record):
            upgraded = _upgraded(record, defaults)
            if upgraded is record or not round_trips(upgraded):
                try:
                    if RECORD_TYPES[kind].from_dict(record).to_dict() != record:
                        raise ValueError("has fields that do not round-trip")
                except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
                    return _why(exc)
            record = upgraded
        wrong = field_types(record)
        return f" ({record['id']}): {wrong}" if wrong else None

    def _customer_problem(self, record: dict[str, Any]) -> str | None:
        """A customer is checked as the desk checks one it adds. Kept as they are: an
        attribute of a program not installed here (as ``--allow-vendor`` keeps that vendor's
        records), and the values moved from an older desk's fields (a desk file keeps them as
        they were: a region typed before it was Zoho's is not one of its choices)."""
        attributes = record["attributes"]
        kept = {
            key: value
            for key, value in attributes.items()
            if key.split(".", 1)[0] not in self.vendors or key in MOVED_CUSTOMER_FIELDS.values()
        }
        try:
            checked = customer_attributes(self.desk, attributes, kept=kept)
            differs = sorted(k for k in attributes if checked.get(k) != attributes[k])
            if differs:
                raise BadInput(
                    differs[0], f"{attributes[differs[0]]!r} is not a value the desk stores for it"
                )
            _check_customer(Customer.from_dict(record))
        except BadInput as exc:
            return str(exc)
        name = "".join(record["name"].split()).casefold()
        if name in self.names:
            return f"{self.names[name]} is already called {record['name']!r}"
        self.names[name] = record["id"]
        return None

    def _settings_taken(self, loader: DeskLoader) -> None:
        """Once every setting has been read: check them together, write those accepted."""
        if self.settings_checked:
            return
        self.settings_checked = True
        self.settings = _settings(self.desk, self.raw_settings, self.problems)
        self.setting_keys = {s["key"] for s in self.raw_settings if isinstance(s, dict)}
        written = set()
        for setting in self.raw_settings:
            key = setting.get("key") if isinstance(setting, dict) else None
            if isinstance(key, str) and key in self.settings and key not in written:
                loader.put("settings", key, setting)
                written.add(key)
        self.raw_settings = []

    def done(self, loader: DeskLoader) -> None:
        """After the last member."""
        self._settings_taken(loader)
        for kind, number in self.highest.items():
            loader.advance_number(kind, number)
        self.last_change, self.present, self.typed_customers, self.names = {}, {}, set(), {}

    def _mail_problem(self, index: int, record: dict[str, Any]) -> None:
        """A message the desk took in: a state it knows, and the case it is on in the file."""
        where = f"records.mail[{index}] ({record['id']})"
        if record["state"] not in MAIL_STATES:
            states = ", ".join(MAIL_STATES)
            self.problems.append(f"{where}: {record['state']!r} is not a state of a message ({states})")
        elif record["case"] and record["case"] not in self.present["cases"]:
            self.problems.append(f"{where}: case {record['case']} is not in the file")

    def _named_problem(self, kind: str, index: int, record: dict[str, Any]) -> None:
        where = f"records.{kind}[{index}] ({record['id']})"
        customer = record.get("customer_id")
        if customer and customer not in self.present["customers"]:
            self.problems.append(f"{where}: customer {customer} is not in the file")
        elif record["vendor"] not in self.vendors:
            if record["vendor"] not in self.allow_vendors:
                self.problems.append(
                    f"{where}: vendor {record['vendor']!r} has no plugin installed here (one of "
                    f"{', '.join(sorted(self.vendors))}); import with --allow-vendor "
                    f"{record['vendor']} to keep its records as they are"
                )
        elif customer in self.typed_customers or not customer:
            problem = (
                _case_problem(record)
                if kind == "cases"
                else _workflow_problem(record, self.present)
                if kind == "workflows"
                else None
            )
            if problem:
                self.problems.append(f"{where}: {problem}")
            elif kind != "cases" or record["state"] != "closed":
                self.later.append((kind, index, record["id"]))

    def _event(self, index: int, event: Any, loader: DeskLoader) -> None:
        """An event: its shape, numbered 1, 2, …, of a record in the file, and each
        record's events in time order (CORE-AUDIT-1)."""
        stored = self.event_check(event, index + 1)
        if not stored:
            try:
                Event.from_dict(event)
                if event["id"] != index + 1:
                    raise ValueError(f"event IDs must run 1, 2, … (found {event['id']})")
            except (TypeError, ValueError, KeyError, OverflowError) as exc:
                self.problems.append(f"events[{index}]: {_why(exc)}")
                return
        kind, key, at = event["kind"], event["key"], event["at"]
        known = self.setting_keys if kind == "settings" else self.present.get(kind)
        if kind not in KINDS or not isinstance(key, str) or known is None or key not in known:
            self.problems.append(f"events[{index}]: names {kind} {key}, which is not in the file")
            return
        if not isinstance(at, str):
            self.problems.append(f"events[{index}]: at: {at!r} is not a time")
            return
        # An instant as the desk stores it (UTC, fixed width, a fraction only when not zero)
        # sorts as text in time order; any other is compared as a time.
        moment: str | datetime = at if stored else datetime.fromisoformat(at)
        changes = self.last_change[kind]
        key = event["key"] = sys.intern(key)
        previous = changes.get(key)
        if previous is not None and (
            moment < previous if stored and type(previous) is str else _earlier(moment, previous)
        ):
            shown = previous if isinstance(previous, str) else previous.isoformat()
            self.problems.append(
                f"events[{index}]: {kind} {key} changed at {at}, before its previous event ({shown}): "
                "a record's history is in time order (CORE-AUDIT-1)"
            )
            return
        changes[key] = moment
        if not self.problems:
            loader.append_event(event)

    # -- step 2 ----------------------------------------------------------------------------

    def on_the_desk(self, view: Desk) -> None:
        """The vendors' rules, on the new desk ``view`` (every record of the file that
        reads as its type, as the desk will hold it)."""
        check = {"contracts": _contract_problem, "cases": _open_case_problem, "workflows": _template_problem}
        for kind, index, key in self.later:
            record = view.store.get(kind, key)
            problem = check[kind](view, record) if record is not None else None
            if problem:
                self.problems.append(f"records.{kind}[{index}] ({key}): {problem}")


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


def _contract_problem(view: Desk, record: dict[str, Any]) -> str | None:
    try:
        _validate_contract(view, Contract.from_dict(record))
    except (BadInput, Invalid) as exc:
        return str(exc)
    return None


def _case_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with a case's state, closing time, pauses and escalation levels."""
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
    if any(escalation["level"] < 1 for escalation in record["escalations"]):
        return "an escalation level below 1"
    return None


def _open_case_problem(view: Desk, record: dict[str, Any]) -> str | None:
    """The errors the desk's validation finds in an open case (its form, its vendor's
    rules). A required question the case holds no answer to at all, not even an empty one,
    was not on its form when it was opened (an older export: CORE-PATH-3's nature came
    later): it is not asked of it now, as the desk keeps such a case as it is."""
    case = Case.from_dict(record)
    never_asked = {f.name for f in view.case_fields(case.vendor) if f.required and f.name not in case.fields}
    try:
        errors = [f for f in view.validate(case) if f.level == "error" and f.field not in never_asked]
    except DeskError as exc:
        return str(exc)
    return str(Invalid(errors)) if errors else None


def _workflow_problem(record: dict[str, Any], present: dict[str, set[str]]) -> str | None:
    contract = record["contract_id"]
    if contract and contract not in present["contracts"]:
        return f"contract {contract} is not in the file"
    steps = [step["id"] for step in record["steps"]]
    if len(steps) != len(set(steps)):
        return "a step appears twice"
    return None


def _template_problem(view: Desk, record: dict[str, Any]) -> str | None:
    templates = {t.id for t in view.workflow_templates(record["vendor"])}
    if record["template"] not in templates:
        known = ", ".join(sorted(templates))
        return f"template {record['template']!r} is not a {record['vendor']} workflow ({known})"
    return None


Defaults = tuple[tuple[str, ...], dict[str, Any]]


def _defaults(cls: type) -> Defaults:
    """A record type's field names, in order, and the stored value of each that has a default."""
    fields = dataclasses.fields(cls)
    values = {}
    for f in fields:
        if f.default is not dataclasses.MISSING:
            values[f.name] = _dump(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            values[f.name] = _dump(f.default_factory())
    return tuple(f.name for f in fields), values


def _moved(kind: str, record: Any) -> Any:
    """A customer of an older export with Zoho's former fields moved into its attributes
    (:mod:`workbench.store.upgrade`); any other record as it is."""
    if kind == "customers" and type(record) is dict and needs_upgrade(record):
        return upgraded_customer(record)
    return record


def _upgraded(record: Any, defaults: Defaults) -> Any:
    """A record of an older export, which lacks fields added since that have a default
    (a case's ``assignee``), with them at their defaults, as the desk reads such a record;
    any other record as it is."""
    names, values = defaults
    if type(record) is not dict or len(record) >= len(names) or not record.keys() <= set(names):
        return record
    if any(name not in record and name not in values for name in names):
        return record
    return {name: record[name] if name in record else values[name] for name in names}


def _earlier(moment: str | datetime, previous: str | datetime) -> bool:
    """Whether ``moment`` is before ``previous``: two stored instants compare as text."""
    if isinstance(moment, str) and isinstance(previous, str):
        return moment < previous
    as_time = [datetime.fromisoformat(m) if isinstance(m, str) else m for m in (moment, previous)]
    return as_time[0] < as_time[1]


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
        return instant_check
    if kind is date:
        return date_check
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


def _event_check() -> Callable[[Any, int], bool]:
    """Whether ``Event.from_dict`` surely reads an event, numbered as given, with its time
    as the desk stores it (``False`` also when unsure)."""
    required = frozenset(
        f.name
        for f in dataclasses.fields(Event)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    objects = (dict, type(None))

    def check(event: Any, number: int) -> bool:
        try:
            if type(event) is not dict or event["id"] != number or not event.keys() >= required:
                return False
            at = event["at"]
            return (
                (at is None or instant_check(at))
                and type(event.get("before")) in objects
                and type(event.get("after")) in objects
                and type(event.get("data")) in objects
            )
        except Exception:
            return False

    return check


def import_file(
    desk: Desk,
    source: str,
    progress: Progress | None = None,
    allow_vendors: Iterable[str] = (),
) -> dict[str, int]:
    """Import the export at ``source`` into ``desk``, which must hold nothing yet; every
    record and event is checked (:class:`ImportCheck`) and nothing is written unless all
    of them pass: the new desk is written beside the old and put in its place at the end
    (:func:`~workbench.store.loading.load_new_desk`). An export is read once, a record or
    an event at a time, whatever its size and layout (:func:`export_members`); a JSON
    document in another order is read whole, up to :data:`IMPORT_LIMIT`. Records of a vendor
    in ``allow_vendors`` whose plugin is not installed are kept as they are. Returns how
    many of each kind, and events, were imported."""
    with open_source(source) as file:
        if not desk.is_empty() or next(iter(desk.store.iter_events()), None) is not None:
            raise BadInput(
                "import",
                f"the desk at {desk.store.location} already holds data; import into a new desk file (--db)",
            )
        try:
            check = ImportCheck(desk, allow_vendors)
            members = functools.partial(export_members, file, source, check.problems)
            return _import(desk, check, members, file, source, progress)
        except NotStreamable as layout:
            problems, members = document_members(read_document(read_source(file, source, layout), source))
            check = ImportCheck(desk, allow_vendors)
            check.problems += problems
            return _import(desk, check, members, file, source, progress)


def _import(
    desk: Desk,
    check: ImportCheck,
    members: Callable[[], Iterator[Member]],
    file: BinaryIO,
    source: str,
    progress: Progress | None,
) -> dict[str, int]:
    """:class:`ImportCheck` over ``members()``, writing the new desk as it goes."""
    identity = _identity(file)
    size = identity[1]
    with load_new_desk(desk.store, [tally.definition() for tally in desk.tallies().values()]) as loader:
        with _collector_paused():
            for done, member in enumerate(members(), 1):
                check.take(*member, loader)
                if progress and done % 1000 == 0:
                    progress(min(file.tell(), size), size)
            check.done(loader)
            loader.finish()
        gc.collect()  # what the pass held goes before the new desk is read
        written = FileStore(loader.path, compact_on_write=False)
        try:
            check.on_the_desk(Desk(written, desk.plugins, actor=desk.actor))
        finally:
            written.close()
        if _identity(file) != identity:
            raise BadInput("import", f"{source} changed while it was read; nothing was imported")
        if check.problems:
            raise ImportRefused(check.problems)
    if progress:
        progress(size, size)
    return check.counts


def _identity(file: BinaryIO) -> tuple[int, int, int]:
    found = os.fstat(file.fileno())
    return found.st_ino, found.st_size, found.st_mtime_ns


def _order(record: dict[str, Any]) -> tuple[int, str]:
    key = str(record.get("id") or record.get("key") or "")
    tail = key.rsplit("-", 1)[-1]
    return (int(tail) if tail.isdigit() else 0, key)


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    missing = re.search(r"required (?:positional|keyword-only) arguments?: (.*)$", str(exc))
    if missing:
        return f"missing {missing.group(1).replace(', and ', ', ').replace(' and ', ', ')}"
    return str(exc)
