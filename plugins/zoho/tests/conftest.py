"""Shared set-up of the Zoho tests: a customer with an active Zoho support contract, the
desk's sender address, and a complete request form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from workbench.model import Customer

SENDER = "zoho-desk@reseller.co.jp"
PARTNER_CONTRACT_UNTIL = "2027-03-31"
"""Until when the desk's own support-service contract with Zoho runs (ZOHO-ESC-1)."""

DESCRIPTION = (
    "Since this morning the workflow rule 'Delivery status sync' no longer updates the deal stage "
    "in Zoho CRM; the custom function reports success but the field keeps its old value."
)
"""A description inside ZOHO-FORM-2's 150–200 characters."""


@pytest.fixture
def customer(desk) -> Customer:
    """A Zoho customer in apac-japan with an active CRM subscription (a support product),
    and the desk's registered-domain sender address set (ZOHO-EMAIL-1)."""
    desk.set_setting("zoho.sender_email", SENDER)
    desk.set_setting("zoho.partner_contract_until", PARTNER_CONTRACT_UNTIL)
    found = desk.add_customer(
        "株式会社さくら物流", email="it@sakura-logistics.co.jp", domain="sakura-logistics.co.jp",
        users=120, attributes={"zoho.region": "apac-japan",
                               "zoho.super_admin_email": "admin@sakura-logistics.co.jp"})
    desk.add_contract(found.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
    return found


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    """A complete technical-support request (severity 2, malfunction, not reproducible);
    keyword arguments change or add answers, ``None`` removes one."""

    def make(**changes: Any) -> dict[str, Any]:
        answers: dict[str, Any] = {
            "customer_email": "it@sakura-logistics.co.jp",
            "request_type": "technical-support",
            "category": "malfunction",
            "severity": "2",
            "zoho_product": "crm",
            "reproducible": "no",
            "description": DESCRIPTION,
            "troubleshooting": "Re-ran the function by hand and checked the execution log.",
        }
        answers.update(changes)
        return {k: v for k, v in answers.items() if v is not None}

    return make


@pytest.fixture
def sent(desk, clock, customer, form) -> Callable[..., str]:
    """Open a case at ``at`` (ISO) and send it to Zoho at the same instant; returns its ID."""

    def make(at: str, **changes: Any) -> str:
        clock(at)
        key = desk.open_case("zoho", customer.id, "CRM workflow stops", form(**changes)).id
        desk.send_to_vendor(key)
        return key

    return make
