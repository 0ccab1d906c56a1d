"""Fixtures for the storage tests: stores of both kinds, and small helpers.

As tinydb's own ``conftest.py`` does, protocol tests take the ``store`` fixture and run
against the in-memory store, the desk file and a desk in a real PostgreSQL server (the
session's throwaway one, see ``tests/conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.store import KINDS, FileStore, MemoryStore, Store
from workbench.store.pgstore import PostgresStore

Change = Callable[..., int]


@pytest.fixture
def desk_path(tmp_path: Path) -> Path:
    return tmp_path / "desk" / "desk.json"


@pytest.fixture(params=["memory", "file", "postgresql"])
def store(request: pytest.FixtureRequest, desk_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "postgresql":
        opened: Store = PostgresStore(request.getfixturevalue("pg_desk_url"), lock_timeout=2)
    else:
        opened = FileStore(desk_path, lock_timeout=2)
    yield opened
    opened.close()


def _event(key: str, action: str, kind: str = "cases", **data: Any) -> dict[str, Any]:
    """An event shaped as the desk writes them."""
    return {
        "id": 0,
        "at": "2026-11-24T01:00:00+00:00",
        "actor": "tester",
        "kind": kind,
        "key": key,
        "action": action,
        "before": None,
        "after": data or None,
        "rule": "",
        "reason": "",
        "data": {},
    }


def change_case(store: Store, key: str, action: str = "note", **fields: Any) -> int:
    """One committed change: the case record updated (created when new) and one event."""
    with store.transaction() as tx:
        record = tx.get("cases", key) or {"id": key, "state": "open"}
        record.update(fields)
        tx.put("cases", key, record)
        return tx.append_event(_event(key, action, **fields))


def _files_of(path: Path) -> dict[str, bytes]:
    """Every file of the desk at ``path`` (snapshot, log, backups …) with its bytes."""
    return {
        name: (path.parent / name).read_bytes()
        for name in sorted(os.listdir(path.parent))
        if name.startswith(path.name) and not name.endswith((".lock", ".holder"))
    }


def _state_of(store: Store) -> dict[str, Any]:
    """Everything a store holds, for comparing two stores."""
    return {"records": {kind: store.all(kind) for kind in KINDS}, "events": store.events()}


@pytest.fixture
def event() -> Callable[..., dict[str, Any]]:
    """``event(key, action, kind="cases", **after)``: an event shaped as the desk writes it."""
    return _event


@pytest.fixture
def change() -> Change:
    """``change(store, key, action="note", **fields)``: one committed change (the case
    created or updated, and one event); returns the event's id."""
    return change_case


@pytest.fixture
def files_of() -> Callable[[Path], dict[str, bytes]]:
    """``files_of(path)``: every file of the desk (snapshot, log, backups) with its bytes."""
    return _files_of


@pytest.fixture
def state_of() -> Callable[[Store], dict[str, Any]]:
    """``state_of(store)``: all records and events, for comparing stores."""
    return _state_of
