"""The whole repository — the core, its tests, the benchmarks and every bundled plugin with
its tests — passes ``ruff check`` with the project's settings (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing_anywhere_in_the_repository() -> None:
    checked = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                             cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
