"""An import streams (issue 16): an export is read a record or an event at a time whatever
its size and layout (a record a line as ``workbench export`` writes it, the whole document on
one line as older versions wrote it, indented), the new desk is written beside the empty
one and put in place only when every record and event passed, so a problem found at the
very end still leaves nothing behind (CORE-AUDIT-1: history is never rewritten, nothing bad
gets in). An export written before a field existed imports with that field at its default."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import orjson
import pytest

from workbench import jsonstream, transfer

BEFORE_ASSIGNEES = Path(__file__).parent / "data" / "export-before-assignees.json"
"""The demo desk exported by Case Workbench just before agents and assignees (d42ae71~1):
its cases have no ``assignee``, its open cases no answer to CORE-PATH-3's nature, and the
document is on one line."""


def folder_of(db: Path) -> list[str]:
    """The desk's files and any hidden file left beside them (a new desk half written)."""
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith((db.name, ".")))


@pytest.fixture
def exported(run_cli, tmp_path, monkeypatch) -> Path:
    """The demo desk's export as ``workbench export`` writes it, beside an empty desk."""
    demo = tmp_path / "demo" / "desk.json"
    demo.parent.mkdir()
    source = tmp_path / "source.json"
    assert run_cli("demo", "--db", str(demo))[0] == 0
    status, _, err = run_cli("export", "-o", str(source), "--db", str(demo))
    assert status == 0, err
    monkeypatch.setenv("WORKBENCH_AGENT", "sato")  # an agent of the demo desk (CORE-TEAM-1)
    return source


def test_an_export_written_before_assignees_imports_with_nobody_assigned(run_cli) -> None:
    status, out, err = run_cli("import", str(BEFORE_ASSIGNEES))
    assert status == 0, err
    assert "50 cases" in out
    status, out, err = run_cli("case", "list", "--all", "--json")
    assert status == 0, err
    cases = json.loads(out)
    assert len(cases) == 50 and {case["assignee"] for case in cases} == {""}
    status, out, err = run_cli("case", "show", "C-1")
    assert status == 0 and "assignee nobody" in out, err
    status, _, err = run_cli("case", "note", "C-1", "still answered after the import")
    assert status == 0, err


def test_core_audit1_an_older_case_with_an_empty_answer_is_still_refused(run_cli, tmp_path) -> None:
    """Only a question the case never had is excused: an answer left empty is not."""
    document = json.loads(BEFORE_ASSIGNEES.read_text())
    case = next(c for c in document["records"]["cases"] if c["state"] == "open" and c["vendor"] == "zoho")
    case["fields"]["nature"] = ""
    source = tmp_path / "source.json"
    source.write_text(json.dumps(document, ensure_ascii=False))
    status, _, err = run_cli("import", str(source))
    assert status == 2, err
    assert f"({case['id']}): nature: Nature of the question is required (CORE-PATH-3)" in err
    assert folder_of(run_cli.db) == []


def _lines(source: Path) -> list[bytes]:
    return source.read_bytes().split(b"\n")


def test_core_audit1_a_bad_last_event_leaves_nothing_behind(run_cli, exported) -> None:
    """The last line of the file is the last event: it is only read after every record and
    event before it was written to the new desk, which is then removed, not put in place."""
    lines = _lines(exported)
    last = json.loads(lines[-2].removesuffix(b"]}"))
    last["kind"], last["key"] = "cases", "C-999"
    lines[-2] = json.dumps(last).encode() + b"]}"
    exported.write_bytes(b"\n".join(lines))
    status, _, err = run_cli("import", str(exported))
    assert status == 2
    assert f"events[{last['id'] - 1}]: names cases C-999, which is not in the file" in err
    assert "Traceback" not in err
    assert folder_of(run_cli.db) == []


def test_core_audit1_a_vendor_rule_broken_by_the_last_open_case_leaves_nothing_behind(
    run_cli, exported
) -> None:
    """The vendors' rules run last, on the new desk as written: their refusal removes it."""
    lines = _lines(exported)
    tail = b'],"workflows":['
    at = next(n for n, line in enumerate(lines) if line.endswith(tail))
    last = json.loads(lines[at][: -len(tail)])
    assert last["state"] != "closed"  # the open cases come last, in number order
    last["fields"]["nature"] = ""
    lines[at] = json.dumps(last, ensure_ascii=False).encode() + tail
    exported.write_bytes(b"\n".join(lines))
    status, _, err = run_cli("import", str(exported))
    assert status == 2, err
    assert f"({last['id']}): nature: Nature of the question is required (CORE-PATH-3)" in err
    assert folder_of(run_cli.db) == []


LAYOUTS = {
    "on one line, as older versions wrote it": lambda document: orjson.dumps(document) + b"\n",
    "with spaces after commas and colons": lambda document: json.dumps(document, ensure_ascii=False).encode(),
    "indented": lambda document: json.dumps(document, indent=2).encode(),
    "indented with CR LF": lambda document: json.dumps(document, indent=1).replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_an_export_in_any_layout_is_read_a_value_at_a_time_past_the_whole_document_limit(
    run_cli, exported, tmp_path, monkeypatch, layout
) -> None:
    """Read a value at a time, an export is not held whole, so the limit on a document read
    whole does not apply to it, however it is laid out; each layout makes the same desk,
    which exports to the very bytes it came from."""
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    source = tmp_path / "other" / "source.json"
    source.parent.mkdir()
    source.write_bytes(layout(json.loads(exported.read_bytes())))
    assert source.stat().st_size > 10_000 and source.read_bytes() != exported.read_bytes()
    status, out, err = run_cli("import", str(source))
    assert status == 0, err
    again = tmp_path / "again.json"
    assert run_cli("export", "-o", str(again))[0] == 0
    assert again.read_bytes() == exported.read_bytes()


def test_an_old_one_line_export_is_read_past_the_whole_document_limit(run_cli, monkeypatch) -> None:
    """The export written by Case Workbench before assignees, on one line, is read a value
    at a time: a file of any size in that layout imports (issue 16)."""
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    assert BEFORE_ASSIGNEES.read_bytes().count(b"\n") == 1
    status, out, err = run_cli("import", str(BEFORE_ASSIGNEES))
    assert status == 0, err
    assert "50 cases" in out and "265 events" in out


def _events_first(document: dict) -> dict:
    return {
        "format": document["format"],
        "version": document["version"],
        "events": document["events"],
        "records": document["records"],
    }


def _cases_first(document: dict) -> dict:
    records = {"cases": document["records"]["cases"]}
    records.update((kind, value) for kind, value in document["records"].items() if kind != "cases")
    return {**document, "records": records}


OUT_OF_ORDER = {
    "the events before the records": _events_first,
    "records.customers after records.cases": _cases_first,
}


@pytest.mark.parametrize("reorder,named", [(f, n) for n, f in OUT_OF_ORDER.items()], ids=OUT_OF_ORDER.keys())
def test_a_document_in_another_order_is_read_whole_within_the_limit_and_refused_past_it(
    run_cli, exported, tmp_path, monkeypatch, reorder, named
) -> None:
    """Records checked as they come need what they name before them: a file in another
    order is read whole, so within the limit it imports as the export does, and past it is
    refused naming what is out of order, leaving nothing behind."""
    source = tmp_path / "other" / "source.json"
    source.parent.mkdir()
    source.write_bytes(orjson.dumps(reorder(json.loads(exported.read_bytes()))))
    status, _, err = run_cli("import", str(source))
    assert status == 0, err
    again = tmp_path / "again.json"
    assert run_cli("export", "-o", str(again))[0] == 0
    assert again.read_bytes() == exported.read_bytes()
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    target = source.parent / "desk.json"
    status, _, err = run_cli("import", str(source), "--db", str(target))
    assert status == 2 and f"not laid out as `workbench export` writes it ({named};" in err, err
    assert "reads at most 10,000 bytes" in err and "Traceback" not in err
    assert folder_of(target) == []


CUTS = {
    "inside an event": lambda size: size * 3 // 4,
    "inside the last event": lambda size: size - 10,
    "before the document closes": lambda size: size - 2,
    "inside the first record": lambda size: 100,
}


@pytest.mark.parametrize("cut", CUTS.values(), ids=CUTS.keys())
def test_a_one_line_export_cut_short_is_named_so_and_imports_nothing(
    run_cli, exported, tmp_path, monkeypatch, cut
) -> None:
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    one_line = orjson.dumps(json.loads(exported.read_bytes()))
    exported.write_bytes(one_line[: cut(len(one_line))])
    status, _, err = run_cli("import", str(exported))
    assert status == 2, err
    assert "is not JSON: the file ends" in err and "it is cut short: line 1 column" in err, err
    assert "Traceback" not in err
    assert folder_of(run_cli.db) == []


def test_a_one_line_export_with_a_broken_value_names_the_place(run_cli, exported, monkeypatch) -> None:
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    one_line = orjson.dumps(json.loads(exported.read_bytes()))
    at = one_line.index(b'"events":[') + 5000
    at = one_line.index(b',"actor":', at)
    exported.write_bytes(one_line[:at] + b";" + one_line[at + 1 :])
    status, _, err = run_cli("import", str(exported))
    assert status == 2, err
    assert f"is not JSON: Expecting ',' delimiter: line 1 column {at + 1} (byte {at:,})" in err, err
    assert folder_of(run_cli.db) == []


def test_a_one_line_export_is_read_in_bounded_memory(tmp_path, monkeypatch) -> None:
    """What reading holds is a window of the file and one value: an export on one line,
    eighty times the window, is read holding a few windows."""
    monkeypatch.setattr(jsonstream, "BLOCK", 64 << 10)
    events = [
        {
            "id": n,
            "kind": "cases",
            "key": f"C-{n % 50 + 1}",
            "at": "2026-11-24T01:00:00+00:00",
            "actor": "aiko",
            "action": "note",
            "before": None,
            "after": None,
            "data": {"text": "メモ" * (n % 90)},
        }
        for n in range(1, 20_001)
    ]
    source = tmp_path / "source.json"
    document = {
        "format": transfer.FORMAT,
        "version": transfer.VERSION,
        "records": {kind: [] for kind in transfer.ALL_KINDS},
        "events": events,
    }
    source.write_bytes(orjson.dumps(document))
    del document, events
    assert source.stat().st_size > 80 * (64 << 10)
    problems: list[str] = []
    with open(source, "rb", buffering=0) as file:
        tracemalloc.start()
        try:
            read = sum(1 for _ in transfer.export_members(file, str(source), problems))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert read == 20_000 and problems == []
    assert peak < 8 * (64 << 10), f"{peak:,} bytes held"


def test_a_value_past_the_member_limit_sends_the_file_to_the_whole_document_reading(
    run_cli, exported, monkeypatch
) -> None:
    monkeypatch.setattr(transfer, "IMPORT_LIMIT", 10_000)
    monkeypatch.setattr(transfer, "MEMBER_LIMIT", 100)
    status, _, err = run_cli("import", str(exported))
    assert (
        status == 2 and "not laid out as `workbench export` writes it (a value longer than 100 bytes" in err
    )
    assert folder_of(run_cli.db) == []


def test_a_line_that_is_not_json_is_named_with_its_place(run_cli, exported) -> None:
    lines = _lines(exported)
    lines[len(lines) // 2] = lines[len(lines) // 2][:40]
    exported.write_bytes(b"\n".join(lines))
    status, _, err = run_cli("import", str(exported))
    assert status == 2 and "is not JSON" in err and f"line {len(lines) // 2 + 1} column" in err
    assert "Traceback" not in err
    assert folder_of(run_cli.db) == []


def test_an_import_leaves_only_the_desk_files(run_cli, exported) -> None:
    status, _, err = run_cli("import", str(exported))
    assert status == 0, err
    assert folder_of(run_cli.db) == [
        "desk.json",
        "desk.json.holder",
        "desk.json.index",
        "desk.json.lock",
        "desk.json.log",
        "desk.json.tallies",
    ]
    status, out, err = run_cli("doctor")
    assert status == 0 and out.startswith("ok"), err


def test_the_imported_desk_finds_closed_cases_through_an_index_that_agrees_with_the_cases(
    run_cli, exported
) -> None:
    """The import writes the closed cases' index itself (each case's place, CRC, customer,
    vendor and time sent): what it answers is what the closed cases themselves answer."""
    from datetime import datetime, timedelta

    from workbench.store import FileStore

    assert run_cli("import", str(exported))[0] == 0
    document = json.loads(exported.read_bytes())
    closed = [c for c in document["records"]["cases"] if c["state"] == "closed"]
    sent = sorted(datetime.fromisoformat(c["sent_at"]) for c in closed if c["sent_at"])
    questions = [{"match": {"customer_id": c}} for c in sorted({c["customer_id"] for c in closed})] + [
        {"match": {"vendor": "zoho"}, "within": ("sent_at", sent[0] - timedelta(days=1), sent[-1])}
    ]
    indexed = FileStore(run_cli.db)
    assert indexed.closed_index_in_use()
    through_index = [sorted(r["id"] for r in indexed.all("cases", **q)) for q in questions]
    indexed.close()
    Path(f"{run_cli.db}.index").unlink()
    plain = FileStore(run_cli.db)
    assert not plain.closed_index_in_use()
    assert through_index == [sorted(r["id"] for r in plain.all("cases", **q)) for q in questions]
    assert {key for keys in through_index[:-1] for key in keys} >= {c["id"] for c in closed}
    plain.close()


def test_the_imported_snapshot_is_laid_out_as_a_compaction_lays_it_out(run_cli, exported) -> None:
    """The tables a compaction would write from the imported desk are the ones the import
    wrote (the event index with the open records first, the closed cases in file order):
    an imported desk reads as fast as any."""
    from workbench.store import FileStore
    from workbench.store.snapshot import TABLES, read_snapshot

    assert run_cli("import", str(exported))[0] == 0
    imported = read_snapshot(str(run_cli.db))
    before = {name: imported.read(name) for name in TABLES}
    imported.close()
    store = FileStore(run_cli.db)
    assert store.compact()
    store.close()
    compacted = read_snapshot(str(run_cli.db))
    assert {name: compacted.read(name) for name in TABLES} == before
    compacted.close()


@pytest.mark.parametrize(
    "shift,named",
    [
        (lambda previous: previous.replace("+00:00", "+09:00"), "before its previous event"),
        (lambda previous: None, "at: None is not a time"),
    ],
    ids=["an earlier time in another zone", "no time"],
)
def test_core_audit1_events_are_in_time_order_in_any_zone(run_cli, exported, shift, named) -> None:
    """A time written in another zone is compared as a time, not as text: 10:00+09:00 is
    before 09:00+00:00 although it sorts after it."""
    document = json.loads(exported.read_bytes())
    events = [e for e in document["events"] if e["kind"] == "cases" and e["key"] == "C-1"]
    events[-1]["at"] = shift(events[-2]["at"])
    exported.write_bytes(json.dumps(document).encode())
    status, _, err = run_cli("import", str(exported))
    assert status == 2 and named in err, err
    assert folder_of(run_cli.db) == []


def test_a_record_missing_fields_names_each_of_them(run_cli, exported) -> None:
    document = json.loads(exported.read_bytes())
    case = document["records"]["cases"][0]
    for name in ("customer_id", "subject", "opened_at"):
        del case[name]
    exported.write_bytes(json.dumps(document).encode())
    status, _, err = run_cli("import", str(exported))
    assert status == 2
    assert "records.cases[0]: missing 'customer_id', 'subject', 'opened_at'\n" in err
