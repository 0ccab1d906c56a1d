"""The core rules (CORE-SLA-*, CORE-ESC-*, CORE-AUDIT-1) through the command line, with --json
and --now, on a real desk file."""

from __future__ import annotations

import pytest


@pytest.fixture
def wb(run_cli):
    """``wb(args…)`` runs the CLI on one desk file and returns the parsed JSON answer."""
    return run_cli.json


def ontime_case(wb, subject: str, now: str) -> dict:
    """A new OnTime case of CUS-1 opened at ``now``: its JSON record."""
    opening = ("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", subject)
    return wb(*opening, "--now", now)["case"]


def deadline(shown: dict, name: str) -> dict:
    return next(d for d in shown["deadlines"] if d["name"] == name)


def test_desk_first_response_paused_over_a_weekend_core_sla_3(wb) -> None:
    """Opened Friday 16:00 JST, pending from 17:00 Friday to Monday 11:00: of the 4 business
    hours, 1 ran on Friday; the remaining 3 run from Monday 11:00, so the due is 14:00."""
    wb("customer", "add", "株式会社さくら物流", "--now", "2026-11-27T15:00+09:00")
    case = ontime_case(wb, "予定が消えた", "2026-11-27T16:00+09:00")
    first = deadline(wb("case", "show", case["id"], "--now", "2026-11-27T16:00+09:00"), "desk first response")
    assert first["due"] == "2026-11-30T02:00:00+00:00"  # Monday 11:00 JST without a pause
    assert first["calendar"] == "desk" and first["rule"] == "CORE-SLA-3"
    wb("case", "pending", case["id"], "asked for a screenshot", "--now", "2026-11-27T17:00+09:00")
    paused = deadline(
        wb("case", "show", case["id"], "--now", "2026-11-28T12:00+09:00"), "desk first response"
    )
    assert paused["state"] == "paused" and paused["due"] is None
    wb("case", "reply", case["id"], "screenshot attached", "--now", "2026-11-30T11:00+09:00")
    resumed = deadline(
        wb("case", "show", case["id"], "--now", "2026-11-30T11:00+09:00"), "desk first response"
    )
    assert resumed["due"] == "2026-11-30T05:00:00+00:00"  # Monday 14:00 JST
    assert resumed["state"] == "ok" and resumed["remaining_minutes"] == 180

    timeline = wb("case", "timeline", case["id"], "--now", "2026-11-30T15:00+09:00")
    desk_clock = [
        (e["what"], e["counted_minutes"]) for e in timeline if e["deadline"] == "desk first response"
    ]
    assert desk_clock == [("start", 0), ("pause", 60), ("resume", 60), ("breach", 240)]
    assert {e["calendar"] for e in timeline} == {"desk"}


def test_commercial_escalation_refused_early_then_allowed_core_esc_2(wb) -> None:
    wb("customer", "add", "Northwind Traders")
    case = ontime_case(wb, "Sync stops", "2026-10-01T10:00+09:00")
    wb("case", "send", case["id"], "--now", "2026-10-01T11:00+09:00")
    no_evidence = wb(
        "case", "escalate", case["id"], "--track", "commercial", "--now", "2026-11-24T10:00+09:00", status=1
    )["error"]["decision"]
    assert no_evidence["rule"] == "CORE-ESC-2" and no_evidence["missing"] == ["technical evidence"]
    wb(
        "case",
        "attach",
        case["id"],
        "stack trace of the sync job",
        "--kind",
        "log",
        "--now",
        "2026-10-31T10:00+09:00",
    )
    wb("case", "vendor-reply", case["id"], "we are looking", "--now", "2026-11-01T10:00+09:00")
    early = wb(
        "case", "escalate", case["id"], "--track", "commercial", "--now", "2026-11-30T09:59+09:00", status=1
    )["error"]["decision"]
    assert early["allowed"] is False and early["earliest"] == "2026-12-01T01:00:00+00:00"
    shown = wb(
        "case",
        "escalate",
        case["id"],
        "--track",
        "commercial",
        "--reason",
        "vendor silent",
        "--now",
        "2026-12-01T10:00+09:00",
    )
    assert shown["case"]["escalations"][-1]["role"] == "account manager"
    assert shown["case"]["escalations"][-1]["rule"] == "CORE-ESC-2"
    assert shown["events"][-1]["action"] == "escalate"


def test_sweep_twice_changes_nothing_the_second_time_core_sla_2(wb) -> None:
    wb("customer", "add", "Northwind Traders")
    ontime_case(wb, "Sync stops", "2026-11-24T10:00+09:00")
    first = wb("sweep", "--now", "2026-11-25T10:00+09:00")
    assert [(b["deadline"], b["rule"]) for b in first["breaches"]] == [("desk first response", "CORE-SLA-3")]
    again = wb("sweep", "--now", "2026-11-25T10:00+09:00")
    assert again["breaches"] == [] and again["applied"] == []


def test_every_change_is_an_event_with_actor_and_before_after_core_audit_1(wb, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_AGENT", "kenji")
    wb("customer", "add", "Northwind Traders", "--users", "10", "--now", "2026-11-20T09:00+09:00")
    wb("customer", "edit", "CUS-1", "--users", "80", "--now", "2026-11-21T09:00+09:00")
    history = wb("customer", "show", "CUS-1")["history"]
    assert [(e["action"], e["actor"], e["at"]) for e in history] == [
        ("create", "kenji", "2026-11-20T00:00:00+00:00"),
        ("update", "kenji", "2026-11-21T00:00:00+00:00"),
    ]
    assert (history[1]["before"], history[1]["after"]) == ({"users": 10}, {"users": 80})
    wb("settings", "core.stall_days", "45")
    setting = wb("settings", "core.stall_days")
    assert setting[0]["value"] == 45 and setting[0]["default"] == 30
