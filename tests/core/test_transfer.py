"""Export and import (issue: the desk file never loses a case): JSON is lossless, CSV has one
row per case, and a bad import writes nothing while naming every bad record."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.model import _dump, _load
from workbench.shapes import instant_check, instants_check
from workbench.transfer import CSV_COLUMNS


@pytest.fixture
def wb(tmp_path, capsysbinary, clock, monkeypatch):
    """``wb(args…, db=NAME)`` runs the CLI on ``tmp_path/NAME``; returns (status, stdout bytes, stderr)."""
    monkeypatch.setenv("WORKBENCH_AGENT", "aiko")

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
    assert {r["assignee"] for r in rows} == {"sato", "tanaka", "emma", "ito", ""}


def test_bad_import_writes_nothing_and_lists_every_bad_record(demo) -> None:
    _, exported, _ = demo("export")
    document = json.loads(exported)
    document["records"]["cases"][2]["opened_at"] = "yesterday"
    document["records"]["cases"][3]["opened_at"] = "0001-01-01T00:00:00+09:00"  # before year 1 in UTC
    document["events"][4]["at"] = "0001-01-01T08:59:00+09:00"
    del document["records"]["customers"][0]["name"]
    document["records"]["contracts"][1]["customer_id"] = "CUS-999"
    (demo.path / "bad.json").write_text(json.dumps(document))
    status, out, err = demo("import", str(demo.path / "bad.json"), db="copy.json")
    assert status == 2
    assert "problem(s), nothing imported" in err
    assert "records.cases[2]:" in err and "records.customers[0]: missing 'name'" in err
    assert "records.cases[3]: date value out of range" in err and "events[4]: date value out of range" in err
    assert "Traceback" not in err
    assert "records.contracts[1] (K-2): customer CUS-999 is not in the file" in err
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


def _round_trips_as_instant(value: str) -> bool:
    """What the model does to an instant: read it, write it back in UTC."""
    try:
        return _dump(_load(datetime, value)) == value
    except (TypeError, ValueError, OverflowError):
        return False


instants = st.datetimes(
    min_value=datetime(2, 1, 1),  # the test turns them to UTC itself; year 1 is an example below
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")]),
)
timespecs = st.sampled_from(["auto", "seconds", "minutes", "milliseconds", "microseconds"])


@settings(max_examples=400)
@example(datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo")), "auto", False, "")  # before year 1 in UTC
@given(instant=instants, timespec=timespecs, utc=st.booleans(), noise=st.text(max_size=2))
def test_the_import_check_accepts_exactly_the_instants_that_round_trip(instant, timespec, utc, noise) -> None:
    """The import's quick check of 750,000 instants stands in for the model's round trip:
    it must never accept one the round trip would change (other offsets, trimmed or
    zero fractions, trailing text)."""
    written = (instant.astimezone(UTC) if utc else instant).isoformat(timespec=timespec)
    for value in (written, written + noise, noise + written):
        assert instant_check(value) == _round_trips_as_instant(value), value
        together = [written, value, written]
        assert instants_check(together) == all(map(_round_trips_as_instant, together)), value
