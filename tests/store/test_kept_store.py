"""A desk file kept open as a desk server keeps it (``workbench.daemon.kept``: read ahead,
brought up to date while its files are as it read them, opened again when they are not)
answers every question as the desk opened afresh, after any random sequence of changes made
beside it by another store: creates, changes, closing and reopening cases, two records at
once, compactions, tallies kept; keys and customers' ids of any text, quotes, backslashes and
``,[`` included (the kept desk finds a record's events and a customer's closed cases in
places it read ahead, not by searching)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.store.test_stores_agree import TALLIES, keys, sent_at, states, values
from workbench.store import FileStore, Store
from workbench.store.base import in_window, tallied
from workbench.store.upgrade import older_customers_possible, upgrade_customers

CUSTOMERS = ["CUS-1", 'C"U\\S,[2', 7, None]
fields = st.fixed_dictionaries(
    {},
    optional={
        "state": states,
        "customer_id": st.sampled_from(CUSTOMERS),
        "sent_at": sent_at,
        "subject": values,
    },
)
JST = timezone(timedelta(hours=9))
WINDOWS = [
    ("sent_at", datetime(2026, 1, 1, tzinfo=JST), datetime(2027, 1, 1, tzinfo=JST)),
    ("sent_at", datetime(2024, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)),
]


def same_answers(kept: Store, fresh: Store, records: set[tuple[str, str]]) -> None:
    for customer in CUSTOMERS:
        for kind in ("cases", "customers"):
            match = {"customer_id": customer}
            assert kept.all(kind, match=match) == fresh.all(kind, match=match)
    for window in WINDOWS:
        assert kept.all("cases", within=window) == fresh.all("cases", within=window)
        for definition in TALLIES:
            counted = sum(1 for r in fresh.all("cases") if in_window(r, window) and tallied(definition, r))
            assert kept.tally(definition, window[1:]) == fresh.tally(definition, window[1:]) == counted
    for kind, key in sorted(records):
        assert kept.get(kind, key) == fresh.get(kind, key)
        assert kept.events(kind, key) == fresh.events(kind, key)
    for kind in ("cases", "customers", "settings"):
        assert kept.all(kind, closed=False) == fresh.all(kind, closed=False)
        assert kept.all(kind) == fresh.all(kind)
    assert kept.events() == fresh.events()
    assert kept.counters() == fresh.counters()
    assert kept.desk_version() == fresh.desk_version()


class KeptAgrees(RuleBasedStateMachine):
    """A writer's changes, and a store kept open beside it as the desk server keeps one."""

    records = Bundle("records")
    kept_used = 0
    """How many times a kept store answered (the test fails if it never did)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="kept-agrees-"))
        self.path = self.folder / "desk.json"
        self.writer = FileStore(self.path, compact_bytes=3000)
        self.kept: FileStore | None = None
        self.keys: set[tuple[str, str]] = set()

    def commit(self, changes: list[tuple[str, str, dict[str, Any]]]) -> None:
        with self.writer.transaction() as tx:
            for kind, key, update in changes:
                record = tx.get(kind, key) or {"key": key}
                record.update(update)
                tx.put(kind, key, record)
                tx.append_event({"kind": kind, "key": key, "action": "change", "after": update})
        self.keys.update((kind, key) for kind, key, _ in changes)

    @rule(target=records, kind=st.sampled_from(["customers", "cases", "settings"]), key=keys, update=fields)
    def create(self, kind: str, key: str, update: dict[str, Any]) -> tuple[str, str]:
        self.commit([(kind, key, update)])
        return kind, key

    @rule(record=records, update=fields)
    def change(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        self.commit([(*record, update)])

    @rule(record=records, state=states, when=sent_at)
    def close_or_reopen(self, record: tuple[str, str], state: str, when: Any) -> None:
        self.commit([("cases", record[1], {"state": state, "sent_at": when})])

    @rule(first=records, second=records, update=fields)
    def change_two_at_once(
        self, first: tuple[str, str], second: tuple[str, str], update: dict[str, Any]
    ) -> None:
        self.commit([(*first, update), (*second, {"subject": 2})])

    @rule()
    def compact(self) -> None:
        self.writer.compact()

    @rule(count=st.integers(1, len(TALLIES)))
    def keep_tallies(self, count: int) -> None:
        self.writer.keep_tallies(TALLIES[:count])

    def kept_current(self) -> FileStore:
        """What the desk server does while no command runs, then what a command does."""
        if self.kept is not None and self.kept.as_read():
            if self.kept.refresh():
                self.kept.read_ahead()
            if self.kept.as_read():
                type(self).kept_used += 1
                return self.kept
        if self.kept is not None:
            self.kept.close()
        self.kept = FileStore(self.path, compact_on_write=False, migrate=False)
        self.kept.read_ahead()
        return self.kept

    @invariant()
    def the_kept_desk_answers_as_a_fresh_one(self) -> None:
        if not self.path.exists():
            return
        fresh = FileStore(self.path)
        try:
            same_answers(self.kept_current(), fresh, self.keys)
        finally:
            fresh.close()

    def teardown(self) -> None:
        self.writer.close()
        if self.kept is not None:
            self.kept.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def test_a_kept_desk_answers_as_the_desk_opened_afresh_after_every_step() -> None:
    KeptAgrees.kept_used = 0
    run_state_machine_as_test(
        KeptAgrees,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert KeptAgrees.kept_used > 0


def test_a_kept_desk_still_upgrades_a_customer_an_older_version_writes_after_it_was_read(
    tmp_path: Path,
) -> None:
    """A kept desk answers "may a customer have former fields?" once, before its tables are
    parsed, and each command handed it asks again (``upgrade_customers``): a customer with
    a former field written after that answer is still found and moved."""
    path = tmp_path / "desk.json"
    writer = FileStore(path)
    with writer.transaction() as tx:
        tx.put("customers", "CUS-1", {"id": "CUS-1", "name": "today's shape"})
    writer.compact()
    kept = FileStore(path, compact_on_write=False, migrate=False)
    assert older_customers_possible(kept) is False
    kept.read_ahead()
    assert upgrade_customers(kept) == 0
    with writer.transaction() as tx:
        tx.put("customers", "CUS-2", {"id": "CUS-2", "name": "an older version's", "region": "jp"})
    assert kept.refresh()
    assert older_customers_possible(kept) is True
    assert upgrade_customers(kept) == 1
    assert kept.get("customers", "CUS-2")["attributes"] == {"zoho.region": "jp"}
    assert "region" not in FileStore(path).get("customers", "CUS-2")
