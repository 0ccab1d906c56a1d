"""``workbench report vendor|desk|backlog|renewals``: vendor commitments kept (ZOHO-SLA-3's
measure, for every vendor), the desk's own (CORE-SLA-3), the backlog (CORE-SLA-4) and
renewals due (CORE-SLA-2), each with the cases behind every figure; ``--json`` and
``--format csv`` carry the same rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

BITTITAN = (
    "--vendor", "bittitan", "--customer", "CUS-1",
    "--field", "account_email=it@northwind.example", "--field", "region=apac",
    "--field", "cutover_date=2027-01-20", "--field", "kind=product-problem",
    "--field", "description=items missing after the delta pass",
)  # fmt: skip


def ok(run_cli, *args: str) -> str:
    status, out, err = run_cli(*args)
    assert status == 0, err
    return out


def new_case(run_cli, subject: str, now: str) -> str:
    out = ok(run_cli, "case", "new", *BITTITAN, "--subject", subject, "--json", "--now", now)
    return json.loads(out)["case"]["id"]


@pytest.fixture
def month_of_cases(run_cli) -> dict[str, str]:
    """Four BitTitan cases (BT-SLA-1: an answer within 24 hours, every day): answered after
    20 h, answered after 30 h (late), still waiting, and one sent in October."""
    ok(run_cli, "customer", "add", "Northwind Traders")
    cases = {}
    for name, sent, answered in (
        ("on time", "2026-11-02T10:00:00+09:00", "2026-11-03T06:00:00+09:00"),
        ("late", "2026-11-05T10:00:00+09:00", "2026-11-06T16:00:00+09:00"),
        ("waiting", "2026-11-23T10:00:00+09:00", None),
        ("october", "2026-10-20T10:00:00+09:00", "2026-10-20T12:00:00+09:00"),
    ):
        key = new_case(run_cli, name, sent)
        ok(run_cli, "case", "send", key, "filed", "--now", sent)
        ok(run_cli, "case", "note", key, "filed with BitTitan", "--to-customer", "--now", sent)
        if answered:
            ok(run_cli, "case", "vendor-reply", key, "answer", "--now", answered)
        cases[name] = key
    return cases


def vendor_rows(run_cli, *args: str) -> list[dict]:
    out = ok(
        run_cli,
        "report",
        "vendor",
        "--month",
        "2026-11",
        "--json",
        "--now",
        "2026-11-24T09:00:00+09:00",
        *args,
    )
    return json.loads(out)["rows"]


def test_vendor_report_counts_met_late_running_with_their_cases(run_cli, month_of_cases) -> None:
    """ZOHO-SLA-3 measured for every vendor: met, late and running waits of the month, the
    average, median and worst business minutes against BT-SLA-1's 24 hours; October's case is left out."""
    rows = vendor_rows(run_cli)
    answer = next(r for r in rows if r["commitment"] == "BitTitan support answer")
    assert answer["vendor"] == "bittitan" and answer["month"] == "2026-11" and answer["rule"] == "BT-SLA-1"
    assert answer["met"] == [month_of_cases["on time"]]
    assert answer["late"] == [month_of_cases["late"]]
    assert answer["running"] == [month_of_cases["waiting"]]
    assert month_of_cases["october"] not in answer["met"] + answer["late"] + answer["running"]
    assert answer["commitment_minutes"] == 24 * 60
    assert (answer["average_minutes"], answer["median_minutes"]) == (25 * 60, 25 * 60)
    assert (answer["worst_minutes"], answer["worst_case"]) == (30 * 60, month_of_cases["late"])
    assert answer["kept_share"] == 0.5


def test_vendor_report_minutes_agree_with_case_timeline(run_cli, month_of_cases) -> None:
    """CORE-SLA-4: the minutes a report counts are the timeline's counted minutes at the answer."""
    answer = next(r for r in vendor_rows(run_cli) if r["commitment"] == "BitTitan support answer")
    counted = []
    for key in (month_of_cases["on time"], month_of_cases["late"]):
        timeline = json.loads(ok(run_cli, "case", "timeline", key, "--json"))
        counted += [
            e["counted_minutes"]
            for e in timeline
            if e["deadline"] == "BitTitan support answer" and e["what"] in ("met", "met-late")
        ]
    assert max(counted) == answer["worst_minutes"]
    assert sum(counted) / len(counted) == answer["average_minutes"]


def test_vendor_report_as_csv_carries_the_same_rows(run_cli, month_of_cases) -> None:
    rows = vendor_rows(run_cli)
    out = ok(
        run_cli,
        "report",
        "vendor",
        "--month",
        "2026-11",
        "--format",
        "csv",
        "--now",
        "2026-11-24T09:00:00+09:00",
    )
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [(r["commitment"], r["met"], r["late"]) for r in parsed] == [
        (r["commitment"], " ".join(r["met"]), " ".join(r["late"])) for r in rows
    ]


def test_desk_report_attainment_per_vendor_and_agent(run_cli, month_of_cases) -> None:
    """CORE-SLA-3: every case's first response went out at once (met); the update clocks of the
    cases the vendor has not answered are still running or breached, with their cases."""
    out = ok(run_cli, "report", "desk", "--month", "2026-11", "--json", "--now", "2026-11-24T10:00:00+09:00")
    document = json.loads(out)
    first = next(r for r in document["by_vendor"] if r["commitment"] == "desk first response")
    november = sorted(k for n, k in month_of_cases.items() if n != "october")
    assert sorted(first["met"]) == november and first["late"] == [] and first["attainment"] == 1.0
    agents = {r["agent"] for r in document["by_agent"]}
    assert agents == {"(unassigned)"}
    late = {b["case"] for b in document["breaches"]}
    assert late <= set(november)
    for breach in document["breaches"]:
        assert breach["rule"] == "CORE-SLA-3" and breach["due"].endswith("+09:00")


def test_backlog_and_renewals_of_the_demo_desk(run_cli) -> None:
    """CORE-SLA-4 and CORE-SLA-2: every open case in exactly one age band, one ball holder
    and one vendor; every renewal and order step due within 90 days in the band of its due date."""
    ok(run_cli, "demo")
    open_cases = json.loads(ok(run_cli, "case", "list", "--json"))
    backlog = json.loads(ok(run_cli, "report", "backlog", "--json"))
    by_ball = {r["ball"]: set(r["cases"]) for r in backlog["by_ball"]}
    holder = {"pending": "customer", "waiting-vendor": "vendor"}
    for case in open_cases:
        assert case["id"] in by_ball[holder.get(case["state"], "desk")]
    assert sum(r["count"] for r in backlog["by_age"]) == len(open_cases)
    assert sum(r["count"] for r in backlog["by_vendor"]) == len(open_cases)
    escalated = {c["id"] for c in open_cases if c["escalations"]}
    assert {key for r in backlog["escalations"] for key in r["cases"]} == escalated

    renewals = json.loads(ok(run_cli, "report", "renewals", "--json"))
    today = date.fromisoformat(renewals["at"])
    assert renewals["rows"]
    for row in renewals["rows"]:
        days = (date.fromisoformat(row["due"]) - today).days
        assert row["days"] == days
        expected = (
            "overdue"
            if days < 0
            else "within 30 days"
            if days <= 30
            else "31-60 days"
            if days <= 60
            else "61-90 days"
        )
        assert row["band"] == expected
    workflows = json.loads(ok(run_cli, "renewals", "--json"))
    near = {
        w["workflow"]["id"]
        for w in workflows
        if w["next_step"] and (date.fromisoformat(w["next_step"]["due"]) - today).days <= 90
    }
    assert near <= {row["workflow"] for row in renewals["rows"]}


@pytest.mark.parametrize(
    "args",
    [
        ("vendor", "--month", "2026-13"),
        ("desk", "--from", "2026-11-30", "--to", "2026-11-01"),
        ("vendor", "--format", "pdf"),
    ],
)
def test_bad_periods_are_bad_input(run_cli, args) -> None:
    status, _, err = run_cli("report", *args)
    assert status == 2 and err.startswith("workbench: ") and "Traceback" not in err


def test_zoho_figures_are_those_of_vendor_times(run_cli) -> None:
    """ZOHO-SLA-3: for Zoho the report's averages, medians and worst times against the 1-3 h,
    6-12 h and 16-24 h windows are the ones ``workbench vendor-times zoho`` measures."""
    ok(run_cli, "demo")
    rows = json.loads(ok(run_cli, "report", "vendor", "--month", "2026-11", "--vendor", "zoho", "--json"))[
        "rows"
    ]
    measured = json.loads(ok(run_cli, "vendor-times", "zoho", "--month", "2026-11", "--json"))
    figures = {(r["severity"], r["commitment"]): r for r in measured["rows"]}
    assert rows and all(r["measure_rule"] == "ZOHO-SLA-3" for r in rows)
    for row in rows:
        theirs = figures[(row["severity"], row["commitment"])]
        for name in (
            "answered",
            "average_minutes",
            "median_minutes",
            "worst_minutes",
            "worst_case",
            "target_minutes",
        ):
            assert row[name] == theirs[name], name


def test_vendor_report_by_kind_groups_each_vendor_s_month_by_what_the_cases_are_about(
    run_cli, month_of_cases
) -> None:
    """ZOHO-SLA-3 per kind as per severity: a BitTitan guidance request sent beside the three
    product problems of November is a group of its own, with its case; JSON and CSV agree."""
    sent = "2026-11-10T10:00:00+09:00"
    guidance = [*BITTITAN[:-4], "--field", "kind=guidance-request", *BITTITAN[-2:]]
    for question in ("run_error", "not_as_documented", "items_missing", "cannot_access"):
        guidance += ["--field", f"{question}=no"]
    out = ok(run_cli, "case", "new", *guidance, "--subject", "planning", "--json", "--now", sent)
    key = json.loads(out)["case"]["id"]
    ok(run_cli, "case", "send", key, "filed", "--now", sent)
    rows = vendor_rows(run_cli, "--by", "kind")
    by_kind = {r["kind"]: r for r in rows}
    problems = [month_of_cases[name] for name in ("on time", "late", "waiting")]
    assert sorted(by_kind) == ["guidance-request", "product-problem"]
    kept = by_kind["product-problem"]
    assert kept["commitment"] == "BitTitan support answer"
    assert sorted(kept["met"] + kept["late"] + kept["running"]) == sorted(problems)
    guidance = by_kind["guidance-request"]
    assert guidance["met"] + guidance["late"] + guidance["running"] + guidance["stopped"] == [key], guidance
    assert all("severity" not in r for r in rows), "grouped by kind, not severity"
    out = ok(
        run_cli, "report", "vendor", "--month", "2026-11", "--by", "kind", "--format", "csv",
        "--now", "2026-11-24T09:00:00+09:00",
    )  # fmt: skip
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [(r["kind"], r["commitment"], r["running"]) for r in parsed] == [
        (r["kind"], r["commitment"], " ".join(r["running"])) for r in rows
    ]


def test_vendor_report_by_anything_else_is_bad_input(run_cli) -> None:
    status, out, err = run_cli("report", "vendor", "--by", "colour", "--json")
    assert status == 2 and "colour" in out + err
    assert json.loads(out)


def test_desk_report_keeps_an_update_breach_after_the_next_response_and_the_close(run_cli) -> None:
    """CORE-SLA-2 in the desk's own figures (CORE-SLA-3): the update promised by Thursday
    11:30 came on Monday, with no sweep in between; the breach of that window is late in
    the report, with its case and due time, beside the window the response started — while
    the case is open and once it is closed (its outcomes keep the earlier windows)."""
    ok(run_cli, "customer", "add", "Northwind Traders")
    key = new_case(run_cli, "slow updates", "2026-11-24T11:00:00+09:00")
    ok(run_cli, "case", "send", key, "filed", "--now", "2026-11-24T11:00:00+09:00")
    ok(run_cli, "case", "note", key, "looking", "--to-customer", "--now", "2026-11-24T11:30:00+09:00")
    ok(run_cli, "case", "note", key, "still on it", "--to-customer", "--now", "2026-11-30T10:00:00+09:00")

    def report(now: str) -> dict:
        return json.loads(ok(run_cli, "report", "desk", "--month", "2026-11", "--json", "--now", now))

    for now in ("2026-11-30T11:00:00+09:00", "2026-11-30T12:30:00+09:00"):
        if now.endswith("12:30:00+09:00"):
            ok(run_cli, "case", "close", key, "--reason", "workaround", "--now", "2026-11-30T12:00:00+09:00")
        document = report(now)
        update = next(r for r in document["by_vendor"] if r["commitment"] == "desk update")
        assert update["late"] == [key], now
        breach = next(b for b in document["breaches"] if b["commitment"] == "desk update")
        assert breach["case"] == key and breach["due"] == "2026-11-26T11:30:00+09:00"


def test_attainment_by_month_counts_as_the_vendor_report_does(run_cli, month_of_cases) -> None:
    """ZOHO-SLA-3's trend for every vendor: per vendor and month, the share of commitments
    kept is the vendor report's met against met and late, over every severity, with the
    cases behind it; October's answered case is October's."""
    from workbench import clock
    from workbench.desk import Desk
    from workbench.plugins import get_plugins
    from workbench.store import open_store

    clock.set_now("2026-11-24T09:00:00+09:00")
    desk = Desk(open_store(str(run_cli.db)), get_plugins(), actor="aiko")
    first, last = date(2026, 10, 1), date(2026, 11, 30)
    trend = desk.attainment_by_month(first, last)
    detail = desk.vendor_report(first, last)["rows"]
    assert {(r["vendor"], r["month"]) for r in trend["rows"]} == {(r["vendor"], r["month"]) for r in detail}
    for row in trend["rows"]:
        same = [r for r in detail if (r["vendor"], r["month"]) == (row["vendor"], row["month"])]
        met, late = sum(len(r["met"]) for r in same), sum(len(r["late"]) for r in same)
        assert row["kept_share"] == (round(met / (met + late), 3) if met + late else None)
        assert set(row["met"]) == {c for r in same for c in r["met"]}
        assert set(row["late"]) == {c for r in same for c in r["late"]}
    november = next(r for r in trend["rows"] if r["month"] == "2026-11")
    assert month_of_cases["late"] in november["late"] and month_of_cases["on time"] in november["met"]
    october = next(r for r in trend["rows"] if r["month"] == "2026-10")
    assert october["met"] == [month_of_cases["october"]] and october["kept_share"] == 1.0


def test_backlog_at_a_what_if_clock_counts_only_what_existed_then(run_cli) -> None:
    """CORE-SLA-4, CORE-ESC-1: a backlog asked at a time before a case was opened or escalated
    leaves them out, instead of showing a negative age ("oldest -1 d")."""
    ok(run_cli, "customer", "add", "Northwind Traders")
    early = new_case(run_cli, "opened first", "2026-11-02T10:00:00+09:00")
    new_case(run_cli, "opened later", "2026-11-20T10:00:00+09:00")
    ok(run_cli, "case", "send", early, "filed", "--now", "2026-11-02T10:00:00+09:00")
    ok(run_cli, "case", "escalate", early, "--now", "2026-11-10T10:00:00+09:00")  # BT-ESC-1: overdue

    def backlog(now: str) -> dict:
        return json.loads(ok(run_cli, "report", "backlog", "--json", "--now", now))

    then = backlog("2026-11-05T10:00:00+09:00")
    assert sum(r["count"] for r in then["by_age"]) == 1
    assert {key for r in then["by_vendor"] for key in r["cases"]} == {early}
    assert then["escalations"] == []
    later = backlog("2026-11-24T10:00:00+09:00")
    assert sum(r["count"] for r in later["by_age"]) == 2
    assert [(r["track"], r["cases"], r["oldest_days"]) for r in later["escalations"]] == [
        ("technical", [early], 14)
    ]
