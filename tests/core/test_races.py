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
