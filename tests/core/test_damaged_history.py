"""Tampered or damaged history is never shown as genuine (CORE-AUDIT-1: history is never
rewritten). What is read is checked against its checksums; damage is refused with the path
and the byte offset; no change is saved on top of it; `doctor` names it and salvages what
checks into a new desk. Something other than a file where a desk file belongs is refused
with its path, without hanging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from workbench.store import FileStore
from workbench.testing import desk_files

NOTE = "the customer's printer driver 4.2 crashes"

NOT_WHAT_IT_HOLDS = (".holder", ".damaged")
"""Desk files left out when comparing a desk before and after: the holder file, which says who
took the writer lock last (a refused change takes it too), and the damage mark, which says where
damage was found."""


@pytest.fixture
def tampered(run_cli) -> Path:
    """A desk whose log has one byte of a note changed, inside the part the snapshot covers."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    new_case = ("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Sync stops")
    assert run_cli(*new_case)[0] == 0
    assert run_cli("case", "note", "C-1", NOTE)[0] == 0
    assert run_cli("customer", "add", "Contoso")[0] == 0
    store = FileStore(run_cli.db)
    store.compact()  # the snapshot now covers the note's line of the log
    store.close()
    log = Path(str(run_cli.db) + ".log")
    data = log.read_bytes()
    assert data.count(b"crashes") == 1
    log.write_bytes(data.replace(b"crashes", b"crashed"))
    return log


def test_a_changed_note_is_refused_with_the_path_and_offset_not_shown(run_cli, tampered) -> None:
    """CORE-AUDIT-1: `case show` does not print the altered text as history."""
    offset = tampered.read_bytes().rindex(b"\n", 0, tampered.read_bytes().index(b"crashed")) + 1
    status, out, err = run_cli("case", "show", "C-1")
    assert status == 1
    assert "crashed" not in out
    assert str(tampered) in err and f"byte {offset}" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "command",
    [
        ("case", "note", "C-1", "appended after the damage"),
        ("case", "pending", "C-1", "waiting"),
        ("case", "close", "C-1", "--reason", "resolved"),
    ],
    ids=" ".join,
)
def test_no_change_is_saved_on_top_of_damaged_history(run_cli, tampered, command) -> None:
    """CORE-AUDIT-1: a change to a record whose history fails its checksum is refused, and
    every file of the desk stays as it was."""
    before = desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS)
    status, _, err = run_cli(*command)
    assert status == 1 and str(tampered) in err and "damaged at byte" in err
    assert desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS) == before


def test_once_damage_is_seen_the_open_desk_saves_nothing_more(run_cli, tampered) -> None:
    """CORE-AUDIT-1: a desk kept open (the terminal desk) that has found damage refuses every
    later change, to any record, until the damage is repaired."""
    from workbench.desk import Desk
    from workbench.errors import StoreError
    from workbench.plugins import get_plugins

    store = FileStore(run_cli.db)
    desk = Desk(store, get_plugins(), actor="aiko")
    try:
        with pytest.raises(StoreError, match="damaged at byte"):
            desk.events("cases", "C-1")
        before = desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS)
        with pytest.raises(StoreError, match="damaged at byte"):
            desk.update_customer("CUS-2", users=12)
        assert desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS) == before
    finally:
        store.close()


def workbench(db: Path, *args: str) -> subprocess.CompletedProcess:
    """``workbench ARGS`` in a process of its own: nothing it knows comes from an earlier one."""
    env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": "2026-11-24T12:00+09:00"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "finder", [("case", "show", "C-1"), ("doctor",), ("export", "--format", "json")], ids=" ".join
)
def test_once_any_process_found_damage_no_process_saves_a_change(run_cli, tampered, finder) -> None:
    """CORE-AUDIT-1: damage found by one command (a case shown, `doctor`, an export) stops
    every later change in every new process — to records whose own history is whole too —
    naming the log and the byte, until the damaged line checks again."""
    offset = tampered.read_bytes().rindex(b"\n", 0, tampered.read_bytes().index(b"crashed")) + 1
    assert workbench(run_cli.db, *finder).returncode == 1
    before = desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS)
    for change in (("customer", "add", "Fabrikam"), ("customer", "edit", "CUS-2", "--users", "12")):
        done = workbench(run_cli.db, *change)
        assert done.returncode == 1, done.stdout
        assert f"{tampered}: the log is damaged at byte {offset}" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS) == before
    listed = workbench(run_cli.db, "customer", "list")  # reading what is whole goes on
    assert listed.returncode == 0 and "Contoso" in listed.stdout


def test_a_log_put_back_whole_lets_changes_be_saved_again(run_cli, tampered) -> None:
    """CORE-AUDIT-1: the damage mark holds only while the marked line fails its check."""
    assert workbench(run_cli.db, "doctor").returncode == 1
    assert workbench(run_cli.db, "customer", "add", "Fabrikam").returncode == 1
    tampered.write_bytes(tampered.read_bytes().replace(b"crashed", b"crashes"))
    done = workbench(run_cli.db, "customer", "add", "Fabrikam")
    assert done.returncode == 0, done.stderr
    assert not Path(str(run_cli.db) + ".damaged").exists()
    assert workbench(run_cli.db, "doctor").returncode == 0


def test_doctor_names_the_damage_and_salvage_rebuilds_what_checks(run_cli, tampered, tmp_path) -> None:
    """CORE-AUDIT-1: `doctor` is not ok; `doctor --salvage` writes a new desk of every
    transaction whose checksum holds and lists the one it left out."""
    status, out, _ = run_cli("doctor", "--json")
    report = json.loads(out)
    assert status == 1 and not report["ok"]
    assert any("damaged at byte" in p for p in report["problems"])
    assert any("--salvage" in a for a in report["advice"])
    before = desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS)
    new = tmp_path / "salvaged" / "desk.json"
    new.parent.mkdir()
    status, out, err = run_cli("doctor", "--salvage", str(new), "--json")
    assert status == 0, err
    salvaged = json.loads(out)
    assert salvaged["records"]["customers"] == 2 and salvaged["records"]["cases"] == 1
    [left_out] = salvaged["left_out"]
    assert "fails its checksum" in left_out and "cases C-1" in left_out
    assert desk_files(run_cli.db, aside=NOT_WHAT_IT_HOLDS) == before  # the damaged desk is only read
    status, out, err = run_cli("case", "show", "C-1", "--db", str(new), "--json")
    assert status == 0, err
    assert "crashed" not in out and "crashes" not in out
    assert run_cli("doctor", "--db", str(new))[0] == 0
    assert run_cli("case", "note", "C-1", "carried on", "--db", str(new))[0] == 0


def test_salvage_never_writes_over_a_desk(run_cli, tampered) -> None:
    status, _, err = run_cli("doctor", "--salvage", str(run_cli.db))
    assert status == 1 and "already exists" in err


def _header_of_schema(log: Path, schema: int) -> None:
    data = log.read_bytes()
    end = data.index(b"\n")
    header = json.loads(data[9:end])
    payload = json.dumps({**header, "schema": schema}, separators=(",", ":")).encode()
    log.write_bytes(b"%08x " % zlib.crc32(payload) + payload + data[end:])


def test_a_log_of_a_newer_schema_was_written_by_a_newer_version(run_cli) -> None:
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    log = Path(str(run_cli.db) + ".log")
    _header_of_schema(log, 99)
    status, _, err = run_cli("customer", "list")
    assert status == 1 and "written by a newer Case Workbench" in err and str(log) in err
    status, out, _ = run_cli("doctor", "--json")
    assert status == 1 and any("newer Case Workbench" in p for p in json.loads(out)["problems"])


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _zero_device(path: Path) -> None:
    path.symlink_to("/dev/zero")


@pytest.mark.parametrize("suffix", ["", ".log", ".lock", ".holder", ".index"], ids=lambda s: f"desk.json{s}")
@pytest.mark.parametrize("make", [_fifo, _folder, _zero_device], ids=["FIFO", "folder", "/dev/zero"])
def test_something_other_than_a_file_in_place_of_a_desk_file_is_refused(tmp_path, suffix, make) -> None:
    """Every command and `doctor` name the path and end (a FIFO or /dev/zero used to hang
    them); nothing is created beside it."""
    db = tmp_path / "desk.json"
    env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": "2026-11-24T10:00+09:00"}
    workbench = [sys.executable, "-m", "workbench"]
    first = [*workbench, "customer", "add", "Northwind Traders"]
    subprocess.run(first, env=env, check=True, capture_output=True)
    target = Path(str(db) + suffix)
    target.unlink()
    make(target)
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["customer", "add", "Contoso"], ["customer", "list"], ["doctor"]):
        done = subprocess.run([*workbench, *command], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert str(target) in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
