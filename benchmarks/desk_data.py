"""Generate a realistic large desk through the store protocol, for the benchmarks.

Three years of a reseller desk: 50,000 cases (2,000 still open, the rest closed), about
five events each, across the four bundled vendor programs; customers, contracts, a few
workflows and settings. Every change goes through :class:`workbench.store.Store`
transactions, one per business day, as a desk would write them (in bulk, for speed).

    python benchmarks/desk_data.py PATH [--cases 50000] [--open 2000]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.store import Store, Transaction

VENDORS = ("ontime", "zoho", "bittitan", "webex")
QUEUES = {"ontime": "calendar", "zoho": "mail", "bittitan": "migration", "webex": "meetings"}
PATHS = ("subscription", "consulting", "partner")
SEVERITIES = ("low", "normal", "high", "urgent")
CLOSE_REASONS = ("solved", "no_response", "duplicate", "workaround", "vendor_fix")
ACTORS = ("aiko", "kenji", "mariko", "tomoya", "yui")
TOPICS = {
    "ontime": ("calendar sync", "group view", "room booking", "Domino connector", "mobile app"),
    "zoho": ("mail delivery", "DKIM record", "IMAP access", "storage quota", "spam filter"),
    "bittitan": ("mailbox migration", "licence assignment", "delta pass", "throttling", "OneDrive"),
    "webex": ("meeting audio", "recording", "SSO login", "calling plan", "device pairing"),
}
PROBLEMS = ("fails", "stalls", "is slow", "shows an error", "times out", "stopped working")
FIELDS = {
    "ontime": {"product": "OnTime Group Calendar", "users": 120, "domino_version": "12.0.2"},
    "zoho": {"edition": "Mail Premium", "domain": "example.co.jp", "mailboxes": 45},
    "bittitan": {"project": "MigrationWiz", "source": "Exchange 2016", "mailboxes": 300},
    "webex": {"site": "example.webex.com", "calendar": "japan", "reproducible": True},
}
START = datetime(2023, 11, 27, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _event(at: datetime, key: str, action: str, **values: Any) -> dict[str, Any]:
    return {
        "id": 0,
        "at": _iso(at),
        "actor": values.pop("actor", "desk"),
        "kind": "cases",
        "key": key,
        "action": action,
        "before": values.pop("before", None),
        "after": values.pop("after", None),
        "rule": values.pop("rule", ""),
        "reason": values.pop("reason", ""),
        "data": values.pop("data", {}),
    }


def _case(rng: random.Random, number: int, opened: datetime, customers: int) -> dict[str, Any]:
    vendor = rng.choice(VENDORS)
    return {
        "id": f"C-{number}",
        "vendor": vendor,
        "customer_id": f"CUS-{rng.randint(1, customers)}",
        "subject": f"{rng.choice(TOPICS[vendor]).capitalize()} {rng.choice(PROBLEMS)} "
        f"for {rng.randint(2, 900)} users",
        "state": "new",
        "fields": dict(FIELDS[vendor]),
        "severity": rng.choice(SEVERITIES),
        "path": rng.choice(PATHS),
        "queue": QUEUES[vendor],
        "opened_at": _iso(opened),
        "closed_at": None,
        "close_reason": None,
        "escalations": [],
        "pauses": [],
    }


def _open_case(tx: Transaction, rng: random.Random, case: dict[str, Any], at: datetime) -> None:
    key = case["id"]
    tx.put("cases", key, case)
    tx.append_event(
        _event(
            at,
            key,
            "create",
            after=dict(case),
            rule="CORE-PATH-1",
            reason=f"routed to {case['queue']} on the {case['path']} path",
        )
    )
    tx.append_event(
        _event(
            at + timedelta(minutes=rng.randint(5, 200)),
            key,
            "note",
            actor=rng.choice(ACTORS),
            data={"text": "Asked for logs and screenshots."},
        )
    )
    case["state"] = "waiting_customer"
    case["pauses"].append({"start": _iso(at + timedelta(hours=1)), "end": None})
    tx.append_event(
        _event(
            at + timedelta(hours=1),
            key,
            "pending",
            actor=rng.choice(ACTORS),
            before={"state": "new"},
            after={"state": "waiting_customer"},
        )
    )


def _close_case(tx: Transaction, rng: random.Random, case: dict[str, Any], at: datetime) -> None:
    key = case["id"]
    case["pauses"][-1]["end"] = _iso(at - timedelta(hours=2))
    tx.append_event(
        _event(
            at - timedelta(hours=2),
            key,
            "reply",
            actor=rng.choice(ACTORS),
            before={"state": "waiting_customer"},
            after={"state": "open"},
            data={"text": "Customer sent the logs."},
        )
    )
    reason = rng.choice(CLOSE_REASONS)
    case.update(state="closed", closed_at=_iso(at), close_reason=reason)
    tx.append_event(
        _event(
            at,
            key,
            "close",
            actor=rng.choice(ACTORS),
            before={"state": "open"},
            after={"state": "closed", "close_reason": reason},
            rule="CORE-CLOSE-1",
            reason=f"closed as {reason}",
        )
    )
    tx.put("cases", key, case)


def _reference_data(tx: Transaction, rng: random.Random, customers: int) -> None:
    for number in range(1, customers + 1):
        key = f"CUS-{number}"
        record = {
            "id": key,
            "name": f"Customer {number} K.K.",
            "region": "JP",
            "domain": f"customer{number}.co.jp",
            "users": rng.randint(5, 5000),
            "super_admin": f"admin@customer{number}.co.jp",
            "created_at": _iso(START),
        }
        tx.put("customers", key, record)
        tx.next_number("customers")
        tx.append_event({**_event(START, key, "create", after=record), "kind": "customers"})
    for number in range(1, int(customers * 1.6) + 1):
        vendor = rng.choice(VENDORS)
        key = f"K-{number}"
        record = {
            "id": key,
            "vendor": vendor,
            "customer_id": f"CUS-{rng.randint(1, customers)}",
            "product": FIELDS[vendor].get("product", vendor),
            "quantity": rng.randint(5, 500),
            "list_price": rng.randint(10, 90) * 1000,
            "start": "2023-12-01",
            "end": "2026-11-30",
        }
        tx.put("contracts", key, record)
        tx.next_number("contracts")
        tx.append_event({**_event(START, key, "create", after=record), "kind": "contracts"})
    for key, value in (("desk.timezone", "Asia/Tokyo"), ("core.at_risk_share", 0.75)):
        tx.put("settings", key, {"key": key, "value": value})


def generate(store: Store, cases: int = 50_000, open_cases: int = 2_000, seed: int = 7) -> None:
    """Fill an empty ``store`` with a desk of ``cases`` cases, ``open_cases`` still open."""
    rng = random.Random(seed)
    customers = max(10, cases // 33)
    with store.transaction() as tx:
        _reference_data(tx, rng, customers)
    days = [START + timedelta(days=day, hours=1) for day in range(3 * 365)]
    per_day = cases / len(days)
    closing: dict[int, list[dict[str, Any]]] = {}
    number = 0
    for index, day in enumerate(days):
        with store.transaction() as tx:
            target = round(per_day * (index + 1))
            while number < target:
                number = tx.next_number("cases")
                case = _case(rng, number, day + timedelta(minutes=rng.randint(0, 480)), customers)
                _open_case(tx, rng, case, day)
                if number <= cases - open_cases:
                    closes = min(index + rng.randint(1, 20), len(days) - 1)
                    closing.setdefault(closes, []).append(case)
            for case in closing.pop(index, []):
                _close_case(tx, rng, case, day + timedelta(hours=8))


def main() -> None:
    from workbench.store import open_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_cases")
    args = parser.parse_args()
    store = open_store(args.path)
    generate(store, args.cases, args.open_cases)
    store.compact()
    store.close()


if __name__ == "__main__":
    main()
