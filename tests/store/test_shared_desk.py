"""Several processes on one desk, on the desk file and in PostgreSQL alike: concurrent
writers lose nothing and an open desk notices the others' changes. (Writers killed while
they write: ``test_durability.py`` on the desk file, ``test_postgres.py`` in PostgreSQL.)"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from workbench.store import open_store


@pytest.fixture(params=["file", "postgresql"])
def target(request: pytest.FixtureRequest, desk_path: Path) -> str:
    """Where the shared desk is, as ``--db`` takes it: a path or a PostgreSQL URL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_desk_url")
    return str(desk_path)


WRITER = r"""
import sys
from workbench.store import open_store

target, name, changes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(target, lock_timeout=30)
print("ready", flush=True)
sys.stdin.readline()
for i in range(changes):
    with store.transaction() as tx:
        number = tx.next_number("cases")
        key = f"C-{number}"
        tx.put("cases", key, {"id": key, "writer": name, "i": i})
        tx.append_event({"kind": "cases", "key": key, "action": "create", "actor": name})
        shared = tx.get("settings", "tally") or {"key": "tally", "value": 0}
        shared["value"] += 1
        tx.put("settings", "tally", shared)
print("done", flush=True)
"""


def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_making_500_changes_each_keep_all_1000(target: str) -> None:
    writers = [spawn(WRITER, target, name, 500) for name in ("tui", "cli")]
    try:
        for writer in writers:
            assert writer.stdout.readline() == "ready\n"
        for writer in writers:  # both start at once
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in writers:
            assert writer.stdout.readline() == "done\n"
            assert writer.wait(timeout=120) == 0
    finally:
        for writer in writers:
            writer.kill()
    store = open_store(target)
    cases = store.all("cases")
    assert sorted(int(r["id"][2:]) for r in cases) == list(range(1, 1001))
    assert Counter(r["writer"] for r in cases) == {"tui": 500, "cli": 500}
    assert store.get("settings", "tally")["value"] == 1000  # every read-modify-write counted
    events = store.events()
    assert [e["id"] for e in events] == list(range(1, 1001))
    assert sorted(e["key"] for e in events) == sorted(r["id"] for r in cases)
    assert store.counters() == {"cases": 1000}


def test_an_open_desk_notices_another_process_writing(target: str, change, caught_up) -> None:
    tui = open_store(target)
    change(tui, "X-1", subject="before")
    assert tui.refresh() is False
    writer = spawn(WRITER, target, "cli", 3)
    assert writer.stdout.readline() == "ready\n"
    writer.stdin.write("go\n")
    writer.stdin.flush()
    assert writer.wait(timeout=60) == 0
    assert caught_up(tui)
    assert [r["id"] for r in tui.all("cases")] == ["X-1", "C-1", "C-2", "C-3"]
    assert len(tui.events()) == 4
    assert [e["key"] for e in tui.events("cases", "C-2")] == ["C-2"]
    assert tui.refresh() is False
