"""Records an older Case Workbench wrote, brought to today's shape: when a desk is opened
(a desk file or a desk in PostgreSQL, :func:`workbench.store.open_store`) and when an export
is imported (:mod:`workbench.transfer`).

Before issue 20 a customer carried two of Zoho's facts as fields of the core's own:
``region`` (the Zoho region, which sets ZOHO-PRIO-1's user threshold) and
``super_admin_email`` (the account's super-admin, read by ZOHO-PRIO-1 and ZOHO-CONSENT-1).
They are customer attributes the Zoho plugin declares now, so a value moves into the
customer's ``attributes`` under the key Zoho declares, as it was (an empty one is dropped).
Opening moves every such customer of the desk in one transaction under the writer lock; the
history is never rewritten (its events show the records as they were written)."""

from __future__ import annotations

from typing import Any

from workbench.store.base import Store

MOVED_CUSTOMER_FIELDS = {"region": "zoho.region", "super_admin_email": "zoho.super_admin_email"}
"""Former fields of a customer -> the attribute each became."""


def needs_upgrade(record: dict[str, Any]) -> bool:
    return any(name in record for name in MOVED_CUSTOMER_FIELDS)


def upgraded_customer(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with its former fields moved into ``attributes`` (an attribute already
    there is kept)."""
    upgraded = {name: value for name, value in record.items() if name not in MOVED_CUSTOMER_FIELDS}
    attributes = dict(record.get("attributes") or {})
    for former, key in MOVED_CUSTOMER_FIELDS.items():
        value = record.get(former)
        if value not in (None, "") and key not in attributes:
            attributes[key] = value
    upgraded["attributes"] = attributes
    return upgraded


def older_customers_possible(store: Store) -> bool:
    """Whether a customer of ``store`` may still have former fields; ``False`` is certain. A
    desk file tells without parsing its customers (``FileStore.may_mention``): most commands
    read none, and a desk server asks before reading ahead the desk it keeps."""
    may_mention = getattr(store, "may_mention", None)
    return may_mention is None or may_mention("customers", MOVED_CUSTOMER_FIELDS)


def upgrade_customers(store: Store) -> int:
    """Move the former fields of every customer of ``store`` that still has them, in one
    transaction; how many customers moved."""
    if not older_customers_possible(store):
        return 0
    if not any(needs_upgrade(record) for record in store.all("customers")):
        return 0
    moved = 0
    with store.transaction() as tx:
        for key in [record["id"] for record in store.all("customers")]:
            record = tx.get("customers", key)
            if record is not None and needs_upgrade(record):
                tx.put("customers", key, upgraded_customer(record))
                moved += 1
    return moved
