"""History is append-only (CORE-AUDIT-1): no way to change or remove an event, and the
log that holds them only ever grows — compaction rewrites the snapshot, never the log."""

from __future__ import annotations

import inspect
import zlib
from pathlib import Path

import orjson
import pytest

from workbench.store import FileStore, MemoryStore
from workbench.store.snapshot import Snapshot
from workbench.store.staging import StagedTransaction

REWRITING = ("delete", "remove", "discard", "clear", "pop", "drop", "truncate", "rewrite", "edit")


@pytest.mark.parametrize("kind", [FileStore, MemoryStore, StagedTransaction])
def test_there_is_no_api_to_change_or_remove_history(kind: type) -> None:
    public = [name for name, _ in inspect.getmembers(kind) if not name.startswith("_")]
    assert not [name for name in public if any(word in name for word in REWRITING)]
    reading = ("events", "iter_events", "append_event", "last_event_id")
    assert not [name for name in public if "event" in name and name not in reading]


def test_the_log_only_grows_through_changes_and_compactions(desk_path: Path, change) -> None:
    store = FileStore(desk_path, compact_bytes=2_000)
    log = Path(str(desk_path) + ".log")
    change(store, "C-1")
    previous = log.read_bytes()
    snapshots = set()
    for n in range(120):
        change(store, f"C-{n % 9}", n=n, state="closed" if n % 4 else "open")
        current = log.read_bytes()
        assert current.startswith(previous), f"change {n} rewrote history"
        previous = current
        snapshots.add(desk_path.read_bytes())
    assert len(snapshots) > 5, "the snapshot should have been compacted several times"


def test_events_survive_compaction_and_reopening_unchanged(desk_path: Path, change) -> None:
    store = FileStore(desk_path, compact_bytes=1_000)
    for n in range(60):
        change(store, f"C-{n % 6}", action=f"step-{n}", n=n)
    before = {key: store.events("cases", key) for key in (f"C-{k}" for k in range(6))}
    everything = store.events()
    store.compact()
    reopened = FileStore(desk_path)
    assert reopened.events() == everything
    assert {key: reopened.events("cases", key) for key in before} == before
    assert [e["action"] for e in reopened.events("cases", "C-0")] == [f"step-{n}" for n in range(0, 60, 6)]


def test_replacing_a_record_keeps_its_earlier_events(desk_path: Path, change, event) -> None:
    store = FileStore(desk_path)
    change(store, "C-1", subject="first")
    with store.transaction() as tx:
        tx.put("cases", "C-1", {"id": "C-1", "subject": "replaced whole"})
        tx.append_event(event("C-1", "replace"))
    assert [e["action"] for e in FileStore(desk_path).events("cases", "C-1")] == ["note", "replace"]


TRICKY_KEYS = ["C-1", "C-11", "C-111", 'quote " key', "cases", "é", "C-1,"]
"""Keys that are prefixes of one another, one holding a quote, one named like a kind."""


def test_core_audit1_one_record_s_events_come_from_the_index_without_parsing_it(desk_path: Path) -> None:
    """After a compaction a record's events are looked up in the snapshot's event index
    (one record's offsets, the rest left unparsed): the same events, in the same order,
    as the in-memory store holds, before and after more events, for every kind of key."""
    memory, desk = MemoryStore(), FileStore(desk_path)
    kinds = ("cases", "customers", "settings")

    def add(round_: int) -> None:
        for store in (memory, desk):
            for index, key in enumerate(TRICKY_KEYS):
                with store.transaction() as tx:
                    kind = kinds[index % len(kinds)]
                    tx.put(kind, key, {"id": key, "round": round_})
                    tx.append_event({"kind": kind, "key": key, "action": "note", "data": {"round": round_}})

    add(1)
    desk.compact()
    add(2)
    for store in (desk, FileStore(desk_path)):
        for index, key in enumerate(TRICKY_KEYS):
            kind = kinds[index % len(kinds)]
            assert store.events(kind, key) == memory.events(kind, key)
            assert [e["data"]["round"] for e in store.events(kind, key)] == [1, 2]
        assert store.events("cases", "C-2") == []


def test_core_audit1_many_records_events_read_once_the_index_is_parsed_whole(desk_path: Path) -> None:
    """A batch of lookups (a report, the queue) reads the index once — parsed whole once the
    searches cost SCANS_BEFORE_PARSING times its length, or entry by entry from the start of a
    kind's object — never a search of it per record: every record's events, in order."""
    from workbench.store.snapshot import SCANS_BEFORE_PARSING

    memory, desk = MemoryStore(), FileStore(desk_path)
    keys = [f"C-{n}" for n in range(1, 4 * SCANS_BEFORE_PARSING)]
    for round_ in (1, 2):
        for store in (memory, desk):
            for key in keys:
                with store.transaction() as tx:
                    tx.put("cases", key, {"id": key, "round": round_})
                    tx.append_event(
                        {"kind": "cases", "key": key, "action": "note", "data": {"round": round_}}
                    )
        if round_ == 1:
            desk.compact()
    fresh = FileStore(desk_path)
    for key in keys:
        assert fresh.events("cases", key) == memory.events("cases", key)
        assert [e["data"]["round"] for e in fresh.events("cases", key)] == [1, 2]
    saved = fresh._state.saved_history
    assert not isinstance(saved, Snapshot) or saved.scanned <= len(saved._history), (
        "read once: parsed whole, or entry by entry without searching it again and again"
    )


def test_core_audit1_the_open_cases_events_are_found_without_parsing_the_index(desk_path: Path) -> None:
    """The open work's entries come first in the snapshot's event index, so looking up the
    events of every open case (a month's report) searches a small part of it and never
    parses it whole, however many closed cases come before them by number."""
    desk = FileStore(desk_path)
    for n in range(1, 401):
        with desk.transaction() as tx:
            state = "closed" if n <= 300 else "open"
            tx.put("cases", f"C-{n}", {"id": f"C-{n}", "state": state, "customer_id": "CUS-1"})
            tx.append_event({"kind": "cases", "key": f"C-{n}", "action": "note", "data": {"n": n}})
    desk.compact()
    fresh = FileStore(desk_path)
    for n in range(301, 401):
        assert [e["data"]["n"] for e in fresh.events("cases", f"C-{n}")] == [n]
    assert isinstance(fresh._state.saved_history, Snapshot), "the index was never parsed whole"
    assert [e["data"]["n"] for e in fresh.events("cases", "C-7")] == [7], "a closed case's too"


def test_core_audit1_a_record_s_events_are_found_when_another_part_of_the_index_is_damaged(
    desk_path: Path,
) -> None:
    """Proof that one record's lookup reads only its own entry: another part of the index
    made unreadable (checksum kept valid) leaves C-1's events readable, while a listing of
    every case's events, which parses the index whole, is refused."""
    from workbench.store import StoreError
    from workbench.store.snapshot import SnapshotStorage, encode_tables

    store = FileStore(desk_path)
    for key in ("C-1", "C-2"):
        with store.transaction() as tx:
            tx.put("cases", key, {"id": key})
            tx.append_event({"kind": "cases", "key": key, "action": "note"})
    store.compact()
    store.close()
    document = SnapshotStorage(str(desk_path)).read()
    document["_history"]["workflows"] = ["not", "an", "index"]
    desk_path.write_bytes(b"".join(encode_tables(document["_meta"]["1"], document)))
    reopened = FileStore(desk_path)
    assert [e["key"] for e in reopened.events("cases", "C-1")] == ["C-1"]
    with pytest.raises(StoreError, match="not an index of events by record"):
        reopened.events("cases")


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_core_audit1_a_record_s_events_are_found_whatever_the_order_of_kinds_in_the_index(
    desk_path: Path, order: str
) -> None:
    """The event index is read in one pass when its kinds come in the order a compaction
    writes them, and still answers, kind by kind, when they come in another (a desk written
    by another version): the same events as the in-memory store holds."""
    from workbench.store.snapshot import SnapshotStorage, encode_tables

    memory, desk = MemoryStore(), FileStore(desk_path)
    records = [("customers", "CUS-1"), ("contracts", "K-1"), ("cases", "C-1"), ("cases", "C-2")]
    for store in (memory, desk):
        for kind, key in records + [("workflows", "W-1"), ("settings", "cases")]:
            with store.transaction() as tx:
                tx.put(kind, key, {"id": key})
                tx.append_event({"kind": kind, "key": key, "action": "note", "data": {"of": key}})
    desk.compact()
    desk.close()
    if order == "reversed":
        document = SnapshotStorage(str(desk_path)).read()
        document["_history"] = dict(reversed(document["_history"].items()))
        desk_path.write_bytes(b"".join(encode_tables(document["_meta"]["1"], document)))
    fresh = FileStore(desk_path)
    for kind, key in records + [("workflows", "W-1"), ("settings", "cases"), ("cases", "C-3")]:
        assert fresh.events(kind, key) == memory.events(kind, key), (kind, key)
    assert isinstance(fresh._state.saved_history, Snapshot), "every lookup found its kind unparsed"


@pytest.mark.parametrize("read_ahead", [40, 1 << 18])
def test_core_audit1_entries_read_one_by_one_give_every_record_s_events(
    desk_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: int
) -> None:
    """The event index is read entry by entry from the start of a kind's object (the open
    records first), a stretch at a time, and searched past that stretch: every record's events,
    of every kind and key however spelt, looked up in any order, are the in-memory store's."""
    import random

    import workbench.store.snapshot as snapshot

    monkeypatch.setattr(snapshot, "ENTRIES_READ_AHEAD", read_ahead)
    memory, desk = MemoryStore(), FileStore(desk_path)
    records = [("cases", f"C-{n}") for n in range(1, 60)] + [
        (("customers", "settings", "cases")[n % 3], key) for n, key in enumerate(TRICKY_KEYS)
    ]
    for store in (memory, desk):
        for round_ in (1, 2):
            for n, (kind, key) in enumerate(records):
                with store.transaction() as tx:
                    state = "closed" if kind == "cases" and n % 3 else "open"
                    tx.put(kind, key, {"id": key, "state": state, "round": round_})
                    tx.append_event({"kind": kind, "key": key, "action": "note", "data": {"round": round_}})
    desk.compact()
    wanted = records + [("cases", "C-999"), ("workflows", "C-1")]
    random.Random(7).shuffle(wanted)
    fresh = FileStore(desk_path)
    for kind, key in wanted:
        assert fresh.events(kind, key) == memory.events(kind, key), (kind, key)


def test_two_readings_of_the_history_at_once_each_read_all_of_it(desk_path: Path, change) -> None:
    """The log's descriptor is shared with every process that inherits it (a desk server's
    commands): reading the history never moves its file offset, so two readings interleaved
    (here in one process, on one descriptor) each read every event, none seen as damage."""
    store = FileStore(desk_path)
    for n in range(200):
        change(store, f"C-{n % 7}", action=f"step-{n}", n=n, padding="x" * 200)
    everything = store.events()
    first, second = store.iter_events(), store.iter_events()
    read_first, read_second = [], []
    for one, other in zip(first, second, strict=False):
        read_first.append(one)
        read_second.append(other)
    read_first += first
    read_second += second
    assert read_first == read_second == everything
    assert len(everything) >= 200


def test_a_kept_desk_finds_each_records_events_among_needles_of_one_crc(desk_path: Path, change) -> None:
    """A desk read ahead (``FileStore.read_ahead``, as the desk server keeps one) finds a
    record's events by the CRC of its entry in the event index, then checks the entry's key
    itself: two keys whose entries share a CRC each get their own events, and a key of that
    CRC with no entry gets none."""
    first, second = "mizfmhjq", "yarvqclu"
    assert zlib.crc32(orjson.dumps(first) + b":[") == zlib.crc32(orjson.dumps(second) + b":[")
    store = FileStore(desk_path)
    for key in (first, second, "C-1"):
        change(store, key, action=f"made {key}")
    change(store, second, action="changed second")
    store.compact()
    kept = FileStore(desk_path)
    kept.read_ahead()
    assert [e["action"] for e in kept.events("cases", first)] == [f"made {first}"]
    assert [e["action"] for e in kept.events("cases", second)] == [f"made {second}", "changed second"]
    assert kept.events("cases", "no such case") == []
    assert kept._state.closed.snapshot._placed["cases"] is not None
