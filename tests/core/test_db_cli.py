"""``workbench db init`` and ``workbench db copy``, and ``--db`` naming a desk in
PostgreSQL: the commands as a user runs them, against the tests' real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.store import open_store
from workbench.store.copy import summarize
from workbench.store.pgstore import SCHEMA


@pytest.fixture
def demo_file(run_cli) -> Path:
    """The demo desk in a desk file, with one more note on a case."""
    assert run_cli("demo")[0] == 0
    assert run_cli("case", "note", "C-1", "copied along")[0] == 0
    return run_cli.db


def test_db_init_creates_a_desk_that_commands_then_use(run_cli, pg_url: str) -> None:
    status, out, err = run_cli("db", "init", pg_url, "--json")
    assert (status, err) == (0, "")
    created = json.loads(out)
    assert created["schema"] == SCHEMA
    assert "workbench" in created["created"]
    assert run_cli("--db", pg_url, "demo")[0] == 0
    status, out, _ = run_cli("case", "list", "--db", pg_url, "--json")
    assert status == 0 and len(json.loads(out)) >= 4
    status, _, err = run_cli("db", "init", pg_url)
    assert status == 1 and "already holds a desk" in err


def test_opening_a_database_without_a_desk_says_how_to_make_one(run_cli, pg_url: str) -> None:
    status, _, err = run_cli("case", "list", "--db", pg_url)
    assert status == 1
    assert "holds no desk: create one with `workbench db init URL`" in err


def test_a_password_on_the_command_line_is_refused_before_anything_happens(
    run_cli, postgres_server, pg_url: str
) -> None:
    """A command line is visible to every user of the machine (``ps``): the password goes
    in a password file, a service file or WORKBENCH_DB instead."""
    with_password = postgres_server.tcp_url().replace("@", f":{postgres_server.password}@")
    for args in (
        ("case", "list", "--db", with_password),
        ("db", "init", with_password),
        ("db", "copy", str(run_cli.db), with_password),
    ):
        status, out, err = run_cli(*args)
        assert status == 2, args
        assert "password on the command line is visible to every user" in err
        assert postgres_server.password not in out + err


def test_copy_from_file_to_postgresql_and_back_keeps_every_record_and_event(
    run_cli, demo_file: Path, pg_url: str, tmp_path: Path
) -> None:
    status, out, err = run_cli("db", "copy", str(demo_file), pg_url, "--json")
    assert (status, err) == (0, "")
    copied = json.loads(out)
    original = summarize(open_store(str(demo_file)))
    assert copied["counts"] == original.counts and copied["digest"] == original.digest
    assert copied["counts"]["events"] > 20

    back = tmp_path / "back" / "desk.json"
    back.parent.mkdir()
    status, out, err = run_cli("db", "copy", pg_url, str(back))
    assert (status, err) == (0, "")
    assert f"sha256 {original.digest}" in out
    assert summarize(open_store(str(back))) == original

    shown = [run_cli("case", "show", "C-1", "--json", "--db", db)[1] for db in (str(demo_file), pg_url)]
    assert json.loads(shown[0]) == json.loads(shown[1])
    exported = [json.loads(run_cli("export", "--db", db)[1]) for db in (str(demo_file), pg_url)]
    for document in exported:
        for records in document["records"].values():
            records.sort(key=lambda r: r.get("id") or r.get("key"))
    assert exported[0] == exported[1]


def test_copy_refuses_a_target_that_holds_data(run_cli, demo_file: Path, pg_url: str) -> None:
    assert run_cli("db", "copy", str(demo_file), pg_url)[0] == 0
    before = summarize(open_store(pg_url))
    status, _, err = run_cli("db", "copy", str(demo_file), pg_url)
    assert status == 1
    assert "already holds desk data" in err and "nothing was changed" in err
    assert summarize(open_store(pg_url)) == before


def test_copy_says_what_is_wrong_with_its_arguments(run_cli, tmp_path: Path, pg_url: str) -> None:
    status, _, err = run_cli("db", "copy", str(tmp_path / "none.json"), pg_url)
    assert status == 2 and "there is no desk file at" in err
    status, _, err = run_cli("db", "init", str(tmp_path / "desk.json"))
    assert status == 2 and "is not a PostgreSQL URL" in err


def test_doctor_checks_a_desk_in_postgresql_and_its_append_only_triggers(
    run_cli, pg_url: str, postgres_server, pg_schema: str
) -> None:
    status, _, err = run_cli("doctor", "--db", pg_url)
    assert status == 1 and "holds no desk" in err + _
    assert run_cli("db", "init", pg_url)[0] == 0
    assert run_cli("--db", pg_url, "demo")[0] == 0
    status, out, _ = run_cli("doctor", "--db", pg_url, "--json")
    report = json.loads(out)
    assert status == 0 and report["ok"]
    assert report["facts"]["schema"] == SCHEMA and report["facts"]["events"] > 20
    postgres_server.sql(
        f"ALTER TABLE {pg_schema}.workbench_events DISABLE TRIGGER workbench_events_append_only"
    )
    status, out, _ = run_cli("doctor", "--db", pg_url)
    assert status == 1
    assert "trigger workbench_events_append_only is missing or not always enabled" in out
