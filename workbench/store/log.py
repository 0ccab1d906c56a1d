"""The desk log (``desk.json.log``): every committed transaction, in order, never rewritten.

Each line is ``CRC SP PAYLOAD LF`` where CRC is ``zlib.crc32(PAYLOAD)`` in 8 lower-case
hex digits. orjson escapes every control character inside strings, so LF and RS (0x1E)
never occur inside a JSON value and can separate them.

* Line 1, the header: ``{"format": "case-workbench-log", "schema": 3, "desk": ID}``.
* Every further line is one transaction: ``HEAD (RS EVENT)*`` where ``HEAD`` is
  ``{"seq", "at", "puts": [[kind, key, record], …], "counters": {name: n},
  "events": [[kind, key], …], "last_event_id"}`` and each ``EVENT`` is one event's JSON,
  so an event can be read back from its byte offset alone.

A transaction is acknowledged only after its line is fsynced, and the next one is written
only after that, so damage can be told apart from an interrupted write: bad or
unterminated bytes after the last complete transaction are a *torn tail* (that write never
reported success; readers ignore it and the next writer cuts it off), while a bad line
followed by a good one is *damage* and the log is refused.
"""

from __future__ import annotations

import bisect
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from workbench.errors import LogDamaged, StoreError
from workbench.store.base import KINDS

FORMAT = "case-workbench-log"
LOG_SCHEMAS = (2, 3, 4)
"""Desk schemas whose logs this version reads: the header names the schema the desk had
when its log was started, and the log's format is the same in both (schema 3 changed the
snapshot only; a log is never rewritten)."""
RS = b"\x1e"
LF = b"\n"
_CRC_WIDTH = 9  # eight hex digits and a space
_HEADER_LIMIT = 1 << 16


@dataclass(frozen=True)
class Entry:
    """One committed transaction read back from the log."""

    head: dict[str, Any]
    event_offsets: list[int]
    """Where each of its events starts in the log, in the order of ``head["events"]``."""
    end: int
    """The offset just past its line."""


@dataclass(frozen=True)
class Scan:
    """What a stretch of the log holds."""

    entries: list[Entry]
    end: int
    """The offset just past the last complete transaction."""
    torn: int
    """Bytes after ``end`` left by an interrupted write (or one still being written)."""


def log_path(path: str) -> str:
    """The log of the desk whose snapshot is at ``path``."""
    return path + ".log"


def encode_line(payload: bytes) -> bytes:
    return b"%08x " % zlib.crc32(payload) + payload + LF


def _payload(data: bytes, start: int, newline: int) -> bytes | None:
    """The payload of the line ``data[start:newline]``, or ``None`` if it fails its check."""
    payload = data[start + _CRC_WIDTH : newline]
    if newline - start < _CRC_WIDTH or data[start + 8 : start + 9] != b" ":
        return None
    return payload if data[start : start + 8] == b"%08x" % zlib.crc32(payload) else None


def encode_header(desk: str, schema: int) -> bytes:
    return encode_line(orjson.dumps({"format": FORMAT, "schema": schema, "desk": desk}))


def read_header(fd: int, path: str) -> tuple[dict[str, Any], int]:
    """The log's header and the offset where its transactions begin."""
    data = b""
    while LF not in data:
        block = os.pread(fd, 4096, len(data))
        if not block:
            raise StoreError(f"{path}: the log has no complete header line (empty or cut short)")
        data += block
        if len(data) > _HEADER_LIMIT and LF not in data:
            raise StoreError(f"{path}: not a Case Workbench desk log (no header line in its first bytes)")
    newline = data.index(LF)
    payload = _payload(data, 0, newline)
    try:
        header = orjson.loads(payload) if payload is not None else None
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(f"{path}: not a Case Workbench desk log (its first line is not a log header)")
    if not isinstance(header.get("schema"), int) or not isinstance(header.get("desk"), str):
        raise StoreError(f"{path}: the log header lacks its schema or desk id")
    if header["schema"] > max(LOG_SCHEMAS):
        raise StoreError(
            f"{path} was written by a newer Case Workbench (log of desk schema {header['schema']}; "
            f"this version reads schemas {', '.join(map(str, LOG_SCHEMAS))}). Upgrade Case "
            "Workbench to open it; nothing was changed."
        )
    if header["schema"] not in LOG_SCHEMAS:
        raise StoreError(f"{path}: a log of desk schema {header['schema']}, which no version writes")
    return header, newline + 1


class EventsJSON:
    """A transaction's events as its line holds them: each event's JSON after an RS, all in
    one buffer (an import's 250,000 events are one allocation, not 250,000)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.starts: list[int] = []
        """Where each event's JSON starts in ``data``."""
        self.records: list[tuple[str, str]] = []
        """The kind and key of each event's record."""

    def __len__(self) -> int:
        return len(self.starts)

    def append(self, kind: str, key: str, event: bytes) -> None:
        self.data += RS
        self.starts.append(len(self.data))
        self.data += event
        self.records.append((kind, key))

    def decoded(self) -> list[dict[str, Any]]:
        view = memoryview(self.data)
        ends = [start - len(RS) for start in self.starts[1:]] + [len(self.data)] if self.starts else []
        return [orjson.loads(view[start:end]) for start, end in zip(self.starts, ends, strict=True)]


def encode_transaction(
    head: dict[str, Any], puts: list[tuple[str, str, bytes]], events: EventsJSON
) -> tuple[list[bytes | bytearray], list[int]]:
    """One transaction's line, in pieces to be written one after the other — ``head`` with
    ``puts`` (kind, key and the record's JSON) added as its ``"puts"``, then the events —
    and where each event starts relative to the line. Nothing is encoded twice, and the
    events are not copied again: an import's line is 300 MB."""
    parts: list[bytes | bytearray] = [orjson.dumps(head)[:-1], b',"puts":[']
    for index, (kind, key, record) in enumerate(puts):
        parts += [b"," if index else b"", orjson.dumps([kind, key])[:-1], b",", record, b"]"]
    parts.append(b"]}")
    head_json = b"".join(parts)
    crc = zlib.crc32(events.data, zlib.crc32(head_json))
    before_events = _CRC_WIDTH + len(head_json)
    return [b"%08x " % crc, head_json, events.data, LF], [before_events + start for start in events.starts]


def _check_head(head: Any) -> str | None:
    """What is wrong with a transaction head, or ``None``."""
    if not isinstance(head, dict):
        return "not a transaction"
    for name in ("seq", "last_event_id"):
        if type(head.get(name)) is not int:
            return f"no {name}"
    puts, events, counters = head.get("puts"), head.get("events"), head.get("counters")
    if not isinstance(puts, list) or not isinstance(events, list) or not isinstance(counters, dict):
        return "puts, events or counters missing"
    for put in puts:
        if not (
            isinstance(put, list)
            and len(put) == 3
            and put[0] in KINDS
            and isinstance(put[1], str)
            and isinstance(put[2], dict)
        ):
            return f"a put is not [kind, key, record]: {str(put)[:80]}"
    for event in events:
        if not (isinstance(event, list) and len(event) == 2 and event[0] in KINDS):
            return f"an event reference is not [kind, key]: {str(event)[:80]}"
    if not all(isinstance(k, str) and type(v) is int for k, v in counters.items()):
        return "a counter is not a whole number"
    return None


def _decode(payload: bytes, line_start: int) -> tuple[dict[str, Any], list[int]] | str:
    """A transaction's head and absolute event offsets, or what is wrong with it."""
    first = payload.find(RS)
    try:
        head = orjson.loads(payload if first < 0 else payload[:first])
    except orjson.JSONDecodeError as error:
        return f"not JSON ({error})"
    problem = _check_head(head)
    if problem:
        return problem
    offsets = []
    while first >= 0:
        offsets.append(line_start + _CRC_WIDTH + first + 1)
        first = payload.find(RS, first + 1)
    if len(offsets) != len(head["events"]):
        return f"{len(offsets)} events where the head lists {len(head['events'])}"
    return head, offsets


def _complete_line_follows(data: bytes, start: int) -> bool:
    """Whether any line from ``start`` on passes its checksum."""
    while (newline := data.find(LF, start)) >= 0:
        if _payload(data, start, newline) is not None:
            return True
        start = newline + 1
    return False


def scan(data: bytes, base: int, next_seq: int, path: str) -> Scan:
    """Read the transactions in ``data``, the log's bytes from offset ``base`` (a line start),
    expecting the first to be number ``next_seq``.

    Raises :class:`StoreError` naming the path, the byte offset and the problem when the
    log is damaged rather than torn.
    """
    entries: list[Entry] = []
    position = 0
    while (newline := data.find(LF, position)) >= 0:
        payload = _payload(data, position, newline)
        if payload is None:
            if not _complete_line_follows(data, newline + 1):
                break  # an interrupted last write
            decoded: tuple[dict[str, Any], list[int]] | str = (
                "checksum mismatch, and later transactions follow, so this is not an interrupted write"
            )
        else:
            decoded = _decode(payload, base + position)
            if isinstance(decoded, tuple) and decoded[0]["seq"] != next_seq:
                decoded = f"transaction {decoded[0]['seq']} where {next_seq} was expected"
            if isinstance(decoded, str):
                decoded += " (the line passes its checksum: it was written whole, then changed)"
        if isinstance(decoded, str):
            raise LogDamaged(
                f"{path}: the log is damaged at byte {base + position} (transaction "
                f"{next_seq}): {decoded}. Nothing was changed; see `workbench doctor`.",
                base + position,
            )
        head, offsets = decoded
        position = newline + 1
        entries.append(Entry(head, offsets, base + position))
        next_seq += 1
    return Scan(entries, base + position, len(data) - position)


def scan_file(fd: int, start: int, next_seq: int, path: str, chunk: int = 4 << 20) -> Iterator[Scan]:
    """:func:`scan` the log from ``start`` to its end a chunk at a time, so memory stays
    bounded however long the log. The last :class:`Scan` yielded tells where the complete
    transactions end and how many bytes of torn tail follow."""
    pending = b""
    while True:
        block = os.pread(fd, max(chunk, len(pending)), start + len(pending))
        data = pending + block
        result = scan(data, start, next_seq, path)
        yield result
        if not block:
            return
        next_seq += len(result.entries)
        pending = data[result.end - start :]
        start = result.end


class CheckedLines:
    """The stretches of the log whose checksum has been verified, each a whole line.

    The log is append-only, so a line checked once stays checked for as long as the same
    log file is open. An event is believed only once its line is checked: changing a byte
    of a note anywhere in the log is refused, not shown."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_left(self._starts, start)
        if index == len(self._starts) or self._starts[index] != start:
            self._starts.insert(index, start)
            self._ends.insert(index, end)

    def line_of(self, offset: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and offset < self._ends[index]:
            return self._starts[index], self._ends[index]
        return None

    def check(self, fd: int, offset: int, path: str) -> None:
        """Verify the checksum of the line that holds byte ``offset`` (once); raise
        :class:`StoreError` naming the path and the line's offset when it fails."""
        if self.line_of(offset) is None:
            self.add(*check_line(fd, offset, path))


FIRST_READ = 1 << 12
"""The first block read around an event (a change's line is a kilobyte or two); the blocks
double from there up to ``chunk`` (an import's line is hundreds of MB)."""


def line_start(fd: int, offset: int) -> int:
    """Where the line holding byte ``offset`` starts (just after the previous LF)."""
    position, size = offset, FIRST_READ
    while position > 0:
        size = min(size, position)
        block = os.pread(fd, size, position - size)
        newline = block.rfind(LF)
        if newline >= 0:
            return position - size + newline + 1
        position -= size
        size = min(size * 2, 1 << 20)
    return 0


def check_line(fd: int, offset: int, path: str, chunk: int = 1 << 20) -> tuple[int, int]:
    """The start and end of the log line holding byte ``offset``, its checksum verified a
    block at a time: the first reaches just past ``offset``, each next is twice as long,
    up to ``chunk``."""
    start = line_start(fd, offset)
    head = os.pread(fd, _CRC_WIDTH, start)
    crc, position = 0, start + _CRC_WIDTH
    size = min(max(offset - position, 0) + FIRST_READ, chunk)
    while True:
        block = os.pread(fd, size, position)
        newline = block.find(LF)
        if not block:
            raise damaged_at(path, start, "the line runs past the end of the log")
        crc = zlib.crc32(block if newline < 0 else block[:newline], crc)
        if newline >= 0:
            end = position + newline + 1
            break
        position += len(block)
        size = min(size * 2, chunk)
    if len(head) != _CRC_WIDTH or head[8:9] != b" " or head[:8] != b"%08x" % crc:
        raise damaged_at(path, start, "its checksum does not match: it was changed after it was written")
    return start, end


def damaged_at(path: str, offset: int, problem: str) -> LogDamaged:
    return LogDamaged(
        f"{path}: the log is damaged at byte {offset}: {problem}. Nothing was shown or changed, "
        "and no change can be saved until it is repaired: see `workbench doctor`.",
        offset,
    )


def read_event(fd: int, offset: int, path: str) -> dict[str, Any]:
    """The event whose JSON starts at ``offset``."""
    parts = []
    position = offset
    while True:
        block = os.pread(fd, 4096, position)
        ends = [i for i in (block.find(RS), block.find(LF)) if i >= 0]
        if ends:
            parts.append(block[: min(ends)])
            break
        if not block:
            raise StoreError(f"{path}: an event at byte {offset} runs past the end of the log")
        parts.append(block)
        position += len(block)
    try:
        event = orjson.loads(b"".join(parts))
    except orjson.JSONDecodeError as error:
        raise StoreError(f"{path}: the event at byte {offset} is damaged ({error})") from None
    if not isinstance(event, dict):
        raise StoreError(f"{path}: the event index points at byte {offset}, which holds no event")
    return event


def iter_events(fd: int, start: int, end: int, path: str, block: int = 1 << 20) -> Iterator[dict[str, Any]]:
    """Every event in the transactions between ``start`` and ``end``, checksums verified.
    Read with ``pread``, a ``block`` at a time: ``fd``'s file offset is shared with every
    process that inherited it (a desk server's commands) and is never moved."""
    position = start
    data, at = b"", 0  # the log from ``position - at`` on, as read so far
    while position < end:
        newline = data.find(LF, at)
        if newline < 0:
            pending = data[at:]
            more = os.pread(fd, min(block, end - position - len(pending)), position + len(pending))
            if not more:
                raise damaged_at(path, position, "its checksum does not match")
            data, at = pending + more, 0
            continue
        line_end = newline + 1
        payload = _payload(data, at, newline)
        if payload is None:
            raise damaged_at(path, position, "its checksum does not match")
        for event in payload.split(RS)[1:]:
            yield orjson.loads(event)
        position += line_end - at
        at = line_end
