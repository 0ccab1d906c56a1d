"""The closed cases' index (``desk.json.index``) and the open records' index by customer:
a customer's past cases, the cases sent in a window and one closed case are found through
them without reading the archive, and every answer is the one a full reading gives
(BT-SAFE-1 and ZOHO-HOWTO-1 read them on every view, renewals for every workflow)."""

from __future__ import annotations

import random
import shutil
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workbench.store import FileStore, MemoryStore, Store, StoreError

CUSTOMERS = [f"CUS-{n}" for n in range(1, 6)]
VENDORS = ["zoho", "bittitan"]
START = datetime(2026, 10, 1, tzinfo=UTC)


def _case(rng: random.Random, key: str) -> dict[str, Any]:
    sent = START + timedelta(hours=rng.randint(0, 24 * 60)) if rng.random() < 0.7 else None
    return {
        "id": key,
        "customer_id": rng.choice(CUSTOMERS),
        "vendor": rng.choice(VENDORS),
        "state": rng.choice(["open", "closed", "closed", "closed"]),
        "sent_at": sent.isoformat() if sent else None,
        "subject": f"case {key} {'é' * rng.randint(0, 3)}",
    }


def _change(stores: list[Store], rng: random.Random, keys: list[str]) -> None:
    """One transaction on every store: new cases, or cases changed (closed, reopened, moved
    to another customer, sent at another time)."""
    records = []
    for _ in range(rng.randint(1, 4)):
        if keys and rng.random() < 0.5:
            records.append({**_case(rng, rng.choice(keys)), "subject": "changed"})
        else:
            keys.append(f"C-{len(keys) + 1}")
            records.append(_case(rng, keys[-1]))
    for store in stores:
        with store.transaction() as tx:
            for record in records:
                tx.put("cases", record["id"], record)


def _answers(store: Store, rng: random.Random, keys: list[str]) -> list[Any]:
    """What the rules ask: each customer's cases (of each vendor), the cases sent in a few
    windows (of each vendor), and single cases, as sorted keys."""

    def ids(records: list[dict[str, Any]]) -> list[str]:
        return sorted(r["id"] for r in records)

    answers: list[Any] = []
    for customer in CUSTOMERS:
        answers.append(ids(store.all("cases", match={"customer_id": customer})))
        for vendor in VENDORS:
            answers.append(ids(store.all("cases", match={"customer_id": customer, "vendor": vendor})))
    for _ in range(4):
        after = START + timedelta(hours=rng.randint(-48, 24 * 60))
        window = ("sent_at", after, after + timedelta(days=rng.choice([1, 7, 30])))
        answers.append(ids(store.all("cases", within=window)))
        answers.append(ids(store.all("cases", match={"vendor": "zoho"}, within=window)))
        answers.append(ids(store.all("cases", closed=False, within=window)))
    for key in rng.sample(keys, min(10, len(keys))) + ["C-0"]:
        record = store.get("cases", key)
        answers.append(record and (record["state"], record["customer_id"], record["sent_at"]))
    return answers


@pytest.mark.parametrize("seed", range(6))
def test_answers_through_the_index_equal_a_full_reading(tmp_path: Path, seed: int):
    """Random changes, compactions at random moments (each writes a new index), and a
    reopened desk at each check: every query equals the in-memory store's answer."""
    rng = random.Random(seed)
    path = tmp_path / "desk.json"
    memory, desk = MemoryStore(), FileStore(path)
    keys: list[str] = []
    for step in range(40):
        _change([memory, desk], rng, keys)
        if rng.random() < 0.3:
            desk.compact()
        if step % 8 == 7:
            reopened = FileStore(path)
            assert reopened.closed_index_in_use()
            for store in (desk, reopened):
                probe = random.Random(step)
                assert _answers(store, probe, keys) == _answers(memory, random.Random(step), keys)
            reopened.close()
    desk.close()


def _compacted_desk(path: Path) -> list[dict[str, Any]]:
    """A desk of closed cases of two customers, compacted (so its index is written)."""
    store = FileStore(path)
    records = [
        {
            "id": f"C-{n}",
            "customer_id": f"CUS-{n % 2}",
            "vendor": "zoho",
            "state": "closed",
            "sent_at": (START + timedelta(days=n)).isoformat(),
            "subject": f"case {n:02}",
        }
        for n in range(1, 11)
    ]
    with store.transaction() as tx:
        for record in records:
            tx.put("cases", record["id"], record)
    store.compact()
    store.close()
    return records


def test_a_customer_s_cases_are_read_without_the_rest_of_the_archive(tmp_path: Path):
    """A case of CUS-0 edited by hand fails its checksum when read, yet CUS-1's cases and
    the cases sent in a window that holds no CUS-0 case are found whole: only the lines
    the index places are read. Listing every closed case reads (and refuses) the table."""
    path = tmp_path / "desk.json"
    records = _compacted_desk(path)
    path.write_bytes(path.read_bytes().replace(b'"case 04"', b'"case 4!"'))
    store = FileStore(path)
    odd = sorted(r["id"] for r in records if r["customer_id"] == "CUS-1")
    assert sorted(r["id"] for r in store.all("cases", match={"customer_id": "CUS-1"})) == odd
    window = ("sent_at", START + timedelta(days=4), START + timedelta(days=7))
    assert sorted(r["id"] for r in store.all("cases", within=window)) == ["C-5", "C-6", "C-7"]
    assert store.get("cases", "C-3")["subject"] == "case 03"
    with pytest.raises(StoreError, match="fails its checksum"):
        store.get("cases", "C-4")
    with pytest.raises(StoreError, match="fails its checksum"):
        store.all("cases", match={"customer_id": "CUS-0"})
    with pytest.raises(StoreError, match="fails its checksum"):
        store.all("cases")
    store.close()


def test_an_index_of_another_snapshot_is_not_used(tmp_path: Path):
    """A crash between writing the snapshot and its index leaves the index of the snapshot
    before: it names that snapshot, so it is not believed, and the answers come from the
    closed cases themselves (the next compaction writes a new index)."""
    path = tmp_path / "desk.json"
    _compacted_desk(path)
    index = Path(str(path) + ".index")
    old = tmp_path / "old.index"
    shutil.copy(index, old)
    store = FileStore(path)
    with store.transaction() as tx:
        tx.put("cases", "C-1", {**store.get("cases", "C-1"), "customer_id": "CUS-0"})
        tx.put("cases", "C-11", {**store.get("cases", "C-2"), "id": "C-11", "customer_id": "CUS-1"})
    store.compact()
    store.close()
    shutil.copy(old, index)
    stale = FileStore(path)
    assert not stale.closed_index_in_use()
    assert sorted(r["id"] for r in stale.all("cases", match={"customer_id": "CUS-1"})) == [
        "C-11",
        "C-3",
        "C-5",
        "C-7",
        "C-9",
    ]
    stale.compact()
    assert FileStore(path).closed_index_in_use()


def _customer_answers(store: Store) -> list[Any]:
    """Each customer's closed cases, the cases sent in a window and one case, as keys."""
    window = ("sent_at", START + timedelta(days=4), START + timedelta(days=7))
    return [
        sorted(r["id"] for r in store.all("cases", match={"customer_id": "CUS-0"})),
        sorted(r["id"] for r in store.all("cases", match={"customer_id": "CUS-1"})),
        sorted(r["id"] for r in store.all("cases", within=window)),
        store.get("cases", "C-3")["subject"],
    ]


def _relined(data: bytes, group: bytes, payload: bytes) -> bytes:
    """``data`` with the line of ``group`` (e.g. ``["customer","CUS-1",``) replaced by
    ``payload`` under its own, correct CRC: damage the line check cannot see."""
    start = data.index(b" " + group) - 8
    end = data.index(b"\n", start)
    return data[:start] + b"%08x " % zlib.crc32(payload) + payload + data[end:]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-20], id="cut-short-in-its-last-line"),
        pytest.param(lambda data: data[: len(data) // 2], id="cut-short-in-the-middle"),
        pytest.param(lambda data: data.replace(b'"CUS-1",[["C-1",', b'"CUS-1",[["C-1"#'), id="garbled"),
        pytest.param(
            lambda data: _relined(data, b'["customer","CUS-1",', b'["customer","CUS-1",[{'),
            id="not-json-under-a-matching-crc",
        ),
        pytest.param(
            lambda data: _relined(data, b'["customer","CUS-1",', b'["customer","CUS-1",[["C-1"]]]'),
            id="entries-of-another-shape",
        ),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_index_is_not_believed_and_the_next_compaction_rebuilds_it(tmp_path: Path, damage):
    """The index is derived data (the snapshot is the truth): an index cut short, altered
    or of another shape is never an error for the user. The answers come from the closed
    cases themselves, a compaction (which carries the old index's entries over) finishes,
    and it writes a whole index that is used again."""
    path = tmp_path / "desk.json"
    _compacted_desk(path)
    memory = MemoryStore()
    with memory.transaction() as tx:
        for record in FileStore(path).all("cases"):
            tx.put("cases", record["id"], record)
    index = Path(str(path) + ".index")
    index.write_bytes(damage(index.read_bytes()))
    store = FileStore(path)
    assert _customer_answers(store) == _customer_answers(memory)
    store.compact()
    store.close()
    rebuilt = FileStore(path)
    assert rebuilt.closed_index_in_use()
    assert _customer_answers(rebuilt) == _customer_answers(memory)
    rebuilt.close()
