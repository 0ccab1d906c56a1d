"""Random sequences of creates, changes, failed transactions, compactions, other writers
and reopens, checked against a plain dict model: the store always equals the model, every
change made exactly one event, and reopening the desk from disk gives the same state."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from workbench.store import KINDS, FileStore, MemoryStore, Store

RECORD_KINDS = ("customers", "cases", "settings")
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
states = st.sampled_from(["open", "pending", "closed"])
fields = st.dictionaries(
    st.sampled_from(["subject", "fields", "n"]), values, max_size=3
) | st.fixed_dictionaries({"state": states}, optional={"subject": values})
"""Changes; cases close and reopen often, so closed cases move in and out of the store's
separate keeping (and record keys are any text, quotes and colons included)."""


def by_key(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda record: record["key"])


def equals_model(store: Store, model: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Every record as got by key, as matched by its fields, as listed without the closed
    cases and as listed (in that order: the first ones leave the closed cases unparsed)."""
    for kind in KINDS:
        for key, record in model[kind].items():
            assert store.get(kind, key) == record
            assert store.all(kind, match={"key": key, "state": record.get("state")}) == [record]
        for state in ("open", "closed"):
            wanted = [r for r in model[kind].values() if r.get("state") == state]
            assert by_key(store.all(kind, match={"state": state})) == by_key(wanted)
        not_closed = [r for r in model[kind].values() if not (kind == "cases" and r.get("state") == "closed")]
        assert by_key(store.all(kind, closed=False)) == by_key(not_closed)
        assert by_key(store.all(kind)) == by_key(list(model[kind].values()))


class Aborted(Exception):
    """Raised inside a transaction the test wants rolled back."""


class DeskMachine(RuleBasedStateMachine):
    """The model: records by kind, the events in order, the counters."""

    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="desk-machine-"))
        self.path = self.folder / "desk.json"
        self.store: Store = self.open()
        self.model: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.events: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}
        self.changes: dict[tuple[str, str], int] = {}

    def open(self) -> Store:
        return FileStore(self.path, compact_bytes=1500)

    def commit(self, store: Store, changes: list[tuple[str, str, dict[str, Any]]]) -> None:
        """One transaction: each change updates (or creates) a record and adds one event."""
        with store.transaction() as tx:
            for kind, key, update in changes:
                record = tx.get(kind, key) or {"key": key}
                record.update(update)
                tx.put(kind, key, record)
                number = tx.append_event({"kind": kind, "key": key, "action": "change", "after": update})
                self.model[kind][key] = record
                self.events.append(
                    {"id": number, "kind": kind, "key": key, "action": "change", "after": update}
                )
                self.changes[(kind, key)] = self.changes.get((kind, key), 0) + 1

    @rule(
        target=records,
        kind=st.sampled_from(RECORD_KINDS),
        name=st.text(min_size=1, max_size=8),
        update=fields,
    )
    def create(self, kind: str, name: str, update: dict[str, Any]) -> tuple[str, str]:
        self.commit(self.store, [(kind, name, update)])
        return kind, name

    @rule(record=records, update=fields)
    def change(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        self.commit(self.store, [(*record, update)])

    @rule(record=records, state=states, subject=values)
    def close_or_reopen(self, record: tuple[str, str], state: str, subject: Any) -> None:
        self.commit(self.store, [("cases", record[1], {"state": state, "subject": subject})])

    @rule(first=records, second=records, update=fields)
    def change_two_at_once(
        self, first: tuple[str, str], second: tuple[str, str], update: dict[str, Any]
    ) -> None:
        self.commit(self.store, [(*first, update), (*second, {"n": 2})])

    @rule(kind=st.sampled_from(["cases", "workflows"]))
    def number(self, kind: str) -> None:
        with self.store.transaction() as tx:
            number = tx.next_number(kind)
        self.counters[kind] = self.counters.get(kind, 0) + 1
        assert number == self.counters[kind]

    @rule(record=records, update=fields)
    def fail_halfway(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        try:
            with self.store.transaction() as tx:
                tx.put(*record, {"wrecked": True})
                tx.append_event({"kind": record[0], "key": record[1], "action": "lost"})
                tx.next_number("cases")
                raise Aborted
        except Aborted:
            pass

    @precondition(lambda self: isinstance(self.store, FileStore))
    @rule(record=records, update=fields)
    def another_process_writes(self, record: tuple[str, str], update: dict[str, Any]) -> None:
        other = FileStore(self.path)
        self.commit(other, [(*record, update)])
        other.close()
        assert self.store.refresh() is True

    @precondition(lambda self: isinstance(self.store, FileStore))
    @rule()
    def compact(self) -> None:
        self.store.compact()

    @precondition(lambda self: isinstance(self.store, FileStore))
    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = self.open()

    @invariant()
    def store_equals_model(self) -> None:
        equals_model(self.store, self.model)
        assert self.store.events() == self.events

    @invariant()
    def every_change_made_exactly_one_event(self) -> None:
        for (kind, key), count in self.changes.items():
            assert len(self.store.events(kind, key)) == count

    def teardown(self) -> None:
        if isinstance(self.store, FileStore):
            self.store.close()
            reopened = FileStore(self.path)
            equals_model(reopened, self.model)
            assert reopened.events() == self.events
            reopened.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class MemoryDeskMachine(DeskMachine):
    def open(self) -> Store:
        return MemoryStore()


machine_settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDeskFile = DeskMachine.TestCase
TestDeskFile.settings = machine_settings
TestMemoryDesk = MemoryDeskMachine.TestCase
TestMemoryDesk.settings = machine_settings
