"""The desk file and a desk in PostgreSQL, given the same random sequence of desk operations
(creates, changes, closing and reopening cases, two records at once, numbers, transactions
that fail halfway, another agent's writes, compactions, tallies kept, reopening), hold the same
desk after every step: every record by key, listed, matched and inside a window of
``sent_at``, every event in order, every counter, and every tally over a window (the desk
file's from the counts it keeps, PostgreSQL's in SQL) equal to counting the cases
(ZOHO-HOWTO-1's count is one).

Text is any Unicode but NUL: PostgreSQL cannot hold ``\\u0000`` in ``jsonb``, and refuses a
change carrying one by name (the last test here)."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from workbench.store import KINDS, FileStore, Store, StoreError
from workbench.store.base import in_window, tallied
from workbench.store.pgstore import PostgresStore, init_desk

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)
"""Text PostgreSQL can hold: no NUL (and no lone surrogate, which is not text at all)."""
keys = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=6
)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5, minutes=-30))])
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone).isoformat(),
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)),
    offsets,
)
sent_at = instants | st.sampled_from(["2026-10-15T12:00:00", "2026-10-15", "soon", ""]) | st.none()
"""Mostly instants in three zones; some text the desk does not read as one."""
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
states = st.sampled_from(["open", "pending", "closed"])
fields = st.fixed_dictionaries(
    {},
    optional={
        "state": states,
        "customer_id": st.sampled_from(["CUS-1", "CUS-2"]),
        "sent_at": sent_at,
        "subject": values,
        "n": values,
    },
)
RECORD_KINDS = ("customers", "cases", "settings")
JST = timezone(timedelta(hours=9))
WINDOWS = [
    ("sent_at", datetime(2026, 1, 1, tzinfo=JST), datetime(2027, 1, 1, tzinfo=JST)),
    ("sent_at", datetime(2025, 6, 30, 15, tzinfo=UTC), datetime(2025, 7, 31, 15, tzinfo=UTC)),
    ("sent_at", datetime(2024, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)),  # every instant drawn
]
TALLIES: list[dict[str, Any]] = [
    {"name": "agree.customer", "where": {"customer_id": ["CUS-1"]}, "where_not": {}},
    {
        "name": "agree.nested",
        "where": {"state": ["open", "pending", "closed"]},
        "where_not": {"n": [True, ""], "subject.": ["", "0"]},
    },
    {"name": "agree.booleans", "where": {"n": [True, False]}, "where_not": {"customer_id": ["CUS-2"]}},
    {"name": "agree.none", "where": {"n": []}, "where_not": {}},
]
"""Tallies as plugins declare them (``Tally.definition()``): values a record holds at a path,
nested ones included, strings and booleans told apart from the text and numbers drawn."""
MATCHES: list[dict[str, Any] | None] = [
    None,
    {"state": "closed"},
    {"customer_id": "CUS-1"},
    {"customer_id": None, "state": "closed"},
]


def by_key(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In one order whatever order each store keeps a record's fields in (``jsonb`` sorts
    them by length)."""
    return sorted(records, key=lambda record: orjson.dumps(record, option=orjson.OPT_SORT_KEYS))


def same_desk(file: Store, postgres: Store, keys: set[tuple[str, str]]) -> None:
    """Everything a desk answers, the same from both stores (cheap questions first, so
    PostgreSQL answers the window and match questions before it has every closed case)."""
    for window in WINDOWS:
        for match in MATCHES:
            assert by_key(postgres.all("cases", match=match, within=window)) == by_key(
                file.all("cases", match=match, within=window)
            ), (window, match)
    for window in WINDOWS:
        same_tallies(file, postgres, window[1], window[2])
    for kind, key in sorted(keys):
        assert postgres.get(kind, key) == file.get(kind, key)
        assert postgres.events(kind, key) == file.events(kind, key)
    for kind in KINDS:
        assert by_key(postgres.all(kind, closed=False)) == by_key(file.all(kind, closed=False))
        assert by_key(postgres.all(kind)) == by_key(file.all(kind))
    assert postgres.events() == file.events()
    assert postgres.counters() == file.counters()


def same_tallies(file: Store, postgres: Store, after: datetime, until: datetime) -> None:
    """Each tally of :data:`TALLIES` over ``(after, until]``, the same from both stores and
    equal to counting the cases sent in it."""
    within = ("sent_at", after, until)
    for definition in TALLIES:
        counted = sum(1 for r in file.all("cases") if in_window(r, within) and tallied(definition, r))
        assert file.tally(definition, (after, until)) == counted, definition["name"]
        assert postgres.tally(definition, (after, until)) == counted, definition["name"]


def caught_up(store: Store) -> bool:
    """Refresh until the other agent's commit is picked up (at most 5 s)."""
    for _ in range(500):
        if store.refresh():
            return True
        time.sleep(0.01)
    return False


class Aborted(Exception):
    """Raised inside a transaction the test wants rolled back."""


class StoresAgree(RuleBasedStateMachine):
    """One desk file and one desk in PostgreSQL (a schema of its own), changed alike."""

    server: Any = None
    """The session's PostgreSQL server (set by the test)."""
    schemas = itertools.count(1)
    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="stores-agree-"))
        self.schema = f"agree_{next(self.schemas)}_{time.monotonic_ns()}"
        self.server.sql(f"CREATE SCHEMA {self.schema} AUTHORIZATION workbench")
        self.url = self.server.url(schema=self.schema)
        init_desk(self.url)
        self.file: Store = FileStore(self.folder / "desk.json", compact_bytes=4000)
        self.postgres: Store = PostgresStore(self.url)
        self.keys: set[tuple[str, str]] = set()

    def commit(self, stores: tuple[Store, Store], changes: list[tuple[str, str, dict[str, Any]]]) -> None:
        for store in stores:
            with store.transaction() as tx:
                for kind, key, update in changes:
                    record = tx.get(kind, key) or {"key": key}
                    record.update(update)
                    tx.put(kind, key, record)
                    tx.append_event({"kind": kind, "key": key, "action": "change", "after": update})
        self.keys.update((kind, key) for kind, key, _ in changes)

    @rule(target=records, kind=st.sampled_from(RECORD_KINDS), key=keys, update=fields)
    def create(self, kind: str, key: str, update: dict[str, Any]) -> tuple[str, str]:
        self.commit((self.file, self.postgres), [(kind, key, update)])
        return kind, key

    @rule(record=records, update=fields)
    def change(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        self.commit((self.file, self.postgres), [(*record, update)])

    @rule(record=records, state=states, when=sent_at)
    def close_or_reopen(self, record: tuple[str, str], state: str, when: Any) -> None:
        self.commit((self.file, self.postgres), [("cases", record[1], {"state": state, "sent_at": when})])

    @rule(record=records, kind=st.sampled_from(RECORD_KINDS), update=fields)
    def same_key_another_kind(self, record: tuple[str, str], kind: str, update: dict[str, Any]) -> None:
        """Keys are per kind: a customer may be keyed like a case."""
        self.commit((self.file, self.postgres), [(kind, record[1], update)])

    @rule(first=records, second=records, update=fields)
    def change_two_at_once(
        self, first: tuple[str, str], second: tuple[str, str], update: dict[str, Any]
    ) -> None:
        self.commit((self.file, self.postgres), [(*first, update), (*second, {"n": 2})])

    @rule(kind=st.sampled_from(["cases", "workflows"]), at_least=st.integers(0, 5))
    def number(self, kind: str, at_least: int) -> None:
        numbers = []
        for store in (self.file, self.postgres):
            with store.transaction() as tx:
                tx.advance_number(kind, at_least)
                numbers.append(tx.next_number(kind))
        assert numbers[0] == numbers[1]

    @rule(record=records)
    def fail_halfway(self, record: tuple[str, str]) -> None:
        for store in (self.file, self.postgres):
            with pytest.raises(Aborted):
                with store.transaction() as tx:
                    tx.put(*record, {"wrecked": True})
                    tx.append_event({"kind": record[0], "key": record[1], "action": "lost"})
                    tx.next_number("cases")
                    raise Aborted

    @rule(record=records, update=fields)
    def another_agent_writes(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        """Another process's store writes; ours pick it up (PostgreSQL's by NOTIFY, which
        arrives a moment after the commit)."""
        others = (FileStore(self.file.path), PostgresStore(self.url))
        self.commit(others, [(*record, update)])
        for other in others:
            other.close()
        assert self.file.refresh() is True
        assert caught_up(self.postgres)

    @rule()
    def compact(self) -> None:
        self.file.compact()

    @rule(count=st.integers(1, len(TALLIES)))
    def keep_tallies(self, count: int) -> None:
        """The desk file counts the tallies the plugins declare (some of them: a plugin
        that declares another is answered from the cases until they are kept)."""
        self.file.keep_tallies(TALLIES[:count])

    @rule()
    def reopen(self) -> None:
        self.file.close()
        self.postgres.close()
        self.file, self.postgres = (
            FileStore(self.folder / "desk.json", compact_bytes=4000),
            PostgresStore(self.url),
        )

    @rule(
        after=st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)),
        days=st.integers(0, 400),
        match=st.sampled_from(MATCHES),
    )
    def ask_for_a_window(self, after: datetime, days: int, match: dict[str, Any] | None) -> None:
        window = ("sent_at", after.replace(tzinfo=UTC), after.replace(tzinfo=UTC) + timedelta(days=days))
        assert by_key(self.postgres.all("cases", match=match, within=window)) == by_key(
            self.file.all("cases", match=match, within=window)
        )
        same_tallies(self.file, self.postgres, window[1], window[2])

    @invariant()
    def the_two_desks_are_the_same(self) -> None:
        same_desk(self.file, self.postgres, self.keys)

    def teardown(self) -> None:
        """Both desks reopened from what they keep are still the same; then both go away."""
        self.file.close()
        self.postgres.close()
        reopened = (FileStore(self.folder / "desk.json"), PostgresStore(self.url))
        try:
            same_desk(*reopened, self.keys)
        finally:
            for store in reopened:
                store.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.server.sql(f"DROP SCHEMA {self.schema} CASCADE")


def test_the_desk_file_and_postgresql_agree_after_every_step(postgres_server) -> None:
    StoresAgree.server = postgres_server
    run_state_machine_as_test(
        StoresAgree,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_text_with_a_nul_character_is_refused_naming_what_carries_it(
    pg_desk_url: str, tmp_path: Path
) -> None:
    """PostgreSQL cannot hold NUL in jsonb text: the change is refused whole, naming the
    records and events that carry one, and the desk goes on (the desk file holds it)."""
    postgres = PostgresStore(pg_desk_url)
    with postgres.transaction() as tx:
        tx.put("cases", "C-1", {"id": "C-1", "subject": "printer"})
    with pytest.raises(StoreError) as refused:
        with postgres.transaction() as tx:
            tx.put("cases", "C-1", {"id": "C-1", "subject": "printer", "fields": {"log\x00": "x"}})
            tx.put("customers", "CUS-1", {"id": "CUS-1", "name": "Acme"})
            tx.append_event({"kind": "cases", "key": "C-2", "action": "note", "data": {"text": "a\x00b"}})
    message = str(refused.value)
    assert "the change was not saved" in message
    assert "PostgreSQL cannot store the NUL character (\\u0000) in text" in message
    assert "cases C-1, an event of cases C-2 carries one" in message
    assert "customers" not in message
    for store in (postgres, PostgresStore(pg_desk_url)):
        assert store.get("cases", "C-1") == {"id": "C-1", "subject": "printer"}
        assert store.all("customers") == [] and store.events() == []
    with postgres.transaction() as tx:
        tx.put("customers", "CUS-1", {"id": "CUS-1", "name": "Acme"})
    assert PostgresStore(pg_desk_url).get("customers", "CUS-1") == {"id": "CUS-1", "name": "Acme"}
    file = FileStore(tmp_path / "desk.json")
    with file.transaction() as tx:
        tx.put("cases", "C-1", {"id": "C-1", "subject": "a\x00b"})
    assert FileStore(tmp_path / "desk.json").get("cases", "C-1")["subject"] == "a\x00b"
