"""The Store protocol, held to the same behaviour by the in-memory store and the desk file."""

from __future__ import annotations

import threading

import pytest

from workbench.store import KINDS, Store, StoreError


def test_an_empty_store_holds_nothing(store: Store) -> None:
    assert store.get("cases", "C-1") is None
    assert all(store.all(kind) == [] for kind in KINDS)
    assert store.events() == []
    assert store.events("cases", "C-1") == []
    assert store.refresh() is False


def test_a_committed_record_reads_back(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("customers", "CUS-1", {"id": "CUS-1", "name": "Acme K.K.", "users": [1, 2]})
    assert store.get("customers", "CUS-1") == {"id": "CUS-1", "name": "Acme K.K.", "users": [1, 2]}
    assert store.all("customers") == [{"id": "CUS-1", "name": "Acme K.K.", "users": [1, 2]}]


def test_get_returns_a_private_copy(store: Store, change) -> None:
    change(store, "C-1", subject="printer")
    record = store.get("cases", "C-1")
    record["subject"] = "changed by a caller"
    assert store.get("cases", "C-1")["subject"] == "printer"


def test_all_hands_out_the_stored_dicts_uncopied(store: Store, change) -> None:
    """Listing is cheap because ``all`` copies nothing (callers must not change them)."""
    change(store, "C-1")
    first, second = store.all("cases"), store.all("cases")
    assert first[0] is second[0]
    assert first is not second


def test_all_lists_every_record_once_and_can_leave_the_closed_cases_out(store: Store, change) -> None:
    for key in ("C-2", "C-10", "C-1"):
        change(store, key)
    change(store, "C-10", state="closed")
    change(store, "C-1", state="closed")
    change(store, "C-1", state="open")  # reopened
    assert sorted(r["id"] for r in store.all("cases")) == ["C-1", "C-10", "C-2"]
    assert sorted(r["id"] for r in store.all("cases", closed=False)) == ["C-1", "C-2"]
    assert store.get("cases", "C-10")["state"] == "closed"
    assert [r["id"] for r in store.all("customers", closed=False)] == []


def test_a_transaction_sees_its_own_changes(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("cases", "C-1", {"id": "C-1", "state": "new"})
        assert tx.get("cases", "C-1") == {"id": "C-1", "state": "new"}
        assert store.get("cases", "C-1") is None  # nothing is visible before the commit
    assert store.get("cases", "C-1") == {"id": "C-1", "state": "new"}


def test_put_takes_a_copy_in_json_normal_form(store: Store) -> None:
    record = {"id": "C-1", "tags": ("a", "b"), "fields": {}}
    with store.transaction() as tx:
        tx.put("cases", "C-1", record)
        record["fields"]["late"] = True
    assert store.get("cases", "C-1") == {"id": "C-1", "tags": ["a", "b"], "fields": {}}


def test_an_exception_writes_nothing_and_propagates(store: Store, change, event) -> None:
    change(store, "C-1")
    with pytest.raises(RuntimeError, match="plugin failed"):
        with store.transaction() as tx:
            tx.put("cases", "C-1", {"id": "C-1", "state": "closed"})
            tx.put("cases", "C-2", {"id": "C-2"})
            tx.append_event(event("C-1", "close"))
            tx.next_number("cases")
            raise RuntimeError("plugin failed")
    assert store.all("cases") == [{"id": "C-1", "state": "open"}]
    assert [e["action"] for e in store.events()] == ["note"]
    with store.transaction() as tx:
        assert tx.next_number("cases") == 1


def test_events_are_numbered_in_order_and_found_by_record(store: Store, change, event) -> None:
    assert change(store, "C-1") == 1
    with store.transaction() as tx:
        assert tx.append_event({**event("C-2", "create"), "id": 99}) == 2
        assert tx.append_event(event("CUS-1", "create", kind="customers")) == 3
    assert change(store, "C-1", action="close") == 4
    assert [e["id"] for e in store.events()] == [1, 2, 3, 4]
    assert [e["id"] for e in store.events("cases")] == [1, 2, 4]
    assert [e["action"] for e in store.events("cases", "C-1")] == ["note", "close"]
    assert [e["id"] for e in store.events(key="CUS-1")] == [3]
    assert store.events("cases", "C-9") == []


def test_events_come_back_whole_and_as_copies(store: Store, event) -> None:
    written = event("C-1", "escalate", level=2)
    with store.transaction() as tx:
        tx.append_event(written)
    (read,) = store.events("cases", "C-1")
    assert read == {**written, "id": 1}
    read["action"] = "tampered"
    assert store.events("cases", "C-1")[0]["action"] == "escalate"


def test_next_number_counts_per_kind_and_never_repeats(store: Store) -> None:
    with store.transaction() as tx:
        assert [tx.next_number("cases") for _ in range(3)] == [1, 2, 3]
        assert tx.next_number("customers") == 1
    with store.transaction() as tx:
        assert tx.next_number("cases") == 4


def test_unknown_kinds_and_non_json_values_are_refused(store: Store, event) -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        store.all("tickets")
    with store.transaction() as tx:
        with pytest.raises(ValueError, match="unknown record kind"):
            tx.put("tickets", "T-1", {})
        with pytest.raises(TypeError, match="cannot be stored as JSON"):
            tx.put("cases", "C-1", {"id": "C-1", "when": object()})
        with pytest.raises(ValueError, match="key"):
            tx.put("cases", "", {})
        with pytest.raises(ValueError, match="key"):
            tx.append_event({**event("C-1", "note"), "key": None})
        with pytest.raises(ValueError, match="unknown record kind"):
            tx.append_event(event("C-1", "note", kind="tickets"))
    assert store.all("cases") == [] and store.events() == []


def test_a_transaction_cannot_be_used_after_its_block(store: Store) -> None:
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError, match="ended"):
        tx.put("cases", "C-1", {"id": "C-1"})


def test_a_nested_transaction_is_refused(store: Store) -> None:
    with store.transaction():
        with pytest.raises(StoreError, match="already open"):
            with store.transaction():
                pass


def test_threads_take_turns(store: Store) -> None:
    def work(thread: int) -> None:
        for i in range(20):
            with store.transaction() as tx:
                number = tx.next_number("cases")
                tx.put("cases", f"C-{number}", {"id": f"C-{number}", "by": thread, "i": i})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(int(r["id"][2:]) for r in store.all("cases")) == list(range(1, 61))


def test_a_record_of_another_kind_under_a_closed_cases_key_leaves_the_case_be(store: Store, change) -> None:
    """Keys are per kind: a customer keyed like a closed case, written by another agent and
    picked up by a refresh, is not that case (the state machine of test_stores_agree found
    the PostgreSQL store losing the case from its memory)."""
    change(store, "0", state="closed")
    assert [r["id"] for r in store.all("cases")] == ["0"]  # every closed case now in memory
    with store.transaction() as tx:
        tx.put("customers", "0", {"id": "0", "name": "Acme"})
    store.refresh()
    assert store.get("cases", "0") == {"id": "0", "state": "closed"}
    assert [r["id"] for r in store.all("cases", match={"state": "closed"})] == ["0"]
