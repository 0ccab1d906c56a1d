"""Writers killed at random moments (the durability tests of the desk file and of
PostgreSQL): real processes forked from one ``sys.executable -c`` server that has imported
the store once (a fresh interpreter costs a quarter of a second; hundreds of them would
dominate the suite), each writing and committing on its own until it is killed by SIGKILL.

Write ``n`` puts case ``K-n`` (``{"id", "n", "pad"}``) with its ``create`` event and the
``cases`` counter in one transaction, then acknowledges it on stdout."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path

import pytest

FORK_SERVER = r"""
import os, sys
from workbench.store import open_store
from workbench.store.filestore import FileStore

for request in sys.stdin:
    target, first, compact_bytes = request.split()
    pid = os.fork()
    if pid == 0:
        if compact_bytes == "-":
            store = open_store(target)
        else:
            store = FileStore(target, compact_bytes=int(compact_bytes))
        number = int(first)
        while True:
            key = f"K-{number}"
            with store.transaction() as tx:
                tx.put("cases", key, {"id": key, "n": number, "pad": "x" * (number % 500)})
                tx.append_event({"kind": "cases", "key": key, "action": "create"})
                tx.next_number("cases")
            os.write(1, f"ack {number}\n".encode())
            number += 1
    os.write(1, f"pid {pid}\n".encode())
    os.waitpid(pid, 0)
    os.write(1, b"gone\n")
"""

REPLY_SECONDS = 120
"""How long one line from the writers may take, even on a loaded machine, before the test
fails instead of hanging."""


class Writers:
    """The fork server and the writer it forked last. Its stdout is one pipe for both: the
    server's ``pid``/``gone`` lines and the writer's ``ack`` lines, in whatever order they
    happen (a writer may acknowledge its first write before the server says its pid). A
    thread reads it so that every wait for a line is bounded."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.writer: int | None = None

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")

    def reply(self, waiting_for: str) -> tuple[str, int | None]:
        try:
            line = self.lines.get(timeout=REPLY_SECONDS)
        except queue.Empty:
            pytest.fail(f"no line from the writers within {REPLY_SECONDS} s while waiting for {waiting_for}")
        if not line:
            pytest.fail(
                f"the fork server exited (code {self.process.poll()}) while waiting for {waiting_for}"
            )
        word, *number = line.split()
        return word, int(number[0]) if number else None

    def start(self, target: Path | str, first: int, compact_bytes: int | None = None) -> int:
        """Fork a writer on the desk at ``target`` (a desk file's path, with the log size
        that makes it compact, or any desk ``open_store`` opens when ``compact_bytes`` is
        None), its first write numbered ``first``; the number of the last write it
        acknowledged meanwhile."""
        self.process.stdin.write(f"{target} {first} {'-' if compact_bytes is None else compact_bytes}\n")
        last = first - 1
        while self.writer is None:
            word, number = self.reply("the pid of the new writer")
            if word == "pid":
                self.writer = number
            else:
                last = number
        return last

    def acknowledged(self) -> int:
        """Wait for the writer's next acknowledged write; its number."""
        word, number = self.reply("an acknowledged write")
        assert word == "ack", f"the writer stopped before it wrote ({word})"
        return number

    def kill(self, last: int) -> int:
        """SIGKILL the writer and wait until it is gone; the last write it acknowledged."""
        os.kill(self.writer, signal.SIGKILL)
        while (reply := self.reply("the killed writer to be gone"))[0] != "gone":
            last = reply[1]
        self.writer = None
        return last

    def stop(self) -> None:
        if self.writer is not None:
            with suppress(ProcessLookupError):  # already gone
                os.kill(self.writer, signal.SIGKILL)
        self.process.kill()
        self.process.wait(timeout=REPLY_SECONDS)
