"""Fixtures of the WebEx tests: a WebEx customer, contracts and orders driven through the desk."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workbench.desk import Desk
from workbench.model import Contract, Workflow


def hearing_sheet(**changes: Any) -> dict[str, Any]:
    """A valid provisioning form for a named-host order of 50 licences on two sites."""
    sheet = {
        "existing_customer": "no",
        "end_customer_company": "株式会社さくら物流",
        "end_customer_first_name": "Haruto",
        "end_customer_last_name": "Sato",
        "end_customer_phone": "03-5555-0100",
        "end_customer_email": "it@sakura-logi.co.jp",
        "end_customer_employees": "420",
        "end_customer_website": "https://www.sakura-logi.co.jp",
        "hq_address1": "9-7-1 Akasaka",
        "hq_address2": "Tokyo Midtown Tower",
        "city": "Minato-ku",
        "country": "Japan",
        "state": "Tokyo",
        "postal_code": "107-0052",
        "partner_company": "Demo desk KK",
        "partner_first_name": "Taro",
        "partner_last_name": "Desk",
        "partner_email": "webex-orders@desk.example.jp",
        "admin_email": "yui.suzuki@sakura-logi.co.jp",
        "admin_first_name": "Yui",
        "admin_last_name": "Suzuki",
        "admin_phone": "090-5555-0101",
        "sites": "2",
        "primary_site_url": "sakura-logi.webex.com",
        "named_users": "30, 20",
        "primary_language": "Japanese",
        "additional_languages": "English",
        "timezone": "Asia/Tokyo",
    }
    sheet.update(changes)
    return {k: v for k, v in sheet.items() if v is not None}


def graduation_sheet(**changes: Any) -> dict[str, Any]:
    """A valid graduation form."""
    sheet = {
        "pm_first_name": "Taro", "pm_last_name": "Desk", "pm_email": "taro@desk.example.jp",
        "partner_name": "Demo desk KK", "customer_name": "株式会社さくら物流",
        "webex_url": "sakura-logi.webex.com", "term_years": "1", "site_admin": "Yui Suzuki",
        "checklist_done": "yes", "customer_using": "yes", "requirements_met": "yes",
        "renewal_contact": "Taro Desk", "main_customer_contact": "Haruto Sato",
        "outstanding_issues": "None", "next_steps": "Usage review in March", "upsell": "no",
        "copy_wanted": "no",
    }
    sheet.update(changes)
    return {k: v for k, v in sheet.items() if v is not None}


STEP_DATA = {
    "ordered": {},
    "compliance-hold": {"port_overage_terms": "yes", "audio_overage_terms": "yes"},
    "confirmation-received": {"so_number": "88410231"},
    "provisioning-submitted": hearing_sheet(),
    "site-ready": {},
    "graduated": graduation_sheet(),
    "completion-confirmed": {},
    "renewed": {},
}


class WebexDesk:
    """Drives WebEx records through the desk as a test needs them."""

    hearing_sheet = staticmethod(hearing_sheet)
    graduation_sheet = staticmethod(graduation_sheet)

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.customer = desk.add_customer("株式会社さくら物流", email="it@sakura-logi.co.jp",
                                          domain="sakura-logi.co.jp", users=420)

    def contract(self, product: str = "named-host", quantity: int = 50, audio_commit: bool = False,
                 start: date = date(2026, 11, 1), end: date = date(2027, 10, 31)) -> Contract:
        return self.desk.add_contract(self.customer.id, "webex", product, start, end, quantity=quantity,
                                      attributes={"audio_commit": audio_commit})

    def order(self, product: str = "named-host", audio_commit: bool = False, quantity: int = 50) -> Workflow:
        contract = self.contract(product, quantity, audio_commit)
        return self.desk.open_workflow("webex", "new-order", contract_id=contract.id)

    def renewal(self, renewal_date: date, product: str = "named-host") -> Workflow:
        contract = self.contract(product, end=renewal_date)
        return self.desk.open_workflow("webex", "renewal", contract_id=contract.id, anchor=renewal_date)

    def advance(self, workflow: Workflow, until: str, **data: dict[str, Any]) -> Workflow:
        """Complete the steps of ``workflow`` up to and including ``until``, with valid answers
        (or ``data[step]``, step IDs with ``_`` for ``-``)."""
        current = self.desk.workflow(workflow.id)
        for step in current.steps:
            if step.done_at is not None:
                continue
            answers = data.get(step.id.replace("-", "_"), STEP_DATA.get(step.id, {}))
            if step.form == "renewal-provisioning":
                answers = data.get("provisioning_submitted", hearing_sheet(existing_customer="yes"))
            current = self.desk.complete_step(workflow.id, step.id, answers)
            if step.id == until:
                break
        return current

    def findings(self, workflow: Workflow, rule: str) -> list[str]:
        """Messages of the workflow's findings under ``rule``, at the desk clock."""
        return [f"{f.level}: {f.message}" for f in self.desk.workflow_view(workflow.id).findings
                if f.rule == rule]

    def sweep_keys(self) -> list[str]:
        """Keys of the WebEx actions one sweep applies now."""
        return [a["key"] for a in self.desk.sweep().applied if a["key"].startswith("webex-")]


@pytest.fixture
def wx(desk: Desk) -> WebexDesk:
    return WebexDesk(desk)
