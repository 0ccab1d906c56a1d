"""How long `workbench mail poll` takes to take in a Maildir of new messages, on the demo desk
(50 cases) and on an empty one: each message is read, threaded (Message-ID, case ID), checked
once more under the writer lock and recorded in a transaction of its own (one fsynced change
each), then moved to ``cur/``.

    .venv/bin/python benchmarks/mail_poll.py --messages 200 --runs 3

Each figure is the median wall time of a fresh `workbench mail poll` process (imports
included) over ``--messages`` messages: half name a demo case (``[C-n]`` in the subject,
recorded as the customer's reply or a note), half name none (the Inbox); and of a second
poll that finds nothing new.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path


def maildir(folder: Path, count: int) -> Path:
    box = folder / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    for number in range(count):
        mail = EmailMessage()
        mail["From"] = f"user{number}@example.org"
        mail["Subject"] = f"[C-{number % 40 + 1}] question {number}" if number % 2 else f"question {number}"
        mail["Message-ID"] = f"<bench{number}@example.org>"
        mail.set_content("Hello,\n\nthe sync stopped again.\n" * 5)
        (box / "new" / f"{number}.bench").write_bytes(bytes(mail))
    return box


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "workbench", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    rows = []
    for desk in ("demo", "empty"):
        first, again = [], []
        for _ in range(options.runs):
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "desk.json"
                env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": "2026-11-24T10:00+09:00"}
                if desk == "demo":
                    run(["demo"], env)
                    env["WORKBENCH_AGENT"] = "sato"
                box = maildir(Path(folder), options.messages)
                run(["settings", "mail.maildir", str(box)], env)
                first.append(run(["mail", "poll", "--json"], env))
                again.append(run(["mail", "poll", "--json"], env))
        rows.append((desk, statistics.median(first), statistics.median(again)))
    print(
        f"{options.messages} messages, median of {options.runs} runs; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'desk':<8}{'poll (s)':>10}{'per message (ms)':>18}{'poll again (s)':>16}")
    for desk, first, again in rows:
        print(f"{desk:<8}{first:>10.2f}{first / options.messages * 1000:>18.1f}{again:>16.2f}")


if __name__ == "__main__":
    main()
