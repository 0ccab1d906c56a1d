"""How long whole ``workbench`` commands take, start to exit, as a desk user feels them.

    python benchmarks/cli.py [--sizes 10000,50000,200000] [--runs 5] [--workdir DIR]
                             [--only NAME,…] [--skip NAME,…] [--json FILE] [--daemon]

Every figure is the median of ``--runs`` whole processes (the real ``workbench`` command,
from compiled bytecode, after one untimed start), at the desk clock ``desk_data.NOW``, on
desks of each size with 2,000 open cases (``desk_data.generate``), and is shown as a
multiple of ``python -c 'import click'`` measured in the same run (``python -c pass``
beside it). Each figure carries the child's peak resident memory (``wait4``'s
``ru_maxrss``). The machine's load average is printed beside each size: every number
stretches with the load.

The desks are generated once into ``--workdir`` (default: ``$XDG_CACHE_HOME`` or
``~/.cache``, ``workbench-bench``; never the repository) and reused; the first run sweeps
each once at ``NOW`` so that the timed ``sweep`` has nothing to do. Commands that write
work on that desk too (notes on one open case; the change figures).

The goals (issue 16) are printed beside the figures.

Every command runs in its own process (``WORKBENCH_DAEMON=off``). With ``--daemon`` the
commands a desk server answers (``case show``, ``case list``, ``sweep``, ``renewals``,
``case note``) are measured again, ``… served``, through a desk server started (untimed)
before them in a folder of the run's own and stopped after. Their wall time is the headline:
the ``workbench`` process's own CPU time is only the client's, so their CPU figure adds what
the server reports it spent (``workbench daemon status``: its children's CPU and its own)
during each run, and their peak memory is the larger of the client's and the server's
child's (a fork: its resident memory counts the pages it shares with the server).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_data import NOW, generate, open_for_generating  # noqa: E402

OPEN = 2_000
PYTHON = sys.executable
WORKBENCH = str(Path(sys.executable).with_name("workbench"))

CHANGE_PROGRAM = """
import sys, time, orjson
from workbench import clock
from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store import open_store
clock.set_now(sys.argv[2])
store = open_store(sys.argv[1])
desk = Desk(store, get_plugins(), actor="bench")
key, count = sys.argv[3], int(sys.argv[4])
spans = []
for number in range(count):
    started = time.perf_counter()
    desk.note(key, f"benchmark note {number}")
    spans.append(time.perf_counter() - started)
print(orjson.dumps({"spans": spans, "log": store.log_path}).decode())
"""
"""Make ``count`` changes (notes) through the desk, as ``case note`` makes each, timing
each one, in one process: enough of them to cross the point where the log is compacted."""

RENEWALS_PROGRAM = """
import sys, time
from workbench import clock
from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store import open_store
clock.set_now(sys.argv[2])
desk = Desk(open_store(sys.argv[1]), get_plugins())
started = time.perf_counter()
views = desk.renewals()
print(time.perf_counter() - started, len(views), len(desk.store.all("workflows")),
      len(desk.store.all("contracts")))
"""


@dataclass
class Figure:
    """The runs of one command: wall and CPU seconds and peak resident MB of each, and the
    ``import click`` runs made between them (the ratio's baseline, under the same load)."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    click: list[float] = field(default_factory=list)
    click_cpu: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mb) if self.peak_mb else 0.0

    def add(self, measured: tuple[float, float, float, bytes]) -> None:
        seconds, cpu, peak, _ = measured
        self.seconds.append(seconds)
        self.cpu.append(cpu)
        self.peak_mb.append(peak)

    def ratio(self) -> str:
        """The median as a multiple of ``import click``'s median measured between its runs
        (wall time, and CPU time in brackets: less bent by a busy machine)."""
        if not self.click:
            return ""
        wall = self.median / statistics.median(self.click)
        cpu = statistics.median(self.cpu) / statistics.median(self.click_cpu)
        return f"{wall:.2f} × [cpu {cpu:.2f} ×]"


CLICK = [PYTHON, "-c", "import click"]


def server_usage(env: dict[str, str]) -> tuple[float, float] | None:
    """The CPU seconds the desk server of ``env``'s runtime folder has spent (its children's
    and its own) and its last child's peak resident MB; ``None`` without a server."""
    import marshal
    import socket

    from workbench.daemon import client

    folder = Path(env["XDG_RUNTIME_DIR"]) / "case-workbench"
    for path in folder.glob("*.sock"):
        connection = client.connect(str(path))
        if connection is not None:
            with socket.socket(fileno=connection.detach()) as sock:
                client.request(sock, {"kind": "status"})
                status = marshal.loads(
                    client.receive(sock, int.from_bytes(client.receive(sock, 4), "little"))
                )
            return status["children_cpu"] + status["server_cpu"], status["last"].get("max_rss_kb", 0) / 1024
    return None


def run(
    argv: list[str], env: dict[str, str], stdout: int | None = subprocess.DEVNULL
) -> tuple[float, float, float, bytes]:
    """Run one whole process; its wall time and CPU time (s), peak resident memory (MB)
    and output. A command a desk server answers (``WORKBENCH_DAEMON=manual``) adds the
    server's CPU time and its child's peak memory."""
    served = env.get("WORKBENCH_DAEMON") == "manual"
    before = server_usage(env) if served else None
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE)
    output = process.stdout.read() if process.stdout else b""
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {errors.decode()[-2000:]}")
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    if served:
        after = server_usage(env)
        if before is None or after is None:
            raise RuntimeError(f"{' '.join(argv)}: no desk server answered")
        cpu += after[0] - before[0]
        peak = max(peak, after[1])
    return elapsed, cpu, peak, output


def timed(argv: list[str], env: dict[str, str], runs: int, warm: bool = True) -> Figure:
    """``runs`` runs of ``argv``, each after a run of ``import click``."""
    if warm:
        run(argv, env)  # untimed: writes the bytecode, warms the page cache
    figure = Figure()
    for _ in range(runs):
        seconds, cpu, _, _ = run(CLICK, env)
        figure.click.append(seconds)
        figure.click_cpu.append(cpu)
        figure.add(run(argv, env))
    return figure


def settle(path: Path) -> None:
    """Wait until the compaction a command started in the background has covered the log
    (an import leaves the whole desk in it): the next run does not share the machine
    with it."""
    from workbench.store.snapshot import snapshot_checkpoint

    log = Path(str(path) + ".log")
    deadline = time.monotonic() + 600
    while snapshot_checkpoint(str(path)) < log.stat().st_size and time.monotonic() < deadline:
        time.sleep(0.2)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# ----------------------------------------------------------------------------------------
# The desks
# ----------------------------------------------------------------------------------------


def desk_path(workdir: Path, cases: int) -> Path:
    return workdir / f"desk-{cases // 1000}k.json"


def build(path: Path, cases: int, env: dict[str, str]) -> None:
    """Generate the desk (once), then sweep it once at ``NOW`` (the catching-up sweep)."""
    if not path.exists():
        print(f"generating {cases:,} cases at {path} …", file=sys.stderr, flush=True)
        store = open_for_generating(path)
        generate(store, cases, OPEN)
        store.compact()
        store.close()
    marker = path.with_name(path.name + ".swept")
    if not marker.exists():
        print(f"first sweep of {path} …", file=sys.stderr, flush=True)
        run([WORKBENCH, "sweep", "--db", str(path)], env)
        marker.write_text(NOW.isoformat())


def pick_cases(path: Path) -> dict[str, str]:
    """The cases shown: the newest open case of each kind, and a closed Zoho how-to case."""
    from workbench.store import open_store

    store = open_store(path)
    try:
        open_cases = sorted(store.all("cases", closed=False), key=lambda r: -int(r["id"][2:]))

        def howto(record: dict) -> bool:
            fields = record["fields"]
            return fields.get("request_type") == "technical-support" and fields.get("category") == "how-to"

        picked = {
            "zoho how-to": next(r for r in open_cases if r["vendor"] == "zoho" and howto(r))["id"],
            "bittitan": next(r for r in open_cases if r["vendor"] == "bittitan")["id"],
            "ontime": next(r for r in open_cases if r["vendor"] == "ontime")["id"],
            "webex": next(r for r in open_cases if r["vendor"] == "webex")["id"],
        }
        number = min(int(r["id"][2:]) for r in open_cases) - 1
        while True:
            record = store.get("cases", f"C-{number}")
            if record and record["state"] == "closed" and record["vendor"] == "zoho" and howto(record):
                picked["closed zoho how-to"] = record["id"]
                break
            number -= 1
        picked["notes"] = next(
            r for r in open_cases if r["vendor"] == "ontime" and r["id"] != picked["ontime"]
        )["id"]
        return picked
    finally:
        store.close()


# ----------------------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------------------

SHOWN = ("zoho how-to", "bittitan", "closed zoho how-to", "ontime", "webex")


SERVED = {*(f"show {name}" for name in SHOWN), "list", "sweep", "renewals", "note"}
"""The measured commands a desk server answers: ``--daemon`` measures them served too."""


def measure_served(path: Path, env: dict[str, str], runs: int, wanted: set[str], picked: dict) -> dict:
    """The commands of ``SERVED`` in ``wanted``, through a desk server started before them
    (untimed) and stopped after; each figure named ``… served``."""
    served = {**env, "WORKBENCH_DAEMON": "manual"}
    subprocess.run([WORKBENCH, "daemon", "start"], env=served, check=True, capture_output=True)
    try:
        found = measure_commands(path, served, runs, wanted & SERVED, picked)
    finally:
        subprocess.run([WORKBENCH, "daemon", "stop"], env=served, check=True, capture_output=True)
    return {f"{name} served": figure for name, figure in found.items()}


def measure_commands(path: Path, env: dict[str, str], runs: int, wanted: set[str], picked: dict) -> dict:
    """The whole commands of ``wanted`` among ``SERVED``."""
    db = ["--db", str(path)]
    found: dict[str, Figure] = {}
    for name in SHOWN:
        if f"show {name}" in wanted:
            found[f"show {name}"] = timed([WORKBENCH, "case", "show", picked[name], *db], env, runs)
    if "list" in wanted:
        found["list"] = timed([WORKBENCH, "case", "list", *db], env, runs)
    if "sweep" in wanted:
        found["sweep"] = timed([WORKBENCH, "sweep", *db], env, runs)
    if "renewals" in wanted:
        found["renewals"] = timed([WORKBENCH, "renewals", *db], env, runs)
    if "note" in wanted:
        found["note"] = timed([WORKBENCH, "case", "note", picked["notes"], "benchmark note", *db], env, runs)
    return found


def measure_size(
    path: Path, env: dict[str, str], runs: int, wanted: set[str], scratch: Path, daemon: bool = False
) -> dict:
    db = ["--db", str(path)]
    picked = pick_cases(path)
    found = measure_commands(path, env, runs, wanted, picked)
    if daemon:
        found.update(measure_served(path, env, runs, wanted, picked))
    if "renewals" in wanted:
        inside = Figure()
        for _ in range(runs):
            _, _, peak, output = run(
                [PYTHON, "-c", RENEWALS_PROGRAM, str(path), NOW.isoformat()], env, subprocess.PIPE
            )
            seconds, views, workflows, contracts = output.split()
            inside.seconds.append(float(seconds))
            inside.peak_mb.append(peak)
        inside.note = (
            f"{views.decode()} due of {workflows.decode()} workflows, {contracts.decode()} contracts"
        )
        found["renewals in-process"] = inside
    if "changes" in wanted:
        _, _, peak, output = run(
            [PYTHON, "-c", CHANGE_PROGRAM, str(path), NOW.isoformat(), picked["notes"], "2000"],
            env,
            subprocess.PIPE,
        )
        spans = sorted(json.loads(output)["spans"])
        changes = Figure(spans, peak_mb=[peak])
        changes.note = (
            f"p99 {spans[int(len(spans) * 0.99)] * 1000:.1f} ms, longest {spans[-1] * 1000:.0f} ms "
            f"of {len(spans)} changes in one process"
        )
        found["changes"] = changes
    if "changes beside compact" in wanted:
        found["changes beside compact"] = changes_beside_compaction(path, env, picked["notes"])
    exported = scratch / "export.json"
    if "export" in wanted or "import" in wanted:
        export = [WORKBENCH, "export", "--format", "json", "-o", str(exported), *db]
        found["export"] = timed(export, env, runs if "export" in wanted else 1, warm=False)
        found["export"].note = f"{exported.stat().st_size / 1e6:,.0f} MB file"
        if "export" not in wanted:
            del found["export"]
    if "import" in wanted:
        found["import"] = Figure()
        for index in range(runs):
            target = scratch / f"imported-{path.stem}-{index}" / "desk.json"
            target.parent.mkdir()
            seconds, cpu, _, _ = run(CLICK, env)
            found["import"].click.append(seconds)
            found["import"].click_cpu.append(cpu)
            found["import"].add(run([WORKBENCH, "import", str(exported), "--db", str(target)], env))
            settle(target)
            shutil.rmtree(target.parent)
    exported.unlink(missing_ok=True)
    return {"picked": picked, "figures": found}


def changes_beside_compaction(path: Path, env: dict[str, str], key: str) -> Figure:
    """2,000 changes in one process, as ``changes``, while ``workbench compact`` rewrites the
    snapshot beside it again and again (as the background compaction a command starts
    does): each change may wait only for the compactor's moment under the writer lock."""
    stop, compactions = threading.Event(), [0]

    def compact_again_and_again() -> None:
        while not stop.is_set():
            subprocess.run(
                [WORKBENCH, "compact", "--db", str(path)], env=env, capture_output=True, check=True
            )
            compactions[0] += 1

    compactor = threading.Thread(target=compact_again_and_again)
    compactor.start()
    try:
        _, _, peak, output = run(
            [PYTHON, "-c", CHANGE_PROGRAM, str(path), NOW.isoformat(), key, "2000"], env, subprocess.PIPE
        )
    finally:
        stop.set()
        compactor.join()
    spans = sorted(json.loads(output)["spans"])
    figure = Figure(spans, peak_mb=[peak])
    figure.note = (
        f"p99 {spans[int(len(spans) * 0.99)] * 1000:.1f} ms, longest {spans[-1] * 1000:.0f} ms "
        f"of {len(spans)} changes, {compactions[0]} compactions beside them"
    )
    return figure


SERVED_GOAL = "≤ 2 × click (wall), flat ± 20 %"
GOALS = {
    "--version": "≤ 1.3 × click",
    "--help": "≤ 1.3 × click",
    "show zoho how-to": "≤ 2 × click, flat ± 20 %",
    "show bittitan": "≤ 2 × click, flat ± 20 %",
    "show closed zoho how-to": "≤ 2 × click, flat ± 20 %",
    "show ontime": "≤ 2 × click, flat ± 20 %",
    "show webex": "≤ 2 × click, flat ± 20 %",
    "list": "≤ 5 × click (2,000 open)",
    "sweep": "≤ 1 s at 50k; grows with open work",
    "renewals": "",
    "renewals in-process": "grows with workflows",
    "note": "",
    "changes": "p99 ≤ 50 ms (no compaction on the path)",
    "changes beside compact": "p99 ≤ 50 ms (nobody waits for a compaction)",
    "export": "≤ 3 s at 50k; ≤ 250 MB",
    "import": "≤ 6 s at 50k; ≤ 250 MB",
    **{f"show {name} served": SERVED_GOAL for name in SHOWN},
    "list served": "≤ 5 × click (wall)",
}
LABELS = {
    "python -c pass": "`python -c pass`",
    "import click": "`python -c 'import click'`",
    "--version": "`workbench --version`",
    "--help": "`workbench --help`",
    "show zoho how-to": "`case show` of an open Zoho how-to case",
    "show bittitan": "`case show` of an open BitTitan case",
    "show closed zoho how-to": "`case show` of a closed Zoho how-to case",
    "show ontime": "`case show` of an open OnTime case",
    "show webex": "`case show` of an open WebEx case",
    "list": "`case list` (2,000 open)",
    "sweep": "`sweep` (nothing to do)",
    "renewals": "`renewals`",
    "renewals in-process": "`Desk.renewals()` in-process",
    "note": "`case note` (one change)",
    "changes": "one change, 2,000 in a process (median)",
    "changes beside compact": "one change, 2,000 in a process while `workbench compact` runs beside (median)",
    "export": "`export --format json -o FILE`",
    "import": "`import FILE` into a new desk",
    "show zoho how-to served": "`case show` of an open Zoho how-to case, served (wall; CPU client + server)",
    "show bittitan served": "`case show` of an open BitTitan case, served",
    "show closed zoho how-to served": "`case show` of a closed Zoho how-to case, served",
    "show ontime served": "`case show` of an open OnTime case, served",
    "show webex served": "`case show` of an open WebEx case, served",
    "list served": "`case list` (2,000 open), served",
    "sweep served": "`sweep` (nothing to do), served",
    "renewals served": "`renewals`, served",
    "note served": "`case note` (one change), served",
}


def cell(figure: Figure | None) -> str:
    if figure is None:
        return ""
    ms = figure.median * 1000
    text = f"{ms:,.1f} ms" if ms < 100 else f"{ms:,.0f} ms"
    if figure.click:
        text += f" ({figure.ratio()})"
    if figure.peak:
        text += f" / {figure.peak:,.0f} MB"
    if figure.note:
        text += f"; {figure.note}"
    return text


def report(results: dict) -> str:
    sizes = results["sizes"]
    click = results["baseline"]["import click"].median
    lines = [
        f"{results['when']}, {results['machine']}; {results['runs']} runs each, medians; "
        f"each ratio is to runs of `python -c 'import click'` made between the command's runs "
        f"(at the start: {click * 1000:.0f} ms; `python -c pass` "
        f"{results['baseline']['python -c pass'].median * 1000:.0f} ms)",
        "",
        "| command | " + " | ".join(f"{s // 1000}k cases" for s in sizes) + " | goal |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    for name in ("python -c pass", "import click", "--version", "--help"):
        figure = results["baseline"].get(name)
        if figure is not None:
            lines.append(
                f"| {LABELS[name]} | {cell(figure)} (any size) |"
                + " |" * (len(sizes) - 1)
                + f" {GOALS.get(name, '')} |"
            )
    for name, label in LABELS.items():
        if name in results["baseline"]:
            continue
        row = [results["per_size"][s]["figures"].get(name) for s in sizes]
        if any(row):
            lines.append(f"| {label} | " + " | ".join(cell(f) for f in row) + f" | {GOALS.get(name, '')} |")
    lines.append(
        "| load average (1, 5, 15 min) at start / end | "
        + " | ".join(
            f"{results['per_size'][s]['load'][0]} / {results['per_size'][s]['load'][1]}" for s in sizes
        )
        + " | |"
    )
    return "\n".join(lines)


def _figure(data: dict) -> Figure:
    return Figure(**data)


def _cell_of(data: dict | None) -> str:
    if not data:
        return "—"
    figure = _figure(data)
    ms = figure.median * 1000
    text = f"{ms:,.1f} ms" if ms < 100 else f"{ms:,.0f} ms"
    if figure.click:
        wall = figure.median / statistics.median(figure.click)
        cpu = statistics.median(figure.cpu) / statistics.median(figure.click_cpu)
        text += f" ({wall:.1f}× / cpu {cpu:.1f}×)"
    if figure.peak:
        text += f", {figure.peak:,.0f} MB"
    if figure.note.startswith("p99"):
        text += f"; {figure.note.split(' of ')[0]}"
    return text


def compare(before: list[dict], after: list[dict]) -> str:
    """A table of two sets of runs (``--json`` files), before → after, size by size."""

    def merged(runs: list[dict]) -> tuple[dict, dict, dict]:
        baseline, figures, loads = {}, {}, {}
        for run in runs:
            baseline.update(run["baseline"])
            for size, measured in run["per_size"].items():
                figures.setdefault(int(size), {}).update(measured["figures"])
                loads[int(size)] = measured["load"]
        return baseline, figures, loads

    old_base, old, old_load = merged(before)
    new_base, new, new_load = merged(after)
    sizes = sorted(set(old) | set(new))
    lines = [
        "| command | " + " | ".join(f"{size // 1000}k: before → after" for size in sizes) + " | goal |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    for name in ("--version", "--help"):
        if name in old_base or name in new_base:
            row = f"{_cell_of(old_base.get(name))} → {_cell_of(new_base.get(name))} (any size)"
            lines.append(f"| {LABELS[name]} | {row} |" + " |" * (len(sizes) - 1) + f" {GOALS[name]} |")
    for name, label in LABELS.items():
        if name in ("python -c pass", "import click", "--version", "--help"):
            continue
        cells = [
            f"{_cell_of(old.get(size, {}).get(name))} → {_cell_of(new.get(size, {}).get(name))}"
            for size in sizes
        ]
        if any("—" != cell.split(" → ")[1] or "—" != cell.split(" → ")[0] for cell in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {GOALS.get(name, '')} |")
    loads = [f"{old_load.get(size, ['?'])[0]} → {new_load.get(size, ['?'])[0]}" for size in sizes]
    lines.append("| load average at the start (1, 5, 15 min) | " + " | ".join(loads) + " | |")
    return "\n".join(lines)


def to_json(results: dict) -> dict:
    def plain(value):
        if isinstance(value, Figure):
            return dataclasses.asdict(value)
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        return value

    return plain(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,200000")
    parser.add_argument("--runs", type=int, default=5)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument("--workdir", type=Path, default=cache / "workbench-bench")
    parser.add_argument("--only", default="", help="Measure only these (comma-separated names).")
    parser.add_argument("--skip", default="", help="Leave these out (e.g. export,import).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the raw figures here.")
    parser.add_argument(
        "--daemon",
        action="store_true",
        help="Also measure the commands a desk server answers, through one (… served).",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("BEFORE", "AFTER"),
        help="Print a before → after table of two --json files (comma-separated lists) and stop.",
    )
    args = parser.parse_args()
    if args.compare:
        before, after = ([json.loads(Path(f).read_text()) for f in arg.split(",")] for arg in args.compare)
        print(compare(before, after))
        return
    names = {
        "--version",
        "--help",
        *(f"show {n}" for n in SHOWN),
        "list",
        "sweep",
        "renewals",
        "note",
        "changes",
        "changes beside compact",
        "export",
        "import",
    }
    wanted = set(filter(None, args.only.split(","))) or names
    wanted -= set(filter(None, args.skip.split(",")))
    sizes = [int(s) for s in args.sizes.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as scratch:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "WORKBENCH_DB")},
            "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pycache"),
            "WORKBENCH_NOW": NOW.isoformat(),
            "WORKBENCH_ACTOR": "bench",
            "WORKBENCH_DAEMON": "off",
            "XDG_RUNTIME_DIR": str(Path(scratch) / "run"),
        }
        for size in sizes:
            build(desk_path(args.workdir, size), size, env)
        results: dict = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
            "runs": args.runs,
            "sizes": sizes,
            "baseline": {},
            "per_size": {},
        }
        baseline = results["baseline"]
        baseline["python -c pass"] = timed([PYTHON, "-c", "pass"], env, args.runs)
        baseline["import click"] = timed(CLICK, env, args.runs)
        for flag in ("--version", "--help"):
            if flag in wanted:
                baseline[flag] = timed([WORKBENCH, flag], env, args.runs)
        for size in sizes:
            before = load()
            print(f"measuring {size:,} cases (load average {before}) …", file=sys.stderr, flush=True)
            measured = measure_size(
                desk_path(args.workdir, size), env, args.runs, wanted, Path(scratch), args.daemon
            )
            measured["load"] = (before, load())
            results["per_size"][size] = measured
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=1))


if __name__ == "__main__":
    main()
