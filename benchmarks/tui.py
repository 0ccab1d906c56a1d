"""How fast the terminal desk is on a 50,000-case desk, measured in a real pseudo-terminal.

    python benchmarks/tui.py [--db PATH] [--cases 50000] [--open 2000] [--runs 3]

It builds the desk once (realistic records cloned from the vendors' demo data, written
through the store protocol: 50,000 cases, 2,000 still open, one open case with 200 events),
then starts the real ``workbench`` command in a pty at 120×36 and measures:

- start → the first queue rows visible, against a minimal Textual app started the same way
  (target: at most 2.5 times as long);
- start → every open case's deadline computed and the queue sorted by it;
- keystroke → the filtered queue repainted (target ≤ 50 ms);
- Enter on the case with 200 events → the case drawn (target ≤ 100 ms);
- the longest stall of the app's event loop over the whole session (target ≤ 100 ms),
  from a probe run inside the app (``--child``: the same app with a loop-lag probe).

Prints one table. Numbers are wall time on this machine: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import random
import re
import select
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

NOW = "2026-11-24T10:00:00+09:00"
COLUMNS, ROWS = 120, 36
MARKER = "benchmark marker"
"""A word in the subject of the case with 200 events."""
ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])"
)
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("minimal-app-ready")
Minimal().run()
"""


# ----------------------------------------------------------------------------------------
# The desk: demo records of every vendor, cloned to 50,000 cases
# ----------------------------------------------------------------------------------------


def _shift(value: str | None, delta: timedelta) -> str | None:
    if not value:
        return value
    return (datetime.fromisoformat(value) + delta).isoformat()


def _shift_case(record: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    case = json.loads(json.dumps(record))
    for key in ("opened_at", "sent_at", "closed_at", "updated_at"):
        case[key] = _shift(case.get(key), delta)
    for pause in case.get("pauses", []):
        pause["start"], pause["end"] = _shift(pause["start"], delta), _shift(pause.get("end"), delta)
    for item in case.get("escalations", []) + case.get("evidence", []):
        item["at"] = _shift(item.get("at"), delta)
    case["outcomes"] = []
    return case


def build_desk(path: Path, cases: int, open_cases: int, seed: int = 7) -> None:
    """Write a desk of ``cases`` cases (``open_cases`` open) at ``path``."""
    from workbench import clock
    from workbench.store import open_store
    from workbench.testing import make_desk

    clock.set_now(NOW)
    demo = make_desk()
    demo.fill_demo()
    clock.set_now(None)
    rng = random.Random(seed)
    now = datetime.fromisoformat(NOW)
    templates = demo.store.all("cases")
    closed = [c for c in templates if c["state"] == "closed"]
    still_open = [c for c in templates if c["state"] != "closed"]
    events = {c["id"]: demo.store.events("cases", c["id"]) for c in templates}
    demo_customers = demo.store.all("customers")
    demo_contracts = demo.store.all("contracts")

    store = open_store(path)
    clones: dict[str, list[str]] = {}
    with store.transaction() as tx:
        for record in demo.store.all("settings"):
            tx.put("settings", record["key"], record)
        for index in range(max(40, cases // 33)):
            template = demo_customers[index % len(demo_customers)]
            key = f"CUS-{tx.next_number('customers')}"
            tx.put("customers", key, {**template, "id": key, "name": f"{template['name']} {index + 1}"})
            clones.setdefault(template["id"], []).append(key)
            for contract in (k for k in demo_contracts if k["customer_id"] == template["id"]):
                number = f"K-{tx.next_number('contracts')}"
                tx.put("contracts", number, {**contract, "id": number, "customer_id": key})

    def write(
        tx: Any, template: dict[str, Any], delta: timedelta, extra: int = 0, subject: str | None = None
    ) -> None:
        key = f"C-{tx.next_number('cases')}"
        case = _shift_case(template, delta)
        case.update(id=key, customer_id=rng.choice(clones[template["customer_id"]]))
        if subject:
            case["subject"] = subject
        tx.put("cases", key, case)
        history = events[template["id"]]
        for event in history:
            tx.append_event({**event, "key": key, "at": _shift(event["at"], delta)})
        start = datetime.fromisoformat(case["opened_at"])
        for number in range(extra):
            at = start + timedelta(minutes=5 * (number + 1))
            tx.append_event(
                {
                    "id": 0,
                    "at": at.isoformat(),
                    "actor": "bench",
                    "kind": "cases",
                    "key": key,
                    "action": "note",
                    "before": None,
                    "after": None,
                    "rule": "",
                    "reason": "",
                    "data": {"text": f"note {number + 1}"},
                }
            )

    batch = 2_000
    for first in range(0, cases - open_cases, batch):
        with store.transaction() as tx:
            for _ in range(min(batch, cases - open_cases - first)):
                days = rng.uniform(15, 3 * 365)
                template = rng.choice(closed)
                opened = datetime.fromisoformat(template["opened_at"])
                delta = (now - timedelta(days=days)) - opened
                write(tx, template, min(delta, timedelta(0)))
    with store.transaction() as tx:
        for index in range(open_cases):
            template = still_open[index % len(still_open)]
            delta = -timedelta(hours=rng.uniform(0, 72))
            if index == open_cases - 1:
                write(
                    tx,
                    template,
                    delta,
                    extra=200 - len(events[template["id"]]),
                    subject=f"Calendar sync hangs every morning ({MARKER})",
                )
            else:
                write(tx, template, delta)
    store.compact()
    store.close()


# ----------------------------------------------------------------------------------------
# Inside the app: a loop-lag probe (``--child``)
# ----------------------------------------------------------------------------------------


def child(db: str, stats: str) -> None:
    """Run the workbench as the CLI does, with a probe of the event loop's stalls."""
    from workbench import clock
    from workbench.desk import Desk
    from workbench.plugins import get_plugins
    from workbench.store import open_store
    from workbench.tui.app import WorkbenchApp

    clock.set_now(NOW)
    lags: list[float] = []
    begun = time.perf_counter()

    class Probed(WorkbenchApp):
        async def _probe(self) -> None:
            trace = os.environ.get("BENCH_LAGS")
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                lag = time.perf_counter() - started - 0.005
                lags.append(lag)
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

    app = Probed(Desk(open_store(db), get_plugins()), remember=False)
    run_at = time.time()
    try:
        app.run()
    finally:
        Path(stats).write_text(
            json.dumps(
                {
                    "max": max(lags, default=0.0),
                    "p99": _percentile(lags, 0.99),
                    "samples": len(lags),
                    "run_at": run_at,
                }
            )
        )


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ----------------------------------------------------------------------------------------
# The pseudo-terminal harness
# ----------------------------------------------------------------------------------------


@contextmanager
def running(argv: list[str]) -> Iterator[Terminal]:
    """A program in a pty, ended whatever happens (a Textual app whose terminal goes away
    keeps running: it must not outlive the measurement)."""
    terminal = Terminal(argv)
    try:
        yield terminal
    finally:
        terminal.close()


class Terminal:
    """A program running in a pty of 120×36; what it draws, as plain text."""

    def __init__(self, argv: list[str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {
            **os.environ,
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

    def wait_for(self, pattern: str, timeout: float = 120.0, since: float | None = None) -> float:
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


def measure(db: Path, runs: int) -> dict[str, list[float]]:
    python, workbench = sys.executable, str(Path(sys.executable).with_name("workbench"))
    found: dict[str, list[float]] = {
        k: []
        for k in (
            "minimal",
            "rows",
            "sorted",
            "desk",
            "app_rows",
            "keystroke",
            "open_case",
            "stall",
            "stall_p99",
        )
    }
    for _ in range(runs):
        with running([python, "-c", MINIMAL_APP]) as minimal:
            found["minimal"].append(minimal.wait_for("minimal-app-ready"))

        with running([workbench, "--db", str(db), "--now", NOW]) as cli:
            found["rows"].append(cli.wait_for(r"C-\d+ "))
            found["sorted"].append(cli.wait_for("most urgent deadline first"))

        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            stats = handle.name
        with running([python, __file__, "--child", str(db), "--stats", stats]) as probed:
            rows_at = probed.started_epoch + probed.wait_for(r"C-\d+ ")
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
        data = json.loads(Path(stats).read_text())
        os.unlink(stats)
        found["desk"].append(data["run_at"] - probed.started_epoch)
        found["app_rows"].append(rows_at - data["run_at"])
        found["stall"].append(data["max"])
        found["stall_p99"].append(data["p99"])
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
        f"{'workbench: start → queue rows visible':<44}{ms(found['rows']):>12}{'≤ 2.5 × minimal':>22}",
        f"{'  … as a multiple of the minimal app':<44}{rows / minimal:>10.2f} ×",
        f"{'  … of which imports + opening the desk':<44}{ms(found['desk']):>12}",
        f"{'  … of which the app: run() → rows':<44}{ms(found['app_rows']):>12}",
        f"{'  … the app alone, as a multiple':<44}{statistics.median(found['app_rows']) / minimal:>10.2f} ×",
        f"{'workbench: start → every deadline, sorted':<44}{ms(found['sorted']):>12}",
        f"{'keystroke → filtered queue repainted':<44}{ms(found['keystroke']):>12}{'≤ 50 ms':>22}",
        f"{'  … worst keystroke':<44}{ms(found['keystroke'], max):>12}",
        f"{'Enter → case with 200 events drawn':<44}{ms(found['open_case']):>12}{'≤ 100 ms':>22}",
        f"{'longest event-loop stall (session)':<44}{ms(found['stall'], max):>12}{'≤ 100 ms':>22}",
        f"{'  … 99th percentile of the loop lag':<44}{ms(found['stall_p99']):>12}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "workbench-50k.json")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_cases")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the desk again")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.stats)
        return
    if args.rebuild or not args.db.exists():
        for stale in args.db.parent.glob(args.db.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        build_desk(args.db, args.cases, args.open_cases)
        print(f"built {args.db} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(report(measure(args.db, args.runs), args.cases, args.open_cases))


if __name__ == "__main__":
    main()
