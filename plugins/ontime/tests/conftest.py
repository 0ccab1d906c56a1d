"""Shared set-up of the OnTime tests: a customer with a licence, complete evidence."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.model import Contract, Customer

_COMPLETE = {
    "platform": "hcl-notes-domino",
    "platform_version": "Domino 12.0.2 FP3",
    "isolation": "does-not-reproduce",
    "user_settings": "not-the-cause",
    "reproduction_steps": "Open group 'Sales' in week view; Thursday entries are blank.",
    "browser": "Microsoft Edge",
    "browser_version": "131.0.2903.70",
    "environment_notes": "OnTime 11.3.2 on two Domino servers; 320 users.",
}


@pytest.fixture
def complete() -> dict[str, str]:
    """A report that may go to OnTime (ONTIME-ESC-2): isolated, every evidence item filled in."""
    return dict(_COMPLETE)


@pytest.fixture
def customer(desk) -> Customer:
    return desk.add_customer("株式会社さくら物流", users=320)


@pytest.fixture
def licence(desk, customer) -> Contract:
    """A perpetual licence bought on 2024-04-01 (the desk clock is 2026-11-24) at 1,234,567 yen:
    not a round number, so rounding shows (20 % is 246,913.4 and 15 % is 185,185.05)."""
    return desk.add_contract(customer.id, "ontime", "license", date(2024, 4, 1), list_price=1_234_567)


@pytest.fixture
def contact(desk) -> str:
    """The desk's OnTime technical contact (ONTIME-PARTNER-1)."""
    desk.set_setting("ontime.technical_contact", "Aiko Sato")
    return "Aiko Sato"
