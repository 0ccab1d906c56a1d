"""Storage benchmark at desk scale: 50,000 cases, about 250,000 events.

    python benchmarks/storage.py [--workdir DIR] [--runs 5] [--cases 50000] [--open 2000]

Generates the desk once (``benchmarks/desk_data.py``, through the store protocol) and a
TinyDB default-``JSONStorage`` file with the same records and events, then prints medians:

* one durable change: a note event and a case update, committed (fsynced);
* open the desk and list its open cases, in a fresh process each run;
* filter all cases by vendor + state + text;
* resident memory with the desk open (after listing), and the first ``events()`` call;
* the same durable change on TinyDB's ``JSONStorage`` holding the same data.

Timings are wall-clock; the load average is printed with them, since a busy machine
(two cores shared with a test suite) stretches every number.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import JSONStorage

sys.path.insert(0, str(Path(__file__).parent))

from desk_data import generate  # noqa: E402

from workbench.store import KINDS, FileStore, open_store  # noqa: E402

GOALS = {
    "durable change": 20.0,
    "open + list open cases": 300.0,
    "filter by vendor + state + text": 50.0,
}

OPEN_AND_LIST = r"""
import json, sys, time
imported = time.perf_counter()
from workbench.store import open_store
started = time.perf_counter()
imported = started - imported
store = open_store(sys.argv[1])
open_cases = [r for r in store.all("cases") if r["state"] != "closed"]
listed = time.perf_counter()
first_events = time.perf_counter()
store.events("cases", open_cases[0]["id"])
first_events = time.perf_counter() - first_events
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "seconds": listed - started, "open": len(open_cases), "first_events": first_events,
    "import": imported,
    "rss_mb": int(status["VmRSS"].split()[0]) / 1024, "peak_mb": int(status["VmHWM"].split()[0]) / 1024,
}))
"""


def median_ms(run: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def note(key: str, n: int) -> dict[str, Any]:
    return {
        "id": 0,
        "at": "2026-11-24T01:00:00+00:00",
        "actor": "bench",
        "kind": "cases",
        "key": key,
        "action": "note",
        "before": None,
        "after": None,
        "rule": "",
        "reason": "",
        "data": {"text": f"benchmark note {n}"},
    }


def durable_change(store: FileStore, keys: list[str], runs: int) -> float:
    counter = iter(range(10**9))

    def change() -> None:
        n = next(counter)
        key = keys[n % len(keys)]
        with store.transaction() as tx:
            case = tx.get("cases", key)
            case["fields"]["notes"] = n
            tx.put("cases", key, case)
            tx.append_event(note(key, n))

    return median_ms(change, runs)


def filter_cases(store: FileStore, runs: int) -> tuple[float, int]:
    found: list[dict[str, Any]] = []

    def search() -> None:
        found[:] = [
            r
            for r in store.all("cases")
            if r["vendor"] == "bittitan" and r["state"] == "closed" and "delta" in r["subject"].lower()
        ]

    return median_ms(search, runs), len(found)


def tinydb_copy(desk: FileStore, path: Path) -> None:
    """The same records and events in TinyDB's default layout, written by JSONStorage."""
    data: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        data[kind] = {str(n): r for n, r in enumerate(desk.all(kind), start=1)}
    data["events"] = {str(e["id"]): e for e in desk.events()}
    storage = JSONStorage(str(path))
    storage.write(data)
    storage.close()


def tinydb_change(path: Path, runs: int) -> float:
    db = TinyDB(path)  # default JSONStorage: every change re-reads and rewrites the file
    cases, events = db.table("cases"), db.table("events")
    counter = iter(range(10**9))

    def change() -> None:
        n = next(counter)
        doc_id = 49_000 + n
        case = cases.get(doc_id=doc_id)
        case["fields"]["notes"] = n
        cases.update({"fields": case["fields"]}, doc_ids=[doc_id])
        events.insert(note(case["id"], n))

    try:
        return median_ms(change, runs)
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Storage benchmark at desk scale.")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_cases")
    parser.add_argument("--skip-tinydb", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="workbench-bench-"))
    path = workdir / "desk.json"
    if not path.exists():
        started = time.perf_counter()
        store = open_store(path)
        generate(store, args.cases, args.open_cases)
        store.compact()
        store.close()
        print(f"generated {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    opens = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", OPEN_AND_LIST, str(path)], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(args.runs)
    ]
    store = open_store(path)
    open_keys = [r["id"] for r in store.all("cases") if r["state"] != "closed"]
    rows = {
        "durable change": durable_change(store, open_keys, args.runs * 20),
        "open + list open cases": statistics.median(o["seconds"] for o in opens) * 1000,
        "filter by vendor + state + text": filter_cases(store, args.runs * 4)[0],
    }
    sizes = {
        name: os.path.getsize(str(path) + suffix) / 1e6
        for name, suffix in (("snapshot", ""), ("log", ".log"))
    }
    extra = {
        "importing workbench.store (before open), ms": statistics.median(o["import"] for o in opens) * 1000,
        "first events() after open (parses the event index), ms": statistics.median(
            o["first_events"] for o in opens
        )
        * 1000,
        "resident memory with the desk open, MB": statistics.median(o["rss_mb"] for o in opens),
        "peak memory while opening, MB": statistics.median(o["peak_mb"] for o in opens),
        "open cases listed": opens[0]["open"],
        "cases / events": f"{len(store.all('cases'))} / {store._state.last_event_id}",
        "snapshot / log size, MB": f"{sizes['snapshot']:.1f} / {sizes['log']:.1f}",
    }
    if not args.skip_tinydb:
        tiny = workdir / "tinydb-default.json"
        if not tiny.exists():
            tinydb_copy(store, tiny)
        rows["durable change, TinyDB JSONStorage"] = tinydb_change(tiny, max(3, args.runs // 2))
        extra["TinyDB JSONStorage / ours, durable change"] = (
            f"{rows['durable change, TinyDB JSONStorage'] / rows['durable change']:.0f}x"
        )
    store.close()

    print(
        f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); medians of "
        f"{args.runs} runs (changes: {args.runs * 20}, filters: {args.runs * 4})"
    )
    print(f"{'operation':<44}{'median ms':>12}{'goal ms':>10}")
    for name, value in rows.items():
        goal = GOALS.get(name)
        mark = "" if goal is None else ("  ok" if value <= goal else "  OVER")
        print(f"{name:<44}{value:>12.2f}{'' if goal is None else f'{goal:>10.0f}'}{mark}")
    for name, value in extra.items():
        shown = f"{value:.1f}" if isinstance(value, float) else value
        print(f"{name:<56}{shown:>12}")
    print(orjson.dumps({**rows, **{k: v for k, v in extra.items()}}).decode(), file=sys.stderr)


if __name__ == "__main__":
    main()
