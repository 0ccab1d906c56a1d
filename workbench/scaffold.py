"""``workbench new-plugin NAME``: a vendor plugin package, ready to install and passing its tests.

The package has a pyproject whose entry point is named as the program id, the program
declaration and its rule catalogue (``program.py``, as in the bundled plugins), one hook of
each kind answering only for its vendor, a demo, a README with the table of rules, and tests
running the conformance suite. Replace the example rules with the vendor's own.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import BadInput, DeskError

NAME = re.compile(r"^[a-z][a-z0-9]{1,19}$")


class PackageExists(DeskError):
    """The directory for the new package is already there: nothing was written."""


def package_files(name: str) -> dict[str, str]:
    """Relative path -> text of each file of the plugin package for program ``name``."""
    if not NAME.match(name):
        raise BadInput(
            "name",
            f"{name!r} is not a program id: 2 to 20 lowercase letters and digits, starting with a letter",
        )
    prefix = name.upper()
    values = {"name": name, "NAME": prefix, "Title": name.capitalize()}
    files = {path.format(**values): _fill(text, values) for path, text in TEMPLATES.items()}
    files["README.md"] += "".join(f"| {rule_id} | {text} |\n" for rule_id, text in _rules(prefix))
    return files


def write_package(name: str, where: Path) -> Path:
    """Write the package into ``where/workbench-NAME``; refuses a directory already there."""
    files = package_files(name)
    root = where / f"workbench-{name}"
    if root.exists():
        raise PackageExists(f"{root} is already there: choose another --dir or remove it")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)


def _rules(prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}-{suffix}", text) for suffix, text in RULES]


RULES = [
    ("FORM-1", "A case names the product it is about; a critical case describes the business impact."),
    (
        "ROUTE-1",
        "A customer with an active support contract is on subscription support; others self-service.",
    ),
    ("SLA-1", "The vendor answers a case within 8 business hours on its Monday-Friday 09:00-18:00 calendar."),
    (
        "SEND-1",
        "A case goes to the vendor only once its product is named and the customer's tenant ID is recorded.",
    ),
    (
        "ESC-1",
        "A technical escalation to the vendor's engineers needs the case sent and 4 hours without an answer.",
    ),
    ("CLOSE-1", "A case closes as resolved, as a workaround, or as not reproducible."),
    ("CONTRACT-1", "A support contract runs for a year at most."),
]


TEMPLATES = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "workbench-{{name}}"
version = "0.1.0"
description = "Case Workbench rules for the {{Title}} vendor program."
requires-python = ">=3.11"
dependencies = ["case-workbench"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.workbench]
{{name}} = "workbench_{{name}}"

[tool.setuptools]
packages = ["workbench_{{name}}"]

[tool.pytest.ini_options]
testpaths = ["tests"]
""",
    "README.md": """\
# workbench-{{name}}

The {{Title}} vendor program for Case Workbench: its rules, intake form, deadlines, escalation
and close reasons. Made with `workbench new-plugin {{name}}`; the example rules below are the
starting point, to be replaced with the vendor's own.

```sh
pip install -e '.[test]'     # into the workbench's environment
workbench plugins            # lists {{name}} and its rules
pytest                       # the conformance suite and the plugin's own tests
```

`workbench_{{name}}/program.py` holds the catalogue and the customer attributes the program
needs (`workbench customer add NAME --attr {{name}}.tenant=...`); every answer cites one of its
rules with a reason in words. The desk's contract is in the workbench's `docs/plugins.md`.

| Rule | Text |
| --- | --- |
""",
    "workbench_{name}/program.py": '''\
"""The {{Title}} program as declared to the desk: its rule catalogue, products and settings."""

from __future__ import annotations

from workbench.model import Field, Rule, Setting, VendorProgram

VENDOR = "{{name}}"
VERSION = "0.1.0"
SUPPORT = "support"
TENANT = "{{name}}.tenant"
"""The customer attribute of the customer's tenant at the vendor ({{NAME}}-SEND-1)."""

RULES = [
'''
    + "".join(f'    Rule("{{{{NAME}}}}-{suffix}", "{text}"),\n' for suffix, text in RULES)
    + '''\
]

SETTINGS = [
    Setting(
        "{{name}}.answer_hours",
        8,
        "Business hours the vendor takes to answer a case.",
        kind="number",
        rule="{{NAME}}-SLA-1",
        minimum=1,
    ),
]


CUSTOMER_ATTRIBUTES = [
    Field(TENANT, "Tenant ID", help="the customer's tenant at {{Title}}", rule="{{NAME}}-SEND-1"),
    Field("{{name}}.seats", "Seats", "number", help="{{Title}} seats the customer holds"),
]
"""What the desk records of a customer for {{Title}}: offered by the customer form and
`workbench customer add/edit --attr {{name}}.tenant=...`, typed and checked by the desk."""


def declaration() -> VendorProgram:
    """The declaration answered by ``workbench_vendor``."""
    return VendorProgram(
        id=VENDOR,
        name="{{Title}} support",
        version=VERSION,
        rules=RULES,
        products=[SUPPORT],
        case_kinds=["question", "problem"],
        settings=SETTINGS,
        customer_attributes=CUSTOMER_ATTRIBUTES,
        description="{{Title}} support: intake, routing, the answer deadline, escalation and closing.",
        support_products=[SUPPORT],
    )
''',
    "workbench_{name}/__init__.py": '''\
"""Case Workbench plugin: the {{Title}} vendor program. Every hook answers only for {{name}}."""

from __future__ import annotations

from datetime import datetime, timedelta

from workbench import DemoDesk, DeskReader, hookimpl
from workbench.calendar import weekdays
from workbench.model import (
    Case,
    CloseReason,
    Commitment,
    Contract,
    Decision,
    Field,
    Finding,
    Ladder,
    Route,
    Rung,
    VendorProgram,
)
from workbench_{{name}}.program import SUPPORT, TENANT, VENDOR, declaration


@hookimpl
def workbench_vendor() -> VendorProgram:
    return declaration()


@hookimpl
def workbench_case_fields(vendor: str, desk: DeskReader) -> list[Field] | None:
    if vendor != VENDOR:
        return None
    return [
        Field("product", "Product", "text", help="needed before the case goes out", rule="{{NAME}}-FORM-1"),
        Field("severity", "Severity", "choice", required=True, choices=["critical", "normal"],
              default="normal"),
        Field("impact", "Business impact", "longtext", required=True, when={"severity": "critical"},
              rule="{{NAME}}-FORM-1"),
    ]


@hookimpl
def workbench_validate_case(case: Case, desk: DeskReader) -> list[Finding] | None:
    if case.vendor != VENDOR:
        return None
    if case.fields.get("severity") == "critical" and not case.fields.get("impact"):
        return [Finding("error", "{{NAME}}-FORM-1", "a critical case describes its business impact",
                        "impact")]
    return []


@hookimpl
def workbench_route_case(case: Case, desk: DeskReader) -> Route | None:
    if case.vendor != VENDOR:
        return None
    if desk.has_support(case.customer_id, VENDOR):
        return Route("subscription-support", "{{name}}-support", "{{NAME}}-ROUTE-1",
                     "the customer holds an active {{Title}} support contract")
    return Route("self-service", "desk", "{{NAME}}-ROUTE-1", "no {{Title}} support contract is active")


@hookimpl
def workbench_commitments(case: Case, desk: DeskReader) -> list[Commitment] | None:
    if case.vendor != VENDOR or case.sent_at is None:
        return None
    hours = int(desk.setting("{{name}}.answer_hours"))
    calendar = weekdays("Asia/Tokyo", "09:00", "18:00", name="{{Title}} business hours")
    return [
        Commitment("{{name}} answer", case.sent_at, hours * 60, calendar.to_dict(), "{{NAME}}-SLA-1",
                   f"{{Title}} answers within {hours} business hours", met_by=["vendor-reply"])
    ]


@hookimpl
def workbench_check_send(case: Case, desk: DeskReader, now: datetime) -> Decision | None:
    if case.vendor != VENDOR:
        return None
    missing = [] if case.fields.get("product") else ["product"]
    if not desk.customer(case.customer_id).attributes.get(TENANT):
        missing.append(f"customer attribute {TENANT}")
    if missing:
        return Decision(False, "{{NAME}}-SEND-1",
                        "the vendor needs the product and the customer's tenant ID before the case goes out",
                        missing=missing)
    return None


@hookimpl
def workbench_escalation_ladder(case: Case, desk: DeskReader) -> Ladder | None:
    if case.vendor != VENDOR:
        return None
    engineers = Rung(1, "{{Title}} engineers", "technical", "4 hours without an answer", "{{NAME}}-ESC-1")
    return Ladder([engineers], "{{NAME}}-ESC-1", "the vendor's engineers take over unanswered cases")


@hookimpl
def workbench_check_escalation(case: Case, track: str, level: int, desk: DeskReader, now: datetime
                               ) -> Decision | None:
    if case.vendor != VENDOR or track != "technical":
        return None
    if case.sent_at is None:
        return Decision(False, "{{NAME}}-ESC-1", "the case was never sent to the vendor")
    earliest = case.sent_at + timedelta(hours=4)
    if now < earliest:
        return Decision(False, "{{NAME}}-ESC-1", "the vendor has 4 hours to answer before an escalation",
                        earliest=earliest)
    return Decision(True, "{{NAME}}-ESC-1", "4 hours passed without an answer from the vendor")


@hookimpl
def workbench_close_reasons(case: Case, desk: DeskReader) -> list[CloseReason] | None:
    if case.vendor != VENDOR:
        return None
    return [
        CloseReason("resolved", "resolved with the vendor's answer", "{{NAME}}-CLOSE-1"),
        CloseReason("workaround", "closed on a workaround the customer accepted", "{{NAME}}-CLOSE-1"),
        CloseReason("not-reproducible", "the problem could not be reproduced", "{{NAME}}-CLOSE-1"),
    ]


@hookimpl
def workbench_check_contract(contract: Contract, desk: DeskReader) -> list[Finding] | None:
    if contract.vendor != VENDOR:
        return None
    if contract.end is not None and (contract.end - contract.start).days > 366:
        return [Finding("error", "{{NAME}}-CONTRACT-1", "a support contract runs for a year at most", "end")]
    return []


@hookimpl
def workbench_demo(desk: DemoDesk) -> list[str]:
    """A customer with a support contract and a case sent to the vendor."""
    attributes = {TENANT: "{{name}}-0042", "{{name}}.seats": 25}
    customer = desk.add_customer("{{Title}} Demo Customer", attributes=attributes)
    desk.add_contract(customer.id, VENDOR, SUPPORT, desk.today(), desk.today() + timedelta(days=364))
    case = desk.open_case(VENDOR, customer.id, "Reports stop after the upgrade", {"product": "reports"})
    desk.send_to_vendor(case.id, "sent with the upgrade log")
    return [f"{VENDOR}: customer {customer.id}, case {case.id}"]
''',
    "tests/conftest.py": """\
pytest_plugins = ["workbench.testing"]
""",
    "tests/test_{name}.py": '''\
"""The {{Title}} plugin keeps the desk's contract, and its rules decide as written."""

from __future__ import annotations

import json

from workbench.testing import check_program, conformance


def test_the_plugin_conforms(clock) -> None:
    assert conformance("{{name}}") == []


def test_the_declaration_is_complete(desk) -> None:
    assert check_program(desk.programs()["{{name}}"], "{{NAME}}") == []


def test_a_customer_with_support_is_on_subscription_support_{{name}}_route_1(desk) -> None:
    customer = desk.add_customer("Northwind Traders")
    desk.add_contract(customer.id, "{{name}}", "support", desk.today())
    case = desk.open_case("{{name}}", customer.id, "Reports are empty", {"product": "reports"})
    assert (case.path, case.route_rule) == ("subscription-support", "{{NAME}}-ROUTE-1")


def test_a_case_without_its_product_is_saved_but_not_sent_{{name}}_send_1(run_cli) -> None:
    assert run_cli("customer", "add", "Northwind Traders", "--attr", "{{name}}.tenant=nw-01")[0] == 0
    assert run_cli("case", "new", "--vendor", "{{name}}", "--customer", "CUS-1", "--subject", "x")[0] == 0
    status, _, err = run_cli("case", "send", "C-1")
    assert status == 1 and "{{NAME}}-SEND-1" in err


def test_customer_attributes_are_typed_and_a_misspelt_one_is_refused(run_cli) -> None:
    status, out, _ = run_cli("customer", "add", "Northwind Traders", "--attr", "{{name}}.seats=25", "--json")
    assert status == 0 and json.loads(out)["attributes"] == {"{{name}}.seats": 25}
    status, _, err = run_cli("customer", "edit", "CUS-1", "--attr", "{{name}}.seat=30")
    assert status == 2 and "{{name}}.seat" in err and "did you mean {{name}}.seats" in err
''',
}
