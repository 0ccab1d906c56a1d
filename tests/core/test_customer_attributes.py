"""What a vendor program records of a customer is declared by the program
(``VendorProgram.customer_attributes``): the CLI offers, types and checks it, a misspelt key is
refused naming it, and the core carries no vendor's facts of its own. Zoho's region and
super-admin e-mail (ZOHO-PRIO-1, ZOHO-CONSENT-1) were core fields once: a desk file, a desk in
PostgreSQL and an export an older Case Workbench wrote have them moved when opened or
imported."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.store import FileStore

OLD_SAKURA = {
    "id": "CUS-1",
    "name": "株式会社さくら物流",
    "email": "it@sakura-logi.co.jp",
    "domain": "sakura-logi.co.jp",
    "region": "apac-japan",
    "users": 120,
    "super_admin_email": "admin@sakura-logi.co.jp",
    "notes": "",
    "created_at": "2026-01-05T00:00:00+00:00",
}
"""A customer as Case Workbench wrote it before issue 20: Zoho's facts as fields of the core."""

MOVED = {"zoho.region": "apac-japan", "zoho.super_admin_email": "admin@sakura-logi.co.jp"}


def files_of(db: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(db.parent.iterdir())
        if p.name.startswith(db.name) and not p.name.endswith(".holder")
    }


def zoho_priority(run_cli, customer: str, *db: str) -> dict:
    status, out, err = run_cli("eligibility", customer, "--json", *db)
    assert status == 0, err
    [found] = [e for e in json.loads(out) if e["vendor"] == "zoho"]
    assert found["rule"] == "ZOHO-PRIO-1"
    return found


def test_customer_add_and_edit_take_the_attributes_programs_declare_zoho_prio_1(run_cli) -> None:
    status, out, _ = run_cli("customer", "attributes", "--json")
    declared = {a["name"]: a for a in json.loads(out)}
    assert status == 0 and {"zoho.region", "zoho.super_admin_email"} <= set(declared)
    assert declared["zoho.region"]["kind"] == "choice" and "apac-japan" in declared["zoho.region"]["choices"]
    assert declared["zoho.region"]["program"] == "zoho" and declared["zoho.region"]["rule"] == "ZOHO-PRIO-1"
    assert "zoho.region" in run_cli("customer", "attributes")[1]
    assert "customer attributes: zoho.region, zoho.super_admin_email" in run_cli("plugins")[1]

    status, out, err = run_cli(
        "customer", "add", "株式会社さくら物流", "--users", "120", "--domain", "sakura-logi.co.jp",
        "--attr", "zoho.region=apac-japan", "--attr", "zoho.super_admin_email=admin@sakura-logi.co.jp",
        "--json",
    )  # fmt: skip
    assert status == 0, err
    assert json.loads(out)["attributes"] == MOVED
    assert zoho_priority(run_cli, "CUS-1")["claimable"]
    assert "zoho.region apac-japan" in run_cli("customer", "show", "CUS-1")[1]

    status, out, err = run_cli("customer", "edit", "CUS-1", "--attr", "zoho.super_admin_email=", "--json")
    assert status == 0, err
    assert json.loads(out)["attributes"] == {"zoho.region": "apac-japan"}, "KEY= removes one, keeps the rest"
    found = zoho_priority(run_cli, "CUS-1")
    assert found["eligible"] and not found["claimable"] and "super-admin e-mail" in found["reason"]


def test_a_misspelt_attribute_is_refused_naming_it_and_nothing_is_written(run_cli) -> None:
    assert run_cli("customer", "add", "Northwind Traders", "--attr", "zoho.region=usa")[0] == 0
    before = files_of(run_cli.db)
    for args, named in (
        (("customer", "add", "Contoso", "--attr", "zoho.regoin=usa"), "did you mean zoho.region?"),
        (("customer", "edit", "CUS-1", "--attr", "zoho.super_admin=a@b.co"), "zoho.super_admin"),
        (("customer", "edit", "CUS-1", "--attr", "seats=12"), "seats"),
        (("customer", "edit", "CUS-1", "--attr", "zoho.region=mars"), "'mars' is not one of: anz"),
        (("customer", "edit", "CUS-1", "--attr", "zoho.super_admin_email=nobody"), "is not an e-mail"),
    ):
        status, out, err = run_cli(*args)
        assert status == 2, err
        assert named in err and "Traceback" not in err
        status, out, _ = run_cli(*args, "--json")
        assert status == 2 and json.loads(out)["error"]["field"] == args[-1].split("=")[0]
    assert files_of(run_cli.db) == before


def test_the_core_carries_no_vendors_customer_fields(run_cli) -> None:
    for option in ("--region", "--super-admin-email"):
        status, _, err = run_cli("customer", "add", "Contoso", option, "x")
        assert status == 2 and f"No such option '{option}'" in err
    status, out, _ = run_cli("customer", "add", "--help")
    assert status == 0 and "Zoho" not in out and "region" not in out.replace("zoho.region", "")


def old_desk_file(db: Path) -> None:
    """A desk file holding a customer as an older Case Workbench wrote it, with its event."""
    store = FileStore(db)
    with store.transaction() as tx:
        tx.put("customers", "CUS-1", OLD_SAKURA)
        tx.next_number("customers")
        tx.append_event(
            {"at": OLD_SAKURA["created_at"], "actor": "aiko", "kind": "customers", "key": "CUS-1",
             "action": "create", "before": None, "after": OLD_SAKURA}
        )  # fmt: skip
    store.close()


def test_opening_an_older_desk_file_moves_zohos_fields_into_its_attributes(run_cli) -> None:
    old_desk_file(run_cli.db)
    log = (run_cli.db.parent / "desk.json.log").read_bytes()
    status, out, err = run_cli("customer", "show", "CUS-1", "--json")
    assert status == 0, err
    shown = json.loads(out)
    assert shown["customer"]["attributes"] == MOVED
    assert "region" not in shown["customer"] and "super_admin_email" not in shown["customer"]
    assert shown["history"][0]["after"] == OLD_SAKURA, "history stays as it was written"
    after = (run_cli.db.parent / "desk.json.log").read_bytes()
    assert after.startswith(log) and after.count(b"\n") == log.count(b"\n") + 1, "one transaction"
    store = FileStore(run_cli.db)
    assert store.get("customers", "CUS-1")["attributes"] == MOVED
    store.close()
    assert zoho_priority(run_cli, "CUS-1")["claimable"]
    assert run_cli("customer", "show", "CUS-1")[0] == 0
    assert (run_cli.db.parent / "desk.json.log").read_bytes() == after, "moved once"


def test_an_older_customer_in_the_snapshot_is_found_without_parsing_the_customers(run_cli) -> None:
    """Opening tells that no customer has the former fields from the snapshot's customers as
    checked JSON, unparsed (most commands read no customer); one that has them is moved."""
    old_desk_file(run_cli.db)
    store = FileStore(run_cli.db)
    store.compact()
    store.close()
    store = FileStore(run_cli.db)
    assert store.may_mention("customers", ["region"])
    assert not store.may_mention("customers", ["super_admin_name", "ZOHO-PRIO-1"])
    store.close()
    status, out, err = run_cli("customer", "show", "CUS-1", "--json")
    assert status == 0, err
    assert json.loads(out)["customer"]["attributes"] == MOVED
    store = FileStore(run_cli.db)
    assert store.get("customers", "CUS-1")["attributes"] == MOVED
    assert store.may_mention("customers", ["region"])  # parsed by the replay: every answer may
    store.close()


def test_opening_an_older_desk_in_postgresql_moves_zohos_fields(run_cli, pg_desk_url: str) -> None:
    from workbench.store.pgstore import PostgresStore

    store = PostgresStore(pg_desk_url)
    with store.transaction() as tx:
        tx.put("customers", "CUS-1", OLD_SAKURA)
        tx.next_number("customers")
    store.close()
    status, out, err = run_cli("customer", "show", "CUS-1", "--json", "--db", pg_desk_url)
    assert status == 0, err
    assert json.loads(out)["customer"]["attributes"] == MOVED
    store = PostgresStore(pg_desk_url)
    assert "region" not in store.get("customers", "CUS-1")
    store.close()
    assert zoho_priority(run_cli, "CUS-1", "--db", pg_desk_url)["claimable"]


def test_importing_an_older_export_moves_zohos_fields(run_cli, tmp_path: Path) -> None:
    export = {
        "format": "case-workbench-export",
        "version": 1,
        "records": {"customers": [OLD_SAKURA], "contracts": [], "cases": [], "workflows": [], "settings": []},
        "events": [],
    }
    source = tmp_path / "older-export.json"
    source.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    status, _, err = run_cli("import", str(source))
    assert status == 0, err
    status, out, err = run_cli("customer", "show", "CUS-1", "--json")
    assert status == 0 and json.loads(out)["customer"]["attributes"] == MOVED


def test_an_older_exports_region_that_is_no_zoho_region_moves_as_it_was(run_cli, tmp_path: Path) -> None:
    """A region typed before it was Zoho's (a BitTitan customer's ``apac``) moves as it was, as
    opening the desk moves it; ZOHO-PRIO-1 does not take it for a Zoho region."""
    export = {
        "format": "case-workbench-export",
        "version": 1,
        "records": {
            "customers": [{**OLD_SAKURA, "region": "apac"}],
            **{kind: [] for kind in ("contracts", "cases", "workflows", "settings")},
        },
        "events": [],
    }
    source = tmp_path / "older-export.json"
    source.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    status, _, err = run_cli("import", str(source))
    assert status == 0, err
    status, out, _ = run_cli("customer", "show", "CUS-1", "--json")
    shown = json.loads(out)
    assert shown["customer"]["attributes"]["zoho.region"] == "apac"
    assert not [e for e in shown["eligibility"] if e["vendor"] == "zoho"]


def test_an_import_checks_attributes_as_the_desk_does(run_cli, tmp_path: Path) -> None:
    wrong = {**OLD_SAKURA, "attributes": {"zoho.regoin": "usa"}}
    export = {
        "format": "case-workbench-export",
        "version": 1,
        "records": {"customers": [wrong], "contracts": [], "cases": [], "workflows": [], "settings": []},
        "events": [],
    }
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    status, _, err = run_cli("import", str(source))
    assert status == 2 and "records.customers[0] (CUS-1): zoho.regoin: not a customer attribute" in err
    assert files_of(run_cli.db) == {}
