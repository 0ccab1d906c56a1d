"""``all(match=…, within=…)`` gives the same cases from a desk in PostgreSQL as from the desk
file holding the same desk: the file answers a window from its closed-case index (or its
records), PostgreSQL from a ``WHERE`` on the indexed ``sent_at`` column (ZOHO-HOWTO-1's
month of sent cases, the vendor report's month: CORE-SLA-3), each instant read the one way
the desk reads it (ISO-8601 with an offset; anything else is no instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest

from workbench.store import FileStore, Store
from workbench.store.pgstore import CLOSED_SENT_WITHIN, PostgresStore

JST = timezone(timedelta(hours=9))
SENT = [
    "2026-10-01T00:00:00+09:00",  # the JST month's first instant: outside a window after it
    "2026-09-30T15:00:00+00:00",  # the same instant in UTC
    "2026-09-30T15:00:00.000001+00:00",  # a microsecond later: inside
    "2026-10-31T23:59:59.999999+09:00",
    "2026-11-01T00:00:00+09:00",  # the month's end: inside (the window's end is inclusive)
    "2026-10-15T12:00:00Z",
    "2026-10-15T12:00:00-05:00",
    "2026-10-15 12:00:00+09:00",
    "20261015T120000+0900",
    "2026-10-15T12:00:00",  # no offset: no instant
    "2026-10-15",
    "not a time",
    "",
    12345,
    None,
    ["2026-10-15T12:00:00+09:00"],
    "2025-12-31T23:00:00+09:00",
    "2027-01-01T00:00:00+00:00",
]
CUSTOMERS = ["CUS-1", "CUS-2", None]
VENDORS = ["zoho", "webex", "bittitan"]


def desk_cases() -> list[dict[str, Any]]:
    """Every sent_at above on open and closed cases of several customers and vendors; one
    case in three has no sent_at at all."""
    cases = []
    for n in range(len(SENT) * 4):
        case: dict[str, Any] = {
            "id": f"C-{n}",
            "state": "closed" if n % 2 else "open",
            "vendor": VENDORS[n % 3],
            "customer_id": CUSTOMERS[n % 3],
            "closed_at": SENT[(n + 5) % len(SENT)],
        }
        if n % 7 != 6:
            case["sent_at"] = SENT[n % len(SENT)]
        cases.append(case)
    return cases


def fill(store: Store) -> None:
    with store.transaction() as tx:
        for case in desk_cases():
            tx.put("cases", case["id"], case)
            tx.append_event({"kind": "cases", "key": case["id"], "action": "open"})


def window(after: datetime, until: datetime, field: str = "sent_at") -> tuple[str, datetime, datetime]:
    return (field, after, until)


OCTOBER_JST = window(datetime(2026, 10, 1, tzinfo=JST), datetime(2026, 11, 1, tzinfo=JST))
QUERIES = {
    "a month in the desk's zone": {"within": OCTOBER_JST},
    "the same month in UTC": {
        "within": window(datetime(2026, 9, 30, 15, tzinfo=UTC), datetime(2026, 10, 31, 15, tzinfo=UTC))
    },
    "a customer's month": {"within": OCTOBER_JST, "match": {"customer_id": "CUS-1"}},
    "a vendor's closed cases of the month": {
        "within": OCTOBER_JST,
        "match": {"vendor": "zoho", "state": "closed"},
    },
    "cases of no customer in the month": {"within": OCTOBER_JST, "match": {"customer_id": None}},
    "the open work of the month": {"within": OCTOBER_JST, "closed": False},
    "every year there is": {
        "within": window(datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC))
    },
    "an empty window": {
        "within": window(datetime(2026, 10, 15, 3, tzinfo=UTC), datetime(2026, 10, 15, 3, tzinfo=UTC))
    },
    "one instant": {
        "within": window(
            datetime(2026, 10, 15, 2, 59, 59, 999999, tzinfo=UTC), datetime(2026, 10, 15, 3, tzinfo=UTC)
        )
    },
    "a window on another field": {"within": window(*OCTOBER_JST[1:], field="closed_at")},
    "a window on another field and a customer": {
        "within": window(*OCTOBER_JST[1:], field="closed_at"),
        "match": {"customer_id": "CUS-2"},
    },
}


def ids(records: list[dict[str, Any]]) -> list[str]:
    return sorted(record["id"] for record in records)


@pytest.fixture
def desk_file(tmp_path: Path) -> FileStore:
    store = FileStore(tmp_path / "desk.json")
    fill(store)
    return store


@pytest.fixture
def desk_in_postgres(pg_desk_url: str) -> str:
    store = PostgresStore(pg_desk_url)
    fill(store)
    store.close()
    return pg_desk_url


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_a_window_gives_the_same_cases_from_postgresql_as_from_the_desk_file(
    desk_file: FileStore, desk_in_postgres: str, query: dict[str, Any]
) -> None:
    """Compared three ways on each side: on a freshly opened store (PostgreSQL's WHERE, the
    file's log), after the file's snapshot holds the closed cases (its closed-case index),
    and once every case has been listed (both in memory)."""
    postgres = PostgresStore(desk_in_postgres)
    expected = ids(desk_file.all("cases", **query))
    assert ids(postgres.all("cases", **query)) == expected
    desk_file.compact()
    compacted = FileStore(desk_file.path)
    assert ids(compacted.all("cases", **query)) == expected
    assert len(compacted.all("cases")) == len(postgres.all("cases")) == len(desk_cases())
    assert ids(compacted.all("cases", **query)) == ids(postgres.all("cases", **query)) == expected


def test_the_months_window_holds_what_the_desk_reads_as_inside_it(desk_file: FileStore) -> None:
    """The expectation itself, so the comparison above is not of two empty lists."""
    inside = {c["id"] for c in desk_cases() if c.get("sent_at") in SENT[2:9]}
    assert set(ids(desk_file.all("cases", within=OCTOBER_JST))) == inside
    assert len(inside) > 20


def test_a_window_on_sent_at_reads_only_the_cases_inside_it_through_its_index(
    desk_in_postgres: str,
) -> None:
    """A month's sent cases cost the month, not the archive: the closed cases the server
    sends are those inside the window, found through ``workbench_records_sent``."""
    store = PostgresStore(desk_in_postgres)
    found = store.all("cases", within=OCTOBER_JST, match={"state": "closed"})
    assert found and len(store._closed_cases) == len(found) < len(desk_cases()) // 2
    with psycopg.connect(desk_in_postgres, autocommit=True) as connection:
        connection.execute("SET enable_seqscan = off")  # a small desk: the index is what is checked
        plan = connection.execute("EXPLAIN " + CLOSED_SENT_WITHIN, [10**9, *OCTOBER_JST[1:]]).fetchall()
    assert "workbench_records_sent" in str(plan)
    with pytest.raises(TypeError, match="offset"):  # as comparing the open cases in memory
        store.all("cases", within=window(datetime(2026, 10, 1), datetime(2026, 11, 1)))
