"""Notifications by e-mail (issue #21): ``workbench run`` tells each agent, at their address,
of their cases' deadlines at risk or breached (CORE-SLA-2), of a vendor's answer (the ball back
with the desk, CORE-SLA-4), and the leads of any case and of renewal steps falling due
(CORE-TEAM-1) — each once, naming the rule, the deadline in the desk's time zone and the case
ID; immediately or as an hourly digest; a failed delivery is logged, retried and sent once.

Real processes on a demo desk file, a real SMTP server (aiosmtpd, STARTTLS and AUTH) started by
the test; the desk clock fixed by WORKBENCH_NOW."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from workbench.desk import Desk
from workbench.desk.workflows import step_states
from workbench.plugins import get_plugins
from workbench.store import open_store

from .test_run import ENV, NOW, Runner, workbench

SMTP_USER = "desk@example.co.jp"
SMTP_PASSWORD = "smtp-Pw-7x!"
SENDER = "desk@reseller-demo.co.jp"


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.json"
    made = workbench(path, "demo")
    assert made.returncode == 0, made.stderr
    return path


@pytest.fixture
def env() -> dict[str, str]:
    """The commands' environment: the SMTP login, and trust in the test server's certificate."""
    return {
        **ENV,
        "SSL_CERT_FILE": os.environ["SSL_CERT_FILE"],
        "WORKBENCH_SMTP_USER": SMTP_USER,
        "WORKBENCH_SMTP_PASSWORD": SMTP_PASSWORD,
    }


def _configure(db: Path, server, **more: str) -> None:
    for key, value in {**server.settings(), "mail.from": SENDER, **more}.items():
        result = workbench(db, "settings", key, value)
        assert result.returncode == 0, result.stderr


def _desk(db: Path) -> Desk:
    return Desk(open_store(str(db)), get_plugins())


def _team(db: Path) -> dict[str, tuple[str, bool]]:
    """Each active agent's address and whether a lead."""
    desk = _desk(db)
    try:
        return {a.email: (a.handle, a.is_lead) for a in desk.agents() if a.active}
    finally:
        desk.store.close()


def _run_until_quiet(db: Path, env: dict[str, str], told: str) -> Runner:
    """``workbench run`` until a sweep after the one that said ``told`` has passed, stopped."""
    runner = Runner(db, "--every", "0.005", env=env)
    runner.wait_for(told)
    runner.wait_for("open cases checked")
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    return runner


def test_agents_and_leads_are_told_by_email_once_each_core_team_1(demo_db, smtp_server, env, clock) -> None:
    server = smtp_server("starttls")
    _configure(demo_db, server)
    clock(NOW)  # the desk clock the runs read (WORKBENCH_NOW)
    desk = _desk(demo_db)
    try:
        waiting = next(c for c in desk.cases(state="waiting-vendor") if c.assignee and c.assignee != "sato")
        cases = [c for c in desk.cases(open_only=True) if c.assignee]
        assigned = {
            (case.id, deadline.name, deadline.state, case.assignee)
            for case, deadlines in zip(cases, desk.deadlines_for(cases), strict=True)
            for deadline in deadlines
            if deadline.state in ("at-risk", "breached")
        }
        steps_due = {
            w.id
            for w in desk.workflows(kind="renewal", open_only=True)
            if w.next_step and step_states(desk, w)[w.next_step.id] in ("at-risk", "breached")
        }
    finally:
        desk.store.close()
    reply = workbench(demo_db, "--as", "sato", "case", "vendor-reply", waiting.id, "Fixed in 11.3.3")
    assert reply.returncode == 0, reply.stderr
    runner = _run_until_quiet(demo_db, env, "by e-mail")
    team = _team(demo_db)
    leads = {email for email, (_, lead) in team.items() if lead}
    assert server.received, runner.lines
    subjects: Counter[tuple[str, str]] = Counter()
    for mail in server.received:
        assert mail.tls and mail.authenticated and mail.sender == SENDER
        (to,) = mail.recipients
        assert to in team and mail.message["To"] == to
        subject = mail.message["Subject"].strip()  # Python folds a long ASCII subject with () onto a new line
        subjects[(to, subject)] += 1
        assert re.match(r"\[(C|W)-\d+\] ", subject), subject
        assert re.search(r"\([A-Z]+-[A-Z0-9]+-\d+\) due \d{4}-\d\d-\d\d \d\d:\d\d JST$", subject), subject
        body = mail.message.get_content()
        assert "times in the desk's time zone (Asia/Tokyo)" in body
    assert max(subjects.values()) == 1, "each event once to each agent"
    for case_id, deadline, state, assignee in assigned:
        address = next(e for e, (h, _) in team.items() if h == assignee)
        for to in {address} | leads:
            assert any(s.startswith(f"[{case_id}] {state}: {deadline} (") for t, s in subjects if t == to), (
                f"{to} not told of {case_id} {deadline} {state}"
            )
    agents_told = {to for to, _ in subjects if to not in leads}
    for to in agents_told:  # an agent hears of their own cases only; a lead of any case
        handle = team[to][0]
        mine = {c for c, _, _, a in assigned if a == handle}
        assert {re.match(r"\[(C-\d+)\]", s)[1] for t, s in subjects if t == to} <= mine | {waiting.id}
    answered = [s for t, s in subjects if s.startswith(f"[{waiting.id}] the vendor answered")]
    assert len(answered) == 2, "the assignee and the lead"
    for workflow in steps_due:
        assert any(s.startswith(f"[{workflow}] ") and "falls due" in s for t, s in subjects if t in leads)
    sent = len(server.received)
    recorded = _desk(demo_db)
    try:
        notified = [e for e in recorded.events("cases", waiting.id) if e.action == "notify"]
        assert {e.data["agent"] for e in notified if e.data.get("channel") == "email"} == {
            waiting.assignee,
            "sato",
        }
    finally:
        recorded.store.close()
    again = Runner(demo_db, "--every", "0.005", env=env)
    again.wait_for("open cases checked")
    again.wait_for("open cases checked")
    assert again.stop() == 0
    assert len(server.received) == sent, "a second run tells nobody twice"


def test_an_hourly_digest_tells_each_agent_everything_in_one_message(demo_db, smtp_server, env) -> None:
    server = smtp_server("starttls")
    _configure(demo_db, server, **{"mail.notify": "hourly"})
    runner = _run_until_quiet(demo_db, env, "by e-mail")
    told = [m.recipients[0] for m in server.received]
    assert len(told) == len(set(told)), "one digest per agent in the hour"
    lines = [line for line in runner.lines if "by e-mail:" in line]
    for mail in server.received:
        handle = _team(demo_db)[mail.recipients[0]][0]
        body = mail.message.get_content()
        mine = [line for line in lines if f"notified {handle} by e-mail:" in line]
        assert mail.message["Subject"] == f"Case Workbench: {len(mine)} notifications for {handle}"
        for line in mine:
            assert line.split("by e-mail: ", 1)[1] in body


def test_a_failed_delivery_is_logged_retried_and_sent_once(demo_db, smtp_server, env) -> None:
    server = smtp_server("starttls", refuse=4)
    _configure(demo_db, server)
    runner = Runner(demo_db, "--every", "0.005", env=env)
    runner.wait_for("e-mail notification to ")
    runner.wait_for("(try 3 of 3), trying again at the next sweep: not sent: ")
    runner.wait_for("by e-mail:")
    runner.wait_for("open cases checked")
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    failures = [line for line in runner.lines if "e-mail notification to" in line and "failed" in line]
    assert len(failures) == 4 and all("554 5.7.1 Message refused by policy" in line for line in failures)
    delivered = Counter((m.recipients[0], m.message["Subject"].strip()) for m in server.received)
    assert max(delivered.values()) == 1
    told = [line for line in runner.lines if "by e-mail:" in line]
    assert len(told) == len(server.received)


def test_without_an_smtp_server_nothing_is_mailed_and_the_log_says_why(demo_db, env) -> None:
    runner = Runner(demo_db, "--every", "0.005", env=env)
    runner.wait_for("notifications by e-mail wait for an SMTP server (mail.smtp_host)")
    runner.wait_for("open cases checked")
    assert runner.stop() == 0
    assert sum("wait for an SMTP server" in line for line in runner.lines) == 1, "said once"
