"""The import's quick check of a record's shape (``workbench.shapes.shape_check``) stands in
for its checks of a record's round trip and of its fields' JSON types: it must accept the
records the desk writes, and never one of them with any field spoilt that those checks
would refuse (an import would let it in unchecked; CORE-AUDIT-1)."""

from __future__ import annotations

import copy
import json

import pytest

from workbench import transfer
from workbench.shapes import shape_check

SPOILT = [
    None,
    12,
    1.5,
    True,
    "",
    "yesterday",
    "2026-11-24T10:00:00+09:00",
    "2026-11-24",
    [],
    [None],
    [12],
    {},
    {"a": 1},
]
"""Values put in place of each field (and of each field of a record inside it)."""


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> dict[str, list[dict]]:
    """The demo desk's records, swept (deadlines met and breached), by kind."""
    from workbench.cli import main

    folder = tmp_path_factory.mktemp("demo")
    db, out = folder / "desk.json", folder / "export.json"
    for args in (["demo"], ["sweep"], ["export", "-o", str(out)]):
        try:
            main([*args, "--db", str(db), "--now", "2026-11-24T10:00+09:00"])
        except SystemExit as exit_:
            assert exit_.code in (0, None)
    return json.loads(out.read_bytes())["records"]


def _fully_fine(kind: str, record: dict) -> bool:
    """What the import's own checks answer: the record reads back as itself
    (``_round_trip_check``, sure, or building it and writing it back) and its fields' JSON
    types are right."""
    cls = transfer.RECORD_TYPES[kind]
    if not transfer._round_trip_check(cls)(record):
        try:
            if cls.from_dict(record).to_dict() != record:
                return False
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            return False
    return transfer._field_types_check(cls)(record) is None


def _spoilt(record: dict):
    """``record`` with one field (or one field of a record in one of its lists) spoilt, each way."""
    for name, value in record.items():
        for bad in SPOILT:
            if bad != value:
                changed = copy.deepcopy(record)
                changed[name] = bad
                yield changed
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for inner in _spoilt(value[0]):
                changed = copy.deepcopy(record)
                changed[name] = [inner, *value[1:]]
                yield changed
    for name in record:
        yield {key: value for key, value in record.items() if key != name}
    yield {**record, "extra": 1}


@pytest.mark.parametrize("kind", list(transfer.RECORD_TYPES))
def test_the_quick_shape_check_accepts_the_desks_records_and_no_spoilt_one(records, kind) -> None:
    check = shape_check(transfer.RECORD_TYPES[kind])
    found = records.get(kind, [])
    if kind == "cases":
        found = (
            [c for c in found if c["outcomes"]][:3] + [c for c in found if c["escalations"]][:3] + found[:3]
        )
        assert any(c["outcomes"] for c in found) and any(c["escalations"] for c in found)
    assert found or kind == "mail"
    for record in found[:12]:
        assert check(record), record
        for spoilt in _spoilt(record):
            if check(spoilt):
                assert _fully_fine(kind, spoilt), spoilt
