"""Closed cases are kept apart from the open work in the snapshot, one per line: opening
the desk does not read them, one is found without parsing the others, and a rewrite
carries the unchanged ones over as bytes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from workbench.store import FileStore
from workbench.store.snapshot import closed_entry, encode_closed, find_closed, splice_closed

KEYS = ["C-1", 'quote":colon', "back\\slash", 'ends with \\":', "日本語", "C-10"]
"""Keys whose JSON holds ``":`` or escapes must not be mistaken for one another."""


def table(records: dict[str, dict]) -> bytes:
    return encode_closed(closed_entry(key, record) for key, record in records.items())


@pytest.mark.parametrize("changed", KEYS)
def test_splicing_replaces_or_drops_exactly_the_changed_case(changed: str) -> None:
    records = {key: {"id": key, "n": n} for n, key in enumerate(KEYS)}
    replaced = splice_closed(table(records), {changed: {"id": changed, "n": -1}})
    assert orjson.loads(replaced) == {**records, changed: {"id": changed, "n": -1}}
    dropped = splice_closed(table(records), {changed: None})
    assert orjson.loads(dropped) == {k: r for k, r in records.items() if k != changed}
    for key in KEYS:
        assert find_closed(replaced, key, "t") == ({"id": key, "n": -1} if key == changed else records[key])
        assert find_closed(dropped, key, "t") == (None if key == changed else records[key])


def test_an_empty_table_splices_and_finds_nothing() -> None:
    empty = table({})
    assert orjson.loads(empty) == {}
    assert find_closed(empty, "C-1", "t") is None
    assert orjson.loads(splice_closed(empty, {"C-1": {"id": "C-1"}, "C-2": None})) == {"C-1": {"id": "C-1"}}


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
