"""The open cases' clocks kept between processes (``desk.json.deadlines``, issue 16): a
command that finds a case's clocks kept under the key the case has now reads them instead of
working them out from its events, and its deadlines are those worked out afresh, exactly
(CORE-SLA-1..3), whatever changed in between and whatever the clock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import clock as desk_clock
from workbench import hookimpl
from workbench.calendar import weekdays
from workbench.desk import Desk
from workbench.errors import DeskError
from workbench.model import Commitment, Rule, VendorProgram
from workbench.plugins import get_plugins
from workbench.store import open_store
from workbench.store.filestore import FileStore
from workbench.testing import DEFAULT_NOW

START = datetime.fromisoformat(DEFAULT_NOW)


class AcmePolicy:
    """A program whose rule changes with its version: every case answered within ``hours``
    business hours of its opening; an OnTime case's within the customer's user count in
    minutes, read from the customer (a read outside the key: never kept)."""

    def __init__(self, version: int) -> None:
        self.version = version

    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(
            id="acme", name="Acme policy", version=str(self.version), rules=[Rule("ACME-1", "Acme answers.")]
        )

    @hookimpl
    def workbench_commitments(self, case, desk):
        calendar = weekdays("Asia/Tokyo", "09:00", "18:00", name="Acme office hours")
        minutes = 60 * (2 + self.version)
        if case.vendor == "ontime":
            minutes = 30 + desk.customer(case.customer_id).users
        return [
            Commitment(
                f"acme answer v{self.version}",
                case.opened_at,
                minutes,
                calendar.to_dict(),
                "ACME-1",
                f"Acme answers within {minutes} business minutes",
                met_by=["respond"],
            )
        ]


def open_desk(path: Path, version: int = 1) -> Desk:
    """The desk at ``path`` as a new process opens it, with Acme's policy of ``version``."""
    return Desk(open_store(path), get_plugins([("acme", AcmePolicy(version))]), actor="tester")


def worked_out(path: Path, version: int) -> list[list[dict]]:
    """The open cases' deadlines worked out afresh: nothing kept is read or written."""
    desk = open_desk(path, version)
    desk._kept = False
    cases = desk.cases(open_only=True)
    return [[d.to_dict() for d in found] for found in desk.deadlines_for(cases)]


def as_kept(desk: Desk) -> list[list[dict]]:
    cases = desk.cases(open_only=True)
    return [[d.to_dict() for d in found] for found in desk.deadlines_for(cases)]


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo desk file (all four vendors, Acme's policy beside them), made once."""
    desk_clock.set_now(DEFAULT_NOW)
    try:
        path = tmp_path_factory.mktemp("demo") / "desk.json"
        desk = open_desk(path)
        desk.fill_demo()
        desk.store.close()
        return path
    finally:
        desk_clock.set_now(None)


def copy_of(demo: Path, folder: Path) -> Path:
    for name in ("desk.json", "desk.json.log", "desk.json.index"):
        if (demo.parent / name).exists():
            shutil.copyfile(demo.parent / name, folder / name)
    return folder / "desk.json"


# ----------------------------------------------------------------------------------------
# Random changes at random clocks: kept equals worked out, in this process and the next
# ----------------------------------------------------------------------------------------

CHANGES = st.sampled_from(
    [
        "note",
        "respond",
        "send",
        "vendor-reply",
        "vendor-reply pending",
        "pending",
        "customer-reply",
        "resolve",
        "resolve to customer",
        "reopen",
        "close",
        "new case",
        "customer",
        "contract",
        "setting hours",
        "setting share",
        "setting first response",
        "setting zoho region",
        "plugin version",
    ]
)
STEP = st.tuples(
    CHANGES, st.integers(0, 50), st.integers(0, 3 * 24 * 60), st.integers(-30 * 24 * 60, 90 * 24 * 60)
)
"""(change, which case, minutes the change comes after the last, the clock read at: minutes
from the change, back or forward)."""


def change(desk: Desk, what: str, pick: int) -> None:
    cases = desk.cases()
    case = cases[pick % len(cases)]
    customer = desk.customers()[pick % len(desk.customers())]
    match what:
        case "note":
            desk.note(case.id, "a note")
        case "respond":
            desk.note(case.id, "an answer", to_customer=True)
        case "send":
            desk.send_to_vendor(case.id, "please look")
        case "vendor-reply":
            desk.vendor_reply(case.id, "we look")
        case "vendor-reply pending":
            desk.vendor_reply(case.id, "which version?", milestone="pending")
        case "pending":
            desk.pending(case.id, "waiting for the log")
        case "customer-reply":
            desk.customer_reply(case.id, "here it is")
        case "resolve":
            desk.resolve(case.id, "fixed")
        case "resolve to customer":
            desk.resolve(case.id, "fixed", to_customer=True)
        case "reopen":
            desk.reopen(case.id, "it is back")
        case "close":
            desk.close(case.id, desk.close_reasons(case)[0].code)
        case "new case":
            desk.open_case(case.vendor, case.customer_id, f"{case.subject} again", case.fields)
        case "customer":
            desk.update_customer(customer.id, users=customer.users + 7)
        case "contract":
            contract = desk.contracts()[pick % len(desk.contracts())]
            desk.update_contract(contract.id, list_price=contract.list_price + 1000)
        case "setting hours":
            desk.set_setting("core.desk_hours", ["09:00-18:00", "08:30-17:30", "10:00-19:00"][pick % 3])
        case "setting share":
            desk.set_setting("core.at_risk_share", ["0.25", "0.5", "0.1"][pick % 3])
        case "setting first response":
            desk.set_setting("core.first_response_hours", ["4", "2", "8"][pick % 3])
        case "setting zoho region":
            desk.set_setting("zoho.region", ["apac-japan", "usa", "europe-uk"][pick % 3])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_kept_deadlines_equal_those_worked_out_after_any_change_at_any_clock(demo_desk, steps) -> None:
    """CORE-SLA-1..3, CORE-AUDIT-1: after every change — to a case, a customer, a contract,
    a setting, the rules of a plugin (its version) — and at every clock, the deadlines read
    from what one process kept equal the deadlines worked out afresh: in a process that
    keeps reading the changing desk (as the terminal desk does) and in a new one."""
    with tempfile.TemporaryDirectory() as folder:
        path = copy_of(demo_desk, Path(folder))
        version = 1
        writes_at = START
        try:
            desk_clock.set_now(writes_at)
            writer, reader = open_desk(path, version), open_desk(path, version)
            as_kept(reader)
            for what, pick, after, read_at in steps:
                writes_at += timedelta(minutes=after)
                desk_clock.set_now(writes_at)
                if what == "plugin version":
                    version += 1
                    writer, reader = open_desk(path, version), open_desk(path, version)
                else:
                    try:
                        change(writer, what, pick)
                    except DeskError:
                        pass  # refused (a rule, or not in that state): nothing changed
                desk_clock.set_now(writes_at + timedelta(minutes=read_at))
                afresh = worked_out(path, version)
                reader.store.refresh()
                assert as_kept(reader) == afresh, (what, pick)
                assert as_kept(open_desk(path, version)) == afresh, (what, pick)
                assert Path(f"{path}.deadlines").exists()
        finally:
            desk_clock.set_now(None)


def test_a_case_whose_hook_reads_another_record_is_worked_out_every_time(tmp_path, clock) -> None:
    """A hook that asks the desk for a customer (here Acme's OnTime rule) depends on what the
    key does not cover: that case is never kept, so a change of the customer shows at once."""
    desk = open_desk(tmp_path / "desk.json")
    desk.fill_demo()
    as_kept(desk)
    kept = json.loads(Path(f"{tmp_path}/desk.json.deadlines").read_bytes())
    ontime = {c.id for c in desk.cases(open_only=True) if c.vendor == "ontime"}
    others = {c.id for c in desk.cases(open_only=True)} - ontime
    assert ontime and others
    assert set(kept["cases"]) == others
    case = next(c for c in desk.cases(open_only=True) if c.vendor == "ontime")
    before = [d for d in desk.deadlines_for([case])[0] if d.rule == "ACME-1"]
    customer = desk.customer(case.customer_id)
    open_desk(tmp_path / "desk.json").update_customer(customer.id, users=customer.users + 100)
    desk.store.refresh()
    after = [d for d in desk.deadlines_for([case])[0] if d.rule == "ACME-1"]
    assert after[0].minutes == before[0].minutes + 100


# ----------------------------------------------------------------------------------------
# Through the command line
# ----------------------------------------------------------------------------------------


def listed(run_cli, *args: str) -> dict[str, dict]:
    return {row["id"]: row["next_deadline"] for row in run_cli.json("case", "list", *args)}


def test_case_list_shows_a_deadline_changed_by_another_process(run_cli) -> None:
    """CORE-SLA-3: the desk's first response is met by a response sent from another
    process; the next `case list` shows the next deadline, not the first response it kept."""
    assert run_cli("demo")[0] == 0
    kept_path = Path(f"{run_cli.db}.deadlines")
    before = listed(run_cli)
    assert kept_path.exists()
    case_id = next(key for key, d in before.items() if d and d["name"] == "desk first response")
    env = {**os.environ, "WORKBENCH_NOW": DEFAULT_NOW}
    note = [sys.executable, "-m", "workbench", "case", "note", case_id, "We are on it", "--to-customer"]
    done = subprocess.run([*note, "--db", str(run_cli.db)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    after = listed(run_cli)
    assert after[case_id] != before[case_id]
    assert after[case_id]["name"] != "desk first response"
    kept_path.unlink()
    assert listed(run_cli) == after, "the same as worked out with nothing kept"


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not json",
        b'{"format": "workbench-kept-deadlines", "version": 1',
        b"[1, 2, 3]",
        b'{"format": "workbench-kept-deadlines", "version": 1, "desk": "x", "code": "y"}',
    ],
)
def test_a_damaged_kept_file_is_ignored_in_silence_and_written_again(run_cli, damage) -> None:
    assert run_cli("demo")[0] == 0
    kept_path = Path(f"{run_cli.db}.deadlines")
    worked = run_cli("case", "list")
    kept_path.write_bytes(damage)
    status, out, err = run_cli("case", "list")
    assert (status, out, err) == worked
    assert err == ""
    assert json.loads(kept_path.read_bytes())["format"] == "workbench-kept-deadlines"


def test_a_kept_file_with_a_damaged_case_works_that_case_out_again(run_cli) -> None:
    assert run_cli("demo")[0] == 0
    worked = run_cli("case", "list")
    kept_path = Path(f"{run_cli.db}.deadlines")
    kept = json.loads(kept_path.read_bytes())
    damage = [(5, "not a time"), (5, "2026-11-24T10:00:00"), (11, "abcd"), (11, [1, "2"]), (8, 12), (10, "x")]
    for number, entry in enumerate(kept["cases"].values()):
        column, value = damage[number % len(damage)]
        entry[1][0][column] = value
    kept_path.write_text(json.dumps(kept))
    assert run_cli("case", "list") == worked


def test_a_kept_file_of_another_desk_is_not_used(run_cli, tmp_path) -> None:
    """A desk of its own (an import, a new desk at that path) has another id: the clocks
    kept beside the old one are not its clocks."""
    assert run_cli("demo")[0] == 0
    run_cli("case", "list")
    kept = Path(f"{run_cli.db}.deadlines").read_bytes()
    other = tmp_path / "other" / "desk.json"
    other.parent.mkdir()
    assert run_cli("demo", "--db", str(other))[0] == 0
    Path(f"{other}.deadlines").write_bytes(kept.replace(b"desk first response", b"desk first reply!!!"))
    assert "reply!!!" not in run_cli("case", "list", "--db", str(other))[1]
    assert json.loads(Path(f"{other}.deadlines").read_bytes())["desk"] != json.loads(kept)["desk"]


def test_a_warm_case_list_reads_no_event(run_cli, monkeypatch) -> None:
    """What `case list` needs of each open case comes from the records and the kept
    clocks: with the clocks kept, not one event is read from the log."""
    assert run_cli("demo")[0] == 0
    worked = run_cli("case", "list", "--json")
    assert Path(f"{run_cli.db}.deadlines").exists()

    def no_events(self, kind=None, key=None):
        raise AssertionError(f"read the events of {kind} {key}")

    monkeypatch.setattr(FileStore, "events", no_events)
    assert run_cli("case", "list", "--json") == worked
    assert run_cli("case", "list", "--breaching") == run_cli("case", "list", "--breaching")


def test_the_kept_file_is_no_part_of_the_desk(run_cli) -> None:
    """Doctor does not report it; a copy of the desk does not take it (it is safe to
    delete: a cache); it is the owner's only, as the desk's files are."""
    assert run_cli("demo")[0] == 0
    run_cli("case", "list")
    kept_path = Path(f"{run_cli.db}.deadlines")
    assert kept_path.stat().st_mode & 0o777 == 0o600
    status, out, err = run_cli("doctor")
    assert status == 0, err
    assert ".deadlines" not in out
    copy = run_cli.db.parent / "copy" / "desk.json"
    copy.parent.mkdir()
    status, out, err = run_cli("db", "copy", str(run_cli.db), str(copy))
    assert status == 0, err
    assert not Path(f"{copy}.deadlines").exists()


def test_a_desk_in_postgresql_keeps_its_clocks_in_the_user_s_cache_folder(
    pg_desk_url, tmp_path, monkeypatch, clock
) -> None:
    """On PostgreSQL the clocks are kept per machine, in the user's cache folder (never in the
    shared database); a change another agent makes shows in the next batch, kept or not."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    agent = open_desk(pg_desk_url)
    agent.fill_demo()
    other = open_desk(pg_desk_url)
    first = as_kept(agent)
    (kept,) = (tmp_path / "cache" / "case-workbench").glob("deadlines-*.json")
    assert as_kept(open_desk(pg_desk_url)) == first
    case = next(c for c in other.cases(open_only=True) if c.state == "open")
    other.note(case.id, "We are on it", to_customer=True)
    agent.store.refresh()
    desk = open_desk(pg_desk_url)
    desk._kept = False
    afresh = [[d.to_dict() for d in found] for found in desk.deadlines_for(desk.cases(open_only=True))]
    assert as_kept(agent) == afresh != first
    assert as_kept(open_desk(pg_desk_url)) == afresh
    assert json.loads(kept.read_bytes())["desk"] == agent.store.desk_id()
