"""A command writes all of its change or nothing, and a record's history is in time order
(CORE-AUDIT-1). What follows from a change (pauses, deadlines, who held the ball) is worked
out before it is saved; a change dated before the record's last event is refused; one
record the desk cannot work out never takes a listing, the sweep or an export down."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from workbench.store import FileStore
from workbench.testing import desk_files

DEMO_NOW = "2026-11-24T10:00+09:00"


@pytest.fixture
def demo(run_cli) -> Path:
    assert run_cli("demo", "--now", DEMO_NOW)[0] == 0
    return run_cli.db


def _still_works(run_cli) -> None:
    for command in (
        ("case", "list"),
        ("sweep", "--now", DEMO_NOW),
        ("export", "--format", "csv"),
        ("case", "show", "C-4"),
    ):
        status, _, err = run_cli(*command)
        assert status == 0, (command, err)


def _last_event(run_cli, case: str) -> str:
    status, out, _ = run_cli("case", "show", case, "--json")
    return json.loads(out)["events"][-1]["at"]


@pytest.mark.parametrize(
    "command",
    [
        ("case", "reply", "C-4", "reply", "--now", "2026-11-20T09:00+09:00"),  # pending since later
        ("case", "send", "C-28", "--now", "0001-01-01T00:00+00:00"),
        ("case", "note", "C-4", "we answered", "--to-customer", "--now", "2026-11-19T09:00+09:00"),
        ("customer", "edit", "CUS-1", "--users", "12", "--now", "2000-01-01T00:00+09:00"),
    ],
    ids=["reply before the pause began", "send in year 1", "back-dated response", "back-dated customer edit"],
)
def test_a_change_dated_before_the_records_last_event_is_refused(run_cli, demo, command) -> None:
    """CORE-AUDIT-1: exit 2 naming the record, the time asked and the time of its last event;
    every file of the desk unchanged; every command still works afterwards."""
    before = desk_files(demo)
    status, out, err = run_cli(*command)
    assert status == 2, err
    record = command[2]
    assert f"{record}:" in err and "before its last event" in err and "CORE-AUDIT-1" in err
    asked = command[command.index("--now") + 1]
    assert asked[:10] in err or "0001-01-01" in err
    assert desk_files(demo) == before
    _still_works(run_cli)


def test_the_future_still_answers_what_if_and_drives_the_sweep(run_cli, demo) -> None:
    status, out, err = run_cli("sweep", "--now", "2026-12-24T10:00+09:00", "--json")
    assert status == 0, err
    assert json.loads(out)["breaches"]
    assert run_cli("case", "note", "C-4", "later", "--now", "2026-12-24T11:00+09:00")[0] == 0


def test_a_sweep_before_a_cases_last_event_leaves_that_case_and_names_it(run_cli, demo) -> None:
    assert run_cli("case", "note", "C-4", "much later", "--now", "2026-12-24T11:00+09:00")[0] == 0
    status, out, err = run_cli("sweep", "--now", "2026-12-01T10:00+09:00", "--json")
    assert status == 0, err
    skipped = {item["case"]: item["reason"] for item in json.loads(out)["skipped"]}
    assert "C-4" in skipped and "before its last event" in skipped["C-4"]


@pytest.fixture
def one_bad_case(run_cli) -> Path:
    """A desk with two cases, one of them damaged outside the desk (a pause that ends before
    it starts, as the old back-dated reply saved)."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    for subject in ("Sync stops", "Calendar empty"):
        new = ("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", subject)
        assert run_cli(*new)[0] == 0
    store = FileStore(run_cli.db)
    with store.transaction() as tx:
        case = tx.get("cases", "C-2")
        case["pauses"] = [{"start": "2026-11-24T03:00:00+00:00", "end": "2026-11-20T00:00:00+00:00"}]
        tx.put("cases", "C-2", case)
    store.close()
    return run_cli.db


def test_one_bad_record_never_takes_a_listing_down(run_cli, one_bad_case) -> None:
    status, out, err = run_cli("case", "list")
    assert status == 0, err
    assert "C-1" in out and "case C-2 cannot be shown" in err and "Traceback" not in err
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0 and [c["id"] for c in json.loads(out) if c["id"] == "C-1"]
    status, out, err = run_cli("export", "--format", "csv")
    assert status == 0 and "C-1" in out and "case C-2 cannot be shown" in err
    status, out, err = run_cli("sweep", "--json")
    assert status == 0, err
    assert [item["case"] for item in json.loads(out)["skipped"]] == ["C-2"]
    status, out, err = run_cli("doctor", "--json")
    assert status == 1
    assert any(p.startswith("case C-2 cannot be worked out") for p in json.loads(out)["problems"])


def test_a_change_reads_the_cases_history_once_to_work_out_what_it_leaves(
    run_cli, demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change reads the case's events from the store once, in its transaction: for the
    time order of its history and for what it leaves (the case's clocks and who held the
    ball, CORE-AUDIT-1), not again for each plugin's clocks asking for them (CORE-SLA-3).
    A change to a case with 2,000 notes read them four times."""
    reads: list[tuple[str | None, str | None]] = []
    changing: list[bool] = []
    real_transaction, real_events = FileStore.transaction, FileStore.events

    @contextmanager
    def transaction(store: FileStore) -> Iterator[Any]:
        with real_transaction(store) as tx:
            changing.append(True)
            try:
                yield tx
            finally:
                changing.pop()

    def events(store: FileStore, kind: str | None = None, key: str | None = None) -> list:
        if changing:
            reads.append((kind, key))
        return real_events(store, kind, key)

    monkeypatch.setattr(FileStore, "transaction", transaction)
    monkeypatch.setattr(FileStore, "events", events)
    status, _, err = run_cli("case", "note", "C-4", "a note", "--now", DEMO_NOW)
    assert status == 0, err
    assert reads.count(("cases", "C-4")) == 1, reads
