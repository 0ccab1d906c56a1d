"""``workbench run``: the desk sweeps itself on a schedule (CORE-SLA-2: a breach is recorded
once), one sweeper per desk through a lease that a killed process does not keep, a clean stop
on SIGTERM, logs on stderr. Each test starts real processes on a desk file of its own; the
desk clock is fixed by WORKBENCH_NOW, never the wall clock."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workbench.desk import Desk
from workbench.desk.workflows import step_states
from workbench.plugins import get_plugins
from workbench.store import open_store

NOW = "2026-11-24T10:00:00+09:00"
ENV = {**os.environ, "WORKBENCH_NOW": NOW, "WORKBENCH_PLUGINS": "core,ontime,zoho,bittitan,webex"}
PATIENCE = 120
"""Seconds a test waits for a line it expects (a loaded machine), never a measure."""


def workbench(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=PATIENCE,
    )


STARTED: list[subprocess.Popen[str]] = []
"""Every ``workbench run`` a test started, killed at its end if the test failed before stopping it."""


@pytest.fixture(autouse=True)
def no_runner_outlives_its_test():
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


class Runner:
    """A ``workbench run`` process whose stderr is read line by line as it comes."""

    def __init__(self, db: Path | str, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workbench", "run", *args, "--db", str(db)],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env or ENV,
        )
        STARTED.append(self.process)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str) -> str:
        """The first line (from now on) that holds ``text``."""
        while True:
            line = self._queue.get(timeout=PATIENCE)
            assert line is not None, f"ended before saying {text!r}: {self.lines}"
            self.lines.append(line)
            if text in line:
                return line

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        status = self.process.wait(timeout=PATIENCE)
        while (line := self._queue.get(timeout=PATIENCE)) is not None:
            self.lines.append(line)
        return status


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.json"
    made = workbench(path, "demo")
    assert made.returncode == 0, made.stderr
    return path


@pytest.fixture
def runners() -> Iterator[list[Runner]]:
    started: list[Runner] = []
    yield started
    for runner in started:
        if runner.process.poll() is None:
            runner.process.kill()
            runner.process.wait()


def test_run_sweeps_on_schedule_and_stops_cleanly_on_sigterm(db: Path, runners: list[Runner]) -> None:
    """CORE-SLA-2: the breaches the demo desk holds at the fixed clock are recorded by the
    scheduled sweep with nobody at a terminal, each once; SIGTERM ends the process with 0."""
    runner = Runner(db, "--every", "0.005")
    runners.append(runner)
    runner.wait_for("sweeping")
    first = runner.wait_for("open cases checked")
    assert "15 deadlines breached on 14 cases" in first
    again = runner.wait_for("open cases checked")  # the next scheduled sweep: nothing new
    assert "0 deadlines breached" in again
    assert runner.stop() == 0
    assert runner.lines[-1] == "workbench run: stopped"
    left = workbench(db, "sweep", "--json")
    assert left.returncode == 0, left.stderr
    assert json.loads(left.stdout)["breaches"] == []


def test_a_second_sweeper_refuses_or_waits_and_a_killed_one_keeps_no_lease(
    db: Path, runners: list[Runner]
) -> None:
    """One sweeper per desk: with --no-wait a second refuses (exit 1, naming the holder); a
    second that waits takes over when the first ends, even killed (SIGKILL: the kernel drops
    its flock), and then the third waits for it."""
    first = Runner(db, "--every", "1")
    runners.append(first)
    first.wait_for("open cases checked")
    refused = workbench(db, "run", "--no-wait")
    assert refused.returncode == 1
    assert "already has a sweeper" in refused.stderr
    assert f"pid {first.process.pid} " in refused.stderr
    assert "Traceback" not in refused.stderr
    second = Runner(db, "--every", "1")
    runners.append(second)
    second.wait_for(f"waiting: {db} already has a sweeper (pid {first.process.pid} ")
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    second.wait_for("sweeping")
    second.wait_for("open cases checked")
    third = Runner(db, "--every", "1")
    runners.append(third)
    third.wait_for(f"(pid {second.process.pid} ")
    assert third.stop() == 0
    assert third.lines[-1] == "workbench run: stopped before the lease came free"
    assert second.stop() == 0


def test_two_sweeps_at_once_record_each_breach_and_action_once(db: Path) -> None:
    """CORE-SLA-2 and the sweep's keys: two `workbench sweep` processes started together on the
    same desk record every breach and every action once between them."""
    command = [sys.executable, "-m", "workbench", "sweep", "--json", "--db", str(db)]
    both = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        for _ in range(2)
    ]
    reports = []
    for process in both:
        out, err = process.communicate(timeout=PATIENCE)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    breaches = [
        (b.get("case"), b.get("workflow"), b.get("deadline"), b.get("step"))
        for r in reports
        for b in r["breaches"]
    ]
    actions = [a["key"] for r in reports for a in r["applied"]]
    assert len(breaches) == 18  # 15 deadlines on cases and 3 workflow steps, once each
    assert len(set(breaches)) == len(breaches)
    assert actions and len(set(actions)) == len(actions)
    events = workbench(db, "sweep", "--json")
    assert json.loads(events.stdout)["breaches"] == [] and json.loads(events.stdout)["applied"] == []


def test_run_with_a_schedule_of_nothing_is_bad_input(db: Path) -> None:
    """--every 0 is not a schedule: exit 2 naming the option, nothing changes."""
    result = workbench(db, "run", "--every", "0")
    assert result.returncode == 2
    assert "--every" in result.stderr and "Traceback" not in result.stderr


def test_on_postgresql_the_lease_is_a_session_lock_that_dies_with_its_holder(
    pg_desk_url: str, runners: list[Runner]
) -> None:
    """One sweeper per desk in PostgreSQL too: a session advisory lock; a second refuses while
    the first runs and takes the lease once the first was killed (its connection ended)."""
    first = Runner(pg_desk_url, "--every", "1")
    runners.append(first)
    first.wait_for("open cases checked")
    refused = workbench(pg_desk_url, "run", "--no-wait")
    assert refused.returncode == 1
    assert f"already has a sweeper (workbench pid {first.process.pid} " in refused.stderr
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    second = Runner(pg_desk_url, "--every", "1", "--no-wait")
    runners.append(second)
    second.wait_for("open cases checked")
    assert second.stop() == 0


# -- notifications by webhook ------------------------------------------------------------
# `workbench run` tells an agent by webhook when a deadline of a case assigned to them becomes
# at risk or breached (CORE-SLA-2): a JSON POST to a real HTTP server the test starts on
# 127.0.0.1, each once (even across two runs), naming the rule, the deadline in the desk's time
# zone and the case ID; a delivery that fails is logged, retried and sent once it goes through.


class Hook:
    """A webhook receiver on 127.0.0.1: answers ``failures`` POSTs with 503, then 204."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[dict] = []
        self.failures = failures
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.failures > 0:
                    hook.failures -= 1
                    self.send_response(503)
                else:
                    assert self.headers["Content-Type"] == "application/json"
                    hook.received.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    started = Hook()
    yield started
    started.close()


def expected(db: Path, clock) -> set[tuple[str, str, str]]:
    """(case, deadline, state) of every at-risk or breached deadline of an assigned open case,
    read from the desk file at the same clock."""
    clock(NOW)
    store = open_store(str(db))
    try:
        desk = Desk(store, get_plugins())
        assigned = [case for case in desk.cases(open_only=True) if case.assignee]
        return {
            (case.id, deadline.name, deadline.state)
            for case, deadlines in zip(assigned, desk.deadlines_for(assigned), strict=True)
            for deadline in deadlines
            if deadline.state in ("at-risk", "breached")
        }
    finally:
        store.close()


def test_assignees_are_told_by_webhook_once_each(db: Path, hook: Hook, clock) -> None:
    """CORE-SLA-2: each at-risk or breached deadline of an assigned case is posted once, with
    its rule, its due time in the desk's zone (JST) and the case ID; a second run posts none."""
    assert workbench(db, "settings", "desk.webhook_url", hook.url).returncode == 0
    runner = Runner(db, "--every", "0.005")
    runner.wait_for("notified by webhook")
    runner.wait_for("open cases checked")  # the next sweep: its notifications were all sent
    assert runner.stop() == 0
    deadlines = [m for m in hook.received if m["kind"] == "deadline"]
    told = {(m["case"], m["deadline"], m["state"]) for m in deadlines}
    assert len(told) == len(deadlines), "each notification once"
    assert told == expected(db, clock)
    assert {m["state"] for m in deadlines} == {"at-risk", "breached"}
    for message in deadlines:
        assert message["rule"] and message["assignee"]
        assert message["due"].endswith("+09:00"), "the deadline in the desk's time zone"
        assert message["text"].startswith(f"{message['case']} {message['state']}: {message['deadline']}")
        assert f"({message['rule']})" in message["text"] and "JST" in message["text"]
    sent = len(hook.received)
    again = Runner(db, "--every", "0.005")
    again.wait_for("open cases checked")
    again.wait_for("open cases checked")
    assert again.stop() == 0
    assert len(hook.received) == sent, "a second run tells nobody twice"
    assert not any("notified" in line for line in again.lines)


def test_a_failed_delivery_is_shown_retried_and_sent_once(db: Path, hook: Hook, clock) -> None:
    """CORE-SLA-2: the webhook answers 503 to the first four tries: each failure is logged,
    the notification is tried again (at the next sweep once its tries ran out) and arrives
    once."""
    hook.failures = 4
    assert workbench(db, "settings", "desk.webhook_url", hook.url).returncode == 0
    runner = Runner(db, "--every", "0.005")
    runner.wait_for("webhook delivery failed (try 1 of 3), retrying: ")
    runner.wait_for("503")
    runner.wait_for("(try 3 of 3), trying again at the next sweep")
    runner.wait_for("notified by webhook")
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    told = [(m["case"], m["deadline"], m["state"]) for m in hook.received if m["kind"] == "deadline"]
    assert len(set(told)) == len(told)
    assert set(told) == expected(db, clock)


def test_the_webhook_is_told_of_vendor_answers_and_renewal_steps_falling_due_once(
    db: Path, hook: Hook, clock
) -> None:
    """CORE-SLA-4: a vendor's answer on an assigned case (the ball back with the desk), and
    CORE-SLA-2 on a renewal's next step at risk or past due, each posted once with its rule
    and due time in the desk's zone."""
    clock(NOW)
    store = open_store(str(db))
    try:
        desk = Desk(store, get_plugins())
        waiting = next(c for c in desk.cases(state="waiting-vendor") if c.assignee)
        steps_due = {
            w.id
            for w in desk.workflows(kind="renewal", open_only=True)
            if w.next_step and step_states(desk, w)[w.next_step.id] in ("at-risk", "breached")
        }
    finally:
        store.close()
    assert steps_due, "the demo desk has renewal steps due"
    assert (
        workbench(db, "--as", waiting.assignee, "case", "vendor-reply", waiting.id, "Patch ready").returncode
        == 0
    )
    assert workbench(db, "settings", "desk.webhook_url", hook.url).returncode == 0
    runner = Runner(db, "--every", "0.005")
    runner.wait_for("notified by webhook")
    runner.wait_for("open cases checked")
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    answered = [m for m in hook.received if m["kind"] == "vendor-reply"]
    assert [m["case"] for m in answered if m["case"] == waiting.id] == [waiting.id]
    (mine,) = [m for m in answered if m["case"] == waiting.id]
    assert mine["assignee"] == waiting.assignee and mine["rule"]
    assert mine["text"].startswith(f"{waiting.id} the vendor answered: the ball is back with the desk")
    steps = [m for m in hook.received if m["kind"] == "step-due"]
    assert {m["workflow"] for m in steps} == steps_due and len(steps) == len(steps_due)
    for message in steps:
        assert message["due"].endswith("+09:00") and "falls due" in message["text"] and message["rule"]
    sent = len(hook.received)
    again = Runner(db, "--every", "0.005")
    again.wait_for("open cases checked")
    again.wait_for("open cases checked")
    assert again.stop() == 0
    assert len(hook.received) == sent, "each once"


def test_a_webhook_that_is_not_an_address_is_bad_input(db: Path) -> None:
    result = workbench(db, "settings", "desk.webhook_url", "chat.example.com/hook")
    assert result.returncode == 2
    assert "desk.webhook_url" in result.stderr and "http://" in result.stderr


def _grown(db: Path) -> None:
    """The desk's log grown more than 2 MB past its snapshot: compaction is due."""
    store = open_store(db)
    with store.transaction() as tx:
        tx.put("customers", "CUS-900", {"id": "CUS-900", "name": "Bulk K.K.", "notes": "x" * (2 << 20)})
    assert store.compaction_due()
    store.close()


def _ended(runner: Runner, pid: int) -> str:
    return runner.wait_for(f"compaction (process {pid})")


def test_the_service_compacts_in_a_process_of_its_own_while_it_sweeps(
    db: Path, runners: list[Runner]
) -> None:
    """Issue 16: the snapshot is rewritten by `workbench compact` in a process of its own,
    its end logged in words; the service goes on sweeping, and the desk it leaves opens and
    checks (CORE-AUDIT-1: the history is never rewritten)."""
    _grown(db)
    log = Path(f"{db}.log").read_bytes()
    runner = Runner(db, "--every", "0.005")
    runners.append(runner)
    started = runner.wait_for("in process")
    pid = int(started.rsplit(" ", 1)[1])
    assert pid != runner.process.pid
    assert f"compacting {db} in process" in started
    assert f"compacted: {db}" in _ended(runner, pid)
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    assert not open_store(db).compaction_due()
    assert Path(f"{db}.log").read_bytes().startswith(log)
    doctor = workbench(db, "doctor")
    assert doctor.returncode == 0 and doctor.stdout.startswith("ok"), doctor.stdout + doctor.stderr
    shown = workbench(db, "customer", "show", "CUS-900")
    assert shown.returncode == 0 and "Bulk K.K." in shown.stdout, shown.stderr


def test_sigterm_stops_a_running_compaction_and_leaves_no_process_behind(
    db: Path, runners: list[Runner]
) -> None:
    """A SIGTERM while `workbench compact` runs ends it too and waits for it: the new snapshot
    is put in place whole by a rename or not at all, so the desk opens either way."""
    _grown(db)
    runner = Runner(db, "--every", "1")
    runners.append(runner)
    pid = int(runner.wait_for("in process").rsplit(" ", 1)[1])
    assert runner.stop() == 0
    assert any(f"compaction (process {pid})" in line for line in runner.lines), runner.lines
    assert runner.lines[-1] == "workbench run: stopped"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    doctor = workbench(db, "doctor")
    assert doctor.returncode == 0 and doctor.stdout.startswith("ok"), doctor.stdout + doctor.stderr


def test_a_compaction_that_fails_is_logged_with_its_exit_status_and_why(db: Path) -> None:
    """The service's compaction runs `workbench compact`: on a snapshot damaged since the
    service read the desk, it fails, and the service logs how, in words, and carries on."""
    from workbench.compaction import Compactions

    _grown(db)
    store = open_store(db)
    Path(db).write_bytes(b"not a snapshot")
    said: list[str] = []
    compactions = Compactions(said.append)
    compactions.after_sweep(store)
    assert said and "in process" in said[0]
    waited = time.monotonic() + PATIENCE
    while compactions.running() and time.monotonic() < waited:
        time.sleep(0.05)
    store.close()
    assert "failed (exit status 1), tried again after the next sweep" in said[-1], said
    assert str(db) in said[-1]
