"""ZOHO-SLA-3: Zoho's averages measured over the desk's cases — per month and severity, the
average, median and worst acknowledgement and identification times beside the commitment, with
the cases behind each figure."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from workbench.desk import BadInput

T0 = datetime.fromisoformat("2026-11-24T10:00+09:00")
"""Tuesday 10:00 Tokyo: no weekend in the next 14 hours."""


@pytest.fixture
def answered(desk, clock, sent):
    """Three severity-2 cases sent at T0, acknowledged after 1 h, 3 h and 14 h; the second gets
    an identification window from T0 + 4 h, answered 30 h later; a fourth is never answered."""
    keys = [sent(T0.isoformat(), severity="2") for _ in range(4)]
    for key, hours in zip(keys, (1, 3, 14), strict=False):
        clock(T0 + timedelta(hours=hours))
        desk.vendor_reply(key, "looking into it")
    clock(T0 + timedelta(hours=4))
    desk.send_to_vendor(keys[1], "log attached")
    clock(T0 + timedelta(hours=34))
    desk.vendor_reply(keys[1], "cause identified")
    clock(T0 + timedelta(days=3))
    return keys


def rows(report) -> dict:
    return {(r.month, r.severity, r.commitment): r for r in report.rows}


def test_average_median_and_worst_beside_the_commitment_zoho_sla_3(desk, answered) -> None:
    report = desk.vendor_times("zoho")
    assert report.rule == "ZOHO-SLA-3"
    ack = rows(report)[("2026-11", "2", "Zoho acknowledgement")]
    assert (ack.answered, ack.average_minutes, ack.median_minutes, ack.worst_minutes) == (3, 360, 180, 840)
    assert (ack.target_minutes, ack.due_minutes, ack.rule) == (360, 720, "ZOHO-SLA-1")
    assert ack.worst_case == answered[2] and ack.average_within is True
    assert ack.cases == answered[:3] and ack.unanswered_cases == [answered[3]]
    ident = rows(report)[("2026-11", "2", "Zoho issue identification")]
    assert (ident.answered, ident.average_minutes, ident.cases) == (1, 1800, [answered[1]])
    assert (ident.target_minutes, ident.due_minutes) == (1440, 2880)


def test_a_month_is_measured_on_its_own_zoho_sla_3(desk, answered) -> None:
    assert desk.vendor_times("zoho", "2026-12").rows == []
    assert len(desk.vendor_times("zoho", "2026-11").rows) == 2
    with pytest.raises(BadInput, match="not a month"):
        desk.vendor_times("zoho", "November")


def test_the_command_prints_the_figures_with_the_rule_zoho_sla_3(run_cli) -> None:
    assert run_cli("settings", "zoho.sender_email", "zoho-desk@reseller.co.jp")[0] == 0
    assert run_cli("customer", "add", "Sakura Logistics", "--attr", "zoho.region=apac-japan")[0] == 0
    assert (
        run_cli(
            "contract",
            "add",
            "--customer",
            "CUS-1",
            "--vendor",
            "zoho",
            "--product",
            "crm",
            "--start",
            "2026-01-01",
        )[0]
        == 0
    )
    fields = [
        "customer_email=it@sakura-logistics.co.jp",
        "request_type=technical-support",
        "category=malfunction",
        "severity=3",
        "zoho_product=crm",
        "reproducible=no",
        "description=d",
        "troubleshooting=t",
    ]
    assert (
        run_cli(
            "case",
            "new",
            "--vendor",
            "zoho",
            "--customer",
            "CUS-1",
            "--subject",
            "s",
            *[a for f in fields for a in ("--field", f)],
            "--now",
            "2026-11-24T10:00+09:00",
        )[0]
        == 0
    )
    assert run_cli("case", "send", "C-1", "--now", "2026-11-24T10:00+09:00")[0] == 0
    assert run_cli("case", "vendor-reply", "C-1", "ok", "--now", "2026-11-24T12:00+09:00")[0] == 0
    status, out, _ = run_cli("vendor-times", "zoho", "--json", "--now", "2026-11-25T10:00+09:00")
    assert status == 0
    shown = json.loads(out)
    assert shown["rule"] == "ZOHO-SLA-3"
    [row] = shown["rows"]
    assert (row["severity"], row["average_minutes"], row["cases"]) == ("3", 120, ["C-1"])
    assert row["average_within"] is True
    status, out, _ = run_cli("vendor-times", "zoho", "--now", "2026-11-25T10:00+09:00")
    assert "(ZOHO-SLA-3)" in out and "severity 3 Zoho acknowledgement" in out and "C-1" in out
    assert run_cli("vendor-times", "zoho", "--month", "2026/11")[0] == 2
