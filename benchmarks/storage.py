"""Storage benchmark at desk scale: 50,000 cases, about 250,000 events.

How to run it, from the repository root (about 3 minutes; up to 6 GB of RAM and 2 GB of disk
in the work folder):

    .venv/bin/python benchmarks/storage.py --runs 3

    python benchmarks/storage.py [--workdir DIR] [--runs 5] [--cases 50000] [--open 2000] [--skip-tinydb]
                                 [--db postgresql://…]

``--workdir DIR`` keeps the generated desk there (a later run reuses it and skips the
generation); ``--skip-tinydb`` leaves out the TinyDB comparison, the slowest part;
``--quick`` measures only a change, opening, one case and the filter (no export, import,
sweep, concurrent writers or TinyDB: a few minutes on a busy machine instead of an hour).

Generates the desk once (``benchmarks/desk_data.py``, through the store protocol: records
in the real model's shape, 20-45 s) and a TinyDB default-``JSONStorage`` file with the same
records and events, then prints medians:

* one durable change: a note event and a case update, committed (fsynced);
* open the desk and list its open cases, in a fresh process each run;
* filter all cases by vendor + state + text;
* export the whole desk to JSON (``transfer.write_json``);
* import that export into an empty desk (``transfer.import_file``: the file read twice a
  line at a time, every record checked, the new desk written beside and put in place);
* sweep every open case (``Desk.sweep`` at ``desk_data.NOW``, on a copy of the desk): the
  first sweep catches up (breaches, reminders, closes, renewal workflows; timed once), the
  later ones are the steady state and must change nothing;
* one case with its history: a closed case not read before, and its events, in the open
  desk (a different case each run);
* 4 writers × 500 changes at once, each a process of its own: every change must be there
  afterwards; the time per change and the throughput;
* resident memory with the desk open (after listing), and the first ``events()`` call;
* beside each of these, the same operation on TinyDB's default ``JSONStorage`` holding the
  same records and events (a change, opening and listing, the filter, an export, an
  import, memory); the sweep has no TinyDB counterpart (it is the desk's rules, not
  storage);
* with ``--db URL`` (a PostgreSQL database), the same operations on the same desk copied
  into PostgreSQL (``workbench.store.copy``, into schema ``bench_<cases>`` of that database,
  kept for the next run), in a column of their own; the sweep runs only on the file.

Timings are wall-clock; the load average is printed with them, since a busy machine
(two cores shared with a test suite) stretches every number, and beside the durable change
and the opening, the CPU time they took (the process's, and for PostgreSQL on this machine
its backend's), which a busy machine does not stretch. For PostgreSQL it also measures the
floor under a durable change: a commit of one tiny row (a round trip and the server's WAL
flush), and a change and that commit without waiting for the flush.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

sys.path.insert(0, str(Path(__file__).parent))

from desk_data import NOW, generate, open_for_generating  # noqa: E402

from workbench import clock, transfer  # noqa: E402
from workbench.desk import Desk  # noqa: E402
from workbench.plugins import Plugins, get_plugins  # noqa: E402
from workbench.store import KINDS, FileStore, Store, StoreError, open_store  # noqa: E402
from workbench.store.copy import copy_desk  # noqa: E402

GOALS = {
    "durable change": 20.0,
    "open + list open cases": 300.0,
    "filter by vendor + state + text": 50.0,
    "export to JSON": 3000.0,
    "import into an empty desk": 5000.0,
    "sweep, steady state (changes nothing)": 1000.0,
    "one case with its history": 50.0,
}
POSTGRES_GOALS = {**GOALS, "durable change": 5.0}

OPEN_AND_LIST = r"""
import json, sys, time
imported = time.perf_counter()
from workbench.store import is_postgres, open_store
started, cpu_started = time.perf_counter(), time.process_time()
imported = started - imported
if is_postgres(sys.argv[1]):
    import psycopg
driver, driver_cpu = time.perf_counter() - started, time.process_time() - cpu_started
store = open_store(sys.argv[1])
open_cases = store.all("cases", closed=False)
listed, cpu = time.perf_counter(), time.process_time() - cpu_started
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
rss, peak = int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024
first_events = time.perf_counter()
store.events("cases", open_cases[0]["id"])
first_events = time.perf_counter() - first_events
first_closed = time.perf_counter()
store.get("cases", sys.argv[2])
first_closed = time.perf_counter() - first_closed
every_case = time.perf_counter()
cases = len(store.all("cases"))
every_case = time.perf_counter() - every_case
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "seconds": listed - started, "cpu": cpu, "driver": driver, "driver_cpu": driver_cpu,
    "open": len(open_cases), "first_events": first_events,
    "import": imported, "first_closed": first_closed, "every_case": every_case, "cases": cases,
    "rss_mb": rss, "peak_mb": peak, "rss_all_mb": int(status["VmRSS"].split()[0]) / 1024,
}))
"""


TINYDB_OPEN_AND_LIST = r"""
import json, sys, time
from tinydb import Query, TinyDB
started = time.perf_counter()
db = TinyDB(sys.argv[1])
open_cases = db.table("cases").search(Query().state != "closed")
seconds = time.perf_counter() - started
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
rss_mb, peak_mb = (int(status[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))
print(json.dumps({"seconds": seconds, "open": len(open_cases), "rss_mb": rss_mb, "peak_mb": peak_mb}))
"""


WRITER = r"""
import sys
from workbench.store import open_store

target, key, changes, at = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = open_store(target, lock_timeout=120)
print("ready", flush=True)
sys.stdin.readline()
for n in range(1, changes + 1):
    with store.transaction() as tx:
        record = tx.get("cases", key) or {"id": key, "state": "closed", "vendor": "bench", "n": 0}
        record["n"] = n
        tx.put("cases", key, record)
        tx.append_event({"id": 0, "at": at, "actor": key, "kind": "cases", "key": key,
                         "action": "note", "before": {}, "after": {}, "rule": "", "reason": "",
                         "data": {"text": f"writer note {n}"}})
print("done", flush=True)
"""


def median_ms(run: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def note(key: str, n: int) -> dict[str, Any]:
    """The event of ``Desk.note`` at ``NOW`` (its case changes only ``updated_at``)."""
    return {
        "id": 0,
        "at": NOW.isoformat(),
        "actor": "bench",
        "kind": "cases",
        "key": key,
        "action": "note",
        "before": {},
        "after": {},
        "rule": "",
        "reason": "",
        "data": {"text": f"benchmark note {n}"},
    }


def durable_change(store: Store, keys: list[str], runs: int) -> float:
    return durable_change_and_cpu(store, keys, runs)[0]


def durable_change_and_cpu(store: Store, keys: list[str], runs: int) -> tuple[float, float]:
    """The median wall time of a change and the median CPU time this process spent on it."""
    counter = iter(range(10**9))

    def change() -> None:
        n = next(counter)
        key = keys[n % len(keys)]
        with store.transaction() as tx:
            case = tx.get("cases", key)
            case["updated_at"] = NOW.isoformat()
            tx.put("cases", key, case)
            tx.append_event(note(key, n))

    walls, cpus = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        change()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def server_cpu_ms(store: Store) -> float | None:
    """CPU time the PostgreSQL backend serving ``store`` has used so far (a server on this
    machine: ``/proc``), else ``None``."""
    try:
        stat = Path(f"/proc/{store._connection.info.backend_pid}/stat").read_text()
    except (OSError, AttributeError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command's name: state, ppid, … utime, stime
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def commit_floor(url: str, runs: int) -> tuple[float, float]:
    """The floor under a durable change in PostgreSQL on this machine: the median commit of
    one tiny row (one round trip and the server's WAL flush), and the same without waiting
    for the flush (``synchronous_commit = off``): what the disk costs is the difference."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE workbench_bench_floor (n bigint)")
        try:
            insert = lambda: connection.execute("INSERT INTO workbench_bench_floor VALUES (1)")  # noqa: E731
            flushed = median_ms(insert, runs)
            connection.execute("SET synchronous_commit = off")
            unflushed = median_ms(insert, runs)
        finally:
            connection.execute("DROP TABLE workbench_bench_floor")
    return flushed, unflushed


def without_waiting_for_the_flush(target: str) -> str:
    """``target`` (a URL whose options come last, as :func:`in_schema` writes them) with
    ``synchronous_commit = off``: a commit returns before the server's WAL flush."""
    return target + "%20-csynchronous_commit%3Doff"


def case_with_history(store: Store, keys: list[str], runs: int) -> float:
    """One closed case not read before, and its events (what showing a case reads)."""
    remaining = iter(keys)

    def show() -> None:
        key = next(remaining)
        assert store.get("cases", key) is not None
        store.events("cases", key)

    return median_ms(show, runs)


def concurrent_writers(target: str, writers: int = 4, changes: int = 500) -> tuple[float, float]:
    """``writers`` processes making ``changes`` changes each at once, each on a case of
    its own; every change is checked to be there. Returns (ms per change, changes / s)."""
    run = uuid.uuid4().hex[:8]
    keys = [f"BENCH-{run}-{w}" for w in range(writers)]
    spawned = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, target, key, str(changes), NOW.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for key in keys
    ]
    try:
        for writer in spawned:
            assert writer.stdout.readline() == "ready\n"
        started = time.perf_counter()
        for writer in spawned:
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in spawned:
            assert writer.stdout.readline() == "done\n"
        took = time.perf_counter() - started
    finally:
        for writer in spawned:
            writer.kill()
            writer.wait()
    check = open_store(target)
    for key in keys:
        assert check.get("cases", key)["n"] == changes, f"{key}: changes lost"
        assert len(check.events("cases", key)) == changes, f"{key}: events lost"
    check.close()
    total = writers * changes
    return took * 1000 / total, total / took


def filter_cases(store: Store, runs: int) -> tuple[float, int]:
    found: list[dict[str, Any]] = []

    def search() -> None:
        found[:] = [
            r
            for r in store.all("cases")
            if r["vendor"] == "bittitan" and r["state"] == "closed" and "delta" in r["subject"].lower()
        ]

    return median_ms(search, runs), len(found)


def export_json(store: Store, plugins: Plugins, runs: int) -> tuple[float, bytes]:
    exported: list[bytes] = []

    def export() -> None:
        out = io.BytesIO()
        transfer.write_json(Desk(store, plugins), out)
        exported[:] = [out.getvalue()]

    return median_ms(export, runs), exported[0]


def import_json(
    source: Path, empty_desk: Callable[[int], tuple[str, Callable[[], None]]], plugins: Plugins, runs: int
) -> tuple[float, dict[str, int]]:
    """Read an export and import it into an empty desk (what ``workbench import`` does),
    each run into a new one (``empty_desk(run)``: where, and how to remove it after the
    run, untimed)."""
    times, counts = [], {}
    for run in range(runs):
        where, remove = empty_desk(run)
        started = time.perf_counter()
        target = Desk(open_store(where), plugins)
        counts = transfer.import_file(target, str(source))
        times.append((time.perf_counter() - started) * 1000)
        target.store.close()
        del target
        gc.collect()
        remove()
    return statistics.median(times), counts


def empty_folder(workdir: Path) -> Callable[[int], tuple[str, Callable[[], None]]]:
    def make(run: int) -> tuple[str, Callable[[], None]]:
        folder = workdir / f"import-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return str(folder / "desk.json"), lambda: shutil.rmtree(folder)

    return make


def in_schema(url: str, schema: str) -> str:
    """``url`` with its search path on ``schema`` (where the desk's tables go)."""
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3D" + schema


def empty_schema(url: str, schema: str) -> str:
    """A new, empty desk in ``schema`` of the database at ``url`` (dropped first)."""
    import psycopg

    from workbench.store.pgstore import init_desk

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    init_desk(in_schema(url, schema))
    return in_schema(url, schema)


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def empty_schemas(url: str) -> Callable[[int], tuple[str, Callable[[], None]]]:
    def make(run: int) -> tuple[str, Callable[[], None]]:
        schema = f"bench_import_{run}"
        return empty_schema(url, schema), lambda: drop_schema(url, schema)

    return make


def postgres_desk(url: str, path: Path, cases: int) -> str:
    """The benchmark desk copied into schema ``bench_<cases>`` of ``url`` (kept there
    for the next run; copied again when it is not the same size)."""
    target = in_schema(url, f"bench_{cases}")
    try:
        existing = open_store(target)
        if len(existing.all("cases")) >= cases:
            existing.close()
            return target
        existing.close()
    except StoreError:
        pass
    started = time.perf_counter()
    target = empty_schema(url, f"bench_{cases}")
    source = open_store(path)
    summary = copy_desk(source, open_store(target), lambda: open_store(target))
    source.close()
    print(
        f"copied the desk into {target.split('?')[0]} schema bench_{cases} in "
        f"{time.perf_counter() - started:.0f} s ({summary.counts})",
        file=sys.stderr,
    )
    return target


def postgres_figures(
    url: str, path: Path, cases: int, plugins: Plugins, export_path: Path, runs: int, quick: bool
) -> tuple[dict[str, float], dict[str, Any]]:
    """The table's operations on the desk in PostgreSQL, and a few figures beside them
    (with ``quick``, no export, import or concurrent writers)."""
    target = postgres_desk(url, path, cases)
    store = open_store(target)
    open_keys = [r["id"] for r in store.all("cases", closed=False)]
    closed_keys = [r["id"] for r in store.all("cases", match={"state": "closed"})][: runs * 4]
    store.close()
    load_before = os.getloadavg()
    opens = [open_and_list(target, closed_keys[-1]) for _ in range(runs)]
    store = open_store(target)
    changes = runs * 20
    server_before = server_cpu_ms(store)
    change, change_cpu = durable_change_and_cpu(store, open_keys, changes)
    server_after = server_cpu_ms(store)
    rows = {
        "durable change": change,
        "open + list open cases": statistics.median(o["seconds"] for o in opens) * 1000,
        "one case with its history": case_with_history(store, closed_keys, runs * 4),
        "filter by vendor + state + text": filter_cases(store, runs * 4)[0],
    }
    store.close()
    unflushed_store = open_store(without_waiting_for_the_flush(target))
    unflushed_change, _ = durable_change_and_cpu(unflushed_store, open_keys, changes)
    unflushed_store.close()
    flushed_floor, unflushed_floor = commit_floor(url, changes)
    extra: dict[str, Any] = {
        "PostgreSQL: load average before / after its figures": " / ".join(
            f"{one:.1f} {five:.1f} {fifteen:.1f}" for one, five, fifteen in (load_before, os.getloadavg())
        ),
        "PostgreSQL: durable change, CPU of this process, ms": change_cpu,
        "PostgreSQL: durable change, CPU of the server's backend (mean), ms": (
            (server_after - server_before) / changes
            if server_before is not None and server_after is not None
            else "-"
        ),
        "PostgreSQL: durable change without waiting for the flush, ms": unflushed_change,
        "PostgreSQL: commit of one tiny row (round trip + flush), ms": flushed_floor,
        "PostgreSQL: the same without waiting for the flush, ms": unflushed_floor,
        "PostgreSQL: open + list, CPU of the process, ms": statistics.median(o["cpu"] for o in opens) * 1000,
        "PostgreSQL: of open + list, importing psycopg (wall / CPU), ms": (
            f"{statistics.median(o['driver'] for o in opens) * 1000:.0f} / "
            f"{statistics.median(o['driver_cpu'] for o in opens) * 1000:.0f}"
        ),
        "PostgreSQL: resident memory with the desk open, MB": statistics.median(o["rss_mb"] for o in opens),
        "PostgreSQL: first events() after open, ms": statistics.median(o["first_events"] for o in opens)
        * 1000,
        "PostgreSQL: first listing of every case, ms": statistics.median(o["every_case"] for o in opens)
        * 1000,
    }
    if quick:
        return rows, extra
    store = open_store(target)
    rows["export to JSON"], _ = export_json(store, plugins, runs)
    store.close()
    rows["import into an empty desk"], _ = import_json(export_path, empty_schemas(url), plugins, runs)
    per_change, throughput = concurrent_writers(target)
    rows["4 writers x 500 changes, per change"] = per_change
    extra["PostgreSQL: 4 writers x 500 changes, changes / s"] = throughput
    return rows, extra


def open_and_list(target: str, closed_key: str) -> dict[str, Any]:
    """Open the desk and list its open cases in a fresh process (and a few firsts after)."""
    return json.loads(
        subprocess.run(
            [sys.executable, "-c", OPEN_AND_LIST, target, closed_key],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )


def desk_copy(path: Path, folder: Path) -> Path:
    """A copy of the desk at ``path`` in ``folder`` (emptied first), for work that changes
    it: the desk kept in ``--workdir`` must stay as generated for the next run (its export
    is imported, and an import takes only whole records)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for suffix in ("", ".log"):
        shutil.copyfile(str(path) + suffix, str(folder / path.name) + suffix)
    return folder / path.name


def sweeps(path: Path, workdir: Path, plugins: Plugins, runs: int) -> dict[str, Any]:
    """Sweep a copy of the desk at ``NOW``: once to catch up, then ``runs + 1`` more (the
    second may still remind of workflows the first opened: the desk gathers the desk-wide
    actions before it opens them)."""
    folder = workdir / "sweep"
    store = open_store(desk_copy(path, folder))
    desk = Desk(store, plugins)
    clock.set_now(NOW)
    try:
        reports, times = [], []
        for _ in range(runs + 2):
            started = time.perf_counter()
            reports.append(desk.sweep())
            times.append((time.perf_counter() - started) * 1000)
    finally:
        clock.set_now(None)
        store.close()
        shutil.rmtree(folder)
    steady = [t for t, r in zip(times[1:], reports[1:], strict=True) if not r.applied and not r.breaches]
    return {
        "first": times[0],
        "steady": statistics.median(steady) if steady else float("nan"),
        "reports": reports,
    }


def _applied(report: Any) -> str:
    kinds: dict[str, int] = {}
    for action in report.applied:
        kinds[action["kind"]] = kinds.get(action["kind"], 0) + 1
    if report.breaches:
        kinds["breach"] = len(report.breaches)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "nothing"


def tinydb_copy(desk: FileStore, path: Path) -> None:
    """The same records and events in TinyDB's default layout, written by JSONStorage."""
    data: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        data[kind] = {str(n): r for n, r in enumerate(desk.all(kind), start=1)}
    data["events"] = {str(e["id"]): e for e in desk.events()}
    storage = JSONStorage(str(path))
    storage.write(data)
    storage.close()


def tinydb_open_and_list(path: Path, runs: int) -> tuple[float, str]:
    """Open the TinyDB file and list the open cases, in a fresh process each run: the
    time, and the memory after it and at its peak (TinyDB parses the whole file for every
    read and keeps none of it)."""
    opens = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", TINYDB_OPEN_AND_LIST, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(runs)
    ]
    seconds = statistics.median(o["seconds"] for o in opens)
    rss, peak = (statistics.median(o[name] for o in opens) for name in ("rss_mb", "peak_mb"))
    return seconds * 1000, f"{rss:.0f} / {peak:.0f}"


def tinydb_filter(path: Path, runs: int) -> float:
    """The same filter as TinyDB queries it. Without its query cache (``cache_size=0``):
    a desk changes all day, and any change empties the cache, so each search re-reads
    the file."""
    db = TinyDB(path)
    cases, case = db.table("cases", cache_size=0), Query()
    query = (
        (case.vendor == "bittitan")
        & (case.state == "closed")
        & case.subject.test(lambda s: "delta" in s.lower())
    )
    try:
        return median_ms(lambda: cases.search(query), runs)
    finally:
        db.close()


def tinydb_export(path: Path, runs: int) -> float:
    """Every document of the TinyDB file as one JSON document (what an export is)."""
    return median_ms(lambda: json.dumps(JSONStorage(str(path)).read()), runs)


def tinydb_import(source: Path, workdir: Path) -> float:
    """Read the export and insert it into an empty TinyDB file, a table at a time (one run:
    JSONStorage rewrites the whole file for every table)."""
    target = workdir / "tinydb-import.json"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    document = orjson.loads(source.read_bytes())
    db = TinyDB(target)
    for kind, records in document["records"].items():
        db.table(kind).insert_multiple(records)
    db.table("events").insert_multiple(document["events"])
    db.close()
    took = (time.perf_counter() - started) * 1000
    target.unlink()
    return took


def tinydb_change(path: Path, runs: int) -> float:
    db = TinyDB(path)  # default JSONStorage: every change re-reads and rewrites the file
    cases, events = db.table("cases"), db.table("events")
    counter = iter(range(10**9))

    def change() -> None:
        n = next(counter)
        doc_id = 49_000 + n
        case = cases.get(doc_id=doc_id)
        case["updated_at"] = NOW.isoformat()
        cases.update({"updated_at": case["updated_at"]}, doc_ids=[doc_id])
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
    parser.add_argument("--db", help="a PostgreSQL database URL: measure the desk copied there too")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only a change, opening, one case and the filter (no export, import, sweep, writers, TinyDB)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="workbench-bench-"))
    path = workdir / "desk.json"
    if not path.exists():
        started = time.perf_counter()
        store = open_for_generating(path)
        generate(store, args.cases, args.open_cases)
        store.compact()
        store.close()
        print(f"generated {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    load_before = os.getloadavg()
    store = open_store(path)
    open_keys = [r["id"] for r in store.all("cases", closed=False)]
    closed_key = next(r["id"] for r in store.all("cases") if r["state"] == "closed")
    closed_keys = [r["id"] for r in store.all("cases", match={"state": "closed"})][: args.runs * 4]
    opens = [open_and_list(str(path), closed_key) for _ in range(args.runs)]
    plugins = get_plugins()
    change, change_cpu = durable_change_and_cpu(store, open_keys, args.runs * 20)
    rows = {
        "durable change": change,
        "open + list open cases": statistics.median(o["seconds"] for o in opens) * 1000,
        "filter by vendor + state + text": filter_cases(store, args.runs * 4)[0],
    }
    export_path = workdir / "export.json"
    if not args.quick:
        rows["export to JSON"], exported = export_json(store, plugins, args.runs)
        export_path.write_bytes(exported)
        del exported
    store.close()
    store = open_store(path)
    rows["one case with its history"] = case_with_history(store, closed_keys, args.runs * 4)
    sizes = {
        name: os.path.getsize(str(path) + suffix) / 1e6
        for name, suffix in (("snapshot", ""), ("log", ".log"))
    }
    extra: dict[str, Any] = {
        "load average at the start (1, 5, 15 min)": " ".join(f"{load:.1f}" for load in load_before),
        "durable change, CPU of this process, ms": change_cpu,
        "open + list, CPU of the process, ms": statistics.median(o["cpu"] for o in opens) * 1000,
        "importing workbench.store (before open), ms": statistics.median(o["import"] for o in opens) * 1000,
        "first events() after open (parses the event index), ms": statistics.median(
            o["first_events"] for o in opens
        )
        * 1000,
        "first closed case got after open (finds its line), ms": statistics.median(
            o["first_closed"] for o in opens
        )
        * 1000,
        "first listing of every case (parses the closed), ms": (
            statistics.median(o["every_case"] for o in opens) * 1000
        ),
        "resident memory with the desk open (goal 250), MB": statistics.median(o["rss_mb"] for o in opens),
        "peak memory while opening, MB": statistics.median(o["peak_mb"] for o in opens),
        "resident memory once every case was listed, MB": statistics.median(o["rss_all_mb"] for o in opens),
        "open cases listed / every case": f"{opens[0]['open']} / {opens[0]['cases']}",
        "cases / events": f"{len(store.all('cases'))} / {store._state.last_event_id}",
        "snapshot / log size, MB": f"{sizes['snapshot']:.1f} / {sizes['log']:.1f}",
    }
    tiny: dict[str, float] = {}
    if not args.quick:
        rows["import into an empty desk"], imported = import_json(
            export_path, empty_folder(workdir), plugins, args.runs
        )
        swept = sweeps(path, workdir, plugins, args.runs)
        rows["sweep, first (catches up; one run)"] = swept["first"]
        rows["sweep, steady state (changes nothing)"] = swept["steady"]
        extra |= {
            "export size, MB": f"{export_path.stat().st_size / 1e6:.0f}",
            "imported": ", ".join(f"{n} {kind}" for kind, n in imported.items()),
            "sweep: open cases checked (first / later)": f"{swept['reports'][0].checked} / "
            f"{swept['reports'][-1].checked}",
            "sweep: first applied": _applied(swept["reports"][0]),
            "sweep: second applied": _applied(swept["reports"][1]),
            "sweep: later ones applied": "; ".join(_applied(r) for r in swept["reports"][2:]) or "-",
        }
        if not args.skip_tinydb:
            tiny_path = workdir / "tinydb-default.json"
            if not tiny_path.exists():
                tinydb_copy(store, tiny_path)
            few = max(3, args.runs // 2)
            tiny["durable change"] = tinydb_change(tiny_path, few)
            tiny["open + list open cases"], tiny_rss = tinydb_open_and_list(tiny_path, few)
            tiny["filter by vendor + state + text"] = tinydb_filter(tiny_path, few)
            tiny["export to JSON"] = tinydb_export(tiny_path, few)
            tiny["import into an empty desk"] = tinydb_import(export_path, workdir)
            extra["TinyDB JSONStorage: resident after listing / peak, MB"] = tiny_rss
            extra["TinyDB JSONStorage / ours, durable change"] = (
                f"{tiny['durable change'] / rows['durable change']:.0f}x"
            )
    store.close()
    if not args.quick:
        writers = desk_copy(path, workdir / "writers")
        rows["4 writers x 500 changes, per change"], throughput = concurrent_writers(str(writers))
        shutil.rmtree(writers.parent)
        extra["4 writers x 500 changes, changes / s"] = throughput
    postgres: dict[str, float] = {}
    if args.db:
        postgres, postgres_extra = postgres_figures(
            args.db, path, args.cases, plugins, export_path, args.runs, args.quick
        )
        extra.update(postgres_extra)

    print(
        f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); medians of "
        f"{args.runs} runs (changes: {args.runs * 20}, filters: {args.runs * 4}; TinyDB: "
        f"{max(3, args.runs // 2)}, its import once)"
    )
    print(
        f"{'operation':<44}{'file ms':>11}{'TinyDB ms':>12}{'PostgreSQL ms':>15}{'goal ms':>10}"
        f"{'  goal met (file / PostgreSQL)' if postgres else ''}"
    )
    for name, value in rows.items():
        goal, pg_goal = GOALS.get(name), POSTGRES_GOALS.get(name)
        theirs = f"{tiny[name]:>12.0f}" if name in tiny else f"{'-':>12}"
        pg = f"{postgres[name]:>15.2f}" if name in postgres else f"{'-':>15}"
        goals = f"{goal:>10.0f}" if goal is not None else f"{'':>10}"
        if pg_goal is not None and pg_goal != goal and name in postgres:
            goals = f"{f'{goal:.0f}/{pg_goal:.0f}':>10}"
        mark = ""
        if goal is not None:
            mark = "  ok" if value <= goal else "  OVER"
            if name in postgres:
                mark += " / ok" if postgres[name] <= pg_goal else " / OVER"
        print(f"{name:<44}{value:>11.2f}{theirs}{pg}{goals}{mark}")
    for name, value in extra.items():
        shown = f"{value:.1f}" if isinstance(value, float) else value
        print(f"{name:<56}{shown:>12}")
    export_path.unlink(missing_ok=True)
    figures = {
        **rows,
        **{f"{name}, TinyDB JSONStorage": value for name, value in tiny.items()},
        **{f"{name}, PostgreSQL": value for name, value in postgres.items()},
        **extra,
    }
    print(orjson.dumps(figures).decode(), file=sys.stderr)


if __name__ == "__main__":
    main()
