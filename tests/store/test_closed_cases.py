"""Closed cases are kept apart from the open work in the snapshot, one per line: opening
the desk does not read them, one is found without parsing the others, and a rewrite
carries the unchanged ones over as bytes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from workbench.store import FileStore, snapshot
from workbench.store.snapshot import closed_entry, encode_closed, find_closed, find_matching, splice_closed

KEYS = ["C-1", 'quote":colon', "back\\slash", 'ends with \\":', "日本語", "C-10"]
"""Keys whose JSON holds ``":`` or escapes must not be mistaken for one another."""


def table(records: dict[str, dict]) -> bytes:
    return encode_closed(closed_entry(key, record) for key, record in records.items())


def spliced(value: bytes, changes: dict) -> bytes:
    return b"".join(splice_closed(value, changes))


@pytest.fixture(params=[snapshot.SPLICE_STEP, 1, 60], ids=["whole", "a line at a time", "a few lines"])
def step(request, monkeypatch) -> None:
    """Splicing goes through the table a stretch at a time: the stretches must not matter."""
    monkeypatch.setattr(snapshot, "SPLICE_STEP", request.param)


@pytest.mark.parametrize("changed", KEYS)
def test_splicing_replaces_or_drops_exactly_the_changed_case(changed: str, step) -> None:
    records = {key: {"id": key, "n": n} for n, key in enumerate(KEYS)}
    replaced = spliced(table(records), {changed: {"id": changed, "n": -1}})
    assert orjson.loads(replaced) == {**records, changed: {"id": changed, "n": -1}}
    dropped = spliced(table(records), {changed: None})
    assert orjson.loads(dropped) == {k: r for k, r in records.items() if k != changed}
    for key in KEYS:
        assert find_closed(replaced, key, "t") == ({"id": key, "n": -1} if key == changed else records[key])
        assert find_closed(dropped, key, "t") == (None if key == changed else records[key])


def test_an_empty_table_splices_and_finds_nothing(step) -> None:
    empty = table({})
    assert orjson.loads(empty) == {}
    assert find_closed(empty, "C-1", "t") is None
    assert orjson.loads(spliced(empty, {"C-1": {"id": "C-1"}, "C-2": None})) == {"C-1": {"id": "C-1"}}
    assert spliced(table({"C-1": {"id": "C-1"}}), {"C-1": None}) == empty


def test_opening_the_desk_leaves_the_closed_cases_on_disk_until_asked(desk_path: Path, change) -> None:
    store = FileStore(desk_path)
    for n in range(1, 5):
        change(store, f"C-{n}", subject=f"case {n}")
    change(store, "C-1", state="closed")
    change(store, "C-2", state="closed")
    store.compact()
    store.close()

    store = FileStore(desk_path)
    closed = store._state.closed
    assert [r["id"] for r in store.all("cases", closed=False)] == ["C-3", "C-4"]
    assert closed._saved is None and closed._table is None  # not read at all
    assert store.get("cases", "C-2")["state"] == "closed"
    assert closed._saved is None  # found without parsing the others
    assert sorted(r["id"] for r in store.all("cases")) == ["C-1", "C-2", "C-3", "C-4"]
    change(store, "C-2", state="open")  # reopened: leaves the closed cases
    assert sorted(r["id"] for r in store.all("cases", closed=False)) == ["C-2", "C-3", "C-4"]
    store.compact()
    store.close()
    reopened = FileStore(desk_path)
    assert sorted(r["id"] for r in reopened.all("cases")) == ["C-1", "C-2", "C-3", "C-4"]
    assert reopened.get("cases", "C-2")["state"] == "open"


def test_matching_parses_only_lines_holding_the_value_and_keeps_only_exact_matches() -> None:
    records = {
        "C-1": {"id": "C-1", "customer_id": "CUS-1", "n": 1, "vendor": "zoho"},
        "C-2": {"id": "C-2", "customer_id": "CUS-12", "n": 12, "vendor": "zoho"},
        "C-3": {"id": "C-3", "customer_id": "CUS-2", "n": 1, "note": {"customer_id": "CUS-1"}},
        "C-4": {"id": "C-4", "customer_id": "CUS-1", "n": 1, "vendor": "webex"},
    }
    value = table(records)
    assert sorted(find_matching(value, {"customer_id": "CUS-1"}, "t")) == ["C-1", "C-4"]
    assert sorted(find_matching(value, {"n": 1}, "t")) == ["C-1", "C-3", "C-4"]
    assert sorted(find_matching(value, {"customer_id": "CUS-1", "vendor": "zoho"}, "t")) == ["C-1"]
    assert find_matching(value, {"customer_id": "CUS-9"}, "t") == {}


def test_a_match_on_closed_cases_sees_the_changes_since_the_snapshot(desk_path: Path, change) -> None:
    store = FileStore(desk_path)
    for n, customer in enumerate(["CUS-1", "CUS-1", "CUS-2", "CUS-1"], start=1):
        change(store, f"C-{n}", customer_id=customer)
    for n in (1, 2, 3):
        change(store, f"C-{n}", state="closed")
    store.compact()
    change(store, "C-2", state="open")  # reopened since the snapshot
    change(store, "C-4", state="closed")  # closed since the snapshot
    store.close()
    store = FileStore(desk_path)
    found = store.all("cases", match={"customer_id": "CUS-1"})
    assert sorted((r["id"], r["state"]) for r in found) == [
        ("C-1", "closed"),
        ("C-2", "open"),
        ("C-4", "closed"),
    ]
    assert store._state.closed._saved is None  # the other closed cases were not parsed
    assert [r["id"] for r in store.all("cases", closed=False, match={"customer_id": "CUS-1"})] == ["C-2"]


def test_a_closed_case_without_the_field_matches_none_whether_or_not_the_cases_were_parsed(
    desk_path: Path, change
) -> None:
    """A case without ``customer_id`` matches ``customer_id: None`` (``matches``): its line
    holds no text to find it by, so such a match reads the closed cases. The same question
    gave ``[]`` on a desk just opened and the case once every closed case had been read."""
    store = FileStore(desk_path)
    change(store, "C-1", state="closed")
    change(store, "C-2", state="closed", customer_id="CUS-1")
    change(store, "C-3", state="closed", customer_id=None)
    store.compact()
    store.close()
    for parsed_first in (False, True):
        store = FileStore(desk_path)
        if parsed_first:
            store.all("cases")
        for match in ({"customer_id": None}, {"customer_id": None, "state": "closed"}, {"state": "closed"}):
            found = sorted(r["id"] for r in store.all("cases", match=match))
            assert found == (["C-1", "C-2", "C-3"] if match == {"state": "closed"} else ["C-1", "C-3"]), match
        store.close()
