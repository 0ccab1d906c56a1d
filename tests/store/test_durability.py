"""Atomic, durable writes: a failure or a crash at any step leaves the old or the new desk,
and every write that reported success is there.

Three ways in:

* a failure injected at each OS step of a write (``os.write``, ``os.fsync``,
  ``os.fdatasync``, ``os.replace``, ``os.ftruncate``), one step per run, until the write
  gets through (files are flushed in steps of 1 KB here, so a compaction has several);
* a copy of the desk's files taken just before each step (and in the middle of each
  ``os.write``), i.e. what a crash at that moment leaves, opened afterwards;
* real processes killed with SIGKILL at random moments while they write.
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import tinydb

from tests.store.writers import REPLY_SECONDS, Writers
from workbench.store import FileStore, StoreError, fileio
from workbench.store.doctor import doctor

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")

STEPS = ("write", "fsync", "fdatasync", "replace", "ftruncate")


@pytest.fixture(autouse=True)
def small_flush_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Big files are flushed in steps as they are written (8 MB); here in steps of 1 KB, so
    that a failure or a crash between two of them is tried too."""
    monkeypatch.setattr(fileio, "FLUSH_STEP", 1024)


def _touches(folder: Path, args: tuple[Any, ...]) -> bool:
    """Whether an OS call with these arguments acts on a file in ``folder``."""
    for arg in args[:2]:
        if isinstance(arg, int):
            try:
                arg = os.readlink(f"/proc/self/fd/{arg}")
            except OSError:
                continue
        if isinstance(arg, (str, os.PathLike)) and Path(arg).parent == folder:
            return True
    return False


@contextmanager
def steps(
    monkeypatch: pytest.MonkeyPatch, folder: Path, before: Callable[[str, tuple], None]
) -> Iterator[None]:
    """Call ``before(step, args)`` ahead of every OS step that touches ``folder``."""
    with monkeypatch.context() as patch:
        for name in STEPS:
            real = getattr(os, name)

            def step(*args: Any, _real: Callable = real, _name: str = name) -> Any:
                if _touches(folder, args):
                    before(_name, args)
                return _real(*args)

            patch.setattr(os, name, step)
        yield


class Injected(OSError):
    """The failure the tests inject."""


def run_with_failure_at(
    monkeypatch: pytest.MonkeyPatch, folder: Path, number: int, operation: Callable[[], Any]
) -> bool:
    """Run ``operation`` with its ``number``-th OS step failing; ``True`` if a step failed."""
    seen = 0

    def before(name: str, args: tuple) -> None:
        nonlocal seen
        seen += 1
        if seen == number:
            raise Injected(5, f"injected failure in os.{name}")

    with steps(monkeypatch, folder, before):
        try:
            operation()
        except StoreError as error:
            assert seen >= number, f"StoreError without an injected failure: {error}"
            return True
    assert seen < number, "an injected failure was swallowed: the write reported success"
    return False


def state(path: Path) -> dict[str, Any]:
    """What the desk at ``path`` holds when opened (a missing desk is an empty one)."""
    store = FileStore(path)
    try:
        return {
            "cases": store.all("cases"),
            "events": store.events(),
            "counter": _peek_counter(store),
        }
    finally:
        store.close()


class _Peeked(Exception):
    pass


def _peek_counter(store: FileStore) -> int:
    """The next case number, read in a transaction that is then rolled back."""
    try:
        with store.transaction() as tx:
            raise _Peeked(tx.next_number("cases"))
    except _Peeked as peeked:
        return peeked.args[0]


def make_desk(path: Path, changes: int, compact_bytes: int = 1 << 20) -> None:
    store = FileStore(path, compact_bytes=compact_bytes)
    for n in range(changes):
        with store.transaction() as tx:
            number = tx.next_number("cases")
            tx.put("cases", f"C-{number}", {"id": f"C-{number}", "n": n, "pad": "x" * 40})
            tx.append_event({"kind": "cases", "key": f"C-{number}", "action": "create"})
    store.close()


def schema_1_desk(path: Path) -> None:
    with tinydb.TinyDB(path) as db:
        db.table("_meta").insert({"schema": 1, "counters": {"cases": 2}})
        db.table("cases").insert_multiple([{"id": "C-1", "n": 1}, {"id": "C-2", "n": 2}])
        db.table("events").insert({"kind": "cases", "key": "C-1", "action": "create"})


def one_change(path: Path, compact_bytes: int) -> Callable[[], Any]:
    store = FileStore(path, compact_bytes=compact_bytes)

    def operation() -> None:
        with store.transaction() as tx:
            record = tx.get("cases", "C-1") or {"id": "C-1", "n": 0}
            record["n"] += 100
            tx.put("cases", "C-1", record)
            tx.append_event({"kind": "cases", "key": "C-1", "action": "note"})
            tx.next_number("cases")

    return operation


SCENARIOS: dict[str, tuple[Callable[[Path], None], Callable[[Path], Callable[[], Any]]]] = {
    "creating the desk": (lambda path: None, lambda path: one_change(path, 1 << 20)),
    "a change": (lambda path: make_desk(path, 5), lambda path: one_change(path, 1 << 20)),
    "a change after compaction": (
        lambda path: make_desk(path, 8),
        lambda path: one_change(path, 200),
    ),
    "a migration": (schema_1_desk, lambda path: lambda: FileStore(path).close()),
    "a compaction": (lambda path: make_desk(path, 8), lambda path: FileStore(path).compact),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_failure_at_any_step_leaves_the_old_or_the_new_desk(
    scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare, operation_on = SCENARIOS[scenario]
    template = tmp_path / "template"
    template.mkdir()
    prepare(template / "desk.json")
    shutil.copytree(template, tmp_path / "old")
    old = state(tmp_path / "old" / "desk.json")
    shutil.copytree(template, tmp_path / "new")
    operation_on(tmp_path / "new" / "desk.json")()
    new = state(tmp_path / "new" / "desk.json")

    number = 0
    while True:
        number += 1
        run = tmp_path / f"run-{number}"
        shutil.copytree(template, run)
        path = run / "desk.json"
        operation = operation_on(path)
        if not run_with_failure_at(monkeypatch, run, number, operation):
            break
        assert doctor(path).ok, doctor(path).problems
        assert state(path) in (old, new), f"failure at step {number} left a third state"
        operation()  # the same store, trying again, gets through
        assert state(path) == new, f"retrying after a failure at step {number} went wrong"
    assert number > 2, "no failure was injected"
    assert state(path) == new


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_crash_at_any_step_leaves_a_desk_that_opens(
    scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies of the files taken before every step, and halfway through every write, are
    what a crashed process leaves behind: each opens, as the old or the new desk."""
    prepare, operation_on = SCENARIOS[scenario]
    run = tmp_path / "run"
    run.mkdir()
    path = run / "desk.json"
    prepare(path)
    shutil.copytree(run, tmp_path / "old")
    old = state(tmp_path / "old" / "desk.json")
    crashes: list[Path] = []

    def crash_copy() -> None:
        copy = tmp_path / f"crash-{len(crashes)}"
        shutil.copytree(run, copy)
        crashes.append(copy)

    def before(name: str, args: tuple) -> None:
        if name != "write":
            crash_copy()

    operation = operation_on(path)
    real_write = os.write

    def torn_write(fd: int, data: bytes) -> int:
        if not _touches(run, (fd,)) or len(data) < 2:
            return real_write(fd, data)
        written = real_write(fd, data[: len(data) // 2])
        crash_copy()
        return written

    with steps(monkeypatch, run, before):
        monkeypatch.setattr(os, "write", torn_write)
        operation()
    monkeypatch.undo()
    new = state(path)
    assert len(crashes) > 3
    for copy in crashes:
        desk = copy / "desk.json"
        assert doctor(desk).ok, doctor(desk).problems
        assert state(desk) in (old, new), f"{copy.name} opened as a third state"


# ----------------------------------------------------------------------------------------
# SIGKILL: real processes killed while they write
# ----------------------------------------------------------------------------------------

KILLS = 200
DESKS = 8


def test_writers_killed_at_random_moments_lose_nothing_they_acknowledged(tmp_path: Path) -> None:
    """Writers are forked from one ``sys.executable -c`` server that has imported the store
    once (a fresh interpreter costs a quarter of a second; 200 of them would dominate the
    suite), each one a real process writing and fsyncing on its own, killed by SIGKILL."""
    rng = random.Random(20261124)
    writers = Writers()
    held: dict[Path, int] = {}
    """How many writes each desk holds after the last kill."""
    killed_while_writing = 0
    try:
        for kill in range(KILLS):
            path = tmp_path / f"desk-{kill % DESKS}" / "desk.json"
            first = held.get(path, 0) + 1
            last = writers.start(path, first, rng.choice([400, 4000, 1 << 20]))
            if path in held and rng.random() < 0.75:  # while it writes (and compacts)
                if last < first:
                    last = writers.acknowledged()
                time.sleep(rng.uniform(0, 0.03))
            else:  # while it starts, creates the desk, makes its first write
                time.sleep(rng.uniform(0, 0.01))
            last = writers.kill(last)
            killed_while_writing += last >= first
            held[path] = check_after_kill(path, last)
    finally:
        writers.stop()
    assert killed_while_writing > KILLS // 2, "most writers were killed before they wrote"


def check_after_kill(path: Path, last_acknowledged: int) -> int:
    """The desk opens and holds every acknowledged write, plus at most the one that was in
    flight (written but not yet acknowledged); returns how many writes it holds."""
    if not path.exists():
        assert last_acknowledged == 0
        return 0
    store = FileStore(path)
    try:
        numbers = sorted(r["n"] for r in store.all("cases"))
        assert numbers in (
            list(range(1, last_acknowledged + 1)),
            list(range(1, last_acknowledged + 2)),
        ), f"after a kill at write {last_acknowledged + 1}: {numbers[-3:]}"
        events = store.events()
        assert [e["key"] for e in events] == [f"K-{n}" for n in numbers]
        assert [e["id"] for e in events] == list(range(1, len(numbers) + 1))
    finally:
        store.close()
    assert doctor(path).ok, doctor(path).problems
    return len(numbers)


# ----------------------------------------------------------------------------------------
# Compaction beside the writers (issue 16): the snapshot is written without the writer lock
# ----------------------------------------------------------------------------------------


def archive_desk(path: Path, cases: int) -> None:
    """A desk of ``cases`` cases, every other one closed, with an event each, in one
    transaction; then its snapshot, and a few changes past it (so a compaction has work)."""
    store = FileStore(path)
    with store.transaction() as tx:
        for number in range(1, cases + 1):
            key = f"K-{number}"
            state = "closed" if number % 2 else "open"
            tx.put("cases", key, {"id": key, "n": number, "state": state, "customer_id": f"CUS-{number % 7}"})
            tx.append_event({"kind": "cases", "key": key, "action": "create", "pad": "x" * 200})
            tx.next_number("cases")
    store.compact()
    store.close()


def add_change(store: FileStore, number: int) -> None:
    key = f"K-{number}"
    with store.transaction() as tx:
        tx.put("cases", key, {"id": key, "n": number, "state": "open", "customer_id": "CUS-1"})
        tx.append_event({"kind": "cases", "key": key, "action": "create"})
        tx.next_number("cases")


def test_core_audit1_a_change_made_while_the_snapshot_is_rewritten_neither_waits_nor_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compaction is held still just before it fsyncs its new snapshot; meanwhile
    another writer's change goes through at once (it would wait for the lock, then be
    refused as locked, if the compaction held it), and afterwards the desk holds the
    change: the new snapshot covers the log up to where it was read, the change is replayed
    after it."""
    path = tmp_path / "desk.json"
    archive_desk(path, 400)
    compactor = FileStore(path, compact_on_write=False)
    add_change(compactor, 401)
    writer = FileStore(path, compact_on_write=False, lock_timeout=1)
    paused, resume = threading.Event(), threading.Event()
    results: list[Any] = []

    def before(name: str, args: tuple) -> None:
        if (
            name == "fsync"
            and threading.current_thread() is thread
            and os.readlink(f"/proc/self/fd/{args[0]}").endswith(".tmp")
            and not paused.is_set()
        ):
            paused.set()
            assert resume.wait(REPLY_SECONDS)

    def compact() -> None:
        try:
            results.append(compactor.compact())
        except BaseException as error:  # the test reports it
            results.append(error)
            paused.set()

    thread = threading.Thread(target=compact)
    with steps(monkeypatch, tmp_path, before):
        thread.start()
        assert paused.wait(REPLY_SECONDS)
        try:
            add_change(writer, 402)  # StoreLocked after a second if the compaction held the lock
        finally:
            resume.set()
            thread.join(REPLY_SECONDS)
    assert results == [True]
    for store in (compactor, writer):
        store.refresh()
        assert [store.get("cases", f"K-{n}")["n"] for n in (401, 402)] == [401, 402]
    writer.close()
    compactor.close()
    reopened = FileStore(path)
    assert sorted(r["n"] for r in reopened.all("cases")) == list(range(1, 403))
    assert [e["id"] for e in reopened.events()] == list(range(1, 403))
    assert reopened.closed_index_in_use()
    reopened.close()
    assert doctor(path).ok, doctor(path).problems


def writer_lock_held(path: Path) -> bool:
    """Whether anyone (this process included) holds the writer lock of the desk at ``path``."""
    fd = os.open(f"{path}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def open_in_this_process(found: os.stat_result) -> bool:
    for fd in os.listdir("/proc/self/fd"):
        try:
            held = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if (held.st_dev, held.st_ino) == (found.st_dev, found.st_ino):
            return True
    return False


def test_core_audit1_a_compaction_only_renames_its_files_under_the_writer_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every change waits while a compaction holds the writer lock, so it does nothing there
    but rename its new files into place: the folder is fsynced after the lock is released,
    and the files the renames replace are kept open until then, so their blocks (400 MB at
    200,000 cases) are not freed under the lock either. The desk is whole afterwards."""
    path = tmp_path / "desk.json"
    archive_desk(path, 400)
    store = FileStore(path, compact_on_write=False)
    add_change(store, 401)
    under_lock: list[str] = []
    freed_under_lock: list[str] = []
    for name in ("write", "fsync", "fdatasync", "replace", "unlink", "ftruncate"):
        real = getattr(os, name)

        def step(*args: Any, _real: Callable = real, _name: str = name) -> Any:
            if writer_lock_held(path):
                under_lock.append(_name)
                if _name == "replace" and os.path.exists(args[1]):
                    if not open_in_this_process(os.stat(args[1])):
                        freed_under_lock.append(os.path.basename(args[1]))
            return _real(*args)

        monkeypatch.setattr(os, name, step)
    assert store.compact()
    monkeypatch.undo()
    assert under_lock == ["replace"] * len(under_lock) and len(under_lock) >= 2, under_lock
    assert freed_under_lock == []
    assert store.closed_index_in_use()
    store.close()
    reopened = FileStore(path)
    assert sorted(r["n"] for r in reopened.all("cases")) == list(range(1, 402))
    reopened.close()
    assert doctor(path).ok, doctor(path).problems


def test_core_audit1_a_compaction_sends_its_new_snapshot_to_disk_in_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compaction's new files go to disk a step (``FLUSH_STEP``) at a time as they are
    written, not all at the end: a change's fsync of the log (which on ext4 also writes out
    the blocks other files allocated since the last commit) never waits for the whole
    snapshot, 400 MB at 200,000 cases."""
    path = tmp_path / "desk.json"
    archive_desk(path, 400)
    store = FileStore(path, compact_on_write=False)
    add_change(store, 401)
    step = 4096
    monkeypatch.setattr(fileio, "FLUSH_STEP", step)
    unflushed: dict[str, int] = {}
    most_before_a_write: dict[str, int] = {}

    def before(name: str, args: tuple) -> None:
        if name not in ("write", "fsync", "fdatasync"):
            return
        file = os.path.basename(os.readlink(f"/proc/self/fd/{args[0]}"))
        if not file.endswith(".tmp"):
            return
        if name == "write":
            most_before_a_write[file] = max(most_before_a_write.get(file, 0), unflushed.get(file, 0))
            unflushed[file] = unflushed.get(file, 0) + len(args[1])
        elif name in ("fsync", "fdatasync"):
            unflushed[file] = 0

    with steps(monkeypatch, tmp_path, before):
        assert store.compact()
    store.close()
    snapshot = os.path.getsize(path)
    assert snapshot > 8 * step
    assert len(most_before_a_write) >= 2  # the snapshot and the index of its closed cases
    assert max(most_before_a_write.values()) < step, most_before_a_write
    assert doctor(path).ok, doctor(path).problems


COMPACTOR = r"""
import sys
from workbench.store.filestore import FileStore
store = FileStore(sys.argv[1], compact_on_write=False)
print("ready", flush=True)
sys.stdin.readline()
store.compact()
print("done", flush=True)
"""


def test_core_audit1_a_compactor_killed_at_random_moments_beside_a_writer_loses_nothing(
    tmp_path: Path,
) -> None:
    """A compaction is a process of its own (``workbench compact``), started in the
    background and never waited for: killed at any moment of its rewrite while another
    process keeps writing, it leaves a desk that opens and holds every acknowledged change,
    and the next compaction removes what it left half written."""
    rng = random.Random(20261202)
    path = tmp_path / "desk.json"
    archive_desk(path, 3000)
    writer = FileStore(path, compact_on_write=False)
    number, unfinished = 3000, 0
    for kill in range(12):
        compactor = subprocess.Popen(
            [sys.executable, "-c", COMPACTOR, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert compactor.stdout.readline() == "ready\n"
            compactor.stdin.write("go\n")
            compactor.stdin.flush()
            time.sleep(rng.uniform(0, 0.02) * kill)
            for _ in range(rng.randint(1, 5)):
                number += 1
                add_change(writer, number)
        finally:
            compactor.kill()
            compactor.wait(REPLY_SECONDS)
        unfinished += "done" not in compactor.stdout.read()
        reopened = FileStore(path)
        try:
            assert sorted(r["n"] for r in reopened.all("cases")) == list(range(1, number + 1))
            assert [e["id"] for e in reopened.events()] == list(range(1, number + 1))
        finally:
            reopened.close()
        assert doctor(path).ok, doctor(path).problems
    writer.close()
    assert unfinished >= 3, "the compactors were not killed while they worked"
    final = FileStore(path)
    assert final.compact()
    final.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "desk.json",
        "desk.json.holder",
        "desk.json.index",
        "desk.json.lock",
        "desk.json.log",
    ]
