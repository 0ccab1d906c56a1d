"""One writer at a time across processes, and nobody's write ever lost."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.store import FileStore, StoreLocked

WRITER = r"""
import sys
from workbench.store.filestore import FileStore

path, name, changes = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = FileStore(path, compact_bytes=20_000, lock_timeout=30)
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

HOLDER = r"""
import sys, time
from workbench.store.filestore import FileStore

store = FileStore(sys.argv[1])
with store.transaction() as tx:
    tx.put("cases", "C-1", {"id": "C-1", "state": "open"})
    print("locked", flush=True)
    time.sleep(60)
"""


def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_locked_desk_names_the_process_that_holds_it(desk_path: Path) -> None:
    holder = spawn(HOLDER, desk_path)
    try:
        assert holder.stdout.readline() == "locked\n"
        waiting = FileStore(desk_path, lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(StoreLocked) as locked:
            with waiting.transaction():
                pass
        assert time.monotonic() - started >= 0.3
        message = str(locked.value)
        assert str(desk_path) in message
        assert f"pid {holder.pid}" in message
        assert socket.gethostname() in message
        assert "-c" in message and "waited 0.3 s" in message
        assert waiting.all("cases") == []  # reading needs no lock
    finally:
        holder.kill()
        holder.wait()
    with waiting.transaction() as tx:  # the holder died: its lock went with it
        tx.put("cases", "C-2", {"id": "C-2"})
    assert [r["id"] for r in FileStore(desk_path).all("cases")] == ["C-2"]


def test_a_writer_waits_a_few_seconds_by_default(desk_path: Path) -> None:
    assert 2 <= FileStore(desk_path).lock_timeout <= 10
