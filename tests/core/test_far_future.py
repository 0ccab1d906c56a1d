"""`--now` far in the future answers like today (CORE-SLA-1, CORE-SLA-2): business time is
counted a year at a time over long stretches, never day by day. The time it takes is
measured by ``benchmarks/far_future.py``, not here."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("now", ["2100-01-01T00:00Z", "9999-12-31T23:59Z"])
def test_case_list_answers_for_a_far_future_now(run_cli, now) -> None:
    """CORE-SLA-2: every open case's deadlines are breached by then, none is lost."""
    assert run_cli("demo")[0] == 0
    status, out, err = run_cli("case", "list", "--json", "--now", now)
    assert status == 0, err
    cases = json.loads(out)
    assert cases and all(c["next_deadline"]["state"] == "breached" for c in cases if c.get("next_deadline"))


LAST_MINUTE = "9999-12-31T23:59Z"
"""Already 10000-01-01 in the desk's zone (Asia/Tokyo): the desk's 'today' and every local
date past it must not overflow."""


def test_the_last_minute_a_clock_holds_is_answered_by_every_vendor_without_a_failed_hook(run_cli) -> None:
    """CORE-SLA-1, ZOHO-ESC-1, WX-HOURS-1, ONTIME-RENEW-1: at the last minute a datetime holds,
    each case is listed and shown and the sweep runs with every plugin answering (a plugin
    that failed in a hook leaves its answers out: the Zoho escalation check overflowed
    computing the desk's date, and so did the WebEx support hours, the OnTime renewal
    window and the closed-case index's month of sent cases)."""
    assert run_cli("demo")[0] == 0
    status, out, err = run_cli("case", "list", "--all", "--json", "--now", LAST_MINUTE)
    assert status == 0 and "failed in hook" not in err, err
    cases = json.loads(out)
    assert {c["vendor"] for c in cases} == {"zoho", "webex", "ontime", "bittitan"}
    for case in cases:
        status, out, err = run_cli("case", "show", case["id"], "--now", LAST_MINUTE)
        assert status == 0 and "failed in hook" not in err, (case["id"], err)
    zoho = next(c["id"] for c in cases if c["vendor"] == "zoho" and c["state"] == "waiting-vendor")
    status, out, err = run_cli("case", "show", zoho, "--json", "--now", LAST_MINUTE)
    [technical] = [t for t in json.loads(out)["escalation"] if t["track"] == "technical"]
    assert technical["decision"]["rule"] == "ZOHO-ESC-1" and "ran until" in technical["decision"]["reason"]
    for command in (("sweep",), ("workflow", "list"), ("case", "evidence-pack", zoho, "--format", "md")):
        status, _, err = run_cli(*command, "--now", LAST_MINUTE)
        assert status == 0 and "failed in hook" not in err, (command, err)
