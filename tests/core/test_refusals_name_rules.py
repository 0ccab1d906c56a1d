"""Every refusal names the rule that refused it — in its text and as ``rule`` in ``--json`` —
and that rule is the one that decided (an isolation refusal is ONTIME-TRIAGE-1, not
ONTIME-ESC-1). Each place in the core that refuses (a ``Refused``, ``Invalid``,
``FormInvalid`` or ``Stale`` raised in ``workbench/desk``, ``workbench/cli`` or
``workbench/builtin``, or a ``BadInput`` a rule decides) is triggered here through the command
line; a new one without an entry in ``REFUSALS`` fails the last test here."""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.testing import RULE_ID

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-24T10:00+09:00"
REFUSING = {"Refused", "Invalid", "FormInvalid", "Stale"}
"""The exceptions that refuse a change; ``BadInput`` refuses by a rule when it names one."""


@dataclass(frozen=True)
class Refusal:
    """One way to be refused: ``site`` is the file and a piece of the refusing call's text."""

    site: tuple[str, str]
    command: tuple[str, ...]
    rule: str
    status: int = 1
    desk: str = "demo"
    """``demo``: the demo desk; ``empty``: a desk with one customer and no agents."""
    before: tuple[tuple[str, ...], ...] = ()
    stdin: str = ""


SUPPORT_REQUEST = (
    "--field", "customer_email=it@gmail.com", "--field", "request_type=technical-support",
    "--field", "category=how-to", "--field", "severity=3", "--field", "zoho_product=crm",
    "--field", "reproducible=no", "--field", "description=How to call a REST API from Deluge",
    "--field", "troubleshooting=read the docs", "--field", "nature=how-to",
)  # fmt: skip

REFUSALS = {
    "another agent's password": Refusal(
        ("workbench/desk/passwords.py", "password needs the lead role"),
        ("--as", "emma", "agent", "password", "ito", "--password-stdin"),
        "CORE-TEAM-1",
        stdin="a long enough password\n",
    ),
    "assign a closed case": Refusal(
        ("workbench/desk/assignment.py", "it keeps the assignee it closed with"),
        ("--as", "sato", "case", "assign", "C-47", "emma"),
        "CORE-TEAM-2",
    ),
    "take another agent's case": Refusal(
        ("workbench/desk/assignment.py", "needs the lead role; {me.handle}"),
        ("--as", "emma", "case", "assign", "C-2", "emma"),
        "CORE-TEAM-1",
    ),
    "an agent adds an agent": Refusal(
        ("workbench/desk/agents.py", '"CORE-TEAM-1", reason'),
        ("--as", "emma", "agent", "add", "newbie", "--name", "New Bee"),
        "CORE-TEAM-1",
    ),
    "an agent changes another agent's case": Refusal(
        ("workbench/desk/agents.py", "changing another agent's case"),
        ("--as", "emma", "case", "note", "C-2", "looked at it"),
        "CORE-TEAM-1",
    ),
    "the last lead steps down": Refusal(
        ("workbench/desk/agents.py", "last active lead"),
        ("--as", "sato", "agent", "edit", "sato", "--role", "agent"),
        "CORE-TEAM-1",
    ),
    "not an agent": Refusal(
        ("workbench/desk/agents.py", "is not an agent of this desk"),
        ("--as", "nobody", "case", "note", "C-3", "looked at it"),
        "CORE-TEAM-1",
        status=2,
    ),
    "an agent no longer active": Refusal(
        ("workbench/desk/agents.py", "no longer an active agent"),
        ("--as", "ito", "case", "note", "C-10", "looked at it"),
        "CORE-TEAM-1",
        status=2,
        before=(("--as", "sato", "agent", "edit", "ito", "--inactive"),),
    ),
    "the first agent is not a lead": Refusal(
        ("workbench/desk/agents.py", "the first agent of a desk is its lead"),
        ("agent", "add", "bob", "--name", "Bob", "--role", "agent", "--login", "aiko"),
        "CORE-TEAM-1",
        status=2,
        desk="empty",
    ),
    "the first agent is someone else": Refusal(
        ("workbench/desk/agents.py", "the first agent of a desk is the one adding it"),
        ("agent", "add", "bob", "--name", "Bob", "--role", "lead"),
        "CORE-TEAM-1",
        status=2,
        desk="empty",
    ),
    "a step out of order": Refusal(
        ("workbench/desk/workflows.py", "Refused(decision)"),
        ("workflow", "step", "W-4", "confirmation-received"),
        "WX-FLOW-1",
    ),
    "a step already completed": Refusal(
        ("workbench/desk/workflows.py", "Refused(decision)"),
        ("workflow", "step", "W-1", "ordered"),
        "WX-FLOW-1",
    ),
    "a hold released without its terms": Refusal(
        ("workbench/desk/workflows.py", "Refused(decision)"),
        ("workflow", "step", "W-4", "compliance-hold"),
        "WX-HOLD-2",
    ),
    "a step's form left empty": Refusal(
        ("workbench/desk/workflows.py", "Invalid(missing)"),
        ("workflow", "step", "W-2", "provisioning-submitted"),
        "WX-PROV-1",
        status=2,
    ),
    "a step's form answer the vendor refuses": Refusal(
        ("workbench/desk/workflows.py", "FormInvalid(findings, decision)"),
        (
            "workflow",
            "step",
            "W-13",
            "requested",
            "--field",
            "request=site-split",
            "--field",
            "new_site_url=not a site",
            "--field",
            "details=a second site",
        ),
        "WX-OPT-1",
        status=2,
        before=(
            ("workflow", "new", "--vendor", "webex", "--template", "option-request", "--customer", "CUS-1"),
        ),
    ),  # fmt: skip
    "the top of the ladder": Refusal(
        ("workbench/desk/escalation.py", "at the top of the"),
        ("case", "escalate", "C-20"),
        "CORE-ESC-1",
        before=(("case", "escalate", "C-20"),),
    ),
    "an escalation before isolation": Refusal(
        ("workbench/desk/escalation.py", "Refused(decision)"),
        ("case", "escalate", "C-36"),
        "ONTIME-TRIAGE-1",
    ),
    "a commercial escalation without evidence": Refusal(
        ("workbench/desk/escalation.py", "Refused(decision)"),
        ("case", "escalate", "C-44", "--track", "commercial"),
        "CORE-ESC-2",
    ),
    "a send without the owner's consent": Refusal(
        ("workbench/desk/cases.py", "Refused(decision)"),
        ("--as", "ito", "case", "send", "C-10"),
        "ZOHO-CONSENT-1",
    ),
    "a close reason BitTitan does not list": Refusal(
        ("workbench/desk/cases.py", "is not a closure reason for"),
        ("case", "close", "C-50", "--reason", "bogus"),
        "BT-CLOSE-1",
    ),
    "a close reason the core does not list": Refusal(
        ("workbench/desk/cases.py", "is not a closure reason for"),
        ("case", "close", "C-26", "--reason", "bogus"),
        "CORE-PATH-1",
    ),
    "the automatic close's reason by hand": Refusal(
        ("workbench/desk/cases.py", "the reason of an automatic close"),
        ("case", "close", "C-50", "--reason", "pending-timeout"),
        "BT-CLOSE-1",
    ),
    "a contract its vendor's rules refuse": Refusal(
        ("workbench/desk/customers.py", "Invalid(findings)"),
        (
            "contract",
            "add",
            "--customer",
            "CUS-9",
            "--vendor",
            "ontime",
            "--product",
            "technical-support",
            "--start",
            "2027-01-01",
        ),
        "ONTIME-PROD-2",
        status=2,
    ),  # fmt: skip
    "a product the vendor does not sell": Refusal(
        ("workbench/desk/customers.py", '"product"'),
        (
            "contract",
            "add",
            "--customer",
            "CUS-1",
            "--vendor",
            "zoho",
            "--product",
            "foo",
            "--start",
            "2027-01-01",
        ),
        "ZOHO-FORM-1",
        status=2,
    ),
    "a new case the vendor's rules refuse": Refusal(
        ("workbench/desk/intake.py", "Invalid(preview.findings)"),
        ("case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "REST API", *SUPPORT_REQUEST),
        "ZOHO-EMAIL-1",
        status=2,
    ),
    "a form answer the vendor's rules refuse": Refusal(
        ("workbench/desk/intake.py", "Invalid(findings)"),
        ("case", "edit", "C-3", "--field", "customer_email=bob@gmail.com"),
        "ZOHO-EMAIL-1",
        status=2,
    ),
    "an action the case's state does not allow": Refusal(
        ("workbench/desk/cases.py", '"CORE-CASE-1"'),
        ("case", "escalate", "C-47", "--reason", "no answer"),
        "CORE-CASE-1",
    ),
    "an e-mail the case's state does not allow": Refusal(
        ("workbench/desk/cases.py", '"CORE-CASE-1"'),
        ("case", "send", "C-2", "--mail", "--eml", "C-2.eml", "--yes"),
        "CORE-CASE-1",
    ),
    "a second customer of the same name": Refusal(
        ("workbench/desk/customers.py", '"CORE-CUST-1"'),
        ("customer", "add", "northwind  TRADERS"),
        "CORE-CUST-1",
        status=2,
        desk="empty",
    ),
    "a customer renamed to another's name": Refusal(
        ("workbench/desk/customers.py", '"CORE-CUST-1"'),
        ("customer", "edit", "CUS-2", "--name", "Northwind Traders"),
        "CORE-CUST-1",
        status=2,
        desk="empty",
        before=(("customer", "add", "Contoso Japan"),),
    ),
    "a change dated before the record's history": Refusal(
        ("workbench/desk/records.py", "is before its last event"),
        ("case", "note", "C-3", "looked at it", "--now", "2026-11-01T10:00+09:00"),
        "CORE-AUDIT-1",
        status=2,
    ),
}
STALE_SITE = ("workbench/desk/records.py", "since you opened it")
"""A change on a view another agent changed since: made by the terminal desk, tested below."""


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory) -> Path:
    """The demo desk at NOW, made once and copied for each refusal."""
    db = tmp_path_factory.mktemp("demo") / "desk.json"
    subprocess.run(
        [sys.executable, "-m", "workbench", "demo", "--db", str(db), "--now", NOW],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return db


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refusal_names_the_rule_that_decided_it(name, run_cli, demo_desk, monkeypatch) -> None:
    refusal = REFUSALS[name]
    if refusal.desk == "demo":
        monkeypatch.setenv("WORKBENCH_AGENT", "sato")  # the demo desk's lead
        for file in demo_desk.parent.iterdir():
            if file.name.startswith(demo_desk.name):
                shutil.copy(file, run_cli.db.parent / file.name)
    else:
        assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    for command in refusal.before:
        assert run_cli(*command, "--now", NOW)[0] == 0, command
    stdin = io.TextIOWrapper(io.BytesIO(refusal.stdin.encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    now = () if "--now" in refusal.command else ("--now", NOW)
    status, out, err = run_cli(*refusal.command, *now, "--json")
    assert status == refusal.status, err
    error = json.loads(out)["error"]
    assert error["rule"] == refusal.rule, error
    assert refusal.rule in err
    if refusal.status == 1:
        assert error["decision"]["rule"] == refusal.rule and err.startswith(
            f"workbench: refused by {refusal.rule}"
        )
    if "findings" in error:
        assert [f["rule"] for f in error["findings"] if f["level"] == "error"][0] == refusal.rule


def test_a_change_on_a_view_changed_since_names_core_audit_1(run_cli) -> None:
    from workbench.desk import Desk
    from workbench.errors import Stale
    from workbench.plugins import get_plugins
    from workbench.store import FileStore

    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    assert (
        run_cli("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Sync stops")[0] == 0
    )
    store = FileStore(run_cli.db)
    try:
        desk = Desk(store, get_plugins(), actor="aiko")
        version = desk.view("C-1").version
        desk.note("C-1", "seen by another agent first")
        with pytest.raises(Stale) as stale, desk.viewing("cases", "C-1", version):
            desk.note("C-1", "written on the older view")
        assert stale.value.decision.rule == "CORE-AUDIT-1" and "since you opened it" in str(
            stale.value.decision.reason
        )
    finally:
        store.close()


def _refusing_calls() -> list[tuple[str, int, str]]:
    """(file, line, text) of every refusal the core raises or builds."""
    found = []
    for folder in ("workbench/desk", "workbench/cli", "workbench/builtin"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(source)):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                named = node.func.id == "BadInput" and any(k.arg == "rule" for k in node.keywords)
                if node.func.id in REFUSING or named:
                    where = str(path.relative_to(ROOT))
                    found.append((where, node.lineno, ast.get_source_segment(source, node) or ""))
    return found


def test_every_refusal_of_the_core_is_triggered_here() -> None:
    """A new refusal needs a trigger in REFUSALS showing the rule it names."""
    sites = [r.site for r in REFUSALS.values()] + [STALE_SITE]
    untested = [
        f"{where}:{line}"
        for where, line, text in _refusing_calls()
        if not any(where == path and marker in text for path, marker in sites)
    ]
    assert not untested, f"refusals without a trigger in REFUSALS (naming their rule): {untested}"
    assert all(RULE_ID.match(r.rule) for r in REFUSALS.values())
