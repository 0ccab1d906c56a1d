"""A compaction carries the closed cases from the old snapshot to the new one as bytes, a
few MB at a time, and the event index too (issue 16: `workbench compact` at 200,000 cases
held 1 GB): its memory does not grow with the archive, and the desk it leaves answers every
read exactly as the desk before it did."""

from __future__ import annotations

import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from workbench.store import KINDS, FileStore
from workbench.store.snapshot import CLOSED, carry_history, live_first, read_snapshot, snapshot_checksum

START = datetime(2026, 9, 1, tzinfo=UTC)
HOWTO = {
    "name": "test.howto",
    "rule": "TEST-1",
    "text": "how-to requests",
    "where": {"vendor": ["zoho"]},
    "where_not": {"kind": ["bug"]},
}


def _case(n: int, state: str = "closed", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"C-{n}",
        "customer_id": f"CUS-{n % 7}",
        "vendor": ("zoho", "bittitan", "webex")[n % 3],
        "kind": ("how-to", "bug")[n % 2],
        "state": state,
        "sent_at": (START + timedelta(hours=7 * n)).isoformat(),
        "description": f"case {n} " + "x" * 3000,
        **fields,
    }


def _event(key: str, action: str, kind: str = "cases") -> dict[str, Any]:
    return {"at": "2026-11-24T01:00:00+00:00", "actor": "tester", "kind": kind, "key": key, "action": action}


def _archive(path: Path, closed: int) -> None:
    """A desk of ``closed`` closed cases (3 KB each) and a few open ones, compacted with its
    tallies kept, then a log past the snapshot that changes it every way a case can change:
    cases closed, reopened, changed while closed, new ones closed and open, customers."""
    store = FileStore(path, compact_on_write=False)
    with store.transaction() as tx:
        for n in range(closed + 50):
            case = _case(n, "closed" if n < closed else "open")
            tx.put("cases", case["id"], case)
            tx.append_event(_event(case["id"], "open"))
        for n in range(7):
            tx.put("customers", f"CUS-{n}", {"id": f"CUS-{n}", "name": f"customer {n}"})
            tx.append_event(_event(f"CUS-{n}", "add", "customers"))
    store.compact()
    store.keep_tallies([HOWTO])
    store.close()
    store = FileStore(path, compact_on_write=False)
    for n, key in enumerate([closed, closed + 1, 3, 4, 5, 6, closed + 60, closed + 61, 8, 8]):
        with store.transaction() as tx:
            case = tx.get("cases", f"C-{key}") or _case(key, "open")
            if n < 2:
                case["state"] = "closed"  # closed since the snapshot
            elif n < 4:
                case["state"] = "open"  # reopened
            elif n < 6:
                case["subject"] = "changed while closed"
            elif n == 6:
                case["state"] = "closed"  # new, and closed
            tx.put("cases", case["id"], case)
            tx.append_event(_event(case["id"], "change"))
    with store.transaction() as tx:
        tx.put("customers", "CUS-9", {"id": "CUS-9", "name": "new customer"})
        tx.append_event(_event("CUS-9", "add", "customers"))
        tx.append_event(_event("CUS-1", "note", "customers"))
    store.close()


def _closed_table_bytes(path: Path) -> int:
    snapshot = read_snapshot(str(path))
    assert snapshot is not None
    try:
        return snapshot.meta["tables"][CLOSED][1]
    finally:
        snapshot.close()


def test_a_compaction_holds_a_small_part_of_the_closed_cases_in_memory(tmp_path: Path) -> None:
    """The closed-cases table is ~30 MB; the compaction (the store's, as `workbench compact`
    runs it) allocates at its peak under a third of it. The old one read the table whole,
    then spliced a copy of it, and parsed the event index and the old index's entries."""
    path = tmp_path / "desk.json"
    _archive(path, 10_000)
    table = _closed_table_bytes(path)
    assert table > 30_000_000
    store = FileStore(path, compact_on_write=False)
    tracemalloc.start()
    try:
        assert store.compact()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert peak < table / 3, f"the compaction held {peak:,} bytes for a {table:,}-byte table"
    header = orjson.loads((tmp_path / "desk.json.tallies").read_bytes().split(b"\n")[0])
    assert header["tallies"] == {"test.howto": HOWTO}  # carried over, counted for the new snapshot
    assert header["snapshot"] == snapshot_checksum(str(path))


def _reads(path: Path) -> dict[str, Any]:
    """Every read the desk answers, from a store opened afresh."""
    store = FileStore(path, compact_on_write=False)
    try:
        keys = {kind: sorted(str(r["id"]) for r in store.all(kind)) for kind in KINDS if kind != "settings"}
        window = (START + timedelta(days=3), START + timedelta(days=40))
        return {
            "records": {kind: sorted(store.all(kind), key=lambda r: str(r["id"])) for kind in keys},
            "open": sorted(r["id"] for r in store.all("cases", closed=False)),
            "one by one": {kind: [store.get(kind, key) for key in keys[kind]] for kind in keys},
            "events": store.events(),
            "events by record": {
                kind: [store.events(kind, key) for key in [*keys[kind], "C-99999"]] for kind in keys
            },
            "by customer": [
                sorted(r["id"] for r in store.all("cases", match={"customer_id": f"CUS-{n}"}))
                for n in range(10)
            ],
            "by customer and vendor": sorted(
                r["id"] for r in store.all("cases", match={"customer_id": "CUS-3", "vendor": "zoho"})
            ),
            "sent in a window": sorted(r["id"] for r in store.all("cases", within=("sent_at", *window))),
            "tally": store.tally(HOWTO, window),
            "counters": store.counters(),
        }
    finally:
        store.close()


def test_the_compacted_desk_answers_every_read_as_the_desk_before_it(tmp_path: Path, run_cli) -> None:
    """Every record, every event (all, and each record's), the closed cases found through
    the index by customer and by day sent, and a kept tally: the same after `workbench
    compact` as before it; the new index and tallies are the ones in use."""
    path = tmp_path / "desk.json"
    _archive(path, 300)
    before = _reads(path)
    assert run_cli("compact", "--db", str(path))[1].startswith("compacted")
    assert _reads(path) == before
    store = FileStore(path, compact_on_write=False)
    try:
        assert store.closed_index_in_use()
        assert store.compact() and _reads(path) == before  # once more, from the new snapshot
    finally:
        store.close()


KEYS = ["C-1", 'quote":[colon', "back\\slash", 'ends with \\":[', "日本語", "C-10", "C-100"]
"""Keys whose JSON holds ``":[`` or escapes must not be mistaken for one another."""


@pytest.mark.parametrize("seed", range(30))
def test_the_event_index_carried_as_bytes_is_the_one_parsed_and_merged(seed: int) -> None:
    """For any saved index, events logged since and records not closed, the index carried
    as bytes is byte for byte the one the parsed, merged index gives (:func:`live_first`)."""
    rng = random.Random(seed)
    saved = {kind: {} for kind in KINDS}
    recent: dict[str, dict[str, list[int]]] = {kind: {} for kind in KINDS}
    live: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind in rng.sample(KINDS, rng.randint(1, len(KINDS))):
        for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
            where = rng.random()
            if where < 0.7:
                saved[kind][key] = [rng.randint(0, 10**9) for _ in range(rng.randint(0, 3))]
            if where > 0.5:
                recent[kind][key] = [rng.randint(0, 10**9) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.4:
                live[kind][key] = {}
        for key in rng.sample(KEYS, 2):
            if rng.random() < 0.3:
                live[kind][key] = {}
    table = orjson.dumps(live_first({k: v for k, v in saved.items() if v or rng.random() < 0.5}, live))
    merged = {kind: {key: list(offsets) for key, offsets in index.items()} for kind, index in saved.items()}
    for kind, index in recent.items():
        for key, offsets in index.items():
            merged[kind].setdefault(key, []).extend(offsets)
    assert carry_history(table, recent, live) == orjson.dumps(live_first(merged, live))


def test_an_event_index_not_laid_out_entry_by_entry_is_merged_parsed() -> None:
    """A table with white space, or a kind this version does not know, is not carried as
    bytes: the caller parses and merges it."""
    live: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for table in (b'{"cases": {"C-1": [1]}}', b'{"cases":{"C-1":[1]},"things":{"T-1":[2]}}', b"[]"):
        assert carry_history(table, {kind: {} for kind in KINDS}, live) is None
