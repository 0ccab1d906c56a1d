"""An import brings in only what the desk itself would accept (CORE-AUDIT-1: history is
never rewritten, so nothing bad may get in). Each record is checked as the same record made
through the desk is; every problem is listed with its record; nothing is written. Settings
refuse what is not a finite number within bounds, however they are set."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.testing import desk_files


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> dict:
    """The demo desk's JSON export."""
    from workbench.cli import main

    folder = tmp_path_factory.mktemp("demo")
    db, out = folder / "desk.json", folder / "export.json"
    for args in (["demo"], ["export", "-o", str(out)]):
        try:
            main([*args, "--db", str(db), "--now", "2026-11-24T10:00+09:00"])
        except SystemExit as exit_:
            assert exit_.code in (0, None)
    return json.loads(out.read_bytes())


def _first(kind: str, **where) -> Callable[[dict], dict]:
    def pick(document: dict) -> dict:
        return next(r for r in document["records"][kind] if all(r.get(k) == v for k, v in where.items()))

    return pick


def _set(kind: str, name: str, value, **where) -> Callable[[dict], None]:
    def edit(document: dict) -> None:
        _first(kind, **where)(document)[name] = value

    return edit


def _setting(key: str, value) -> Callable[[dict], None]:
    return lambda d: d["records"]["settings"].append({"key": key, "value": value})


def _pause_backwards(document: dict) -> None:
    case = _first("cases", id="C-1")(document)
    case["pauses"] = [{"start": "2026-11-20T05:00:00+00:00", "end": "2026-11-19T05:00:00+00:00"}]


def _event_backwards(document: dict) -> None:
    events = [e for e in document["events"] if e["kind"] == "cases" and e["key"] == "C-1"]
    events[-1]["at"] = "2020-01-01T00:00:00+00:00"


BAD = {
    "a setting out of range": (_setting("core.first_response_hours", -5), "core.first_response_hours"),
    "a setting of the wrong type": (_setting("core.update_days", "two"), "core.update_days"),
    "a number setting given as text": (
        _setting("core.update_days", "2"),
        "is not how the desk stores it (2)",
    ),
    "an unknown setting": (_setting("core.coffee_breaks", 3), "unknown setting 'core.coffee_breaks'"),
    "a setting twice": (
        lambda d: d["records"]["settings"].extend([{"key": "core.stall_days", "value": 20}] * 2),
        "setting core.stall_days appears twice",
    ),
    "a subject that is a number": (_set("cases", "subject", 12, id="C-1"), "(C-1): subject: 12 is not text"),
    "users that are words": (_set("customers", "users", "many", id="CUS-1"), "users: 'many' is not a whole"),
    "an unknown case state": (_set("cases", "state", "bogus", id="C-2"), "state 'bogus' is not a case state"),
    "a vendor without a plugin": (
        _set("cases", "vendor", "oracle", id="C-3"),
        "vendor 'oracle' has no plugin installed",
    ),
    "a customer not in the file": (_set("contracts", "customer_id", "CUS-99", id="K-1"), "CUS-99 is not in"),
    "a pause that ends before it starts": (_pause_backwards, "a pause ends"),
    "an event of a record not in the file": (
        lambda d: next(e for e in d["events"] if e["kind"] == "cases").update(key="C-999"),
        "names cases C-999, which is not in the file",
    ),
    "an event dated before the record's last": (_event_backwards, "before its previous event"),
    "an unknown kind of record": (lambda d: d["records"].update(gadgets=[{"id": "G-1"}]), "records.gadgets"),
    "a duplicate customer name": (
        _set("customers", "name", "  株式会社さくら物流 ", id="CUS-2"),
        "CUS-1 is already called",
    ),
    "a contract its vendor's rules refuse": (_set("contracts", "product", "hovercraft", id="K-1"), "K-1"),
}


def _write(tmp_path: Path, document: dict) -> str:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    return str(path)


@pytest.mark.parametrize("edit,named", BAD.values(), ids=BAD.keys())
def test_an_import_with_a_bad_record_names_it_and_writes_nothing(
    run_cli, export, tmp_path, edit, named
) -> None:
    document = copy.deepcopy(export)
    edit(document)
    status, out, err = run_cli("import", _write(tmp_path, document))
    assert status == 2, err
    assert "nothing imported" in err and named in err and "Traceback" not in err
    assert desk_files(run_cli.db) == {}


def test_every_problem_is_listed_with_its_record(run_cli, export, tmp_path) -> None:
    """Problems of different records, all in one file: each is named (a record that is bad
    in one way is not checked further, so these touch different records)."""
    together = [
        "a setting out of range",
        "an unknown setting",
        "a subject that is a number",
        "an unknown case state",
        "a vendor without a plugin",
        "a customer not in the file",
        "an event of a record not in the file",
        "an unknown kind of record",
    ]
    document = copy.deepcopy(export)
    for name in together:
        BAD[name][0](document)
    status, out, err = run_cli("import", _write(tmp_path, document), "--json")
    assert status == 2
    message = json.loads(out)["error"]["message"]
    assert f"{len(together)} problem(s), nothing imported" in message
    assert all(BAD[name][1] in message for name in together)
    assert desk_files(run_cli.db) == {}


def test_a_vendor_without_a_plugin_comes_in_only_when_asked_for(
    run_cli, export, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("WORKBENCH_AGENT", "sato")  # the demo desk has agents (CORE-TEAM-1)
    document = copy.deepcopy(export)
    for case in document["records"]["cases"]:
        if case["vendor"] == "ontime":
            case["vendor"] = "oracle"
    document["records"]["contracts"] = [
        c for c in document["records"]["contracts"] if c["vendor"] != "ontime"
    ]
    document["records"]["workflows"] = [
        w for w in document["records"]["workflows"] if w["vendor"] != "ontime"
    ]
    keys = {("contracts", c["id"]) for c in document["records"]["contracts"]} | {
        ("workflows", w["id"]) for w in document["records"]["workflows"]
    }
    document["events"] = [
        e
        for e in document["events"]
        if e["kind"] not in ("contracts", "workflows") or (e["kind"], e["key"]) in keys
    ]
    for number, event in enumerate(document["events"], 1):
        event["id"] = number
    source = _write(tmp_path, document)
    assert run_cli("import", source)[0] == 2
    status, out, err = run_cli("import", source, "--allow-vendor", "oracle")
    assert status == 0, err
    assert "vendor oracle has no plugin here" in out
    status, out, err = run_cli("case", "list", "--vendor", "oracle")
    assert status == 2 and "unknown vendor 'oracle'" in err
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0, err
    assert "oracle" in {c["vendor"] for c in json.loads(out)}


def test_an_import_past_the_stated_size_is_refused_before_it_is_read(run_cli, tmp_path) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as file:
        file.truncate((512 << 20) + 1)  # sparse: no disk used
    status, _, err = run_cli("import", str(huge))
    assert status == 2 and "reads at most 536,870,912 bytes" in err
    assert desk_files(run_cli.db) == {}


def test_an_import_from_a_fifo_is_refused_not_waited_on(run_cli, tmp_path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    status, _, err = run_cli("import", str(fifo))
    assert status == 2 and "not a regular file" in err


@pytest.mark.parametrize(
    "value,named",
    [
        ("nan", "is not a finite number"),
        ("inf", "is not a finite number"),
        ("1e309", "is not a finite number"),
        ("-5", "is below the least allowed value"),
        ("1e300", "is above the greatest allowed value"),
        ("99999999999999999999", "is too large a number"),
        ("9" * 5000, "is too large a number"),
    ],
)
def test_a_setting_is_a_finite_number_within_its_bounds(run_cli, value, named) -> None:
    """CORE-SLA-3: the desk's first-response commitment is a number of business hours;
    NaN used to be stored as null and every case silently lost its desk deadlines."""
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    before = desk_files(run_cli.db)
    status, out, err = run_cli("settings", "core.first_response_hours", value)
    assert status == 2, err
    assert "core.first_response_hours" in err and named in err and "Traceback" not in err
    assert desk_files(run_cli.db) == before
