"""How fast a month's reports come from a 50,000-case desk (issue: a month's report in ≤ 2 s).

    .venv/bin/python benchmarks/reports.py [--db /tmp/workbench-reports-50k.json] [--runs 3]

The desk is :mod:`desk_data`'s (50,000 cases, 2,000 open, three years), written on first use
and kept at ``--db``. Each run starts ``workbench report vendor`` and ``workbench report desk``
for the last whole month generated as a user would (a fresh process, the desk clock at
:data:`desk_data.NOW`), and ``report backlog`` beside them; the month's cases come from the
desk file's index of closed cases by the day they were sent. Prints the median wall time of
each with the goal and the load average: numbers are wall time on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import desk_data  # noqa: E402

GOAL_SECONDS = 2.0
MONTH = "2026-10"
"""The last whole month :mod:`desk_data` generates (it ends 2026-11-26)."""


def ensure_desk(path: Path) -> None:
    if not path.exists():
        store = desk_data.open_for_generating(path)
        desk_data.generate(store)
        store.compact()
        store.close()


def timed(args: list[str]) -> tuple[float, int]:
    """Seconds one ``workbench`` command takes, and the size of its JSON answer."""
    began = time.perf_counter()
    result = subprocess.run(args, capture_output=True, check=True)
    return time.perf_counter() - began, len(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description="A month's reports at desk scale.")
    parser.add_argument("--db", default="/tmp/workbench-reports-50k.json")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = Path(args.db)
    ensure_desk(path)
    os.environ["WORKBENCH_DAEMON"] = "off"  # each command in a process of its own (cli.py --daemon: served)
    workbench = str(Path(sys.executable).parent / "workbench")
    base = [workbench, "--db", str(path), "--now", desk_data.NOW.isoformat()]
    commands = {
        f"report vendor --month {MONTH}": ["report", "vendor", "--month", MONTH, "--json"],
        f"report desk --month {MONTH}": ["report", "desk", "--month", MONTH, "--json"],
        "report backlog": ["report", "backlog", "--json"],
    }
    print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs; desk {path}")
    print("| command | median | answer | goal |\n| --- | --- | --- | --- |")
    for name, command in commands.items():
        timed([*base[:1], "--version"])
        runs = [timed([base[0], *command[:2], *base[1:], *command[2:]]) for _ in range(args.runs)]
        seconds = statistics.median(s for s, _ in runs)
        goal = f"≤ {GOAL_SECONDS:.0f} s" if "month" in name else "-"
        print(f"| `{name}` | {seconds * 1000:,.0f} ms | {runs[0][1]:,} bytes | {goal} |")


if __name__ == "__main__":
    main()
