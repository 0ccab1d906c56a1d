"""Decisions that guard a write are taken under the writer lock (CORE-ESC-1, CORE-AUDIT-1):
N processes started together on one guarded action, through the command line and through
the desk: exactly one wins, and the others get the refusal a late single command gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

RACERS = 6
NOW = "2026-11-24T10:00+09:00"

GATED = """
import os, sys, time
from workbench.cli import main
gate = sys.argv[1]
while not os.path.exists(gate):
    time.sleep(0.0005)
main(sys.argv[2:])
"""
"""Run ``workbench ARGS`` once the gate file appears: every racer has imported the program
and waits at the gate, so they start the command within a millisecond of each other."""

DESK_GATED = """
import os, sys, time
from workbench.desk import Desk
from workbench.errors import DeskError
from workbench.plugins import get_plugins
from workbench.store import open_store
gate, action, *args = sys.argv[1:]
desk = Desk(open_store(os.environ["WORKBENCH_DB"], lock_timeout=60), get_plugins(), actor="tanaka")
while not os.path.exists(gate):
    time.sleep(0.0005)
try:
    getattr(desk, action)(*args)
    print("won")
except DeskError as exc:
    print(f"refused: {exc}")
"""
"""The same race through the desk itself (what the terminal desk calls)."""


def race(tmp_path: Path, db: Path, program: str, *args: str) -> list[subprocess.CompletedProcess]:
    gate = tmp_path / "gate"
    env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": NOW, "WORKBENCH_AGENT": "tanaka"}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", program, str(gate), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RACERS)
    ]
    time.sleep(3)  # every racer at the gate (a head start only makes the race milder)
    gate.touch()
    done = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(racer.args, racer.returncode, out, err))
    return done


@pytest.fixture
def desk_with_a_case(run_cli) -> Path:
    """The demo desk: its case C-20 has one technical level, on which the vendor sets no
    condition (CORE-ESC-1)."""
    assert run_cli("demo", "--now", NOW)[0] == 0
    return run_cli.db


def _escalations(run_cli) -> list[tuple[str, int]]:
    status, out, _ = run_cli("case", "show", "C-20", "--json")
    return [(e["track"], e["level"]) for e in json.loads(out)["case"]["escalations"]]


def test_escalations_raced_through_the_cli_climb_one_rung_once(run_cli, desk_with_a_case, tmp_path) -> None:
    """CORE-ESC-1: one racer escalates to level 1; the others are refused as a late command
    is (the case is then at the top of its ladder); the case holds one escalation."""
    done = race(tmp_path, desk_with_a_case, GATED, "case", "escalate", "C-20")
    won = [d for d in done if d.returncode == 0]
    refused = [d for d in done if d.returncode != 0]
    assert len(won) == 1, [d.stderr for d in done]
    assert all(d.returncode == 1 and "at the top of the technical ladder" in d.stderr for d in refused)
    assert _escalations(run_cli) == [("technical", 1)]


def test_escalations_raced_through_the_desk_climb_one_rung_once(run_cli, desk_with_a_case, tmp_path) -> None:
    done = race(tmp_path, desk_with_a_case, DESK_GATED, "escalate", "C-20")
    outcomes = sorted(d.stdout.strip().split(":")[0] for d in done)
    assert outcomes == ["refused"] * (RACERS - 1) + ["won"], [d.stderr for d in done]
    assert _escalations(run_cli) == [("technical", 1)]


@pytest.mark.parametrize("program", [GATED, DESK_GATED], ids=["cli", "desk"])
def test_twin_customers_raced_are_added_once(run_cli, tmp_path, program) -> None:
    """Customer names are unique ignoring case and spaces: of "Twin 1" and "twin  1" added
    at once by six processes, one is added."""
    assert run_cli("customer", "add", "Someone Else")[0] == 0
    if program is GATED:
        args = ("customer", "add", "Twin 1")
        done = race(tmp_path, run_cli.db, program, *args)
        won = [d for d in done if d.returncode == 0]
        refused = [d for d in done if d.returncode != 0]
        assert len(won) == 1 and all(d.returncode == 2 and "already called" in d.stderr for d in refused)
    else:
        done = race(tmp_path, run_cli.db, program, "add_customer", "twin  1")
        assert sorted(d.stdout.strip().split(":")[0] for d in done) == ["refused"] * (RACERS - 1) + ["won"]
    status, out, _ = run_cli("customer", "list", "--json")
    names = ["".join(c["name"].split()).casefold() for c in json.loads(out)]
    assert names.count("twin1") == 1


def test_a_workflow_step_raced_is_completed_once(run_cli, tmp_path) -> None:
    """WX-FLOW-1: steps complete in order, once; the racers that lose are told it was
    already completed."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    status, out, err = run_cli(
        "workflow", "new", "--vendor", "webex", "--template", "option-request", "--json"
    )
    assert status == 0, err
    workflow = json.loads(out)
    key, step = workflow["workflow"]["id"], workflow["workflow"]["steps"][0]["id"]
    answers = ("--field", "request=other", "--field", "details=Rename the site")
    done = race(tmp_path, run_cli.db, GATED, "workflow", "step", key, step, *answers)
    won = [d for d in done if d.returncode == 0]
    assert len(won) == 1, [d.stderr for d in done]
    assert all("already completed" in d.stderr for d in done if d.returncode != 0)


DESK_CALL = """
import os, sys, time
from datetime import date
from workbench.desk import Desk
from workbench.errors import DeskError
from workbench.plugins import get_plugins
from workbench.store import open_store
gate, call = sys.argv[1:]
desk = Desk(open_store(os.environ["WORKBENCH_DB"], lock_timeout=60), get_plugins(), actor="tanaka")
while not os.path.exists(gate):
    time.sleep(0.0005)
try:
    eval(call, {"desk": desk, "date": date})
    print("won")
except DeskError as exc:
    print(f"refused: {exc}")
"""
"""A race through the desk on a call with typed arguments (``desk.add_contract(…, start=date(…))``)."""


@pytest.fixture
def order_on_hold(run_cli) -> str:
    """A WebEx new order of a port contract, ordered: its compliance hold is next, and WX-HOLD-2
    releases it only with the customer's port-overage terms."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    port = ("--vendor", "webex", "--product", "port", "--start", "2026-11-01", "--end", "2027-10-31")
    assert run_cli("contract", "add", "--customer", "CUS-1", *port, "--quantity", "10")[0] == 0
    status, out, err = run_cli(
        "workflow", "new", "--vendor", "webex", "--template", "new-order", "--contract", "K-1", "--json"
    )
    assert status == 0, err
    key = json.loads(out)["workflow"]["id"]
    assert run_cli("workflow", "step", key, "ordered")[0] == 0
    return key


def _events(run_cli) -> list[dict]:
    status, out, _ = run_cli("export", "--format", "json")
    assert status == 0
    return json.loads(out)["events"]


@pytest.mark.parametrize("program", [GATED, DESK_CALL], ids=["cli", "desk"])
def test_a_hold_release_raced_releases_the_hold_once(run_cli, order_on_hold, tmp_path, program) -> None:
    """WX-HOLD-2 and WX-FLOW-1, decided under the writer lock: of six releases of one hold with
    the port-overage terms, one releases it; the others are refused as a late release is (the
    step was already completed), and the hold has one completion."""
    if program is GATED:
        done = race(
            tmp_path,
            run_cli.db,
            GATED,
            "workflow",
            "step",
            order_on_hold,
            "compliance-hold",
            "--field",
            "port_overage_terms=yes",
        )
        won = [d for d in done if d.returncode == 0]
        refused = [d.stderr.strip() for d in done if d.returncode != 0]
    else:
        call = f"desk.complete_step({order_on_hold!r}, 'compliance-hold', {{'port_overage_terms': True}})"
        done = race(tmp_path, run_cli.db, DESK_CALL, call)
        won = [d for d in done if d.stdout.strip() == "won"]
        refused = [d.stdout.strip() for d in done if d.stdout.strip() != "won"]
    assert len(won) == 1, [d.stdout + d.stderr for d in done]
    late = run_cli("workflow", "step", order_on_hold, "compliance-hold", "--field", "port_overage_terms=yes")
    assert late[0] == 1 and "WX-FLOW-1" in late[2] and "already completed" in late[2]
    assert len(refused) == RACERS - 1
    assert all("already completed" in r for r in refused), refused
    steps = [e for e in _events(run_cli) if e["key"] == order_on_hold and e["action"] == "step"]
    assert len(steps) == 2  # ordered, then the hold released once


@pytest.fixture
def ontime_maintenance(run_cli) -> None:
    """An OnTime licence and its maintenance, both running: technical support may be added
    (ONTIME-PROD-2) while the maintenance runs."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    ontime = ("contract", "add", "--customer", "CUS-1", "--vendor", "ontime")
    licence = ("--product", "license", "--start", "2026-04-01", "--list-price", "1200000")
    assert run_cli(*ontime, *licence)[0] == 0
    assert run_cli(*ontime, "--product", "maintenance", "--start", "2026-04-01")[0] == 0


@pytest.mark.parametrize("program", [GATED, DESK_CALL], ids=["cli", "desk"])
def test_contract_rules_raced_are_decided_on_the_contracts_as_of_the_lock(
    run_cli, ontime_maintenance, tmp_path, program
) -> None:
    """ONTIME-PROD-2 under the writer lock: one racer ends the maintenance on 2026-11-23 while
    five add technical support from 2026-11-24. Every adder judged after the end is refused
    exactly as a late single `contract add` is (no active maintenance on that date), every
    adder that won was saved before the end, and exactly one racer ended the maintenance."""
    gate = tmp_path / "gate"
    env = {**os.environ, "WORKBENCH_DB": str(run_cli.db), "WORKBENCH_NOW": NOW, "WORKBENCH_AGENT": "tanaka"}
    add_cli = (
        "contract",
        "add",
        "--customer",
        "CUS-1",
        "--vendor",
        "ontime",
        "--product",
        "technical-support",
        "--start",
        "2026-11-24",
    )
    if program is GATED:
        end, add = ("contract", "edit", "K-2", "--end", "2026-11-23"), add_cli
    else:
        end = ("desk.update_contract('K-2', end=date(2026, 11, 23))",)
        add = ("desk.add_contract('CUS-1', 'ontime', 'technical-support', date(2026, 11, 24))",)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", program, str(gate), *(end if n == 0 else add)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(RACERS)
    ]
    time.sleep(3)
    gate.touch()
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        won = racer.returncode == 0 and not out.startswith("refused")
        outcomes.append((won, out + err))
    assert outcomes[0][0], outcomes[0][1]  # ending a maintenance is never refused
    late = run_cli(*add_cli)
    assert late[0] == 2 and "ONTIME-PROD-2" in late[2] and "needs an active maintenance" in late[2], late
    for won, said in outcomes[1:]:
        assert won or ("ONTIME-PROD-2" in said and "needs an active maintenance" in said), said
    events = _events(run_cli)
    [ended] = [e["id"] for e in events if e["key"] == "K-2" and e["action"] == "update"]
    created = [e for e in events if e["action"] == "create"]
    added = [e["id"] for e in created if e["after"].get("product") == "technical-support"]
    assert len(added) == sum(won for won, _ in outcomes[1:])
    assert all(event < ended for event in added)  # none saved on top of the ended maintenance
