"""The plugin author's kit: fixtures and a conformance check any vendor plugin can run.

In a plugin's ``conftest.py``::

    pytest_plugins = ["workbench.testing"]

gives the fixtures ``desk`` (an in-memory desk with every installed plugin, clock fixed at
:data:`DEFAULT_NOW`), ``clock`` (move the desk clock: ``clock("2026-11-23T09:00+09:00")``)
and ``run_cli`` (the ``workbench`` command, in-process, on a desk file of the test's own;
``run_cli.json(...)`` expects an exit status and gives the JSON document back).
:func:`desk_files` reads a desk's files byte for byte, to show that a refusal changed nothing.
:func:`check_program` lists what a program declaration lacks, and :func:`conformance` what
a plugin does against the contract (see :mod:`workbench.conformance`): in a plugin's tests,
``assert conformance("acme") == []``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from workbench import clock as desk_clock
from workbench.cli import main
from workbench.conformance import conformance
from workbench.desk import Desk
from workbench.model import VendorProgram
from workbench.plugins import get_plugins
from workbench.store.memory import MemoryStore

DEFAULT_NOW = "2026-11-24T10:00:00+09:00"
"""A Tuesday, 10:00 in Tokyo: inside every business calendar the vendors use."""

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")

__all__ = [
    "DEFAULT_NOW",
    "check_program",
    "clock",
    "conformance",
    "desk",
    "desk_files",
    "make_desk",
    "run_cli",
]


def make_desk(extra: list[tuple[str, object]] | None = None, actor: str = "tester") -> Desk:
    """A desk on an in-memory store with every installed plugin (and ``extra`` ones)."""
    return Desk(MemoryStore(), get_plugins(extra), actor=actor)


@pytest.fixture
def clock() -> Iterator[Callable[[str | datetime], datetime]]:
    """Set the desk clock; returns the instant set. Released after the test."""

    def move(value: str | datetime) -> datetime:
        desk_clock.set_now(value)
        return desk_clock.now()

    move(DEFAULT_NOW)
    yield move
    desk_clock.set_now(None)


@pytest.fixture
def desk(clock) -> Desk:
    """An empty in-memory desk with every installed plugin, clock at :data:`DEFAULT_NOW`."""
    return make_desk()


class RunCli:
    """``run_cli(*args)`` runs ``workbench ARGS`` as a user would, in-process, on the desk
    file :attr:`db`; returns ``(exit status, stdout, stderr)``."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            status = 0
        except SystemExit as exit_:
            status = exit_.code or 0
        out, err = self._capsys.readouterr()
        return status, out, err

    def json(self, *args: str, status: int = 0) -> Any:
        """Run ``workbench ARGS --json``, fail the test unless it exits with ``status``
        (saying the command and what it printed on stderr), and return the JSON document —
        for a refusal, the error document."""
        code, out, err = self(*args, "--json")
        assert code == status, f"workbench {' '.join(args)} exited {code}, not {status}: {err}"
        return json.loads(out)


def desk_files(db: Path, aside: tuple[str, ...] = (".holder", ".deadlines")) -> dict[str, bytes]:
    """Every file of the desk ``db`` (the snapshot, the log, backups), by name, byte for byte:
    equal before and after a command shows that it changed nothing. The files whose names end
    in ``aside`` are left out — by default the holder file, which says who took the writer lock
    last (a refused change takes it too), and the open cases' clocks a read may keep
    (``desk.json.deadlines``, a cache), not what the desk holds."""
    return {
        p.name: p.read_bytes()
        for p in sorted(db.parent.iterdir())
        if p.name.startswith(db.name) and not p.name.endswith(aside)
    }


@pytest.fixture
def run_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clock, monkeypatch: pytest.MonkeyPatch
) -> RunCli:
    """The ``workbench`` command on ``tmp_path/desk.json`` (``WORKBENCH_DB``) as actor
    ``aiko``, the desk clock at :data:`DEFAULT_NOW` unless ``--now`` says otherwise."""
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "desk.json"))
    monkeypatch.setenv("WORKBENCH_AGENT", "aiko")
    return RunCli(tmp_path / "desk.json", capsys)


def check_program(
    program: VendorProgram, prefix: str, namespaces: tuple[str, ...] | None = None
) -> list[str]:
    """What a vendor program declaration lacks: id, name, version, rules with the given
    ID prefix and a text each, settings keys under the program's id (or ``namespaces``)
    with help."""
    problems = []
    for name in ("id", "name", "version"):
        if not getattr(program, name):
            problems.append(f"{name} is empty")
    if not program.rules:
        problems.append("the rule catalogue is empty")
    for rule in program.rules:
        if not RULE_ID.match(rule.id) or not rule.id.startswith(prefix + "-"):
            problems.append(f"rule {rule.id!r} is not a {prefix}-* rule ID")
        if len(rule.text.strip()) < 10:
            problems.append(f"rule {rule.id} has no one-line text")
    ids = [r.id for r in program.rules]
    if len(ids) != len(set(ids)):
        problems.append("a rule ID is declared twice")
    for setting in program.settings:
        allowed = namespaces or (program.id,)
        if not setting.key.startswith(tuple(f"{n}." for n in allowed)):
            problems.append(f"setting {setting.key!r} is not under {' or '.join(allowed)}.")
        if not setting.help:
            problems.append(f"setting {setting.key} has no help text")
    return problems
