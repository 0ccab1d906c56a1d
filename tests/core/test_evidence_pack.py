"""A case's evidence pack (CORE-SLA-4) through ``workbench case evidence`` (``evidence-pack``
is its earlier name): the heading, every clock line with its due time in the desk's zone,
stretch and total minutes that agree with ``case timeline``, who held the ball, the
messages; a breach never disappears (CORE-SLA-2)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from html.parser import HTMLParser

import pytest


@pytest.fixture
def late_case(run_cli) -> str:
    """A BitTitan case sent Tuesday 11:00 JST whose answer came 30 hours later, after
    BitTitan's 24-hour window (BT-SLA-1): met late, so breached at its due time."""
    run_cli("customer", "add", "Northwind Traders")
    status, out, err = run_cli(
        "case", "new", "--vendor", "bittitan", "--customer", "CUS-1", "--subject", "Delta pass skips items",
        "--field", "account_email=it@northwind.example", "--field", "region=apac",
        "--field", "cutover_date=2027-01-20", "--field", "kind=product-problem",
        "--field", "description=2,000 items missing after the delta pass", "--json",
    )  # fmt: skip
    assert status == 0, err
    key = json.loads(out)["case"]["id"]
    steps = [
        ("case", "send", key, "filed with BitTitan", "--now", "2026-11-24T11:00:00+09:00"),
        (
            "case",
            "note",
            key,
            "we filed it with BitTitan",
            "--to-customer",
            "--now",
            "2026-11-24T11:30:00+09:00",
        ),
        ("sweep", "--now", "2026-11-25T12:00:00+09:00"),
        ("case", "vendor-reply", key, "fixed in the next build", "--now", "2026-11-25T17:00:00+09:00"),
    ]
    for step in steps:
        status, _, err = run_cli(*step)
        assert status == 0, err
    return key


def pack(run_cli, key: str) -> dict:
    status, out, err = run_cli("case", "evidence", key, "--json", "--now", "2026-11-26T10:00:00+09:00")
    assert status == 0, err
    return json.loads(out)


def test_pack_heading_names_case_customer_vendor_commitments_and_calendars(run_cli, late_case) -> None:
    """CORE-SLA-4: the case, customer, vendor, program, commitments and calendars at its head."""
    document = pack(run_cli, late_case)
    assert document["case"]["id"] == late_case
    assert document["customer"] == {"id": "CUS-1", "name": "Northwind Traders"}
    assert document["vendor"]["id"] == "bittitan"
    assert document["program"]["rule"] == "BT-ROUTE-2"
    assert document["timezone"] == "Asia/Tokyo"
    names = {c["name"]: c for c in document["commitments"]}
    assert names["BitTitan support answer"]["rule"] == "BT-SLA-1"
    assert {c["name"] for c in document["calendars"]} >= {"desk", "24x7"}
    desk = next(c for c in document["calendars"] if c["name"] == "desk")
    # 2026-11-23 (Labor Thanksgiving Day) is before the case; none fall in its days
    assert desk["holidays"] == []


def test_pack_numbers_agree_with_case_timeline(run_cli, late_case) -> None:
    """CORE-SLA-4: every timeline line is in the pack with the same counted minutes, times
    in the desk's zone, and the stretches of one clock add up to its counted total."""
    document = pack(run_cli, late_case)
    status, out, err = run_cli("case", "timeline", late_case, "--json", "--now", "2026-11-26T10:00:00+09:00")
    assert status == 0, err
    timeline = json.loads(out)
    lines = {(line["deadline"], line["what"], line["at"]): line for line in document["lines"]}
    for entry in timeline:
        local = datetime.fromisoformat(entry["at"]).astimezone(
            datetime.fromisoformat(document["case"]["opened_at"]).tzinfo
        )
        line = lines[(entry["deadline"], entry["what"], local.isoformat())]
        assert line["counted_minutes"] == entry["counted_minutes"]
        assert line["at"].endswith("+09:00")
    for total in document["totals"]:
        stretches = [
            line["stretch_minutes"]
            for line in document["lines"]
            if line["deadline"] == total["deadline"] and line["stretch_minutes"] is not None
        ]
        assert sum(stretches) == total["counted_minutes"]


def test_a_breach_met_late_stays_in_the_pack(run_cli, late_case) -> None:
    """CORE-SLA-2: BitTitan answered 6 hours late; the breach at the due time stays beside the late answer."""
    document = pack(run_cli, late_case)
    vendor = [line for line in document["lines"] if line["deadline"] == "BitTitan support answer"]
    assert [line["what"] for line in vendor] == ["start", "breach", "met-late"]
    start, breach, late = vendor
    assert breach["at"] == breach["due"] == "2026-11-25T11:00:00+09:00"
    assert breach["counted_minutes"] == 24 * 60 and breach["stretch_minutes"] == 24 * 60
    assert late["counted_minutes"] == 30 * 60 and late["stretch_minutes"] == 6 * 60
    assert start["ball"] == "vendor" and late["ball"] == "desk"
    assert breach["rule"] == "BT-SLA-1"


def test_messages_with_their_times(run_cli, late_case) -> None:
    """CORE-SLA-4: the vendor's answers and the desk's messages with their times."""
    messages = pack(run_cli, late_case)["messages"]
    said = [(m["at"], m["direction"], m["text"]) for m in messages]
    assert ("2026-11-24T11:00:00+09:00", "desk → vendor", "filed with BitTitan") in said
    assert ("2026-11-25T17:00:00+09:00", "vendor → desk", "fixed in the next build") in said


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_pack_written_to_a_file_in_each_format(run_cli, late_case, tmp_path, fmt) -> None:
    """CORE-SLA-4: the readable document and the CSV, written with -o, carry the same lines."""
    target = tmp_path / f"pack.{fmt}"
    status, out, err = run_cli(
        "case",
        "evidence",
        late_case,
        "--format",
        fmt,
        "-o",
        str(target),
        "--now",
        "2026-11-26T10:00:00+09:00",
    )
    assert status == 0, err
    assert str(target) in out
    written = target.read_text(encoding="utf-8")
    document = pack(run_cli, late_case)
    if fmt == "csv":
        rows = list(
            csv.DictReader(
                io.StringIO("".join(row for row in written.splitlines(True) if not row.startswith("#")))
            )
        )
        assert [(r["deadline"], r["what"], r["counted_minutes"]) for r in rows] == [
            (line["deadline"], line["what"], str(line["counted_minutes"])) for line in document["lines"]
        ]
        assert written.startswith(f"# Case: {late_case}")
    elif fmt == "html":
        parser = _Text()
        parser.feed(written)
        assert parser.tags.count("tr") == 1 + len(document["lines"]) + 1 + len(document["messages"])
        assert "@media print" in written and "Northwind Traders" in "".join(parser.text)
    else:
        assert written.count("| breach |") == 1
        assert "Northwind Traders (CUS-1)" in written


def test_unknown_case_and_format_are_bad_input(run_cli) -> None:
    status, _, err = run_cli("case", "evidence", "C-404")
    assert status == 2 and "C-404" in err
    status, _, err = run_cli("case", "evidence", "C-404", "--format", "pdf")
    assert status == 2 and "pdf" in err


def test_the_earlier_name_writes_the_same_pack(run_cli, late_case) -> None:
    """``case evidence-pack`` (the earlier name, kept for scripts) is the same command."""
    status, out, err = run_cli(
        "case", "evidence-pack", late_case, "--json", "--now", "2026-11-26T10:00:00+09:00"
    )
    assert status == 0, err
    assert json.loads(out) == pack(run_cli, late_case)


def test_technical_evidence_is_attached_with_case_attach(run_cli, late_case) -> None:
    """CORE-ESC-2's technical evidence goes on the case with ``case attach``; ``case
    evidence`` is the evidence pack and takes no text."""
    status, out, err = run_cli("case", "attach", late_case, "the sync job's trace", "--kind", "log", "--json")
    assert status == 0, err
    assert json.loads(out)["case"]["evidence"][0]["kind"] == "log"
    status, _, err = run_cli("case", "evidence", late_case, "a trace", "--kind", "log")
    assert status == 2 and "--kind" in err


@pytest.mark.parametrize("swept", [False, True], ids=["no sweep", "swept"])
def test_an_update_breach_stays_after_the_next_response_core_sla_2(run_cli, late_case, swept) -> None:
    """The demo's C-32 shape: the desk answered Tuesday 11:30, so its next update was due two
    business days later (Thursday 11:30, CORE-SLA-3); it came Monday. The breach of that
    window happened, so it stays in the timeline and the pack once the next response
    restarts the clock, whether a sweep recorded it or not (CORE-SLA-2, CORE-SLA-4) — once."""
    if swept:
        status, _, err = run_cli("sweep", "--now", "2026-11-27T09:00:00+09:00")
        assert status == 0, err
    status, _, err = run_cli(
        "case", "note", late_case, "still on it", "--to-customer", "--now", "2026-11-30T10:00:00+09:00"
    )
    assert status == 0, err
    status, out, err = run_cli("case", "timeline", late_case, "--json", "--now", "2026-11-30T11:00:00+09:00")
    assert status == 0, err
    update = [(e["what"], e["at"]) for e in json.loads(out) if e["deadline"] == "desk update"]
    assert update == [
        ("start", "2026-11-24T02:30:00+00:00"),
        ("breach", "2026-11-26T02:30:00+00:00"),
        ("start", "2026-11-30T01:00:00+00:00"),
    ]
    status, out, err = run_cli("case", "evidence", late_case, "--json", "--now", "2026-11-30T11:00:00+09:00")
    assert status == 0, err
    breaches = [line for line in json.loads(out)["lines"] if line["what"] == "breach"]
    update_breach = next(line for line in breaches if line["deadline"] == "desk update")
    assert update_breach["due"] == "2026-11-26T11:30:00+09:00" and update_breach["rule"] == "CORE-SLA-3"
    assert update_breach["counted_minutes"] == 2 * 9 * 60
