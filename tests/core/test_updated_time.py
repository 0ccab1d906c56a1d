"""A case's Updated time is the last change of the case itself: the desk's own bookkeeping
(a sweep marking a breach, CORE-SLA-2) is in the history but does not make every case of
the queue read "updated a minute ago"."""

from __future__ import annotations

import json

LATER = "2026-11-25T10:00:00+09:00"
SWEPT_AT = "2026-11-25T01:00:00+00:00"


def cases_by_id(run_cli, *args: str) -> dict[str, dict]:
    status, out, err = run_cli("case", "list", "--json", *args)
    assert status == 0, err
    return {case["id"]: case for case in json.loads(out)}


def test_a_breach_the_sweep_marks_leaves_updated_where_it_was_core_sla_2(run_cli) -> None:
    assert run_cli("demo")[0] == 0
    before = cases_by_id(run_cli, "--now", LATER)
    status, out, err = run_cli("sweep", "--json", "--now", LATER)
    assert status == 0, err
    marked = {breach["case"] for breach in json.loads(out)["breaches"] if "case" in breach}
    assert marked, "the demo has deadlines that breach by then"
    after = cases_by_id(run_cli, "--now", LATER)
    only_marked = []
    for key in marked & after.keys():
        history = json.loads(run_cli("case", "show", key, "--json", "--now", LATER)[1])["events"]
        swept = {e["action"] for e in history if e["at"] == SWEPT_AT}
        if swept == {"breach"}:
            only_marked.append(key)
            assert after[key]["updated_at"] == before[key]["updated_at"], f"{key} was not updated by it"
        else:  # the sweep also changed the case (BT-ROUTE-2 moved it) or noted something for people
            assert after[key]["updated_at"] == SWEPT_AT, key
    assert only_marked, "the demo has cases the sweep only marks"

    key = sorted(only_marked)[0]
    assignee = after[key]["assignee"] or "sato"
    status, _, err = run_cli("case", "note", key, "called the customer", "--as", assignee, "--now", LATER)
    assert status == 0, err
    assert cases_by_id(run_cli, "--now", LATER)[key]["updated_at"] == SWEPT_AT, "a person's note updates it"
