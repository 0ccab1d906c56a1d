"""The OnTime rules as a desk uses them from the command line: `workbench quote`
(ONTIME-PROD-1), `workbench sweep` and `workbench renewals` (ONTIME-RENEW-1), and a refused
escalation (ONTIME-ESC-2)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def run(run_cli):
    """``workbench ARGS --now NOW`` in-process on a desk file; returns (status, out, err)."""

    def invoke(*args: str, now: str = "2026-11-24T10:00+09:00") -> tuple[int, str, str]:
        return run_cli(*args, "--now", now)

    invoke("customer", "add", "株式会社さくら物流")
    invoke("contract", "add", "--customer", "CUS-1", "--vendor", "ontime", "--product", "license",
           "--start", "2024-04-01", "--list-price", "1234567")
    return invoke


def test_quote_shows_the_yearly_fees_and_the_rounding_ontime_prod_1(run) -> None:
    status, out, err = run("quote", "K-1")
    assert status == 0, err
    assert "246,913 JPY" in out and "185,185 JPY" in out
    assert "rounded down to whole yen" in out and "(ONTIME-PROD-1)" in out


def test_add_on_without_its_base_is_refused_with_the_rule_ontime_prod_2(run) -> None:
    status, _, err = run("contract", "add", "--customer", "CUS-1", "--vendor", "ontime", "--product",
                         "technical-support", "--start", "2026-04-01")
    assert status != 0 and "ONTIME-PROD-2" in err


def test_sweep_opens_and_renewals_lists_the_renewal_ontime_renew_1(run) -> None:
    status, out, err = run("sweep", now="2027-01-30T10:00+09:00")
    assert status == 0 and "ONTIME-RENEW-1" not in out, err
    status, out, err = run("sweep", now="2027-01-31T10:00+09:00")
    assert "• W-1 open-workflow ONTIME-RENEW-1: " in out
    _, out, _ = run("renewals", "--json", now="2027-03-02T10:00+09:00")
    [renewal] = json.loads(out)
    assert renewal["state"] == "at-risk"
    assert renewal["next_step"]["id"] == "notice-sent" and renewal["next_step"]["due"] == "2027-03-02"
    _, out, _ = run("renewals", now="2027-04-01T10:00+09:00")
    assert "[breached]" in out and "was due on 2027-03-02, 30 days ago" in out


def test_escalation_names_every_missing_item_ontime_esc_2(run) -> None:
    run("settings", "ontime.technical_contact", "Aiko Sato")
    status, out, err = run("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject",
                           "Blank week view", "--field", "platform=hcl-notes-domino",
                           "--field", "isolation=does-not-reproduce",
                           "--field", "user_settings=not-the-cause", "--json")
    assert status == 0, err
    case = json.loads(out)["case"]
    assert (case["path"], case["queue"]) == ("subscription-support", "subscription-support")
    status, _, err = run("case", "escalate", case["id"])
    assert status == 1 and "refused by ONTIME-ESC-2" in err
    assert ("missing: Reproduction steps, Browser name, Browser version, Platform version, "
            "Environment notes") in err
