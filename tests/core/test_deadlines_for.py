"""The queue's deadlines, many cases at once (``Desk.deadlines_for``), are the per-case
ones (``Desk.deadlines``) exactly."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store.memory import MemoryStore

NOWS = [
    "2026-11-24T10:00:00+09:00",  # the demo's own morning
    "2026-11-24T19:30:00+09:00",  # after desk hours
    "2026-11-28T12:00:00+09:00",  # a Saturday
    "2026-12-31T23:00:00+09:00",  # into the new-year holidays
    "2027-02-15T09:00:00+09:00",  # months later: most clocks breached
]


@pytest.mark.parametrize("now", NOWS)
def test_many_at_once_equal_one_by_one(desk, clock, now):
    desk.fill_demo()
    clock(now)
    cases = desk.cases()
    assert cases and any(c.state == "closed" for c in cases)
    assert desk.deadlines_for(cases) == [desk.deadlines(case) for case in cases]


def test_each_call_reads_the_settings_afresh(desk, clock):
    desk.fill_demo()
    clock("2026-11-25T16:00:00+09:00")
    cases = desk.cases(open_only=True)
    before = desk.deadlines_for(cases)
    desk.set_setting("core.desk_hours", "08:00-20:00")
    desk.set_setting("core.at_risk_share", "0.6")
    after = desk.deadlines_for(cases)
    assert after == [desk.deadlines(case) for case in cases]
    assert after != before


def test_no_case_no_deadlines(desk):
    assert desk.deadlines_for([]) == []


class CountingStore(MemoryStore):
    """An in-memory store that counts the reads the read cache keeps: settings and events."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[tuple[str, str]] = Counter()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        if kind == "settings":
            self.reads[kind, key] += 1
        return super().get(kind, key)

    def events(self, kind: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        self.reads[kind or "", key or ""] += 1
        return super().events(kind, key)


def test_a_batch_reads_each_setting_and_each_case_s_events_once(clock):
    """The read cache of ``deadlines_for`` (ReadCache): every setting the cases' clocks and
    their plugins ask for, and every case's events, come from the store once per call."""
    store = CountingStore()
    desk = Desk(store, get_plugins(), actor="tester")
    desk.fill_demo()
    clock("2026-11-25T16:00:00+09:00")
    cases = desk.cases(open_only=True)
    assert len(cases) > 1
    store.reads.clear()
    desk.deadlines_for(cases)
    assert {("cases", case.id) for case in cases} <= set(store.reads)
    assert any(kind == "settings" for kind, _ in store.reads)
    assert set(store.reads.values()) == {1}
    store.reads.clear()
    desk.deadlines_for(cases)
    assert set(store.reads.values()) == {1}, "a new call reads afresh"


def test_a_sweep_asks_for_every_open_case_s_deadlines_in_one_batch(clock):
    """CORE-SLA-2: the sweep checks every open case's deadlines for breaches through one
    batch (``deadlines_for``): the setting every deadline reads is read once per sweep, not
    once per case, and a second sweep at the same time finds the same nothing to do."""
    store = CountingStore()
    desk = Desk(store, get_plugins(), actor="tester")
    desk.fill_demo()
    clock("2026-12-15T16:00:00+09:00")
    desk.sweep()
    open_cases = desk.cases(open_only=True)
    assert len(open_cases) > 1
    store.reads.clear()
    report = desk.sweep()
    assert report.checked == len(open_cases)
    assert (report.applied, report.breaches) == ([], [])
    assert store.reads["settings", "core.at_risk_share"] == 1
    assert {store.reads["cases", case.id] for case in open_cases} <= {1, 2}


def test_the_workload_reads_each_open_case_s_events_once(clock):
    """The lead's workload computes every open case's deadlines and its desk ball time per
    agent through one batch: each case's events come from the store once."""
    store = CountingStore()
    desk = Desk(store, get_plugins(), actor="tester")
    desk.fill_demo()
    open_cases = desk.cases(open_only=True)
    store.reads.clear()
    loads = desk.workload()
    assert sum(len(load.cases) for load in loads) == len(open_cases)
    assert {store.reads["cases", case.id] for case in open_cases} == {1}
