"""Demo records of the BitTitan program, dated relative to the desk clock.

Four customers with MigrationWiz licences and every paid offer, thirteen tickets in every
state (some deadlines at risk or breached; BitTitan's 72 hours for the desk's answer running,
at risk and passed — its ticket closed while the desk's case stays open; one with the
developers), and two onboarding workflows under way.
Everything goes through the desk's own methods, so every rule runs on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from workbench import DemoDesk
from workbench.model import Case, Customer
from workbench_bittitan.onboarding import workflow_key
from workbench_bittitan.program import (
    ADVISOR_HOUR,
    ENTERPRISE_ONBOARDING,
    GUIDANCE,
    ONBOARDING,
    PROBLEM,
    VENDOR,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NO_PROBLEM = {"run_error": False, "not_as_documented": False, "items_missing": False,
              "cannot_access": False}

Act = tuple[timedelta, Callable[[str], Any]]
"""One act of a ticket's history: how long ago, and what the desk did to the case."""


def demo_customer(desk: DemoDesk, name: str, since: datetime, **values: Any) -> tuple[Customer, str]:
    """The customer called ``name`` and what the demo did: ``"new"`` (created at ``since``),
    ``"updated"`` or ``"reused"``. A real desk has one customer with contracts of several
    vendors, so a customer another vendor's demo already made is reused, and only the fields it
    lacks are filled in."""
    wanted = name.strip().casefold()
    existing = next((c for c in desk.customers() if c.name.strip().casefold() == wanted), None)
    if existing is None:
        with desk.at(since):
            return desk.add_customer(name, **values), "new"
    missing = {key: value for key, value in values.items() if value and not getattr(existing, key)}
    if not missing:
        return existing, "reused"
    return desk.update_customer(existing.id, **missing), "updated"


def fill(desk: DemoDesk) -> list[str]:
    now, today = desk.now(), desk.today()
    lines: list[str] = []

    def customer(name: str, **values: Any) -> Customer:
        made, how = demo_customer(desk, name, now - 90 * DAY, **values)
        lines.append(f"bittitan: customer {made.id} {made.name}"
                     + ("" if how == "new" else f" ({how}: already on the desk)"))
        return made

    def contract(who: Customer, product: str, days_ago: int, **values: Any) -> str:
        start = today - timedelta(days=days_ago)
        with desk.at(now - days_ago * DAY):
            created = desk.add_contract(who.id, VENDOR, product, start,
                                        start + timedelta(days=364), **values)
        lines.append(f"bittitan: contract {created.id} {product} for {who.name} from {start}")
        return created.id

    def ticket(who: Customer, subject: str, age: timedelta, fields: dict[str, Any],
               history: tuple[Act, ...] | list[Act] = ()) -> Case:
        with desk.at(now - age):
            case = desk.open_case(VENDOR, who.id, subject, fields)
        for ago, act in history:
            with desk.at(now - ago):
                act(case.id)
        case = desk.case(case.id)
        lines.append(f"bittitan: case {case.id} [{case.state}] {case.queue}: {subject}")
        return case

    def form(who: Customer, region: str, kind: str, cutover: date, description: str,
             **answers: Any) -> dict[str, Any]:
        values = {"account_email": who.email, "region": region, "kind": kind,
                  "cutover_date": cutover.isoformat(), "description": description,
                  "project": answers.pop("project", "")}
        if kind == GUIDANCE:
            values |= NO_PROBLEM
        return values | answers

    send, reply, wait = desk.send_to_vendor, desk.vendor_reply, desk.pending

    def respond(key: str) -> None:
        desk.note(key, "Thank you: we have filed this with BitTitan and will update you.",
                  to_customer=True)

    hikari = customer("株式会社ひかり製作所", email="it-admin@hikari-ss.co.jp",
                      domain="hikari-ss.co.jp", users=250)
    contoso = customer("Contoso Pharma KK", email="m365-project@contoso-pharma.jp",
                       domain="contoso-pharma.jp", users=800)
    aoba = customer("合同会社あおば設計", email="system@aoba-sekkei.jp", domain="aoba-sekkei.jp",
                    users=40)
    fabrikam = customer("Fabrikam Europe Ltd", email="migration@fabrikam.co.uk",
                        domain="fabrikam.co.uk", users=120)

    contract(hikari, "user-migration-bundle", 60, quantity=250, list_price=1_250_000)
    onboarding_id = contract(hikari, ONBOARDING, 20, list_price=900_000)
    contract(contoso, "mailbox-migration", 45, quantity=800, list_price=1_760_000)
    enterprise_id = contract(contoso, ENTERPRISE_ONBOARDING, 12, list_price=3_200_000)
    contract(aoba, "document-migration", 30, quantity=40, list_price=160_000)
    contract(aoba, ADVISOR_HOUR, 25, list_price=45_000)
    contract(fabrikam, "user-migration-bundle", 50, quantity=120, list_price=600_000)

    ticket(hikari, "Prerequisites for Exchange 2016 → Microsoft 365 mailboxes", 2 * HOUR,
           form(hikari, "apac", GUIDANCE, today + 21 * DAY,
                "Which admin roles and throttling settings do we need before the first pass?",
                project="HIKARI-EX2016-M365"))
    ticket(hikari, "Migration run fails: ErrorImpersonateUserDenied", 21 * HOUR,
           form(hikari, "apac", PROBLEM, today + 9 * DAY,
                "Full pass fails for 12 of 250 users with ErrorImpersonateUserDenied.",
                project="HIKARI-EX2016-M365"),
           [(20 * HOUR, send)])
    ticket(contoso, "Calendar items missing after the full pass", 30 * HOUR,
           form(contoso, "apac", GUIDANCE, today + 14 * DAY,
                "Recurring meetings before 2024 did not arrive in the destination.",
                project="CONTOSO-WAVE-2", items_missing=True),
           [(29 * HOUR, send)])
    advised = ticket(contoso, "How to batch OneDrive users for the cutover weekend", 3 * HOUR,
                     form(contoso, "apac", GUIDANCE, today + 30 * DAY,
                          "We plan 6 batches of 130 users; what should each pre-stage cover?",
                          project="CONTOSO-ONEDRIVE"),
                     [(2 * HOUR, send)])
    contract(contoso, ADVISOR_HOUR, 0, list_price=45_000, attributes={"case_id": advised.id})
    ticket(aoba, "Document migration stops with 'Access denied'", 50 * HOUR,
           form(aoba, "apac", PROBLEM, today + 12 * DAY,
                "SharePoint document library migration stops at 40% with Access denied."),
           [(49 * HOUR, send), (48 * HOUR, respond), (31 * HOUR, reply),
            (30 * HOUR, lambda key: wait(key, "asked for the site collection admin's log"))])
    ticket(fabrikam, "What to expect during a Teams chat migration", 80 * HOUR,
           form(fabrikam, "emea", GUIDANCE, today + 40 * DAY,
                "Will chat history keep its original timestamps and authors?",
                project="FAB-TEAMS"),
           [(79 * HOUR, send), (78 * HOUR, respond), (57 * HOUR, reply),
            (55 * HOUR, lambda key: wait(key, "asked which tenant-to-tenant scenario applies"))])
    ticket(hikari, "Public folder permissions not migrated", 5 * DAY,
           form(hikari, "apac", PROBLEM, today + 6 * DAY,
                "Permissions on 30 public folders are missing after migration.",
                project="HIKARI-PF"),
           [(5 * DAY - HOUR, send), (5 * DAY - 2 * HOUR, respond), (4 * DAY, reply),
            (80 * HOUR, lambda key: wait(key, "asked for the folder list export"))])
    ticket(contoso, "Errors on the archive mailbox run", 4 * DAY,
           form(contoso, "apac", PROBLEM, today + 10 * DAY,
                "Archive mailboxes fail with 'Mailbox size exceeds quota'.",
                project="CONTOSO-WAVE-2"),
           [(4 * DAY - HOUR, send), (4 * DAY - 2 * HOUR, respond), (3 * DAY, reply),
            (DAY, lambda key: desk.resolve(key, "quota raised; run completed"))])
    ticket(aoba, "Recommended project settings for a document library", 10 * DAY,
           form(aoba, "apac", GUIDANCE, today + 5 * DAY,
                "Which advanced options should the document project use?"),
           [(10 * DAY - HOUR, send), (10 * DAY - 2 * HOUR, respond), (9 * DAY, reply),
            (8 * DAY, lambda key: desk.close(key, "user-education", "KB article sent"))])
    ticket(fabrikam, "Licences not consumed as documented", 12 * DAY,
           form(fabrikam, "emea", PROBLEM, today + 2 * DAY,
                "A User Migration Bundle licence was consumed twice for one user.",
                project="FAB-MAIL"),
           [(12 * DAY - HOUR, send), (12 * DAY - 2 * HOUR, respond), (11 * DAY, reply),
            (10 * DAY, lambda key: wait(key, "asked for the user's licence history"))])
    ticket(contoso, "Pre-stage pass reports 'Item too large'", 9 * DAY,
           form(contoso, "apac", PROBLEM, today + 16 * DAY,
                "Pre-stage pass skips items larger than 35 MB.", project="CONTOSO-WAVE-2"),
           [(9 * DAY - HOUR, send), (9 * DAY - 2 * HOUR, respond), (8 * DAY, reply),
            (6 * DAY, lambda key: desk.close(key, "workaround", "split the items with the tool"))])
    ticket(hikari, "Delta pass skips items without an error", 4 * DAY,
           form(hikari, "apac", PROBLEM, today + 8 * DAY,
                "Delta pass reports success but 2,000 items are missing for 3 users.",
                project="HIKARI-EX2016-M365"),
           [(4 * DAY - HOUR, send), (4 * DAY - 2 * HOUR, respond), (3 * DAY, reply),
            (3 * DAY - HOUR, lambda key: desk.escalate(key, reason="needs log analysis")),
            (3 * DAY - 2 * HOUR, send),
            (5 * HOUR, lambda key: desk.escalate(key, reason="engineer suspects a product bug"))])
    ticket(aoba, "Cutover weekend checklist", 6 * DAY,
           form(aoba, "apac", GUIDANCE, today + 2 * DAY,
                "What do we check on the cutover weekend before the final pass?"),
           [(6 * DAY - HOUR, send), (6 * DAY - 2 * HOUR, respond), (5 * DAY, reply)])
    ticket(contoso, "Final pass plan for tomorrow's cutover", HOUR,
           form(contoso, "apac", GUIDANCE, today + DAY,
                "How long will the final delta pass take for 130 users?",
                project="CONTOSO-WAVE-2"))

    _onboarding(desk, now, onboarding_id, enterprise_id, lines)
    return lines


def _onboarding(desk: DemoDesk, now: datetime, onboarding_id: str, enterprise_id: str,
                lines: list[str]) -> None:
    """The onboarding contracts' workflows, with their first milestones done."""
    for contract_id, template, done in (
        (onboarding_id, ONBOARDING, [
            ("kickoff", {"licence": "user-migration-bundle",
                         "scenario": "Exchange 2016 → Microsoft 365",
                         "workloads": "mailbox, onedrive",
                         "scope": "250 mailboxes and OneDrive, one tenant, cutover in 3 weeks"}),
            ("planning", {}),
        ]),
        (enterprise_id, ENTERPRISE_ONBOARDING, [
            ("kickoff", {"licences": "mailbox-migration",
                         "scope": "800 mailboxes in 6 waves across two tenants"}),
        ]),
    ):
        contract = desk.contract(contract_id)
        opened = datetime.combine(contract.start, datetime.min.time(), tzinfo=desk.timezone())
        with desk.at(opened + 10 * HOUR):
            workflow = desk.open_workflow(VENDOR, template, contract_id=contract_id,
                                          anchor=contract.start, key=workflow_key(contract),
                                          rule="BT-ONBOARD-1",
                                          reason=f"{template} contract {contract_id} is active")
        for index, (step, data) in enumerate(done, 1):
            with desk.at(min(now, opened + index * 2 * DAY)):
                desk.complete_step(workflow.id, step, data)
        lines.append(f"bittitan: workflow {workflow.id} {workflow.title} ({len(done)} step(s) done)")
