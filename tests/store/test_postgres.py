"""What the desk in PostgreSQL promises beyond the store protocol (which
``test_protocol.py`` holds it to): the database itself refuses rewriting history, the
schema is versioned and migrated, credentials stay out of every message, lost connections
and failed statements leave no half-written change, and reads are index lookups."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.store.writers import Writers
from workbench.store import Store, StoreError, StoreLocked, open_store
from workbench.store.pgstore import (
    CLOSED_MATCHING,
    EVENTS_OF_RECORD,
    SCHEMA,
    PostgresStore,
    StoreOffline,
    init_desk,
)


def sql(url: str, statement: str, values: list | None = None) -> list[tuple]:
    """Run one statement as the desk's own role, straight on the database."""
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement, values)
        return cursor.fetchall() if cursor.description else []


# -- the database keeps the promises --------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE workbench_events SET data = '{}'::jsonb",
        "DELETE FROM workbench_events WHERE id = 1",
        "TRUNCATE workbench_events",
        "UPDATE workbench_commits SET last_event_id = 0",
        "DELETE FROM workbench_commits",
    ],
)
def test_history_cannot_be_rewritten_even_by_the_desks_own_superuser_role(
    pg_desk_url: str, change, statement: str
) -> None:
    """CORE-AUDIT-1: events are append-only in the database itself; the test server's
    ``workbench`` role owns the tables and is a superuser, and even replica mode (which
    skips ordinary triggers) does not get past them."""
    store = PostgresStore(pg_desk_url)
    change(store, "C-1", subject="printer")
    for prefix in ("", "SET session_replication_role = replica; "):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="CORE-AUDIT-1: .* is append-only"):
            sql(pg_desk_url, prefix + statement)
    assert [e["action"] for e in store.events()] == ["note"]


def test_a_counter_never_moves_back_in_the_database(pg_desk_url: str) -> None:
    store = PostgresStore(pg_desk_url)
    with store.transaction() as tx:
        assert tx.next_number("cases") == 1
    for statement in ("UPDATE workbench_counters SET value = 0", "DELETE FROM workbench_counters"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="never moves back"):
            sql(pg_desk_url, statement)
    with store.transaction() as tx:
        tx.advance_number("cases", 0)
        assert tx.next_number("cases") == 2


def test_matching_closed_cases_and_a_records_events_are_index_lookups(pg_desk_url: str) -> None:
    """``all(match=…)`` and ``events(kind, key)`` read through an index, so one case costs
    the same in a big desk as in a small one (the plan on 20,000 closed cases)."""
    store = PostgresStore(pg_desk_url)
    with store.transaction() as tx:
        for n in range(20_000):
            key = f"C-{n}"
            vendor = ["zoho", "webex"][n % 2]
            tx.put("cases", key, {"id": key, "state": "closed", "vendor": vendor, "subject": "s" * 200})
            tx.append_event({"kind": "cases", "key": key, "action": "close"})
    sql(pg_desk_url, "ANALYZE")
    plan = sql(pg_desk_url, "EXPLAIN " + CLOSED_MATCHING, [10**9, '{"customer_id": "CUS-7"}'])
    assert "workbench_records_data" in str(plan)
    plan = sql(pg_desk_url, "EXPLAIN " + EVENTS_OF_RECORD, [10**9, "cases", "C-17"])
    assert "workbench_events_record" in str(plan)
    assert [r["id"] for r in store.all("cases", match={"vendor": "zoho", "id": "C-10"})] == ["C-10"]
    assert [e["key"] for e in store.events("cases", "C-17")] == ["C-17"]


# -- the schema: created, versioned, migrated ----------------------------------------------


def test_a_database_without_a_desk_is_refused_with_the_command_that_makes_one(pg_url: str) -> None:
    with pytest.raises(StoreError, match=r"holds no desk: create one with `workbench db init URL`"):
        PostgresStore(pg_url)


def test_init_refuses_a_database_that_already_holds_a_desk(pg_desk_url: str) -> None:
    with pytest.raises(StoreError, match="already holds a desk"):
        init_desk(pg_desk_url)


def test_an_older_desk_is_migrated_forward_on_open(pg_url: str, change) -> None:
    init_desk(pg_url, schema=1)
    assert sql(pg_url, "SELECT to_regclass('workbench_records_data')") == [(None,)]
    store = PostgresStore(pg_url)
    assert store.migrated_from == 1
    assert sql(pg_url, "SELECT schema FROM workbench_desk") == [(SCHEMA,)]
    assert sql(pg_url, "SELECT to_regclass('workbench_records_data') IS NOT NULL") == [(True,)]
    change(store, "C-1", state="closed")
    assert PostgresStore(pg_url).migrated_from is None
    assert [r["id"] for r in PostgresStore(pg_url).all("cases", match={"state": "closed"})] == ["C-1"]


def test_migrating_to_schema_3_reads_the_sent_at_of_the_cases_already_there(pg_url: str) -> None:
    """Schema 3 keeps ``sent_at`` as an indexed instant; the cases an older desk holds get
    it on the way, read as the desk reads an instant (text with an offset, else none)."""
    init_desk(pg_url, schema=2)
    cases = {
        "C-1": {"id": "C-1", "state": "closed", "sent_at": "2026-10-05T10:00:00+09:00"},
        "C-2": {"id": "C-2", "state": "closed", "sent_at": "2026-10-05T10:00:00"},
        "C-3": {"id": "C-3", "state": "closed", "sent_at": 5},
        "C-4": {"id": "C-4", "state": "open", "sent_at": "2026-10-06T00:00:00Z"},
    }
    for key, case in cases.items():
        sql(
            pg_url,
            "INSERT INTO workbench_records (kind, key, data, closed, seq) VALUES ('cases', %s, %s, %s, 1)",
            [key, json.dumps(case), case["state"] == "closed"],
        )
    sql(pg_url, "INSERT INTO workbench_commits (seq, token, last_event_id) VALUES (1, gen_random_uuid(), 0)")
    store = PostgresStore(pg_url)
    assert store.migrated_from == 2
    assert sql(pg_url, "SELECT key, sent_at FROM workbench_records ORDER BY key") == [
        ("C-1", datetime(2026, 10, 5, 1, tzinfo=UTC)),
        ("C-2", None),
        ("C-3", None),
        ("C-4", datetime(2026, 10, 6, tzinfo=UTC)),
    ]
    october = ("sent_at", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert sorted(r["id"] for r in store.all("cases", within=october)) == ["C-1", "C-4"]


def test_a_desk_of_a_newer_version_is_refused_untouched(pg_desk_url: str) -> None:
    sql(pg_desk_url, "UPDATE workbench_desk SET schema = %s", [SCHEMA + 1])
    with pytest.raises(StoreError, match=f"schema {SCHEMA + 1}, newer than .* upgrade Case Workbench"):
        PostgresStore(pg_desk_url)
    assert sql(pg_desk_url, "SELECT schema FROM workbench_desk") == [(SCHEMA + 1,)]


# -- credentials -------------------------------------------------------------------------


@pytest.fixture
def tcp_desk(postgres_server, pg_schema: str) -> str:
    """A desk reached over TCP as a role that logs in with a password (not in the URL)."""
    init_desk(postgres_server.url(schema=pg_schema))
    postgres_server.sql(f"GRANT ALL ON ALL TABLES IN SCHEMA {pg_schema} TO {postgres_server.password_role}")
    return postgres_server.tcp_url(schema=pg_schema)


def test_the_password_comes_from_pgpassfile(
    postgres_server, tcp_desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change
) -> None:
    role, password = postgres_server.password_role, postgres_server.password
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "missing"))
    with pytest.raises(StoreOffline, match="no password supplied"):
        open_store(tcp_desk)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:*:*:{role}:{password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    store = open_store(tcp_desk)
    change(store, "C-1", subject="over TCP")
    schema = store.location.split()[-1]
    assert store.location == f"postgresql://{role}@127.0.0.1:{postgres_server.port}/workbench schema {schema}"


def test_a_password_in_the_url_stays_out_of_location_holder_and_errors(
    postgres_server, tcp_desk: str
) -> None:
    role, password = postgres_server.password_role, postgres_server.password
    with_password = tcp_desk.replace(f"{role}@", f"{role}:{password}@")
    store = open_store(with_password)
    assert password not in store.location
    names = sql(postgres_server.url(), "SELECT application_name FROM pg_stat_activity")
    assert any(name.startswith("workbench pid") for (name,) in names)
    assert not any(password in name for (name,) in names)
    wrong = tcp_desk.replace(f"{role}@", f"{role}:{password}-wrong@")
    with pytest.raises(StoreOffline) as failed:
        open_store(wrong)
    assert "password authentication failed" in str(failed.value)
    assert password not in str(failed.value)


# -- lost connections, restarts and failed statements ------------------------------------


def test_a_failed_statement_saves_nothing_and_the_desk_goes_on(pg_desk_url: str, change, event) -> None:
    store = PostgresStore(pg_desk_url)
    change(store, "C-1", subject="first")
    with pytest.raises(StoreError, match=r"not saved \(PostgreSQL cannot store the NUL .*: cases C-3 "):
        with store.transaction() as tx:
            tx.put("cases", "C-2", {"id": "C-2"})
            tx.append_event(event("C-2", "create"))
            tx.put("cases", "C-3", {"id": "C-3", "subject": "nul \x00 byte"})
    assert [r["id"] for r in PostgresStore(pg_desk_url).all("cases")] == ["C-1"]
    assert change(store, "C-2") == 2


def test_a_connection_lost_mid_transaction_saves_nothing_and_reconnects(
    pg_desk_url: str, change, event
) -> None:
    store = PostgresStore(pg_desk_url)
    change(store, "C-1")
    with pytest.raises(StoreOffline, match="connection .* was lost .* the change was not saved"):
        with store.transaction() as tx:
            tx.put("cases", "C-2", {"id": "C-2"})
            tx.append_event(event("C-2", "create"))
            sql(
                pg_desk_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE 'workbench pid%%'",
            )
    assert change(store, "C-3") == 2  # connected again by itself
    assert sorted(r["id"] for r in PostgresStore(pg_desk_url).all("cases")) == ["C-1", "C-3"]


def test_a_server_restart_shows_as_offline_then_the_desk_catches_up(
    postgres_server, pg_desk_url: str, change
) -> None:
    watcher, writer = PostgresStore(pg_desk_url), PostgresStore(pg_desk_url)
    assert watcher.refresh() is False
    postgres_server.stop()
    try:
        with pytest.raises(StoreOffline, match="lost|cannot connect"):
            watcher.refresh()
        with pytest.raises(StoreOffline, match="cannot connect to the desk's server"):
            watcher.refresh()
    finally:
        postgres_server.start()
    change(writer, "C-9", subject="written while the watcher was away")  # connects again by itself
    assert watcher.refresh() is True
    assert watcher.get("cases", "C-9")["subject"] == "written while the watcher was away"


HOLDER = r"""
import sys, time
from workbench.store import open_store

store = open_store(sys.argv[1])
with store.transaction() as tx:
    tx.put("cases", "C-1", {"id": "C-1", "state": "open"})
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_locked_desk_names_the_agent_that_holds_it(pg_desk_url: str) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, pg_desk_url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        waiting = PostgresStore(pg_desk_url, lock_timeout=0.3)
        with pytest.raises(StoreLocked) as locked:
            with waiting.transaction():
                pass
        message = str(locked.value)
        assert f"workbench pid {holder.pid} on {os.uname().nodename}" in message
        assert "waited 0.3 s" in message
    finally:
        holder.kill()
        holder.wait()
    with waiting.transaction() as tx:  # the holder died: its lock went with its connection
        tx.put("cases", "C-2", {"id": "C-2"})
    assert [r["id"] for r in PostgresStore(pg_desk_url).all("cases")] == ["C-2"]


KILLS = 25


def test_writers_killed_at_random_moments_lose_nothing_they_acknowledged(pg_desk_url: str) -> None:
    """Each writer is a real process (forked from one that imported the store once),
    killed by SIGKILL while it writes: the desk holds every acknowledged change and at most
    the one in flight, whole, with its event and counter."""
    rng = random.Random(20261202)
    writers = Writers()
    held = 0
    killed_while_writing = 0
    try:
        for _ in range(KILLS):
            first = held + 1
            last = writers.start(pg_desk_url, first)
            if last < first:
                last = writers.acknowledged()
            time.sleep(rng.uniform(0, 0.03))
            pid = writers.writer
            last = writers.kill(last)
            killed_while_writing += last >= first
            settled(pg_desk_url, pid)
            held = holds_every_acknowledged_write(open_store(pg_desk_url), last)
    finally:
        writers.stop()
    assert killed_while_writing == KILLS


def settled(url: str, pid: int) -> None:
    """Wait until the server has finished with a killed writer's session: the writes and
    the COMMIT of its last change go in one pipeline, so what it sent before dying may
    still be committing (whole) after the process is gone."""
    for _ in range(1000):
        if not sql(
            url, "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE %s", [f"workbench pid {pid} %"]
        ):
            return
        time.sleep(0.01)
    raise AssertionError(f"the server still serves writer {pid} 10 s after it was killed")


def holds_every_acknowledged_write(store: Store, last_acknowledged: int) -> int:
    """The desk holds writes 1 … ``last_acknowledged`` and perhaps the one after, each
    with its event and counter; returns how many it holds."""
    try:
        numbers = sorted(r["n"] for r in store.all("cases"))
        assert numbers in (
            list(range(1, last_acknowledged + 1)),
            list(range(1, last_acknowledged + 2)),
        ), f"after a kill at write {last_acknowledged + 1}: {numbers[-3:]}"
        events = store.events()
        assert [e["key"] for e in events] == [f"K-{n}" for n in numbers]
        assert [e["id"] for e in events] == list(range(1, len(numbers) + 1))
        assert store.counters() == {"cases": len(numbers)}
    finally:
        store.close()
    return len(numbers)
