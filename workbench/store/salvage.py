"""``workbench doctor --salvage NEW``: a new desk from everything of a damaged one that checks.

The log holds every committed transaction since the desk was created (a migration writes
the older desk into it as its first transaction), so a desk can be rebuilt from its log
alone. Each line is checked against its checksum; a line that fails, or does not read as
a transaction, is left out and listed with its byte offset and the records it touched (when
its head can still be read). The records end as the last good transaction left them; the
events of every good transaction are kept, in order. The damaged desk is only read.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from workbench.errors import StoreError
from workbench.store.base import KINDS
from workbench.store.fileio import check_regular, open_regular
from workbench.store.filestore import FileStore, desk_files
from workbench.store.log import LF, RS, log_path, read_header

_CRC_WIDTH = 9


@dataclass
class SalvageReport:
    """What :func:`salvage` copied into the new desk and what it left out."""

    target: str
    records: dict[str, int] = field(default_factory=dict)
    """How many records of each kind the new desk holds."""
    events: int = 0
    left_out: list[str] = field(default_factory=list)
    """Each transaction left out, with its byte offset, why, and what it touched."""


def _touched(payload: bytes) -> str:
    """The records a transaction's head names, in words, if the head still reads."""
    first = payload.find(RS)
    try:
        head = orjson.loads(payload if first < 0 else payload[:first])
        names = sorted(
            {f"{kind} {key}" for kind, key, _ in head["puts"]} | {f"{k} {v}" for k, v in head["events"]}
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return "its records cannot be told"
    return "it changed " + ", ".join(names) if names else "it changed no record"


def salvage(path: str | os.PathLike[str], target: str | os.PathLike[str]) -> SalvageReport:
    """Copy every transaction of the desk at ``path`` whose checksum holds into a new desk
    at ``target`` (which must not exist); list what was left out."""
    path = os.path.abspath(os.fspath(path))
    target = os.path.abspath(os.fspath(target))
    if any(os.path.lexists(name) for name in desk_files(target)):
        raise StoreError(f"{target}: already exists; salvage writes a new desk only, never over one")
    log = log_path(path)
    check_regular(log)
    report = SalvageReport(target)
    records: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    counters: dict[str, int] = {}
    events: list[bytes] = []
    fd = open_regular(log, os.O_RDONLY)
    try:
        try:
            _, start = read_header(fd, log)
        except StoreError as error:
            report.left_out.append(f"the log header ({error}); read on from its second line")
            first_line = os.pread(fd, 1 << 16, 0).find(LF)
            start = first_line + 1 if first_line >= 0 else 0
        with open(os.dup(fd), "rb") as file:
            file.seek(start)
            position = start
            for line in file:
                where = position
                position += len(line)
                if not line.endswith(LF):
                    report.left_out.append(
                        f"byte {where}: an interrupted last write ({len(line)} bytes), never acknowledged"
                    )
                    break
                payload = line[_CRC_WIDTH:-1]
                if line[:8] != b"%08x" % zlib.crc32(payload) or line[8:9] != b" ":
                    report.left_out.append(f"byte {where}: fails its checksum; {_touched(payload)}")
                    continue
                parts = payload.split(RS)
                try:
                    head = orjson.loads(parts[0])
                    puts = [(kind, key, record) for kind, key, record in head["puts"] if kind in KINDS]
                    counters.update(
                        {name: max(n, counters.get(name, 0)) for name, n in head["counters"].items()}
                    )
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                    report.left_out.append(f"byte {where}: passes its checksum but is not a transaction")
                    continue
                for kind, key, record in puts:
                    records[kind][key] = record
                events.extend(parts[1:])
    finally:
        os.close(fd)
    store = FileStore(target)
    try:
        with store.transaction() as tx:
            for kind, found in records.items():
                for key, record in found.items():
                    tx.put(kind, key, record)
            for name, number in counters.items():
                tx.advance_number(name, number)
            for event in events:
                try:
                    tx.append_event(orjson.loads(event))
                except (orjson.JSONDecodeError, TypeError, ValueError) as error:
                    report.left_out.append(f"an event that does not read back ({error})")
                    continue
                report.events += 1
    finally:
        store.close()
    report.records = {kind: len(found) for kind, found in records.items()}
    return report
