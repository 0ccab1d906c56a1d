"""Shared set-up of the BitTitan tests: a licensed customer and a ticket factory.

The desk clock starts at Tuesday 2026-11-24 10:00 JST (Tuesday 09:00 in Singapore, the
``apac`` region of the tickets here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from workbench.model import Case, Customer

TODAY = date(2026, 11, 24)


@pytest.fixture
def customer(desk) -> Customer:
    """A customer holding an active MigrationWiz licence."""
    created = desk.add_customer("Northwind Traders", email="it@northwind.example",
                                domain="northwind.example")
    desk.add_contract(created.id, "bittitan", "user-migration-bundle", date(2026, 1, 1),
                      date(2027, 12, 31), quantity=100)
    return created


def answers(**overrides: Any) -> dict[str, Any]:
    """A complete guidance request, cutover 30 days away, no problem; ``overrides`` win."""
    values = {
        "account_email": "admin@northwind.example",
        "region": "apac",
        "cutover_date": (TODAY + timedelta(days=30)).isoformat(),
        "kind": "guidance-request",
        "run_error": False,
        "not_as_documented": False,
        "items_missing": False,
        "cannot_access": False,
        "project": "NW-M365",
        "description": "Which admin roles does the source need?",
    }
    return {**values, **overrides}


@pytest.fixture
def ticket(desk, customer) -> Callable[..., Case]:
    """Open a BitTitan case for the licensed customer: ``ticket(kind="product-problem")``."""

    def open_ticket(subject: str = "Prerequisites for the mailbox migration", **fields: Any) -> Case:
        return desk.open_case("bittitan", customer.id, subject, answers(**fields))

    return open_ticket


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    """The answers of a complete guidance request, with overrides: ``form(kind=...)``."""
    return answers
