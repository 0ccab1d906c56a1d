"""Export and import (issue: the desk file never loses a case): JSON is lossless, CSV has one
row per case, and a bad import writes nothing while naming every bad record."""

from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.cli import main
from workbench.transfer import CSV_COLUMNS


@pytest.fixture
def wb(tmp_path, capsysbinary, clock, monkeypatch):
    """``wb(args…, db=NAME)`` runs the CLI on ``tmp_path/NAME``; returns (status, stdout bytes, stderr)."""
    monkeypatch.setenv("WORKBENCH_ACTOR", "aiko")

    def invoke(*args: str, db: str = "desk.json") -> tuple[int, bytes, str]:
        try:
            main([*args, "--db", str(tmp_path / db)])
            status = 0
        except SystemExit as exc:
            status = exc.code or 0
        out, err = capsysbinary.readouterr()
        return status, out, err.decode()

    invoke.path = tmp_path
    return invoke


@pytest.fixture
def demo(wb):
    status, _, err = wb("demo")
    assert status == 0, err
    wb("sweep")
    return wb


def test_json_export_import_export_is_identical(demo) -> None:
    status, first, err = demo("export", "--format", "json")
    assert status == 0, err
    (demo.path / "export.json").write_bytes(first)
    status, out, err = demo("import", str(demo.path / "export.json"), "--json", db="copy.json")
    assert status == 0, err
    counts = json.loads(out)["imported"]
    assert counts["cases"] >= 40 and counts["events"] > counts["cases"]
    _, second, _ = demo("export", "--format", "json", db="copy.json")
    assert second == first


def test_imported_desk_keeps_numbering_and_works_on(demo) -> None:
    _, exported, _ = demo("export")
    (demo.path / "export.json").write_bytes(exported)
    demo("import", str(demo.path / "export.json"), db="copy.json")
    cases = json.loads(exported)["records"]["cases"]
    highest = max(int(c["id"].split("-")[1]) for c in cases)
    status, out, err = demo("customer", "add", "Woodgrove Bank", "--json", db="copy.json")
    assert status == 0, err
    customers = json.loads(exported)["records"]["customers"]
    assert json.loads(out)["id"] == f"CUS-{len(customers) + 1}"
    status, out, _ = demo(
        "case",
        "new",
        "--vendor",
        "ontime",
        "--customer",
        json.loads(out)["id"],
        "--subject",
        "after import",
        "--json",
        db="copy.json",
    )
    assert json.loads(out)["case"]["id"] == f"C-{highest + 1}"


def test_csv_has_one_row_per_case_with_the_spreadsheet_columns(demo) -> None:
    status, out, _ = demo("export", "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out.decode())))
    _, listed, _ = demo("case", "list", "--all", "--json")
    assert len(rows) == len(json.loads(listed))
    assert list(rows[0]) == CSV_COLUMNS
    closed = [r for r in rows if r["state"] == "closed"]
    assert closed and all(r["closed"] and r["closure_reason"] for r in closed)
    assert {r["vendor"] for r in rows} == {"ontime", "zoho", "bittitan", "webex"}


def test_bad_import_writes_nothing_and_lists_every_bad_record(demo) -> None:
    _, exported, _ = demo("export")
    document = json.loads(exported)
    document["records"]["cases"][2]["opened_at"] = "yesterday"
    del document["records"]["customers"][0]["name"]
    document["records"]["contracts"][1]["customer_id"] = "CUS-999"
    (demo.path / "bad.json").write_text(json.dumps(document))
    status, out, err = demo("import", str(demo.path / "bad.json"), db="copy.json")
    assert status == 2
    assert "bad record(s), nothing imported" in err
    assert "records.cases[2]:" in err and "records.customers[0]: missing 'name'" in err
    assert "records.contracts[1]: customer CUS-999 is not in the file" in err
    assert not (demo.path / "copy.json").exists() or demo("case", "list", db="copy.json")[1] == b"no cases\n"


def test_import_refuses_a_desk_that_holds_data_and_a_file_that_is_no_export(demo) -> None:
    (demo.path / "notes.json").write_text('{"hello": "world"}')
    status, _, err = demo("import", str(demo.path / "notes.json"), db="copy.json")
    assert status == 2 and "is not a Case Workbench export" in err
    (demo.path / "broken.json").write_text('{"format": ')
    status, _, err = demo("import", str(demo.path / "broken.json"), db="copy.json")
    assert status == 2 and "is not JSON" in err
    _, exported, _ = demo("export")
    (demo.path / "export.json").write_bytes(exported)
    status, _, err = demo("import", str(demo.path / "export.json"))
    assert status == 2 and "already holds data" in err
