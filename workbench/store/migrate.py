"""Bringing an older desk file up to the current schema, after a backup copy is written.

Schema 1 is the prototype's desk: one plain TinyDB file in TinyDB's default layout, as
``TinyDB(path)`` (``JSONStorage``) writes it, rewritten whole on every change:

* one table per kind (``customers``, ``contracts``, ``cases``, ``workflows``, ``settings``)
  whose documents are the records; a record's key is its ``id`` field (``key`` for settings);
* a table ``events`` whose documents are the events, numbered by their document ids;
* a table ``_meta`` with one document ``{"schema": 1, "counters": {kind: n}}``.

Schema 2 is the snapshot + log layout (:mod:`.filestore`). Migrating schema 1 writes the
log with one transaction holding every record, event and counter, then the snapshot over
the old file — the one step that makes the migration visible, atomically. Until then the
old file is untouched, so an interrupted migration simply runs again at the next open.

Schema 3 keeps the log of schema 2 as it is (a log is never rewritten) and changes the
snapshot: each table placed and checksummed on its own, closed cases apart from the open
work, one per line (:mod:`.snapshot`). Migrating schema 2 copies the snapshot to its
backup and rewrites it, covering the same stretch of the same log.

Schema 4 adds the snapshot table ``mail`` (the messages the desk took in). Migrating schema 3
copies the snapshot to its backup and writes it again with every table carried over as the
bytes it held (each checked against its checksum first) and an empty ``mail`` table.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from workbench.errors import StoreError
from workbench.store.base import KINDS
from workbench.store.closed_index import encode_index, index_entries, index_path
from workbench.store.fileio import replace_atomically
from workbench.store.log import Entry, EventsJSON, encode_header, encode_transaction, log_path
from workbench.store.snapshot import (
    CLOSED,
    SCHEMA,
    TABLES_3,
    Snapshot,
    encode,
    encode_tables,
    meta_of_line,
    write_snapshot,
)
from workbench.store.state import DeskState

EVENTS_1 = "events"
"""Schema 1's events table."""
_TRAILING_NUMBER = re.compile(r"\d+$")


def backup_path(path: str, schema: int) -> str:
    """Where the copy of a schema-``schema`` desk is kept before it is migrated."""
    return f"{path}.schema-{schema}.bak"


def _free_name(path: str, keep: bytes | None = None) -> str:
    """``path``, or ``path.1``, ``path.2``… : the first name not taken (or already holding
    exactly ``keep``). Nothing is ever overwritten."""
    candidate, number = path, 0
    while os.path.exists(candidate):
        if keep is not None:
            with open(candidate, "rb") as file:
                if file.read() == keep:
                    return candidate
        number += 1
        candidate = f"{path}.{number}"
    return candidate


def _records_1(document: dict[str, Any], path: str) -> list[list[Any]]:
    puts = []
    for kind in KINDS:
        table = document.get(kind, {})
        if not isinstance(table, dict):
            raise StoreError(f"{path}: table {kind!r} is not a TinyDB table; nothing was changed")
        field = "key" if kind == "settings" else "id"
        seen = set()
        for doc_id, record in table.items():
            key = record.get(field) if isinstance(record, dict) else None
            if not isinstance(key, str) or not key or key in seen:
                raise StoreError(
                    f"{path}: {kind} document {doc_id} has no unique {field!r}; nothing was changed"
                )
            seen.add(key)
            puts.append([kind, key, record])
    return puts


def _events_1(document: dict[str, Any], path: str) -> list[dict[str, Any]]:
    table = document.get(EVENTS_1, {})
    if not isinstance(table, dict) or not all(doc_id.isdigit() for doc_id in table):
        raise StoreError(f"{path}: table {EVENTS_1!r} is not a TinyDB table; nothing was changed")
    events = []
    for doc_id in sorted(table, key=int):
        event = table[doc_id]
        if not (isinstance(event, dict) and event.get("kind") in KINDS and isinstance(event.get("key"), str)):
            raise StoreError(f"{path}: event {doc_id} names no record; nothing was changed")
        events.append({**event, "id": int(doc_id)})
    return events


def _counters_cover_keys(counters: dict[str, int], puts: list[list[Any]]) -> dict[str, int]:
    """Each counter at least the highest number ending a key of its kind (``C-12`` → 12),
    so that no number already in use is handed out again."""
    covered = dict(counters)
    for kind, key, _ in puts:
        if found := _TRAILING_NUMBER.search(key):
            covered[kind] = max(covered.get(kind, 0), int(found.group()))
    return covered


def migrate(path: str, snapshot: Snapshot) -> str:
    """Migrate the older desk at ``path`` (already read as ``snapshot``) to the current
    schema; return where its backup copy is. Call with the writer lock held."""
    if snapshot.schema == 1:
        return _migrate_1(path, snapshot.tables)
    if snapshot.schema == 3:
        values = {name: snapshot.read(name) for name in TABLES_3}
        previous = snapshot.closed_index()
        known = previous.known() if previous is not None else {}
        snapshot.close()
        backup = _back_up(path, 3)
        chunks = encode(snapshot.meta, {**values, "mail": b"{}"})
        replace_atomically(path, chunks)
        _write_index(path, chunks[0], values[CLOSED], known)
        return backup
    backup = _back_up(path, snapshot.schema)
    replace_atomically(path, encode_tables(snapshot.meta, snapshot.tables))
    return backup


def _write_index(path: str, first_line: bytes, closed: bytes, known: dict[str, list[Any]]) -> None:
    """The closed cases' index of the snapshot just written (its first line given): the
    same cases at their new places (the table moved when ``mail`` came before it), their
    customer, vendor and time sent carried over from the old index. Without it the old
    index, naming the old snapshot, would not be believed until the next compaction, and
    every read of a customer's or a month's closed cases would search the whole table."""
    meta = meta_of_line(first_line)
    start = len(first_line) + meta["tables"][CLOSED][0]
    lines = encode_index(meta["desk"], meta["checksum"], index_entries([closed], start, known, {}))
    replace_atomically(index_path(path), lines)


def _back_up(path: str, schema: int) -> str:
    """Copy the desk file at ``path`` beside it, once; return where the copy is."""
    with open(path, "rb") as file:
        original = file.read()
    backup = _free_name(backup_path(path, schema), keep=original)
    replace_atomically(backup, [original])
    return backup


def _migrate_1(path: str, document: dict[str, Any]) -> str:
    unknown = set(document) - {*KINDS, EVENTS_1, "_meta"}
    if unknown:
        raise StoreError(f"{path}: unknown tables {sorted(unknown)}; nothing was changed")
    meta = document["_meta"]["1"]
    counters = meta.get("counters", {})
    if not isinstance(counters, dict) or not all(type(n) is int for n in counters.values()):
        raise StoreError(f"{path}: the counters in _meta are not whole numbers; nothing was changed")
    puts, events = _records_1(document, path), _events_1(document, path)
    counters = _counters_cover_keys(counters, puts)
    backup = _back_up(path, meta["schema"])

    log = log_path(path)
    if os.path.exists(log):  # left by an interrupted migration, or by a newer desk: keep it
        os.replace(log, _free_name(log + ".before-migration"))
    desk = uuid.uuid4().hex
    header = encode_header(desk, SCHEMA)
    state = DeskState(desk=desk, start=len(header))
    head = {
        "seq": 1,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "counters": counters,
        "events": [[event["kind"], event["key"]] for event in events],
        "last_event_id": events[-1]["id"] if events else 0,
        "migrated_from": meta["schema"],
    }
    encoded = EventsJSON()
    for event in events:
        encoded.append(event["kind"], event["key"], orjson.dumps(event))
    line, offsets = encode_transaction(
        head, [(kind, key, orjson.dumps(record)) for kind, key, record in puts], encoded
    )
    replace_atomically(log, [header, *line])
    head["puts"] = puts
    end = state.start + sum(map(len, line))
    state.apply(Entry(head, [state.start + offset for offset in offsets], end))
    write_snapshot(path, state.meta(), state.tables()).close()
    return backup
