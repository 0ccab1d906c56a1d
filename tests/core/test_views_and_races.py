"""Several agents on one desk, each with a store of its own (memory: one store shared; the
desk file; PostgreSQL): the desk behaves the same on each, and a change made on a view
that another agent has since changed is refused (CORE-AUDIT-1), never written over theirs —
also when two processes race."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.desk import Desk, Stale
from workbench.plugins import get_plugins
from workbench.store import MemoryStore, Store, open_store
from workbench.testing import DEFAULT_NOW


class Agents:
    """``agent(name)``: a desk acting as ``name``, on a store of its own opened on the
    test's desk at :attr:`target` (in memory, where there is none, all share one store)."""

    def __init__(self, target: str | None, caught_up: Callable[[Store], bool]) -> None:
        self.target = target
        self._caught_up = caught_up
        self.plugins = get_plugins()
        self.opened: list[Store] = [] if target else [MemoryStore()]

    def sees_the_others(self, desk: Desk) -> None:
        """``desk`` has picked up the other agents' last change (one store in memory:
        there is nothing to pick up)."""
        if self.target is not None:
            assert self._caught_up(desk.store), "another agent's change never arrived"

    def __call__(self, name: str) -> Desk:
        if self.target is None:
            return Desk(self.opened[0], self.plugins, actor=name)
        self.opened.append(open_store(self.target))
        return Desk(self.opened[-1], self.plugins, actor=name)


@pytest.fixture(params=["memory", "file", "postgresql"])
def agent(request: pytest.FixtureRequest, tmp_path: Path, clock, caught_up) -> Iterator[Agents]:
    if request.param == "memory":
        target = None
    elif request.param == "file":
        target = str(tmp_path / "desk.json")
    else:
        target = request.getfixturevalue("pg_desk_url")
    agents = Agents(target, caught_up)
    yield agents
    for store in agents.opened:
        store.close()


@pytest.fixture
def webex_case(agent: Agents) -> str:
    """A WebEx case of the demo desk, sent to the vendor with evidence attached."""
    desk = agent("sato")
    desk.fill_demo()
    customer = next(c.customer_id for c in desk.contracts(vendor="webex"))
    case = desk.open_case("webex", customer, "Meeting join fails", {"kind": "technical"})
    desk.attach_evidence(case.id, "log", "join log with the error")
    desk.send_to_vendor(case.id, "sent to Cisco")
    return case.id


def test_the_desk_works_the_same_on_every_store(agent: Agents, webex_case: str) -> None:
    """A slice of the desk's work — the demo, a new case, evidence, sending it, a note, an
    escalation, closing — each read back by another agent's desk."""
    sato, tanaka = agent("sato"), agent("tanaka")
    tanaka.store.refresh()
    tanaka.note(webex_case, "called the customer")
    view = tanaka.view(webex_case)
    technical = next(o for o in view.options if o.track == "technical")
    assert technical.decision is not None and technical.decision.allowed, technical.decision
    tanaka.escalate(webex_case, "technical", reason="join fails for everyone")
    agent.sees_the_others(sato)
    assert sato.case(webex_case).level("technical") == 1
    assert [e.action for e in sato.events("cases", webex_case)][-2:] == ["note", "escalate"]
    assert [e.actor for e in sato.events("cases", webex_case)][-2:] == ["tanaka", "tanaka"]
    reason = sato.close_reasons(sato.case(webex_case))[0].code
    sato.close(webex_case, reason, "fixed by Cisco")
    agent.sees_the_others(tanaka)
    assert tanaka.case(webex_case).state == "closed"
    assert webex_case in [c.id for c in tanaka.cases(state="closed")]
    assert webex_case not in [c.id for c in tanaka.cases(open_only=True)]


def test_a_change_on_a_view_another_agent_changed_since_is_refused(agent: Agents, webex_case: str) -> None:
    """CORE-AUDIT-1: "C-12 changed by tanaka at 10:00 since you opened it" — nothing of
    sato's change is written; on the view read again it goes through."""
    sato, tanaka = agent("sato"), agent("tanaka")
    sato.store.refresh()
    opened = sato.view(webex_case)
    tanaka.store.refresh()
    tanaka.note(webex_case, "tanaka's note")
    with pytest.raises(Stale) as stale:
        with sato.viewing("cases", webex_case, opened.version):
            sato.note(webex_case, "sato's note on the old view")
    assert stale.value.decision.rule == "CORE-AUDIT-1"
    assert f"{webex_case} changed by tanaka at 10:00 since you opened it" in str(stale.value)
    assert [e.data.get("text") for e in agent("emma").events("cases", webex_case)][-1] == "tanaka's note"
    again = sato.view(webex_case)  # the refused transaction brought sato's desk up to date
    with sato.viewing("cases", webex_case, again.version):
        sato.note(webex_case, "sato's note, having read tanaka's")
    assert [e.actor for e in agent("emma").events("cases", webex_case)][-2:] == ["tanaka", "sato"]


RACER = r"""
import json, sys
from workbench.desk import Desk, Refused
from workbench.plugins import get_plugins
from workbench.store import open_store

target, key, name = sys.argv[1:4]
desk = Desk(open_store(target, lock_timeout=30), get_plugins(), actor=name)
version = desk.view(key).version
print("ready", flush=True)
sys.stdin.readline()
try:
    with desk.viewing("cases", key, version):
        case = desk.escalate(key, "technical", reason=f"{name} escalates")
    print(json.dumps({"won": case.level("technical")}), flush=True)
except Refused as refused:
    print(json.dumps({"refused": str(refused)}), flush=True)
"""


@pytest.mark.parametrize("agent", ["file", "postgresql"], indirect=True)
def test_of_two_racing_escalations_exactly_one_wins(
    agent: Agents, webex_case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two agents in two processes, each with its own connection, escalate the case they
    both opened at the same moment: one climbs a level, the other is refused."""
    monkeypatch.setenv("WORKBENCH_NOW", DEFAULT_NOW)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, agent.target, webex_case, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("sato", "tanaka")
    ]
    try:
        for racer in racers:
            assert racer.stdout.readline() == "ready\n"
        for racer in racers:
            racer.stdin.write("go\n")
            racer.stdin.flush()
        results = [json.loads(racer.stdout.readline()) for racer in racers]
    finally:
        for racer in racers:
            racer.kill()
            racer.wait()
    won = [r for r in results if "won" in r]
    refused = [r["refused"] for r in results if "refused" in r]
    assert won == [{"won": 1}] and len(refused) == 1, results
    assert "refused by CORE-AUDIT-1" in refused[0] and "since you opened it" in refused[0]
    desk = agent("emma")
    assert desk.case(webex_case).level("technical") == 1
    assert [e.action for e in desk.events("cases", webex_case)].count("escalate") == 1


def _url_of(agent: Agents) -> str:
    raise AssertionError("replaced below")
