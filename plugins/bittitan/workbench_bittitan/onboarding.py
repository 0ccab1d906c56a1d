"""BitTitan's paid customer success offers (BT-ONBOARD-1, BT-ONBOARD-2).

``onboarding``, ``enterprise-onboarding`` and ``advisor-hour`` are consulting contracts:
the core refuses them without an active MigrationWiz licence (CORE-PATH-2). Each
onboarding contract runs as a workflow whose steps are its milestones and deliverables,
opened by the sweep once the contract is active. An advisor hour booked for a case names
it in its attributes (``{"case_id": "C-3"}``) and is refused for a support question.
"""

from __future__ import annotations

from datetime import datetime

from workbench import DeskReader
from workbench.calendar import local_date
from workbench.model import (
    Action,
    Contract,
    Customer,
    Decision,
    Eligibility,
    Field,
    Finding,
    StepTemplate,
    Workflow,
    WorkflowTemplate,
)
from workbench_bittitan.program import (
    ADVISOR_HOUR,
    ENTERPRISE_ONBOARDING,
    LICENCES,
    ONBOARDING,
    PROBLEM,
    SUPPORT_QUEUE,
    VENDOR,
)
from workbench_bittitan.routing import forcing_conditions

WORKLOADS = ["mailbox", "onedrive", "sharepoint", "teams", "public-folders", "archive"]


def _step(step_id: str, title: str, form: str | None = None) -> StepTemplate:
    return StepTemplate(step_id, title, "BT-ONBOARD-1", form=form)


TEMPLATES = [
    WorkflowTemplate(
        ONBOARDING, VENDOR, "BitTitan onboarding",
        [
            _step("kickoff", "Kickoff meeting: scope confirmed", "onboarding-kickoff"),
            _step("planning", "Planning: environment requirements, project settings, Help Center "
                  "and knowledge-base review, support tickets filed"),
            _step("poc", "Proof of concept and test migration: everything works as expected",
                  "proof-of-concept"),
            _step("scope", "Deliverable: migration scope defined", "deliverable"),
            _step("project-settings", "Deliverable: recommended MigrationWiz project settings",
                  "deliverable"),
            _step("strategy", "Deliverable: recommended migration strategy", "deliverable"),
            _step("kb-articles", "Deliverable: relevant knowledge-base articles", "deliverable"),
        ],
        "BT-ONBOARD-1", kind="onboarding",
    ),
    WorkflowTemplate(
        ENTERPRISE_ONBOARDING, VENDOR, "BitTitan enterprise onboarding",
        [
            _step("kickoff", "Kickoff meeting: scope confirmed, project discovery",
                  "enterprise-kickoff"),
            _step("success-criteria", "Migration plan and success criteria established",
                  "success-criteria"),
            _step("poc", "Proof of concept and planning: environment, project settings, "
                  "recommended migration method", "proof-of-concept"),
            _step("post-project-review", "Post-project review: success criteria checked, "
                  "product feedback collected", "post-project-review"),
        ],
        "BT-ONBOARD-1", kind="onboarding",
    ),
]

FORMS = {
    "onboarding-kickoff": [
        Field("licence", "MigrationWiz licence", "choice", required=True, choices=LICENCES,
              help="Onboarding covers one licence / project scenario.", rule="BT-ONBOARD-1"),
        Field("scenario", "Migration scenario", "text", required=True,
              help="Source → destination, e.g. Exchange 2016 → Microsoft 365.",
              rule="BT-ONBOARD-1"),
        Field("workloads", "Workloads", "list", help=", ".join(WORKLOADS), rule="BT-ONBOARD-1"),
        Field("scope", "Scope confirmed", "longtext", required=True, rule="BT-ONBOARD-1"),
    ],
    "enterprise-kickoff": [
        Field("licences", "MigrationWiz licences", "list", required=True,
              help=", ".join(LICENCES), rule="BT-ONBOARD-1"),
        Field("scope", "Scope confirmed", "longtext", required=True, rule="BT-ONBOARD-1"),
        Field("discovery", "Project discovery notes", "longtext", rule="BT-ONBOARD-1"),
    ],
    "success-criteria": [
        Field("plan", "Migration plan", "longtext", required=True, rule="BT-ONBOARD-1"),
        Field("criteria", "Success criteria", "longtext", required=True, rule="BT-ONBOARD-1"),
    ],
    "proof-of-concept": [
        Field("test_migration", "Test migration (project and users)", "text", required=True,
              rule="BT-ONBOARD-1"),
        Field("works_as_expected", "Everything works as expected", "bool", required=True,
              rule="BT-ONBOARD-1"),
        Field("notes", "Notes", "longtext", rule="BT-ONBOARD-1"),
    ],
    "deliverable": [
        Field("summary", "Deliverable", "longtext", required=True, rule="BT-ONBOARD-1"),
        Field("link", "Where the document is", "text", rule="BT-ONBOARD-1"),
    ],
    "post-project-review": [
        Field("criteria_met", "Success criteria met", "bool", required=True, rule="BT-ONBOARD-1"),
        Field("feedback", "Product feedback", "longtext", required=True, rule="BT-ONBOARD-1"),
    ],
}

PACKAGE_NOTES = {
    ONBOARDING: "onboarding: a dedicated customer success manager for one licence / project "
                "scenario (mailbox, OneDrive, SharePoint, Teams of one migration); several "
                "migrations are not included — that is enterprise onboarding",
    ENTERPRISE_ONBOARDING: "enterprise onboarding: dedicated customer success staff for a "
                           "multi-licence project, with a migration plan, success criteria and "
                           "a post-project review against them",
}


# -- contracts -------------------------------------------------------------------------------


def contract_findings(contract: Contract, desk: DeskReader) -> list[Finding]:
    if contract.product == ONBOARDING and contract.quantity > 1:
        return [Finding("error", "BT-ONBOARD-1",
                        "onboarding covers one licence / project scenario; for several "
                        "migrations sell enterprise-onboarding", "quantity")]
    if contract.product == ADVISOR_HOUR and contract.attributes.get("case_id"):
        return advisor_hour_findings(contract, desk)
    return []


def advisor_hour_findings(contract: Contract, desk: DeskReader) -> list[Finding]:
    """BT-ONBOARD-2: an advisor hour booked for a case must be for setup and planning."""
    case_id = str(contract.attributes["case_id"])
    case = next((c for c in desk.cases(vendor=VENDOR, customer_id=contract.customer_id)
                 if c.id == case_id), None)
    if case is None:
        return [Finding("error", "BT-ONBOARD-2",
                        f"{case_id} is not a BitTitan case of this customer", "attributes")]
    refusal = ("advisor hours are for migration setup and planning only; customer support "
               "answers it, free")
    if case.fields.get("kind") == PROBLEM:
        return [Finding("error", "BT-ONBOARD-2",
                        f"{case_id} is a product-problem: {refusal}", "attributes")]
    conditions = forcing_conditions(case, desk)
    if case.queue == SUPPORT_QUEUE or conditions:
        why = "; ".join(conditions) if conditions else case.route_reason
        return [Finding("error", "BT-ONBOARD-2",
                        f"{case_id} is a support question ({why}): {refusal}", "attributes")]
    return [Finding("info", "BT-ONBOARD-2",
                    f"an advisor hour for guidance case {case_id}: a one-hour setup and "
                    "planning call with a customer success manager")]


def eligibility(customer: Customer, desk: DeskReader) -> list[Eligibility]:
    """Whether the paid offers can be sold to a customer of BitTitan (CORE-PATH-2)."""
    if not desk.contracts(customer.id, VENDOR):
        return []
    licences = [c for c in desk.active_contracts(customer.id, VENDOR) if c.product in LICENCES]
    if licences:
        reason = (f"an active MigrationWiz licence ({licences[0].id} {licences[0].product}): "
                  "onboarding, enterprise onboarding and advisor hours can be sold")
    else:
        reason = ("no active MigrationWiz licence: the paid offers are consulting, which needs "
                  "an active subscription with support")
    return [Eligibility("BitTitan onboarding and advisor hours", VENDOR, bool(licences),
                        bool(licences), "CORE-PATH-2", reason)]


# -- workflows -------------------------------------------------------------------------------


def check_step(workflow: Workflow, step: str, data: dict, desk: DeskReader) -> Decision | None:
    """The milestones' own conditions; ``None`` where a step has none."""
    if step == "kickoff" and workflow.template == ONBOARDING:
        licence = data.get("licence")
        held = {c.product for c in desk.active_contracts(workflow.customer_id, VENDOR)}
        if licence not in held:
            return Decision(False, "BT-ONBOARD-1",
                            "the onboarding scenario must be a licence the customer holds; "
                            f"no active {licence} contract", missing=[f"active {licence} licence"])
    if step == "kickoff" and workflow.template == ENTERPRISE_ONBOARDING:
        unknown = [name for name in data.get("licences", []) if name not in LICENCES]
        if unknown:
            return Decision(False, "BT-ONBOARD-1",
                            f"not MigrationWiz licences: {', '.join(unknown)} "
                            f"(one of {', '.join(LICENCES)})")
    if step == "poc" and data.get("works_as_expected") is False:
        return Decision(False, "BT-ONBOARD-1",
                        "the proof of concept closes only when the test migration works as "
                        "expected: file a customer support ticket for what does not")
    return None


def workflow_findings(workflow: Workflow) -> list[Finding]:
    note = PACKAGE_NOTES.get(workflow.template)
    return [Finding("info", "BT-ONBOARD-1", note)] if note else []


def onboarding_to_open(desk: DeskReader, now: datetime) -> list[Action]:
    """An onboarding workflow for every active onboarding contract that has none yet; the
    key makes it once even if two sweeps race."""
    today = local_date(now, desk.timezone())
    opened = {w.contract_id for w in desk.workflows(vendor=VENDOR)}
    return [
        Action("open-workflow", workflow_key(contract), "BT-ONBOARD-1",
               f"{contract.product} contract {contract.id} is active: its milestones start",
               {"vendor": VENDOR, "template": contract.product, "contract_id": contract.id,
                "anchor": contract.start.isoformat()})
        for contract in desk.contracts(vendor=VENDOR)
        if contract.product in PACKAGE_NOTES and contract.active_on(today)
        and contract.id not in opened
    ]


def workflow_key(contract: Contract) -> str:
    return f"bittitan-onboarding:{contract.id}"
