"""A desk server for a test: a private runtime folder (``XDG_RUNTIME_DIR``: a socket's path is
limited to 108 bytes), the environment commands run in, the server there, stopped at the end."""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from workbench.daemon import client

WORKBENCH = str(Path(sys.executable).with_name("workbench"))
NOW = "2026-11-24T10:00+09:00"
PATIENCE = 60.0
"""How long a test waits for a process it expects to come or go (a guard, not a measure)."""


def wait_until(check, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {PATIENCE:.0f} s for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Place:
    """A private runtime folder, the environment commands run in, and the server there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(folder / "run"),
            "WORKBENCH_NOW": NOW,
            "WORKBENCH_DAEMON": "manual",
        }
        self.env.pop("WORKBENCH_DB", None)
        self.started: list[int] = []

    def run(self, *args: str, served: bool = True, **options) -> subprocess.CompletedProcess:
        env = {**self.env, **options.pop("env", {})}
        env["WORKBENCH_DAEMON"] = env["WORKBENCH_DAEMON"] if served else "off"
        return subprocess.run([WORKBENCH, *args], env=env, capture_output=True, timeout=PATIENCE, **options)

    def status(self) -> dict | None:
        """What the server here says of itself (asked over its socket), ``None`` if none answers."""
        for path in (self.folder / "run" / "case-workbench").glob("*.sock"):
            connection = client.connect(str(path))
            if connection is not None:
                with socket.socket(fileno=connection.detach()) as sock:
                    client.request(sock, {"kind": "status"})
                    size = int.from_bytes(client.receive(sock, 4), "little")
                    return marshal.loads(client.receive(sock, size))
        return None

    def start(self) -> dict:
        done = self.run("daemon", "start", "--json", served=False)
        assert done.returncode == 0, done.stderr
        started = json.loads(done.stdout)
        self.started.append(started["pid"])
        return started

    def stop_all(self) -> None:
        running = self.status()
        if running is not None:
            self.started.append(running["pid"])
            done = self.run("daemon", "stop", "--json", served=False)
            assert done.returncode == 0, done.stderr
        for pid in self.started:
            wait_until(lambda pid=pid: not alive(pid), f"server {pid} to exit")


@contextlib.contextmanager
def a_place() -> Iterator[Place]:
    folder = Path(tempfile.mkdtemp(prefix="wbd-"))
    here = Place(folder)
    try:
        yield here
    finally:
        here.stop_all()
        shutil.rmtree(folder, ignore_errors=True)


def a_desk(place: Place) -> Path:
    path = place.folder / "desk.json"
    made = place.run("demo", "--db", str(path), served=False)
    assert made.returncode == 0, made.stderr
    return path
