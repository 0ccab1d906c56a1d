"""How fast the calendar computes deadlines: 10,000 ``Calendar.add`` calls (CORE-SLA-1).

    .venv/bin/python benchmarks/deadlines.py [--runs 5] [--adds 10000]

Deadlines are recomputed for every case on every screen, so the calendar must add business
time quickly: 10,000 deadlines of 48 business hours on Japanese business days (09:00-18:00
Asia/Tokyo less Japanese public holidays, WX-SITE-1), from starts 37 minutes apart, should
take well under a second (the goal). Prints the first run (it builds the holiday tables) and
the median of the runs, with the load average: numbers are wall time on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workbench.calendar import japan_business

GOAL_SECONDS = 1.0
START = datetime(2026, 1, 5, 10, tzinfo=ZoneInfo("Asia/Tokyo"))


def add_deadlines(adds: int) -> float:
    """Seconds to compute ``adds`` deadlines of 48 business hours, on a fresh calendar."""
    calendar = japan_business()
    began = time.perf_counter()
    for n in range(adds):
        calendar.add(START + timedelta(minutes=37 * n), timedelta(hours=48))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description="Calendar deadline benchmark (CORE-SLA-1).")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--adds", type=int, default=10_000)
    args = parser.parse_args()
    times = [add_deadlines(args.adds) for _ in range(args.runs)]
    print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); {args.runs} runs")
    print(f"{'operation':<44}{'first s':>9}{'median s':>10}{'goal s':>8}")
    print(
        f"{f'{args.adds:,} deadlines (Calendar.add, 48 h)':<44}"
        f"{times[0]:>9.3f}{statistics.median(times):>10.3f}{GOAL_SECONDS:>8.1f}"
    )


if __name__ == "__main__":
    main()
