"""Agents, assignment and the lead's workload (CORE-TEAM-1, CORE-TEAM-2) through the command
line on a real desk file, the desk itself, and two processes working one desk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.desk import BadInput, Desk, Refused
from workbench.plugins import get_plugins
from workbench.store import open_store
from workbench.testing import DEFAULT_NOW


@pytest.fixture
def wb(run_cli):
    """``wb(args…)`` runs the CLI (as login ``aiko``) and returns the parsed JSON answer;
    ``status`` is the exit status expected, and for a failure the error document comes back."""
    return run_cli.json


@pytest.fixture
def team(wb):
    """A desk with a lead (``sato``, login ``aiko``) and two agents, and three OnTime cases."""
    wb("agent", "add", "sato", "--name", "佐藤 美咲", "--role", "lead", "--login", "aiko")
    wb("agent", "add", "ken", "--name", "Ken Ito", "--email", "ken@reseller.example")
    wb("agent", "add", "yui", "--name", "山田 結衣")
    wb("customer", "add", "株式会社さくら物流")
    for subject in ("予定が消えた", "同期が遅い", "ライセンスの追加"):
        wb("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", subject)
    return wb


def history(wb, case_id: str, *who: str) -> list[dict]:
    return wb("case", "show", case_id, *who)["events"]


def test_a_desk_without_agents_works_as_today_with_the_login_name_on_every_event(wb) -> None:
    wb("customer", "add", "株式会社さくら物流")
    case = wb("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "予定が消えた")["case"]
    wb("case", "note", case["id"], "called the customer")
    assert case["assignee"] == ""
    assert [e["actor"] for e in history(wb, case["id"])] == ["aiko", "aiko"]
    assert wb("agent", "list") == []


def test_agents_are_added_listed_and_edited_with_japanese_names_core_team_1(team) -> None:
    listed = {a["handle"]: a for a in team("agent", "list")}
    assert listed["sato"] == {
        "handle": "sato",
        "name": "佐藤 美咲",
        "email": "",
        "role": "lead",
        "active": True,
        "login": "aiko",
    }
    assert listed["yui"]["name"] == "山田 結衣" and listed["ken"]["role"] == "agent"
    edited = team("agent", "edit", "yui", "--name", "山田 ゆい", "--role", "lead", "--inactive")
    assert (edited["name"], edited["role"], edited["active"]) == ("山田 ゆい", "lead", False)


def test_the_first_agent_is_a_lead_and_the_one_who_adds_it_core_team_1(wb) -> None:
    refused = wb("agent", "add", "ken", "--name", "Ken Ito", status=2)
    assert "first agent of a desk is its lead" in refused["error"]["message"]
    refused = wb("agent", "add", "sato", "--name", "佐藤 美咲", "--role", "lead", status=2)
    assert "you act as 'aiko'" in refused["error"]["message"]
    assert wb("agent", "list") == []
    wb("agent", "add", "sato", "--name", "佐藤 美咲", "--role", "lead", "--as", "sato")
    assert [a["handle"] for a in wb("agent", "list", "--as", "sato")] == ["sato"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Kim", "--name", "Kim"), "handle"),
        (("kim", "--name", ""), "name"),
        (("kim", "--name", "Kim\x1b[31m"), "name"),
        (("kim", "--name", "Kim", "--email", "not-mail"), "email"),
        (("kim", "--name", "Kim", "--login", "aiko"), "login"),
        (("sato", "--name", "Again"), "handle"),
    ],
)
def test_bad_agent_values_are_refused_naming_the_field(team, args, field) -> None:
    refused = team("agent", "add", *args, status=2)
    assert refused["error"]["field"] == field
    assert len(team("agent", "list")) == 3


def test_an_unknown_actor_is_refused_before_anything_is_written_core_team_1(team, run_cli) -> None:
    log = Path(f"{run_cli.db}.log")
    before = log.read_bytes()
    for who in (("--as", "nobody"),):
        refused = team("case", "note", "C-1", "hello", *who, status=2)
        assert "'nobody' is not an agent of this desk" in refused["error"]["message"]
        assert "active agents: ken, sato, yui" in refused["error"]["message"]
    team("agent", "edit", "ken", "--inactive")
    written = log.read_bytes()
    refused = team("case", "take", "C-1", "--as", "ken", status=2)
    assert "no longer an active agent" in refused["error"]["message"]
    assert log.read_bytes() == written and len(written) > len(before)


def test_every_event_records_the_agent_the_login_name_maps_to(team) -> None:
    team("case", "take", "C-2", "--as", "ken")
    team("case", "note", "C-2", "checked the logs", "--as", "ken")
    team("case", "note", "C-2", "lead's look")
    assert [e["actor"] for e in history(team, "C-2")] == ["sato", "ken", "ken", "sato"]


def test_assign_take_release_and_hand_off_are_events_with_before_and_after_core_team_2(team) -> None:
    team("case", "assign", "C-1", "ken", "--note", "ken knows OnTime sync")
    team("case", "handoff", "C-1", "yui", "--note", "customer's log due", "--as", "ken")
    team("case", "release", "C-1", "--as", "yui")
    taken = team("case", "take", "C-1", "--as", "ken")
    assert taken["case"]["assignee"] == "ken"
    changes = [
        (e["action"], e["actor"], e["before"], e["after"], e["rule"], e["data"].get("text"))
        for e in history(team, "C-1")[1:]
    ]
    assert changes == [
        ("assign", "sato", {"assignee": ""}, {"assignee": "ken"}, "CORE-TEAM-2", "ken knows OnTime sync"),
        ("hand-off", "ken", {"assignee": "ken"}, {"assignee": "yui"}, "CORE-TEAM-2", "customer's log due"),
        ("release", "yui", {"assignee": "yui"}, {"assignee": ""}, "CORE-TEAM-2", None),
        ("take", "ken", {"assignee": ""}, {"assignee": "ken"}, "CORE-TEAM-2", None),
    ]


def test_assigning_to_an_unknown_or_inactive_agent_is_bad_input_core_team_2(team) -> None:
    assert "'kim' is not an agent" in team("case", "assign", "C-1", "kim", status=2)["error"]["message"]
    team("agent", "edit", "yui", "--inactive")
    assert "not an active agent" in team("case", "assign", "C-1", "yui", status=2)["error"]["message"]
    assert team("case", "handoff", "C-1", "ken", "--note", " ", status=2)["error"]["field"] == "note"
    assert team("case", "show", "C-1")["case"]["assignee"] == ""


def test_a_closed_case_is_not_assigned_core_team_2(team) -> None:
    team("case", "assign", "C-3", "ken")
    reasons = [r["code"] for r in team("case", "show", "C-3")["close_reasons"]]
    team("case", "close", "C-3", "--reason", reasons[0])
    refused = team("case", "assign", "C-3", "yui", status=1)
    assert refused["error"]["decision"]["rule"] == "CORE-TEAM-2"
    assert "closed" in refused["error"]["message"]
    assert team("case", "show", "C-3")["case"]["assignee"] == "ken"


def test_what_each_role_may_change_refusals_name_the_role_core_team_1(team) -> None:
    team("case", "take", "C-1", "--as", "ken")
    as_yui = ("--as", "yui")
    cases = [
        ("case", "note", "C-1", "mine now", *as_yui),
        ("case", "take", "C-1", *as_yui),
        ("case", "assign", "C-2", "ken", *as_yui),
        ("settings", "core.stall_days", "20", *as_yui),
        ("agent", "add", "kim", "--name", "Kim", *as_yui),
        ("agent", "edit", "ken", "--role", "lead", *as_yui),
    ]
    for args in cases:
        refused = team(*args, status=1)
        assert refused["error"]["decision"]["rule"] == "CORE-TEAM-1", args
        assert "needs the lead role; yui is an agent" in refused["error"]["message"], args
    # an agent works unassigned cases and their own; the lead changes anyone's
    team("case", "note", "C-2", "looked at it", *as_yui)
    team("case", "take", "C-2", *as_yui)
    team("case", "note", "C-1", "lead's note")
    team("case", "take", "C-1")
    taken = history(team, "C-1")[-1]
    assert (taken["action"], taken["reason"]) == ("take", "sato took the case from ken")
    team("case", "assign", "C-1", "yui")
    team("settings", "core.stall_days", "20")


def test_the_desk_keeps_an_active_lead_core_team_1(team) -> None:
    refused = team("agent", "edit", "sato", "--role", "agent", status=1)
    assert "last active lead" in refused["error"]["message"]
    team("agent", "edit", "ken", "--role", "lead")
    team("agent", "edit", "sato", "--inactive")  # a lead retires themselves, another lead stays
    assert team("agent", "list", "--as", "ken")[1]["active"] is False
    assert "no longer an active agent" in team("agent", "list", status=2)["error"]["message"]


def test_new_cases_round_robin_or_by_vendor_when_the_desk_says_so_core_team_2(team) -> None:
    assert team("case", "show", "C-1")["case"]["assignee"] == ""  # off by default
    team("settings", "core.assign_new_cases", "round-robin")
    opened = [
        team("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", f"質問 {n}")["case"]
        for n in range(4)
    ]
    assert [c["assignee"] for c in opened] == ["ken", "sato", "yui", "ken"]
    rule = history(team, opened[0]["id"])[1]
    assert (rule["action"], rule["rule"], rule["after"]) == ("assign", "CORE-TEAM-2", {"assignee": "ken"})
    assert "round-robin" in rule["reason"]

    bad = team("settings", "core.vendor_assignees", "ontime=kim", status=2)
    assert "'kim' is not an agent" in bad["error"]["message"]
    team("settings", "core.vendor_assignees", "ontime=yui")
    team("settings", "core.assign_new_cases", "vendor")
    case = team("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "ライセンス")["case"]
    assert case["assignee"] == "yui"


def test_case_list_mine_and_by_assignee(team) -> None:
    team("case", "take", "C-1", "--as", "ken")
    team("case", "assign", "C-3", "ken")
    mine = team("case", "list", "--mine", "--as", "ken")
    assert [c["id"] for c in mine] == ["C-3", "C-1"]
    assert [c["id"] for c in team("case", "list", "--assignee", "ken")] == ["C-3", "C-1"]
    assert [c["id"] for c in team("case", "list", "--assignee", "none")] == ["C-2"]
    assert team("case", "list", "--mine") == []
    assert team("case", "list", "--assignee", "kim", status=2)["error"]["field"] == "agent"


def test_case_list_mine_on_a_desk_without_agents_is_bad_input(wb) -> None:
    assert "no agents" in wb("case", "list", "--mine", status=2)["error"]["message"]


def test_workload_per_agent_with_ball_time_on_the_desk_side(team) -> None:
    """C-1 opened Tue 10:00 JST; ken holds it from 11:00, sends it to the vendor at 12:00;
    the workload at 13:00 counts 60 desk minutes unassigned and 60 for ken."""
    team("case", "take", "C-1", "--as", "ken", "--now", "2026-11-24T11:00+09:00")
    team("case", "send", "C-1", "--as", "ken", "--now", "2026-11-24T12:00+09:00")
    team("case", "assign", "C-2", "yui", "--now", "2026-11-24T12:30+09:00")
    team("case", "pending", "C-2", "--as", "yui", "--now", "2026-11-24T12:30+09:00")
    loads = {row["agent"]: row for row in team("workload", "--now", "2026-11-24T13:00+09:00")}
    assert list(loads) == ["ken", "sato", "yui", None]
    ken = loads["ken"]
    assert (ken["open"], ken["waiting_on_vendor"], ken["waiting_on_customer"]) == (1, 1, 0)
    assert ken["desk_ball_minutes"] == 60
    assert loads["yui"]["waiting_on_customer"] == 1 and loads["yui"]["desk_ball_minutes"] == 0
    assert loads[None]["cases"] == ["C-3"]
    assert loads[None]["oldest_untouched"]["case"] == "C-3"
    assert loads[None]["desk_ball_minutes"] == 60 + 150 + 180  # C-1, C-2, C-3 while nobody held them
    shown = team("case", "show", "C-1", "--now", "2026-11-24T13:00+09:00")
    assert shown["desk_minutes_by_agent"] == {"": 60, "ken": 60}


def test_oldest_untouched_counts_work_not_assignments_or_the_sweep(team) -> None:
    """C-1 noted at 11:00, then assigned to ken at 12:00: it is untouched since 11:00. C-2,
    assigned to ken and never worked, is untouched since it opened at 10:00, even after the
    sweep records its first response breached at 14:00 (CORE-SLA-2)."""
    team("case", "note", "C-1", "asked for the log", "--now", "2026-11-24T11:00+09:00")
    team("case", "assign", "C-1", "ken", "--now", "2026-11-24T12:00+09:00")
    team("case", "assign", "C-2", "ken", "--now", "2026-11-24T12:00+09:00")
    swept = team("sweep", "--now", "2026-11-24T15:00+09:00")
    assert {b["case"] for b in swept["breaches"]} >= {"C-2"}
    ken = next(row for row in team("workload", "--now", "2026-11-24T15:00+09:00") if row["agent"] == "ken")
    assert ken["oldest_untouched"] == {"case": "C-2", "since": "2026-11-24T01:00:00+00:00"}
    team("case", "note", "C-2", "called the customer", "--as", "ken", "--now", "2026-11-24T15:30+09:00")
    ken = next(row for row in team("workload", "--now", "2026-11-24T16:00+09:00") if row["agent"] == "ken")
    assert ken["oldest_untouched"] == {"case": "C-1", "since": "2026-11-24T02:00:00+00:00"}


def test_workload_counts_breaching_and_at_risk_cases(team) -> None:
    """The desk's first response (4 business hours, CORE-SLA-3) of cases opened at 10:00
    is at risk at 13:30 and breached at 14:30."""
    team("case", "assign", "C-1", "ken")
    team("case", "assign", "C-2", "ken")
    at_risk = {row["agent"]: row for row in team("workload", "--now", "2026-11-24T13:30+09:00")}
    assert (at_risk["ken"]["at_risk"], at_risk["ken"]["breaching"]) == (2, 0)
    breached = {row["agent"]: row for row in team("workload", "--now", "2026-11-24T14:30+09:00")}
    assert (breached["ken"]["breaching"], breached["ken"]["at_risk"]) == (2, 0)
    assert breached[None]["breaching"] == 1


def test_the_role_is_checked_inside_the_transaction_that_writes(tmp_path, clock) -> None:
    """Two desks on one desk file: ken's desk was opened while he was an agent; the lead
    takes him off the team; ken's next change is refused, and nothing of it is written."""
    path = str(tmp_path / "desk.json")
    lead = Desk(open_store(path), get_plugins(), actor="sato")
    lead.add_agent("sato", "佐藤 美咲", role="lead")
    lead.add_agent("ken", "Ken Ito")
    customer = lead.add_customer("株式会社さくら物流")
    case = lead.open_case("ontime", customer.id, "予定が消えた")
    ken = Desk(open_store(path), get_plugins(), actor="ken")
    assert ken.act_as_agent().handle == "ken"
    lead.edit_agent("ken", role="agent", active=False)
    with pytest.raises(BadInput, match="no longer an active agent"):
        ken.take(case.id)
    lead.assign(case.id, "sato")
    lead.edit_agent("ken", active=True)
    with pytest.raises(Refused, match="assigned to sato"):
        ken.note(case.id, "a look")
    assert [e.action for e in lead.events("cases", case.id)] == ["open", "assign"]


def _workbench(agent: str, db: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_AGENT": agent, "WORKBENCH_NOW": DEFAULT_NOW}
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_agents_in_two_processes_take_the_same_case_one_wins(team, run_cli) -> None:
    """ken and yui each run `case take C-2` at once: the store's lock orders them, the
    second sees the first's assignment inside its transaction and is refused."""
    runs = {agent: _workbench(agent, run_cli.db, "case", "take", "C-2") for agent in ("ken", "yui")}
    results = {agent: (p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for agent, p in runs.items()}
    statuses = sorted(status for status, _, _ in results.values())
    assert statuses == [0, 1], results
    winner = next(agent for agent, (status, _, _) in results.items() if status == 0)
    loser = next(agent for agent in results if agent != winner)
    assert f"assigned to {winner}" in results[loser][2] and "CORE-TEAM-1" in results[loser][2]
    takes = [(e["action"], e["actor"]) for e in history(team, "C-2")[1:]]
    assert takes == [("take", winner)]
    # and both keep working the desk from their own processes, each on their own case
    other = "C-3"
    follow = [
        _workbench(winner, run_cli.db, "case", "note", "C-2", "called the customer"),
        _workbench(loser, run_cli.db, "case", "take", other),
    ]
    assert [p.wait(timeout=60) for p in follow] == [0, 0]
    assert history(team, "C-2")[-1]["actor"] == winner
    assert team("case", "show", other)["case"]["assignee"] == loser


def test_export_and_import_carry_the_team_and_the_assignees(team, run_cli, tmp_path, monkeypatch) -> None:
    team("case", "assign", "C-2", "yui")
    status, exported, _ = run_cli("export")
    assert status == 0
    (tmp_path / "export.json").write_text(exported, encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "copy.json"))
    team("import", str(tmp_path / "export.json"))
    assert [a["handle"] for a in team("agent", "list")] == ["ken", "sato", "yui"]
    assert team("case", "show", "C-2")["case"]["assignee"] == "yui"
    assert history(team, "C-2")[-1]["actor"] == "sato"
