"""The plugin author's path from nothing to green, timed as a newcomer runs it (issue 20):
`workbench new-plugin NAME`, `pip install -e 'workbench-NAME[test]'` into the workbench's
environment, and `pytest` in the new package (the conformance suite and the plugin's own
tests, as generated).

The environment is a fresh virtual environment with this checkout and its four bundled
plugins installed, as `./dev` makes one; making it is set-up and is not timed. Each run
writes a new package into a folder of its own and uninstalls it afterwards.

    .venv/bin/python benchmarks/scaffold.py --runs 3
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

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ["ontime", "zoho", "bittitan", "webex"]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run ``command``; its wall time in seconds (a failure stops the benchmark, with its output)."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as folder:
        base = Path(folder)
        env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_PLUGINS", "VIRTUAL_ENV")}
        env["XDG_CACHE_HOME"] = str(base / "cache")
        env["WORKBENCH_DAEMON"] = "off"  # no desk server outliving the throwaway environment
        subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
        bin_ = base / "venv" / "bin"
        env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"
        editable = [
            arg for name in ["", *(f"plugins/{p}" for p in BUNDLED)] for arg in ("-e", str(ROOT / name))
        ]
        run([str(bin_ / "pip"), "install", "--quiet", *editable], base, env)
        steps: dict[str, list[float]] = {"new-plugin": [], "pip install -e": [], "pytest": [], "total": []}
        for number in range(runs):
            where = base / f"run{number}"
            where.mkdir()
            name = f"acme{number}"
            package = where / f"workbench-{name}"
            times = [
                run([str(bin_ / "workbench"), "new-plugin", name, "--dir", str(where)], where, env),
                run([str(bin_ / "pip"), "install", "--quiet", "-e", f"{package}[test]"], where, env),
                run([str(bin_ / "pytest"), "-q", "-p", "no:cacheprovider"], package, env),
            ]
            for step, seconds in zip(steps, [*times, sum(times)], strict=True):
                steps[step].append(seconds)
            run([str(bin_ / "pip"), "uninstall", "--quiet", "-y", f"workbench-{name}"], where, env)
    load = os.getloadavg()[0]
    print(f"scaffold to green, median of {runs} run(s), load average {load:.2f}")
    for step, seconds in steps.items():
        each = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"  {step:16} {statistics.median(seconds):6.1f} s   (runs: {each})")


if __name__ == "__main__":
    main()
