"""The desk snapshot (``desk.json``): every record as of one point of the log.

It is a TinyDB database file — :class:`SnapshotStorage` is its TinyDB ``Storage`` — in
TinyDB's layout (table → document id → document), each record's key its document id.
Written one table per line::

    {"_meta":{"1":{"schema":2,"desk":…,"seq":…,"log_offset":…,"checksum":…}},
    "customers":{"CUS-1":{…},…},
    "contracts":{…},
    "cases":{"C-1":{…},…},
    "workflows":{…},
    "settings":{…},
    "_history":{"cases":{"C-1":[offset,…],…},…}}

The whole file is one JSON document; the lines let the store parse each table on its own
(and the event index, ``_history``, only when events are first asked for). ``checksum`` is
the CRC-32 of the rest of ``_meta`` and of every byte after the first line, so a damaged or
hand-edited snapshot is refused instead of believed. ``_history`` gives each record's
events as byte offsets in the log. The file is only ever replaced whole, atomically.

Schema 1 (the prototype's plain TinyDB desk, see :mod:`workbench.store.migrate`) is read
whole, as TinyDB wrote it, for migration.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from tinydb.storages import Storage

from workbench.store.base import KINDS, StoreError
from workbench.store.fileio import replace_atomically

SCHEMA = 2
"""The desk schema this version writes."""

META = "_meta"
HISTORY = "_history"
TABLES = (*KINDS, HISTORY)
_HEAD = b'{"' + META.encode() + b'":{"1":'


@contextmanager
def long_lived_objects(freeze: bool = True) -> Iterator[None]:
    """Around building a desk's records: the cycle collector is kept out while a million
    objects are created (it would walk them again and again, doubling the time), then,
    with ``freeze``, they are moved out of its reach for good (``gc.freeze``): they live
    as long as the desk is open, and every full collection over them would stall a
    screen for 100 ms. Records are plain acyclic dicts, so reference counting still frees
    the ones a change replaces. The desk is opened before a TUI builds its widgets, so
    what else gets frozen is long-lived too (modules, settings)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def _damaged(path: str, problem: str) -> StoreError:
    return StoreError(
        f"{path}: {problem}: the file was changed outside Case Workbench or damaged; "
        "nothing was changed (see `workbench doctor`)"
    )


def _meta_of(document: Any, path: str) -> dict[str, Any]:
    """The ``_meta`` document, with a whole-number ``schema`` this version can read."""
    meta = document.get(META, {}).get("1") if isinstance(document, dict) else None
    if not isinstance(meta, dict) or type(meta.get("schema")) is not int or meta["schema"] < 1:
        raise StoreError(
            f"{path}: not a Case Workbench desk (no {META} table with a schema version); nothing was changed"
        )
    if meta["schema"] > SCHEMA:
        raise StoreError(
            f"{path} was written by a newer Case Workbench (desk schema {meta['schema']}; this "
            f"version reads schema {SCHEMA} and older). Upgrade Case Workbench to open it; "
            "nothing was changed."
        )
    return meta


def _checksum(meta: dict[str, Any], body: list[bytes] | memoryview) -> int:
    """CRC-32 of ``meta`` (its checksum left out) followed by the body's bytes."""
    rest = {name: value for name, value in meta.items() if name != "checksum"}
    crc = zlib.crc32(orjson.dumps(rest))
    for chunk in [body] if isinstance(body, memoryview) else body:
        crc = zlib.crc32(chunk, crc)
    return crc


@dataclass
class Snapshot:
    """A snapshot as read from disk."""

    path: str
    meta: dict[str, Any]
    tables: dict[str, Any]
    """Schema 2: the records of each kind. Older schemas: the whole TinyDB document."""
    history_json: bytes = b"{}"
    """The ``_history`` table, still JSON: :meth:`history` parses it."""

    @property
    def schema(self) -> int:
        return self.meta["schema"]

    def history(self) -> dict[str, dict[str, list[int]]]:
        """The event index, parsed (the checksum was verified when the file was read)."""
        history = _parse(self.history_json, self.path, HISTORY)
        if not all(isinstance(index, dict) for index in history.values()):
            raise _damaged(self.path, f"table {HISTORY!r} is not an index of events by record")
        return history


def _parse(value: bytes | memoryview, path: str, table: str) -> dict[str, Any]:
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise _damaged(path, f"table {table!r} is not valid JSON ({error})") from None
    if not isinstance(parsed, dict):
        raise _damaged(path, f"table {table!r} is not a table")
    return parsed


def _read_current(raw: bytes, first_line: int, meta: dict[str, Any], path: str) -> Snapshot:
    """Check and parse a schema-2 snapshot, a table per line."""
    fields = {"desk": str, "seq": int, "log_offset": int, "last_event_id": int, "counters": dict}
    for name, kind in fields.items():
        if type(meta.get(name)) is not kind:
            raise _damaged(path, f"{META} has no valid {name!r}")
    view = memoryview(raw)
    if meta.get("checksum") != _checksum(meta, view[first_line + 1 :]):
        raise _damaged(path, "checksum mismatch")
    values: dict[str, memoryview] = {}
    start = first_line + 1
    for index, name in enumerate(TABLES):
        end = raw.find(b"\n", start)
        prefix = b'"' + name.encode() + b'":'
        closing = b"}" if index == len(TABLES) - 1 else b","
        if end < 0 or raw[start : start + len(prefix)] != prefix or raw[end - 1 : end] != closing:
            raise _damaged(path, f"table {name!r} is not where it belongs")
        values[name] = view[start + len(prefix) : end - 1]
        start = end + 1
    tables = {}
    with long_lived_objects():
        for kind in KINDS:
            table = _parse(values[kind], path, kind)
            if not set(map(type, table.values())) <= {dict}:
                raise _damaged(path, f"table {kind!r} does not hold one document per record")
            tables[kind] = table
    return Snapshot(path, meta, tables, bytes(values[HISTORY]))


def read_snapshot(path: str) -> Snapshot | None:
    """The snapshot at ``path``, or ``None`` when there is no file.

    A schema-2 file is checked whole (checksum, tables) and its event index left unparsed;
    an older one is parsed whole, for migration. Raises :class:`StoreError` naming the path
    and the problem for an empty, truncated, non-JSON, damaged, hand-edited or newer file.
    """
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"{path}: cannot read the desk ({error.strerror})") from None
    if not raw.strip():
        raise StoreError(f"{path}: the desk file is empty; nothing was changed")
    first_line = raw.find(b"\n")
    if first_line > 0 and raw.startswith(_HEAD) and raw[first_line - 2 : first_line] == b"},":
        try:
            meta = orjson.loads(raw[len(_HEAD) : first_line - 2])
        except orjson.JSONDecodeError:
            meta = None
        if isinstance(meta, dict) and meta.get("schema") == SCHEMA:
            if not raw.endswith(b"}\n"):
                raise _damaged(path, "the file does not end with its last table (truncated, or added to)")
            return _read_current(raw, first_line, meta, path)
    try:
        with long_lived_objects():
            document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise StoreError(
            f"{path}: not valid JSON ({error}): truncated, damaged or edited by hand; "
            "nothing was changed (see `workbench doctor`)"
        ) from None
    meta = _meta_of(document, path)
    if meta["schema"] == SCHEMA:
        raise _damaged(path, "the layout of a schema-2 desk is broken")
    return Snapshot(path, meta, document)


def encode(meta: dict[str, Any], tables: dict[str, Any]) -> list[bytes]:
    """The bytes of a snapshot of ``tables`` (every kind, and ``_history``), checksum added
    (in pieces, so a 25 MB table is not copied to be joined)."""
    body = []
    for name in TABLES:
        body += [b'"' + name.encode() + b'":', orjson.dumps(tables[name]), b",\n"]
    body[-1] = b"}\n"
    meta = {name: value for name, value in meta.items() if name != "checksum"}
    meta["checksum"] = _checksum(meta, body)
    return [_HEAD + orjson.dumps(meta) + b"},\n", *body]


class SnapshotStorage(Storage):
    """TinyDB storage of a desk snapshot: checked reads, checksummed atomic writes."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def read(self) -> dict[str, Any] | None:
        """The whole snapshot as a TinyDB document (see :func:`read_snapshot`)."""
        snapshot = read_snapshot(self.path)
        if snapshot is None:
            return None
        if snapshot.schema < SCHEMA:
            return snapshot.tables
        return {META: {"1": snapshot.meta}, **snapshot.tables, HISTORY: snapshot.history()}

    def write(self, data: dict[str, Any]) -> None:
        """Replace the snapshot with ``data`` (``_meta`` and every table), atomically."""
        replace_atomically(self.path, encode(data[META]["1"], data))
