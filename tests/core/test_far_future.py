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
