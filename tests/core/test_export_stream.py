"""The JSON export streams: every record and event of a desk file with closed cases in its
snapshot and changes after it, a line each, read as written; a failed export leaves no file."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store import FileStore


def _desk_with_an_archive(path: Path) -> FileStore:
    """The demo desk with cases closed, compacted (the closed cases in the snapshot's
    table), then more closed and one reopened after the snapshot."""
    store = FileStore(path)
    desk = Desk(store, get_plugins(), actor="tester")
    desk.fill_demo()
    open_cases = [c for c in desk.cases(open_only=True) if c.state == "open"]
    for case in open_cases[:4]:
        desk.close(case.id, desk.close_reasons(case)[0].code)
    store.compact()
    for case in open_cases[4:6]:
        desk.close(case.id, desk.close_reasons(case)[0].code)
    desk.reopen(open_cases[0].id, "the customer wrote again")
    return store


def test_core_audit1_the_export_holds_every_record_and_every_event(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("WORKBENCH_AGENT", "sato")  # an agent of the demo desk (CORE-TEAM-1)
    path = tmp_path / "desk.json"
    store = _desk_with_an_archive(path)
    status, _, err = run_cli(
        "export", "--format", "json", "-o", str(tmp_path / "out.json"), "--db", str(path)
    )
    assert status == 0, err
    text = (tmp_path / "out.json").read_text()
    assert text.count("\n") > len(store.events())  # a record or an event a line
    document = json.loads(text)
    for kind, records in document["records"].items():
        assert sorted(records, key=json.dumps) == sorted(store.all(kind), key=json.dumps)
    assert document["events"] == store.events()
    closed = [r["id"] for r in document["records"]["cases"] if r["state"] == "closed"]
    assert closed and len(closed) == len(set(closed))
    store.close()


def test_a_failed_export_leaves_no_half_file(tmp_path, run_cli, monkeypatch):
    """A closed case damaged on disk is found while the export reads the archive: the
    command fails naming the damage, and the file it was writing is not left behind (an
    older export at that path stays as it was)."""
    monkeypatch.setenv("WORKBENCH_AGENT", "sato")
    path = tmp_path / "desk.json"
    _desk_with_an_archive(path).close()
    closed_subject = json.loads(path.read_bytes().split(b"\n")[-3].rstrip(b",").join([b"{", b"}"]))
    ((_, record),) = closed_subject.items()
    subject = json.dumps(record["subject"]).encode()
    path.write_bytes(path.read_bytes().replace(subject, subject[:-2] + b'!"', 1))
    target = tmp_path / "out.json"
    target.write_text("an older export")
    status, _, err = run_cli("export", "-o", str(target), "--db", str(path))
    assert status == 1
    assert "fails its checksum" in err
    assert target.read_text() == "an older export"
    assert [p.name for p in tmp_path.iterdir() if "out.json" in p.name] == ["out.json"]
