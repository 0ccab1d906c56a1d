"""How fast the terminal desk is on a 50,000-case desk, measured in a real pseudo-terminal.

    python benchmarks/tui.py [--db PATH] [--cases 50000] [--open 2000] [--runs 3] [--rebuild]

It builds the desk once at ``--db`` (the storage benchmark's desk, ``desk_data.generate``:
50,000 cases, 2,000 still open, plus one more open case with 200 events, opened and noted
through the desk), then starts the real ``workbench`` command in a pty at 120×36 and
measures, at the desk clock ``desk_data.NOW``:

- start → the first frame (the top bar), and start → the first queue rows visible, against
  a minimal Textual app started the same way (target: at most 2.5 times as long);
- start → every open case's deadline computed and the queue sorted by it;
- keystroke → the filtered queue repainted (target ≤ 50 ms);
- Enter on the case with 200 events → the case drawn (target ≤ 100 ms);
- the longest stall of the app's event loop over the whole session (target ≤ 100 ms),
  from a probe run inside the app (``--child``: the same app with a loop-lag probe), on a
  copy of the desk, opened as the command opens it (no change rewrites the snapshot);
- a note, then a state change (pending) saved from the case screen, the second while a
  ``workbench compact`` process rewrites the snapshot beside the session: ctrl+s →
  "saved" on screen, and the longest stall while each saves (and the compaction runs).

Programs start from compiled bytecode (in a temporary ``PYTHONPYCACHEPREFIX``, after one
untimed start of each), as an installed program does, even where
``PYTHONDONTWRITEBYTECODE`` is set. Prints one table. Numbers are wall time on this
machine: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

COLUMNS, ROWS = 120, 36
MARKER = "benchmark marker"
"""A word in the subject of the case with 200 events."""
ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])"
)
WRITES = [
    ("note", b"n", "Note — ", "note added"),
    ("compaction", b"p", "Pending on the customer — ", "pending on the customer recorded"),
]
"""Changes made from the case screen: (name, key, its dialog, what says it is saved). No
change rewrites the snapshot (see :mod:`workbench.compaction`); the second is saved while
a ``workbench compact`` process rewrites it beside the session, as one started in the
background does, and the stall is measured until that process ends."""

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("minimal-app-ready")
Minimal().run()
"""


# ----------------------------------------------------------------------------------------
# The desk: the storage benchmark's, plus one open case with 200 events
# ----------------------------------------------------------------------------------------


def build_desk(path: Path, cases: int, open_cases: int) -> None:
    """Write the storage benchmark's desk (``desk_data.generate``: ``cases`` cases,
    ``open_cases`` open) at ``path``, then open one more case through the desk, a copy of
    an open case's vendor, customer and form, and add 199 notes to it: 200 events."""
    from desk_data import NOW, generate, open_for_generating

    from workbench.desk import Desk
    from workbench.plugins import get_plugins

    store = open_for_generating(path)
    generate(store, cases, open_cases)
    desk = Desk(store, get_plugins(), actor="bench")
    opened = NOW - timedelta(days=2)
    model = next(c for c in desk.cases(open_only=True) if c.opened_at <= opened)
    with desk.at(opened):
        case = desk.open_case(model.vendor, model.customer_id, f"{model.subject} ({MARKER})", model.fields)
    for number in range(1, 200):
        with desk.at(opened + timedelta(minutes=10 * number)):
            desk.note(case.id, f"note {number}")
    store.compact()
    store.close()


# ----------------------------------------------------------------------------------------
# Inside the app: a loop-lag probe (``--child``)
# ----------------------------------------------------------------------------------------


def child(db: str, stats: str, now: str) -> None:
    """Run the workbench as the CLI does (the desk opened behind the first frame, as
    ``open_store`` opens it: no change rewrites the snapshot), with a probe of the event
    loop's stalls."""
    from workbench import clock
    from workbench.desk import Desk
    from workbench.plugins import get_plugins
    from workbench.store import open_store
    from workbench.tui.app import WorkbenchApp

    clock.set_now(now)
    lags: list[tuple[float, float]] = []
    """(when it ended, epoch seconds; how late the loop woke up, seconds)"""
    begun = time.perf_counter()

    class Probed(WorkbenchApp):
        async def _probe(self) -> None:
            trace = os.environ.get("BENCH_LAGS")
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                lag = time.perf_counter() - started - 0.005
                lags.append((time.time(), lag))
                if trace and lag > 0.04:
                    with open(trace, "a") as out:
                        print(f"{started - begun:7.3f} {lag * 1000:5.0f} ms", file=out)

        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(self._start_probe)

        def _start_probe(self) -> None:
            """From the first frame on: starting up is measured on its own."""
            self._probe_task = asyncio.create_task(self._probe())

        async def action_quit(self) -> None:
            """Shutting down is no stall: the probe stops first."""
            self._probe_task.cancel()
            await super().action_quit()

    def open_desk() -> Desk:
        return Desk(open_store(db), get_plugins())

    app = Probed(open_desk, remember=False)
    run_at = time.time()
    try:
        app.run()
    finally:
        Path(stats).write_text(json.dumps({"lags": lags, "run_at": run_at}))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ----------------------------------------------------------------------------------------
# The pseudo-terminal harness
# ----------------------------------------------------------------------------------------


@contextmanager
def running(argv: list[str], pycache: str) -> Iterator[Terminal]:
    """A program in a pty, ended whatever happens (a Textual app whose terminal goes away
    keeps running: it must not outlive the measurement)."""
    terminal = Terminal(argv, pycache)
    try:
        yield terminal
    finally:
        terminal.close()


class Terminal:
    """A program running in a pty of 120×36; what it draws, as plain text."""

    def __init__(self, argv: list[str], pycache: str) -> None:
        """``pycache``: the folder of the program's compiled bytecode (``PYTHONPYCACHEPREFIX``),
        written even where ``PYTHONDONTWRITEBYTECODE`` is set: an installed program starts
        from bytecode, not by compiling its sources."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": pycache,
            "TERM": "xterm-256color",
            "COLUMNS": str(COLUMNS),
            "LINES": str(ROWS),
            "TEXTUAL_ANIMATIONS": "none",
        }
        self.started = time.perf_counter()
        self.started_epoch = time.time()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.master = master
        self.raw = b""
        self.text = b""
        self._stripped = 0

    def read(self, timeout: float) -> tuple[bytes, float]:
        """Bytes that arrive within ``timeout`` seconds, and when the last one came."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            self.text += ANSI.sub(b"", self.raw[self._stripped :])
            self._stripped = len(self.raw)
            return b"", 0.0
        data = b""
        while ready:
            try:
                data += os.read(self.master, 1 << 20)
            except OSError:
                break
            ready, _, _ = select.select([self.master], [], [], 0)
        if not data:
            return b"", 0.0
        self.raw += data
        safe = self.raw.rfind(b"\x1b", self._stripped)
        end = len(self.raw) if safe == -1 or len(self.raw) - safe > 64 else safe
        self.text += ANSI.sub(b"", self.raw[self._stripped : end])
        self._stripped = end
        return data, time.perf_counter()

    def wait_for(self, pattern: str, timeout: float = 600.0, since: float | None = None) -> float:
        """Seconds from ``since`` (default: the start) until ``pattern`` is on screen."""
        regex = re.compile(pattern.encode())
        start = len(self.text)
        if since is None:
            start, since = 0, self.started
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if regex.search(self.text, max(start, 0)):
                return time.perf_counter() - since
            start = len(self.text) - 256
            self.read(0.05)
        raise TimeoutError(f"{pattern!r} did not appear within {timeout} s")

    def settle(self, quiet: float = 0.15) -> None:
        while self.read(quiet)[0]:
            pass

    def key(self, data: str, quiet: float = 0.04) -> float:
        """Send keys; seconds until the last byte of the screen's answer (the answer
        ends when nothing more comes for ``quiet`` seconds)."""
        sent = time.perf_counter()
        os.write(self.master, data.encode())
        chunk, last = self.read(2.0)
        if not chunk:
            return float("nan")
        while True:
            chunk, at = self.read(quiet)
            if not chunk:
                return last - sent
            last = at

    def close(self) -> None:
        """Quit the program (ctrl+q), or end its process group if it will not."""
        try:
            os.write(self.master, b"\x11")
            deadline = time.perf_counter() + 15
            while self.process.poll() is None and time.perf_counter() < deadline:
                self.read(0.05)
        except OSError:
            pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


KEPT = ("deadlines",)
"""The caches kept beside a desk file (``FileStore.kept_path``): not the desk's files, but
read by a command that opens it."""


def copy_desk(db: Path, folder: Path) -> Path:
    """A copy of the desk in ``folder``, on disk (a write would otherwise wait for the
    copy's 400 MB to reach the disk: a new desk's first fsync, not the desk's): every file
    of the desk (``desk_files``: its log, closed-case index, kept tallies…) and the caches
    kept beside it, so the copy opens as the desk does in use."""
    from workbench.store.filestore import desk_files

    for name in (*desk_files(str(db)), *(f"{db}.{kept}" for kept in KEPT)):
        part = Path(name)
        if not part.exists():
            continue
        copy = folder / part.name
        shutil.copyfile(part, copy)
        with copy.open("rb") as file:
            os.fsync(file.fileno())
    return folder / db.name


def measure(db: Path, runs: int, now: str) -> dict[str, list[float]]:
    python, workbench = sys.executable, str(Path(sys.executable).with_name("workbench"))
    minimal_app = [python, "-c", MINIMAL_APP]
    cli_app = [workbench, "--db", str(db), "--now", now]
    found: dict[str, list[float]] = {
        k: []
        for k in (
            "minimal",
            "frame",
            "rows",
            "sorted",
            "run",
            "keystroke",
            "open_case",
            "stall",
            "stall_p99",
            "note",
            "note_stall",
            "compaction",
            "compaction_stall",
        )
    }
    with tempfile.TemporaryDirectory(prefix="workbench-bench-pycache-") as pycache:
        for warm_up in (minimal_app, cli_app):  # compiles the bytecode, reads the desk once
            with running(warm_up, pycache) as program:
                program.wait_for(r"minimal-app-ready|C-\d+[ …]")
        for _ in range(runs):
            with running(minimal_app, pycache) as minimal:
                found["minimal"].append(minimal.wait_for("minimal-app-ready"))

            with running(cli_app, pycache) as cli:
                found["frame"].append(cli.wait_for("F2 Queue"))
                found["rows"].append(cli.wait_for(r"C-\d+[ …]"))
                found["sorted"].append(cli.wait_for("most urgent deadline first"))

            with tempfile.TemporaryDirectory(prefix="workbench-bench-") as scratch:
                copy = copy_desk(db, Path(scratch))
                stats = Path(scratch) / "stats.json"
                child_app = [python, __file__, "--child", str(copy), "--stats", str(stats), "--now", now]
                with running(child_app, pycache) as probed:
                    probed.wait_for("most urgent deadline first")
                    probed.settle()
                    probed.key("/")
                    for char in "marker":
                        found["keystroke"].append(probed.key(char))
                    probed.key("\r")
                    probed.settle()
                    for _ in range(3):
                        since = time.perf_counter()
                        os.write(probed.master, b"\r")
                        found["open_case"].append(probed.wait_for(r"· state \S+ · severity", since=since))
                        probed.settle()
                        probed.key("\x1b")
                        probed.settle()
                    os.write(probed.master, b"\r")
                    probed.wait_for(r"· state \S+ · severity", since=time.perf_counter())
                    probed.settle()
                    windows = []
                    for name, key, dialog, done in WRITES:
                        os.write(probed.master, key)
                        probed.wait_for(dialog, since=time.perf_counter())
                        os.write(probed.master, f"benchmark {name}".encode())
                        probed.settle()
                        saving, since = time.time(), time.perf_counter()
                        compact = [workbench, "compact", "--db", str(copy)]
                        quiet = {"stdout": subprocess.DEVNULL}
                        compactor = subprocess.Popen(compact, **quiet) if name == "compaction" else None
                        os.write(probed.master, b"\x13")  # ctrl+s
                        found[name].append(probed.wait_for(done, since=since))
                        if compactor is not None:
                            compactor.wait()
                        probed.settle()
                        windows.append((f"{name}_stall", saving, time.time()))
                data = json.loads(stats.read_text())
            lags = [lag for _, lag in data["lags"]]
            found["run"].append(data["run_at"] - probed.started_epoch)
            found["stall"].append(max(lags))
            found["stall_p99"].append(_percentile(lags, 0.99))
            for name, start, end in windows:
                found[name].append(max(lag for at, lag in data["lags"] if start <= at <= end))
    return found


def report(found: dict[str, list[float]], cases: int, open_cases: int) -> str:
    def ms(values: list[float], pick=statistics.median) -> str:
        return f"{pick(values) * 1000:8.0f} ms"

    minimal = statistics.median(found["minimal"])
    rows = statistics.median(found["rows"])
    lines = [
        f"Case Workbench TUI on {cases:,} cases ({open_cases:,} open), {COLUMNS}×{ROWS}, "
        f"median of {len(found['rows'])} runs",
        "",
        f"{'measure':<44}{'result':>12}{'target':>22}",
        f"{'minimal Textual app: start → drawn':<44}{ms(found['minimal']):>12}",
        f"{'workbench: start → first frame (top bar)':<44}{ms(found['frame']):>12}",
        f"{'workbench: start → queue rows visible':<44}{ms(found['rows']):>12}{'≤ 2.5 × minimal':>22}",
        f"{'  … as a multiple of the minimal app':<44}{rows / minimal:>10.2f} ×",
        f"{'  … of which start → App.run()':<44}{ms(found['run']):>12}",
        f"{'workbench: start → every deadline, sorted':<44}{ms(found['sorted']):>12}",
        f"{'keystroke → filtered queue repainted':<44}{ms(found['keystroke']):>12}{'≤ 50 ms':>22}",
        f"{'  … worst keystroke':<44}{ms(found['keystroke'], max):>12}",
        f"{'Enter → case with 200 events drawn':<44}{ms(found['open_case']):>12}{'≤ 100 ms':>22}",
        f"{'longest event-loop stall (session)':<44}{ms(found['stall'], max):>12}{'≤ 100 ms':>22}",
        f"{'  … 99th percentile of the loop lag':<44}{ms(found['stall_p99']):>12}",
        f"{'ctrl+s → note saved':<44}{ms(found['note']):>12}",
        f"{'  … longest stall while it saves':<44}{ms(found['note_stall'], max):>12}{'≤ 100 ms':>22}",
        f"{'ctrl+s → pending saved, `workbench compact` beside':<44}{ms(found['compaction']):>12}",
        f"{'  … longest stall while it saves':<44}{ms(found['compaction_stall'], max):>12}{'≤ 100 ms':>22}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "workbench-tui-50k.json")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_cases")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the desk again")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.stats, args.now)
        return
    from desk_data import NOW

    if args.rebuild or not args.db.exists():
        for stale in args.db.parent.glob(args.db.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        build_desk(args.db, args.cases, args.open_cases)
        print(f"built {args.db} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(report(measure(args.db, args.runs, NOW.isoformat()), args.cases, args.open_cases))


if __name__ == "__main__":
    main()
