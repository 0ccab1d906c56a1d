"""The desk file: what survives a reopen, how its files look, how other writers are noticed."""

from __future__ import annotations

from pathlib import Path

import pytest
import tinydb

from workbench.store import FileStore, default_path, open_store
from workbench.store.snapshot import read_snapshot


def test_a_new_desk_has_no_files_until_its_first_change(desk_path: Path, change) -> None:
    store = open_store(desk_path)
    assert store.all("cases") == [] and not desk_path.parent.exists()
    change(store, "C-1")
    assert sorted(p.name for p in desk_path.parent.iterdir()) == [
        "desk.json",
        "desk.json.holder",
        "desk.json.index",
        "desk.json.lock",
        "desk.json.log",
    ]


def test_reopening_gives_the_same_desk(desk_path: Path, change, state_of) -> None:
    store = FileStore(desk_path, compact_bytes=600)
    for n in range(1, 30):
        change(store, f"C-{n % 7}", subject=f"change {n}", n=n)
    with store.transaction() as tx:
        tx.put("settings", "desk.timezone", {"key": "desk.timezone", "value": "Asia/Tokyo"})
        tx.next_number("cases")
    reopened = FileStore(desk_path)
    assert state_of(reopened) == state_of(store)
    with reopened.transaction() as tx:
        assert tx.next_number("cases") == 2


def test_the_snapshot_is_a_tinydb_database(desk_path: Path, change) -> None:
    store = open_store(desk_path)
    change(store, "C-1", subject="printer")
    store.compact()
    assert tinydb.TinyDB(desk_path, access_mode="r").tables() >= {"cases", "customers", "_meta"}
    assert read_snapshot(str(desk_path)).tables["cases"] == {
        "C-1": {"id": "C-1", "state": "open", "subject": "printer"}
    }


def test_a_change_costs_one_log_line_not_a_rewrite(desk_path: Path, change) -> None:
    store = FileStore(desk_path)
    change(store, "C-1")
    snapshot = desk_path.read_bytes()
    log_size = Path(str(desk_path) + ".log").stat().st_size
    change(store, "C-1", state="closed")
    assert desk_path.read_bytes() == snapshot
    assert Path(str(desk_path) + ".log").stat().st_size > log_size


def test_refresh_notices_another_writer(desk_path: Path, change) -> None:
    tui = FileStore(desk_path)
    other = FileStore(desk_path)
    change(other, "C-1", subject="from the command line")
    assert tui.refresh() is True
    assert tui.get("cases", "C-1")["subject"] == "from the command line"
    assert [e["action"] for e in tui.events("cases", "C-1")] == ["note"]
    assert tui.refresh() is False


def test_refresh_follows_compactions_by_another_writer(desk_path: Path, change) -> None:
    tui = FileStore(desk_path)
    other = FileStore(desk_path, compact_bytes=300)
    for n in range(40):
        change(other, f"C-{n % 5}", n=n)
    assert tui.refresh() is True
    assert {r["id"]: r["n"] for r in tui.all("cases")} == {f"C-{k}": 35 + k for k in range(5)}
    assert len(tui.events("cases")) == 40


def test_a_writer_sees_what_others_wrote_before_its_transaction(desk_path: Path, change, event) -> None:
    first, second = FileStore(desk_path), FileStore(desk_path)
    change(first, "C-1", count=1)
    change(second, "C-1", count=2)  # not refreshed by hand: the transaction catches up
    with first.transaction() as tx:
        record = tx.get("cases", "C-1")
        assert record["count"] == 2
        record["count"] += 1
        tx.put("cases", "C-1", record)
        assert tx.append_event(event("C-1", "note")) == 3
        assert tx.next_number("cases") == 1
    assert len(FileStore(desk_path).events("cases", "C-1")) == 3


def test_a_closed_store_refuses_to_work(desk_path: Path) -> None:
    store = FileStore(desk_path)
    store.close()
    with pytest.raises(Exception, match="closed"):
        with store.transaction():
            pass


def test_the_default_desk_lives_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "case-workbench" / "desk.json"
    store = open_store(None)
    change(store, "C-1")
    assert (tmp_path / "data" / "case-workbench" / "desk.json").exists()


def test_a_folder_is_not_a_desk(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=str(tmp_path)):
        open_store(tmp_path)


def test_refresh_never_waits_for_a_transaction_of_this_process(desk_path: Path, change) -> None:
    store = FileStore(desk_path)
    other = FileStore(desk_path)
    change(other, "C-1")
    with store.transaction():
        assert store.refresh() is False  # the transaction has caught up by itself
    assert store.refresh() is False and store.get("cases", "C-1") is not None
