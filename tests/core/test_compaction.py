"""Compaction where nobody waits for it: a change through the application's desk never
rewrites the snapshot; ``workbench compact``, the sweep, and a background process started
after a command do (CORE-AUDIT-1: the log, the history, is never rewritten by any of them)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from workbench.store import open_store
from workbench.store.snapshot import snapshot_checkpoint

BULK = "x" * (2 << 20)
"""A customer note past the 2 MB the log may grow beyond the snapshot."""


def grown_desk(path: Path) -> None:
    """A desk whose log has grown more than 2 MB past its snapshot."""
    store = open_store(path)
    with store.transaction() as tx:
        tx.put("customers", "CUS-1", {"id": "CUS-1", "name": "Acme K.K."})
    with store.transaction() as tx:
        tx.put("customers", "CUS-2", {"id": "CUS-2", "name": "Bulk K.K.", "notes": BULK})
    assert store.compaction_due()
    store.close()


def covers_the_log(path: Path) -> bool:
    return snapshot_checkpoint(str(path)) == os.path.getsize(str(path) + ".log")


def test_core_audit1_a_change_never_rewrites_the_snapshot(tmp_path: Path):
    """However far the log has grown past the snapshot, a change only appends to the log."""
    path = tmp_path / "desk.json"
    grown_desk(path)
    snapshot = path.read_bytes()
    store = open_store(path)
    for number in range(3):
        with store.transaction() as tx:
            tx.put("customers", f"CUS-{number + 3}", {"id": f"CUS-{number + 3}", "name": f"C{number}"})
    assert path.read_bytes() == snapshot
    assert store.compaction_due()
    store.close()


def test_core_audit1_workbench_compact_rewrites_the_snapshot_once_due(tmp_path: Path, run_cli):
    path = tmp_path / "desk.json"
    grown_desk(path)
    log = Path(str(path) + ".log").read_bytes()
    assert run_cli("compact", "--if-due", "--db", str(path))[1].startswith("compacted")
    assert covers_the_log(path)
    assert run_cli("compact", "--if-due", "--db", str(path))[1].startswith("nothing to compact")
    assert Path(str(path) + ".log").read_bytes() == log
    assert open_store(path).get("customers", "CUS-2")["notes"] == BULK


def test_core_audit1_the_sweep_compacts_before_it_returns(tmp_path: Path, run_cli):
    path = tmp_path / "desk.json"
    grown_desk(path)
    status, _, _ = run_cli("sweep", "--db", str(path))
    assert status == 0
    assert covers_the_log(path)


def test_core_audit1_a_command_starts_the_compaction_in_the_background(tmp_path: Path):
    """A command run on a desk whose log has grown starts ``workbench compact`` in a
    process of its own and returns; that process rewrites the snapshot."""
    path = tmp_path / "desk.json"
    grown_desk(path)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "customer", "list", "--db", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Bulk K.K." in done.stdout
    deadline = time.monotonic() + 120
    while not covers_the_log(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert covers_the_log(path)


def test_core_audit1_compacting_needs_no_agent(tmp_path: Path, run_cli, monkeypatch):
    """A desk with a team (CORE-TEAM-1) is compacted by whoever runs the command: it
    changes no record (a command run ``--as`` an agent starts it without that option)."""
    from workbench.desk import Desk
    from workbench.plugins import get_plugins

    path = tmp_path / "desk.json"
    store = open_store(path)
    Desk(store, get_plugins(), actor="tester").fill_demo()
    with store.transaction() as tx:
        tx.put("customers", "CUS-900", {"id": "CUS-900", "name": "Bulk K.K.", "notes": BULK})
    store.close()
    monkeypatch.setenv("WORKBENCH_AGENT", "nobody-on-the-team")
    status, out, err = run_cli("compact", "--if-due", "--db", str(path))
    assert (status, err) == (0, "")
    assert out.startswith("compacted")
    assert covers_the_log(path)
