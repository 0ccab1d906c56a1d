"""``workbench doctor``: check a desk's files, say what is wrong and how to recover.

:func:`doctor` only reads: it takes no lock and writes nothing but the damage mark
(:mod:`.damage`) when it finds the log damaged, so it is safe to run on a damaged desk, or on
one another process is using.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import LogDamaged, StoreError
from workbench.store.base import KINDS, is_closed
from workbench.store.damage import damage_path, mark
from workbench.store.fileio import check_regular, open_regular
from workbench.store.filestore import describe_holder, desk_files, holder_path
from workbench.store.log import log_path, read_header, scan_file
from workbench.store.migrate import backup_path
from workbench.store.snapshot import CLOSED, HISTORY, META, SCHEMA, SnapshotStorage


@dataclass
class DoctorReport:
    """What :func:`doctor` found. ``ok`` is ``True`` when there are no ``problems``."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    """What is wrong, one sentence each, naming the file."""
    advice: list[str] = field(default_factory=list)
    """What to do about it (or about a harmless finding such as an interrupted write)."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What the files hold: schema, record counts, events, log size, backups, last writer."""


def doctor(path: str | os.PathLike[str]) -> DoctorReport:
    """Check the desk at ``path``: snapshot (JSON, schema, checksum, tables), log (header,
    every transaction's checksum and order, torn tail), and that the two agree."""
    path = os.path.abspath(os.fspath(path))
    problems: list[str] = []
    advice: list[str] = []
    facts: dict[str, Any] = {"desk": path}
    backups = sorted(glob.glob(glob.escape(path) + ".schema-*.bak*"))
    if backups:
        facts["backups"] = backups
    if os.path.isfile(holder_path(path)):
        facts["last writer"] = describe_holder(path)

    document = None
    for name in desk_files(path):
        try:
            check_regular(name)
        except StoreError as error:
            problems.append(str(error))
    if not problems:
        try:
            document = SnapshotStorage(path).read()
        except StoreError as error:
            problems.append(str(error))
    if document is None and not problems:
        _check_missing(path, problems, facts)
    elif document is not None:
        meta = document[META]["1"]
        facts["schema"] = meta["schema"]
        if meta["schema"] < SCHEMA:
            facts["migration"] = (
                f"schema {meta['schema']}: the next open migrates it to schema {SCHEMA} after "
                f"copying it to {backup_path(path, meta['schema'])}"
            )
        else:
            facts["snapshot written at"] = meta.get("written_at")
            _check_log(path, document, problems, advice, facts)

    if problems:
        advice.append(
            "Nothing was changed: Case Workbench refuses a damaged desk and never overwrites "
            f"it. Copy {path}* somewhere safe before trying anything else."
        )
        advice.extend(
            f"{backup} is the copy taken before the desk was migrated: move the damaged files "
            f"aside and copy it to {path} to go back to that day (later changes are lost)."
            for backup in backups
        )
        advice.append(
            f"Salvage what checks into a new desk: `workbench doctor --db {path} --salvage NEW.json` "
            "copies every record and event whose checksum holds and lists each transaction it "
            "had to leave out; then work on NEW.json."
        )
        advice.append(
            "If you have an export (`workbench export`), import it into a new desk: "
            "`workbench import EXPORT.json --db NEW.json`."
        )
    return DoctorReport(ok=not problems, problems=problems, advice=advice, facts=facts)


def _check_missing(path: str, problems: list[str], facts: dict[str, Any]) -> None:
    log = log_path(path)
    if not os.path.exists(log):
        facts["state"] = "no desk yet: the first change creates it"
        return
    try:
        fd = open_regular(log, os.O_RDONLY)
        try:
            _, start = read_header(fd, log)
            holds_changes = os.fstat(fd).st_size > start
        finally:
            os.close(fd)
    except (OSError, StoreError) as error:
        problems.append(f"{path} is missing and its log cannot be read ({error})")
        return
    if holds_changes:
        problems.append(f"{path} is missing but its log {log} holds changes")
    else:
        facts["state"] = "no desk yet (an interrupted creation left an empty log; harmless)"


def _check_log(
    path: str,
    document: dict[str, Any],
    problems: list[str],
    advice: list[str],
    facts: dict[str, Any],
) -> None:
    """Read the whole log; compare it with what the snapshot says it covers; count the
    records as of its last transaction."""
    meta = document[META]["1"]
    log = log_path(path)
    try:
        fd = open_regular(log, os.O_RDONLY)
    except StoreError as error:
        problems.append(str(error))
        return
    except OSError as error:
        problems.append(f"{log} cannot be opened ({error.strerror}): the desk needs its log")
        return
    try:
        header, start = read_header(fd, log)
        if header["desk"] != meta["desk"]:
            problems.append(f"{path} and {log} belong to different desks")
            return
        facts["log bytes"] = os.fstat(fd).st_size
        transactions, events, last_at = 0, 0, None
        covered = meta["log_offset"] == start and meta["seq"] == 0
        event_offsets: set[int] = set()
        keys = {kind: set(document[kind]) for kind in KINDS}
        closed = set(document[CLOSED])
        tail = 0
        for result in scan_file(fd, start, 1, log):
            for entry in result.entries:
                transactions += 1
                events += len(entry.event_offsets)
                last_at = entry.head["at"]
                covered = covered or (entry.end, entry.head["seq"]) == (meta["log_offset"], meta["seq"])
                if entry.end <= meta["log_offset"]:
                    event_offsets.update(entry.event_offsets)
                    continue
                for kind, key, record in entry.head["puts"]:
                    keys[kind].add(key)
                    (closed.add if is_closed(kind, record) else closed.discard)(key)
            tail = result.torn
    except LogDamaged as error:
        problems.append(str(error))
        mark(path, error)
        return
    except StoreError as error:
        problems.append(str(error))
        return
    finally:
        os.close(fd)
    keys["cases"] |= closed
    facts["records"] = {kind: len(found) for kind, found in keys.items()}
    facts["closed cases"] = len(closed)
    facts.update({"transactions": transactions, "events": events, "last change at": last_at})
    if os.path.exists(damage_path(path)):
        advice.append(
            f"{damage_path(path)} marks damage found in {log} earlier; the log checks whole now "
            "(put back from a copy?), so the next change removes the mark."
        )
    if tail:
        facts["interrupted last write"] = f"{tail} bytes"
        advice.append(
            f"The last write to {log} was interrupted ({tail} bytes at its end) and never "
            "reported success: it is ignored, and the next change removes it."
        )
    if not covered:
        problems.append(
            f"{path} says it covers {log} up to byte {meta['log_offset']} (transaction "
            f"{meta['seq']}), but no transaction of the log ends there: the two files do not "
            "belong together"
        )
    indexed = [
        offset for index in document[HISTORY].values() for offsets in index.values() for offset in offsets
    ]
    if len(indexed) != len(event_offsets) or not event_offsets.issuperset(indexed):
        problems.append(f"{path}: its index of events by record does not match {log}")
