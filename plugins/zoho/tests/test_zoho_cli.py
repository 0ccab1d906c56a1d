"""Zoho's decisions on the command line: every one with its rule ID and its reason in words,
in the ``--json`` document and on screen."""

from __future__ import annotations

import json

import pytest

FIELDS = [
    "customer_email=it@sakura-logistics.co.jp", "request_type=technical-support",
    "category=malfunction", "severity=1", "zoho_product=crm", "reproducible=no",
    "description=" + "The workflow rule 'Delivery status sync' no longer updates the deal stage in "
    "Zoho CRM; the custom function reports success but the field keeps its old value.",
    "troubleshooting=Re-ran the function by hand and checked the execution log.",
]


@pytest.fixture
def run(run_cli):
    """``workbench ARGS`` in-process on a desk file in tmp_path: (status, stdout, stderr)."""
    return run_cli


@pytest.fixture
def zoho_case(run) -> None:
    """A customer with a CRM subscription and case C-1, sent to Zoho on Tuesday 10:00 Tokyo."""
    assert run("settings", "zoho.sender_email", "zoho-desk@reseller.co.jp")[0] == 0
    assert run("settings", "zoho.partner_contract_until", "2027-03-31")[0] == 0
    assert run("customer", "add", "株式会社さくら物流", "--attr", "zoho.region=apac-japan", "--users", "120",
               "--domain", "sakura-logistics.co.jp",
               "--attr", "zoho.super_admin_email=admin@sakura-logistics.co.jp")[0] == 0
    assert run("contract", "add", "--customer", "CUS-1", "--vendor", "zoho", "--product", "crm",
               "--start", "2026-01-01")[0] == 0
    fields = [arg for value in FIELDS for arg in ("--field", value)]
    status, out, _ = run("case", "new", "--vendor", "zoho", "--customer", "CUS-1",
                         "--subject", "CRM workflow stops", *fields, "--json")
    assert status == 0
    shown = json.loads(out)
    rules = {f["rule"] for f in shown["findings"]}
    assert {"ZOHO-CHAN-1", "ZOHO-FIRST-1"} <= rules
    assert all(f["message"] for f in shown["findings"])
    assert run("case", "send", "C-1", "--now", "2026-11-24T10:00+09:00")[0] == 0


def test_case_show_json_cites_every_zoho_decision(run, zoho_case) -> None:
    """ZOHO-SLA-1, ZOHO-ESC-1, ZOHO-ESC-2, ZOHO-PRIO-1, ZOHO-SEV-1 in ``case show --json``."""
    status, out, _ = run("case", "show", "C-1", "--json", "--now", "2026-11-24T12:59+09:00")
    assert status == 0
    shown = json.loads(out)
    assert shown["case"]["severity"] == "1"
    vendor = [d for d in shown["deadlines"] if d["clock"] == "vendor"]
    assert {d["rule"] for d in vendor} == {"ZOHO-SLA-1"} and all("24x5" in d["reason"] for d in vendor)
    assert shown["ladder"]["rule"] == "ZOHO-ESC-2"
    technical = next(o for o in shown["escalation"] if o["track"] == "technical")
    assert technical["decision"]["rule"] == "ZOHO-ESC-1" and not technical["decision"]["allowed"]
    assert technical["decision"]["earliest"] == "2026-11-24T04:00:00+00:00"
    [priority] = [e for e in shown["eligibility"] if e["vendor"] == "zoho"]
    assert priority["rule"] == "ZOHO-PRIO-1" and priority["claimable"]


def test_case_show_on_screen_says_why_with_rule_ids(run, zoho_case) -> None:
    status, out, _ = run("case", "show", "C-1", "--now", "2026-11-24T12:59+09:00")
    assert status == 0
    for words in ("Zoho acknowledgement (vendor clock) at-risk", "due 2026-11-24 13:00 JST (1分後)",
                  "ZOHO-SLA-1 ", "ZOHO-CHAN-1 ",
                  "✗ refused ZOHO-ESC-1: the acknowledgement response time has not run out",
                  "— allowed from 2026-11-24 13:00 JST", "ZOHO-PRIO-1 ", "partner-support escalation desk"):
        assert words in out, words


def test_refused_escalation_is_one_json_error_with_the_earliest_time(run, zoho_case) -> None:
    status, out, err = run("case", "escalate", "C-1", "--json", "--now", "2026-11-24T12:59+09:00")
    assert status == 1 and "ZOHO-ESC-1" in err
    decision = json.loads(out)["error"]["decision"]
    assert decision["rule"] == "ZOHO-ESC-1" and decision["earliest"] == "2026-11-24T04:00:00+00:00"
    status, out, _ = run("case", "escalate", "C-1", "--owner", "Ravi", "--json",
                         "--now", "2026-11-24T13:00+09:00")
    assert status == 0
    assert json.loads(out)["case"]["escalations"][0]["owner"] == "Ravi"


def test_free_mail_is_refused_with_exit_2_and_the_rule(run, zoho_case) -> None:
    fields = [arg for value in FIELDS for arg in ("--field", value)]
    status, out, _ = run("case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "x",
                         *fields, "--field", "customer_email=someone@gmail.com", "--json")
    assert status == 2
    findings = json.loads(out)["error"]["findings"]
    assert any(f["rule"] == "ZOHO-EMAIL-1" and f["level"] == "error" for f in findings)


def test_case_send_without_consent_is_refused_with_the_rule_zoho_consent_1(run, zoho_case) -> None:
    fields = [arg for value in FIELDS for arg in ("--field", value)]
    status, out, _ = run("case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "x",
                         *fields, "--field", "account_change=account-dispute", "--json")
    assert status == 0
    [warning] = [f for f in json.loads(out)["findings"] if f["rule"] == "ZOHO-CONSENT-1"]
    assert warning["level"] == "warning" and "cannot be sent" in warning["message"]
    status, out, err = run("case", "send", "C-2", "--json")
    assert status == 1 and "refused by ZOHO-CONSENT-1" in err and "consent_from" in err
    decision = json.loads(out)["error"]["decision"]
    assert decision["rule"] == "ZOHO-CONSENT-1" and len(decision["missing"]) == 2
    assert run("case", "edit", "C-2", "--field", "consent_from=admin@sakura-logistics.co.jp",
               "--field", "consent_received=2026-11-24")[0] == 0
    assert run("case", "send", "C-2")[0] == 0


def test_case_owner_clears_the_owner_warning_zoho_esc_2(run, zoho_case) -> None:
    assert run("case", "escalate", "C-1", "--now", "2026-11-24T13:00+09:00")[0] == 0
    _, out, _ = run("case", "show", "C-1", "--json", "--now", "2026-11-24T13:00+09:00")
    [warning] = [f for f in json.loads(out)["findings"] if f["rule"] == "ZOHO-ESC-2"]
    assert "workbench case owner C-1 OWNER --track technical --level 1" in warning["message"]
    status, _, _ = run("case", "owner", "C-1", "Ravi (escalation desk)", "--level", "1",
                       "--now", "2026-11-24T13:05+09:00")
    assert status == 0
    _, out, _ = run("case", "show", "C-1", "--json", "--now", "2026-11-24T13:05+09:00")
    shown = json.loads(out)
    assert not [f for f in shown["findings"] if f["rule"] == "ZOHO-ESC-2"]
    assert shown["case"]["escalations"][0]["owner"] == "Ravi (escalation desk)"


def test_eligibility_command_shows_priority_support(run, zoho_case) -> None:
    status, out, _ = run("eligibility", "CUS-1")
    assert status == 0
    assert "Zoho priority support (large-user accounts): eligible, claimable" in out
    assert "(ZOHO-PRIO-1)" in out


def test_case_fields_say_when_a_field_is_required_zoho_form_1(run) -> None:
    """ZOHO-FORM-1: the reproduction details are required only for a reproducible problem;
    the form listing says so instead of calling them required outright."""
    status, out, err = run("case", "fields", "zoho")
    assert status == 0, err
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert lines["reproducible"].split()[2:] == ["required"]
    for name in ("user_id", "super_admin_email", "customisations", "occurred_at", "support_access"):
        assert "required when reproducible=yes" in lines[name], lines[name]
    assert "optional" in lines["attachments"]
