"""How long `case list` and `case show` take as `--now` moves far into the future.

Business time is counted a year at a time over long stretches (``workbench.calendar``), and
a deadline's used time stops at its due moment, so a desk asked about the year 9999 answers
as fast as one asked about today (before: 2100 took 6.5 s, 2500 120 s, 9999 about 40 min).

    .venv/bin/python benchmarks/far_future.py --runs 3

Each figure is the median wall time of a fresh `workbench` process (imports included) on the
demo desk (50 cases, all four vendors).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOWS = ("2026-11-24T01:00Z", "2100-01-01T00:00Z", "2500-01-01T00:00Z", "9999-12-31T23:59Z")
COMMANDS = (("case", "list"), ("case", "show", "C-1"))


def seconds(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workbench = [sys.executable, "-m", "workbench"]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "WORKBENCH_DB": str(Path(folder) / "desk.json")}
        subprocess.run([*workbench, "demo", "--now", NOWS[0]], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"{'--now':<20} " + " ".join(f"{' '.join(c):>16}" for c in COMMANDS))
        for now in NOWS:
            row = [seconds([*workbench, *command, "--now", now], env, args.runs) for command in COMMANDS]
            print(f"{now:<20} " + " ".join(f"{s * 1000:>13.0f} ms" for s in row))


if __name__ == "__main__":
    main()
