"""The schema version in the file: newer refused, older migrated after a backup copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
import tinydb

from workbench.store import FileStore, StoreError, open_store
from workbench.store.doctor import doctor
from workbench.store.snapshot import SCHEMA, read_snapshot

SCHEMA_2_DESK = Path(__file__).parent / "data" / "schema-2"
"""A desk written by the schema-2 store (before the closed cases were kept apart): five
cases, three closed (the last one after the snapshot, in the log), nine events."""


def schema_of(path: Path) -> int:
    snapshot = read_snapshot(str(path))
    snapshot.close()
    return snapshot.schema


def write_schema_1_desk(path: Path) -> bytes:
    """A desk as the prototype wrote it: plain TinyDB, default JSONStorage, one file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tinydb.TinyDB(path) as db:
        db.table("_meta").insert({"schema": 1, "counters": {"cases": 3, "customers": 1}})
        db.table("customers").insert({"id": "CUS-1", "name": "Acme K.K."})
        db.table("cases").insert_multiple(
            [
                {"id": "C-1", "vendor": "zoho", "state": "closed", "fields": {"a": [1, 2]}},
                {"id": "C-3", "vendor": "webex", "state": "open", "fields": {}},
            ]
        )
        db.table("settings").insert({"key": "desk.timezone", "value": "Asia/Tokyo"})
        db.table("events").insert_multiple(
            [
                {"id": 0, "kind": "customers", "key": "CUS-1", "action": "create"},
                {"id": 0, "kind": "cases", "key": "C-1", "action": "create"},
                {"id": 0, "kind": "cases", "key": "C-3", "action": "create"},
                {"id": 0, "kind": "cases", "key": "C-1", "action": "close"},
            ]
        )
    return path.read_bytes()


def test_an_older_desk_is_migrated_after_a_backup_copy(desk_path: Path, change) -> None:
    original = write_schema_1_desk(desk_path)
    store = open_store(desk_path)

    backup = Path(str(desk_path) + ".schema-1.bak")
    assert store.migrated_backup == str(backup)
    assert backup.read_bytes() == original
    assert schema_of(desk_path) == SCHEMA
    assert sorted(r["id"] for r in store.all("cases")) == ["C-1", "C-3"]
    assert [r["id"] for r in store.all("cases", closed=False)] == ["C-3"]
    assert store.get("cases", "C-1")["fields"] == {"a": [1, 2]}
    assert store.get("settings", "desk.timezone")["value"] == "Asia/Tokyo"
    assert [(e["id"], e["key"], e["action"]) for e in store.events()] == [
        (1, "CUS-1", "create"),
        (2, "C-1", "create"),
        (3, "C-3", "create"),
        (4, "C-1", "close"),
    ]
    assert [e["action"] for e in store.events("cases", "C-1")] == ["create", "close"]
    with store.transaction() as tx:
        assert tx.next_number("cases") == 4  # the counters came across
    assert change(store, "C-3", state="closed") == 5

    reopened = open_store(desk_path)
    assert reopened.migrated_backup is None
    assert len(reopened.events()) == 5
    assert sorted(p.name for p in desk_path.parent.glob("*.bak*")) == ["desk.json.schema-1.bak"]
    report = doctor(desk_path)
    assert report.ok and report.facts["backups"] == [str(backup)]


def test_a_migration_interrupted_before_its_last_step_runs_again(
    desk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = write_schema_1_desk(desk_path)
    import workbench.store.migrate as migrate

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(migrate, "write_snapshot", fail)
        with pytest.raises(StoreError, match=f"migrating to schema {SCHEMA} failed.*not changed"):
            open_store(desk_path)
    assert desk_path.read_bytes() == original  # the old desk is untouched
    store = open_store(desk_path)
    assert len(store.events()) == 4
    assert Path(str(desk_path) + ".schema-1.bak").read_bytes() == original
    assert Path(str(desk_path) + ".log.before-migration").exists()  # kept, never deleted


def test_a_newer_desk_is_refused_and_left_alone(desk_path: Path, change) -> None:
    change(open_store(desk_path), "C-1")
    newer = desk_path.read_bytes().replace(b'"schema":%d' % SCHEMA, b'"schema":%d' % (SCHEMA + 1), 1)
    desk_path.write_bytes(newer)
    before = desk_path.read_bytes()
    with pytest.raises(StoreError) as refused:
        open_store(desk_path)
    message = str(refused.value)
    assert str(desk_path) in message
    assert f"newer Case Workbench (desk schema {SCHEMA + 1}" in message
    assert "Upgrade" in message
    assert desk_path.read_bytes() == before
    report = doctor(desk_path)
    assert not report.ok and "newer" in report.problems[0]


def test_a_newer_schema_1_style_file_is_refused_too(desk_path: Path) -> None:
    desk_path.parent.mkdir(parents=True)
    desk_path.write_bytes(orjson.dumps({"_meta": {"1": {"schema": 7}}, "cases": {}}))
    with pytest.raises(StoreError, match="desk schema 7"):
        FileStore(desk_path)


def test_an_older_desk_with_duplicate_keys_is_refused_unmigrated(desk_path: Path) -> None:
    write_schema_1_desk(desk_path)
    with tinydb.TinyDB(desk_path) as db:
        db.table("cases").insert({"id": "C-1", "state": "open"})
    original = desk_path.read_bytes()
    with pytest.raises(StoreError, match="no unique 'id'"):
        open_store(desk_path)
    assert desk_path.read_bytes() == original
    assert not Path(str(desk_path) + ".schema-1.bak").exists()


def test_migrated_counters_never_hand_out_a_number_in_use(desk_path: Path) -> None:
    desk_path.parent.mkdir(parents=True)
    with tinydb.TinyDB(desk_path) as db:
        db.table("_meta").insert({"schema": 1})  # a prototype that kept no counters
        db.table("cases").insert_multiple([{"id": "C-12"}, {"id": "C-7"}])
    with open_store(desk_path).transaction() as tx:
        assert tx.next_number("cases") == 13
        assert tx.next_number("customers") == 1


def test_a_schema_2_desk_is_migrated_its_log_kept_as_it_is(tmp_path: Path, change) -> None:
    """Schema 3 changed the snapshot only: the old snapshot is copied beside it, the new
    one covers the same stretch of the same log, and the log is not touched."""
    desk_path = tmp_path / "desk.json"
    for name in ("desk.json", "desk.json.log"):
        shutil.copy(SCHEMA_2_DESK / name, tmp_path / name)
    original, log = desk_path.read_bytes(), (tmp_path / "desk.json.log").read_bytes()
    assert schema_of(desk_path) == 2

    store = open_store(desk_path)
    backup = tmp_path / "desk.json.schema-2.bak"
    assert store.migrated_backup == str(backup) and backup.read_bytes() == original
    assert schema_of(desk_path) == SCHEMA
    assert (tmp_path / "desk.json.log").read_bytes() == log
    assert sorted(r["id"] for r in store.all("cases", closed=False)) == ["C-2", "C-4"]
    assert sorted(r["id"] for r in store.all("cases")) == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    assert store.get("cases", "C-1") == {
        "id": "C-1",
        "state": "closed",
        "subject": "case 1",
        "customer_id": "CUS-1",
    }
    assert store.get("customers", "CUS-1")["name"] == "株式会社テスト"
    assert [e["action"] for e in store.events("cases", "C-5")] == ["create", "close"]
    assert change(store, "C-2", state="closed") == 10
    store.close()

    reopened = open_store(desk_path)
    assert reopened.migrated_backup is None
    assert [r["id"] for r in reopened.all("cases", closed=False)] == ["C-4"]
    assert len(reopened.events()) == 10
    report = doctor(desk_path)
    assert report.ok, report.problems
    assert report.facts["records"]["cases"] == 5 and report.facts["closed cases"] == 4


SCHEMA_3_DESK = Path(__file__).parent / "data" / "schema-3"
"""A desk written by the schema-3 store (before the ``mail`` table): the schema-2 desk above
migrated, one case changed after, and compacted, so its snapshot covers ten events, with its
closed-case index."""


def test_a_schema_3_desk_gets_an_empty_mail_table_and_keeps_its_tables_byte_for_byte(
    tmp_path: Path, change
) -> None:
    desk_path = tmp_path / "desk.json"
    for name in ("desk.json", "desk.json.log", "desk.json.index"):
        shutil.copy(SCHEMA_3_DESK / name, tmp_path / name)
    original, log = desk_path.read_bytes(), (tmp_path / "desk.json.log").read_bytes()
    old = read_snapshot(str(desk_path))
    old_tables = {name: old.read(name) for name in old.meta["tables"]}
    old.close()
    assert old.schema == 3

    store = open_store(desk_path)
    backup = tmp_path / "desk.json.schema-3.bak"
    assert store.migrated_backup == str(backup) and backup.read_bytes() == original
    assert store.closed_index_in_use()  # the index was written for the new snapshot
    assert sorted(r["id"] for r in store.all("cases", match={"customer_id": "CUS-1"})) == sorted(
        r["id"] for r in store.all("cases") if r.get("customer_id") == "CUS-1"
    )
    assert (tmp_path / "desk.json.log").read_bytes() == log
    new = read_snapshot(str(desk_path))
    assert new.schema == SCHEMA == 4
    assert list(new.meta["tables"]) == [*old_tables][:5] + ["mail", *[*old_tables][5:]]
    assert {name: new.read(name) for name in old_tables} == old_tables
    assert new.read("mail") == b"{}"
    new.close()
    assert store.all("mail") == []
    assert store.get("cases", "C-4")["subject"] == "case 4 after"
    assert sorted(r["id"] for r in store.all("cases")) == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    with store.transaction() as tx:
        tx.put("mail", "M-1", {"id": "M-1", "message_id": "<a@b>"})
    store.close()

    reopened = open_store(desk_path)
    assert reopened.migrated_backup is None
    assert reopened.get("mail", "M-1") == {"id": "M-1", "message_id": "<a@b>"}
    assert reopened.get("cases", "C-1")["state"] == "closed"
    assert change(reopened, "C-2", state="closed") == 11  # the ten events came across
    reopened.compact()
    reopened.close()
    assert open_store(desk_path).get("mail", "M-1")["message_id"] == "<a@b>"
    report = doctor(desk_path)
    assert report.ok, report.problems


def test_doctor_reads_a_schema_3_desk_before_it_is_migrated(tmp_path: Path) -> None:
    """A desk an older version wrote is examined as it is (doctor only reads): its schema,
    and that the next open migrates it; once it crashed on the layout of schema 3."""
    desk_path = tmp_path / "desk.json"
    for name in ("desk.json", "desk.json.log", "desk.json.index"):
        shutil.copy(SCHEMA_3_DESK / name, tmp_path / name)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    report = doctor(desk_path)
    assert report.ok, report.problems
    assert report.facts["schema"] == 3 and "migrates it to schema 4" in report.facts["migration"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
