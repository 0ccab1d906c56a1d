"""A damaged desk is refused with its path and the problem, and never overwritten;
``doctor`` says what is wrong and how to recover. An interrupted last write is not damage."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.store import FileStore, StoreError
from workbench.store.doctor import doctor
from workbench.store.snapshot import SCHEMA, SnapshotStorage, encode_tables


@pytest.fixture
def desk(desk_path: Path, change) -> Path:
    """A desk with a compacted snapshot (two of its cases closed) and a log running past it."""
    store = FileStore(desk_path)
    for n in range(1, 6):
        change(store, f"C-{n}", subject=f"case {n}")
    for n in range(1, 3):
        change(store, f"C-{n}", state="closed")
    store.compact()
    change(store, "C-3", state="closed")
    change(store, "C-4", subject="case 4, renamed")
    store.close()
    return desk_path


def log_of(desk: Path) -> Path:
    return Path(str(desk) + ".log")


def rewrite_snapshot(desk: Path, tables: Callable[[dict], dict]) -> None:
    """Hand-edit the snapshot the hard way: a valid checksum over invalid content."""
    document = SnapshotStorage(str(desk)).read()
    edited = tables(document)
    desk.write_bytes(b"".join(encode_tables(document["_meta"]["1"], edited)))


SNAPSHOT_DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (lambda d: d.write_bytes(d.read_bytes()[:-300]), "truncated"),
    "added to": (lambda d: d.write_bytes(d.read_bytes() + b"\n"), "added to"),
    "cut at its first line": (
        lambda d: d.write_bytes(d.read_bytes().split(b"\n")[0]),
        "not valid JSON",
    ),
    "empty": (lambda d: d.write_bytes(b""), "empty"),
    "not JSON": (lambda d: d.write_bytes(b"\x00\x17garbage{"), "not valid JSON"),
    "a value edited by hand": (
        lambda d: d.write_bytes(d.read_bytes().replace(b'"case 4"', b'"case 9"')),
        "table 'cases' fails its checksum",
    ),
    "its first line edited by hand": (
        lambda d: d.write_bytes(d.read_bytes().replace(b'"seq":', b'"seq":1', 1)),
        "checksum mismatch in _meta",
    ),
    "reformatted by an editor": (
        lambda d: d.write_text(json.dumps(json.loads(d.read_bytes()), indent=2)),
        f"layout of a schema-{SCHEMA} desk is broken",
    ),
    "a record that is not a document": (
        lambda d: rewrite_snapshot(d, lambda t: {**t, "cases": {**t["cases"], "C-4": ["x"]}}),
        "does not hold one document per record",
    ),
    "not a desk at all": (lambda d: d.write_text('{"users": [1, 2]}'), "not a Case Workbench desk"),
    "a schema that is not a number": (
        lambda d: d.write_text('{"_meta": {"1": {"schema": "2"}}}'),
        "not a Case Workbench desk",
    ),
}


@pytest.mark.parametrize("damage", SNAPSHOT_DAMAGE)
def test_a_damaged_snapshot_is_refused_and_left_as_it_is(desk: Path, damage: str) -> None:
    harm, problem = SNAPSHOT_DAMAGE[damage]
    harm(desk)
    damaged = desk.read_bytes(), log_of(desk).read_bytes()
    with pytest.raises(StoreError) as refused:
        FileStore(desk)
    assert str(desk) in str(refused.value)
    assert problem in str(refused.value)
    assert (desk.read_bytes(), log_of(desk).read_bytes()) == damaged

    report = doctor(desk)
    assert not report.ok
    assert problem in report.problems[0] and str(desk) in report.problems[0]
    assert any("workbench import" in advice for advice in report.advice)
    assert (desk.read_bytes(), log_of(desk).read_bytes()) == damaged


def test_damage_in_the_middle_of_the_log_is_refused(desk: Path) -> None:
    log = log_of(desk).read_bytes()
    lines = log.split(b"\n")
    lines[-3] = lines[-3].replace(b'"closed"', b'"clozed"')  # a transaction after the snapshot
    log_of(desk).write_bytes(b"\n".join(lines))
    damaged = log_of(desk).read_bytes()
    with pytest.raises(StoreError) as refused:
        FileStore(desk)
    message = str(refused.value)
    assert str(log_of(desk)) in message
    assert "damaged at byte" in message and "checksum mismatch" in message
    assert "not an interrupted write" in message
    assert log_of(desk).read_bytes() == damaged
    report = doctor(desk)
    assert not report.ok and "damaged at byte" in report.problems[0]


def test_damage_the_snapshot_already_covers_is_found_by_doctor(desk: Path) -> None:
    log = log_of(desk).read_bytes()
    second_line = log.index(b"\n") + 1
    log_of(desk).write_bytes(log[: second_line + 20] + b"#" + log[second_line + 21 :])
    assert FileStore(desk).get("cases", "C-1")["state"] == "closed"  # opening reads the tail only
    report = doctor(desk)
    assert not report.ok and "damaged at byte" in report.problems[0]


@pytest.mark.parametrize(
    "tail",
    [b'4f2a9c1e {"seq":9,"puts":[["cases","C-9",{"id":', b"\x00" * 700, b"00000000 {}\n"],
    ids=["cut mid-line", "zeros", "a last line that fails its checksum"],
)
def test_an_interrupted_last_write_is_ignored_then_cut_off(desk: Path, tail: bytes, change) -> None:
    intact = FileStore(desk)
    expected = {kind: intact.all(kind) for kind in ("cases", "settings")}, intact.events()
    with log_of(desk).open("ab") as log:
        log.write(tail)
    store = FileStore(desk)
    assert ({kind: store.all(kind) for kind in ("cases", "settings")}, store.events()) == expected
    report = doctor(desk)
    assert report.ok and report.facts["interrupted last write"] == f"{len(tail)} bytes"
    assert any("interrupted" in advice and "never reported success" in advice for advice in report.advice)

    change(store, "C-1", state="reopened")  # the next writer removes the torn tail first
    assert FileStore(desk).get("cases", "C-1")["state"] == "reopened"
    assert doctor(desk).ok and "interrupted last write" not in doctor(desk).facts


def test_a_missing_log_is_refused(desk: Path) -> None:
    log_of(desk).unlink()
    with pytest.raises(StoreError, match=r"desk\.json\.log is missing"):
        FileStore(desk)
    assert not doctor(desk).ok


def test_a_log_cut_short_below_the_snapshot_is_refused(desk: Path) -> None:
    log_of(desk).write_bytes(log_of(desk).read_bytes()[:200])
    with pytest.raises(StoreError, match="shorter than"):
        FileStore(desk)


def test_a_log_from_another_desk_is_refused(desk: Path, tmp_path: Path, change) -> None:
    other = tmp_path / "other" / "desk.json"
    change(FileStore(other), "C-1")
    log_of(desk).write_bytes(log_of(other).read_bytes())
    with pytest.raises(StoreError, match="belong to different desks"):
        FileStore(desk)
    assert "different desks" in doctor(desk).problems[0]


def test_a_missing_snapshot_beside_a_log_with_changes_is_refused(desk: Path) -> None:
    desk.unlink()
    with pytest.raises(StoreError, match=r"desk\.json is missing but .* holds changes"):
        FileStore(desk)
    assert not doctor(desk).ok
    assert not desk.exists()


def test_doctor_reports_the_facts_of_a_healthy_desk(desk: Path) -> None:
    report = doctor(desk)
    assert report.ok and report.problems == []
    assert report.facts["schema"] == SCHEMA
    assert report.facts["records"]["cases"] == 5
    assert report.facts["closed cases"] == 3  # two in the snapshot, one closed in the log since
    assert report.facts["events"] == report.facts["transactions"] == 9
    assert "pid" in report.facts["last writer"]


def test_doctor_on_a_desk_not_created_yet(desk_path: Path) -> None:
    report = doctor(desk_path)
    assert report.ok and "no desk yet" in report.facts["state"]


def test_an_event_index_edited_past_its_checksum_is_refused_when_read(desk: Path) -> None:
    rewrite_snapshot(desk, lambda t: {**t, "_history": {"cases": ["not", "an", "index"]}})
    store = FileStore(desk)  # listing needs no history
    assert len(store.all("cases", closed=False)) == 2
    with pytest.raises(StoreError, match="not an index of events by record"):
        store.events("cases", "C-1")


def test_a_table_of_records_is_checked_at_open_and_parsed_when_first_read(desk: Path) -> None:
    """Opening checks every table of records against its checksum (damage refuses the desk,
    as above) but parses one only when it is first read: the cases can be listed while the
    customers, never read, hold what is not a customer; reading them refuses that, naming
    the file and the table, and so does `doctor`."""
    rewrite_snapshot(desk, lambda t: {**t, "customers": {"CUS-1": ["not", "a", "customer"]}})
    edited = desk.read_bytes()
    store = FileStore(desk)
    assert sorted(r["id"] for r in store.all("cases", closed=False)) == ["C-4", "C-5"]
    with pytest.raises(
        StoreError, match="table 'customers' does not hold one document per record"
    ) as refused:
        store.all("customers")
    assert str(desk) in str(refused.value)
    with pytest.raises(StoreError, match="table 'customers' does not hold one document per record"):
        store.get("customers", "CUS-1")  # refused again, not forgotten
    store.close()
    assert desk.read_bytes() == edited
    report = doctor(desk)
    assert not report.ok and "table 'customers' does not hold one document per record" in report.problems[0]

    desk.write_bytes(edited.replace(b'"customer"', b'"costumer"'))
    with pytest.raises(StoreError, match="table 'customers' fails its checksum"):
        FileStore(desk)


def test_a_closed_case_edited_by_hand_is_refused_when_the_closed_cases_are_read(desk: Path) -> None:
    """Opening reads only the open work; a closed case is checked when first read — one
    case found through the index by its own line's checksum, all of them by the table's —
    and `doctor` finds the damage at once."""
    desk.write_bytes(desk.read_bytes().replace(b'"case 1"', b'"case 7"'))
    store = FileStore(desk)
    assert sorted(r["id"] for r in store.all("cases", closed=False)) == ["C-4", "C-5"]
    assert store.get("cases", "C-3")["state"] == "closed"  # closed after the snapshot: from the log
    assert store.get("cases", "C-2")["subject"] == "case 2"  # its own line is intact
    with pytest.raises(StoreError, match="table 'closed_cases' fails its checksum"):
        store.get("cases", "C-1")
    with pytest.raises(StoreError, match="table 'closed_cases' fails its checksum"):
        store.all("cases")
    store.close()
    report = doctor(desk)
    assert not report.ok and "table 'closed_cases' fails its checksum" in report.problems[0]


@pytest.mark.parametrize("where", ["before the event", "past the event"])
def test_damage_far_from_an_event_in_a_long_line_is_refused_when_the_event_is_read(
    desk_path: Path, change, where: str
) -> None:
    """CORE-AUDIT-1: an event is shown only from a log line whose checksum holds, however long
    the line (an import's is hundreds of MB) and wherever in it the damage is: the line is read
    a block at a time around the event, growing, to both of its ends."""
    store = FileStore(desk_path)
    change(store, "C-1", subject="first")
    change(store, "C-2", subject="second")
    note = store.events("cases", "C-1")[0]
    with store.transaction() as tx:
        tx.put("cases", "C-1", {"id": "C-1", "subject": "the record before " + "x" * 3_000_000})
        tx.append_event({**note, "action": "renamed"})
        tx.append_event({**note, "key": "C-2", "data": {"text": "y" * 3_000_000 + " the event after"}})
    store.compact()
    store.close()
    assert [e["action"] for e in FileStore(desk_path).events("cases", "C-1")] == ["note", "renamed"]
    log = log_of(desk_path).read_bytes()
    target = b"the record before" if where == "before the event" else b"the event after"
    assert len(log.split(b"\n")[3]) > 6_000_000 and log.count(target) == 1
    log_of(desk_path).write_bytes(log.replace(target, target.upper()))
    reopened = FileStore(desk_path)  # the snapshot covers the line: it is not replayed
    with pytest.raises(StoreError, match="checksum does not match"):
        reopened.events("cases", "C-1")
