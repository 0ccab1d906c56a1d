"""``workbench new-plugin NAME``: the package it writes installs and passes its own tests as
written, through pip and pytest as a newcomer runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RULES_OF_THE_TEMPLATE = 7


def test_new_plugin_installs_and_passes_its_own_tests_even_with_a_digit_in_its_name(
    run_cli, tmp_path: Path
) -> None:
    status, out, err = run_cli("new-plugin", "newvendor2", "--dir", str(tmp_path), "--json")
    assert status == 0, err
    written = json.loads(out)
    root = Path(written["package"])
    assert root == tmp_path / "workbench-newvendor2"
    assert {
        "pyproject.toml",
        "README.md",
        "workbench_newvendor2/program.py",
        "tests/test_newvendor2.py",
    } <= set(written["files"])
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(root)]
    subprocess.run(pip, check=True, capture_output=True, text=True)
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_PLUGINS"} | {"PYTHONPATH": str(site)}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert tests.stdout.splitlines()[-1].startswith("5 passed")
    listed = subprocess.run(
        [sys.executable, "-m", "workbench", "plugins", "--json", "--db", str(tmp_path / "desk.json")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    plugin = {p["plugin"]: p for p in json.loads(listed.stdout)["plugins"]}["newvendor2"]
    assert plugin["package"] == "workbench-newvendor2 0.1.0"
    readme = (root / "README.md").read_text(encoding="utf-8")
    rules = plugin["program"]["rules"]
    assert len(rules) == RULES_OF_THE_TEMPLATE
    assert all(f"| {rule['id']} | {rule['text']} |" in readme for rule in rules)


def test_new_plugin_refuses_a_name_that_is_no_program_id(run_cli, tmp_path: Path) -> None:
    status, _, err = run_cli("new-plugin", "Acme-Support", "--dir", str(tmp_path))
    assert status == 2
    assert "'Acme-Support' is not a program id" in err
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_refuses_to_write_over_a_directory(run_cli, tmp_path: Path) -> None:
    (tmp_path / "workbench-acme").mkdir()
    status, _, err = run_cli("new-plugin", "acme", "--dir", str(tmp_path))
    assert status == 1
    assert "workbench-acme is already there" in err
    assert list((tmp_path / "workbench-acme").iterdir()) == []
